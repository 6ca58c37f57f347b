"""Numbering rules on 附件7 (docs/rules.md, TZ1.0 and TZ1.2–TZ1.9; guide 台账管理规定 一.2–9).

Each rule has a test that triggers it (exact code, sheet and cell) and a near miss that must
stay clean. Extra 附件7 rows carry 安装数量 0 so that only the numbering rule under test fires.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers.factory import install, office, sevenzip, windows

S7 = "附件7 汇总表"
NA = "--"


def found(report) -> list[list]:
    return report.flatten(["rule", "sheet", "cell"])


# --- TZ1.0 ---------------------------------------------------------------------------------


def test_tz1_0_one_number_for_two_software_types(make_ledger, check_one):
    path = make_ledger(summary=[office(), windows(), sevenzip(), windows("SY-001", installed=0)])
    assert found(check_one(path)) == [["TZ1.0", S7, "E9"]]


def test_tz1_0_message_names_both_types_and_first_row(make_ledger, check_one):
    path = make_ledger(summary=[office(), windows(), sevenzip(), windows("SY-001", installed=0)])
    (finding,) = check_one(path).findings
    assert finding.severity == "error"
    assert "商业软件" in finding.message and "OEM软件" in finding.message and "E6" in finding.message


def test_tz1_0_type_alias_is_the_same_type(make_ledger, check_one):
    # 随机预装软件 is an alias of OEM软件: same number, same type, nothing to report
    path = make_ledger(
        summary=[office(), windows(), sevenzip(), windows("OEM-001", sw_type="随机预装软件", installed=0)]
    )
    assert found(check_one(path)) == []


# --- TZ1.2 ---------------------------------------------------------------------------------


def test_tz1_2_commercial_version_differs_under_one_number(make_ledger, check_one):
    path = make_ledger(
        summary=[office(), windows(), sevenzip(), office(version="2021", usable_version="2021", installed=0)]
    )
    assert found(check_one(path)) == [["TZ1.2", S7, "D9"]]


def test_tz1_2_commercial_name_differs_under_one_number(make_ledger, check_one):
    path = make_ledger(summary=[office(), windows(), sevenzip(), office(name="WPS Office", installed=0)])
    report = check_one(path)
    assert found(report) == [["TZ1.2", S7, "C9"]]
    assert "C6" in report.findings[0].message  # the first row's address


def test_tz1_2_new_version_under_its_own_number_is_clean(make_ledger, check_one):
    path = make_ledger(
        summary=[office(), windows(), sevenzip(), office("SY-002", version="2021", usable_version="2021", installed=0)]
    )
    assert found(check_one(path)) == []


def test_tz1_2_name_compared_after_normalisation(make_ledger, check_one):
    # full-width letters, case and inner white space do not make another software
    path = make_ledger(
        summary=[office(), windows(), sevenzip(), office(name="ＭＩＣＲＯＳＯＦＴ  office 专业增强版", installed=0)]
    )
    assert "TZ1.2" not in check_one(path).codes()


# --- TZ1.3 / TZ1.3D ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "cell"),
    [
        (dict(purchase_date=dt.date(2024, 9, 1)), "H9"),
        (dict(amount=6400), "I9"),
        (dict(license_type="单机许可"), "J9"),
        (dict(license_count=5), "K9"),
        (dict(usable_version="2016-2019"), "L9"),
        (dict(term="2027-12-31"), "M9"),
        (dict(serial="WXYZ-9999"), "N9"),
    ],
)
def test_tz1_3_second_lot_under_the_same_number(make_ledger, check_one, change, cell):
    path = make_ledger(summary=[office(), windows(), sevenzip(), office(installed=0, **change)])
    assert found(check_one(path)) == [["TZ1.3", S7, cell]]


def test_tz1_3_second_lot_under_its_own_number_is_clean(make_ledger, check_one):
    lot2 = office(
        "SY-002", purchase_date=dt.date(2024, 9, 1), amount=6400, license_count=5, serial="WXYZ-9999", installed=0
    )
    path = make_ledger(summary=[office(), windows(), sevenzip(), lot2])
    assert found(check_one(path)) == []


def test_tz1_3_same_value_written_differently_is_not_a_new_lot(make_ledger, check_one):
    # 12800 and "12,800.00", a date and its text, 批量授权 and 批量许可 are the same values
    same = office(
        amount="12,800.00", purchase_date="2023年5月6日", license_type="批量授权", serial="abcd-1234", installed=0
    )
    report = check_one(make_ledger(summary=[office(), windows(), sevenzip(), same]))
    assert "TZ1.3" not in report.codes()
    assert found(report) == [["TZ1.3D", S7, "B9"]]


def test_tz1_3d_identical_rows_are_a_duplicate_registration(make_ledger, check_one):
    report = check_one(make_ledger(summary=[office(), windows(), sevenzip(), office(installed=0)]))
    assert found(report) == [["TZ1.3D", S7, "B9"]]
    assert report.findings[0].severity == "warning"
    assert report.valid  # a warning only


def test_tz1_3d_not_reported_when_a_field_differs(make_ledger, check_one):
    report = check_one(make_ledger(summary=[office(), windows(), sevenzip(), office(serial="OTHER", installed=0)]))
    assert "TZ1.3D" not in report.codes()


def test_tz1_3d_rows_with_different_remarks_are_still_a_duplicate(make_ledger, check_one):
    # 备注 and 安装数量 are not what makes a lot; 序号 neither
    report = check_one(make_ledger(summary=[office(), windows(), sevenzip(), office(installed=0, remark="重复")]))
    assert found(report) == [["TZ1.3D", S7, "B9"]]


# --- TZ1.4 ---------------------------------------------------------------------------------


def test_tz1_4_donated_with_purchase_date_and_amount(make_ledger, check_one):
    gift = office("SY-002", acquisition="受赠", installed=0)
    assert found(check_one(make_ledger(summary=[office(), windows(), sevenzip(), gift]))) == [
        ["TZ1.4", S7, "H9"],
        ["TZ1.4", S7, "I9"],
    ]


def test_tz1_4_transferred_with_amount_only(make_ledger, check_one):
    moved = office("SY-002", acquisition="调剂", purchase_date=NA, installed=0)
    assert found(check_one(make_ledger(summary=[office(), windows(), sevenzip(), moved]))) == [["TZ1.4", S7, "I9"]]


def test_tz1_4_donated_with_blank_purchase_is_clean(make_ledger, check_one):
    gift = office("SY-002", acquisition="受赠", purchase_date=NA, amount=None, installed=0)
    assert found(check_one(make_ledger(summary=[office(), windows(), sevenzip(), gift]))) == []


def test_tz1_4_purchased_without_purchase_date_is_s3_not_tz1_4(make_ledger, check_one):
    bought = office("SY-002", purchase_date=NA, installed=0)
    assert found(check_one(make_ledger(summary=[office(), windows(), sevenzip(), bought]))) == [["S3", S7, "H9"]]


def test_tz1_4_skipped_without_acquisition_column(make_ledger, check_one):
    report = check_one(make_ledger(drop_summary=("acquisition",)))
    assert found(report) == []
    assert [s.rule for s in report.skipped] == ["TZ1.4"]


# --- TZ1.5 / TZ1.6 -------------------------------------------------------------------------


def test_tz1_5_oem_version_differs_under_one_number(make_ledger, check_one):
    path = make_ledger(
        summary=[office(), windows(), sevenzip(), windows(version="11", name="Windows 11 专业版", installed=0)]
    )
    assert found(check_one(path)) == [["TZ1.5", S7, "C9"]]


def test_tz1_5_oem_new_version_under_its_own_number_is_clean(make_ledger, check_one):
    path = make_ledger(summary=[office(), windows(), sevenzip(), windows("OEM-002", version="11", installed=0)])
    assert found(check_one(path)) == []


@pytest.mark.parametrize(
    ("change", "cell"),
    [
        (dict(purchase_date=dt.date(2023, 1, 1)), "H7"),
        (dict(amount=0), "I7"),
        (dict(license_type="单机许可"), "J7"),
        (dict(license_count=1), "K7"),
        (dict(term="永久"), "M7"),
        (dict(serial="OEM-KEY"), "N7"),
    ],
)
def test_tz1_6_oem_row_with_licence_data(make_ledger, check_one, change, cell):
    path = make_ledger(summary=[office(), windows(**change), sevenzip()])
    assert found(check_one(path)) == [["TZ1.6", S7, cell]]


@pytest.mark.parametrize("blank", [None, "--", "—", "/", "无", "　"])
def test_tz1_6_oem_row_with_blank_markers_is_clean(make_ledger, check_one, blank):
    keys = ("purchase_date", "amount", "license_type", "license_count", "usable_version", "term", "serial")
    path = make_ledger(summary=[office(), windows(**dict.fromkeys(keys, blank)), sevenzip()])
    assert found(check_one(path)) == []


# --- TZ1.7 / TZ1.8 / TZ1.9 -----------------------------------------------------------------


def test_tz1_7_two_free_names_under_one_number(make_ledger, check_one):
    path = make_ledger(summary=[office(), windows(), sevenzip(), sevenzip(name="WinRAR", installed=0)])
    assert found(check_one(path)) == [["TZ1.7", S7, "C9"]]


def test_tz1_8_one_free_name_under_two_numbers(make_ledger, check_one):
    report = check_one(make_ledger(summary=[office(), windows(), sevenzip(), sevenzip("MF-002", installed=0)]))
    # 附件6 lists 7-Zip as MF-001: MF-002 is not on it either (matched by number, docs/rules.md)
    assert found(report) == [["TZ1.8", S7, "B9"], ["TZ1.12", S7, "C9"]]
    assert "B8" in report.findings[0].message and "MF-001" in report.findings[0].message


def test_tz1_8_alone_when_the_whitelist_names_the_software_without_number(make_ledger, check_one):
    path = make_ledger(
        summary=[office(), windows(), sevenzip(), sevenzip("MF-002", installed=0)], whitelist=[dict(name="7-Zip")]
    )
    assert found(check_one(path)) == [["TZ1.8", S7, "B9"]]


def test_tz1_8_name_compared_after_normalisation(make_ledger, check_one):
    path = make_ledger(
        summary=[office(), windows(), sevenzip(), sevenzip("MF-002", name=" ７-ZIP ", installed=0)],
        whitelist=[dict(name="7-zip")],
    )
    assert found(check_one(path)) == [["TZ1.8", S7, "B9"]]


def test_tz1_8_new_version_of_free_software_keeps_its_number(make_ledger, check_one):
    # 7-Zip 23.01 replaced by 24.08 on PC-001: logged on the same number MF-001, no finding
    d1, d2 = dt.date(2024, 3, 1), dt.date(2025, 2, 1)
    logs = {
        "SY-001": [install("PC-001", d1, version="2019"), install("PC-002", d1, user="李四", version="2019")],
        "OEM-001": [install("PC-001", d1, version="10"), install("PC-002", d1, user="李四", version="10")],
        "MF-001": [
            install("PC-001", d1, version="23.01"),
            install("PC-001", d2, op="卸载", version="23.01"),
            install("PC-001", d2, version="24.08"),
        ],
    }
    assert found(check_one(make_ledger(logs=logs))) == []


def test_tz1_8_two_free_rows_with_one_number_and_one_name_are_clean(make_ledger, check_one):
    path = make_ledger(summary=[office(), windows(), sevenzip(), sevenzip(installed=0, remark="新版本")])
    assert found(check_one(path)) == []


@pytest.mark.parametrize(
    ("change", "cell"),
    [
        (dict(version="23.01"), "D8"),
        (dict(purchase_date=dt.date(2024, 1, 1)), "H8"),
        (dict(amount=0), "I8"),
        (dict(license_count=1), "K8"),
        (dict(term="永久"), "M8"),
        (dict(serial="FREE"), "N8"),
    ],
)
def test_tz1_9_free_row_with_version_or_licence_data(make_ledger, check_one, change, cell):
    path = make_ledger(summary=[office(), windows(), sevenzip(**change)])
    assert found(check_one(path)) == [["TZ1.9", S7, cell]]


def test_tz1_9_free_row_with_blank_cells_is_clean(make_ledger, check_one):
    keys = ("version", "purchase_date", "amount", "license_type", "license_count", "usable_version", "term", "serial")
    path = make_ledger(summary=[office(), windows(), sevenzip(**dict.fromkeys(keys, None))])
    assert found(check_one(path)) == []


def test_tz1_9_message_is_pinned(make_ledger, check_one):
    (finding,) = check_one(make_ledger(summary=[office(), windows(), sevenzip(version="23.01")])).findings
    assert finding.message == "免费软件不填写软件版本（本行为“23.01”）。请清空该单元格或填写“--”。"


# --- the variant layout gives the same findings --------------------------------------------


@pytest.mark.parametrize(
    "summary",
    [
        [office(), windows(), sevenzip(), windows("SY-001", installed=0)],
        [office(), windows(), sevenzip(), office(serial="WXYZ-9999", installed=0)],
        [office(), windows(), sevenzip(), office("SY-002", acquisition="受赠", installed=0)],
        [
            office(),
            windows(purchase_date=dt.date(2023, 1, 1)),
            sevenzip("MF-001", version="23.01"),
            sevenzip("MF-002", installed=0),
        ],
    ],
    ids=["TZ1.0", "TZ1.3", "TZ1.4", "TZ1.6+TZ1.8+TZ1.9"],
)
def test_variant_layout_gives_the_same_codes(make_ledger, check_one, summary):
    canonical = check_one(make_ledger(summary=summary)).codes()
    variant = check_one(make_ledger(summary=summary, variant=True, name="variant.xlsx")).codes()
    assert canonical and sorted(variant) == sorted(canonical)
