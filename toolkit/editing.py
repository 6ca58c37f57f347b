"""Edit an existing ledger workbook safely: one path for every command that changes a user's file.

:func:`edit_workbook` opens the workbook as a :class:`~toolkit.xlsxpkg.Package` (never through
openpyxl, which would drop what it does not model), lets the caller change it, and saves it
atomically to ``-o OUT`` or over the ledger itself after keeping a backup copy (cli.md, "Writing
safety"). A workbook that Excel, WPS or LibreOffice has open is refused before anything is read.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import ToolkitError
from .safewrite import WriteError, backup, check_not_open, claim_output, edit_lock, fingerprint, shown_path
from .xlsxpkg import Package


class EditError(ToolkitError):
    """The edit cannot be written (bad target, locked workbook …)."""


@dataclass(frozen=True)
class Edited:
    """Where the edit went: the file written (``None`` when nothing needed writing) and the backup."""

    target: Path | None
    backup: Path | None = None


def edit_workbook(
    path: str | Path,
    edit: Callable[[Package], bool],
    *,
    out: str | Path | None = None,
    in_place: bool = False,
    force: bool = False,
    expect: tuple[int, int, int] | None = None,
) -> Edited:
    """Apply ``edit`` to the workbook at ``path`` and save it to ``out`` or, with ``in_place``, over it.

    ``edit(pkg)`` returns whether it changed anything; anything it reads from the ledger file
    it reads inside the call, so under the lock. In place, an unchanged workbook is not
    rewritten and no backup is made; with ``out`` the file is always written (a copy when
    nothing changed), so the output exists after every successful run; an existing ``out`` is
    replaced only with ``force``. ``expect``: the ledger's :func:`~toolkit.safewrite.fingerprint`
    when it was checked; if it changed since, nothing is written. Raises :class:`EditError` for a
    bad target and the :mod:`toolkit.safewrite` errors for a locked, read-only, unwritable or full
    target; the ledger is never changed then.
    """
    src = Path(path)
    target, in_place = edit_target(src, out, in_place, force)
    check_not_open(target)  # reading a workbook Excel holds open is fine; writing it is not
    with edit_lock(src) as real:
        if expect is not None and fingerprint(real) != expect:
            raise WriteError(
                f"“{shown_path(src)}”在检查之后被修改过（可能另一个程序正在改它），未写入。原文件未改动；请重新运行。"
            )
        pkg = Package.open(real)
        changed = edit(pkg)
        if in_place and not changed:
            return Edited(None)
        saved = backup(real) if in_place else None
        written = pkg.save(real if in_place else target)
    return Edited(written, saved)


def edit_target(src: Path, out: str | Path | None, in_place: bool, force: bool = False) -> tuple[Path, bool]:
    """The file to write and whether it is the ledger itself (``-o`` naming the ledger means in place).

    A separate output must not exist (unless ``force``), be read-only or be too long a name.
    """
    if out is None and not in_place:
        raise EditError("请用 -o 指定输出文件，或用 --in-place 直接修改台账（会先备份），二者选一。")
    if out is not None and in_place:
        raise EditError("-o 与 --in-place 不能同时使用。")
    if in_place:
        return src, True
    target = Path(out)  # type: ignore[arg-type]
    if target.suffix.lower() != src.suffix.lower():
        raise EditError(f"输出文件“{shown_path(target.name)}”的扩展名应与台账相同（{src.suffix}）。")
    if _same(target, src):
        return src, True
    return claim_output(target, inputs=[src], force=force), False


def _same(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except (OSError, ValueError):
        return False
