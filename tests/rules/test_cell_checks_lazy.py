"""Start-up: the S3–S5 cell checks import pandas and pandera only for a form with a failing cell, and
``check`` never imports openpyxl (nor numpy through it), nor multiprocessing for a small ledger."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from tests.helpers.factory import office, sevenzip, windows
from toolkit.rules.workbook import _all_pass, _Bools

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import datetime as dt, json, sys
from toolkit import check_file
report = check_file(sys.argv[1], dt.date(2026, 6, 30))
heavy = ("numpy", "openpyxl", "pandas", "pandera", "multiprocessing")
print(json.dumps({"rules": sorted({f.rule for f in report.findings}),
                  "loaded": sorted(m for m in heavy if m in sys.modules)}))
"""


def probe(path: Path) -> dict:
    """Check ``path`` in a fresh process: the rules found and which heavy libraries got imported."""
    out = subprocess.run([sys.executable, "-c", PROBE, str(path)], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_a_ledger_whose_cells_all_pass_is_checked_without_pandas_pandera_or_openpyxl(make_ledger):
    result = probe(make_ledger())
    assert result["loaded"] == []
    assert not {"S3", "S4", "S5"} & set(result["rules"])


def test_a_failing_cell_is_validated_by_pandera(make_ledger):
    result = probe(make_ledger(summary=[office(amount="一万"), windows(), sevenzip()]))
    assert {"pandas", "pandera"} <= set(result["loaded"]) and "openpyxl" not in result["loaded"]
    assert "S4" in result["rules"]


def test_the_list_columns_give_what_pandas_gives():
    """``~ & |`` over lists, with a bool on either side, agree with the same operations on pandas columns."""
    a, b = [True, True, False, False], [True, False, True, False]
    frame, lists = pd.DataFrame({"a": a, "b": b}), {"a": _Bools(a), "b": _Bools(b)}
    exprs = [
        lambda d: ~d["a"],
        lambda d: d["a"] & d["b"],
        lambda d: d["a"] | d["b"],
        lambda d: ~d["a"] | d["b"] | False,
        lambda d: ~d["a"] | (d["b"] & True),
        lambda d: True & d["a"],
        lambda d: False | d["b"],
        lambda d: d["a"] & False,
        lambda d: d["a"] | True,
    ]
    for expr in exprs:
        assert list(expr(lists)) == expr(frame).tolist()


def test_all_pass_is_false_as_soon_as_one_predicate_fails_one_row():
    for flags in itertools.product([True, False], repeat=3):
        checks = [("S3:a", lambda d: d["a"]), ("S4:a", lambda d: ~d["a"] | d["b"])]
        cols = {"a": list(flags), "b": [True, True, True]}
        assert _all_pass(checks, cols) == all(flags)
