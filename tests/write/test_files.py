"""files.py: the one way a file is replaced; a new file gets the user's umask mode from every writer."""

from __future__ import annotations

import os
import stat

import openpyxl
import pytest

from tests.conftest import AS_OF
from tests.helpers.factory import make_ledger
from toolkit import rollup_file
from toolkit.files import atomic_write, expand_paths
from toolkit.forms.layout import save_workbook


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    yield
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_files_follow_the_umask_from_every_writer(tmp_path, umask_027):
    atomic_write(tmp_path / "a.bin", lambda fh: fh.write(b"x"))
    save_workbook(openpyxl.Workbook(), tmp_path / "b.xlsx")
    rollup_file(make_ledger(tmp_path), AS_OF, out=tmp_path / "c.xlsx")
    assert [_mode(tmp_path / n) for n in ("a.bin", "b.xlsx", "c.xlsx")] == [0o640] * 3


def test_a_replaced_file_keeps_its_mode(tmp_path):
    target = tmp_path / "a.bin"
    target.write_bytes(b"old")
    target.chmod(0o604)
    atomic_write(target, lambda fh: fh.write(b"new"))
    assert target.read_bytes() == b"new" and _mode(target) == 0o604


def test_expand_paths_lists_a_folder_once_in_order_and_skips_lock_files(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("b.xlsx", "a.xlsm", "~$b.xlsx", "notes.txt", "sub/c.xlsx"):
        (tmp_path / name).write_bytes(b"")
    shown = [s for _, s in expand_paths([tmp_path])]
    assert [os.path.relpath(s, tmp_path) for s in shown] == ["a.xlsm", "b.xlsx", os.path.join("sub", "c.xlsx")]


def test_an_edit_runs_with_the_collector_paused_and_restores_it(tmp_path):
    """edit_workbook pauses the cyclic collector around the edit (millions of acyclic objects), then restores it."""
    import gc

    from toolkit.write.edit import edit_workbook

    src = make_ledger(tmp_path)
    seen: list[bool] = []

    def edit(pkg) -> bool:
        seen.append(gc.isenabled())
        return False

    assert gc.isenabled()
    edit_workbook(src, edit, out=tmp_path / "出.xlsx")
    assert seen == [False]
    assert gc.isenabled()
