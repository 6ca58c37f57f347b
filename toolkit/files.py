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
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from toolkit.errors import WorkbookLockedError, WriteError

__all__ = [
    "WriteError",
    "WorkbookLockedError",
    "atomic_write",
    "temp_beside",
    "install",
    "check_not_open",
    "backup",
    "lock_files",
    "expand_paths",
]

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


def temp_beside(target: Path | str) -> Path:
    """A new, empty temporary file in ``target``'s folder (so the final rename stays on one file system)."""
    target = Path(target)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise _explain(exc, target) from exc
    os.close(fd)
    return Path(tmp_name)


def new_file_mode() -> int:
    """The mode a new file gets from the user's umask (mkstemp's own is 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def install(tmp: Path, target: Path | str) -> None:
    """Rename the finished ``tmp`` over ``target``: the target's mode is kept, a new file gets the umask's.

    On failure ``tmp`` is removed and the target is unchanged; OS errors become :class:`WriteError`.
    """
    target = Path(target)
    try:
        tmp.chmod(target.stat().st_mode & 0o7777 if target.exists() else new_file_mode())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _explain(exc, target) from exc
    _fsync_dir(target.parent if str(target.parent) else Path("."))


def atomic_write(target: Path | str, write_fn: Callable[[BinaryIO], None]) -> None:
    """Write ``target`` atomically: ``write_fn(fh)`` fills a temporary file that then replaces it.

    ``fh`` is a binary file opened for writing (seekable, so ``zipfile`` can use it). The target
    keeps its old content until the final rename; on any failure the temporary file is removed.
    OS errors become :class:`WriteError`; other exceptions from ``write_fn`` propagate unchanged.
    """
    tmp = temp_beside(target)
    try:
        with tmp.open("wb") as fh:
            write_fn(fh)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _explain(exc, Path(target)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    install(tmp, target)


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


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def expand_paths(paths: Iterable[str | Path]) -> list[tuple[Path, str]]:
    """Each workbook named or found below a folder, with its display path; ``~$`` lock files skipped."""
    out: list[tuple[Path, str]] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    if name.lower().endswith(WORKBOOK_SUFFIXES) and not name.startswith("~$"):
                        full = Path(root) / name
                        out.append((full, str(full)))
        else:
            out.append((path, str(p)))
    return out
