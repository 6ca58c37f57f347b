"""Ledgers shaped the way units keep them, built in code, with defects planted on request.

``make_field_ledger(folder, shape, defects)`` writes one workbook of a shape (:data:`SHAPES`):

- ``guide``: the guide's forms 附件6/7/8/9 and 计算机清单, as the templates lay them out;
- ``importer``: an importer's template: local header words (科室, 使用人, 计算机编码, 软件编码,
  授权方式, 授权数量, 到期时间), words in the tick columns (安装/卸载, 是), local closed-list values
  (软件类别 专业软件/安全软件, 授权方式 OEM预装, 许可数量 随机 on OEM rows), 许可期限 as a bare
  number of years, a merged 注 line and a sign-off row under every table, no 计算机清单;
- ``no_log``: 附件6, 附件7 and 附件8 only (many units keep no 附件9), no 计算机清单;
- ``combined``: one 附件9 sheet for every number, a 字典 sheet with the unit's own words;
- ``no_whitelist``: 附件7, 附件8 and 附件9 without 附件6.

:data:`DEFECTS` names what can be planted and the finding that must report it;
:func:`convert` saves workbooks as .xls or .ods with LibreOffice headless.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

AS_OF = dt.date(2026, 6, 30)
D0 = dt.date(2024, 3, 1)
SHAPES = ("guide", "importer", "no_log", "combined", "no_whitelist")


@dataclass
class Sw:
    """A 附件7 row."""

    no: str
    name: str
    version: str | None
    sw_type: str
    category: str
    acquisition: str | None = None
    purchase_date: dt.date | None = None
    amount: float | None = None
    license_type: str | None = None
    license_count: int | str | None = None
    usable_version: str | None = None
    term: str | int | None = None
    serial: str | None = None
    installed: int = 0


@dataclass
class Op:
    """A 附件9 row (one install or uninstall of one number on one computer)."""

    no: str
    computer: str
    day: dt.date
    op: str = "安装"


@dataclass
class Data:
    """One ledger's content: the computers, the software, the installs and 附件6."""

    computers: list[tuple[str, str, str]]  # (计算机编号, 姓名, 部门)
    software: list[Sw]
    ops: list[Op]
    whitelist: list[str]  # free software names
    staff_total: int = 6
    extra_summary: list[Sw] = field(default_factory=list)  # rows registered twice (a duplicated number)

    def installed(self) -> dict[str, list[str]]:
        """Number → computers it is on, from the install rows."""
        state: dict[tuple[str, str], int] = {}
        for o in sorted(self.ops, key=lambda o: o.day):
            key = (o.computer, o.no)
            state[key] = state.get(key, 0) + 1 if o.op == "安装" else max(state.get(key, 0) - 1, 0)
        out: dict[str, list[str]] = {}
        for (pc, no), n in state.items():
            if n > 0:
                out.setdefault(no, []).append(pc)
        return out


def clean_data() -> Data:
    """Four computers, two commercial, one OEM and two free software, every figure consistent."""
    computers = [
        ("PC-01", "张三", "办公室"),
        ("PC-02", "李四", "办公室"),
        ("PC-03", "王五", "财务科"),
        ("PC-04", "赵六", "财务科"),
    ]
    software = [
        Sw(
            "SY-001",
            "Microsoft Office 专业增强版",
            "2019",
            "商业软件",
            "办公软件",
            "采购",
            dt.date(2023, 5, 6),
            12800,
            "批量许可",
            5,
            "2019",
            "永久",
            "ABCD-1234",
        ),
        Sw(
            "SY-002",
            "奇安信天擎终端安全",
            "10.0",
            "商业软件",
            "杀毒软件",
            "采购",
            dt.date(2025, 1, 1),
            900,
            "单机许可",
            3,
            "10.0",
            3,
            "QAX-77",
        ),
        Sw("OEM-001", "Windows 10 专业版", "10", "OEM软件", "操作系统"),
        Sw("MF-001", "7-Zip", None, "免费软件", "工具软件"),
        Sw("MF-002", "Notepad++", None, "免费软件", "工具软件"),
    ]
    ops = [
        Op(no, pc, D0)
        for no, pcs in (
            ("SY-001", ["PC-01", "PC-02", "PC-03", "PC-04"]),
            ("SY-002", ["PC-01", "PC-02"]),
            ("OEM-001", ["PC-01", "PC-02", "PC-03", "PC-04"]),
            ("MF-001", ["PC-01", "PC-03"]),
            ("MF-002", ["PC-02"]),
        )
        for pc in pcs
    ]
    data = Data(computers, software, ops, ["7-Zip", "Notepad++"])
    _count(data)
    return data


def _count(data: Data) -> None:
    on = data.installed()
    for s in data.software:
        s.installed = len(on.get(s.no, []))


# --- defects ---------------------------------------------------------------------------------


def _wrong_installed(data: Data) -> None:
    data.software[0].installed += 1


def _over_installed(data: Data) -> None:
    data.software[1].license_count = 1  # SY-002 is on two computers


def _duplicate_number(data: Data) -> None:
    data.extra_summary.append(
        Sw(
            "SY-001",
            "Adobe Acrobat Pro",
            "DC",
            "商业软件",
            "办公软件",
            "采购",
            dt.date(2024, 8, 1),
            3000,
            "单机许可",
            1,
            "DC",
            "永久",
            "ADBE-1",
        )
    )


def _uninstall_without_install(data: Data) -> None:
    data.ops.append(Op("SY-002", "PC-04", dt.date(2025, 2, 1), "卸载"))


def _free_not_listed(data: Data) -> None:
    data.whitelist.remove("Notepad++")


def _expired(data: Data) -> None:
    sw = data.software[1]
    sw.purchase_date, sw.term = dt.date(2024, 1, 1), 1  # one year: ended 2024-12-31, still installed


# name -> (how to plant it, the rule that must report it, a word of its message, shapes where it can be seen)
DEFECTS = {
    "wrong_installed": (_wrong_installed, "TZ1.13", "SY-001", SHAPES),
    "over_installed": (_over_installed, "PZ1.1", "SY-002", SHAPES),
    "duplicate_number": (_duplicate_number, "TZ1.2", "SY-001", SHAPES),
    "uninstall_without_install": (
        _uninstall_without_install,
        "TZ3.4",
        "PC-04",
        ("guide", "importer", "combined", "no_whitelist"),
    ),
    "free_not_listed": (_free_not_listed, "TZ1.12", "Notepad++", ("guide", "importer", "no_log", "combined")),
    "expired": (_expired, "PZ1.1E", "SY-002", SHAPES),
}


def defects_for(shape: str) -> list[str]:
    """The defects a ledger of ``shape`` can show."""
    return [name for name, (_, _, _, shapes) in DEFECTS.items() if shape in shapes]


def planted(shape: str, defects: tuple[str, ...] | list[str]) -> Data:
    data = clean_data()
    for name in defects:
        DEFECTS[name][0](data)
    if "wrong_installed" not in defects:
        for s in data.software:  # an uninstall with no install changes nothing; keep 安装数量 right
            s.installed = len(data.installed().get(s.no, []))
    return data


# --- layouts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """How one shape words and lays out the forms."""

    dept: str = "部门"
    person: str = "姓名"
    computer: str = "计算机编号"
    number: str = "软件编号"
    license_type: str = "许可类型"
    license_count: str = "许可数量"
    term: str = "许可期限"
    log_user: str = "使用人"
    tick: str = "√"
    op_words: bool = False  # 安装/卸载 written in the tick cells instead of a tick
    local_values: bool = False  # 授权方式 OEM预装, 许可数量 随机, 软件类别 专业软件
    notes: bool = False  # a merged 注 line and a sign-off row under every table
    forms: tuple[str, ...] = ("附件6", "附件7", "附件8", "计算机清单", "附件9")
    combined_log: bool = False
    dictionary: bool = False


STYLES = {
    "guide": Style(),
    "importer": Style(
        dept="科室",
        person="使用人",
        computer="计算机编码",
        number="软件编码",
        license_type="授权方式",
        license_count="授权数量",
        term="到期时间",
        log_user="责任人",
        tick="是",
        op_words=True,
        local_values=True,
        notes=True,
        forms=("附件6", "附件7", "附件8", "附件9"),
    ),
    "no_log": Style(forms=("附件6", "附件7", "附件8")),
    "combined": Style(combined_log=True, dictionary=True, forms=("附件6", "附件7", "附件8", "附件9")),
    "no_whitelist": Style(forms=("附件7", "附件8", "计算机清单", "附件9")),
}
UNIT = "某县统计局"
TYPES = ("商业软件", "OEM软件", "免费软件")
LOCAL_CATEGORY = {"杀毒软件": "安全软件", "办公软件": "专业软件"}
DICTIONARY_CATEGORY = {"杀毒软件": "网络安全类"}  # the 字典 sheet maps it back


def make_field_ledger(
    folder: Path, shape: str, defects: tuple[str, ...] | list[str] = (), name: str | None = None
) -> Path:
    """Write a ledger of ``shape`` with ``defects`` planted; returns its path (an .xlsx)."""
    style = STYLES[shape]
    data = planted(shape, defects)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for form in style.forms:
        {"附件6": _whitelist, "附件7": _summary, "附件8": _detail, "计算机清单": _computers, "附件9": _logs}[form](
            wb, data, style
        )
    if style.dictionary:
        ws = wb.create_sheet("字典")
        ws.append(["本单位用语", "标准用语", "适用列"])
        for std, local in DICTIONARY_CATEGORY.items():
            ws.append([local, std, "软件类别"])
    path = Path(folder) / (name or f"{shape}.xlsx")
    wb.save(path)
    return path


def _head(ws: Worksheet, title: str, width: int) -> None:
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.append([f"单位名称（盖章）：{UNIT}    填表人：＿＿    联系电话：＿＿    填表日期：2026年6月30日"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)


def _foot(ws: Worksheet, style: Style, width: int) -> None:
    if not style.notes:
        return
    ws.append([])
    ws.append(["注：1. 本表由各科室填报，信息中心汇总；2. 软件编号按台账管理规定编制。"])
    r = ws.max_row
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
    ws.append(["单位负责人：刘一", None, None, "审核人：陈二", None, None, "填表人：孙七"][:width])


def _whitelist(wb, data: Data, style: Style) -> None:
    ws = wb.create_sheet("附件6 免费软件清单" if not style.notes else "附表1")
    _head(ws, "可使用免费软件清单", 7)
    ws.append(["序号", style.number, "软件名称", "软件版本", "软件来源", "使用部门", "使用原因"])
    free = {s.name: s for s in data.software if s.sw_type == "免费软件"}
    for i, name in enumerate(data.whitelist, 1):
        ws.append([i, free[name].no if name in free else None, name, None, "官网", "全单位", "办公需要"])
    _foot(ws, style, 7)


def _term(s: Sw, style: Style) -> object:
    if isinstance(s.term, int) and not style.local_values:
        return f"{s.term}年"
    return s.term


def _summary(wb, data: Data, style: Style) -> None:
    ws = wb.create_sheet("附件7 汇总表" if not style.notes else "附表2")
    cols = [
        "序号",
        style.number,
        "软件名称",
        "软件版本",
        "软件类型",
        "软件类别",
        "获取方式",
        "采购时间",
        "采购金额（元）",
        style.license_type,
        style.license_count,
        "可使用版本",
        style.term,
        "序列号",
        "安装数量",
        "备注",
    ]
    _head(ws, "软件使用情况汇总表", len(cols))
    people = {(d, p) for _, p, d in data.computers}
    ws.append(["人员情况", "总人数", data.staff_total, "使用计算机人数", len(people)])
    ws.append(["计算机情况", "服务器数", 0, "台式机数", len(data.computers), "便携机数", 0])
    ws.append(cols)
    for i, s in enumerate([*data.software, *data.extra_summary], 1):
        extra = s in data.extra_summary
        category = LOCAL_CATEGORY.get(s.category, s.category) if style.local_values else s.category
        if style.dictionary:
            category = DICTIONARY_CATEGORY.get(s.category, category)
        license_type, license_count = s.license_type, s.license_count
        if s.sw_type == "OEM软件" and style.local_values:
            license_type, license_count = "OEM预装", "随机"
        ws.append(
            [
                i,
                s.no,
                s.name,
                s.version,
                s.sw_type,
                category,
                s.acquisition,
                s.purchase_date,
                s.amount,
                license_type,
                license_count,
                s.usable_version,
                _term(s, style),
                s.serial,
                0 if extra else s.installed,
                None,
            ]
        )
    _foot(ws, style, len(cols))


def _detail(wb, data: Data, style: Style) -> None:
    ws = wb.create_sheet("附件8 明细表" if not style.notes else "附表3")
    top = [
        "序号",
        style.dept,
        style.person,
        style.computer,
        "计算机品牌",
        style.number,
        "软件名称",
        "软件版本",
        style.term,
        "软件类型",
        None,
        None,
        "安装日期",
        "备注",
    ]
    _head(ws, "软件使用情况明细表", len(top))
    ws.append(top)
    ws.append([None] * 9 + list(TYPES) + [None, None])
    h = ws.max_row - 1
    ws.merge_cells(start_row=h, start_column=10, end_row=h, end_column=12)
    for c in (1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 14):
        ws.merge_cells(start_row=h, start_column=c, end_row=h + 1, end_column=c)
    on = data.installed()
    by_no = {s.no: s for s in data.software}
    seq = 0
    for pc, person, dept in data.computers:
        first = ws.max_row + 1
        for no in [s.no for s in data.software if pc in on.get(s.no, [])]:
            s = by_no[no]
            seq += 1
            ticks = [style.tick if s.sw_type == t else None for t in TYPES]
            ws.append(
                [
                    seq,
                    dept,
                    person,
                    pc,
                    "联想",
                    s.no,
                    s.name,
                    s.version,
                    _term(s, style) if s.sw_type == "商业软件" else None,
                    *ticks,
                    D0,
                    None,
                ]
            )
        last = ws.max_row
        if last > first:
            for c in (2, 3, 4, 5):
                ws.merge_cells(start_row=first, start_column=c, end_row=last, end_column=c)
    _foot(ws, style, len(top))


def _computers(wb, data: Data, style: Style) -> None:
    ws = wb.create_sheet("计算机清单")
    _head(ws, "计算机清单", 7)
    ws.append(["序号", style.computer, "计算机类型", "计算机品牌", style.log_user, style.dept, "状态"])
    for i, (pc, person, dept) in enumerate(data.computers, 1):
        ws.append([i, pc, "台式机", "联想", person, dept, "在用"])


def _log_row(style: Style, o: Op, people: dict[str, tuple[str, str]], seq: int, combined: bool) -> list:
    person, dept = people[o.computer]
    if style.op_words:
        ticks = [o.op if o.op == "安装" else None, o.op if o.op == "卸载" else None]
    else:
        ticks = [style.tick if o.op == "安装" else None, style.tick if o.op == "卸载" else None]
    return [seq, *([o.no] if combined else []), *ticks, o.computer, "联想", person, dept, None, o.day, 1, "信息中心"]


def _logs(wb, data: Data, style: Style) -> None:
    people = {pc: (p, d) for pc, p, d in data.computers}
    cols = [
        "序号",
        "操作类型",
        None,
        style.computer,
        "计算机品牌",
        style.log_user,
        style.dept,
        "安装/卸载版本",
        "安装/卸载日期",
        "数量",
        "操作人",
    ]
    if style.combined_log:
        ws = wb.create_sheet("安装维护记录")
        cols = cols[:1] + [style.number] + cols[1:]
        _head(ws, "软件安装维护情况明细表", len(cols))
        _log_header(ws, cols, 3)
        for i, o in enumerate(sorted(data.ops, key=lambda o: (o.no, o.day)), 1):
            ws.append(_log_row(style, o, people, i, True))
        _foot(ws, style, len(cols))
        return
    by_no = {s.no: s for s in data.software}
    for s in data.software:
        ops = [o for o in data.ops if o.no == s.no]
        if not ops:
            continue
        ws = wb.create_sheet(f"附件9 {s.no}" if not style.notes else f"附表4-{s.no}")
        _head(ws, "软件安装维护情况明细表", len(cols))
        info = ["软件编号", "软件名称", "软件版本", "软件类型", "许可数量", "可使用版本", "许可期限"]
        sw = by_no[s.no]
        ws.append(info)
        ws.append(
            [
                sw.no,
                sw.name,
                sw.version,
                sw.sw_type,
                sw.license_count if sw.sw_type == "商业软件" else None,
                sw.usable_version,
                _term(sw, style) if sw.sw_type == "商业软件" else None,
            ]
        )
        _log_header(ws, cols, 2)
        for i, o in enumerate(ops, 1):
            ws.append(_log_row(style, o, people, i, False))
        _foot(ws, style, len(cols))


def _log_header(ws: Worksheet, cols: list, op_col: int) -> None:
    ws.append(cols)
    ws.append([None] * (op_col - 1) + ["安装", "卸载"] + [None] * (len(cols) - op_col - 1))
    h = ws.max_row - 1
    ws.merge_cells(start_row=h, start_column=op_col, end_row=h, end_column=op_col + 1)
    for c in range(1, len(cols) + 1):
        if c not in (op_col, op_col + 1):
            ws.merge_cells(start_row=h, start_column=c, end_row=h + 1, end_column=c)


# --- other formats ---------------------------------------------------------------------------


def convert(paths: list[Path], fmt: str, outdir: Path) -> list[Path]:
    """Save ``paths`` as ``fmt`` (``xls``, ``ods``) with LibreOffice headless, in one run of its own profile."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("LibreOffice is not installed")
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / ".lo-profile"
    env = {**os.environ, "HOME": str(outdir)}
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            *map(str, paths),
        ],
        capture_output=True,
        timeout=300,
        env=env,
        check=False,
    )
    out = [outdir / (p.stem + "." + fmt) for p in paths]
    missing = [p for p in out if not p.exists()]
    if result.returncode != 0 or missing:
        raise RuntimeError(f"LibreOffice could not convert {missing}: {result.stderr[-500:]!r}")
    return out


__all__ = ["AS_OF", "DEFECTS", "SHAPES", "Data", "clean_data", "convert", "defects_for", "make_field_ledger", "planted"]
