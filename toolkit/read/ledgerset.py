"""One ledger kept in several workbooks (附件7 in one file, 附件8 in another, a 附件9 per department …).

A folder holding a file named :data:`MARKER` (``同一台账.txt``; its content is not read) is one
ledger: every workbook below it. ``check --one-ledger`` and ``report --one-ledger`` make one
ledger of everything they are given (:func:`targets`). The files are read one by
one and their models merged (:func:`merge`), so every rule sees all forms at once and no form is
called missing when another file has it; ``checking`` then gives each finding back to the file
and sheet it is about.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import ReadError
from toolkit.files import expand_paths
from toolkit.model import Form, Ledger
from toolkit.read.reader import read_ledger

MARKER = "同一台账.txt"
_SHEET_STRIDE = 100_000  # sheet indexes of the n-th file start at n × this (the roll-up orders rows by sheet)


@dataclass(frozen=True)
class LedgerFiles:
    """The workbooks of one ledger: (path, display) pairs, and how the set is shown."""

    files: tuple[tuple[Path, str], ...]
    display: str


Target = tuple[Path, str] | LedgerFiles


def marked_folder(path: Path, root: Path) -> Path | None:
    """The outermost folder from ``root`` down to ``path``'s folder that holds the marker, if any."""
    folder, found = path.parent, None
    while True:
        if (folder / MARKER).is_file():
            found = folder
        if folder == root or folder == folder.parent:
            return found
        folder = folder.parent


def as_target(files: list[tuple[Path, str]], display: str) -> Target:
    """A set of files as one target (a single file stays a file)."""
    return files[0] if len(files) == 1 else LedgerFiles(tuple(files), display)


def files_of(items: Iterable[Target]) -> list[tuple[Path, str]]:
    """Every workbook file of the targets, in order."""
    return [f for t in items for f in (t.files if isinstance(t, LedgerFiles) else [t])]


def merge(ledgers: list[Ledger], display: str) -> tuple[Ledger, dict[str, tuple[str, str]]]:
    """One ledger model from several; returns it with merged sheet name → (file, sheet as written).

    A sheet name used by two files is told apart by the file's name (``附件8［二科.xlsx］``).
    """
    out = Ledger(display)
    origin: dict[str, tuple[str, str]] = {}
    for i, led in enumerate(ledgers):
        renamed: dict[str, str] = {}
        for form in led.forms:
            name = form.sheet
            if name in origin:
                name = f"{form.sheet}［{Path(led.path).name}］"
                n = 2
                while name in origin:
                    name, n = f"{form.sheet}［{Path(led.path).name} {n}］", n + 1
            origin[name] = (led.path, form.sheet)
            renamed[form.sheet] = name
            form.sheet = name
            form.sheet_index += i * _SHEET_STRIDE
        out.error_cells.extend((renamed.get(sh, sh), r, c, v) for sh, r, c, v in led.error_cells)
        out.error_cover.update((renamed.get(sh, sh), r, c) for sh, r, c in led.error_cover)
        out.forms.extend(led.forms)
        out.whitelist.extend(led.whitelist)
        out.summary.extend(led.summary)
        out.details.extend(led.details)
        out.logs.extend(led.logs)
        out.computers.extend(led.computers)
        out.requests.extend(led.requests)
        out.confirmations.extend(led.confirmations)
        out.pledges.extend(led.pledges)
        for key, setting in led.settings.items():
            out.settings.setdefault(key, setting)
    return out, origin


def file_index(form: Form) -> int:
    """Which file of a merged ledger a form came from (0 for a ledger read from one file)."""
    return form.sheet_index // _SHEET_STRIDE


def read_files(group: LedgerFiles) -> tuple[Ledger, dict[str, tuple[str, str]], list[tuple[str, str]]]:
    """Read and merge the files of a set; returns the ledger, the sheet origins and (file, reason) of unreadable
    files."""
    ledgers, unreadable = [], []
    for path, shown in group.files:
        try:
            ledgers.append(read_ledger(path, shown))
        except ReadError as exc:
            unreadable.append((shown, str(exc)))
    ledger, origin = merge(ledgers, group.display)
    return ledger, origin, unreadable


def targets(paths: Iterable[str | Path], one_ledger: bool = False) -> list[Target]:
    """What to check: each workbook on its own (as ``expand_paths`` finds them), except the sets that are one ledger."""
    paths = list(paths)
    found: list[tuple[Path, str] | Path] = []
    groups: dict[Path, list[tuple[Path, str]]] = {}
    for p in paths:
        root = Path(p)
        for path, shown in expand_paths([p]):
            folder = marked_folder(path, root) if root.is_dir() else None
            if folder is None:
                found.append((path, shown))
                continue
            if folder not in groups:
                groups[folder] = []
                found.append(folder)
            groups[folder].append((path, shown))
    out = [t if isinstance(t, tuple) else as_target(groups[t], str(t)) for t in found]
    if one_ledger and out:
        names = [str(p) for p in paths]
        return [as_target(files_of(out), names[0] if len(names) == 1 else " + ".join(names))]
    return out
