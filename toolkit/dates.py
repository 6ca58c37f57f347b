"""Dates as the forms print them: the one home of ``2026年6月30日`` and of its blank ``＿＿年＿＿月＿＿日``.

Reading the many ways people write a date is :func:`toolkit.normalize.to_date`.
"""

from __future__ import annotations

import datetime as dt

BLANK_LINE = "＿＿"  # the blank a form leaves for a person to write on
DATE_FORMAT = "{year}年{month}月{day}日"


def date_text(day: dt.date | None, fmt: str = DATE_FORMAT) -> str:
    """``2026年6月30日`` (or ``fmt`` with year/month/day); the form's blank ``＿＿年＿＿月＿＿日`` for ``None``."""
    if day is None:
        return fmt.format(year=BLANK_LINE, month=BLANK_LINE, day=BLANK_LINE)
    return fmt.format(year=day.year, month=day.month, day=day.day)
