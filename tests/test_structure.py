"""The house: no import cycles between toolkit modules, no block of code written twice, one rule style."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

from tests.helpers import ROOT

PACKAGE = ROOT / "toolkit"


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path) -> set[str]:
    """Modules imported when ``path`` is imported (imports inside functions and TYPE_CHECKING are lazy)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("toolkit"):
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("toolkit"))
    return out


def test_no_import_cycles():
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph = {m: {i for i in _top_level_imports(p) if i in modules and i != m} for m, p in modules.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                raise AssertionError("import cycle: " + " → ".join(stack[stack.index(n) :] + [n]))
            if n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


def _code_lines(path: Path) -> list[tuple[int, str]]:
    out = []
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        s = line.strip()
        if s and not s.startswith(("#", "import ", "from ", '"""', ")", "]", "}")) and len(s) > 3:
            out.append((no, s))
    return out


def test_no_block_of_six_lines_is_written_twice():
    seen: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = _code_lines(path)
        for i in range(len(lines) - 5):
            block = tuple(s for _, s in lines[i : i + 6])
            seen[block].append(f"{path.relative_to(ROOT)}:{lines[i][0]}")
    twice = {b: places for b, places in seen.items() if len(places) > 1}
    assert not twice, "\n".join(" ~ ".join(p) for p in list(twice.values())[:10])


def test_rules_register_one_way():
    """Rule metadata lives in schemas/rules.toml; checks register with @check only."""
    for path in (PACKAGE / "rules").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"REGISTRY\.(rule|declare|checker)\(", text), path.name
