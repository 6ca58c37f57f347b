"""A large workbook read by two processes gives the model one process gives (toolkit/read/parallel.py)."""

from __future__ import annotations

import io
import multiprocessing
import os
import pickle
import zipfile
from pathlib import Path

import pytest

import toolkit.read.parallel as parallel
import toolkit.read.reader as reader
import toolkit.read.vet as vet
from tests.helpers.factory import make_ledger
from tests.test_golden import LEDGERS, check_recorded
from toolkit.errors import ReadError
from toolkit.read.grid import stream_book
from toolkit.read.reader import read_ledger


def _model(path: Path) -> list:
    """Everything of a read ledger that rules see, as plain data."""
    led = read_ledger(path)
    forms = [
        (f.form, f.sheet, f.sheet_index, f.header_row, f.data_start, f.columns, f.ticks, f.labels) for f in led.forms
    ]
    rows = [
        (type(r).__name__, r.form.sheet, r.row, r.raw, list(r.raw), r.val, list(r.val))
        for group in (led.whitelist, led.summary, led.details, led.computers, led.requests, led.confirmations)
        for r in group
    ]
    logs = [(log.software_no, log.combined, [(e.row, e.raw, e.val) for e in log.entries]) for log in led.logs]
    assert all(r.form.schema is f.schema for f in led.forms for r in (*led.details, *led.summary) if r.form is f)
    return [forms, rows, logs, led.settings, led.error_cells, sorted(led.error_cover)]


@pytest.fixture
def split(monkeypatch):
    """Every workbook is split between two processes, however small (and whatever the machine)."""
    monkeypatch.setattr(parallel, "SPLIT_BYTES", 0)
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    started = []
    real = parallel.Helper.__init__

    def counting(self, *args):
        started.append(args[1:3])
        real(self, *args)

    monkeypatch.setattr(parallel.Helper, "__init__", counting)
    return started


@pytest.mark.parametrize("chunk", range(4))
def test_factory_ledgers_check_the_same_read_by_two_processes(tmp_path, split, chunk):
    """The recorded check of every fourth factory ledger (a quarter per test), read in two processes."""
    assert check_recorded(tmp_path, lambda i: i % 16 == chunk * 4) >= len(LEDGERS) // 16
    assert len(split) >= len(LEDGERS) // 16


def test_the_model_is_the_same(tmp_path, monkeypatch, split):
    path = make_ledger(tmp_path, combined_log=False, variant=True)
    two = _model(path)
    assert split and split[-1][1]  # a helper was started, with some sheets to read
    monkeypatch.setattr(parallel, "SPLIT_BYTES", 1 << 40)
    assert _model(path) == two


def test_a_helper_that_fails_is_replaced_by_this_process(tmp_path, monkeypatch, split):
    path = make_ledger(tmp_path)
    alone = _model(path)

    def broken(*args):
        raise RuntimeError("helper broke")

    monkeypatch.setattr(reader, "read_part", broken)  # the forked helper runs this one
    assert _model(path) == alone

    def dying(*args):
        os._exit(3)  # killed, say by the out-of-memory killer

    monkeypatch.setattr(reader, "read_part", dying)
    assert _model(path) == alone


def test_a_helper_started_afresh_reads_the_same(tmp_path, monkeypatch, split):
    """Windows and macOS start a new interpreter (spawn) rather than fork."""
    monkeypatch.setattr(parallel, "_context", lambda: multiprocessing.get_context("spawn"))
    path = make_ledger(tmp_path)
    two = _model(path)
    monkeypatch.setattr(parallel, "SPLIT_BYTES", 1 << 40)
    assert _model(path) == two


def _damage_sheet(path: Path, sheet_part: str, far: bool = False) -> None:
    """Cut one worksheet part's XML in the middle of its rows (the zip itself stays sound), or
    (``far``) give it a cell at XFD1048576, which vetting refuses."""
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    data = parts[sheet_part]
    if far:
        cell = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        parts[sheet_part] = data.replace(b"</sheetData>", cell + b"</sheetData>")
    else:
        parts[sheet_part] = data[: data.index(b"</sheetData>") - 40]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, blob in parts.items():
            zf.writestr(name, blob)
    path.write_bytes(buf.getvalue())


@pytest.mark.parametrize("which", [0, 2, -1])
@pytest.mark.parametrize("far", [False, True])
def test_a_damaged_sheet_gives_the_error_one_process_gives(tmp_path, monkeypatch, split, which, far):
    path = make_ledger(tmp_path)
    with zipfile.ZipFile(path) as zf:
        sheets = sorted(n for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))
    _damage_sheet(path, sheets[which], far)
    with pytest.raises(ReadError) as two:
        read_ledger(path)
    monkeypatch.setattr(parallel, "SPLIT_BYTES", 1 << 40)
    with pytest.raises(ReadError) as one:
        read_ledger(path)
    assert str(two.value) == str(one.value) and two.value.kind == one.value.kind
    assert ("XFD1048576" if far else "读取工作表时出错") in str(one.value)


def test_the_halves_vetting_serves_a_later_edit(tmp_path, monkeypatch, split):
    """After a reading in two processes the file counts as vetted whole: writing to it scans nothing again."""
    path = make_ledger(tmp_path)
    read_ledger(path)
    assert split

    def rescan(*args):
        raise AssertionError("scanned again")

    monkeypatch.setattr(vet, "scan_sheets", rescan)
    whole = vet.vet_workbook(path)
    assert whole.scanned and len(whole.sizes) >= 5


def test_halves_balance_the_bytes(monkeypatch):
    """The helper takes about HELPER_SHARE of the bytes, this process the rest."""
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    sheets = [(i, f"s{i}") for i in range(60)]
    sizes = {f"s{i}": (1 + i % 7) << 20 for i in range(60)}
    mine, theirs = parallel.halves(sheets, sizes)
    assert sorted(mine + theirs) == list(range(60)) and mine == sorted(mine) and theirs == sorted(theirs)
    share = sum(sizes[f"s{i}"] for i in theirs) / sum(sizes.values())
    assert abs(share - parallel.HELPER_SHARE) < 0.03


def test_no_second_process_when_it_does_not_pay(monkeypatch):
    sheets = [(0, "a"), (1, "b")]
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    assert parallel.halves(sheets, {"a": 1 << 20, "b": 1 << 20}) is None  # a small workbook
    assert parallel.halves([(0, "a")], {"a": 64 << 20}) is None  # one sheet
    big = {"a": 8 << 20, "b": 8 << 20}
    assert parallel.halves(sheets, big) == ([0], [1])
    monkeypatch.setattr(parallel, "cores", lambda: 1)
    assert parallel.halves(sheets, big) is None  # one core
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    monkeypatch.setattr(multiprocessing, "parent_process", lambda: object())
    assert parallel.halves(sheets, big) is None  # a batch worker: the batch uses the cores


def test_no_helper_where_none_can_start(monkeypatch):
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    assert parallel.worth(64 << 20)
    monkeypatch.setattr(parallel, "_context", lambda: multiprocessing.get_context("spawn"))
    monkeypatch.setattr(parallel.sys, "executable", os.path.join("Office", "EXCEL.EXE"))
    assert not parallel.worth(64 << 20)  # an interpreter embedded in another program
    monkeypatch.setattr(parallel.sys, "executable", os.path.join("Python311", "python.exe"))
    assert parallel.worth(64 << 20)
    monkeypatch.setattr(parallel.sys, "frozen", True, raising=False)
    assert not parallel.worth(64 << 20)  # a frozen program


def test_a_sheet_read_survives_pickling(tmp_path):
    book = stream_book(make_ledger(tmp_path))
    sheets = list(reader.read_sheets(book.sheets, reader.book_words(book)))
    back = pickle.loads(pickle.dumps(sheets))
    assert [s.index for s in back] == [s.index for s in sheets]
    for a, b in zip(sheets, back, strict=True):
        assert [(type(r), r.row, r.raw, r.val) for r in a.rows] == [(type(r), r.row, r.raw, r.val) for r in b.rows]
        assert all(r.form is b.form for r in b.rows) and (a.form is None) == (b.form is None)
        assert (a.settings, a.error_cells, a.error_cover) == (b.settings, b.error_cells, b.error_cover)
        if a.form is not None:
            assert b.form.schema is a.form.schema
    made = [s for s in sheets if s.rows]  # row objects made: still pickled as the table only
    assert made and all(pickle.loads(pickle.dumps(s))._rows is None for s in made)
