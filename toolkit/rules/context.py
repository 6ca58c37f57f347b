"""What a check sees: the ledger, the check date and the roll-up of its logs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from toolkit.findings import Finding, Skip
from toolkit.model import Ledger
from toolkit.rollup import Rollup


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

    def finding(self, rule: str, sheet: str | None, cell: str | None, row: int | None = None, **values: Any) -> Finding:
        return Finding(rule, self.ledger.path, sheet, cell, values, row)

    def skip(self, rule: str, reason: str) -> None:
        if not any(s.rule == rule and s.reason == reason for s in self.skips):
            self.skips.append(Skip(rule, self.ledger.path, reason))
