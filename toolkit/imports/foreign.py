"""What ``check`` says about a workbook in another layout: one S1I naming ``zbtz import``, not an S1 per form."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.findings import Finding, Report
from toolkit.imports.recognise import WHITELIST, describe, open_book, recognise_book


def foreign_report(path: str | Path, shown: str, report: Report, guide_sheets: Collection[str] = ()) -> Report:
    """``report`` with its S1 findings (and skipped rules) replaced by one S1I when the workbook holds a layout
    ``import`` recognises.

    ``guide_sheets`` are the sheets the reader found to be the guide's forms (a 附件6 alone): never another layout.
    """
    if not any(f.rule == "S1" for f in report.findings):
        return report
    try:
        layouts = [lay for lay in recognise_book(open_book(path), shown) if lay.shape and lay.sheet not in guide_sheets]
    except ToolkitError:
        return report
    if not any(lay.shape != WHITELIST for lay in layouts):
        return report
    what = "但" + describe(layouts)
    finding = Finding(
        "S1I", shown, None, None, {"what": what, "file": f'"{shown}"' if any(ch.isspace() for ch in shown) else shown}
    )
    kept = [f for f in report.findings if f.rule != "S1"]
    return Report(report.as_of, [finding, *kept], [], report.workbooks)  # the skipped rules did not apply either
