"""A form not kept is one finding, then every check the other forms allow; a missing header, a blank
key cell or an absent form never cascades into findings that only restate it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from tests.helpers.factory import make_ledger, office, sevenzip, windows
from toolkit.checking import check_file

AS_OF = dt.date(2026, 6, 30)
SUMMARY, DETAIL, LOG = "附件7 汇总表", "附件8 明细表", "附件9 SY-001"


def found(path: Path) -> list[tuple]:
    return [(f.rule, f.sheet, f.cell) for f in check_file(path, AS_OF).findings]


def edit(path: Path, fn) -> Path:
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(path)
    return path


# --- a ledger without 附件9 -------------------------------------------------------------------


def test_no_log_is_one_workbook_finding_and_no_flood(tmp_path):
    report = check_file(make_ledger(tmp_path, omit=("附件9",)), AS_OF)
    assert [(f.rule, f.sheet, f.cell, f.values["form"]) for f in report.findings] == [("S1", None, None, "附件9")]


def test_no_log_checks_installed_counts_against_the_detail(tmp_path):
    path = make_ledger(tmp_path, omit=("附件9",), summary=[office(installed=3), windows(), sevenzip()])
    report = check_file(path, AS_OF)
    assert [(f.rule, f.cell) for f in report.findings] == [("TZ1.13", "O6"), ("S1", None)]
    assert "按附件8 中装有该软件的计算机数 应为 2" in report.findings[0].message
    assert "zbtz rollup" not in report.findings[0].message


def test_no_log_checks_licences_and_expiry_from_the_detail(tmp_path):
    row = office(license_count=1, term="2025-12-31")
    report = check_file(make_ledger(tmp_path, omit=("附件9",), summary=[row, windows(), sevenzip()]), AS_OF)
    assert [(f.rule, f.cell) for f in report.findings] == [("PZ1.1", "K6"), ("PZ1.1E", "M6"), ("S1", None)]


def test_no_log_checks_the_staff_count_from_the_detail(tmp_path):
    counts = dict(total_staff=3, staff_using=5, servers=0, desktops=2, laptops=0)
    assert ("TZ1.1", SUMMARY, "E3") in found(make_ledger(tmp_path, omit=("附件9",), counts=counts))


def test_a_log_kept_for_some_numbers_still_owes_the_others(tmp_path):
    from tests.helpers.factory import default_data

    logs = {k: v for k, v in default_data()["logs"].items() if k != "MF-001"}
    assert [r for r, *_ in found(make_ledger(tmp_path, logs=logs))] == ["TZ2.2", "TZ3.3"]  # one number, no flood


def test_no_whitelist_is_one_workbook_finding(tmp_path):
    assert found(make_ledger(tmp_path, omit=("附件6",))) == [("S1", None, None)]


# --- cascades --------------------------------------------------------------------------------


def test_a_renamed_name_header_is_s2_and_no_log_comparison(tmp_path):
    path = edit(make_ledger(tmp_path), lambda wb: wb[SUMMARY].__setitem__("C5", "产品"))
    assert [r for r, *_ in found(path)] == ["S2"]


def test_a_blank_name_is_s3_and_no_log_comparison(tmp_path):
    path = make_ledger(tmp_path, summary=[office(name=None), windows(), sevenzip()])
    assert found(path) == [("S3", SUMMARY, "C6")]


def test_a_different_name_in_the_log_is_still_tz32(tmp_path):
    path = make_ledger(tmp_path, info={"SY-001": {"name": "WPS Office"}})
    assert [r for r, *_ in found(path)] == ["TZ3.2"]


def test_a_missing_number_header_on_the_detail_is_s2_only(tmp_path):
    path = edit(make_ledger(tmp_path), lambda wb: wb[DETAIL].__setitem__("F3", "代码"))
    assert [r for r, *_ in found(path)] == ["S2"]


def test_a_missing_number_header_on_the_summary_is_s2_only(tmp_path):
    path = edit(make_ledger(tmp_path), lambda wb: wb[SUMMARY].__setitem__("B5", "代码"))
    assert [r for r, *_ in found(path)] == ["S2"]


def test_a_blank_number_on_the_summary_does_not_call_its_uses_unregistered(tmp_path):
    path = make_ledger(tmp_path, summary=[office(software_no=None), windows(), sevenzip()])
    assert found(path) == [("S3", SUMMARY, "B6")]


def test_an_unreadable_log_row_does_not_make_the_detail_wrong(tmp_path):
    path = edit(make_ledger(tmp_path), lambda wb: wb[LOG].__setitem__("I8", "去年"))
    assert found(path) == [("S4", LOG, "I8")]


def test_a_blank_computer_on_the_detail_is_s3_only(tmp_path):
    from tests.helpers.factory import default_data

    details = default_data()["details"]
    details[3] = {**details[3], "computer": None}
    path = make_ledger(tmp_path, details=details, merge_detail=False)
    assert [r for r, *_ in found(path)] == ["S3"]
