"""Measure ``check`` on ledgers kept the way units keep them (tests/helpers/field_factory.py).

The corpus: every shape, clean, with each defect it can show planted alone, and with all of them,
each saved as .xlsx and (by LibreOffice headless) as .xls and .ods. For every ledger the findings
are sorted into: planted defects found (the defect's rule, naming it), false errors (errors no
planted defect explains), "form absent" findings (S1, and findings that only restate that a form
is not kept: TZ2.2/TZ3.3 on a ledger without 附件9) and files not read (S0).

    python benchmarks/field_corpus.py [--toolkit PATH]   # PATH: a checkout whose toolkit to measure (default: this one)

Run it once against the main branch's checkout and once against this one to compare.

Measured when the .xls/.ods reading, the no-附件9 checks, the cascade guards, the note rows and the
local wording landed (114 ledgers, 168 planted defects; before = the code just before them):

    before: found 40/168 (the 56 in .xls and .ods: 0, each file an S0), false errors 580
            (S5 228, S4 128, S2 80, TZ3.2 40, TZ1.10 40, S3 32, TZ1.6 16, TZ1.1 8, TZ1.11 8),
            form absent 140 (42 S1 and 98 TZ2.2/TZ3.3 restating that 附件9 is not kept), not read 76
    after:  found 168/168, false errors 0, form absent 42 (one S1 per ledger that lacks a form), not read 0
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESTATING = {"no_log": {"TZ2.2", "TZ3.3"}}  # what only restates that the shape keeps no 附件9


def corpus(folder: Path) -> list[tuple[Path, str, list[str]]]:
    from tests.helpers.field_factory import SHAPES, convert, defects_for, make_field_ledger

    items: list[tuple[Path, str, list[str]]] = []
    for shape in SHAPES:
        sets = [[], *([d] for d in defects_for(shape)), defects_for(shape)]
        for i, defects in enumerate(sets):
            items.append((make_field_ledger(folder, shape, defects, name=f"{shape}-{i}.xlsx"), shape, defects))
    books = [p for p, _, _ in items]
    out = list(items)
    for fmt in ("xls", "ods"):
        for (_, shape, defects), path in zip(items, convert(books, fmt, folder / fmt), strict=True):
            out.append((path, shape, defects))
    return out


def measure(items: list[tuple[Path, str, list[str]]]) -> dict:
    import datetime as dt

    from tests.helpers.field_factory import DEFECTS
    from toolkit.checking import check_file

    as_of = dt.date(2026, 6, 30)
    totals: Counter[str] = Counter()
    by_format: dict[str, Counter[str]] = {}
    false_rules: Counter[str] = Counter()
    for path, shape, defects in items:
        report = check_file(path, as_of)
        c = by_format.setdefault(path.suffix, Counter())
        expected = {DEFECTS[d][1] for d in defects} | ({"PZ1.2"} if "free_not_listed" in defects else set())
        for d in defects:
            _, rule, word, _ = DEFECTS[d]
            hit = any(f.rule == rule and word in f.message for f in report.findings)
            for counter in (totals, c):
                counter["planted"] += 1
                counter["found"] += hit
        for f in report.findings:
            if f.rule == "S0":
                kind = "not read (S0)"
            elif f.rule == "S1" or f.rule in RESTATING.get(shape, ()):
                kind = "form absent"
            elif f.severity == "error" and f.rule not in expected:
                kind = "false errors"
                false_rules[f.rule] += 1
            else:
                continue
            totals[kind] += 1
            c[kind] += 1
    return {
        "ledgers": len(items),
        "totals": dict(totals),
        "by_format": {k: dict(v) for k, v in by_format.items()},
        "false errors by rule": dict(false_rules.most_common()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--toolkit", default=str(ROOT), help="checkout whose toolkit package is measured")
    args = ap.parse_args()
    sys.path[:0] = [args.toolkit, str(ROOT)]
    with tempfile.TemporaryDirectory() as tmp:
        result = measure(corpus(Path(tmp)))
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
