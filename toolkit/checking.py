"""``check``: read ledgers, run every rule, return one :class:`Report`."""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from toolkit.errors import ReadError
from toolkit.files import is_own_file, is_toolkit_output, shown_path
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
    """Each workbook named or found below a folder, with its display path.

    A folder scan skips what is not a unit's ledger: Excel/WPS lock files (``~$``), the toolkit's
    backups (``*.bak-YYYYmmdd-HHMMSS.xlsx``) and temporary files, hidden folders, and the reports
    the toolkit wrote (汇总, 附件5, printouts; marked in their document properties). A file
    named on the command line is always read. A name in another encoding (GBK) is shown decoded.
    """
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.lower().endswith(WORKBOOK_SUFFIXES) or is_own_file(name):
                        continue
                    full = Path(root) / name
                    if not is_toolkit_output(full):
                        yield full, shown_path(full)
        else:
            yield path, shown_path(p)


def check(
    paths: Iterable[str | Path],
    as_of: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> Report:
    """Check workbooks and folders of workbooks; one report for all of them.

    One file is checked in this process. A batch runs in ``workers`` worker processes (default:
    one per core) through :func:`toolkit.batch.run_batch`, so a file that crashes the reader
    natively becomes its own S0 finding and every other file is checked normally.
    """
    day = as_of or dt.date.today()
    targets = list(expand_paths(paths))
    report = Report(day)
    if len(targets) <= 1:
        for path, shown in targets:
            report.extend(check_file(path, day, shown))
            if progress is not None:
                progress(shown)
        return report
    from toolkit.batch import CRASH_REASON, default_workers, run_batch

    def crashed(job: tuple, what: str) -> Report:
        shown = job[2]
        return Report(day, [Finding("S0", shown, None, None, {"reason": CRASH_REASON.format(what=what)})], [], [shown])

    results: list[Report | None] = [None] * len(targets)
    jobs = [(path, day, shown) for path, shown in targets]
    for i, result in run_batch(check_file, jobs, workers or default_workers(), crashed):
        results[i] = result
        if progress is not None:
            progress(targets[i][1])
    for done in results:
        if done is not None:
            report.extend(done)
    return report
