"""The import dictionary (``schemas/导入.toml``): header aliases of every field and the words of its cells."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from toolkit.errors import MappingError
from toolkit.normalize import clean, header_key
from toolkit.schemas import schema_dir

COMPUTER, SOFTWARE, ROW = "computer", "software", "row"


@dataclass(frozen=True)
class Field:
    """One thing an import can find in a column: its key, label, the level it describes, its aliases."""

    key: str
    label: str
    level: str
    aliases: tuple[str, ...] = ()

    @property
    def header_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(header_key(t) for t in (self.label, *self.aliases)))


@dataclass(frozen=True)
class Dictionary:
    """The whole import dictionary."""

    fields: tuple[Field, ...]
    whitelist_titles: tuple[str, ...]
    genuine: dict[str, frozenset[str]]  # yes / no / free -> cell words (casefolded)
    ticks: dict[str, frozenset[str]]  # yes / no
    sw_type_words: dict[str, str]  # cell word (casefolded) -> 软件类型
    defaults: dict[str, str]

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)

    @property
    def by_header(self) -> dict[str, str]:
        """Header key → field key, labels before aliases."""
        out: dict[str, str] = {}
        for f in self.fields:
            out.setdefault(header_key(f.label), f.key)
        for f in self.fields:
            for a in f.aliases:
                out.setdefault(header_key(a), f.key)
        return out

    def resolve(self, name: str) -> str | None:
        """A field key from what a user typed after ``=`` in ``--map`` (key, label or alias)."""
        name = name.strip()
        for f in self.fields:
            if name == f.key:
                return f.key
        return self.by_header.get(header_key(name))

    def genuine_of(self, value: object) -> str | None:
        """``yes``, ``no`` or ``free`` for a 是否正版 cell, ``None`` when blank or not understood."""
        word = word_key(value)
        return next((k for k, words in self.genuine.items() if word and word in words), None)

    def tick_of(self, value: object) -> str | None:
        """For a tick cell: ``yes`` (installed), ``no``, or a genuine word's kind; ``None`` for blank or other text."""
        word = word_key(value)
        if not word:
            return None
        if word in self.ticks["yes"]:
            return "yes"
        if word in self.ticks["no"]:
            return "no"
        kind = self.genuine_of(value)
        return {"yes": "genuine", "no": "pirated", "free": "free"}.get(kind or "")


def word_key(value: object) -> str:
    """A cell's text for word lookups: cleaned, no inner spaces, case-folded."""
    return clean(value).replace(" ", "").casefold()


@cache
def dictionary() -> Dictionary:
    """The import dictionary, read once."""
    with (schema_dir() / "导入.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    fields = tuple(Field(f["key"], f["label"], f["level"], tuple(f.get("aliases", ()))) for f in raw["fields"])
    sw_words = {word_key(w): sw_type for sw_type, words in raw["sw_type_words"].items() for w in words}
    return Dictionary(
        fields=fields,
        whitelist_titles=tuple(raw["whitelist"]["titles"]),
        genuine={k: frozenset(word_key(w) for w in v) for k, v in raw["genuine"].items()},
        ticks={k: frozenset(word_key(w) for w in v) for k, v in raw["ticks"].items()},
        sw_type_words=sw_words,
        defaults=dict(raw["defaults"]),
    )


def parse_maps(items: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``--map 表头=字段`` items as header key → field key; :class:`MappingError` for a bad item."""
    d = dictionary()
    out: dict[str, str] = {}
    for item in items:
        head, sep, name = item.partition("=")
        if not sep or not head.strip() or not name.strip():
            raise MappingError(f"“{item}”应写成 表头=字段，例如 --map 电脑编号=计算机编号。")
        key = d.resolve(name)
        if key is None:
            known = "、".join(f.label for f in d.fields if f.level != ROW)
            raise MappingError(f"“{item}”中的字段“{name.strip()}”无法识别。可用的字段：{known}。")
        out[header_key(head)] = key
    return out
