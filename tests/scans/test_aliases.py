"""The 别名表: the seed's identities for real names, the noise filter first, a unit's sheet first, purity."""

from __future__ import annotations

import pytest

from toolkit.errors import AliasError
from toolkit.scans.aliases import AliasTable, clean_name, load_table, rows_from_sheet, seed_table

from .builders import ACROBAT, AUTOCAD, KB_UPDATE, OFFICE_2016, SOGOU, VCREDIST


@pytest.mark.parametrize(
    "name,kw,expected",
    [
        (OFFICE_2016, {}, ("Microsoft Office", "专业增强版", "2016", "商业软件", False)),
        (ACROBAT, {}, ("Adobe Acrobat", "", "", "商业软件", False)),
        (
            "Adobe Acrobat (64-bit)",
            {},
            ("Adobe Acrobat", "", "", "商业软件", False),
        ),  # renamed by a patch: same product
        (AUTOCAD, {}, ("AutoCAD", "", "2020", "商业软件", False)),
        (SOGOU, {}, ("搜狗输入法", "", "", "免费软件", False)),
        ("7-Zip 23.01 (x64)", {}, ("7-Zip", "", "", "免费软件", False)),
        ("Microsoft Windows 11 家庭中文版", {"source": "os"}, ("Microsoft Windows", "家庭版", "11", "OEM软件", True)),
        ("Microsoft Windows 10 专业版", {"source": "os"}, ("Microsoft Windows", "专业版", "10", "OEM软件", False)),
        (
            "Microsoft Office (HomeStudent2019Retail)",
            {"key": "HomeStudent2019Retail", "source": "c2r"},
            ("Microsoft Office", "家庭和学生版", "2019", "商业软件", True),
        ),
        (
            "Microsoft Office 专业增强版 2021 - zh-cn",
            {"key": "ProPlus2021Volume - zh-cn"},
            ("Microsoft Office", "专业增强版", "2021", "商业软件", False),
        ),
        (
            "WPS Office",
            {"key": "Kingsoft Office", "scope": "user", "source": "registry"},
            ("WPS Office", "个人版", "", "商业软件", True),
        ),
        (
            "WPS Office",
            {"key": "Kingsoft Office", "scope": "machine", "source": "registry"},
            ("WPS Office", "", "", "商业软件", False),
        ),
        (
            "cn.wps.wps-office",
            {"key": "cn.wps.wps-office", "source": "dpkg"},
            ("WPS Office", "个人版", "", "商业软件", True),
        ),
        (
            "cn.wps.wps-office-pro",
            {"key": "cn.wps.wps-office-pro", "source": "dpkg"},
            ("WPS Office", "专业版", "", "商业软件", False),
        ),
        ("统信 UOS 20 家庭版", {"source": "os"}, ("统信 UOS", "家庭版", "", "商业软件", True)),
        (
            "Microsoft Office Famille et Petite Entreprise 2010",
            {},
            ("Microsoft Office", "小型企业版", "2010", "商业软件", False),
        ),
    ],
)
def test_seed_identities(name, kw, expected):
    ident = seed_table().identify(name, **kw)
    assert ident is not None and ident.known
    assert (ident.product, ident.edition, ident.version, ident.kind, ident.consumer) == expected


@pytest.mark.parametrize(
    "name,kw",
    [
        (KB_UPDATE, {}),
        ("KB4019215", {}),
        ("2025-11 Security Update (KB5068861) (26100.7171)", {}),
        (VCREDIST, {}),
        ("Microsoft Visual C++ 2013 x86 Minimum Runtime - 12.0.21005", {}),
        ("Microsoft Visual Studio 2010 Tools for Office Runtime (x64)", {}),
        ("Office 16 Click-to-Run Extensibility Component", {}),
        ("Dell, Inc. Driver Update (25.0.1.1)", {}),
        ("Microsoft Office Proofing Tools", {"parent": "Office16.PROPLUS"}),
        ("Any Tool", {"system_component": "1"}),
        ("Any Tool", {"release_type": "Hotfix"}),
        ("oldpkg", {"status": "rc", "source": "dpkg"}),
        ("libc6", {"source": "dpkg", "key": "libc6"}),
        ("somelib", {"source": "dpkg", "scope": "system"}),
    ],
)
def test_noise_is_dropped(name, kw):
    assert seed_table().identify(name, **kw) is None


def test_not_noise_when_the_flag_is_off():
    t = seed_table()
    assert t.identify("Any Tool", system_component="0") is not None
    assert t.identify("Any Tool", status="ii", source="dpkg") is not None


def test_unknown_names_are_cleaned_and_marked():
    ident = seed_table().identify("FusionInventory Agent 2.3.19 (x64 edition)")
    assert ident is not None and not ident.known and ident.product == "FusionInventory Agent" and ident.kind is None
    assert clean_name("OpenVPN 2.3.8-I001 ") == "OpenVPN"
    assert clean_name("Mozilla Firefox 123.0.1 (x64 de)") == "Mozilla Firefox"


def test_identify_is_pure_and_memoised():
    t = seed_table()
    assert t.identify(SOGOU) == t.identify(SOGOU)
    assert t.identify.cache_info().hits > 0


def test_a_units_sheet_comes_first_and_overrides_the_seed():
    sheet = [
        ["别名表"],
        ["名称", "发布者", "键名", "产品", "版本类别", "软件类型", "个人或家庭版"],
        ["Foo*Tool", None, None, "Foo 工具", None, "免费软件", None],
        ["搜狗输入法", None, None, "搜狗输入法", None, "忽略", None],
        ["re:^wps office$", None, None, "WPS Office", "个人版", "商业软件", "是"],
    ]
    rows = rows_from_sheet(sheet)
    assert [r.origin for r in rows] == ["工作表“别名表”D3", "工作表“别名表”D4", "工作表“别名表”D5"]
    t = seed_table().with_rows_first(rows)
    assert t.identify("Foo Bar Tool 2.0").product == "Foo 工具"  # type: ignore[union-attr]
    assert t.identify(SOGOU) is None
    assert t.identify("WPS Office").consumer  # type: ignore[union-attr]
    assert seed_table().identify(SOGOU) is not None  # the seed itself is unchanged


def test_bad_rows_name_their_place(tmp_path):
    with pytest.raises(AliasError, match="D3.*正则表达式"):
        rows_from_sheet([[None], ["名称", "x", "x", "产品"], ["re:(", None, None, "Y"]])
    with pytest.raises(AliasError, match="软件类型"):
        rows_from_sheet([["名称", "产品", "软件类型"], ["a", "A", "收费"]])
    with pytest.raises(AliasError, match="找不到表头"):
        rows_from_sheet([["随便", "写写"]])
    bad = tmp_path / "t.toml"
    bad.write_text('form = "别名表"\ntitle = ""\n[[rules]]\nname = "("\nproduct = "X"\nkind = "免费软件"\n', "utf-8")
    with pytest.raises(AliasError, match="t.toml 第 1 条规则"):
        load_table(bad)


def test_first_match_wins():
    a = rows_from_sheet([["名称", "产品", "软件类型"], ["office", "甲", "商业软件"], ["office", "乙", "商业软件"]])
    t = AliasTable(a, seed_table().noise)
    assert t.identify("Office").product == "甲"  # type: ignore[union-attr]
