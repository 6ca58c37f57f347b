"""Time ``rollup_file`` on the large ledger against a bare python-calamine read of the same file.

    python benchmarks/bench_rollup.py [LEDGER]

LEDGER defaults to ``benchmarks/out/large.xlsx`` (made by ``benchmarks/make_large.py``: 5,000
computers, 300 numbers, 100,000 log rows). In one process: read every sheet with calamine
(``to_python``), then roll the ledger up into a new file; prints both times, the ratio (target:
at most 4) and the peak memory of the process.
"""

from __future__ import annotations

import datetime as dt
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from python_calamine import CalamineWorkbook  # noqa: E402

from toolkit.write.edit import rollup_file

LARGE = Path(__file__).resolve().parent / "out" / "large.xlsx"
AS_OF = dt.date(2026, 6, 30)


def calamine_read(path: Path) -> int:
    wb = CalamineWorkbook.from_path(str(path))
    rows = 0
    for name in wb.sheet_names:
        rows += len(wb.get_sheet_by_name(name).to_python())
    return rows


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else LARGE
    if not path.exists():
        subprocess.run([sys.executable, str(Path(__file__).with_name("make_large.py")), str(path)], check=True)
    t = time.perf_counter()
    rows = calamine_read(path)
    read = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        result = rollup_file(path, AS_OF, out=Path(tmp) / ("out" + path.suffix))
        roll = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"ledger               {path.name} ({path.stat().st_size / 1e6:.1f} MB, {rows:,} rows in all sheets)")
    print(f"calamine read        {read:6.2f} s")
    print(
        f"rollup_file          {roll:6.2f} s  (附件8 rows: "
        f"{len(result.plan.detail.rows) if result.plan.detail else 0:,})"
    )
    print(f"ratio                {roll / read:6.2f}  (target ≤ 4)")
    print(f"peak memory          {peak:6.0f} MB")


if __name__ == "__main__":
    main()
