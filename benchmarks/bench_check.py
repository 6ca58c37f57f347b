"""Benchmark: ``check`` against a bare python-calamine read of the same large ledger.

Each measurement runs in a fresh Python process (so peak memory is that step's alone), three
times; the best time counts. CPU time is reported beside wall time because the ratio of CPU
times stays meaningful on a busy machine.

    python benchmarks/bench_check.py [LEDGER]      # default benchmarks/out/large.xlsx (made if missing)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT = HERE / "out" / "large.xlsx"

BARE = """
import json, resource, sys, time
import python_calamine as pc
t0, c0 = time.perf_counter(), time.process_time()
wb = pc.CalamineWorkbook.from_path(sys.argv[1])
cells = 0
for i, _ in enumerate(wb.sheet_names):
    rows = wb.get_sheet_by_index(i).to_python(skip_empty_area=False)
    cells += sum(len(r) for r in rows)
print(json.dumps({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0, "cells": cells,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

CHECK = """
import datetime as dt, json, resource, sys, time
from toolkit.check import check_file
import pandera.pandas  # imported before the clock starts, as in a long-running process
t0, c0 = time.perf_counter(), time.process_time()
report = check_file(sys.argv[1], dt.date(2026, 6, 30))
print(json.dumps({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                  "findings": len(report.findings),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(code: str, path: Path, repeat: int = 3) -> dict:
    """Best of ``repeat`` fresh-process runs of ``code`` on ``path``."""
    results = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    best = min(results, key=lambda r: r["cpu"])
    best["wall"] = min(r["wall"] for r in results)
    best["rss_mb"] = max(r["rss_mb"] for r in results)
    return best


def cli_wall(path: Path) -> float:
    """Wall time of the whole ``zbtz check`` command, start-up and imports included."""
    import time

    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "toolkit", "check", str(path), "--as-of", "2026-06-30", "--format", "json"],
                   capture_output=True, check=False)
    return time.perf_counter() - t0


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not path.exists():
        subprocess.run([sys.executable, str(HERE / "make_large.py"), str(path)], check=True)
    size = path.stat().st_size / 2**20
    bare = run(BARE, path)
    chk = run(CHECK, path)
    print(f"ledger: {path} ({size:.1f} MB, {bare['cells']:,} cells)")
    print(f"bare calamine read : wall {bare['wall']:.2f} s  cpu {bare['cpu']:.2f} s  peak RSS {bare['rss_mb']:.0f} MB")
    print(f"zbtz check         : wall {chk['wall']:.2f} s  cpu {chk['cpu']:.2f} s  peak RSS {chk['rss_mb']:.0f} MB"
          f"  ({chk['findings']} findings)")
    print(f"ratio check/read   : wall {chk['wall'] / bare['wall']:.2f}x  cpu {chk['cpu'] / bare['cpu']:.2f}x"
          "  (target <= 2x, peak < 1024 MB)")
    print(f"whole CLI command  : wall {cli_wall(path):.2f} s (imports and start-up included)")


if __name__ == "__main__":
    main()
