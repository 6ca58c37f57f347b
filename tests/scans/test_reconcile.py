"""reconcile: each finding code triggered and not, computer matching, the work list, a unit's 别名表 sheet."""

from __future__ import annotations

import os

import openpyxl
import pytest

from toolkit.errors import ReconcileError
from toolkit.scans.reconcile import reconcile, version_above

from .builders import (
    AS_OF,
    AUTOCAD,
    SOGOU,
    collector_csv,
    computer,
    default_ledger,
    detail,
    free,
    office,
    row,
    scan_ledger,
    windows_rows,
)


def run(tmp_path, rows=None, ledger=None, host="CW-PC-017", **kw):
    ledger = ledger or scan_ledger(tmp_path)
    scan = collector_csv(tmp_path, host, rows, **kw)
    return reconcile(ledger, [scan], AS_OF)


def codes(rec) -> list[str]:
    return [f.rule for f in rec.report.findings]


def test_the_default_ledger_matches_its_scan(tmp_path):
    rec = run(tmp_path)
    assert codes(rec) == [] and rec.report.valid
    assert (
        rec.scanned_computers == 1 and rec.computers[0].products == 5
    )  # OS, Office, Acrobat, AutoCAD, Sogou; noise dropped
    assert rec.unknown == []


def test_pz12u_installed_but_registered_nowhere(tmp_path):
    rec = run(tmp_path, [*windows_rows(), row("Foo 绘图工具 3.2 (x64)", "3.2")])
    assert codes(rec) == ["PZ1.2U"]
    f = rec.report.findings[0]
    assert (
        (f.sheet, f.cell) == ("计算机清单", "B4") and "Foo 绘图工具 3.2 (x64)" in f.message and "第 11 行" in f.message
    )
    assert [u.name for u in rec.unknown] == ["Foo 绘图工具 3.2 (x64)"] and rec.unknown[0].suggestion == "Foo 绘图工具"


def test_pz12u_not_when_the_name_is_on_the_whitelist_only(tmp_path):
    data = default_ledger()
    data["whitelist"] = [*data["whitelist"], dict(software_no="MF-002", name="Foo 绘图工具")]
    data["summary"] = [*data["summary"], free("MF-002", "Foo 绘图工具")]
    data["details"] = [*data["details"], detail("PC-001", free("MF-002", "Foo 绘图工具"))]
    rec = run(tmp_path, [*windows_rows(), row("Foo 绘图工具 3.2 (x64)", "3.2")], scan_ledger(tmp_path, **data))
    assert codes(rec) == []
    assert rec.unknown[0].registered  # still on the work list, but the ledger knows the name


def test_tz22s_registered_but_not_on_this_computers_detail(tmp_path):
    data = default_ledger()
    data["details"] = [d for d in data["details"] if d["software_no"] != "MF-001"]
    rec = run(tmp_path, ledger=scan_ledger(tmp_path, **data))
    assert codes(rec) == ["TZ2.2S"] and "搜狗输入法 13.4.0正式版" in rec.report.findings[0].message


def test_tz22m_on_the_detail_but_not_found_by_the_scan(tmp_path):
    rec = run(tmp_path, [r for r in windows_rows() if r["DisplayName"] != AUTOCAD])
    assert codes(rec) == ["TZ2.2M"]
    f = rec.report.findings[0]
    assert f.sheet == "附件8 明细表" and f.cell.startswith("F") and "SY-003" in f.message and f.severity == "warning"


def test_az21_installed_version_above_the_usable_one(tmp_path):
    rows = [
        row("Microsoft Office 专业增强版 2019", "16.0.10") if r["DisplayName"].startswith("Microsoft Office") else r
        for r in windows_rows()
    ]
    rec = run(tmp_path, rows)
    assert (
        codes(rec) == ["AZ2.1"]
        and "2019" in rec.report.findings[0].message
        and "SY-001" in rec.report.findings[0].message
    )
    data = default_ledger()
    data["summary"] = [office(usable="2019"), *data["summary"][1:]]
    assert codes(run(tmp_path, rows, scan_ledger(tmp_path, "b.xlsx", **data))) == []


def test_version_above_compares_like_with_like():
    assert version_above("2019", "2016") and not version_above("2016", "2016") and not version_above("2013", "2016")
    assert not version_above("16.0", "2016") and not version_above("DC", "2020") and version_above("V11", "10.0")


def test_pz11p_consumer_editions(tmp_path):
    rows = [
        *windows_rows(),
        row("Microsoft Office (HomeStudentRetail)", "16.0", Source="c2r", KeyName="HomeStudentRetail"),
    ]
    rec = run(tmp_path, rows)
    assert codes(rec) == ["PZ1.1P"] and "家庭和学生版" in rec.report.findings[0].message
    home = [
        row("Microsoft Windows 10 家庭中文版", "10.0", Source="os") if r["Source"] == "os" else r
        for r in windows_rows()
    ]
    assert codes(run(tmp_path, home)) == ["PZ1.1P"]
    pro = [
        *windows_rows(),
        row("Microsoft Office (ProPlus2016Volume)", "16.0", Source="c2r", KeyName="ProPlus2016Volume"),
    ]
    assert codes(run(tmp_path, pro)) == []


def test_pz12_free_software_on_the_summary_but_not_on_the_whitelist(tmp_path):
    rec = run(tmp_path, ledger=scan_ledger(tmp_path, whitelist=[dict(software_no="MF-009", name="7-Zip")]))
    assert codes(rec) == ["PZ1.2"] and "MF-001" in rec.report.findings[0].message


def test_rz42n_computer_in_use_without_scan_but_not_one_out_of_use(tmp_path):
    data = default_ledger()
    data["computers"] = [
        *data["computers"],
        computer("PC-002", "CW-PC-018"),
        computer("PC-003", "CW-PC-019", status="停用"),
    ]
    rec = run(tmp_path, ledger=scan_ledger(tmp_path, **data))
    assert codes(rec) == ["RZ4.2N"] and "PC-002" in rec.report.findings[0].message


def test_rz42u_scan_of_an_unknown_computer_and_matching_by_serial_and_number(tmp_path):
    rec = run(tmp_path, host="STRANGER-1", serial="NOPE")
    assert codes(rec) == ["RZ4.2U", "RZ4.2N"]
    assert rec.report.findings[0].workbook.endswith("STRANGER-1.csv")
    assert codes(run(tmp_path, host="RENAMED-PC", serial="PF1ABC23")) == []  # 序列号 matches
    assert codes(run(tmp_path, host="pc-001")) == []  # the scan is named by 计算机编号, any case


def test_rz42d_duplicate_scans_keep_the_newer(tmp_path):
    ledger = scan_ledger(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    old = collector_csv(
        tmp_path / "a", "CW-PC-017", [*windows_rows(), row("Old Tool")], collected="2026-01-01T00:00:00"
    )
    new = collector_csv(tmp_path / "b", "CW-PC-017", collected="2026-06-01T00:00:00")
    rec = reconcile(ledger, [new, old], AS_OF)
    assert codes(rec) == ["RZ4.2D"]
    f = rec.report.findings[0]
    assert f.workbook == str(old) and str(new) in f.message
    assert codes(reconcile(ledger, [new], AS_OF)) == []


def test_rz42f_and_rz42q_one_finding_per_bad_file_the_others_still_reconciled(tmp_path):
    ledger = scan_ledger(tmp_path)
    good = collector_csv(tmp_path, "CW-PC-017")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "empty.csv").write_bytes(b"")
    (tmp_path / "bad" / "readme.txt").write_text("这是说明文字，不是清单。\n", "utf-8")
    (tmp_path / "bad" / "lost.csv").write_bytes(b'"DisplayName","DisplayVersion"\r\n"????? 13.4","1"\r\n')
    rec = reconcile(ledger, [good, tmp_path / "bad"], AS_OF)
    assert sorted(codes(rec)) == ["RZ4.2F", "RZ4.2F", "RZ4.2Q"]
    assert rec.failed_files == 3 and rec.scan_files == 4 and rec.scanned_computers == 1
    assert {os.path.basename(f.workbook) for f in rec.report.findings} == {"empty.csv", "readme.txt", "lost.csv"}


def test_a_failed_scan_of_a_known_computer_is_not_also_a_missing_scan(tmp_path):
    ledger = scan_ledger(tmp_path)
    (tmp_path / "CW-PC-017.csv").write_bytes(b"")
    assert codes(reconcile(ledger, [tmp_path / "CW-PC-017.csv"], AS_OF)) == ["RZ4.2F"]


def test_the_ledgers_own_alias_sheet_is_used(tmp_path):
    ledger = scan_ledger(tmp_path)
    wb = openpyxl.load_workbook(ledger)
    ws = wb.create_sheet("别名表")
    ws.append(["名称", "产品", "软件类型"])
    ws.append(
        ["Foo 绘图", "搜狗输入法", "免费软件"]
    )  # a unit says Foo is its registered 搜狗输入法 (a contrived override)
    wb.save(ledger)
    rec = run(tmp_path, [*windows_rows(), row("Foo 绘图工具 3.2")], ledger)
    assert codes(rec) == [] and rec.unknown == []


def test_ledger_without_computers_or_unreadable_is_an_error(tmp_path):
    with pytest.raises(ReconcileError, match="没有计算机"):
        run(tmp_path, ledger=scan_ledger(tmp_path, details=[], computers=None))
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(ReconcileError, match="无法读取"):
        run(tmp_path, ledger=bad)


def test_without_a_computer_list_the_detail_numbers_are_matched(tmp_path):
    rec = run(tmp_path, host="PC-001", ledger=scan_ledger(tmp_path, computers=None))
    assert codes(rec) == [] and rec.computers[0].computer == "PC-001"


def test_software_table_counts_computers_and_licences(tmp_path):
    rec = run(tmp_path, [*windows_rows(), row(SOGOU.replace("13.4.0", "16.6.0"), "16.6")])
    sogou = next(s for s in rec.software if s.product == "搜狗输入法")
    assert sogou.computers == 1 and sogou.numbers == ["MF-001"] and sogou.registered == "附件7、附件6"
    office_ = next(s for s in rec.software if s.product == "Microsoft Office")
    assert office_.licences == 10 and office_.kind == "商业软件"
