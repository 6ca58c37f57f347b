"""Time ``import`` of a 5,000-computer device × software long table, and measure import on layouts a–d.

    python benchmarks/bench_import.py [--computers N] [--shapes]

Writes a long table (one row per computer and software, licence facts repeated on each row, a
whitelist sheet) of N computers (default 5,000, about 20 software each) into a temporary folder,
then imports it: prints the rows, the time to recognise, convert and write, the time of a bare
python-calamine read of the same input, and the time ``check`` then takes on the new ledger.

``--shapes`` also imports the small layouts a–d of the tests with every planted defect and
prints, per layout, the rows imported, the planted defects found by ``check`` and the findings
that show no planted defect (false errors; 0 expected).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402

from tests.imports.builders import LONG_HEAD  # noqa: E402  # the header of the tests' shape a
from toolkit.checking import check  # noqa: E402
from toolkit.imports import import_ledger  # noqa: E402

DAY = dt.date(2026, 6, 30)
DEPTS = [f"第{i}科" for i in range(1, 31)]


def catalogue() -> list[list]:
    """300 products: OEM systems, commercial software in lots with licences, free tools."""
    out: list[list] = [[f"Windows {v} 专业版", str(v), "是", "OEM预装", None, None, None, None] for v in (7, 10, 11)]
    for i in range(1, 241):
        out.append(
            [
                f"业务软件{i:03d}",
                f"{2018 + i % 7}",
                "是",
                "批量授权",
                6000,
                dt.datetime(2023, 1 + i % 12, 1),
                1000 + i,
                "永久",
            ]
        )
    out += [[f"免费工具{i:02d}", None, "免费", "免费", None, None, None, None] for i in range(1, 58)]
    return out


def write_long(path: Path, computers: int) -> int:
    rng = random.Random(7)
    products = catalogue()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("软件明细")
    ws.append(["某局计算机软件安装情况统计表"])
    ws.append(list(LONG_HEAD))
    n = 0
    for c in range(1, computers + 1):
        machine = [f"PC-{c:05d}", f"员工{c:05d}", DEPTS[c % len(DEPTS)], "笔记本" if c % 5 == 0 else "台式机"]
        picks = [products[c % 3], *rng.sample(products[3:], 19)]
        for sw in picks:
            n += 1
            ws.append([n, *machine, *sw])
    free = wb.create_sheet("免费软件白名单")
    free.append(["可使用免费软件清单"])
    free.append(["序号", "软件名称", "软件来源"])
    for i, sw in enumerate((p for p in products if p[2] == "免费"), 1):
        free.append([i, sw[0], "官网"])
    wb.save(path)
    return n


def bench(computers: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "软件明细.xlsx", Path(tmp) / "新台账.xlsx"
        rows = write_long(src, computers)
        t = time.perf_counter()
        wb = CalamineWorkbook.from_path(str(src))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()
        read = time.perf_counter() - t
        t = time.perf_counter()
        result = import_ledger([src], out, day=DAY)
        took = time.perf_counter() - t
        t = time.perf_counter()
        report = check([out], DAY)
        checked = time.perf_counter() - t
        data = result.to_dict()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"input                {rows:,} rows, {computers:,} computers ({src.stat().st_size / 1e6:.1f} MB)")
        print(f"calamine read        {read:6.2f} s")
        print(
            f"import               {took:6.2f} s  ({data['software']} numbers, {data['installs']:,} 附件9 rows, "
            f"{out.stat().st_size / 1e6:.1f} MB written)"
        )
        print(f"check of the result  {checked:6.2f} s  ({report.errors} errors, {report.warnings} warnings)")
        print(f"peak memory          {peak:6.0f} MB")


def shapes() -> None:
    from tests.imports.builders import SHAPES, applicable, attribute, write_inputs

    print("shape  rows  planted  found  false")
    for shape in sorted(SHAPES):
        with tempfile.TemporaryDirectory() as tmp:
            planted = applicable(shape)
            paths = write_inputs(Path(tmp) / "in", SHAPES[shape](planted))
            result = import_ledger(paths, Path(tmp) / "新台账.xlsx", day=DAY)
            found, other = attribute(Path(tmp) / "新台账.xlsx", check([Path(tmp) / "新台账.xlsx"], DAY))
            rows = sum(result.records.rows.values())
            clean = check(
                [
                    import_ledger(
                        write_inputs(Path(tmp) / "clean", SHAPES[shape]()), Path(tmp) / "c.xlsx", day=DAY
                    ).written
                ],
                DAY,
            )
            print(
                f"{shape:<6}{rows:>5}  {len(planted):>7}  {len(found):>5}  {len(other):>5}   "
                f"(clean version: {clean.errors} errors, {clean.warnings} warnings; found {sorted(found)})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--computers", type=int, default=5000)
    parser.add_argument("--shapes", action="store_true")
    args = parser.parse_args()
    if args.shapes:
        shapes()
    bench(args.computers)


if __name__ == "__main__":
    main()
