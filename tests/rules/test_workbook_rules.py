"""S1–S5: forms present, columns present, required cells filled, values readable and allowed (docs/rules.md)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from tests.helpers.factory import default_data, install, office, sevenzip, windows

D1 = dt.date(2024, 3, 1)
S7, S8, CL, S6 = "附件7 汇总表", "附件8 明细表", "计算机清单", "附件6 免费软件清单"
L1 = "附件9 SY-001"


def edit(path, edits):
    """Overwrite cells of a written ledger: ``[(sheet, "B7", value), ...]``."""
    wb = openpyxl.load_workbook(path)
    for sheet, cell, value in edits:
        wb[sheet][cell] = value
    wb.save(path)
    return path


def s_only(report, keys=("rule", "sheet", "cell")):
    """The workbook findings (other rules may follow from the same broken cell; they are tested elsewhere)."""
    return [f for f in report.flatten(keys) if f[0].startswith("S")]


def summary(*rows):
    return list(rows) + [windows(), sevenzip()]


def test_factory_ledgers_are_clean(make_ledger, check_one):
    for kw in ({}, {"variant": True}, {"combined_log": True}):
        assert check_one(make_ledger(name=f"{len(kw)}{'v' if kw.get('variant') else ''}.xlsx", **kw)).flatten() == []


# --- S1 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["附件6", "附件7", "附件8", "附件9"])
def test_s1_required_form_missing(make_ledger, check_one, form):
    report = check_one(make_ledger(omit=(form,)))
    assert s_only(report) == [["S1", None, None]]


def test_s1_optional_forms_may_be_missing(make_ledger, check_one):
    assert check_one(make_ledger(omit=("计算机清单",))).flatten() == []


def test_s1_title_too_low_is_missing(make_ledger, check_one):
    path = make_ledger()
    wb = openpyxl.load_workbook(path)
    wb["附件6 免费软件清单"].insert_rows(1, 5)
    wb.save(path)
    assert s_only(check_one(path)) == [["S1", None, None]]


def test_s1_message_names_the_form(make_ledger, check_one):
    report = check_one(make_ledger(omit=("附件8",)))
    msg = next(f.message for f in report.findings if f.rule == "S1")
    assert "软件使用情况明细表" in msg and "附件8" in msg


# --- S2 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sheet", "cell", "header", "column"),
    [
        (S7, "N5", "许可证", "序列号"),
        (S7, "B5", "代码", "软件编号"),
        (S7, "I5", "价钱", "采购金额"),
        (S8, "D3", "主机", "计算机编号"),
        (S8, "C3", "人", "姓名"),
        (L1, "I5", "时间", "安装/卸载日期"),
        (L1, "D5", "主机", "计算机编号"),
        (CL, "H3", "情况", "状态"),
        (S6, "C3", "软件", "软件名称"),
    ],
)
def test_s2_required_column_missing(make_ledger, check_one, sheet, cell, header, column):
    report = check_one(edit(make_ledger(), [(sheet, cell, header)]))
    header_row = {S7: 5, S8: 3, L1: 5, CL: 3, S6: 3}[sheet]
    assert s_only(report) == [["S2", sheet, f"A{header_row}"]]
    assert f"“{column}”" in next(f.message for f in report.findings if f.rule == "S2")


def test_s2_tick_group_missing(make_ledger, check_one):
    report = check_one(edit(make_ledger(), [(L1, "B5", "动作"), (L1, "B6", None), (L1, "C6", None)]))
    assert s_only(report) == [["S2", L1, "A5"]]


def test_s2_without_seq_column_points_at_the_header_row(make_ledger, check_one):
    report = check_one(make_ledger(drop_summary=("seq", "serial")))
    assert s_only(report) == [["S2", S7, "A5"]]


def test_s2_optional_columns_may_be_missing(make_ledger, check_one):
    assert check_one(make_ledger(drop_summary=("category", "remark"))).flatten() == []


def test_s2_aliases_are_not_missing(make_ledger, check_one):
    path = edit(
        make_ledger(),
        [(S7, "N5", "序列号/许可证号"), (S8, "D3", "资产编号"), (L1, "I5", "操作日期"), (CL, "H3", "使用状态")],
    )
    assert check_one(path).flatten() == []


# --- S3 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "cell"),
    [
        (dict(software_no=None), "B6"),
        (dict(name="--"), "C6"),
        (dict(sw_type=None), "E6"),
        (dict(version=None, usable_version=None), "D6"),
        (dict(purchase_date=None), "H6"),  # purchased commercial row: 采购时间 required
        (dict(purchase_date="--", acquisition=None), "H6"),  # blank 获取方式 means 采购
        (dict(amount="—"), "I6"),
        (dict(license_type=None), "J6"),
        (dict(license_count=None), "K6"),  # blank only with 场地许可
        (dict(term="/"), "M6"),
    ],
)
def test_s3_summary(make_ledger, check_one, changes, cell):
    report = check_one(make_ledger(summary=summary(office(**changes))))
    assert [f for f in s_only(report) if f[2] == cell] == [["S3", S7, cell]]


@pytest.mark.parametrize(
    "changes",
    [
        dict(purchase_date=None, amount=None, acquisition="受赠"),  # not purchased: no 采购时间/金额
        dict(purchase_date="--", amount="--", acquisition="调剂"),
        dict(license_count=None, license_type="场地许可"),
        dict(license_count="不限", license_type="场地许可"),
        dict(license_count="--", license_type="场地授权"),
    ],
)
def test_s3_near_misses(make_ledger, check_one, changes):
    assert check_one(make_ledger(summary=summary(office(**changes)))).flatten() == []


def test_s3_oem_and_free_rows_need_no_purchase_fields(make_ledger, check_one):
    # the factory's OEM and free rows hold "--" in every identity field
    assert check_one(make_ledger()).flatten() == []


def test_s3_message_says_when(make_ledger, check_one):
    report = check_one(make_ledger(summary=summary(office(purchase_date=None))))
    msg = next(f.message for f in report.findings if f.rule == "S3")
    assert "采购时间" in msg and "商业软件" in msg


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        ([(S8, "F9", None)], [["S3", S8, "F9"]]),  # 软件名称 without 软件编号
        ([(S8, "C8", None)], [["S3", S8, "C8"], ["S3", S8, "C9"]]),  # a blank merged 姓名 is blank on both rows
        ([(L1, "I7", None)], [["S3", L1, "I7"]]),
        ([(L1, "D8", "--")], [["S3", L1, "D8"]]),
        ([(CL, "C4", None)], [["S3", CL, "C4"]]),
        ([(CL, "H5", "—")], [["S3", CL, "H5"]]),
        ([(S6, "C4", "无")], [["S3", S6, "C4"]]),
        ([(L1, "A4", None)], [["S3", L1, "A4"]]),  # the info block's 软件编号
    ],
)
def test_s3_other_forms(make_ledger, check_one, edits, expected):
    assert s_only(check_one(edit(make_ledger(), edits))) == expected


def test_s3_computer_with_no_software_is_not_blank(make_ledger, check_one):
    data = default_data()
    details = data["details"] + [dict(dept="办公室", person="王五", computer="PC-003", brand="联想")]
    report = check_one(make_ledger(details=details))
    assert s_only(report) == []


def test_s3_combined_log_number(make_ledger, check_one):
    report = check_one(edit(make_ledger(combined_log=True), [("安装维护记录", "B5", "--")]))
    assert s_only(report) == [["S3", "安装维护记录", "B5"]]


# --- S4 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "cell"),
    [
        (dict(purchase_date="2023-13-45"), "H6"),
        (dict(purchase_date="去年"), "H6"),
        (dict(purchase_date="2023年13月"), "H6"),
        (dict(purchase_date="0023年"), "H6"),
        (dict(amount="一万"), "I6"),
        (dict(amount=-5), "I6"),
        (dict(license_count="十个"), "K6"),
        (dict(license_count=10.5), "K6"),
        (dict(license_count="不限"), "K6"),  # 不限 only with 场地许可
        (dict(installed="两台"), "O6"),
        (dict(term="很久"), "M6"),
        (dict(term="2026-12-31至2024-01-01"), "M6"),
        (dict(term="3年", purchase_date=None, amount=None, acquisition="受赠"), "M6"),  # N年 needs 采购时间
    ],
)
def test_s4_summary(make_ledger, check_one, changes, cell):
    report = check_one(make_ledger(summary=summary(office(**changes))))
    assert [f for f in s_only(report) if f[0] == "S4"] == [["S4", S7, cell]]


@pytest.mark.parametrize("when", ["2023", 2023, "2023年", "2023.5", "2023年5月", "2023-05"])
def test_a_purchase_known_to_the_year_or_month_is_a_date(make_ledger, check_one, when):
    report = check_one(make_ledger(summary=summary(office(purchase_date=when))))
    assert not [f for f in s_only(report) if f[0] == "S4"]


@pytest.mark.parametrize(
    "changes",
    [
        dict(purchase_date="2023年5月6日", amount="12,800.00"),
        dict(purchase_date="2023.5.6", amount="1.28万"),
        dict(purchase_date="2023/5/6", amount="￥12800"),
        dict(purchase_date="20230506"),
        dict(purchase_date=45052),
        dict(license_count="10套", installed="２"),
        dict(term="2027-12-31"),
        dict(term="2024-01-01至2099-12-31"),
        dict(term="2024.1.1-2099.12.31"),
        dict(term="50年"),
    ],
)
def test_s4_near_misses(make_ledger, check_one, changes):
    assert check_one(make_ledger(summary=summary(office(**changes)))).flatten() == []


def test_s4_messages(make_ledger, check_one):
    report = check_one(make_ledger(summary=summary(office(term="很久", license_count="不限"))))
    msgs = {f.cell: f.message for f in report.findings if f.rule == "S4"}
    assert "永久" in msgs["M6"] and "3年" in msgs["M6"]
    assert "场地许可" in msgs["K6"]


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        ([(L1, "I7", "昨天")], [["S4", L1, "I7"]]),
        ([(L1, "J7", "一")], [["S4", L1, "J7"]]),
        ([(S8, "M5", "hello")], [["S4", S8, "M5"]]),
        ([(CL, "I4", "2020-02-30")], [["S4", CL, "I4"]]),
    ],
)
def test_s4_other_forms(make_ledger, check_one, edits, expected):
    assert s_only(check_one(edit(make_ledger(), edits))) == expected


def test_s4_text_dates_in_logs_are_fine(make_ledger, check_one):
    path = edit(make_ledger(), [(L1, "I7", "2024年3月1日"), (L1, "I8", "2024.3.1")])
    assert check_one(path).flatten() == []


# --- S5 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code", "cell"),
    [
        (dict(sw_type="盗版软件"), "S5", "E6"),
        # columns no check depends on: one warning per distinct value (S5W), not an error
        (dict(license_type="随便许可"), "S5W", "J6"),
        (dict(acquisition="借用"), "S5W", "G6"),
        (dict(category="游戏"), "S5W", "F6"),
    ],
)
def test_s5_summary(make_ledger, check_one, changes, code, cell):
    report = check_one(make_ledger(summary=summary(office(**changes))))
    assert [f for f in s_only(report) if f[0] in ("S5", "S5W")] == [[code, S7, cell]]


def test_s5_aliases_are_allowed(make_ledger, check_one):
    rows = [
        office(sw_type="商业", license_type="批量授权", acquisition="购买"),
        windows(sw_type="随机预装软件"),
        sevenzip(sw_type="免费"),
    ]
    assert check_one(make_ledger(summary=rows)).flatten() == []


def test_s5_message_lists_allowed_values(make_ledger, check_one):
    report = check_one(make_ledger(summary=summary(office(sw_type="盗版软件"))))
    msg = next(f.message for f in report.findings if f.rule == "S5")
    assert "盗版软件" in msg and "商业软件、OEM软件、免费软件" in msg


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        ([(CL, "C4", "平板")], [["S5", CL, "C4"]]),
        ([(CL, "H5", "丢失")], [["S5", CL, "H5"]]),
        ([(L1, "B7", None)], [["S5", L1, "B7"]]),  # no tick
        ([(L1, "C7", "√")], [["S5", L1, "B7"]]),  # two ticks
        ([(S8, "K5", "✓")], [["S5", S8, "J5"]]),  # two 软件类型 ticks on 附件8
    ],
)
def test_s5_other_forms(make_ledger, check_one, edits, expected):
    assert s_only(check_one(edit(make_ledger(), edits))) == expected


@pytest.mark.parametrize(
    "edits",
    [
        [(CL, "C4", "台式电脑")],
        [(L1, "B7", "✓")],
        [(L1, "B7", "是"), (L1, "C7", "否")],
        [(S8, "J5", 1)],
    ],
)
def test_s5_near_misses(make_ledger, check_one, edits):
    assert check_one(edit(make_ledger(), edits)).flatten() == []


def test_s5_two_ticks_message(make_ledger, check_one):
    report = check_one(edit(make_ledger(), [(L1, "C7", "√")]))
    msg = next(f.message for f in report.findings if f.rule == "S5")
    assert "安装+卸载" in msg


def _upgrade_messages(report):
    return [(f.sheet, f.cell, f.message) for f in report.findings if f.rule == "S5"]


def test_s5_upgrade_as_text_operation(make_ledger, check_one):
    logs = dict(default_data()["logs"])
    logs["SY-001"] = [
        install("PC-001", D1, version="2019"),
        install("PC-002", D1, user="李四", version="2019", op="升级"),
    ]
    report = check_one(make_ledger(variant=True, logs=logs))
    [(sheet, cell, msg)] = _upgrade_messages(report)
    assert (sheet, cell) == ("SY-001安装记录", "B7")
    assert "升级" in msg and "卸载" in msg and "安装" in msg


def test_s5_upgrade_written_in_a_tick_cell(make_ledger, check_one):
    report = check_one(edit(make_ledger(), [(L1, "B8", "升级")]))
    [(sheet, cell, msg)] = _upgrade_messages(report)
    assert (sheet, cell) == (L1, "B8")
    assert "升级" in msg and "卸载" in msg and "安装" in msg


def test_s5_upgrade_ticked_in_its_own_sub_column(make_ledger, check_one):
    path = make_ledger()
    wb = openpyxl.load_workbook(path)
    ws = wb[L1]
    for rng in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(rng))
    ws.insert_cols(4)  # 操作类型 | 安装 | 卸载 | 升级
    ws["D6"] = "升级"
    ws["B8"], ws["D8"] = None, "√"
    ws.merge_cells("B5:D5")
    wb.save(path)
    report = check_one(path)
    [(sheet, cell, msg)] = _upgrade_messages(report)
    assert (sheet, cell) == (L1, "B8")
    assert "升级" in msg and "在新编号的表中登记安装" in msg


def test_s5_text_operation_near_miss(make_ledger, check_one):
    logs = dict(default_data()["logs"])
    logs["SY-001"] = [
        install("PC-001", D1, version="2019"),
        install("PC-002", D1, user="李四", version="2019", op="新装"),
    ]
    assert check_one(make_ledger(variant=True, logs=logs)).flatten() == []


# --- several at once -------------------------------------------------------------------------


def test_findings_in_row_order(make_ledger, check_one):
    rows = [office(sw_type="盗版软件", purchase_date="去年"), windows(software_no=None), sevenzip()]
    report = check_one(make_ledger(summary=rows))
    assert [f for f in s_only(report) if f[1] == S7] == [["S4", S7, "H6"], ["S5", S7, "E6"], ["S3", S7, "B7"]]
