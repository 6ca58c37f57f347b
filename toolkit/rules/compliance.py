"""Compliance (软件配置管理规定): licences not exceeded, not expired; no software on scrapped computers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from toolkit.entitlements import licence_end
from toolkit.findings import Finding
from toolkit.model import COMMERCIAL
from toolkit.normalize import norm_key
from toolkit.rules.context import CheckContext
from toolkit.rules.numbering import by_number
from toolkit.rules.registry import check

EXPIRY_WARNING_DAYS = 90


def _in_use(ctx: CheckContext) -> dict[str, list[str]]:
    """Number key → computer keys with the number installed as of the check date."""
    out: dict[str, list[str]] = {}
    for (ck, nk), s in ctx.rollup.state.items():
        if s > 0:
            out.setdefault(nk, []).append(ck)
    return out


@check("PZ1.1", weight=6, rollup=True)
def over_deployed(ctx: CheckContext) -> Iterator[Finding]:
    """A commercial number is installed on more computers (or users) than 许可数量 allows."""
    in_use = _in_use(ctx)
    users: dict[tuple[str, str], str | None] = {}
    if any(rows[0].license_type == "用户许可" for rows in by_number(ctx).values()):
        for r in ctx.rollup.detail:  # who uses each computer: only user licences need it
            if r.software_no:
                users[(norm_key(r.computer), norm_key(r.software_no))] = r.person
    for nk, rows in by_number(ctx).items():
        first = rows[0]
        if first.sw_type != COMMERCIAL:
            continue
        lt = first.license_type
        if lt == "场地许可":
            continue
        if lt == "并发许可":
            ctx.skip("PZ1.1", "并发许可的使用数无法从安装记录核对")
            continue
        allowed = sum(r.license_count or 0 for r in rows) if all(r.license_count is not None for r in rows) else None
        if allowed is None:
            continue
        computers = in_use.get(nk, [])
        if lt == "用户许可":
            used = len({norm_key(users.get((ck, nk)) or ck) for ck in computers})
            unit = "名用户"
        else:
            used, unit = len(computers), "台计算机"
        if used > allowed:
            yield ctx.at(
                "PZ1.1",
                first,
                "license_count",
                no=first.software_no,
                license=lt or "许可类型未填",
                allowed=allowed,
                used=used,
                unit=unit,
                as_of=ctx.as_of.isoformat(),
            )


@check("PZ1.1E", "PZ1.1W", weight=17, rollup=True)
def expiry(ctx: CheckContext) -> Iterator[Finding]:
    """A commercial number in use after (or within 90 days of) the end of its 许可期限."""
    in_use = _in_use(ctx)
    installs: dict[str, list[int]] = {}  # number key -> its 安装 rows (log columns), in log order
    lc = ctx.ledger.log_columns()
    for i, (nk, op) in enumerate(zip(lc.nks, lc.ops, strict=True)):
        if nk is not None and op == "安装":
            installs.setdefault(nk, []).append(i)
    for nk, rows in by_number(ctx).items():
        first = rows[0]
        if first.sw_type != COMMERCIAL:
            continue
        end, service = licence_end(first)
        if end is None:
            continue
        used = len(in_use.get(nk, []))
        what = "杀毒软件的年服务" if service else "许可"
        if end < ctx.as_of and used > 0:
            yield ctx.at(
                "PZ1.1E",
                first,
                "term",
                what=(
                    f"软件编号 {first.software_no} 的{what}已于 {end.isoformat()} 到期，截至 "
                    f"{ctx.as_of.isoformat()} 仍安装在 {used} 台计算机上"
                ),
            )
        elif used > 0 and ctx.as_of <= end <= ctx.as_of + dt.timedelta(days=EXPIRY_WARNING_DAYS):
            yield ctx.at(
                "PZ1.1W",
                first,
                "term",
                no=first.software_no,
                end=end.isoformat(),
                days=(end - ctx.as_of).days,
                used=used,
            )
        for i in installs.get(nk, ()):
            d = lc.dates[i]
            if d and end < d <= ctx.as_of:
                yield ctx.at(
                    "PZ1.1E",
                    lc.entry(i),
                    "date",
                    what=(
                        f"本行于 {d.isoformat()} 安装软件编号 {first.software_no}，而其{what}已于 "
                        f"{end.isoformat()} 到期"
                    ),
                )


@check("PZ2.7", rollup=True)
def scrapped(ctx: CheckContext) -> Iterator[Finding]:
    """Software still installed on a computer that 计算机清单 marks 报废, or installed after its 报废日期."""
    if not ctx.ledger.has_computer_list:
        ctx.skip("PZ2.7", "没有计算机清单，无法识别报废的计算机")
        return
    scrapped = {norm_key(c.computer): c for c in ctx.ledger.computers if c.computer and c.status == "报废"}
    if not scrapped:
        return
    per_computer: dict[str, int] = {}
    for (ck, _), s in ctx.rollup.state.items():
        if s > 0 and ck in scrapped:
            per_computer[ck] = per_computer.get(ck, 0) + 1
    for ck, n in per_computer.items():
        c = scrapped[ck]
        yield ctx.at(
            "PZ2.7",
            c,
            "status",
            what=f"计算机 {c.computer} 已报废，截至 {ctx.as_of.isoformat()} 按附件9 仍装有 {n} 个软件",
        )
    lc = ctx.ledger.log_columns()
    for i, (on, d, op) in enumerate(zip(lc.cks, lc.dates, lc.ops, strict=True)):
        pc = scrapped.get(on or "")
        end = pc.val.get("scrap_date") if pc else None
        if pc is not None and isinstance(end, dt.date) and op == "安装" and d and d > end:
            yield ctx.at(
                "PZ2.7",
                lc.entry(i),
                "date",
                what=f"本行于 {d.isoformat()} 在计算机 {pc.computer} 上安装软件，而该计算机已于 {end.isoformat()} 报废",
            )
