"""What ``check --annotate`` writes into a workbook, as data (docs/cli.md, "Annotation").

:func:`plan_annotation` turns a :class:`Report` into an :class:`AnnotationPlan`: the rows of the
``校验结果`` sheet with a hyperlink per located finding, and one :class:`Mark` (fill colour and
note text) per located cell. Backends apply the plan: the package writer for a file
(:mod:`toolkit.plans.rollup`) and xlwings for a workbook open in Excel (:mod:`toolkit.excel`), so
both write the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.cellref import parse_a1, sheet_ref
from toolkit.findings import ERROR, SEVERITY_ZH, Finding, Report
from toolkit.textwidth import text_lines

RESULT_SHEET = "校验结果"
AUTHOR = "正版台账工具箱"
FILLS = {"error": "FFFFC7CE", "warning": "FFFFEB9C"}  # light red, light yellow
RESULT_HEADER = ["序号", "规则", "级别", "工作表", "单元格", "说明"]
RESULT_WIDTHS = {1: 6, 2: 9, 3: 6, 4: 18, 5: 8, 6: 80}
RESULT_WRAP = (4, 6)  # 工作表 and 说明 wrap: the sheet prints one page wide


@dataclass(frozen=True)
class Mark:
    """A located cell to fill and annotate (several findings on one cell make one mark)."""

    sheet: str
    row: int
    col: int
    severity: str
    text: str

    @property
    def fill(self) -> str:
        return FILLS[self.severity]


@dataclass
class AnnotationPlan:
    """Everything one annotation writes."""

    rows: list[list[object]]
    links: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) of 校验结果 → location
    marks: list[Mark] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=lambda: dict(RESULT_WIDTHS))
    heights: dict[int, float] = field(default_factory=dict)  # row of 校验结果 -> points, where text wraps


def plan_annotation(report: Report, workbook: str | None = None, sheets: set[str] | None = None) -> AnnotationPlan:
    """The plan for one workbook (``workbook`` filters a multi-workbook report).

    ``sheets``, when given, are the workbook's sheet names: a finding located on a sheet that
    does not exist (it cannot be) gets no mark and no link, only its row.
    """
    findings = [f for f in report.findings if workbook is None or f.workbook == workbook]
    rows: list[list[object]] = [list(RESULT_HEADER)]
    links: dict[tuple[int, int], str] = {}
    by_cell: dict[tuple[str, int, int], list[Finding]] = {}
    for i, f in enumerate(findings, 1):
        rows.append([i, f.rule, SEVERITY_ZH[f.severity], f.sheet or "", f.cell or "", f.message])
        pos = parse_a1(f.cell) if f.sheet and f.cell else None
        if pos is None or (sheets is not None and f.sheet not in sheets) or f.sheet == RESULT_SHEET:
            continue
        links[(i + 1, 5)] = sheet_ref(f.sheet, f.cell)  # type: ignore[arg-type]
        by_cell.setdefault((f.sheet, *pos), []).append(f)  # type: ignore[arg-type]
    marks = []
    for (sheet, r, c), fs in by_cell.items():
        severity = ERROR if any(f.severity == ERROR for f in fs) else "warning"
        text = "\n".join(f"【{f.rule} {SEVERITY_ZH[f.severity]}】{f.message}" for f in fs)
        marks.append(Mark(sheet, r, c, severity, text))
    if len(rows) == 1:
        rows.append(["", "", "", "", "", f"未发现问题（检查日期 {report.as_of.isoformat()}）"])
    return AnnotationPlan(rows, links, marks, heights=_heights(rows))


def _heights(rows: list[list[object]]) -> dict[int, float]:
    """Row heights that show the wrapped 工作表 and 说明 text of each row whole (11-point lines)."""
    out: dict[int, float] = {}
    for i, values in enumerate(rows, 1):
        lines = max(
            (
                text_lines(str(values[c - 1]), RESULT_WIDTHS[c], 11)
                for c in RESULT_WRAP
                if c <= len(values) and values[c - 1]
            ),
            default=1,
        )
        if lines > 1:
            out[i] = 15.0 * lines + 2
    return out
