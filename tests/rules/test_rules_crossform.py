"""The summary, the detail and the logs against each other (docs/rules.md: TZ1.1, TZ1.10–TZ1.13,
PZ1.2, TZ2.2, TZ2.3, TZ3.2–TZ3.5).

The default factory ledger is consistent; each test changes one thing and asserts the exact
findings (code, sheet, cell), or that a near miss stays clean.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from tests.helpers.factory import default_data, install, office, sevenzip, windows, write_logs

S6, S7, S8, CL = "附件6 免费软件清单", "附件7 汇总表", "附件8 明细表", "计算机清单"
D1 = dt.date(2024, 3, 1)


def found(report) -> list[list]:
    return sorted(report.flatten(["rule", "sheet", "cell"]))


def details(
    drop: tuple[tuple[str, str], ...] = (), add: tuple[dict, ...] = (), **person_of: tuple[str, str]
) -> list[dict]:
    """The default 附件8 rows without the (computer, number) pairs in ``drop``, plus ``add``;
    ``person_of={"PC-002": ("财务处", "张三")}`` changes a computer's 部门 and 姓名."""
    rows = []
    for r in default_data()["details"]:
        if (r["computer"], r["software_no"]) in drop:
            continue
        r = dict(r)
        if r["computer"].replace("-", "_") in person_of:
            r["dept"], r["person"] = person_of[r["computer"].replace("-", "_")]
        rows.append(r)
    return rows + list(add)


def logs(**extra: list[dict]) -> dict[str, list[dict]]:
    """The default logs with rows appended per number (``SY_001=[...]``); a new number gets a log."""
    out = {k: list(v) for k, v in default_data()["logs"].items()}
    for key, rows in extra.items():
        out.setdefault(key.replace("_", "-"), []).extend(rows)
    return out


def detail_row(computer: str, no: str, name: str, sw_type: str, person: str = "李四", **kw) -> dict:
    return dict(
        dept="办公室",
        person=person,
        computer=computer,
        brand="联想",
        software_no=no,
        name=name,
        sw_type=sw_type,
        install_date=D1,
        **kw,
    )


def add_log_sheet(path, number_logs: dict[str, list[dict]], combined: bool = False) -> str:
    """Append a 附件9 sheet (or a combined log) to a written ledger; returns the new sheet's name."""
    wb = openpyxl.load_workbook(path)
    before = set(wb.sheetnames)
    data = default_data()
    write_logs(
        wb,
        dict(
            unit=data["unit"],
            fill_date=data["fill_date"],
            summary=data["summary"],
            logs=number_logs,
            combined_log=combined,
        ),
    )
    wb.save(path)
    (new,) = set(wb.sheetnames) - before
    return new


# --- TZ1.1 ---------------------------------------------------------------------------------


def test_tz1_1_staff_count_differs(make_ledger, check_one):
    counts = dict(default_data()["counts"], staff_using=3)
    assert found(check_one(make_ledger(counts=counts))) == [["TZ1.1", S7, "E3"]]


def test_tz1_1_one_person_on_two_computers_counts_once(make_ledger, check_one):
    path = make_ledger(details=details(PC_002=("办公室", "张三")))
    assert found(check_one(path)) == [["TZ1.1", S7, "E3"]]
    counts = dict(default_data()["counts"], staff_using=1)
    assert found(check_one(make_ledger(details=details(PC_002=("办公室", "张三")), counts=counts, name="b.xlsx"))) == []


def test_tz1_1_same_name_in_two_departments_is_two_people(make_ledger, check_one):
    assert found(check_one(make_ledger(details=details(PC_002=("财务处", "张三"))))) == []


def test_tz1_1_message_is_pinned(make_ledger, check_one):
    (finding,) = check_one(make_ledger(counts=dict(default_data()["counts"], staff_using=5))).findings
    assert finding.message == "附件7 使用计算机人数为 5，附件8 中有 2 名不同的人员（按部门+姓名计）。请更新。"


# --- TZ1.10 --------------------------------------------------------------------------------


def test_tz1_10_number_on_detail_not_registered(make_ledger, check_one):
    path = make_ledger(details=details(add=(detail_row("PC-002", "SY-999", "WinZip", "商业软件"),)))
    assert found(check_one(path)) == [["TZ1.10", S8, "F10"], ["TZ2.2", S8, "F10"]]


def test_tz1_10_number_in_a_log_not_registered(make_ledger, check_one):
    # docs/rules.md: "a number used on 附件8 or in a 附件9 log"; the log is also TZ3.2, and its
    # install is missing on 附件8 (TZ2.2)
    path = make_ledger(logs=logs(SY_999=[install("PC-001", D1)]))
    assert found(check_one(path)) == [
        ["TZ1.10", "附件9 SY-999", "A4"],
        ["TZ2.2", S8, "D5"],
        ["TZ3.2", "附件9 SY-999", "A4"],
    ]


def test_tz1_10_computer_without_software_is_not_a_number(make_ledger, check_one):
    data = default_data()
    pc3 = dict(dept="办公室", person="王五", computer="PC-003", brand="联想")
    computers = data["computers"] + [
        dict(computer="PC-003", ctype="台式机", brand="联想", user="王五", dept="办公室", status="在用")
    ]
    counts = dict(data["counts"], staff_using=3, desktops=3)
    assert found(check_one(make_ledger(details=details(add=(pc3,)), computers=computers, counts=counts))) == []


# --- TZ1.11 --------------------------------------------------------------------------------


def test_tz1_11_desktops_differ_from_computer_list(make_ledger, check_one):
    counts = dict(default_data()["counts"], desktops=3)
    assert found(check_one(make_ledger(counts=counts))) == [["TZ1.11", S7, "E4"]]


def test_tz1_11_each_type_is_compared(make_ledger, check_one):
    computers = [dict(c) for c in default_data()["computers"]]
    computers[1]["ctype"] = "便携机"
    assert found(check_one(make_ledger(computers=computers))) == [["TZ1.11", S7, "E4"], ["TZ1.11", S7, "G4"]]


def test_tz1_11_scrapped_and_idle_computers_are_not_counted(make_ledger, check_one):
    computers = default_data()["computers"] + [
        dict(computer="PC-003", ctype="台式机", status="报废"),
        dict(computer="SRV-01", ctype="服务器", status="停用"),
    ]
    assert found(check_one(make_ledger(computers=computers))) == []


def test_tz1_11_without_computer_list_checks_the_total_against_detail(make_ledger, check_one):
    counts = dict(default_data()["counts"], desktops=3)
    report = check_one(make_ledger(computers=None, counts=counts))
    assert found(report) == [["TZ1.11", S7, "C4"]]
    assert "TZ1.11" in [s.rule for s in report.skipped]


def test_tz1_11_without_computer_list_types_are_not_checked(make_ledger, check_one):
    counts = dict(default_data()["counts"], servers=1, desktops=1)
    report = check_one(make_ledger(computers=None, counts=counts))
    assert found(report) == []


# --- TZ1.12 / PZ1.2 / TZ1.12W --------------------------------------------------------------


def test_tz1_12_free_software_not_whitelisted_and_installed(make_ledger, check_one):
    report = check_one(make_ledger(whitelist=[]))
    assert found(report) == [["PZ1.2", S8, "F7"], ["TZ1.12", S7, "C8"]]


def test_tz1_12_installed_per_logs_only(make_ledger, check_one):
    path = make_ledger(whitelist=[], details=details(drop=(("PC-001", "MF-001"),)))
    assert found(check_one(path)) == [["PZ1.2", S7, "O8"], ["TZ1.12", S7, "C8"], ["TZ2.2", S8, "D5"]]


def test_tz1_12_not_installed_is_tz1_12_only(make_ledger, check_one):
    data = default_data()
    lg = {k: v for k, v in data["logs"].items() if k != "MF-001"}
    path = make_ledger(
        whitelist=[],
        summary=[office(), data["summary"][1], sevenzip(installed=0)],
        details=details(drop=(("PC-001", "MF-001"),)),
        logs=lg,
    )
    assert found(check_one(path)) == [["TZ1.12", S7, "C8"]]


@pytest.mark.parametrize(
    "entry",
    [
        dict(name="7-Zip"),
        dict(name=" ７-ZIP "),
        dict(software_no="MF-001", name="7Zip 压缩工具"),
        dict(software_no="MF-001", name="7-Zip", version="24.08"),
    ],
    ids=["name", "normalised-name", "number", "with-version"],
)
def test_tz1_12_whitelisted_by_name_or_number_is_clean(make_ledger, check_one, entry):
    assert found(check_one(make_ledger(whitelist=[entry]))) == []


def test_tz1_12_numbers_on_both_sides_must_match(make_ledger, check_one):
    # docs/rules.md: software is matched by 软件编号 where both sides carry one, else by name; 附件6
    # registers 7-Zip as MF-009 while 附件7 has it as MF-001: neither side finds the other
    report = check_one(make_ledger(whitelist=[dict(software_no="MF-009", name="7-Zip")]))
    assert found(report) == [["PZ1.2", S8, "F7"], ["TZ1.12", S7, "C8"], ["TZ1.12W", S6, "B4"]]
    # the warning names the numbers that differ, not "7-Zip is missing from 附件7"
    message = report.findings[-1].message
    assert "MF-009" in message and "MF-001" in message and "不在附件7" not in message


def test_tz1_12w_whitelist_entry_missing_from_summary(make_ledger, check_one):
    wl = default_data()["whitelist"] + [dict(name="Notepad++", source="官网")]
    report = check_one(make_ledger(whitelist=wl))
    assert found(report) == [["TZ1.12W", S6, "C5"]]
    assert report.valid


def test_tz1_12w_commercial_row_of_the_same_name_does_not_count(make_ledger, check_one):
    # the whitelist names a free software; a commercial 附件7 row of that name is not its free row
    wl = default_data()["whitelist"] + [dict(name="Microsoft Office 专业增强版")]
    assert found(check_one(make_ledger(whitelist=wl))) == [["TZ1.12W", S6, "C5"]]


# --- TZ1.13 --------------------------------------------------------------------------------


def test_tz1_13_installed_count_differs_from_logs(make_ledger, check_one):
    data = default_data()
    report = check_one(make_ledger(summary=[office(installed=3), *data["summary"][1:]]))
    assert found(report) == [["TZ1.13", S7, "O6"]]
    assert (
        report.findings[0].message
        == "软件编号 SY-001 的安装数量为 3，按附件9 截至 2026-06-30 应为 2。请更新（可用 zbtz rollup）。"
    )


def test_tz1_13_blank_installed_count_with_installs(make_ledger, check_one):
    data = default_data()
    assert found(check_one(make_ledger(summary=[office(installed=None), *data["summary"][1:]]))) == [
        ["TZ1.13", S7, "O6"]
    ]


def test_tz1_13_rows_after_the_check_date_do_not_count(make_ledger, check_one):
    later = install("PC-001", dt.date(2026, 7, 15), op="卸载", version="2019")
    assert found(check_one(make_ledger(logs=logs(SY_001=[later])))) == []


def test_tz1_13_not_reported_for_a_number_without_log(make_ledger, check_one):
    lg = {k: v for k, v in default_data()["logs"].items() if k != "OEM-001"}
    report = check_one(make_ledger(logs=lg))
    assert "TZ1.13" not in report.codes()
    assert ["TZ3.3", S7, "O7"] in found(report)


# --- TZ2.2 ---------------------------------------------------------------------------------


def test_tz2_2_installed_per_logs_but_missing_on_detail(make_ledger, check_one):
    path = make_ledger(details=details(drop=(("PC-002", "OEM-001"),)))
    assert found(check_one(path)) == [["TZ2.2", S8, "D8"]]


def test_tz2_2_on_detail_but_not_installed_per_logs(make_ledger, check_one):
    path = make_ledger(details=details(add=(detail_row("PC-002", "MF-001", "7-Zip", "免费软件"),)))
    assert found(check_one(path)) == [["TZ2.2", S8, "F10"]]


def test_tz2_2_uninstalled_and_removed_from_detail_is_clean(make_ledger, check_one):
    data = default_data()
    path = make_ledger(
        summary=[office(), data["summary"][1], sevenzip(installed=0)],
        details=details(drop=(("PC-001", "MF-001"),)),
        logs=logs(MF_001=[install("PC-001", dt.date(2025, 1, 1), op="卸载", version="23.01")]),
    )
    assert found(check_one(path)) == []


def test_tz2_2_on_detail_with_no_log_at_all(make_ledger, check_one):
    # 附件7 says 0 and there is no log: the logs roll up to nothing, so the 附件8 row is stale
    data = default_data()
    wps = office("SY-002", name="WPS Office", version="2019", serial="WPS-1", installed=0)
    path = make_ledger(
        summary=[*data["summary"], wps],
        details=details(add=(detail_row("PC-002", "SY-002", "WPS Office", "商业软件", version="2019"),)),
    )
    assert found(check_one(path)) == [["TZ2.2", S8, "F10"]]


# --- TZ2.3 ---------------------------------------------------------------------------------


def _reinstall_7zip(day: dt.date) -> dict:
    return logs(MF_001=[install("PC-001", day, op="卸载", version="23.01"), install("PC-001", day, version="24.08")])


def test_tz2_3_stale_summary_and_detail(make_ledger, check_one):
    report = check_one(make_ledger(fill_date=dt.date(2025, 6, 1), logs=_reinstall_7zip(dt.date(2025, 8, 1))))
    assert found(report) == [["TZ2.3", S7, "A2"], ["TZ2.3", S8, "A2"]]
    assert report.valid  # warnings


@pytest.mark.parametrize(
    ("fill", "logged", "stale"),
    [
        (dt.date(2025, 6, 1), None, False),  # old, but nothing logged since
        (dt.date(2026, 1, 15), dt.date(2026, 2, 1), False),  # logged since, but not six months old
        (dt.date(2025, 12, 30), dt.date(2026, 1, 5), False),  # exactly six months: not more
        (dt.date(2025, 12, 29), dt.date(2026, 1, 5), True),
        (dt.date(2025, 6, 1), dt.date(2026, 8, 1), False),  # only rows after the check date
    ],
)
def test_tz2_3_boundaries(make_ledger, check_one, fill, logged, stale):
    lg = _reinstall_7zip(logged) if logged else default_data()["logs"]
    codes = check_one(make_ledger(fill_date=fill, logs=lg)).codes()
    assert codes.count("TZ2.3") == (2 if stale else 0)


def test_tz2_3_skipped_without_fill_date(make_ledger, check_one):
    report = check_one(make_ledger(fill_date=None, logs=_reinstall_7zip(dt.date(2025, 8, 1))))
    assert found(report) == []
    assert {s.rule for s in report.skipped} == {"TZ2.3"}
    assert any("附件7" in s.reason for s in report.skipped)


# --- TZ3.2 ---------------------------------------------------------------------------------


def test_tz3_2_info_block_names_another_software(make_ledger, check_one):
    report = check_one(make_ledger(info={"SY-001": dict(name="WPS Office")}))
    assert found(report) == [["TZ3.2", "附件9 SY-001", "B4"]]


def test_tz3_2_info_block_names_another_version(make_ledger, check_one):
    assert found(check_one(make_ledger(info={"OEM-001": dict(version="11")}))) == [["TZ3.2", "附件9 OEM-001", "C4"]]


def test_tz3_2_info_block_compared_after_normalisation(make_ledger, check_one):
    info = {"SY-001": dict(name=" microsoft  OFFICE 专业增强版", version="２０１９"), "MF-001": dict(version=None)}
    assert found(check_one(make_ledger(info=info))) == []


def test_tz3_2_combined_log_number_not_registered(make_ledger, check_one):
    path = make_ledger(combined_log=True, logs=logs(SY_999=[install("PC-001", D1)]))
    assert found(check_one(path)) == [
        ["TZ1.10", "安装维护记录", "B9"],
        ["TZ2.2", S8, "D5"],
        ["TZ3.2", "安装维护记录", "B9"],
    ]


# --- TZ3.3 ---------------------------------------------------------------------------------


def test_tz3_3_installed_number_without_log(make_ledger, check_one):
    lg = {k: v for k, v in default_data()["logs"].items() if k != "OEM-001"}
    path = make_ledger(logs=lg)
    assert found(check_one(path)) == [["TZ2.2", S8, "F6"], ["TZ2.2", S8, "F9"], ["TZ3.3", S7, "O7"]]


def test_tz3_3_number_not_installed_needs_no_log(make_ledger, check_one):
    data = default_data()
    path = make_ledger(summary=[*data["summary"], office("SY-002", serial="NEW", installed=0)])
    assert found(check_one(path)) == []


def _swap(day: dt.date) -> list[dict]:
    """An uninstall and a reinstall on PC-001: leaves the state as it was."""
    return [install("PC-001", day, op="卸载", version="2019"), install("PC-001", day, version="2019")]


def test_tz3_3_two_sheets_for_one_number(make_ledger, check_one):
    path = make_ledger()
    sheet = add_log_sheet(path, {"SY-001": _swap(dt.date(2024, 6, 1))})
    assert found(check_one(path)) == [["TZ3.3", sheet, "A4"]]


def test_tz3_3_sheet_and_combined_log_rows_for_one_number(make_ledger, check_one):
    path = make_ledger()
    sheet = add_log_sheet(path, {"SY-001": _swap(dt.date(2024, 6, 1))}, combined=True)
    assert found(check_one(path)) == [["TZ3.3", sheet, "A1"]]


def test_tz3_3_combined_log_then_a_sheet_for_one_number(make_ledger, check_one):
    path = make_ledger(combined_log=True)
    sheet = add_log_sheet(path, {"SY-001": _swap(dt.date(2024, 6, 1))})
    assert found(check_one(path)) == [["TZ3.3", sheet, "A4"]]


def test_tz3_3_combined_log_alone_is_one_log_per_number(make_ledger, check_one):
    assert found(check_one(make_ledger(combined_log=True, logs=logs(SY_001=_swap(dt.date(2024, 6, 1)))))) == []


# --- TZ3.4 ---------------------------------------------------------------------------------


def test_tz3_4_uninstall_with_nothing_installed(make_ledger, check_one):
    path = make_ledger(logs=logs(MF_001=[install("PC-002", dt.date(2024, 4, 1), op="卸载", user="李四")]))
    assert found(check_one(path)) == [["TZ3.4", "附件9 MF-001", "B8"]]


def test_tz3_4_install_while_installed_still_counts(make_ledger, check_one):
    path = make_ledger(logs=logs(SY_001=[install("PC-001", dt.date(2024, 4, 1), version="2019")]))
    # the second install is a finding; 安装数量 counts computers, so 附件7 (2) still agrees
    assert found(check_one(path)) == [["TZ3.4", "附件9 SY-001", "B9"]]


def test_tz3_4_uninstall_then_reinstall_on_one_date_is_clean(make_ledger, check_one):
    assert found(check_one(make_ledger(logs=logs(SY_001=_swap(dt.date(2025, 1, 1)))))) == []


def test_tz3_4_same_date_rows_keep_sheet_order(make_ledger, check_one):
    # install first, then uninstall, on one date: the install is the row that breaks the history
    day = dt.date(2025, 1, 1)
    rows = [install("PC-001", day, version="2019"), install("PC-001", day, op="卸载", version="2019")]
    assert found(check_one(make_ledger(logs=logs(SY_001=rows)))) == [["TZ3.4", "附件9 SY-001", "B9"]]


def test_tz3_4_rows_are_replayed_in_date_order_not_row_order(make_ledger, check_one):
    # a late entry for an earlier date: uninstall on 2025-01-01 written after an install on 2025-02-01
    rows = [
        install("PC-001", dt.date(2025, 2, 1), version="2019"),
        install("PC-001", dt.date(2025, 1, 1), op="卸载", version="2019"),
    ]
    assert found(check_one(make_ledger(logs=logs(SY_001=rows)))) == []


# --- TZ3.5 ---------------------------------------------------------------------------------


def test_tz3_5_commercial_upgrade_logged_on_the_old_number(make_ledger, check_one):
    path = make_ledger(
        logs=logs(
            SY_001=[
                install("PC-001", dt.date(2025, 1, 1), op="卸载", version="2019"),
                install("PC-001", dt.date(2025, 1, 1), version="2021"),
            ]
        )
    )
    # no 2021 licence is registered: the install is also above the licence's 可使用版本 2019
    assert found(check_one(path)) == [["PZ1.1U", "附件9 SY-001", "H10"], ["TZ3.5", "附件9 SY-001", "H10"]]


def test_tz3_5_upgrade_to_a_registered_version_is_bookkeeping_only(make_ledger, check_one):
    summary = [
        office(),
        windows(),
        sevenzip(),
        office("SY-002", version="2021", usable_version="2021", serial="NEW", installed=0),
    ]
    path = make_ledger(
        summary=summary,
        logs=logs(
            SY_001=[
                install("PC-001", dt.date(2025, 1, 1), op="卸载", version="2019"),
                install("PC-001", dt.date(2025, 1, 1), version="2021"),
            ]
        ),
    )
    assert found(check_one(path)) == [["TZ3.5", "附件9 SY-001", "H10"]]


def test_tz3_5_oem_version_differs(make_ledger, check_one):
    lg = logs()
    lg["OEM-001"][0] = install("PC-001", D1, version="11")
    assert found(check_one(make_ledger(logs=lg))) == [["TZ3.5", "附件9 OEM-001", "H7"]]


@pytest.mark.parametrize("version", [None, "2019 ", "２０１９", "--"])
def test_tz3_5_same_or_blank_version_is_clean(make_ledger, check_one, version):
    lg = logs()
    lg["SY-001"][0] = install("PC-001", D1, version=version)
    assert found(check_one(make_ledger(logs=lg))) == []


def test_tz3_5_free_software_new_version_is_clean(make_ledger, check_one):
    assert found(check_one(make_ledger(logs=_reinstall_7zip(dt.date(2025, 8, 1))))) == []


# --- variant layout and combined log give the same codes -----------------------------------


CASES = {
    "TZ1.1": dict(counts=dict(default_data()["counts"], staff_using=3)),
    "TZ1.13": dict(summary=[office(installed=3), *default_data()["summary"][1:]]),
    "TZ2.2": dict(details=details(drop=(("PC-002", "OEM-001"),))),
    "TZ3.3": dict(logs={k: v for k, v in default_data()["logs"].items() if k != "OEM-001"}),
    "TZ3.4": dict(
        logs=logs(
            MF_001=[install("PC-002", dt.date(2024, 4, 1), op="卸载", user="李四")],
            SY_001=[install("PC-001", dt.date(2024, 4, 1), version="2019")],
        )
    ),
    "TZ3.5": dict(logs=logs(SY_001=[install("PC-002", dt.date(2025, 1, 1), op="卸载", user="李四", version="2021")])),
    "TZ1.12": dict(whitelist=[]),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize(
    "layout",
    [dict(variant=True), dict(combined_log=True), dict(variant=True, combined_log=True)],
    ids=["variant", "combined", "variant+combined"],
)
def test_layouts_give_the_same_codes(make_ledger, check_one, case, layout):
    canonical = sorted(check_one(make_ledger(**CASES[case])).codes())
    other = sorted(check_one(make_ledger(name="other.xlsx", **layout, **CASES[case])).codes())
    assert case in canonical
    assert other == canonical


VARIANT_ONLY = {
    "TZ2.3": dict(fill_date=dt.date(2025, 6, 1), logs=_reinstall_7zip(dt.date(2025, 8, 1))),
    "TZ3.2": dict(info={"SY-001": dict(name="WPS Office")}),
    "TZ1.10": dict(logs=logs(SY_999=[install("PC-001", D1)])),
}


@pytest.mark.parametrize("case", sorted(VARIANT_ONLY))
def test_variant_layout_gives_the_same_codes(make_ledger, check_one, case):
    # the info block and the per-number sheets exist only outside a combined log
    canonical = sorted(check_one(make_ledger(**VARIANT_ONLY[case])).codes())
    other = sorted(check_one(make_ledger(name="other.xlsx", variant=True, **VARIANT_ONLY[case])).codes())
    assert case in canonical
    assert other == canonical
