"""Numbering rules on 附件7 (台账管理规定 一.2–9, and TZ1.0).

A finding about two rows names the later row and gives the first row's address in the message.
"""

from __future__ import annotations

from collections.abc import Iterator

from toolkit.findings import Finding
from toolkit.model import COMMERCIAL, FREE, OEM, SummaryEntry
from toolkit.normalize import norm_key
from toolkit.rules.context import CheckContext
from toolkit.rules.registry import check
from toolkit.schemas import schema

IDENTITY = ("purchase_date", "amount", "license_type", "license_count", "usable_version", "term", "serial")


def _label(key: str) -> str:
    return schema("附件7").label_of(key)


_COMPARED_ALWAYS = ("name", "version", "sw_type", "category", "acquisition", *IDENTITY)


def by_number(ctx: CheckContext) -> dict[str, list[SummaryEntry]]:
    """附件7 rows grouped by normalised 软件编号, in sheet order."""
    groups: dict[str, list[SummaryEntry]] = {}
    for s in ctx.ledger.summary:
        if s.software_no:
            groups.setdefault(norm_key(s.software_no), []).append(s)
    return groups


def numbers_without_row(ctx: CheckContext) -> set[str]:
    """Number keys used on 附件8 or in a 附件9 info block for a software whose 附件7 row has a blank
    软件编号 (matched by name): that row's S3 is the finding, "not registered" would restate it."""
    names = {s.key("name") for s in ctx.ledger.summary if not s.software_no and s.raw.get("name")}
    if not names:
        return set()
    out = {norm_key(d.software_no) for d in ctx.ledger.details if d.software_no and d.key("name") in names}
    for log in ctx.ledger.logs:
        lab = log.info.get("name")
        if log.software_no and lab is not None and lab.raw and norm_key(lab.raw) in names:
            out.add(norm_key(log.software_no))
    return out


def field_key(row: SummaryEntry, key: str) -> object:
    """The comparable value of a field: parsed when typed and readable, else normalised text."""
    v = row.val.get(key)
    if v is not None and key in (
        "purchase_date",
        "amount",
        "license_count",
        "term",
        "license_type",
        "sw_type",
        "acquisition",
    ):
        return v
    return row.key(key)


def _first_diff(a: SummaryEntry, b: SummaryEntry, keys) -> str | None:
    for k in keys:
        if field_key(a, k) != field_key(b, k):
            return k
    return None


def _pairs(ctx: CheckContext, sw_type: str) -> Iterator[tuple[str, SummaryEntry, SummaryEntry]]:
    """(number, first row, later row) for every later row of a number of that type."""
    for rows in by_number(ctx).values():
        typed = [r for r in rows if r.sw_type == sw_type]
        for later in typed[1:]:
            yield typed[0].software_no or "", typed[0], later


@check("TZ1.0")
def mixed_types(ctx: CheckContext) -> Iterator[Finding]:
    """One number is used by rows of different 软件类型."""
    for rows in by_number(ctx).values():
        typed = [r for r in rows if r.sw_type]
        for later in typed[1:]:
            if later.sw_type != typed[0].sw_type:
                yield ctx.at(
                    "TZ1.0",
                    later,
                    "sw_type",
                    no=later.software_no,
                    type1=typed[0].sw_type,
                    type2=later.sw_type,
                    first=typed[0].cell("sw_type"),
                )


def _field_differs(ctx: CheckContext, code: str, no: str, first: SummaryEntry, later: SummaryEntry, k: str) -> Finding:
    """The finding for a later row of a number whose field ``k`` differs from the first row's."""
    return ctx.finding(
        code,
        later.sheet,
        later.cell(k),
        later.row,
        no=no,
        field=_label(k),
        value=later.raw.get(k) or "（空）",
        other=first.raw.get(k) or "（空）",
        first=first.cell(k),
    )


def _name_version_rule(ctx: CheckContext, code: str, sw_type: str, keys: tuple[str, ...]) -> Iterator[Finding]:
    for no, first, later in _pairs(ctx, sw_type):
        k = _first_diff(first, later, keys)
        if k is not None:
            yield _field_differs(ctx, code, no, first, later, k)


@check("TZ1.2")
def commercial_name_version(ctx: CheckContext) -> Iterator[Finding]:
    """One number is given to commercial rows whose 软件名称 or 软件版本 differ."""
    return _name_version_rule(ctx, "TZ1.2", COMMERCIAL, ("name", "version"))


@check("TZ1.3")
def commercial_identity(ctx: CheckContext) -> Iterator[Finding]:
    """One number is given to commercial rows with the same name and version that differ in an identity field."""
    for no, first, later in _pairs(ctx, COMMERCIAL):
        if _first_diff(first, later, ("name", "version")) is not None:
            continue  # that is TZ1.2
        k = _first_diff(first, later, IDENTITY)
        if k is not None:
            yield _field_differs(ctx, "TZ1.3", no, first, later, k)


@check("TZ1.3D")
def commercial_duplicate(ctx: CheckContext) -> Iterator[Finding]:
    """Two commercial rows identical in every field under one number."""
    for no, first, later in _pairs(ctx, COMMERCIAL):
        if _first_diff(first, later, _COMPARED_ALWAYS) is None:
            yield ctx.at("TZ1.3D", later, "software_no", no=no, first=first.cell("software_no"))


@check("TZ1.4")
def donated_purchase(ctx: CheckContext) -> Iterator[Finding]:
    """A commercial row obtained by 受赠 or 调剂 has 采购时间 or 采购金额 filled."""
    form = ctx.ledger.form("附件7")
    if form is None:
        return
    if not form.has("acquisition"):
        ctx.skip("TZ1.4", "附件7 没有“获取方式”列，无法识别受赠、调剂的软件")
        return
    for s in ctx.ledger.summary:
        if s.sw_type == COMMERCIAL and s.acquisition in ("受赠", "调剂"):
            for k in ("purchase_date", "amount"):
                if s.raw.get(k) is not None:
                    yield ctx.finding(
                        "TZ1.4", s.sheet, s.cell(k), s.row, how=s.acquisition, field=_label(k), value=s.raw[k]
                    )


@check("TZ1.5")
def oem_name_version(ctx: CheckContext) -> Iterator[Finding]:
    """One number is given to OEM rows whose 软件名称 or 软件版本 differ."""
    return _name_version_rule(ctx, "TZ1.5", OEM, ("name", "version"))


def _filled_identity(ctx: CheckContext, code: str, sw_type: str, keys: tuple[str, ...]) -> Iterator[Finding]:
    for s in ctx.ledger.summary:
        if s.sw_type != sw_type:
            continue
        for k in keys:
            if s.raw.get(k) is not None and s.form.has(k):
                yield ctx.finding(code, s.sheet, s.cell(k), s.row, field=_label(k), value=s.raw[k])


@check("TZ1.6")
def oem_identity(ctx: CheckContext) -> Iterator[Finding]:
    """An OEM row has any of 采购时间, 采购金额, 许可类型, 许可数量, 可使用版本, 许可期限, 序列号 filled."""
    return _filled_identity(ctx, "TZ1.6", OEM, IDENTITY)


@check("TZ1.7")
def free_names(ctx: CheckContext) -> Iterator[Finding]:
    """One number is given to free rows with different 软件名称."""
    for no, first, later in _pairs(ctx, FREE):
        if first.key("name") != later.key("name"):
            yield ctx.at(
                "TZ1.7",
                later,
                "name",
                no=no,
                value=later.raw.get("name") or "（空）",
                other=first.raw.get("name") or "（空）",
                first=first.cell("name"),
            )


@check("TZ1.8")
def free_one_number(ctx: CheckContext) -> Iterator[Finding]:
    """One free 软件名称 has more than one number (a new version keeps the number)."""
    first_by_name: dict[str, SummaryEntry] = {}
    for s in ctx.ledger.summary:
        name = s.key("name")
        if s.sw_type != FREE or not name or not s.software_no:
            continue
        first = first_by_name.setdefault(name, s)
        if first is not s and norm_key(first.software_no or "") != norm_key(s.software_no):
            yield ctx.at(
                "TZ1.8",
                s,
                "software_no",
                name=s.raw.get("name"),
                no1=first.software_no,
                no2=s.software_no,
                first=first.cell("software_no"),
            )


@check("TZ1.9")
def free_identity(ctx: CheckContext) -> Iterator[Finding]:
    """A free row has 软件版本 or any identity field filled."""
    return _filled_identity(ctx, "TZ1.9", FREE, ("version", *IDENTITY))
