"""The drag-and-drop launcher and the xlwings Lite script: thin shells over the same library calls."""

from __future__ import annotations

import ast
import os
import pickle
import re
import shutil
import subprocess
import sys

import openpyxl

from tests.helpers import ROOT

ROOT = ROOT
CMD = ROOT / "excel" / "校验台账.cmd"
SAMPLE = ROOT / "samples" / "台账示例.xlsx"


def test_launcher_switches_to_utf8_first_and_keeps_crlf():
    raw = CMD.read_bytes()
    assert raw.startswith(b"@echo off\r\nchcp 65001 >nul\r\n")  # before any line with Chinese text
    assert b"\n" not in raw.replace(b"\r\n", b"") and raw.decode("utf-8")


def test_launcher_runs_the_cli_and_opens_the_copy(tmp_path):
    text = CMD.read_text(encoding="utf-8")
    (line,) = [ln for ln in text.splitlines() if "-m toolkit check" in ln]
    assert line.strip() == '"%PY%" -m toolkit check --annotate -o "%OUT%" "%~1"'
    assert 'set "OUT=%~dpn1_校验%~x1"' in text and 'start "" "%OUT%"' in text
    # the same command, with the .cmd's variables expanded as cmd.exe would for a dropped file
    src = tmp_path / "台账.xlsx"
    shutil.copy(SAMPLE, src)
    out = tmp_path / "台账_校验.xlsx"
    args = [sys.executable, "-m", "toolkit", "check", "--annotate", "-o", str(out), str(src)]
    run = subprocess.run(
        args, capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    assert run.returncode == 1 and out.exists(), run.stderr
    assert "校验结果" in openpyxl.load_workbook(out).sheetnames
    assert "校验结果" not in openpyxl.load_workbook(src).sheetnames


def test_lite_script_only_calls_the_adapter():
    source = (ROOT / "excel" / "lite" / "main.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    calls = {ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    assert "excel.check_workbook" in calls and "script" in calls
    assert not re.search(r"\b(TZ|PZ|S)\d", source)  # no rule codes, so no rule logic
    reqs = (ROOT / "excel" / "lite" / "requirements.txt").read_text(encoding="utf-8").split()
    assert {"xlwings", "pandas", "pandera"} <= set(reqs)


def test_the_lite_core_runs_without_native_packages(tmp_path):
    """What xlwings Lite installs with the wheel (deps=False): no calamine, openpyxl, lxml, click or rich."""
    data = tmp_path / "sheets.pickle"
    data.write_bytes(pickle.dumps(_sheet_rows()))
    probe = PROBE.format(root=str(ROOT), data=str(data))
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "16 []"


PROBE = """
import sys, pickle, datetime as dt
sys.path.insert(0, {root!r})
from tests.helpers.excel_fake import FakeBook, FakeSheet  # the fake itself uses openpyxl; blocked from here on
for name in ("python_calamine", "openpyxl", "lxml", "click", "rich", "xlsxwriter", "defusedxml", "xlwings"):
    sys.modules[name] = None
from toolkit import excel
book = FakeBook("台账示例.xlsx")
for name, values, merges in pickle.loads(open({data!r}, "rb").read()):
    sheet = FakeSheet(book, name)
    sheet.values, sheet.merges = values, merges
    book.sheet_list.append(sheet)
outcome = excel.check_workbook(book, dt.date(2026, 6, 30), degrade=True)
print(len(outcome.report.findings), outcome.skipped)
"""


def _sheet_rows():
    wb = openpyxl.load_workbook(SAMPLE)
    out = []
    for ws in wb.worksheets:
        values = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None and not isinstance(c, openpyxl.cell.cell.MergedCell):
                    v = c.value
                    if isinstance(v, (int, float)) and not isinstance(v, bool):
                        v = float(v)
                    values[(c.row, c.column)] = v
        merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
        out.append((ws.title, values, merges))
    return out
