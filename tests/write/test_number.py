"""``zbtz number``: blank 软件编号 filled by TZ1.2–TZ1.9, 附件9 sheets added, nothing else touched."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from tests.helpers.factory import office, sevenzip, windows
from toolkit import NumberingError, check_file, number
from toolkit.cli import main
from toolkit.forms.templates import new_ledger
from toolkit.plans.number import NumberFormat, plan_numbers
from toolkit.read.reader import read_ledger
from toolkit.write.package import Package

AS_OF = dt.date(2026, 6, 30)
NUMBERING = ("TZ1.0", "TZ1.2", "TZ1.3", "TZ1.3D", "TZ1.4", "TZ1.5", "TZ1.6", "TZ1.7", "TZ1.8", "TZ1.9")


def _ledger(make_ledger, *rows, **kw):
    kw.setdefault("details", [])
    kw.setdefault("logs", {})
    kw.setdefault("computers", None)
    kw.setdefault("settings", {})  # no 设置 sheet: the sheet order below is the forms' own
    return make_ledger(summary=list(rows), **kw)


def _numbers(path) -> list[str | None]:
    return [r.software_no for r in read_ledger(path).summary]


def _plan(path, fmt=None):
    return plan_numbers(read_ledger(path), fmt)


def _numbering_findings(path):
    return [f.rule for f in check_file(path, AS_OF).findings if f.rule in NUMBERING]


def _run(path, tmp_path, **kw):
    out = tmp_path / "out.xlsx"
    number(path, out=out, **kw)
    return out


def test_commercial_name_or_version_differs_tz1_2(make_ledger, tmp_path):
    path = _ledger(
        make_ledger, office(None), office(None, version="2021", usable_version="2021"), office(None, name="WPS Office")
    )
    out = _run(path, tmp_path)
    assert _numbers(out) == ["SY-001", "SY-002", "SY-003"]
    assert _numbering_findings(out) == []


def test_second_purchase_lot_of_the_same_software_tz1_3(make_ledger, tmp_path):
    second = office(None, purchase_date=dt.date(2025, 1, 10), amount=6400, license_count=5, serial="EFGH-5678")
    path = _ledger(make_ledger, office("SY-001"), second)
    out = _run(path, tmp_path)
    assert _numbers(out) == ["SY-001", "SY-002"]
    assert _numbering_findings(out) == []


def test_identical_rows_still_get_a_number_each(make_ledger, tmp_path):
    # every commercial row is a lot of its own: same number would be TZ1.3D
    out = _run(_ledger(make_ledger, office(None), office(None)), tmp_path)
    assert _numbers(out) == ["SY-001", "SY-002"]
    assert _numbering_findings(out) == []


def test_donated_lot_gets_its_own_number_tz1_4(make_ledger, tmp_path):
    donated = office(None, acquisition="受赠", purchase_date=None, amount=None, serial="GIFT-0001")
    path = _ledger(make_ledger, office("SY-001"), donated)
    plan = _plan(path)
    assert [(f.cell, f.software_no) for f in plan.fills] == [("B7", "SY-002")]
    assert "受赠" in plan.fills[0].reason
    out = _run(path, tmp_path)
    assert _numbers(out) == ["SY-001", "SY-002"]
    assert _numbering_findings(out) == []


def test_oem_per_name_and_version_tz1_5_tz1_6(make_ledger, tmp_path):
    path = _ledger(
        make_ledger,
        windows("OEM-004"),
        windows(None),  # same name and version: the same number
        windows(None, version="11", name="Windows 11 专业版"),
        windows(None, version="11", name="Windows 11 专业版"),
    )
    out = _run(path, tmp_path)
    assert _numbers(out) == ["OEM-004", "OEM-004", "OEM-005", "OEM-005"]
    assert _numbering_findings(out) == []


def test_free_software_keeps_its_number_across_versions_tz1_7_tz1_8_tz1_9(make_ledger, tmp_path):
    path = _ledger(
        make_ledger,
        sevenzip("MF-003"),
        sevenzip(None, remark="新版本 24.08"),  # a new version of a listed free software
        sevenzip(None, name="Notepad++"),
        sevenzip(None, name="notepad++ "),  # the same name after normalisation
        whitelist=[dict(name="7-Zip"), dict(name="Notepad++")],
    )
    out = _run(path, tmp_path)
    assert _numbers(out) == ["MF-003", "MF-003", "MF-004", "MF-004"]
    assert _numbering_findings(out) == []
    # 附件6 rows get the numbers of their free software
    assert [w.raw["software_no"] for w in read_ledger(out).whitelist] == ["MF-003", "MF-004"]


def test_existing_numbers_never_change_and_counters_continue(make_ledger, tmp_path):
    path = _ledger(
        make_ledger,
        office("SY-007"),
        office(None, name="Visio"),
        windows("OEM-2"),
        windows(None, version="11"),
        sevenzip("免费-1"),
        sevenzip(None, name="VLC"),
    )
    out = _run(path, tmp_path)
    assert _numbers(out) == ["SY-007", "SY-008", "OEM-2", "OEM-003", "免费-1", "MF-001"]


def test_configurable_format(make_ledger, tmp_path):
    fmt = NumberFormat("{prefix}{n:04d}", {"商业软件": "RJ", "OEM软件": "YZ", "免费软件": "MF"})
    path = _ledger(make_ledger, office("RJ0009"), office(None, name="Visio"), windows(None), sevenzip(None))
    out = _run(path, tmp_path, fmt=fmt)
    assert _numbers(out) == ["RJ0009", "RJ0010", "YZ0001", "MF0001"]
    with pytest.raises(NumberingError):
        NumberFormat("SY-{x}")


def test_rows_without_type_or_name_are_left_and_reported(make_ledger):
    path = _ledger(make_ledger, office(None, sw_type=None), office(None, sw_type="共享软件"), office("SY-001"))
    plan = _plan(path)
    assert plan.fills == []
    assert [(u.cell, "软件类型" in u.reason) for u in plan.unnumbered] == [("B6", True), ("B7", True)]


def test_new_logs_have_the_template_look_and_read_back(make_ledger, tmp_path):
    path = _ledger(make_ledger, office(None), windows(None), sevenzip(None))
    out = _run(path, tmp_path)
    ledger = read_ledger(out)
    assert sorted(log.software_no for log in ledger.logs) == ["MF-001", "OEM-001", "SY-001"]
    wb = openpyxl.load_workbook(out)
    ws = wb["附件9 SY-001"]
    assert ws["A1"].value == "软件安装维护情况明细表" and ws["A1"].font.b
    assert ws["A2"].value.startswith("单位名称（盖章）：测试局")
    today = dt.date.today()
    assert ws["A2"].value.endswith(f"填表日期：{today.year}年{today.month}月{today.day}日")  # the day it was made
    # every value under its label, over columns wide enough to read it; 许可数量 a number, not text
    labels = {c: ws.cell(3, c).value for c in range(1, 13) if ws.cell(3, c).value}
    values = {c: ws.cell(4, c).value for c in range(1, 13) if ws.cell(4, c).value is not None}
    assert list(labels) == list(values)
    assert list(values.values()) == ["SY-001", "Microsoft Office 专业增强版", "2019", "商业软件", 10, "2019", "永久"]
    assert labels[min(labels)] == "软件编号" and list(labels.values())[1] == "软件名称"
    name_cols = sorted(labels)[1:3]
    assert sum(ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width for c in range(*name_cols)) >= 26
    assert ws.freeze_panes == "A7" and ws.print_title_rows == "$5:$6"
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"
    assert {str(dv.sqref) for dv in ws.data_validations.dataValidation} == {"B7:B1006", "C7:C1006"}
    assert ws["I7"].number_format == "yyyy-mm-dd" and ws["I7"].border.left.style == "thin"
    assert wb["附件9 MF-001"]["E4"].value == "--"  # not applicable to free software
    assert wb.sheetnames[:4] == ["附件6 免费软件清单", "附件7 汇总表", "附件8 明细表", "附件9 SY-001"]


def test_untouched_parts_keep_their_bytes(make_ledger, tmp_path):
    path = _ledger(make_ledger, office(None), sevenzip("MF-001"), logs={"MF-001": []})
    out = _run(path, tmp_path)
    with zipfile.ZipFile(path) as a, zipfile.ZipFile(out) as b:
        before = {n: a.read(n) for n in a.namelist()}
        after = {n: b.read(n) for n in b.namelist()}
    pkg = Package.open(path)
    edited = {
        pkg.sheet_part("附件7 汇总表"),
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml",
        "xl/styles.xml",
    }
    for name, data in before.items():
        if name not in edited:
            assert after[name] == data, name
    assert len(after) == len(before) + 1  # one new 附件9 sheet


def test_number_twice_changes_nothing(make_ledger, tmp_path):
    path = _ledger(make_ledger, office(None), windows(None), sevenzip(None))
    first = number(path, in_place=True)
    assert first.edited.backup is not None and first.edited.backup.exists()
    once = path.read_bytes()
    again = number(path, in_place=True)
    assert again.plan.empty and again.edited.target is None
    assert path.read_bytes() == once
    out = tmp_path / "copy.xlsx"
    number(path, out=out)
    assert _numbers(out) == _numbers(path)


def test_new_fill_number_check(tmp_path):
    """The whole workflow: a new ledger, a few rows typed in, numbered, checked: no TZ1.x or S finding."""
    path = tmp_path / "台账.xlsx"
    new_ledger(path, "测试局")
    pkg = Package.open(path)
    rows = [
        [
            None,
            "Microsoft Office 专业增强版",
            "2019",
            "商业软件",
            "办公软件",
            "采购",
            dt.date(2023, 5, 6),
            12800,
            "批量许可",
            10,
            "2019",
            "永久",
            "ABCD-1",
            0,
        ],
        [
            None,
            "Microsoft Office 专业增强版",
            "2019",
            "商业软件",
            "办公软件",
            "采购",
            dt.date(2024, 9, 1),
            6400,
            "批量许可",
            5,
            "2019",
            "3年",
            "ABCD-2",
            0,
        ],
        [
            None,
            "Microsoft Office 专业增强版",
            "2019",
            "商业软件",
            "办公软件",
            "受赠",
            None,
            None,
            "批量许可",
            5,
            "2019",
            "永久",
            "GIFT-1",
            0,
        ],
        [None, "Windows 10 专业版", "10", "OEM软件", "操作系统", None, *["--"] * 7, 0],
        [None, "7-Zip", "--", "免费软件", "工具软件", None, *["--"] * 7, 0],
    ]
    values = {(7 + i, 1): i + 1 for i in range(len(rows))}
    values.update({(7 + i, 2 + j): v for i, row in enumerate(rows) for j, v in enumerate(row)})
    values.update({(3, 3): 1, (3, 5): 1, (4, 3): 0, (4, 5): 1, (4, 7): 0})
    pkg.set_cells("附件7 汇总表", values)
    pkg.set_cells("附件6 免费软件清单", {(4, 1): 1, (4, 3): "7-Zip", (4, 5): "官网", (4, 6): "Igor Pavlov"})
    pkg.set_cells("附件8 明细表", {(5, 1): 1, (5, 2): "办公室", (5, 3): "张三", (5, 4): "PC-001", (5, 5): "联想"})
    pkg.set_cells(
        "计算机清单", {(4, 1): 1, (4, 2): "PC-001", (4, 3): "台式机", (4, 6): "张三", (4, 7): "办公室", (4, 8): "在用"}
    )
    pkg.save(path)
    result = CliRunner().invoke(main, ["number", str(path), "--in-place"])
    assert result.exit_code == 0, result.output
    assert _numbers(path) == ["SY-001", "SY-002", "SY-003", "OEM-001", "MF-001"]
    findings = check_file(path, AS_OF).findings
    assert [f.rule for f in findings if f.rule.startswith(("TZ1.", "S"))] == []


def test_cli_json_dry_run_and_usage_errors(make_ledger, tmp_path):
    path = _ledger(make_ledger, office(None))
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["number", str(path), "--dry-run", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [(n["cell"], n["software_no"]) for n in data["numbers"]] == [("B6", "SY-001")]
    assert [g["sheet"] for g in data["new_logs"]] == ["附件9 SY-001"]
    assert path.read_bytes() == before
    assert CliRunner().invoke(main, ["number", str(path)]).exit_code == 2
    assert CliRunner().invoke(main, ["number", str(path), "--in-place", "--prefix", "共享=GX"]).exit_code == 2
    lock = path.with_name("~$" + path.name)
    lock.write_bytes(b"")
    assert CliRunner().invoke(main, ["number", str(path), "--in-place"]).exit_code == 1
    assert path.read_bytes() == before
