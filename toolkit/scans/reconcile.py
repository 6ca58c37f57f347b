"""``reconcile``: what the scans say is installed, against what the ledger registers.

Each scan is matched to a computer (计算机清单 主机名, then 序列号, then 计算机编号; without a
计算机清单, the 计算机编号 of 附件8), its entries run through the 别名表 (noise dropped, names
turned into products), and the products compared with 附件7, 附件6 and that computer's 附件8 rows.
Scans are read and reduced one file at a time, so thousands of them never sit in memory together.
Findings use the codes of ``toolkit/rules/scans.py`` (and PZ1.2).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import ReadError, ReconcileError, ScanError
from toolkit.findings import Finding, Report
from toolkit.model import COMMERCIAL, FREE, Ledger, Row
from toolkit.normalize import norm_key
from toolkit.process import gc_paused
from toolkit.read.grid import Book, Grid, stream_book
from toolkit.read.reader import read_book
from toolkit.scans.aliases import SHEET, AliasTable, Identity, rows_from_sheet, seed_table
from toolkit.scans.read import Fields, Scan, iter_scan_paths, read_scan

# --- the ledger side -----------------------------------------------------------------------


@dataclass
class Machine:
    """A computer of the ledger, with where to point findings about it."""

    computer: str
    host: str | None = None
    serial: str | None = None
    user: str | None = None
    dept: str | None = None
    in_use: bool = True
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None
    detail: dict[str, list[Row]] = field(default_factory=dict)  # product key → its 附件8 rows


@dataclass
class Registered:
    """What the ledger registers for one product."""

    summary: list[tuple[Row, Identity]] = field(default_factory=list)  # 附件7 rows
    whitelisted: bool = False


@dataclass
class LedgerIndex:
    ledger: Ledger
    table: AliasTable
    machines: list[Machine]
    by_host: dict[str, Machine]
    by_serial: dict[str, Machine]
    by_number: dict[str, Machine]
    registered: dict[str, Registered]
    has_whitelist: bool


def load_ledger(path: str | Path, shown: str) -> tuple[Ledger, AliasTable]:
    """Read the ledger and its own 别名表 sheet (put before the seed table) in one pass."""
    try:
        book = stream_book(path)
    except ReadError as exc:
        raise ReconcileError(f"台账“{shown}”无法读取：{exc}") from exc
    captured: list[Grid] = []

    def sheets() -> Iterator[Grid]:
        for grid in book.sheets:
            if grid.name.strip() == SHEET:
                captured.append(grid)
                continue
            yield grid

    try:
        ledger = read_book(Book(book.path, sheets()), shown)
    except ReadError as exc:
        raise ReconcileError(f"台账“{shown}”无法读取：{exc}") from exc
    table = seed_table()
    if captured:
        table = table.with_rows_first(rows_from_sheet(captured[0].rows, captured[0].name))
    return ledger, table


def index_ledger(ledger: Ledger, table: AliasTable) -> LedgerIndex:
    """Computers to match scans against and the products the ledger registers."""
    registered: dict[str, Registered] = {}
    by_no: dict[str, tuple[Row, Identity]] = {}
    for s in ledger.summary:
        name = s.raw.get("name")
        if not name:
            continue
        ident = table.identify_ledger(name, s.raw.get("version"))
        registered.setdefault(ident.key, Registered()).summary.append((s, ident))
        if s.raw.get("software_no"):
            by_no.setdefault(norm_key(s.raw["software_no"]), (s, ident))
    for w in ledger.whitelist:
        name = w.raw.get("name")
        if name:
            registered.setdefault(table.identify_ledger(name, None).key, Registered()).whitelisted = True
    machines: dict[str, Machine] = {}
    for c in ledger.computers:
        no = c.raw.get("computer")
        if not no or norm_key(no) in machines:
            continue
        machines[norm_key(no)] = Machine(
            no,
            c.raw.get("hostname"),
            c.raw.get("serial"),
            c.raw.get("user"),
            c.raw.get("dept"),
            c.val.get("status") in (None, "在用"),
            c.sheet,
            c.cell("computer"),
            c.row,
        )
    from_detail = not ledger.computers
    for d in ledger.details:
        no = d.raw.get("computer")
        if not no:
            continue
        m = machines.get(norm_key(no))
        if m is None:
            if not from_detail:
                continue  # a computer 附件8 has and 计算机清单 lacks: that is check's business
            m = machines[norm_key(no)] = Machine(
                no, None, None, d.raw.get("person"), d.raw.get("dept"), True, d.sheet, d.cell("computer"), d.row
            )
        if not any(d.raw.get(k) for k in ("software_no", "name", "version")):
            continue  # a computer with no software yet
        no_key = norm_key(d.raw["software_no"]) if d.raw.get("software_no") else None
        hit = by_no.get(no_key) if no_key else None
        ident = (
            hit[1]
            if hit
            else table.identify_ledger(d.raw.get("name") or d.raw.get("software_no") or "", d.raw.get("version"))
        )
        m.detail.setdefault(ident.key, []).append(d)
    ms = list(machines.values())
    return LedgerIndex(
        ledger,
        table,
        ms,
        {norm_key(m.host): m for m in ms if m.host},
        {norm_key(m.serial): m for m in ms if m.serial},
        dict(machines),
        registered,
        ledger.form("附件6") is not None,
    )


# --- the scan side -------------------------------------------------------------------------


@dataclass
class Installed:
    """One product on one computer, as its scan shows it (the first entry that gave it)."""

    ident: Identity
    name: str
    version: str
    line: int


@dataclass
class ScanSummary:
    path: str
    host: str | None
    serial: str | None
    collected: str
    products: dict[str, list[Installed]]  # product key → each distinct edition/version found
    entries: int
    noise: int


@dataclass
class Unknown:
    """A name the 别名表 does not know (the work list)."""

    name: str
    publisher: str
    key: str
    suggestion: str
    count: int = 0
    example: str = ""
    registered: bool = False


def summarise(
    scan: Scan, table: AliasTable, unknown: dict[tuple[str, str, str], Unknown], computer: str
) -> ScanSummary:
    """Reduce a scan to its products; names the table does not know go to ``unknown``."""
    identify = table.identify
    products: dict[str, list[Installed]] = {}
    noise = 0
    for e in scan.entries:
        ident = identify(
            e.name, e.publisher, e.key, e.source, e.scope, e.parent, e.release_type, e.system_component, e.status
        )
        if ident is None:
            noise += 1
            continue
        same = products.get(ident.key)
        if same is None:
            products[ident.key] = [Installed(ident, e.name, e.version, e.line)]
        elif all(i.ident != ident for i in same):  # another edition or version of the product
            same.append(Installed(ident, e.name, e.version, e.line))
        if not ident.known:
            u = unknown.get((e.name, e.publisher, e.key))
            if u is None:
                u = unknown[(e.name, e.publisher, e.key)] = Unknown(
                    e.name, e.publisher, e.key, ident.product, example=computer
                )
            u.count += 1
    return ScanSummary(scan.path, scan.host, scan.serial, scan.collected or "", products, len(scan.entries), noise)


# --- the result ----------------------------------------------------------------------------


@dataclass
class ComputerResult:
    """One row of the 按计算机 sheet."""

    computer: str
    host: str | None
    user: str | None
    dept: str | None
    scan: str | None
    products: int = 0
    counts: Counter = field(default_factory=Counter)  # rule code → findings on this computer

    def to_dict(self) -> dict[str, Any]:
        return {
            "computer": self.computer,
            "host": self.host,
            "user": self.user,
            "dept": self.dept,
            "scan": self.scan,
            "products": self.products,
            "findings": dict(self.counts),
        }


@dataclass
class SoftwareResult:
    """One row of the 按软件 sheet: a product over all scanned computers."""

    product: str
    category: str
    kind: str
    computers: int = 0
    numbers: list[str] = field(default_factory=list)
    licences: int | None = None
    registered: str = ""
    problems: Counter = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        return {
            "product": self.product,
            "category": self.category,
            "kind": self.kind,
            "computers": self.computers,
            "numbers": self.numbers,
            "licences": self.licences,
            "registered": self.registered,
            "findings": dict(self.problems),
        }


@dataclass
class Reconciliation:
    """Everything one reconcile found: the findings and the three tables of 核查结果."""

    ledger: str
    unit: str | None
    report: Report
    computers: list[ComputerResult]
    software: list[SoftwareResult]
    unknown: list[Unknown]
    scan_files: int = 0
    failed_files: int = 0
    scanned_computers: int = 0

    def to_dict(self) -> dict[str, Any]:
        out = self.report.to_dict()
        out["reconcile"] = {
            "ledger": self.ledger,
            "scan_files": self.scan_files,
            "failed_files": self.failed_files,
            "scanned_computers": self.scanned_computers,
            "computers": len(self.computers),
        }
        out["computers"] = [c.to_dict() for c in self.computers]
        out["software"] = [s.to_dict() for s in self.software]
        out["unknown_names"] = [vars(u) for u in self.unknown]
        return out


# --- the comparison ------------------------------------------------------------------------


_FIRST_NUMBER = re.compile(r"\d+")


def version_above(installed: str, usable: str) -> bool:
    """True when the installed version's first number is above the usable one's, on the same scale (years vs
    releases)."""
    a, b = _FIRST_NUMBER.search(installed or ""), _FIRST_NUMBER.search(usable or "")
    if a is None or b is None:
        return False
    x, y = int(a.group()), int(b.group())
    if (x >= 1990) != (y >= 1990):
        return False
    return x > y


class _Run:
    """One reconcile in progress: the index, the findings so far and the tables."""

    def __init__(self, index: LedgerIndex, as_of: dt.date) -> None:
        self.ix = index
        self.shown = index.ledger.path
        self.report = Report(as_of, workbooks=[self.shown])
        self.unknown: dict[tuple[str, str, str], Unknown] = {}
        self.taken: dict[str, tuple[Machine, ScanSummary, tuple]] = {}
        self.failed_hosts: set[str] = set()
        self.software: dict[str, SoftwareResult] = {}

    def add(
        self,
        rule: str,
        machine: Machine | None,
        sheet: str | None = None,
        cell: str | None = None,
        row: int | None = None,
        workbook: str | None = None,
        **values: Any,
    ) -> None:
        if machine is not None and sheet is None:
            sheet, cell, row = machine.sheet, machine.cell, machine.row
        self.report.findings.append(Finding(rule, workbook or self.shown, sheet, cell, values, row))

    def match(self, scan: Scan) -> Machine | None:
        ix = self.ix
        if scan.host and (m := ix.by_host.get(norm_key(scan.host))):
            return m
        if scan.serial and (m := ix.by_serial.get(norm_key(scan.serial))):
            return m
        if scan.host:
            return ix.by_number.get(norm_key(scan.host))
        return None

    def take(self, scan: Scan, path: Path) -> None:
        m = self.match(scan)
        if m is None:
            self.add(
                "RZ4.2U",
                None,
                workbook=scan.path,
                scan=scan.path,
                host=scan.host or "未知",
                serial=scan.serial or "未知",
            )
            summarise(scan, self.ix.table, self.unknown, scan.host or scan.path)
            return
        summary = summarise(scan, self.ix.table, self.unknown, m.computer)
        try:
            stamp = (summary.collected, path.stat().st_mtime)
        except OSError:
            stamp = (summary.collected, 0.0)
        key = norm_key(m.computer)
        old = self.taken.get(key)
        if old is not None:
            keep_new = stamp >= old[2]
            used, dropped = (summary.path, old[1].path) if keep_new else (old[1].path, summary.path)
            self.add("RZ4.2D", None, workbook=dropped, scan=dropped, other=used, computer=m.computer, used=used)
            if not keep_new:
                return
        self.taken[key] = (m, summary, stamp)

    def fail(self, path: str, exc: ScanError) -> None:
        self.add(exc.code, None, workbook=path, scan=path, reason=str(exc))
        self.failed_hosts.add(norm_key(Path(path).stem))

    def compare(self) -> list[ComputerResult]:
        out = []
        for m in self.ix.machines:
            got = self.taken.get(norm_key(m.computer))
            res = ComputerResult(m.computer, m.host, m.user, m.dept, got[1].path if got else None)
            out.append(res)
            before = len(self.report.findings)
            if got is None:
                if m.in_use and not ({norm_key(x) for x in (m.computer, m.host or "")} & self.failed_hosts):
                    self.add("RZ4.2N", m, computer=m.computer, host=m.host or "未填")
            else:
                res.products = len(got[1].products)
                self._computer(m, got[1])
            res.counts.update(f.rule for f in self.report.findings[before:])
        return out

    def _computer(self, m: Machine, s: ScanSummary) -> None:
        ix = self.ix
        scan = Path(s.path).name
        for key, insts in s.products.items():
            inst = insts[0]
            sw = self._software(key, inst.ident)
            sw.computers += 1
            version = f"，版本 {inst.version}" if inst.version else ""
            reg = ix.registered.get(key)
            codes_before = len(self.report.findings)
            for each in insts:
                if each.ident.consumer:
                    self.add(
                        "PZ1.1P",
                        m,
                        computer=m.computer,
                        name=each.name,
                        edition=each.ident.edition or "个人或家庭版本",
                        scan=scan,
                    )
            if reg is None:
                self.add(
                    "PZ1.2U", m, computer=m.computer, name=inst.name, version=version, scan=f"{scan} 第 {inst.line} 行"
                )
            else:
                if (
                    reg.summary
                    and all(r.val.get("sw_type") == FREE for r, _ in reg.summary)
                    and ix.has_whitelist
                    and not reg.whitelisted
                ):
                    first = reg.summary[0][0]
                    self.add(
                        "PZ1.2",
                        m,
                        name=inst.name,
                        no=first.raw.get("software_no") or "未编号",
                        where=f"（计算机 {m.computer}，扫描文件 {scan}）",
                    )
                if key not in m.detail:
                    self.add(
                        "TZ2.2S",
                        m,
                        computer=m.computer,
                        name=inst.name,
                        version=version,
                        scan=scan,
                        registered=self._registered_text(reg),
                    )
                for each in insts:
                    self._version(m, each, reg, scan)
            sw.problems.update(f.rule for f in self.report.findings[codes_before:])
        for key, rows in m.detail.items():
            if key in s.products:
                continue
            d = rows[0]
            self.add(
                "TZ2.2M",
                None,
                d.sheet,
                d.cell("software_no"),
                d.row,
                computer=m.computer,
                name=d.raw.get("name") or d.raw.get("software_no") or "",
                no=d.raw.get("software_no") or "未编号",
                scan=scan,
            )

    def _registered_text(self, reg: Registered) -> str:
        nos = [r.raw.get("software_no") or r.raw.get("name") or "" for r, _ in reg.summary[:3]]
        return "附件7 " + "、".join(nos) if nos else "附件6"

    def _version(self, m: Machine, inst: Installed, reg: Registered, scan: str) -> None:
        installed = inst.ident.version
        rows = [(r, i) for r, i in reg.summary if r.val.get("sw_type") == COMMERCIAL]
        if not installed or not rows:
            return
        on_computer = [
            (r, i)
            for r, i in rows
            if inst.ident.key in m.detail
            and r.raw.get("software_no")
            and any(
                norm_key(d.raw.get("software_no") or "") == norm_key(r.raw["software_no"])
                for d in m.detail[inst.ident.key]
            )
        ]
        candidates = on_computer or rows

        def usable(r: Row) -> str:
            return r.raw.get("usable_version") or r.raw.get("version") or ""

        if any(not version_above(installed, usable(r)) for r, _ in candidates):
            return
        best = max(candidates, key=lambda ri: int(m_.group()) if (m_ := _FIRST_NUMBER.search(usable(ri[0]))) else 0)[0]
        self.add(
            "AZ2.1",
            m,
            computer=m.computer,
            name=inst.name,
            installed=installed,
            no=best.raw.get("software_no") or "未编号",
            usable=usable(best),
            scan=scan,
        )

    def _software(self, key: str, ident: Identity) -> SoftwareResult:
        sw = self.software.get(key)
        if sw is None:
            reg = self.ix.registered.get(key)
            numbers, licences, where = [], None, "未登记"
            if reg is not None:
                numbers = [r.raw.get("software_no") or "" for r, _ in reg.summary if r.raw.get("software_no")]
                counts = [r.val.get("license_count") for r, _ in reg.summary]
                licences = (
                    sum(c for c in counts if isinstance(c, int)) if any(isinstance(c, int) for c in counts) else None
                )
                where = "、".join(x for x in ("附件7" if reg.summary else "", "附件6" if reg.whitelisted else "") if x)
            sw = self.software[key] = SoftwareResult(
                ident.product, ident.category, ident.kind or "待认定", 0, numbers, licences, where
            )
        return sw


def reconcile(
    ledger_path: str | Path,
    scan_paths: Iterable[str | Path],
    as_of: dt.date | None = None,
    fields: Fields | None = None,
    progress: Callable[[str], None] | None = None,
    display: str | None = None,
) -> Reconciliation:
    """Reconcile scan files (or folders of them) against one ledger."""
    with gc_paused():  # the ledger and the scans are acyclic: full collections would rescan them for nothing
        return _reconcile(ledger_path, scan_paths, as_of, fields, progress, display)


def _reconcile(
    ledger_path: str | Path,
    scan_paths: Iterable[str | Path],
    as_of: dt.date | None,
    fields: Fields | None,
    progress: Callable[[str], None] | None,
    display: str | None,
) -> Reconciliation:
    shown = display or str(ledger_path)
    ledger, table = load_ledger(ledger_path, shown)
    index = index_ledger(ledger, table)
    if not index.machines:
        raise ReconcileError(f"台账“{shown}”中没有计算机（计算机清单和附件8 都没有计算机编号），无法与扫描结果对应。")
    run = _Run(index, as_of or dt.date.today())
    files = failed = 0
    for path, name in iter_scan_paths(scan_paths):
        files += 1
        try:
            scans = read_scan(path, name, fields)
        except ScanError as exc:
            failed += 1
            run.fail(name, exc)
        else:
            for scan in scans:
                run.take(scan, path)
        if progress is not None:
            progress(name)
    computers = run.compare()
    known = set(index.registered)
    unknown = sorted(run.unknown.values(), key=lambda u: (-u.count, u.name))
    for u in unknown:
        u.registered = norm_key(u.suggestion) in known
    software = sorted(run.software.values(), key=lambda s: (-s.computers, s.product))
    return Reconciliation(shown, ledger.unit, run.report, computers, software, unknown, files, failed, len(run.taken))
