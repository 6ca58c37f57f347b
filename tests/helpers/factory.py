"""Tiny ledger workbooks built in code for tests (independent of the production layout writer).

``make_ledger(tmp_path, ...)`` writes a canonical ledger; every argument has a consistent
default so a test states only what it changes. ``variant=True`` writes the same data the way
real units adapt the forms: other sheet names, extra and reordered columns, aliases in the
headers, a title with the unit's name, text dates, full-width spaces, one-column tick variants.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import openpyxl

SUMMARY_COLS = [
    "序号",
    "软件编号",
    "软件名称",
    "软件版本",
    "软件类型",
    "软件类别",
    "获取方式",
    "采购时间",
    "采购金额（元）",
    "许可类型",
    "许可数量",
    "可使用版本",
    "许可期限",
    "序列号",
    "安装数量",
    "备注",
]
SUMMARY_KEYS = [
    "seq",
    "software_no",
    "name",
    "version",
    "sw_type",
    "category",
    "acquisition",
    "purchase_date",
    "amount",
    "license_type",
    "license_count",
    "usable_version",
    "term",
    "serial",
    "installed",
    "remark",
]
DETAIL_COLS = [
    "序号",
    "部门",
    "姓名",
    "计算机编号",
    "计算机品牌",
    "软件编号",
    "软件名称",
    "软件版本",
    "许可期限",
    "软件类型",
    None,
    None,
    "安装日期",
    "备注",
]
DETAIL_KEYS = [
    "seq",
    "dept",
    "person",
    "computer",
    "brand",
    "software_no",
    "name",
    "version",
    "term",
    "t0",
    "t1",
    "t2",
    "install_date",
    "remark",
]
TYPES = ["商业软件", "OEM软件", "免费软件"]
LOG_COLS = [
    "序号",
    "操作类型",
    None,
    "计算机编号",
    "计算机品牌",
    "使用人",
    "使用部门",
    "安装/卸载版本",
    "安装/卸载日期",
    "数量",
    "操作人",
    "备注",
]
INFO_COLS = ["软件编号", "软件名称", "软件版本", "软件类型", "许可数量", "可使用版本", "许可期限"]
COMPUTER_COLS = [
    "序号",
    "计算机编号",
    "计算机类型",
    "计算机品牌",
    "型号",
    "使用人",
    "部门",
    "状态",
    "启用日期",
    "报废日期",
    "备注",
]
COMPUTER_KEYS = [
    "seq",
    "computer",
    "ctype",
    "brand",
    "model",
    "user",
    "dept",
    "status",
    "start_date",
    "scrap_date",
    "remark",
]

NA = "--"


def office(no: str = "SY-001", **kw: Any) -> dict:
    """A commercial 附件7 row (Office 2019, 10 licences, perpetual)."""
    row = dict(
        software_no=no,
        name="Microsoft Office 专业增强版",
        version="2019",
        sw_type="商业软件",
        category="办公软件",
        acquisition="采购",
        purchase_date=dt.date(2023, 5, 6),
        amount=12800,
        license_type="批量许可",
        license_count=10,
        usable_version="2019",
        term="永久",
        serial="ABCD-1234",
        installed=2,
    )
    row.update(kw)
    return row


def windows(no: str = "OEM-001", **kw: Any) -> dict:
    """An OEM 附件7 row."""
    row = dict(
        software_no=no,
        name="Windows 10 专业版",
        version="10",
        sw_type="OEM软件",
        category="操作系统",
        purchase_date=NA,
        amount=NA,
        license_type=NA,
        license_count=NA,
        usable_version=NA,
        term=NA,
        serial=NA,
        installed=2,
    )
    row.update(kw)
    return row


def sevenzip(no: str = "MF-001", **kw: Any) -> dict:
    """A free 附件7 row."""
    row = dict(
        software_no=no,
        name="7-Zip",
        version=NA,
        sw_type="免费软件",
        category="工具软件",
        purchase_date=NA,
        amount=NA,
        license_type=NA,
        license_count=NA,
        usable_version=NA,
        term=NA,
        serial=NA,
        installed=1,
    )
    row.update(kw)
    return row


def install(computer: str, day: dt.date, user: str = "张三", dept: str = "办公室", op: str = "安装", **kw: Any) -> dict:
    """A 附件9 log row."""
    row = dict(
        op=op,
        computer=computer,
        brand="联想",
        user=user,
        dept=dept,
        version=kw.pop("version", None),
        date=day,
        qty=1,
        operator="王工",
    )
    row.update(kw)
    return row


def default_data() -> dict:
    """A consistent ledger: 2 staff, 2 desktops, Office on both, Windows on both, 7-Zip on one."""
    d1 = dt.date(2024, 3, 1)
    summary = [office(), windows(), sevenzip()]
    logs = {
        "SY-001": [install("PC-001", d1, version="2019"), install("PC-002", d1, user="李四", version="2019")],
        "OEM-001": [install("PC-001", d1, version="10"), install("PC-002", d1, user="李四", version="10")],
        "MF-001": [install("PC-001", d1, version="23.01")],
    }
    details = [
        dict(
            dept="办公室",
            person="张三",
            computer="PC-001",
            brand="联想",
            software_no="SY-001",
            name="Microsoft Office 专业增强版",
            version="2019",
            term="永久",
            sw_type="商业软件",
            install_date=d1,
        ),
        dict(
            dept="办公室",
            person="张三",
            computer="PC-001",
            brand="联想",
            software_no="OEM-001",
            name="Windows 10 专业版",
            version="10",
            sw_type="OEM软件",
            install_date=d1,
        ),
        dict(
            dept="办公室",
            person="张三",
            computer="PC-001",
            brand="联想",
            software_no="MF-001",
            name="7-Zip",
            sw_type="免费软件",
            install_date=d1,
        ),
        dict(
            dept="办公室",
            person="李四",
            computer="PC-002",
            brand="联想",
            software_no="SY-001",
            name="Microsoft Office 专业增强版",
            version="2019",
            term="永久",
            sw_type="商业软件",
            install_date=d1,
        ),
        dict(
            dept="办公室",
            person="李四",
            computer="PC-002",
            brand="联想",
            software_no="OEM-001",
            name="Windows 10 专业版",
            version="10",
            sw_type="OEM软件",
            install_date=d1,
        ),
    ]
    computers = [
        dict(computer="PC-001", ctype="台式机", brand="联想", user="张三", dept="办公室", status="在用"),
        dict(computer="PC-002", ctype="台式机", brand="联想", user="李四", dept="办公室", status="在用"),
    ]
    return dict(
        unit="测试局",
        fill_date=dt.date(2026, 6, 30),
        counts=dict(total_staff=3, staff_using=2, servers=0, desktops=2, laptops=0),
        whitelist=[dict(software_no="MF-001", name="7-Zip", version="", source="官网", vendor="Igor Pavlov")],
        summary=summary,
        details=details,
        logs=logs,
        computers=computers,
        # the test unit does not check the three general-purpose software (it registers no antivirus):
        # tests of PZ2.3 pass settings={} or their own
        settings={"核对三类通用软件": "否"},
    )


def _sign(ws, unit: str, fill_date: dt.date | None, width: int) -> None:
    date_text = f"{fill_date.year}年{fill_date.month}月{fill_date.day}日" if fill_date else "＿＿年＿＿月＿＿日"
    ws.append([f"单位名称（盖章）：{unit}    填表人：＿＿    联系电话：＿＿    填表日期：{date_text}"])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)


def _title(ws, title: str, width: int, unit: str, variant: bool) -> None:
    ws.append([f"{unit}{title}（2026年上半年）" if variant else title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)


def write_summary(wb, data: dict, variant: bool = False) -> None:
    ws = wb.create_sheet("软件汇总" if variant else "附件7 汇总表")
    cols, keys = list(SUMMARY_COLS), list(SUMMARY_KEYS)
    if variant:  # aliases, an extra column, 软件类别 moved to the end, full-width spaces
        cols = [
            "序号",
            "编号",
            "软件　名称",
            "版本号",
            "软件类型",
            "获取方式",
            "购买日期",
            "采购金额(单位:元)",
            "授权方式",
            "授权数量",
            "可使用版本",
            "使用期限",
            "序列号/许可证号",
            "已安装数量",
            "资产卡片号",
            "备注",
            "软件类别",
        ]
        keys = [
            "seq",
            "software_no",
            "name",
            "version",
            "sw_type",
            "acquisition",
            "purchase_date",
            "amount",
            "license_type",
            "license_count",
            "usable_version",
            "term",
            "serial",
            "installed",
            "asset",
            "remark",
            "category",
        ]
    cols = [c for c, k in zip(cols, keys, strict=True) if k not in data.get("drop_summary", ())]
    keys = [k for k in keys if k not in data.get("drop_summary", ())]
    _title(ws, "软件使用情况汇总表", len(cols), data["unit"], variant)
    _sign(ws, data["unit"], data.get("fill_date"), len(cols))
    c = data["counts"]
    ws.append(
        ["人员情况", "单位人数" if variant else "总人数", c.get("total_staff"), "使用计算机人数", c.get("staff_using")]
    )
    ws.append(["计算机情况", "服务器数", c.get("servers"), "台式机数", c.get("desktops"), "便携机数", c.get("laptops")])
    if variant:
        ws.append([])
    ws.append(cols)
    for i, row in enumerate(data["summary"], 1):
        out = []
        for k in keys:
            v = row.get(k, i if k == "seq" else None)
            if variant and isinstance(v, dt.date):
                v = f"{v.year}年{v.month}月{v.day}日"
            if variant and k == "name" and isinstance(v, str):
                v = f"　{v} "
            out.append(v)
        ws.append(out)
    if variant:
        ws.append(["合计"] + [None] * (len(keys) - 1))


def write_detail(wb, data: dict, variant: bool = False) -> None:
    ws = wb.create_sheet("明细" if variant else "附件8 明细表")
    width = len(DETAIL_COLS) if not variant else 12
    _title(ws, "软件使用情况明细表", width, data["unit"], variant)
    _sign(ws, data["unit"], data.get("fill_date"), width)
    if variant:  # one text column for 软件类型, 使用人 for 姓名, 资产编号 for 计算机编号
        ws.append(
            [
                "序号",
                "所在部门",
                "使用人",
                "资产编号",
                "品牌",
                "软件编号",
                "软件名称",
                "软件版本",
                "许可期限",
                "软件类型",
                "安装日期",
                "备注",
            ]
        )
        for i, r in enumerate(data["details"], 1):
            ws.append(
                [
                    i,
                    r.get("dept"),
                    r.get("person"),
                    r.get("computer"),
                    r.get("brand"),
                    r.get("software_no"),
                    r.get("name"),
                    r.get("version"),
                    r.get("term"),
                    r.get("sw_type"),
                    r.get("install_date"),
                    r.get("remark"),
                ]
            )
        return
    ws.append(DETAIL_COLS)
    ws.append([None] * 9 + TYPES + [None, None])
    h = ws.max_row - 1
    ws.merge_cells(start_row=h, start_column=10, end_row=h, end_column=12)
    for col in (1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 14):
        ws.merge_cells(start_row=h, start_column=col, end_row=h + 1, end_column=col)
    start = None
    prev = None
    for i, r in enumerate(data["details"], 1):
        tick = [("√" if r.get("sw_type") == t else None) for t in TYPES]
        same = prev is not None and prev.get("computer") == r.get("computer")
        vals = [i, r.get("dept"), r.get("person"), r.get("computer"), r.get("brand")]
        if same and data.get("merge_detail", True):
            vals[1:5] = [None] * 4
        ws.append(
            vals
            + [r.get("software_no"), r.get("name"), r.get("version"), r.get("term")]
            + tick
            + [r.get("install_date"), r.get("remark")]
        )
        row = ws.max_row
        if not same:
            if start is not None and row - 1 > start and data.get("merge_detail", True):
                for col in (2, 3, 4, 5):
                    ws.merge_cells(start_row=start, start_column=col, end_row=row - 1, end_column=col)
            start = row
        prev = r
    row = ws.max_row
    if start is not None and row > start and data.get("merge_detail", True):
        for col in (2, 3, 4, 5):
            ws.merge_cells(start_row=start, start_column=col, end_row=row, end_column=col)


def _summary_row(data: dict, no: str) -> dict:
    return next((s for s in data["summary"] if s.get("software_no") == no), {})


def write_logs(wb, data: dict, variant: bool = False) -> None:
    if data.get("combined_log"):
        ws = wb.create_sheet("安装维护记录")
        ws.append(["软件安装维护情况明细表"])
        _sign(ws, data["unit"], data.get("fill_date"), 12)
        ws.append(
            [
                "序号",
                "软件编号",
                "操作类型",
                "计算机编号",
                "计算机品牌",
                "使用人",
                "使用部门",
                "安装/卸载版本",
                "安装/卸载日期",
                "数量",
                "操作人",
                "备注",
            ]
        )
        i = 0
        for no, rows in data["logs"].items():
            for r in rows:
                i += 1
                ws.append(
                    [
                        i,
                        no,
                        r.get("op"),
                        r.get("computer"),
                        r.get("brand"),
                        r.get("user"),
                        r.get("dept"),
                        r.get("version"),
                        r.get("date"),
                        r.get("qty"),
                        r.get("operator"),
                        r.get("remark"),
                    ]
                )
        return
    for no, rows in data["logs"].items():
        ws = wb.create_sheet(f"附件9 {no}"[:31] if not variant else f"{no}安装记录"[:31])
        _title(ws, "软件安装维护情况明细表", 12, data["unit"], variant)
        _sign(ws, data["unit"], data.get("fill_date"), 12)
        s = {**_summary_row(data, no), **data.get("info", {}).get(no, {})}
        ws.append(INFO_COLS)
        ws.append(
            [
                no,
                s.get("name"),
                s.get("version"),
                s.get("sw_type"),
                s.get("license_count"),
                s.get("usable_version"),
                s.get("term"),
            ]
        )
        if variant:  # one text column 操作类型, text dates
            ws.append(
                [
                    "序号",
                    "操作类型",
                    "设备编号",
                    "品牌",
                    "使用人",
                    "部门",
                    "安装/卸载版本",
                    "操作日期",
                    "数量",
                    "操作人",
                    "备注",
                ]
            )
            for i, r in enumerate(rows, 1):
                d = r.get("date")
                ws.append(
                    [
                        i,
                        r.get("op"),
                        r.get("computer"),
                        r.get("brand"),
                        r.get("user"),
                        r.get("dept"),
                        r.get("version"),
                        d.strftime("%Y/%m/%d").replace("/0", "/") if isinstance(d, dt.date) else d,
                        r.get("qty"),
                        r.get("operator"),
                        r.get("remark"),
                    ]
                )
            continue
        ws.append(LOG_COLS)
        ws.append([None, "安装", "卸载"] + [None] * 9)
        h = ws.max_row - 1
        ws.merge_cells(start_row=h, start_column=2, end_row=h, end_column=3)
        for i, r in enumerate(rows, 1):
            op = r.get("op")
            ticks = ["√" if op == "安装" else None, "√" if op == "卸载" else None]
            if op not in ("安装", "卸载"):
                ticks = list(r.get("ticks", (None, None)))
            ws.append(
                [i]
                + ticks
                + [
                    r.get("computer"),
                    r.get("brand"),
                    r.get("user"),
                    r.get("dept"),
                    r.get("version"),
                    r.get("date"),
                    r.get("qty"),
                    r.get("operator"),
                    r.get("remark"),
                ]
            )


def write_whitelist(wb, data: dict, variant: bool = False) -> None:
    ws = wb.create_sheet("免费软件" if variant else "附件6 免费软件清单")
    _title(ws, "可使用免费软件清单", 9, data["unit"], variant)
    _sign(ws, data["unit"], data.get("fill_date"), 9)
    ws.append(["序号", "软件编号", "软件名称", "软件版本", "软件来源", "软件厂商", "使用部门", "使用原因", "备注"])
    for i, r in enumerate(data["whitelist"], 1):
        ws.append(
            [
                i,
                r.get("software_no"),
                r.get("name"),
                r.get("version"),
                r.get("source"),
                r.get("vendor"),
                r.get("dept"),
                r.get("reason"),
                r.get("remark"),
            ]
        )


def write_computers(wb, data: dict, variant: bool = False) -> None:
    ws = wb.create_sheet("计算机清单")
    ws.append(["计算机清单"])
    _sign(ws, data["unit"], data.get("fill_date"), 11)
    ws.append(COMPUTER_COLS)
    for i, r in enumerate(data["computers"], 1):
        ws.append([r.get(k, i if k == "seq" else None) for k in COMPUTER_KEYS])


REGISTERS = {"requests": "附件10", "confirmations": "附件11", "pledges": "承诺书签署登记"}


def write_registers(wb, data: dict, variant: bool = False) -> None:
    """The optional registers (附件10, 附件11, 承诺书签署登记) given as lists of rows keyed by schema column keys."""
    from toolkit.schemas import schema

    for key, form in REGISTERS.items():
        if data.get(key) is None:
            continue
        sch = schema(form)
        ws = wb.create_sheet(sch.sheet)
        ws.append([sch.title])
        _sign(ws, data["unit"], data.get("fill_date"), len(sch.columns))
        ws.append([c.label for c in sch.columns])
        for i, row in enumerate(data[key], 1):
            ws.append([row.get(c.key, i if c.key == "seq" else None) for c in sch.columns])


def write_settings(wb, data: dict, variant: bool = False) -> None:
    """The unit's 设置 sheet: 设置项 | 值."""
    ws = wb.create_sheet("设置")
    ws.append(["设置项", "值"])
    for key, value in data["settings"].items():
        ws.append([key, value])


def make_ledger(
    tmp_path: Path, name: str = "台账.xlsx", variant: bool = False, omit: tuple[str, ...] = (), **changes: Any
) -> Path:
    """Write a ledger workbook; keyword arguments replace parts of :func:`default_data`."""
    data = default_data()
    data.update(changes)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    writers = [
        ("附件6", write_whitelist),
        ("附件7", write_summary),
        ("附件8", write_detail),
        ("计算机清单", write_computers),
        ("附件9", write_logs),
        ("登记", write_registers),
        ("设置", write_settings),
    ]
    if variant:
        writers = writers[::-1]  # sheet order does not matter
    for form, fn in writers:
        if (
            form in omit
            or (form == "计算机清单" and data.get("computers") is None)
            or (form == "设置" and not data.get("settings"))
        ):
            continue
        fn(wb, data, variant)
    path = Path(tmp_path) / name
    wb.save(path)
    if os.environ.get("ZBTZ_GOLDEN") == "record":
        _record_golden(path, dict(name=name, variant=variant, omit=omit, **changes))
    return path


def _record_golden(path: Path, kwargs: dict) -> None:
    """Append this ledger's arguments and check JSON to tests/golden/ledgers.jsonl (see tests/golden)."""
    import json

    from tests.golden.ledgers import check_json

    line = json.dumps({"kwargs": repr(kwargs), "report": check_json(path)}, ensure_ascii=False, sort_keys=True)
    with open(Path(__file__).parents[1] / "golden" / "ledgers.jsonl", "a", encoding="utf-8") as f:
        f.write(line + "\n")
