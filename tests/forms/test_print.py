"""``zbtz print``: 附件2 for every person on 附件8, 附件10/附件11 for register rows, PDF via LibreOffice."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import openpyxl
import pytest
from click.testing import CliRunner

from toolkit import PrintError
from toolkit.cli import main
from toolkit.forms.layout import sheet_name, write_form_sheet
from toolkit.forms.printing import print_forms
from toolkit.schemas import schema

needs_office = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice")


def _with_registers(path):
    wb = openpyxl.load_workbook(path)
    a10, a11 = schema("附件10"), schema("附件11")
    write_form_sheet(
        wb.create_sheet(sheet_name(a10)),
        a10,
        [
            dict(
                date=dt.date(2026, 3, 1),
                dept="办公室",
                applicant="张三",
                computer="PC-001",
                item="安装",
                name="Visio",
                version="2019",
                reason="绘制流程图",
            ),
            dict(
                date=dt.date(2026, 3, 2),
                dept="办公室",
                applicant="李四",
                computer="PC-002",
                item="升级",
                name="7-Zip",
                old_no="MF-001",
                new_no="MF-001",
            ),
        ],
        unit="测试局",
    )
    write_form_sheet(
        wb.create_sheet(sheet_name(a11)),
        a11,
        [
            dict(
                date=dt.date(2026, 3, 5),
                computer="PC-001",
                user="张三",
                op="安装",
                software_no="SY-009",
                name="Visio",
                version="2019",
                operator="王工",
            ),
        ],
        unit="测试局",
    )
    wb.save(path)
    return path


def _texts(ws) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def test_a_pledge_for_every_person_and_a_page_per_register_row(make_ledger, tmp_path):
    path = _with_registers(make_ledger())
    done = print_forms(path, tmp_path / "out", pdf=False)
    assert done.pages == {"附件2": 2, "附件10": 2, "附件11": 1}
    pledges = openpyxl.load_workbook(tmp_path / "out" / "附件2 使用正版软件承诺书.xlsx")
    assert pledges.sheetnames == ["001 办公室 张三", "002 办公室 李四"]
    texts = _texts(pledges["002 办公室 李四"])
    assert texts[0] == "使用正版软件承诺书"
    assert "姓名：李四" in texts and "部门：办公室" in texts and "单位：测试局" in texts
    assert any(t.startswith("承诺人签字") for t in texts)
    requests = openpyxl.load_workbook(tmp_path / "out" / "附件10 软件安装维护申请表.xlsx")
    assert requests.sheetnames == ["申请表 1", "申请表 2"]
    texts = _texts(requests["申请表 2"])
    assert "李四" in texts and "2026年3月2日" in texts
    assert "□ 安装　□ 卸载　■ 升级" in texts
    assert any("申请人签字" in t for t in texts)
    confirm = openpyxl.load_workbook(tmp_path / "out" / "附件11 软件安装维护确认单.xlsx")["确认单 1"]
    assert "SY-009" in _texts(confirm) and any("计算机使用人签字" in t for t in _texts(confirm))
    assert confirm.page_setup.fitToHeight == 1 and confirm.page_setup.orientation == "portrait"


def test_forms_without_rows_are_skipped_with_a_reason(make_ledger, tmp_path):
    done = print_forms(make_ledger(details=[]), tmp_path, pdf=False)
    assert done.pages == {} and set(done.skipped) == {"附件2", "附件10", "附件11"}
    with pytest.raises(PrintError):
        print_forms(make_ledger(), tmp_path, ["附件7"], pdf=False)


@needs_office
def test_pdf_when_libreoffice_is_installed(make_ledger, tmp_path):
    path = _with_registers(make_ledger())
    result = CliRunner().invoke(
        main, ["print", str(path), "-o", str(tmp_path / "p"), "--form", "附件10", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    files = json.loads(result.stdout)["files"]
    assert [f.rsplit("/", 1)[-1] for f in files] == ["附件10 软件安装维护申请表.xlsx", "附件10 软件安装维护申请表.pdf"]
    assert (tmp_path / "p" / "附件10 软件安装维护申请表.pdf").read_bytes().startswith(b"%PDF")


def test_cli_usage(make_ledger, tmp_path):
    path = make_ledger()
    assert CliRunner().invoke(main, ["print", str(path)]).exit_code == 2
    assert CliRunner().invoke(main, ["print", str(path), "-o", str(tmp_path), "--form", "附件7"]).exit_code == 2
    result = CliRunner().invoke(main, ["print", str(path), "-o", str(tmp_path), "--form", "附件2", "--no-pdf"])
    assert result.exit_code == 0 and "附件2：2 页" in result.output
