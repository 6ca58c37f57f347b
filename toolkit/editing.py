"""Edit an existing ledger workbook safely: one path for every command that changes a user's file.

:func:`edit_workbook` opens the workbook as a :class:`~toolkit.xlsxpkg.Package` (never through
openpyxl, which would drop what it does not model), lets the caller change it, and saves it
atomically to ``-o OUT`` or over the ledger itself after keeping a backup copy (cli.md, "Writing
safety"). A ledger in another format (.xls, .ods …) is never written: the result is a new .xlsx
(:mod:`toolkit.convert`), at ``-o OUT`` or beside it. A workbook that Excel, WPS or LibreOffice has open is refused before anything is read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .convert import ConvertError, converted_target, source_format, xlsx_copy
from .errors import ToolkitError
from .safewrite import backup, check_not_open
from .xlsxpkg import Package


class EditError(ToolkitError):
    """The edit cannot be written (bad target, locked workbook …)."""


@dataclass(frozen=True)
class Edited:
    """Where the edit went: the file written (``None`` when nothing needed writing) and the backup."""

    target: Path | None
    backup: Path | None = None
    converted_from: str | None = None  # the original's format when the result is a new .xlsx beside it


def edit_workbook(
    path: str | Path,
    edit: Callable[[Package], bool],
    *,
    out: str | Path | None = None,
    in_place: bool = False,
) -> Edited:
    """Apply ``edit`` to the workbook at ``path`` and save it to ``out`` or, with ``in_place``, over it.

    ``edit(pkg)`` returns whether it changed anything. In place, an unchanged workbook is not
    rewritten and no backup is made; with ``out`` the file is always written (a copy when
    nothing changed), so the output exists after every successful run. Raises
    :class:`EditError` for a bad target and the :mod:`toolkit.safewrite` errors for a locked,
    unwritable or full target; the ledger is never changed then.
    """
    src = Path(path)
    asked_in_place = in_place
    target, in_place = edit_target(src, out, in_place)
    check_not_open(target)  # reading a workbook Excel holds open is fine; writing it is not
    kind = source_format(src)
    if kind is not None:  # .xls, .ods …: the result is a new .xlsx, the original is never touched
        with xlsx_copy(src, target.parent) as copy:
            pkg = Package.open(copy)
            if not edit(pkg) and asked_in_place:
                return Edited(None)  # nothing to change: no new file beside the ledger either
            pkg.save(target)
        return Edited(target, None, kind)
    pkg = Package.open(src)
    changed = edit(pkg)
    if in_place and not changed:
        return Edited(None)
    saved = backup(src) if in_place else None
    pkg.save(target)
    return Edited(target, saved)


def edit_target(src: Path, out: str | Path | None, in_place: bool) -> tuple[Path, bool]:
    """The file to write and whether it is the ledger itself (``-o`` naming the ledger means in place)."""
    if out is None and not in_place:
        raise EditError("请用 -o 指定输出文件，或用 --in-place 直接修改台账（会先备份），二者选一。")
    if out is not None and in_place:
        raise EditError("-o 与 --in-place 不能同时使用。")
    if source_format(src) is not None:
        try:
            return converted_target(src, out, in_place), False
        except ConvertError as exc:
            raise EditError(str(exc)) from exc
    if in_place:
        return src, True
    target = Path(out)  # type: ignore[arg-type]
    if target.suffix.lower() != src.suffix.lower():
        raise EditError(f"输出文件“{target.name}”的扩展名应与台账相同（{src.suffix}）。")
    same = target.exists() and src.exists() and target.resolve() == src.resolve()
    return target, same
