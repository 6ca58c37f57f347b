"""Findings and the report: what a check found, where, and the run's verdict.

A :class:`Finding` carries a rule code, where it is and the values of the rule's message
template; its severity and message come from the registry (:mod:`toolkit.rules.registry`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from toolkit.rules.registry import ERROR, REGISTRY, SEVERITY_ZH, WARNING

__all__ = ["ERROR", "WARNING", "SEVERITY_ZH", "Finding", "Skip", "Report"]


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
        """The JSON object of docs/cli.md."""
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
