"""Time Package.set_cells / replace_rows / save on a 100,000-row x 12-column detail sheet.

Run: ``python benchmarks/bench_xlsxpkg.py`` (writes into benchmarks/out/).
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import xlsxwriter

from toolkit.write.package import Package

OUT = Path(__file__).parent / "out"
SHEET = "附件8 明细表"


def build(path: Path, n: int = 100_000) -> None:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(SHEET)
    border = wb.add_format({"border": 1})
    date = wb.add_format({"border": 1, "num_format": "yyyy-mm-dd"})
    ws.write_row(
        0, 0, ["序号", "部门", "姓名", "计算机编号", "品牌", "软件编号", "名称", "版本", "期限", "类型", "日期", "备注"]
    )
    for i in range(1, n + 1):
        ws.write_row(
            i,
            0,
            [i, "办公室", "张三", f"PC-{i:05d}", "联想", "SY-001", "Office", "2019", "永久", "商业", None, ""],
            border,
        )
        ws.write_datetime(i, 10, dt.datetime(2024, 1, 1), date)
    ws.write(n + 2, 0, "填表日期")
    wb.close()


def main() -> None:
    OUT.mkdir(exist_ok=True)
    src = OUT / "big.xlsx"
    if not src.exists():
        build(src)

    def timed(label: str, fn) -> None:
        t = time.perf_counter()
        fn()
        print(f"{label:<48}{time.perf_counter() - t:6.2f} s")

    pkg = Package.open(src)
    timed("parse sheet (first access)", lambda: pkg._sheet(SHEET).rows())
    timed(
        "set_cells 100,000 cells (one column)",
        lambda: pkg.set_cells(SHEET, {(r, 12): f"备注{r}" for r in range(2, 100_002)}),
    )
    rows = [
        [i, "财务处", "李四", f"PC-{i}", "联想", "SY-002", "WPS", "2023", "永久", "商业", dt.date(2025, 1, 1), None]
        for i in range(1, 100_001)
    ]
    timed("replace_rows 100,000 rows by 100,000 new rows", lambda: pkg.replace_rows(SHEET, 2, 100_001, rows))
    timed("replace_rows insert 1 row, shift 100,000 below", lambda: pkg.replace_rows(SHEET, 2, 1, [[0]]))
    timed("save", lambda: pkg.save(OUT / "big-out.xlsx"))


if __name__ == "__main__":
    main()
