"""One large workbook read by two processes, each taking some of its sheets.

Parsing the sheets (python-calamine) and reading their rows is most of what checking a large
ledger costs, and one Python process runs on one core. A workbook whose sheets inflate to
:data:`SPLIT_BYTES` or more is therefore read by this process and one helper process at once,
each taking about half of the bytes (:func:`halves`). The helper returns its sheets as the
reader's per-sheet results, pickled; the reader attaches every sheet in workbook order, so the
model is the one a single process builds (the tests compare the two on every factory ledger).

Nothing here may change a result. Whenever the helper does not deliver (one core only, a
process that cannot start or that dies, any error inside it), :meth:`Helper.result` gives
``None`` and the reader reads those sheets itself, so a damaged sheet raises the very error a
single process raises. Inside a process that :mod:`multiprocessing` started (a batch worker:
the batch already keeps every core busy) nothing is split.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

SPLIT_BYTES = 4 << 20  # sheet XML below this: starting a second process costs more than it saves
# The helper's share of the sheet bytes. It sends its sheets as tables (lists per column) and this
# process makes their row objects after the join (about 0.1 s for 100,000 rows), while making its
# own during the helper's reading; on the benchmark ledger the model was ready, median of 4 runs,
# 1.61 s after start at 0.46, 1.57 s at 0.5, 1.70 s at 0.54.
HELPER_SHARE = 0.5


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def worth(total: int) -> bool:
    """Whether ``total`` bytes of sheet XML are worth a second process here (not on one core, and
    not inside a worker process)."""
    if total < SPLIT_BYTES or cores() < 2:
        return False
    import multiprocessing  # here, not at the top: a small ledger's check starts without it

    return multiprocessing.parent_process() is None and _can_start()


def forks() -> bool:
    """Whether a :class:`Helper` started here would be a fork of this process, and worth it: two
    cores or more, not inside a worker process, Linux with one thread. Only a fork may be handed
    what this process holds without pickling it (a whole ledger, for its checks)."""
    if cores() < 2 or not sys.platform.startswith("linux") or threading.active_count() != 1:
        return False
    import multiprocessing

    return multiprocessing.parent_process() is None


def _can_start() -> bool:
    """A helper can be started: by fork, or by running this interpreter again (not in a frozen
    program, nor in a host such as Excel whose executable is not Python)."""
    if getattr(sys, "frozen", False):
        return False
    return _context().get_start_method() == "fork" or os.path.basename(sys.executable).lower().startswith("python")


def halves(sheets: list[tuple[int, str]], sizes: dict[str, int]) -> tuple[list[int], list[int]] | None:
    """The sheet indexes this process reads and those the helper reads, or ``None`` when a second
    process is not worth it (:func:`worth`, or fewer than two sheets).

    ``sheets`` are (index, name) pairs, ``sizes`` the bytes each sheet's part inflates to; the
    largest sheets are dealt first, each to the side furthest below its share
    (:data:`HELPER_SHARE` for the helper).
    """
    if len(sheets) < 2 or not worth(sum(sizes.get(name, 0) for _, name in sheets)):
        return None
    helper = deal([sizes.get(name, 0) for _, name in sheets], HELPER_SHARE)
    if not any(helper):
        return None
    mine = sorted(i for (i, _), h in zip(sheets, helper, strict=True) if not h)
    theirs = sorted(i for (i, _), h in zip(sheets, helper, strict=True) if h)
    return mine, theirs


def deal(weights: Sequence[float], share: float, here: float = 0.0) -> list[bool]:
    """Which items go to the helper: the heaviest first, each to the side furthest below its share
    (``share`` the helper's), this side starting with ``here`` already to do. Equal weights keep
    their order."""
    load = [here, 0.0]
    out = [False] * len(weights)
    for i in sorted(range(len(weights)), key=lambda i: -weights[i]):
        side = 0 if load[0] * share <= load[1] * (1 - share) else 1
        load[side] += weights[i]
        out[i] = side == 1
    return out


def _context() -> Any:
    """Fork where it is safe and cheap (Linux, one thread: the child starts with every module
    already imported); start a fresh interpreter elsewhere (Windows, macOS, a threaded process)."""
    import multiprocessing

    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class Helper:
    """``fn(*args)`` run in a second process, started at once; :meth:`result` waits for it."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self._conn: Any = None
        for stream in (sys.stdout, sys.stderr):  # a fork would print again what was still buffered
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):  # no stream (pythonw), or a closed one
                pass
        try:
            ctx = _context()
            receive, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_serve, args=(send, fn, args), daemon=True)
            proc.start()
        except Exception:  # no process could be started: the caller reads everything itself
            return
        send.close()
        self._conn, self._proc = receive, proc

    def result(self) -> Any | None:
        """What ``fn`` returned, or ``None`` when the helper failed in any way."""
        import pickle

        conn, self._conn = self._conn, None
        if conn is None:
            return None
        try:
            data = conn.recv_bytes()
            ok, value = pickle.loads(data)
        except Exception:  # the process died (EOFError), or sent something unreadable
            return None
        finally:
            conn.close()
        return value if ok else None

    def cancel(self) -> None:
        """Stop waiting for the helper and end it."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
            self._proc.terminate()


def _serve(conn: Any, fn: Callable[..., Any], args: tuple) -> None:
    """The helper process: run ``fn`` and send back (True, its result) or (False, None)."""
    import pickle

    try:
        out: tuple[bool, Any] = (True, fn(*args))
    except BaseException:  # noqa: BLE001  # any failure means: the parent reads these sheets itself
        out = (False, None)
    try:
        data = pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        data = pickle.dumps((False, None))
    try:
        conn.send_bytes(data)
    finally:
        conn.close()
