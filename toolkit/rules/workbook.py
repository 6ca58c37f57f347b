"""S rules: the workbook itself (forms present, columns present, cells filled and readable).

S3–S5 are column-level checks run through pandera schemas built from ``schemas/``: every
``not_blank``/``required_if`` column gives an S3 check, every typed column an S4 check and
every enumerated or tick column an S5 check, each vectorised over the whole form.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from importlib.util import find_spec
from itertools import accumulate, groupby, repeat
from operator import and_, attrgetter, is_not, itemgetter, not_, or_

from toolkit.findings import Finding
from toolkit.model import Form, Log, Row, a1, joined_column
from toolkit.read.ledgerset import file_index
from toolkit.rules.context import CheckContext
from toolkit.rules.registry import check
from toolkit.schemas import Column, FormSchema, all_schemas

ONE_SHEET_FORMS = ("附件6", "附件7", "附件8", "计算机清单")
_TYPE_ZH = {"int": "整数", "amount": "金额（不小于 0 的数）", "date": "日期", "term": "许可期限"}
_TERM_HINT = "，应为“永久”、截止日期（如 2027-12-31）、起止日期（如 2024-01-01至2026-12-31）或年限（如 3年）"
_OP_HINT = "；升级不是一种操作：请在旧编号的表中登记卸载、在新编号的表中登记安装"


@check("S1")
def missing_forms(ctx: CheckContext) -> Iterator[Finding]:
    """A form required for check is not found in the ledger."""
    ledger = ctx.ledger
    for sch in all_schemas().values():
        if not sch.required or ledger.form(sch.form) is not None:
            continue
        if sch.form == "附件9" and not ledger.summary:
            continue  # no number registered yet: no log is owed
        yield ctx.finding("S1", None, None, form=sch.form, title=sch.title)


@check("S2")
def missing_columns(ctx: CheckContext) -> Iterator[Finding]:
    """A required column is not found in a form's header."""
    for form in ctx.ledger.forms:
        for key in form.missing:
            col = form.schema.column(key)
            cell = None
            if form.header_row:  # the header row's 序号, else its first recognised column
                first = min([*form.columns.values(), *(c for cols in form.ticks.values() for c in cols)], default=None)
                cell = form.cell("seq", form.header_row) or (a1(form.header_row, first) if first else None)
            yield ctx.finding(
                "S2",
                form.sheet,
                cell or form.title_cell,
                title=form.schema.title,
                column=col.label,
                names="、".join((col.label, *col.aliases)),
            )


@check("S6")
def error_values(ctx: CheckContext) -> Iterator[Finding]:
    """A cell of a form's sheet holds an error value (#REF!, #N/A …) instead of content."""
    for sheet, r, c, value in ctx.ledger.error_cells:
        yield ctx.finding("S6", sheet, a1(r, c), r, value=value)


@check("S7")
def repeated_forms(ctx: CheckContext) -> Iterator[Finding]:
    """A form whose rows a ledger holds on one sheet (附件6, 附件7, 附件8, 计算机清单) is found on several:
    their rows are read together, which doubles every figure when one is a copy. (附件9 is one
    sheet per number; 附件10/附件11 have a register and a printed page per row.)"""
    seen: dict[tuple[str, int], list[Form]] = {}
    for form in ctx.ledger.forms:  # a ledger kept in several files may hold one 附件8 per file
        if form.form in ONE_SHEET_FORMS:
            seen.setdefault((form.form, file_index(form)), []).append(form)
    for (name, _file), forms in seen.items():
        if len(forms) > 1:
            first = forms[1]
            yield ctx.finding(
                "S7",
                first.sheet,
                first.title_cell,
                sheets="”“".join(f.sheet for f in forms),
                title=first.schema.title,
                form=name,
            )


def _conditions(col: Column, form: Form, derived: dict[str, tuple[str, str, frozenset]]):
    """The ``required_if`` condition as a vectorised function, or ``None`` when a column is absent.

    Membership tests become boolean columns of their own (``derived``), computed once when the
    frame is built, so that pandera only ever sees boolean columns.
    """
    conds = []
    for key, values in col.required_if.items():
        if not form.has(key):
            return None
        shown = frozenset(v for v in values if v not in ("", "*"))
        name = f"{key}__in_{len(derived)}"
        derived[name] = (key, "val", shown)
        conds.append((key, name, "" in values, "*" in values))

    def holds(df):
        mask = None
        for key, name, blank, any_value in conds:
            m = df[f"{key}__has"] if any_value else df[name]
            if blank:
                m = m | ~df[f"{key}__has"]
            mask = m if mask is None else (mask & m)
        return mask

    return holds


def _why(col: Column, sch: FormSchema) -> str:
    if col.key == "software_no" and sch.form == "附件7":
        return "（可运行 zbtz number 自动编号）"
    if not col.required_if:
        return ""
    parts = []
    for key, vals in col.required_if.items():
        label = sch.column(key).label
        shown = [v for v in vals if v not in ("", "*")]
        if "*" in vals:
            parts.append(f"{label}已填写")
        elif shown:
            parts.append(f"{label}为{'/'.join(shown)}" + ("或空" if "" in vals else ""))
    return "（" + "，".join(parts) + "时）"


def _schema_for(form: Form):
    """The form's cell checks as ``(name, predicate)`` pairs (a predicate maps a frame of boolean
    columns to a boolean column, True where the cell passes), the columns they need and derived flags.

    pandera is not imported here: the predicates run as ``pa.Check``s only when :func:`_all_pass`
    finds a failing cell (see :func:`cell_checks`).
    """
    sch = form.schema
    checks: list[tuple[str, Callable]] = []
    needed: set[str] = set()
    derived: dict[str, tuple[str, str, frozenset]] = {}
    for col in sch.columns:
        if not form.has(col.key):
            continue
        k = col.key
        if col.not_blank and col.type != "ticks":
            needed.add(k)
            checks.append((f"S3:{k}", lambda d, k=k: d[f"{k}__has"]))
        if col.required_if:
            holds = _conditions(col, form, derived)
            if holds is not None:
                needed.update({k, *col.required_if})
                checks.append((f"S3:{k}", lambda d, k=k, h=holds: ~h(d) | d[f"{k}__has"]))
        if col.type in ("int", "amount", "date", "term"):
            needed.add(k)
            # the words allowed instead of a number (许可数量 不限) stand only where the cell may be blank:
            # docs/forms.md, "blank or 不限 only with 场地许可"
            where = _conditions(col, form, derived) if col.required_if else None
            if where is not None:
                needed.update(col.required_if)
            allow = None
            if col.allow_text:
                allow = f"{k}__allow"
                derived[allow] = (k, "raw", frozenset(col.allow_text))
            checks.append(
                (
                    f"S4:{k}",
                    lambda d, k=k, a=allow, w=where: (
                        ~d[f"{k}__has"] | d[f"{k}__ok"] | ((d[a] & (True if w is None else ~w(d))) if a else False)
                    ),
                )
            )
        if col.type in ("enum", "ticks"):
            needed.add(k)
            if col.type == "ticks" and col.not_blank:
                checks.append((f"S5:{k}", lambda d, k=k: d[f"{k}__ok"]))
            else:
                checks.append((f"S5:{k}", lambda d, k=k: ~d[f"{k}__has"] | d[f"{k}__ok"]))
    return checks, needed, derived


class _Bools(list):
    """A boolean column as a plain list, with the operators the predicates use (``~``, ``&``, ``|``,
    a bool on either side), so that a form whose cells all pass needs neither pandas nor pandera."""

    __slots__ = ()

    def __invert__(self) -> _Bools:
        return _Bools(map(not_, self))

    def __and__(self, other) -> _Bools:
        if isinstance(other, bool):
            return self if other else _Bools(repeat(False, len(self)))
        return _Bools(map(and_, self, other))

    def __or__(self, other) -> _Bools:
        if isinstance(other, bool):
            return _Bools(repeat(True, len(self))) if other else self
        return _Bools(map(or_, self, other))

    __rand__ = __and__
    __ror__ = __or__


def _all_pass(checks: list[tuple[str, Callable]], flags: dict[str, list[bool]]) -> bool:
    """Whether every predicate holds on every row: the same predicates pandera runs, over lists."""
    cols = {name: _Bools(col) for name, col in flags.items()}
    return all(all(predicate(cols)) for _, predicate in checks)


class _RowList:
    """Rows already made, with the part interface of a :class:`~toolkit.model.Log` (size, column, entry)."""

    __slots__ = ("rows",)

    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows

    @property
    def size(self) -> int:
        return len(self.rows)

    def column(self, key: str, typed: bool = False) -> list:
        return list(map(itemgetter(key), [r.val if typed else r.raw for r in self.rows]))

    def entry(self, j: int) -> Row:
        return self.rows[j]


Part = _RowList | Log


def _flags(
    sch: FormSchema, parts: list[Part], keys: Iterable[str], derived: dict[str, tuple[str, str, frozenset]]
) -> dict[str, list[bool]]:
    """The columns of a frame of booleans only: ``k__has`` (cell filled), ``k__ok`` (value readable), derived flags.

    pandera runs ``isna`` over the whole frame for every check; over boolean columns that is
    free, over object columns it costs more than the checks themselves. Each column is taken as
    read (a log's table) or cut from the row dicts, and tested in C (``map``), never by a Python
    loop over the rows.
    """
    data: dict[str, list[bool]] = {}
    raws: dict[str, list] = {}
    vals: dict[str, list] = {}
    val_keys = [k for k in keys if sch.column(k).typed]  # a text column's value is its text
    for k in keys:  # every row of one layout carries every key of it
        raws[k] = raw = joined_column(parts, k)
        data[f"{k}__has"] = list(map(is_not, raw, repeat(None)))
    for k in val_keys:
        vals[k] = val = joined_column(parts, k, typed=True)
        data[f"{k}__ok"] = list(map(is_not, val, repeat(None)))
    for name, (k, which, members) in derived.items():
        source = vals[k] if which == "val" and k in vals else raws[k]
        try:
            data[name] = list(map(members.__contains__, source))
        except TypeError:  # an unhashable value from an exotic source
            data[name] = [x in members for x in source]
    return data


def _parts_by_layout(ctx: CheckContext) -> list[tuple[Form, list[Part]]]:
    """The rows of every form grouped by form and the set of columns present: one validation per layout.

    A ledger keeps one 附件9 sheet per number, hundreds of them in the same layout; checking
    them as one frame instead of one frame a sheet is what keeps large ledgers fast. A log is a
    part of its own (its columns read from its table, a row object made only for a failing cell).
    """
    out: dict[tuple, tuple[Form, list[Part]]] = {}
    ledger = ctx.ledger
    groups: list[Iterable[Row]] = [
        ledger.whitelist,
        ledger.summary,
        ledger.details,
        ledger.computers,
        ledger.requests,
        ledger.confirmations,
        ledger.pledges,
    ]

    def layout(f: Form) -> tuple:
        return (f.form, tuple(sorted(f.columns)), tuple(sorted(f.ticks)))

    for group in groups:
        for f, run in groupby(group, key=attrgetter("form")):  # rows come in runs, one per sheet
            out.setdefault(layout(f), (f, []))[1].append(_RowList(list(run)))
    for log in ledger.logs:
        if log.size:
            out.setdefault(layout(log.form), (log.form, []))[1].append(log)
    return list(out.values())


MAX_CELLS_SHOWN = 20


@check("S3", "S4", "S5", "S5W", weight=130)
def cell_checks(ctx: CheckContext) -> Iterator[Finding]:
    """Run the pandera cell checks of every form; yields S3, S4 and S5 findings, and S5W per unknown word.

    A cell that holds an error value (``#REF!``) reads as empty; S6 reports it, not S3.
    """
    errors = {(sheet, a1(r, c)) for sheet, r, c in ctx.ledger.error_cover}
    for f in _cell_checks(ctx):
        if not (f.rule == "S3" and (f.sheet, f.cell) in errors):
            yield f


def _cell_checks(ctx: CheckContext) -> Iterator[Finding]:
    """The cell checks of every form, before error cells are set apart.

    pandas and pandera are imported only for a form with a failing cell: importing them is most of
    the start-up of ``zbtz check`` on a small ledger, and most ledgers pass most forms.
    """
    if find_spec("pandera") is None:  # the checks need it even where every cell passes (degraded mode)
        raise ImportError("No module named 'pandera'", name="pandera")
    unknown: dict[tuple[str, str, str], list[Row]] = {}  # (form, column, value) -> rows, for S5W
    for form, parts in _parts_by_layout(ctx):
        if not any(p.size for p in parts):
            continue
        checks, needed, derived = _schema_for(form)
        if not checks:
            continue
        flags = _flags(form.schema, parts, needed, derived)
        if _all_pass(checks, flags):
            continue
        import pandas as pd
        import pandera.pandas as pa

        schema = pa.DataFrameSchema(checks=[pa.Check(predicate, name=name) for name, predicate in checks])
        try:
            schema.validate(pd.DataFrame(flags, dtype=bool), lazy=True)
            continue
        except pa.errors.SchemaErrors as exc:
            cases = exc.failure_cases
        seen: set[tuple[int, str]] = set()
        found = []
        for failed, index in zip(cases["check"], cases["index"], strict=True):
            code, _, key = str(failed).partition(":")
            if index is None or (int(index), code + key) in seen or code not in ("S3", "S4", "S5"):
                continue
            seen.add((int(index), code + key))
            found.append((int(index), code, key))
        found.sort()
        starts = list(accumulate((p.size for p in parts), initial=0))
        for index, code, key in found:
            at = bisect_right(starts, index) - 1
            row = parts[at].entry(index - starts[at])
            if code == "S5" and form.schema.column(key).lenient:
                unknown.setdefault((form.form, key, row.raw.get(key) or ""), []).append(row)
                continue
            yield _cell_finding(ctx, row.form, row, code, key)
    yield from _unknown_words(ctx, unknown)
    for log in ctx.ledger.logs:
        if not log.combined and log.software_no is None and log.form.header_row:
            yield ctx.finding("S3", log.form.sheet, log.number_cell, column="软件编号", why="（附件9 表头信息栏）")


def _unknown_words(ctx: CheckContext, unknown: dict[tuple[str, str, str], list[Row]]) -> Iterator[Finding]:
    """One S5W per distinct unknown value of a lenient column, at its first cell, listing every cell."""
    for (_, key, value), rows in unknown.items():
        first = rows[0]
        col = first.form.schema.column(key)
        by_sheet: dict[str, list[str]] = {}
        for r in rows[:MAX_CELLS_SHOWN]:
            by_sheet.setdefault(r.sheet, []).append(r.cell(key))
        cells = "；".join(f"“{sheet}” {'、'.join(cs)}" for sheet, cs in by_sheet.items())
        if len(rows) > MAX_CELLS_SHOWN:
            cells += " 等"
        yield ctx.at(
            "S5W",
            first,
            key,
            column=col.label,
            value=value,
            allowed="、".join(col.allowed),
            count=len(rows),
            cells=cells,
        )


def _cell_finding(ctx: CheckContext, form: Form, row: Row, code: str, key: str) -> Finding:
    col = form.schema.column(key)
    value = row.raw.get(key) or ""
    if code == "S3":
        return ctx.finding("S3", form.sheet, row.cell(key), row.row, column=col.label, why=_why(col, form.schema))
    if code == "S4":
        hint = _TERM_HINT if col.type == "term" else ""
        if value in col.allow_text:
            hint = f"；“{value}”只用于不限数量的许可（如场地许可）"
        return ctx.finding(
            "S4",
            form.sheet,
            row.cell(key),
            row.row,
            column=col.label,
            value=value,
            type=_TYPE_ZH.get(col.type, col.type),
            hint=hint,
        )
    hint = ""
    if col.type == "ticks":
        value = value or "（未打勾）"
        if "+" in value:
            value = f"{value}（同一行勾选了多项）"
    if key == "op" and "升级" in value:
        hint = _OP_HINT
    return ctx.finding(
        "S5",
        form.sheet,
        row.cell(key),
        row.row,
        column=col.label,
        value=value,
        allowed="、".join(col.allowed),
        hint=hint,
    )


@check("S4")
def term_without_purchase(ctx: CheckContext) -> Iterator[Finding]:
    """A 许可期限 in years (``3年``) needs 采购时间 to count from (docs/rules.md, term arithmetic)."""
    for s in ctx.ledger.summary:
        term = s.term
        if term is not None and term.years is not None and s.purchase_date is None:
            yield ctx.at(
                "S4",
                s,
                "term",
                column="许可期限",
                value=s.raw.get("term") or "",
                type="许可期限",
                hint="：按年限计的许可期限须填写采购时间，才能算出到期日",
            )


@check("S8")
def settings_problems(ctx: CheckContext) -> Iterator[Finding]:
    """A setting the unit wrote that cannot be used (the default applies)."""
    for p in ctx.settings.problems:
        yield ctx.finding("S8", p.setting.sheet, p.setting.cell, name=p.name, reason=p.reason)
