"""What a check sees: the ledger, the check date and the roll-up of its logs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from toolkit.findings import Finding, Skip
from toolkit.model import Ledger, Row
from toolkit.rollup import Rollup
from toolkit.settings import Settings, unit_settings


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
        return unit_settings(self.ledger)

    def finding(self, rule: str, sheet: str | None, cell: str | None, row: int | None = None, **values: Any) -> Finding:
        return Finding(rule, self.ledger.path, sheet, cell, values, row)

    def at(self, rule: str, row: Row, column: str, /, **values: Any) -> Finding:
        """The finding on one cell of a form row: the column's cell on that row of its sheet."""
        return Finding(rule, self.ledger.path, row.sheet, row.cell(column), values, row.row)

    def skip(self, rule: str, reason: str) -> None:
        if not any(s.rule == rule and s.reason == reason for s in self.skips):
            self.skips.append(Skip(rule, self.ledger.path, reason))
