"""Computers named on 附件8 and in the logs against 计算机清单 (TZ2.1)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from toolkit.findings import Finding
from toolkit.normalize import norm_key
from toolkit.rules.context import CheckContext
from toolkit.rules.registry import check

_SEPARATORS = re.compile(r"[\s\-_－—–./／·]+")


def _bare(key: str) -> str:
    """A computer number without separators: "TS05" and "TS-05" are the same typing."""
    return _SEPARATORS.sub("", key)


def nearest(number: str, listed: dict[str, str]) -> str | None:
    """The listed number (as written) closest to ``number``, or ``None`` when none is close.

    ``listed`` maps normalised numbers to their text. One that differs only in separators or
    case wins; else the closest by :func:`difflib.get_close_matches`.
    """
    key = norm_key(number)
    bare = _bare(key)
    for k, text in listed.items():
        if _bare(k) == bare:
            return text
    close = difflib.get_close_matches(key, list(listed), n=1, cutoff=0.75)
    return listed[close[0]] if close else None


@check("TZ2.1", weight=23)
def unlisted_computers(ctx: CheckContext) -> Iterator[Finding]:
    """A 计算机编号 on 附件8 or in a 附件9 log that 计算机清单 does not list."""
    ledger = ctx.ledger
    listed = {norm_key(c.computer): c.computer for c in ledger.computers if c.computer}
    if not ledger.has_computer_list or not listed:
        return
    hints: dict[str, str] = {}

    def hint(computer: str) -> str:
        key = norm_key(computer)
        if key not in hints:
            near = nearest(computer, listed)
            hints[key] = f"（清单中最接近的是“{near}”）" if near else ""
        return hints[key]

    for d in ledger.details:
        computer = d.raw.get("computer")
        if computer and norm_key(computer) not in listed:
            yield ctx.at("TZ2.1", d, "computer", computer=computer, hint=hint(computer))
    lc = ledger.log_columns()
    for i, (computer, ck) in enumerate(zip(lc.computers, lc.cks, strict=True)):
        if ck is not None and ck not in listed:
            yield ctx.at("TZ2.1", lc.entry(i), "computer", computer=computer, hint=hint(computer or ""))
