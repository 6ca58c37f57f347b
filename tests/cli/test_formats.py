"""Every spreadsheet format units keep: read for check and report; the commands that write leave the
original alone and write a new .xlsx; a folder lists every candidate as checked or skipped."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tests.helpers.factory import make_ledger, office, sevenzip, windows
from tests.helpers.field_factory import convert
from toolkit.checking import check_file
from toolkit.cli import main
from toolkit.errors import ReadError
from toolkit.read import vet

AS_OF = "2026-06-30"
AS_OF_DAY = dt.date(2026, 6, 30)


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A ledger with one error (安装数量) as .xlsx, and as LibreOffice saves it in .xls and .ods."""
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.skip("LibreOffice is not installed")
    folder = tmp_path_factory.mktemp("formats")
    xlsx = make_ledger(folder, summary=[office(installed=3), windows(), sevenzip()])
    out = {"xlsx": xlsx}
    for fmt in ("xls", "ods"):
        out[fmt] = convert([xlsx], fmt, folder / fmt)[0]
    return out


def test_a_folder_of_xls_files_is_checked(saved, tmp_path):
    (tmp_path / "各单位").mkdir()
    xls = shutil.copy(saved["xls"], tmp_path / "各单位" / "一科.xls")
    result = run("check", tmp_path / "各单位", "--as-of", AS_OF, "--format", "json")
    data = json.loads(result.stdout)
    assert result.exit_code == 1  # the planted 安装数量 error
    assert [(f["workbook"], f["status"]) for f in data["files"]] == [(str(xls), "checked")]
    assert [f["rule"] for f in data["findings"]] == ["TZ1.13"]


def test_a_folder_where_nothing_can_be_checked_says_so_and_fails(tmp_path):
    folder = tmp_path / "各单位"
    folder.mkdir()
    (folder / "~$台账.xlsx").write_bytes(b"lock")
    (folder / "导出.csv").write_text("序号,软件名称\n", encoding="utf-8")
    (folder / "说明.txt").write_text("not a spreadsheet", encoding="utf-8")
    result = run("check", folder, "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "没有可检查的台账" in result.stdout and "通过" not in result.stdout.replace("未通过", "")
    assert "已跳过" in result.stdout and "导出.csv" in result.stdout and "说明.txt" not in result.stdout
    data = json.loads(run("check", folder, "--as-of", AS_OF, "--format", "json").stdout)
    assert data["valid"] is False
    assert [f["status"] for f in data["files"]] == ["skipped", "skipped"]
    assert all(f["reason"] for f in data["files"])


def test_report_on_a_folder_with_nothing_readable_fails(tmp_path):
    folder = tmp_path / "各单位"
    folder.mkdir()
    (folder / "~$台账.xlsx").write_bytes(b"lock")
    result = run("report", folder, "--as-of", AS_OF)
    assert result.exit_code == 1 and "没有可汇总的台账" in result.output


def test_an_unreadable_file_in_a_folder_is_listed_as_skipped(tmp_path):
    folder = tmp_path / "各单位"
    folder.mkdir()
    good = make_ledger(folder, name="好.xlsx")
    (folder / "坏.xls").write_bytes(b"not a workbook at all")
    data = json.loads(run("check", folder, "--as-of", AS_OF, "--format", "json").stdout)
    status = {Path(f["workbook"]).name: (f["status"], f["reason"]) for f in data["files"]}
    assert status[good.name] == ("checked", "")
    assert status["坏.xls"][0] == "skipped" and "不是 Excel 工作簿" in status["坏.xls"][1]


def test_a_single_file_check_has_no_file_list(saved):
    data = json.loads(run("check", saved["ods"], "--as-of", AS_OF, "--format", "json").stdout)
    assert "files" not in data and [f["rule"] for f in data["findings"]] == ["TZ1.13"]


def test_report_reads_an_xls_ledger(saved):
    result = run("report", saved["xls"], "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["computers"]["total"] == 2


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_rollup_in_place_writes_an_xlsx_beside_and_never_touches_the_original(saved, tmp_path, fmt):
    src = Path(shutil.copy(saved[fmt], tmp_path / f"台账.{fmt}"))
    before = digest(src)
    result = run("rollup", src, "--as-of", AS_OF, "--in-place")
    assert result.exit_code == 0, result.output
    assert digest(src) == before
    written = tmp_path / "台账.xlsx"
    assert "未作任何改动" in result.output and str(written) in result.output
    assert check_file(written, AS_OF_DAY).codes() == []  # 安装数量 rolled up
    ws = openpyxl.load_workbook(written)["附件7 汇总表"]  # a plain copy that still prints one page wide on A4
    assert (ws.page_setup.paperSize, ws.page_setup.orientation, ws.page_setup.fitToWidth) == (9, "landscape", 1)
    assert ws.column_dimensions["C"].width > 20  # 软件名称 fits
    again = run("rollup", src, "--as-of", AS_OF, "--in-place")  # never overwrites the first result
    assert again.exit_code == 0 and (tmp_path / "台账（转换）.xlsx").exists() and digest(src) == before


def test_annotate_number_and_excel_setup_on_an_xls(saved, tmp_path):
    src = Path(shutil.copy(saved["xls"], tmp_path / "台账.xls"))
    before = digest(src)
    result = run("check", src, "--as-of", AS_OF, "--annotate", "-o", tmp_path / "标注.xlsx")
    assert result.exit_code == 1 and "未作任何改动" in result.output
    with zipfile.ZipFile(tmp_path / "标注.xlsx") as z:
        assert any("comments" in n for n in z.namelist())
    assert run("number", src, "--in-place").exit_code == 0
    assert not (tmp_path / "台账.xlsx").exists()  # nothing to number: no new file either
    result = run("excel-setup", src, "-o", tmp_path / "按钮.xlsm")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "按钮.xlsm").exists() and digest(src) == before


def test_a_non_xlsx_output_for_an_xls_ledger_is_a_usage_error(saved, tmp_path):
    src = Path(shutil.copy(saved["xls"], tmp_path / "台账.xls"))
    result = run("rollup", src, "--as-of", AS_OF, "-o", tmp_path / "新.xls")
    assert result.exit_code == 2 and ".xlsx" in result.output
    assert not (tmp_path / "新.xls").exists()


# --- vetting -----------------------------------------------------------------------------------


def test_a_compound_file_over_its_size_bound_is_refused(saved, tmp_path, monkeypatch):
    monkeypatch.setattr(vet, "MAX_CFB_BYTES", 1024)
    monkeypatch.setattr(vet, "_VETTED", {})  # vetted once already in this process: vet it afresh
    monkeypatch.setattr(vet, "_PACKAGES", {})
    report = check_file(saved["xls"], AS_OF_DAY)
    assert report.codes() == ["S0"] and "超过读取上限" in report.findings[0].message


def test_a_compound_file_whose_header_does_not_add_up_is_refused(saved, tmp_path):
    data = bytearray(saved["xls"].read_bytes())
    data[44:48] = (10**6).to_bytes(4, "little")  # a million FAT sectors in a small file
    bad = tmp_path / "坏.xls"
    bad.write_bytes(bytes(data))
    report = check_file(bad, AS_OF_DAY)
    assert report.codes() == ["S0"] and "结构已损坏" in report.findings[0].message


def test_an_ods_with_a_dtd_is_refused(saved, tmp_path):
    bomb = tmp_path / "炸弹.ods"
    with zipfile.ZipFile(saved["ods"]) as zin, zipfile.ZipFile(bomb, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "content.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1)
            zout.writestr(info, data)
    report = check_file(bomb, AS_OF_DAY)
    assert report.codes() == ["S0"] and "XML 炸弹" in report.findings[0].message


def test_the_format_is_told_by_the_bytes_not_the_suffix(saved, tmp_path):
    cases = {"a.et": saved["xls"], "b.xls": saved["ods"], "c.et": saved["xlsx"]}
    for name, src in cases.items():
        shutil.copy(src, tmp_path / name)
    assert [vet.vet_workbook(tmp_path / n).kind for n in cases] == [vet.CFB, vet.ODS, vet.XLSX]
    xlsb = tmp_path / "d.xlsb"  # Excel's binary workbook: an OOXML package with a binary workbook part
    with zipfile.ZipFile(xlsb, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
    assert vet.vet_workbook(xlsb).kind == vet.XLSB
    with pytest.raises(ReadError, match="另存为"):  # vet_package: only xlsx packages are edited in place
        vet.vet_package(tmp_path / "a.et")
