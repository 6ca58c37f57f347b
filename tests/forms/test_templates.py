"""The official forms as templates (workbooks/), the new ledger, and forms that never cause findings."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import openpyxl
import pytest
from click.testing import CliRunner

from tests.helpers import ROOT
from toolkit import check_file
from toolkit.cli import main
from toolkit.forms.layout import sheet_name, sign_line, write_form_sheet
from toolkit.forms.templates import TEMPLATES, write_letter_sheet, write_printout_sheet, write_templates
from toolkit.read.reader import read_ledger
from toolkit.schemas import all_schemas, schema

ROOT = ROOT
COMMITTED = ROOT / "workbooks"
AS_OF = dt.date(2026, 6, 30)
ENUMS = {"软件类型", "软件类别", "获取方式", "许可类型", "操作类型", "计算机类型", "状态"}
needs_office = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftoppm")), reason="LibreOffice/pdftoppm"
)


def test_committed_templates_are_what_the_generator_makes(tmp_path):
    """Byte for byte: the package timestamps are fixed, so the same schemas give the same files."""
    made = write_templates(tmp_path)
    assert sorted(p.name for p in made) == sorted(p.name for p in COMMITTED.glob("*.xlsx"))
    for p in made:
        assert p.read_bytes() == (COMMITTED / p.name).read_bytes(), (
            f"{p.name} 与生成结果不同：请运行 zbtz templates workbooks"
        )
    assert len(TEMPLATES) == 12


def _table_sheets():
    for t in TEMPLATES:
        for name, _ in t.sheets():
            form = next((s for s in all_schemas().values() if name in (s.sheet, sheet_name(s, "软件编号"))), None)
            if form is not None and form.columns and form.form != "附件2":
                yield t.file_name, name, form


@pytest.mark.parametrize("file_name,sheet,form", list(_table_sheets()), ids=lambda v: v if isinstance(v, str) else "")
def test_table_templates(file_name, sheet, form):
    ws = openpyxl.load_workbook(COMMITTED / file_name)[sheet]
    assert ws["A1"].value == form.title and ws["A1"].font.b
    assert ws["A2"].value == sign_line(form=form)
    head = int(ws.freeze_panes[1:]) - 1
    assert ws.print_title_rows == f"${head - form.header_rows + 1}:${head}"
    labels = [ws.cell(head - form.header_rows + 1, c).value for c in range(1, ws.max_column + 1)]
    assert [c.label for c in form.columns if not c.combined_only] == [v for v in labels if v]
    if any(c.ticks for c in form.columns):
        assert form.header_rows == 2 and ws.merged_cells.ranges
    assert (
        int(ws.page_setup.paperSize) == 9
        and ws.page_setup.fitToWidth == 1
        and ws.sheet_properties.pageSetUpPr.fitToPage
    )
    assert ws.page_setup.orientation == ("landscape" if form.landscape else "portrait")
    validated = {str(dv.sqref).split(":")[0].rstrip("0123456789") for dv in ws.data_validations.dataValidation}
    col = 0
    for c in form.columns:
        if c.combined_only:
            continue
        for _ in c.ticks or [None]:
            col += 1
            letter = openpyxl.utils.get_column_letter(col)
            if c.values or c.ticks:
                assert letter in validated, (c.label, letter)
            if c.type == "date":
                assert ws[f"{letter}{head + 1}"].number_format == "yyyy-mm-dd"
            width = ws.column_dimensions[letter].width
            assert width >= c.width
    assert {c.label for c in form.columns if c.values or c.ticks} <= ENUMS | {"小组职务", "申请事项（安装/卸载/升级）"}


def test_one_page_forms_have_signature_and_date_lines():
    wb = openpyxl.load_workbook(COMMITTED / "附件2 使用正版软件承诺书.xlsx")
    texts = [c.value for row in wb["附件2 承诺书"].iter_rows() for c in row if c.value]
    assert texts[0] == "使用正版软件承诺书"
    assert any("本人承诺严格遵守单位软件正版化工作相关规定" in t for t in texts)
    assert any(t.startswith("承诺人签字") for t in texts) and any(t.endswith("年＿＿月＿＿日") for t in texts)
    assert wb["附件2 承诺书"].page_setup.fitToHeight == 1
    for file_name, sign in (
        ("附件10 软件安装维护申请表.xlsx", "申请人签字"),
        ("附件11 软件安装维护确认单.xlsx", "计算机使用人签字"),
    ):
        wb = openpyxl.load_workbook(COMMITTED / file_name)
        blank = wb.worksheets[1]
        texts = [c.value for row in blank.iter_rows() for c in row if isinstance(c.value, str)]
        assert any(sign in t and "年" in t for t in texts), file_name


@needs_office
def test_every_template_renders_to_pdf_and_png(tmp_path):
    profile = (tmp_path / "lo").as_uri()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *map(str, sorted(COMMITTED.glob("*.xlsx"))),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    from PIL import Image, ImageOps

    for xlsx in COMMITTED.glob("*.xlsx"):
        pdf = tmp_path / (xlsx.stem + ".pdf")
        assert pdf.exists(), xlsx.name
        png = tmp_path / xlsx.stem
        subprocess.run(
            ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(png)], check=True
        )
        img = Image.open(f"{png}.png").convert("L")
        assert ImageOps.invert(img).getbbox() is not None, f"{xlsx.name} renders blank"


def test_readme_picture_exists():
    assert (ROOT / "docs" / "img" / "附件7.png").stat().st_size > 5000


def test_new_ledger(tmp_path):
    path = tmp_path / "台账.xlsx"
    result = CliRunner().invoke(main, ["new", str(path), "--unit", "某市数据资源管理局"])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "附件6 免费软件清单",
        "附件7 汇总表",
        "附件8 明细表",
        "计算机清单",
        "附件10 申请登记",
        "附件11 确认登记",
        "承诺书签署登记",
    ]
    for ws in wb.worksheets:
        assert ws["A2"].value.startswith("单位名称（盖章）：某市数据资源管理局  填表人")
        # 附件6 and the 承诺书 register have no enumerated column
        assert bool(ws.data_validations.dataValidation) == (ws.title not in ("附件6 免费软件清单", "承诺书签署登记"))
    ledger = read_ledger(path)
    assert [f.form for f in ledger.forms][-3:] == ["附件10", "附件11", "承诺书签署登记"] and not ledger.requests
    # 60 bordered rows per table by default; --rows gives more
    assert wb["计算机清单"].cell(3 + 60, 2).border.left.style == "thin"
    assert wb["计算机清单"].cell(3 + 61, 2).border.left.style is None
    again = CliRunner().invoke(main, ["new", str(path), "--unit", "某局"])
    assert again.exit_code == 2 and "已存在" in again.output
    assert CliRunner().invoke(main, ["new", str(tmp_path / "x.xlsx")]).exit_code == 2
    # a ledger fresh from new checks clean: an empty ledger is not a list of errors
    assert check_file(path, AS_OF).findings == []
    more = tmp_path / "大.xlsx"
    assert CliRunner().invoke(main, ["new", str(more), "--unit", "某局", "--rows", "120"]).exit_code == 0
    assert openpyxl.load_workbook(more)["计算机清单"].cell(3 + 120, 2).border.left.style == "thin"


def test_templates_command(tmp_path):
    result = CliRunner().invoke(main, ["templates", str(tmp_path / "t")])
    assert result.exit_code == 0
    assert len(list((tmp_path / "t").glob("*.xlsx"))) == 12


def test_new_forms_do_not_change_check(make_ledger, tmp_path):
    """附件1–4 and the printed forms are recognised but never cause findings; the registers (附件10/11,
    承诺书签署登记) are read like the other forms and feed the approval rules (AZ1.2, AZ1.4, ZR3)."""
    path = make_ledger()
    before = check_file(path, AS_OF).to_dict()
    wb = openpyxl.load_workbook(path)
    rows = {
        "附件1": [dict(person="王局长", dept="局领导", role="组长"), dict(person="李处长", role="副组")],
        "附件3": [dict(dept="办公室", name="WPS", sw_type="商业", quantity="两套")],
        "附件4": [dict(name="WPS", quantity=2, unit_price="abc", planned_date="明年")],
        "附件10": [
            dict(
                date=dt.date(2026, 3, 1), dept="办公室", applicant="张三", computer="PC-001", item="升级", name="7-Zip"
            )
        ],
        "附件11": [dict(date="三月", computer="PC-009", op="重装", software_no="XX-1")],
        "承诺书签署登记": [dict(dept="办公室", person="张三", date=dt.date(2026, 1, 5))],
    }
    for name, data in rows.items():
        form = schema(name)
        write_form_sheet(wb.create_sheet(sheet_name(form)), form, data, unit="测试局")
    write_letter_sheet(wb.create_sheet("附件2 承诺书"), schema("附件2"), unit="测试局", dept="办公室", person="张三")
    write_printout_sheet(wb.create_sheet("申请表 1"), schema("附件10"), rows["附件10"][0])
    wb.save(path)
    ledger = read_ledger(path)
    assert {"附件1", "附件2", "附件3", "附件4", "附件10", "附件11", "承诺书签署登记"} <= {f.form for f in ledger.forms}
    assert [f.sheet for f in ledger.forms_of("附件10")] == ["附件10 申请登记"]  # the printed 申请表 1 is no register
    after = check_file(path, AS_OF)
    new = [f for f in after.findings if f.to_dict() not in before["findings"]]
    # 附件11's 完成日期 “三月” and 操作类型 “重装” are read like any form's cells; every log row lacks a
    # matching confirmation, and 李四 has not signed; the request register begins in 2026, after every log row
    assert sorted({(f.rule, f.sheet) for f in new if f.rule in ("S4", "S5")}) == [
        ("S4", "附件11 确认登记"),
        ("S5", "附件11 确认登记"),
    ]
    assert {f.rule for f in new} == {"S4", "S5", "AZ1.4", "ZR3"}
    assert [f.values["person"] for f in new if f.rule == "ZR3"] == ["李四"]
