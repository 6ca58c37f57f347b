"""Every command on every hostile file: no traceback, the documented exit code, the original unchanged.

The corpus (tests/hostile/corpus.py) is built once per session; each command runs in this process
through click's runner on a fresh copy. What each output holds is checked too: no formula cell,
no text longer than Excel's limit, no escape sequence on the terminal.
"""

from __future__ import annotations

import hashlib
import html
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.hostile import corpus
from toolkit.cli import main

AS_OF = "2026-06-30"
COMMANDS = {
    "check": ["check", "{f}", "--as-of", AS_OF],
    "check-json": ["check", "{f}", "--as-of", AS_OF, "--format", "json"],
    "annotate-o": ["check", "{f}", "--as-of", AS_OF, "--annotate", "-o", "{o}/标注{s}"],
    "annotate-in": ["check", "{f}", "--as-of", AS_OF, "--annotate", "--in-place"],
    "rollup-o": ["rollup", "{f}", "--as-of", AS_OF, "-o", "{o}/汇总后{s}"],
    "rollup-in": ["rollup", "{f}", "--as-of", AS_OF, "--in-place"],
    "report": ["report", "{f}", "--as-of", AS_OF, "-o", "{o}/附件5.xlsx", "-o", "{o}/附件5.html"],
    "report-dir": ["report", "{d}", "--as-of", AS_OF, "-o", "{o}/汇总.xlsx", "-o", "{o}/汇总.html", "-j", "1"],
    "excel-setup": ["excel-setup", "{f}", "-o", "{o}/按钮.xlsm"],
    "print": ["print", "{f}", "-o", "{o}/打印", "--no-pdf"],
    "number": ["number", "{f}", "-o", "{o}/编号{s}"],
}
# the cases a reader refuses: every command that reads the ledger exits 1 with a message
REFUSED = {"huge_extent", "wide_extent", "lying_sizes", "truncated", "not_workbook"}
IN_PLACE = {"annotate-in", "rollup-in"}
SMALL = {"merge_bomb": lambda folder: corpus.merge_bomb(folder, rows=20_000)}


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("corpus")
    out = {}
    for name, build in corpus.CASES.items():
        folder = root / name
        folder.mkdir()
        out[name] = SMALL.get(name, build)(folder)
    return out


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _scan(path: Path) -> tuple[list[str], set[str]]:
    """Formula cells (``<f>`` elements) of every sheet, and every text of a cell or note longer
    than Excel's limit (as Excel counts it: ``_xHHHH_`` is one character)."""
    import re

    formulas: list[str] = []
    long: set[str] = set()
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not name.endswith(".xml") or not name.startswith("xl/"):
                continue
            data = z.read(name).decode("utf-8", "replace")
            if name.startswith("xl/worksheets/"):
                formulas += re.findall(r"<(?:\w+:)?f\b[^>]*>([^<]*)</", data)
            for text in re.findall(r"<(?:\w+:)?t\b[^>]*>([^<]*)</", data):
                text = html.unescape(re.sub(r"_x[0-9A-F]{4}_", "x", text))
                if len(text) > 32_767:
                    long.add(text)
    return formulas, long


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("case", list(corpus.CASES))
def test_command_on_hostile_file(built, tmp_path, case, command):
    src = built[case]
    folder = tmp_path / "ledgers"
    out = tmp_path / "out"
    folder.mkdir()
    out.mkdir()
    f = folder / src.name
    shutil.copyfile(src, f)
    if command.endswith("-dir"):
        corpus.good(folder)
    before = _digest(f)
    args = [a.format(f=f, d=folder, o=out, s=f.suffix) for a in COMMANDS[command]]
    result = CliRunner().invoke(main, args)

    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1, 2), result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    wrote = result.exit_code == 0 or "已写入标注" in result.output
    if command not in IN_PLACE or not wrote:
        assert _digest(f) == before, "the original must be unchanged"
    if case in REFUSED and command not in ("report-dir",):
        assert result.exit_code == 1 and ("错误" in result.output or '"S0"' in result.output), result.output
    if command == "report-dir":
        assert (result.exit_code == 1) == (case in REFUSED), result.output  # an unreadable ledger: exit 1
    try:
        _, long_before = _scan(src)
    except (zipfile.BadZipFile, OSError):
        long_before = set()
    for written in [*out.rglob("*.xls*"), *([f] if command in IN_PLACE and wrote else [])]:
        formulas, long = _scan(written)
        assert not formulas, (written.name, formulas[:3])
        assert long <= long_before, written.name  # only a user's own cell, kept as it was, may be longer


def test_huge_extent_names_the_stray_cell(built):
    result = CliRunner().invoke(main, ["check", str(built["huge_extent"])])
    assert result.exit_code == 1
    assert "XFD1048576 有内容，使表格范围过大" in result.output and "请删除该单元格" in result.output


def test_formula_text_stays_text_in_every_report(built, tmp_path):
    """=HYPERLINK(…) and =cmd|… from a ledger are text in 附件5, its detail and the folder summary."""
    import openpyxl

    folder = tmp_path / "units"
    folder.mkdir()
    shutil.copyfile(built["formula_text"], folder / "甲.xlsx")
    runner = CliRunner()
    assert runner.invoke(main, ["report", str(folder / "甲.xlsx"), "-o", str(tmp_path / "a5.xlsx")]).exit_code == 0
    assert runner.invoke(main, ["report", str(folder), "-o", str(tmp_path / "sum.xlsx"), "-j", "1"]).exit_code == 0
    for name in ("a5.xlsx", "sum.xlsx"):
        wb = openpyxl.load_workbook(tmp_path / name)
        texts = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert any(t.startswith("=HYPERLINK") or t.startswith("=cmd") for t in texts), name
        assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row), name


def test_long_text_is_cut_with_an_ellipsis(built, tmp_path):
    """A finding quoting a 40,000-character value: its note and 校验结果 row end at 32,767 characters with "…"."""
    import openpyxl

    out = tmp_path / "标注.xlsx"
    result = CliRunner().invoke(
        main, ["check", str(built["long_text"]), "--annotate", "-o", str(out), "--as-of", AS_OF]
    )
    assert out.exists(), result.output
    wb = openpyxl.load_workbook(out)
    notes = [c.comment.text for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.comment]
    rows = [c.value for row in wb["校验结果"].iter_rows() for c in row if isinstance(c.value, str)]
    cut = [t for t in notes + rows if "八八八" in t]
    assert cut and all(len(t) == 32_767 and t.endswith("…") for t in cut)


def test_escape_sequences_never_reach_the_terminal(built, tmp_path):
    folder = tmp_path / "units"
    folder.mkdir()
    shutil.copyfile(built["escape_text"], folder / "甲.xlsx")
    for args in (["check", str(folder / "甲.xlsx")], ["report", str(folder), "-j", "1"]):
        result = CliRunner().invoke(main, [*args, "--as-of", AS_OF])
        assert "\x1b" not in result.output and "\x07" not in result.output and "\x9b" not in result.output
        assert "点我" in result.output  # the text itself is still shown


def test_terminal_text_keeps_text_and_drops_sequences():
    from toolkit.textsafe import terminal_text

    assert terminal_text("甲\x1b]8;;http://x/\x07链接\x1b]8;;\x07乙\x1b[2J\n丙\t丁") == "甲链接乙\n丙\t丁"
    assert terminal_text("正常的文字") == "正常的文字"


def test_error_values_get_their_own_finding(built):
    result = CliRunner().invoke(main, ["check", str(built["error_values"]), "--as-of", AS_OF])
    assert "单元格为错误值 #REF!" in result.output and "单元格为错误值 #N/A" in result.output
    assert "“软件名称”不能为空" not in result.output and "“计算机编号”不能为空" not in result.output


def test_two_summary_sheets_are_named(built):
    result = CliRunner().invoke(main, ["check", str(built["two_summaries"]), "--as-of", AS_OF])
    assert "S7" in result.output and "“附件7 汇总表”“附件7（二）”" in result.output


def test_annotate_copies_a_sheet_it_does_not_annotate_byte_for_byte(built, tmp_path):
    """计算机清单 carries only the user's own note; annotate leaves that part (and its note) as it was."""
    out = tmp_path / "标注.xlsx"
    result = CliRunner().invoke(
        main, ["check", str(built["comment_only"]), "--annotate", "-o", str(out), "--as-of", AS_OF]
    )
    assert out.exists(), result.output
    with zipfile.ZipFile(built["comment_only"]) as a, zipfile.ZipFile(out) as b:
        for name in a.namelist():
            if name.startswith(("xl/worksheets/", "xl/comments", "xl/drawings")) and name in b.namelist():
                if name.endswith("sheet4.xml") or "comment" in name.lower():
                    assert a.read(name) == b.read(name), name


def test_gbk_file_name_is_read_and_shown_decoded(built, tmp_path):
    folder = built["gbk_name"].parent
    out = tmp_path / "汇总.xlsx"
    result = CliRunner().invoke(main, ["report", str(folder), "-o", str(out), "-j", "1", "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    assert "乙单位台账" in result.output and "无法读取 ——" not in result.output
