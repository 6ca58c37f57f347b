"""The one adapter between a workbook open in Excel and the library (xlwings).

Every Excel entry point goes through here: the 校验/汇总 buttons of the macro-enabled ledger
(xlwings ``RunPython`` calls :func:`run_check` / :func:`run_rollup`), the xlwings Lite script
(``excel/lite/main.py`` calls :func:`check_workbook`) and nothing else. Each entry point is the
same three steps as the CLI: read the open workbook into a :class:`~toolkit.read.grid.Book`
(:func:`book_from_xlwings`), call the library (:func:`~toolkit.checking.check_book`,
:func:`~toolkit.plans.annotate.plan_annotation`, the roll-up plan), and apply the plan to the open
workbook through xlwings. No rule logic lives here, and Excel holds the file open, so nothing
writes the file underneath it: every change goes through Excel.

What is written is the :class:`~toolkit.plans.annotate.AnnotationPlan` the file writer applies for
``check --annotate``: the ``校验结果`` sheet (last, with a link per located finding), a fill and a
note per marked cell. The original fills are recorded in the same very hidden sheet
(``_zbtz_标注记录``, see :mod:`toolkit.write.package`) so that a workbook annotated by the CLI and then
by the button (or the other way round) is cleaned up correctly by either.

Only this module imports xlwings, and only inside the entry points: the functions that take a
book work with any object that has the small part of the xlwings API used here (the tests pass
a recording fake).
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from toolkit.cellref import a1
from toolkit.findings import Report
from toolkit.ooxml import LEDGER_HEADER, LEDGER_SHEET, NS
from toolkit.plans.annotate import AUTHOR, FILLS, RESULT_SHEET, AnnotationPlan, plan_annotation
from toolkit.read.grid import Book, Merge, book_from_sheets

XL_SHEET_VERY_HIDDEN = 2
_OUR_NOTE = re.compile(r"^【\S+ (?:错误|警告)】")  # every note a plan writes starts so (annotate.plan_annotation)


# --------------------------------------------------------------------------- reading


def book_from_xlwings(xw_book: Any, path: str | None = None) -> Book:
    """The open workbook as a :class:`Book`: one ``used_range`` read per sheet, merged ranges found by narrowing."""
    sheets = []
    for sheet in xw_book.sheets:
        used = sheet.used_range
        values = used.options(ndim=2).value or [[]]
        r0, c0 = used.row - 1, used.column - 1
        rows: list[list[object]] = [[] for _ in range(r0)]
        rows.extend([None] * c0 + list(row) for row in values)
        last_row, last_col = r0 + len(values), c0 + max((len(r) for r in values), default=0)
        merges = find_merges(sheet, used.row, used.column, last_row, max(last_col, used.column))
        sheets.append((sheet.name, rows, merges))
    return book_from_sheets(path or xw_book.name, sheets)


def find_merges(sheet: Any, first_row: int, first_col: int, last_row: int, last_col: int) -> list[Merge]:
    """Merged ranges inside a block (1-based bounds), as 0-based inclusive tuples.

    Per column: one ``merge_cells`` query says none / all / some; "some" is halved until a merged
    cell is found, whose ``merge_area`` gives the whole range; rows a known range already covers
    are not asked again. A column without merges costs one call; a run of merged blocks down a
    column costs about two calls per block.
    """
    found: dict[Merge, None] = {}

    def covered(col: int) -> list[tuple[int, int]]:
        return sorted((r1 + 1, r2 + 1) for r1, c1, r2, c2 in found if c1 + 1 <= col <= c2 + 1)

    def scan(col: int, top: int, bottom: int) -> None:
        if top > bottom:
            return
        state = sheet.range((top, col), (bottom, col)).merge_cells
        if state is False:
            return
        if state is True or top == bottom:  # all merged (or one merged cell): walk block by block
            r = top
            while r <= bottom:
                area = sheet.range((r, col)).merge_area
                rows, cols = area.shape
                if rows * cols == 1:  # within an "all merged" column this cannot happen; be safe
                    r += 1
                    continue
                m = (area.row - 1, area.column - 1, area.row + rows - 2, area.column + cols - 2)
                found.setdefault(m)
                r = area.row + rows
            return
        mid = (top + bottom) // 2
        scan(col, top, mid)
        scan(col, mid + 1, bottom)

    for col in range(first_col, last_col + 1):
        r = first_row
        for a, b in covered(col) + [(last_row + 1, last_row + 1)]:
            if b < r:
                continue
            scan(col, r, min(a - 1, last_row))
            r = max(r, b + 1)
    return list(found)


# --------------------------------------------------------------------------- annotation


def apply_annotation_xlwings(xw_book: Any, plan: AnnotationPlan) -> None:
    """Write ``plan`` into the open workbook, after removing what an earlier run (CLI or button) added."""
    remove_annotations_xlwings(xw_book)
    _put_result_sheet(xw_book, plan)
    ledger = _read_ledger(xw_book)
    names = [s.name for s in xw_book.sheets]
    with _as_author(xw_book):
        for mark in plan.marks:
            if mark.sheet not in names:
                continue
            cell = xw_book.sheets[mark.sheet].range((mark.row, mark.col))
            key = (mark.sheet, a1(mark.row, mark.col))
            if key not in ledger:
                ledger[key] = (_fill_xml(cell.color), "", mark.fill)
            else:
                ledger[key] = (ledger[key][0], ledger[key][1], mark.fill)
            cell.color = "#" + mark.fill[2:]
            note = cell.note
            if note is None:
                cell.add_note(mark.text)
            elif _OUR_NOTE.match(note.text or ""):
                note.text = mark.text
            # a note of someone else's is left alone, as the file writer does
    _write_ledger(xw_book, ledger)


def remove_annotations_xlwings(xw_book: Any) -> None:
    """Undo an earlier annotation: the 校验结果 sheet, our notes, and the recorded fills still showing our colour."""
    names = [s.name for s in xw_book.sheets]
    ours = {v.upper() for v in FILLS.values()}
    ledger = _read_ledger(xw_book)
    for (sheet, ref), (fill_xml, _apply, argb) in ledger.items():
        if sheet not in names:
            continue
        cell = xw_book.sheets[sheet].range(ref)
        now = _argb(cell.color)
        if now is not None and (now == argb.upper() or now in ours):
            _restore_fill(cell, fill_xml)
    for sheet in xw_book.sheets:
        if sheet.name in (RESULT_SHEET, LEDGER_SHEET):
            continue
        cells = {ref for (s, ref) in ledger if s == sheet.name}
        for note in _notes(sheet):
            if _OUR_NOTE.match(note.text or "") or _note_author(note) == AUTHOR:
                note.delete()
        for ref in cells:
            note = sheet.range(ref).note
            if note is not None and _OUR_NOTE.match(note.text or ""):
                note.delete()
    _write_ledger(xw_book, {})
    if RESULT_SHEET in names:
        xw_book.sheets[RESULT_SHEET].delete()


def _put_result_sheet(xw_book: Any, plan: AnnotationPlan) -> None:
    visible = [s for s in xw_book.sheets if s.name != LEDGER_SHEET]
    sheet = xw_book.sheets.add(RESULT_SHEET, after=visible[-1] if visible else None)
    width = max(len(r) for r in plan.rows)
    sheet.range((1, 2), (len(plan.rows), width)).number_format = "@"  # a sheet named 2024 stays text
    sheet.range((1, 1)).value = [list(r) + [None] * (width - len(r)) for r in plan.rows]
    sheet.range((1, 1), (1, width)).font.bold = True
    for (r, c), location in sorted(plan.links.items()):
        text = plan.rows[r - 1][c - 1]
        sheet.range((r, c)).add_hyperlink("#" + location, str(text), location)
    for col, w in plan.widths.items():
        sheet.range((1, col)).column_width = w


class _as_author:
    """Notes added through Excel carry ``Application.UserName`` as author: make it ours meanwhile.

    The file writer recognises the notes it may remove by their author, so notes added by the
    button must carry the same one. Where the application object does not allow it (xlwings
    Lite), the notes still carry our text prefix, which this module recognises.
    """

    def __init__(self, xw_book: Any) -> None:
        self.api = None
        self.old: str | None = None
        try:
            self.api = xw_book.app.api
            self.old = self.api.UserName
        except Exception:  # no COM application object (xlwings Lite, the tests): nothing to switch
            self.api = None

    def __enter__(self) -> None:
        if self.api is not None:
            self.api.UserName = AUTHOR

    def __exit__(self, *exc: object) -> None:
        if self.api is not None:
            self.api.UserName = self.old


def _notes(sheet: Any) -> list[Any]:
    try:
        return list(sheet.notes)
    except Exception:  # xlwings before 0.37, or Lite where note properties are awaited: use the ledger's cells
        return []


def _note_author(note: Any) -> str | None:
    try:
        return note.author
    except Exception:
        return None


# --------------------------------------------------------------------------- the ledger of original fills


def _read_ledger(xw_book: Any) -> dict[tuple[str, str], tuple[str, str, str]]:
    if LEDGER_SHEET not in [s.name for s in xw_book.sheets]:
        return {}
    values = xw_book.sheets[LEDGER_SHEET].used_range.options(ndim=2).value or []
    out = {}
    for row in values[1:]:
        row = [("" if v is None else str(v)) for v in list(row) + [None] * 5][:5]
        if row[0] and row[1] and row[2]:
            out[(row[0], row[1].upper())] = (row[2], row[3], row[4])
    return out


def _write_ledger(xw_book: Any, ledger: dict[tuple[str, str], tuple[str, str, str]]) -> None:
    if LEDGER_SHEET in [s.name for s in xw_book.sheets]:
        old = xw_book.sheets[LEDGER_SHEET]
        _com(lambda: setattr(old.api, "Visible", -1))  # Excel deletes a very hidden sheet once it is visible
        old.delete()
    if not ledger:
        return
    sheets = list(xw_book.sheets)
    sheet = xw_book.sheets.add(LEDGER_SHEET, after=sheets[-1])
    rows: list[list[object]] = [list(LEDGER_HEADER)]
    rows.extend([s, ref, *v] for (s, ref), v in sorted(ledger.items()))
    block = sheet.range((1, 1), (len(rows), len(LEDGER_HEADER)))
    block.number_format = "@"  # text, as the file writer keeps it: Excel would turn "1" into a number
    block.value = rows
    if not _com(lambda: setattr(sheet.api, "Visible", XL_SHEET_VERY_HIDDEN)):
        sheet.visible = False  # xlwings Lite: hidden is the closest


def _fill_xml(color: Any) -> str:
    """A cell's current fill as the ``<fill>`` XML the file writer records (solid colour or none)."""
    argb = _argb(color)
    if argb is None:
        return f'<fill xmlns="{NS}"><patternFill patternType="none"/></fill>'
    return (
        f'<fill xmlns="{NS}"><patternFill patternType="solid"><fgColor rgb="{argb}"/><bgColor indexed="64"/></pat'
        "ternFill></fill>"
    )


def _restore_fill(cell: Any, fill_xml: str) -> None:
    """Give a cell back a recorded fill: none, an RGB colour, or (COM only) a theme colour with tint."""
    try:
        pf = ET.fromstring(fill_xml).find(f"{{{NS}}}patternFill")
    except ET.ParseError:
        pf = None
    fg = pf.find(f"{{{NS}}}fgColor") if pf is not None else None
    if pf is None or pf.get("patternType", "none") == "none" or fg is None:
        cell.color = None
    elif fg.get("rgb"):
        cell.color = "#" + fg.get("rgb", "")[-6:]
    elif fg.get("theme") is not None:

        def theme() -> None:
            cell.api.Interior.ThemeColor = int(fg.get("theme", "0")) + 1
            cell.api.Interior.TintAndShade = float(fg.get("tint", "0"))

        if not _com(theme):
            cell.color = None  # no COM object: the cell loses its theme fill rather than keep our colour
    else:
        cell.color = None


def _com(step: Callable[[], object]) -> bool:
    """Run a step that needs Excel's COM object model; False where there is none (xlwings Lite, tests)."""
    try:
        step()
    except Exception:  # pywin32's com_error, or AttributeError/NotImplementedError without COM
        return False
    return True


def _argb(color: Any) -> str | None:
    """xlwings colours (an RGB tuple, ``#RRGGBB`` or ``None``) as ``FFRRGGBB``."""
    if color is None:
        return None
    if isinstance(color, str):
        return "FF" + color.lstrip("#").upper()[-6:]
    r, g, b = color
    return f"FF{r:02X}{g:02X}{b:02X}"


# --------------------------------------------------------------------------- the library calls


@dataclass
class CheckOutcome:
    """What one click did: the report, the plan applied, and a one-line summary for the user."""

    report: Report
    plan: AnnotationPlan
    skipped: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        st = self.report.stats
        verdict = "通过" if self.report.valid else "未通过"
        text = f"校验完成：错误 {st['errors']} 个，警告 {st['warnings']} 个 —— {verdict}。详见“{RESULT_SHEET}”工作表。"
        if self.skipped:
            text += "\n未执行的检查：" + "；".join(self.skipped)
        return text


def check_workbook(xw_book: Any, as_of: dt.date | None = None, degrade: bool = False) -> CheckOutcome:
    """Check the open workbook and annotate it: book → ``check_book`` → ``plan_annotation`` → apply.

    ``degrade`` (xlwings Lite) runs every rule whose packages import and reports the others as
    not run, instead of failing when one is missing.
    """
    from toolkit.checking import MISSING_RUNTIME, check_book

    day = as_of or dt.date.today()
    book = book_from_xlwings(xw_book)
    report = check_book(book, day, book.path, degrade=degrade)
    plan = plan_annotation(report, sheets={s.name for s in book.sheets})
    apply_annotation_xlwings(xw_book, plan)
    skipped = [f"{s.rule}（{s.reason}）" for s in report.skipped if s.reason.startswith(MISSING_RUNTIME)]
    return CheckOutcome(report, plan, skipped)


# --------------------------------------------------------------------------- entry points (RunPython)


def run_check() -> None:
    """The 校验 button (``RunPython "import toolkit.excel; toolkit.excel.run_check()"``)."""
    _run(lambda book: check_workbook(book).message)


def run_rollup() -> None:
    """The 汇总 button (``RunPython "import toolkit.excel; toolkit.excel.run_rollup()"``)."""
    _run(lambda book: rollup_workbook(book).message)


def _run(step: Callable[[Any], str]) -> None:
    import xlwings as xw

    book = xw.Book.caller()
    from toolkit.errors import ToolkitError

    try:
        message = step(book)
    except ToolkitError as exc:
        book.app.alert(f"错误：{exc}", "正版台账工具箱")
        return
    book.app.alert(message, "正版台账工具箱")


# --------------------------------------------------------------------------- roll-up


@dataclass
class RollupOutcome:
    """What the 汇总 button did."""

    plan: Any  # toolkit.plans.rollup.RollupPlan

    @property
    def message(self) -> str:
        p = self.plan
        lines = [f"汇总完成（截至 {p.as_of.isoformat()}）。"]
        lines += [f"安装数量 {c.number}：{'' if c.old is None else c.old} → {c.new}" for c in p.installed]
        lines += [f"{c.label}：{'' if c.old is None else c.old} → {c.new}" for c in p.counts]
        if p.added or p.removed:
            lines.append(f"附件8：新增 {len(p.added)} 行，删除 {len(p.removed)} 行。")
        if not p.changed:
            lines.append("附件7、附件8 已与附件9 一致，只更新了填表日期。")
        lines += p.notes
        lines.append("请核对后保存工作簿。")
        return "\n".join(lines)


def rollup_workbook(xw_book: Any, as_of: dt.date | None = None) -> RollupOutcome:
    """Roll the open workbook's logs up into 附件7/附件8: book → ledger → ``plan_rollup`` → apply."""
    from toolkit.plans.rollup import plan_rollup
    from toolkit.read.reader import read_book
    from toolkit.rollup import compute_rollup
    from toolkit.write.edit import require_rollup_forms

    day = as_of or dt.date.today()
    ledger = read_book(book_from_xlwings(xw_book))
    require_rollup_forms(ledger)
    plan = plan_rollup(ledger, compute_rollup(ledger, day))
    apply_rollup_xlwings(xw_book, plan)
    return RollupOutcome(plan)


def apply_rollup_xlwings(xw_book: Any, plan: Any) -> None:
    """Write a :class:`~toolkit.plans.rollup.RollupPlan` through Excel: the cells, then the 附件8 rows.

    Excel itself inserts or deletes the rows that the rebuilt 附件8 needs, so everything below
    (the sign line, formulas, merged ranges, validations) moves as Excel moves it; inserted rows
    take the format of the row above.
    """
    from toolkit.plans.rollup import FillDate

    for name, cells in plan.cells.items():
        sheet = xw_book.sheets[name]
        for (r, c), v in sorted(cells.items()):
            cell = sheet.range((r, c))
            cell.value = v.value_for(cell.value) if isinstance(v, FillDate) else v
    d = plan.detail
    if d is None:
        return
    sheet = xw_book.sheets[d.sheet]
    old = max(d.last - d.first + 1, 0)
    new = len(d.rows)
    width = max([len(r) for r in d.rows] + [c2 for _r1, _c1, _r2, c2 in d.merges] + [1])
    if old:
        sheet.range((d.first, 1), (d.last, width)).unmerge()
    if new > old:
        sheet.range(f"{d.first + old}:{d.first + new - 1}").insert("down")
    elif new < old:
        sheet.range(f"{d.first + new}:{d.last}").delete("up")
    if new:
        sheet.range((d.first, 1)).value = [list(r) + [None] * (width - len(r)) for r in d.rows]
    for r1, c1, r2, c2 in d.merges:
        sheet.range((r1, c1), (r2, c2)).merge()
