"""Ledgers kept the way units keep them (tests/helpers/field_factory.py): every planted defect found, no
false error on the clean version, and the same findings from the .xls and .ods LibreOffice saves."""

from __future__ import annotations

import shutil

import pytest

from tests.helpers.field_factory import AS_OF, DEFECTS, SHAPES, convert, defects_for, make_field_ledger
from toolkit.checking import check_file

ABSENT = {"no_log": "附件9", "no_whitelist": "附件6"}  # the form a shape does not keep
# a planted defect may bring its own consequence, never a restatement: free software installed but
# not on 附件6 is TZ1.12 on 附件7 and PZ1.2 where it is installed
FOLLOWS = {"free_not_listed": {"PZ1.2"}}


def _errors(report) -> list:
    return [f for f in report.findings if f.severity == "error"]


def _form_absent(report) -> list:
    return [f for f in report.findings if f.rule == "S1"]


def _explained(shape: str, defects: list[str]) -> set[str]:
    rules = {DEFECTS[d][1] for d in defects} | {r for d in defects for r in FOLLOWS.get(d, ())}
    return rules | ({"S1"} if shape in ABSENT else set())


@pytest.mark.parametrize("shape", SHAPES)
def test_clean_ledger_has_no_error_but_one_for_a_form_not_kept(tmp_path, shape):
    report = check_file(make_field_ledger(tmp_path, shape), AS_OF)
    absent = _form_absent(report)
    assert [f.values["form"] for f in absent] == ([ABSENT[shape]] if shape in ABSENT else [])
    assert all(f.sheet is None and f.cell is None for f in absent)  # one finding for the workbook
    assert [f.to_dict() for f in _errors(report) if f.rule != "S1"] == []
    # PZ2.3 (no antivirus registered) is a true warning for these ledgers, which register none
    assert [f.to_dict() for f in report.findings if f.severity == "warning" and f.rule != "PZ2.3"] == []


@pytest.mark.parametrize(("shape", "defect"), [(s, d) for s in SHAPES for d in defects_for(s)])
def test_each_planted_defect_is_found_alone(tmp_path, shape, defect):
    _, rule, word, _ = DEFECTS[defect]
    report = check_file(make_field_ledger(tmp_path, shape, [defect]), AS_OF)
    hits = [f for f in report.findings if f.rule == rule and word in f.message]
    assert hits, [f.message for f in report.findings]
    assert {f.rule for f in _errors(report)} <= _explained(shape, [defect]), [f.message for f in report.findings]


@pytest.mark.parametrize("shape", SHAPES)
def test_all_defects_together_are_found_and_nothing_else(tmp_path, shape):
    defects = defects_for(shape)
    report = check_file(make_field_ledger(tmp_path, shape, defects), AS_OF)
    found = {d for d in defects if any(f.rule == DEFECTS[d][1] and DEFECTS[d][2] in f.message for f in report.findings)}
    assert found == set(defects)
    assert {f.rule for f in _errors(report)} <= _explained(shape, defects)
    assert len(_form_absent(report)) == (1 if shape in ABSENT else 0)


def test_a_shape_that_cannot_show_a_defect_says_so_in_the_factory():
    assert "uninstall_without_install" not in defects_for("no_log")  # no 附件9: no log to break
    assert "free_not_listed" not in defects_for("no_whitelist")  # no 附件6 to be missing from


def _signature(report) -> list[tuple]:
    return sorted((f.rule, f.sheet, f.cell, f.message) for f in report.findings)


@pytest.fixture(scope="module")
def field_books(tmp_path_factory):
    """Every shape, clean and with all its defects, as .xlsx and as LibreOffice saved it in .xls and .ods."""
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.skip("LibreOffice is not installed")
    folder = tmp_path_factory.mktemp("field")
    books = [make_field_ledger(folder, s, d, name=f"{s}-{len(d)}.xlsx") for s in SHAPES for d in ((), defects_for(s))]
    return {"xlsx": books, "xls": convert(books, "xls", folder / "xls"), "ods": convert(books, "ods", folder / "ods")}


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_xls_and_ods_saves_give_the_same_findings(field_books, fmt):
    for xlsx, other in zip(field_books["xlsx"], field_books[fmt], strict=True):
        assert other.suffix == "." + fmt
        assert _signature(check_file(other, AS_OF)) == _signature(check_file(xlsx, AS_OF)), other.name


def test_a_wps_et_file_is_read_by_its_bytes(field_books, tmp_path):
    xls = next(p for p in field_books["xls"] if p.stem == "guide-6")
    et = tmp_path / "台账.et"
    shutil.copy(xls, et)
    xlsx_as_et = tmp_path / "另一个台账.et"  # WPS also saves .et as an xlsx package
    shutil.copy(next(p for p in field_books["xlsx"] if p.stem == "guide-6"), xlsx_as_et)
    expected = _signature(check_file(field_books["xlsx"][1], AS_OF))
    assert _signature(check_file(et, AS_OF)) == expected
    assert _signature(check_file(xlsx_as_et, AS_OF)) == expected
