"""One self-contained HTML report of a consolidation (or of one ledger): no network, no scripts.

Everything is inline: the CSS, and the charts as SVG drawn here (horizontal bars, so long
Chinese unit and product names stay readable). A person opens the file in any browser, or
prints it; nothing is fetched. Text is escaped; fonts fall back from the common Chinese ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit import __version__
from toolkit.dates import date_text
from toolkit.findings import SEVERITY_ZH
from toolkit.render.xlsx import TOP_PRODUCTS, write_atomic
from toolkit.stats import CategoryStats, Stats, layout

if TYPE_CHECKING:
    from toolkit.consolidation import Consolidation, LedgerResult

CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei","Microsoft YaHei","PingFang SC",\
sans-serif;
margin:0;padding:24px 32px;color:#1f2933;background:#f7f9fb;font-size:14px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px;border-left:4px solid #2f6fb0;padding-left:8px}
.sub{color:#52606d;margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{background:#fff;border:1px solid #d9e2ec;border-radius:6px;padding:10px 16px;min-width:110px}
.card b{display:block;font-size:22px}.card span{color:#52606d;font-size:12px}
table{border-collapse:collapse;background:#fff;margin:4px 0 8px}
th,td{border:1px solid #cbd2d9;padding:4px 8px;text-align:center}
th{background:#ddebf7}td.l{text-align:left}tr.total td{font-weight:bold;background:#f2f2f2}
tr.bad td{background:#fce4d6}.err{color:#c00000}.warn{color:#b7791f}.ok{color:#2f855a}
details{background:#fff;border:1px solid #d9e2ec;border-radius:4px;margin:4px 0;padding:4px 8px}
summary{cursor:pointer}.note{color:#52606d;font-size:12px;max-width:960px}
svg text{font-family:inherit}
"""

GOOD, FAIR, POOR, NONE = "#2f855a", "#d69e2e", "#c53030", "#a0aec0"


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _colour(rate: float | None) -> str:
    if rate is None:
        return NONE
    return GOOD if rate >= 0.999995 else FAIR if rate >= 0.9 else POOR


def _num(v: object) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.2f}"
    return escape(str(v))


# --- charts --------------------------------------------------------------------------------


def rate_chart(rows: list[tuple[str, float | None]], title: str) -> str:
    """Horizontal bars of a rate (0–100%) per label, as an inline SVG."""
    left, bar_w, row_h, top = 230, 560, 20, 34
    height = top + row_h * len(rows) + 24
    width = left + bar_w + 70
    out = [
        f'<svg width="{width}" height="{height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for pct in (0, 25, 50, 75, 100):
        x = left + bar_w * pct / 100
        out.append(
            f'<line x1="{x}" y1="{top - 6}" x2="{x}" y2="{height - 20}" stroke="#d9e2ec"/>'
            f'<text x="{x}" y="{top - 10}" font-size="11" text-anchor="middle" fill="#52606d">{pct}%</text>'
        )
    for i, (label, rate) in enumerate(rows):
        y = top + i * row_h
        shown = label if len(label) <= 16 else label[:15] + "…"
        out.append(f'<text x="{left - 8}" y="{y + 14}" font-size="12" text-anchor="end">{escape(shown)}</text>')
        w = bar_w * (rate or 0)
        out.append(f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{_colour(rate)}"/>')
        out.append(
            f'<text x="{left + w + 4:.1f}" y="{y + 14}" font-size="11" fill="#1f2933">'
            f"{'无安装' if rate is None else _pct(rate)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def pair_chart(rows: list[tuple[str, int, int]], title: str, names: tuple[str, str] = ("安装数量", "许可数量")) -> str:
    """Two horizontal bars per label (installed against licensed), as an inline SVG."""
    left, bar_w, group_h, top = 230, 560, 34, 40
    most = max([max(a, b) for _, a, b in rows] + [1])
    height = top + group_h * len(rows) + 10
    width = left + bar_w + 80
    colours = ("#2f6fb0", "#68d391")
    out = [
        f'<svg width="{width}" height="{height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for k, (name, colour) in enumerate(zip(names, colours, strict=True)):
        x = left + k * 120
        out.append(
            f'<rect x="{x}" y="8" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="19" font-size="12">{escape(name)}</text>'
        )
    for i, (label, a, b) in enumerate(rows):
        y = top + i * group_h
        shown = label if len(label) <= 16 else label[:15] + "…"
        out.append(f'<text x="{left - 8}" y="{y + 19}" font-size="12" text-anchor="end">{escape(shown)}</text>')
        for k, (v, colour) in enumerate(zip((a, b), colours, strict=True)):
            w = bar_w * v / most
            yy = y + 3 + k * 14
            out.append(
                f'<rect x="{left}" y="{yy}" width="{w:.1f}" height="12" fill="{colour}"/>'
                f'<text x="{left + w + 4:.1f}" y="{yy + 10}" font-size="11">{v}</text>'
            )
    out.append("</svg>")
    return "".join(out)


# --- tables --------------------------------------------------------------------------------


def _category_table(cats: list[CategoryStats], total: CategoryStats) -> str:
    lay = layout()
    block = next(b for b in lay.blocks if b["kind"] == "categories")
    head = "".join(f"<th>{escape(c['label'])}</th>" for c in block["columns"] if c["key"] != "note")
    rows = []
    for cat in [*cats, total]:
        cls = ' class="total"' if cat is total else ""
        name = block.get("total", "合计") if cat is total else cat.category
        guess = (
            f'<br><span class="note">含推测类别：{escape("、".join(cat.guessed))}</span>'
            if cat.guessed and cat is not total
            else ""
        )
        rows.append(
            f"<tr{cls}><td>{escape(name)}{guess}</td><td>{cat.installed}</td><td>{cat.genuine}</td>"
            f'<td style="color:{_colour(cat.rate)}">{_pct(cat.rate)}</td></tr>'
        )
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _figures_table(stats: Stats) -> str:
    lay = layout()
    cells = []
    for block in lay.blocks:
        if block["kind"] != "pairs":
            continue
        items = "".join(
            f"<td>{escape(i['label'])}</td><td><b>{_num(stats.figure(i['key']))}</b></td>" for i in block["items"]
        )
        cells.append(f"<tr><th>{escape(block['group'])}</th>{items}</tr>")
    return f"<table>{''.join(cells)}</table>"


def _numbers_table(stats: Stats) -> str:
    lay = layout()
    head = "".join(f"<th>{escape(c['label'])}</th>" for c in lay.detail_columns)
    rows = []
    for n in stats.numbers:
        d = n.to_dict()
        d["category_source"] = "按名称推测" if n.guessed else "附件7"
        d["category"] = n.category_raw
        d["license_count"] = "不限" if n.unlimited else n.license_count
        cls = ' class="bad"' if n.installed > n.genuine else ""
        tds = "".join(
            f"<td{' class=l' if c['key'] in ('name', 'reason') else ''}>{_num(d.get(c['key']))}</td>"
            for c in lay.detail_columns
        )
        rows.append(f"<tr{cls}>{tds}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _units_table(cons: Consolidation) -> str:
    cats = layout().categories
    head = [
        "序号",
        "单位",
        "状态",
        "错误",
        "警告",
        "计算机数",
        *[f"{c}正版率" for c in cats],
        "总体正版率",
        "超装软件",
        "过期许可",
        "本年采购（套）",
        "本年采购金额（元）",
    ]
    rows = []
    for i, r in enumerate(cons.results, 1):
        st = r.stats
        status_cls = "ok" if r.status == "通过" else "err"
        cells = [
            str(i),
            f'<a href="#u{i}">{escape(r.unit)}</a>',
            f'<span class="{status_cls}">{r.status}</span>',
            str(r.errors),
            str(r.warnings),
        ]
        if st is None:
            cells.append(
                f'<td class="l" colspan="{len(head) - 5}">{escape(r.findings[0].message if r.findings else "")}</td>'
            )
            rows.append('<tr class="bad">' + "".join(f"<td>{c}</td>" for c in cells[:-1]) + cells[-1] + "</tr>")
            continue
        cells += [
            _num(st.computers),
            *[_pct(c.rate) for c in st.categories],
            _pct(st.total.rate),
            escape("、".join(n.software_no for n in st.over_deployed)) or "—",
            escape("、".join(n.software_no for n in st.expired)) or "—",
            str(st.purchase_count),
            _num(st.purchase_amount),
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    t = cons.totals
    total = [
        "合计",
        f"{t['units']} 个单位",
        f"通过 {t['passed']}",
        str(t["errors"]),
        str(t["warnings"]),
        str(t["computers"]),
        *[_pct(c.rate) for c in cons.categories],
        _pct(cons.total.rate),
        f"{t['over_deployed']} 个",
        f"{t['expired']} 个",
        str(t["purchase_count"]),
        _num(t["purchase_amount"]),
    ]
    rows.append('<tr class="total">' + "".join(f"<td>{c}</td>" for c in total) + "</tr>")
    return "<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>" + "".join(rows) + "</table>"


def _findings(results: list[LedgerResult], open_all: bool) -> str:
    parts = []
    for i, r in enumerate(results, 1):
        if not r.findings:
            continue
        rows = "".join(
            f'<tr><td>{escape(f.rule)}</td><td class="{"err" if f.severity == "error" else "warn"}">'
            f"{SEVERITY_ZH[f.severity]}</td><td>{escape(f.sheet or '—')}</td><td>{escape(f.cell or '—')}</td>"
            f'<td class="l">{escape(f.message)}</td></tr>'
            for f in r.findings
        )
        parts.append(
            f'<details id="u{i}"{" open" if open_all else ""}><summary>{escape(r.unit)}（{escape(r.workbook)}）：'
            f"错误 {r.errors} 个，警告 {r.warnings} 个</summary><table><tr><th>规则</th><th>级别</th><th>工作表</th>"
            f"<th>单元格</th><th>说明</th></tr>{rows}</table></details>"
        )
    return "".join(parts) or '<p class="ok">没有发现问题。</p>'


# --- the page ------------------------------------------------------------------------------


def render_html(cons: Consolidation) -> str:
    """The whole report as one HTML document (a single ledger gets its 附件5 and detail too)."""
    day = cons.as_of
    shown_date = date_text(day)
    single = len(cons.results) == 1 and cons.results[0].stats is not None
    combined = cons.combined()
    t = cons.totals
    unit = cons.results[0].unit if single else None
    title = f"{unit} 软件正版化工作信息统计" if single else "软件正版化工作汇总"
    cards = [
        ("单位", t["units"]),
        ("通过检查", t["passed"]),
        ("未通过", t["units"] - t["passed"] - t["unreadable"]),
        ("无法读取", t["unreadable"]),
        ("计算机（台）", t["computers"]),
        ("总体正版率", _pct(cons.total.rate)),
        ("超装软件", t["over_deployed"]),
        ("过期许可", t["expired"]),
    ]
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="sub">截至 {shown_date} · 共 {t["units"]} 个台账 · 由 zbtz {__version__} 生成</p>',
        '<section class="cards">'
        + "".join(f"<div class=card><b>{_num(v)}</b><span>{escape(k)}</span></div>" for k, v in cards)
        + "</section>",
        f"<h2>{escape(layout().title)}{'' if single else '（各单位合计）'}</h2>",
        _figures_table(combined),
        _category_table(combined.categories, combined.total),
    ]
    rates = [(r.unit, r.stats.total.rate) for r in cons.results if r.stats is not None]
    if rates:
        rates.sort(key=lambda x: (-1 if x[1] is None else x[1], x[0]))
        body += ["<h2>各单位软件正版率（由低到高）</h2>", rate_chart(rates, "各单位软件正版率")]
    products = [(p.name, p.installed, p.licensed) for p in cons.products() if p.installed or p.licensed][:TOP_PRODUCTS]
    if products:
        body += [
            f"<h2>安装数量与许可数量（安装最多的 {len(products)} 种软件）</h2>",
            pair_chart(products, "安装数量与许可数量"),
            '<p class="note">许可数量：商业软件为附件7 的许可数量（许可过期为 0；场地许可、并发许可按安装数计），'
            "OEM 与免费软件为正版安装数。</p>",
        ]
    if single:
        body += ["<h2>软件明细</h2>", _numbers_table(cons.results[0].stats)]  # type: ignore[arg-type]
    else:
        body += ["<h2>各单位情况</h2>", _units_table(cons)]
    body += ["<h2>检查发现的问题</h2>", _findings(cons.results, open_all=single)]
    licence = [
        note if single else f"{r.unit}：{note}"
        for r in cons.results
        if r.stats is not None and (note := layout().licence_text(r.stats))
    ]
    body.append('<p class="note">' + "<br>".join(escape(n) for n in [*layout().notes, *licence]) + "</p>")
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}（截至 {shown_date}）</title><style>{CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


def write_html(
    cons: Consolidation, target: str | Path, *, inputs: Iterable[str | Path] = (), force: bool = False
) -> Path:
    """Write the HTML report to ``target`` (never half-written; an existing file only with ``force``)."""
    page = render_html(cons)
    return write_atomic(target, lambda fh: fh.write(page.encode("utf-8", "replace")), inputs=inputs, force=force)
