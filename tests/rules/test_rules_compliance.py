"""Compliance (docs/rules.md: PZ1.1, PZ1.1E, PZ1.1W, PZ2.7; guide 软件配置管理规定).

The default ledger has Office (SY-001, 批量许可 ×10, 永久) on PC-001 (张三) and PC-002 (李四).
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers.factory import default_data, install, office, sevenzip, windows

S7, CL = "附件7 汇总表", "计算机清单"
D1 = dt.date(2024, 3, 1)


def found(report) -> list[list]:
    return sorted(report.flatten(["rule", "sheet", "cell"]))


def with_office(**kw) -> list[dict]:
    return [office(**kw), windows(), sevenzip()]


# --- PZ1.1 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("licence", ["单机许可", "批量许可", "订阅许可", "单机授权"])
def test_pz1_1_more_computers_than_licences(make_ledger, check_one, licence):
    report = check_one(make_ledger(summary=with_office(license_type=licence, license_count=1)))
    assert found(report) == [["PZ1.1", S7, "K6"]]


def test_pz1_1_message_is_pinned(make_ledger, check_one):
    (finding,) = check_one(make_ledger(summary=with_office(license_type="单机许可", license_count=1))).findings
    assert finding.message == (
        "软件编号 SY-001（单机许可）许可数量为 1，截至 2026-06-30 已安装在 2 台计算机上。请卸载多余的安装或补"
        "充采购许可。"
    )


@pytest.mark.parametrize("licence", ["单机许可", "批量许可"])
def test_pz1_1_exactly_as_many_installs_as_licences_is_clean(make_ledger, check_one, licence):
    assert found(check_one(make_ledger(summary=with_office(license_type=licence, license_count=2)))) == []


def test_pz1_1_uninstalled_computers_free_their_licence(make_ledger, check_one):
    lg = default_data()["logs"]
    lg["SY-001"].append(install("PC-002", dt.date(2025, 1, 1), op="卸载", user="李四", version="2019"))
    details = [d for d in default_data()["details"] if (d["computer"], d["software_no"]) != ("PC-002", "SY-001")]
    path = make_ledger(
        summary=with_office(license_type="单机许可", license_count=1, installed=1), logs=lg, details=details
    )
    assert found(check_one(path)) == []


def test_pz1_1_user_licence_counts_distinct_users(make_ledger, check_one):
    # PC-001 张三, PC-002 李四: two users on one user licence
    assert found(check_one(make_ledger(summary=with_office(license_type="用户许可", license_count=1)))) == [
        ["PZ1.1", S7, "K6"]
    ]


def test_pz1_1_user_licence_one_user_on_two_computers(make_ledger, check_one):
    data = default_data()
    computers = [dict(c, user="张三") for c in data["computers"]]
    details = [dict(d, person="张三") for d in data["details"]]
    counts = dict(data["counts"], staff_using=1)
    path = make_ledger(
        summary=with_office(license_type="用户许可", license_count=1),
        computers=computers,
        details=details,
        counts=counts,
    )
    assert found(check_one(path)) == []
    # the same installs on a per-computer licence exceed it
    path = make_ledger(
        summary=with_office(license_type="单机许可", license_count=1),
        computers=computers,
        details=details,
        counts=counts,
        name="b.xlsx",
    )
    assert found(check_one(path)) == [["PZ1.1", S7, "K6"]]


def test_pz1_1_user_licence_users_from_logs_without_computer_list(make_ledger, check_one):
    # without 计算机清单 a computer's 使用人 is its latest log row's
    data = default_data()
    lg = {k: [dict(r, user="张三") for r in v] for k, v in data["logs"].items()}
    path = make_ledger(summary=with_office(license_type="用户许可", license_count=1), computers=None, logs=lg)
    assert found(check_one(path)) == []
    path = make_ledger(summary=with_office(license_type="用户许可", license_count=1), computers=None, name="b.xlsx")
    assert found(check_one(path)) == [["PZ1.1", S7, "K6"]]


@pytest.mark.parametrize("count", [1, None, "不限"])
def test_pz1_1_site_licence_is_never_exceeded(make_ledger, check_one, count):
    assert found(check_one(make_ledger(summary=with_office(license_type="场地许可", license_count=count)))) == []


def test_pz1_1_concurrent_licence_is_skipped_and_said_once(make_ledger, check_one):
    wps = office("SY-002", name="WPS Office", serial="WPS-1", license_type="网络版", license_count=1, installed=0)
    report = check_one(make_ledger(summary=[*with_office(license_type="并发许可", license_count=1), wps]))
    assert found(report) == []
    assert [s.rule for s in report.skipped] == ["PZ1.1"]


def test_pz1_1_oem_and_free_are_not_counted(make_ledger, check_one):
    # OEM and free rows carry no 许可数量: nothing to exceed
    assert "PZ1.1" not in check_one(make_ledger()).codes()


# --- PZ1.1E / PZ1.1W -----------------------------------------------------------------------


def test_pz1_1e_still_installed_after_the_term_in_years(make_ledger, check_one):
    # bought 2023-05-06 with 3年: the last day is 2026-05-05
    report = check_one(make_ledger(summary=with_office(term="3年")))
    assert found(report) == [["PZ1.1E", S7, "M6"]]
    assert "2026-05-05" in report.findings[0].message


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (dt.date(2026, 5, 5), [["PZ1.1W", S7, "M6"]]),  # the last day itself: not yet ended
        (dt.date(2026, 5, 6), [["PZ1.1E", S7, "M6"]]),
        (dt.date(2026, 2, 4), [["PZ1.1W", S7, "M6"]]),  # 90 days before the end
        (dt.date(2026, 2, 3), []),  # 91 days before
    ],
)
def test_pz1_1e_term_in_years_boundaries(make_ledger, check_one, as_of, expected):
    assert found(check_one(make_ledger(summary=with_office(term="3年")), as_of=as_of)) == expected


def test_pz1_1e_term_counted_from_a_month_only_purchase_date(make_ledger, check_one):
    # 2023.5 is 2023-05-01; with 3年 the last day is 2026-04-30
    path = make_ledger(summary=with_office(term="3年", purchase_date="2023.5"))
    assert found(check_one(path, as_of=dt.date(2026, 4, 30))) == [["PZ1.1W", S7, "M6"]]
    assert found(check_one(path, as_of=dt.date(2026, 5, 1))) == [["PZ1.1E", S7, "M6"]]


@pytest.mark.parametrize("term", ["2026-06-29", "2024-01-01至2026-06-29", "2024.1.1-2026.6.29", "2026年6月29日"])
def test_pz1_1e_end_date_or_range_in_the_past(make_ledger, check_one, term):
    assert found(check_one(make_ledger(summary=with_office(term=term)))) == [["PZ1.1E", S7, "M6"]]


def test_pz1_1e_install_dated_after_the_end(make_ledger, check_one):
    # nothing installed as of the check date, but PC-001 had it installed after the licence ended
    data = default_data()
    lg = data["logs"]
    lg["SY-001"] = [
        install("PC-001", D1, version="2019"),
        install("PC-001", dt.date(2025, 12, 1), op="卸载", version="2019"),
        install("PC-001", dt.date(2026, 1, 10), version="2019"),
        install("PC-001", dt.date(2026, 1, 20), op="卸载", version="2019"),
    ]
    details = [d for d in data["details"] if d["software_no"] != "SY-001"]
    path = make_ledger(summary=with_office(term="2025-12-31", installed=0), logs=lg, details=details)
    assert found(check_one(path)) == [["PZ1.1E", "附件9 SY-001", "I9"]]


def test_pz1_1e_ended_and_uninstalled_in_time_is_clean(make_ledger, check_one):
    data = default_data()
    lg = data["logs"]
    lg["SY-001"] += [
        install("PC-001", dt.date(2025, 12, 31), op="卸载", version="2019"),
        install("PC-002", dt.date(2025, 12, 1), op="卸载", user="李四", version="2019"),
    ]
    details = [d for d in data["details"] if d["software_no"] != "SY-001"]
    path = make_ledger(summary=with_office(term="2025-12-31", installed=0), logs=lg, details=details)
    assert found(check_one(path)) == []


def test_pz1_1e_perpetual_and_far_end_are_clean(make_ledger, check_one):
    assert found(check_one(make_ledger(summary=with_office(term="永久")))) == []
    assert found(check_one(make_ledger(summary=with_office(term="2024-01-01至2026-12-31"), name="b.xlsx"))) == []


@pytest.mark.parametrize(
    ("end", "warn"),
    [(dt.date(2026, 6, 30), True), (dt.date(2026, 9, 28), True), (dt.date(2026, 9, 29), False)],
    ids=["today", "90-days", "91-days"],
)
def test_pz1_1w_ends_within_90_days(make_ledger, check_one, end, warn):
    report = check_one(make_ledger(summary=with_office(term=end.isoformat())))
    assert found(report) == ([["PZ1.1W", S7, "M6"]] if warn else [])
    assert report.valid


def test_pz1_1w_not_in_use_is_clean(make_ledger, check_one):
    data = default_data()
    lg = {k: v for k, v in data["logs"].items() if k != "SY-001"}
    details = [d for d in data["details"] if d["software_no"] != "SY-001"]
    path = make_ledger(summary=with_office(term="2026-07-31", installed=0), logs=lg, details=details)
    assert found(check_one(path)) == []


# --- PZ2.7 ---------------------------------------------------------------------------------


def _scrap_pc2(scrap_date=None) -> dict:
    data = default_data()
    computers = [dict(c) for c in data["computers"]]
    computers[1].update(status="报废", scrap_date=scrap_date)
    return dict(computers=computers, counts=dict(data["counts"], desktops=1))


def test_pz2_7_software_still_on_a_scrapped_computer(make_ledger, check_one):
    report = check_one(make_ledger(**_scrap_pc2()))
    assert found(report) == [["PZ2.7", CL, "H5"]]
    assert "2 个软件" in report.findings[0].message


def test_pz2_7_install_after_the_scrap_date(make_ledger, check_one):
    data = default_data()
    lg = data["logs"]
    lg["SY-001"].append(install("PC-002", dt.date(2024, 12, 31), op="卸载", user="李四", version="2019"))
    lg["OEM-001"].append(install("PC-002", dt.date(2024, 12, 31), op="卸载", user="李四", version="10"))
    lg["MF-001"] += [
        install("PC-002", dt.date(2025, 2, 1), user="李四"),
        install("PC-002", dt.date(2025, 2, 2), op="卸载", user="李四"),
    ]
    details = [d for d in data["details"] if d["computer"] != "PC-002"]
    counts = dict(data["counts"], desktops=1, staff_using=1)
    summary = [office(installed=1), windows(installed=1), sevenzip()]
    path = make_ledger(
        **dict(_scrap_pc2(dt.date(2025, 1, 1)), counts=counts), logs=lg, details=details, summary=summary
    )
    assert found(check_one(path)) == [["PZ2.7", "附件9 MF-001", "I8"]]


def test_pz2_7_scrapped_computer_cleared_before_scrapping_is_clean(make_ledger, check_one):
    data = default_data()
    lg = data["logs"]
    lg["SY-001"].append(install("PC-002", dt.date(2024, 12, 31), op="卸载", user="李四", version="2019"))
    lg["OEM-001"].append(install("PC-002", dt.date(2024, 12, 31), op="卸载", user="李四", version="10"))
    details = [d for d in data["details"] if d["computer"] != "PC-002"]
    counts = dict(data["counts"], desktops=1, staff_using=1)
    summary = [office(installed=1), windows(installed=1), sevenzip()]
    path = make_ledger(
        **dict(_scrap_pc2(dt.date(2025, 1, 1)), counts=counts), logs=lg, details=details, summary=summary
    )
    assert found(check_one(path)) == []


def test_pz2_7_idle_computer_is_not_scrapped(make_ledger, check_one):
    data = default_data()
    computers = [dict(c) for c in data["computers"]]
    computers[1]["status"] = "停用"
    report = check_one(make_ledger(computers=computers, counts=dict(data["counts"], desktops=1)))
    assert "PZ2.7" not in report.codes()


def test_pz2_7_skipped_without_computer_list(make_ledger, check_one):
    report = check_one(make_ledger(computers=None))
    assert found(report) == []
    assert "PZ2.7" in [s.rule for s in report.skipped]


# --- layouts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        dict(summary=with_office(license_type="单机许可", license_count=1)),
        dict(summary=with_office(term="3年")),
        dict(summary=with_office(term="2026-07-31")),
        _scrap_pc2(),
    ],
    ids=["PZ1.1", "PZ1.1E", "PZ1.1W", "PZ2.7"],
)
@pytest.mark.parametrize("layout", [dict(variant=True), dict(combined_log=True)], ids=["variant", "combined"])
def test_layouts_give_the_same_codes(make_ledger, check_one, change, layout):
    canonical = sorted(check_one(make_ledger(**change)).codes())
    other = sorted(check_one(make_ledger(name="other.xlsx", **layout, **change)).codes())
    assert canonical and other == canonical
