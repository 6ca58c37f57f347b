"""Throughput of ``zbtz report FOLDER``: ledgers per second with 1 and with 2 worker processes.

Generates N small ledgers with the test factory (tests/factory.py; about 3 forms filled, 2–4
computers each), then times :func:`toolkit.consolidation.consolidate` (read + check + 附件5
figures of every ledger) and, separately, writing the 汇总 workbook and the HTML report.

    python benchmarks/bench_report.py [N]          # default N = 200

Measured on the development machine (2 cores, Python 3.11, N = 200, 20 of them broken), at the
commit that added this file (other sessions were running on the machine, so figures vary):

    workers=1:  31.2 ledgers/s  (an earlier run under heavier load: 17.6; 2026-11-28, idle: 35.9)
    workers=2:  48.4 ledgers/s  (earlier: 24.2; 2026-11-28, idle: 62.8)
    writing 汇总.xlsx and 汇总.html: 0.4 s

About 90 % of the time per ledger is the cell checks (S3/S4/S5, pandera) of ``check``.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # runs from a checkout, installed or not

from test_consolidate import generate  # noqa: E402

from toolkit.consolidation import consolidate, default_workers  # noqa: E402
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


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
