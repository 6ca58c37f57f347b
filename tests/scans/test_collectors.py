"""The collectors. The Linux one runs for real on this machine and its output is reconciled against a
ledger built for this machine; the Windows one cannot run here, so its text is checked."""

from __future__ import annotations

import codecs
import datetime as dt
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from toolkit.forms.layout import LedgerData, write_ledger
from toolkit.scans.aliases import seed_table
from toolkit.scans.build import ledger_from_scans
from toolkit.scans.read import read_scan, scan_fields
from toolkit.scans.reconcile import reconcile

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "collectors" / "linux" / "zbtz-collect.sh"
WINDOWS = ROOT / "collectors" / "windows"
AS_OF = dt.date(2026, 6, 30)
needs_dpkg = pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="the Linux collector test needs dpkg")


def collect(out: Path) -> Path:
    run = subprocess.run(["sh", str(LINUX), str(out)], capture_output=True, text=True, timeout=300, check=True)
    (path,) = out.glob("*.csv")
    assert "已写出" in run.stdout and not list(out.glob(".*"))  # no temporary file left behind
    return path


@needs_dpkg
def test_linux_collector_runs_here_and_its_output_reconciles(tmp_path):
    out = tmp_path / "清单"
    out.mkdir()
    path = collect(out)
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    header = data[3:].decode("utf-8").splitlines()[0]
    assert [h.strip('"') for h in header.split(",")] == list(scan_fields().collector)
    (scan,) = read_scan(path)
    host = socket.gethostname()
    assert scan.host == host and path.name == f"{host}.csv" and scan.format == "zbtz-csv"
    installed = subprocess.run(
        ["dpkg-query", "-W", "-f=${db:Status-Abbrev}\n"], capture_output=True, text=True, check=True
    )
    dpkg = [e for e in scan.entries if e.source == "dpkg"]
    assert len(dpkg) == len(installed.stdout.splitlines())  # every package, with its status
    assert [e.source for e in scan.entries].count("os") == 1
    os_release = Path("/etc/os-release").read_text()
    pretty = re.search(r'^PRETTY_NAME="?([^"\n]*)', os_release, re.M)
    assert pretty and scan.entries[0].name.startswith(pretty.group(1))
    table = seed_table()
    products = {
        i.key
        for e in scan.entries
        if (
            i := table.identify(
                e.name, e.publisher, e.key, e.source, e.scope, e.parent, e.release_type, e.system_component, e.status
            )
        )
        is not None
    }
    assert products, "the scan of this machine should show at least its operating system"

    # a ledger for this machine that registers only its operating system: every other product is PZ1.2U
    os_ident = table.identify(scan.entries[0].name, source="os")
    assert os_ident is not None
    os_row = dict(software_no="MF-001", name=scan.entries[0].name, sw_type="免费软件", category="操作系统", installed=1)
    ledger = tmp_path / "本机台账.xlsx"
    write_ledger(
        ledger,
        LedgerData(
            unit="测试单位",
            fill_date=AS_OF,
            summary=[os_row],
            whitelist=[dict(software_no="MF-001", name=os_row["name"])],
            details=[
                dict(
                    dept="信息中心",
                    person="管理员",
                    computer="ZJ-001",
                    brand="虚拟机",
                    software_no="MF-001",
                    name=os_row["name"],
                    sw_type="免费软件",
                )
            ],
            computers=[dict(computer="ZJ-001", ctype="服务器", hostname=host, status="在用")],
        ),
    )
    rec = reconcile(ledger, [out], AS_OF)
    others = products - {os_ident.key}
    assert sorted(f.rule for f in rec.report.findings) == ["PZ1.2U"] * len(others)
    assert rec.scanned_computers == 1 and rec.computers[0].scan == str(path)

    # and a ledger built from the same scan reconciles without a finding
    built = ledger_from_scans([out], tmp_path / "生成台账.xlsx", "测试单位", AS_OF)
    assert built.computers == 1
    assert [f.rule for f in reconcile(built.path, [out], AS_OF).report.findings] == []


def test_windows_collector_text():
    ps1 = (WINDOWS / "zbtz-collect.ps1").read_bytes()
    assert ps1.startswith(codecs.BOM_UTF8) and b"\r\n" in ps1 and b"\n" not in ps1.replace(b"\r\n", b"")
    text = ps1[3:].decode("utf-8")
    columns = re.search(r"\$columns = (.*?)\r\n\$computer", text, re.S)
    assert columns and re.findall(r"'(\w+)'", columns.group(1)) == list(scan_fields().collector)
    for hive in (
        "HKEY_LOCAL_MACHINE\\$uninstall",
        "WOW6432Node",
        "HKEY_USERS\\$sid\\$uninstall",
        "NTUSER.DAT",
        "SoftwareLicensingProduct",
        "ClickToRun\\Configuration",
        "Win32_BIOS",
        "UTF8Encoding($true)",
    ):
        assert hive in text
    code = "\n".join(
        line for line in text.splitlines() if not line.lstrip().startswith("#") and "Win32_Product（" not in line
    )
    assert "Win32_Product" not in code and "wmic" not in code.lower()  # never the MSI-repairing class
    assert "Substring($partial.Length - 5)" in text  # at most the last 5 characters of a key
    cmd = (WINDOWS / "采集软件清单.cmd").read_bytes()
    assert (
        cmd.startswith(b"@echo off\r\nchcp 65001") and b"zbtz-collect.ps1" in cmd and b"-ExecutionPolicy Bypass" in cmd
    )
    assert len(text.splitlines()) < 150  # small enough to review line by line
