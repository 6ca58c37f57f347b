"""check --annotate: the 校验结果 sheet, fills and notes on located cells, and a clean rerun."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from tests.helpers.preserve import SUMMARY, feature_ledger, parts
from toolkit import Report, annotate_file, check_file
from toolkit.cli import main
from toolkit.plans.annotate import AUTHOR, FILLS, RESULT_SHEET, plan_annotation
from toolkit.write.package import LEDGER_SHEET, Package, _fill_color

AS_OF = dt.date(2026, 6, 30)


def _broken(tmp_path: Path) -> Path:
    from tests.helpers.factory import office, sevenzip, windows

    # 安装数量 off (TZ1.13 on O6) and 使用计算机人数 off (TZ1.1 on E3)
    return feature_ledger(
        tmp_path,
        summary=[office(installed=5), windows(), sevenzip()],
        counts=dict(total_staff=3, staff_using=7, servers=0, desktops=2, laptops=0),
    )


def _values(path: Path) -> dict[str, list]:
    wb = CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names if n not in (RESULT_SHEET, LEDGER_SHEET)}


def _fill(pkg: Package, sheet: str, ref: str) -> str | None:
    from toolkit.cellref import split_ref

    r, c = split_ref(ref)
    cell = pkg._sheet(sheet).cell(r, c)
    return _fill_color(pkg.styles().fill_xml(int(cell.get("s", "0")))[0]) if cell is not None else None


def _comments(path: Path) -> str:
    return "".join(v.decode() for k, v in parts(path).items() if re.match(r"xl/comments.*\.xml", k))


def test_result_sheet_fills_and_notes(tmp_path: Path) -> None:
    src = _broken(tmp_path)
    report = check_file(src, AS_OF)
    flat = [(f.rule, f.sheet, f.cell) for f in report.findings]
    assert ("TZ1.13", SUMMARY, "O6") in flat and ("TZ1.1", SUMMARY, "E3") in flat
    out = tmp_path / "out.xlsm"
    annotate_file(src, report, out=out)
    pkg = Package.open(out)
    assert pkg.sheet_names()[-2:] == [RESULT_SHEET, LEDGER_SHEET]
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(RESULT_SHEET).to_python()
    assert rows[0] == ["序号", "规则", "级别", "工作表", "单元格", "说明"]
    assert [r[1:5] for r in rows[1:]] == [
        [f.rule, "错误" if f.severity == "error" else "警告", f.sheet or "", f.cell or ""] for f in report.findings
    ]
    xml = parts(out)[pkg.sheet_part(RESULT_SHEET)].decode()
    i = next(i for i, f in enumerate(report.findings, 2) if f.rule == "TZ1.13")
    assert f'<hyperlink ref="E{i}" location="\'{SUMMARY}\'!O6"' in xml
    assert _fill(pkg, SUMMARY, "O6") == FILLS["error"] and _fill(pkg, SUMMARY, "E3") == FILLS["error"]
    text = _comments(out)
    assert AUTHOR in text and "【TZ1.13 错误】" in text and "用户的批注" in text
    assert _values(out) == _values(src)  # every original value unchanged
    # the annotated workbook checks the same: neither 校验结果 nor the hidden record is read as a form
    assert [(f.rule, f.sheet, f.cell) for f in check_file(out, AS_OF).findings] == flat


def test_rerun_removes_only_our_additions(tmp_path: Path) -> None:
    src = _broken(tmp_path)
    once, twice, clean = tmp_path / "once.xlsm", tmp_path / "twice.xlsm", tmp_path / "clean.xlsm"
    annotate_file(src, check_file(src, AS_OF), out=once)
    annotate_file(once, check_file(once, AS_OF), out=twice)
    p1, p2 = parts(once), parts(twice)
    assert set(p1) == set(p2)  # a rerun replaces, never adds up (only the new sheet's id differs)
    for name in p1:
        strip = (lambda b: re.sub(rb' sheetId="\d+"', b"", b)) if name == "xl/workbook.xml" else (lambda b: b)
        assert strip(p1[name]) == strip(p2[name]), name
    annotate_file(twice, Report(AS_OF, [], [], [str(twice)]), out=clean)
    orig, back = Package.open(src), Package.open(clean)
    for ref in ("O6", "E3"):
        assert _fill(back, SUMMARY, ref) == _fill(orig, SUMMARY, ref)
    text = _comments(clean)
    assert "【" not in text and "用户的批注" in text and "[Threaded comment]" in text
    assert (
        CalamineWorkbook.from_path(str(clean))
        .get_sheet_by_name(RESULT_SHEET)
        .to_python()[1][5]
        .startswith("未发现问题")
    )
    assert LEDGER_SHEET not in back.sheet_names()
    assert _values(clean) == _values(src)


def test_plan_skips_missing_sheets() -> None:
    from toolkit.findings import Finding

    report = Report(AS_OF, [Finding("TZ1.13", "a.xlsx", "没有这张表", "B2", {})], [], ["a.xlsx"])
    plan = plan_annotation(report, sheets={"附件7 汇总表"})
    assert plan.marks == [] and plan.links == {} and len(plan.rows) == 2


def test_cli_annotate_usage_and_folder_in_place(tmp_path: Path) -> None:
    src = _broken(tmp_path)
    folder = tmp_path / "各单位"
    folder.mkdir()
    a, b = folder / "甲.xlsm", folder / "乙.xlsm"
    shutil.copy(src, a)
    shutil.copy(src, b)
    runner = CliRunner()
    assert runner.invoke(main, ["check", str(folder), "--annotate"]).exit_code == 2
    assert runner.invoke(main, ["check", str(folder), "--annotate", "-o", str(tmp_path / "x.xlsm")]).exit_code == 2
    assert runner.invoke(main, ["check", str(a), "-o", str(tmp_path / "x.xlsm")]).exit_code == 2
    result = runner.invoke(main, ["check", str(folder), "--annotate", "--in-place", "--as-of", "2026-06-30"])
    assert result.exit_code == 1, result.output  # the findings decide, as without --annotate
    for path in (a, b):
        assert RESULT_SHEET in Package.open(path).sheet_names()
    assert len(list(folder.glob("*.bak-*.xlsm"))) == 2
    one = runner.invoke(main, ["check", str(src), "--annotate", "-o", str(tmp_path / "one.xlsm"), "--format", "json"])
    assert one.exit_code == 1 and (tmp_path / "one.xlsm").exists()
