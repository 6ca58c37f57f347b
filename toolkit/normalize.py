"""Value normalisation shared by the reader and the rules.

Every function here is pure and total: it never raises on odd input, it returns ``None``
(or a sentinel) and lets the caller decide whether that is a finding. The rules in
``docs/rules.md`` compare text after :func:`norm_key`; the reader displays :func:`clean`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

# Full-width ASCII (U+FF01..U+FF5E) to half-width, ideographic space to space.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_FULLWIDTH[0x00A0] = 0x20
_BLANK_RE = re.compile(r"^[-—–－―/／\\_＿\s]*$")
_BLANK_WORDS = frozenset({"无", "空", "n/a", "na", "none", "null", "不适用"})
_BLANK_WORD_MAX = max(map(len, _BLANK_WORDS))
_HAS_FULLWIDTH = re.compile("[" + "".join(map(chr, sorted(_FULLWIDTH))) + "]")

EXCEL_EPOCH = dt.date(1899, 12, 30)
_MAX_SERIAL = 2958465  # 9999-12-31


def clean(value: object) -> str:
    """Text of a cell for display and parsing: half-width, trimmed, inner spaces collapsed."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _clean_str(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time, dt.timedelta, int)):
        return str(value)
    return _clean_str(str(value))


@lru_cache(maxsize=65536)
def _clean_str(value: str) -> str:
    # same as re.sub(r"\s+", " ", value.translate(_FULLWIDTH)).strip(), five times faster: str.split()
    # and re's \s agree on white space, and only non-ASCII text can hold a full-width character
    if not value.isascii() and _HAS_FULLWIDTH.search(value):
        value = value.translate(_FULLWIDTH)
    return " ".join(value.split())


def is_blank(value: object) -> bool:
    """True for an empty cell or one holding only ``--``, ``—``, ``-``, ``/`` or ``无``."""
    if value is None:
        return True
    if isinstance(value, str):
        return _blank_str(value)
    return False


@lru_cache(maxsize=65536)
def _blank_str(value: str) -> bool:
    text = _clean_str(value)
    return bool(_BLANK_RE.match(text)) or (len(text) <= _BLANK_WORD_MAX and text.lower() in _BLANK_WORDS)


def text(value: object) -> str | None:
    """Cleaned text, or ``None`` when the cell counts as blank."""
    if is_blank(value):
        return None
    return clean(value) or None


@lru_cache(maxsize=65536)
def norm_key(value: str) -> str:
    """Comparison key of docs/rules.md: cleaned and case-folded."""
    return _clean_str(value).casefold()


@lru_cache(maxsize=4096)
def header_key(value: str) -> str:
    """Header comparison key: no white space at all, no bracketed unit, case-folded."""
    s = _clean_str(value).translate(_FULLWIDTH)
    s = re.sub(r"[（(][^）)]*[）)]", "", s)
    s = re.sub(r"\s+", "", s)
    return s.casefold().rstrip(":：*")


# --- numbers -------------------------------------------------------------------------------

_NUM_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def to_number(value: object) -> float | None:
    """A number from a cell: numbers, and text like ``12,800.00``, ``1.28万``, ``￥300``, ``5台``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        return None
    return _number_str(value)


@lru_cache(maxsize=65536)
def _number_str(value: str) -> float | None:
    s = _clean_str(value).replace(",", "").replace(" ", "")
    s = s.lstrip("¥￥").removesuffix("元")
    factor = 1.0
    if s.endswith("万"):
        factor, s = 10000.0, s[:-1]
    s = re.sub(r"(个|套|台|份|人|户|点|用户|节点)$", "", s)
    if not _NUM_RE.match(s):
        return None
    return float(s) * factor


def to_int(value: object) -> int | None:
    """A whole number, or ``None`` when the value is not one."""
    n = to_number(value)
    if n is None or not n.is_integer():
        return None
    return int(n)


# --- dates ---------------------------------------------------------------------------------

_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_MONTH_PATTERN = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")


def serial_to_date(serial: float) -> dt.date | None:
    """An Excel serial day number (1900 date system) to a date."""
    if not 1 <= serial <= _MAX_SERIAL:
        return None
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def to_date(value: object) -> dt.date | None:
    """A date from an Excel date, an Excel serial, or text in the forms listed in docs/forms.md."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _serial_date(float(value))
    if isinstance(value, str):
        return _date_str(value)
    return None


_YEAR_PATTERN = re.compile(r"^(\d{4})年?$")


def to_partial_date(value: object) -> dt.date | None:
    """A date as :func:`to_date` reads it, or a year alone (``2019``, ``2019年``) as its 1 January.

    For columns that record when something was bought, where a year or a month is often all
    that is known (a year and month already reads as the first of the month).
    """
    day = to_date(value)
    if day is not None or isinstance(value, bool):
        return day
    if isinstance(value, (int, float)) and float(value).is_integer():
        return _safe_date(int(value), 1, 1) if 1900 <= value <= 2999 else None
    if isinstance(value, str):
        m = _YEAR_PATTERN.match(_clean_str(value).replace(" ", ""))
        if m and 1900 <= int(m[1]) <= 2999:
            return _safe_date(int(m[1]), 1, 1)
    return None


def _serial_date(serial: float) -> dt.date | None:
    # A four-digit whole number is a year someone typed (采购时间 "2023"), not serial 2023 = 1905-07-15:
    # reading it as a serial would hide the S4 behind a wrong date.
    if serial.is_integer() and 1000 <= serial <= 9999:
        return None
    return serial_to_date(serial)


@lru_cache(maxsize=65536)
def _date_str(value: str) -> dt.date | None:
    s = _clean_str(value).replace(" ", "") if "年" in value else _clean_str(value)
    for pattern in _DATE_PATTERNS:
        m = pattern.match(s)
        if m:
            return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    m = _MONTH_PATTERN.match(s)
    if m:
        return _safe_date(int(m[1]), int(m[2]), 1)
    if _NUM_RE.match(s):
        return _serial_date(float(s))
    return None


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


# --- licence terms -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Term:
    """A parsed 许可期限: ``perpetual``, an inclusive ``end`` date, or ``years`` from purchase."""

    perpetual: bool = False
    end: dt.date | None = None
    start: dt.date | None = None
    years: int | None = None
    service: Term | None = None  # a service period written beside the licence: 永久（含1年升级服务）

    def end_date(self, purchased: dt.date | None) -> dt.date | None:
        """The last day of the licence (inclusive), or ``None`` when it never ends or is unknown."""
        if self.perpetual:
            return None
        if self.end is not None:
            return self.end
        if self.years is not None and purchased is not None:
            return add_years(purchased, self.years) - dt.timedelta(days=1)
        return None

    def service_end(self, purchased: dt.date | None) -> dt.date | None:
        """The last day of the service period written beside the licence (antivirus updates), if any."""
        return self.service.end_date(purchased) if self.service is not None else None


PERPETUAL = Term(perpetual=True)
_RANGE_SPLIT = re.compile(r"\s*(?:至|到|~|～|—|–|--|－)\s*")
_YEARS = re.compile(r"^(\d{1,3})\s*(?:年(?:期)?)?$")
_MAX_YEARS = 100  # "10000年" is a typo, and past year 9999 the end date cannot be computed
_DATE_CHUNK = r"\d{4}\s*[./年-]\s*\d{1,2}\s*[./月-]\s*\d{1,2}\s*日?"
_DASH_RANGE = re.compile(rf"^({_DATE_CHUNK})\s*-\s*({_DATE_CHUNK})$")


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus whole years; 29 February falls back to 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def to_term(value: object) -> Term | None:
    """A 许可期限 from text or a date; ``None`` when it cannot be read.

    A bare whole number up to 100 (``3``) is a number of years, as units write it, not an Excel
    date serial of 1900; larger numbers are serials (a date cell stored without its format).
    """
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and float(value).is_integer()
        and 0 < value <= _MAX_YEARS
    ):
        return Term(years=int(value))
    if isinstance(value, (dt.date, int, float)) and not isinstance(value, bool):
        end = to_date(value)
        return Term(end=end) if end else None
    if not isinstance(value, str):
        return None
    return _term_str(value)


_SERVICE_SPLIT = re.compile(r"[（(，,；;]")
_SERVICE_YEARS = re.compile(r"(\d{1,2})\s*年")
_SERVICE_DATE = re.compile(_DATE_CHUNK)


def _with_service(s: str) -> Term | None:
    """``永久（含1年升级服务）``, ``永久，服务期至2025-12-31``: the licence, and its service period beside it."""
    head = _SERVICE_SPLIT.split(s, maxsplit=1)[0].strip()
    tail = s[len(head) :]
    if not head or "服务" not in tail:
        return None
    licence = _term_str(head)
    if licence is None or licence.service is not None:
        return None
    m = _SERVICE_DATE.search(tail)
    if m:
        end = _date_str(m[0])
        service = Term(end=end) if end else None
    else:
        y = _SERVICE_YEARS.search(tail)
        service = Term(years=int(y[1])) if y and 1 <= int(y[1]) <= _MAX_YEARS else None
    if service is None:
        return None
    return Term(licence.perpetual, licence.end, licence.start, licence.years, service)


@lru_cache(maxsize=4096)
def _term_str(value: str) -> Term | None:
    s = _clean_str(value)
    if "服务" in s:
        return _with_service(s)
    if s in {"永久", "永久许可", "永久授权", "长期", "无限期", "终身"}:
        return PERPETUAL
    m = _YEARS.match(s)
    if m:
        years = int(m[1])
        return Term(years=years) if 1 <= years <= _MAX_YEARS else None
    end = _date_str(s)
    if end:
        return Term(end=end)
    # a range: 2024-01-01至2026-12-31, 2024.1.1-2026.12.31
    parts = [p for p in _RANGE_SPLIT.split(s) if p]
    if len(parts) != 2:
        m2 = _DASH_RANGE.match(s)
        if not m2:
            return None
        parts = [m2[1], m2[2]]
    start, end = _date_str(parts[0]), _date_str(parts[1])
    if start is None or end is None or end < start:
        return None
    return Term(start=start, end=end)


# --- ticks ---------------------------------------------------------------------------------

_TICKS = frozenset({"√", "✓", "✔", "☑", "是", "y", "yes", "1", "●", "v", "■", "true"})


def is_tick(value: object) -> bool:
    """True when a tick column's cell is ticked (``√ ✓ ✔ 是 Y 1 ●`` and friends)."""
    if value is None or value == "":
        return False
    if value is True:
        return True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value == 1
    return clean(value).casefold() in _TICKS
