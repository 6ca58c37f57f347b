"""``check``: read ledgers, run every rule, return one :class:`Report`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

from toolkit.errors import ReadError
from toolkit.files import scan_paths
from toolkit.findings import FileStatus, Finding, Report
from toolkit.model import Ledger
from toolkit.process import gc_paused
from toolkit.read.grid import Book
from toolkit.read.ledgerset import LedgerFiles, Target, read_files, targets
from toolkit.read.parallel import Helper, deal, forks
from toolkit.read.reader import read_book, read_ledger
from toolkit.rollup import Rollup
from toolkit.rules.builtin import REGISTRY
from toolkit.rules.context import CheckContext

MISSING_RUNTIME = "运行环境缺少"


def check_ledger(ledger: Ledger, as_of: dt.date, rollup: Rollup | None = None, degrade: bool = False) -> Report:
    """Run every registered rule over one ledger model (``rollup``: reuse one already computed).

    ``degrade`` (xlwings Lite) runs every check whose packages import and reports the others as
    not run, instead of failing when one is missing. A large ledger's checks are shared with a
    forked helper process (:func:`share`); the findings and skips are the same, in the same order.
    """
    ctx = CheckContext(ledger, as_of, rollup)  # the roll-up is computed by the first check that reads it
    checks = REGISTRY.checks
    theirs = share(ledger, known=rollup is not None)
    helper = Helper(run_checks, ctx, theirs, degrade) if theirs else None
    done = run_checks(ctx, [i for i in range(len(checks)) if i not in theirs], degrade)
    got = helper.result() if helper is not None else None
    done.update(got if got is not None else run_checks(ctx, theirs, degrade))
    findings: list[Finding] = []
    ctx.skips = []
    for i in range(len(checks)):
        found, skips = done[i]
        findings.extend(found)
        for s in skips:
            ctx.skip(s.rule, s.reason)
    return Report(as_of, findings, ctx.skips, [ledger.path])


SHARE_ROWS = 20_000  # rows (logs, detail, summary) from which a second process checks some rules
HELPER_SHARE = 0.45  # the helper's share of the work: its findings must still be sent
ROLLUP_WEIGHT = 200  # the roll-up, in the weights' unit (ms on the benchmark ledger), paid by a side that reads it


def share(ledger: Ledger, known: bool = False) -> list[int]:
    """The indexes of the checks a forked helper runs for this ledger (none for a small ledger).

    The helper is started before the roll-up is computed (unless it is ``known``): this process
    computes it and runs the checks that read it (``@check(rollup=True)``); the others go,
    heaviest first (the registry's weights), to the side furthest below its share, like the
    sheets of a large workbook (:func:`toolkit.read.parallel.halves`).
    """
    if len(ledger.logs) + len(ledger.details) + len(ledger.summary) < SHARE_ROWS or not forks():
        return []
    weights = REGISTRY.weights
    pinned = set() if known else REGISTRY.reads_rollup  # with the roll-up at hand any check may go
    mine = [fn for _, fn in REGISTRY.checks if fn in pinned]
    here = (ROLLUP_WEIGHT if mine else 0) + sum(weights.get(fn, 1) for fn in mine)
    rest = [(i, fn) for i, (_, fn) in enumerate(REGISTRY.checks) if fn not in pinned]
    helper = deal([weights.get(fn, 1) for _, fn in rest], HELPER_SHARE, here)
    return [i for (i, _), h in zip(rest, helper, strict=True) if h]


def run_checks(ctx: CheckContext, indexes: Iterable[int], degrade: bool) -> dict[int, tuple[list[Finding], list]]:
    """Run the checks at ``indexes``: for each, its findings and the skips it reported."""
    out: dict[int, tuple[list[Finding], list]] = {}
    for i in indexes:
        codes, fn = REGISTRY.checks[i]
        ctx.skips = []
        try:
            found = list(fn(ctx))
        except ImportError as exc:
            if not degrade:
                raise
            found = []
            for code in codes:
                ctx.skip(code, f"{MISSING_RUNTIME} {exc.name or exc}，此项未检查")
        out[i] = (found, ctx.skips)
    return out


def unreadable(shown: str, reason: str) -> Finding:
    """The S0 finding of a file that cannot be read as a workbook."""
    return Finding("S0", shown, None, None, {"reason": reason})


def check_book(book: Book, as_of: dt.date, display: str | None = None, degrade: bool = False) -> Report:
    """Check a workbook of any source (a file's grid, or one open in Excel); ``degrade``: see :func:`check_ledger`."""
    return check_ledger(read_book(book, display), as_of, degrade=degrade)


def check_file(
    path: str | Path, as_of: dt.date, display: str | None = None, leave: Callable[[object], None] | None = None
) -> Report:
    """Check one workbook file; an unreadable file gives an S0 finding, never an exception.

    ``leave`` is handed the ledger once checked (:func:`toolkit.process.leave`: the last ledger of
    a process about to end need not be freed object by object).
    """
    with gc_paused():
        # the ledger lives and dies inside the call: it is acyclic, so it is freed when the call
        # returns, before the collector is back on to scan it once for nothing
        return _check_file(path, as_of, display or str(path), leave)


def _check_file(path: str | Path, as_of: dt.date, shown: str, leave: Callable[[object], None] | None) -> Report:
    try:
        ledger = read_ledger(path, shown)
    except ReadError as exc:
        return Report(as_of, [unreadable(shown, str(exc))], [], [shown])
    report = check_ledger(ledger, as_of)
    if leave is not None:
        leave(ledger)
    if not any(ledger.form(f) for f in ("附件7", "附件8", "附件9")):  # maybe another layout that import converts
        from toolkit.imports.foreign import foreign_report

        return foreign_report(path, shown, report, {f.sheet for f in ledger.forms})
    return report


def target_display(target: Target) -> str:
    """How a batch item is shown: a workbook's display path, or a ledger set's."""
    return target.display if isinstance(target, LedgerFiles) else target[1]


def check_target(target: Target, as_of: dt.date, leave: Callable[[object], None] | None = None) -> Report:
    """Check one batch item: a workbook, or the files of a ledger kept in several (``leave``: see check_file)."""
    if isinstance(target, LedgerFiles):
        return check_files(target, as_of)
    path, shown = target
    return check_file(path, as_of, shown, leave)


def check_targets(
    targets: Iterable[Target],
    as_of: dt.date,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
    scan: list[tuple[Path, str, str | None]] | None = None,
) -> Report:
    """Check workbooks already found by :func:`toolkit.files.expand_paths` (or grouped into ledgers of several
    files by :func:`toolkit.read.ledgerset.targets`); one report for all.

    One item is checked in this process. A batch runs in ``workers`` worker processes (default:
    one per core) through :func:`toolkit.batch.run_batch`, so a file that crashes the reader
    natively becomes its own S0 finding and every other file is checked normally.

    With ``scan`` (a folder's :func:`toolkit.files.scan_paths`) the report lists every candidate
    file as checked or skipped with the reason (``Report.files``), and is not valid when none
    could be checked.
    """
    items = list(targets)
    report = Report(as_of)
    status: dict[str, FileStatus] = {}
    for target, one in zip(items, _check_all(items, as_of, progress, workers), strict=True):
        names = [name for _, name in target.files] if isinstance(target, LedgerFiles) else [target[1]]
        s0 = {f.workbook: f for f in one.findings if f.rule == "S0"}
        for name in names:
            bad = s0.get(name)
            status[name] = (
                FileStatus(name, "skipped", str(bad.values.get("reason", ""))) if bad else FileStatus(name, "checked")
            )
        report.extend(one)
    if scan is not None:
        report.files = [status.get(shown) or FileStatus(shown, "skipped", why or "") for _, shown, why in scan]
    return report


def _check_all(
    items: list[Target], as_of: dt.date, progress: Callable[[str], None] | None, workers: int | None
) -> list[Report]:
    if len(items) <= 1:
        from toolkit.process import leave

        out = []
        for target in items:
            out.append(check_target(target, as_of, leave))  # the only ledger: nothing comes after it
            if progress is not None:
                progress(target_display(target))
        return out
    from toolkit.batch import CRASH_REASON, default_workers, run_batch

    def crashed(job: tuple, what: str) -> Report:
        shown = target_display(job[0])
        return Report(as_of, [unreadable(shown, CRASH_REASON.format(what=what))], [], [shown])

    results: list[Report] = [Report(as_of)] * len(items)
    for i, result in run_batch(check_target, [(t, as_of) for t in items], workers or default_workers(), crashed):
        results[i] = result
        if progress is not None:
            progress(target_display(items[i]))
    return results


def check(
    paths: Iterable[str | Path],
    as_of: dt.date,
    progress: Callable[[str], None] | None = None,
    one_ledger: bool = False,
    workers: int | None = None,
) -> Report:
    """Check workbooks and folders of workbooks as of ``as_of``; one report for all of them.

    A folder marked as one ledger (``read.ledgerset.MARKER``), or everything when ``one_ledger``, is
    checked as one ledger kept in several files (:mod:`toolkit.read.ledgerset`).
    """
    paths = list(paths)
    scan = scan_paths(paths) if any(Path(p).is_dir() for p in paths) else None
    return check_targets(targets(paths, one_ledger), as_of, progress, workers, scan)


# --- a ledger in several files -------------------------------------------------------------


def give_back(
    report: Report, group: LedgerFiles, origin: dict[str, tuple[str, str]], unreadable_files: list[tuple[str, str]]
) -> Report:
    """The report of a merged ledger with each finding on its own file and sheet, the files as its workbooks.

    A finding about the whole ledger (no sheet) goes to the set's first file; an unreadable file is an S0 of its own.
    """
    first = group.files[0][1]
    for f in report.findings:
        f.workbook, f.sheet = origin.get(f.sheet or "", (first, f.sheet))
    for s in report.skipped:
        s.workbook = first
    s0 = [unreadable(shown, reason) for shown, reason in unreadable_files]
    return Report(report.as_of, [*s0, *report.findings], report.skipped, [shown for _, shown in group.files])


def check_files(group: LedgerFiles, as_of: dt.date) -> Report:
    """Check the files of a set as one ledger."""
    with gc_paused():
        ledger, origin, unreadable_files = read_files(group)
        return give_back(check_ledger(ledger, as_of), group, origin, unreadable_files)
