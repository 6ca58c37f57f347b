"""The approval trail (软件安装维护管理规定, 责任制度): requests (附件10), confirmations (附件11), pledges (附件2).

Each rule runs only when its register is kept in the ledger (found, with at least one row): a unit
that keeps the paper forms elsewhere, or has only a blank template sheet, gets no finding. A register
started later than the logs judges only the log rows from its first date on. Matching is by computer and
software number (or, where a register row names no number, by the number's 软件名称), compared after
normalisation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from toolkit.findings import Finding
from toolkit.model import Form, LogEntry, Row
from toolkit.normalize import norm_key
from toolkit.rules.context import CheckContext
from toolkit.rules.numbering import by_number
from toolkit.rules.registry import check


def _log_rows(ctx: CheckContext) -> Iterator[tuple[LogEntry, str]]:
    """Every 附件9 row with a computer and a number, dated on or before the check date, with its number key."""
    lc = ctx.ledger.log_columns()
    for e, nk, ck, d, op in zip(lc.entries, lc.nks, lc.cks, lc.dates, lc.ops, strict=True):
        if nk is not None and ck is not None and d is not None and d <= ctx.as_of and op in ("安装", "卸载"):
            yield e, nk


def _log_finding(ctx: CheckContext, code: str, e: LogEntry, nk: str, **extra: str) -> Finding:
    """The finding for a 附件9 row (its 日期 cell) that lacks a matching register row."""
    return ctx.at(
        code,
        e,
        "date",
        computer=e.computer,
        date=e.date.isoformat() if e.date else "",
        op=e.op,
        no=ctx.rollup.number_text.get(nk, nk),
        **extra,
    )


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


def _targets(row: Row, numbers: tuple[str, ...], names: dict[str, str]) -> set[str]:
    """The number keys a register row names: its numbers, else the numbers whose 软件名称 it gives."""
    out = {norm_key(n) for n in numbers}
    if not out and (name := row.key("name")):
        out = {nk for nk, nm in names.items() if nm == name}
    return out


def _kept_since(dates) -> dt.date:
    """The register's first date: log rows before it predate the register and are not judged."""
    return min((d for d in dates if d is not None), default=dt.date.min)


def _names(ctx: CheckContext) -> dict[str, str]:
    return {nk: rows[0].key("name") or "" for nk, rows in by_number(ctx).items()}


@check("AZ1.2", rollup=True)
def requested(ctx: CheckContext) -> Iterator[Finding]:
    """A log row with no matching 附件10 request (rows marked 统一部署 are exempt)."""
    if _register(ctx, "附件10", ctx.ledger.requests, "computer", "AZ1.2") is None:
        return
    names = _names(ctx)
    asked: dict[tuple[str, str], list[dt.date | None]] = {}
    for r in ctx.ledger.requests:
        if r.computer:
            for nk in _targets(r, r.numbers, names):
                asked.setdefault((norm_key(r.computer), nk), []).append(r.date)
    words = ctx.settings.unified_words
    since = _kept_since(r.date for r in ctx.ledger.requests)
    for e, nk in _log_rows(ctx):
        if e.date < since or any(w in (e.raw.get("remark") or "") for w in words):  # type: ignore[operator]
            continue
        days = asked.get((norm_key(e.computer or ""), nk), [])
        if not any(d is None or d <= e.date for d in days):  # type: ignore[operator]
            yield _log_finding(ctx, "AZ1.2", e, nk, unified=words[0])


@check("AZ1.4", rollup=True)
def confirmed(ctx: CheckContext) -> Iterator[Finding]:
    """A log row with no matching 附件11 confirmation."""
    if _register(ctx, "附件11", ctx.ledger.confirmations, "computer", "AZ1.4") is None:
        return
    names = _names(ctx)
    done: dict[tuple[str, str], list[tuple[dt.date | None, str | None]]] = {}
    for c in ctx.ledger.confirmations:
        if c.computer:
            for nk in _targets(c, (c.software_no,) if c.software_no else (), names):
                done.setdefault((norm_key(c.computer), nk), []).append((c.date, c.val.get("op")))  # type: ignore[arg-type]
    since = _kept_since(c.date for c in ctx.ledger.confirmations)
    for e, nk in _log_rows(ctx):
        if e.date < since:  # type: ignore[operator]
            continue
        found = done.get((norm_key(e.computer or ""), nk), [])
        if not any((op is None or op in (e.op, "升级")) and (d is None or d >= e.date) for d, op in found):  # type: ignore[operator]
            yield _log_finding(ctx, "AZ1.4", e, nk)


@check("ZR3")
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
        yield ctx.at("ZR3", d, "person", person=person, dept=d.raw.get("dept") or "部门未填")
