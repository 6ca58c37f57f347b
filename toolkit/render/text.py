"""Plain-text renderings for the terminal: a check report, a roll-up, 附件5 figures, a consolidation, an import."""

from __future__ import annotations

from typing import TYPE_CHECKING

from toolkit.dates import date_text
from toolkit.files import shown_path
from toolkit.findings import SEVERITY_ZH, Report
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
                    f"    {cat.category:<6} 安装 {cat.installed:>4}  正版 {cat.genuine:>4}  正版率 {_pct(cat.rate)}{mark}"
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


def report_text(report: Report) -> str:
    """Findings grouped by workbook and sheet, one line each, then skipped rules and a summary."""
    lines: list[str] = []
    by_book: dict[str, dict[str | None, list]] = {}
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
            for f in items:
                cell = f.cell or "—"
                lines.append(f"    {cell:<7} {f.rule:<7} {SEVERITY_ZH[f.severity]}  {f.message}")
    skipped: dict[tuple[str, str], list[str]] = {}
    for s in report.skipped:
        skipped.setdefault((s.rule, s.reason), []).append(s.workbook)
    for (rule, reason), books in skipped.items():
        where = f"（{len(books)} 个台账）" if len(report.workbooks) > 1 else ""
        lines.append(f"未执行 {rule}：{reason}{where}")
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
