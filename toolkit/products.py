"""The product dictionary (``schemas/products.toml``): a software name's category, family and edition.

One dictionary serves 附件5 (a missing 软件类别 is guessed from the name) and the licence rules
(Windows 家庭版, Office 家庭和学生版 … are recognised by family and edition words). A scan's alias
table normalises a scanned name to a 软件名称 first and then asks :func:`edition_of` the same way.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache

from toolkit.normalize import norm_key
from toolkit.schemas import schema_dir


def matches(pattern: str, key: str) -> bool:
    """``pattern`` (normalised) occurs in ``key``; a Latin pattern only as a whole word ("git" not in "digital")."""
    if not pattern.isascii():
        return pattern in key
    return re.search(rf"(?<![a-z]){re.escape(pattern)}(?![a-z])", key) is not None


@dataclass(frozen=True)
class Edition:
    """An edition of a product family (``家庭版`` of ``Windows``); ``consumer`` when not for office use."""

    family: str
    edition: str
    consumer: bool

    @property
    def label(self) -> str:
        return f"{self.family} {self.edition}"


@dataclass(frozen=True)
class _Family:
    family: str
    patterns: tuple[str, ...]
    exclude: tuple[str, ...]


@dataclass(frozen=True)
class _EditionRule:
    edition: Edition
    words: tuple[str, ...]
    exact: frozenset[str]


@dataclass(frozen=True)
class ProductDictionary:
    """Patterns of product names per 软件类别, and the families and editions of ``schemas/products.toml``."""

    entries: tuple[tuple[str, str], ...]  # (normalised pattern, category), longest pattern first
    other: str = "其他"
    families: tuple[_Family, ...] = ()
    editions: tuple[_EditionRule, ...] = ()

    def guess(self, name: str | None) -> str:
        """The category a product name suggests; ``other`` when nothing matches."""
        if not name:
            return self.other
        key = norm_key(name)
        for pattern, category in self.entries:
            if matches(pattern, key):
                return category
        return self.other

    def families_of(self, name: str | None) -> tuple[str, ...]:
        """The product families a name belongs to (``Windows``, ``Office`` …), none when unknown."""
        if not name:
            return ()
        key = norm_key(name)
        return tuple(
            f.family
            for f in self.families
            if any(matches(p, key) for p in f.patterns) and not any(matches(x, key) for x in f.exclude)
        )

    def edition_of(self, name: str | None) -> Edition | None:
        """The edition a name names (first rule that matches), ``None`` when the name carries none we know."""
        if not name:
            return None
        key = norm_key(name)
        fams = self.families_of(name)
        for rule in self.editions:
            if key in rule.exact or (rule.edition.family in fams and any(matches(w, key) for w in rule.words)):
                return rule.edition
        return None


@cache
def product_dictionary() -> ProductDictionary:
    """The dictionary of ``schemas/products.toml``."""
    with (schema_dir() / "products.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    entries = [(norm_key(p), prod["category"]) for prod in raw.get("products", ()) for p in prod.get("patterns", ())]
    entries.sort(key=lambda e: -len(e[0]))
    families = tuple(
        _Family(f["family"], tuple(map(norm_key, f["patterns"])), tuple(map(norm_key, f.get("exclude", ()))))
        for f in raw.get("families", ())
    )
    editions = tuple(
        _EditionRule(
            Edition(e["family"], e["edition"], bool(e.get("consumer", False))),
            tuple(map(norm_key, e.get("words", ()))),
            frozenset(map(norm_key, e.get("exact", ()))),
        )
        for e in raw.get("editions", ())
    )
    return ProductDictionary(tuple(entries), raw.get("other", "其他"), families, editions)


@lru_cache(maxsize=4096)
def edition_of(name: str | None) -> Edition | None:
    """:meth:`ProductDictionary.edition_of` of the shipped dictionary."""
    return product_dictionary().edition_of(name)


@lru_cache(maxsize=4096)
def families_of(name: str | None) -> tuple[str, ...]:
    """:meth:`ProductDictionary.families_of` of the shipped dictionary."""
    return product_dictionary().families_of(name)
