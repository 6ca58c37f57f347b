"""Writing files without ever losing a byte: the write rules of every command (cli.md, "Writing safety").

- :func:`atomic_write` writes through a temporary file beside the target (same directory, so
  the final ``os.replace`` is a rename on one file system), flushed and fsynced, then renamed
  over the target. On any failure the temporary file is removed and the target is unchanged.
  A target that is a symbolic link is written through: the link's target gets the new content.
  A new file gets the mode the umask gives (not ``mkstemp``'s 0600); a replaced file keeps its mode.
- Temporary files are named ``.~zbtz-<pid>-<random>.tmp``; one left behind by a killed run
  (its process is gone) is removed by the next write into that folder.
- :func:`claim_output` is asked before a command writes a file it creates: the output must not
  be one of the command's inputs, an existing file is replaced only with ``force``, a read-only
  file never (the mode bits are checked, so this holds for root too), and the name must fit.
- :func:`backup` keeps a copy beside the ledger before an in-place write, under a name that no
  other run can take (created with a hard link or ``O_EXCL``, never replaced). Backups, temporary
  files and lock files are recognised by :func:`is_own_file` and skipped by folder scans.
- :func:`edit_lock` holds an exclusive lock on a ledger while a command reads and rewrites it in
  place: a second run waits for the first, then reads what the first wrote.
- :func:`check_not_open` refuses a workbook that Excel/WPS (``~$name``) or LibreOffice
  (``.~lock.name#``) has open.

Every OS error becomes a :class:`WriteError` whose message names the file and what to do.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from toolkit.errors import OutputExistsError, WorkbookLockedError, WriteError

__all__ = [
    "OutputExistsError",
    "WriteError",
    "WorkbookLockedError",
    "atomic_write",
    "backup",
    "check_not_open",
    "claim_output",
    "edit_lock",
    "explain",
    "install",
    "is_own_file",
    "is_toolkit_output",
    "mark_output",
    "lock_files",
    "expand_paths",
    "make_dirs",
    "new_file_mode",
    "refuse_read_only",
    "temp_beside",
    "shown_path",
]

_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
TEMP_PREFIX = ".~zbtz-"
_TEMP = re.compile(r"^\.~zbtz-(\d+)-[0-9a-f]+\.tmp$")
_BACKUP = re.compile(r"\.bak-\d{8}-\d{6}(?:-\d+)?\.(?:xlsx|xlsm)$", re.IGNORECASE)
NAME_MAX = 255  # bytes of one file name on every common file system
LOCK_WAIT = 120.0  # seconds a second in-place run waits for the first


def shown_path(path: Path | str) -> str:
    """A path as a person should read it. A name in another encoding (GBK bytes on a UTF-8
    system, kept by Python as surrogates) is decoded as GB18030 when it can be, else its odd bytes
    are shown as ``\\xNN``: never a surrogate, which no terminal or workbook can take."""
    text = str(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    parts = []
    for part in os.fsencode(text).split(b"/"):
        for enc in ("utf-8", "gb18030"):
            try:
                parts.append(part.decode(enc))
                break
            except UnicodeDecodeError:
                continue
        else:
            parts.append(part.decode("utf-8", "backslashreplace"))
    return "/".join(parts)


def lock_files(path: Path | str) -> list[Path]:
    """The lock files that Excel/WPS and LibreOffice create beside ``path`` while it is open."""
    p = Path(path)
    return [p.with_name("~$" + p.name), p.with_name(".~lock." + p.name + "#")]


def _exists(path: Path) -> bool:
    """``os.path.lexists`` that treats a name too long to exist as absent instead of raising."""
    try:
        os.lstat(path)
    except (OSError, ValueError):
        return False
    return True


def check_not_open(path: Path | str) -> None:
    """Raise :class:`WorkbookLockedError` when the workbook at ``path`` is open in an office program."""
    for lock in lock_files(path):
        if _exists(lock):
            raise WorkbookLockedError(
                f"工作簿“{shown_path(Path(path).name)}”正在被 Excel、WPS 或 LibreOffice 打开（发现锁文件 "
                f"{shown_path(lock.name)}）。请先关闭该文件再重试；若确认没有打开，可删除该锁文件。",
                lock,
            )


def is_own_file(name: str) -> bool:
    """True for a file the toolkit or an office program made beside a ledger (not a ledger itself):
    backups, temporary files, Excel/WPS and LibreOffice lock files."""
    return bool(name.startswith(("~$", ".~lock.", TEMP_PREFIX)) or _BACKUP.search(name))


OUTPUT_MARK = "zbtz-output"  # a custom document property on the workbooks the toolkit writes as reports


def mark_output(wb: object, kind: str) -> None:
    """Mark an openpyxl workbook as a toolkit output (汇总, 附件5, 打印), so folder scans skip it."""
    from openpyxl.packaging.custom import StringProperty

    wb.custom_doc_props.append(StringProperty(name=OUTPUT_MARK, value=kind))  # type: ignore[attr-defined]


def is_toolkit_output(path: Path | str) -> bool:
    """True for a workbook the toolkit wrote as a report (see :func:`mark_output`); False for anything
    else, including a file that cannot be opened (the reader reports that)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("docProps/custom.xml")
            if info.file_size > 1 << 20:
                return False
            return f'name="{OUTPUT_MARK}"'.encode() in zf.read(info)
    except (KeyError, OSError, zipfile.BadZipFile, ValueError, EOFError, RuntimeError, NotImplementedError):
        return False


def explain(exc: OSError, target: Path) -> WriteError:
    """Turn an OS error into a :class:`WriteError` that names the file and what to do."""
    name = shown_path(target)
    if exc.errno in _DISK_FULL:
        return WriteError(f"磁盘空间不足（或超出文件大小限制），无法写入“{name}”。原文件未改动；请清理磁盘空间后重试。")
    if exc.errno == errno.ENAMETOOLONG:
        return WriteError(f"文件名过长，无法写入“{name}”。原文件未改动；请换一个短一些的文件名或文件夹。")
    if exc.errno == errno.EROFS:
        return WriteError(f"“{name}”所在的磁盘是只读的，无法写入。原文件未改动；请写到其他位置。")
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return WriteError(
            f"没有权限写入“{name}”（文件或文件夹为只读，或被其他程序占用）。原文件未改动；请检查权限或关闭占用它的程序后重试。"
        )
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return WriteError(f"无法写入“{name}”：所在文件夹不存在。请检查输出路径。")
    if exc.errno == errno.EISDIR:
        return WriteError(f"无法写入“{name}”：这是一个文件夹。请给出文件名。")
    return WriteError(f"写入“{name}”失败：{exc.strerror or exc}。原文件未改动；请检查磁盘和路径后重试。")


def _real(target: Path) -> Path:
    """The file a write to ``target`` must change: a symbolic link's final target."""
    if os.path.islink(target):
        return Path(os.path.realpath(target))
    return target


def _is_read_only(st: os.stat_result) -> bool:
    return not (st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def refuse_read_only(target: Path) -> None:
    """Raise :class:`WriteError` when ``target`` is a file without any write permission bit."""
    try:
        st = os.stat(target)
    except (OSError, ValueError):
        return
    if stat.S_ISREG(st.st_mode) and _is_read_only(st):
        raise WriteError(
            f"“{shown_path(target)}”是只读文件，不会被改写。原文件未改动；如确需改写，请先取消其只读属性，或写到另一个文件。"
        )


def _check_name(target: Path) -> None:
    if len(os.fsencode(target.name)) > NAME_MAX:
        raise WriteError(
            f"文件名过长（超过 {NAME_MAX} 字节），无法写入“{shown_path(target)}”。请换一个短一些的文件名。"
        )


def claim_output(target: Path | str, *, inputs: Iterable[Path | str] = (), force: bool = False) -> Path:
    """Check that a command may create or replace ``target``; return the path to write.

    Refuses (:class:`WriteError`) an output that is one of ``inputs`` (the same file under any
    name), an existing file without ``force``, a read-only file, a folder, a name too long, and a
    workbook open in an office program.
    """
    path = Path(target)
    _check_name(path)
    real = _real(path)
    for item in inputs:
        if _same_file(real, Path(item)):
            raise WriteError(
                f"输出文件“{shown_path(path)}”就是输入的台账“{shown_path(item)}”，不能覆盖输入。请另给一个输出文件名。"
            )
    if os.path.isdir(real):
        raise WriteError(f"输出“{shown_path(path)}”是一个文件夹。请给出文件名。")
    if _exists(path) and not force:
        raise OutputExistsError(f"“{shown_path(path)}”已存在；为免覆盖，请换一个文件名，或加 --force 覆盖它。")
    refuse_read_only(real)
    check_not_open(real)
    return real


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        try:
            return a.resolve() == b.resolve()
        except (OSError, ValueError, RuntimeError):
            return False


# --------------------------------------------------------------------------- temporary files


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's live process
    return True


def clean_stale_temps(directory: Path) -> list[Path]:
    """Remove the temporary files a killed run left in ``directory`` (their process is gone)."""
    removed: list[Path] = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        m = _TEMP.match(name)
        if m is None or _pid_alive(int(m[1])):
            continue
        path = directory / name
        try:
            path.unlink()
            removed.append(path)
        except OSError:
            pass
    return removed


def temp_beside(target: Path) -> Path:
    """A new, empty temporary file beside ``target`` (after removing stale ones there)."""
    directory = target.parent if str(target.parent) else Path(".")
    clean_stale_temps(directory)
    tmp = directory / f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise explain(exc, target) from exc
    os.close(fd)
    return tmp


def make_dirs(directory: Path | str) -> Path:
    """Create ``directory`` and its parents if needed; a :class:`WriteError` instead of an OS error."""
    path = Path(directory)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise WriteError(f"无法创建文件夹“{shown_path(path)}”：已有同名文件。请换一个输出路径。") from exc
    except OSError as exc:
        raise explain(exc, path) from exc
    return path


def new_file_mode() -> int:
    """The mode a new file gets from the user's umask (mkstemp's own is 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def install(tmp: Path, target: Path) -> None:
    """Rename the finished ``tmp`` over ``target``: the old file's mode, or the umask's for a new one."""
    try:
        if os.path.exists(target):
            shutil.copymode(target, tmp)
        else:
            os.chmod(tmp, new_file_mode())
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise explain(exc, target) from exc
    _fsync_dir(target.parent if str(target.parent) else Path("."))


_LIBXML_IO = re.compile(r"IO_(E[A-Z]+)")


def _io_failure(exc: BaseException) -> OSError | None:
    """The OS error behind a writer's own exception: lxml reports a failed write as
    ``SerialisationError: IO_EFBIG`` (openpyxl writes through it), not as an ``OSError``."""
    if type(exc).__name__ != "SerialisationError":
        return None
    m = _LIBXML_IO.search(str(exc))
    code = getattr(errno, m[1], errno.EIO) if m else errno.EIO
    return OSError(code, os.strerror(code))


@contextlib.contextmanager
def temp_for(target: Path | str) -> Iterator[tuple[Path, Path]]:
    """``(tmp, real_target)``: fill ``tmp``, then :func:`install` it; ``tmp`` is removed on any failure."""
    real = _real(Path(target))
    _check_name(real)
    refuse_read_only(real)
    tmp = temp_beside(real)
    try:
        yield tmp, real
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise explain(exc, real) from exc
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        io = _io_failure(exc)
        if io is not None:
            raise explain(io, real) from exc
        raise


def atomic_write(target: Path | str, write_fn: Callable[[BinaryIO], None]) -> Path:
    """Write ``target`` atomically: ``write_fn(fh)`` fills a temporary file that then replaces it.

    ``fh`` is a binary file opened for writing (seekable, so ``zipfile`` can use it). The target
    keeps its old content until the final rename; on any failure the temporary file is removed.
    A read-only target is refused. OS errors become :class:`WriteError`; other exceptions from
    ``write_fn`` propagate unchanged. Returns the path written (a symbolic link's target).
    """
    with temp_for(target) as (tmp, real):
        with open(tmp, "wb") as fh:
            write_fn(fh)
            fh.flush()
            os.fsync(fh.fileno())
        install(tmp, real)
    return real


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


# --------------------------------------------------------------------------- backups


def _backup_name(src: Path, stamp: str, n: int) -> Path:
    """``<stem>.bak-<stamp>[-n]<suffix>``, the stem shortened so that the name fits."""
    tail = f".bak-{stamp}{'' if n == 1 else f'-{n}'}{src.suffix}"
    stem = src.stem
    while len(os.fsencode(stem + tail)) > NAME_MAX and stem:
        stem = stem[:-1]
    return src.with_name(stem + tail)


def backup(path: Path | str, now: dt.datetime | None = None) -> Path:
    """Copy ``path`` to ``<stem>.bak-YYYYmmdd-HHMMSS<suffix>`` beside it and return the copy's path.

    The name is taken atomically (a hard link to the finished copy, or ``O_EXCL``): two runs in the
    same second get two backups, and an existing file is never replaced.
    """
    src = _real(Path(path))
    if not src.is_file():
        raise WriteError(f"无法备份“{shown_path(src)}”：文件不存在。请检查路径。")
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    try:
        tmp = temp_beside(src)
    except WriteError as exc:
        raise WriteError(f"备份失败，未做任何修改：{exc}") from exc
    try:
        with src.open("rb") as inp, open(tmp, "wb") as out:
            shutil.copyfileobj(inp, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        shutil.copystat(src, tmp)
        n = 1
        while True:
            dest = _backup_name(src, stamp, n)
            if _take_name(tmp, dest):
                return dest
            n += 1
    except OSError as exc:
        raise WriteError(f"备份失败，未做任何修改：{explain(exc, src)}") from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _take_name(tmp: Path, dest: Path) -> bool:
    """Give ``tmp``'s content the name ``dest`` unless that name exists; False when it does."""
    try:
        os.link(tmp, dest)
        return True
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
    try:  # a file system without hard links
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as out, open(tmp, "rb") as inp:
        shutil.copyfileobj(inp, out, 1 << 20)
    shutil.copystat(tmp, dest)
    return True


# --------------------------------------------------------------------------- the in-place lock

_HELD: dict[tuple[int, int], int] = {}


@contextlib.contextmanager
def edit_lock(path: Path | str, wait: float | None = None) -> Iterator[Path]:
    """Hold an exclusive lock on the ledger at ``path`` while it is read and rewritten in place.

    A second run (another process) waits up to ``wait`` seconds, then stops with a
    :class:`WriteError`. The lock is taken on the file itself (``flock``), so it is released when
    the holder ends, even by ``kill -9``; after the holder replaced the file the waiter locks the
    new file. Re-entrant within one process. Yields the real path (a symbolic link resolved).
    """
    real = _real(Path(path))
    wait = LOCK_WAIT if wait is None else wait
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks on a path; Excel's own lock files still apply
        yield real
        return
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(real, os.O_RDONLY)
        except OSError as exc:
            raise WriteError(f"无法打开“{shown_path(real)}”：{exc.strerror or exc}。请检查路径和权限。") from exc
        st = os.fstat(fd)
        key = (st.st_dev, st.st_ino)
        if key in _HELD:
            os.close(fd)
            _HELD[key] += 1
            try:
                yield real
            finally:
                _HELD[key] -= 1
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            if time.monotonic() > deadline:
                raise WriteError(
                    f"另一个 zbtz 进程正在修改“{shown_path(real)}”，等待 {wait:.0f} 秒后仍未结束。请等它完成后再试。"
                ) from None
            time.sleep(0.1)
            continue
        try:
            now = os.stat(real)
        except OSError:
            now = None
        if now is None or (now.st_dev, now.st_ino) != key:  # replaced while we waited: lock the new file
            os.close(fd)
            continue
        break
    _HELD[key] = 1
    try:
        yield real
    finally:
        del _HELD[key]
        os.close(fd)


def fingerprint(path: Path | str) -> tuple[int, int, int] | None:
    """(inode, size, modification time) of a file, to tell later whether someone rewrote it."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


# --------------------------------------------------------------------------- folder scans

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".et", ".ods")
# spreadsheet files a folder may hold that are not ledgers to check: listed as skipped, with why
NOT_LEDGERS = {
    ".csv": "CSV 文本文件不是工作簿，无法按表格式检查；请用 Excel/WPS 另存为 .xlsx",
    ".xltx": "Excel 模板文件，不是台账",
    ".xlt": "Excel 模板文件，不是台账",
    ".ett": "WPS 模板文件，不是台账",
    ".numbers": "Numbers 文件无法读取；请导出为 .xlsx",
}
LOCK_FILE = "Office/WPS 打开文件时生成的临时锁定文件（~$ 开头），不是台账"


def expand_paths(
    paths: Iterable[str | Path], suffixes: tuple[str, ...] | None = WORKBOOK_SUFFIXES
) -> list[tuple[Path, str]]:
    """Each workbook named or found below a folder, with its display path.

    ``suffixes=None`` takes every file below a folder but hidden ones (scan files come in any format).
    A folder scan skips what is not a unit's ledger: Excel/WPS lock files (``~$``), the toolkit's
    backups (``*.bak-YYYYmmdd-HHMMSS.xlsx``) and temporary files, hidden folders, and the reports
    the toolkit wrote (汇总, 附件5, printouts; marked in their document properties). A file
    named on the command line is always read. A name in another encoding (GBK) is shown decoded.
    """
    if suffixes == WORKBOOK_SUFFIXES:
        return [(path, shown) for path, shown, why in scan_paths(paths) if why is None]
    out: list[tuple[Path, str]] = []
    for p in paths:
        path = Path(p)
        if not path.is_dir():
            out.append((path, shown_path(p)))
            continue
        for full in _folder_files(path):
            name = full.name
            wanted = name.lower().endswith(suffixes) if suffixes is not None else not name.startswith(".")
            if wanted and not is_own_file(name) and not is_toolkit_output(full):
                out.append((full, shown_path(full)))
    return out


def _folder_files(folder: Path) -> Iterator[Path]:
    """Every file below ``folder`` in name order, hidden folders left out: the one walk of a folder scan."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            yield Path(root) / name


def scan_paths(paths: Iterable[str | Path]) -> list[tuple[Path, str, str | None]]:
    """Every candidate file named or found below a folder: (path, display path, why it is skipped or ``None``).

    A folder's candidates are its spreadsheet files (by suffix: the ledgers, and the lock files,
    templates and CSV files that are skipped with a reason); the toolkit's own backups, temporary
    files and reports are not candidates. A file named on its own is always a candidate, and its
    bytes decide whether it can be read.
    """
    out: list[tuple[Path, str, str | None]] = []
    for p in paths:
        path = Path(p)
        if not path.is_dir():
            out.append((path, shown_path(p), None))
            continue
        for full in _folder_files(path):
            name, suffix = full.name, full.suffix.lower()
            if suffix in WORKBOOK_SUFFIXES:
                if name.startswith("~$"):
                    out.append((full, shown_path(full), LOCK_FILE))
                elif not is_own_file(name) and not is_toolkit_output(full):
                    out.append((full, shown_path(full), None))
            elif suffix in NOT_LEDGERS:
                out.append((full, shown_path(full), NOT_LEDGERS[suffix]))
    return out
