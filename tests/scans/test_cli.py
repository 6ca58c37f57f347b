"""``zbtz reconcile`` and ``zbtz import --from-scans`` on the command line, and the printed 核查结果."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from toolkit.cli import main
from toolkit.scans.reconcile import reconcile

from .builders import AS_OF, collector_csv, computer, default_ledger, row, scan_ledger, windows_rows

ROOT = Path(__file__).resolve().parents[2]
needs_office = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice")


def setup(tmp_path, extra=()):
    data = default_ledger()
    data["computers"] = [*data["computers"], computer("PC-002", "CW-PC-018")]
    ledger = scan_ledger(tmp_path, **data)
    scans = tmp_path / "扫描"
    scans.mkdir()
    collector_csv(scans, "CW-PC-017", [*windows_rows(), row("Foo 绘图工具 3.2"), *extra])
    return ledger, scans


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_json_equals_the_library(tmp_path):
    ledger, scans = setup(tmp_path)
    result = invoke("reconcile", ledger, scans, "--as-of", "2026-06-30", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == reconcile(str(ledger), [str(scans)], AS_OF).to_dict()
    data = json.loads(result.stdout)
    assert [f["rule"] for f in data["findings"]] == ["PZ1.2U", "RZ4.2N"]
    assert data["unknown_names"][0]["name"] == "Foo 绘图工具 3.2"


def test_text_and_exit_status_from_a_subprocess(tmp_path):
    ledger = scan_ledger(tmp_path)
    scan = collector_csv(tmp_path, "CW-PC-017")
    run = subprocess.run(
        [sys.executable, "-m", "toolkit", "reconcile", str(ledger), str(scan), "--as-of", "2026-06-30"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "错误 0 个，警告 0 个 —— 一致" in run.stdout


def test_usage_errors_and_an_unreadable_ledger_write_nothing(tmp_path):
    ledger, scans = setup(tmp_path)
    assert invoke("reconcile", ledger, scans, "--in-place").exit_code == 2
    assert invoke("reconcile", ledger, scans, "--annotate").exit_code == 2
    assert invoke("reconcile", ledger, scans, "-o", tmp_path / "x.pdf").exit_code == 2
    bad = tmp_path / "坏台账.xlsx"
    bad.write_bytes(b"PK\x03\x04 truncated")
    out = tmp_path / "核查结果.xlsx"
    result = invoke("reconcile", bad, scans, "-o", out)
    assert result.exit_code == 1 and "坏台账.xlsx" in result.stderr and "Traceback" not in result.output
    assert not out.exists()
    result = invoke("reconcile", ledger, scans, "--map", "没有等号")
    assert result.exit_code == 2 and "表头=字段" in result.stderr


def test_annotate_into_a_copy_of_the_ledger(tmp_path):
    ledger, scans = setup(tmp_path)
    before = ledger.read_bytes()
    out = tmp_path / "台账-核对.xlsx"
    result = invoke("reconcile", ledger, scans, "--as-of", "2026-06-30", "--annotate", "-o", out)
    assert result.exit_code == 1, result.output
    assert ledger.read_bytes() == before
    wb = openpyxl.load_workbook(out)
    ws = wb["校验结果"]
    assert [c.value for c in ws[2]][1] == "PZ1.2U" and [c.value for c in ws[3]][1] == "RZ4.2N"
    assert wb["计算机清单"]["B4"].comment is not None and "PZ1.2U" in wb["计算机清单"]["B4"].comment.text


def _pdf_pages(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


@needs_office
def test_the_reconciliation_workbook_prints_on_a4_one_page_wide(tmp_path):
    ledger, scans = setup(
        tmp_path, [row("Foo 绘图工具 3.2 (x64) 附带一个很长很长的名称用来检查换行和页宽是否合适" * 2)]
    )
    out = tmp_path / "核查结果.xlsx"
    result = invoke("reconcile", ledger, scans, "--as-of", "2026-06-30", "-o", out)
    assert result.exit_code == 1 and out.exists()
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["按计算机", "按软件", "问题清单", "待认定名称"]
    for ws in wb:
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and ws.page_setup.orientation == "landscape"
        assert (
            ws.page_setup.fitToWidth == 1
            and ws.page_setup.fitToHeight == 0
            and ws.sheet_properties.pageSetUpPr.fitToPage
        )
        assert ws.print_title_rows == "$1:$3"
    assert wb["按计算机"]["B5"].value == "PC-002" and wb["按计算机"]["F5"].value == "（无扫描）"
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
        capture_output=True,
        timeout=180,
        check=True,
    )
    pages = _pdf_pages(tmp_path / "核查结果.pdf")
    # one page per sheet: had a sheet been wider than the page, its columns would have spilled onto more pages
    assert len(pages) == 4
    assert all(abs(w - 841.9) < 1 and abs(h - 595.3) < 1 for w, h in pages)  # A4 landscape


def test_import_from_scans(tmp_path):
    _, scans = setup(tmp_path)
    out = tmp_path / "新台账.xlsx"
    result = invoke("import", "--from-scans", scans, "-o", out, "--unit", "某市数据资源管理局", "--date", "2026-06-30")
    assert result.exit_code == 0, result.output
    assert "1 台计算机" in result.stdout and "1 个名称待认定" in result.stdout and out.exists()
    again = invoke("import", "--from-scans", scans, "-o", out, "--unit", "某市数据资源管理局")
    assert again.exit_code == 1 and "已存在" in again.stderr
    assert invoke("import", "--from-scans", scans, "-o", out, "--unit", "x", "--force").exit_code == 0
    assert invoke("import", "--from-scans", "-o", tmp_path / "y.xlsx", "--unit", "x").exit_code == 2  # no PATHS
    data = json.loads(
        invoke("import", "--from-scans", scans, "-o", tmp_path / "z.xlsx", "--unit", "x", "--format", "json").stdout
    )
    assert data["computers"] == 1 and data["written"].endswith("z.xlsx")


def test_help_has_examples():
    for cmd in ("reconcile", "import"):
        assert "示例" in invoke(cmd, "--help").stdout
