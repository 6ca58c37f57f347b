"""The roll-up of the 附件9 logs into 附件7 and 附件8 (rollup.md), as a pure function.

``compute_rollup(ledger, as_of)`` replays every log row dated on or before ``as_of`` per
(computer, number) and returns the state, the figures 附件7 should show and the rows 附件8
should hold. ``check`` compares the hand-kept sheets with it (TZ1.1, TZ1.13, TZ2.2, TZ3.4);
the writer puts it into the workbook.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .model import Computer, Ledger, LogEntry, SummaryEntry
from .normalize import norm_key

IN_USE = "在用"


@dataclass
class HistoryBreak:
    """A log row that breaks a computer's history (TZ3.4)."""

    entry: LogEntry
    number: str
    kind: str  # "uninstall-none" | "install-again"


@dataclass
class DetailRow:
    """One row of the rebuilt 附件8 (software cells ``None`` for a computer with no software)."""

    dept: str | None
    person: str | None
    computer: str
    brand: str | None
    software_no: str | None = None
    name: str | None = None
    version: str | None = None
    term: str | None = None
    sw_type: str | None = None
    install_date: dt.date | None = None
    remark: str | None = None


@dataclass
class Rollup:
    """The result: state per (computer key, number key) and what 附件7/附件8 should show."""

    as_of: dt.date
    state: dict[tuple[str, str], int] = field(default_factory=dict)
    installed: dict[str, int] = field(default_factory=dict)  # number key -> 安装数量
    install_date: dict[tuple[str, str], dt.date] = field(default_factory=dict)
    breaks: list[HistoryBreak] = field(default_factory=list)
    detail: list[DetailRow] = field(default_factory=list)
    staff_using: int = 0
    computer_counts: dict[str, int] | None = None  # servers/desktops/laptops, when 计算机清单 exists
    number_text: dict[str, str] = field(default_factory=dict)  # number key -> text as written
    computer_text: dict[str, str] = field(default_factory=dict)

    def installed_on(self, computer_key: str) -> set[str]:
        """Number keys installed on one computer as of the date."""
        return {n for (c, n), s in self.state.items() if c == computer_key and s > 0}


COUNT_KEYS = {"服务器": "servers", "台式机": "desktops", "便携机": "laptops"}


def _sorted_entries(ledger: Ledger, as_of: dt.date) -> list[tuple[str, LogEntry]]:
    rows: list[tuple[dt.date, int, int, str, LogEntry]] = []
    for log in ledger.logs:
        for e in log.entries:
            no = e.raw.get("software_no") if log.combined else log.software_no
            d = e.date
            if no is None or d is None or d > as_of or e.computer is None:
                continue
            rows.append((d, log.form.sheet_index, e.row, no, e))
    rows.sort(key=lambda t: (t[0], t[1], t[2]))
    return [(no, e) for _, _, _, no, e in rows]


def compute_rollup(ledger: Ledger, as_of: dt.date) -> Rollup:
    """Replay the logs up to ``as_of`` (inclusive) and derive 附件7 and 附件8."""
    ru = Rollup(as_of)
    last_seen: dict[str, LogEntry] = {}
    for no, e in _sorted_entries(ledger, as_of):
        nk, ck = norm_key(no), norm_key(e.computer or "")
        ru.number_text.setdefault(nk, no)
        ru.computer_text.setdefault(ck, e.computer or "")
        last_seen[ck] = e  # rows are in (date, sheet, row) order: the last one wins
        key = (ck, nk)
        cur = ru.state.get(key, 0)
        if e.op == "安装":
            if cur > 0:
                ru.breaks.append(HistoryBreak(e, no, "install-again"))
            else:
                ru.install_date[key] = e.date  # type: ignore[assignment]
            ru.state[key] = cur + e.qty
        elif e.op == "卸载":
            if cur <= 0:
                ru.breaks.append(HistoryBreak(e, no, "uninstall-none"))
            ru.state[key] = max(cur - e.qty, 0)
    for (_, nk), s in ru.state.items():
        ru.installed[nk] = ru.installed.get(nk, 0) + s
    ru.detail = _detail_rows(ledger, ru, last_seen)
    ru.staff_using = distinct_staff((r.dept, r.person) for r in ru.detail)
    if ledger.has_computer_list:
        counts = dict.fromkeys(COUNT_KEYS.values(), 0)
        for c in ledger.computers:
            if c.status == IN_USE and c.ctype in COUNT_KEYS:
                counts[COUNT_KEYS[c.ctype]] += 1
        ru.computer_counts = counts
    return ru


def distinct_staff(pairs) -> int:
    """Distinct (部门, 姓名) pairs with a name, compared after normalisation."""
    return len({(norm_key(d or ""), norm_key(p)) for d, p in pairs if p})


def _first_summary(ledger: Ledger) -> dict[str, tuple[int, SummaryEntry]]:
    out: dict[str, tuple[int, SummaryEntry]] = {}
    for i, s in enumerate(ledger.summary):
        if s.software_no:
            out.setdefault(norm_key(s.software_no), (i, s))
    return out


def _detail_rows(ledger: Ledger, ru: Rollup, last_seen: dict[str, LogEntry]) -> list[DetailRow]:
    summary = _first_summary(ledger)
    listed: dict[str, Computer] = {}
    for c in ledger.computers:
        if c.computer:
            listed.setdefault(norm_key(c.computer), c)
    remarks = {}
    for d in ledger.details:
        if d.computer and d.software_no and d.raw.get("remark"):
            remarks[(norm_key(d.computer), norm_key(d.software_no))] = d.raw["remark"]

    def who(ck: str) -> tuple[str | None, str | None, str | None, str]:
        c, e = listed.get(ck), last_seen.get(ck)
        dept = (c.raw.get("dept") if c else None) or (e.raw.get("dept") if e else None)
        person = (c.raw.get("user") if c else None) or (e.raw.get("user") if e else None)
        brand = (c.raw.get("brand") if c else None) or (e.raw.get("brand") if e else None)
        text = (c.computer if c else None) or ru.computer_text.get(ck) or ck
        return dept, person, brand, text

    rows: list[DetailRow] = []
    with_software: set[str] = set()
    for (ck, nk), s in ru.state.items():
        if s <= 0:
            continue
        with_software.add(ck)
        dept, person, brand, ctext = who(ck)
        entry = summary.get(nk)
        sw = entry[1] if entry else None
        rows.append(
            DetailRow(
                dept,
                person,
                ctext,
                brand,
                ru.number_text.get(nk, nk),
                sw.raw.get("name") if sw else None,
                sw.raw.get("version") if sw else None,
                sw.raw.get("term") if sw else None,
                sw.sw_type if sw else None,
                ru.install_date.get((ck, nk)),
                remarks.get((ck, nk)),
            )
        )
    for ck, c in listed.items():
        if c.status == IN_USE and ck not in with_software:
            dept, person, brand, ctext = who(ck)
            rows.append(DetailRow(dept, person, ctext, brand))
    return _order(ledger, rows, summary)


def _rank(first_seen: dict[str, int]):
    def rank(value: str | None) -> tuple[int, int, str]:
        k = norm_key(value or "")
        if k in first_seen:
            return (0, first_seen[k], "")
        return (1, 0, k)

    return rank


def _order(ledger: Ledger, rows: list[DetailRow], summary: dict[str, tuple[int, SummaryEntry]]) -> list[DetailRow]:
    depts: dict[str, int] = {}
    people: dict[str, int] = {}
    comps: dict[str, int] = {}
    for d in ledger.details:
        depts.setdefault(norm_key(d.raw.get("dept") or ""), len(depts))
        people.setdefault(norm_key(d.raw.get("person") or ""), len(people))
        comps.setdefault(norm_key(d.computer or ""), len(comps))
    rd, rp, rc = _rank(depts), _rank(people), _rank(comps)

    def key(r: DetailRow) -> tuple:
        no = norm_key(r.software_no) if r.software_no else ""
        pos = summary[no][0] if no in summary else (len(summary) if no else -1)
        return (rd(r.dept), rp(r.person), rc(r.computer), pos, no)

    return sorted(rows, key=key)
