"""A first ledger built from scans (``zbtz import --from-scans``).

附件7 gets one number per product, edition and version for commercial and OEM software and one
per product for free software (软件台账管理规定 一.2–9), licence fields left blank for the user;
附件8 one row per software per computer; 计算机清单 one row per scanned computer (主机名 and
序列号 filled); 附件9 an 初始登记 row per installation dated the day of the import; 附件6 the free
software found, marked 待审批. Names the 别名表 does not know go on 附件7 without a 软件类型 and
number, marked 待认定, so ``zbtz check`` lists them. A scan's install dates are never used: MSI
rewrites them on every patch (docs/软件采集与核对.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import ImportFailed, ScanError
from toolkit.files import check_not_open
from toolkit.findings import Finding
from toolkit.forms.layout import LedgerData, write_ledger
from toolkit.model import COMMERCIAL, FREE, OEM
from toolkit.normalize import norm_key
from toolkit.plans.number import DEFAULT_PREFIXES, NumberFormat
from toolkit.scans.aliases import AliasTable, Identity, clean_name, seed_table
from toolkit.scans.read import Fields, Scan, iter_scan_paths, read_scan

INITIAL = "初始登记（由扫描生成；日期为生成台账之日，不是实际安装日期）"
PENDING = "待审批（由扫描生成）"
UNKNOWN = "待认定：别名表不认识这个名称，请填写软件类型后运行 zbtz number"
_FIRST = re.compile(r"\d+")


@dataclass
class BuildResult:
    """What was written and what was left out."""

    path: Path
    computers: int
    numbers: int
    unknown: int
    failures: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "written": str(self.path),
            "computers": self.computers,
            "numbers": self.numbers,
            "unknown": self.unknown,
            "findings": [f.to_dict() for f in self.failures],
        }


@dataclass
class _Product:
    ident: Identity
    name: str
    version: str
    sw_type: str | None
    number: str = ""
    computers: list[str] = field(default_factory=list)


def _group_key(ident: Identity, version: str, sw_type: str | None) -> tuple[str, str, str]:
    if sw_type == FREE:
        return (ident.key, "", "")
    return (ident.key, norm_key(ident.edition), norm_key(version))


def _entry_version(ident: Identity, raw: str) -> str:
    if ident.version:
        return ident.version
    m = _FIRST.search(raw)
    return m.group() if m else ""


def _ledger_name(table: AliasTable, ident: Identity, raw: str, version: str) -> str:
    """The 附件7 name: the scanned name cleaned, when it reads back as the same product; else product and edition."""
    name = clean_name(raw)
    if table.identify_ledger(name, version).key == ident.key:
        return name
    return " ".join(p for p in (ident.product, ident.edition) if p)


def ledger_from_scans(
    scan_paths: Iterable[str | Path],
    out: str | Path,
    unit: str,
    as_of: dt.date | None = None,
    fields: Fields | None = None,
    table: AliasTable | None = None,
    progress: Callable[[str], None] | None = None,
    force: bool = False,
) -> BuildResult:
    """Build and write a new ledger from scan files; a file that cannot be used is listed, not fatal.

    An existing ``out`` is refused unless ``force``; nothing is written when no scan is usable.
    """
    day = as_of or dt.date.today()
    table = table or seed_table()
    target = Path(out)
    if target.exists() and not force:
        raise ImportFailed(f"“{target}”已存在。为避免覆盖已有台账，请换一个文件名，或加 --force 覆盖。")
    check_not_open(target)
    failures: list[Finding] = []
    scans: dict[str, Scan] = {}
    for path, shown in iter_scan_paths(scan_paths):
        try:
            found = read_scan(path, shown, fields)
        except ScanError as exc:
            failures.append(Finding(exc.code, shown, None, None, {"scan": shown, "reason": str(exc)}))
            continue
        finally:
            if progress is not None:
                progress(shown)
        for scan in found:
            key = norm_key(scan.host or shown)
            if key in scans:
                failures.append(
                    Finding(
                        "RZ4.2D",
                        shown,
                        None,
                        None,
                        {"scan": shown, "other": scans[key].path, "computer": scan.host, "used": scans[key].path},
                    )
                )
                continue
            scans[key] = scan
    if not scans:
        raise ImportFailed("没有可用的扫描文件，未生成台账。" + "；".join(f.message for f in failures[:5]))
    data = _ledger_data(list(scans.values()), table, unit, day)
    write_ledger(target, data)
    unknown = sum(1 for s in data.summary if not s.get("sw_type"))
    return BuildResult(target, len(scans), len(data.summary) - unknown, unknown, failures)


def _ledger_data(scans: list[Scan], table: AliasTable, unit: str, day: dt.date) -> LedgerData:
    products: dict[tuple[str, str, str], _Product] = {}
    per_computer: dict[str, list[_Product]] = {}
    for scan in scans:
        host = scan.host or Path(scan.path).stem
        mine: list[_Product] = []
        for e in scan.entries:
            ident = table.identify(
                e.name, e.publisher, e.key, e.source, e.scope, e.parent, e.release_type, e.system_component, e.status
            )
            if ident is None:
                continue
            sw_type = ident.kind if ident.known else None
            version = _entry_version(ident, e.version) if sw_type != FREE else ""
            gk = _group_key(ident, version, sw_type)
            p = products.get(gk)
            if p is None:
                p = products[gk] = _Product(ident, _ledger_name(table, ident, e.name, version), version, sw_type)
            if host not in p.computers:
                p.computers.append(host)
                mine.append(p)
        per_computer[host] = mine
    fmt = NumberFormat()
    counters = dict.fromkeys(DEFAULT_PREFIXES, 0)
    order = {COMMERCIAL: 0, OEM: 1, FREE: 2, None: 3}
    ranked = sorted(products.values(), key=lambda p: (order[p.sw_type], norm_key(p.name), p.version))
    for p in ranked:
        if p.sw_type in counters:
            counters[p.sw_type] += 1
            p.number = fmt.make(p.sw_type, counters[p.sw_type])
    summary = [_summary_row(p) for p in ranked]
    details, logs = [], {}
    for host, mine in per_computer.items():
        for p in sorted(mine, key=lambda p: (order[p.sw_type], p.number, p.name)):
            details.append(
                dict(
                    computer=host,
                    software_no=p.number or None,
                    name=p.name,
                    version=p.version or None,
                    sw_type=p.sw_type,
                )
            )
        if not mine:
            details.append(dict(computer=host))
    for p in ranked:
        if not p.number:
            continue
        info = dict(name=p.name, version=p.version or None, sw_type=p.sw_type)
        logs[p.number] = (
            info,
            [
                dict(op="安装", computer=h, version=p.version or None, date=day, qty=1, remark=INITIAL)
                for h in p.computers
            ],
        )
    whitelist = [dict(software_no=p.number, name=p.name, remark=PENDING) for p in ranked if p.sw_type == FREE]
    computers = [dict(computer=s.host, hostname=s.host, serial=s.serial, status="在用") for s in scans]
    counts: dict[str, int | None] = {"servers": None, "desktops": None, "laptops": None}
    return LedgerData(
        unit=unit,
        fill_date=day,
        counts=counts,
        whitelist=whitelist,
        summary=summary,
        details=details,
        logs=logs,
        computers=computers,
    )


def _summary_row(p: _Product) -> dict:
    row: dict = dict(
        software_no=p.number or None,
        name=p.name,
        sw_type=p.sw_type,
        category=p.ident.category or None,
        installed=len(p.computers),
    )
    if p.sw_type == FREE:
        return row
    row["version"] = p.version or None
    if p.sw_type is None:
        row["remark"] = UNKNOWN
    elif p.sw_type == COMMERCIAL:
        row["acquisition"] = "采购"
    return row
