"""The canonical layout of the ledger forms, written into new workbooks (docs/forms.md).

One code path lays out every form, whether for an empty template, the sample ledger or a
benchmark with a hundred thousand log rows: :func:`write_form_sheet` turns a form's schema and
its rows into a stream of styled rows plus merged ranges, and puts them into an ordinary
openpyxl worksheet or into a sheet of a :class:`StreamBook` (xlsxwriter in constant-memory
mode, the fast path). :func:`write_ledger` writes a whole ledger from a :class:`LedgerData`.

Header texts, titles and sheet names come from ``schemas/``; the sign line, whose wording
docs/forms.md gives once for every form, is a default here that a schema's ``sign_line`` overrides.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.cellref import col_letter
from toolkit.dates import BLANK_LINE, date_text
from toolkit.files import explain, install, make_dirs, temp_beside, temp_for
from toolkit.schemas import Column, FormSchema, schema
from toolkit.textsafe import cell_value
from toolkit.textwidth import label_width, text_lines

if TYPE_CHECKING:  # openpyxl is imported where a workbook is built: the constants here are used without it
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell as XlCell
    from openpyxl.worksheet.worksheet import Worksheet

TICK = "√"
NA = "--"
SIGN_LINE = "单位名称（盖章）：{unit}  填表人：＿＿  联系电话：＿＿  填表日期：{date}"
DATE_FORMAT = "yyyy-mm-dd"
DROPDOWN_TITLE = "请从下拉列表中选择"
DROPDOWN_ERROR = "允许的取值：{values}。确需填写其他写法（如别名）可选“是”继续。"
AMOUNT_FORMAT = "#,##0.00"

# Cells that do not apply to a 软件类型 and hold NA when left blank (rules TZ1.6 and TZ1.9).
_IDENTITY = ("purchase_date", "amount", "license_type", "license_count", "usable_version", "term", "serial")
NOT_APPLICABLE: dict[str, tuple[str, ...]] = {
    "OEM软件": _IDENTITY,
    "免费软件": ("version", *_IDENTITY),
}

# The forms of a ledger in sheet order; 附件9 (one sheet per number) comes last.
LEDGER_FORMS = ("附件6", "附件7", "附件8", "计算机清单")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_MAX_SHEET_NAME = 31


@dataclass
class LedgerData:
    """Everything one ledger workbook shows, as plain values keyed by schema column keys.

    ``counts`` holds the 附件7 figures (``total_staff``, ``staff_using``, ``servers``,
    ``desktops``, ``laptops``). ``logs`` maps a 软件编号 to its 附件9 info block (keys of the
    schema's ``info``) and its log rows. ``computers`` is ``None`` when the ledger has no
    计算机清单. A row's ``seq`` is numbered 1, 2, … when the row does not give one.
    """

    unit: str = ""
    fill_date: dt.date | None = None
    counts: dict[str, int | None] = field(default_factory=dict)
    whitelist: list[dict] = field(default_factory=list)
    summary: list[dict] = field(default_factory=list)
    details: list[dict] = field(default_factory=list)
    logs: dict[str, tuple[dict, list[dict]]] = field(default_factory=dict)
    computers: list[dict] | None = None
    registers: dict[str, list[dict]] = field(default_factory=dict)  # 附件10, 附件11, 承诺书签署登记 → rows


# --- styles and sinks ----------------------------------------------------------------------

# Each kind of cell, described once and translated for openpyxl and for xlsxwriter.
_FONT, _SIZE = "宋体", 10
FONT_NAME = _FONT  # the font of every form, for writers of pages that are not tables
_STYLES: dict[str, dict] = {
    "title": dict(bold=True, size=16, align="center"),
    "sign": dict(align="left"),
    "label": dict(bold=True, border=True, align="center", wrap=True),
    "header": dict(bold=True, border=True, align="center", wrap=True),
    "text": dict(border=True, align="left", wrap=True),
    "center": dict(border=True, align="center"),
    "value": dict(border=True, align="center", wrap=True),
    "date": dict(border=True, align="center", num_format=DATE_FORMAT),
    "amount": dict(border=True, align="right", num_format=AMOUNT_FORMAT),
}
_ROW_HEIGHT = {"title": 30.0, "sign": 20.0, "counts": 28.0}
_EXCEL_EPOCH = dt.date(1899, 12, 30)

Styled = tuple[object, str]  # (value, style kind)


def _openpyxl_protos(ws: Worksheet) -> dict[str, XlCell]:
    from openpyxl.cell.cell import Cell as XlCell
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    out = {}
    for kind, spec in _STYLES.items():
        proto = XlCell(ws)
        proto.font = Font(name=_FONT, size=spec.get("size", _SIZE), bold=spec.get("bold", False))
        proto.alignment = Alignment(horizontal=spec["align"], vertical="center", wrap_text=spec.get("wrap", False))
        if spec.get("border"):
            proto.border = box
        if "num_format" in spec:
            proto.number_format = spec["num_format"]
        out[kind] = proto
    return out


class _Sink:
    """Puts styled rows into a worksheet, one below the other, and records merged ranges."""

    def __init__(self) -> None:
        self.row = 0  # 1-based number of the last row written
        self.merges: list[tuple[int, int, int, int]] = []
        self.lists: list[tuple[int, int, int, tuple[str, ...]]] = []  # (column, first row, last row, values)

    def dropdown(self, col: int, first: int, last: int, values: Sequence[str]) -> None:
        """A list validation (in-cell dropdown) on rows ``first..last`` of column ``col``."""
        self.lists.append((col, first, last, tuple(values)))

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))

    def setup(self, widths: Sequence[float], landscape: bool, head: int, header_rows: int) -> None:
        raise NotImplementedError

    def put(self, cells: Sequence[Styled], height: float | None = None) -> int:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _OpenpyxlSink(_Sink):
    """An ordinary openpyxl worksheet (templates, samples: a few thousand rows)."""

    def __init__(self, ws: Worksheet) -> None:
        super().__init__()
        self.ws = ws
        self._style = {kind: proto._style for kind, proto in _openpyxl_protos(ws).items()}

    def setup(self, widths: Sequence[float], landscape: bool, head: int, header_rows: int) -> None:
        ws = self.ws
        for i, w in enumerate(widths, 1):
            ws.column_dimensions[col_letter(i)].width = w
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.freeze_panes = f"A{head + 1}"
        ws.print_title_rows = f"{head - header_rows + 1}:{head}"

    def put(self, cells: Sequence[Styled], height: float | None = None) -> int:
        self.row += 1
        r = self.row
        if height is not None:
            self.ws.row_dimensions[r].height = height
        for c, (value, kind) in enumerate(cells, 1):
            cell = self.ws.cell(row=r, column=c, value=cell_value(value))
            cell._style = self._style[kind].__copy__()
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, never a formula
        return r

    def close(self) -> None:
        from openpyxl.worksheet.datavalidation import DataValidation

        for r1, c1, r2, c2 in self.merges:
            self.ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        for col, first, last, values in self.lists:
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(values) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",
                errorTitle=DROPDOWN_TITLE,
                error=DROPDOWN_ERROR.format(values="、".join(values)),
            )
            dv.add(f"{col_letter(col)}{first}:{col_letter(col)}{last}")
            self.ws.add_data_validation(dv)


class StreamBook:
    """A new workbook streamed row by row to disk (xlsxwriter, constant memory): the fast path.

    Use :meth:`add_sheet` and :func:`write_form_sheet` as with an openpyxl workbook, then
    :meth:`close`. The file appears at ``path`` only when it is complete.
    """

    def __init__(self, path: str | Path) -> None:
        import xlsxwriter  # the fast path only; the rest of the toolkit writes with openpyxl

        self.path = Path(path)
        make_dirs(self.path.parent)
        self._tmp = temp_beside(self.path)
        self.wb = xlsxwriter.Workbook(str(self._tmp), {"constant_memory": True})
        self.formats = {}
        for kind, spec in _STYLES.items():
            fmt = {
                "font_name": _FONT,
                "font_size": spec.get("size", _SIZE),
                "bold": spec.get("bold", False),
                "align": spec["align"],
                "valign": "vcenter",
                "text_wrap": spec.get("wrap", False),
            }
            if spec.get("border"):
                fmt["border"] = 1
            if "num_format" in spec:
                fmt["num_format"] = spec["num_format"]
            self.formats[kind] = self.wb.add_format(fmt)

    def add_sheet(self, name: str) -> StreamSheet:
        """A new, empty sheet at the end of the workbook."""
        return StreamSheet(self, self.wb.add_worksheet(name))

    def close(self, stamp: dt.datetime | None = None) -> None:
        """Finish the file and move it to ``path`` (``stamp``: see :func:`save_workbook`)."""
        try:
            self.wb.close()
            if stamp is not None:
                _restamp(self._tmp, stamp)
            install(self._tmp, self.path)
        except OSError as exc:
            self._tmp.unlink(missing_ok=True)
            raise explain(exc, self.path) from exc
        except BaseException:
            self._tmp.unlink(missing_ok=True)
            raise

    def discard(self) -> None:
        """Give up: remove the unfinished file."""
        self._tmp.unlink(missing_ok=True)


@dataclass
class StreamSheet:
    """One sheet of a :class:`StreamBook`."""

    book: StreamBook
    ws: Any  # xlsxwriter.worksheet.Worksheet (imported only on the fast path)


class _StreamSink(_Sink):
    def __init__(self, sheet: StreamSheet) -> None:
        super().__init__()
        self.ws = sheet.ws
        self.formats = sheet.book.formats

    def setup(self, widths: Sequence[float], landscape: bool, head: int, header_rows: int) -> None:
        ws = self.ws
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        if landscape:
            ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.freeze_panes(head, 0)
        ws.repeat_rows(head - header_rows, head - 1)

    def put(self, cells: Sequence[Styled], height: float | None = None) -> int:
        r = self.row
        self.row += 1
        ws, formats = self.ws, self.formats
        if height is not None:
            ws.set_row(r, height)
        for c, (value, kind) in enumerate(cells):
            fmt = formats[kind]
            if value is None or value == "":
                ws.write_blank(r, c, None, fmt)
            elif isinstance(value, str):
                ws.write_string(r, c, value, fmt)
            elif isinstance(value, bool):
                ws.write_boolean(r, c, value, fmt)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value, fmt)
            elif isinstance(value, dt.datetime):
                ws.write_datetime(r, c, value, fmt)
            elif isinstance(value, dt.date):
                ws.write_number(r, c, (value - _EXCEL_EPOCH).days, fmt)
            else:
                ws.write_string(r, c, str(value), fmt)
        return self.row

    def close(self) -> None:
        # In constant-memory mode xlsxwriter writes each row out as soon as the next begins, so
        # merge_range() cannot reach back to rows already written (it refuses, and its padding
        # would write ahead). Every cell of each range is already written with its format;
        # only the range itself is recorded, the way merge_range() records it.
        for r1, c1, r2, c2 in self.merges:
            self.ws.merge.append([r1 - 1, c1 - 1, r2 - 1, c2 - 1])
        for col, first, last, values in self.lists:
            self.ws.data_validation(
                first - 1,
                col - 1,
                last - 1,
                col - 1,
                {
                    "validate": "list",
                    "source": list(values),
                    "error_type": "warning",
                    "error_title": DROPDOWN_TITLE,
                    "error_message": DROPDOWN_ERROR.format(values="、".join(values)),
                },
            )


def _sink(ws: Worksheet | StreamSheet) -> _Sink:
    if isinstance(ws, StreamSheet):
        return _StreamSink(ws)
    from openpyxl.worksheet.worksheet import Worksheet

    if isinstance(ws, Worksheet):
        return _OpenpyxlSink(ws)
    raise TypeError(f"cannot write a form into {type(ws).__name__}: use an openpyxl Worksheet or a StreamSheet")


# --- one form ------------------------------------------------------------------------------


def sheet_name(form: FormSchema, software_no: str = "", taken: Iterable[str] = ()) -> str:
    """The canonical sheet name of ``form`` (``附件9 <软件编号>`` for a log), made valid and unique.

    A number that cannot stand in a sheet name loses the forbidden characters and is shortened
    to Excel's 31 characters; the full number stays in the 附件9 info block.
    """
    name = _BAD_SHEET_CHARS.sub("-", form.sheet.format(software_no=software_no)).strip("'")
    name = name[:_MAX_SHEET_NAME] or form.form
    used = {t.casefold() for t in taken}
    n, base = 2, name
    while name.casefold() in used:
        suffix = f"({n})"
        name = base[: _MAX_SHEET_NAME - len(suffix)] + suffix
        n += 1
    return name


def sign_line(unit: str = "", fill_date: dt.date | None = None, form: FormSchema | None = None) -> str:
    """The sign line under a form's title (docs/forms.md; a schema may word its own), blanks where unknown."""
    date = date_text(fill_date)
    template = form.extra.get("sign_line", SIGN_LINE) if form else SIGN_LINE
    return template.format(unit=unit or BLANK_LINE, date=date)


def table_columns(form: FormSchema, combined: bool = False) -> list[Column]:
    """The form's columns as written: ``combined_only`` ones only in a combined log."""
    return [c for c in form.columns if combined or not c.combined_only]


def _physical(cols: Sequence[Column]) -> list[tuple[Column, str | None]]:
    """One entry per worksheet column: (column, tick value) for tick sub-columns, else (column, None)."""
    out: list[tuple[Column, str | None]] = []
    for col in cols:
        if col.ticks:
            out.extend((col, t) for t in col.ticks)
        else:
            out.append((col, None))
    return out


def data_cell(form: FormSchema, key: str, index: int = 0, combined: bool = False) -> str:
    """A1 address, in the canonical layout, of column ``key`` on data row ``index`` (0-based).

    A tick column gives its first sub-column.
    """
    phys = _physical(table_columns(form, combined))
    col = next(i for i, (c, _t) in enumerate(phys, 1) if c.key == key)
    return f"{col_letter(col)}{_head_rows(form) + 1 + index}"


def _kind(col: Column, value: object) -> str:
    if isinstance(value, dt.date):
        return "date"
    if col.type == "amount" and isinstance(value, int | float):
        return "amount"
    if col.type in ("int", "date", "ticks") or col.key == "seq":
        return "center"
    return "text"


def _tick_value(col: Column, value: object) -> str | None:
    if value is None or value == "":
        return None
    text = str(value)
    return col.canonical_value(text) or text


def _na_fill(row: Mapping[str, object]) -> frozenset[str]:
    sw_type = row.get("sw_type")
    return frozenset(NOT_APPLICABLE.get(str(sw_type), ())) if sw_type else frozenset()


def _data_row(
    phys: Sequence[tuple[Column, str | None]], row: Mapping[str, object], seq: int, hide: frozenset[str] = frozenset()
) -> list[Styled]:
    na = _na_fill(row)
    out: list[Styled] = []
    for col, tick in phys:
        if tick is not None:
            ticked = _tick_value(col, row.get(col.key)) == tick
            out.append((TICK if ticked else None, "center"))
            continue
        value = row.get(col.key)
        if col.key == "seq" and value is None:
            value = seq
        if col.key in hide:
            value = None
        elif (value is None or value == "") and col.key in na:
            value = NA
        out.append((value, _kind(col, value)))
    return out


def _merge_key(merge_cols: Sequence[Column], row: Mapping[str, object]) -> tuple | None:
    if not merge_cols:
        return None
    key = tuple(row.get(c.key) for c in merge_cols)
    return key if any(v not in (None, "") for v in key) else None


def write_form_sheet(
    ws: Worksheet | StreamSheet,
    form: FormSchema,
    rows: Iterable[Mapping[str, object]] = (),
    *,
    unit: str = "",
    fill_date: dt.date | None = None,
    counts: Mapping[str, object] | None = None,
    info: Mapping[str, object] | None = None,
    combined: bool = False,
    blank_rows: int = 0,
    dropdown_rows: int = 0,
    fit_labels: bool = False,
) -> int:
    """Write one form in its canonical layout into an empty worksheet; return the data row count.

    Title row (merged across the table), sign line, the 附件7 counts block or the 附件9 info
    block where the schema has one, the header (two rows with merges where the form has tick
    sub-columns), then one bordered row per mapping in ``rows`` (keys are the schema's column
    keys; tick columns take the ticked value, e.g. ``sw_type="OEM软件"``). Consecutive rows with
    the same values in the schema's ``merge`` columns share vertically merged cells (附件8).
    ``blank_rows`` adds empty bordered rows for filling in by hand (templates), with the date
    and amount formats of their columns. ``dropdown_rows`` puts an in-cell dropdown of the
    allowed values on every enumerated column (a ``√`` on each tick sub-column) over that many
    rows below the header. ``fit_labels`` widens a column whose header text would not fit on
    one line. ``ws`` is an empty openpyxl worksheet or a sheet of a :class:`StreamBook`.
    """
    cols = table_columns(form, combined)
    phys = _physical(cols)
    width = len(phys)
    sink = _sink(ws)
    widths = [max(c.width, label_width(t or c.label) + 2) if fit_labels else c.width for c, t in phys]
    # before any row: a streaming sheet writes its columns and panes first
    sink.setup(widths, form.landscape, _head_rows(form), form.header_rows)

    sink.put([(form.title, "title")] + [(None, "title")] * (width - 1), _ROW_HEIGHT["title"])
    sink.merge(sink.row, 1, sink.row, width)
    sink.put([(sign_line(unit, fill_date, form), "sign")] + [(None, "sign")] * (width - 1), _ROW_HEIGHT["sign"])
    sink.merge(sink.row, 1, sink.row, width)
    if form.counts:
        _counts_block(sink, form, counts or {})
    if form.info:
        _info_block(sink, form, info or {}, widths)
    _header(sink, cols, form.header_rows)

    merge_cols = [c for c in cols if c.merge]
    merge_idx = [i for i, (c, t) in enumerate(phys, 1) if c.merge and t is None]
    group_start, group_key = 0, None
    n = 0
    for n, row in enumerate(rows, 1):
        key = _merge_key(merge_cols, row)
        same = key is not None and key == group_key
        r = sink.put(_data_row(phys, row, n, frozenset(c.key for c in merge_cols) if same else frozenset()))
        if not same:
            _close_group(sink, merge_idx, group_start, r - 1)
            group_start, group_key = r, key
    _close_group(sink, merge_idx, group_start, sink.row)
    for _ in range(blank_rows):
        sink.put([(None, _blank_kind(c, t)) for c, t in phys])
    if dropdown_rows > 0:
        first = _head_rows(form) + 1
        for i, (col, tick) in enumerate(phys, 1):
            values = (TICK,) if tick is not None else col.values
            if values:
                sink.dropdown(i, first, first + dropdown_rows - 1, values)
    sink.close()
    return n


def print_setup(
    ws: Worksheet,
    *,
    landscape: bool = False,
    pages_tall: int = 0,
    title_rows: str | None = None,
    margins: float | None = None,
) -> None:
    """A4, fitted to one page wide (and ``pages_tall`` pages tall, 0 for as many as it takes), centred.

    ``title_rows`` (``"3:3"``) repeat at the top of every page; ``margins`` (inches) sets the
    left and right margins.
    """
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = pages_tall
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    if margins is not None:
        ws.page_margins.left = ws.page_margins.right = margins
    if title_rows:
        ws.print_title_rows = title_rows


def _blank_kind(col: Column, tick: str | None) -> str:
    """The style of an empty cell to fill in by hand: dates and amounts get their formats."""
    if tick is None and col.type == "date":
        return "date"
    if tick is None and col.type == "amount":
        return "amount"
    return _kind(col, None)


def _close_group(sink: _Sink, cols: Sequence[int], start: int, end: int) -> None:
    if start and end > start:
        for c in cols:
            sink.merge(start, c, end, c)


def _head_rows(form: FormSchema) -> int:
    """Rows above the first data row: title, sign line, counts or info block, header."""
    groups = len({lab.group for lab in form.counts})
    return 2 + groups + (2 if form.info else 0) + form.header_rows


def _counts_block(sink: _Sink, form: FormSchema, counts: Mapping[str, object]) -> None:
    """附件7: one row per group, ``<group> | <label> | <n> | <label> | <n> …``."""
    groups: dict[str, list] = {}
    for lab in form.counts:
        groups.setdefault(lab.group, []).append(lab)
    for group, labels in groups.items():
        cells: list[Styled] = [(group, "label")]
        for lab in labels:
            cells += [(lab.label, "label"), (counts.get(lab.key), "center")]
        sink.put(cells, _ROW_HEIGHT["counts"])  # room for a group label wrapped in the narrow 序号 column


def info_spans(needs: Sequence[float], widths: Sequence[float]) -> list[tuple[int, int]]:
    """Columns (first, last; 1-based) for each info item: wide enough for its ``needs``, all columns used.

    Each item takes columns left to right until they are as wide as it needs, leaving one
    column for each item still to come; the last item takes the rest.
    """
    spans: list[tuple[int, int]] = []
    col, n = 1, len(needs)
    if n > len(widths):  # more items than columns: one column each (the table is wider than the block)
        return [(i, i) for i in range(1, n + 1)]
    for i, need in enumerate(needs):
        last = col
        room = len(widths) - (n - i - 1)  # the last column this item may take
        if i == n - 1:
            last = max(col, len(widths))
        else:
            while last < room and sum(widths[col - 1 : last]) < need:
                last += 1
        spans.append((col, last))
        col = last + 1
    return spans


def _info_block(sink: _Sink, form: FormSchema, info: Mapping[str, object], widths: Sequence[float]) -> None:
    """附件9: the info labels in one row, their values below, each over columns wide enough to read."""
    na = _na_fill(info)
    values: list[object] = []
    for lab in form.info:
        v = info.get(lab.key)
        if (v is None or v == "") and lab.key in na:
            v = NA
        values.append(v)
    shown = [v.isoformat() if isinstance(v, dt.date) else "" if v is None else str(v) for v in values]
    needs = [max(label_width(lab.label), min(label_width(t), 30)) + 2 for lab, t in zip(form.info, shown, strict=True)]
    spans = info_spans(needs, widths)
    top: list[Styled] = [(None, "label")] * len(widths)
    low: list[Styled] = [(None, "value")] * len(widths)
    lines = 1
    for lab, v, t, (c1, c2) in zip(form.info, values, shown, spans, strict=True):
        top[c1 - 1] = (lab.label, "label")
        low[c1 - 1] = (v, "date" if isinstance(v, dt.date) else "value")
        for c in range(c1 + 1, c2 + 1):
            low[c - 1] = (None, "date" if isinstance(v, dt.date) else "value")
        lines = max(lines, text_lines(t, sum(widths[c1 - 1 : c2])))
    r = sink.put(top)
    sink.put(low, 14.0 * lines + 4 if lines > 1 else None)
    for c1, c2 in spans:
        sink.merge(r, c1, r, c2)
        sink.merge(r + 1, c1, r + 1, c2)


def _header(sink: _Sink, cols: Sequence[Column], header_rows: int) -> None:
    """Write the header; with two rows, tick columns get their values below a merged label."""
    top: list[Styled] = []
    for col in cols:
        top.append((col.label, "header"))
        top.extend([(None, "header")] * (len(col.ticks) - 1 if col.ticks else 0))
    first = sink.put(top)
    if header_rows < 2:
        return
    low: list[Styled] = []
    for col in cols:
        low.extend((t, "header") for t in col.ticks) if col.ticks else low.append((None, "header"))
    sink.put(low)
    c = 1
    for col in cols:
        span = len(col.ticks) or 1
        if col.ticks:
            sink.merge(first, c, first, c + span - 1)
        else:
            sink.merge(first, c, first + 1, c)
        c += span


# --- a whole ledger ------------------------------------------------------------------------


def ledger_sheets(data: LedgerData) -> Iterator[tuple[str, FormSchema, dict]]:
    """The sheets of a ledger in workbook order: (sheet name, schema, keyword arguments)."""
    taken: list[str] = []
    common = dict(unit=data.unit, fill_date=data.fill_date)
    rows_of = {"附件6": data.whitelist, "附件7": data.summary, "附件8": data.details, "计算机清单": data.computers}
    for form_name in LEDGER_FORMS:
        rows = rows_of[form_name]
        if rows is None:
            continue
        form = schema(form_name)
        name = sheet_name(form, taken=taken)
        taken.append(name)
        extra = {"counts": data.counts} if form.counts else {}
        yield name, form, dict(common, rows=rows, **extra)
    log_form = schema("附件9")
    for no, (info, rows) in data.logs.items():
        name = sheet_name(log_form, no, taken)
        taken.append(name)
        yield name, log_form, dict(common, rows=rows, info={"software_no": no, **info})
    for form_name, rows in data.registers.items():
        form = schema(form_name)
        name = sheet_name(form, taken=taken)
        taken.append(name)
        yield name, form, dict(common, rows=rows)


def write_ledger(path: str | Path, ledger_data: LedgerData, *, fast: bool = False, reproducible: bool = False) -> None:
    """Write a new ledger workbook in the canonical layout.

    ``fast`` streams every sheet to disk (:class:`StreamBook`) for ledgers with tens of thousands
    of rows: the same layout in constant memory. ``reproducible`` makes the file byte-identical
    from run to run: the package's timestamps are set from the fill date. The file is written
    beside ``path`` first and renamed, so no half-written file is left behind.
    """
    stamp = None
    if reproducible:
        day = ledger_data.fill_date or dt.date(2000, 1, 1)
        stamp = dt.datetime(day.year, day.month, day.day)
    if fast:
        book = StreamBook(path)
        try:
            if stamp is not None:
                book.wb.set_properties({"created": stamp})
            for name, form, kwargs in ledger_sheets(ledger_data):
                write_form_sheet(book.add_sheet(name), form, kwargs.pop("rows"), **kwargs)
        except BaseException:
            book.discard()
            raise
        book.close(stamp)
        return
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, form, kwargs in ledger_sheets(ledger_data):
        write_form_sheet(wb.create_sheet(name), form, kwargs.pop("rows"), **kwargs)
    if stamp is not None:
        wb.properties.created = stamp
    save_workbook(wb, path, stamp)


def save_workbook(wb: Workbook, path: str | Path, stamp: dt.datetime | None = None) -> None:
    """Save ``wb`` to ``path`` through a temporary file and a rename (:mod:`toolkit.files`).

    With ``stamp``, the package is rewritten with that time in its document properties and zip
    entries, so that the same workbook always gives the same bytes.
    """
    path = Path(path)
    make_dirs(path.parent)
    with temp_for(path) as (tmp, real):
        wb.save(tmp)
        if stamp is not None:
            _restamp(tmp, stamp)
        install(tmp, real)


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _restamp(path: Path, stamp: dt.datetime) -> None:
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    when = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)
    with zipfile.ZipFile(path) as src:
        parts = [(info.filename, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts:
            if name == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + iso + rb"\g<2>", data)
            info = zipfile.ZipInfo(name, when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, data)
