"""``check``: read ledgers, run every rule, return one :class:`Report`."""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from toolkit.errors import ReadError
from toolkit.findings import FileStatus, Finding, Report
from toolkit.model import Ledger
from toolkit.read.grid import Book
from toolkit.read.reader import read_book, read_ledger
from toolkit.rollup import compute_rollup
from toolkit.rules.builtin import REGISTRY
from toolkit.rules.context import CheckContext

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".et", ".ods")
# spreadsheet files a folder may hold that are not ledgers to check: listed as skipped, with why
_NOT_LEDGERS = {
    ".csv": "CSV 文本文件不是工作簿，无法按表格式检查；请用 Excel/WPS 另存为 .xlsx",
    ".xltx": "Excel 模板文件，不是台账",
    ".xlt": "Excel 模板文件，不是台账",
    ".ett": "WPS 模板文件，不是台账",
    ".numbers": "Numbers 文件无法读取；请导出为 .xlsx",
}
LOCK_FILE = "Office/WPS 打开文件时生成的临时锁定文件（~$ 开头），不是台账"


def check_ledger(ledger: Ledger, as_of: dt.date) -> Report:
    """Run every registered rule over one ledger model."""
    ctx = CheckContext(ledger, as_of, compute_rollup(ledger, as_of, detail_fallback=True))
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
    """Each workbook named or found below a folder, with its display path; lock files and others skipped."""
    for path, shown, skipped in scan_paths(paths):
        if skipped is None:
            yield path, shown


def scan_paths(paths: Iterable[str | Path]) -> Iterator[tuple[Path, str, str | None]]:
    """Every candidate file named or found below a folder: (path, display path, why it is skipped or ``None``).

    A folder's candidates are the spreadsheet files in it (by suffix); a file named on its own is
    always a candidate and its bytes decide whether it can be read.
    """
    for p in paths:
        path = Path(p)
        if not path.is_dir():
            yield path, str(p), None
            continue
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(files):
                suffix = os.path.splitext(name)[1].lower()
                full = Path(root) / name
                if suffix in WORKBOOK_SUFFIXES:
                    yield full, str(full), LOCK_FILE if name.startswith("~$") else None
                elif suffix in _NOT_LEDGERS:
                    yield full, str(full), _NOT_LEDGERS[suffix]


def check(
    paths: Iterable[str | Path],
    as_of: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Check workbooks and folders of workbooks; one report for all of them.

    When a folder is among ``paths`` the report lists every candidate file as checked or
    skipped with the reason (``Report.files``), and is not valid when none could be checked.
    """
    paths = list(paths)
    day = as_of or dt.date.today()
    report = Report(day)
    listing: list[FileStatus] = []
    for path, shown, skipped in scan_paths(paths):
        if skipped is not None:
            listing.append(FileStatus(shown, "skipped", skipped))
            continue
        one = check_file(path, day, shown)
        unreadable = [f for f in one.findings if f.rule == "S0"]
        listing.append(FileStatus(shown, "skipped", unreadable[0].values.get("reason", "")) if unreadable else FileStatus(shown, "checked"))
        report.extend(one)
        if progress is not None:
            progress(shown)
    if any(Path(p).is_dir() for p in paths):
        report.files = listing
    return report
