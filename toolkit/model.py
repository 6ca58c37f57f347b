"""The typed ledger model: forms found in a workbook, their rows, each value with its cell.

The reader builds it; rules and the roll-up only read it. A row keeps the cleaned text of every
mapped column (``raw``, ``None`` for blank) and the parsed value of every typed column (``val``:
dates, numbers, 许可期限, enumerations and tick groups; ``None`` when blank or unreadable). A text
column's value is its text, so it is in ``raw`` only. :meth:`Row.cell` gives the A1 address of
any column of the row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import repeat
from typing import Protocol

from toolkit.cellref import a1
from toolkit.normalize import Term, norm_key
from toolkit.schemas import FormSchema

# The three software types of 附件7 (台账管理规定 一.1): each is numbered by its own rules.
COMMERCIAL, OEM, FREE = "商业软件", "OEM软件", "免费软件"


@dataclass(frozen=True)
class Labelled:
    """A value beside a label outside the table (附件7 counts, 附件9 info, 填表日期)."""

    raw: str | None
    value: object
    cell: str | None


@dataclass(frozen=True)
class Setting:
    """One per-unit setting as written: its value, and where (a sheet and cell, or the 设置.toml file)."""

    raw: str | None
    sheet: str
    cell: str | None


@dataclass
class Form:
    """One form found in the workbook: where it is and how its columns map."""

    schema: FormSchema
    sheet: str
    sheet_index: int
    title_row: int  # 1-based
    title_col: int
    header_row: int = 0  # first header row, 1-based; 0 when no header was found
    data_start: int = 0
    columns: dict[str, int] = field(default_factory=dict)  # key -> 1-based column
    ticks: dict[str, dict[int, str]] = field(default_factory=dict)  # key -> {column: tick value}
    missing: tuple[str, ...] = ()  # required columns not found (S2)
    labels: dict[str, Labelled] = field(default_factory=dict)
    fill_date: Labelled | None = None
    unit: str | None = None  # 单位名称 from the sign line
    filler: str | None = None  # 填表人 from the sign line
    phone: str | None = None  # 联系电话 from the sign line
    # the data rows as read, column by column: kept for a 附件9, whose row objects are made only
    # when something asks for them (see Log)
    table: Table | None = field(default=None, repr=False, compare=False)

    @property
    def form(self) -> str:
        return self.schema.form

    def table_rows(self) -> list[Row]:
        """Every row of :attr:`table` as a row object, made at the first call (rows made one by one before are kept)."""
        made = self.__dict__.get("_rows")
        if made is None:
            made = self.table.rows(self) if self.table is not None else []
            for i, row in self.__dict__.pop("_some", {}).items():
                made[i] = row
            self.__dict__["_rows"] = made
        return made

    def table_row(self, i: int) -> Row:
        """Row ``i`` of :attr:`table` (0-based) as a row object, without making the others."""
        made = self.__dict__.get("_rows")
        if made is not None:
            return made[i]
        some = self.__dict__.setdefault("_some", {})
        if i not in some:
            some[i] = self.table.row(self, i)  # type: ignore[union-attr]  # only a form with a table has rows
        return some[i]

    @property
    def title_cell(self) -> str:
        return a1(self.title_row, self.title_col)

    def has(self, key: str) -> bool:
        """True when the column was found (as a column or a tick group)."""
        return key in self.columns or key in self.ticks

    def cell(self, key: str, row: int) -> str | None:
        """A1 address of column ``key`` on sheet row ``row``; the first tick column for a tick group."""
        col = self.columns.get(key)
        if col is None and key in self.ticks:
            col = min(self.ticks[key])
        return a1(row, col) if col else None


@dataclass(slots=True)
class Row:
    """One data row of a form."""

    form: Form
    row: int  # 1-based sheet row
    raw: dict[str, str | None]  # every mapped column's cleaned text
    val: dict[str, object]  # typed columns only (see the module docstring)

    @property
    def sheet(self) -> str:
        return self.form.sheet

    def cell(self, key: str) -> str:
        """A1 address of column ``key`` on this row (the row's first cell when the column is absent)."""
        return self.form.cell(key, self.row) or a1(self.row, 1)

    def text(self, key: str) -> str | None:
        return self.raw.get(key)

    def key(self, key: str) -> str | None:
        """Comparison key (docs/rules.md normalisation) of a text column, ``None`` when blank."""
        t = self.raw.get(key)
        return norm_key(t) if t is not None else None


class SummaryEntry(Row):
    """A row of 附件7."""

    __slots__ = ()

    @property
    def software_no(self) -> str | None:
        return self.raw.get("software_no")

    @property
    def sw_type(self) -> str | None:
        return self.val.get("sw_type")  # type: ignore[return-value]

    @property
    def acquisition(self) -> str | None:
        return self.val.get("acquisition")  # type: ignore[return-value]

    @property
    def purchase_date(self) -> dt.date | None:
        return self.val.get("purchase_date")  # type: ignore[return-value]

    @property
    def license_type(self) -> str | None:
        return self.val.get("license_type")  # type: ignore[return-value]

    @property
    def license_count(self) -> int | None:
        return self.val.get("license_count")  # type: ignore[return-value]

    @property
    def term(self) -> Term | None:
        return self.val.get("term")  # type: ignore[return-value]

    @property
    def installed(self) -> int | None:
        return self.val.get("installed")  # type: ignore[return-value]

    def term_end(self) -> dt.date | None:
        """Last day of the licence, counting ``N年`` from 采购时间."""
        term = self.term
        return term.end_date(self.purchase_date) if term else None


class DetailEntry(Row):
    """A row of 附件8: one software on one computer (or a computer with no software)."""

    __slots__ = ()

    @property
    def computer(self) -> str | None:
        return self.raw.get("computer")

    @property
    def software_no(self) -> str | None:
        return self.raw.get("software_no")


class DatedOnComputer(Row):
    """A row about one computer on one date: a 附件9 log row, a 附件10 request, a 附件11 confirmation."""

    __slots__ = ()

    @property
    def computer(self) -> str | None:
        return self.raw.get("computer")

    @property
    def date(self) -> dt.date | None:
        return self.val.get("date")  # type: ignore[return-value]


class LogEntry(DatedOnComputer):
    """A row of a 附件9 log."""

    __slots__ = ()

    @property
    def op(self) -> str | None:
        return self.val.get("op")  # type: ignore[return-value]

    @property
    def qty(self) -> int:
        q = self.val.get("qty")
        return q if isinstance(q, int) and q > 0 else 1


class Computer(Row):
    """A row of 计算机清单."""

    __slots__ = ()

    @property
    def computer(self) -> str | None:
        return self.raw.get("computer")

    @property
    def ctype(self) -> str | None:
        return self.val.get("ctype")  # type: ignore[return-value]

    @property
    def status(self) -> str | None:
        return self.val.get("status")  # type: ignore[return-value]


class FreeEntry(Row):
    """A row of 附件6."""

    __slots__ = ()


class Request(DatedOnComputer):
    """A row of the 附件10 register: one request to install, uninstall or upgrade software."""

    __slots__ = ()

    @property
    def numbers(self) -> tuple[str, ...]:
        """The software numbers the request names (新软件编号, 原软件编号), as written."""
        return tuple(n for k in ("new_no", "old_no") if (n := self.raw.get(k)))


class Confirmation(DatedOnComputer):
    """A row of the 附件11 register: one install, uninstall or upgrade confirmed by the computer's user."""

    __slots__ = ()

    @property
    def software_no(self) -> str | None:
        return self.raw.get("software_no")


class Pledge(Row):
    """A row of 承诺书签署登记: one person who signed the 使用正版软件承诺书 (附件2)."""

    __slots__ = ()

    @property
    def person(self) -> str | None:
        return self.raw.get("person")


@dataclass(frozen=True)
class Table:
    """A form's data rows as read, column by column: the row numbers, the raw text of every column
    (and the words written in tick cells), and the typed value of each typed column.

    :meth:`rows` makes the model's row objects; a helper process sends the table itself, which
    pickles as a few lists per column (``toolkit.read.parallel``).
    """

    cls: type[Row]
    numbers: list[int]
    raw_keys: tuple[str, ...]
    raw_cols: list[list]
    val_keys: tuple[str, ...]
    val_cols: list[list]

    def rows(self, form: Form) -> list[Row]:
        n = len(self.numbers)
        raws, vals = _dicts(self.raw_keys, self.raw_cols, n), _dicts(self.val_keys, self.val_cols, n)
        return list(map(self.cls, repeat(form), self.numbers, raws, vals))

    def row(self, form: Form, i: int) -> Row:
        """Row ``i`` (0-based) alone."""
        raw = dict(zip(self.raw_keys, [c[i] for c in self.raw_cols], strict=True))
        val = dict(zip(self.val_keys, [c[i] for c in self.val_cols], strict=True))
        return self.cls(form, self.numbers[i], raw, val)

    def column(self, key: str, typed: bool = False) -> list | None:
        """The column ``key`` of ``raw`` (or with ``typed`` of ``val``); ``None`` when the rows do not have it."""
        keys, cols = (self.val_keys, self.val_cols) if typed else (self.raw_keys, self.raw_cols)
        return cols[keys.index(key)] if key in keys else None


@lru_cache(maxsize=64)
def _dict_builder(keys: tuple[str, ...]) -> Callable[..., dict[str, object]]:
    """A function of one value per key returning ``{key: value, ...}``.

    Built once per column layout, like a namedtuple's methods: a dict display with constant keys
    is about twice as fast as ``dict(zip(keys, values))``, and a large ledger builds two dicts
    for each of its 170,000 rows.
    """
    args = ", ".join(f"_{i}" for i in range(len(keys)))
    items = ", ".join(f"{k!r}: _{i}" for i, k in enumerate(keys))
    return eval(f"lambda {args}: {{{items}}}", {})  # noqa: S307  # keys are repr'd literals


def _dicts(keys: tuple[str, ...], columns: list[list], n: int) -> Iterable[dict]:
    """One ``{key: value}`` dict per row from the columns."""
    if not keys:
        return map(dict, repeat((), n))
    return map(_dict_builder(keys), *columns)


class Log:
    """The 附件9 log of one software number: a sheet of its own, or its rows of a combined log.

    Its rows are those of its form's :attr:`Form.table` (``picks``: the indexes of a combined
    log's rows, else all), made into :class:`LogEntry` objects only when :attr:`entries` or
    :meth:`entry` is asked for: the roll-up and the rules read 100,000 log rows as columns
    (:class:`LogColumns`) and need a row object only for a finding. A log built from a list of
    entries (``entries``) simply holds it.
    """

    __slots__ = ("form", "software_no", "combined", "_entries", "_picks")

    def __init__(
        self,
        form: Form,
        software_no: str | None,
        entries: list[LogEntry] | None = None,
        combined: bool = False,
        picks: list[int] | None = None,
    ) -> None:
        self.form = form
        self.software_no = software_no
        self.combined = combined
        self._entries = entries
        self._picks = picks

    def __repr__(self) -> str:
        return f"Log({self.form.sheet!r}, {self.software_no!r}, {self.size} rows, combined={self.combined})"

    @property
    def entries(self) -> list[LogEntry]:
        """The log's rows as objects, in sheet order (made at the first call)."""
        if self._entries is None:
            rows: list = self.form.table_rows()
            self._entries = rows if self._picks is None else [rows[i] for i in self._picks]
        return self._entries

    @property
    def size(self) -> int:
        """How many rows the log has (without making them)."""
        if self._entries is not None:
            return len(self._entries)
        if self._picks is not None:
            return len(self._picks)
        return len(self.form.table.numbers) if self.form.table is not None else 0

    def entry(self, j: int) -> LogEntry:
        """Row ``j`` of the log (0-based), without making the others."""
        if self._entries is not None:
            return self._entries[j]
        return self.form.table_row(j if self._picks is None else self._picks[j])  # type: ignore[return-value]

    def column_rows(self) -> list[int]:
        """The sheet row of each of the log's rows."""
        if self._entries is not None or self.form.table is None:
            return [e.row for e in self.entries]
        return self._picked(self.form.table.numbers)

    def column(self, key: str, typed: bool = False) -> list:
        """One column of the log's rows: the text (``raw``), or with ``typed`` the value (``val``)."""
        if self._entries is not None or self.form.table is None:
            return [(e.val if typed else e.raw).get(key) for e in self.entries]
        col = self.form.table.column(key, typed)
        return [None] * self.size if col is None else self._picked(col)

    def _picked(self, col: list) -> list:
        """The log's values of a column of its form's table (the table's own list when the log has every row)."""
        return col if self._picks is None else list(map(col.__getitem__, self._picks))

    @property
    def info(self) -> dict[str, Labelled]:
        return self.form.labels

    @property
    def number_cell(self) -> str:
        lab = self.form.labels.get("software_no")
        return lab.cell if lab and lab.cell else self.form.title_cell


@dataclass(frozen=True)
class LogColumns:
    """Every 附件9 row of a ledger as parallel columns, in log order (each log's rows in sheet order).

    Most rules and the roll-up walk all the log rows: they read these columns, built once per
    ledger (:meth:`Ledger.log_columns`) from the logs' tables, instead of making 100,000 row
    objects and calling the same properties on each in every pass. Row ``i`` is row ``pos[i]`` of
    ``logs[i]``; :meth:`entry` makes that one row object, for a finding. ``numbers`` is the row's
    software number as written (a combined log's own column, else its log's number); ``nks`` and
    ``cks`` are the comparison keys of number and computer (``None`` when blank); ``rows`` the
    sheet rows; ``dates``, ``ops`` and ``qtys`` the typed values.
    """

    each: list[Log]  # the logs with rows, each once, in order
    logs: list[Log]  # the log each row belongs to
    pos: list[int]  # the row's index in its log
    rows: list[int]
    numbers: list[str | None]
    nks: list[str | None]
    computers: list[str | None]
    cks: list[str | None]
    dates: list[dt.date | None]
    ops: list[str | None]
    qtys: list[object]

    @classmethod
    def of(cls, logs: list[Log]) -> LogColumns:
        owner: list[Log] = []
        pos: list[int] = []
        rows: list[int] = []
        numbers: list[str | None] = []
        computers: list = []
        dates: list = []
        ops: list = []
        qtys: list = []
        for log in logs:
            n = log.size
            owner.extend(repeat(log, n))
            pos.extend(range(n))
            rows.extend(log.column_rows())
            numbers.extend(log.column("software_no") if log.combined else repeat(log.software_no, n))
            computers.extend(log.column("computer"))
            dates.extend(log.column("date", typed=True))
            ops.extend(log.column("op", typed=True))
            qtys.extend(log.column("qty", typed=True))
        each = [log for log in logs if log.size]
        return cls(each, owner, pos, rows, numbers, _keys(numbers), computers, _keys(computers), dates, ops, qtys)

    @cached_property
    def entries(self) -> list[LogEntry]:
        """Every row as an object (all of them made): for a pass that needs more than the columns."""
        return [e for log in self.each for e in log.entries]

    def column(self, key: str, typed: bool = False) -> list:
        """Any other column of the rows (``raw``, or with ``typed`` ``val``), in the same order; made once."""
        cache = self.__dict__.setdefault("_columns", {})
        if (key, typed) not in cache:
            cache[(key, typed)] = joined_column(self.each, key, typed)
        return cache[(key, typed)]

    def entry(self, i: int) -> LogEntry:
        """Row ``i`` as an object (made alone when its log's rows are not made yet)."""
        return self.logs[i].entry(self.pos[i])


class HasColumns(Protocol):
    """Rows that give their values column by column (a :class:`Log`, a list of rows of one layout)."""

    def column(self, key: str, typed: bool = False) -> list: ...


def joined_column(parts: Sequence[HasColumns], key: str, typed: bool = False) -> list:
    """One column of several parts, end to end (a single part's own list: read it, do not change it)."""
    if len(parts) == 1:
        return parts[0].column(key, typed)
    return [v for part in parts for v in part.column(key, typed)]


def _keys(values: list[str | None]) -> list[str | None]:
    """:func:`norm_key` of each value (``None`` for blank), computed once per distinct value."""
    memo: dict[str | None, str | None] = {v: (norm_key(v) if v else None) for v in set(values)}
    return list(map(memo.__getitem__, values))


@dataclass
class Ledger:
    """Everything read from one workbook."""

    path: str
    forms: list[Form] = field(default_factory=list)
    whitelist: list[FreeEntry] = field(default_factory=list)
    summary: list[SummaryEntry] = field(default_factory=list)
    details: list[DetailEntry] = field(default_factory=list)
    logs: list[Log] = field(default_factory=list)
    computers: list[Computer] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)  # 附件10 申请登记
    confirmations: list[Confirmation] = field(default_factory=list)  # 附件11 确认登记
    pledges: list[Pledge] = field(default_factory=list)  # 承诺书签署登记
    settings: dict[str, Setting] = field(default_factory=dict)  # 设置项 → 值 as written (the 设置 sheet, 设置.toml)
    error_cells: list[tuple[str, int, int, str]] = field(default_factory=list)  # (sheet, row, col, "#REF!"), 1-based
    error_cover: set[tuple[str, int, int]] = field(default_factory=set)  # every cell showing an error (merges too)

    def form(self, name: str) -> Form | None:
        """The first form of that name (``附件7`` …), or ``None`` when the ledger lacks it."""
        for f in self.forms:
            if f.form == name:
                return f
        return None

    def forms_of(self, name: str) -> list[Form]:
        return [f for f in self.forms if f.form == name]

    @property
    def unit(self) -> str | None:
        """The unit's name from the first sign line that carries one (附件7 first)."""
        ordered = sorted(self.forms, key=lambda f: f.form != "附件7")
        return next((f.unit for f in ordered if f.unit), None)

    def sign_field(self, key: str) -> str | None:
        """填表人 (``filler``) or 联系电话 (``phone``) from the first sign line that carries it (附件7 first)."""
        ordered = sorted(self.forms, key=lambda f: f.form != "附件7")
        return next((getattr(f, key) for f in ordered if getattr(f, key)), None)

    @property
    def has_computer_list(self) -> bool:
        return self.form("计算机清单") is not None

    def log_columns(self) -> LogColumns:
        """The 附件9 rows as columns (:class:`LogColumns`), built on first use; the model is read-only after reading."""
        size = (len(self.logs), sum(log.size for log in self.logs))
        cached = self.__dict__.get("_log_columns")
        if cached is None or cached[0] != size:
            cached = self.__dict__["_log_columns"] = (size, LogColumns.of(self.logs))
        return cached[1]
