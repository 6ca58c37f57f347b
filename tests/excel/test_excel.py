"""The Excel adapter against a recording fake of xlwings: it reads what the file reader reads and
writes what ``check --annotate`` writes to a file (values, links, fills, notes, the fill ledger)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest

from tests.helpers import ROOT
from tests.helpers.excel_fake import FakeBook
from toolkit import check_file, excel
from toolkit.checking import check_book
from toolkit.plans.annotate import AUTHOR, FILLS, RESULT_SHEET, RESULT_WIDTHS
from toolkit.read.grid import load_book
from toolkit.write.package import LEDGER_SHEET, Package

AS_OF = dt.date(2026, 6, 30)
SAMPLE = ROOT / "samples" / "台账示例.xlsx"


def annotate_file(src: Path, out: Path, display: str) -> None:
    """What ``check --annotate -o OUT`` writes (the file writer of toolkit.plans.rollup)."""
    from toolkit.write.edit import annotate_file

    annotate_file(src, check_file(src, AS_OF, display), out)


def view_of_file(path: Path) -> dict:
    """What a person sees of an annotation in a file (openpyxl), in the fake's terms."""
    return view_of_fake(FakeBook.from_file(path))


def view_of_fake(book: FakeBook) -> dict:
    result = book.sheets[RESULT_SHEET] if RESULT_SHEET in [s.name for s in book.sheets] else None
    ledger = book.sheets[LEDGER_SHEET] if LEDGER_SHEET in [s.name for s in book.sheets] else None
    marked = {s.name: s for s in book.sheets if s.name not in (RESULT_SHEET, LEDGER_SHEET)}
    return {
        "sheets": [s.name for s in book.sheets],
        "hidden": [s.name for s in book.sheets if not s.visible],
        "result": _rows(result) if result else None,
        "links": dict(result.links) if result else {},
        "fills": {(n, k): v for n, s in marked.items() for k, v in sorted(s.fills.items())},
        "notes": {(n, k): note.text for n, s in marked.items() for k, note in sorted(s.notes_by_cell.items())},
        "ledger": [[*r[:2], _colour(r[2]), *r[3:]] for r in _rows(ledger)] if ledger else None,
    }


def _colour(fill_xml: object) -> object:
    """A recorded original fill by what it shows: Excel sees colours, not the file's XML."""
    if not isinstance(fill_xml, str) or not fill_xml.startswith("<"):
        return fill_xml
    fg = ET.fromstring(fill_xml).find(".//{*}fgColor")
    solid = ET.fromstring(fill_xml).find(".//{*}patternFill[@patternType='solid']") is not None
    return ("solid", fg.get("rgb")) if solid and fg is not None else "none"


def _rows(sheet) -> list[list[object]]:
    rng = sheet.used_range
    out = []
    for row in rng.options(ndim=2).value:
        out.append([float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in row])
    return out


@pytest.fixture
def sample(tmp_path) -> Path:
    p = tmp_path / "台账示例.xlsx"
    shutil.copy(SAMPLE, p)
    return p


# --------------------------------------------------------------------------- reading


def test_book_from_xlwings_reads_what_the_file_reader_reads(sample):
    fake = FakeBook.from_file(sample, "台账示例.xlsx")
    book = excel.book_from_xlwings(fake)
    from_file = load_book(sample)
    assert [g.name for g in book.sheets] == [g.name for g in from_file.sheets]
    for a, b in zip(book.sheets, from_file.sheets, strict=True):
        assert sorted(a.merges) == sorted(b.merges), a.name
    by_fake = check_book(book, AS_OF, "台账示例.xlsx")
    by_file = check_file(sample, AS_OF, "台账示例.xlsx")
    assert by_fake.to_dict() == by_file.to_dict()
    assert len(by_fake.findings) == 16


def test_used_range_offset_is_kept():
    fake = FakeBook()
    sheet = fake.sheets.add("表")
    sheet.values[(3, 2)] = "标题"
    sheet.values[(5, 4)] = 1.0
    sheet.merges = [(3, 2, 3, 4)]
    book = excel.book_from_xlwings(fake)
    grid = book.sheets[0]
    assert grid.value(2, 1) == "标题" and grid.value(2, 3) == "标题"  # the merge filled
    assert grid.value(4, 3) == 1.0 and grid.value(0, 0) is None
    assert grid.merges == [(2, 1, 2, 3)]


def test_merges_are_found_with_few_queries():
    fake = FakeBook()
    sheet = fake.sheets.add("附件8")
    for r in range(1, 2001):
        for c in range(1, 11):
            sheet.values[(r, c)] = f"{r}-{c}"
    sheet.merges = [(1, 1, 1, 10)]  # a title across the form
    sheet.merges += [(r, 2, r + 2, 2) for r in range(10, 1990, 3)]  # a computer's rows, merged down column B
    sheet.merges += [(500, 5, 501, 7)]
    found = excel.find_merges(sheet, 1, 1, 2000, 10)
    assert sorted(found) == sorted((a - 1, b - 1, c - 1, d - 1) for a, b, c, d in sheet.merges)
    calls = fake.calls["merge_cells"] + fake.calls["merge_area"]
    blocks = len(sheet.merges)
    assert calls < 3 * blocks + 40, calls  # about two calls a block, one a plain column


def test_no_merges_costs_one_query_a_column():
    fake = FakeBook()
    sheet = fake.sheets.add("表")
    for r in range(1, 1001):
        sheet.values[(r, 1)] = r
        sheet.values[(r, 6)] = r
    excel.book_from_xlwings(fake)
    assert fake.calls["merge_cells"] == 6 and fake.calls["merge_area"] == 0
    assert fake.calls["value"] == 1  # one read of the whole used range


# --------------------------------------------------------------------------- writing


def test_annotation_equals_what_annotate_writes_to_a_file(sample, tmp_path):
    out = tmp_path / "已标注.xlsx"
    annotate_file(sample, out, "台账示例.xlsx")
    fake = FakeBook.from_file(sample, "台账示例.xlsx")
    outcome = excel.check_workbook(fake, AS_OF)
    assert outcome.report.to_dict() == check_file(sample, AS_OF, "台账示例.xlsx").to_dict()
    mine, theirs = view_of_fake(fake), view_of_file(out)
    assert mine == theirs
    assert mine["sheets"][-2:] == [RESULT_SHEET, LEDGER_SHEET] and mine["hidden"] == [LEDGER_SHEET]
    assert len(mine["fills"]) == 16 and set(mine["fills"].values()) == {"#FFC7CE", "#FFEB9C"}
    assert mine["notes"][("附件7 汇总表", (22, 9))].startswith("【TZ1.6 ")
    assert fake.sheets[RESULT_SHEET].bold[(1, 1)] and fake.sheets[RESULT_SHEET].widths[6] == RESULT_WIDTHS[6]


def test_result_sheet_links_and_text_cells(sample):
    fake = FakeBook.from_file(sample)
    excel.check_workbook(fake, AS_OF)
    result = fake.sheets[RESULT_SHEET]
    assert result.values[(1, 1)] == "序号" and result.values[(2, 1)] == 1.0
    assert result.links[(2, 5)] == "#'附件7 汇总表'!I22" and result.values[(2, 5)] == "I22"
    assert result.formats[(2, 4)] == "@"


def test_rerun_is_idempotent_and_keeps_a_users_fill_and_note(sample):
    fake = FakeBook.from_file(sample)
    summary = fake.sheets["附件7 汇总表"]
    summary.fills[(22, 9)] = "#00B050"  # the user's own green on a cell we will mark
    summary.range("B3").add_note("用户自己的批注")
    excel.check_workbook(fake, AS_OF)
    first = view_of_fake(fake)
    assert summary.fills[(22, 9)] == "#FFC7CE"
    excel.check_workbook(fake, AS_OF)
    assert view_of_fake(fake) == first
    excel.remove_annotations_xlwings(fake)
    assert summary.fills.get((22, 9)) == "#00B050"
    assert [n.text for n in summary.notes] == ["用户自己的批注"]
    assert [s.name for s in fake.sheets] == [s.name for s in FakeBook.from_file(sample).sheets]
    assert view_of_fake(fake)["fills"] == {("附件7 汇总表", (22, 9)): "#00B050"}  # the sample has no other fill


def test_a_fill_the_user_changed_since_is_left_alone(sample):
    fake = FakeBook.from_file(sample)
    excel.check_workbook(fake, AS_OF)
    fake.sheets["附件7 汇总表"].fills[(22, 9)] = "#0070C0"
    excel.remove_annotations_xlwings(fake)
    assert fake.sheets["附件7 汇总表"].fills[(22, 9)] == "#0070C0"


def test_cli_then_button_then_cli_stay_consistent(sample, tmp_path):
    """A file annotated by the CLI, opened in Excel and checked by the button, then by the CLI again."""
    wb = openpyxl.load_workbook(sample)
    wb["附件7 汇总表"]["I22"].fill = openpyxl.styles.PatternFill("solid", fgColor="FF00B050")
    wb.save(sample)
    by_cli = tmp_path / "cli.xlsx"
    annotate_file(sample, by_cli, "台账示例.xlsx")
    assert {n.author for s in FakeBook.from_file(by_cli).sheets for n in s.notes} == {AUTHOR}

    fake = FakeBook.from_file(by_cli, "台账示例.xlsx", com=True)
    excel.check_workbook(fake, AS_OF)
    assert fake.app.user_name == "张工"  # switched to our author while adding notes, then back
    assert {n.author for s in fake.sheets for n in s.notes} == {AUTHOR}
    reference = tmp_path / "reference.xlsx"
    annotate_file(sample, reference, "台账示例.xlsx")
    assert view_of_fake(fake) == view_of_file(reference)

    saved = tmp_path / "excel-saved.xlsx"  # what Excel writes when the user saves
    fake.save(saved)
    pkg = Package.open(saved)
    pkg.remove_annotations(AUTHOR, FILLS)
    pkg.save(tmp_path / "cleaned.xlsx")
    cleaned = FakeBook.from_file(tmp_path / "cleaned.xlsx")
    assert cleaned.sheets["附件7 汇总表"].fills[(22, 9)] == "#00B050"  # the original green, recorded by the CLI
    assert not any(s.notes for s in cleaned.sheets)


def test_a_workbook_without_findings_gets_the_no_problem_row(make_ledger):
    path = make_ledger()
    fake = FakeBook.from_file(path)
    outcome = excel.check_workbook(fake, AS_OF)
    assert outcome.report.findings == []
    assert fake.sheets[RESULT_SHEET].values[(2, 6)].startswith("未发现问题")
    assert LEDGER_SHEET not in [s.name for s in fake.sheets]
    assert "错误 0 个，警告 0 个 —— 通过" in outcome.message


# --------------------------------------------------------------------------- degraded (xlwings Lite)


def test_degraded_check_equals_the_full_check_when_everything_imports(sample):
    book = excel.book_from_xlwings(FakeBook.from_file(sample, "台账示例.xlsx"))
    assert check_book(book, AS_OF, book.path, degrade=True).to_dict() == check_book(book, AS_OF, book.path).to_dict()


def test_without_pandera_the_cell_checks_are_skipped_and_said_so(make_ledger, monkeypatch):
    path = make_ledger()
    fake_full = FakeBook.from_file(path)
    full = excel.check_workbook(fake_full, AS_OF, degrade=True)
    assert full.skipped == []
    for name in [m for m in sys.modules if m == "pandera" or m.startswith("pandera.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pandera", None)
    fake = FakeBook.from_file(path)
    outcome = excel.check_workbook(fake, AS_OF, degrade=True)
    assert [s.split("（")[0] for s in outcome.skipped] == ["S3", "S4", "S5", "S5W"]
    assert "未执行的检查：S3（运行环境缺少 pandera" in outcome.message
    assert outcome.report.to_dict()["findings"] == full.report.to_dict()["findings"]


# --------------------------------------------------------------------------- entry points


def test_run_check_uses_the_calling_book_and_tells_the_user(sample, monkeypatch):
    import xlwings as xw

    fake = FakeBook.from_file(sample, "台账示例.xlsx")
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: fake))
    excel.run_check()
    assert RESULT_SHEET in [s.name for s in fake.sheets]
    ((prompt, title),) = fake.app.alerts
    assert title == "正版台账工具箱" and prompt.startswith("校验完成：错误 ")


def test_only_the_adapter_imports_xlwings_and_only_lazily():
    adapter = Path(excel.__file__)
    root = adapter.parents[1]
    importers = sorted(
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if re.search(r"^\s*(import|from) xlwings", p.read_text(encoding="utf-8"), re.M)
    )
    assert importers == ["excel/__init__.py"]
    assert not re.search(r"^(import|from) xlwings", adapter.read_text(encoding="utf-8"), re.M)


# --------------------------------------------------------------------------- roll-up


def test_rollup_writes_what_rollup_file_writes(sample, tmp_path):
    from toolkit.write.edit import rollup_file

    # make 附件7/附件8 drift from the logs: drop two 附件8 rows and change a figure
    wb = openpyxl.load_workbook(sample)
    ws = wb["附件8 明细表"]
    ws.delete_rows(20, 2)
    wb.save(sample)
    out = tmp_path / "汇总.xlsx"
    result = rollup_file(sample, AS_OF, out)
    assert result.plan.changed
    fake = FakeBook.from_file(sample, "台账示例.xlsx")
    outcome = excel.rollup_workbook(fake, AS_OF)
    assert outcome.plan.to_dict() == result.plan.to_dict()
    theirs = FakeBook.from_file(out)
    for mine, ref in zip(fake.sheets, theirs.sheets, strict=True):
        assert mine.name == ref.name
        assert mine.values == ref.values, mine.name
        assert sorted(mine.merges) == sorted(ref.merges), mine.name
    assert "汇总完成（截至 2026-06-30）" in outcome.message
    after = check_book(excel.book_from_xlwings(fake), AS_OF, "x")
    assert not {"TZ1.1", "TZ1.13", "TZ2.2"} & set(after.codes())


def test_rollup_twice_changes_nothing_more(sample):
    fake = FakeBook.from_file(sample)
    excel.rollup_workbook(fake, AS_OF)
    first = {s.name: (dict(s.values), sorted(s.merges)) for s in fake.sheets}
    again = excel.rollup_workbook(fake, AS_OF)
    assert not again.plan.changed and "只更新了填表日期" in again.message
    assert {s.name: (dict(s.values), sorted(s.merges)) for s in fake.sheets} == first


def test_run_rollup_reports_a_ledger_it_cannot_roll_up(make_ledger, monkeypatch):
    import xlwings as xw

    fake = FakeBook.from_file(make_ledger(omit=("附件8",)))
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: fake))
    excel.run_rollup()
    ((prompt, _title),) = fake.app.alerts
    assert prompt.startswith("错误：") and "附件8" in prompt
