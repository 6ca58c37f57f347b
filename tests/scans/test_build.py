"""A ledger from scans: numbering, 附件9 初始登记 dated the import day, 附件6 待审批, the work list, safety."""

from __future__ import annotations

import pytest

from toolkit.errors import ImportFailed
from toolkit.normalize import clean
from toolkit.read.reader import read_ledger
from toolkit.scans.build import INITIAL, PENDING, UNKNOWN, ledger_from_scans
from toolkit.scans.reconcile import reconcile

from .builders import AS_OF, OFFICE_2016, SOGOU, collector_csv, row, windows_rows


def two_computers(tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    collector_csv(folder, "CW-PC-017", serial="SN-17")
    second = [
        *windows_rows(),
        row("Microsoft Office 专业增强版 2019", "16.0.10", InstallDate="20240101"),
        row("Foo 绘图工具 3.2 (x64)", "3.2"),
        row("7-Zip 23.01 (x64)", "23.01"),
    ]
    collector_csv(folder, "CW-PC-018", second, serial="SN-18")
    return folder


def test_ledger_from_scans(tmp_path):
    folder = two_computers(tmp_path)
    result = ledger_from_scans([folder], tmp_path / "台账.xlsx", "某市数据资源管理局", AS_OF)
    assert (result.computers, result.numbers, result.unknown, result.failures) == (2, 7, 1, [])
    led = read_ledger(result.path)
    summary = {(s.raw.get("software_no"), s.raw.get("name"), s.raw.get("version")) for s in led.summary}
    # Office 2016 and 2019 are two numbers (another version); 搜狗 one free number; Foo has no type yet
    assert ("SY-001", "Adobe Acrobat DC", "21") in summary and (
        "OEM-001",
        "Microsoft Windows 10 专业版",
        "10",
    ) in summary
    offices = sorted(n for n, name, _ in summary if name and name.startswith("Microsoft Office"))
    assert len(offices) == 2
    assert {s.raw.get("name") for s in led.summary if s.val.get("sw_type") == "免费软件"} == {"7-Zip", "搜狗输入法"}
    foo = next(s for s in led.summary if s.raw.get("name") == "Foo 绘图工具")
    assert (
        foo.raw.get("software_no") is None
        and foo.val.get("sw_type") is None
        and foo.raw.get("remark") == clean(UNKNOWN)
    )
    assert {w.raw.get("name"): w.raw.get("remark") for w in led.whitelist} == {
        "7-Zip": clean(PENDING),
        "搜狗输入法": clean(PENDING),
    }
    assert {(c.raw["computer"], c.raw["hostname"], c.raw["serial"]) for c in led.computers} == {
        ("CW-PC-017", "CW-PC-017", "SN-17"),
        ("CW-PC-018", "CW-PC-018", "SN-18"),
    }
    rows = [e for log in led.logs for e in log.entries]
    assert rows and {e.date for e in rows} == {AS_OF} and {e.raw.get("remark") for e in rows} == {clean(INITIAL)}
    assert {e.op for e in rows} == {"安装"}  # never an install date from the scan (20240101, 20230412)
    sogou = next(log for log in led.logs if log.info["name"].raw == "搜狗输入法")
    assert sorted(e.computer for e in sogou.entries) == ["CW-PC-017", "CW-PC-018"]
    # the built ledger reconciles with the scans it came from, name for name
    rec = reconcile(result.path, [folder], AS_OF)
    assert [f.rule for f in rec.report.findings] == []
    assert OFFICE_2016.strip() not in [u.name for u in rec.unknown] and SOGOU not in [u.name for u in rec.unknown]


def test_nothing_written_when_no_scan_is_usable_or_the_target_exists(tmp_path):
    (tmp_path / "bad.csv").write_bytes(b"")
    target = tmp_path / "台账.xlsx"
    with pytest.raises(ImportFailed, match="没有可用的扫描文件"):
        ledger_from_scans([tmp_path / "bad.csv"], target, "单位", AS_OF)
    assert not target.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]
    target.write_bytes(b"old")
    with pytest.raises(ImportFailed, match="已存在"):
        ledger_from_scans([collector_csv(tmp_path, "PC")], target, "单位", AS_OF)
    assert target.read_bytes() == b"old"


def test_bad_and_duplicate_files_are_listed_not_fatal(tmp_path):
    folder = two_computers(tmp_path)
    (folder / "x.csv").write_bytes(b"")
    (tmp_path / "again").mkdir()
    collector_csv(tmp_path / "again", "CW-PC-017")
    result = ledger_from_scans([folder, tmp_path / "again"], tmp_path / "台账.xlsx", "单位", AS_OF)
    assert sorted(f.rule for f in result.failures) == ["RZ4.2D", "RZ4.2F"] and result.computers == 2
