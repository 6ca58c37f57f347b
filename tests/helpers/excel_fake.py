"""A recording stand-in for the part of the xlwings API that :mod:`toolkit.excel` uses.

It holds cell values, merged ranges, fills, notes, hyperlinks, number formats and sheet
visibility the way Excel would, counts the ``merge_cells`` queries, and can be built from a
workbook file (openpyxl) or turned back into one, so tests can compare what the adapter writes
with what the file writer writes.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from toolkit.cellref import parse_a1


def _hex(color: Any) -> str | None:
    if color is None:
        return None
    if isinstance(color, tuple):
        return "#{:02X}{:02X}{:02X}".format(*color)
    return "#" + color.lstrip("#").upper()


class FakeNote:
    def __init__(self, sheet: FakeSheet, cell: tuple[int, int], text: str, author: str) -> None:
        self.sheet, self.cell, self.text, self.author = sheet, cell, text, author

    @property
    def location(self) -> FakeRange:
        return FakeRange(self.sheet, *self.cell, *self.cell)

    def delete(self) -> None:
        del self.sheet.notes_by_cell[self.cell]


class _Font:
    def __init__(self, rng: FakeRange) -> None:
        self._rng = rng

    @property
    def bold(self) -> bool:
        return all(self._rng.sheet.bold.get(c, False) for c in self._rng.cells())

    @bold.setter
    def bold(self, value: bool) -> None:
        for c in self._rng.cells():
            self._rng.sheet.bold[c] = value


class FakeRange:
    def __init__(self, sheet: FakeSheet, r1: int, c1: int, r2: int, c2: int, ndim: int | None = None) -> None:
        self.sheet, self.r1, self.c1, self.r2, self.c2, self._ndim = sheet, r1, c1, r2, c2, ndim

    # geometry
    @property
    def row(self) -> int:
        return self.r1

    @property
    def column(self) -> int:
        return self.c1

    @property
    def shape(self) -> tuple[int, int]:
        return (self.r2 - self.r1 + 1, self.c2 - self.c1 + 1)

    def cells(self) -> list[tuple[int, int]]:
        return [(r, c) for r in range(self.r1, self.r2 + 1) for c in range(self.c1, self.c2 + 1)]

    def options(self, ndim: int | None = None, **_: Any) -> FakeRange:
        return FakeRange(self.sheet, self.r1, self.c1, self.r2, self.c2, ndim)

    @property
    def api(self) -> Any:
        raise AttributeError("no COM object in the fake")

    # values
    @property
    def value(self) -> Any:
        self.sheet.book.calls["value"] += 1
        rows = [
            [self.sheet.values.get((r, c)) for c in range(self.c1, self.c2 + 1)] for r in range(self.r1, self.r2 + 1)
        ]
        if self._ndim == 2:
            return rows
        if self.shape == (1, 1):
            return rows[0][0]
        return rows if self.shape[0] > 1 and self.shape[1] > 1 else [v for row in rows for v in row]

    @value.setter
    def value(self, data: Any) -> None:
        if not isinstance(data, list):
            data = [[data]]
        elif data and not isinstance(data[0], list):
            data = [data]
        for i, row in enumerate(data):
            for j, v in enumerate(row):
                cell = (self.r1 + i, self.c1 + j)
                if v is None:
                    self.sheet.values.pop(cell, None)
                else:
                    if self.sheet.formats.get(cell) == "@":
                        v = str(v)
                    elif type(v) is int:
                        v = float(v)  # Excel gives numbers back as floats
                    elif type(v) is dt.date:
                        v = dt.datetime(v.year, v.month, v.day)  # and dates as datetimes
                    self.sheet.values[cell] = v

    @property
    def number_format(self) -> str | None:
        return self.sheet.formats.get((self.r1, self.c1))

    @number_format.setter
    def number_format(self, fmt: str) -> None:
        for c in self.cells():
            self.sheet.formats[c] = fmt

    # merges
    @property
    def merge_cells(self) -> bool | None:
        self.sheet.book.calls["merge_cells"] += 1
        flags = [self.sheet.merge_of(r, c) is not None for r, c in self.cells()]
        return True if all(flags) else (False if not any(flags) else None)

    @property
    def merge_area(self) -> FakeRange:
        self.sheet.book.calls["merge_area"] += 1
        m = self.sheet.merge_of(self.r1, self.c1)
        return FakeRange(self.sheet, *m) if m else FakeRange(self.sheet, self.r1, self.c1, self.r1, self.c1)

    # formatting
    @property
    def color(self) -> tuple[int, int, int] | None:
        h = self.sheet.fills.get((self.r1, self.c1))
        return None if h is None else tuple(int(h[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]

    @color.setter
    def color(self, value: Any) -> None:
        for c in self.cells():
            if value is None:
                self.sheet.fills.pop(c, None)
            else:
                self.sheet.fills[c] = _hex(value)  # type: ignore[assignment]

    @property
    def font(self) -> _Font:
        return _Font(self)

    @property
    def column_width(self) -> float | None:
        return self.sheet.widths.get(self.c1)

    @column_width.setter
    def column_width(self, w: float) -> None:
        self.sheet.widths[self.c1] = w

    # notes and links
    @property
    def note(self) -> FakeNote | None:
        return self.sheet.notes_by_cell.get((self.r1, self.c1))

    def add_note(self, text: str) -> FakeNote:
        assert self.shape == (1, 1) and self.note is None and text
        note = FakeNote(self.sheet, (self.r1, self.c1), text, self.sheet.book.app.user_name)
        self.sheet.notes_by_cell[(self.r1, self.c1)] = note
        return note

    # rows and merges (whole-row ranges, as the adapter uses them)
    def insert(self, shift: str = "down", copy_origin: str = "format_from_left_or_above") -> None:
        assert shift == "down"
        self.sheet.shift_rows(self.r1, self.r2 - self.r1 + 1)

    def delete(self, shift: str = "up") -> None:
        assert shift == "up"
        self.sheet.shift_rows(self.r2 + 1, -(self.r2 - self.r1 + 1), drop=(self.r1, self.r2))

    def merge(self, across: bool = False) -> None:
        assert not any(self.sheet.merge_of(r, c) for r, c in self.cells())
        self.sheet.merges.append((self.r1, self.c1, self.r2, self.c2))
        for r, c in self.cells()[1:]:
            self.sheet.values.pop((r, c), None)  # Excel keeps the top-left value only

    def unmerge(self) -> None:
        self.sheet.merges = [
            m for m in self.sheet.merges if m[2] < self.r1 or m[0] > self.r2 or m[3] < self.c1 or m[1] > self.c2
        ]

    def add_hyperlink(self, address: str, text_to_display: str | None = None, screen_tip: str | None = None) -> None:
        self.sheet.links[(self.r1, self.c1)] = address
        self.value = text_to_display if text_to_display is not None else address


class FakeSheet:
    def __init__(self, book: FakeBook, name: str) -> None:
        self.book, self.name = book, name
        self.values: dict[tuple[int, int], Any] = {}
        self.merges: list[tuple[int, int, int, int]] = []  # 1-based inclusive
        self.fills: dict[tuple[int, int], str] = {}
        self.notes_by_cell: dict[tuple[int, int], FakeNote] = {}
        self.links: dict[tuple[int, int], str] = {}
        self.formats: dict[tuple[int, int], str] = {}
        self.bold: dict[tuple[int, int], bool] = {}
        self.widths: dict[int, float] = {}
        self.visible: bool = True

    def merge_of(self, r: int, c: int) -> tuple[int, int, int, int] | None:
        for m in self.merges:
            if m[0] <= r <= m[2] and m[1] <= c <= m[3]:
                return m
        return None

    @property
    def used_range(self) -> FakeRange:
        cells = [*self.values, *self.fills, *self.notes_by_cell]
        cells += [(m[2], m[3]) for m in self.merges] + [(m[0], m[1]) for m in self.merges]
        if not cells:
            return FakeRange(self, 1, 1, 1, 1)
        return FakeRange(
            self, min(r for r, _ in cells), min(c for _, c in cells), max(r for r, _ in cells), max(c for _, c in cells)
        )

    def shift_rows(self, at: int, by: int, drop: tuple[int, int] | None = None) -> None:
        """Move every row from ``at`` down by ``by`` (up when negative), dropping rows ``drop``."""

        def moved(d: dict) -> dict:
            out = {}
            for (r, c), v in d.items():
                if drop and drop[0] <= r <= drop[1]:
                    continue
                out[(r + by if r >= at else r, c)] = v
            return out

        self.values, self.fills, self.formats, self.bold = (
            moved(self.values),
            moved(self.fills),
            moved(self.formats),
            moved(self.bold),
        )
        self.notes_by_cell = moved(self.notes_by_cell)
        for key, note in self.notes_by_cell.items():
            note.cell = key
        merges = []
        for r1, c1, r2, c2 in self.merges:
            if drop and drop[0] <= r1 and r2 <= drop[1]:
                continue
            merges.append((r1 + by if r1 >= at else r1, c1, r2 + by if r2 >= at else r2, c2))
        self.merges = merges

    def range(self, a: Any, b: Any = None) -> FakeRange:
        if isinstance(a, str) and re.fullmatch(r"\d+:\d+", a):
            r1, r2 = (int(x) for x in a.split(":"))
            return FakeRange(self, r1, 1, r2, 16384)
        if isinstance(a, str):
            pos = parse_a1(a)
            assert pos is not None, a
            a = pos
        b = b or a
        return FakeRange(self, a[0], a[1], b[0], b[1])

    @property
    def notes(self) -> list[FakeNote]:
        return list(self.notes_by_cell.values())

    @property
    def api(self) -> Any:
        raise AttributeError("no COM object in the fake")

    def delete(self) -> None:
        self.book.sheet_list.remove(self)


class FakeSheets:
    def __init__(self, book: FakeBook) -> None:
        self.book = book

    def __iter__(self):
        return iter(list(self.book.sheet_list))

    def __len__(self) -> int:
        return len(self.book.sheet_list)

    def __getitem__(self, key: int | str) -> FakeSheet:
        if isinstance(key, int):
            return self.book.sheet_list[key]
        for s in self.book.sheet_list:
            if s.name == key:
                return s
        raise KeyError(key)

    def add(
        self, name: str | None = None, before: FakeSheet | None = None, after: FakeSheet | None = None
    ) -> FakeSheet:
        assert name and name not in [s.name for s in self.book.sheet_list], name
        sheet = FakeSheet(self.book, name)
        lst = self.book.sheet_list
        if after is not None:
            lst.insert(lst.index(after) + 1, sheet)
        elif before is not None:
            lst.insert(lst.index(before), sheet)
        else:
            lst.insert(0, sheet)  # like Excel: before the active sheet
        return sheet


class _AppApi:
    """Excel.Application's ``UserName``, the author of notes added through Excel."""

    def __init__(self, app: FakeApp) -> None:
        self._app = app

    @property
    def UserName(self) -> str:  # noqa: N802 (COM name)
        return self._app.user_name

    @UserName.setter
    def UserName(self, value: str) -> None:  # noqa: N802
        self._app.user_name = value


class FakeApp:
    def __init__(self, user_name: str = "张工", com: bool = False) -> None:
        self.user_name = user_name
        self.alerts: list[tuple[str, str | None]] = []
        if com:
            self.api = _AppApi(self)

    def alert(self, prompt: str, title: str | None = None, **_: Any) -> None:
        self.alerts.append((prompt, title))


class FakeBook:
    def __init__(self, name: str = "台账.xlsm", com: bool = False) -> None:
        self.name = name
        self.sheet_list: list[FakeSheet] = []
        self.sheets = FakeSheets(self)
        self.app = FakeApp(com=com)
        self.calls = {"value": 0, "merge_cells": 0, "merge_area": 0}

    # building from and saving to files ------------------------------------------
    @classmethod
    def from_file(cls, path: Path, name: str | None = None, com: bool = False) -> FakeBook:
        """The workbook as Excel shows it: numbers as floats, dates as datetimes."""
        wb = openpyxl.load_workbook(path)
        book = cls(name or Path(path).name, com=com)
        for ws in wb.worksheets:
            sheet = FakeSheet(book, ws.title)
            sheet.visible = ws.sheet_state == "visible"
            book.sheet_list.append(sheet)
            for row in ws.iter_rows():
                for c in row:
                    key = (c.row, c.column)
                    v = c.value
                    if v is not None and not isinstance(c, openpyxl.cell.cell.MergedCell):
                        if isinstance(v, bool):
                            pass
                        elif isinstance(v, (int, float)):
                            v = float(v)
                        elif isinstance(v, dt.date) and not isinstance(v, dt.datetime):
                            v = dt.datetime(v.year, v.month, v.day)
                        sheet.values[key] = v
                    fill = c.fill
                    if fill is not None and fill.fill_type == "solid" and isinstance(fill.fgColor.rgb, str):
                        sheet.fills[key] = "#" + fill.fgColor.rgb[-6:].upper()
                    if c.comment is not None:
                        sheet.notes_by_cell[key] = FakeNote(sheet, key, c.comment.text, c.comment.author or "")
                    if c.hyperlink is not None:
                        sheet.links[key] = "#" + (c.hyperlink.location or "")
            sheet.merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
        return book

    def save(self, path: Path) -> None:
        """Write values, fills, notes and sheet states to a new file (what Excel would save)."""
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for sheet in self.sheet_list:
            ws = wb.create_sheet(sheet.name)
            for (r, c), v in sheet.values.items():
                ws.cell(r, c, v)
            for (r, c), h in sheet.fills.items():
                ws.cell(r, c).fill = PatternFill("solid", fgColor="FF" + h[1:])
            for (r, c), n in sheet.notes_by_cell.items():
                ws.cell(r, c).comment = Comment(n.text, n.author)
            for r1, c1, r2, c2 in sheet.merges:
                ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
            if not sheet.visible:
                ws.sheet_state = "veryHidden" if sheet.name.startswith("_zbtz") else "hidden"
        wb.save(path)
