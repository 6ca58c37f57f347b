"""附件5 软件正版化工作信息统计表: its figures, computed from the ledger model as pure functions.

``compute_stats(ledger, as_of)`` returns a :class:`Stats`; renderers (workbook, HTML, JSON) only
format it. The layout of the printed form is data (``schemas/附件5.toml``, read by
:func:`layout`); the product dictionary that guesses a missing 软件类别 is data too
(``schemas/products.toml``, read by :func:`product_dictionary`).

Design decisions (the guide names 附件5 but publishes no layout or definitions):

* **Unit (单位名称)** – the name on the sign line ``单位名称（盖章）：XXX`` as the reader puts it on
  the model (:attr:`Ledger.unit`, 附件7 first); ``None`` when no sign line carries one (renderers
  then show the file name).
* **Staff and computers** – 总人数 is what 附件7 says (nothing else records it). 使用计算机人数 is
  the roll-up's figure (distinct 部门+姓名 on the rebuilt 附件8, docs/rollup.md) when the ledger has
  附件9 logs, else 附件7's. 服务器/台式机/便携机 are the computers in use on 计算机清单 when it
  exists (as the roll-up writes them), else 附件7's. ``Stats.sources`` says which was used.
* **Installed count (安装数量)** – the roll-up's installs as of the date: for every number, the
  sum of its state over all computers (computers × numbers, 数量 included); registered numbers
  and numbers installed per the logs but missing on 附件7 alike.
* **Genuine count (正版数量)** – per number:

  - 商业软件: installs whose holder is among the first 许可数量 holders (a holder is a computer, or
    a distinct 使用人 under 用户许可; holders in order of installation), i.e. "up to the licence",
    the same arithmetic as rule PZ1.1 (许可数量 summed over the number's rows). 场地许可 is
    unlimited, 并发许可 cannot be checked from installs and counts in full. Nothing is genuine
    once the 许可期限 ended before the date, or when 许可数量 is missing (the licence cannot be
    verified).
  - OEM软件: every install is genuine (licensed with the computer).
  - 免费软件: genuine when on 附件6 (matched by number, else by name, as TZ1.12 does), else not.
  - A number not on 附件7, or whose 软件类型 is blank or unreadable: not genuine.

  The genuine rate is genuine ÷ installed, ``None`` when nothing is installed (never 0/0 = 100%).
* **Category (软件类别)** – 附件7's 软件类别 where filled with an allowed value, else guessed from
  软件名称 with the product dictionary (and marked guessed); categories that 附件5 does not list
  (数据库, 业务软件, 工具软件) fold into 其他. A number on several 附件7 rows takes its first row.
* **Purchases of the year** – 附件7 rows of 商业软件 obtained by 采购 (or 获取方式 blank) whose
  采购时间 falls in the as-of date's year and not after the date: the number of rows and the sum
  of 采购金额（元） (a blank amount adds 0). 受赠 and 调剂 are not purchases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from toolkit.dates import DATE_FORMAT, date_text
from toolkit.entitlements import NOT_GENUINE, Flag, licence_end, licence_flags
from toolkit.model import COMMERCIAL, FREE, OEM, Ledger, SummaryEntry
from toolkit.normalize import norm_key, to_int
from toolkit.products import product_dictionary
from toolkit.rollup import Rollup, compute_rollup
from toolkit.schemas import schema
from toolkit.settings import unit_settings

SITE, CONCURRENT, PER_USER = "场地许可", "并发许可", "用户许可"
PURCHASE = "采购"


# --- data: the 附件5 layout ---------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """How 附件5 is laid out (``schemas/附件5.toml``): titles, blocks, labels and notes."""

    title: str
    sheet: str
    sign_line: str
    date_format: str
    categories: tuple[str, ...]
    fold_into: str
    known_categories: tuple[str, ...]
    blocks: tuple[dict[str, Any], ...]
    notes: tuple[str, ...]
    guessed_note: str
    licence_note: str
    detail_sheet: str
    detail_title: str
    detail_columns: tuple[dict[str, str], ...]

    def date_text(self, day: dt.date | None) -> str:
        return date_text(day, self.date_format)

    def licence_text(self, stats: Stats) -> str | None:
        """The note naming the numbers whose installs the licence rules count as not 正版, if any."""
        flagged = stats.licence_flagged
        if not flagged:
            return None
        numbers = "、".join(f"{n.software_no}（{n.reason}）" for n in flagged)
        return self.licence_note.format(count=len(flagged), numbers=numbers)

    def label(self, key: str) -> str:
        """The label of a figure key (``total_staff`` → ``总人数（人）``)."""
        for block in self.blocks:
            for item in block.get("items", ()) + block.get("columns", ()):
                if item["key"] == key:
                    return item["label"]
        return key


@cache
def layout() -> Layout:
    """The 附件5 layout of ``schemas/附件5.toml``."""
    sch = schema("附件5")
    x = sch.extra
    return Layout(
        title=sch.title,
        sheet=sch.sheet,
        sign_line=x["sign_line"],
        date_format=x.get("date_format", DATE_FORMAT),
        categories=tuple(x["categories"]),
        fold_into=x.get("fold_into", "其他"),
        known_categories=tuple(x.get("known_categories", x["categories"])),
        blocks=tuple(x["blocks"]),
        notes=tuple(x["notes"]),
        guessed_note=x["guessed_note"],
        licence_note=x["licence_note"],
        detail_sheet=x["detail_sheet"],
        detail_title=x["detail_title"],
        detail_columns=tuple(x["detail_columns"]),
    )


# --- the figures ---------------------------------------------------------------------------


@dataclass
class NumberStats:
    """One 软件编号: what is installed, how much of it is genuine, and why."""

    software_no: str
    name: str | None
    version: str | None
    sw_type: str | None
    category: str  # a 附件5 category (folded)
    category_raw: str  # as on 附件7 or as guessed, before folding
    guessed: bool
    installed: int
    genuine: int
    reason: str
    registered: bool = True
    license_type: str | None = None
    license_count: int | None = None  # summed over the number's rows; None when unknown
    term_end: dt.date | None = None
    holders: int = 0  # computers (or users under 用户许可) holding the number
    over: bool = False  # more holders than 许可数量 (PZ1.1)
    expired: bool = False  # still installed after the licence ended (PZ1.1E)
    flags: list[str] = field(default_factory=list)  # licence rules that make some installs not 正版 (PZ1.1H/U/O)

    @property
    def unlimited(self) -> bool:
        return self.license_type in (SITE, CONCURRENT)

    @property
    def licensed(self) -> int:
        """Installs the licence covers (for charts): 许可数量, or the installs when unlimited or OEM."""
        if self.sw_type == COMMERCIAL:
            if self.unlimited:
                return self.installed
            return 0 if self.expired else (self.license_count or 0)
        return self.genuine

    def to_dict(self) -> dict[str, Any]:
        return {
            "software_no": self.software_no,
            "name": self.name,
            "version": self.version,
            "sw_type": self.sw_type,
            "category": self.category,
            "category_raw": self.category_raw,
            "category_guessed": self.guessed,
            "registered": self.registered,
            "installed": self.installed,
            "genuine": self.genuine,
            "license_type": self.license_type,
            "license_count": self.license_count,
            "term_end": self.term_end.isoformat() if self.term_end else None,
            "over_deployed": self.over,
            "expired": self.expired,
            "licence_flags": list(self.flags),
            "reason": self.reason,
        }


@dataclass
class CategoryStats:
    """Installed and genuine counts of one 附件5 category (or of all)."""

    category: str
    installed: int = 0
    genuine: int = 0
    guessed: list[str] = field(default_factory=list)  # numbers whose category was guessed

    @property
    def rate(self) -> float | None:
        """genuine ÷ installed, ``None`` when nothing is installed."""
        return self.genuine / self.installed if self.installed else None

    def add(self, other: CategoryStats) -> None:
        self.installed += other.installed
        self.genuine += other.genuine
        self.guessed.extend(other.guessed)

    def to_dict(self) -> dict[str, Any]:
        rate = self.rate
        return {
            "category": self.category,
            "installed": self.installed,
            "genuine": self.genuine,
            "rate": round(rate, 4) if rate is not None else None,
            "guessed": list(self.guessed),
        }


COUNT_KEYS = ("total_staff", "staff_using", "servers", "desktops", "laptops")


@dataclass
class Stats:
    """The figures of 附件5 for one ledger as of a date."""

    workbook: str
    as_of: dt.date
    unit: str | None
    fill_date: dt.date | None
    counts: dict[str, int | None]  # COUNT_KEYS → figure
    sources: dict[str, str]  # COUNT_KEYS → where the figure came from
    numbers: list[NumberStats]
    purchase_count: int
    purchase_amount: float
    categories_shown: tuple[str, ...]
    filler: str | None = None  # 填表人 and 联系电话 as the ledger's sign line has them
    phone: str | None = None

    @property
    def computers(self) -> int | None:
        """服务器 + 台式机 + 便携机, ``None`` when none of them is known."""
        parts = [self.counts.get(k) for k in ("servers", "desktops", "laptops")]
        return sum(p or 0 for p in parts) if any(p is not None for p in parts) else None

    @property
    def categories(self) -> list[CategoryStats]:
        """One entry per category of the layout, in its order."""
        out = {c: CategoryStats(c) for c in self.categories_shown}
        for n in self.numbers:
            cat = out[n.category]
            cat.installed += n.installed
            cat.genuine += n.genuine
            if n.guessed and n.installed:
                cat.guessed.append(n.software_no)
        return list(out.values())

    @property
    def total(self) -> CategoryStats:
        total = CategoryStats("合计")
        for c in self.categories:
            total.add(c)
        return total

    def category(self, name: str) -> CategoryStats:
        return next(c for c in self.categories if c.category == name)

    @property
    def over_deployed(self) -> list[NumberStats]:
        return [n for n in self.numbers if n.over]

    @property
    def expired(self) -> list[NumberStats]:
        return [n for n in self.numbers if n.expired]

    @property
    def licence_flagged(self) -> list[NumberStats]:
        """Installed numbers some of whose installs the licence rules count as not 正版."""
        return [n for n in self.numbers if n.flags]

    @property
    def guessed(self) -> list[NumberStats]:
        """Installed numbers whose category was guessed from the name."""
        return [n for n in self.numbers if n.guessed and n.installed]

    def figure(self, key: str) -> int | float | None:
        """A single figure by the key the layout uses."""
        if key in COUNT_KEYS:
            return self.counts.get(key)
        if key == "purchase_count":
            return self.purchase_count
        if key == "purchase_amount":
            return self.purchase_amount
        if key == "computers":
            return self.computers
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``zbtz report LEDGER --format json``."""
        return {
            "workbook": self.workbook,
            "unit": self.unit,
            "as_of": self.as_of.isoformat(),
            "fill_date": self.fill_date.isoformat() if self.fill_date else None,
            "staff": {k: self.counts.get(k) for k in COUNT_KEYS[:2]},
            "computers": {**{k: self.counts.get(k) for k in COUNT_KEYS[2:]}, "total": self.computers},
            "sources": dict(self.sources),
            "categories": [c.to_dict() for c in self.categories],
            "total": self.total.to_dict(),
            "purchases": {"year": self.as_of.year, "count": self.purchase_count, "amount": self.purchase_amount},
            "over_deployed": [n.software_no for n in self.over_deployed],
            "expired": [n.software_no for n in self.expired],
            "licence_flagged": [n.software_no for n in self.licence_flagged],
            "numbers": [n.to_dict() for n in self.numbers],
        }


# --- computing them ------------------------------------------------------------------------


def unit_name(ledger: Ledger) -> str | None:
    """单位名称 from the sign line ``单位名称（盖章）：XXX`` (the reader's, 附件7 first)."""
    return ledger.unit


def compute_stats(ledger: Ledger, as_of: dt.date, rollup: Rollup | None = None) -> Stats:
    """The 附件5 figures of one ledger as of ``as_of`` (the roll-up is computed when not given)."""
    ru = rollup if rollup is not None else compute_rollup(ledger, as_of)
    lay = layout()
    counts, sources = _counts(ledger, ru)
    summary_form = ledger.form("附件7")
    fill = summary_form.fill_date.value if summary_form and summary_form.fill_date else None
    count, amount = _purchases(ledger.summary, as_of)
    return Stats(
        workbook=ledger.path,
        as_of=as_of,
        unit=unit_name(ledger),
        filler=ledger.sign_field("filler"),
        phone=ledger.sign_field("phone"),
        fill_date=fill if isinstance(fill, dt.date) else None,
        counts=counts,
        sources=sources,
        numbers=_numbers(ledger, ru, lay),
        purchase_count=count,
        purchase_amount=amount,
        categories_shown=lay.categories,
    )


def _counts(ledger: Ledger, ru: Rollup) -> tuple[dict[str, int | None], dict[str, str]]:
    form = ledger.form("附件7")
    labels = form.labels if form else {}
    counts: dict[str, int | None] = {}
    sources: dict[str, str] = {}
    for key in COUNT_KEYS:
        lab = labels.get(key)
        counts[key] = to_int(lab.value) if lab is not None and lab.value is not None else None
        sources[key] = "附件7"
    if any(log.size for log in ledger.logs):
        counts["staff_using"] = ru.staff_using
        sources["staff_using"] = "附件9 汇总"
    if ru.computer_counts is not None:
        for key in ("servers", "desktops", "laptops"):
            counts[key] = ru.computer_counts[key]
            sources[key] = "计算机清单"
    return counts, sources


def _purchases(rows: list[SummaryEntry], as_of: dt.date) -> tuple[int, float]:
    start = dt.date(as_of.year, 1, 1)
    count, amount = 0, 0.0
    for s in rows:
        if s.sw_type != COMMERCIAL or s.acquisition not in (None, PURCHASE):
            continue
        day = s.purchase_date
        if day is None or not (start <= day <= as_of):
            continue
        count += 1
        value = s.val.get("amount")
        amount += float(value) if isinstance(value, (int, float)) else 0.0
    return count, round(amount, 2)


def _category(entry: SummaryEntry | None, name: str | None, lay: Layout) -> tuple[str, str, bool]:
    """(folded category, category before folding, guessed?)."""
    given = entry.val.get("category") if entry is not None else None
    if isinstance(given, str) and given in lay.known_categories:
        raw, guessed = given, False
    else:
        raw, guessed = product_dictionary().guess(name), True
    return (raw if raw in lay.categories else lay.fold_into), raw, guessed


def _log_names(ledger: Ledger) -> dict[str, str]:
    """Number key → 软件名称 from the 附件9 info blocks (for numbers missing on 附件7)."""
    out: dict[str, str] = {}
    for log in ledger.logs:
        lab = log.info.get("name") if not log.combined else None
        if log.software_no and lab is not None and lab.raw:
            out.setdefault(norm_key(log.software_no), lab.raw)
    return out


def _numbers(ledger: Ledger, ru: Rollup, lay: Layout) -> list[NumberStats]:
    groups: dict[str, list[SummaryEntry]] = {}
    for s in ledger.summary:
        if s.software_no:
            groups.setdefault(norm_key(s.software_no), []).append(s)
    whitelisted = _whitelist(ledger)
    holders = _holders(ru)
    flags: dict[str, list[Flag]] = {}
    for f in licence_flags(ledger, ru, unit_settings(ledger)):
        if f.code in NOT_GENUINE and f.number is not None:
            flags.setdefault(f.number, []).append(f)
    out: list[NumberStats] = []
    for nk, rows in groups.items():
        first = rows[0]
        name = first.raw.get("name")
        cat, raw_cat, guessed = _category(first, name, lay)
        installed = ru.installed.get(nk, 0)
        ns = NumberStats(
            first.software_no or nk,
            name,
            first.raw.get("version"),
            first.sw_type,
            cat,
            raw_cat,
            guessed,
            installed,
            0,
            "",
        )
        _judge(ns, rows, holders.get(nk, []), ru.as_of, whitelisted(first.software_no, name))
        _apply_flags(ns, flags.get(nk, []), holders.get(nk, []))
        out.append(ns)
    names = _log_names(ledger)
    for nk, installed in ru.installed.items():
        if nk in groups or installed <= 0:
            continue
        name = names.get(nk)
        cat, raw_cat, guessed = _category(None, name, lay)
        out.append(
            NumberStats(
                ru.number_text.get(nk, nk),
                name,
                None,
                None,
                cat,
                raw_cat,
                guessed,
                installed,
                0,
                "未在附件7 登记，不计为正版",
                registered=False,
            )
        )
    return out


def _whitelist(ledger: Ledger):
    numbers = {norm_key(w.raw["software_no"]) for w in ledger.whitelist if w.raw.get("software_no")}
    names = {norm_key(w.raw["name"]) for w in ledger.whitelist if w.raw.get("name")}

    def listed(no: str | None, name: str | None) -> bool:
        return bool(no and norm_key(no) in numbers) or bool(name and norm_key(name) in names)

    return listed


Holder = tuple[dt.date, str, str, int]  # (install date, computer key, user key, installs)


def _holders(ru: Rollup) -> dict[str, list[Holder]]:
    """Number key → the computers holding it, in order of installation."""
    users: dict[tuple[str, str], str] = {}
    for r in ru.detail:
        if r.software_no:
            ck = norm_key(r.computer)
            users[(ck, norm_key(r.software_no))] = norm_key(r.person) if r.person else ck
    out: dict[str, list[Holder]] = {}
    for (ck, nk), s in ru.state.items():
        if s > 0:
            day = ru.install_date.get((ck, nk), dt.date.min)
            out.setdefault(nk, []).append((day, ck, users.get((ck, nk), ck), s))
    for items in out.values():
        items.sort()
    return out


def _judge(
    ns: NumberStats, rows: list[SummaryEntry], holders: list[Holder], as_of: dt.date, on_whitelist: bool
) -> None:
    """Fill ``genuine`` and ``reason`` (and the licence facts) of one registered number."""
    first = rows[0]
    if ns.sw_type == OEM:
        ns.genuine, ns.reason = ns.installed, "OEM 预装软件"
        return
    if ns.sw_type == FREE:
        if on_whitelist:
            ns.genuine, ns.reason = ns.installed, "已列入附件6 免费软件清单"
        else:
            ns.reason = "免费软件未列入附件6，不计为正版"
        return
    if ns.sw_type != COMMERCIAL:
        ns.reason = "软件类型未填或无法识别，不计为正版"
        return
    ns.license_type = first.license_type
    counts = [r.license_count for r in rows]
    ns.license_count = sum(c for c in counts if c is not None) if all(c is not None for c in counts) else None
    ns.term_end, service = licence_end(first)
    per_user = ns.license_type == PER_USER
    ns.holders = len({(u if per_user else ck) for _, ck, u, _ in holders})
    if ns.installed == 0:
        ns.reason = "未安装"
        return
    if ns.term_end is not None and ns.term_end < as_of:
        ns.expired = True
        ns.reason = f"{'杀毒软件年服务' if service else '许可'}已于 {ns.term_end.isoformat()} 到期，不计为正版"
        return
    if ns.license_type == SITE:
        ns.genuine, ns.reason = ns.installed, "场地许可，不限数量"
        return
    if ns.license_type == CONCURRENT:
        ns.genuine, ns.reason = ns.installed, "并发许可，安装数不受许可数量限制"
        return
    if ns.license_count is None:
        ns.reason = "许可数量未填或无法识别，无法核实，不计为正版"
        return
    allowed: set[str] = set()
    for _, ck, user, installs in holders:
        who = user if per_user else ck
        if who in allowed or len(allowed) < ns.license_count:
            allowed.add(who)
            ns.genuine += installs
    ns.over = ns.holders > ns.license_count
    unit = "名用户" if per_user else "台计算机"
    if ns.over:
        ns.reason = f"许可数量 {ns.license_count}，安装在 {ns.holders} {unit}上，超出部分不计为正版"
    else:
        ns.reason = "在许可数量以内"


def _apply_flags(ns: NumberStats, flags: list[Flag], holders: list[Holder]) -> None:
    """Installs the licence rules flag (consumer edition, unlicensed upgrade, OEM moved) are not 正版."""
    if not flags or ns.installed == 0:
        return
    whole = next((f for f in flags if f.computer is None), None)
    if whole is not None:
        ns.genuine, ns.reason = 0, f"{whole.reason}，不计为正版"
        ns.flags = [whole.code]
        return
    reasons = {h[1]: f for f in flags for h in holders if h[1] == f.computer}
    bad = sum(installs for _, ck, _, installs in holders if ck in reasons)
    if bad == 0:
        return
    ns.genuine = max(0, min(ns.genuine, ns.installed - bad))
    ns.flags = sorted({f.code for f in reasons.values()})
    whys = "、".join(sorted({f.reason for f in reasons.values()}))
    ns.reason = f"{ns.reason}；其中 {bad} 套：{whys}，不计为正版"


def combine(parts: list[Stats], unit: str, as_of: dt.date) -> Stats:
    """The 附件5 of several units together: counts and purchases summed, numbers pooled."""
    counts: dict[str, int | None] = {}
    for key in COUNT_KEYS:
        known = [p.counts.get(key) for p in parts if p.counts.get(key) is not None]
        counts[key] = sum(known) if known else None  # type: ignore[arg-type]
    return Stats(
        workbook="",
        as_of=as_of,
        unit=unit,
        fill_date=as_of,
        counts=counts,
        sources=dict.fromkeys(COUNT_KEYS, "各单位合计"),
        numbers=[n for p in parts for n in p.numbers],
        purchase_count=sum(p.purchase_count for p in parts),
        purchase_amount=round(sum(p.purchase_amount for p in parts), 2),
        categories_shown=layout().categories,
    )
