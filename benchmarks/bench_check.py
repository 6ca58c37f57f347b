"""Benchmark: ``check`` against a bare python-calamine read of the same large ledger.

Each measurement runs in a fresh Python process (so peak memory is that step's alone). The
read and the check run as pairs, back to back (in alternating order), five times: a virtual
machine's speed drifts by a third between minutes, so the ratio of each pair (same conditions)
is what counts, and the median of the pair ratios is reported beside the best times.

    python benchmarks/bench_check.py [LEDGER] [--pairs=N]
    # default LEDGER: benchmarks/out/large.xlsx (made if missing); default 5 pairs
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT = HERE / "out" / "large.xlsx"
SAMPLE = HERE.parent / "samples" / "台账示例.xlsx"

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
from toolkit.checking import check_file
# one-time start-up (lazy imports, pandera's backend registration) is paid once per process, as in
# a batch or in Excel: warm it on the small sample ledger and report it apart
c0 = time.process_time()
check_file(sys.argv[2], dt.date(2026, 6, 30))
warm = time.process_time() - c0
t0, c0 = time.perf_counter(), time.process_time()
report = check_file(sys.argv[1], dt.date(2026, 6, 30))
print(json.dumps({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0, "warm": warm,
                  "findings": len(report.findings),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def once(code: str, path: Path) -> dict:
    """One fresh-process run of ``code`` on ``path``."""
    out = subprocess.run(
        [sys.executable, "-c", code, str(path), str(SAMPLE)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def paired(path: Path, pairs: int = 5) -> tuple[list[dict], list[dict]]:
    """``pairs`` runs of the bare read and of check back to back, the order swapped every other
    pair (read-check, check-read, ...) so that a machine slowing down or speeding up favours neither."""
    bare, chk = [], []
    for i in range(pairs):
        if i % 2:
            chk.append(once(CHECK, path))
            bare.append(once(BARE, path))
        else:
            bare.append(once(BARE, path))
            chk.append(once(CHECK, path))
    return bare, chk


def cli_wall(path: Path) -> float:
    """Wall time of the whole ``zbtz check`` command, start-up and imports included."""
    import time

    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "toolkit", "check", str(path), "--as-of", "2026-06-30", "--format", "json"],
        capture_output=True,
        check=False,
    )
    return time.perf_counter() - t0


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--pairs=")]
    pairs = next((int(a.split("=", 1)[1]) for a in sys.argv[1:] if a.startswith("--pairs=")), 5)
    path = Path(args[0]) if args else DEFAULT
    if not path.exists():
        subprocess.run([sys.executable, str(HERE / "make_large.py"), str(path)], check=True)
    size = path.stat().st_size / 2**20
    bare_runs, check_runs = paired(path, pairs)
    ratios = sorted(c["cpu"] / b["cpu"] for b, c in zip(bare_runs, check_runs, strict=True))
    bare = min(bare_runs, key=lambda r: r["cpu"])
    chk = min(check_runs, key=lambda r: r["cpu"])
    print(f"ledger: {path} ({size:.1f} MB, {bare['cells']:,} cells)")
    print(
        f"bare calamine read : best cpu {bare['cpu']:.2f} s  wall {bare['wall']:.2f} s  peak RSS "
        f"{bare['rss_mb']:.0f} MB"
    )
    print(
        f"zbtz check         : best cpu {chk['cpu']:.2f} s  wall {chk['wall']:.2f} s  peak RSS "
        f"{max(r['rss_mb'] for r in check_runs):.0f} MB  ({chk['findings']} findings)"
    )
    print(
        f"ratio check/read   : median of {len(ratios)} pairs {statistics.median(ratios):.2f}x "
        f"(pairs: {', '.join(f'{r:.2f}' for r in ratios)}); best/best {chk['cpu'] / bare['cpu']:.2f}x"
        "  (target <= 2x, peak < 1024 MB)"
    )
    print(
        f"start-up (once per process, before the timed check): cpu {min(r['warm'] for r in check_runs):.2f} s"
        " (imports excluded; checking the sample ledger included)"
    )
    print(f"whole CLI command  : wall {cli_wall(path):.2f} s (imports and start-up included)")


if __name__ == "__main__":
    main()
