"""The detail against the logs (TZ2) and the logs themselves (TZ3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from toolkit.findings import Finding
from toolkit.model import COMMERCIAL, OEM, DetailEntry, Log
from toolkit.normalize import add_years, norm_key
from toolkit.rollup import LOGS
from toolkit.rules.context import CheckContext
from toolkit.rules.numbering import by_number, numbers_without_row
from toolkit.rules.registry import check


@check("TZ2.2", weight=77, rollup=True)
def detail_vs_logs(ctx: CheckContext) -> Iterator[Finding]:
    """A computer's software on 附件8 differs from what the 附件9 logs roll up to.

    A number with no log rolls up to nothing (docs/rollup.md), so its 附件8 rows are reported too:
    otherwise a number with 安装数量 0 on 附件7, no log and rows on 附件8 passes unnoticed.
    """
    form = ctx.ledger.form("附件8")
    ru = ctx.rollup
    if form is None or ru.source != LOGS or ctx.ledger.form("附件9") is None:
        return  # no log to compare with: S1 says 附件9 is not kept
    if not all(f.has("computer") and f.has("software_no") for f in ctx.ledger.forms_of("附件8")):
        return  # S2 names the missing column; every row would only restate it
    on_detail: dict[tuple[str, str], DetailEntry] = {}
    first_row_of: dict[str, DetailEntry] = {}
    blank_computer: set[str] = set()  # numbers on rows whose 计算机编号 is blank (S3)
    blank_number: set[str] = set()  # computers with a row whose 软件编号 is blank but a name (S3)
    for d in ctx.ledger.details:
        raw = d.raw
        computer, no = raw.get("computer"), raw.get("software_no")
        if not computer:
            if no:
                blank_computer.add(norm_key(no))
            continue
        ck = norm_key(computer)
        if ck not in first_row_of:
            first_row_of[ck] = d
        if no:
            key = (ck, norm_key(no))
            if key not in on_detail:
                on_detail[key] = d
        elif raw.get("name"):
            blank_number.add(ck)
    for (ck, nk), d in on_detail.items():
        if ru.state.get((ck, nk), 0) <= 0 and nk not in ru.uncertain:
            yield ctx.at(
                "TZ2.2",
                d,
                "software_no",
                computer=d.computer,
                no=d.software_no,
                what="附件8 中登记为已安装，但按附件9 未安装",
                as_of=ctx.as_of.isoformat(),
            )
    for (ck, nk), s in ru.state.items():
        if nk in ru.uncertain or nk in blank_computer or ck in blank_number:
            continue  # a blank or unreadable key cell is its own finding (S3/S4/S5)
        if s > 0 and (ck, nk) not in on_detail:
            row = first_row_of.get(ck)
            sheet, cell, r = (
                (row.sheet, row.cell("computer"), row.row) if row is not None else (form.sheet, form.title_cell, None)
            )
            yield ctx.finding(
                "TZ2.2",
                sheet,
                cell,
                r,
                computer=ru.computer_text.get(ck, ck),
                no=ru.number_text.get(nk, nk),
                what="按附件9 已安装，但附件8 中没有登记",
                as_of=ctx.as_of.isoformat(),
            )


@check("TZ2.3", weight=7)
def stale(ctx: CheckContext) -> Iterator[Finding]:
    """附件7 or 附件8 was not updated for six months although the logs moved on."""
    latest = max((d for d in ctx.ledger.log_columns().dates if d is not None and d <= ctx.as_of), default=None)
    limit = add_months(ctx.as_of, -6)
    for name in ("附件7", "附件8"):
        form = ctx.ledger.form(name)
        if form is None:
            continue
        fd = form.fill_date
        if fd is None or not isinstance(fd.value, dt.date):
            ctx.skip("TZ2.3", f"{name} 的签字栏没有可识别的填表日期")
            continue
        if fd.value < limit and latest is not None and latest > fd.value:
            yield ctx.finding(
                "TZ2.3", form.sheet, fd.cell, form=name, date=fd.value.isoformat(), latest=latest.isoformat()
            )


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the month's last day."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    return add_years(day, 0)


@check("TZ3.2")
def log_info(ctx: CheckContext) -> Iterator[Finding]:
    """A 附件9 log's number is not on 附件7, or its info block names another software."""
    summary = ctx.ledger.form("附件7")
    if summary is None or not summary.has("software_no"):
        return  # S1/S2: every log would only restate that 附件7's numbers cannot be read
    known = by_number(ctx)
    unnumbered = numbers_without_row(ctx)
    for log in ctx.ledger.logs:
        if not log.software_no:
            continue
        rows = known.get(norm_key(log.software_no))
        if rows is None and norm_key(log.software_no) in unnumbered:
            continue  # its 附件7 row has a blank 软件编号 (S3)
        if rows is None:
            cell = (
                log.number_cell
                if not log.combined
                else (log.entry(0).cell("software_no") if log.size else log.form.title_cell)
            )
            yield ctx.finding(
                "TZ3.2", log.form.sheet, cell, what=f"附件9 的软件编号 {log.software_no} 在附件7 中没有登记"
            )
            continue
        if log.combined:
            continue
        for key, label in (("name", "软件名称"), ("version", "软件版本")):
            lab = log.info.get(key)
            if lab is None or lab.raw is None or rows[0].raw.get(key) is None:
                continue  # a blank cell or a missing column on either side is its own finding (S2/S3)
            if norm_key(lab.raw) != rows[0].key(key):
                yield ctx.finding(
                    "TZ3.2",
                    log.form.sheet,
                    lab.cell,
                    what=(
                        f"附件9 信息栏的{label}为“{lab.raw}”，而附件7 中编号 {log.software_no} 为“"
                        f"{rows[0].raw.get(key) or '（空）'}”"
                    ),
                )


@check("TZ3.3")
def log_presence(ctx: CheckContext) -> Iterator[Finding]:
    """A number installed per 附件7 has no 附件9 log, or two logs carry one number."""
    if ctx.ledger.form("附件9") is None:
        return  # the ledger keeps no 附件9 at all: S1 says so once
    logs: dict[str, list[Log]] = {}
    for log in ctx.ledger.logs:
        if log.software_no:
            logs.setdefault(norm_key(log.software_no), []).append(log)
    for nk, rows in by_number(ctx).items():
        installed = sum(r.installed or 0 for r in rows)
        if installed > 0 and nk not in logs:
            first = rows[0]
            yield ctx.at(
                "TZ3.3",
                first,
                "installed",
                what=f"软件编号 {first.software_no} 的安装数量为 {installed}，但没有对应的附件9",
            )
    for group in logs.values():
        for dup in group[1:]:
            yield ctx.finding(
                "TZ3.3",
                dup.form.sheet,
                dup.number_cell if not dup.combined else dup.form.title_cell,
                what=f"软件编号 {dup.software_no} 有两份附件9（另一份在“{group[0].form.sheet}”）",
            )


@check("TZ3.4", rollup=True)
def history_breaks(ctx: CheckContext) -> Iterator[Finding]:
    """On one computer, an uninstall with nothing installed, or an install of a number already there."""
    for b in ctx.rollup.breaks:
        e = b.entry
        what = "卸载时该计算机上并未安装此软件" if b.kind == "uninstall-none" else "安装时该计算机上已安装此软件"
        yield ctx.at("TZ3.4", e, "op", computer=e.computer, no=b.number, what=what)


@check("TZ3.5", weight=17)
def upgrade_rows(ctx: CheckContext) -> Iterator[Finding]:
    """A commercial or OEM log row whose 安装/卸载版本 differs from its number's 软件版本."""
    known = by_number(ctx)
    for log in ctx.ledger.logs:
        if not log.combined:  # one number a sheet: skip the sheet at once when no check applies
            rows = known.get(norm_key(log.software_no)) if log.software_no else None
            if not rows or rows[0].sw_type not in (COMMERCIAL, OEM) or rows[0].key("version") is None:
                continue
        numbers = log.column("software_no") if log.combined else None
        for j, raw_version in enumerate(log.column("version")):
            if raw_version is None:
                continue
            no = numbers[j] if numbers is not None else log.software_no
            rows = known.get(norm_key(no)) if no else None
            if not rows or rows[0].sw_type not in (COMMERCIAL, OEM):
                continue
            v, expected = norm_key(raw_version), rows[0].key("version")
            if expected is not None and v != expected:
                e = log.entry(j)
                yield ctx.at(
                    "TZ3.5",
                    e,
                    "version",
                    op=e.op or "安装/卸载",
                    version=raw_version,
                    no=no,
                    expected=rows[0].raw.get("version"),
                )
