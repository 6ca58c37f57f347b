"""Licence rules: the right kind of licence for a government office (PZ1.1H/U/D/O/V), and the three
general-purpose software on every computer in use (PZ2.3). The judgement lives in
:mod:`toolkit.entitlements` (附件5 counts from the same flags); this module only reports it.
"""

from __future__ import annotations

from collections.abc import Iterator

from toolkit.entitlements import ANTIVIRUS, category_of, log_licence_flags, volume_flags
from toolkit.findings import Finding
from toolkit.normalize import norm_key
from toolkit.rollup import IN_USE
from toolkit.rules.context import CheckContext
from toolkit.rules.numbering import by_number
from toolkit.rules.registry import check


@check("PZ1.1H", "PZ1.1U", "PZ1.1D", "PZ1.1O", weight=100)
def licences(ctx: CheckContext) -> Iterator[Finding]:
    """Consumer editions, installs above or below the licensed version, OEM moved (the rows themselves)."""
    if ctx.ledger.form("附件7") is None:
        return
    for f in log_licence_flags(ctx.ledger, ctx.as_of, ctx.settings):
        yield ctx.at(f.code, f.row, f.column, **f.values)


@check("PZ1.1V", weight=20, rollup=True)
def volume_licences(ctx: CheckContext) -> Iterator[Finding]:
    """Volume Windows without a base licence, on the computers that have it as of the check date.

    Registered right after :func:`licences`: together they report what
    :func:`~toolkit.entitlements.licence_flags` finds, in its order.
    """
    if ctx.ledger.form("附件7") is None:
        return
    for f in volume_flags(ctx.ledger, ctx.rollup):
        yield ctx.at(f.code, f.row, f.column, **f.values)


_NEEDED = {
    "服务器": ("操作系统", ANTIVIRUS),
    "台式机": ("操作系统", "办公软件", ANTIVIRUS),
    "便携机": ("操作系统", "办公软件", ANTIVIRUS),
}


@check("PZ2.3", weight=24, rollup=True)
def three_software(ctx: CheckContext) -> Iterator[Finding]:
    """A computer in use without an operating system, an office suite or antivirus software registered."""
    summary = ctx.ledger.form("附件7")
    if summary is None or not ctx.settings.three_software:
        return
    if not summary.has("category"):
        ctx.skip("PZ2.3", "附件7 没有“软件类别”列，无法核对每台计算机的三类通用软件")
        return
    if not ctx.ledger.has_computer_list:
        ctx.skip("PZ2.3", "没有计算机清单，无法确定哪些计算机在用")
        return
    numbers = by_number(ctx)
    category = {nk: category_of(rows[0]) for nk, rows in numbers.items()}
    on: dict[str, set[str | None]] = {}
    for (ck, nk), s in ctx.rollup.state.items():
        if s > 0:
            on.setdefault(ck, set()).add(category.get(nk))
    for c in ctx.ledger.computers:
        needed = _NEEDED.get(c.ctype or "")
        if c.status != IN_USE or needed is None or not c.computer:
            continue
        have = on.get(norm_key(c.computer), set())
        if None in have:
            continue  # software of unknown category might be the missing one
        missing = [n for n in needed if n not in have]
        if missing:
            yield ctx.at(
                "PZ2.3",
                c,
                "computer",
                computer=c.computer,
                ctype=c.ctype,
                missing="、".join(missing),
            )
