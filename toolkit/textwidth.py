"""How wide text prints in a worksheet column, and how many lines it wraps to (pure Python).

Column widths count characters of the workbook's 11-point default font; a CJK character takes two.
Writers use this to size columns and rows so wrapped Chinese text shows whole; it imports nothing
else, so the xlwings Lite core can use it too.
"""

from __future__ import annotations

import math
import unicodedata

FORM_FONT_SIZE = 10  # the forms' body text


def label_width(text: str) -> int:
    """Column width (in Excel's character units) that one line of ``text`` takes: CJK counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_lines(text: str, width: float, size: float = FORM_FONT_SIZE) -> int:
    """Lines ``text`` wraps to in a column ``width`` characters wide at font ``size`` (CJK counts two)."""
    per_line = max(1.0, width * 11 / size - 1)  # widths count 11-point digits
    return sum(max(1, math.ceil(label_width(part) / per_line)) for part in text.split("\n"))
