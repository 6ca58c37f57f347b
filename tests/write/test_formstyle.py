"""Row heights of the rows written into a form: wrapped text that needs more lines gets a taller row."""

from __future__ import annotations

import datetime as dt

from toolkit.textwidth import text_lines
from toolkit.write.formstyle import LINE_HEIGHT, ROW_PAD, fitted_heights

LONG = "某某单位信息技术中心办公自动化系统维护组" * 3


def test_a_row_takes_the_lines_of_its_tallest_wrapped_cell() -> None:
    rows: list[list[object]] = [
        [1, "短", LONG],
        [2, LONG + LONG, "短"],
        [3],  # shorter than the wrapped columns
        [4, "", None],
        [5, dt.date(2026, 6, 30), 12345],
    ]
    widths = {2: 10.0, 3: 20.0}
    got = fitted_heights(rows, widths, [2, 3])
    tall = [max(text_lines(LONG, 20.0), 1), text_lines(LONG + LONG, 10.0)]
    assert all(k > 1 for k in tall)
    assert got == [LINE_HEIGHT * tall[0] + ROW_PAD, LINE_HEIGHT * tall[1] + ROW_PAD, None, None, None]


def test_one_line_rows_get_no_height() -> None:
    assert fitted_heights([["甲", "乙"], ["丙"]], {}, [1, 2]) == [None, None]
    assert fitted_heights([], {}, [1]) == []
    assert fitted_heights([[LONG]], {1: 8.0}, []) == [None]
