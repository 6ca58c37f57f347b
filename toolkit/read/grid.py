"""A workbook as grids of cell values plus merged ranges, whatever its source.

This is the reader's only input: :func:`load_book` builds it from a file with python-calamine
(after :mod:`toolkit.read.vet` has vetted the package), and :func:`book_from_sheets` builds it
from any other source, such as a workbook open in Excel through xlwings. Nothing above this
module knows where the cells came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import ReadError
from toolkit.read.vet import vet_package

Merge = tuple[int, int, int, int]  # 0-based, inclusive: first row, first col, last row, last col


@dataclass
class Grid:
    """One sheet: a rectangular list of rows (0-based, from A1) and its merged ranges."""

    name: str
    rows: list[list[Any]]
    merges: list[Merge] = field(default_factory=list)
    index: int = 0
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # 0-based (r, c) -> "#REF!" …: empty in rows
    error_cover: set[tuple[int, int]] = field(default_factory=set)  # cells of merged ranges showing an error

    @property
    def height(self) -> int:
        return len(self.rows)

    def value(self, r: int, c: int) -> object:
        """The value at 0-based (r, c), or ``None`` outside the grid."""
        if 0 <= r < len(self.rows):
            row = self.rows[r]
            if 0 <= c < len(row):
                return row[c]
        return None

    def fill_merges(self) -> None:
        """Give every cell of a merged range its top-left value (docs/forms.md: merged cells).

        A 附件8 of 5,000 computers has tens of thousands of merged 使用人/计算机编号 ranges, so
        each row of a range is filled by one slice assignment, not cell by cell. A range is
        clipped to the grid (the cells that hold data): a merge of A1:XFD100000 over one column
        of values fills that column, it does not widen 100,000 rows to 16,384 cells.
        """
        rows = self.rows
        height = len(rows)
        width = max(map(len, rows), default=0)
        for r1, c1, r2, c2 in self.merges:
            c2 = min(c2, width - 1)
            if r1 >= height or r2 < r1 or c2 < c1:
                continue
            if (r1, c1) in self.errors:  # the range shows the error value: so does every cell of it
                self.error_cover.update((r, c) for r in range(r1, min(r2, height - 1) + 1) for c in range(c1, c2 + 1))
            first = rows[r1]
            top = first[c1] if c1 < len(first) else None
            span = [top] * (c2 + 1 - c1)
            for row in rows[r1 : min(r2, height - 1) + 1]:
                if len(row) <= c2:
                    row.extend([None] * (c2 + 1 - len(row)))
                row[c1 : c2 + 1] = span


@dataclass
class Book:
    """A workbook's sheets in workbook order.

    ``sheets`` is any iterable: a list, or (:func:`stream_book`) a generator that reads each sheet
    only when the previous one is done with, so a large file is never held in memory whole.
    """

    path: str
    sheets: Iterable[Grid]


def book_from_sheets(path: str, sheets: Iterable[tuple[str, Sequence[Sequence[object]], Sequence[Merge]]]) -> Book:
    """A :class:`Book` from (name, rows, merges) triples of any source (xlwings, tests)."""
    grids = [
        Grid(name, [list(r) for r in rows], list(merges), i) for i, (name, rows, merges) in enumerate(sheets)
    ]
    for g in grids:
        g.fill_merges()
    return Book(path, grids)


def load_book(path: str | Path) -> Book:
    """Read a whole workbook file with python-calamine; raise :class:`ReadError` for anything unreadable."""
    return Book(str(path), list(stream_book(path).sheets))


def stream_book(path: str | Path) -> Book:
    """A workbook file whose sheets are read one by one as they are iterated (once).

    The package is vetted and opened here, so a file that is not a workbook raises
    :class:`ReadError` at once; a sheet that cannot be read raises it when it is reached.
    Reading a sheet just before the reader walks it keeps its cells in the processor's cache,
    and lets each sheet's cells go before the next is read.
    """
    import python_calamine as pc

    p = Path(path)
    vetted = vet_package(p)
    try:
        wb = _open(pc, p)
    except Exception as exc:  # calamine raises several unrelated classes
        raise ReadError(f"无法读取工作簿（文件已损坏或格式不符）：{_short(exc)}。请用 Excel 或 WPS 打开后另存为 .xlsx 再试。") from exc
    return Book(str(path), _sheets(wb, pc.SheetTypeEnum.WorkSheet, vetted.errors))


def _open(pc, path: Path):
    """A calamine workbook; a name that is not UTF-8 (GBK bytes, kept by Python as surrogates) is
    read through an open file, since calamine takes only UTF-8 paths."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        with path.open("rb") as fh:
            return pc.CalamineWorkbook.from_filelike(fh)
    return pc.CalamineWorkbook.from_path(str(path))


def _sheets(wb, worksheet, errors: dict[str, dict[tuple[int, int], str]]) -> Iterator[Grid]:
    try:
        for i, meta in enumerate(wb.sheets_metadata):
            if meta.typ != worksheet:
                continue
            sheet = wb.get_sheet_by_index(i)
            rows = sheet.to_python(skip_empty_area=False)
            merges = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or ())]
            grid = Grid(meta.name, rows, merges, i, errors.get(meta.name, {}))
            grid.fill_merges()
            del sheet  # calamine's own copy of the cells: not kept while the reader walks the grid
            yield grid
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(f"读取工作表时出错（文件可能被截断或损坏）：{_short(exc)}。请用 Excel 或 WPS 打开并修复后另存。") from exc
    finally:
        wb.close()


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
