"""Running one job per file in worker processes, so that no single file can end the batch.

A file that crashes the reading library natively (an abort, a segmentation fault, the kernel's
out-of-memory killer) kills the worker process that reads it, and ``ProcessPoolExecutor`` then
fails every job still in the pool with ``BrokenProcessPool``. :func:`run_batch` re-runs each of
those jobs alone in a fresh one-worker pool: the good files come back normally, and only the
file that kills its worker again is handed to ``crashed``, which turns it into a result (an S0
finding). The common path is one pool for the whole batch; the retries cost one process each
and happen only after a crash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from toolkit.read.parallel import cores

R = TypeVar("R")

CRASH_REASON = (
    "读取此文件时处理进程异常退出（{what}），文件可能已损坏或含有读取库无法处理的内容；"
    "请用 Excel 或 WPS 打开后另存为 .xlsx 再检查，并将此文件报告给工具维护人员"
)


def run_batch(
    fn: Callable[..., R],
    jobs: Sequence[tuple[Any, ...]],
    workers: int,
    crashed: Callable[[tuple[Any, ...], str], R],
) -> Iterator[tuple[int, R]]:
    """Yield ``(index, fn(*job))`` for every job, in completion order, from ``workers`` processes.

    A job whose worker process dies, alone, yields ``crashed(job, reason)`` instead; so does one
    whose result cannot be sent back.
    """
    retry: list[int] = []
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(jobs)))) as pool:
        futures: dict[Future[R], int] = {pool.submit(fn, *job): i for i, job in enumerate(jobs)}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                yield i, fut.result()
            except BrokenProcessPool:
                retry.append(i)  # this job, or another in the same pool, killed a worker
            except Exception as exc:  # noqa: BLE001  (a result that cannot be pickled, …)
                yield i, crashed(jobs[i], type(exc).__name__)
    for i in sorted(retry):
        yield i, _alone(fn, jobs[i], crashed)


def _alone(fn: Callable[..., R], job: tuple[Any, ...], crashed: Callable[[tuple[Any, ...], str], R]) -> R:
    with ProcessPoolExecutor(max_workers=1) as pool:
        try:
            return pool.submit(fn, *job).result()
        except BrokenProcessPool:
            return crashed(job, "进程被终止")
        except Exception as exc:  # noqa: BLE001
            return crashed(job, type(exc).__name__)


def default_workers() -> int:
    """One worker per core this process may use."""
    return cores()
