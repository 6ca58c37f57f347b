"""The new-user walk end to end: new → fill → number → 附件9 → rollup → check is clean; then each
mistake a newcomer makes is planted and reported at its cell, with the command that fixes it."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell

from tests.helpers.walk import AS_OF, COMPUTERS, OFFICE, fill, first_data_row, header, log_row, sheet, zbtz
from toolkit.checking import check_file

DAY = dt.date(2026, 6, 30)


@pytest.fixture
def steps(walked) -> dict[str, Path]:
    return walked


def _copy(steps: dict[str, Path], step: str, tmp_path: Path) -> Path:
    out = tmp_path / f"{step}.xlsx"
    shutil.copy(steps[step], out)
    return out


def _json(*args: object) -> dict:
    return json.loads(zbtz("check", *args, "--format", "json").stdout)


def test_a_new_ledger_checks_clean(steps):
    result = zbtz("check", steps["new"], "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "未发现问题" in result.stdout


def test_before_the_rollup_the_repeats_collapse_into_one_line_that_names_the_fix(steps):
    text = zbtz("check", steps["logged"], "--as-of", AS_OF).stdout
    data = _json(steps["logged"], "--as-of", AS_OF)
    tz22 = [f for f in data["findings"] if f["rule"] == "TZ2.2"]
    assert len(tz22) == 61  # every (computer, number) of the logs: the detail stays in the JSON
    assert "附件8 与附件9 不一致 61 处，可运行 zbtz rollup 重建附件8" in text
    assert text.count("TZ2.2") == 1
    assert "先运行 zbtz rollup" in text
    assert len(text.splitlines()) < 20


def test_after_the_rollup_the_ledger_checks_clean(steps):
    data = _json(steps["rolled"], "--as-of", AS_OF)
    assert data["valid"] and data["findings"] == [], data["findings"]
    # the same with the date written the way the ledger writes dates
    assert _json(steps["rolled"], "--as-of", "2026年6月30日")["findings"] == []


def test_the_rollup_follows_the_computer_list_and_fills_every_date(steps):
    wb = openpyxl.load_workbook(steps["rolled"])
    detail = sheet(wb, "附件8")
    _, cols = header(detail)
    first = first_data_row(detail)
    computers = [detail.cell(r, cols["计算机编号"]).value for r in range(first, first + 61)]
    listed = [c for c in dict.fromkeys(computers) if c]
    # departments in the order 计算机清单 has them (信息股 first), computers in its order within each
    depts = list(dict.fromkeys(c["部门"] for c in COMPUTERS))
    expected = [c["计算机编号"] for d in depts for c in COMPUTERS if c["部门"] == d]
    assert listed == expected
    for ws in wb.worksheets:
        if ws.title.startswith(("附件7", "附件8", "附件9")):
            assert ws["A2"].value.endswith("填表日期：2026年6月30日"), ws.title


def _plant_log_row(ledger: Path, number_of: str, row: dict) -> str:
    """Add ``row`` below the last log row of a software's 附件9; returns its A1 row number."""
    wb = openpyxl.load_workbook(ledger)
    summary = sheet(wb, "附件7")
    _, cols = header(summary)
    first = first_data_row(summary)
    no = next(
        summary.cell(r, cols["软件编号"]).value
        for r in range(first, first + 4)
        if summary.cell(r, cols["软件名称"]).value == number_of
    )
    ws = wb[f"附件9 {no}"]
    _, log_cols = header(ws)
    r = first_data_row(ws)
    while ws.cell(r, log_cols["计算机编号"]).value:
        r += 1
    fill(ws, [row], start=r)
    wb.save(ledger)
    return f"{ws.title}!{r}"


def test_a_computer_number_not_on_the_list_is_reported_at_its_cell(steps, tmp_path):
    ledger = _copy(steps, "rolled", tmp_path)
    typo = dict(COMPUTERS[4], 计算机编号="TS05")
    where = _plant_log_row(ledger, "AutoCAD 2020", log_row(3, typo, "2020", dt.date(2026, 5, 1)))
    sheet_name, row = where.split("!")
    findings = check_file(ledger, DAY).findings
    tz21 = [f for f in findings if f.rule == "TZ2.1"]
    assert [(f.sheet, f.cell) for f in tz21] == [(sheet_name, f"D{row}")]
    assert "“TS05”" in tz21[0].message and "最接近的是“TS-05”" in tz21[0].message
    # rolled up anyway, it becomes a 附件8 row that is reported where it stands
    assert zbtz("rollup", ledger, "--as-of", AS_OF, "--in-place").exit_code == 0
    after = [f for f in check_file(ledger, DAY).findings if f.rule == "TZ2.1"]
    assert {f.sheet for f in after} == {sheet_name, "附件8 明细表"}


def test_an_install_recorded_twice_is_reported_and_counts_once(steps, tmp_path):
    ledger = _copy(steps, "rolled", tmp_path)
    where = _plant_log_row(ledger, OFFICE, log_row(25, COMPUTERS[0], "2016", dt.date(2025, 1, 1)))
    sheet_name, row = where.split("!")
    assert [(f.rule, f.sheet, f.cell) for f in check_file(ledger, DAY).findings] == [("TZ3.4", sheet_name, f"B{row}")]
    result = zbtz("rollup", ledger, "--as-of", AS_OF, "--in-place", "--format", "json")
    assert json.loads(result.stdout)["installed"] == []  # 安装数量 stays 24: the computers that have it
    assert {f.rule for f in check_file(ledger, DAY).findings} == {"TZ3.4"}


def test_a_blank_number_names_the_command_that_fills_it(steps, tmp_path):
    ledger = _copy(steps, "rolled", tmp_path)
    wb = openpyxl.load_workbook(ledger)
    summary = sheet(wb, "附件7")
    fill(
        summary,
        [{"序号": 5, "软件名称": "福昕阅读器", "软件类型": "免费软件", "软件类别": "工具软件"}],
        start=first_data_row(summary) + 4,
    )
    wb.save(ledger)
    s3 = [f for f in check_file(ledger, DAY).findings if f.rule == "S3"]
    assert [(f.sheet, f.cell) for f in s3] == [("附件7 汇总表", f"B{first_data_row(summary) + 4}")]
    assert "zbtz number" in s3[0].message


def test_a_year_alone_is_a_purchase_date_kept_as_written(steps):
    ledger = openpyxl.load_workbook(steps["rolled"])
    summary = sheet(ledger, "附件7")
    _, cols = header(summary)
    assert summary.cell(first_data_row(summary) + 3, cols["采购时间"]).value == "2019年"  # as the person wrote it
    assert not [f for f in check_file(steps["rolled"], DAY).findings if f.rule == "S4"]


def _look(cell) -> tuple:
    """What a printed cell looks like: its borders, number format and alignment."""
    b = cell.border
    return (
        b.left.style,
        b.right.style,
        b.top.style,
        b.bottom.style,
        cell.number_format,
        cell.alignment.horizontal,
        cell.alignment.vertical,
    )


def test_rows_the_rollup_writes_look_like_the_template_rows(steps):
    template = sheet(openpyxl.load_workbook(steps["new"]), "附件8")
    rolled = sheet(openpyxl.load_workbook(steps["rolled"]), "附件8")
    first = first_data_row(rolled)
    want = [_look(template.cell(first, c)) for c in range(1, 15)]
    assert want[12][4] == "yyyy-mm-dd" and want[0][:4] == ("thin",) * 4  # the template's own look
    merged = 0
    for r in range(first, first + 61):
        for c in range(1, 15):
            cell = rolled.cell(r, c)
            if isinstance(cell, MergedCell):  # openpyxl shows only a merged range's outer edges here
                merged += 1
                continue
            # the template's look, every cell centred vertically (merged computer cells span rows)
            assert _look(cell) == want[c - 1][:6] + ("center",), (r, c)
    assert merged > 100
    _, cols = header(rolled)
    assert rolled.cell(first, cols["安装日期"]).value == dt.datetime(2024, 3, 1)
    assert rolled.cell(first, cols["软件名称"]).alignment.wrap_text
    # rows whose text wraps are tall enough for it: the 2-line Office name, the 2-line licence term
    office_rows = [r for r in range(first, first + 61) if rolled.cell(r, cols["软件名称"]).value == OFFICE]
    assert office_rows and all(rolled.row_dimensions[r].height >= 30 for r in office_rows)
    short = [r for r in range(first, first + 61) if rolled.cell(r, cols["软件名称"]).value == "7-Zip"]
    assert all(
        rolled.row_dimensions[r].height in (None, 15) or not rolled.row_dimensions[r].customHeight for r in short
    )


def test_the_rollup_copies_dashes_as_the_summary_has_them(steps):
    rolled = sheet(openpyxl.load_workbook(steps["rolled"]), "附件8")
    _, cols = header(rolled)
    first = first_data_row(rolled)
    rows = {rolled.cell(r, cols["软件名称"]).value: r for r in range(first, first + 61)}
    assert rolled.cell(rows["Windows 10 专业版"], cols["许可期限"]).value == "--"
    assert rolled.cell(rows["7-Zip"], cols["软件版本"]).value == "--"
    assert rolled.cell(rows["7-Zip"], cols["许可期限"]).value == "--"
    assert rolled.cell(rows["AutoCAD 2020"], cols["许可期限"]).value == "永久"


def test_attachment5_carries_the_filler_and_phone_over_from_the_ledger(steps, tmp_path):
    ledger = _copy(steps, "rolled", tmp_path)
    wb = openpyxl.load_workbook(ledger)
    summary = sheet(wb, "附件7")
    summary["A2"] = (
        summary["A2"].value.replace("填表人：＿＿", "填表人：王工").replace("联系电话：＿＿", "联系电话：0123-4567890")
    )
    wb.save(ledger)
    out = tmp_path / "附件5.xlsx"
    assert zbtz("report", ledger, "-o", out, "--as-of", AS_OF).exit_code == 0
    sign = openpyxl.load_workbook(out).worksheets[0]["A2"].value
    assert "填表人：王工" in sign and "联系电话：0123-4567890" in sign and "某县数据局" in sign
    # a blank sign line stays blank for a person to fill in
    blank = tmp_path / "空.xlsx"
    assert zbtz("report", steps["rolled"], "-o", blank, "--as-of", AS_OF).exit_code == 0
    assert "填表人：＿＿" in openpyxl.load_workbook(blank).worksheets[0]["A2"].value
