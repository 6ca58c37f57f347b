"""A1 cell addresses: the one home for column letters and cell references (pure Python, no I/O)."""

from __future__ import annotations

import re
from functools import cache

_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


@cache
def col_letter(col: int) -> str:
    """1-based column number to its letters (1 → A, 28 → AB)."""
    out = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


@cache
def col_number(letters: str) -> int:
    """Column letters to the 1-based number (``A`` → 1, ``ab`` → 28)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def a1(row: int, col: int) -> str:
    """A1 address of a 1-based (row, col): (12, 28) → ``AB12``."""
    return f"{col_letter(col)}{row}"


def parse_a1(cell: str | None) -> tuple[int, int] | None:
    """``B12`` (``$`` allowed) → (12, 2); ``None`` for anything that is not a single cell."""
    m = _A1.match(cell or "")
    return (int(m[2]), col_number(m[1])) if m else None


def split_ref(ref: str) -> tuple[int, int]:
    """Like :func:`parse_a1`, but a text that is not a cell address raises ``ValueError``."""
    pos = parse_a1(ref)
    if pos is None:
        raise ValueError(f"不是单元格地址：{ref!r}")
    return pos


def sheet_ref(sheet: str, cell: str) -> str:
    """An internal hyperlink location: ``'附件7 汇总表'!B12``."""
    return "'" + sheet.replace("'", "''") + "'!" + cell
