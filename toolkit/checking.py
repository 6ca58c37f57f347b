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
from toolkit.read.ledgerset import LedgerFiles, Target, as_target, files_of, marked_folder, read_files
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
    report = check_ledger(ledger, as_of)
    if not any(ledger.form(f) for f in ("附件7", "附件8", "附件9")):  # maybe another layout that import converts
        from toolkit.imports.foreign import foreign_report

        return foreign_report(path, shown, report, {f.sheet for f in ledger.forms})
    return report


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
    one_ledger: bool = False,
) -> Report:
    """Check workbooks and folders of workbooks; one report for all of them.

    A folder marked as one ledger (``ledgerset.MARKER``), or everything when ``one_ledger``, is
    checked as one ledger kept in several files (:mod:`toolkit.read.ledgerset`).
    """
    day = as_of or dt.date.today()
    report = Report(day)
    for target in targets(paths, one_ledger):
        if isinstance(target, LedgerFiles):
            report.extend(check_files(target, day))
            shown = target.display
        else:
            path, shown = target
            report.extend(check_file(path, day, shown))
        if progress is not None:
            progress(shown)
    return report


# --- a ledger in several files -------------------------------------------------------------


def targets(paths: Iterable[str | Path], one_ledger: bool = False) -> list[Target]:
    """What to check: each workbook on its own (as :func:`expand_paths` finds them), except the sets that are one ledger."""
    paths = list(paths)
    found: list[tuple[Path, str] | Path] = []
    groups: dict[Path, list[tuple[Path, str]]] = {}
    for p in paths:
        root = Path(p)
        for path, shown in expand_paths([p]):
            folder = marked_folder(path, root) if root.is_dir() else None
            if folder is None:
                found.append((path, shown))
                continue
            if folder not in groups:
                groups[folder] = []
                found.append(folder)
            groups[folder].append((path, shown))
    out = [t if isinstance(t, tuple) else as_target(groups[t], str(t)) for t in found]
    if one_ledger and out:
        names = [str(p) for p in paths]
        return [as_target(files_of(out), names[0] if len(names) == 1 else " + ".join(names))]
    return out


def give_back(
    report: Report, group: LedgerFiles, origin: dict[str, tuple[str, str]], unreadable: list[tuple[str, str]]
) -> Report:
    """The report of a merged ledger with each finding on its own file and sheet, the files as its workbooks.

    A finding about the whole ledger (no sheet) goes to the set's first file; an unreadable file is an S0 of its own.
    """
    first = group.files[0][1]
    for f in report.findings:
        f.workbook, f.sheet = origin.get(f.sheet or "", (first, f.sheet))
    for s in report.skipped:
        s.workbook = first
    s0 = [Finding("S0", shown, None, None, {"reason": reason}) for shown, reason in unreadable]
    return Report(report.as_of, [*s0, *report.findings], report.skipped, [shown for _, shown in group.files])


def check_files(group: LedgerFiles, as_of: dt.date) -> Report:
    """Check the files of a set as one ledger."""
    with gc_paused():
        ledger, origin, unreadable = read_files(group)
        return give_back(check_ledger(ledger, as_of), group, origin, unreadable)
