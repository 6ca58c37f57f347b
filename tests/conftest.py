"""Shared fixtures: ``make_ledger`` builds tiny ledgers in code, ``check_one`` checks one as of a date."""

from __future__ import annotations

import datetime as dt
import gc

import pytest

from tests.helpers.factory import make_ledger as _make_ledger
from toolkit import check_file

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def make_ledger(tmp_path):
    def make(**kw):
        return _make_ledger(tmp_path, **kw)

    return make


@pytest.fixture
def check_one():
    def run(path, as_of=AS_OF):
        return check_file(path, as_of)

    return run


@pytest.fixture(autouse=True)
def _collect_garbage_per_test():
    """Collect cyclic garbage after every test.

    ``check_file`` pauses the collector while it reads a workbook, so garbage made by one test
    could otherwise be collected during another, and any warning raised while finalising it
    would be blamed on the wrong test at random. Collecting here keeps the suite deterministic.
    """
    yield
    gc.collect()
