"""Writing the 附件5 workbook and the consolidated 汇总 workbook with openpyxl (new files only).

Both are renderers: they take :class:`~toolkit.stats.Stats` or
:class:`~toolkit.consolidation.Consolidation` and lay them out; no figure is computed here.
附件5's texts and order come from ``schemas/附件5.toml`` (:func:`toolkit.stats.layout`). Charts
are native Excel charts (``openpyxl.chart``), so they stay live when a person edits the data.
Files are written beside the target under a temporary name and renamed (never half-written),
and a target that Excel or WPS holds open (a ``~$`` lock file beside it) is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from toolkit.dates import BLANK_LINE, date_text
from toolkit.files import atomic_write, claim_output, make_dirs, mark_output
from toolkit.findings import SEVERITY_ZH
from toolkit.forms.layout import print_setup
from toolkit.stats import Layout, Stats, layout
from toolkit.textsafe import cell_value, text_only
from toolkit.textwidth import text_lines

if TYPE_CHECKING:
    from toolkit.consolidation import Consolidation

SUMMARY_SHEET, FINDINGS_SHEET, PRODUCTS_SHEET, CHARTS_SHEET = "汇总", "问题清单", "软件汇总", "图表"
TOP_PRODUCTS = 20
PERCENT = "0.0%"
AMOUNT = "#,##0.00"

_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_BAD_FILL = PatternFill("solid", fgColor="FCE4D6")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_NOTE = Alignment(horizontal="left", vertical="top", wrap_text=True)


# --- saving --------------------------------------------------------------------------------


def write_atomic(target: str | Path, write: Any, *, inputs: Iterable[str | Path] = (), force: bool = False) -> Path:
    """Write a new output file through :func:`toolkit.files.atomic_write`.

    Refused (:func:`toolkit.files.claim_output`): one of the ``inputs``, an existing file without
    ``force``, a read-only file, a workbook open in Excel/WPS. ``write`` receives the open binary
    file (``wb.save`` accepts one). Returns the path given.
    """
    out = Path(target)
    make_dirs(out.parent if str(out.parent) else ".")
    claim_output(out, inputs=inputs, force=force)
    atomic_write(out, write)
    return out


# --- 附件5 ---------------------------------------------------------------------------------


def _rate_cell(ws: Worksheet, row: int, col: int, rate: float | None) -> None:
    cell = ws.cell(row, col, rate if rate is not None else "—")
    if rate is not None:
        cell.number_format = PERCENT
    cell.alignment = _CENTER


def _box(ws: Worksheet, r1: int, c1: int, r2: int, c2: int) -> None:
    for row in ws.iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2):
        for cell in row:
            cell.border = _BOX
            if cell.alignment is None or not cell.alignment.wrap_text:
                cell.alignment = _CENTER


def fit_rows(ws: Worksheet, first: int, last: int, widths: list[int] | tuple[int, ...]) -> None:
    """Row heights that show each row's wrapped text whole (11-point lines)."""
    for r in range(first, last + 1):
        lines = 1
        for j, width in enumerate(widths, 1):
            v = ws.cell(r, j).value
            if isinstance(v, str) and v:
                lines = max(lines, text_lines(v, width, 11))
        if lines > 1:
            ws.row_dimensions[r].height = 15 * lines + 2


WIDTH = 7  # columns of the 附件5 sheet: group, then three label/value pairs
A5_WIDTHS = (12, 16, 12, 18, 12, 14, 12)


def write_attachment5_sheet(ws: Worksheet, stats: Stats, lay: Layout | None = None) -> None:
    """Lay 附件5 out on one sheet as ``schemas/附件5.toml`` describes it."""
    lay = lay or layout()
    ws.cell(1, 1, lay.title).font = Font(size=16, bold=True)
    ws.cell(1, 1).alignment = _CENTER
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=WIDTH)
    ws.row_dimensions[1].height = 30
    ws.cell(
        2,
        1,
        cell_value(
            lay.sign_line.format(
                unit=stats.unit or BLANK_LINE,
                filler=stats.filler or BLANK_LINE,
                phone=stats.phone or BLANK_LINE,
                date=lay.date_text(stats.as_of),
            )
        ),
    )
    ws.cell(2, 1).alignment = _LEFT
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=WIDTH)
    r = 3
    for block in lay.blocks:
        if block["kind"] == "pairs":
            r = _pairs_block(ws, r, block, stats)
        elif block["kind"] == "categories":
            r = _categories_block(ws, r, block, stats)
    guessed = stats.guessed
    notes = list(lay.notes)
    if guessed:
        numbers = "、".join(f"{n.software_no}（{n.name or ''}→{n.category_raw}）" for n in guessed)
        notes.append(lay.guessed_note.format(count=len(guessed), numbers=numbers))
    licence = lay.licence_text(stats)
    if licence:
        notes.append(licence)
    for note in notes:
        r += 1
        ws.cell(r, 1, cell_value(note)).alignment = _NOTE
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=WIDTH)
        ws.row_dimensions[r].height = 15 * text_lines(note, sum(A5_WIDTHS), 11) + 3
    for col, width in zip(range(1, WIDTH + 1), A5_WIDTHS, strict=True):
        ws.column_dimensions[get_column_letter(col)].width = width
    print_setup(ws, pages_tall=1, margins=0.5)  # one A4 page, like the form


def _pairs_block(ws: Worksheet, r: int, block: dict, stats: Stats) -> int:
    ws.cell(r, 1, block["group"]).font = Font(bold=True)
    col = 2
    for item in block["items"]:
        ws.cell(r, col, item["label"])
        value = stats.figure(item["key"])
        cell = ws.cell(r, col + 1, cell_value(value) if value is not None else "—")
        if item["key"] == "purchase_amount":
            cell.number_format = AMOUNT
        col += 2
    _box(ws, r, 1, r, WIDTH)
    return r + 1


def _categories_block(ws: Worksheet, r: int, block: dict, stats: Stats) -> int:
    cols = block["columns"]
    top = r
    for j, c in enumerate(cols):
        cell = ws.cell(r, 2 + j, c["label"])
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
    last_col = 2 + len(cols) - 1
    if last_col < WIDTH:  # the last column (备注) takes the rest of the width
        ws.merge_cells(start_row=r, start_column=last_col, end_row=r, end_column=WIDTH)
    rows = [*stats.categories, stats.total]
    for cat in rows:
        r += 1
        is_total = cat is rows[-1]
        for j, c in enumerate(cols):
            key, col = c["key"], 2 + j
            if key == "category":
                ws.cell(r, col, block.get("total", "合计") if is_total else cell_value(cat.category))
            elif key == "rate":
                _rate_cell(ws, r, col, cat.rate)
            elif key == "note":
                ws.cell(
                    r,
                    col,
                    cell_value(f"含推测类别：{'、'.join(cat.guessed)}") if cat.guessed and not is_total else None,
                )
            else:
                ws.cell(r, col, getattr(cat, key))
        if last_col < WIDTH:
            ws.merge_cells(start_row=r, start_column=last_col, end_row=r, end_column=WIDTH)
        if is_total:
            for j in range(len(cols)):
                ws.cell(r, 2 + j).font = Font(bold=True)
    ws.cell(top, 1, block["group"]).font = Font(bold=True)
    ws.merge_cells(start_row=top, start_column=1, end_row=r, end_column=1)
    _box(ws, top, 1, r, WIDTH)
    return r + 1


def write_detail_sheet(ws: Worksheet, stats: Stats, lay: Layout | None = None) -> None:
    """Every 软件编号 with its installed and genuine counts and why."""
    lay = lay or layout()
    cols = lay.detail_columns
    ws.cell(1, 1, lay.detail_title).font = Font(size=14, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(cols))
    ws.cell(1, 1).alignment = _CENTER
    ws.cell(2, 1, cell_value(f"单位：{stats.unit or '＿＿'}    统计日期：{stats.as_of.isoformat()}")).alignment = _LEFT
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(cols))
    for j, c in enumerate(cols, 1):
        cell = ws.cell(3, j, c["label"])
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
    for i, n in enumerate(stats.numbers, 4):
        values = n.to_dict()
        for j, c in enumerate(cols, 1):
            key = c["key"]
            if key == "category_source":
                v: Any = "按名称推测" if n.guessed else "附件7"
            elif key == "category":
                v = n.category_raw if n.category_raw == n.category else f"{n.category_raw}（计入{n.category}）"
            elif key == "license_count":
                v = "不限" if n.unlimited else n.license_count
            else:
                v = values.get(key)
            cell = ws.cell(i, j, cell_value(v))
            if n.installed > n.genuine:
                cell.fill = _BAD_FILL
    _box(ws, 3, 1, 3 + len(stats.numbers), len(cols))
    widths = [{"name": 28, "reason": 40, "category": 14}.get(c["key"], 11) for c in cols]
    for j, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = width
    fit_rows(ws, 3, 3 + len(stats.numbers), widths)
    ws.freeze_panes = "A4"
    print_setup(ws, landscape=True, title_rows="3:3", margins=0.4)


def attachment5_workbook(stats: Stats) -> Workbook:
    """附件5 and its per-number detail as a new workbook."""
    lay = layout()
    wb = Workbook()
    ws = wb.active
    ws.title = lay.sheet
    write_attachment5_sheet(ws, stats, lay)
    write_detail_sheet(wb.create_sheet(lay.detail_sheet), stats, lay)
    mark_output(wb, "附件5")
    return text_only(wb)


def write_attachment5(
    stats: Stats, target: str | Path, *, inputs: Iterable[str | Path] = (), force: bool = False
) -> Path:
    """Write 附件5 of one ledger to ``target`` (.xlsx)."""
    wb = attachment5_workbook(stats)
    return write_atomic(target, wb.save, inputs=inputs, force=force)


# --- the consolidated workbook -------------------------------------------------------------


def summary_columns() -> list[str]:
    """Headers of the 汇总 sheet (the category rates follow the 附件5 layout)."""
    cats = [f"{c}正版率" for c in layout().categories]
    return [
        "序号",
        "单位",
        "文件",
        "填表日期",
        "状态",
        "错误",
        "警告",
        "计算机数",
        *cats,
        "总体正版率",
        "超装软件数",
        "超装软件编号",
        "过期许可数",
        "过期许可编号",
        "本年采购（套）",
        "本年采购金额（元）",
        "说明",
    ]


HEADER_ROW = 3


def write_consolidation(
    cons: Consolidation, target: str | Path, *, inputs: Iterable[str | Path] = (), force: bool = False
) -> Path:
    """Write the supervising office's workbook: 汇总, 问题清单, 软件汇总, 图表 and 附件5 合计."""
    wb = consolidation_workbook(cons)
    return write_atomic(target, wb.save, inputs=inputs, force=force)


def consolidation_workbook(cons: Consolidation) -> Workbook:
    wb = Workbook()
    summary = wb.active
    summary.title = SUMMARY_SHEET
    findings = wb.create_sheet(FINDINGS_SHEET)
    products = wb.create_sheet(PRODUCTS_SHEET)
    charts = wb.create_sheet(CHARTS_SHEET)
    first_finding = _findings_sheet(findings, cons)
    _summary_sheet(summary, cons, first_finding)
    n_products = _products_sheet(products, cons)
    _charts_sheet(charts, summary, products, len(cons.results), n_products)
    lay = layout()
    total = wb.create_sheet(f"{lay.sheet.split()[0]} 合计")
    write_attachment5_sheet(total, cons.combined(), lay)
    mark_output(wb, "汇总")
    return text_only(wb)


def _title(ws: Worksheet, text: str, width: int, sub: str) -> None:
    ws.cell(1, 1, text).font = Font(size=14, bold=True)
    ws.cell(1, 1).alignment = _CENTER
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(2, 1, cell_value(sub)).alignment = _LEFT
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)


def _header(ws: Worksheet, row: int, labels: list[str]) -> None:
    for j, label in enumerate(labels, 1):
        cell = ws.cell(row, j, label)
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        cell.alignment = _CENTER
        cell.border = _BOX


def _link(cell: Any, sheet: str, address: str) -> None:
    """A hyperlink to a cell of this workbook."""
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{sheet}'!{address}")
    cell.font = Font(color="0563C1", underline="single")


def _summary_sheet(ws: Worksheet, cons: Consolidation, first_finding: dict[int, int]) -> None:
    cols = summary_columns()
    day = cons.as_of
    t = cons.totals
    _title(
        ws,
        f"软件正版化工作汇总表（截至 {date_text(day)}）",
        len(cols),
        f"共 {t['units']} 个单位：通过 {t['passed']} 个，未通过 {t['units'] - t['passed'] - t['unreadable']} 个，"
        f"无法读取 {t['unreadable']} 个",
    )
    _header(ws, HEADER_ROW, cols)
    n_cats = len(layout().categories)
    r = HEADER_ROW
    for i, res in enumerate(cons.results):
        r += 1
        st = res.stats
        values: list[Any] = [
            i + 1,
            res.unit,
            res.workbook,
            st.fill_date if st else None,
            res.status,
            res.errors,
            res.warnings,
            st.computers if st else None,
        ]
        rates: list[float | None] = [c.rate for c in st.categories] + [st.total.rate] if st else [None] * (n_cats + 1)
        values += rates
        if st:
            values += [
                len(st.over_deployed),
                "、".join(n.software_no for n in st.over_deployed) or None,
                len(st.expired),
                "、".join(n.software_no for n in st.expired) or None,
                st.purchase_count,
                st.purchase_amount,
                None,
            ]
        else:
            values += [None] * 6 + [res.findings[0].message if res.findings else None]
        for j, v in enumerate(values, 1):
            cell = ws.cell(r, j, cell_value(v))
            cell.border = _BOX
            if 9 <= j < 9 + n_cats + 1 and v is not None:
                cell.number_format = PERCENT
        ws.cell(r, 4).number_format = "yyyy-mm-dd"
        ws.cell(r, len(cols) - 1).number_format = AMOUNT
        if not res.readable:
            for j in range(1, len(cols) + 1):
                ws.cell(r, j).fill = _BAD_FILL
        if i in first_finding:
            _link(ws.cell(r, 6), FINDINGS_SHEET, f"A{first_finding[i]}")
    r += 1
    total = cons.total
    cats = cons.categories
    row: list[Any] = [
        "合计",
        f"{t['units']} 个单位",
        None,
        None,
        f"通过 {t['passed']}",
        t["errors"],
        t["warnings"],
        t["computers"],
        *[c.rate for c in cats],
        total.rate,
        t["over_deployed"],
        None,
        t["expired"],
        None,
        t["purchase_count"],
        t["purchase_amount"],
        None,
    ]
    for j, v in enumerate(row, 1):
        cell = ws.cell(r, j, cell_value(v))
        cell.font = Font(bold=True)
        cell.fill = _TOTAL_FILL
        cell.border = _BOX
        if 9 <= j < 9 + n_cats + 1 and v is not None:
            cell.number_format = PERCENT
    ws.cell(r, len(cols) - 1).number_format = AMOUNT
    named = {"单位": 20, "文件": 24, "填表日期": 12, "超装软件编号": 16, "过期许可编号": 16, "说明": 30}
    widths = [named.get(label, 9) for label in cols]
    for j, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = width
    for j in range(1, len(cols) + 1):
        ws.cell(HEADER_ROW, j).alignment = _CENTER
        for rr in range(HEADER_ROW + 1, r + 1):
            ws.cell(rr, j).alignment = _LEFT if cols[j - 1] in named else _CENTER
    fit_rows(ws, HEADER_ROW, r, widths)
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 3)
    print_setup(ws, landscape=True, title_rows=f"{HEADER_ROW}:{HEADER_ROW}", margins=0.3)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(cols))}{HEADER_ROW + len(cons.results)}"


FINDING_COLUMNS = ["序号", "单位", "文件", "规则", "级别", "工作表", "单元格", "说明"]


def _findings_sheet(ws: Worksheet, cons: Consolidation) -> dict[int, int]:
    """Every finding, its unit linked to the unit's row on 汇总; returns unit index → first row."""
    _title(ws, "问题清单", len(FINDING_COLUMNS), f"共 {cons.totals['errors']} 个错误、{cons.totals['warnings']} 个警告")
    _header(ws, HEADER_ROW, FINDING_COLUMNS)
    r = HEADER_ROW
    first: dict[int, int] = {}
    for i, res in enumerate(cons.results):
        for f in res.findings:
            r += 1
            first.setdefault(i, r)
            values = [
                r - HEADER_ROW,
                res.unit,
                res.workbook,
                f.rule,
                SEVERITY_ZH[f.severity],
                f.sheet,
                f.cell,
                f.message,
            ]
            for j, v in enumerate(values, 1):
                ws.cell(r, j, cell_value(v)).border = _BOX
            _link(ws.cell(r, 2), SUMMARY_SHEET, f"B{HEADER_ROW + 1 + i}")
            if f.severity == "error":
                ws.cell(r, 5).font = Font(color="C00000")
    widths = (6, 16, 24, 8, 6, 16, 8, 70)
    for j, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = width
        for rr in range(HEADER_ROW + 1, r + 1):
            ws.cell(rr, j).alignment = _LEFT
    fit_rows(ws, HEADER_ROW + 1, r, widths)
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    print_setup(ws, landscape=True, title_rows=f"{HEADER_ROW}:{HEADER_ROW}", margins=0.3)
    if r > HEADER_ROW:
        ws.auto_filter.ref = f"A{HEADER_ROW}:H{r}"
    return first


PRODUCT_COLUMNS = ["软件名称", "软件类型", "软件类别", "单位数", "安装数量", "许可数量", "正版数量", "正版率"]


def _products_sheet(ws: Worksheet, cons: Consolidation) -> int:
    _title(
        ws,
        "各单位软件装机与许可汇总",
        len(PRODUCT_COLUMNS),
        "按软件名称合并各单位；许可数量：场地许可、并发许可按安装数计，OEM、免费软件为正版安装数",
    )
    _header(ws, HEADER_ROW, PRODUCT_COLUMNS)
    products = cons.products()
    for i, p in enumerate(products, HEADER_ROW + 1):
        rate = p.genuine / p.installed if p.installed else None
        for j, v in enumerate([p.name, p.sw_type, p.category, p.units, p.installed, p.licensed, p.genuine, rate], 1):
            cell = ws.cell(i, j, cell_value(v))
            cell.border = _BOX
        if rate is not None:
            ws.cell(i, 8).number_format = PERCENT
    widths = (30, 10, 10, 8, 10, 10, 10, 9)
    for j, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = width
    fit_rows(ws, HEADER_ROW + 1, HEADER_ROW + len(products), widths)
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    print_setup(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    return len(products)


CHART_WIDTH = 25.0  # cm: one landscape A4 page wide
CHART_HEIGHT = 16.0  # cm: one landscape A4 page tall, below the sheet's title
CHART_ROWS = 34  # rows (15 points each) below a chart's anchor that hold CHART_HEIGHT
LABELLED_PRODUCTS = 10  # more columns than this and their value labels would overlap


def _small_text(size: int) -> RichText:
    """Chart text properties at ``size`` points."""
    return RichText(
        p=[
            Paragraph(
                pPr=ParagraphProperties(defRPr=CharacterProperties(sz=size * 100)), endParaRPr=CharacterProperties()
            )
        ]
    )


def _labels(position: str) -> DataLabelList:
    """Value labels outside the bars, in small type, without series or category names."""
    labels = DataLabelList()
    labels.showVal = True
    labels.showSerName = labels.showCatName = labels.showLegendKey = labels.showPercent = False
    labels.position = position
    labels.txPr = _small_text(8)
    return labels


def _charts_sheet(ws: Worksheet, summary: Worksheet, products: Worksheet, n_units: int, n_products: int) -> None:
    """Two native charts: genuine rate per unit; installed against licensed per product."""
    ws.cell(1, 1, "图表（数据来自“汇总”与“软件汇总”工作表，修改数据后图表随之更新）").font = Font(bold=True)
    if n_units:
        rate_col = summary_columns().index("总体正版率") + 1
        chart = BarChart()
        chart.type = "bar"
        chart.style = 10
        chart.title = "各单位软件正版率"
        chart.y_axis.title = "正版率"
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
        chart.x_axis.scaling.orientation = "maxMin"  # first unit on top
        data = Reference(summary, min_col=rate_col, min_row=HEADER_ROW, max_row=HEADER_ROW + n_units)
        cats = Reference(summary, min_col=2, min_row=HEADER_ROW + 1, max_row=HEADER_ROW + n_units)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(cats)
        chart.legend = None
        chart.width = CHART_WIDTH
        chart.height = min(CHART_HEIGHT, max(8.0, 0.5 * n_units))
        chart.dataLabels = _labels("outEnd")
        ws.add_chart(chart, "A3")
    if n_products:
        top = min(n_products, TOP_PRODUCTS)
        chart2 = BarChart()
        chart2.type = "col"
        chart2.grouping = "clustered"
        chart2.style = 10
        chart2.title = f"各单位合计：安装数量与许可数量（安装最多的 {top} 种软件）"
        chart2.y_axis.title = "套数"
        data = Reference(products, min_col=5, max_col=6, min_row=HEADER_ROW, max_row=HEADER_ROW + top)
        cats = Reference(products, min_col=1, min_row=HEADER_ROW + 1, max_row=HEADER_ROW + top)
        chart2.add_data(data, titles_from_data=True)
        chart2.set_categories(cats)
        chart2.dataLabels = _labels("outEnd") if top <= LABELLED_PRODUCTS else None
        chart2.gapWidth = 60
        chart2.width = CHART_WIDTH
        chart2.height = 13
        chart2.x_axis.txPr = _small_text(8)
        # below the first chart, on a page of its own: a chart is never split between pages
        anchor_row = 3 + (CHART_ROWS if n_units else 0)
        if n_units:
            ws.row_breaks.append(Break(id=anchor_row - 2))
        ws.add_chart(chart2, f"A{anchor_row}")
    print_setup(ws, landscape=True)
