"""A first run that teaches: repeats collapsed with their fix, messages that name the command,
computer numbers checked against 计算机清单 (TZ2.1), and ``zbtz`` alone listing the steps."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner

from tests.helpers.factory import default_data, install
from toolkit.cli import main
from toolkit.findings import Finding, Report
from toolkit.forms.layout import info_spans
from toolkit.render.text import report_text as render_text
from toolkit.render.text import sheet_lines
from toolkit.rules.computers import nearest

AS_OF = dt.date(2026, 6, 30)
D1 = dt.date(2024, 3, 1)


def _f(rule: str, cell: str, sheet: str = "附件8 明细表", **values) -> Finding:
    return Finding(rule, "台账.xlsx", sheet, cell, values)


def _tz22(n: int) -> list[Finding]:
    return [
        _f(
            "TZ2.2",
            "A1",
            computer=f"PC-{i:03d}",
            no="SY-001",
            what="按附件9 已安装，但附件8 中没有登记",
            as_of="2026-06-30",
        )
        for i in range(n)
    ]


def test_many_findings_of_one_rule_at_one_cell_become_one_line_with_the_fix():
    lines = sheet_lines(_tz22(172))
    assert len(lines) == 1
    assert "附件8 与附件9 不一致 172 处，可运行 zbtz rollup 重建附件8" in lines[0] and lines[0].split()[0] == "A1"


def test_a_few_findings_stay_one_line_each():
    assert len(sheet_lines(_tz22(2))) == 2


def test_many_findings_of_one_rule_on_one_sheet_show_the_first_then_a_count():
    many = [_f("S3", f"D{r}", "附件9 SY-001", column="计算机编号", why="") for r in range(7, 27)]
    lines = sheet_lines(many)
    assert len(lines) == 4 and lines[:3] == [line for line in sheet_lines(many[:3])]
    assert "另有必填单元格为空 17 处" in lines[3]


def test_the_json_keeps_every_finding_while_the_text_collapses():
    report = Report(AS_OF, _tz22(30), [], ["台账.xlsx"])
    assert len(report.to_dict()["findings"]) == 30
    text = render_text(report)
    assert text.count("TZ2.2") == 1 and "zbtz rollup 台账.xlsx --in-place" in text


def test_a_blank_value_reads_without_a_stray_space(make_ledger, check_one):
    data = default_data()
    data["counts"]["staff_using"] = None
    report = check_one(make_ledger(counts=data["counts"]))
    message = next(f.message for f in report.findings if f.rule == "TZ1.1")
    assert "使用计算机人数为（空）" in message


def test_tz2_1_a_computer_missing_from_the_list(make_ledger, check_one):
    logs = {k: list(v) for k, v in default_data()["logs"].items()}
    logs["MF-001"].append(install("pc002", D1, user="李四", version="23.01"))
    found = [f for f in check_one(make_ledger(logs=logs)).findings if f.rule == "TZ2.1"]
    assert [(f.sheet, f.cell) for f in found] == [("附件9 MF-001", "D8")]
    assert "最接近的是“PC-002”" in found[0].message


def test_tz2_1_listed_computers_and_ledgers_without_a_list_are_fine(make_ledger, check_one):
    assert not [f for f in check_one(make_ledger()).findings if f.rule == "TZ2.1"]
    assert not [f for f in check_one(make_ledger(omit=("计算机清单",))).findings if f.rule == "TZ2.1"]


def test_nearest_listed_number():
    listed = {"ts-05": "TS-05", "ts-15": "TS-15", "srv-01": "SRV-01"}
    assert nearest("TS05", listed) == "TS-05"
    assert nearest("ts 15", listed) == "TS-15"
    assert nearest("SRV-02", listed) == "SRV-01"
    assert nearest("打印机", listed) is None


def test_info_spans_cover_the_columns_and_fit_what_they_hold():
    widths = [6, 6, 6, 13, 12, 9, 12, 15, 13, 6, 9, 14]
    spans = info_spans([10, 36, 10, 10, 10, 12, 10], widths)
    assert spans[0][0] == 1 and spans[-1][1] == 12
    assert all(b[0] == a[1] + 1 for a, b in zip(spans, spans[1:], strict=False))  # contiguous
    assert sum(widths[spans[1][0] - 1 : spans[1][1]]) >= 36  # the long name gets room
    assert info_spans([10] * 3, [5, 5]) == [(1, 1), (2, 2), (3, 3)]  # more items than columns


def test_zbtz_alone_lists_the_steps_in_order():
    result = CliRunner().invoke(main, [])
    steps = ["zbtz new", "zbtz number", "zbtz rollup", "zbtz check", "zbtz report", "zbtz print"]
    positions = [result.output.index(s) for s in steps]
    assert positions == sorted(positions)
    assert "docs/工作流程.md" in result.output
