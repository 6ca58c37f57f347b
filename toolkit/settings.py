"""The unit's settings: policy choices some rules depend on, read from the ledger's 设置 sheet or 设置.toml.

Which settings exist, their allowed values and defaults are data (``schemas/设置.toml``); the reader
puts what a unit wrote on the model (``Ledger.settings``); :func:`unit_settings` turns it into a typed
:class:`Settings`, falling back to the default for a setting it cannot read and saying why.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache

from toolkit.model import Ledger, Setting
from toolkit.normalize import header_key, to_int
from toolkit.read.reader import SETTINGS_FILE
from toolkit.schemas import schema_dir

DOWNGRADE_VOLUME_FREE = "非批量许可"
DOWNGRADE_ALL = "全部"
NO = "否"


@dataclass(frozen=True)
class SettingSpec:
    """One setting of ``schemas/设置.toml``."""

    key: str
    name: str
    aliases: tuple[str, ...]
    values: tuple[str, ...]
    type: str
    default: str
    help: str


@cache
def setting_specs() -> tuple[SettingSpec, ...]:
    """Every setting a unit may write, in the order of ``schemas/设置.toml``."""
    with (schema_dir() / "设置.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    return tuple(
        SettingSpec(
            s["key"],
            s["name"],
            tuple(s.get("aliases", ())),
            tuple(s.get("values", ())),
            s.get("type", "text"),
            str(s["default"]),
            s.get("help", ""),
        )
        for s in raw["settings"]
    )


@dataclass(frozen=True)
class Problem:
    """A setting that could not be used as written (the default applies instead)."""

    setting: Setting
    name: str
    reason: str


@dataclass(frozen=True)
class Settings:
    """The typed settings of one unit (defaults where nothing is written)."""

    downgrade_record: str = DOWNGRADE_VOLUME_FREE
    three_software: bool = True
    oem_grace_days: int = 30
    unified_words: tuple[str, ...] = ("统一部署",)
    problems: tuple[Problem, ...] = field(default=(), compare=False)


_SPLIT = re.compile(r"[、，,；;\s]+")


def _value(spec: SettingSpec, text: str) -> object:
    """The typed value of ``text`` for ``spec``, or ``None`` when it is not allowed."""
    if spec.values:
        allowed = {header_key(v): v for v in spec.values}
        chosen = allowed.get(header_key(text))
        if chosen is None:
            return None
        return chosen == "是" if set(spec.values) == {"是", NO} else chosen
    if spec.type == "int":
        n = to_int(text)
        return n if n is not None and n >= 0 else None
    words = tuple(w for w in _SPLIT.split(text) if w)
    return words or None


def unit_settings(ledger: Ledger) -> Settings:
    """The settings of ``ledger``: what it writes where readable, else the defaults."""
    by_name = {header_key(n): spec for spec in setting_specs() for n in (spec.name, *spec.aliases)}
    values: dict[str, object] = {spec.key: _value(spec, spec.default) for spec in setting_specs()}
    problems: list[Problem] = []
    for name, setting in ledger.settings.items():
        if name == SETTINGS_FILE and setting.cell is None:  # the file could not be read
            problems.append(Problem(setting, name, f"文件无法读取（{setting.raw}），全部按默认设置"))
            continue
        spec = by_name.get(header_key(name))
        if spec is None:
            known = "、".join(s.name for s in setting_specs())
            problems.append(Problem(setting, name, f"不是可用的设置项（可用：{known}）"))
            continue
        if setting.raw is None:
            continue  # blank: the default
        value = _value(spec, setting.raw)
        if value is None:
            allowed = (
                "、".join(spec.values) if spec.values else ("不小于 0 的整数" if spec.type == "int" else "非空文字")
            )
            problems.append(
                Problem(setting, name, f"值“{setting.raw}”不可用（应为 {allowed}），按默认“{spec.default}”处理")
            )
            continue
        values[spec.key] = value
    return Settings(**values, problems=tuple(problems))  # type: ignore[arg-type]
