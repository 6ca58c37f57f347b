"""A workbook as grids of cell values plus merged ranges, whatever its source.

This is the reader's only input: :func:`load_book` builds it from a file with python-calamine
(after :mod:`toolkit.read.vet` has vetted the file: .xlsx/.xlsm, .xls, .xlsb, .ods, WPS .et), and
:func:`book_from_sheets` builds it
from any other source, such as a workbook open in Excel through xlwings. Nothing above this
module knows where the cells came from.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import ReadError
from toolkit.read.vet import CFB, ODS, XLSB, XLSX, Vetted, scan_sheets, vet_workbook
from toolkit.read.vocabulary import is_dictionary_sheet

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
    dictionary: list[Grid] = field(default_factory=list)  # the unit's 字典 sheets, never forms (toolkit.vocabulary)
    vetted: Vetted | None = None  # what vetting the file learnt (a book read from a file)
    worksheets: list[tuple[int, str]] = field(default_factory=list)  # (index, name) of what ``sheets`` will give
    # instead of ``sheets``: only some of them (by index), from the same open file
    pick: Callable[[Collection[int]], Iterator[Grid]] | None = None
    cell_errors: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)  # of the sheets scanned so far


def book_from_sheets(path: str, sheets: Iterable[tuple[str, Sequence[Sequence[object]], Sequence[Merge]]]) -> Book:
    """A :class:`Book` from (name, rows, merges) triples of any source (xlwings, tests)."""
    grids = [Grid(name, [list(r) for r in rows], list(merges), i) for i, (name, rows, merges) in enumerate(sheets)]
    for g in grids:
        g.fill_merges()
    return Book(
        path, [g for g in grids if not is_dictionary_sheet(g.name)], [g for g in grids if is_dictionary_sheet(g.name)]
    )


def load_book(path: str | Path) -> Book:
    """Read a whole workbook file with python-calamine; raise :class:`ReadError` for anything unreadable."""
    return Book(str(path), list(stream_book(path).sheets))


def stream_book(
    path: str | Path, only: Collection[int] | None = None, dictionary: bool = True, vetted: Vetted | None = None
) -> Book:
    """A workbook file whose sheets are read one by one as they are iterated (once).

    The package is vetted and opened here, so a file that is not a workbook raises
    :class:`ReadError` at once; a sheet that cannot be read raises it when it is reached.
    Reading a sheet just before the reader walks it keeps its cells in the processor's cache,
    and lets each sheet's cells go before the next is read.

    ``only`` limits the sheets to those indexes, ``dictionary=False`` leaves the 字典 sheets
    unread, and ``vetted`` is what vetting this same file already gave (another process's).
    """
    import python_calamine as pc

    p = Path(path)
    vetted = vetted if vetted is not None else vet_workbook(p)
    kind = vetted.kind
    try:
        if p.suffix.lower() in _SUFFIXES[kind]:
            wb = _open(pc, p)
        else:  # the suffix names another format (a WPS .et, an .xls that is really a zip): calamine sniffs the bytes
            with p.open("rb") as fh:
                wb = pc.CalamineWorkbook.from_filelike(fh)
    except Exception as exc:  # calamine raises several unrelated classes
        raise ReadError(
            f"无法读取工作簿（文件已损坏或格式不符）：{_short(exc)}。请用 Excel 或 WPS 打开后另存为 .xlsx 再试。"
        ) from exc
    worksheet = pc.SheetTypeEnum.WorkSheet
    try:
        metas = list(wb.sheets_metadata)
    except Exception as exc:
        raise ReadError(
            f"无法读取工作簿的工作表目录：{_short(exc)}。请用 Excel 或 WPS 打开后另存为 .xlsx 再试。"
        ) from exc
    if not any(m.typ == worksheet for m in metas):
        wb.close()
        raise ReadError(
            "工作簿中没有可读取的工作表（文件可能已损坏，或不是 Excel/WPS 表格）。请用 Excel 或 WPS 打开后另"
            "存为 .xlsx 再试。"
        )
    ods_merges = _ods_merges(p) if kind == ODS else None
    # the unit's 字典 is read first, whatever its place: every form's cells are looked up in it
    words = [i for i, m in enumerate(metas) if m.typ == worksheet and is_dictionary_sheet(m.name)]
    errors = dict(vetted.errors)  # sheet name -> its error cells, as its part is scanned
    done: set[str] = set()

    def scan(indexes: Collection[int]) -> None:
        """Scan the sheets' parts before they are read, when vetting left that to the reader."""
        if not vetted.scanned and vetted.kind == XLSX:
            names = [metas[i].name for i in indexes if metas[i].name not in done]
            errors.update(scan_sheets(p, names))
            done.update(names)

    read = words if dictionary else []
    scan(read)
    book = list(_sheets(wb, worksheet, errors, ods_merges, only=set(read), close=False)) if read else []
    chosen = [
        (i, m.name)
        for i, m in enumerate(metas)
        if m.typ == worksheet and i not in words and (only is None or i in only)
    ]

    def pick(indexes: Collection[int]) -> Iterator[Grid]:
        wanted = set(indexes)
        scan(sorted(wanted))  # every sheet to read is scanned before the first is read
        yield from _sheets(wb, worksheet, errors, ods_merges, only=wanted)

    # a generator runs nothing, and closes nothing, until it is first iterated: the caller uses
    # either ``sheets`` or ``pick``
    return Book(str(path), pick([i for i, _ in chosen]), book, vetted, chosen, pick, errors)


_SUFFIXES = {XLSX: (".xlsx", ".xlsm"), XLSB: (".xlsb",), ODS: (".ods",), CFB: (".xls",)}


def _open(pc, path: Path):
    """A calamine workbook; a name that is not UTF-8 (GBK bytes, kept by Python as surrogates) is
    read through an open file, since calamine takes only UTF-8 paths."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        with path.open("rb") as fh:
            return pc.CalamineWorkbook.from_filelike(fh)
    return pc.CalamineWorkbook.from_path(str(path))


def _sheets(
    wb,
    worksheet,
    errors: dict[str, dict[tuple[int, int], str]],
    ods_merges: dict[str, list[Merge]] | None,
    only: Collection[int],
    close: bool = True,
) -> Iterator[Grid]:
    try:
        for i, meta in enumerate(wb.sheets_metadata):
            if meta.typ != worksheet or i not in only:
                continue
            sheet = wb.get_sheet_by_index(i)
            rows = sheet.to_python(skip_empty_area=False)
            if ods_merges is not None:  # calamine gives no merged ranges for OpenDocument
                merges = ods_merges.get(meta.name, [])
            else:
                merges = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or ())]
            grid = Grid(meta.name, rows, merges, i, errors.get(meta.name, {}))
            grid.fill_merges()
            del sheet  # calamine's own copy of the cells: not kept while the reader walks the grid
            yield grid
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(
            f"读取工作表时出错（文件可能被截断或损坏）：{_short(exc)}。请用 Excel 或 WPS 打开并修复后另存。"
        ) from exc
    finally:
        if close:
            wb.close()


_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_MAX_REPEAT = 1 << 20  # a repeat count beyond Excel's sheet size is padding to the sheet's end


def _ods_merges(path: Path) -> dict[str, list[Merge]]:
    """Merged ranges of each sheet of a (vetted) .ods file, from ``content.xml``'s spanned cells.

    Rows and cells count their ``number-*-repeated`` attributes; parsing streams the part, so a
    sheet padded with a million repeated empty rows costs nothing.
    """
    import zipfile
    from xml.etree.ElementTree import iterparse

    out: dict[str, list[Merge]] = {}
    sheet: list[Merge] | None = None
    r = c = 0
    row_repeat = 1
    try:
        with zipfile.ZipFile(path) as zf, zf.open("content.xml") as part:
            for event, el in iterparse(part, events=("start", "end")):
                tag = el.tag
                if event == "start":
                    if tag == _TABLE + "table":
                        sheet = out.setdefault(el.get(_TABLE + "name", ""), [])
                        r = 0
                    elif tag == _TABLE + "table-row":
                        c = 0
                        row_repeat = min(int(el.get(_TABLE + "number-rows-repeated", "1")), _MAX_REPEAT)
                    elif tag in (_TABLE + "table-cell", _TABLE + "covered-table-cell"):
                        cols = int(el.get(_TABLE + "number-columns-spanned", "1"))
                        rows = int(el.get(_TABLE + "number-rows-spanned", "1"))
                        if sheet is not None and (cols > 1 or rows > 1):
                            sheet.append((r, c, r + rows - 1, c + cols - 1))
                        c += min(int(el.get(_TABLE + "number-columns-repeated", "1")), _MAX_REPEAT)
                    continue
                if tag == _TABLE + "table-row":
                    r += row_repeat
                if tag != _TABLE + "table-cell":
                    el.clear()  # keep memory flat; cell text is calamine's business
    except Exception as exc:  # a damaged part: calamine has read the cells, only the merges are lost
        raise ReadError(
            f"读取 .ods 文件的合并单元格时出错：{_short(exc)}。请用 Excel 或 WPS 另存为 .xlsx 后再试。"
        ) from exc
    return out


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
