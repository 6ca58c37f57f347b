"""Numbering rules on 附件7 (台账管理规定 一.2–9, and TZ1.0).

A finding about two rows names the later row and gives the first row's address in the message.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import ERROR, REGISTRY, WARNING, CheckContext, Finding
from ..model import SummaryEntry
from ..normalize import norm_key

COMMERCIAL, OEM, FREE = "商业软件", "OEM软件", "免费软件"
IDENTITY = ("purchase_date", "amount", "license_type", "license_count", "usable_version", "term", "serial")
LABELS = {
    "purchase_date": "采购时间",
    "amount": "采购金额",
    "license_type": "许可类型",
    "license_count": "许可数量",
    "usable_version": "可使用版本",
    "term": "许可期限",
    "serial": "序列号",
    "version": "软件版本",
    "name": "软件名称",
}
_COMPARED_ALWAYS = ("name", "version", "sw_type", "category", "acquisition", *IDENTITY)


def by_number(ctx: CheckContext) -> dict[str, list[SummaryEntry]]:
    """附件7 rows grouped by normalised 软件编号, in sheet order."""
    groups: dict[str, list[SummaryEntry]] = {}
    for s in ctx.ledger.summary:
        if s.software_no:
            groups.setdefault(norm_key(s.software_no), []).append(s)
    return groups


def field_key(row: SummaryEntry, key: str) -> object:
    """The comparable value of a field: parsed when typed and readable, else normalised text."""
    v = row.val.get(key)
    if v is not None and key in ("purchase_date", "amount", "license_count", "term", "license_type", "sw_type", "acquisition"):
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


@REGISTRY.rule("TZ1.0", ERROR, "同一编号用于不同软件类型", "软件编号 {no} 在本行为“{type2}”，而在 {first} 为“{type1}”：不同类型的软件须使用不同编号。", "同一软件编号用于不同软件类型的行。")
def mixed_types(ctx: CheckContext) -> Iterator[Finding]:
    """One number is used by rows of different 软件类型."""
    for rows in by_number(ctx).values():
        typed = [r for r in rows if r.sw_type]
        for later in typed[1:]:
            if later.sw_type != typed[0].sw_type:
                yield ctx.finding(
                    "TZ1.0", later.sheet, later.cell("sw_type"), later.row,
                    no=later.software_no, type1=typed[0].sw_type, type2=later.sw_type, first=typed[0].cell("sw_type"),
                )


def _name_version_rule(ctx: CheckContext, code: str, sw_type: str, keys: tuple[str, ...]) -> Iterator[Finding]:
    for no, first, later in _pairs(ctx, sw_type):
        k = _first_diff(first, later, keys)
        if k is not None:
            yield ctx.finding(
                code, later.sheet, later.cell(k), later.row,
                no=no, field=LABELS[k], value=later.raw.get(k) or "（空）", other=first.raw.get(k) or "（空）", first=first.cell(k),
            )


@REGISTRY.rule("TZ1.2", ERROR, "商业软件名称或版本不同却同号", "软件编号 {no} 已用于 {first} 的“{other}”，本行{field}为“{value}”：软件名称或版本不同的商业软件须使用不同编号。", "同一编号用于软件名称或软件版本不同的商业软件。")
def commercial_name_version(ctx: CheckContext) -> Iterator[Finding]:
    """One number is given to commercial rows whose 软件名称 or 软件版本 differ."""
    return _name_version_rule(ctx, "TZ1.2", COMMERCIAL, ("name", "version"))


@REGISTRY.rule("TZ1.3", ERROR, "商业软件采购批次不同却同号", "软件编号 {no} 的{field}在 {first} 为“{other}”，本行为“{value}”：采购时间、金额、许可等任一不同的商业软件须使用不同编号。", "同一编号用于名称、版本相同但采购时间、金额、许可类型、许可数量、可使用版本、许可期限、序列号任一不同的商业软件。")
def commercial_identity(ctx: CheckContext) -> Iterator[Finding]:
    """One number is given to commercial rows with the same name and version that differ in an identity field."""
    for no, first, later in _pairs(ctx, COMMERCIAL):
        if _first_diff(first, later, ("name", "version")) is not None:
            continue  # that is TZ1.2
        k = _first_diff(first, later, IDENTITY)
        if k is not None:
            yield ctx.finding(
                "TZ1.3", later.sheet, later.cell(k), later.row,
                no=no, field=LABELS[k], value=later.raw.get(k) or "（空）", other=first.raw.get(k) or "（空）", first=first.cell(k),
            )


@REGISTRY.rule("TZ1.3D", WARNING, "商业软件重复登记", "本行与 {first} 完全相同（软件编号 {no}）：疑为重复登记，请删除其中一行。", "同一编号下两行商业软件完全相同：重复登记。")
def commercial_duplicate(ctx: CheckContext) -> Iterator[Finding]:
    """Two commercial rows identical in every field under one number."""
    for no, first, later in _pairs(ctx, COMMERCIAL):
        if _first_diff(first, later, _COMPARED_ALWAYS) is None:
            yield ctx.finding("TZ1.3D", later.sheet, later.cell("software_no"), later.row, no=no, first=first.cell("software_no"))


@REGISTRY.rule("TZ1.4", ERROR, "受赠/调剂软件填写了采购信息", "本行商业软件通过“{how}”获得，不应填写{field}（“{value}”）。请清空该单元格。", "通过受赠、调剂获得的商业软件填写了采购时间或采购金额。")
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
                    yield ctx.finding("TZ1.4", s.sheet, s.cell(k), s.row, how=s.acquisition, field=LABELS[k], value=s.raw[k])


@REGISTRY.rule("TZ1.5", ERROR, "OEM 软件名称或版本不同却同号", "软件编号 {no} 已用于 {first} 的“{other}”，本行{field}为“{value}”：软件名称或版本不同的 OEM 软件须使用不同编号。", "同一编号用于软件名称或软件版本不同的 OEM 软件。")
def oem_name_version(ctx: CheckContext) -> Iterator[Finding]:
    """One number is given to OEM rows whose 软件名称 or 软件版本 differ."""
    return _name_version_rule(ctx, "TZ1.5", OEM, ("name", "version"))


def _filled_identity(ctx: CheckContext, code: str, sw_type: str, keys: tuple[str, ...]) -> Iterator[Finding]:
    for s in ctx.ledger.summary:
        if s.sw_type != sw_type:
            continue
        for k in keys:
            if s.raw.get(k) is not None and s.form.has(k):
                yield ctx.finding(code, s.sheet, s.cell(k), s.row, field=LABELS[k], value=s.raw[k])


@REGISTRY.rule("TZ1.6", ERROR, "OEM 软件填写了采购或许可信息", "OEM 软件不填写{field}（本行为“{value}”）。请清空该单元格或填写“--”。", "OEM 软件填写了采购时间、采购金额、许可类型、许可数量、可使用版本、许可期限或序列号。")
def oem_identity(ctx: CheckContext) -> Iterator[Finding]:
    """An OEM row has any of 采购时间, 采购金额, 许可类型, 许可数量, 可使用版本, 许可期限, 序列号 filled."""
    return _filled_identity(ctx, "TZ1.6", OEM, IDENTITY)


@REGISTRY.rule("TZ1.7", ERROR, "免费软件名称不同却同号", "软件编号 {no} 已用于 {first} 的“{other}”，本行为“{value}”：名称不同的免费软件须使用不同编号。", "同一编号用于名称不同的免费软件。")
def free_names(ctx: CheckContext) -> Iterator[Finding]:
    """One number is given to free rows with different 软件名称."""
    for no, first, later in _pairs(ctx, FREE):
        if first.key("name") != later.key("name"):
            yield ctx.finding(
                "TZ1.7", later.sheet, later.cell("name"), later.row,
                no=no, value=later.raw.get("name") or "（空）", other=first.raw.get("name") or "（空）", first=first.cell("name"),
            )


@REGISTRY.rule("TZ1.8", ERROR, "同一免费软件有多个编号", "免费软件“{name}”已在 {first} 编号为 {no1}，本行又编为 {no2}：同名免费软件（含新版本）须沿用同一编号。", "同一免费软件（同名）有多个编号；新版本应沿用原编号。")
def free_one_number(ctx: CheckContext) -> Iterator[Finding]:
    """One free 软件名称 has more than one number (a new version keeps the number)."""
    first_by_name: dict[str, SummaryEntry] = {}
    for s in ctx.ledger.summary:
        name = s.key("name")
        if s.sw_type != FREE or not name or not s.software_no:
            continue
        first = first_by_name.setdefault(name, s)
        if first is not s and norm_key(first.software_no or "") != norm_key(s.software_no):
            yield ctx.finding(
                "TZ1.8", s.sheet, s.cell("software_no"), s.row,
                name=s.raw.get("name"), no1=first.software_no, no2=s.software_no, first=first.cell("software_no"),
            )


@REGISTRY.rule("TZ1.9", ERROR, "免费软件填写了版本或许可信息", "免费软件不填写{field}（本行为“{value}”）。请清空该单元格或填写“--”。", "免费软件填写了软件版本或采购、许可信息。")
def free_identity(ctx: CheckContext) -> Iterator[Finding]:
    """A free row has 软件版本 or any identity field filled."""
    return _filled_identity(ctx, "TZ1.9", FREE, ("version", *IDENTITY))
