"""The supervising office's view of a folder of ledgers: each one checked and counted, then summed.

``consolidate(paths, as_of, workers)`` reads every ledger once, in worker processes
(:func:`toolkit.batch.run_batch`; a single file is read in this process), runs ``check`` and computes the
附件5 figures (:mod:`toolkit.stats`) of each, and returns a :class:`Consolidation`: one
:class:`LedgerResult` per file in the order the files were found, the totals, and the
installed/licensed figures per product across units. A file that cannot be read is one result
with its S0 finding and no figures, never an abort; so is a file on which the toolkit itself
failed, or that crashed the process reading it (the S0 message then says so and asks for a report).

Totals are sums of the figures, and a total rate is total genuine ÷ total installed (never an
average of the units' rates). Products are matched across units by normalised 软件名称.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.batch import CRASH_REASON, default_workers, run_batch
from toolkit.checking import check_ledger, give_back, target_display, unreadable
from toolkit.errors import ReadError
from toolkit.findings import Finding, Report, Skip
from toolkit.model import COMMERCIAL
from toolkit.normalize import norm_key
from toolkit.read.ledgerset import LedgerFiles, Target, read_files, targets
from toolkit.read.reader import read_ledger
from toolkit.rollup import compute_rollup
from toolkit.stats import CategoryStats, Stats, combine, compute_stats


@dataclass
class LedgerResult:
    """One ledger of the batch: its findings and, when it could be read, its 附件5 figures."""

    workbook: str
    as_of: dt.date
    stats: Stats | None
    findings: list[Finding] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return self.stats is not None

    @property
    def unit(self) -> str:
        """The unit's name from the sign line, else the file name without its suffix."""
        if self.stats is not None and self.stats.unit:
            return self.stats.unit
        return Path(self.workbook).stem

    @property
    def report(self) -> Report:
        return Report(self.as_of, list(self.findings), list(self.skipped), [self.workbook])

    @property
    def errors(self) -> int:
        return self.report.errors

    @property
    def warnings(self) -> int:
        return self.report.warnings

    @property
    def status(self) -> str:
        if not self.readable:
            return "无法读取"
        return "通过" if self.errors == 0 else "未通过"

    def to_dict(self) -> dict[str, Any]:
        return {
            "workbook": self.workbook,
            "unit": self.unit,
            "status": self.status,
            "errors": self.errors,
            "warnings": self.warnings,
            "stats": self.stats.to_dict() if self.stats is not None else None,
        }


def analyse_file(path: str | Path, as_of: dt.date, display: str | None = None) -> LedgerResult:
    """Read one ledger, check it and compute its 附件5 figures (runs in a worker process)."""
    return analyse((Path(path), display or str(path)), as_of)


def analyse(target: Target, as_of: dt.date) -> LedgerResult:
    """One ledger of a batch, a workbook or the files of a ledger kept in several: checked and counted."""
    group = target if isinstance(target, LedgerFiles) else None
    shown = group.display if group is not None else target[1]  # type: ignore[index]
    try:
        if group is not None:
            ledger, origin, bad = read_files(group)
        else:
            ledger = read_ledger(target[0], shown)  # type: ignore[index]
        rollup = compute_rollup(ledger, as_of)  # one roll-up serves the checks and the figures
        report = check_ledger(ledger, as_of, rollup)
        if group is not None:
            report = give_back(report, group, origin, bad)
        stats = compute_stats(ledger, as_of, rollup)
    except ReadError as exc:
        return _unreadable(shown, as_of, str(exc))
    except Exception as exc:  # a toolkit bug on one odd file must not stop the batch; it is reported
        return _unreadable(
            shown, as_of, f"处理时出现内部错误（{type(exc).__name__}: {exc}），请将此文件报告给工具维护人员"
        )
    return LedgerResult(shown, as_of, stats, report.findings, report.skipped)


def _unreadable(shown: str, as_of: dt.date, reason: str) -> LedgerResult:
    return LedgerResult(shown, as_of, None, [unreadable(shown, reason)])


@dataclass
class ProductTotal:
    """One product (by normalised 软件名称) summed over the units that register or install it."""

    name: str
    sw_type: str | None
    category: str
    units: int = 0
    installed: int = 0
    licensed: int = 0
    genuine: int = 0


@dataclass
class Consolidation:
    """Every ledger of a batch with its figures, and the totals."""

    as_of: dt.date
    results: list[LedgerResult] = field(default_factory=list)

    @property
    def readable(self) -> list[Stats]:
        return [r.stats for r in self.results if r.stats is not None]

    def combined(self, unit: str = "各单位合计") -> Stats:
        """One 附件5 for all readable units together (the supervising office's own 附件5)."""
        return combine(self.readable, unit, self.as_of)

    @property
    def categories(self) -> list[CategoryStats]:
        """附件5 categories summed over the units."""
        return self.combined().categories

    @property
    def total(self) -> CategoryStats:
        return self.combined().total

    @property
    def totals(self) -> dict[str, Any]:
        """The totals row: sums of each column, rates from the summed counts."""
        readable = self.readable
        counts: dict[str, int] = {}
        for st in readable:
            for key, value in st.counts.items():
                counts[key] = counts.get(key, 0) + (value or 0)
        return {
            "units": len(self.results),
            "unreadable": sum(1 for r in self.results if not r.readable),
            "passed": sum(1 for r in self.results if r.readable and r.errors == 0),
            "errors": sum(r.errors for r in self.results),
            "warnings": sum(r.warnings for r in self.results),
            "computers": sum(st.computers or 0 for st in readable),
            "counts": counts,
            "over_deployed": sum(len(st.over_deployed) for st in readable),
            "expired": sum(len(st.expired) for st in readable),
            "purchase_count": sum(st.purchase_count for st in readable),
            "purchase_amount": round(sum(st.purchase_amount for st in readable), 2),
        }

    def products(self) -> list[ProductTotal]:
        """Installed against licensed per product across units, most installed first."""
        out: dict[str, ProductTotal] = {}
        for st in self.readable:
            seen: set[str] = set()
            for n in st.numbers:
                if not n.name:
                    continue
                key = norm_key(n.name)
                p = out.setdefault(key, ProductTotal(n.name, n.sw_type, n.category))
                if key not in seen:
                    p.units += 1
                    seen.add(key)
                p.installed += n.installed
                p.licensed += n.licensed
                p.genuine += n.genuine
        return sorted(out.values(), key=lambda p: (-p.installed, p.sw_type != COMMERCIAL, p.name))

    @property
    def report(self) -> Report:
        """All findings of the batch as one check report."""
        report = Report(self.as_of)
        for r in self.results:
            report.extend(r.report)
        return report

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``zbtz report FOLDER --format json``."""
        return {
            "as_of": self.as_of.isoformat(),
            "totals": {
                **self.totals,
                "categories": [c.to_dict() for c in self.categories],
                "total": self.total.to_dict(),
            },
            "units": [r.to_dict() for r in self.results],
            "products": [vars(p) for p in self.products()],
            "findings": [f.to_dict() for f in self.report.findings],
        }


def consolidate(
    paths: Iterable[str | Path],
    as_of: dt.date,
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
    one_ledger: bool = False,
) -> Consolidation:
    """Analyse every ledger named or found below a folder; ``workers`` processes (default: cores).

    A folder marked as one ledger, or everything when ``one_ledger``, is one ledger (:mod:`toolkit.read.ledgerset`).
    """
    return consolidate_targets(targets(paths, one_ledger), as_of, workers, progress)


def consolidate_targets(
    targets: list[Target],
    day: dt.date,
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Consolidation:
    """:func:`consolidate` for workbooks already found by :func:`toolkit.read.ledgerset.targets`."""
    n = max(1, workers or default_workers())
    results: list[LedgerResult | None] = [None] * len(targets)
    for i, result in _run(targets, day, min(n, len(targets))):
        results[i] = result
        if progress is not None:
            progress(result.workbook)
    return Consolidation(day, [r for r in results if r is not None])


def _run(targets: list[Target], day: dt.date, workers: int) -> Iterator[tuple[int, LedgerResult]]:
    if workers <= 1 and len(targets) <= 1:
        for i, target in enumerate(targets):
            yield i, analyse(target, day)
        return

    def crashed(job: tuple, what: str) -> LedgerResult:
        return _unreadable(target_display(job[0]), day, CRASH_REASON.format(what=what))

    yield from run_batch(analyse, [(target, day) for target in targets], workers, crashed)
