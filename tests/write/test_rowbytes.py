"""Editing a big sheet cheaply without changing what is written.

Rows kept as bytes (``_Blob``): each case edits a sheet twice, once as the writer does (rows
scanned only as far as the edit needs), once with every row parsed first (the plain element
path). Both results must read back the same, for plain rows and for rows the byte path cannot
cut (rows without ``r=""``, a prefixed row element, rows out of order, ``:row`` in a text),
wherever they sit. Also: a cell that already holds the text written leaves its sheet as it is,
and a large save deflates at the fast level.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from lxml import etree

from toolkit.write import package
from toolkit.write.package import Package

SHEET = "表"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ROWS = 40


def _book(path: Path, body: Callable[[bytes], bytes] = lambda b: b) -> Path:
    """A workbook of one sheet, rows 1..40 in columns A..C, a merge at rows 30-31; ``body`` rewrites
    the sheet's ``sheetData`` body as bytes."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    for r in range(1, ROWS + 1):
        for c in range(1, 4):
            ws.cell(r, c, f"r{r}c{c}")
    ws.merge_cells("A30:A31")
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        parts = [(i, zf.read(i)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts:
            if info.filename == "xl/worksheets/sheet1.xml":
                m = re.search(rb"<sheetData>(.*)</sheetData>", data, re.S)
                assert m is not None
                data = data[: m.start(1)] + body(m.group(1)) + data[m.end(1) :]
                data = data.replace(b"<worksheet ", f'<worksheet xmlns:x="{MAIN}" '.encode(), 1)
            zf.writestr(info, data)
    return path


def _no_r(*rows: int) -> Callable[[bytes], bytes]:
    def edit(body: bytes) -> bytes:
        for r in rows:
            body = body.replace(b'<row r="%d"' % r, b"<row", 1)
        return body

    return edit


def _prefixed(row: int) -> Callable[[bytes], bytes]:
    def edit(body: bytes) -> bytes:
        m = re.search(rb'<row r="%d".*?</row>' % row, body, re.S)
        assert m is not None
        old = m.group(0)
        new = b"<x:row" + old[4:-6].replace(b"<c ", b"<x:c ").replace(b"</c>", b"</x:c>") + b"</x:row>"
        new = new.replace(b"<is>", b"<x:is>").replace(b"</is>", b"</x:is>")
        new = new.replace(b"<t>", b"<x:t>").replace(b"</t>", b"</x:t>")
        return body.replace(old, new)

    return edit


def _swapped(body: bytes) -> bytes:
    """Rows 26 and 25 in that order (Excel would repair it; the writer must not make it worse)."""
    m = re.search(rb'(<row r="25".*?</row>)(<row r="26".*?</row>)', body, re.S)
    assert m is not None
    return body[: m.start()] + m.group(2) + m.group(1) + body[m.end() :]


def _without_row_25(body: bytes) -> bytes:
    return re.sub(rb'<row r="25".*?</row>', b"", body, count=1, flags=re.S)


def _colon_text(body: bytes) -> bytes:
    return body.replace(b"r20c2", b"a:row b", 1)


BODIES = {
    "plain": lambda b: b,
    "no r at row 25": _no_r(25),
    "no r at the last row": _no_r(ROWS),
    "no r at row 3": _no_r(3),
    "prefixed row 25": _prefixed(25),
    "prefixed last row": _prefixed(ROWS),
    "rows 26, 25 out of order": _swapped,
    "no row 25": _without_row_25,
    ":row in a text": _colon_text,
}

EDITS: dict[str, Callable[[Package], None]] = {
    "a cell in row 2": lambda p: p.set_cells(SHEET, {(2, 2): "新"}),
    "cells in rows 2 and 35": lambda p: p.set_cells(SHEET, {(2, 1): "甲", (35, 3): "乙"}),
    "a new row past the end": lambda p: p.set_cells(SHEET, {(45, 1): "末"}),
    "cells in rows 25 and 40": lambda p: p.set_cells(SHEET, {(25, 2): "中", (40, 1): "尾"}),
    "replace row 25 by 2": lambda p: p.replace_rows(SHEET, 25, 25, [["p"], ["q"]]),
    "replace rows 20..25 by as many": lambda p: p.replace_rows(SHEET, 20, 25, [["n"]] * 6),
    "replace rows 10..20 by 3": lambda p: p.replace_rows(SHEET, 10, 20, [["x", 1], ["y", 2], ["z", 3]]),
    "replace rows 5..40 (to the end)": lambda p: p.replace_rows(SHEET, 5, ROWS, [["a"], ["b"]]),
    "replace rows 5..60 (past the end)": lambda p: p.replace_rows(SHEET, 5, 60, [["a"]] * 50),
    "insert 2 rows before row 12": lambda p: p.replace_rows(SHEET, 12, 11, [["i"], ["j"]]),
    "read row 33, then write row 1": lambda p: p.set_cells(SHEET, {(1, 1): str(p.cell_value(SHEET, 33, 2))}),
}


def _read(path: Path) -> tuple[list[tuple], list[str]]:
    """The sheet's values and merges, after checking no row number comes twice (openpyxl would
    quietly merge the two rows)."""
    root = etree.fromstring(zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml"))
    numbers, prev = [], 0
    for row in root.iter(f"{{{MAIN}}}row"):
        prev = int(row.get("r", prev + 1))
        numbers.append(prev)
    assert len(numbers) == len(set(numbers)), numbers
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    return [tuple(r) for r in ws.iter_rows(values_only=True)], sorted(str(m) for m in ws.merged_cells.ranges)


@pytest.mark.parametrize("edit", list(EDITS))
@pytest.mark.parametrize("body", list(BODIES))
def test_byte_rows_edit_like_parsed_rows(tmp_path: Path, body: str, edit: str) -> None:
    src = _book(tmp_path / "in.xlsx", BODIES[body])
    lazy, parsed = tmp_path / "lazy.xlsx", tmp_path / "parsed.xlsx"
    pkg = Package.open(src)
    EDITS[edit](pkg)
    pkg.save(lazy)
    pkg = Package.open(src)
    pkg._sheet(SHEET, touch=False).materialise()
    EDITS[edit](pkg)
    pkg.save(parsed)
    assert _read(lazy) == _read(parsed)


def test_writing_row_2_reads_only_the_first_rows(tmp_path: Path) -> None:
    src = _book(tmp_path / "in.xlsx")
    pkg = Package.open(src)
    pkg.set_cells(SHEET, {(2, 2): "新"})
    sh = pkg._sheet(SHEET)
    rest = [b for b in sh.blobs if b.first > 2]
    assert len(rest) == 1 and not rest[0].done and len(rest[0].rows) <= 2  # rows 3.. were not scanned
    out = tmp_path / "out.xlsx"
    pkg.save(out)
    before = zipfile.ZipFile(src).read("xl/worksheets/sheet1.xml")
    after = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml")
    tail = before[before.index(b'<row r="3"') : before.index(b"</sheetData>")]
    assert tail in after  # the untouched rows are the very bytes read
    assert _read(out)[0][1] == ("r2c1", "新", "r2c3")


def _levels(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The zlib levels the writer deflates parts at, recorded."""
    levels: list[int] = []
    real = zlib.compressobj

    def spy(level: int = -1, *args: object) -> object:
        levels.append(level)
        return real(level, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(zlib, "compressobj", spy)
    return levels


def test_a_large_save_deflates_at_the_fast_level(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = _book(tmp_path / "in.xlsx")
    outs = []
    for big_save in (package.BIG_SAVE, 1000):  # a real save of this size, then one counted as large
        monkeypatch.setattr(package, "BIG_SAVE", big_save)
        levels = _levels(monkeypatch)
        pkg = Package.open(src)
        pkg.set_cells(SHEET, {(2, 2): "新"})
        outs.append(tmp_path / f"out-{big_save}.xlsx")
        pkg.save(outs[-1])
        monkeypatch.undo()
        assert levels == [package.FAST_LEVEL if big_save == 1000 else package.DEFLATE_LEVEL] * len(levels)
        assert levels  # the edited sheet at least
    a, b = (zipfile.ZipFile(p) for p in outs)
    assert [(i.filename, a.read(i)) for i in a.infolist()] == [(i.filename, b.read(i)) for i in b.infolist()]


def _sheet_xml(path: Path) -> bytes:
    return zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")


def _write(src: Path, out: Path, values: dict[tuple[int, int], object]) -> bytes:
    pkg = Package.open(src)
    pkg.set_cells(SHEET, values)
    pkg.save(out)
    return _sheet_xml(out)


def test_writing_the_text_a_cell_already_holds_leaves_the_sheet_as_it_is(tmp_path: Path) -> None:
    src = _book(tmp_path / "in.xlsx")
    assert _write(src, tmp_path / "same.xlsx", {(2, 2): "r2c2", (30, 1): "r30c1"}) == _sheet_xml(src)
    inline = tmp_path / "inline.xlsx"
    _write(src, inline, {(2, 2): "新"})  # now an inline string
    assert _write(inline, tmp_path / "again.xlsx", {(2, 2): "新"}) == _sheet_xml(inline)
    changed = _write(src, tmp_path / "changed.xlsx", {(2, 2): "r2c2", (3, 1): "别的"})
    assert changed != _sheet_xml(src) and _read(tmp_path / "changed.xlsx")[0][2][0] == "别的"


@pytest.mark.parametrize(
    "cell",
    [
        '<c r="B2" t="str"><f>"r2"&amp;"c2"</f><v>r2c2</v></c>',  # a formula giving the very text
        '<c r="B2" t="inlineStr"><is><r><rPr><b/></rPr><t>r2c2</t></r></is></c>',  # formatted runs
        '<c r="B2" t="inlineStr"><is><t xml:space="preserve">r2c2</t></is></c>',
        '<c r="B2" t="inlineStr" cm="1"><is><t>r2c2</t></is></c>',
    ],
)
def test_a_cell_holding_the_text_otherwise_is_written(tmp_path: Path, cell: str) -> None:
    def body(b: bytes) -> bytes:
        return re.sub(rb'<c r="B2".*?</c>', cell.encode(), b, count=1)

    src = _book(tmp_path / "in.xlsx", body)
    xml = _write(src, tmp_path / "out.xlsx", {(2, 2): "r2c2"})
    assert b'<c r="B2" t="inlineStr"><is><t>r2c2</t></is></c>' in xml


def test_a_shared_string_counts_only_when_plain(tmp_path: Path) -> None:
    """Excel keeps text in the shared strings table; a formatted (rich) one is rewritten as plain text."""
    src = tmp_path / "shared.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet(SHEET)
    ws.write_string(0, 0, "甲")
    ws.write_rich_string(1, 0, wb.add_format({"bold": True}), "乙", "丙")
    wb.close()
    assert b"<si>" in zipfile.ZipFile(src).read("xl/sharedStrings.xml")
    assert _write(src, tmp_path / "same.xlsx", {(1, 1): "甲"}) == _sheet_xml(src)
    rich = _write(src, tmp_path / "rich.xlsx", {(2, 1): "乙丙"})
    assert rich != _sheet_xml(src) and '<c r="A2" t="inlineStr"><is><t>乙丙</t></is></c>'.encode() in rich


def _big_book(path: Path, rows: int = 3000) -> Path:
    """One sheet of ``rows`` rows (a few hundred KB of XML: more than the head read of a part)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    for r in range(1, rows + 1):
        ws.append([f"第{r}行", r, "填表日期：2026年6月30日" if r == 2 else None])
    wb.save(path)
    return path


@pytest.mark.parametrize("body", list(BODIES))
def test_reading_from_the_head_of_a_part_reads_what_the_sheet_holds(tmp_path: Path, body: str) -> None:
    src = _book(tmp_path / "in.xlsx", BODIES[body])
    cells = [(r, c) for r in (1, 2, 3, 20, 24, 25, 26, 39, 40, 41, 45) for c in (1, 2, 4)]
    heads = [Package.open(src).cell_value(SHEET, r, c) for r, c in cells]
    full = Package.open(src)
    full._sheet(SHEET, touch=False).materialise()
    assert heads == [full.cell_value(SHEET, r, c) for r, c in cells]


def test_a_cell_near_the_top_is_read_without_inflating_the_part(tmp_path: Path) -> None:
    src = _big_book(tmp_path / "big.xlsx")
    part = "xl/worksheets/sheet1.xml"
    assert zipfile.ZipFile(src).getinfo(part).file_size > 2 * package.HEAD_BYTES
    pkg = Package.open(src)
    assert pkg.cell_value(SHEET, 2, 3) == "填表日期：2026年6月30日"
    assert pkg.cell_value(SHEET, 5, 2) == 5.0
    pkg.set_cells(SHEET, {(2, 3): "填表日期：2026年6月30日"})  # already so
    assert part in pkg._packed and part not in pkg._data  # never inflated whole
    assert pkg.cell_value(SHEET, 2999, 1) == "第2999行"  # beyond the head: the sheet is read
    assert part not in pkg._packed
    pkg = Package.open(src)
    pkg.set_cells(SHEET, {(2, 3): "填表日期：2026年7月1日"})
    out = tmp_path / "out.xlsx"
    pkg.save(out)
    assert [r[2] for r in _read_all(out)[:3]] == [None, "填表日期：2026年7月1日", None]
    assert len(_read_all(out)) == 3000


def _read_all(path: Path) -> list[tuple]:
    return [tuple(r) for r in openpyxl.load_workbook(path)[SHEET].iter_rows(values_only=True)]
