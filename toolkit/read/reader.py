"""Read a ledger workbook into the typed model, however its staff laid the forms out.

Forms are found by title (first five rows), columns by normalised header text and the aliases
in ``schemas/`` (within ten rows of the title, one or two header rows), never by sheet name or
column letter (docs/forms.md, "What a reader accepts"). The reader reports nothing itself: what it
could not find is recorded on the model (``Form.missing``, blank ``raw`` values) for the rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import compress, repeat
from operator import attrgetter, itemgetter, ne
from pathlib import Path
from typing import Any

from toolkit.errors import ReadError
from toolkit.model import (
    Computer,
    Confirmation,
    DetailEntry,
    Form,
    FreeEntry,
    Labelled,
    Ledger,
    Log,
    LogEntry,
    Pledge,
    Request,
    Row,
    Setting,
    SummaryEntry,
    Table,
    a1,
)
from toolkit.normalize import (
    clean,
    header_key,
    is_tick,
    norm_key,
    text,
    to_date,
    to_int,
    to_number,
    to_partial_date,
    to_term,
)
from toolkit.ooxml import LEDGER_SHEET
from toolkit.process import gc_paused
from toolkit.read.grid import Book, Grid, load_book, stream_book
from toolkit.read.parallel import Helper, halves, worth
from toolkit.read.vet import Vetted, remember, vet_workbook
from toolkit.read.vocabulary import DICTIONARY_NAME, Vocabulary, read_dictionary, shared_vocabulary
from toolkit.schemas import Column, FormSchema, all_schemas

TITLE_ROWS = 5
HEADER_WINDOW = 10
RESULT_SHEET = "校验结果"
_OWN_SHEETS = (RESULT_SHEET, LEDGER_SHEET)
_TOTAL_WORDS = ("合计", "总计", "小计")
_NOTE_PREFIXES = ("注", "说明", "填表说明", "备注：", "备注:")
_DATE_IN_TEXT = re.compile(r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})")

_ROW_CLASS: dict[str, type[Row]] = {
    "附件6": FreeEntry,
    "附件7": SummaryEntry,
    "附件8": DetailEntry,
    "附件9": LogEntry,
    "计算机清单": Computer,
    "附件10": Request,
    "附件11": Confirmation,
    "承诺书签署登记": Pledge,
}
_REGISTERS = {"附件10": "requests", "附件11": "confirmations", "承诺书签署登记": "pledges"}
REGISTER_MIN_COLUMNS = 3
SETTINGS_SHEET = "设置"
SETTINGS_FILE = "设置.toml"
_SETTING_HEADERS = (("设置项",), ("值", "设置值"))


def read_ledger(path: str | Path, display: str | None = None) -> Ledger:
    """Read a workbook file into a :class:`Ledger` (``ReadError`` when it is not readable).

    A ``字典.xlsx`` beside the file adds the unit's wording (:mod:`toolkit.read.vocabulary`); the
    ledger's own ``字典`` sheet wins over it. A ``设置.toml`` beside the workbook gives the unit's
    settings; a 设置 sheet in the workbook wins over it.
    """
    beside = Path(path).with_name(DICTIONARY_NAME + ".xlsx")
    extra = None
    if beside.is_file() and beside.resolve() != Path(path).resolve():
        try:
            extra = book_vocabulary(load_book(beside), every_sheet=True)
        except ReadError:
            extra = None  # an unreadable 字典 beside the ledger never stops its check
    ledger = Ledger(display or str(path))
    for sheet in _file_sheets(path, extra):
        attach_sheet(ledger, sheet)
    for key, setting in read_settings_file(Path(path).with_name(SETTINGS_FILE)).items():
        ledger.settings.setdefault(key, setting)
    return ledger


def _file_sheets(path: str | Path, extra: Vocabulary | None) -> Iterable[SheetRead]:
    """Every sheet of a workbook file read; a large one by this process and a helper process at
    once, each vetting and reading about half of the sheets (:mod:`toolkit.read.parallel`), with
    the result and the errors of a reading in one process."""
    p = Path(path)
    vetted = vet_workbook(p, scan=False)
    if not vetted.sizes or not worth(sum(vetted.sizes.values())):
        return _whole(p, extra)
    book = stream_book(p, vetted=vetted)
    split = halves(book.worksheets, vetted.sizes)
    if split is None or book.pick is None:
        return _whole(p, extra)
    mine, theirs = split
    helper = Helper(read_part, str(p), theirs, extra, vetted)
    try:
        vocab = book_words(book, extra)
        own = list(read_sheets(book.pick(mine), vocab))
        for sheet in own:  # this side's row objects are made while the helper still reads (a log's when needed)
            if sheet.form is not None and not _stays_columns(sheet.form):
                sheet.rows  # noqa: B018
    except ReadError:
        helper.cancel()  # read again in one process, which raises what it would raise alone
        return _whole(p, extra)
    errors = book.cell_errors
    got = helper.result()
    if got is None:  # the helper failed: read its sheets here (their first error is the first one overall)
        rest = stream_book(p, only=theirs, dictionary=False, vetted=vetted)
        other = list(read_sheets(rest.sheets, vocab))
        errors = {**errors, **rest.cell_errors}
    else:
        other, their_errors = got
        errors = {**errors, **their_errors}
    remember(p, replace(vetted, errors=errors, scanned=True))  # every sheet is vetted now: an edit needs no rescan
    return sorted([*own, *other], key=attrgetter("index"))


def _whole(path: Path, extra: Vocabulary | None) -> Iterator[SheetRead]:
    """Every sheet read in this process (the file vetted whole first)."""
    book = stream_book(path)
    return read_sheets(book.sheets, book_words(book, extra))


def read_part(
    path: str, indexes: list[int], extra: Vocabulary | None, vetted: Vetted
) -> tuple[list[SheetRead], dict[str, dict[tuple[int, int], str]]]:
    """Some sheets of a workbook file, each vetted (scanned) and read, and their error cells: the
    helper process's half (:func:`_file_sheets`)."""
    with gc_paused():
        book = stream_book(path, only=indexes, vetted=vetted)
        return list(read_sheets(book.sheets, book_words(book, extra))), book.cell_errors


def book_vocabulary(book: Book, every_sheet: bool = False) -> Vocabulary:
    """The entries of a book's 字典 sheets (every sheet of a 字典 workbook)."""
    vocab = Vocabulary()
    for grid in (book.dictionary or [*book.sheets]) if every_sheet else book.dictionary:
        vocab.update(read_dictionary(grid))
    return vocab


def read_book(book: Book, display: str | None = None, extra: Vocabulary | None = None) -> Ledger:
    """Build the model from a :class:`Book` of any source."""
    ledger = Ledger(display or book.path)
    for sheet in read_sheets(book.sheets, book_words(book, extra)):
        attach_sheet(ledger, sheet)
    return ledger


def book_words(book: Book, extra: Vocabulary | None = None) -> Vocabulary:
    """The wording a book's cells are read with: the shared dictionary, then ``extra``, then the book's 字典."""
    vocab = Vocabulary()
    vocab.update(shared_vocabulary())
    if extra is not None:
        vocab.update(extra)
    vocab.update(book_vocabulary(book))
    return vocab


@dataclass
class SheetRead:
    """What one sheet gave the reader: a form and its rows (as a :class:`Table`), or settings, and
    its error cells.

    Sheets are read one by one into these and attached to the ledger in sheet order
    (:func:`attach_sheet`), so the sheets of one workbook can be read apart (two processes each
    reading some of them, :mod:`toolkit.read.parallel`) and still make the same model.
    """

    index: int
    form: Form | None = None
    table: Table | None = None
    settings: list[tuple[str, Setting]] = field(default_factory=list)
    error_cells: list[tuple[str, int, int, str]] = field(default_factory=list)
    error_cover: list[tuple[str, int, int]] = field(default_factory=list)

    _rows: list[Row] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def rows(self) -> list[Row]:
        """The form's data rows, made from the table at the first call."""
        if self._rows is None:
            self._rows = self.table.rows(self.form) if self.table is not None and self.form is not None else []
        return self._rows

    def __reduce__(self) -> tuple:
        """Pickled as its table (a few lists per column), never as row objects: pickling tens of
        thousands of rows one by one costs more than reading them."""
        return (SheetRead, (self.index, self.form, self.table, self.settings, self.error_cells, self.error_cover))


def read_sheets(grids: Iterable[Grid], vocab: Vocabulary) -> Iterator[SheetRead]:
    """Read each grid that holds a form (or settings) into a :class:`SheetRead`."""
    titles = _title_keys()
    memos: dict[tuple[str, str], Any] = {}  # per form and column: parse memos shared across sheets
    for grid in grids:
        if grid.name in _OWN_SHEETS:  # written by the toolkit, never a form
            continue
        found = _find_title(grid, titles)
        if found is None:
            settings = _settings_of(grid)
            if settings:
                yield SheetRead(grid.index, settings=settings)
            continue
        sch, r, c = found
        form = Form(sch, grid.name, grid.index, r + 1, c + 1)
        _locate_header(grid, form)
        if sch.form in _REGISTERS and len(form.columns) < REGISTER_MIN_COLUMNS:
            continue  # a one-page printed request or confirmation (label | value pairs), not the register
        yield SheetRead(
            grid.index,
            form,
            _read_table(grid, form, memos, vocab) if form.header_row else None,
            error_cells=[(grid.name, er + 1, ec + 1, v) for (er, ec), v in sorted(grid.errors.items())],
            error_cover=[(grid.name, er + 1, ec + 1) for er, ec in (*grid.errors, *grid.error_cover)],
        )


def attach_sheet(ledger: Ledger, sheet: SheetRead) -> None:
    """Add one sheet's reading to the ledger (sheets in workbook order)."""
    for key, setting in sheet.settings:
        ledger.settings.setdefault(key, setting)
    form = sheet.form
    if form is None:
        return
    ledger.forms.append(form)
    ledger.error_cells.extend(sheet.error_cells)
    ledger.error_cover.update(sheet.error_cover)
    if not form.header_row:
        return
    if _stays_columns(form):
        form.table = sheet.table
        _attach_log(form, ledger)
    else:
        _attach(form, sheet.rows, ledger)


def _stays_columns(form: Form) -> bool:
    """A form whose rows stay the reader's columns until something needs them as objects (a 附件9: model.Log)."""
    return form.form == "附件9"


# --- forms and headers ---------------------------------------------------------------------


def _title_keys() -> list[tuple[str, FormSchema]]:
    keys = [(header_key(s.title), s) for s in all_schemas().values() if s.title]
    return sorted(keys, key=lambda t: -len(t[0]))


def _find_title(grid: Grid, titles: list[tuple[str, FormSchema]]) -> tuple[FormSchema, int, int] | None:
    best: tuple[int, FormSchema, int, int] | None = None
    for r in range(min(TITLE_ROWS, grid.height)):
        for c, v in enumerate(grid.rows[r]):
            if not isinstance(v, str) or not v.strip():
                continue
            hk = header_key(v)
            if len(hk) > 40:  # a sentence, not a title
                continue
            for tk, sch in titles:
                if tk and tk in hk and (best is None or len(tk) > best[0]):
                    best = (len(tk), sch, r, c)
                    break
        if best:
            break
    return (best[1], best[2], best[3]) if best else None


def _column_keys(sch: FormSchema) -> tuple[dict[str, str], dict[str, str]]:
    """Header key → column key, labels first then aliases (a label beats another's alias)."""
    labels: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for col in sch.columns:
        labels.setdefault(header_key(col.label), col.key)
        for al in col.aliases:
            aliases.setdefault(header_key(al), col.key)
    return labels, aliases


def _cell_key(v: object) -> str:
    return header_key(v) if isinstance(v, str) else ""


def _locate_header(grid: Grid, form: Form) -> None:
    sch = form.schema
    labels, aliases = _column_keys(sch)
    tick_parents = {k: c for c in sch.columns if c.ticks for k in c.header_keys}
    start = form.title_row  # 0-based row after the title
    best_r, best_score = -1, 1
    for r in range(start, min(start + HEADER_WINDOW, grid.height)):
        keys = {labels.get(k) or aliases.get(k) for v in grid.rows[r] if (k := _cell_key(v))}
        keys.discard(None)
        if len(keys) > best_score:
            best_r, best_score = r, len(keys)
    if best_r < 0:
        form.missing = sch.required_keys
        return
    sub = best_r + 1 if _is_sub_header(grid, best_r, labels, aliases, tick_parents) else None
    form.header_row = best_r + 1
    form.data_start = (sub if sub is not None else best_r) + 2
    top = grid.rows[best_r]
    low = grid.rows[sub] if sub is not None else []
    width = max(len(top), len(low))
    parents = _parent_keys(top)
    for lookup in (labels, aliases):
        for c in range(width):
            t = _cell_key(top[c]) if c < len(top) else ""
            b = _cell_key(low[c]) if c < len(low) else ""
            parent = tick_parents.get(parents[c]) if c < len(parents) else None
            if parent is not None and b:
                tick = parent.canonical_value(b)
                if tick is not None and tick in parent.ticks:
                    form.ticks.setdefault(parent.key, {})[c + 1] = tick
                    continue
                if sub is not None and b not in labels and b not in aliases:
                    # a sub-column that is no allowed tick (操作类型 | 安装 | 卸载 | 升级): a tick there is S5
                    form.ticks.setdefault(parent.key, {})[c + 1] = clean(low[c])
                    continue
            for cand in (b, t, t + b):
                key = lookup.get(cand) if cand else None
                if key is not None and key not in form.columns and key not in form.ticks:
                    form.columns[key] = c + 1
                    break
    for key, cols in form.ticks.items():  # a tick group wins over a same-named text column
        if form.columns.get(key) in cols:
            del form.columns[key]
    form.missing = tuple(k for k in sch.required_keys if not form.has(k))
    if sch.counts:
        form.labels.update(_pair_labels(grid, form, sch.counts))
    if sch.info:
        form.labels.update(_info_block(grid, form))
    form.fill_date = _fill_date(grid, form)
    form.unit = _unit_name(grid, form)
    form.filler, form.phone = _sign_field(grid, form, "填表人"), _sign_field(grid, form, "联系电话")


def _parent_keys(upper: list) -> list[str]:
    """Header keys of a top header row, a blank cell taking its left neighbour's: a parent such as
    软件类型 is often centred across its tick sub-columns (跨列居中) rather than merged over them."""
    out: list[str] = []
    for v in upper:
        k = _cell_key(v)
        out.append(k or (out[-1] if out else ""))
    return out


def _is_sub_header(grid: Grid, top: int, labels: dict, aliases: dict, tick_parents: dict[str, Column]) -> bool:
    """Row ``top + 1`` is a second header row: two tick labels under one parent, or two column labels."""
    r = top + 1
    if r >= grid.height:
        return False
    upper, lower = grid.rows[top], grid.rows[r]
    parents = _parent_keys(upper)
    ticks: dict[str, set[str]] = {}
    for c, v in enumerate(lower):
        k = _cell_key(v)
        parent = tick_parents.get(parents[c]) if k and c < len(parents) else None
        if parent is not None and parent.canonical_value(k) in parent.ticks:
            ticks.setdefault(parent.key, set()).add(k)
    if any(len(t) >= 2 for t in ticks.values()):
        return True
    return sum(1 for v in lower if (k := _cell_key(v)) and (k in labels or k in aliases)) >= 2


def _right_value(grid: Grid, r: int, c: int, stop_keys: set[str]) -> tuple[object, int] | None:
    row = grid.rows[r]
    for cc in range(c + 1, min(c + 4, len(row))):
        v = row[cc]
        if v is None or v == "" or v == row[c]:
            continue
        if _cell_key(v) in stop_keys:
            return None
        return v, cc
    return None


def _pair_labels(grid: Grid, form: Form, specs) -> dict[str, Labelled]:
    keys = {k: s.key for s in specs for k in s.header_keys}
    out: dict[str, Labelled] = {}
    for r in range(form.title_row, form.header_row - 1):
        row = grid.rows[r]
        for c, v in enumerate(row):
            key = keys.get(_cell_key(v))
            if key is None or (key in out and out[key].raw is not None):
                continue
            found = _right_value(grid, r, c, set(keys))
            if found is None:
                # a row label such as 单位人数 before 总人数 has no number of its own: a later label may
                out.setdefault(key, Labelled(None, None, a1(r + 1, c + 2)))
            else:
                val, cc = found
                out[key] = Labelled(text(val), val, a1(r + 1, cc + 1))
    return out


def _info_block(grid: Grid, form: Form) -> dict[str, Labelled]:
    """附件9 info block: labels in one row and values below (or to the right)."""
    keys = {k: s.key for s in form.schema.info for k in s.header_keys}
    for r in range(form.title_row, form.header_row - 1):
        row = grid.rows[r]
        hits = [(c, keys[k]) for c, v in enumerate(row) if (k := _cell_key(v)) in keys]
        if len({key for _, key in hits}) >= 2 and r + 1 < form.header_row - 1:
            below = grid.rows[r + 1]
            out = {}
            for c, key in hits:
                if key in out:
                    continue
                v = below[c] if c < len(below) else None
                out[key] = Labelled(text(v), v, a1(r + 2, c + 1))
            return out
    return _pair_labels(grid, form, form.schema.info)


_UNIT = re.compile(
    r"单位(?:名称)?\s*(?:[（(]\s*盖章\s*[）)])?\s*[:：]\s*(.*?)(?:\s{2,}|\s*填表人|\s*联系电话|\s*填表日期|$)"
)


def _unit_name(grid: Grid, form: Form) -> str | None:
    """单位名称 from the sign line (in the same cell, or the next cell to the right)."""
    last = (form.header_row - 1) if form.header_row else min(form.title_row + 3, grid.height)
    for r in range(form.title_row - 1, last):
        for c, v in enumerate(grid.rows[r]):
            if not isinstance(v, str) or "单位" not in v:
                continue
            m = _UNIT.search(clean(v))
            if m is None:
                continue
            name = m[1].strip(" ＿_")
            if not name:
                nxt = _right_value(grid, r, c, set())
                name = clean(nxt[0]).strip(" ＿_") if nxt else ""
            if name and "填表" not in name:
                return name
    return None


_SIGN_END = r"(?:\s{2,}|\s*填表人|\s*联系电话|\s*填表日期|$)"
_SIGN_FIELDS = {label: re.compile(label + r"\s*[:：]\s*(.*?)" + _SIGN_END) for label in ("填表人", "联系电话")}


def _sign_field(grid: Grid, form: Form, label: str) -> str | None:
    """填表人 or 联系电话 as written on the sign line, ``None`` when blank (＿＿) or absent."""
    last = (form.header_row - 1) if form.header_row else min(form.title_row + 3, grid.height)
    for r in range(form.title_row - 1, last):
        for v in grid.rows[r]:
            if isinstance(v, str) and label in v:
                m = _SIGN_FIELDS[label].search(clean(v))
                value = m[1].strip(" ＿_") if m else ""
                return value or None
    return None


def _fill_date(grid: Grid, form: Form) -> Labelled | None:
    last = (form.header_row - 1) if form.header_row else min(form.title_row + 3, grid.height)
    for r in range(form.title_row - 1, last):
        row = grid.rows[r]
        for c, v in enumerate(row):
            if not isinstance(v, str) or "填表日期" not in v:
                continue
            after = clean(v).split("填表日期", 1)[1].lstrip(":： ")
            m = _DATE_IN_TEXT.search(after)
            if m:
                return Labelled(m[0], to_date(f"{m[1]}-{m[2]}-{m[3]}"), a1(r + 1, c + 1))
            nxt = _right_value(grid, r, c, set())
            if nxt is not None:
                val, cc = nxt
                return Labelled(text(val), to_date(val), a1(r + 1, cc + 1))
            return Labelled(None, None, a1(r + 1, c + 1))
    return None


# --- rows ----------------------------------------------------------------------------------

Parser = Callable[[object], tuple[str | None, object]]


def _parser(col: Column) -> Parser:
    typ = col.type
    allow = set(col.allow_text)

    def parse_with(fn: Callable[[object], object]) -> Parser:
        def parse(v: object) -> tuple[str | None, object]:
            t = text(v)
            if t is None or t in allow:
                return t, None
            return t, fn(v)

        return parse

    if typ == "int":
        return parse_with(to_int)
    if typ == "amount":
        return parse_with(lambda v: n if (n := to_number(v)) is not None and n >= 0 else None)
    if typ == "date":
        return parse_with(to_partial_date if col.partial_date else to_date)
    if typ == "term":
        return parse_with(to_term)
    if typ in ("enum", "ticks"):
        return parse_with(lambda v: col.canonical_value(clean(v)))
    return _parse_text


def _with_vocabulary(parse: Parser, words: dict[str, str]) -> Parser:
    """``parse`` after the unit's wording: a local word reads as its standard value, or as blank."""
    if not words:
        return parse

    def local(v: object) -> tuple[str | None, object]:
        t = text(v)
        std = words.get(norm_key(t)) if t is not None else None
        if std is None:
            return parse(v)
        return parse(std) if std else _BLANK_PAIR

    return local


def _parse_text(v: object) -> tuple[str | None, object]:
    t = text(v)
    return t, t


Memo = tuple[dict[object, str | None], dict[object, object]]
_BLANK_PAIR: tuple[str | None, object] = (None, None)
_MARKER_STARTS = frozenset(w[0] for w in (*_TOTAL_WORDS, *_NOTE_PREFIXES))


def _parsed_column(column, parse: Parser, memo: Memo) -> tuple[list[str | None], list[object]]:
    """Parse a column once per distinct value (ledgers repeat names, dates and numbers a lot).

    ``memo`` is a pair of dicts (text, value) shared by every sheet of one form and column.
    """
    raw_memo, val_memo = memo
    try:
        for v in set(column).difference(raw_memo):
            raw_memo[v], val_memo[v] = _BLANK_PAIR if v is None or v == "" else parse(v)
        raws = list(map(raw_memo.__getitem__, column))
        if parse is _parse_text:  # a text column's value is its text: share the list
            return raws, raws  # type: ignore[return-value]  # read-only from here on
        return raws, list(map(val_memo.__getitem__, column))
    except TypeError:  # an unhashable value from an exotic source: parse cell by cell
        pairs = [_BLANK_PAIR if v is None or v == "" else parse(v) for v in column]
        return list(map(_first, pairs)), list(map(_second, pairs))


_first, _second = itemgetter(0), itemgetter(1)


def _label_text(v: object) -> str | None:
    """A row label's text: numbers are just numbering, only words (合计, 注：…) matter."""
    return text(v) if isinstance(v, str) else None


def _label_column(column: list) -> list[str | None]:
    """:func:`_label_text` of each cell; a 序号 column is mostly numbers, so only its distinct words are read."""
    try:
        words = {v: _label_text(v) for v in set(column) if isinstance(v, str)}
        return list(map(words.get, column))
    except TypeError:  # an unhashable value from an exotic source
        return [_label_text(v) for v in column]


def _columns(body: list[list], indexes: list[int]) -> list[list]:
    """The cells of the given 0-based columns, one list per column, short rows padded."""
    if not indexes or not body:
        return [[] for _ in indexes]
    need = max(indexes) + 1
    if min(map(len, body)) < need:
        body = [row if len(row) >= need else [*row, *([None] * (need - len(row)))] for row in body]
    return [list(map(itemgetter(i), body)) for i in indexes]


def _read_table(
    grid: Grid,
    form: Form,
    memos: dict[tuple[str, str], Any] | None = None,
    vocab: Vocabulary | None = None,
) -> Table:
    """Read the form's data rows column by column."""
    sch = form.schema
    cls = _ROW_CLASS.get(sch.form, Row)
    memos = {} if memos is None else memos
    body = grid.rows[form.data_start - 1 :]
    n = len(body)
    keys = list(form.columns)
    raw_cols: list[list[str | None]] = []
    val_keys: list[str] = []  # typed columns only: a text column's value is its text (model.Row)
    val_cols: list[list[object]] = []
    presence: list[list] = []  # the columns that make a row a data row: all but row labels, ticked groups
    for key, column in zip(keys, _columns(body, [form.columns[k] - 1 for k in keys]), strict=True):
        col = sch.column(key)
        if col.type == "label":  # a row label (序号): read, never counted as data
            raw_cols.append(_label_column(column))
            continue
        parse = _with_vocabulary(_parser(col), vocab.for_column(col)) if vocab else _parser(col)
        raw_col, val_col = _parsed_column(column, parse, memos.setdefault((sch.form, key), ({}, {})))
        raw_cols.append(raw_col)
        presence.append(raw_col)
        if col.typed:
            val_keys.append(key)
            val_cols.append(val_col)
    all_keys = list(keys)
    for key, cols in form.ticks.items():
        shown_col, val_col = _tick_group(body, sch.column(key), cols, memos.setdefault((sch.form, "tick:" + key), {}))
        presence.append(shown_col)
        # no tick, but maybe a word written in a tick cell ("升级"): keep it for the S5 message
        all_keys.append(key)
        raw_cols.append(
            _with_tick_words(body, cols, shown_col, memos.setdefault((sch.form, "ticktext:" + key), ({}, {})))
        )
        val_keys.append(key)
        val_cols.append(val_col)
    keep = _data_rows(raw_cols, presence, keys, form, n)
    keep = _drop_notes(grid, form, raw_cols, presence, keep, n)
    if keep is not None:
        raw_cols = [list(compress(c, keep)) for c in raw_cols]
        val_cols = [list(compress(c, keep)) for c in val_cols]
        rownums = list(compress(range(form.data_start, form.data_start + n), keep))
    else:
        rownums = list(range(form.data_start, form.data_start + n))
    return Table(cls, rownums, tuple(all_keys), raw_cols, tuple(val_keys), val_cols)


def _tick_group(
    body: list[list], col: Column, cols: dict[int, str], flags_memo: dict[str, dict[object, bool]]
) -> tuple[list, list]:
    """A tick group's columns read as one value per row: the ticked labels (``安装+卸载``), the value."""
    ordered = sorted(cols.items())
    flag_cols = []
    for (_, label), column in zip(ordered, _columns(body, [c - 1 for c, _ in ordered]), strict=True):
        # a tick, or the column's own word written out (安装 under 安装): one memo per sub-column
        memo = flags_memo.setdefault(label, {})

        def is_on(v: object, label: str = label) -> bool:
            return is_tick(v) or (isinstance(v, str) and col.canonical_value(clean(v)) == label)

        try:
            for v in set(column).difference(memo):
                memo[v] = is_on(v)
            flag_cols.append(list(map(memo.__getitem__, column)))
        except TypeError:  # an unhashable value from an exotic source
            flag_cols.append([is_on(v) for v in column])
    labels = [t for _, t in ordered]
    allowed = set(col.ticks)
    combos: dict[tuple[bool, ...], tuple[str | None, object]] = {}
    flag_rows = list(zip(*flag_cols, strict=True))
    for combo in set(flag_rows):
        ticked = [t for on, t in zip(combo, labels, strict=True) if on]
        combos[combo] = ("+".join(ticked) or None, ticked[0] if len(ticked) == 1 and ticked[0] in allowed else None)
    pairs = list(map(combos.__getitem__, flag_rows))
    return list(map(_first, pairs)), list(map(_second, pairs))


def _with_tick_words(body: list[list], cols: dict[int, str], shown: list, memo: Memo) -> list:
    """The shown tick labels, or where nothing is ticked the words written in the tick cells."""
    if None not in shown:
        return shown
    texts = [_parsed_column(c, _parse_text, memo)[0] for c in _columns(body, [c - 1 for c in sorted(cols)])]
    return [
        s if s is not None else ("+".join(tx for tx in words if tx is not None) or None)
        for s, words in zip(shown, zip(*texts, strict=True) if texts else repeat(()))  # noqa: B905
    ]


def _data_rows(raw_cols: list[list], presence: list[list], keys: list[str], form: Form, n: int) -> list[bool] | None:
    """Which body rows are data: some cell filled, and not a 合计 row or a note; ``None`` for all of them."""
    if not presence:
        return [False] * n
    blank = (None,) * len(presence)
    keep = list(map(ne, zip(*presence, strict=True), repeat(blank)))
    marker_idx = [keys.index(k) for k, _ in sorted(form.columns.items(), key=lambda kv: kv[1])[:3]]
    if "seq" in form.columns and keys.index("seq") not in marker_idx:
        marker_idx.append(keys.index("seq"))
    for j in marker_idx:  # markers are rare: look at each column's distinct texts first
        col = raw_cols[j]
        starts = {t for t in set(col) if t and t[0] in _MARKER_STARTS}
        if not starts:
            continue
        for i, t in enumerate(col):
            if t in starts and keep[i]:
                filled = sum(c[i] is not None for c in presence)
                keep[i] = not _is_total_or_note([c[i] for c in raw_cols], marker_idx, filled)
    return None if all(keep) else keep


TAIL_ROWS = 30  # notes and sign-off lines sit below the table: only its last rows are searched
_SIGN_OFF = re.compile(
    r"^(?:单位(?:名称)?\s*(?:[（(]\s*盖章\s*[）)])?|(?:单位|主要|分管|主管)?(?:负责人|领导)(?:签字)?|审核人?|审批人?"
    r"|填表人|填报人|制表人?|经办人|联系人|联系电话|填表日期|填报日期|签字|盖章)\s*[:：]"
)
_SIGN_LABEL = re.compile(
    r"(?:负责人|领导|审核人?|审批人?|填表人|填报人|制表人?|经办人|联系人|联系电话|填表日期|填报日期|签字|盖章)\s*[:：]"
)
_NOTE = re.compile(r"^(?:注|说明|填表说明|备注)\s*[\d一二三四五六七八九十]*\s*[:：.、]")


def _drop_notes(
    grid: Grid, form: Form, raw_cols: list[list], presence: list[list], keep: list[bool] | None, n: int
) -> list[bool] | None:
    """``keep`` without the note and sign-off lines (merged or not) below the table.

    A body row under a merge spanning three or more of the form's columns is a line of text (a
    note written across the table), never a data row. Among the last rows, the first one with a
    sign-off cell (单位负责人：… 审核人：… 填表人：…) or a note (注：…, alone on its row) ends the
    table: it and every row below it are not data.
    """
    if n == 0:
        return keep
    out = keep
    first = form.data_start - 1
    mapped = sorted({*form.columns.values(), *(c for cols in form.ticks.values() for c in cols)})
    for r1, c1, r2, c2 in grid.merges:
        if r2 < first or c2 - c1 < 2 or sum(c1 + 1 <= c <= c2 + 1 for c in mapped) < 3:
            continue
        out = [True] * n if out is None else out
        for i in range(max(r1, first) - first, min(r2 - first + 1, n)):
            out[i] = False
    kept = _last_kept(out, n)
    ending = {i for c in raw_cols for i in kept if isinstance(t := c[i], str) and _may_end(t)}
    for i in kept:
        if i not in ending:  # no cell that could open a sign-off or a note: a data row
            continue
        texts = [c[i] for c in raw_cols if isinstance(c[i], str)]
        filled = set(c[i] for c in presence if c[i] is not None)
        signs = [t for t in texts if _SIGN_OFF.match(t)]
        # a sign-off row: two sign-off labels (in two cells or one), or one alone on its row; a data
        # row whose 备注 says 联系人：… is data
        sign_off = (
            len(signs) >= 2 or any(len(_SIGN_LABEL.findall(t)) >= 2 for t in signs) or (signs and len(filled) <= 1)
        )
        if sign_off or any(_NOTE.match(t) and len(filled) <= 1 for t in texts):
            out = [True] * n if out is None else out
            out[i:] = [False] * (n - i)
            break
    return out


def _last_kept(keep: list[bool] | None, n: int) -> list[int]:
    """The last :data:`TAIL_ROWS` body rows still kept, in order."""
    if keep is None:
        return list(range(max(n - TAIL_ROWS, 0), n))
    out: list[int] = []
    for i in range(n - 1, -1, -1):
        if keep[i]:
            out.append(i)
            if len(out) == TAIL_ROWS:
                break
    return out[::-1]


@lru_cache(maxsize=65536)
def _may_end(t: str) -> bool:
    """A cell text that could make its row a sign-off line or a note (ledgers repeat their texts)."""
    return _SIGN_OFF.match(t) is not None or _NOTE.match(t) is not None


def _is_total_or_note(raw: list, marker_idx: list[int], filled: int) -> bool:
    """A 合计/总计/小计 row, or a lone note (注：…, 说明：…) below the table."""
    for j in marker_idx:
        t = raw[j]
        if isinstance(t, str):
            t = t.replace(" ", "")
            if t.startswith(_TOTAL_WORDS):
                return True
            if filled == 1 and _NOTE.match(t):
                return True
    return False


def _attach(form: Form, rows: list[Row], ledger: Ledger) -> None:
    name = form.form
    if name == "附件6":
        ledger.whitelist.extend(rows)  # type: ignore[arg-type]
    elif name == "附件7":
        ledger.summary.extend(rows)  # type: ignore[arg-type]
    elif name == "附件8":
        ledger.details.extend(rows)  # type: ignore[arg-type]
    elif name == "计算机清单":
        ledger.computers.extend(rows)  # type: ignore[arg-type]
    elif name in _REGISTERS:
        getattr(ledger, _REGISTERS[name]).extend(rows)


def _attach_log(form: Form, ledger: Ledger) -> None:
    """A 附件9 sheet's log, or (a combined log: a 软件编号 column, none in the info block) one log per number."""
    info_no = form.labels.get("software_no")
    if form.has("software_no") and (info_no is None or info_no.raw is None):
        numbers = form.table.column("software_no") if form.table is not None else None
        by_no: dict[str | None, list[int]] = {}
        for i, no in enumerate(numbers or ()):
            by_no.setdefault(no, []).append(i)
        for no, picks in by_no.items():
            ledger.logs.append(Log(form, no, combined=True, picks=picks))
        if not by_no:
            ledger.logs.append(Log(form, None, [], combined=True))
    else:
        ledger.logs.append(Log(form, info_no.raw if info_no else None))


# --- the unit's settings -------------------------------------------------------------------


def _settings_of(grid: Grid) -> list[tuple[str, Setting]]:
    """A 设置 sheet: a header 设置项 | 值 in its first rows (or, on a sheet named 设置, columns A and B)."""
    names, values = ({header_key(h) for h in hs} for hs in _SETTING_HEADERS)
    start, key_col, val_col = -1, 0, 1
    for r in range(min(HEADER_WINDOW, grid.height)):
        keys = [_cell_key(v) for v in grid.rows[r]]
        k = next((c for c, t in enumerate(keys) if t in names), None)
        v = next((c for c, t in enumerate(keys) if t in values), None)
        if k is not None and v is not None:
            start, key_col, val_col = r + 1, k, v
            break
    if start < 0:
        if header_key(grid.name) != header_key(SETTINGS_SHEET):
            return []
        start = 0
    out: list[tuple[str, Setting]] = []
    for r in range(start, grid.height):
        row = grid.rows[r]
        key = text(row[key_col]) if key_col < len(row) else None
        if key is None or key.startswith(_NOTE_PREFIXES):
            continue
        value = text(row[val_col]) if val_col < len(row) else None
        out.append((key, Setting(value, grid.name, a1(r + 1, val_col + 1))))
    return out


def read_settings_file(path: Path) -> dict[str, Setting]:
    """``设置.toml`` beside a ledger: one ``设置项 = 值`` a line (quotes optional, ``#`` starts a comment line).

    TOML proper needs quotes around a Chinese key; people write it bare, so the lines are read as
    simple pairs. Nothing when the file is absent; one entry keyed by the file's name (holding the
    reason) when it cannot be read.
    """
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:  # reported by the settings rule (S6)
        return {SETTINGS_FILE: Setting(str(exc), path.name, None)}
    out: dict[str, Setting] = {}
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        key, value = key.strip().strip("\"'"), value.strip().strip("\"'")
        if not sep or not key:
            return {SETTINGS_FILE: Setting(f"第 {n} 行“{line}”不是“设置项 = 值”", path.name, None)}
        out.setdefault(key, Setting(value or None, path.name, None))
    return out
