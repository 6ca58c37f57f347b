"""``check``: read ledgers, run every rule, return one :class:`Report`."""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from toolkit.errors import ReadError
from toolkit.findings import Finding, Report
from toolkit.model import Ledger
from toolkit.read.grid import Book
from toolkit.read.reader import read_book, read_ledger
from toolkit.rollup import compute_rollup
from toolkit.rules.builtin import REGISTRY
from toolkit.rules.context import CheckContext

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def check_ledger(ledger: Ledger, as_of: dt.date) -> Report:
    """Run every registered rule over one ledger model."""
    ctx = CheckContext(ledger, as_of, compute_rollup(ledger, as_of))
    findings: list[Finding] = []
    for _codes, fn in REGISTRY.checks:
        findings.extend(fn(ctx))
    return Report(as_of, findings, ctx.skips, [ledger.path])


def check_book(book: Book, as_of: dt.date, display: str | None = None) -> Report:
    """Check a workbook of any source (a file's grid, or one open in Excel)."""
    return check_ledger(read_book(book, display), as_of)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while one workbook is read and checked.

    A ledger becomes millions of small, acyclic lists, dicts and rows; with the collector on,
    its full passes rescan that growing heap again and again (a third of check's time on the
    benchmark ledger). The previous state is restored afterwards, so a batch collects between
    workbooks.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def check_file(path: str | Path, as_of: dt.date, display: str | None = None) -> Report:
    """Check one workbook file; an unreadable file gives an S0 finding, never an exception."""
    with gc_paused():
        # the ledger lives and dies inside the call: it is acyclic, so it is freed when the call
        # returns, before the collector is back on to scan it once for nothing
        return _check_file(path, as_of, display or str(path))


def _check_file(path: str | Path, as_of: dt.date, shown: str) -> Report:
    try:
        ledger = read_ledger(path, shown)
    except ReadError as exc:
        return Report(as_of, [Finding("S0", shown, None, None, {"reason": str(exc)})], [], [shown])
    return check_ledger(ledger, as_of)


def expand_paths(paths: Iterable[str | Path]) -> Iterator[tuple[Path, str]]:
    """Each workbook named or found below a folder, with its display path; ``~$`` lock files skipped."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    if name.lower().endswith(WORKBOOK_SUFFIXES) and not name.startswith("~$"):
                        full = Path(root) / name
                        yield full, str(full)
        else:
            yield path, str(p)


def check(
    paths: Iterable[str | Path],
    as_of: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Check workbooks and folders of workbooks; one report for all of them."""
    day = as_of or dt.date.today()
    report = Report(day)
    for path, shown in expand_paths(paths):
        report.extend(check_file(path, day, shown))
        if progress is not None:
            progress(shown)
    return report
