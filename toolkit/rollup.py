"""The roll-up of the 附件9 logs into 附件7 and 附件8 (docs/rollup.md), as a pure function.

``compute_rollup(ledger, as_of)`` replays every log row dated on or before ``as_of`` per
(computer, number) and returns the state, the figures 附件7 should show and the rows 附件8
should hold. Many units keep no 附件9 at all; with ``detail_fallback`` such a ledger's state is
what its 附件8 shows (``Rollup.source`` says which), so that the checks 附件7 and 附件8 allow by
themselves (安装数量, over-installation, expiry) still run. ``check`` compares the hand-kept sheets
with it (TZ1.1, TZ1.13, TZ2.2, TZ3.4); the writer puts it into the workbook.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from operator import methodcaller

from toolkit.model import Computer, Ledger, LogColumns, LogEntry, SummaryEntry
from toolkit.normalize import norm_key

IN_USE = "在用"
LOGS, DETAIL = "附件9", "附件8"


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
    computer_counts: dict[str, int] | None = None  # servers/desktops/laptops, when 计算机清单 exists
    number_text: dict[str, str] = field(default_factory=dict)  # number key -> text as written
    computer_text: dict[str, str] = field(default_factory=dict)
    ledger: Ledger | None = field(default=None, repr=False, compare=False)
    last_seen: Mapping[str, LogEntry] = field(default_factory=dict, repr=False, compare=False)
    source: str = LOGS  # where the state comes from: the 附件9 logs, or 附件8 when the ledger keeps no 附件9
    uncertain: set[str] = field(default_factory=set)  # number keys whose logs hold rows that cannot be replayed
    last_install: Mapping[tuple[str, str], LogEntry] = field(default_factory=dict, repr=False, compare=False)
    first_seen: dict[str, dt.date] = field(
        default_factory=dict, repr=False, compare=False
    )  # computer key -> first log date

    @cached_property
    def detail(self) -> list[DetailRow]:
        """The rebuilt 附件8, built on first use: ``check`` rarely needs it, the writer always does."""
        return _detail_rows(self.ledger or Ledger(""), self, self.last_seen)

    @cached_property
    def staff_using(self) -> int:
        """使用计算机人数: distinct (部门, 姓名) on the rebuilt 附件8."""
        return distinct_staff((r.dept, r.person) for r in self.detail)


COUNT_KEYS = {"服务器": "servers", "台式机": "desktops", "便携机": "laptops"}
_REPLAY_KEYS = ("op", "computer", "date")


def _replay_order(ledger: Ledger, as_of: dt.date, uncertain: set[str]) -> list[int]:
    """The log rows to replay (indexes into :meth:`Ledger.log_columns`), in (date, sheet, row)
    order; ``uncertain`` gets the numbers of rows that cannot be replayed (a blank computer, an
    unreadable date or 操作类型, a missing column)."""
    lc = ledger.log_columns()
    whole = {id(log): not all(map(log.form.has, _REPLAY_KEYS)) for log in ledger.logs}
    keep: list[int] = []
    keys: list[int] = []
    day: dict[dt.date, int] = {}
    for i, (log, row, nk, computer, d, op) in enumerate(
        zip(lc.logs, lc.rows, lc.nks, lc.computers, lc.dates, lc.ops, strict=True)
    ):
        if nk is None:
            continue
        if d is None or computer is None or op is None or whole[id(log)]:
            uncertain.add(nk)
        if d is None or d > as_of or computer is None:
            continue
        n = day.get(d)
        if n is None:
            n = day[d] = d.toordinal()
        keep.append(i)
        # (date, sheet, row) as one integer: plain integers sort several times faster than tuples
        keys.append((n << 41) | (log.form.sheet_index << 21) | row)
    return list(map(keep.__getitem__, sorted(range(len(keep)), key=keys.__getitem__)))


def compute_rollup(ledger: Ledger, as_of: dt.date, detail_fallback: bool = False) -> Rollup:
    """Replay the logs up to ``as_of`` (inclusive) and derive 附件7 and 附件8.

    With ``detail_fallback``, a ledger that keeps no 附件9 at all takes its state from 附件8.
    """
    ru = Rollup(as_of)
    if detail_fallback and ledger.form("附件9") is None and ledger.form("附件8") is not None:
        _state_from_detail(ledger, ru)
    else:
        _replay(ledger, ru)
    if ledger.has_computer_list:
        counts = dict.fromkeys(COUNT_KEYS.values(), 0)
        for c in ledger.computers:
            if c.status == IN_USE and c.ctype in COUNT_KEYS:
                counts[COUNT_KEYS[c.ctype]] += 1
        ru.computer_counts = counts
    return ru


def _state_from_detail(ledger: Ledger, ru: Rollup) -> None:
    """The state as 附件8 shows it: each (computer, number) on it is installed once."""
    ru.source = DETAIL
    rows: list[DetailRow] = []
    for d in ledger.details:
        raw = d.raw
        computer, no = raw.get("computer"), raw.get("software_no")
        if computer is None or no is None:
            continue
        ck, nk = norm_key(computer), norm_key(no)
        ru.number_text.setdefault(nk, no)
        ru.computer_text.setdefault(ck, computer)
        if (ck, nk) in ru.state:
            continue
        ru.state[(ck, nk)] = 1
        day = d.val.get("install_date")
        if isinstance(day, dt.date):
            ru.install_date[(ck, nk)] = day
        rows.append(
            DetailRow(
                raw.get("dept"),
                raw.get("person"),
                computer,
                raw.get("brand"),
                no,
                raw.get("name"),
                raw.get("version"),
                raw.get("term"),
                d.val.get("sw_type"),  # type: ignore[arg-type]
                day,  # type: ignore[arg-type]
                raw.get("remark"),
            )
        )
    for (_, nk), s in ru.state.items():
        ru.installed[nk] = ru.installed.get(nk, 0) + s
    ru.ledger = ledger
    ru.__dict__["detail"] = rows  # 附件8 is its own rebuilt detail


def _replay(ledger: Ledger, ru: Rollup) -> None:
    lc = ledger.log_columns()
    computers, ops, qtys = lc.computers, lc.ops, lc.qtys
    # the rows replayed have a number, a computer and a date (_replay_order)
    numbers: list[str] = lc.numbers  # type: ignore[assignment]
    nks: list[str] = lc.nks  # type: ignore[assignment]
    cks: list[str] = lc.cks  # type: ignore[assignment]
    dates: list[dt.date] = lc.dates  # type: ignore[assignment]
    last_seen: dict[str, int] = {}
    last_install: dict[tuple[str, str], int] = {}
    state, install_date, breaks = ru.state, ru.install_date, ru.breaks
    number_text, computer_text, first_seen = ru.number_text, ru.computer_text, ru.first_seen
    for i in _replay_order(ledger, ru.as_of, ru.uncertain):
        d, nk, ck = dates[i], nks[i], cks[i]
        if nk not in number_text:
            number_text[nk] = numbers[i]
        if ck not in computer_text:
            computer_text[ck] = computers[i] or ""
            first_seen[ck] = d
        last_seen[ck] = i  # rows are in (date, sheet, row) order: the last one wins
        key = (ck, nk)
        cur = state.get(key, 0)
        op = ops[i]
        q = qtys[i]
        qty = q if isinstance(q, int) and q > 0 else 1
        if op == "安装":
            last_install[key] = i
            if cur > 0:
                breaks.append(HistoryBreak(lc.entry(i), numbers[i], "install-again"))
            else:
                install_date[key] = d
            state[key] = cur + qty
        elif op == "卸载":
            if cur <= 0:
                breaks.append(HistoryBreak(lc.entry(i), numbers[i], "uninstall-none"))
            state[key] = max(cur - qty, 0)
    for (_, nk), s in state.items():  # 安装数量: the computers that have it (a double install counts once)
        ru.installed[nk] = ru.installed.get(nk, 0) + (s > 0)
    ru.ledger = ledger
    ru.last_seen = LogRows(lc, last_seen)
    ru.last_install = LogRows(lc, last_install)


class LogRows(Mapping):
    """A mapping to log rows kept as indexes into the ledger's :class:`~toolkit.model.LogColumns`:
    a row object is made only for the keys looked up."""

    def __init__(self, lc: LogColumns, at: dict) -> None:
        self._lc, self._at = lc, at

    def __getitem__(self, key: object) -> LogEntry:
        return self._lc.entry(self._at[key])

    def __contains__(self, key: object) -> bool:
        return key in self._at

    def __iter__(self) -> Iterator:
        return iter(self._at)

    def __len__(self) -> int:
        return len(self._at)


def distinct_staff(pairs) -> int:
    """Distinct (部门, 姓名) pairs with a name, compared after normalisation.

    The pairs as written are deduplicated first (70,000 附件8 rows name a few thousand people),
    so each is normalised once.
    """
    return len({(norm_key(d or ""), norm_key(p)) for d, p in set(pairs) if p})


def _first_summary(ledger: Ledger) -> dict[str, tuple[int, SummaryEntry]]:
    out: dict[str, tuple[int, SummaryEntry]] = {}
    for i, s in enumerate(ledger.summary):
        if s.software_no:
            out.setdefault(norm_key(s.software_no), (i, s))
    return out


def _detail_rows(ledger: Ledger, ru: Rollup, last_seen: Mapping[str, LogEntry]) -> list[DetailRow]:
    summary = _first_summary(ledger)
    listed: dict[str, Computer] = {}
    for c in ledger.computers:
        if c.computer:
            listed.setdefault(norm_key(c.computer), c)
    remarks = {}
    for d in ledger.details:
        raw = d.raw
        if raw.get("remark") and raw.get("computer") and raw.get("software_no"):
            remarks[(norm_key(raw["computer"]), norm_key(raw["software_no"]))] = raw["remark"]
    order = _ranks(ledger)
    who_cache: dict[str, tuple[str | None, str | None, str | None, str, tuple]] = {}

    def who(ck: str) -> tuple[str | None, str | None, str | None, str, tuple]:
        if ck in who_cache:
            return who_cache[ck]
        c, e = listed.get(ck), last_seen.get(ck)
        dept = (c.raw.get("dept") if c else None) or (e.raw.get("dept") if e else None)
        person = (c.raw.get("user") if c else None) or (e.raw.get("user") if e else None)
        brand = (c.raw.get("brand") if c else None) or (e.raw.get("brand") if e else None)
        text = (c.computer if c else None) or ru.computer_text.get(ck) or ck
        out = who_cache[ck] = (dept, person, brand, text, order(dept, person, text))
        return out

    # the computers' order is settled once, then each row sorts on (computer rank, number position)

    keyed: list[tuple[str, int, str, DetailRow]] = []
    with_software: set[str] = set()
    n_summary = len(summary)
    software: dict[str, tuple] = {}
    for (ck, nk), s in ru.state.items():
        if s <= 0:
            continue
        with_software.add(ck)
        dept, person, brand, ctext, rank = who(ck)
        if nk not in software:
            entry = summary.get(nk)
            sw = entry[1] if entry else None
            software[nk] = (
                ru.number_text.get(nk, nk),
                sw.raw.get("name") if sw else None,
                sw.raw.get("version") if sw else None,
                sw.raw.get("term") if sw else None,
                sw.sw_type if sw else None,
                entry[0] if entry else n_summary,
            )
        no, name, version, term, sw_type, pos = software[nk]
        row = DetailRow(
            dept,
            person,
            ctext,
            brand,
            no,
            name,
            version,
            term,
            sw_type,
            ru.install_date.get((ck, nk)),
            remarks.get((ck, nk)),
        )
        keyed.append((ck, pos, nk, row))
    for ck, c in listed.items():
        if c.status == IN_USE and ck not in with_software:
            dept, person, brand, ctext, rank = who(ck)
            keyed.append((ck, -1, "", DetailRow(dept, person, ctext, brand)))
    computer_rank = {ck: i for i, ck in enumerate(sorted(who_cache, key=lambda k: who_cache[k][4]))}
    keyed.sort(key=lambda t: (computer_rank[t[0]], t[1], t[2]))
    return [t[3] for t in keyed]


def _ranks(ledger: Ledger):
    """Sort key of a computer's rows: 部门, 姓名, 计算机编号 in the order the ledger has them.

    A value ranks by where it first appears: the old 附件8, then 计算机清单, then the 附件9 logs
    (sheet and row order), so a first roll-up follows 计算机清单 rather than code-point order.
    """
    depts: dict[str, int] = {}
    people: dict[str, int] = {}
    comps: dict[str, int] = {}
    # first appearance on the old 附件8, then on 计算机清单, then in the logs (each value once)
    raws = ([d.raw for d in ledger.details], [c.raw for c in ledger.computers])
    for seen, keys, log_key in (
        (depts, ("dept", "dept"), "dept"),
        (people, ("person", "user"), "user"),
        (comps, ("computer", "computer"), "computer"),
    ):
        values = chain(
            *(map(methodcaller("get", k), rs) for k, rs in zip(keys, raws, strict=True)),
            *(log.column(log_key) for log in ledger.logs),
        )
        for value in dict.fromkeys(values):
            seen.setdefault(norm_key(value or ""), len(seen))

    def rank(seen: dict[str, int], value: str | None) -> tuple[int, int, str]:
        k = norm_key(value or "")
        return (0, seen[k], "") if k in seen else (1, 0, k)

    def order(dept: str | None, person: str | None, computer: str) -> tuple:
        return (rank(depts, dept), rank(people, person), rank(comps, computer))

    return order
