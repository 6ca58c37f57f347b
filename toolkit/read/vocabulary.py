"""Local wording of closed-list values: what a unit writes → the value the guide's forms allow.

Two sources, in this order of precedence: the unit's own ``字典`` (a sheet of that name in the
ledger, or a workbook ``字典.xlsx`` beside it) and the table every unit shares
(``schemas/用语对照.toml``). A ``字典`` has a header row with 本单位用语 and 标准用语, and may
name the column an entry applies to (适用列, by its header text or an alias); an entry without a
column applies to every closed-list column whose allowed values hold its standard value. A blank
standard value (or ``--``, 不适用) means "not applicable": the cell reads as blank.

The reader looks every cell of a column up in :meth:`Vocabulary.for_column` before parsing it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from toolkit.normalize import header_key, norm_key, text
from toolkit.schemas import Column, schema_dir

if TYPE_CHECKING:
    from toolkit.read.grid import Grid

SHARED_FILE = "用语对照.toml"
DICTIONARY_NAME = "字典"  # the sheet (or file stem) users fill in
_LOCAL = ("本单位用语", "本单位写法", "本单位", "原用语", "台账中的写法")
_STANDARD = ("标准用语", "标准写法", "标准值", "规范用语")
_COLUMN = ("适用列", "列名", "适用于", "表头", "列")
_HEADER_ROWS = 10


@dataclass
class Vocabulary:
    """Mappings by column header key (``header_key``) and mappings for any column."""

    by_column: dict[str, dict[str, str]] = field(default_factory=dict)
    anywhere: dict[str, str] = field(default_factory=dict)

    def add(self, local: str, standard: str, column: str | None = None) -> None:
        target = self.by_column.setdefault(header_key(column), {}) if column else self.anywhere
        target[norm_key(local)] = standard

    def update(self, other: Vocabulary) -> None:
        """Entries of ``other`` win over ours (a unit's 字典 over the shared table)."""
        for key, table in other.by_column.items():
            self.by_column.setdefault(key, {}).update(table)
        self.anywhere.update(other.anywhere)

    def for_column(self, col: Column) -> dict[str, str]:
        """``norm_key(local) → standard`` for one column (empty when nothing applies)."""
        out: dict[str, str] = {}
        allowed = set(col.allowed)
        if allowed:
            out.update({k: v for k, v in self.anywhere.items() if v in allowed})
        for key in reversed(col.header_keys):  # the label's own entries win over an alias's
            out.update(self.by_column.get(key, {}))
        return out

    def __bool__(self) -> bool:
        return bool(self.by_column or self.anywhere)


@cache
def shared_vocabulary() -> Vocabulary:
    """The table in ``schemas/用语对照.toml``."""
    path = schema_dir() / SHARED_FILE
    vocab = Vocabulary()
    if not path.is_file():
        return vocab
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    for column, table in raw.items():
        if isinstance(table, dict):
            for local, standard in table.items():
                vocab.add(local, str(standard), column)
    return vocab


def is_dictionary_sheet(name: str) -> bool:
    """True for a sheet the unit keeps its wording in (``字典``, ``用语字典`` …)."""
    return DICTIONARY_NAME in header_key(name)


def read_dictionary(grid: Grid) -> Vocabulary:
    """The entries of a ``字典`` sheet; a sheet without the two header words gives none."""
    vocab = Vocabulary()
    found = _header(grid)
    if found is None:
        return vocab
    r, c_local, c_std, c_col = found
    for row in grid.rows[r + 1 :]:
        local = text(row[c_local]) if c_local < len(row) else None
        if local is None:
            continue
        std = text(row[c_std]) if c_std < len(row) else None
        column = text(row[c_col]) if c_col is not None and c_col < len(row) else None
        if std is None and column is None:
            continue  # "not applicable" in every column at once is too broad to be meant
        vocab.add(local, std or "", column)
    return vocab


def _header(grid: Grid) -> tuple[int, int, int, int | None] | None:
    keys = {header_key(w): "local" for w in _LOCAL}
    keys.update({header_key(w): "standard" for w in _STANDARD})
    keys.update({header_key(w): "column" for w in _COLUMN})
    for r in range(min(_HEADER_ROWS, grid.height)):
        where: dict[str, int] = {}
        for c, v in enumerate(grid.rows[r]):
            role = keys.get(header_key(v)) if isinstance(v, str) else None
            if role is not None:
                where.setdefault(role, c)
        if "local" in where and "standard" in where:
            return r, where["local"], where["standard"], where.get("column")
    return None
