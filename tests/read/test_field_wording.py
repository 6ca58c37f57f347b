"""Ledgers as units word and lay them out: notes and sign-off rows, words in tick columns, bare
numbers of years, local header words, local closed-list values (shared table, 字典 sheet or file)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from tests.helpers.factory import make_ledger, office, sevenzip, windows
from toolkit.checking import check_file
from toolkit.normalize import Term, to_term
from toolkit.read.reader import read_ledger

AS_OF = dt.date(2026, 6, 30)
SUMMARY, DETAIL, LOG = "附件7 汇总表", "附件8 明细表", "附件9 SY-001"


def edit(path: Path, fn) -> Path:
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(path)
    return path


def codes(path: Path) -> list[str]:
    return check_file(path, AS_OF).codes()


# --- notes and sign-off rows -----------------------------------------------------------------


def _notes_below(ws, merged: bool) -> None:
    width = ws.max_column
    ws.append([])
    ws.append(["注：1. 本表每半年更新一次；2. 软件编号按台账管理规定编制。"] + ([None] * (width - 1) if merged else []))
    if merged:
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    ws.append(["单位负责人：刘一", None, None, "审核人：陈二", None, None, "填表人：孙七"])


def test_merged_notes_and_sign_off_rows_below_a_table_are_not_data(tmp_path):
    path = make_ledger(tmp_path)
    assert codes(path) == []
    edit(path, lambda wb: [_notes_below(wb[s], merged=True) for s in (SUMMARY, DETAIL, LOG)])
    ledger = read_ledger(path)
    assert len(ledger.summary) == 3 and len(ledger.details) == 5
    assert codes(path) == []


def test_an_unmerged_sign_off_row_is_not_data_either(tmp_path):
    path = edit(make_ledger(tmp_path), lambda wb: [_notes_below(wb[s], merged=False) for s in (SUMMARY, DETAIL)])
    assert len(read_ledger(path).details) == 5
    assert codes(path) == []


def test_a_name_that_starts_like_a_note_is_data(tmp_path):
    path = make_ledger(tmp_path, whitelist=[dict(software_no="MF-001", name="7-Zip"), dict(name="注册表清理工具")])
    names = [w.raw.get("name") for w in read_ledger(path).whitelist]
    assert names == ["7-Zip", "注册表清理工具"]  # and TZ1.12W says it is not on 附件7, as for any entry
    assert "TZ1.12W" in codes(path)


# --- tick columns and 许可期限 ----------------------------------------------------------------


def test_words_in_tick_columns_read_as_ticks(tmp_path):
    def words(wb):
        ws = wb[LOG]
        ws["B7"], ws["B8"] = "安装", "是"  # the column's own word, and 是
        det = wb[DETAIL]
        det["J5"] = "商业软件"

    path = edit(make_ledger(tmp_path), words)
    ledger = read_ledger(path)
    log = next(lg for lg in ledger.logs if lg.software_no == "SY-001")
    assert [e.op for e in log.entries] == ["安装", "安装"]
    assert ledger.details[0].val["sw_type"] == "商业软件"
    assert codes(path) == []


def test_a_word_under_the_other_tick_column_is_no_tick(tmp_path):
    path = edit(make_ledger(tmp_path), lambda wb: wb[LOG].__setitem__("B7", "卸载"))  # 卸载 written under 安装
    report = check_file(path, AS_OF)
    assert [(f.rule, f.sheet, f.cell) for f in report.findings if f.rule == "S5"] == [("S5", LOG, "B7")]


def test_a_bare_number_of_years_is_a_term():
    assert to_term(3) == to_term("3") == to_term("3年") == Term(years=3)
    assert to_term(46022) == Term(end=dt.date(2025, 12, 31))  # a date serial stays a date
    assert to_term(0) is None


def test_a_bare_number_in_the_term_column_counts_years_from_purchase(tmp_path):
    row = office(term=3, purchase_date=dt.date(2022, 1, 1))  # ended 2024-12-31, still installed
    report = check_file(make_ledger(tmp_path, summary=[row, windows(), sevenzip()]), AS_OF)
    assert [(f.rule, f.cell) for f in report.findings] == [("PZ1.1E", "M6")]
    assert "2024-12-31" in report.findings[0].message


# --- header words ----------------------------------------------------------------------------


def test_local_header_words_are_recognised(tmp_path):
    def rename(wb):
        det = wb[DETAIL]
        det["B3"], det["D3"], det["F3"], det["I3"] = "科室", "计算机编码", "软件编码", "到期时间"
        ws = wb[SUMMARY]
        ws["B5"], ws["J5"], ws["K5"], ws["M5"] = "软件编码", "授权方式", "授权数", "有效期至"
        wb[LOG]["F5"] = "责任人"

    path = edit(make_ledger(tmp_path), rename)
    ledger = read_ledger(path)
    assert all(not f.missing for f in ledger.forms)
    assert ledger.form("附件8").has("dept") and ledger.form("附件7").has("license_type")
    assert codes(path) == []


# --- closed-list wording ---------------------------------------------------------------------


def test_shared_table_maps_local_values(tmp_path):
    rows = [
        office(category="专业软件"),
        windows(license_type="OEM预装", license_count="随机"),
        sevenzip(category="通讯软件"),
    ]
    path = make_ledger(tmp_path, summary=rows)
    ledger = read_ledger(path)
    assert [s.val.get("category") for s in ledger.summary] == ["业务软件", "操作系统", "工具软件"]
    assert ledger.summary[1].raw.get("license_type") is None  # not applicable: reads as blank
    assert codes(path) == []


def test_random_as_licence_count_is_blank_so_a_commercial_row_still_needs_one(tmp_path):
    report = check_file(make_ledger(tmp_path, summary=[office(license_count="随机"), windows(), sevenzip()]), AS_OF)
    assert [(f.rule, f.cell) for f in report.findings] == [("S3", "K6")]


def test_an_unknown_value_is_one_warning_per_distinct_value_with_its_cells(tmp_path):
    rows = [office(category="游戏"), windows(category="游戏"), sevenzip(category="动漫")]
    report = check_file(make_ledger(tmp_path, summary=rows), AS_OF)
    found = [(f.rule, f.severity, f.cell) for f in report.findings]
    assert found == [("S5W", "warning", "F6"), ("S5W", "warning", "F8")]
    first = report.findings[0].message
    assert "共 2 处" in first and "F6、F7" in first and "办公软件" in first and "字典" in first
    assert report.valid


def test_a_key_column_keeps_its_error_per_cell(tmp_path):
    report = check_file(make_ledger(tmp_path, summary=[office(sw_type="共享软件"), windows(), sevenzip()]), AS_OF)
    assert ("S5", "E6") in [(f.rule, f.cell) for f in report.findings]
    assert "S5W" not in report.codes()


def _dictionary(ws) -> None:
    ws.append(["本单位用语", "标准用语", "适用列"])
    ws.append(["游戏", "其他", "软件类别"])
    ws.append(["赠品", "", "许可类型"])


def test_a_dictionary_sheet_maps_the_units_words(tmp_path):
    rows = [office(category="游戏"), windows(), sevenzip()]
    path = make_ledger(tmp_path, summary=rows)
    assert codes(path) == ["S5W"]
    edit(path, lambda wb: _dictionary(wb.create_sheet("字典")))
    ledger = read_ledger(path)
    assert ledger.summary[0].val.get("category") == "其他"
    assert all(f.sheet != "字典" for f in ledger.forms)
    assert codes(path) == []


def test_a_dictionary_file_beside_the_ledger_maps_them_too(tmp_path):
    path = make_ledger(tmp_path, summary=[office(category="游戏"), windows(license_type="赠品"), sevenzip()])
    assert sorted(codes(path)) == ["S5W", "S5W", "TZ1.6"]
    wb = openpyxl.Workbook()
    _dictionary(wb.active)
    wb.save(tmp_path / "字典.xlsx")
    assert codes(path) == []


def test_a_remark_naming_a_contact_on_the_last_row_is_data(tmp_path):
    from tests.helpers.factory import default_data

    details = default_data()["details"]
    details[-1] = {**details[-1], "remark": "联系人：李四"}
    path = make_ledger(tmp_path, details=details)
    assert len(read_ledger(path).details) == 5
    assert codes(path) == []
