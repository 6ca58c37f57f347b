"""Records of other layouts into the guide's forms: 附件6/7/8, 计算机清单 and one 附件9 per number.

Software seen on computers is matched to a register row of the same 软件名称 (and 软件版本 where
both give one), so a register supplies the licence facts and the device tables the installs.
Numbers come from :func:`toolkit.numbering.plan_numbers`, the same rules ``zbtz number`` uses.
Every install becomes one 初始登记 row, dated the import date, on its number's 附件9.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from toolkit.forms.layout import LedgerData
from toolkit.imports.extract import Item, Records
from toolkit.imports.fields import dictionary, word_key
from toolkit.model import COMMERCIAL, FREE, OEM, Form, Ledger, SummaryEntry
from toolkit.normalize import clean, norm_key, text, to_date, to_int, to_number
from toolkit.plans.number import NumberFormat, plan_numbers
from toolkit.rollup import COUNT_KEYS, distinct_staff
from toolkit.schemas import schema

_IDENTITY = ("purchase_date", "amount", "license_type", "license_count", "usable_version", "term", "serial")


@dataclass
class Entry:
    """One 附件7 row to be: a software, how it is licensed, and the computers it is installed on."""

    sw: dict[str, object]
    where: str
    sw_type: str
    license_type: str | None
    unlicensed: bool = False
    guessed: bool = False
    installs: list[str] = field(default_factory=list)  # computer keys, one per install row
    twin_of: Entry | None = None
    number: str | None = None

    def value(self, key: str) -> str | None:
        return text(self.sw.get(key))


@dataclass
class Conversion:
    """The new ledger's data and what a person should know about it."""

    data: LedgerData
    entries: list[Entry]
    notes: list[str] = field(default_factory=list)


def convert(rec: Records, day: dt.date, unit: str = "") -> Conversion:
    """Build the ledger data of the official forms from the records."""
    d = dictionary()
    free_names = {norm_key(n) for w in rec.whitelist if (n := text(w.sw.get("name")))}
    entries: list[Entry] = []
    notes: list[str] = []
    by_key: dict[tuple, Entry] = {}
    registered: dict[tuple, Entry] = {}
    for item in rec.register:
        entry = _entry(item, free_names)
        same = registered.get(_identity(item.sw))
        if same is not None:
            entry.twin_of = same
            notes.append(f"{item.where}：与 {same.where} 完全相同，按同一编号登记（请核对是否重复登记）")
        else:
            registered[_identity(item.sw)] = entry
        entries.append(entry)
    register = [e for e in entries if e.twin_of is None]
    for item in rec.installs:
        found = _match(item, register, free_names)
        if found is None:
            probe = _entry(item, free_names)
            found = by_key.get(_key(probe))
            if found is None:
                found = by_key[_key(probe)] = probe
                entries.append(found)
        found.installs.append(item.computer or "")
    _number(entries)
    if any("installed_count" in item.sw for item in rec.register):
        notes.append("登记表的“安装数量”列未导入：附件7 的安装数量按附件9 的安装记录汇总（没有计算机明细的软件为 0）")
    if rec.machines and not any(m.get("ctype") for m in rec.machines.values()):
        notes.append("源表没有计算机类型：未建计算机清单，附件7 的服务器数、台式机数、便携机数请补填")
    for e in entries:
        if e.guessed:
            notes.append(f"{e.where}：“{e.value('name')}”的软件类型无法从源表判断，按商业软件登记，请核对")
    data = LedgerData(unit=unit, fill_date=day)
    data.summary = [_summary_row(e) for e in entries]
    data.whitelist = _whitelist_rows(rec, entries)
    data.computers = _computer_rows(rec)
    data.details = _detail_rows(rec, entries, day)
    data.logs = _logs(rec, entries, day, d.defaults.get("install_remark", "初始登记"))
    data.counts = _counts(data)
    return Conversion(data, entries, notes)


# --- software --------------------------------------------------------------------------------


def _canonical(form: str, key: str, value: object) -> str | None:
    t = text(value)
    return schema(form).column(key).canonical_value(t) if t else None


def _entry(item: Item, free_names: set[str]) -> Entry:
    """Classify one software row: 软件类型, 许可类型, unlicensed or not."""
    d = dictionary()
    sw = item.sw
    genuine = d.genuine_of(sw.get("genuine"))
    sw_type = _canonical("附件7", "sw_type", sw.get("sw_type")) or d.sw_type_words.get(word_key(sw.get("sw_type")))
    lt_text = sw.get("license_type")
    license_type = _canonical("附件7", "license_type", lt_text)
    if sw_type is None and text(lt_text) is not None and license_type is None:
        sw_type = d.sw_type_words.get(word_key(lt_text))
    if sw_type is None and license_type is not None:
        sw_type = COMMERCIAL
    if sw_type is None and (genuine == "free" or norm_key(clean(sw.get("name"))) in free_names):
        sw_type = FREE
    if genuine == "no":
        return Entry(sw, item.where, COMMERCIAL, license_type, unlicensed=True)
    guessed = sw_type is None
    return Entry(
        sw, item.where, sw_type or COMMERCIAL, license_type if sw_type in (None, COMMERCIAL) else None, guessed=guessed
    )


def _identity(sw: dict[str, object]) -> tuple:
    return tuple(sorted((k, norm_key(clean(v))) for k, v in sw.items() if k not in ("installed_count", "remark")))


def _key(e: Entry) -> tuple:
    name, version = norm_key(e.value("name") or ""), norm_key(e.value("version") or "")
    if e.unlicensed:
        return ("unlicensed", name, version)
    if e.sw_type == FREE:
        return (FREE, name)
    if e.sw_type == OEM:
        return (OEM, name, version)
    return (
        COMMERCIAL,
        name,
        version,
        e.license_type,
        *(norm_key(clean(e.sw.get(k))) for k in _IDENTITY[:2] + _IDENTITY[3:]),
    )


def _match(item: Item, register: list[Entry], free_names: set[str]) -> Entry | None:
    """The register row a software seen on a computer belongs to (same name; same version where both have one)."""
    if dictionary().genuine_of(item.sw.get("genuine")) == "no":
        return None
    name = norm_key(clean(item.sw.get("name")))
    version = norm_key(text(item.sw.get("version")) or "")
    loose = None
    for e in register:
        if norm_key(e.value("name") or "") != name:
            continue
        ev = norm_key(e.value("version") or "")
        if ev == version:
            return e
        if loose is None and (not ev or not version):
            loose = e
    return loose


def _number(entries: list[Entry]) -> None:
    """Number the entries by the guide's rules (``plan_numbers``); a twin takes its original's number."""
    firsts = [e for e in entries if e.twin_of is None]
    form = Form(schema("附件7"), "附件7", 0, 1, 1)
    keys = ("software_no", "name", "version", "sw_type", "acquisition")
    form.columns = {k: i for i, k in enumerate(keys, 1)}
    ledger = Ledger("import", forms=[form])
    for i, e in enumerate(firsts):
        raw = {
            "software_no": None,
            "name": e.value("name"),
            "version": e.value("version"),
            "sw_type": e.sw_type,
            "acquisition": e.value("acquisition"),
        }
        ledger.summary.append(
            SummaryEntry(
                form,
                i + 2,
                raw,
                {"sw_type": e.sw_type, "acquisition": _canonical("附件7", "acquisition", e.sw.get("acquisition"))},
            )
        )
    plan = plan_numbers(ledger, NumberFormat())
    by_cell = {f.cell: f.software_no for f in plan.fills}
    for i, e in enumerate(firsts):
        e.number = by_cell.get(form.cell("software_no", i + 2) or "")
    for e in entries:
        if e.twin_of is not None:
            e.number = e.twin_of.number


def _term(value: object) -> object:
    """A 许可期限 as the guide writes it: a date's ISO text, a bare number of years as ``N年``."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and 0 < value <= 100
        and float(value).is_integer()
    ):
        return f"{int(value)}年"
    return text(value)


def _summary_row(e: Entry) -> dict:
    row: dict[str, object] = {
        "software_no": e.number,
        "name": e.value("name"),
        "version": None if e.sw_type == FREE else e.value("version"),
        "sw_type": e.sw_type,
        "category": _canonical("附件7", "category", e.sw.get("category")),
        "acquisition": _canonical("附件7", "acquisition", e.sw.get("acquisition")),
        "installed": len(set(e.installs)) if e.twin_of is None else 0,  # computers, as the roll-up counts
    }
    remarks = []
    if e.sw_type == COMMERCIAL:
        count = e.sw.get("license_count")
        row.update(
            purchase_date=to_date(e.sw.get("purchase_date")) or e.value("purchase_date"),
            amount=_amount(e.sw.get("amount")),
            license_type=e.license_type or e.value("license_type"),
            license_count=0 if e.unlicensed else (to_int(count) if to_int(count) is not None else text(count)),
            usable_version=e.value("usable_version"),
            term=_term(e.sw.get("term")),
            serial=e.value("serial"),
        )
    if e.unlicensed:
        remarks.append(f"导入时标为非正版（“{e.value('genuine')}”），没有许可")
    for k in ("advice", "remark"):
        if e.value(k):
            remarks.append(str(e.value(k)))
    row["remark"] = "；".join(remarks) or None
    return row


def _amount(value: object) -> object:
    n = to_number(value)
    return n if n is not None else text(value)


def _whitelist_rows(rec: Records, entries: list[Entry]) -> list[dict]:
    numbers = {norm_key(e.value("name") or ""): e.number for e in entries if e.sw_type == FREE}
    rows, seen = [], set()
    for w in rec.whitelist:
        name = text(w.sw.get("name"))
        if not name or norm_key(name) in seen:
            continue
        seen.add(norm_key(name))
        row = {k: text(w.sw.get(k)) for k in ("version", "source", "vendor", "reason", "remark")}
        rows.append(dict(row, name=name, software_no=numbers.get(norm_key(name))))
    return rows


# --- computers -------------------------------------------------------------------------------


def _computer_rows(rec: Records) -> list[dict] | None:
    """计算机清单, when the source gives the type of its computers (it is never guessed)."""
    if not any(m.get("ctype") for m in rec.machines.values()):
        return None
    status = dictionary().defaults.get("status", "在用")
    rows = []
    for m in rec.machines.values():
        rows.append(
            {
                "computer": m.get("computer"),
                "ctype": _canonical("计算机清单", "ctype", m.get("ctype")) or m.get("ctype"),
                "brand": m.get("brand"),
                "user": m.get("user"),
                "dept": m.get("dept"),
                "status": _canonical("计算机清单", "status", m.get("status")) or m.get("status") or status,
            }
        )
    return rows


def _installed(rec: Records, entries: list[Entry]) -> dict[str, list[Entry]]:
    """Computer key → the entries installed on it (each once), in 附件7 order."""
    out: dict[str, list[Entry]] = {ck: [] for ck in rec.machines}
    for e in entries:
        for ck in dict.fromkeys(e.installs):
            out.setdefault(ck, []).append(e)
    return out


def _detail_rows(rec: Records, entries: list[Entry], day: dt.date) -> list[dict]:
    rows = []
    for ck, installed in _installed(rec, entries).items():
        m = rec.machines.get(ck, {})
        base: dict[str, object] = {
            "dept": m.get("dept"),
            "person": m.get("user"),
            "computer": m.get("computer"),
            "brand": m.get("brand"),
        }
        if not installed:
            rows.append(base)
        for e in installed:
            rows.append(
                dict(
                    base,
                    software_no=e.number,
                    name=e.value("name"),
                    version=e.value("version"),
                    term=_term(e.sw.get("term")) if e.sw_type == COMMERCIAL else None,
                    sw_type=e.sw_type,
                    install_date=day,
                )
            )
    return rows


def _logs(rec: Records, entries: list[Entry], day: dt.date, remark: str) -> dict[str, tuple[dict, list[dict]]]:
    logs: dict[str, tuple[dict, list[dict]]] = {}
    for e in entries:
        if e.twin_of is not None or not e.number:
            continue  # a number with no install still gets its 附件9 (一 三.2), with no rows
        info: dict[str, object] = {
            "name": e.value("name"),
            "version": None if e.sw_type == FREE else e.value("version"),
            "sw_type": e.sw_type,
        }
        if e.sw_type == COMMERCIAL:
            info.update(
                license_count=0 if e.unlicensed else e.value("license_count"),
                usable_version=e.value("usable_version"),
                term=_term(e.sw.get("term")),
            )
        rows = []
        for ck in e.installs:
            m = rec.machines.get(ck, {})
            rows.append(
                {
                    "op": "安装",
                    "computer": m.get("computer"),
                    "brand": m.get("brand"),
                    "user": m.get("user"),
                    "dept": m.get("dept"),
                    "version": e.value("version"),
                    "date": day,
                    "qty": 1,
                    "remark": remark,
                }
            )
        logs[e.number] = (info, rows)
    return logs


def _counts(data: LedgerData) -> dict[str, int | None]:
    counts: dict[str, int | None] = {"total_staff": None, "servers": None, "desktops": None, "laptops": None}
    counts["staff_using"] = distinct_staff((r.get("dept"), r.get("person")) for r in data.details)
    if data.computers is not None:
        for k in COUNT_KEYS.values():
            counts[k] = 0
        for c in data.computers:
            if c.get("status") == "在用" and c.get("ctype") in COUNT_KEYS:
                key = COUNT_KEYS[str(c["ctype"])]
                counts[key] = (counts[key] or 0) + 1
    return counts
