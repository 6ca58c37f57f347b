"""Recognise ledgers kept in other layouts, sheet by sheet.

A sheet's header row is the row (within the first rows) where most cells name a field of the
import dictionary (``schemas/导入.toml``) or a ``--map`` entry. What the header holds decides the
shape:

- ``long``: a computer and a software name on every row (device × software tables);
- ``wide``: a computer on every row and the software as columns, ticked, or a column of names
  followed by its 是否授权 column;
- ``per_computer``: software rows without a computer column, the computer named above the table
  (计算机编号：…) or by the sheet's (or file's) name, as self-check tools export them;
- ``register``: software rows with licence facts and no computer (software asset registers);
- ``whitelist``: a sheet titled as a list of free software (becomes 附件6).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import ReadError
from toolkit.imports.fields import COMPUTER, Dictionary, dictionary
from toolkit.normalize import clean, header_key, text
from toolkit.read.grid import Book, Grid, load_book
from toolkit.read.reader import read_book

HEADER_ROWS = 15  # the header is looked for in the first rows of a sheet
LONG, WIDE, PER_COMPUTER, REGISTER, WHITELIST = "long", "wide", "per_computer", "register", "whitelist"
SHAPE_ZH = {
    LONG: "计算机×软件明细表（每行一台计算机上的一个软件）",
    WIDE: "计算机一览表（每台计算机一行，软件为列）",
    PER_COMPUTER: "单台计算机的软件清单（自查工具导出）",
    REGISTER: "软件资产登记表",
    WHITELIST: "可使用免费软件清单",
}
_LICENCE_FIELDS = ("license_count", "purchase_date", "amount", "term", "serial", "installed_count", "usable_version")
_SOFTWARE_HINTS = ("genuine", "advice", "license_type", "sw_type", "version")


@dataclass
class SoftwareColumn:
    """A software column of a wide sheet: ticked cells (``name`` from the header), or names with a 是否授权 column."""

    col: int
    name: str | None  # None: the cells hold the names
    genuine_col: int | None = None


@dataclass
class SheetLayout:
    """What was recognised on one sheet."""

    file: str
    sheet: str
    shape: str | None
    header_row: int = -1  # 0-based
    columns: dict[str, int] = field(default_factory=dict)  # field key -> 0-based column
    software: list[SoftwareColumn] = field(default_factory=list)
    context: dict[str, str] = field(default_factory=dict)  # per-computer: labels above the table
    found: list[str] = field(default_factory=list)  # header texts placed
    unplaced: list[str] = field(default_factory=list)  # header texts not placed
    guide: str | None = None  # the guide's form this sheet already is (附件7 …): not imported
    rows: list[list] = field(default_factory=list, repr=False)

    @property
    def where(self) -> str:
        return f"{self.file}［{self.sheet}］"


def open_book(path: str | Path) -> Book:
    """All sheets of a workbook; legacy ``.xls`` and ``.ods`` files are read by python-calamine too."""
    try:
        return load_book(path)
    except ReadError as exc:
        if exc.kind != "legacy" and not str(path).lower().endswith((".ods", ".xls", ".et")):
            raise
        return _calamine_book(Path(path), exc)


def _calamine_book(path: Path, cause: ReadError) -> Book:
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
        grids = []
        for i, meta in enumerate(wb.sheets_metadata):
            if meta.typ != pc.SheetTypeEnum.WorkSheet:
                continue
            sheet = wb.get_sheet_by_index(i)
            merges = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or ())]
            grid = Grid(meta.name, sheet.to_python(skip_empty_area=False), merges, i)
            grid.fill_merges()
            grids.append(grid)
        wb.close()
    except Exception as exc:  # calamine raises several unrelated classes
        raise cause from exc
    return Book(str(path), grids)


def recognise_book(book: Book, display: str, maps: Mapping[str, str] | None = None) -> list[SheetLayout]:
    """One :class:`SheetLayout` per non-empty sheet (``shape`` is ``None`` when not recognised).

    A sheet the reader finds to be one of the guide's own forms is not another layout: it is
    left out (``guide`` names the form), except 附件6, which becomes the whitelist as it is.
    """
    d = dictionary()
    stem = Path(display).stem
    grids = list(book.sheets)
    guide = {f.sheet: f.form for f in read_book(Book(book.path, grids), display).forms if f.form != "附件6"}
    out = []
    for grid in grids:
        if not any(any(v not in (None, "") for v in row) for row in grid.rows):
            continue
        if grid.name in guide:
            out.append(SheetLayout(display, grid.name, None, guide=guide[grid.name]))
            continue
        out.append(recognise_sheet(grid, display, d, dict(maps or {}), stem))
    return out


def recognise_sheet(grid: Grid, display: str, d: Dictionary, maps: dict[str, str], stem: str = "") -> SheetLayout:
    """Find the header row and the shape of one sheet."""
    lay = SheetLayout(display, grid.name, None, rows=grid.rows)
    by_header = {**d.by_header, **maps}
    best, best_n = -1, 1
    for r, row in enumerate(grid.rows[:HEADER_ROWS]):
        keys = {by_header.get(header_key(v)) for v in row if isinstance(v, str) and v.strip()}
        keys.discard(None)
        keys.discard("seq")
        if len(keys) > best_n:
            best, best_n = r, len(keys)
    if best < 0:
        lay.found = [clean(v) for row in grid.rows[:HEADER_ROWS] for v in row if isinstance(v, str) and v.strip()][:8]
        return lay
    lay.header_row = best
    header = grid.rows[best]
    unknown: list[int] = []
    for c, v in enumerate(header):
        if not isinstance(v, str) or not v.strip():
            continue
        key = by_header.get(header_key(v))
        if key is not None and key not in lay.columns:
            lay.columns[key] = c
            lay.found.append(clean(v))
        else:  # not known, or a second column of a field already placed (操作系统 | 是否授权 | 办公软件 | 是否授权)
            unknown.append(c)
    cols = lay.columns
    if _is_whitelist(grid, best, d) and "name" in cols:
        lay.shape = WHITELIST
    elif "computer" in cols and "name" in cols:
        lay.shape = LONG
    elif "computer" in cols:
        lay.software = _software_columns(grid, best, unknown, d, cols)
        if lay.software:
            lay.shape = WIDE
            taken = {s.col for s in lay.software} | {s.genuine_col for s in lay.software if s.genuine_col is not None}
            unknown = [c for c in unknown if c not in taken]
            lay.found.extend(clean(header[s.col]) for s in lay.software)
    elif "name" in cols:
        lay.context = _context(grid, best, d)
        if any(k in cols for k in _LICENCE_FIELDS):
            lay.shape = REGISTER
        elif "computer" in lay.context or any(k in cols for k in _SOFTWARE_HINTS):
            lay.shape = PER_COMPUTER
            lay.context.setdefault(
                "computer", grid.name if grid.name and not grid.name.lower().startswith("sheet") else stem
            )
    lay.unplaced = [clean(header[c]) for c in unknown]
    return lay


def _is_whitelist(grid: Grid, header: int, d: Dictionary) -> bool:
    texts = [grid.name, *(v for row in grid.rows[:header] for v in row if isinstance(v, str))]
    return any(t in header_key(s) for s in texts for t in map(header_key, d.whitelist_titles))


def _software_columns(
    grid: Grid, header: int, unknown: list[int], d: Dictionary, cols: dict[str, int]
) -> list[SoftwareColumn]:
    """The software columns of a wide sheet: a column of tick words, or a column of names beside its 是否授权 column."""
    heads = grid.rows[header]
    genuine_heads = {header_key(a) for a in (d.field("genuine").label, *d.field("genuine").aliases)}
    body = grid.rows[header + 1 :]
    out: list[SoftwareColumn] = []
    pending = set(unknown)
    if "genuine" in cols:
        pending.add(cols.pop("genuine"))
    ordered = sorted(pending)
    for i, c in enumerate(ordered):
        if c not in pending:
            continue
        nxt = ordered[i + 1] if i + 1 < len(ordered) else None
        hk = header_key(heads[c]) if isinstance(heads[c], str) else ""
        if any(g in hk for g in genuine_heads):
            continue
        nk = header_key(heads[nxt]) if nxt is not None and isinstance(heads[nxt], str) else ""
        if nxt == c + 1 and any(g in nk for g in genuine_heads):
            out.append(SoftwareColumn(c, None, nxt))
            pending.discard(nxt)
            continue
        values = [v for row in body if c < len(row) and (v := row[c]) not in (None, "")]
        if all(d.tick_of(v) is not None for v in values):  # an empty column is a software nobody has
            out.append(SoftwareColumn(c, clean(heads[c])))
    return out


def _context(grid: Grid, header: int, d: Dictionary) -> dict[str, str]:
    """Computer facts written above a table: ``计算机编号：PC-01 使用人：张三`` in one cell, or a label and the
    next cell."""
    by_header = d.by_header
    levels = {f.key: f.level for f in d.fields}
    out: dict[str, str] = {}
    for row in grid.rows[:header]:
        for c, v in enumerate(row):
            if not isinstance(v, str):
                continue
            s = clean(v).replace(":", "：")
            pairs = _PAIR.findall(s) if "：" in s else [(s, "")]
            for label, value in pairs:
                key = by_header.get(header_key(label))
                if key is None or levels.get(key) != COMPUTER or key in out:
                    continue
                if value:
                    out[key] = value
                elif c + 1 < len(row) and text(row[c + 1]):
                    out[key] = clean(row[c + 1])
    return out


_PAIR = re.compile(r"([^\s：]+)：\s*([^\s：]*)")


def describe(layouts: Iterable[SheetLayout]) -> str:
    """What was found, for a message: each sheet with its shape or the headers seen."""
    parts = []
    for lay in layouts:
        if lay.guide:
            parts.append(f"工作表“{lay.sheet}”已是指南格式的{lay.guide}")
        elif lay.shape:
            parts.append(f"工作表“{lay.sheet}”像{SHAPE_ZH[lay.shape]}（找到列：{'、'.join(lay.found)}）")
        else:
            seen = "、".join(lay.found) or "（无）"
            parts.append(f"工作表“{lay.sheet}”未能识别（前几行的文字：{seen}）")
    return "；".join(parts)
