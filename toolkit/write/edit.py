"""Edit an existing ledger workbook safely: one path for every command that changes a user's file.

:func:`edit_workbook` opens the workbook as a :class:`~toolkit.write.package.Package` (never through
openpyxl, which would drop what it does not model), lets the caller change it, and saves it
atomically to ``-o OUT`` or over the ledger itself after keeping a backup copy (docs/cli.md, "Writing
safety"). A workbook that Excel, WPS or LibreOffice has open is refused before anything is read.
A ledger in another format (.xls, .ods …) is never written: the result is a new .xlsx
(:mod:`toolkit.write.convert`), at ``-o OUT`` or beside it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import EditError, RollupError, WriteError
from toolkit.files import (
    backup,
    check_not_open,
    claim_output,
    edit_lock,
    fingerprint,
    refuse_read_only,
    shown_path,
)
from toolkit.findings import Report
from toolkit.model import Ledger
from toolkit.plans.annotate import plan_annotation
from toolkit.plans.number import NumberFormat, NumberPlan, plan_numbers
from toolkit.plans.rollup import RollupPlan, plan_rollup
from toolkit.process import gc_paused
from toolkit.read.reader import read_ledger
from toolkit.rollup import compute_rollup
from toolkit.write.apply import apply_annotation_to_package, apply_numbers, apply_rollup_to_package
from toolkit.write.convert import as_xlsx, converted_target, source_format, xlsx_copy
from toolkit.write.package import Package


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
    force: bool = False,
    expect: tuple[int, int, int] | None = None,
) -> Edited:
    """Apply ``edit`` to the workbook at ``path`` and save it to ``out`` or, with ``in_place``, over it.

    ``edit(pkg)`` returns whether it changed anything; anything it reads from the ledger file
    it reads inside the call, so under the lock (:func:`toolkit.files.edit_lock`: a second run
    waits, then reads what the first wrote). In place, an unchanged workbook is not rewritten and
    no backup is made; with ``out`` the file is always written (a copy when nothing changed), so
    the output exists after every successful run; an existing ``out`` is replaced only with
    ``force``. ``expect``: the ledger's :func:`~toolkit.files.fingerprint` when it was checked; if
    it changed since, nothing is written. Raises :class:`EditError` for a bad target and the
    :mod:`toolkit.files` errors for a locked, read-only, unwritable or full target; the ledger is
    never changed then.
    """
    with gc_paused():  # the ledger, the plan and the package: millions of acyclic objects (see gc_paused)
        return _edit_workbook(Path(path), edit, out, in_place, force, expect)


def _edit_workbook(
    src: Path,
    edit: Callable[[Package], bool],
    out: str | Path | None,
    in_place: bool,
    force: bool,
    expect: tuple[int, int, int] | None,
) -> Edited:
    asked_in_place = in_place
    target, in_place = edit_target(src, out, in_place, force)
    check_not_open(target)  # reading a workbook Excel holds open is fine; writing it is not
    kind = source_format(src)
    if kind is not None:  # .xls, .ods …: the result is a new .xlsx, the original is never touched
        with xlsx_copy(src, target.parent) as copy:
            pkg = Package.open(copy, scan_at_save=True)
            if not edit(pkg) and asked_in_place:
                return Edited(None)  # nothing to change: no new file beside the ledger either
            written = pkg.save(target)
        return Edited(written, None, kind)
    with edit_lock(src) as real:
        if expect is not None and fingerprint(real) != expect:
            raise WriteError(
                f"“{shown_path(src)}”在检查之后被修改过（可能另一个程序正在改它），未写入。原文件未改动；请重新运行。"
            )
        pkg = Package.open(real, scan_at_save=True)
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
    if source_format(src) is not None:
        return converted_target(src, out, in_place), False
    if in_place:
        refuse_read_only(src)
        return src, True
    target = Path(out)  # type: ignore[arg-type]
    if target.suffix.lower() != src.suffix.lower():
        raise EditError(f"输出文件“{shown_path(target.name)}”的扩展名应与台账相同（{src.suffix}）。")
    if _same(target, src):
        refuse_read_only(src)
        return src, True
    return claim_output(target, inputs=[src], force=force), False


def _same(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


# --------------------------------------------------------------------------- the commands that edit


@dataclass
class RollupResult:
    """What :func:`rollup_file` did."""

    path: Path
    written: Path
    backup: Path | None
    plan: RollupPlan

    def to_dict(self) -> dict:
        return {
            "workbook": str(self.path),
            "written": str(self.written),
            "backup": str(self.backup) if self.backup else None,
            **self.plan.to_dict(),
        }


def require_rollup_forms(ledger: Ledger) -> None:
    missing = [f for f in ("附件7", "附件8") if ledger.form(f) is None]
    if missing:
        raise RollupError(f"台账中找不到{'、'.join(missing)}，无法汇总。请先按规定的表头建立该表。")
    if not ledger.logs:  # the roll-up rebuilds 附件8 from the logs: with none it would empty 附件8
        raise RollupError(
            "台账中没有附件9 安装维护明细，无法按附件9 汇总（否则附件8 会被清空）。"
            "请先运行 zbtz number 为每个软件编号建立附件9 并登记安装记录，再汇总。"
        )
    s, d = ledger.form("附件7"), ledger.form("附件8")
    assert s is not None and d is not None
    problems = []
    if not s.has("installed") or not s.has("software_no"):
        problems.append(f"“{s.sheet}”缺少“软件编号”或“安装数量”列")
    need = [k for k in ("dept", "person", "computer", "software_no") if not d.has(k)]
    if need:
        problems.append(f"“{d.sheet}”缺少{'、'.join('“' + d.schema.label_of(k) + '”' for k in need)}列")
    if problems:
        raise RollupError("；".join(problems) + "，无法汇总。请补齐表头后再试。")


def rollup_file(
    path: str | Path,
    as_of: dt.date,
    out: str | Path | None = None,
    in_place: bool = False,
    force: bool = False,
) -> RollupResult:
    """Roll the 附件9 logs up into 附件7 and 附件8 of the workbook at ``path`` as of ``as_of``.

    Writes into ``out`` (an existing file only with ``force``), or into the ledger itself with
    ``in_place`` (a backup copy first). The ledger is read under the in-place lock, so a second
    run waits and rolls up what the first wrote. Raises :class:`RollupError` when the ledger
    lacks what the roll-up needs, and the :mod:`toolkit.files` errors when the target is open,
    read-only, not writable or the disk is full; the original is never changed then.
    """
    src = Path(path)
    edit_target(src, out, in_place, force)  # usage errors before any reading
    day = as_of
    plans: list[RollupPlan] = []

    def edit(pkg: Package) -> bool:
        ledger = read_ledger(pkg.path, str(src))
        require_rollup_forms(ledger)
        plans.append(plan_rollup(ledger, compute_rollup(ledger, day)))
        del ledger  # the plan holds all that is written: the ledger's memory goes before the package grows
        apply_rollup_to_package(pkg, plans[0])
        return True

    edited = edit_workbook(src, edit, out=out, in_place=in_place, force=force)
    return RollupResult(src, edited.target or src, edited.backup, plans[0])


def annotate_file(
    path: str | Path,
    report: Report,
    out: str | Path | None = None,
    in_place: bool = False,
    workbook: str | None = None,
    force: bool = False,
    expect: tuple[int, int, int] | None = None,
) -> Path:
    """Write the findings of ``report`` about this workbook into it (docs/cli.md, "Annotation").

    ``workbook`` is the name the report gives the file (default: the only workbook of the
    report). ``expect``: the file's :func:`~toolkit.files.fingerprint` when it was checked; a
    file changed since is not annotated (the findings would be stale). Returns the path written.
    """
    if workbook is None and len(report.workbooks) > 1:
        workbook = str(path)

    def edit(pkg: Package) -> bool:
        apply_annotation_to_package(pkg, plan_annotation(report, workbook, set(pkg.sheet_names())))
        return True

    edited = edit_workbook(path, edit, out=out, in_place=in_place, force=force, expect=expect)
    return edited.target or Path(path)


@dataclass(frozen=True)
class NumberResult:
    """What ``number`` did."""

    plan: NumberPlan
    edited: Edited | None  # None on a dry run


def number(
    path: str | Path,
    fmt: NumberFormat | None = None,
    *,
    out: str | Path | None = None,
    in_place: bool = False,
    dry_run: bool = False,
    day: dt.date | None = None,
    force: bool = False,
) -> NumberResult:
    """Number the ledger at ``path`` and write it to ``out`` or in place (``dry_run``: plan only).

    New 附件9 sheets carry ``day`` (default today) as their 填表日期. The ledger is read inside
    the edit, under the in-place lock (:func:`edit_workbook`).
    """
    day = day or dt.date.today()
    plan_holder: list[NumberPlan] = []

    def edit(pkg: Package) -> bool:
        plan = plan_numbers(read_ledger(pkg.path), fmt, pkg.sheet_names(), day)
        plan_holder.append(plan)
        return apply_numbers(pkg, plan)

    if dry_run:
        with as_xlsx(path) as book:
            return NumberResult(plan_numbers(read_ledger(path), fmt, Package.open(book).sheet_names(), day), None)
    edited = edit_workbook(path, edit, out=out, in_place=in_place, force=force)
    return NumberResult(plan_holder[0], edited)
