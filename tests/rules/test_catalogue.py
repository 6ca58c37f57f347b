"""The rule catalogue: complete against docs/rules.md, Chinese, and the committed doc is generated."""

from __future__ import annotations

import re

import pytest

from tests.helpers import ROOT
from toolkit.errors import DuplicateRuleError
from toolkit.rules.builtin import REGISTRY
from toolkit.rules.catalogue import catalogue_markdown, catalogue_rows
from toolkit.rules.registry import Registry, Rule

SPEC = ROOT / "docs" / "rules.md"
OUT_OF_SCOPE = {"AZ1.2", "AZ1.4", "ZR3"}  # issue 2 leaves these to later work; PZ1.2U came with reconcile (issue 14)


def test_committed_catalogue_is_the_generated_one():
    assert (ROOT / "docs" / "规则目录.md").read_text(encoding="utf-8") == catalogue_markdown()


def test_every_rule_of_the_spec_is_registered_with_its_severity():
    text = SPEC.read_text(encoding="utf-8")
    spec = dict(re.findall(r"^\| (S\d|[A-Z]{2}\d[\w.]*) \| (error|warning) \|", text, re.M))
    assert len(spec) >= 30
    for code, severity in spec.items():
        if code in OUT_OF_SCOPE:
            continue
        assert code in REGISTRY, code
        assert REGISTRY[code].severity == severity, code


def test_titles_and_descriptions_are_chinese():
    for row in catalogue_rows():
        for key in ("title", "description"):
            assert re.search(r"[\u4e00-\u9fff]", row[key]), (row["code"], key)


def test_a_code_cannot_be_registered_twice():
    reg = Registry()
    reg.add(Rule("X1", "error", "甲", "说明", "模板"))
    with pytest.raises(DuplicateRuleError):
        reg.add(Rule("X1", "warning", "乙", "说明", "模板"))
