"""Numbering for the user: fill every blank 软件编号 on 附件7 by 台账管理规定 一.2–9.

:func:`plan_numbers` is pure: from the ledger model it decides, row by row in sheet order,

- a 免费软件 keeps the number its 软件名称 already has, whatever the version (一.7, 一.8);
- an OEM软件 shares the number of the same 软件名称 and 软件版本, else gets a new one (一.5);
- every 商业软件 row is a purchase lot of its own (bought, 受赠 or 调剂) and gets a new number
  (一.2, 一.3, 一.4);

never changing a number that is written, and lists the 附件9 sheets missing for the numbers
(一 三.2–3). :func:`apply_numbers` writes the plan with the package writer: the numbers into their
cells (and into blank 软件编号 cells of 附件6 for listed free software), each new 附件9 sheet laid
out by :mod:`toolkit.forms.layout` and copied in by :mod:`toolkit.write.sheetcopy`.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from toolkit.errors import NumberingError
from toolkit.model import COMMERCIAL, FREE, OEM, Ledger, SummaryEntry
from toolkit.normalize import norm_key
from toolkit.schemas import schema

DEFAULT_PATTERN = "{prefix}-{n:03d}"
DEFAULT_PREFIXES = {COMMERCIAL: "SY", OEM: "OEM", FREE: "MF"}
INFO_KEYS = ("name", "version", "sw_type", "license_count", "usable_version", "term")


@dataclass(frozen=True)
class NumberFormat:
    """How new numbers look: ``pattern`` with ``{prefix}`` and ``{n}`` (``{n:03d}``), a prefix per type."""

    pattern: str = DEFAULT_PATTERN
    prefixes: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PREFIXES))

    def __post_init__(self) -> None:
        fields = [f for _, f, _, _ in string.Formatter().parse(self.pattern) if f is not None]
        if "n" not in fields or any(f not in ("n", "prefix") for f in fields):
            raise NumberingError(
                f"编号格式“{self.pattern}”须含 {{n}}（序号），可含 {{prefix}}（前缀），例如 {DEFAULT_PATTERN}。"
            )
        try:
            self.pattern.format(prefix="X", n=1)
        except (ValueError, IndexError, KeyError) as exc:
            raise NumberingError(f"编号格式“{self.pattern}”无法使用：{exc}。") from exc
        missing = [t for t in DEFAULT_PREFIXES if t not in self.prefixes]
        if missing:
            raise NumberingError(f"编号前缀缺少软件类型：{'、'.join(missing)}。")

    def make(self, sw_type: str, n: int) -> str:
        """The number ``n`` of a type, e.g. ``SY-007``."""
        return self.pattern.format(prefix=self.prefixes[sw_type], n=n)

    def parse(self, sw_type: str, text: str) -> int | None:
        """``n`` of a number written in this format for that type's prefix, else ``None``."""
        regex = ""
        for literal, name, _spec, _conv in string.Formatter().parse(self.pattern):
            regex += re.escape(literal)
            if name == "prefix":
                regex += re.escape(self.prefixes[sw_type])
            elif name == "n":
                regex += r"(?P<n>\d+)"
        m = re.fullmatch(regex, text.strip(), re.IGNORECASE)
        return int(m["n"]) if m else None


@dataclass(frozen=True)
class NumberFill:
    """A blank 软件编号 cell and the number it gets."""

    sheet: str
    cell: str
    software_no: str
    name: str
    sw_type: str
    reason: str

    def to_dict(self) -> dict:
        return dict(
            sheet=self.sheet,
            cell=self.cell,
            software_no=self.software_no,
            name=self.name,
            sw_type=self.sw_type,
            reason=self.reason,
        )


@dataclass(frozen=True)
class NewLog:
    """A 附件9 sheet to add for a number that has none."""

    sheet: str
    software_no: str
    info: dict

    def to_dict(self) -> dict:
        return dict(sheet=self.sheet, software_no=self.software_no)


@dataclass(frozen=True)
class Unnumbered:
    """A 附件7 row left blank, and why."""

    sheet: str
    cell: str
    reason: str

    def to_dict(self) -> dict:
        return dict(sheet=self.sheet, cell=self.cell, reason=self.reason)


@dataclass
class NumberPlan:
    """Everything ``number`` writes: the cells to fill and the 附件9 sheets to add."""

    unit: str | None = None
    day: dt.date | None = None  # 填表日期 of the new 附件9 sheets
    fills: list[NumberFill] = field(default_factory=list)
    whitelist_fills: list[NumberFill] = field(default_factory=list)
    logs: list[NewLog] = field(default_factory=list)
    unnumbered: list[Unnumbered] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when applying the plan would change nothing."""
        return not (self.fills or self.whitelist_fills or self.logs)

    def to_dict(self) -> dict:
        return dict(
            numbers=[f.to_dict() for f in self.fills],
            whitelist=[f.to_dict() for f in self.whitelist_fills],
            new_logs=[g.to_dict() for g in self.logs],
            unnumbered=[u.to_dict() for u in self.unnumbered],
            notes=list(self.notes),
        )


def plan_numbers(
    ledger: Ledger, fmt: NumberFormat | None = None, sheets: Iterable[str] = (), day: dt.date | None = None
) -> NumberPlan:
    """Decide every blank 软件编号 of 附件7 and the 附件9 sheets that are missing (pure).

    ``sheets`` are the names of every sheet in the workbook (new 附件9 sheets avoid them);
    ``day`` is the 填表日期 on the new sheets' sign lines (none: left blank to fill in).
    """
    fmt = fmt or NumberFormat()
    form = ledger.form("附件7")
    if form is None:
        raise NumberingError("台账中找不到《软件使用情况汇总表》（附件7），无法编号。")
    if not form.has("software_no"):
        raise NumberingError("附件7 的表头中没有“软件编号”列，无法编号。请先添加该列。")
    plan = NumberPlan(unit=ledger.unit, day=day)
    rows = ledger.summary
    used = {norm_key(r.software_no) for r in rows if r.software_no}
    counters: dict[str, int] = {}
    for kind in DEFAULT_PREFIXES:
        prefix = fmt.prefixes[kind]
        ns = [n for r in rows if r.software_no and (n := fmt.parse(kind, r.software_no)) is not None]
        counters[prefix] = max([counters.get(prefix, 0), *ns])
    free_no: dict[str, str] = {}
    oem_no: dict[tuple, str] = {}
    for r in rows:  # numbers already written set the pattern new rows follow
        if not r.software_no:
            continue
        if r.sw_type == FREE and r.key("name"):
            free_no.setdefault(r.key("name"), r.software_no)  # type: ignore[arg-type]
        elif r.sw_type == OEM and r.key("name"):
            oem_no.setdefault((r.key("name"), r.key("version")), r.software_no)

    def new_number(sw_type: str) -> str:
        prefix = fmt.prefixes[sw_type]
        while True:
            counters[prefix] += 1
            no = fmt.make(sw_type, counters[prefix])
            if norm_key(no) not in used:
                used.add(norm_key(no))
                return no

    for r in rows:
        if r.software_no:
            continue
        cell = r.cell("software_no")
        name = r.raw.get("name")
        if not name:
            plan.unnumbered.append(Unnumbered(r.sheet, cell, "软件名称为空，未编号"))
            continue
        sw_type = r.sw_type or ""
        if sw_type not in DEFAULT_PREFIXES:
            why = (
                f"软件类型“{r.raw.get('sw_type')}”不是商业软件、OEM软件或免费软件"
                if r.raw.get("sw_type")
                else "软件类型为空"
            )
            plan.unnumbered.append(Unnumbered(r.sheet, cell, why + "，未编号"))
            continue
        if sw_type == FREE:
            no = free_no.get(r.key("name"))  # type: ignore[arg-type]
            reason = f"沿用同名免费软件的编号 {no}（一.8）" if no else "新的免费软件（一.7）"
            if no is None:
                no = free_no[r.key("name")] = new_number(FREE)  # type: ignore[index]
        elif sw_type == OEM:
            key = (r.key("name"), r.key("version"))
            no = oem_no.get(key)
            reason = f"沿用同名同版本 OEM 软件的编号 {no}（一.5）" if no else "新的 OEM 软件名称或版本（一.5）"
            if no is None:
                no = oem_no[key] = new_number(OEM)
        else:
            no = new_number(COMMERCIAL)
            how = r.acquisition or "采购"
            reason = f"{how}的商业软件，每批次一个编号（一.2、一.3）"
        plan.fills.append(NumberFill(r.sheet, cell, no, name, sw_type, reason))
    _plan_whitelist(ledger, plan, free_no)
    _plan_logs(ledger, plan, sheets)
    return plan


def _plan_whitelist(ledger: Ledger, plan: NumberPlan, free_no: Mapping[str, str]) -> None:
    """附件6 rows without a number get their free software's number once it is on 附件7."""
    form = ledger.form("附件6")
    if form is None or not form.has("software_no"):
        return
    for w in ledger.whitelist:
        no = free_no.get(w.key("name") or "")
        if not w.raw.get("software_no") and no:
            plan.whitelist_fills.append(
                NumberFill(
                    w.sheet, w.cell("software_no"), no, w.raw.get("name") or "", FREE, "附件7 中该免费软件的编号"
                )
            )


def _plan_logs(ledger: Ledger, plan: NumberPlan, sheets: Iterable[str]) -> None:
    if any(log.combined for log in ledger.logs):
        plan.notes.append("台账使用合并的安装维护记录（一张表登记所有编号），未新建每个编号的附件9 工作表。")
        return
    has_log = {norm_key(log.software_no) for log in ledger.logs if log.software_no}
    assigned = {(f.sheet, f.cell): f.software_no for f in plan.fills}
    first: dict[str, tuple[str, SummaryEntry]] = {}
    for r in ledger.summary:
        no = r.software_no or assigned.get((r.sheet, r.cell("software_no")))
        if no and norm_key(no) not in first:
            first[norm_key(no)] = (no, r)
    from toolkit.forms.layout import sheet_name  # here: it brings openpyxl, which rollup never needs

    taken = [*sheets, *(f.sheet for f in ledger.forms)]
    form = schema("附件9")
    for key, (no, r) in first.items():
        if key in has_log:
            continue
        info: dict[str, object] = {"software_no": no}
        for k in INFO_KEYS:
            info[k] = r.val.get(k) if k in ("sw_type", "license_count") and r.val.get(k) is not None else r.raw.get(k)
        name = sheet_name(form, no, taken)
        taken.append(name)
        plan.logs.append(NewLog(name, no, info))
