"""Every workbook the toolkit writes, printed with LibreOffice: A4, the page counts a person expects.

Templates, the new ledger, the rolled-up and the annotated ledger, the printed forms (附件2, 附件10,
附件11), 附件5 and the folder summary. A table is printed one page wide: every page shows its first
and its last column header (the header rows repeat), so no column went onto a page of its own.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from tests.helpers.printed import Page, every_sheet, needs_office, printed
from tests.helpers.walk import AS_OF, fill, sheet, zbtz
from toolkit.forms.templates import write_templates

pytestmark = pytest.mark.usefixtures("office")


@pytest.fixture(scope="module")
def office():
    needs_office()


def table_header(xlsx: Path, name: str) -> tuple[str, str] | None:
    """The first and last labels of a sheet's table header, or None for a page that is not a table."""
    wb = openpyxl.load_workbook(xlsx, read_only=True)
    try:
        rows = list(wb[name].iter_rows(min_row=1, max_row=8, values_only=True))
    finally:
        wb.close()
    for row in rows:
        if row and row[0] == "序号":
            labels = [v for v in row if isinstance(v, str) and v]
            return labels[0], labels[-1][:2]
    return None


def assert_tables_one_page_wide(items: list[tuple[Path, str]], pages: dict[tuple[str, str], list[Page]]) -> None:
    for xlsx, name in items:
        got = pages[(xlsx.name, name)]
        assert got and all(p.a4 for p in got), (xlsx.name, name, [(p.width, p.height) for p in got])
        head = table_header(xlsx, name)
        if head is not None:
            assert all(head[0] in p.text and head[1] in p.text for p in got), (xlsx.name, name, len(got))


def test_templates(tmp_path):
    items = [item for path in write_templates(tmp_path / "表样") for item in every_sheet(path)]
    pages = printed(items, tmp_path)
    assert_tables_one_page_wide(items, pages)
    one_page = {name for path, name in items if path.name.startswith(("附件2 ", "附件5 ")) and "登记" not in name}
    one_page |= {name for _path, name in items if "（空白）" in name}  # the one-page 附件10/附件11 forms
    assert len(one_page) == 4
    for path, name in items:
        if name in one_page:
            assert len(pages[(path.name, name)]) == 1, name


def test_new_and_rolled_up_ledgers(walked, tmp_path):
    items = every_sheet(walked["new"]) + every_sheet(walked["rolled"])
    pages = printed(items, tmp_path)
    assert_tables_one_page_wide(items, pages)
    detail = pages[(walked["rolled"].name, "附件8 明细表")]
    assert len(detail) >= 2 and all(p.landscape for p in detail)  # 61 rows: tall, never wide


def test_annotated_ledger(walked, tmp_path):
    out = tmp_path / "已标注.xlsx"
    result = zbtz("check", walked["logged"], "--as-of", AS_OF, "--annotate", "-o", out)
    assert result.exit_code == 1
    wb = openpyxl.load_workbook(out)
    assert wb.active.title == "校验结果"  # opens on the results
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == ["校验结果"]
    results = wb["校验结果"]
    assert results["F2"].alignment.wrap_text and results.print_title_rows == "$1:$1"
    assert results["E2"].hyperlink.location.endswith("!A1")  # each row linked to its cell
    items = [(out, "校验结果")]
    pages = printed(items, tmp_path)
    assert_tables_one_page_wide(items, pages)
    assert all(p.landscape for p in pages[(out.name, "校验结果")])


def _registers(ledger: Path, tmp_path: Path) -> Path:
    """The rolled-up ledger with one 附件10 request and one 附件11 confirmation entered."""
    out = tmp_path / "登记.xlsx"
    shutil.copy(ledger, out)
    wb = openpyxl.load_workbook(out)
    fill(
        sheet(wb, "附件10"),
        [
            {
                "序号": 1,
                "申请日期": "2024年2月20日",
                "申请部门": "办公室",
                "申请人": "员工03",
                "计算机编号": "TS-03",
                "软件名称": "AutoCAD 2020",
                "软件版本": "2020",
                "申请理由": "绘制办公楼改造图纸，需在本机安装，使用期限为本年度",
            }
        ],
    )
    fill(
        sheet(wb, "附件11"),
        [
            {
                "序号": 1,
                "完成日期": "2024年3月1日",
                "计算机编号": "TS-03",
                "使用人": "员工03",
                "软件编号": "SY-002",
                "软件名称": "AutoCAD 2020",
                "软件版本": "2020",
                "操作人": "王工",
            }
        ],
    )
    wb.save(out)
    return out


def test_printed_forms_one_page_each(walked, tmp_path):
    ledger = _registers(walked["rolled"], tmp_path)
    folder = tmp_path / "打印"
    result = zbtz("print", ledger, "-o", folder, "--no-pdf")
    assert result.exit_code == 0, result.output
    files = sorted(folder.glob("*.xlsx"))
    assert len(files) == 3
    items = [item for f in files for item in every_sheet(f)]
    pages = printed(items, tmp_path)
    for key, got in pages.items():
        assert len(got) == 1 and got[0].a4, key
    pledges = [k for k in pages if k[0].startswith("附件2")]
    assert len(pledges) == 25  # one pledge per person on 附件8


def test_attachment5_is_one_a4_page(walked, tmp_path):
    out = tmp_path / "附件5.xlsx"
    assert zbtz("report", walked["rolled"], "-o", out, "--as-of", AS_OF).exit_code == 0
    items = every_sheet(out)
    pages = printed(items, tmp_path)
    form = pages[(out.name, items[0][1])]
    assert len(form) == 1 and form[0].a4 and not form[0].landscape
    text = form[0].text
    assert "便携机" in text and "注：" in text and "按计入" not in text
    assert_tables_one_page_wide(items[1:], pages)


def test_folder_summary(walked, tmp_path):
    folder = tmp_path / "各单位"
    folder.mkdir()
    for i, step in enumerate(("rolled", "logged")):
        shutil.copy(walked[step], folder / f"单位{i + 1}.xlsx")
    out = tmp_path / "汇总.xlsx"
    result = zbtz("report", folder, "-o", out, "--as-of", AS_OF)
    assert result.exit_code == 0 and out.exists(), result.output
    items = every_sheet(out)
    pages = printed(items, tmp_path)
    for (_file, name), got in pages.items():
        assert got and all(p.a4 for p in got), name
    assert len(pages[(out.name, "汇总")]) == 1  # 20 columns fitted to one landscape page
    # two charts, each on a page of its own: neither is split
    charts = pages[(out.name, "图表")]
    assert len(charts) == 2 and "各单位软件正版率" in charts[0].text and "安装数量与许可数量" in charts[1].text
