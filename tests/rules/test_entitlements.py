"""The judgement behind the licence rules: editions from the product dictionary, version bounds, settings."""

from __future__ import annotations

import datetime as dt

import pytest

from toolkit.entitlements import major, usable_bounds
from toolkit.model import Ledger, Setting
from toolkit.normalize import to_term
from toolkit.products import edition_of, families_of
from toolkit.settings import Settings, setting_specs, unit_settings


@pytest.mark.parametrize(
    "name, edition",
    [
        ("Windows 10 家庭中文版", "Windows 家庭版"),
        ("Microsoft Windows 11 Home", "Windows 家庭版"),
        ("HomeStudent2019Retail", None),  # a C2R product id alone names no Office family
        ("Microsoft Office HomeStudent2019Retail", "Office 家庭和学生版"),
        ("Microsoft 365 家庭版", "Microsoft 365 家庭版"),
        ("WPS Office 2019 个人版", "WPS 个人版"),
        ("cn.wps.wps-office", "WPS 个人版"),
        ("统信 UOS 家庭版", "UOS 家庭版"),
        ("Microsoft Office 家庭和企业版 2019", None),
        ("Windows 10 专业版", None),
        ("Windows Server 2019 Essentials", None),
        ("WPS Office 2019 专业版", None),
        ("cn.wps.wps-office-pro", None),
    ],
)
def test_edition_of(name, edition):
    found = edition_of(name)
    assert (found.label if found else None) == edition
    assert found is None or found.consumer


def test_families():
    assert families_of("Windows 10 企业版") == ("Windows",)
    assert families_of("Windows Server 2022 标准版") == ()
    assert "Office" in families_of("Microsoft Office 专业增强版 2019") and families_of("WPS Office") == ("WPS",)


@pytest.mark.parametrize(
    "text, bounds",
    [
        ("2019", (2019, 2019)),
        ("2016-2019", (2016, 2019)),
        ("2016至2021", (2016, 2021)),
        ("2019及以下", (None, 2019)),
        ("V13.0", (13, 13)),
        ("不限", (None, None)),
        ("最新版", (None, None)),
        (None, (None, None)),
        ("DC", (None, None)),
    ],
)
def test_usable_bounds(text, bounds):
    assert usable_bounds(text) == bounds


def test_major_version():
    assert [major(v) for v in ("2019", "V13.0", "13.0.1", "DC", None, "Windows 10 21H2")] == [
        2019,
        13,
        13,
        None,
        None,
        10,
    ]


def test_service_period_beside_the_licence():
    assert to_term("永久（含1年升级服务）").service_end(dt.date(2024, 5, 6)) == dt.date(2025, 5, 5)
    assert to_term("永久，服务期至2025-12-31").service_end(None) == dt.date(2025, 12, 31)
    assert to_term("3年（含1年服务）").end_date(dt.date(2024, 1, 1)) == dt.date(2026, 12, 31)
    assert to_term("永久").service is None
    assert to_term("服务1年") is None and to_term("永久（服务）") is None


def test_settings_defaults_are_the_schema_defaults():
    assert unit_settings(Ledger("x")) == Settings()
    assert {s.name for s in setting_specs()} == {"降级须登记", "核对三类通用软件", "OEM补装宽限天数", "统一部署标记"}


def test_settings_read_aliases_and_report_what_they_cannot_use():
    ledger = Ledger("x")
    ledger.settings = {
        "降级登记": Setting("全部", "设置", "B2"),
        "统一部署标记": Setting("统一部署、集中安装", "设置", "B3"),
        "OEM补装宽限天数": Setting("很多", "设置", "B4"),
    }
    s = unit_settings(ledger)
    assert s.downgrade_record == "全部" and s.unified_words == ("统一部署", "集中安装") and s.oem_grace_days == 30
    assert [p.setting.cell for p in s.problems] == ["B4"]
