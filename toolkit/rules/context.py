"""What a check sees: the ledger, the check date and the roll-up of its logs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from toolkit.findings import Finding, Skip
from toolkit.model import Ledger, Row
from toolkit.rollup import Rollup, compute_rollup
from toolkit.settings import Settings, unit_settings


@dataclass
class CheckContext:
    """What a rule sees: the ledger, the check date and the roll-up of its logs.

    ``given``: a roll-up already computed; otherwise :attr:`rollup` computes it at first use, so a
    check that does not read it never waits for it (``toolkit.checking`` shares the checks of a
    large ledger with a helper on that ground).
    """

    ledger: Ledger
    as_of: dt.date
    given: Rollup | None = None
    skips: list[Skip] = field(default_factory=list)

    @cached_property
    def rollup(self) -> Rollup:
        """The roll-up of the logs as of the check date (docs/rollup.md), 附件8 standing in when there is no 附件9."""
        if self.given is not None:
            return self.given
        return compute_rollup(self.ledger, self.as_of, detail_fallback=True)

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
