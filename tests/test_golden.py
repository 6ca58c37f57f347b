"""What a user sees is unchanged by refactoring: outputs compared with those recorded in tests/golden."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.golden.ledgers import check_json
from tests.golden.snapshot import GOLDEN, snapshot
from tests.helpers.factory import make_ledger


def _ledgers() -> list[tuple[str, dict]]:
    lines = (GOLDEN / "ledgers.jsonl").read_text(encoding="utf-8").splitlines()
    return [(d["kwargs"], d["report"]) for d in map(json.loads, lines)]


LEDGERS = _ledgers()


def test_every_factory_ledger_was_recorded():
    assert len(LEDGERS) > 400


def check_recorded(tmp_path: Path, keep: Callable[[int], bool]) -> int:
    """Build the recorded factory ledgers whose index ``keep`` accepts and compare each check with
    its record; how many were compared."""
    n = 0
    for i, (kwargs, report) in enumerate(LEDGERS):
        if not keep(i):
            continue
        args = eval(kwargs, {"datetime": datetime})  # our own file: reprs of plain data and dates
        folder = tmp_path / str(i)
        folder.mkdir()
        assert check_json(make_ledger(folder, **args)) == report, kwargs
        n += 1
    return n


@pytest.mark.parametrize("chunk", range(8))
def test_factory_ledgers_check_as_recorded(tmp_path: Path, chunk: int):
    assert check_recorded(tmp_path, lambda i: i % 8 == chunk) >= len(LEDGERS) // 8


def test_command_outputs_as_recorded():
    recorded = json.loads((GOLDEN / "outputs.json").read_text(encoding="utf-8"))
    now = json.loads(json.dumps(snapshot(), ensure_ascii=False))
    for key in recorded:
        assert now[key] == recorded[key], key
    assert sorted(now) == sorted(recorded)
