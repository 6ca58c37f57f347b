"""A new .xlsx made from a workbook the writers cannot edit in place (.xls, .xlsb, .ods, WPS .et).

The commands that write (``rollup``, ``check --annotate``, ``number``, ``excel-setup``) edit
.xlsx packages only. Given another format they write an .xlsx beside the original (or where
``-o`` says) and leave the original untouched: :func:`xlsx_copy` writes its sheets' values and
merged ranges into a temporary .xlsx that the command then edits like any ledger. Formatting,
formulas and pictures of the original are not carried over (its values are); no text from the
ledger becomes a live formula.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.cellref import col_letter
from toolkit.errors import ConvertError, ReadError
from toolkit.read.vet import FORMAT_ZH, XLSX, vet_workbook

if TYPE_CHECKING:
    from toolkit.read.grid import Grid

DATE_FORMAT = "yyyy-mm-dd"


def source_format(path: str | Path) -> str | None:
    """The format of a workbook the writers must convert first (``cfb``, ``ods`` …), ``None`` for .xlsx.

    ``None`` too when the file cannot be read at all: the command's own reading reports that.
    """
    try:
        kind = vet_workbook(Path(path), scan=False).kind  # the format only: the sheets are scanned when read
    except ReadError:
        return None
    return None if kind == XLSX else kind


def format_name(kind: str) -> str:
    """The format as a person calls it (``旧版 .xls/.et``, ``.ods`` …)."""
    return FORMAT_ZH.get(kind, kind)


def conversion_note(src: str | Path, written: str | Path | None) -> str | None:
    """What a person is told when a command wrote a new .xlsx instead of the ledger in another format."""
    kind = source_format(src)
    if kind is None or written is None:
        return None
    return (
        f"原台账“{src}”是 {format_name(kind)} 格式，未作任何改动；结果写入了新文件：{written}（其中只保留了原台账"
        "单元格的值和合并区域）。"
    )


def converted_target(src: Path, out: str | Path | None, in_place: bool) -> Path:
    """Where a command writes a ledger kept in another format: ``-o`` (an .xlsx), else an .xlsx beside it."""
    if out is not None:
        target = Path(out)
        if target.suffix.lower() != ".xlsx":
            raise ConvertError(
                f"台账“{src.name}”不是 .xlsx 格式，结果只能写成 .xlsx：请把输出文件“{target.name}”的扩展名改为 .xlsx。"
            )
        return target
    if not in_place:
        raise ConvertError("请用 -o 指定输出文件，或用 --in-place（结果另存为台账旁的 .xlsx 文件）。")
    return free_name(src.with_suffix(".xlsx"))


def free_name(path: Path) -> Path:
    """``path``, or ``<stem>（转换）.xlsx``, ``<stem>（转换2）.xlsx`` … when it exists: nothing is overwritten."""
    if not path.exists():
        return path
    n = 1
    while True:
        candidate = path.with_name(f"{path.stem}（转换{n if n > 1 else ''}）{path.suffix}")
        if not candidate.exists():
            return candidate
        n += 1


@contextmanager
def xlsx_copy(src: str | Path, folder: str | Path | None = None) -> Iterator[Path]:
    """A temporary .xlsx with every sheet of ``src`` (values and merged ranges), removed afterwards."""
    from openpyxl import Workbook

    from toolkit.read.grid import stream_book

    book = stream_book(src)
    grids: list[Grid] = sorted([*book.dictionary, *book.sheets], key=lambda g: g.index)
    wb = Workbook()
    wb.remove(wb.active)
    for grid in grids:
        ws = wb.create_sheet(grid.name[:31])
        for r, row in enumerate(grid.rows, 1):
            for c, value in enumerate(row, 1):
                if value is None or value == "":
                    continue
                cell = ws.cell(row=r, column=c, value=_plain(value))
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # text, never a formula
                elif isinstance(value, dt.date | dt.datetime):
                    cell.number_format = DATE_FORMAT
        for r1, c1, r2, c2 in grid.merges:
            if (r1, c1) != (r2, c2):
                ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
        _page(ws, grid)
    where = Path(folder) if folder is not None else None
    fd, tmp = tempfile.mkstemp(prefix=".~zbtz-", suffix=".xlsx", dir=where)
    os.close(fd)
    try:
        wb.save(tmp)
        yield Path(tmp)
    finally:
        Path(tmp).unlink(missing_ok=True)


@contextmanager
def as_xlsx(src: str | Path, folder: str | Path | None = None) -> Iterator[Path]:
    """``src`` itself when it is an .xlsx package, else a temporary .xlsx copy of it (:func:`xlsx_copy`)."""
    if source_format(src) is None:
        yield Path(src)
        return
    with xlsx_copy(src, folder) as copy:
        yield copy


MAX_WIDTH = 40


def _page(ws: Any, grid: Grid) -> None:
    """Column widths from the widest unmerged text, A4 landscape one page wide: a copy that prints."""
    from openpyxl.worksheet.worksheet import Worksheet

    merged = {(r, c) for r1, c1, r2, c2 in grid.merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1) if c2 > c1}
    widths: dict[int, int] = {}
    for r, row in enumerate(grid.rows):
        for c, value in enumerate(row):
            if value is None or value == "" or (r, c) in merged:
                continue
            shown = value.isoformat()[:10] if isinstance(value, dt.date) else str(value)
            wide = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in shown)
            widths[c] = max(widths.get(c, 0), min(wide + 2, MAX_WIDTH))
    for c, w in widths.items():
        ws.column_dimensions[col_letter(c + 1)].width = max(w, 6)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _plain(value: object) -> object:
    """A value openpyxl can store: durations as text (calamine gives them for time cells)."""
    if isinstance(value, dt.timedelta):
        return str(value)
    return value
