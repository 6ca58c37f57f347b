"""How a ``zbtz`` process treats its memory: the collector paused over a ledger, and the end.

A ledger becomes millions of small, acyclic objects; :func:`gc_paused` keeps the cyclic collector
off while one is read, checked or edited.

The interpreter's own shutdown frees every object one by one, and so does returning from a call
that read a large ledger: a few hundred megabytes of small objects, 0.1-0.2 s each time on the
benchmark ledger, although the operating system takes the whole process back at once.
:func:`quick_exit` ends the process once the command is done (exit handlers run, streams
flushed); :func:`leave` keeps a ledger that is no longer needed until then, when
:func:`ends_after_command` says the process ends with the command. A library caller (the Excel
button, a batch worker, the tests) never sets that, and everything is freed as usual.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

_ending = False
_left: list[object] = []


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


def ends_after_command() -> None:
    """This process ends when its command is done (the ``zbtz`` program, not a library caller)."""
    global _ending
    _ending = True


def leave(obj: object) -> None:
    """``obj`` is no longer needed: freed by the caller as usual, or left to the end of the process."""
    if _ending:
        _left.append(obj)
        # never to be freed, so never to be scanned: a collection after the reading (the collector
        # paused, every object still young) would otherwise walk the whole ledger once for nothing
        gc.freeze()


def quick_exit(code: int) -> NoReturn:
    """End the process with ``code`` as a normal exit would, without freeing its objects one by one."""
    atexit._run_exitfuncs()  # what a normal exit runs: multiprocessing, logging, temp files
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):  # a closed or broken pipe: Python's own exit gives 120
            code = code or 120
    os._exit(code)
