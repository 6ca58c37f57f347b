"""The official forms as empty workbooks: the eleven annex templates, 计算机清单 and a new ledger.

Every table is laid out by :func:`toolkit.forms.layout.write_form_sheet` from its schema, ready to
fill in: bordered blank rows with date and amount formats, a dropdown on every enumerated
column, frozen header rows and print set-up. The two kinds of page that are not tables live
here too, because ``zbtz print`` fills the very same layouts: the 附件2 letter
(:func:`write_letter_sheet`) and the one-page 附件10/附件11 forms (:func:`write_printout_sheet`).

``write_templates(folder)`` is what ``zbtz templates`` runs and what ``workbooks/`` holds; the
files are byte-stable (fixed package timestamps), so a test compares the committed bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

from toolkit.cellref import col_letter
from toolkit.dates import DATE_FORMAT, date_text
from toolkit.errors import TemplateError
from toolkit.files import claim_output, make_dirs
from toolkit.forms.layout import (
    BLANK_LINE,
    FONT_NAME,
    label_width,
    save_workbook,
    sheet_name,
    write_form_sheet,
)
from toolkit.schemas import FormSchema, schema
from toolkit.textsafe import cell_value

BLANK_ROWS = 20  # bordered rows to fill in by hand
NEW_LEDGER_ROWS = 60  # a new ledger's bordered rows per table: a county unit's computers and programs
DROPDOWN_ROWS = 1000  # rows below the header that carry the dropdowns
STAMP = dt.datetime(2016, 7, 11)  # the guide's date: the templates' package timestamps, for stable bytes
NEW_LEDGER_FORMS = ("附件6", "附件7", "附件8", "计算机清单", "附件10", "附件11", "承诺书签署登记")
CHECKED, UNCHECKED = "■", "□"

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


# --- tables --------------------------------------------------------------------------------


def write_table_sheet(
    ws: Worksheet,
    form: FormSchema,
    *,
    unit: str = "",
    info: Mapping[str, object] | None = None,
    blank_rows: int = BLANK_ROWS,
    fill_date: dt.date | None = None,
) -> None:
    """An empty form ready to fill in (the same look for templates, ``new`` and ``number``)."""
    write_form_sheet(
        ws,
        form,
        (),
        unit=unit,
        info=info,
        blank_rows=blank_rows,
        dropdown_rows=max(DROPDOWN_ROWS, blank_rows),
        fit_labels=True,
        fill_date=fill_date,
    )


# --- one-page forms ------------------------------------------------------------------------


def _put(
    ws: Worksheet,
    row: int,
    col: int,
    value: object,
    *,
    size: int = 12,
    bold: bool = False,
    align: str = "left",
    valign: str = "center",
    box: bool = False,
    span: int = 1,
) -> None:
    cell = ws.cell(row, col, cell_value(value))
    cell.font = Font(name=FONT_NAME, size=size, bold=bold)
    cell.alignment = Alignment(horizontal=align, vertical=valign, wrap_text=True)
    if box:
        for c in range(col, col + span):
            ws.cell(row, c).border = _BOX
    if span > 1:
        ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + span - 1)


def _page_setup(ws: Worksheet, widths: Sequence[float], last_row: int) -> None:
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[col_letter(i)].width = w
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.top = ws.page_margins.bottom = 1.0
    ws.print_area = f"A1:{col_letter(len(widths))}{last_row}"


def _lines(text: str, width: float, size: int) -> int:
    """Lines that ``text`` wraps to in a cell ``width`` characters wide at font ``size``."""
    per_line = max(1.0, width * 11 / size)
    return sum(max(1, -(-label_width(part) // int(per_line))) for part in text.split("\n"))


def write_letter_sheet(ws: Worksheet, form: FormSchema, *, unit: str = "", dept: str = "", person: str = "") -> None:
    """附件2 使用正版软件承诺书 as one printable page (blanks where the person is not known)."""
    letter = form.extra["letter"]
    widths = letter["widths"]
    span = len(widths)
    total = sum(widths)
    _put(ws, 1, 1, form.title, size=20, bold=True, align="center", span=span)
    ws.row_dimensions[1].height = 60
    r = 2
    fields = {"unit": unit or BLANK_LINE * 3, "dept": dept or BLANK_LINE * 3, "person": person or BLANK_LINE * 3}
    for line in letter["heading"]:
        r += 1
        _put(ws, r, 1, line.format(**fields), size=14, span=span)
        ws.row_dimensions[r].height = 26
    r += 1
    for para in letter["body"]:
        r += 1
        text = "　　" + para
        _put(ws, r, 1, text, size=14, valign="top", span=span)
        ws.row_dimensions[r].height = 26 * _lines(text, total, 14)
    r += 2
    ws.row_dimensions[r].height = 40
    r += 1
    _put(ws, r, span - 1, letter["signature"], size=14, span=2)
    ws.row_dimensions[r].height = 30
    r += 1
    _put(ws, r, span - 1, letter["date"], size=14, align="right", span=2)
    ws.row_dimensions[r].height = 30
    _page_setup(ws, widths, r)


def _shown(form: FormSchema, key: str, value: object) -> str:
    col = form.column(key)
    if col.values:  # every choice with a box, the chosen one filled
        chosen = col.canonical_value(str(value)) if value not in (None, "") else None
        return "　".join(f"{CHECKED if v == chosen else UNCHECKED} {v}" for v in col.values)
    if isinstance(value, dt.date) or (col.type == "date" and value in (None, "")):
        return date_text(value if isinstance(value, dt.date) else None)
    return "" if value is None else str(value)


def _label(form: FormSchema, key: str) -> str:
    """A printout label: an enumerated column's choices are shown as boxes, not in its label."""
    col = form.column(key)
    return col.label.split("（")[0] if col.values else col.label


def write_printout_sheet(
    ws: Worksheet, form: FormSchema, values: Mapping[str, object] | None = None, *, unit: str = ""
) -> None:
    """One request (附件10) or confirmation (附件11) as a printable page, from a register row.

    The layout is the schema's ``[printout]``: label/value pairs two to a row, full-width rows,
    tall rows with room to write, and the signature and date lines at their foot.
    """
    values = values or {}
    spec = form.extra["printout"]
    widths = spec["widths"]
    span = len(widths)
    _put(ws, 1, 1, form.title, size=20, bold=True, align="center", span=span)
    ws.row_dimensions[1].height = 50
    seq = values.get("seq")
    head = f"单位名称（盖章）：{unit or BLANK_LINE * 3}"
    head += f"　　　　编号：{seq}" if seq not in (None, "") else f"　　　　编号：{BLANK_LINE}"
    _put(ws, 2, 1, head, size=11, span=span)
    ws.row_dimensions[2].height = 24
    r = 2
    tall: Mapping[str, float] = spec.get("tall", {})
    signs: Mapping[str, str] = spec.get("signs", {})
    for keys in spec["rows"]:
        r += 1
        height = 36.0
        if len(keys) == 1:
            key = keys[0]
            text = _shown(form, key, values.get(key))
            if key in signs:
                text = (text + "\n\n" if text else "") + signs[key]
            _put(ws, r, 1, _label(form, key), bold=True, align="center", box=True)
            _put(ws, r, 2, text, valign="bottom" if key in signs else "center", box=True, span=span - 1)
            height = max(height, tall.get(key, 0))
        else:
            for i, key in enumerate(keys):
                _put(ws, r, 1 + 2 * i, _label(form, key), bold=True, align="center", box=True)
                _put(ws, r, 2 + 2 * i, _shown(form, key, values.get(key)), box=True)
                height = max(height, tall.get(key, 0))
        ws.row_dimensions[r].height = height
    for note in spec.get("notes", ()):
        r += 1
        _put(ws, r, 1, note, size=10, span=span)
        ws.row_dimensions[r].height = 18 * _lines(note, sum(widths), 10) + 8
    _page_setup(ws, widths, r)


# --- 附件5 ---------------------------------------------------------------------------------


def write_attachment5_template(ws: Worksheet, form: FormSchema) -> None:
    """附件5 empty, from the blocks of ``schemas/附件5.toml`` (``zbtz report`` fills the same blocks)."""
    x = form.extra
    width = 7
    _put(ws, 1, 1, form.title, size=16, bold=True, align="center", span=width)
    ws.row_dimensions[1].height = 30
    date = date_text(None, x.get("date_format", DATE_FORMAT))
    _put(
        ws,
        2,
        1,
        x["sign_line"].format(unit=BLANK_LINE, filler=BLANK_LINE, phone=BLANK_LINE, date=date),
        size=10,
        span=width,
    )
    r = 2
    for block in x["blocks"]:
        r += 1
        if block["kind"] == "pairs":
            _put(ws, r, 1, block["group"], size=10, bold=True, align="center", box=True)
            col = 2
            for item in block["items"]:
                _put(ws, r, col, item["label"], size=10, align="center", box=True)
                _put(ws, r, col + 1, None, size=10, align="center", box=True)
                col += 2
            for c in range(col, width + 1):
                ws.cell(r, c).border = _BOX
            ws.row_dimensions[r].height = 30
        else:
            top = r
            cols = block["columns"]
            for j, c in enumerate(cols):
                last = j == len(cols) - 1
                _put(
                    ws,
                    r,
                    2 + j,
                    c["label"],
                    size=10,
                    bold=True,
                    align="center",
                    box=True,
                    span=width - 1 - j if last else 1,
                )
            for label in (*x["categories"], block.get("total", "合计")):
                r += 1
                for j in range(len(cols)):
                    last = j == len(cols) - 1
                    _put(
                        ws,
                        r,
                        2 + j,
                        label if j == 0 else None,
                        size=10,
                        align="center",
                        box=True,
                        span=width - 1 - j if last else 1,
                    )
            _put(ws, top, 1, block["group"], size=10, bold=True, align="center", box=True)
            ws.merge_cells(start_row=top, start_column=1, end_row=r, end_column=1)
            for rr in range(top, r + 1):
                ws.cell(rr, 1).border = _BOX
    for note in x.get("notes", ()):
        r += 1
        _put(ws, r, 1, note, size=9, span=width)
        ws.row_dimensions[r].height = 14 * _lines(note, 96, 9) + 4
    widths = (12, 16, 12, 18, 12, 14, 12)
    _page_setup(ws, widths, r)
    ws.page_setup.fitToHeight = 0


# --- the template files --------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """One template file: its name and the sheets it holds (sheet name, writer)."""

    form: str

    @property
    def file_name(self) -> str:
        sch = schema(self.form)
        return f"{sch.form}.xlsx" if sch.form == sch.title else f"{sch.form} {sch.title}.xlsx"

    def sheets(self) -> list[tuple[str, Callable[[Worksheet], None]]]:
        form = schema(self.form)
        if self.form == "附件2":
            reg = schema("承诺书签署登记")
            return [
                (form.sheet, lambda ws: write_letter_sheet(ws, form)),
                (sheet_name(reg), lambda ws: write_table_sheet(ws, reg)),
            ]
        if self.form == "附件5":
            return [(form.sheet, lambda ws: write_attachment5_template(ws, form))]
        if self.form == "附件9":
            return [(sheet_name(form, "软件编号"), lambda ws: write_table_sheet(ws, form))]
        out = [(sheet_name(form), lambda ws: write_table_sheet(ws, form))]
        if "printout" in form.extra:
            blank = form.extra["printout"]["sheet"].format(seq="（空白）")
            out.append((blank, lambda ws: write_printout_sheet(ws, form)))
        return out

    def workbook(self) -> Workbook:
        wb = Workbook()
        wb.remove(wb.active)
        for name, write in self.sheets():
            write(wb.create_sheet(name))
        wb.properties.created = STAMP
        wb.properties.creator = "正版台账工具箱"
        return wb


TEMPLATES = tuple(Template(f) for f in (*(f"附件{i}" for i in range(1, 12)), "计算机清单"))


def write_templates(folder: str | Path, *, force: bool = False) -> list[Path]:
    """Write every template into ``folder`` (created if needed); the same bytes every time.

    Existing files are replaced only with ``force``; every name is checked before any is written.
    """
    out = make_dirs(folder)
    paths = [claim_output(out / t.file_name, force=force) for t in TEMPLATES]
    for t, path in zip(TEMPLATES, paths, strict=True):
        save_workbook(t.workbook(), path, STAMP)
    return paths


def new_ledger(path: str | Path, unit: str, *, overwrite: bool = False, rows: int = NEW_LEDGER_ROWS) -> Path:
    """A new ledger workbook: 附件6, 附件7, 附件8, 计算机清单 and the registers (附件10 申请登记, 附件11 确认登记,
    承诺书签署登记) ready to fill, ``unit`` on every sign line and ``rows`` bordered rows in each table.

    附件6, 附件7, 附件8 and 计算机清单 to fill in, and the 附件10/附件11 and 承诺书签署登记
    registers that ``zbtz print`` prints from. 附件9 sheets are not made here: ``zbtz number``
    adds one per 软件编号 once 附件7 has rows.
    """
    target = Path(path)
    if target.suffix.lower() not in (".xlsx", ".xlsm"):
        raise TemplateError(f"“{target.name}”的扩展名应为 .xlsx。")
    claim_output(target, force=overwrite)
    wb = Workbook()
    wb.remove(wb.active)
    taken: list[str] = []
    for name in NEW_LEDGER_FORMS:
        form = schema(name)
        sheet = sheet_name(form, taken=taken)
        taken.append(sheet)
        write_table_sheet(wb.create_sheet(sheet), form, unit=unit, blank_rows=rows)
    wb.properties.creator = "正版台账工具箱"
    save_workbook(wb, target)
    return target
