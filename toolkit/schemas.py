"""Form layouts loaded from ``schemas/*.toml``: the only place header texts and values live."""

from __future__ import annotations

import copyreg
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from toolkit.normalize import header_key, norm_key

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
_PACKAGED = Path(__file__).resolve().parent / "_schemas"


def schema_dir() -> Path:
    """The schemas folder: the repository's, or the copy shipped inside the wheel."""
    return SCHEMA_DIR if SCHEMA_DIR.is_dir() else _PACKAGED


@dataclass(frozen=True)
class Column:
    """One column of a form: its key in code, its header text and how its values read."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    type: str = "text"
    required: bool = False
    values: tuple[str, ...] = ()
    value_aliases: dict[str, str] = field(default_factory=dict)
    ticks: tuple[str, ...] = ()
    width: float = 10
    merge: bool = False
    combined_only: bool = False
    allow_text: tuple[str, ...] = ()
    not_blank: bool = False
    required_if: dict[str, tuple[str, ...]] = field(default_factory=dict)
    partial_date: bool = False  # a date column that also takes a year or a year and month (采购时间)
    lenient: bool = False  # an unknown value is one warning per distinct value (S5W), not an error per cell

    @property
    def header_keys(self) -> tuple[str, ...]:
        """Normalised header texts that name this column, the label first."""
        return tuple(dict.fromkeys(header_key(t) for t in (self.label, *self.aliases)))

    def canonical_value(self, text: str) -> str | None:
        """The allowed value ``text`` stands for (aliases resolved), or ``None``."""
        return _value_map(self).get(norm_key(text))

    @property
    def typed(self) -> bool:
        """True when the column has a parsed value beside its text (``Row.val``): not text, not a row label."""
        return self.type not in ("text", "label")

    @property
    def allowed(self) -> tuple[str, ...]:
        """The allowed values of an enumerated or tick column."""
        return self.values or self.ticks


@cache
def _value_map_cached(key: tuple) -> dict[str, str]:
    values, aliases = key
    out = {norm_key(v): v for v in values}
    out.update({norm_key(a): v for a, v in aliases})
    # the short forms people type: "OEM" for "OEM软件", "商业" for "商业软件"
    return out


def _value_map(col: Column) -> dict[str, str]:
    return _value_map_cached((col.allowed, tuple(sorted(col.value_aliases.items()))))


@dataclass(frozen=True)
class Label:
    """A label/value pair outside the table (附件7 counts, 附件9 info block)."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    group: str = ""

    @property
    def header_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(header_key(t) for t in (self.label, *self.aliases)))


@dataclass(frozen=True)
class FormSchema:
    """The layout of one form, as ``schemas/<form>.toml`` gives it."""

    form: str
    title: str
    sheet: str
    required: bool
    header_rows: int
    columns: tuple[Column, ...]
    counts: tuple[Label, ...] = ()
    info: tuple[Label, ...] = ()
    landscape: bool = False
    extra: dict = field(default_factory=dict)

    def __reduce__(self) -> tuple:
        """A registered schema is pickled by its form's name: a form read in another process
        (:mod:`toolkit.read.parallel`) comes back with the very schema object of this one."""
        if all_schemas().get(self.form) is self:
            return (schema, (self.form,))
        return (copyreg.__newobj__, (type(self),), dict(self.__dict__))  # type: ignore[attr-defined]

    def column(self, key: str) -> Column:
        """The column with code key ``key``."""
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(f"{self.form} has no column {key!r}")

    def label_of(self, key: str) -> str:
        """The form's own words for a column or a count (``amount`` → ``采购金额``)."""
        for col in self.columns:
            if col.key == key:
                return col.label
        for lab in (*self.counts, *self.info):
            if lab.key == key:
                return lab.label
        raise KeyError(f"{self.form} has no column or label {key!r}")

    @property
    def required_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns if c.required)


def _column(raw: dict) -> Column:
    return Column(
        key=raw["key"],
        label=raw["label"],
        aliases=tuple(raw.get("aliases", ())),
        type=raw.get("type", "text"),
        required=bool(raw.get("required", False)),
        values=tuple(raw.get("values", ())),
        value_aliases=dict(raw.get("value_aliases", {})),
        ticks=tuple(raw.get("ticks", ())),
        width=float(raw.get("width", 10)),
        merge=bool(raw.get("merge", False)),
        combined_only=bool(raw.get("combined_only", False)),
        allow_text=tuple(raw.get("allow_text", ())),
        not_blank=bool(raw.get("not_blank", False)),
        required_if={k: tuple(v) for k, v in raw.get("required_if", {}).items()},
        partial_date=bool(raw.get("partial_date", False)),
        lenient=raw.get("unknown") == "warning",
    )


def _label(raw: dict) -> Label:
    return Label(raw["key"], raw["label"], tuple(raw.get("aliases", ())), raw.get("group", ""))


_KNOWN = {"form", "title", "sheet", "required", "header_rows", "columns", "counts", "info", "landscape"}


def _form_schema(raw: dict) -> FormSchema:
    return FormSchema(
        form=raw["form"],
        title=raw["title"],
        sheet=raw.get("sheet", raw["form"]),
        required=bool(raw.get("required", False)),
        header_rows=int(raw.get("header_rows", 1)),
        columns=tuple(_column(c) for c in raw.get("columns", ())),
        counts=tuple(_label(c) for c in raw.get("counts", ())),
        info=tuple(_label(c) for c in raw.get("info", ())),
        landscape=bool(raw.get("landscape", False)),
        extra={k: v for k, v in raw.items() if k not in _KNOWN},
    )


@cache
def all_schemas() -> dict[str, FormSchema]:
    """Every form schema, keyed by form name (``附件7``, ``计算机清单`` …)."""
    out = {}
    for path in sorted(schema_dir().glob("*.toml")):
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
        if "form" not in raw:  # other data beside the forms: rules, products, aliases
            continue
        schema = _form_schema(raw)
        if schema.title:
            out[schema.form] = schema
    return out


def schema(form: str) -> FormSchema:
    """The schema of one form."""
    return all_schemas()[form]
