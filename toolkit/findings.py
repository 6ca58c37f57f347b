"""Rules, findings and the report.

A :class:`Rule` is registered once under its stable code (rules.md) with its severity, Chinese
title, description and message template; a :class:`Finding` carries only where it is and the
values for the template, so severity and wording never drift between call sites.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Ledger
    from .rollup import Rollup
    from .settings import Settings

ERROR = "error"
WARNING = "warning"
SEVERITY_ZH = {ERROR: "错误", WARNING: "警告"}


@dataclass(frozen=True)
class Rule:
    """One rule of the catalogue."""

    code: str
    severity: str
    title: str
    description: str
    template: str
    source: str = ""  # what the rule rests on beyond the guide's clause its code names (a regulation, a licence term)

    def render(self, values: dict[str, Any]) -> str:
        """The Chinese message for one finding."""
        try:
            return self.template.format(**values)
        except (KeyError, IndexError, ValueError):
            return self.template


class DuplicateRuleError(ValueError):
    """A rule code was registered twice."""


class Registry:
    """The rules keyed by code, in registration order."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}
        self.checks: list[tuple[tuple[str, ...], Callable[[CheckContext], Iterable[Finding]]]] = []

    def add(self, rule: Rule) -> Rule:
        if rule.code in self._rules:
            raise DuplicateRuleError(f"rule {rule.code} is registered twice")
        if rule.severity not in (ERROR, WARNING):
            raise ValueError(f"rule {rule.code}: severity must be error or warning")
        self._rules[rule.code] = rule
        return rule

    def rule(
        self, code: str, severity: str, title: str, template: str, description: str = "", source: str = ""
    ) -> Callable[[Callable[[CheckContext], Iterable[Finding]]], Callable[[CheckContext], Iterable[Finding]]]:
        """Decorator registering a check function under ``code``."""

        def wrap(fn: Callable[[CheckContext], Iterable[Finding]]) -> Callable[[CheckContext], Iterable[Finding]]:
            self.add(Rule(code, severity, title, description or (fn.__doc__ or title).strip(), template, source))
            self.checks.append(((code,), fn))
            return fn

        return wrap

    def checker(
        self, *codes: str
    ) -> Callable[[Callable[[CheckContext], Iterable[Finding]]], Callable[[CheckContext], Iterable[Finding]]]:
        """Decorator registering a check function that emits several declared codes."""

        def wrap(fn: Callable[[CheckContext], Iterable[Finding]]) -> Callable[[CheckContext], Iterable[Finding]]:
            missing = [c for c in codes if c not in self._rules]
            if missing:
                raise KeyError(f"declare {missing} before registering {fn.__name__}")
            self.checks.append((codes, fn))
            return fn

        return wrap

    def declare(self, code: str, severity: str, title: str, template: str, description: str = "", source: str = "") -> Rule:
        """Register a rule that another rule's check (or the reader) emits."""
        return self.add(Rule(code, severity, title, description or title, template, source))

    def __getitem__(self, code: str) -> Rule:
        return self._rules[code]

    def __contains__(self, code: object) -> bool:
        return code in self._rules

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)


REGISTRY = Registry()


@dataclass
class Finding:
    """One finding: a rule code, where, and the values of its message template."""

    rule: str
    workbook: str
    sheet: str | None = None
    cell: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    row: int | None = None

    @property
    def severity(self) -> str:
        return REGISTRY[self.rule].severity

    @property
    def message(self) -> str:
        return REGISTRY[self.rule].render(self.values)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "workbook": self.workbook,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message,
        }


@dataclass
class Skip:
    """A rule that could not run on one workbook, and why (said once in the report)."""

    rule: str
    workbook: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "workbook": self.workbook, "reason": self.reason}


@dataclass
class CheckContext:
    """What a rule sees: the ledger, the check date and the roll-up of its logs."""

    ledger: Ledger
    as_of: dt.date
    rollup: Rollup
    skips: list[Skip] = field(default_factory=list)

    @property
    def workbook(self) -> str:
        return self.ledger.path

    @cached_property
    def settings(self) -> Settings:
        """The unit's settings (the 设置 sheet or 设置.toml), defaults where none is written."""
        from .settings import unit_settings

        return unit_settings(self.ledger)

    def finding(self, rule: str, sheet: str | None, cell: str | None, row: int | None = None, **values: Any) -> Finding:
        return Finding(rule, self.ledger.path, sheet, cell, values, row)

    def skip(self, rule: str, reason: str) -> None:
        if not any(s.rule == rule and s.reason == reason for s in self.skips):
            self.skips.append(Skip(rule, self.ledger.path, reason))


@dataclass
class Report:
    """Everything found in one run: ``valid`` when no finding is an error."""

    as_of: dt.date
    findings: list[Finding] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    workbooks: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)

    @property
    def valid(self) -> bool:
        return self.errors == 0

    @property
    def stats(self) -> dict[str, int]:
        return {"workbooks": len(self.workbooks), "errors": self.errors, "warnings": self.warnings}

    def extend(self, other: Report) -> None:
        self.findings.extend(other.findings)
        self.skipped.extend(other.skipped)
        self.workbooks.extend(other.workbooks)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of cli.md."""
        return {
            "valid": self.valid,
            "as_of": self.as_of.isoformat(),
            "stats": self.stats,
            "findings": [f.to_dict() for f in self.findings],
            "skipped": [s.to_dict() for s in self.skipped],
        }

    def flatten(self, keys: Iterable[str] = ("rule", "sheet", "cell")) -> list[list[Any]]:
        """Findings as lists of the named fields: short assertions in tests."""
        ks = list(keys)
        return [[f.to_dict()[k] for k in ks] for f in self.findings]

    def codes(self) -> list[str]:
        return [f.rule for f in self.findings]
