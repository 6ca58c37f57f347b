"""Licence rules (PZ1.1H, PZ1.1U, PZ1.1D, PZ1.1O, PZ1.1V, PZ2.3; PZ1.1E for antivirus service; S8 settings).

The default ledger: Office 专业增强版 2019 (SY-001, 批量许可, 可使用版本 2019) and Windows 10 专业版
OEM (OEM-001) on PC-001 (张三) and PC-002 (李四), 7-Zip on PC-001, all logged 2024-03-01. Its unit
turns the three-software check off (tests.helpers.factory); the PZ2.3 tests pass ``settings={}``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers.factory import default_data, install, office, sevenzip, windows

S7, S8, CL = "附件7 汇总表", "附件8 明细表", "计算机清单"
D1 = dt.date(2024, 3, 1)
NEW_RULES = ("PZ1.1H", "PZ1.1U", "PZ1.1D", "PZ1.1O", "PZ1.1V", "PZ2.3", "S8")


def unit(**settings: str) -> dict[str, str]:
    """The default test unit's settings (three-software check off) with ``settings`` added."""
    return {**default_data()["settings"], **settings}


def found(report) -> list[list]:
    return sorted(report.flatten(["rule", "sheet", "cell"]))


def blank_office_versions() -> dict:
    """The default logs with SY-001's 安装/卸载版本 left blank (so TZ3.5 stays out of version tests)."""
    lg = default_data()["logs"]
    lg["SY-001"] = [dict(r, version=None) for r in lg["SY-001"]]
    return lg


# --- PZ1.1H consumer editions ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Windows 10 家庭中文版",
        "Windows 11 Home",
        "Microsoft Office 家庭和学生版 2019",
        "Office Home & Student 2021",
        "Microsoft 365 家庭版",
        "Microsoft Office 个人版",
        "WPS Office 个人版",
        "统信UOS 家庭版",
    ],
)
def test_pz1_1h_consumer_edition_on_summary(make_ledger, check_one, name):
    path = make_ledger(summary=[office(), windows(name=name), sevenzip()])
    assert found(check_one(path)) == [["PZ1.1H", S7, "C7"]]


@pytest.mark.parametrize(
    "name",
    [
        "Windows 10 专业版",
        "Windows 11 企业版",
        "Microsoft Office 家庭和企业版 2019",
        "Office Home & Business 2021",
        "Microsoft 365 Apps for enterprise",
        "WPS Office 专业版",
        "统信UOS 专业版",
        "Windows Server 2019 标准版",
    ],
)
def test_pz1_1h_office_editions_are_clean(make_ledger, check_one, name):
    assert found(check_one(make_ledger(summary=[office(), windows(name=name), sevenzip()]))) == []


def test_pz1_1h_message_is_pinned(make_ledger, check_one):
    (f,) = check_one(make_ledger(summary=[office(), windows(name="Windows 10 家庭中文版"), sevenzip()])).findings
    assert f.message.startswith(
        "软件编号 OEM-001“Windows 10 家庭中文版”是 Windows 家庭版，面向家庭和个人，不属于单位正版序列。"
    )


def test_pz1_1h_consumer_edition_installed_per_detail_without_a_number(make_ledger, check_one):
    data = default_data()
    details = [
        *data["details"],
        dict(
            dept="办公室", person="李四", computer="PC-002", brand="联想", name="WPS Office 个人版", sw_type="免费软件"
        ),
    ]
    report = check_one(make_ledger(details=details))
    assert ["PZ1.1H", S8, "G10"] in found(report)


# --- PZ1.1U / PZ1.1D versions ----------------------------------------------------------------


def test_pz1_1u_registered_version_above_the_licence(make_ledger, check_one):
    path = make_ledger(
        summary=[office(version="2021", usable_version="2019"), windows(), sevenzip()], logs=blank_office_versions()
    )
    assert found(check_one(path)) == [["PZ1.1U", S7, "D6"]]


def test_pz1_1u_install_row_above_the_licence(make_ledger, check_one):
    lg = blank_office_versions()
    lg["SY-001"][1] = install("PC-002", D1, user="李四", version="2021")
    report = check_one(make_ledger(logs=lg))
    assert found(report) == [["PZ1.1U", "附件9 SY-001", "H8"], ["TZ3.5", "附件9 SY-001", "H8"]]


@pytest.mark.parametrize("usable", ["2016-2021", "2019及以下", "不限", "最新版", "Microsoft Office 2019"])
def test_pz1_1u_versions_the_licence_covers_are_clean(make_ledger, check_one, usable):
    path = make_ledger(summary=[office(usable_version=usable), windows(), sevenzip()], logs=blank_office_versions())
    assert found(check_one(path)) == []


def test_pz1_1u_a_year_and_a_plain_version_are_not_compared(make_ledger, check_one):
    path = make_ledger(
        summary=[office(version="16", usable_version="2019"), windows(), sevenzip()], logs=blank_office_versions()
    )
    assert found(check_one(path)) == []


def _downgrade(licence: str = "单机许可", **kw) -> list[dict]:
    return [office(version="2016", usable_version="2019", license_type=licence, **kw), windows(), sevenzip()]


def test_pz1_1d_downgrade_on_a_retail_licence(make_ledger, check_one):
    assert found(check_one(make_ledger(summary=_downgrade(), logs=blank_office_versions()))) == [["PZ1.1D", S7, "D6"]]


@pytest.mark.parametrize(
    "summary, settings",
    [
        (_downgrade("批量许可"), unit()),  # volume licences carry downgrade rights
        (_downgrade("场地许可", license_count=None), unit()),
        (_downgrade(remark="已取得降级授权书"), unit()),  # the right is recorded
        (_downgrade(), unit(降级须登记="否")),  # the unit does not check downgrades
    ],
)
def test_pz1_1d_allowed_downgrades_are_clean(make_ledger, check_one, summary, settings):
    assert found(check_one(make_ledger(summary=summary, logs=blank_office_versions(), settings=settings))) == []


def test_pz1_1d_every_downgrade_needs_a_record_when_the_unit_says_so(make_ledger, check_one):
    path = make_ledger(summary=_downgrade("批量许可"), logs=blank_office_versions(), settings=unit(降级须登记="全部"))
    assert found(check_one(path)) == [["PZ1.1D", S7, "D6"]]


# --- PZ1.1O OEM bound to its computer --------------------------------------------------------


def _oem_swap(day: dt.date, remark: str | None = None) -> dict:
    """PC-002 trades its Windows 10 OEM for the Windows 11 OEM (OEM-002) of PC-003, scrapped on ``day``."""
    data = default_data()
    lg = data["logs"]
    lg["OEM-001"].append(install("PC-002", day, user="李四", op="卸载", version="10"))
    lg["OEM-002"] = [
        install("PC-003", D1, user="王五", version="11"),
        install("PC-003", day, user="王五", op="卸载", version="11"),
        install("PC-002", day, user="李四", version="11", remark=remark),
    ]
    details = [d for d in data["details"] if (d["computer"], d["software_no"]) != ("PC-002", "OEM-001")]
    details.append(
        dict(
            dept="办公室",
            person="李四",
            computer="PC-002",
            brand="联想",
            software_no="OEM-002",
            name="Windows 11 专业版",
            version="11",
            sw_type="OEM软件",
            install_date=day,
        )
    )
    summary = [
        office(),
        windows(installed=1),
        sevenzip(),
        windows("OEM-002", name="Windows 11 专业版", version="11", installed=1),
    ]
    computers = [
        *data["computers"],
        dict(computer="PC-003", ctype="台式机", user="王五", dept="办公室", status="报废", scrap_date=day),
    ]
    return dict(summary=summary, logs=lg, details=details, computers=computers)


def test_pz1_1o_oem_from_a_scrapped_computer_onto_one_in_use(make_ledger, check_one):
    report = check_one(make_ledger(**_oem_swap(dt.date(2025, 6, 1))))
    assert found(report) == [["PZ1.1O", "附件9 OEM-002", "D9"]]


def test_pz1_1o_remark_says_it_was_moved(make_ledger, check_one):
    lg = default_data()["logs"]
    lg["OEM-001"][1] = install("PC-002", D1, user="李四", version="10", remark="由报废的 PC-009 迁移")
    assert found(check_one(make_ledger(logs=lg))) == [["PZ1.1O", "附件9 OEM-001", "D8"]]


@pytest.mark.parametrize(
    "day, settings", [(dt.date(2024, 3, 20), unit()), (dt.date(2025, 6, 1), unit(OEM补装宽限天数="1000"))]
)
def test_pz1_1o_within_the_grace_days_is_clean(make_ledger, check_one, day, settings):
    assert found(check_one(make_ledger(**_oem_swap(day), settings=settings))) == []


def test_pz1_1o_a_late_oem_install_alone_is_not_enough(make_ledger, check_one):
    # dates only: PC-003 is not scrapped, so nothing says the licence left a computer
    kw = _oem_swap(dt.date(2025, 6, 1))
    kw["computers"][-1] = dict(kw["computers"][-1], status="停用", scrap_date=None)
    assert found(check_one(make_ledger(**kw))) == []


# --- PZ1.1V volume Windows needs a base licence ----------------------------------------------


def _volume_windows(pc2_had_oem: bool) -> dict:
    data = default_data()
    lg = data["logs"]
    day = dt.date(2025, 1, 6)
    if pc2_had_oem:
        lg["OEM-001"].append(install("PC-002", day, user="李四", op="卸载", version="10"))
    else:
        lg["OEM-001"] = lg["OEM-001"][:1]
    lg["SY-002"] = [install("PC-002", day, user="李四", version="10")]
    details = [d for d in data["details"] if (d["computer"], d["software_no"]) != ("PC-002", "OEM-001")]
    details.append(
        dict(
            dept="办公室",
            person="李四",
            computer="PC-002",
            brand="联想",
            software_no="SY-002",
            name="Windows 10 企业版",
            version="10",
            term="永久",
            sw_type="商业软件",
            install_date=day,
        )
    )
    vl = office(
        "SY-002",
        name="Windows 10 企业版",
        version="10",
        usable_version="10",
        category="操作系统",
        license_count=5,
        serial="W10E",
        installed=1,
    )
    return dict(summary=[office(), windows(installed=1), sevenzip(), vl], logs=lg, details=details)


def test_pz1_1v_volume_windows_on_a_computer_without_oem_windows(make_ledger, check_one):
    assert found(check_one(make_ledger(**_volume_windows(pc2_had_oem=False)))) == [["PZ1.1V", "附件9 SY-002", "D7"]]


def test_pz1_1v_volume_upgrade_of_an_oem_windows_is_clean(make_ledger, check_one):
    assert found(check_one(make_ledger(**_volume_windows(pc2_had_oem=True)))) == []


# --- PZ2.3 the three general-purpose software ------------------------------------------------


def _with_antivirus(on: tuple[str, ...] = ("PC-001", "PC-002")) -> dict:
    data = default_data()
    av = sevenzip("MF-002", name="火绒安全", category="杀毒软件", installed=len(on))
    data["summary"].append(av)
    data["whitelist"].append(dict(software_no="MF-002", name="火绒安全"))
    data["logs"]["MF-002"] = [install(pc, D1, user="张三" if pc == "PC-001" else "李四") for pc in on]
    for pc in on:
        person = "张三" if pc == "PC-001" else "李四"
        data["details"].append(
            dict(
                dept="办公室",
                person=person,
                computer=pc,
                brand="联想",
                software_no="MF-002",
                name="火绒安全",
                sw_type="免费软件",
                install_date=D1,
            )
        )
    data["details"].sort(key=lambda d: d["computer"])
    data["settings"] = {}
    return {k: data[k] for k in ("summary", "whitelist", "logs", "details", "settings")}


def test_pz2_3_computers_without_antivirus(make_ledger, check_one):
    report = check_one(make_ledger(settings={}))
    assert found(report) == [["PZ2.3", CL, "B4"], ["PZ2.3", CL, "B5"]]
    assert "没有登记杀毒软件" in report.findings[0].message


def test_pz2_3_one_computer_without_antivirus(make_ledger, check_one):
    assert found(check_one(make_ledger(**_with_antivirus(on=("PC-001",))))) == [["PZ2.3", CL, "B5"]]


def test_pz2_3_all_three_registered_is_clean(make_ledger, check_one):
    assert found(check_one(make_ledger(**_with_antivirus()))) == []


def test_pz2_3_computers_not_in_use_and_servers(make_ledger, check_one):
    computers = [
        dict(computer="PC-001", ctype="台式机", user="张三", dept="办公室", status="在用"),
        dict(computer="PC-002", ctype="台式机", user="李四", dept="办公室", status="停用"),
        dict(computer="FW-01", ctype="服务器", status="在用"),
    ]
    kw = _with_antivirus(on=("PC-001",))
    # PC-002 is 停用: not checked; FW-01 has nothing: it needs an operating system and antivirus only
    report = check_one(
        make_ledger(
            computers=computers, counts=dict(total_staff=3, staff_using=2, servers=1, desktops=1, laptops=0), **kw
        )
    )
    assert [f for f in found(report) if f[0] == "PZ2.3"] == [["PZ2.3", CL, "B6"]]
    assert "没有登记操作系统、杀毒软件" in next(f.message for f in report.findings if f.rule == "PZ2.3")


def test_pz2_3_skipped_without_the_category_column(make_ledger, check_one):
    report = check_one(make_ledger(settings={}, drop_summary=("category",)))
    assert found(report) == [] and any(s.rule == "PZ2.3" for s in report.skipped)


def test_pz2_3_a_computer_with_software_of_unknown_category_is_not_judged(make_ledger, check_one):
    summary = [office(category=None, name="某业务系统"), windows(), sevenzip()]
    report = check_one(make_ledger(settings={}, summary=summary))
    assert found(report) == []


# --- PZ1.1E antivirus yearly service -----------------------------------------------------------


def _antivirus(term: str, category: str = "杀毒软件") -> list[dict]:
    av = office(
        "SY-002",
        name="360终端安全管理系统",
        version="10",
        usable_version="10",
        category=category,
        purchase_date=dt.date(2024, 1, 10),
        term=term,
        serial="AV-1",
        license_count=5,
        installed=1,
    )
    return [office(), windows(), sevenzip(), av]


def _antivirus_logs() -> dict:
    lg = default_data()["logs"]
    lg["SY-002"] = [install("PC-001", D1, version="10")]
    return lg


def _antivirus_details() -> list[dict]:
    d = default_data()["details"]
    d.insert(
        3,
        dict(
            dept="办公室",
            person="张三",
            computer="PC-001",
            brand="联想",
            software_no="SY-002",
            name="360终端安全管理系统",
            version="10",
            sw_type="商业软件",
            install_date=D1,
        ),
    )
    return d


def test_pz1_1e_antivirus_service_ended(make_ledger, check_one):
    path = make_ledger(
        summary=_antivirus("永久（含1年升级服务）"), logs=_antivirus_logs(), details=_antivirus_details()
    )
    report = check_one(path)
    assert found(report) == [["PZ1.1E", S7, "M9"]]
    assert "杀毒软件的年服务已于 2025-01-09 到期" in report.findings[0].message


@pytest.mark.parametrize(
    "term, category",
    [("永久，服务期至2027-12-31", "杀毒软件"), ("永久（含1年升级服务）", "办公软件"), ("永久", "杀毒软件")],
)
def test_pz1_1e_antivirus_service_running_or_not_antivirus_is_clean(make_ledger, check_one, term, category):
    path = make_ledger(summary=_antivirus(term, category), logs=_antivirus_logs(), details=_antivirus_details())
    assert found(check_one(path)) == []


# --- S8 settings -------------------------------------------------------------------------------


@pytest.mark.parametrize("settings", [unit(降级须登记="有时"), unit(自动审批="是"), unit(OEM补装宽限天数="-3")])
def test_s8_setting_that_cannot_be_used(make_ledger, check_one, settings):
    assert found(check_one(make_ledger(settings=settings))) == [["S8", "设置", "B3"]]


def test_s8_valid_settings_are_clean(make_ledger, check_one):
    settings = {
        "降级须登记": "全部",
        "核对三类通用软件": "否",
        "OEM补装宽限天数": "60",
        "统一部署标记": "统一部署、集中安装",
    }
    assert found(check_one(make_ledger(settings=settings))) == []


def test_settings_file_beside_the_ledger(make_ledger, check_one):
    path = make_ledger(settings={})
    (path.parent / "设置.toml").write_text('# 本单位\n核对三类通用软件 = "否"\n', encoding="utf-8")
    assert found(check_one(path)) == []  # PZ2.3 turned off by the file
    (path.parent / "设置.toml").write_text("核对三类通用软件：否\n", encoding="utf-8")
    report = check_one(path)
    assert found(report) == [["PZ2.3", CL, "B4"], ["PZ2.3", CL, "B5"], ["S8", "设置.toml", None]]  # the defaults apply


def test_the_sheet_wins_over_the_settings_file(make_ledger, check_one):
    path = make_ledger(settings={"核对三类通用软件": "否"})
    (path.parent / "设置.toml").write_text('核对三类通用软件 = "是"\n', encoding="utf-8")
    assert found(check_one(path)) == []


def test_new_rules_are_in_the_catalogue_with_sources():
    from toolkit.rules.catalogue import catalogue_rows

    rows = {r["code"]: r for r in catalogue_rows()}
    for code in NEW_RULES:
        assert rows[code]["source"], code
    assert "财行〔2013〕98号" in rows["PZ2.3"]["source"] and "国办发〔2013〕88号" in rows["PZ2.3"]["source"]
