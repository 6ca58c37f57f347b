"""The approval trail (软件安装维护管理规定, 责任制度): requests (附件10), confirmations (附件11), pledges (附件2).

Each rule runs only when its register is kept in the ledger (found, with at least one row): a unit
that keeps the paper forms elsewhere, or has only a blank template sheet, gets no finding. Matching is by computer and software number (or, where a register
row names no number, by the number's 软件名称), compared after normalisation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..findings import REGISTRY, WARNING, CheckContext, Finding
from ..model import Form, LogEntry, Row
from ..normalize import norm_key
from .numbering import by_number


def _log_rows(ctx: CheckContext) -> Iterator[tuple[LogEntry, str]]:
    """Every 附件9 row with a computer and a number, dated on or before the check date, with its number key."""
    for log in ctx.ledger.logs:
        for e in log.entries:
            no = e.raw.get("software_no") if log.combined else log.software_no
            if no and e.computer and e.date is not None and e.date <= ctx.as_of and e.op in ("安装", "卸载"):
                yield e, norm_key(no)


def _register(ctx: CheckContext, name: str, rows: list, needed: str, code: str) -> Form | None:
    """The register form when it is kept (present with at least one row) and usable.

    An empty register is a blank template sheet, not a register the unit keeps: no finding. A skip
    is said once when the register lacks the column to match on.
    """
    form = ctx.ledger.form(name)
    if form is None or not rows:
        return None
    if not form.has(needed):
        ctx.skip(code, f"{name} 登记表没有“{form.schema.column(needed).label}”列，无法与附件9 对应")
        return None
    return form


def _targets(row: Row, keys: tuple[str, ...], names: dict[str, str]) -> set[str]:
    """The number keys a register row names: its numbers, else the numbers whose 软件名称 it gives."""
    out = {norm_key(n) for k in keys if (n := row.raw.get(k))}
    if not out and (name := row.key("name")):
        out = {nk for nk, nm in names.items() if nm == name}
    return out


def _names(ctx: CheckContext) -> dict[str, str]:
    return {nk: rows[0].key("name") or "" for nk, rows in by_number(ctx).items()}


REGISTRY.declare(
    "AZ1.2", WARNING, "安装维护没有申请",
    "计算机 {computer} 于 {date} {op}软件 {no}，附件10 申请登记中没有此前的申请。请补登申请，或在备注注明“{unified}”（单位统一部署的无须申请）。",
    "附件9 的安装、卸载记录在附件10 申请登记中找不到同一计算机、同一软件、申请日期不晚于该记录的申请（附件10 登记表有内容时才检查；备注含“统一部署”的记录除外，标记词见本单位设置）。",
)


@REGISTRY.checker("AZ1.2")
def requested(ctx: CheckContext) -> Iterator[Finding]:
    """A log row with no matching 附件10 request (rows marked 统一部署 are exempt)."""
    if _register(ctx, "附件10", ctx.ledger.requests, "computer", "AZ1.2") is None:
        return
    names = _names(ctx)
    asked: dict[tuple[str, str], list[dt.date | None]] = {}
    for r in ctx.ledger.requests:
        if r.computer:
            for nk in _targets(r, ("new_no", "old_no"), names):
                asked.setdefault((norm_key(r.computer), nk), []).append(r.date)
    words = ctx.settings.unified_words
    for e, nk in _log_rows(ctx):
        if any(w in (e.raw.get("remark") or "") for w in words):
            continue
        days = asked.get((norm_key(e.computer or ""), nk), [])
        if not any(d is None or d <= e.date for d in days):  # type: ignore[operator]
            yield ctx.finding("AZ1.2", e.sheet, e.cell("date"), e.row, computer=e.computer, date=e.date.isoformat() if e.date else "", op=e.op, no=ctx.rollup.number_text.get(nk, nk), unified=words[0])


REGISTRY.declare(
    "AZ1.4", WARNING, "安装维护没有确认",
    "计算机 {computer} 于 {date} {op}软件 {no}，附件11 确认登记中没有对应的确认。请让计算机使用人在《软件安装维护确认单》上签字确认并补登。",
    "附件9 的安装、卸载记录在附件11 确认登记中找不到同一计算机、同一软件、同一操作（或升级）、完成日期不早于该记录的确认（附件11 登记表有内容时才检查）。",
)


@REGISTRY.checker("AZ1.4")
def confirmed(ctx: CheckContext) -> Iterator[Finding]:
    """A log row with no matching 附件11 confirmation."""
    if _register(ctx, "附件11", ctx.ledger.confirmations, "computer", "AZ1.4") is None:
        return
    names = _names(ctx)
    done: dict[tuple[str, str], list[tuple[dt.date | None, str | None]]] = {}
    for c in ctx.ledger.confirmations:
        if c.computer:
            for nk in _targets(c, ("software_no",), names):
                done.setdefault((norm_key(c.computer), nk), []).append((c.date, c.val.get("op")))  # type: ignore[arg-type]
    for e, nk in _log_rows(ctx):
        found = done.get((norm_key(e.computer or ""), nk), [])
        if not any((op is None or op in (e.op, "升级")) and (d is None or d >= e.date) for d, op in found):  # type: ignore[operator]
            yield ctx.finding("AZ1.4", e.sheet, e.cell("date"), e.row, computer=e.computer, date=e.date.isoformat() if e.date else "", op=e.op, no=ctx.rollup.number_text.get(nk, nk))


REGISTRY.declare(
    "ZR3", WARNING, "未签署承诺书",
    "{person}（{dept}）使用计算机，但承诺书签署登记中没有其签署记录。请其签署《使用正版软件承诺书》（附件2，可用 zbtz print 打印）并登记。",
    "附件8 中的工作人员在承诺书签署登记中没有记录（承诺书签署登记表有内容时才检查；按姓名对应）。",
)


@REGISTRY.checker("ZR3")
def pledged(ctx: CheckContext) -> Iterator[Finding]:
    """A person on 附件8 with no signed 承诺书."""
    if _register(ctx, "承诺书签署登记", ctx.ledger.pledges, "person", "ZR3") is None:
        return
    signed = {norm_key(p.person) for p in ctx.ledger.pledges if p.person}
    seen: set[str] = set()
    for d in ctx.ledger.details:
        person = d.raw.get("person")
        if not person or norm_key(person) in signed or norm_key(person) in seen:
            continue
        seen.add(norm_key(person))
        yield ctx.finding("ZR3", d.sheet, d.cell("person"), d.row, person=person, dept=d.raw.get("dept") or "部门未填")
