"""Rows of recognised sheets as plain records: computers, software seen on them, register and whitelist items."""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.imports.fields import COMPUTER, Dictionary, dictionary
from toolkit.imports.recognise import LONG, PER_COMPUTER, REGISTER, WHITELIST, WIDE, SheetLayout
from toolkit.normalize import clean, norm_key, text

# rows below a table that are not data: totals, notes, sign-off lines
_NOT_DATA = (
    "合计",
    "总计",
    "小计",
    "注",
    "说明",
    "填表人",
    "审核人",
    "单位负责人",
    "负责人",
    "制表人",
    "填报人",
    "联系电话",
    "填表日期",
)


@dataclass
class Item:
    """One software as a source row gives it: its cells by field key, and where it came from."""

    sw: dict[str, object]
    where: str
    computer: str | None = None  # normalised computer key for a software seen on a computer


@dataclass
class Records:
    """Everything read from the recognised sheets, in source order."""

    machines: dict[str, dict[str, str]] = field(default_factory=dict)  # computer key -> computer fields
    installs: list[Item] = field(default_factory=list)
    register: list[Item] = field(default_factory=list)
    whitelist: list[Item] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # sheet (file［sheet］) -> data rows read
    skipped: list[str] = field(default_factory=list)


def extract(layouts: list[SheetLayout]) -> Records:
    """Read the data rows of every recognised sheet."""
    d = dictionary()
    rec = Records()
    levels = {f.key: f.level for f in d.fields}
    for lay in layouts:
        if lay.shape is None:
            continue
        computer_cols = {k: c for k, c in lay.columns.items() if levels.get(k) == COMPUTER}
        software_cols = {k: c for k, c in lay.columns.items() if levels.get(k) != COMPUTER and k != "seq"}
        n = 0
        for r in range(lay.header_row + 1, len(lay.rows)):
            row = lay.rows[r]
            if _not_data(row):
                continue
            where = f"{lay.where} 第 {r + 1} 行"
            sw = {k: row[c] for k, c in software_cols.items() if c < len(row) and text(row[c]) is not None}
            if lay.shape in (REGISTER, WHITELIST):
                if text(sw.get("name")):
                    (rec.register if lay.shape == REGISTER else rec.whitelist).append(Item(sw, where))
                    n += 1
                continue
            facts = dict(lay.context) if lay.shape == PER_COMPUTER else {}
            facts.update(
                {k: clean(row[c]) for k, c in computer_cols.items() if c < len(row) and text(row[c]) is not None}
            )
            computer = facts.get("computer")
            if not computer:
                if any(text(v) for v in row):
                    rec.skipped.append(f"{where}：没有计算机编号，未导入")
                continue
            ck = norm_key(computer)
            known = rec.machines.setdefault(ck, {})
            for k, v in facts.items():
                known.setdefault(k, v)
            n += 1
            if lay.shape == WIDE:
                rec.installs.extend(_wide_items(lay, row, d, where, ck))
            elif text(sw.get("name")):
                rec.installs.append(Item(sw, where, ck))
            elif lay.shape == LONG and sw:
                rec.skipped.append(f"{where}：没有软件名称，只登记了计算机")
        rec.rows[lay.where] = n
    return rec


def _not_data(row: list) -> bool:
    first = next((clean(v) for v in row if text(v) is not None), None)
    return first is None or first.replace(" ", "").startswith(_NOT_DATA) and sum(text(v) is not None for v in row) <= 3


def _wide_items(lay: SheetLayout, row: list, d: Dictionary, where: str, ck: str) -> list[Item]:
    out = []
    for s in lay.software:
        v = row[s.col] if s.col < len(row) else None
        if s.name is not None:
            kind = d.tick_of(v)
            if kind in (None, "no"):
                continue
            genuine = {"genuine": "是", "pirated": "否", "free": "免费"}.get(kind)
            sw: dict[str, object] = {"name": s.name}
            if genuine:
                sw["genuine"] = genuine
            out.append(Item(sw, where, ck))
        elif text(v):
            sw = {"name": v}
            g = row[s.genuine_col] if s.genuine_col is not None and s.genuine_col < len(row) else None
            if text(g) is not None:
                sw["genuine"] = g
            out.append(Item(sw, where, ck))
    return out
