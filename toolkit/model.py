"""The typed ledger model: forms found in a workbook, their rows, each value with its cell.

The reader builds it; rules and the roll-up only read it. A row keeps the cleaned text of every
mapped column (``raw``, ``None`` for blank) and the parsed value of every typed column (``val``:
dates, numbers, 许可期限, enumerations and tick groups; ``None`` when blank or unreadable). A text
column's value is its text, so it is in ``raw`` only. :meth:`Row.cell` gives the A1 address of
any column of the row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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

    @property
    def form(self) -> str:
        return self.schema.form

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


@dataclass
class Log:
    """The 附件9 log of one software number: a sheet of its own, or its rows of a combined log."""

    form: Form
    software_no: str | None
    entries: list[LogEntry]
    combined: bool = False

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
    ledger (:meth:`Ledger.log_columns`), instead of calling the same properties and normalising the
    same keys again in each pass over 100,000 rows. ``numbers`` is the row's software number as
    written (a combined log's own column, else its log's number); ``nks`` and ``cks`` are the
    comparison keys of number and computer (``None`` when blank).
    """

    entries: list[LogEntry]
    logs: list[Log]  # the log each row belongs to
    numbers: list[str | None]
    nks: list[str | None]
    computers: list[str | None]
    cks: list[str | None]
    dates: list[dt.date | None]
    ops: list[str | None]

    @classmethod
    def of(cls, logs: list[Log]) -> LogColumns:
        entries: list[LogEntry] = []
        owner: list[Log] = []
        numbers: list[str | None] = []
        for log in logs:
            es = log.entries
            entries.extend(es)
            owner.extend([log] * len(es))
            if log.combined:
                numbers.extend([e.raw.get("software_no") for e in es])
            else:
                numbers.extend([log.software_no] * len(es))
        computers = [e.raw.get("computer") for e in entries]
        dates: list = [e.val.get("date") for e in entries]
        ops: list = [e.val.get("op") for e in entries]
        return cls(entries, owner, numbers, _keys(numbers), computers, _keys(computers), dates, ops)


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
        size = (len(self.logs), sum(len(log.entries) for log in self.logs))
        cached = self.__dict__.get("_log_columns")
        if cached is None or cached[0] != size:
            cached = self.__dict__["_log_columns"] = (size, LogColumns.of(self.logs))
        return cached[1]
