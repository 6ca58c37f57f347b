"""Scan files and ledgers for the scan tests, built in code.

``collector_csv`` writes a file shaped like the collectors' output; ``scan_ledger`` a ledger in
the canonical layout (through ``toolkit.layout``) with 主机名 and 序列号 on its 计算机清单.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from toolkit.forms.layout import LedgerData, write_ledger
from toolkit.scans.read import scan_fields

AS_OF = dt.date(2026, 6, 30)
COLUMNS = scan_fields().collector

# real-shaped names (docs/软件采集与核对.md lists their sources)
OFFICE_2016 = "Microsoft Office 专业增强版 2016 "
ACROBAT = "Adobe Acrobat DC (64-bit)"
AUTOCAD = "AutoCAD 2020 - 简体中文 (Simplified Chinese)"
SOGOU = "搜狗输入法 13.4.0正式版"
KB_UPDATE = "Update for Microsoft Office 2016 (KB3141456) 64-Bit Edition"
VCREDIST = "Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.44.35211"


def row(name: str, version: str = "", **kw: Any) -> dict[str, str]:
    """One collector row (``Source`` registry unless given)."""
    out = {"DisplayName": name, "DisplayVersion": version, "Source": "registry", "Scope": "machine"}
    out.update({k: str(v) for k, v in kw.items()})
    return out


def windows_rows() -> list[dict[str, str]]:
    """A government desktop: Windows 10 Pro, Office 2016, Acrobat, AutoCAD, Sogou, a patch and a runtime."""
    return [
        row(
            "Microsoft Windows 10 专业版",
            "10.0.19045",
            Source="os",
            KeyName="Professional",
            Channel="OEM",
            PartialKey="3V66T",
        ),
        row(OFFICE_2016, "16.0.4266.1001", Publisher="Microsoft Corporation", KeyName="Office16.PROPLUS"),
        row(
            ACROBAT,
            "21.001.20135",
            Publisher="Adobe Systems Incorporated",
            KeyName="{AC76BA86-1033-FFFF-7760-BC15014EA700}",
        ),
        row(AUTOCAD, "23.1.47.0", Publisher="Autodesk", KeyName="{28B89EEF-4101-0804-2102-CF3F3A09B77D}"),
        row(SOGOU, "13.4.0.7202", Publisher="Sogou.com", KeyName="Sogou Input"),
        row(KB_UPDATE, Publisher="Microsoft", ParentKeyName="Office16.PROPLUS"),
        row("KB4019215", ReleaseType="Security Update"),
        row(VCREDIST, "14.44.35211.0", Publisher="Microsoft Corporation"),
        row("Microsoft Edge WebView2 Runtime", "120.0", SystemComponent="1"),
    ]


def collector_text(
    host: str, rows: list[dict[str, str]], serial: str = "", collected: str = "2026-06-01T09:00:00"
) -> str:
    """The CSV text the collectors write (every field quoted, fixed columns)."""
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for r in rows:
        full = dict.fromkeys(COLUMNS, "") | {"ComputerName": host, "SerialNumber": serial, "CollectedAt": collected} | r
        w.writerow([full[c] for c in COLUMNS])
    return buf.getvalue()


def collector_csv(
    folder: Path,
    host: str,
    rows: list[dict[str, str]] | None = None,
    encoding: str = "utf-8-sig",
    name: str | None = None,
    **kw: Any,
) -> Path:
    path = Path(folder) / (name or f"{host}.csv")
    path.write_bytes(collector_text(host, windows_rows() if rows is None else rows, **kw).encode(encoding))
    return path


def computer(no: str, host: str | None = None, serial: str | None = None, status: str = "在用", **kw: Any) -> dict:
    return dict(
        computer=no,
        ctype="台式机",
        brand="联想",
        hostname=host,
        serial=serial,
        user=kw.pop("user", "张三"),
        dept=kw.pop("dept", "办公室"),
        status=status,
        **kw,
    )


def office(
    no: str = "SY-001", version: str = "2016", usable: str = "2016", name: str = "Microsoft Office 专业增强版"
) -> dict:
    return dict(
        software_no=no,
        name=name,
        version=version,
        sw_type="商业软件",
        category="办公软件",
        acquisition="采购",
        purchase_date=dt.date(2023, 5, 6),
        amount=12800,
        license_type="批量许可",
        license_count=10,
        usable_version=usable,
        term="永久",
        serial="ABCD-1234",
        installed=1,
    )


def oem(no: str = "OEM-001", name: str = "Windows 10 专业版", version: str = "10") -> dict:
    return dict(software_no=no, name=name, version=version, sw_type="OEM软件", category="操作系统", installed=1)


def free(no: str, name: str) -> dict:
    return dict(software_no=no, name=name, sw_type="免费软件", category="工具软件", installed=1)


def detail(computer_no: str, sw: dict, person: str = "张三") -> dict:
    return dict(
        dept="办公室",
        person=person,
        computer=computer_no,
        brand="联想",
        software_no=sw["software_no"],
        name=sw["name"],
        version=sw.get("version"),
        sw_type=sw["sw_type"],
    )


def default_ledger() -> dict[str, Any]:
    """PC-001 (host CW-PC-017) carries everything of :func:`windows_rows` that is registered."""
    sw = [
        office(),
        oem(),
        dict(office("SY-002", "DC", "DC", "Adobe Acrobat"), license_count=5),
        dict(office("SY-003", "2020", "2020", "AutoCAD"), license_count=2),
        free("MF-001", "搜狗输入法"),
    ]
    return dict(
        summary=sw,
        whitelist=[dict(software_no="MF-001", name="搜狗输入法")],
        details=[detail("PC-001", s) for s in sw],
        computers=[computer("PC-001", "CW-PC-017", "PF1ABC23")],
    )


def scan_ledger(tmp_path: Path, name: str = "台账.xlsx", **changes: Any) -> Path:
    data = default_ledger() | changes
    path = Path(tmp_path) / name
    write_ledger(path, LedgerData(unit="某市数据资源管理局", fill_date=AS_OF, **data))
    return path
