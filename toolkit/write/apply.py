"""Applying a plan to an open workbook package: only the cells and parts the plan names change.

The plans (:mod:`toolkit.plans`) are data; these functions are the one place that turns a
roll-up, annotation or numbering plan into edits of a :class:`~toolkit.write.package.Package`.
The Excel integration applies the same plans through xlwings (:mod:`toolkit.excel`).
"""

from __future__ import annotations

import io

from toolkit.cellref import split_ref
from toolkit.plans.annotate import AUTHOR, FILLS, RESULT_SHEET, RESULT_WRAP, AnnotationPlan
from toolkit.plans.number import NumberPlan
from toolkit.plans.rollup import TEXT, FillDate, RollupPlan
from toolkit.schemas import schema
from toolkit.write.formstyle import fitted_heights, written_row_styles
from toolkit.write.package import Package
from toolkit.write.sheetcopy import SourceBook, transplant


def apply_rollup_to_package(pkg: Package, plan: RollupPlan) -> None:
    """Write a roll-up plan into an open package (only the cells the plan names change)."""
    for sheet, cells in plan.cells.items():
        values: dict[tuple[int, int], object] = {}
        for (r, c), v in cells.items():
            values[(r, c)] = v.value_for(pkg.cell_value(sheet, r, c)) if isinstance(v, FillDate) else v
        pkg.set_cells(sheet, values)
    d = plan.detail
    if d is not None:
        wrap = [c for c, k in d.kinds.items() if k == TEXT]
        heights = fitted_heights(d.rows, pkg.column_widths(d.sheet), wrap)
        styles = written_row_styles(pkg, d.sheet, d.style_row, d.kinds) if d.kinds else None
        pkg.replace_rows(
            d.sheet,
            d.first,
            d.last,
            d.rows,
            merges=d.merges,
            style_row=d.style_row,
            col_styles=styles,
            heights=heights,
        )


def apply_annotation_to_package(pkg: Package, plan: AnnotationPlan) -> None:
    """Write an annotation plan: first undo an earlier run's notes and fills, then add this one's."""
    pkg.remove_annotations(AUTHOR, FILLS)
    pkg.put_sheet(
        RESULT_SHEET,
        plan.rows,
        hyperlinks=plan.links,
        col_widths=plan.widths,
        wrap_cols=RESULT_WRAP,
        printed=True,
        row_heights=plan.heights,
    )
    pkg.activate(RESULT_SHEET)
    for m in plan.marks:
        pkg.set_fill(m.sheet, m.row, m.col, m.fill)
        pkg.add_comment(m.sheet, m.row, m.col, m.text, AUTHOR)


def apply_numbers(pkg: Package, plan: NumberPlan) -> bool:
    """Write ``plan`` into the open package; returns whether anything changed."""
    by_sheet: dict[str, dict[tuple[int, int], object]] = {}
    for f in (*plan.fills, *plan.whitelist_fills):
        by_sheet.setdefault(f.sheet, {})[split_ref(f.cell)] = f.software_no
    for sheet, values in by_sheet.items():
        pkg.set_cells(sheet, values)
    if plan.logs:  # openpyxl only here: rollup and annotate edit the package without it
        from openpyxl import Workbook

        from toolkit.forms.templates import NEW_LEDGER_ROWS, write_table_sheet

        wb = Workbook()
        wb.remove(wb.active)
        form = schema("附件9")
        for log in plan.logs:
            write_table_sheet(
                wb.create_sheet(log.sheet),
                form,
                unit=plan.unit or "",
                info=log.info,
                fill_date=plan.day,
                blank_rows=NEW_LEDGER_ROWS,
            )
        buf = io.BytesIO()
        wb.save(buf)
        source = SourceBook(buf.getvalue())
        for log in plan.logs:
            transplant(pkg, source, log.sheet)
    return not plan.empty
