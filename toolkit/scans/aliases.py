"""The 别名表: an ordered, first-match table from raw software names to products.

The seed lives in ``schemas/别名表.toml``; a unit's own ``别名表`` sheet in its ledger is put
before it, so the unit extends or overrides the seed. The noise filter (system components,
patches, package states) runs before any row. :meth:`AliasTable.identify` is a pure function of
the table and the entry's fields, memoised: a reconcile re-runs it on every scan, so a change to
the table applies to every file at once (the GLPI "dictionary only applies on recalculate"
trap, docs/软件采集与核对.md).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from toolkit.cellref import a1
from toolkit.errors import AliasError
from toolkit.model import COMMERCIAL, FREE, OEM
from toolkit.normalize import header_key, norm_key
from toolkit.schemas import schema_dir

IGNORE = "忽略"
KINDS = (COMMERCIAL, OEM, FREE, IGNORE)
_KIND_ALIASES = {"商业": COMMERCIAL, "oem": OEM, "随机预装软件": OEM, "免费": FREE, "噪声": IGNORE, "ignore": IGNORE}
_YES = frozenset({"是", "√", "✓", "y", "yes", "1", "true", "个人版", "家庭版"})

# what a generic clean-up strips from a name the table does not know (bitness, locale, edition words)
_NOISE_PARTS = re.compile(
    r"\((?:x64|x86|64[- ]?bit|32[- ]?bit|64位|32位|x64 edition|amd64|arm64|[a-z]{2}(?:-[a-z]{2})?|x64 [a-z]{2"
    r"}(?:-[a-z]{2})?)\)"
    r"|\s-\s(?:[a-z]{2}-[a-z]{2}(?:\.proof)?|简体中文.*|chinese.*)$"
    r"|\s(?:v?\d+(?:\.\d+)+[\w.-]*)(?=\s|$)|正式版|\s(?:x64|x86|64-bit|32-bit)$",
    re.IGNORECASE,
)


def fold(text: str) -> str:
    """The form a name or publisher is matched in: NFKC (full-width to half-width), case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def clean_name(name: str) -> str:
    """A display name without bitness, locale and version noise: ``7-Zip 23.01 (x64)`` → ``7-Zip``."""
    text = " ".join(unicodedata.normalize("NFKC", name).split())
    prev = None
    while prev != text:
        prev = text
        text = " ".join(_NOISE_PARTS.sub(" ", text).split()).strip(" -")
    return text or " ".join(name.split())


@dataclass(frozen=True)
class Identity:
    """What a raw name stands for. ``known`` is False when no row of the table matched."""

    product: str
    edition: str = ""
    version: str = ""
    category: str = ""
    kind: str | None = None
    consumer: bool = False
    known: bool = True
    origin: str = ""

    @property
    def key(self) -> str:
        """The comparison key of the product ("is it registered" compares products only)."""
        return norm_key(self.product)

    @property
    def label(self) -> str:
        """``Microsoft Office 专业增强版 2016``: product, edition and version for a person."""
        return " ".join(p for p in (self.product, self.edition, self.version) if p)


@dataclass(frozen=True)
class AliasRow:
    """One row of the table: what it matches and what it gives."""

    product: str
    kind: str
    name: re.Pattern[str] | None = None
    publisher: re.Pattern[str] | None = None
    key: re.Pattern[str] | None = None
    source: frozenset[str] | None = None
    scope: str | None = None
    edition: str = ""
    version: str = ""
    category: str = ""
    consumer: bool = False
    origin: str = ""

    def match(self, name: str, publisher: str, key: str, source: str, scope: str) -> re.Match[str] | bool:
        """The name match (for its version group), True when only other fields matched, False otherwise."""
        if self.source is not None and source not in self.source:
            return False
        if self.scope is not None and scope != self.scope:
            return False
        if self.key is not None and not self.key.fullmatch(key):
            return False
        if self.publisher is not None and not self.publisher.search(publisher):
            return False
        if self.name is not None:
            return self.name.search(name) or False
        return self.key is not None or self.source is not None or self.publisher is not None


@dataclass(frozen=True)
class Noise:
    """The structural noise filter run before any row."""

    system_component: bool = True
    parent_key: bool = True
    release_types: frozenset[str] = frozenset()
    installed_status: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()

    def drops(self, parent: str, release_type: str, system_component: str, status: str, scope: str) -> bool:
        if self.system_component and system_component.strip() in ("1", "true", "True"):
            return True
        if self.parent_key and parent.strip():
            return True
        if release_type and fold(release_type) in self.release_types:
            return True
        if status and self.installed_status and fold(status) not in self.installed_status:
            return True
        return bool(scope) and scope in self.scopes


def _compile(pattern: str | None, where: str, *, anchored: bool = False) -> re.Pattern[str] | None:
    if not pattern:
        return None
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise AliasError(f"{where}：正则表达式“{pattern}”有误（{exc.msg}）。请改正后重试。") from exc


def _kind(value: str, where: str) -> str:
    v = value.strip()
    kind = _KIND_ALIASES.get(v.casefold(), v)
    if kind not in KINDS:
        raise AliasError(f"{where}：软件类型“{value}”应为 商业软件、OEM软件、免费软件 或 忽略。")
    return kind


def row_from_dict(raw: dict, where: str, *, literal: bool = False) -> AliasRow:
    """One row from the TOML seed (patterns are regular expressions) or a sheet (``literal``: plain text, ``*``
    wildcard)."""

    def pattern(field: str) -> re.Pattern[str] | None:
        value = raw.get(field)
        if not value:
            return None
        text = str(value)
        if literal and not text.startswith("re:"):
            text = ".*".join(re.escape(fold(part)) for part in text.split("*"))
            if field == "key":
                text = text or ".*"
        elif text.startswith("re:"):
            text = text[3:]
        return _compile(text, where)

    product = str(raw.get("product") or "").strip()
    if not product:
        raise AliasError(f"{where}：没有填写产品名称。")
    if not any(raw.get(f) for f in ("name", "publisher", "key", "source")):
        raise AliasError(f"{where}：名称、发布者、键名至少要填一项。")
    source = raw.get("source")
    consumer = raw.get("consumer", False)
    return AliasRow(
        product=product,
        kind=_kind(str(raw["kind"]), where) if raw.get("kind") else "",
        name=pattern("name"),
        publisher=pattern("publisher"),
        key=pattern("key"),
        source=frozenset(source if isinstance(source, list) else [source]) if source else None,
        scope=raw.get("scope") or None,
        edition=str(raw.get("edition") or "").strip(),
        version=str(raw.get("version") or "").strip(),
        category=str(raw.get("category") or "").strip(),
        consumer=consumer if isinstance(consumer, bool) else fold(str(consumer)) in _YES,
        origin=where,
    )


class AliasTable:
    """The ordered rows (a unit's first, then the seed) and the noise filter."""

    def __init__(self, rows: Sequence[AliasRow], noise: Noise) -> None:
        self.rows = tuple(rows)
        self.noise = noise
        self.identify = lru_cache(maxsize=None)(self._identify)

    def with_rows_first(self, rows: Sequence[AliasRow]) -> AliasTable:
        """A table whose first rows are ``rows`` (a unit's 别名表 sheet)."""
        return AliasTable([*rows, *self.rows], self.noise) if rows else self

    def _identify(
        self,
        name: str,
        publisher: str = "",
        key: str = "",
        source: str = "",
        scope: str = "",
        parent: str = "",
        release_type: str = "",
        system_component: str = "",
        status: str = "",
    ) -> Identity | None:
        """The identity of one scanned (or registered) software; ``None`` when it is noise."""
        if self.noise.drops(parent, release_type, system_component, status, scope):
            return None
        folded, pub, k = fold(name), fold(publisher), key.strip().casefold()
        for row in self.rows:
            m = row.match(folded, pub, k, source, scope)
            if m is False:
                continue
            if row.kind == IGNORE:
                return None
            version = row.version
            if not version:
                version = _group(m) or (_group(row.key.fullmatch(k)) if row.key is not None else "")
                version = version or _year(folded)
            return Identity(
                row.product, row.edition, version, row.category, row.kind or None, row.consumer, True, row.origin
            )
        return Identity(clean_name(name), known=False)

    def identify_ledger(self, name: str, version: str | None) -> Identity:
        """A 附件7/附件6/附件8 name through the same table (its 软件版本 appended for year patterns)."""
        full = f"{name} {version}" if version and version not in name else name
        ident = self.identify(full) or self.identify(name)
        if ident is not None and not ident.known:  # an operating system's name, as its scan row would give it
            ident = self.identify(full, source="os") or ident
        if ident is None:  # a registered name the noise rows would drop: keep it as written
            return Identity(clean_name(name), known=False)
        if not ident.known:
            return Identity(clean_name(name), version=version or "", known=False)
        return ident


_YEAR = re.compile(r"(?<![\d.-])((?:19|20)\d{2})(?![\d.-])")


def _year(name: str) -> str:
    """A release year standing alone in a name (``Office 专业增强版 2016``), the usual version of desktop suites."""
    m = _YEAR.search(name)
    return m.group(1) if m else ""


def _group(m: re.Match[str] | bool | None) -> str:
    if isinstance(m, re.Match):
        try:
            v = m.group("v")
        except IndexError:
            return ""
        return v or ""
    return ""


@cache
def seed_table() -> AliasTable:
    """The table of ``schemas/别名表.toml``."""
    return load_table(schema_dir() / "别名表.toml")


def load_table(path: Path) -> AliasTable:
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    n = raw.get("noise", {})
    noise = Noise(
        bool(n.get("system_component", True)),
        bool(n.get("parent_key", True)),
        frozenset(fold(x) for x in n.get("release_types", ())),
        frozenset(fold(x) for x in n.get("installed_status", ())),
        frozenset(n.get("scopes", ())),
    )
    rows = [row_from_dict(r, f"{path.name} 第 {i} 条规则") for i, r in enumerate(raw.get("rules", ()), 1)]
    return AliasTable(rows, noise)


@cache
def sheet_columns() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(field key, header texts) of a unit's 别名表 sheet, from ``schemas/别名表.toml``."""
    with (schema_dir() / "别名表.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    return tuple((c["key"], (c["label"], *c.get("aliases", ()))) for c in raw["sheet_columns"])


SHEET = "别名表"


def rows_from_sheet(rows: Sequence[Sequence[object]], sheet: str = SHEET) -> list[AliasRow]:
    """The rows of a unit's 别名表 sheet: a header row within the first ten, then one rule a row.

    Patterns on the sheet are plain text matched anywhere in the name (``*`` matches anything);
    a pattern starting with ``re:`` is a regular expression.
    """
    wanted = {header_key(t): key for key, texts in sheet_columns() for t in texts}
    found = next(
        (
            (r, cols)
            for r, row in enumerate(rows[:10])
            if "product"
            in (
                cols := {
                    wanted[h]: c for c, v in enumerate(row) if v is not None and (h := header_key(str(v))) in wanted
                }
            )
            and {"name", "key", "publisher"} & cols.keys()
        ),
        None,
    )
    if found is None:
        raise AliasError(
            f"工作表“{sheet}”的前 10 行中找不到表头（至少要有“名称”和“产品”两列）。请按 docs/软件采集与核对.md 填写。"
        )
    r, cols = found
    out = []
    for i, row in enumerate(rows[r + 1 :], r + 2):
        values = {k: (str(row[c]).strip() if c < len(row) and row[c] is not None else "") for k, c in cols.items()}
        if not any(values.values()):
            continue
        kind = values.get("kind", "")
        raw: dict[str, object] = {k: v for k, v in values.items() if v}
        raw["kind"] = kind or ""
        out.append(row_from_dict(raw, f"工作表“{sheet}”{a1(i, cols['product'] + 1)}", literal=True))
    return out
