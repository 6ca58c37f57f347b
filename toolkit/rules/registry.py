"""The rule registry: each rule's metadata as data, each check registered under the codes it emits.

Every rule's code, severity, Chinese title, description and message template are named fields
of one ``[[rule]]`` table in ``schemas/rules.toml``; a :class:`~toolkit.findings.Finding` carries
only where it is and the values for the template, so severity and wording never drift between
call sites. A check function declares the codes it may emit with ``@check("TZ1.3", ...)``; the
order of registration is the order the checks run (and so the order of findings).

``@check(..., weight=N, rollup=True)`` says roughly how long the check takes on a large ledger
(milliseconds on the benchmark ledger, 1 when not said) and that it reads the roll-up: only hints
for sharing the checks of a large ledger between two processes (``toolkit.checking``), never a
change to what a check finds (a check not marked that reads the roll-up computes it all the same).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from toolkit.errors import DuplicateRuleError
from toolkit.schemas import schema_dir

if TYPE_CHECKING:
    from toolkit.findings import Finding
    from toolkit.rules.context import CheckContext

    CheckFn = Callable[[CheckContext], Iterable[Finding]]

ERROR = "error"
WARNING = "warning"
SEVERITY_ZH = {ERROR: "错误", WARNING: "警告"}
BLANK_SHOWN = "（空）"  # how a message shows a blank cell


@dataclass(frozen=True)
class Rule:
    """One rule of the catalogue."""

    code: str
    severity: str
    title: str
    description: str
    template: str
    source: str = ""  # what the rule rests on besides the guide clause its code names (a regulation, a licence term)

    def render(self, values: dict[str, Any]) -> str:
        """The Chinese message for one finding."""
        try:
            text = self.template.format(**values)
        except (KeyError, IndexError, ValueError):
            return self.template
        return text.replace(" " + BLANK_SHOWN, BLANK_SHOWN)  # "为 （空）" reads "为（空）"


class Registry:
    """The rules keyed by code, and the checks in registration order."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self._rules: dict[str, Rule] = {}
        self.checks: list[tuple[tuple[str, ...], CheckFn]] = []
        self.weights: dict[CheckFn, int] = {}
        self.reads_rollup: set[CheckFn] = set()
        for rule in rules:
            self.add(rule)

    @classmethod
    def from_toml(cls, text: str) -> Registry:
        """A registry of every ``[[rule]]`` table of a rules TOML document."""
        return cls(Rule(**entry) for entry in tomllib.loads(text)["rule"])

    def add(self, rule: Rule) -> Rule:
        if rule.code in self._rules:
            raise DuplicateRuleError(f"rule {rule.code} is registered twice")
        if rule.severity not in (ERROR, WARNING):
            raise ValueError(f"rule {rule.code}: severity must be error or warning")
        self._rules[rule.code] = rule
        return rule

    def check(self, *codes: str, weight: int = 1, rollup: bool = False) -> Callable[[CheckFn], CheckFn]:
        """Decorator registering a check function that emits the rules ``codes`` (``weight``, ``rollup``: see above)."""

        def wrap(fn: CheckFn) -> CheckFn:
            missing = [c for c in codes if c not in self._rules]
            if missing:
                raise KeyError(f"{fn.__name__}: rules {missing} are not in schemas/rules.toml")
            self.checks.append((codes, fn))
            self.weights[fn] = weight
            if rollup:
                self.reads_rollup.add(fn)
            return fn

        return wrap

    def __getitem__(self, code: str) -> Rule:
        return self._rules[code]

    def __contains__(self, code: object) -> bool:
        return code in self._rules

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)


REGISTRY = Registry.from_toml((schema_dir() / "rules.toml").read_text(encoding="utf-8"))
check = REGISTRY.check
