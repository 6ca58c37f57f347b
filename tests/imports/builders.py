"""Workbooks in the layouts units keep outside the guide's forms, built in code, with defects to plant.

Each ``shape_*`` function returns ``{file name: [(sheet name, rows), ...]}``; ``write_inputs`` writes
them with openpyxl. ``defects`` names the planted defects to include (default: none, the clean
version):

- ``over``: WPS Office installed on one computer more than its 授权数量 (2);
- ``duplicate``: one software listed twice for the same computer (a register: one row twice);
- ``free``: 福昕阅读器, a free software, missing from the whitelist (附件6 to be);
- ``unlicensed``: Photoshop marked 否 in 是否正版 on PC-04.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import openpyxl

DAY = dt.date(2026, 6, 30)
ALL = ("over", "duplicate", "free", "unlicensed")
MACHINES = [
    ("PC-01", "张三", "办公室", "台式机"),
    ("PC-02", "李四", "办公室", "台式机"),
    ("PC-03", "王五", "财务科", "笔记本"),
    ("PC-04", "赵六", "财务科", "台式机"),
]
# name, version, genuine, 授权方式, 授权数量, 采购日期, 采购金额, 到期时间
WINDOWS = ("Windows 10 专业版", "10", "是", "OEM预装", None, None, None, None)
OFFICE = ("Microsoft Office", "2019", "是", "批量授权", 5, dt.datetime(2023, 5, 6), 12800, "永久")
WPS = ("WPS Office", "2019", "是", "单机授权", 2, dt.datetime(2024, 1, 10), 1000, dt.datetime(2027, 12, 31))
ZIP = ("7-Zip", None, "免费", "免费", None, None, None, None)
FOXIT = ("福昕阅读器", None, "免费", "免费", None, None, None, None)
PHOTOSHOP = ("Adobe Photoshop", "2020", "否", None, None, None, None, None)
REGISTER = [WINDOWS, OFFICE, WPS, ZIP, FOXIT]


def installs(defects: Iterable[str] = ()) -> list[tuple[str, tuple]]:
    """(computer, software) pairs in the order a device table lists them."""
    d = set(defects)
    out = []
    for pc, *_ in MACHINES:
        out.append((pc, WINDOWS))
        if pc in ("PC-01", "PC-02", "PC-03"):
            out.append((pc, OFFICE))
        if pc in ("PC-01", "PC-02") or (pc == "PC-03" and "over" in d):
            out.append((pc, WPS))
        if pc in ("PC-01", "PC-02"):
            out.append((pc, ZIP))
        if pc == "PC-02" and "duplicate" in d:
            out.append((pc, ZIP))
        if pc == "PC-03":
            out.append((pc, FOXIT))
        if pc == "PC-04" and "unlicensed" in d:
            out.append((pc, PHOTOSHOP))
    return out


def whitelist(defects: Iterable[str] = ()) -> tuple[str, list[list]]:
    rows: list[list] = [
        ["可使用免费软件清单"],
        ["序号", "软件名称", "软件来源", "软件厂商"],
        [1, "7-Zip", "官网", "Igor Pavlov"],
    ]
    if "free" not in set(defects):
        rows.append([2, "福昕阅读器", "官网", "福昕软件"])
    return "免费软件白名单", rows


def _machine(pc: str) -> tuple[str, str, str, str]:
    return next(m for m in MACHINES if m[0] == pc)


# the licence facts a long table (shape a) and a register (shape d) give for each software
LICENCE_HEAD = ("是否正版", "授权方式", "授权数量", "采购日期", "采购金额", "到期时间")
# the header of shape a (also the large benchmark's import table, benchmarks/bench_import.py)
LONG_HEAD = ("序号", "计算机编号", "使用人", "科室", "设备类型", "软件名称", "版本", *LICENCE_HEAD)


def shape_long(defects: Iterable[str] = ()) -> dict[str, list[tuple[str, list[list]]]]:
    """a. a device × software long table, licence facts repeated on every row."""
    rows: list[list] = [["某局计算机软件安装情况统计表"], list(LONG_HEAD)]
    for i, (pc, sw) in enumerate(installs(defects), 1):
        rows.append([i, *_machine(pc), *sw])
    rows += [
        ["合计", None, None, None, None, None, None, None, None, None, None, None, None],
        ["填表人：王工", None, None, "审核人：李科"],
    ]
    return {"软件明细.xlsx": [("软件明细", rows), whitelist(defects)]}


def register_sheet(defects: Iterable[str] = (), names: dict[str, str] | None = None) -> tuple[str, list[list]]:
    """d. a software asset register."""
    names = names or {}
    head = ["序号", "软件名称", "版本号", *LICENCE_HEAD, "安装数量"]
    rows: list[list] = [["软件资产登记表"], head]
    items = list(REGISTER)
    if "duplicate" in set(defects):
        items.insert(2, OFFICE)
    for i, sw in enumerate(items, 1):
        rows.append([i, names.get(sw[0], sw[0]), *sw[1:], 3])
    return "软件资产", rows


def shape_register(defects: Iterable[str] = ()) -> dict[str, list[tuple[str, list[list]]]]:
    """d. a register alone (no computers): unlicensed as a row marked 否."""
    name, rows = register_sheet(defects)
    if "unlicensed" in set(defects):
        rows.append([len(rows) - 1, *PHOTOSHOP, None])
    return {"软件资产.xlsx": [(name, rows), whitelist(defects)]}


def shape_wide(defects: Iterable[str] = ()) -> dict[str, list[tuple[str, list[list]]]]:
    """b. one row per computer, a tick column per software; the licences on a register sheet."""
    names = {"Microsoft Office": "Microsoft Office 2019"}
    software = [WINDOWS, OFFICE, WPS, ZIP, FOXIT, PHOTOSHOP]
    head = ["序号", "计算机编号", "使用人", "科室", "设备类型", *(names.get(s[0], s[0]) for s in software)]
    rows: list[list] = [["计算机软件一览表"], head]
    pairs = installs(defects)
    order = [m[0] for m in MACHINES] + (["PC-02"] if "duplicate" in set(defects) else [])
    for i, pc in enumerate(order, 1):
        have = {sw[0] for p, sw in pairs if p == pc}
        ticks = [("盗版" if s is PHOTOSHOP else "√") if s[0] in have else None for s in software]
        rows.append([i, *_machine(pc), *ticks])
    return {"计算机一览.xlsx": [("计算机一览", rows), register_sheet(names=names), whitelist(defects)]}


def shape_per_computer(defects: Iterable[str] = ()) -> dict[str, list[tuple[str, list[list]]]]:
    """c. one file per computer as a self-check tool exports it; the register and whitelist in a file of their own."""
    files: dict[str, list[tuple[str, list[list]]]] = {}
    pairs = installs(defects)
    for pc, user, dept, kind in MACHINES:
        rows: list[list] = [
            ["正版软件检查结果"],
            [f"计算机名称：{pc}  使用人：{user}  部门：{dept}  设备类型：{kind}"],
            ["序号", "软件名称", "版本", "是否为正版化软件", "处置建议"],
        ]
        for i, (_, sw) in enumerate((p for p in pairs if p[0] == pc), 1):
            rows.append([i, sw[0], sw[1], sw[2], "卸载" if sw[2] == "否" else "保留"])
        files[f"{pc}.xlsx"] = [("检查结果", rows)]
    files["软件资产.xlsx"] = [register_sheet(), whitelist(defects)]
    return files


SHAPES = {"a": shape_long, "b": shape_wide, "c": shape_per_computer, "d": shape_register}


def write_inputs(folder: Path, books: dict[str, list[tuple[str, list[list]]]]) -> list[Path]:
    """Write the workbooks into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, sheets in books.items():
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for sheet, rows in sheets:
            ws = wb.create_sheet(sheet)
            for row in rows:
                ws.append(row)
        path = folder / name
        wb.save(path)
        paths.append(path)
    return paths


def attribute(path: Path, report) -> tuple[dict[str, list], list]:
    """Each finding of ``report`` on the imported ledger at ``path``, put to the planted defect it shows.

    Returns ({defect: [findings]}, [findings that show no planted defect: false errors or warnings]).
    """
    from toolkit.read.reader import read_ledger

    ledger = read_ledger(path)
    names = {(r.sheet, r.row): r.raw.get("name") for r in (*ledger.summary, *ledger.details)}
    found: dict[str, list] = {}
    other = []
    for f in report.findings:
        name = names.get((f.sheet, f.row)) or ""
        if f.rule in ("TZ1.12", "PZ1.2") and name == FOXIT[0]:
            defect = "free"
        elif name == PHOTOSHOP[0]:
            defect = "unlicensed"
        elif f.rule == "PZ1.1" and name == WPS[0]:
            defect = "over"
        elif f.rule in ("TZ3.4", "TZ1.3D"):
            defect = "duplicate"
        else:
            other.append(f)
            continue
        found.setdefault(defect, []).append(f)
    return found, other


def applicable(shape: str) -> tuple[str, ...]:
    """The planted defects a shape can carry: a register alone has no installs to over-install."""
    return tuple(d for d in ALL if not (shape == "d" and d == "over"))
