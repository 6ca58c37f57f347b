"""rollup and check --annotate keep every part of the workbook they do not own, byte for byte."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from tests.helpers.factory import install
from tests.helpers.preserve import DETAIL, SUMMARY, assert_preserved, convert_to_pdf, feature_ledger, parts
from toolkit import annotate_file, check_file, rollup_file
from toolkit.plans.annotate import RESULT_SHEET
from toolkit.write.package import LEDGER_SHEET, Package

AS_OF = dt.date(2026, 6, 30)


def _stale_logs() -> dict:
    d1, d2 = dt.date(2024, 3, 1), dt.date(2026, 1, 5)
    return {
        "SY-001": [
            install("PC-001", d1, version="2019"),
            install("PC-002", d1, user="李四", version="2019"),
            install("PC-002", d2, user="李四", op="卸载", version="2019"),
        ],
        "OEM-001": [install("PC-001", d1, version="10"), install("PC-002", d1, user="李四", version="10")],
        "MF-001": [install("PC-001", d1, version="23.01"), install("PC-002", d2, user="李四", version="23.01")],
    }


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return feature_ledger(tmp_path, logs=_stale_logs())


def _values(path: Path, skip: tuple[str, ...] = ()) -> dict[str, list]:
    wb = CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names if n not in skip}


def test_rollup_keeps_every_unowned_part(ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsm"
    result = rollup_file(ledger, AS_OF, out=out)
    assert result.plan.changed
    logs = [s for s in Package.open(ledger).sheet_names() if s.startswith("附件9")]
    assert_preserved(ledger, out, [SUMMARY, DETAIL, *logs])  # the logs get their 填表日期
    before, after = _values(ledger), _values(out)
    for sheet in before:
        if sheet not in (SUMMARY, DETAIL):
            changed = [r for r, (a, b) in enumerate(zip(before[sheet], after[sheet], strict=True)) if a != b]
            assert changed in (([], [1]) if sheet in logs else ([],)), sheet  # at most a log's sign line (row 2)
    assert after[DETAIL][4][:6] == [1.0, "办公室", "张三", "PC-001", "联想", "SY-001"]
    rules = {f.rule for f in check_file(out, AS_OF).findings}
    assert not rules & {"TZ1.1", "TZ1.13", "TZ2.2"}


def test_annotate_keeps_every_unowned_part(ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsm"
    report = check_file(ledger, AS_OF)
    marked = sorted({f.sheet for f in report.findings if f.cell})
    assert {SUMMARY, DETAIL} <= set(marked)
    annotate_file(ledger, report, out=out)
    assert_preserved(ledger, out, marked)
    before, after = _values(ledger), _values(out, skip=(RESULT_SHEET, LEDGER_SHEET))
    assert after == before  # every original cell value unchanged
    assert (
        parts(out)["xl/threadedComments/threadedComment1.xml"]
        == parts(ledger)["xl/threadedComments/threadedComment1.xml"]
    )


def test_rollup_then_annotate_in_place_twice(ledger: Path, tmp_path: Path) -> None:
    original = tmp_path / "original.xlsm"
    shutil.copy(ledger, original)
    rollup_file(ledger, AS_OF, in_place=True)
    assert list(tmp_path.glob("台账.bak-*.xlsm"))
    annotate_file(ledger, check_file(ledger, AS_OF), in_place=True)
    annotate_file(ledger, check_file(ledger, AS_OF), in_place=True)
    marked = [SUMMARY, DETAIL, "附件6 免费软件清单", "计算机清单"]
    assert_preserved(original, ledger, marked + [s for s in _values(original) if s.startswith("附件9")])


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) 未安装")
def test_outputs_open_in_libreoffice(ledger: Path, tmp_path: Path) -> None:
    rolled, annotated = tmp_path / "rolled.xlsm", tmp_path / "annotated.xlsm"
    rollup_file(ledger, AS_OF, out=rolled)
    annotate_file(rolled, check_file(rolled, AS_OF), out=annotated)
    for path in (rolled, annotated):
        convert_to_pdf(path, tmp_path)
        assert _values(path)[SUMMARY][1][0].endswith("填表日期：2026年6月30日")
