"""Plain-text renderings of 附件5 figures and of a consolidation, for the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from toolkit.stats import Stats, layout

if TYPE_CHECKING:
    from toolkit.consolidation import Consolidation


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
