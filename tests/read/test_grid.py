"""The grid: merged ranges filled from their top-left value."""

from __future__ import annotations

import random

from toolkit.read.grid import Grid


def _naive(rows: list[list], merges) -> list[list]:
    """Reference: cell by cell, as docs/forms.md words it, within the grid's width (its widest row)."""
    out = [list(r) for r in rows]
    width = max((len(r) for r in rows), default=0)
    for r1, c1, r2, c2 in merges:
        c2 = min(c2, width - 1)
        if r1 >= len(out) or c2 < c1:
            continue
        top = out[r1][c1] if c1 < len(out[r1]) else None
        for r in range(r1, min(r2, len(out) - 1) + 1):
            while len(out[r]) <= c2:
                out[r].append(None)
            for c in range(c1, c2 + 1):
                out[r][c] = top
    return out


def test_fill_merges_matches_cell_by_cell_reference():
    rnd = random.Random(7)
    for _ in range(200):
        height = rnd.randint(1, 12)
        rows = [[rnd.choice([None, "", "甲", 3, 4.5]) for _ in range(rnd.randint(0, 8))] for _ in range(height)]
        merges = []
        for _ in range(rnd.randint(0, 4)):
            r1, c1 = rnd.randint(0, height + 1), rnd.randint(0, 9)
            merges.append((r1, c1, r1 + rnd.randint(0, 4), c1 + rnd.randint(0, 3)))
        grid = Grid("表", [list(r) for r in rows], merges)
        grid.fill_merges()
        assert grid.rows == _naive(rows, merges), (rows, merges)


def test_fill_merges_vertical_and_horizontal():
    grid = Grid(
        "附件8", [["张三", "PC-1", "WPS"], [None, None, "7-Zip"], [None, None, "360"]], [(0, 0, 2, 0), (0, 1, 1, 1)]
    )
    grid.fill_merges()
    assert [r[:2] for r in grid.rows] == [["张三", "PC-1"], ["张三", "PC-1"], ["张三", None]]


def test_a_merge_wider_than_the_data_is_clipped_to_it():
    """A merged range A1:XFD100000 over one column must not widen each row to 16,384 cells."""
    rows = [[i] for i in range(1000)]
    grid = Grid("附件8", rows, [(0, 0, 999, 16383)])
    grid.fill_merges()
    assert all(r == [0] for r in grid.rows)


def test_a_merge_within_the_data_fills_every_cell():
    grid = Grid("附件8", [["甲", None, None], [None, None, "x"]], [(0, 0, 1, 1)])
    grid.fill_merges()
    assert grid.rows == [["甲", "甲", None], ["甲", "甲", "x"]]
