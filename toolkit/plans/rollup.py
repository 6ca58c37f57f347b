"""Writing the roll-up and the annotation back into a ledger workbook (docs/rollup.md, docs/cli.md).

The data flows one way: :func:`plan_rollup` turns a :class:`~toolkit.model.Ledger` and its
:class:`~toolkit.rollup.Rollup` into a :class:`RollupPlan` -- pure data, no file access: the
cells to write, the 附件8 rows to put in place of the old ones (in the sheet's own column layout)
and what changes. A backend applies a plan: :func:`apply_rollup_to_package` for a file through
the package-preserving writer (:mod:`toolkit.write.package`), the Excel integration through xlwings.
Likewise :func:`apply_annotation_to_package` applies an
:class:`~toolkit.plans.annotate.AnnotationPlan`.

:func:`rollup_file` and :func:`annotate_file` are the library entry points the CLI calls: they
refuse a workbook that Excel/WPS has open, keep a backup before writing in place, and write
through a temporary file that is renamed over the target (:mod:`toolkit.files`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from toolkit.cellref import split_ref
from toolkit.dates import date_text
from toolkit.forms.layout import NA, NOT_APPLICABLE
from toolkit.model import Form, Ledger, Row
from toolkit.normalize import norm_key
from toolkit.rollup import COUNT_KEYS, Rollup

__all__ = [
    "FillDate",
    "DetailRebuild",
    "RollupPlan",
    "plan_rollup",
    "sign_line_text",
    "date_text",
]

TEXT, CENTER, DATE = "text", "center", "date"  # what a 附件8 cell needs: wrapped text, centred, a date


# --------------------------------------------------------------------------- 填表日期


_GAP = r"[\s＿_]*"
_SIGN_DATE = re.compile(
    r"(填表日期\s*[:：]?\s*)"
    r"(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日?"
    r"|\d{4}\s*[-./]\s*\d{1,2}\s*[-./]\s*\d{1,2}"
    rf"|{_GAP}年{_GAP}月{_GAP}日"
    r"|[＿_]+"
    r")?"
)


def sign_line_text(text: str, day: dt.date) -> str:
    """The sign-line text with only its 填表日期 part set to ``day``.

    ``单位名称（盖章）：X  填表人：…  填表日期：＿＿年＿＿月＿＿日`` becomes ``… 填表日期：2026年6月30日``;
    a date already there (``2025年12月31日``, ``2025-12-31``) is replaced; everything else of the
    text stays as it was.
    """
    m = _SIGN_DATE.search(text)
    if m is None:
        return text
    prefix = m.group(1)
    if not prefix.rstrip().endswith(("：", ":")):
        prefix = prefix.rstrip() + "："
    return text[: m.start()] + prefix + date_text(day) + text[m.end() :]


@dataclass(frozen=True)
class FillDate:
    """A 填表日期 cell to set: the date part of a sign-line text, or the date cell itself.

    Applying it needs the cell's current content: a text holding ``填表日期`` gets
    :func:`sign_line_text`; any other cell (the one right of a ``填表日期`` label) gets the date.
    """

    day: dt.date

    def value_for(self, current: object) -> object:
        if isinstance(current, str) and "填表日期" in current:
            return sign_line_text(current, self.day)
        return self.day


# --------------------------------------------------------------------------- the plan


@dataclass
class DetailRebuild:
    """The 附件8 rows to put in place of rows ``first..last`` (``last < first``: inserted)."""

    sheet: str
    first: int
    last: int
    rows: list[list[object]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # (r1, c1, r2, c2), 1-based
    style_row: int = 0  # the old row whose cell styles the new rows take; 0 for none
    kinds: dict[int, str] = field(default_factory=dict)  # column -> text/center/date: what the cell needs


@dataclass(frozen=True)
class InstalledChange:
    """安装数量 of one number: the sum over its 附件7 rows before, and the roll-up's figure."""

    number: str
    old: int | None
    new: int
    cell: str


@dataclass(frozen=True)
class CountChange:
    """A figure above the 附件7 table (使用计算机人数, 服务器数, …)."""

    key: str
    label: str
    old: object
    new: int
    cell: str


@dataclass
class RollupPlan:
    """Everything a roll-up writes, and what it changes; pure data."""

    as_of: dt.date
    cells: dict[str, dict[tuple[int, int], object]] = field(default_factory=dict)  # sheet -> (row, col) -> value
    detail: DetailRebuild | None = None
    installed: list[InstalledChange] = field(default_factory=list)
    counts: list[CountChange] = field(default_factory=list)
    added: list[tuple[str, str | None]] = field(default_factory=list)  # (computer, number) on 附件8
    removed: list[tuple[str, str | None]] = field(default_factory=list)
    fill_dates: list[tuple[str, str]] = field(default_factory=list)  # (sheet, cell)
    notes: list[str] = field(default_factory=list)  # what could not be written, for a person

    @property
    def changed(self) -> bool:
        """True when the roll-up changes a figure or a 附件8 row (the 填表日期 aside)."""
        return bool(self.installed or self.counts or self.added or self.removed)

    def to_dict(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "changed": self.changed,
            "installed": [{"number": c.number, "old": c.old, "new": c.new, "cell": c.cell} for c in self.installed],
            "counts": [
                {"key": c.key, "label": c.label, "old": c.old, "new": c.new, "cell": c.cell} for c in self.counts
            ],
            "detail_rows": len(self.detail.rows) if self.detail else 0,
            "added": [{"computer": c, "number": n} for c, n in self.added],
            "removed": [{"computer": c, "number": n} for c, n in self.removed],
            "fill_date": [{"sheet": s, "cell": c} for s, c in self.fill_dates],
            "notes": list(self.notes),
        }


def _put(plan: RollupPlan, sheet: str, cell: tuple[int, int], value: object) -> None:
    plan.cells.setdefault(sheet, {})[cell] = value


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def plan_rollup(ledger: Ledger, rollup: Rollup) -> RollupPlan:
    """What the roll-up writes into this ledger (docs/rollup.md, "Output on 附件7/附件8")."""
    plan = RollupPlan(rollup.as_of)
    summary = ledger.form("附件7")
    detail = ledger.form("附件8")
    _plan_installed(ledger, rollup, plan)
    if summary is not None:
        _plan_counts(summary, ledger, rollup, plan)
    if detail is not None and detail.header_row:
        plan.detail = _plan_detail(ledger, detail, rollup, plan)
    for form in (summary, detail, *ledger.forms_of("附件9")):
        if form is None:
            continue
        lab = form.fill_date
        if lab is None or lab.cell is None:
            if form.form != "附件9":  # a log without a sign line is not worth a note
                plan.notes.append(f"“{form.sheet}”中找不到填表日期，未写入。")
            continue
        _put(plan, form.sheet, split_ref(lab.cell), FillDate(rollup.as_of))
        plan.fill_dates.append((form.sheet, lab.cell))
    return plan


def _plan_installed(ledger: Ledger, rollup: Rollup, plan: RollupPlan) -> None:
    by_no: dict[str, list[Row]] = {}
    for s in ledger.summary:
        if s.software_no:
            by_no.setdefault(norm_key(s.software_no), []).append(s)
    for nk, rows in by_no.items():
        new = rollup.installed.get(nk, 0)
        olds = [_as_int(r.val.get("installed")) for r in rows]
        old_total = None if all(o is None for o in olds) else sum(o or 0 for o in olds)
        for i, r in enumerate(rows):
            want = new if i == 0 else 0
            col = r.form.columns.get("installed")
            if col is None:
                continue
            if olds[i] != want or r.raw.get("installed") is None or isinstance(r.val.get("installed"), float):
                _put(plan, r.sheet, (r.row, col), want)
        if old_total != new:
            plan.installed.append(
                InstalledChange(rows[0].raw["software_no"] or nk, old_total, new, rows[0].cell("installed"))
            )


def _plan_counts(form: Form, ledger: Ledger, rollup: Rollup, plan: RollupPlan) -> None:
    wanted: dict[str, int] = {"staff_using": rollup.staff_using}
    if rollup.computer_counts is not None:
        for k in COUNT_KEYS.values():
            wanted[k] = rollup.computer_counts.get(k, 0)
    for key, new in wanted.items():
        label = form.schema.label_of(key)
        lab = form.labels.get(key)
        if lab is None or lab.cell is None:
            plan.notes.append(f"“{form.sheet}”中找不到“{label}”，未写入。")
            continue
        old = _as_int(lab.value)
        if old is None and isinstance(lab.value, str):
            from toolkit.normalize import to_int

            old = to_int(lab.value)
        if old != new or not isinstance(lab.value, int | float):
            _put(plan, form.sheet, split_ref(lab.cell), new)
        if old != new:
            plan.counts.append(CountChange(key, label, lab.raw, new, lab.cell))


def _layout_width(form: Form) -> int:
    cols = list(form.columns.values()) + [c for ticks in form.ticks.values() for c in ticks]
    return max(cols, default=1)


def _plan_detail(ledger: Ledger, form: Form, rollup: Rollup, plan: RollupPlan) -> DetailRebuild:
    own = [d for d in ledger.details if d.form is form]
    first = form.data_start
    last = max((d.row for d in own), default=first - 1)
    width = _layout_width(form)
    at = {key: col - 1 for key, col in form.columns.items()}  # 0-based positions in a row
    type_ticks = {t: c - 1 for c, t in form.ticks.get("sw_type", {}).items()}
    kinds = _column_kinds(form)
    merge_cols = sorted(at[c.key] + 1 for c in form.schema.columns if c.merge and c.key in at)
    # (position, DetailRow attribute) of the cells a row fills when they hold a value: the
    # computer's cells on its first row, or (merged) only those of columns not merged
    ident: list[tuple[int, str]] = [(at[k], k) for k in ("dept", "person", "computer", "brand") if k in at]
    ident_rest = [(i, k) for i, k in ident if i + 1 not in merge_cols] if merge_cols else ident
    cells: list[tuple[int, str]] = [(at[k], k) for k in ("software_no", "name") if k in at]
    tail: list[tuple[int, str]] = [(at[k], k) for k in ("install_date", "remark") if k in at]
    seq, version, term, sw_type = (at.get(k) for k in ("seq", "version", "term", "sw_type"))
    rows: list[list[object]] = []
    merges: list[tuple[int, int, int, int]] = []
    group_start = 0
    prev_key: str | None = None
    for i, r in enumerate(rollup.detail):
        values: list[object] = [None] * width
        ck = norm_key(r.computer)
        same = ck == prev_key
        if not same:
            if prev_key is not None and i - 1 > group_start:
                merges.extend((first + group_start, c, first + i - 1, c) for c in merge_cols)
            group_start, prev_key = i, ck
        if seq is not None:
            values[seq] = i + 1
        # merged cells: only the top-left holds the value; a column not merged repeats it
        for pos, name in (ident_rest if same else ident) + cells:
            v = getattr(r, name)
            if v is not None:
                values[pos] = v
        na = NOT_APPLICABLE.get(r.sw_type or "", ()) if r.software_no else ()
        if version is not None and (r.version is not None or "version" in na):
            values[version] = r.version if r.version is not None else NA
        if term is not None and (r.term is not None or "term" in na):
            values[term] = r.term if r.term is not None else NA
        if r.sw_type:
            if r.sw_type in type_ticks:
                values[type_ticks[r.sw_type]] = "√"
            elif sw_type is not None:
                values[sw_type] = r.sw_type
        for pos, name in tail:
            v = getattr(r, name)
            if v is not None:
                values[pos] = v
        rows.append(values)
    n = len(rollup.detail)
    if prev_key is not None and n - 1 > group_start:
        merges.extend((first + group_start, c, first + n - 1, c) for c in merge_cols)

    old = {
        (norm_key(d.computer or ""), norm_key(d.software_no) if d.software_no else None): d for d in own if d.computer
    }
    new = {(norm_key(r.computer), norm_key(r.software_no) if r.software_no else None): r for r in rollup.detail}
    for pair, r in new.items():
        if pair not in old:
            plan.added.append((r.computer, r.software_no))
    for pair, d in old.items():
        if pair not in new:
            plan.removed.append((d.computer or "", d.software_no))
    # the first old row, else the form's first (blank, formatted) data row
    return DetailRebuild(form.sheet, first, last, rows, merges, style_row=first, kinds=kinds)


def _column_kinds(form: Form) -> dict[int, str]:
    """What each column of a form's table needs: wrapped text, centred, or a date."""
    kinds: dict[int, str] = {}
    for key, col in form.columns.items():
        c = form.schema.column(key)
        kinds[col] = DATE if c.type == "date" else CENTER if c.type in ("int", "ticks", "label") else TEXT
    for cols in form.ticks.values():
        kinds.update(dict.fromkeys(cols, CENTER))
    for col in range(1, _layout_width(form) + 1):
        kinds.setdefault(col, TEXT)
    return kinds
