"""Rendering a :class:`Reconciliation`: text for the terminal and the print-ready 核查结果 workbook.

The workbook has four sheets, each A4 landscape, fitted to the page width, its title and header
rows repeated on every printed page: 按计算机, 按软件, 问题清单 and 待认定名称 (the work list
of names the 别名表 does not know yet). It is a new file written through
:func:`toolkit.render.xlsx.write_atomic` (temporary file and rename; refused while open).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from toolkit.files import mark_output
from toolkit.findings import SEVERITY_ZH
from toolkit.forms.layout import label_width
from toolkit.render.xlsx import write_atomic
from toolkit.scans.build import BuildResult
from toolkit.scans.reconcile import Reconciliation
from toolkit.textsafe import text_only

_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD = PatternFill("solid", fgColor="DDEBF7")
_BAD = PatternFill("solid", fgColor="FCE4D6")
_WRAP = Alignment(vertical="top", wrap_text=True)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_FONT = "宋体"

# code → short column label on the 按计算机 sheet, in column order
COMPUTER_CODES = (
    ("PZ1.2U", "未登记"),
    ("TZ2.2S", "未列入附件8"),
    ("TZ2.2M", "附件8未找到"),
    ("AZ2.1", "版本超出"),
    ("PZ1.1P", "个人/家庭版"),
    ("PZ1.2", "清单外免费"),
)

COMPUTER_SHEET, SOFTWARE_SHEET, FINDINGS_SHEET, UNKNOWN_SHEET = "按计算机", "按软件", "问题清单", "待认定名称"


def render_text(rec: Reconciliation) -> str:
    """Findings one a line, then the counts."""
    lines = []
    for f in rec.report.findings:
        where = f"{f.sheet}!{f.cell}" if f.sheet and f.cell else Path(f.workbook).name
        lines.append(f"{f.rule:<7} {SEVERITY_ZH[f.severity]}  {where}  {f.message}")
    if rec.unknown:
        lines.append(
            f"别名表不认识的名称 {len(rec.unknown)} 个（见核查结果“{UNKNOWN_SHEET}”表或 JSON 的 unknown_names）："
        )
        for u in rec.unknown[:10]:
            lines.append(f"  {u.name}（{u.count} 台，例如 {u.example}）")
        if len(rec.unknown) > 10:
            lines.append(f"  ……另有 {len(rec.unknown) - 10} 个")
    st = rec.report.stats
    verdict = "一致" if rec.report.valid else "不一致"
    lines.append(
        f"核对 {rec.scan_files} 个扫描文件（{rec.failed_files} 个无法使用），对应到 {rec.scanned_computers} 台计算机"
        f"（台账共 {len(rec.computers)} 台）：错误 {st['errors']} 个，警告 {st['warnings']} 个 —— {verdict}"
    )
    return "\n".join(lines)


def build_text(result: BuildResult) -> str:
    """What ``import --from-scans`` wrote, and the files it could not use."""
    lines = [f"{f.rule:<7} {SEVERITY_ZH[f.severity]}  {f.message}" for f in result.failures]
    lines.append(
        f"已生成台账：{result.path}（{result.computers} 台计算机，{result.numbers} 个软件编号，"
        f"{result.unknown} 个名称待认定）。请运行 zbtz check {result.path} 逐项补全。"
    )
    return "\n".join(lines)


def _sheet(
    ws: Worksheet,
    title: str,
    note: str,
    headers: Sequence[str],
    widths: Sequence[float],
    rows: Sequence[Sequence[object]],
    bad: Sequence[bool] | None = None,
) -> None:
    """A titled, boxed table set up for printing on A4 landscape, one page wide."""
    n = len(headers)
    ws.cell(1, 1, title).font = Font(name=_FONT, size=14, bold=True)
    ws.cell(1, 1).alignment = _CENTER
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    ws.row_dimensions[1].height = 26
    ws.cell(2, 1, note).font = Font(name=_FONT, size=9)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=n)
    for c, h in enumerate(headers, 1):
        cell = ws.cell(3, c, h)
        cell.font = Font(name=_FONT, size=10, bold=True)
        cell.fill = _HEAD
        cell.border = _BOX
        cell.alignment = _CENTER
    ws.row_dimensions[3].height = 12.5 * max(_lines(h, w * 0.9) for h, w in zip(headers, widths, strict=True))
    body = Font(name=_FONT, size=9)
    for r, values in enumerate(rows, 4):
        flagged = bool(bad and bad[r - 4])
        ws.row_dimensions[r].height = 12 * max(_lines(v, w) for v, w in zip(values, widths, strict=False))
        for c, v in enumerate(values, 1):
            cell = ws.cell(r, c, v)
            if isinstance(v, str) and v.startswith("="):
                cell.data_type = "s"  # text, never a formula
            cell.font = body
            cell.border = _BOX
            cell.alignment = _WRAP
            if flagged:
                cell.fill = _BAD
    for c, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = w
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:3"
    ws.freeze_panes = "A4"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _lines(value: object, width: float) -> int:
    """Printed lines a wrapped cell needs at 9 pt (LibreOffice and Excel do not grow a row on their own)."""
    if value is None or value == "":
        return 1
    return max(1, math.ceil(label_width(str(value)) * 0.95 / max(width - 1, 1)))


def reconciliation_workbook(rec: Reconciliation) -> Workbook:
    """The 核查结果 workbook of one reconcile."""
    wb = Workbook()
    note = (
        f"台账：{Path(rec.ledger).name}    单位：{rec.unit or '＿＿'}    核对日期：{rec.report.as_of.isoformat()}    "
        f"扫描文件 {rec.scan_files} 个（{rec.failed_files} 个无法使用），对应计算机 {rec.scanned_computers} 台"
    )
    ws = wb.active
    ws.title = COMPUTER_SHEET
    codes = [c for c, _ in COMPUTER_CODES]
    rows, bad = [], []
    for i, c in enumerate(rec.computers, 1):
        other = sum(n for code, n in c.counts.items() if code not in codes)
        rows.append(
            [
                i,
                c.computer,
                c.host or "",
                c.user or "",
                c.dept or "",
                Path(c.scan).name if c.scan else "（无扫描）",
                c.products,
                *[c.counts.get(code) or "" for code in codes],
                other or "",
            ]
        )
        bad.append(sum(c.counts.values()) > 0)
    _sheet(
        ws,
        "软件安装核查结果（按计算机）",
        note,
        [
            "序号",
            "计算机编号",
            "主机名",
            "使用人",
            "部门",
            "扫描文件",
            "软件数",
            *[lab for _, lab in COMPUTER_CODES],
            "其他",
        ],
        [5, 12, 13, 8, 12, 20, 6, 7, 8, 8, 7, 8, 7, 6],
        rows,
        bad,
    )
    ws = wb.create_sheet(SOFTWARE_SHEET)
    rows = [
        [
            i,
            s.product,
            s.category,
            s.kind,
            s.computers,
            "、".join(s.numbers),
            s.licences if s.licences is not None else "",
            s.registered,
            "；".join(f"{k} {v}" for k, v in sorted(s.problems.items())),
        ]
        for i, s in enumerate(rec.software, 1)
    ]
    _sheet(
        ws,
        "软件安装核查结果（按软件）",
        note,
        [
            "序号",
            "软件（规范名称）",
            "软件类别",
            "软件类型",
            "安装计算机数",
            "台账软件编号",
            "许可数量",
            "台账登记",
            "问题",
        ],
        [5, 28, 9, 9, 8, 16, 7, 13, 28],
        rows,
        [bool(s.problems) for s in rec.software],
    )
    ws = wb.create_sheet(FINDINGS_SHEET)
    rows = [
        [
            i,
            f.rule,
            SEVERITY_ZH[f.severity],
            f"{f.sheet}!{f.cell}" if f.sheet and f.cell else Path(f.workbook).name,
            f.message,
        ]
        for i, f in enumerate(rec.report.findings, 1)
    ]
    if not rows:
        rows = [["", "", "", "", "未发现问题"]]
    _sheet(ws, "软件安装核查问题清单", note, ["序号", "规则", "级别", "位置", "说明"], [5, 8, 6, 22, 95], rows)
    ws = wb.create_sheet(UNKNOWN_SHEET)
    rows = [
        [i, u.name, u.publisher, u.key, u.count, u.example, u.suggestion, "是" if u.registered else "否"]
        for i, u in enumerate(rec.unknown, 1)
    ]
    _sheet(
        ws,
        "待认定名称（别名表尚不认识，请在台账“别名表”工作表中补充）",
        note,
        ["序号", "扫描到的名称", "发布者", "键名/包名", "计算机数", "例如", "建议产品名称", "台账中已有同名"],
        [5, 34, 18, 22, 7, 12, 22, 9],
        rows,
    )
    return wb


def write_reconciliation(
    rec: Reconciliation, target: str | Path, *, inputs: Iterable[str | Path] = (), force: bool = False
) -> Path:
    """Write the 核查结果 workbook to ``target`` (not an input; an existing file only with ``force``)."""
    wb = reconciliation_workbook(rec)
    mark_output(wb, "核查结果")
    return write_atomic(target, text_only(wb).save, inputs=inputs, force=force)
