"""Plain-text renderings for the terminal: a check report, a roll-up, 附件5 figures, a consolidation, an import.

In a check report, findings that repeat one cause are collapsed into one line with a count and
the command that fixes them: the same rule at the same cell (``附件8!A1`` for every computer
附件8 lacks), or many findings of one rule on one sheet (the first few are shown). The detail
stays in the JSON output and in the 校验结果 sheet of ``--annotate``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from toolkit.dates import date_text
from toolkit.files import shown_path
from toolkit.findings import REGISTRY, SEVERITY_ZH, Finding, Report
from toolkit.stats import Stats, layout

if TYPE_CHECKING:
    from toolkit.consolidation import Consolidation
    from toolkit.imports.importer import ImportResult
    from toolkit.write.edit import RollupResult


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _v(value: object) -> str:
    return "—" if value is None else f"{value:,.2f}" if isinstance(value, float) else str(value)


def stats_text(stats: Stats) -> str:
    """附件5 of one ledger, one figure per line."""
    lay = layout()
    lines = [f"{lay.title}（{stats.unit or stats.workbook}，截至 {stats.as_of.isoformat()}）"]
    for block in lay.blocks:
        if block["kind"] == "pairs":
            items = "  ".join(f"{i['label']} {_v(stats.figure(i['key']))}" for i in block["items"])
            lines.append(f"  {block['group']}：{items}")
        else:
            lines.append(f"  {block['group']}：")
            for cat in [*stats.categories, stats.total]:
                mark = f"（含推测类别：{'、'.join(cat.guessed)}）" if cat.guessed and cat.category != "合计" else ""
                lines.append(
                    f"    {cat.category:<6} 安装 {cat.installed:>4}  正版 {cat.genuine:>4}  正版率 "
                    f"{_pct(cat.rate)}{mark}"
                )
    if stats.over_deployed:
        lines.append("  超出许可数量：" + "、".join(n.software_no for n in stats.over_deployed))
    if stats.expired:
        lines.append("  许可已过期仍在使用：" + "、".join(n.software_no for n in stats.expired))
    licence = layout().licence_text(stats)
    if licence:
        lines.append("  " + licence)
    return "\n".join(lines)


def consolidation_text(cons: Consolidation) -> str:
    """One line per ledger, then the totals."""
    lines = []
    for r in cons.results:
        st = r.stats
        if st is None:
            lines.append(f"{r.unit}（{r.workbook}）：无法读取 —— {r.findings[0].message if r.findings else ''}")
            continue
        lines.append(
            f"{r.unit}（{r.workbook}）：{r.status}，错误 {r.errors}、警告 {r.warnings}，"
            f"计算机 {_v(st.computers)} 台，正版率 {_pct(st.total.rate)}"
        )
    t = cons.totals
    lines.append(
        f"共 {t['units']} 个台账：通过 {t['passed']}，无法读取 {t['unreadable']}；错误 {t['errors']} 个，"
        f"警告 {t['warnings']} 个；计算机 {t['computers']} 台，总体正版率 {_pct(cons.total.rate)}"
    )
    return "\n".join(lines)


SAME_CELL = 3  # this many findings of one rule at one cell become one line
SAME_RULE = 8  # more findings of one rule on one sheet than this: the first SHOWN, then a count
SHOWN = 3

# What fixes the findings of a rule that a command can fix (said once, with the count).
FIXES = {
    "TZ2.2": "可运行 zbtz rollup 重建附件8",
    "TZ1.13": "可运行 zbtz rollup 重算附件7 的安装数量",
    "TZ1.1": "可运行 zbtz rollup 重算使用计算机人数",
    "TZ1.11": "可运行 zbtz rollup 按计算机清单重算",
}
# The collapsed line of a rule whose findings all stand at one cell.
SUMMARIES = {"TZ2.2": "附件8 与附件9 不一致 {n} 处"}
ROLLUP_RULES = frozenset(FIXES)


def _collapsed(rule: str, items: list[Finding]) -> str:
    what = SUMMARIES.get(rule, f"{REGISTRY[rule].title} {{n}} 处").format(n=len(items))
    fix = FIXES.get(rule)
    return (
        f"{what}，{fix}（逐条明细见 --format json 或 --annotate 写入的“校验结果”表）"
        if fix
        else (f"{what}（逐条明细见 --format json 或 --annotate 写入的“校验结果”表）")
    )


def _line(cell: str | None, rule: str, severity: str, message: str) -> str:
    return f"    {cell or '—':<7} {rule:<7} {SEVERITY_ZH[severity]}  {message}"


def sheet_lines(items: Iterable[Finding]) -> list[str]:
    """The lines of one sheet's findings, repeats collapsed."""
    findings = list(items)
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule, []).append(f)
    lines: list[str] = []
    done: set[str] = set()
    for f in findings:
        if f.rule in done:
            continue
        same = by_rule[f.rule]
        cells = {g.cell for g in same}
        if len(same) >= SAME_CELL and len(cells) == 1:
            done.add(f.rule)
            lines.append(_line(f.cell, f.rule, f.severity, _collapsed(f.rule, same)))
        elif len(same) > SAME_RULE:
            done.add(f.rule)
            lines.extend(_line(g.cell, g.rule, g.severity, g.message) for g in same[:SHOWN])
            lines.append(_line("……", f.rule, f.severity, "另有" + _collapsed(f.rule, same[SHOWN:])))
        else:
            lines.append(_line(f.cell, f.rule, f.severity, f.message))
    return lines


def report_text(report: Report) -> str:
    """Findings grouped by workbook and sheet, repeats collapsed, then skipped rules and a summary."""
    lines: list[str] = []
    by_book: dict[str, dict[str | None, list[Finding]]] = {}
    for f in report.findings:
        by_book.setdefault(f.workbook, {}).setdefault(f.sheet, []).append(f)
    for book in report.workbooks:
        sheets = by_book.get(book)
        if not sheets:
            lines.append(f"{book}：未发现问题")
            continue
        lines.append(f"{book}")
        for sheet, items in sheets.items():
            lines.append(f"  [{sheet or '整个工作簿'}]")
            lines.extend(sheet_lines(items))
        if any(f.rule in ROLLUP_RULES for items in sheets.values() for f in items):
            lines.append(
                f"  提示：附件7、附件8 与附件9 不一致时，先运行 zbtz rollup {book} --in-place 按附件9 重新汇"
                "总，再检查。"
            )
    skipped: dict[tuple[str, str], list[str]] = {}
    for s in report.skipped:
        skipped.setdefault((s.rule, s.reason), []).append(s.workbook)
    for (rule, reason), books in skipped.items():
        where = f"（{len(books)} 个台账）" if len(report.workbooks) > 1 else ""
        lines.append(f"未执行 {rule}：{reason}{where}")
    if report.files is not None:
        checked = sum(f.status == "checked" for f in report.files)
        lines.append(
            f"文件夹中共 {len(report.files)} 个表格文件：检查 {checked} 个，跳过 {len(report.files) - checked} 个"
        )
        for fs in report.files:
            lines.append(
                f"  已检查  {fs.workbook}" if fs.status == "checked" else f"  已跳过  {fs.workbook}：{fs.reason}"
            )
    if report.nothing_checked:
        lines.append("没有可检查的台账：文件夹中没有能读取的表格文件（.xlsx/.xlsm/.xls/.xlsb/.et/.ods）—— 未通过")
        return "\n".join(lines)
    st = report.stats
    verdict = "通过" if report.valid else "未通过"
    lines.append(f"共检查 {st['workbooks']} 个台账：错误 {st['errors']} 个，警告 {st['warnings']} 个 —— {verdict}")
    return "\n".join(lines)


def rollup_text(result: RollupResult) -> str:
    """What a roll-up changed, for a person."""
    plan = result.plan
    lines = [f"已汇总（截至 {plan.as_of.isoformat()}），写入：{shown_path(result.written)}"]
    if result.backup:
        lines.append(f"原文件已备份为：{shown_path(result.backup)}")
    if plan.installed:
        lines.append("附件7 安装数量：")
        for c in plan.installed:
            old = "（空）" if c.old is None else c.old
            lines.append(f"  {c.number:<12} {old} → {c.new}")
    for count in plan.counts:
        lines.append(f"附件7 {count.label}：{count.old if count.old is not None else '（空）'} → {count.new}")
    rows = len(plan.detail.rows) if plan.detail else 0
    lines.append(f"附件8：共 {rows} 行，新增 {len(plan.added)} 行，删除 {len(plan.removed)} 行")
    for sign, items in (("+", plan.added), ("-", plan.removed)):
        for computer, number in items:
            lines.append(f"  {sign} {computer}  {number or '（无软件）'}")
    if plan.fill_dates:
        lines.append(f"填表日期：{date_text(plan.as_of)}")
    for note in plan.notes:
        lines.append(f"注意：{note}")
    if not plan.changed:
        lines.append("安装数量、人数和附件8 明细均无变化。")
    return "\n".join(lines)


def import_text(result: ImportResult) -> str:
    """What an import read and wrote, for a person."""
    from toolkit.imports.recognise import SHAPE_ZH  # here: the imports package brings openpyxl, check needs none

    data = result.to_dict()
    lines = [f"已导入，写入：{data['written']}"]
    for s in data["sheets"]:
        if s["shape"]:
            lines.append(f"  {s['file']}［{s['sheet']}］：{SHAPE_ZH[s['shape']]}，{s['rows']} 行")
    lines.append(
        f"计算机 {data['computers']} 台；软件 {data['software']} 个（附件7）；安装记录 {data['installs']} 条（附件9）；"
        f"可使用免费软件 {data['whitelist']} 个（附件6）"
    )
    lines.extend(f"注意：{note}" for note in data["notes"])
    lines.append(f"下一步：zbtz check {data['written']}")
    return "\n".join(lines)
