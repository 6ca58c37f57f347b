"""The canonical layout writer, the sample ledger and the benchmark generator.

Written workbooks are read back with python-calamine (independently of the writer) and, for
styles, with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import sys
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from tests.helpers import ROOT
from toolkit import check_file
from toolkit.forms.layout import NA, TICK, LedgerData, data_cell, sheet_name, write_form_sheet, write_ledger
from toolkit.normalize import header_key
from toolkit.schemas import schema

ROOT = ROOT
SAMPLE = ROOT / "samples" / "台账示例.xlsx"
AS_OF = dt.date(2026, 6, 30)

# Header rows as docs/forms.md writes them (compared after the reader's header normalisation).
HEADERS = {
    "附件6 免费软件清单": (3, "序号 软件编号 软件名称 软件版本 软件来源 软件厂商 使用部门 使用原因 备注"),
    "附件7 汇总表": (
        5,
        "序号 软件编号 软件名称 软件版本 软件类型 软件类别 获取方式 采购时间 采购金额（元） 许可类型 "
        "许可数量 可使用版本 许可期限 序列号 安装数量 备注",
    ),
    "附件8 明细表": (
        3,
        "序号 部门 姓名 计算机编号 计算机品牌 软件编号 软件名称 软件版本 许可期限 软件类型 - - 安装日期 备注",
    ),
    "计算机清单": (
        3,
        "序号 计算机编号 计算机类型 计算机品牌 型号 使用人 部门 状态 启用日期 报废日期 序列号 主机名 备注",
    ),
    "附件9 SY-001": (
        5,
        "序号 操作类型 - 计算机编号 计算机品牌 使用人 使用部门 安装/卸载版本 安装/卸载日期 数量 操作人 备注",
    ),
}
TITLES = {
    "附件6 免费软件清单": "可使用免费软件清单",
    "附件7 汇总表": "软件使用情况汇总表",
    "附件8 明细表": "软件使用情况明细表",
    "计算机清单": "计算机清单",
    "附件9 SY-001": "软件安装维护情况明细表",
}


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def make_sample():
    return _load("make_sample", ROOT / "samples" / "make_sample.py")


@pytest.fixture(scope="module")
def make_large():
    return _load("make_large", ROOT / "benchmarks" / "make_large.py")


@pytest.fixture(scope="module")
def sample(tmp_path_factory, make_sample) -> Path:
    path = tmp_path_factory.mktemp("sample") / "台账示例.xlsx"
    make_sample.main([str(path)])
    return path


def _sheets(path: Path) -> dict[str, list[list]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names}


def _merges(path: Path, sheet: str) -> set[tuple[int, int, int, int]]:
    ws = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet)
    return {(r1, c1, r2, c2) for (r1, c1), (r2, c2) in ws.merged_cell_ranges or ()}


def test_sample_is_deterministic_and_committed_file_is_current(tmp_path, make_sample, sample):
    again = tmp_path / "again.xlsx"
    make_sample.main([str(again)])
    assert again.read_bytes() == sample.read_bytes()
    assert SAMPLE.read_bytes() == sample.read_bytes(), (
        "samples/台账示例.xlsx is stale: run python samples/make_sample.py"
    )


def test_sample_titles_sign_lines_and_headers(sample):
    sheets = _sheets(sample)
    assert list(sheets)[:4] == ["附件6 免费软件清单", "附件7 汇总表", "附件8 明细表", "计算机清单"]
    assert len([n for n in sheets if n.startswith("附件9 ")]) == 28
    for name, (row, header) in HEADERS.items():
        rows = sheets[name]
        assert rows[0][0] == TITLES[name]
        assert (
            rows[1][0] == "单位名称（盖章）：某市数据资源管理局  填表人：＿＿  联系电话：＿＿  填表日期：2026年6月30日"
        )
        want = [header_key(h) if h != "-" else "" for h in header.split()]
        assert [header_key(v) if v else "" for v in rows[row - 1]] == want
    # two-row headers: the tick values under their merged label
    assert sheets["附件8 明细表"][3][9:12] == ["商业软件", "OEM软件", "免费软件"]
    assert sheets["附件9 SY-001"][5][1:3] == ["安装", "卸载"]
    # 附件7 counts block and 附件9 info block
    assert sheets["附件7 汇总表"][2][:5] == ["人员情况", "总人数", 62, "使用计算机人数", 59]
    assert sheets["附件7 汇总表"][3][:7] == ["计算机情况", "服务器数", 4, "台式机数", 49, "便携机数", 16]
    info = sheets["附件9 SY-001"]
    # each label and value spans columns wide enough to read it (merged), so the empty cells between go
    assert [v for v in info[2] if v] == [
        "软件编号",
        "软件名称",
        "软件版本",
        "软件类型",
        "许可数量",
        "可使用版本",
        "许可期限",
    ]
    assert [v for v in info[3] if v not in ("", None)][:4] == [
        "SY-001",
        "Windows Server 2019 标准版",
        "2019",
        "商业软件",
    ]
    assert [i for i, v in enumerate(info[2]) if v] == [i for i, v in enumerate(info[3]) if v not in ("", None)]


def test_sample_header_merges_and_detail_merges(sample):
    merges = _merges(sample, "附件8 明细表")
    assert (0, 0, 0, 13) in merges  # title across the table
    assert (2, 9, 2, 11) in merges  # 软件类型 over its three ticks
    assert (2, 0, 3, 0) in merges and (2, 12, 3, 12) in merges  # other headers over two rows
    rows = _sheets(sample)["附件8 明细表"]
    # every computer's cells are merged over its rows: find each group and its merges
    groups = []
    for r in range(4, len(rows)):
        if rows[r][3]:
            groups.append([r, r])
        else:
            groups[-1][1] = r
    assert len(groups) == 70  # 71 computers less the scrapped one
    for first, last in groups:
        for c in (1, 2, 3, 4):
            if last > first:
                assert (first, c, last, c) in merges
    assert sum(1 for first, last in groups if last > first) > 60


def test_sample_values_dates_ticks_and_not_applicable(sample):
    sheets = _sheets(sample)
    summary = sheets["附件7 汇总表"]
    oem = next(r for r in summary if r[1] == "OEM-001")
    assert oem[7:14] == [NA] * 7
    free = next(r for r in summary if r[1] == "MF-001")
    assert free[3] == NA
    assert isinstance(summary[5][7], dt.date)
    detail = sheets["附件8 明细表"]
    assert all(isinstance(r[12], dt.date) for r in detail[4:] if r[5])
    assert all([v for v in r[9:12]].count(TICK) == 1 for r in detail[4:] if r[5])
    ws = openpyxl.load_workbook(sample)["附件9 SY-001"]
    assert ws["I7"].number_format == "yyyy-mm-dd" and ws["I7"].is_date
    assert ws["A1"].font.b and ws["A1"].font.sz > ws["A7"].font.sz
    assert ws["D5"].border.left.style == "thin" and ws["D5"].font.b


def test_sample_check_finds_exactly_the_documented_defects(make_sample):
    _, defects = make_sample.build()
    report = check_file(SAMPLE, AS_OF)
    found = sorted((f.rule, f.sheet, f.cell) for f in report.findings)
    assert found == sorted((rule, sheet, cell) for rule, sheet, cell, _ in defects)
    readme = (ROOT / "samples" / "README.md").read_text(encoding="utf-8")
    table = set(re.findall(r"^\| (\S+) \| (.+?) \| (\w+) \|", readme, re.M))
    assert {(rule, sheet, cell) for rule, sheet, cell, _ in defects} <= table


def test_make_large_small_is_consistent_and_matches_the_normal_path(tmp_path, make_large):
    data = make_large.build(computers=50, numbers=20, logs=1000, seed=3)
    assert sum(len(rows) for _, rows in data.logs.values()) == 1000
    fast, normal = tmp_path / "fast.xlsx", tmp_path / "normal.xlsx"
    write_ledger(fast, data, fast=True)
    write_ledger(normal, data)
    assert _sheets(fast) == _sheets(normal)
    for name in ("附件7 汇总表", "附件8 明细表", "附件9 SY-0001"):
        assert _merges(fast, name) == _merges(normal, name)
    # the generator draws each computer's software at random: some lack an office suite or antivirus,
    # which PZ2.3 rightly warns about; nothing else may be found
    assert [f for f in check_file(fast, AS_OF).findings if f.rule != "PZ2.3"] == []


def test_make_large_command_line(tmp_path, make_large, capsys):
    out = tmp_path / "large.xlsx"
    make_large.main([str(out), "--computers", "30", "--numbers", "12", "--logs", "400"])
    assert out.exists()
    assert "附件9 400 行" in capsys.readouterr().out


def test_empty_template_from_the_same_code(tmp_path):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    form = schema("附件8")
    write_form_sheet(wb.create_sheet(sheet_name(form)), form, blank_rows=5)
    log = schema("附件9")
    write_form_sheet(wb.create_sheet(sheet_name(log, "SY-001")), log, info={"software_no": "SY-001"})
    wb.save(tmp_path / "t.xlsx")
    sheets = _sheets(tmp_path / "t.xlsx")
    rows = sheets["附件8 明细表"]
    assert rows[0][0] == "软件使用情况明细表"
    assert rows[1][0] == "单位名称（盖章）：＿＿  填表人：＿＿  联系电话：＿＿  填表日期：＿＿年＿＿月＿＿日"
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["附件8 明细表"]
    assert ws.max_row == 4 + 5  # bordered blank rows for filling in by hand
    assert ws["B9"].border.bottom.style == "thin"
    assert sheets["附件9 SY-001"][3][0] == "SY-001"


def test_rows_and_helpers():
    form = schema("附件7")
    assert data_cell(form, "installed", 0) == "O6"
    assert data_cell(schema("附件8"), "sw_type", 2) == "J7"
    log = schema("附件9")
    assert sheet_name(log, "A/B:C[1]") == "附件9 A-B-C-1-"
    assert sheet_name(log, "X" * 40) == "附件9 " + "X" * 27
    assert sheet_name(log, "SY-001", taken=["附件9 SY-001"]) == "附件9 SY-001(2)"


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    data = LedgerData(unit="测试局", whitelist=[dict(name="=1+1", remark="=SUM(A1:A2)")])
    for fast in (False, True):
        path = tmp_path / f"f{fast}.xlsx"
        write_ledger(path, data, fast=fast)
        row = _sheets(path)["附件6 免费软件清单"][3]
        assert row[2] == "=1+1" and row[8] == "=SUM(A1:A2)"
