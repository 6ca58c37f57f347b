"""The summary (附件7) against the rest: TZ1.1, TZ1.10–TZ1.13, and PZ1.2 with TZ1.12."""

from __future__ import annotations

from collections.abc import Iterator

from toolkit.findings import Finding
from toolkit.model import FREE, Row
from toolkit.normalize import norm_key, to_int
from toolkit.rollup import COUNT_KEYS, DETAIL, IN_USE, distinct_staff
from toolkit.rules.context import CheckContext
from toolkit.rules.numbering import by_number, numbers_without_row
from toolkit.rules.registry import check


@check("TZ1.1", weight=15)
def staff_count(ctx: CheckContext) -> Iterator[Finding]:
    """使用计算机人数 on 附件7 differs from the distinct staff on 附件8."""
    form, detail = ctx.ledger.form("附件7"), ctx.ledger.form("附件8")
    if form is None or detail is None:
        return
    lab = form.labels.get("staff_using")
    if lab is None:
        ctx.skip("TZ1.1", "附件7 中找不到“使用计算机人数”")
        return
    actual = distinct_staff((d.raw.get("dept"), d.raw.get("person")) for d in ctx.ledger.details)
    if to_int(lab.value) != actual and not (lab.raw is None and actual == 0):  # an empty ledger is not wrong
        yield ctx.finding("TZ1.1", form.sheet, lab.cell, value=lab.raw or "（空）", actual=actual)


@check("TZ1.10", weight=13)
def unregistered_numbers(ctx: CheckContext) -> Iterator[Finding]:
    """A number used on 附件8 or in a 附件9 log is not registered on 附件7.

    docs/rules.md names both places: the summary was not updated after a software was added
    (台账管理规定 一.10). A log's number is TZ3.2 as well (the log was not built from 附件7).
    """
    summary = ctx.ledger.form("附件7")
    if summary is None or not summary.has("software_no"):
        return  # S1/S2: no number on 附件7 can be read, every use would only restate it
    known = by_number(ctx)
    seen: set[str] = set()
    seen.update(numbers_without_row(ctx))  # their 附件7 row has a blank 软件编号: its S3 says so
    for d in ctx.ledger.details:
        no = d.software_no
        if no and norm_key(no) not in known and norm_key(no) not in seen:
            seen.add(norm_key(no))
            yield ctx.at("TZ1.10", d, "software_no", no=no, where="附件8")
    for log in ctx.ledger.logs:
        no = log.software_no
        if not no or norm_key(no) in known or norm_key(no) in seen:
            continue
        seen.add(norm_key(no))
        if log.combined:
            first = log.entry(0)
            sheet, cell, row = log.form.sheet, first.cell("software_no"), first.row
        else:
            sheet, cell, row = log.form.sheet, log.number_cell, None
        yield ctx.finding("TZ1.10", sheet, cell, row, no=no, where=f"附件9（{sheet}）")


@check("TZ1.11")
def computer_counts(ctx: CheckContext) -> Iterator[Finding]:
    """服务器数/台式机数/便携机数 differ from the computers in use."""
    form = ctx.ledger.form("附件7")
    if form is None:
        return
    labels = {k: form.labels.get(k) for k in COUNT_KEYS.values()}
    if ctx.ledger.has_computer_list:
        counts = dict.fromkeys(COUNT_KEYS.values(), 0)
        for c in ctx.ledger.computers:
            if c.status == IN_USE and c.ctype in COUNT_KEYS:
                counts[COUNT_KEYS[c.ctype]] += 1
        for k, lab in labels.items():
            if lab is None:
                continue
            if to_int(lab.value) != counts[k] and not (lab.raw is None and counts[k] == 0):
                yield ctx.finding(
                    "TZ1.11",
                    form.sheet,
                    lab.cell,
                    label=form.schema.label_of(k),
                    value=lab.raw or "（空）",
                    source="计算机清单中在用的"
                    + k.replace("servers", "服务器").replace("desktops", "台式机").replace("laptops", "便携机"),
                    actual=counts[k],
                )
        return
    ctx.skip("TZ1.11", "没有计算机清单：只核对计算机总数与附件8 中的计算机数，不分类型")
    if ctx.ledger.form("附件8") is None:
        return
    values = [to_int(lab.value) for lab in labels.values() if lab is not None]
    if not values:
        return
    total = sum(v or 0 for v in values)
    actual = len({norm_key(d.computer) for d in ctx.ledger.details if d.computer})
    if total != actual:
        lab = next(lab for lab in labels.values() if lab is not None)
        yield ctx.finding(
            "TZ1.11",
            form.sheet,
            lab.cell,
            label="服务器、台式机、便携机数之和",
            value=total,
            source="附件8 中不同的计算机",
            actual=actual,
        )


def _number_or_name(entries: list[Row]):
    """``matches(no, name)``: docs/rules.md matching against ``entries`` — by 软件编号 where both
    sides carry one, else by normalised 软件名称."""
    numbers = {norm_key(e.raw["software_no"]) for e in entries if e.raw.get("software_no")}
    unnumbered = {e.key("name") for e in entries if e.raw.get("name") and not e.raw.get("software_no")}
    names = {e.key("name") for e in entries if e.raw.get("name")}

    def matches(no: str | None, name: str | None) -> bool:
        if no:
            return norm_key(no) in numbers or (bool(name) and norm_key(name or "") in unnumbered)
        return bool(name) and norm_key(name or "") in names

    return matches


def _whitelist_match(ctx: CheckContext):
    return _number_or_name(list(ctx.ledger.whitelist))


@check("TZ1.12", "PZ1.2", weight=12, rollup=True)
def free_not_whitelisted(ctx: CheckContext) -> Iterator[Finding]:
    """A free software on 附件7 (or installed) is not on 附件6; installed ones are PZ1.2 too."""
    whitelist = ctx.ledger.form("附件6")
    if whitelist is None or not whitelist.has("name"):
        return  # S1/S2: 附件6 cannot be read, every free software would only restate it
    listed = _whitelist_match(ctx)
    unlisted = {
        norm_key(s.software_no)
        for s in ctx.ledger.summary
        if s.software_no and s.sw_type == FREE and not listed(s.software_no, s.raw.get("name"))
    }
    on_detail: dict[str, Row] = {}
    if unlisted:  # the first 附件8 row of each unlisted free number, found in one pass
        for d in ctx.ledger.details:
            no = d.raw.get("software_no")
            if no and (nk := norm_key(no)) in unlisted and nk not in on_detail:
                on_detail[nk] = d
    done: set[str] = set()
    for s in ctx.ledger.summary:
        no = s.software_no
        if s.sw_type != FREE or listed(no, s.raw.get("name")):
            continue
        nk = norm_key(no or s.raw.get("name") or "")
        if nk in done:
            continue
        done.add(nk)
        name = s.raw.get("name") or ""
        yield ctx.at("TZ1.12", s, "name", name=name, no=no or "（无）")
        row = on_detail.get(nk)
        if row is not None:
            yield ctx.at(
                "PZ1.2",
                row,
                "software_no",
                name=name,
                no=no,
                where=f"（附件8 计算机 {row.raw.get('computer')}）",
            )
        elif ctx.rollup.installed.get(nk, 0) > 0:
            yield ctx.at(
                "PZ1.2",
                s,
                "installed",
                name=name,
                no=no,
                where=f"（按附件9 共 {ctx.rollup.installed[nk]} 台）",
            )
    registered = set(by_number(ctx))
    for d in ctx.ledger.details:  # free software ticked on 附件8 under a number 附件7 lacks
        if d.val.get("sw_type") != FREE:
            continue
        no = d.raw.get("software_no")
        if not no or norm_key(no) in registered or norm_key(no) in done:
            continue
        if listed(no, d.raw.get("name")):
            continue
        done.add(norm_key(no))
        name = d.raw.get("name") or ""
        yield ctx.at("TZ1.12", d, "name", name=name, no=no)
        yield ctx.at("PZ1.2", d, "software_no", name=name, no=no, where=f"（附件8 计算机 {d.computer}）")


@check("TZ1.12W")
def whitelist_not_in_summary(ctx: CheckContext) -> Iterator[Finding]:
    """A software on 附件6 is not on 附件7's free rows."""
    summary = ctx.ledger.form("附件7")
    if summary is None or not summary.has("sw_type") or not summary.has("name"):
        return  # S1/S2: no free row of 附件7 can be recognised
    free: list[Row] = [s for s in ctx.ledger.summary if s.sw_type == FREE]
    on_summary = _number_or_name(free)
    by_name = {s.key("name"): s for s in reversed(free) if s.raw.get("name") and s.raw.get("software_no")}
    for w in ctx.ledger.whitelist:
        if on_summary(w.raw.get("software_no"), w.raw.get("name")):
            continue
        same = by_name.get(w.key("name"))
        if same is not None:  # listed on both, only the numbers differ
            what = (
                f"的软件编号 {w.raw.get('software_no')} 与附件7 中的 {same.raw.get('software_no')}（"
                f"{same.cell('software_no')}）不一致：请统一编号。"
            )
            yield ctx.at("TZ1.12W", w, "software_no", name=w.raw.get("name") or "", what=what)
            continue
        what = "不在附件7 的免费软件中：调整免费软件清单后须更新附件7。"
        yield ctx.at("TZ1.12W", w, "name", name=w.raw.get("name") or "", what=what)


@check("TZ1.13", rollup=True)
def installed_counts(ctx: CheckContext) -> Iterator[Finding]:
    """安装数量 of a number on 附件7 differs from what its 附件9 log rolls up to (or, with no 附件9, from 附件8)."""
    ru = ctx.rollup
    summary = ctx.ledger.form("附件7")
    if summary is None or not summary.has("installed"):
        return  # S2 names the missing column
    from_detail = ru.source == DETAIL
    if from_detail and not all(f.has("computer") and f.has("software_no") for f in ctx.ledger.forms_of("附件8")):
        return  # S2 on 附件8
    logged = {norm_key(log.software_no) for log in ctx.ledger.logs if log.software_no}
    if from_detail:
        source, how = "附件8 中装有该软件的计算机数", ""
    else:
        source, how = f"附件9 截至 {ctx.as_of.isoformat()}", "（可用 zbtz rollup）"
    for nk, rows in by_number(ctx).items():
        if (not from_detail and nk not in logged) or nk in ru.uncertain:
            continue
        first = rows[0]
        values = [r.installed for r in rows]
        total = sum(v or 0 for v in values)
        actual = ctx.rollup.installed.get(nk, 0)
        if total != actual or (first.raw.get("installed") is None and actual > 0):
            shown = first.raw.get("installed") or "（空）" if len(rows) == 1 else f"{total}（{len(rows)} 行合计）"
            yield ctx.at(
                "TZ1.13",
                first,
                "installed",
                no=first.software_no,
                value=shown,
                actual=actual,
                source=source,
                how=how,
            )
