"""Writing a workbook without ever leaving a half-written file.

Every command that writes goes through :func:`atomic_write`: the new content is written to a
temporary file beside the target (same directory, so the final ``os.replace`` is a rename on one
file system), flushed and fsynced, then renamed over the target. If anything fails on the way --
permission denied, a full disk, an exception in the writer, Ctrl+C -- the temporary file is
removed and the target is left exactly as it was.

:func:`check_not_open` refuses a workbook that Excel/WPS (``~$name``) or LibreOffice
(``.~lock.name#``) has open, and :func:`backup` keeps a timestamped copy before ``--in-place``.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from toolkit.errors import WorkbookLockedError, WriteError

__all__ = ["WriteError", "WorkbookLockedError", "atomic_write", "check_not_open", "backup", "lock_files"]

_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}






def lock_files(path: Path | str) -> list[Path]:
    """The lock files that Excel/WPS and LibreOffice create beside ``path`` while it is open."""
    p = Path(path)
    return [p.with_name("~$" + p.name), p.with_name(".~lock." + p.name + "#")]


def check_not_open(path: Path | str) -> None:
    """Raise :class:`WorkbookLockedError` when the workbook at ``path`` is open in an office program."""
    for lock in lock_files(path):
        if lock.exists():
            raise WorkbookLockedError(
                f"工作簿“{Path(path).name}”正在被 Excel、WPS 或 LibreOffice 打开（发现锁文件 {lock.name}）。"
                "请先关闭该文件再重试；若确认没有打开，可删除该锁文件。",
                lock,
            )


def _explain(exc: OSError, target: Path) -> WriteError:
    """Turn an OS error into a :class:`WriteError` that names the file and what to do."""
    name = str(target)
    if exc.errno in _DISK_FULL:
        return WriteError(f"磁盘空间不足，无法写入“{name}”。原文件未改动；请清理磁盘空间后重试。")
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return WriteError(
            f"没有权限写入“{name}”（文件可能被其他程序占用或为只读）。原文件未改动；请关闭占用它的程序或检查权限后重试。"
        )
    if exc.errno == errno.ENOENT:
        return WriteError(f"无法写入“{name}”：所在文件夹不存在。请检查输出路径。")
    return WriteError(f"写入“{name}”失败：{exc.strerror or exc}。原文件未改动；请检查磁盘和路径后重试。")


def atomic_write(target: Path | str, write_fn: Callable[[BinaryIO], None]) -> None:
    """Write ``target`` atomically: ``write_fn(fh)`` fills a temporary file that then replaces it.

    ``fh`` is a binary file opened for writing (seekable, so ``zipfile`` can use it). The target
    keeps its old content until the final rename; on any failure the temporary file is removed.
    OS errors become :class:`WriteError`; other exceptions from ``write_fn`` propagate unchanged.
    """
    target = Path(target)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise _explain(exc, target) from exc
    tmp = Path(tmp_name)
    done = False
    try:
        with os.fdopen(fd, "wb") as fh:
            write_fn(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if target.exists():
            shutil.copymode(target, tmp)
        os.replace(tmp, target)
        done = True
        _fsync_dir(directory)
    except OSError as exc:
        raise _explain(exc, target) from exc
    finally:
        if not done:
            try:
                tmp.unlink()
            except FileNotFoundError:
                pass


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable (POSIX only; Windows has no directory handles to fsync)."""
    if os.name != "posix":
        return
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass  # some file systems refuse fsync on a directory; the rename itself has happened
    finally:
        os.close(dfd)


def backup(path: Path | str, now: dt.datetime | None = None) -> Path:
    """Copy ``path`` to ``<stem>.bak-YYYYmmdd-HHMMSS<suffix>`` beside it and return the copy's path."""
    src = Path(path)
    if not src.is_file():
        raise WriteError(f"无法备份“{src}”：文件不存在。请检查路径。")
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    dest = src.with_name(f"{src.stem}.bak-{stamp}{src.suffix}")
    n = 2
    while dest.exists():
        dest = src.with_name(f"{src.stem}.bak-{stamp}-{n}{src.suffix}")
        n += 1

    def copy(fh: BinaryIO) -> None:
        with src.open("rb") as inp:
            shutil.copyfileobj(inp, fh, 1 << 20)

    try:
        atomic_write(dest, copy)
        shutil.copystat(src, dest)
    except WriteError as exc:
        raise WriteError(f"备份失败，未做任何修改：{exc}") from exc
    except OSError as exc:
        raise _explain(exc, dest) from exc
    return dest
