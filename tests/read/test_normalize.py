"""The reader's normalisation (docs/forms.md, "What a reader accepts"): dates, numbers, blanks, headers, terms,
ticks."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.normalize import (
    EXCEL_EPOCH,
    PERPETUAL,
    Term,
    clean,
    header_key,
    is_blank,
    is_tick,
    norm_key,
    text,
    to_date,
    to_int,
    to_number,
    to_term,
)

D = dt.date(2023, 5, 6)
FW = str.maketrans("0123456789-./", "０１２３４５６７８９－．／")


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        45052,  # Excel serial of 2023-05-06
        45052.0,
        45052.75,  # a serial with a time of day
        "45052",
        D,
        dt.datetime(2023, 5, 6),
        dt.datetime(2023, 5, 6, 14, 30),
        "2023-05-06",
        "2023-5-6",
        "2023/5/6",
        "2023/05/06",
        "2023年5月6日",
        "2023年05月06日",
        "2023 年 5 月 6 日",
        "2023.5.6",
        "2023.05.06",
        "20230506",
        "２０２３年５月６日",
        "２０２３－０５－０６",
        "2023-05-06 00:00:00",
        "　2023-05-06 ",
    ],
)
def test_date_forms(value):
    assert to_date(value) == D


@pytest.mark.parametrize("value", ["2023.5", "2023年5月", "2023-5", "2023/5", "２０２３．５"])
def test_year_and_month_is_first_of_month(value):
    assert to_date(value) == dt.date(2023, 5, 1)


@pytest.mark.parametrize(
    "value",
    [None, "", "--", "明年", "2023-13-01", "2023-02-30", "2023年", "5月6日", True, False, 0, -1, "abc", "2023-05-06至"],
)
def test_not_a_date(value):
    assert to_date(value) is None


@pytest.mark.parametrize("value", [2023, 2023.0, "2023", "１９９９"])
def test_a_bare_year_is_not_an_excel_serial(value):
    # 2023 as a serial is 1905-07-15: nobody means that in a ledger; reading it silently hides the S4
    assert to_date(value) is None


def test_serial_epoch():
    assert to_date(1) == EXCEL_EPOCH + dt.timedelta(days=1)
    assert to_date(61) == dt.date(1900, 3, 1)
    assert to_date(2958465) == dt.date(9999, 12, 31)
    assert to_date(2958466) is None


TEXT_FORMS = [
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: d.strftime("%Y%m%d"),
    lambda d: f"{d.year}年{d.month}月{d.day}日".translate(FW),
    lambda d: d.isoformat().translate(FW),
]

dates = st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31))


@pytest.mark.parametrize("form", range(len(TEXT_FORMS)))
@given(day=dates)
def test_any_date_round_trips_through_text(form, day):
    assert to_date(TEXT_FORMS[form](day)) == day


@given(day=st.dates(min_value=dt.date(1928, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_any_date_round_trips_through_its_serial(day):
    # serials 1000..9999 (1902..1927) read as a typed year instead: see test_a_bare_year_is_not_an_excel_serial
    serial = (day - EXCEL_EPOCH).days
    assert to_date(serial) == day
    assert to_date(float(serial) + 0.5) == day
    assert to_date(str(serial)) == day


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12800, 12800.0),
        (12800.5, 12800.5),
        ("12800", 12800.0),
        ("12,800.00", 12800.0),
        ("1.28万", 12800.0),
        ("1.28 万元", 12800.0),
        ("￥300", 300.0),
        ("¥300", 300.0),
        ("300元", 300.0),
        ("１２８００", 12800.0),
        ("　12,800 ", 12800.0),
        ("5台", 5.0),
        ("10套", 10.0),
        ("0", 0.0),
        (".5", 0.5),
    ],
)
def test_numbers_stored_as_text(value, expected):
    assert to_number(value) == expected


@pytest.mark.parametrize(
    "value", [None, "", "--", "十", "abc", "1.2.3", "12,800元整", True, dt.date(2023, 5, 6), "1e5"]
)
def test_not_a_number(value):
    assert to_number(value) is None


def test_to_int():
    assert to_int("10") == 10
    assert to_int(10.0) == 10
    assert to_int("1万") == 10000
    assert to_int("10.5") is None
    assert to_int("不限") is None


@given(st.text())
def test_to_number_never_raises(value):
    n = to_number(value)
    assert n is None or isinstance(n, float)
    to_int(value)


@given(st.text())
def test_to_date_and_term_never_raise(value):
    to_date(value)
    to_term(value)


# --- blanks --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [None, "", " ", "　", "--", "—", "——", "-", "－", "/", "／", "无", " 无 ", "　--　", "\n"]
)
def test_blank(value):
    assert is_blank(value)
    assert text(value) is None


@pytest.mark.parametrize("value", ["0", 0, "无线网卡", "-1", "a", "N-1", dt.date(2023, 5, 6)])
def test_not_blank(value):
    assert not is_blank(value)
    assert text(value) is not None


# --- text ----------------------------------------------------------------------------------


def test_clean():
    assert clean("　Microsoft　 Office\n2019 ") == "Microsoft Office 2019"
    assert clean("ＷＰＳ　Ｏｆｆｉｃｅ") == "WPS Office"
    assert clean(12800.0) == "12800"
    assert clean(dt.datetime(2023, 5, 6)) == "2023-05-06"
    assert clean(None) == ""
    assert norm_key("ＷＰＳ  office") == norm_key("wps Office")


@given(st.text())
def test_clean_is_idempotent(value):
    once = clean(value)
    assert clean(once) == once
    assert norm_key(norm_key(value)) == norm_key(value)


@given(st.text())
def test_header_key_is_idempotent(value):
    assert header_key(header_key(value)) == header_key(value)


# --- headers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "采购金额",
        "采购金额（元）",
        "采购金额(元)",
        "采购金额(单位:元)",
        "采购金额（单位：元）",
        "采购 金额",
        "采购　金额",
        "采购\n金额",
        " 采购金额 ",
        "采购金额：",
        "采购金额*",
    ],
)
def test_header_keys_are_one_column(value):
    assert header_key(value) == header_key("采购金额")


def test_header_keys_differ():
    assert header_key("采购时间") != header_key("采购金额")
    assert header_key("Ｓｏｆｔ") == header_key("soft")


# --- 许可期限 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "term"),
    [
        ("永久", PERPETUAL),
        ("永久授权", PERPETUAL),
        ("2027-12-31", Term(end=dt.date(2027, 12, 31))),
        ("2027年12月31日", Term(end=dt.date(2027, 12, 31))),
        (dt.date(2027, 12, 31), Term(end=dt.date(2027, 12, 31))),
        (dt.datetime(2027, 12, 31), Term(end=dt.date(2027, 12, 31))),
        (46752, Term(end=dt.date(2027, 12, 31))),
        ("2024-01-01至2026-12-31", Term(start=dt.date(2024, 1, 1), end=dt.date(2026, 12, 31))),
        ("2024-01-01 至 2026-12-31", Term(start=dt.date(2024, 1, 1), end=dt.date(2026, 12, 31))),
        ("2024年1月1日至2026年12月31日", Term(start=dt.date(2024, 1, 1), end=dt.date(2026, 12, 31))),
        ("2024.1.1-2026.12.31", Term(start=dt.date(2024, 1, 1), end=dt.date(2026, 12, 31))),
        ("2024/1/1-2026/12/31", Term(start=dt.date(2024, 1, 1), end=dt.date(2026, 12, 31))),
        ("2024-01-01-2026-12-31", Term(start=dt.date(2024, 1, 1), end=dt.date(2026, 12, 31))),
        ("2024.1.1—2026.12.31", Term(start=dt.date(2024, 1, 1), end=dt.date(2026, 12, 31))),
        ("2024-01-01~2026-12-31", Term(start=dt.date(2024, 1, 1), end=dt.date(2026, 12, 31))),
        ("３年", Term(years=3)),
        ("3年", Term(years=3)),
        ("3 年", Term(years=3)),
    ],
)
def test_terms(value, term):
    assert to_term(value) == term


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "很久",
        "2026-12-31至2024-01-01",
        "0年",
        "10000年",
        pytest.param("9" * 5000 + "年", id="5000-digit-years"),
        "2024-01-01至",
        "三年",
    ],
)
def test_not_a_term(value):
    assert to_term(value) is None


def test_term_end_dates():
    assert Term(years=3).end_date(dt.date(2023, 5, 6)) == dt.date(2026, 5, 5)
    assert Term(years=1).end_date(dt.date(2024, 2, 29)) == dt.date(2025, 2, 27)
    assert Term(years=3).end_date(None) is None
    assert PERPETUAL.end_date(dt.date(2023, 5, 6)) is None
    assert to_term("2024.1.1-2026.12.31").end_date(None) == dt.date(2026, 12, 31)  # type: ignore[union-attr]


# --- ticks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["√", "✓", "✔", "是", "Y", "y", "1", 1, 1.0, "●", " √ ", "１", True])
def test_ticks(value):
    assert is_tick(value)


@pytest.mark.parametrize("value", [None, "", "否", "N", "×", "✗", "x", 0, "0", 2, "--", False])
def test_not_ticks(value):
    assert not is_tick(value)


def _clean_reference(value: str) -> str:
    """The definition of clean text: full-width to half-width, white space runs to one space, trimmed."""
    import re

    from toolkit.normalize import _FULLWIDTH

    return re.sub(r"\s+", " ", value.translate(_FULLWIDTH)).strip()


def test_clean_agrees_with_its_definition_on_every_character():
    for cp in range(0x10000):
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        for value in (c, f"a{c}b", f"中{c}{c}文 ", f"{c}Ｗ"):
            assert clean(value) == _clean_reference(value), hex(cp)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20))
def test_clean_agrees_with_its_definition(value):
    assert clean(value) == _clean_reference(value)
