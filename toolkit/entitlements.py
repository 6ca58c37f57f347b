"""Whether an install is covered by the right kind of licence: editions, versions, OEM binding, base licences.

The licence rules (``rules/licences.py``) report what :func:`licence_flags` finds, and 附件5
(``stats.py``) counts the installs it flags as consumer editions, unlicensed upgrades or OEM
software on the wrong computer as not 正版 — one judgement, two readers. Facts and sources:
``docs/规则目录.md`` (PZ1.1H, PZ1.1U, PZ1.1D, PZ1.1O, PZ1.1V) and ``docs/本单位设置.md``.

* **Editions** come from the product dictionary (``schemas/products.toml``): a 附件7 entry whose
  软件名称 names a consumer edition (Windows 家庭版, Office 家庭和学生版 …) is flagged, and so is a
  附件8 row naming one under a number that 附件7 lacks.
* **Versions** compare major version numbers only (the first number of the text: ``2019``,
  ``V13.0`` → 13), and only when both are years or both are not. 可使用版本 may be one version, a
  range (``2016-2019``) or a version with ``及以下``; words such as ``不限``/``最新版`` turn the check off.
  A version above the licence is an unlicensed upgrade; below it a downgrade, accepted for volume
  licences (批量许可, 场地许可) and otherwise only when 备注 records it (``降级``), as the unit's
  setting 降级须登记 says.
* **OEM binding**: an OEM install whose 备注 says it was moved (迁移, 移机 …); or an OEM number's
  first install on a computer that had been in use (logged) for more than the grace days, replacing
  software of the same 软件类别 there, within the grace days after the same number came off a
  computer that 计算机清单 marks 报废 at its 报废日期. All three together: install dates alone cannot tell
  a moved licence from a reinstall, and a ledger whose dates are only approximate must stay clean.
* **Volume Windows** (批量许可/场地许可) on a computer that never had an OEM or retail (单机许可)
  Windows per the logs or 附件8.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from toolkit.model import COMMERCIAL, OEM, Ledger, Row, SummaryEntry
from toolkit.normalize import norm_key
from toolkit.products import edition_of, families_of, product_dictionary
from toolkit.rollup import Rollup
from toolkit.settings import DOWNGRADE_ALL, NO, Settings

VOLUME = ("批量许可", "场地许可")
RETAIL = ("单机许可",)
ANTIVIRUS = "杀毒软件"
WINDOWS = "Windows"
NOT_GENUINE = ("PZ1.1H", "PZ1.1U", "PZ1.1O")  # flags that make an install not 正版 on 附件5
DOWNGRADE_WORD = "降级"
MOVED = re.compile(r"迁移|移机|转移|移至|移到|挪用|调用自")
_ANY_VERSION = ("不限", "任意", "所有版本", "最新", "全部版本")
_AND_BELOW = ("及以下", "以下", "及以前", "以前", "向下")
_NUMBER = re.compile(r"\d+")
_YEAR_FROM = 1990


@dataclass(frozen=True)
class Flag:
    """One licence problem: its rule code, the row and column to point at, and the message values.

    ``number`` is the number key it concerns; ``computer`` the computer key, or ``None`` when the
    whole number is concerned (every install of it).
    """

    code: str
    row: Row
    column: str
    number: str | None
    computer: str | None
    reason: str
    values: dict[str, Any] = field(default_factory=dict)


def major(text: str | None) -> int | None:
    """The major version of a version text: its first number (``2019``, ``V13.0`` → 13)."""
    if not text:
        return None
    m = _NUMBER.search(text)
    return int(m[0]) if m else None


def _same_scheme(a: int, b: int) -> bool:
    """Both years (2016, 2019) or both plain versions (10, 13): a year and a 16 are not comparable."""
    return (a >= _YEAR_FROM) == (b >= _YEAR_FROM)


def usable_bounds(text: str | None) -> tuple[int | None, int | None]:
    """(lowest, highest) major version 可使用版本 allows; ``None`` where it sets no bound."""
    if not text or any(w in text for w in _ANY_VERSION):
        return None, None
    nums = [int(n) for n in _NUMBER.findall(text)]
    if not nums:
        return None, None
    if any(w in text for w in _AND_BELOW):
        return None, nums[0]
    if len(nums) >= 2 and re.search(r"\d\s*(?:-|—|–|至|到|~|～)\s*\D{0,8}\d", text) and _same_scheme(nums[0], nums[1]):
        return min(nums[0], nums[1]), max(nums[0], nums[1])
    return nums[0], nums[0]


def category_of(entry: SummaryEntry | None, name: str | None = None) -> str | None:
    """软件类别: as filled on 附件7, else guessed from the name; ``None`` when neither says."""
    given = entry.val.get("category") if entry is not None else None
    if isinstance(given, str):
        return given
    dic = product_dictionary()
    guess = dic.guess(name if name is not None else (entry.raw.get("name") if entry is not None else None))
    return None if guess == dic.other else guess


def licence_end(entry: SummaryEntry) -> tuple[dt.date | None, bool]:
    """The day the licence stops counting, and whether that is an antivirus service period ending.

    财行〔2013〕98号 prices an antivirus licence with its yearly service: an antivirus whose
    许可期限 names a service period (``永久（含1年升级服务）``) stops counting when the service ends.
    """
    end = entry.term_end()
    term = entry.term
    if term is None or term.service is None or category_of(entry) != ANTIVIRUS:
        return end, False
    service = term.service_end(entry.purchase_date)
    if service is not None and (end is None or service < end):
        return service, True
    return end, False


def _numbers(ledger: Ledger) -> dict[str, list[SummaryEntry]]:
    groups: dict[str, list[SummaryEntry]] = {}
    for s in ledger.summary:
        if s.software_no:
            groups.setdefault(norm_key(s.software_no), []).append(s)
    return groups


def licence_flags(ledger: Ledger, ru: Rollup, settings: Settings) -> list[Flag]:
    """Every licence problem of the ledger as of the roll-up's date, in rule order."""
    return log_licence_flags(ledger, ru.as_of, settings) + volume_flags(ledger, ru)


def log_licence_flags(ledger: Ledger, as_of: dt.date, settings: Settings) -> list[Flag]:
    """The licence problems the ledger's rows show without the roll-up's state (consumer editions,
    versions above or below the licence, OEM moved), in rule order."""
    numbers = _numbers(ledger)
    return (
        _consumer(ledger, numbers)
        + _versions(ledger, as_of, numbers, settings)
        + _oem_moved(ledger, as_of, numbers, settings)
    )


def volume_flags(ledger: Ledger, ru: Rollup) -> list[Flag]:
    """Volume Windows installed (per the roll-up) on a computer with no base Windows licence."""
    return _volume_windows(ledger, ru, _numbers(ledger))


# --- consumer editions ---------------------------------------------------------------------


def _consumer(ledger: Ledger, numbers: dict[str, list[SummaryEntry]]) -> list[Flag]:
    out: list[Flag] = []
    for nk, rows in numbers.items():
        for row in rows:
            ed = edition_of(row.raw.get("name"))
            if ed is not None and ed.consumer:
                reason = f"{ed.label}不属于单位正版序列"
                out.append(
                    Flag(
                        "PZ1.1H",
                        row,
                        "name",
                        nk,
                        None,
                        reason,
                        dict(no=row.software_no, name=row.raw.get("name"), edition=ed.label),
                    )
                )
                break
    seen: set[str] = set()
    for d in ledger.details:
        name, no = d.raw.get("name"), d.raw.get("software_no")
        if (no and norm_key(no) in numbers) or not name or not d.raw.get("computer"):
            continue
        ed = edition_of(name)
        key = norm_key(no or name)
        if ed is None or not ed.consumer or key in seen:
            continue
        seen.add(key)
        reason = f"{ed.label}不属于单位正版序列"
        out.append(
            Flag(
                "PZ1.1H",
                d,
                "name",
                norm_key(no) if no else None,
                None,
                reason,
                dict(no=no or "（未编号）", name=name, edition=ed.label),
            )
        )
    return out


# --- versions: unlicensed upgrades and downgrades -------------------------------------------


def _versions(ledger: Ledger, as_of: dt.date, numbers: dict[str, list[SummaryEntry]], settings: Settings) -> list[Flag]:
    out: list[Flag] = []
    checked: dict[str, tuple[SummaryEntry, int | None, int | None]] = {}
    for nk, rows in numbers.items():
        first = rows[0]
        low, high = usable_bounds(first.raw.get("usable_version"))
        if first.sw_type != COMMERCIAL or (low is None and high is None):
            continue
        checked[nk] = (first, low, high)
        flag = _version_flag(first, first, "version", first.raw.get("version"), low, high, nk, None, settings)
        if flag is not None:
            out.append(flag)
    if not checked:
        return out
    # a version registered under another number of the same name is that number's licence: logging it
    # here is a bookkeeping slip (TZ3.5), not an install without a licence
    registered = {
        (r.key("name"), r.key("version")) for rows in numbers.values() for r in rows if r.sw_type == COMMERCIAL
    }
    lc = ledger.log_columns()
    versions = lc.column("version")
    for i, (lnk, lck, d, op) in enumerate(zip(lc.nks, lc.cks, lc.dates, lc.ops, strict=True)):
        hit = checked.get(lnk) if lnk is not None else None
        if hit is None or op != "安装" or d is None or d > as_of:
            continue
        first, low, high = hit
        version = versions[i]
        if (
            version is None
            or norm_key(version) == first.key("version")
            or (first.key("name"), norm_key(version)) in registered
        ):
            continue  # the registered version: judged once on 附件7
        flag = _version_flag(first, lc.entry(i), "version", version, low, high, lnk or "", lck or "", settings)
        if flag is not None:
            out.append(flag)
    return out


def _version_flag(
    first: SummaryEntry,
    row: Row,
    column: str,
    version: str | None,
    low: int | None,
    high: int | None,
    nk: str,
    ck: str | None,
    settings: Settings,
) -> Flag | None:
    v = major(version)
    if v is None:
        return None
    usable = first.raw.get("usable_version")
    values = dict(no=first.software_no, version=version, usable=usable, licence=first.license_type or "许可类型未填")
    if high is not None and _same_scheme(v, high) and v > high:
        return Flag("PZ1.1U", row, column, nk, ck, f"版本 {version} 高于可使用版本 {usable}（未授权升级）", values)
    if low is None or not _same_scheme(v, low) or v >= low or settings.downgrade_record == NO:
        return None
    if first.license_type in VOLUME and settings.downgrade_record != DOWNGRADE_ALL:
        return None
    if any(DOWNGRADE_WORD in (r.raw.get("remark") or "") for r in (first, row)):
        return None
    return Flag("PZ1.1D", row, column, nk, ck, f"版本 {version} 低于可使用版本 {usable}（降级使用未登记）", values)


# --- OEM bound to its computer --------------------------------------------------------------


def _oem_moved(
    ledger: Ledger, as_of: dt.date, numbers: dict[str, list[SummaryEntry]], settings: Settings
) -> list[Flag]:
    oem = {nk for nk, rows in numbers.items() if rows[0].sw_type == OEM}
    if not oem:
        return []
    category = {nk: category_of(rows[0]) for nk, rows in numbers.items()}
    lc = ledger.log_columns()
    events = [  # (date, op, computer key, number key, row of the log columns) up to the date, in date order
        (d, op, ck, nk, i)
        for i, (nk, ck, d, op) in enumerate(zip(lc.nks, lc.cks, lc.dates, lc.ops, strict=True))
        if nk is not None and d is not None and ck is not None and d <= as_of and op in ("安装", "卸载")
    ]
    remarks = lc.column("remark")
    events.sort(key=itemgetter(0))
    grace = dt.timedelta(days=settings.oem_grace_days)
    scrapped = {  # computer -> 报废日期
        norm_key(c.computer): day
        for c in ledger.computers
        if c.computer and c.status == "报废" and isinstance(day := c.val.get("scrap_date"), dt.date)
    }
    first_seen: dict[str, dt.date] = {}
    had: dict[str, set[str]] = {}  # computer -> categories installed there so far
    held: set[tuple[str, str]] = set()  # (computer, OEM number) ever installed
    # OEM number -> (date, scrapped computer) it was uninstalled from: only a scrapped computer's
    # licence can have moved, so uninstalls elsewhere are not kept
    left: dict[str, list[tuple[dt.date, str]]] = {}
    out: list[Flag] = []
    for d, op, ck, nk, i in events:
        if ck not in first_seen:
            first_seen[ck] = d
        if op == "卸载":
            if nk in oem and ck in scrapped:
                left.setdefault(nk, []).append((d, ck))
            continue
        cat = category.get(nk)
        if nk in oem and (ck, nk) not in held:
            remark = remarks[i] or ""
            said = remark and MOVED.search(remark) is not None
            # cheapest test first: most installs are on a computer's first day, so "late" settles them
            if said or (
                d - first_seen[ck] > grace
                and cat is not None
                and cat in had.get(ck, ())
                and any(
                    c != ck and abs(when - scrapped[c]) <= grace and when <= d <= when + grace
                    for when, c in left.get(nk, ())
                )
            ):
                reason = "OEM 软件不随原计算机使用（从别的计算机移来或后补安装）"
                days = (d - first_seen[ck]).days
                why = f"备注为“{remark}”" if said else f"该计算机此前已使用 {days} 天"
                values = dict(no=numbers[nk][0].software_no, computer=lc.computers[i], date=d.isoformat(), why=why)
                out.append(Flag("PZ1.1O", lc.entry(i), "computer", nk, ck, reason, values))
            held.add((ck, nk))
        if cat is not None:  # after the test: an install does not replace its own category
            cats = had.get(ck)
            if cats is None:
                had[ck] = {cat}
            else:
                cats.add(cat)
    return out


# --- volume Windows needs a base licence ----------------------------------------------------


def _is_windows(entry: SummaryEntry) -> bool:
    return WINDOWS in families_of(entry.raw.get("name"))


def _volume_windows(ledger: Ledger, ru: Rollup, numbers: dict[str, list[SummaryEntry]]) -> list[Flag]:
    volume = {
        nk
        for nk, rows in numbers.items()
        if rows[0].sw_type == COMMERCIAL and rows[0].license_type in VOLUME and _is_windows(rows[0])
    }
    if not volume:
        return []
    base = {
        nk
        for nk, rows in numbers.items()
        if _is_windows(rows[0])
        and (rows[0].sw_type == OEM or (rows[0].sw_type == COMMERCIAL and rows[0].license_type in RETAIL))
    }
    lc = ledger.log_columns()
    had_base: set[str] = {
        ck
        for nk, ck, d, op in zip(lc.nks, lc.cks, lc.dates, lc.ops, strict=True)
        if nk in base and op == "安装" and d is not None and d <= ru.as_of and ck is not None
    }
    for d in ledger.details:
        if d.software_no and norm_key(d.software_no) in base and d.computer:
            had_base.add(norm_key(d.computer))
    out: list[Flag] = []
    for (ck, nk), state in ru.state.items():
        if state <= 0 or nk not in volume or ck in had_base:
            continue
        last = ru.last_install.get((ck, nk))
        if last is None:
            continue
        first = numbers[nk][0]
        reason = "批量许可的 Windows 只是升级许可，该计算机没有 OEM 或零售 Windows 作基础许可"
        out.append(
            Flag(
                "PZ1.1V",
                last,
                "computer",
                nk,
                ck,
                reason,
                dict(no=first.software_no, name=first.raw.get("name"), computer=last.computer),
            )
        )
    return out
