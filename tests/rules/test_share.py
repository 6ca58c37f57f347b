"""A large ledger's checks shared with a forked helper give the report one process gives (toolkit/checking.py)."""

from __future__ import annotations

import datetime
import functools
import os
import sys

import pytest

import toolkit.checking as checking
from tests.helpers.factory import make_ledger
from tests.test_golden import LEDGERS, check_recorded
from toolkit.read.reader import read_ledger
from toolkit.rules.builtin import REGISTRY

AS_OF = datetime.date(2026, 6, 30)
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="checks are shared by fork, on Linux")


@pytest.fixture
def shared(monkeypatch):
    """Every ledger's checks are shared, however small the ledger (and whatever the machine)."""
    monkeypatch.setattr(checking, "SHARE_ROWS", 0)
    monkeypatch.setattr(checking, "forks", lambda: True)
    started = []
    real = checking.Helper

    def counting(fn, ctx, theirs, degrade):
        started.append(list(theirs))
        return real(fn, ctx, theirs, degrade)

    monkeypatch.setattr(checking, "Helper", counting)
    return started


def _replace(monkeypatch, checks: dict) -> None:
    """The registry with the checks at these indexes replaced (same codes, weight and roll-up mark: same sharing)."""
    new = list(REGISTRY.checks)
    weights = dict(REGISTRY.weights)
    reads = set(REGISTRY.reads_rollup)
    for i, fn in checks.items():
        codes, old = new[i]
        new[i] = (codes, fn)
        weights[fn] = weights[old]
        if old in reads:
            reads.add(fn)
    monkeypatch.setattr(REGISTRY, "checks", new)
    monkeypatch.setattr(REGISTRY, "weights", weights)
    monkeypatch.setattr(REGISTRY, "reads_rollup", reads)


def _report(path, **kw) -> dict:
    return checking.check_ledger(read_ledger(path), AS_OF, **kw).to_dict()


@pytest.mark.parametrize("chunk", range(2))
def test_factory_ledgers_check_the_same_with_the_checks_shared(tmp_path, shared, chunk):
    """The recorded check of every eighth factory ledger (half of them per test), checks in two processes."""
    assert check_recorded(tmp_path, lambda i: i % 16 == chunk * 8 + 3) >= len(LEDGERS) // 16
    assert len(shared) >= len(LEDGERS) // 16
    assert all(shared)  # each time the helper had checks to run


def test_the_roll_up_and_the_checks_that_read_it_stay_here(tmp_path, shared):
    """The helper starts before the roll-up: it gets only checks that do not read it, by weight."""
    ledger = read_ledger(make_ledger(tmp_path))
    theirs = checking.share(ledger)
    fns = [fn for _, fn in REGISTRY.checks]
    assert theirs and not any(fns[i] in REGISTRY.reads_rollup for i in theirs)
    weights = [REGISTRY.weights[fn] for fn in fns]
    here = checking.ROLLUP_WEIGHT + sum(w for i, w in enumerate(weights) if i not in theirs)
    helper = sum(weights[i] for i in theirs)
    assert helper <= here  # the heavier side is this one, which also has the roll-up to compute
    # with the roll-up known, the heaviest check stays here and the helper takes about its share
    known = checking.share(ledger, known=True)
    assert max(range(len(fns)), key=weights.__getitem__) not in known
    assert 0.3 < sum(weights[i] for i in known) / sum(weights) < 0.5


def test_a_small_ledger_is_checked_in_one_process(tmp_path, monkeypatch):
    monkeypatch.setattr(checking, "forks", lambda: True)
    assert checking.share(read_ledger(make_ledger(tmp_path))) == []  # a few rows: a fork costs more


def test_a_helper_that_fails_is_replaced_by_this_process(tmp_path, monkeypatch, shared):
    """A check that fails only in the helper: this process runs the helper's checks again, same report."""
    path = make_ledger(tmp_path, variant=True)
    monkeypatch.setattr(checking, "SHARE_ROWS", 1 << 40)
    alone = _report(path)
    monkeypatch.setattr(checking, "SHARE_ROWS", 0)
    parent = os.getpid()
    theirs = checking.share(read_ledger(path))
    codes, fn = REGISTRY.checks[theirs[0]]

    def fails_in_the_helper(ctx):
        if os.getpid() != parent:
            raise RuntimeError("helper only")
        return fn(ctx)

    _replace(monkeypatch, {theirs[0]: fails_in_the_helper})
    assert _report(path) == alone
    assert shared


def test_a_failing_check_fails_the_same_way_shared(tmp_path, monkeypatch, shared):
    """A bug in a check the helper runs is raised here, as in one process (the helper's failure is not hidden)."""
    path = make_ledger(tmp_path)
    theirs = checking.share(read_ledger(path))

    def broken(ctx):
        raise ValueError("a bug")

    _replace(monkeypatch, {theirs[-1]: broken})
    with pytest.raises(ValueError, match="a bug"):
        _report(path)


def test_skips_keep_their_order_and_are_not_repeated(tmp_path, monkeypatch, shared):
    """Checks that cannot run (degrade: a package missing) on both sides: the skips of one process, in order."""
    path = make_ledger(tmp_path)
    theirs = checking.share(read_ledger(path))
    mine = [i for i in range(len(REGISTRY.checks)) if i not in theirs]

    def missing(ctx):
        raise ImportError("pandera", name="pandera")

    gone = (mine[0], theirs[0], mine[-1], theirs[-1])
    _replace(monkeypatch, {i: functools.partial(missing) for i in gone})  # one function each: one weight each
    assert checking.share(read_ledger(path)) == theirs  # the same sharing: skips on both sides
    with_share = _report(path, degrade=True)
    monkeypatch.setattr(checking, "SHARE_ROWS", 1 << 40)
    alone = _report(path, degrade=True)
    assert with_share == alone
    assert len(alone["skipped"]) >= 4


def test_a_check_in_the_helper_that_reads_the_roll_up_computes_it_there(tmp_path, monkeypatch, shared):
    """No check marked as reading the roll-up: the helper gets some that do, computes it itself, same report."""
    path = make_ledger(tmp_path, variant=True)
    monkeypatch.setattr(checking, "SHARE_ROWS", 1 << 40)
    alone = _report(path)
    monkeypatch.setattr(checking, "SHARE_ROWS", 0)
    readers = set(REGISTRY.reads_rollup)
    monkeypatch.setattr(REGISTRY, "reads_rollup", set())
    theirs = checking.share(read_ledger(path))
    assert any(REGISTRY.checks[i][1] in readers for i in theirs)
    assert _report(path) == alone
