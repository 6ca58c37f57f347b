"""A new user's first ledger, step by step as docs/工作流程.md tells it, through the command line.

A county bureau: 25 computers on 计算机清单 (more than a template's 20 bordered rows), four
programs on 附件7 (one bought in "2019年", known only to the year), 7-Zip on 附件6. The person
types into the workbook the way openpyxl does here; every step in between is a ``zbtz`` command.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from click.testing import CliRunner, Result

from toolkit.cli import main

AS_OF = "2026-06-30"
UNIT = "某县数据局"
DEPTS = ("办公室", "信息股", "会计核算中心")
COMPUTERS = [
    {
        "序号": i,
        "计算机编号": f"TS-{i:02d}",
        "计算机类型": "便携机" if i > 22 else "台式机",
        "计算机品牌": "联想",
        "型号": "启天M430",
        "使用人": f"员工{i:02d}",
        "部门": DEPTS[i % 3],
        "状态": "在用",
        "启用日期": dt.date(2022, 1, 5),
    }
    for i in range(1, 26)
]
OFFICE = "Microsoft Office 专业增强版 2016"  # a long name: its row must wrap, not overlap
SOFTWARE = [
    {
        "序号": 1,
        "软件名称": OFFICE,
        "软件版本": "2016",
        "软件类型": "商业软件",
        "软件类别": "办公软件",
        "获取方式": "采购",
        "采购时间": dt.date(2023, 3, 20),
        "采购金额": 24000,
        "许可类型": "批量许可",
        "许可数量": 30,
        "可使用版本": "2016",
        "许可期限": "2024年1月1日至2027年12月31日",
        "序列号": "XXXX-1",
    },
    {
        "序号": 2,
        "软件名称": "Windows 10 专业版",
        "软件版本": "10",
        "软件类型": "OEM软件",
        "软件类别": "操作系统",
        **dict.fromkeys(("采购时间", "采购金额", "许可类型", "许可数量", "可使用版本", "许可期限", "序列号"), "--"),
    },
    {
        "序号": 3,
        "软件名称": "7-Zip",
        "软件版本": "--",
        "软件类型": "免费软件",
        "软件类别": "工具软件",
        **dict.fromkeys(("采购时间", "采购金额", "许可类型", "许可数量", "可使用版本", "许可期限", "序列号"), "--"),
    },
    {
        "序号": 4,
        "软件名称": "AutoCAD 2020",
        "软件版本": "2020",
        "软件类型": "商业软件",
        "软件类别": "工具软件",
        "获取方式": "采购",
        "采购时间": "2019年",
        "采购金额": 9000,
        "许可类型": "单机许可",
        "许可数量": 2,
        "可使用版本": "2020",
        "许可期限": "永久",
        "序列号": "ACAD-1",
    },
]
# which computers (1-based) have each program, and the version the log records
INSTALLS = {
    OFFICE: (range(1, 25), "2016"),
    "Windows 10 专业版": (range(1, 26), "10"),
    "7-Zip": (range(1, 11), "23.01"),
    "AutoCAD 2020": (range(1, 3), "2020"),
}
INSTALL_DAY = dt.date(2024, 3, 1)


def zbtz(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def sheet(wb: openpyxl.Workbook, prefix: str):
    return next(ws for ws in wb.worksheets if ws.title.startswith(prefix))


def header(ws) -> tuple[int, dict[str, int]]:
    """The header row of a form sheet and its columns by label."""
    row = next(r for r in range(1, 10) if ws.cell(r, 1).value == "序号")
    return row, {ws.cell(row, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(row, c).value}


def first_data_row(ws) -> int:
    row, _ = header(ws)
    return row + (2 if ws.title.startswith(("附件8", "附件9")) else 1)


def fill(ws, rows: list[dict], start: int | None = None) -> None:
    """Type ``rows`` into a form from its first data row (or ``start``), column by header label."""
    _, cols = header(ws)
    cols["安装"] = cols.get("操作类型", 0)  # the tick columns under the merged 操作类型 label
    cols["卸载"] = cols.get("操作类型", 0) + 1
    first = start or first_data_row(ws)
    for i, row in enumerate(rows):
        for label, value in row.items():
            ws.cell(first + i, cols[label], value)


def log_row(i: int, computer: dict, version: str, day: dt.date = INSTALL_DAY, op: str = "安装") -> dict:
    return {
        "序号": i,
        op: "√",
        "计算机编号": computer["计算机编号"],
        "计算机品牌": "联想",
        "使用人": computer["使用人"],
        "使用部门": computer["部门"],
        "安装/卸载版本": version,
        "安装/卸载日期": day,
        "数量": 1,
        "操作人": "王工",
    }


def add_logs(ledger: Path) -> dict[str, str]:
    """Enter every install on the 附件9 sheets ``number`` made; returns the numbers by software name."""
    wb = openpyxl.load_workbook(ledger)
    summary = sheet(wb, "附件7")
    _, cols = header(summary)
    first = first_data_row(summary)
    numbers = {
        summary.cell(r, cols["软件名称"]).value: summary.cell(r, cols["软件编号"]).value
        for r in range(first, first + len(SOFTWARE))
    }
    for name, (which, version) in INSTALLS.items():
        fill(wb[f"附件9 {numbers[name]}"], [log_row(i, COMPUTERS[k - 1], version) for i, k in enumerate(which, 1)])
    wb.save(ledger)
    return numbers


def new_ledger(folder: Path) -> Path:
    """``zbtz new``: the empty ledger."""
    ledger = folder / "台账.xlsx"
    result = zbtz("new", ledger, "--unit", UNIT)
    assert result.exit_code == 0, result.output
    return ledger


def fill_registers(ledger: Path) -> None:
    """附件6, 附件7 and 计算机清单 as a person fills them in."""
    wb = openpyxl.load_workbook(ledger)
    fill(sheet(wb, "计算机清单"), COMPUTERS)
    fill(
        sheet(wb, "附件6"),
        [
            {
                "序号": 1,
                "软件名称": "7-Zip",
                "软件来源": "官方网站",
                "软件厂商": "Igor Pavlov",
                "使用部门": "全部",
                "使用原因": "压缩文件",
            }
        ],
    )
    fill(sheet(wb, "附件7"), SOFTWARE)
    # this walk registers no antivirus: the unit turns the three-software check (PZ2.3, a true
    # warning for such a ledger) off in its 设置 sheet, so "checks clean" means every other rule
    settings = wb.create_sheet("设置")
    settings.append(["设置项", "值"])
    settings.append(["核对三类通用软件", "否"])
    wb.save(ledger)


def walk(folder: Path) -> dict[str, Path]:
    """Every step up to a rolled-up ledger; the workbook after each step, by step name."""
    folder.mkdir(parents=True, exist_ok=True)
    ledger = new_ledger(folder)
    steps = {"new": folder / "1-新建.xlsx"}
    steps["new"].write_bytes(ledger.read_bytes())
    fill_registers(ledger)
    result = zbtz("number", ledger, "--in-place", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    add_logs(ledger)
    steps["logged"] = folder / "2-已登记.xlsx"
    steps["logged"].write_bytes(ledger.read_bytes())
    result = zbtz("rollup", ledger, "--as-of", AS_OF, "--in-place")
    assert result.exit_code == 0, result.output
    steps["rolled"] = ledger
    return steps
