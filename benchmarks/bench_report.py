"""Throughput of ``zbtz report FOLDER``: ledgers per second with 1 and with 2 worker processes.

Generates N small ledgers with the test factory (tests/factory.py; about 3 forms filled, 2–4
computers each), then times :func:`toolkit.consolidation.consolidate` (read + check + 附件5
figures of every ledger) and, separately, writing the 汇总 workbook and the HTML report.

    python benchmarks/bench_report.py [N]                  # default N = 200
    python benchmarks/bench_report.py 1000 --medium        # whole commands on N medium ledgers

``--medium`` measures what a user waits for instead: whole-process wall time of
``python -m toolkit report DIR --workers 1`` and ``--workers 2`` and of ``python -m toolkit check DIR``
(one process, no workers option) over N medium ledgers made by benchmarks/make_large.py (80
computers, 20 software numbers, 800 log rows in 20 附件9 sheets, ~150 KB each): ten distinct ledgers
(ten seeds), each copied N / 10 times, to keep generating them short.

Measured on the development machine (2 cores, Python 3.11, N = 200, 20 of them broken), at the
commit that added this file (other sessions were running on the machine, so figures vary):

    workers=1:  31.2 ledgers/s  (an earlier run under heavier load: 17.6; 2026-11-28, idle: 35.9)
    workers=2:  48.4 ledgers/s  (earlier: 24.2; 2026-11-28, idle: 62.8)
    writing 汇总.xlsx and 汇总.html: 0.4 s

At that commit about 90 % of the time per ledger was the cell checks (S3/S4/S5, pandera) of ``check``;
pandas and pandera are now imported only for a form with a failing cell.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]  # runs from a checkout, installed or not

from make_large import build  # noqa: E402

from tests.report.test_consolidate import generate  # noqa: E402
from toolkit.consolidation import consolidate, default_workers  # noqa: E402
from toolkit.forms.layout import write_ledger  # noqa: E402
from toolkit.render.html import write_html  # noqa: E402
from toolkit.render.xlsx import write_consolidation  # noqa: E402

AS_OF = dt.date(2026, 6, 30)


def main(n: int = 200) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "units"
        folder.mkdir()
        generate(folder, n)
        print(f"{n} 个台账（其中 {n // 10} 个已损坏），本机可用 {default_workers()} 个核")
        consolidate([folder], AS_OF, workers=1)  # warm the file cache and imports
        cons = None
        for workers in (1, 2):
            start = time.perf_counter()
            cons = consolidate([folder], AS_OF, workers=workers)
            took = time.perf_counter() - start
            print(f"workers={workers}: {took:6.2f} 秒，{n / took:6.1f} 个台账/秒")
        assert cons is not None
        start = time.perf_counter()
        write_consolidation(cons, Path(tmp) / "汇总.xlsx")
        write_html(cons, Path(tmp) / "汇总.html")
        print(f"写出汇总.xlsx 与汇总.html：{time.perf_counter() - start:.2f} 秒")


def medium(n: int = 1000) -> None:
    """Whole ``report DIR`` (1 and 2 workers) and ``check DIR`` commands over ``n`` medium ledgers."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "units"
        folder.mkdir()
        distinct = [folder / f"unit-seed{seed}.xlsx" for seed in range(min(n, 10))]
        for seed, path in enumerate(distinct):
            write_ledger(path, build(computers=80, numbers=20, logs=800, seed=seed), fast=True)
        for i in range(len(distinct), n):
            shutil.copyfile(distinct[i % len(distinct)], folder / f"unit{i:04d}.xlsx")
        size = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
        print(
            f"{n} 个中等台账（每个 80 台计算机、20 个软件编号、800 行记录），共 {size:.0f} MB；"
            f"本机 {default_workers()} 个核，负载 {os.getloadavg()[0]:.1f}"
        )
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        runs = {
            "report --workers 1": ["report", str(folder), "--workers", "1", "--format", "json"],
            "report --workers 2": ["report", str(folder), "--workers", "2", "--format", "json"],
            "check（单进程）": ["check", str(folder), "--format", "json"],
        }
        for label, args in runs.items():
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "toolkit", *args, "--as-of", AS_OF.isoformat()],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                check=False,
            )
            took = time.perf_counter() - start
            print(f"{label}: {took:6.1f} 秒，{n / took:5.1f} 个台账/秒（负载 {os.getloadavg()[0]:.1f}）", flush=True)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--medium"]
    count = int(args[0]) if args else (1000 if "--medium" in sys.argv else 200)
    (medium if "--medium" in sys.argv else main)(count)
