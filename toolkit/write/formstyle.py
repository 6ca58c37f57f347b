"""The look of rows the toolkit writes into an existing form (the rebuilt 附件8 rows).

Rows written into a ledger take the style of the form's own rows (:meth:`Package.row_styles` of
a data row or of the template's blank row), made whole where that row lacks what the canonical
layout (:mod:`toolkit.forms.layout`) gives every table cell: a thin border, vertical centring (merged
cells span several rows), wrapped text in text columns and dates shown as the forms show them
(``yyyy-mm-dd``, not the locale's ``m/d/yy``). Row heights grow so wrapped Chinese text fits.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from operator import itemgetter

from lxml import etree

from toolkit.forms.layout import DATE_FORMAT
from toolkit.plans.rollup import DATE, TEXT
from toolkit.textwidth import text_lines
from toolkit.write.package import Package, q

LINE_HEIGHT = 14.0  # points per line of 10-point 宋体
ROW_PAD = 4.0
_SIDES = ("left", "right", "top", "bottom")
_ORDER = ("start", "left", "end", "right", "top", "bottom", "diagonal", "vertical", "horizontal")
_LOCALE_DATE = "14"  # the built-in short date: m/d/yy in LibreOffice, yyyy/m/d in a Chinese Excel


def _num_fmt_id(st, code: str) -> str:
    """The id of number format ``code`` in the styles, added (id 164 and up) when missing."""
    fmts = st._list("numFmts")
    used = []
    for nf in fmts:
        if not isinstance(nf.tag, str):
            continue
        if nf.get("formatCode") == code:
            return nf.get("numFmtId", "0")
        used.append(int(nf.get("numFmtId", "0")))
    new = str(max([163, *used]) + 1)
    etree.SubElement(fmts, q("numFmt"), numFmtId=new, formatCode=code)
    fmts.set("count", str(len(used) + 1))
    return new


def _boxed(st, border_id: int) -> int:
    """A border like ``border_id`` with a thin line on each side that has none."""
    base = st.item("borders", border_id)
    border = copy.deepcopy(base) if base is not None else etree.Element(q("border"))
    parts = {etree.QName(c).localname: c for c in border if isinstance(c.tag, str)}
    for c in list(border):
        border.remove(c)
    for name in _ORDER:
        el = parts.get(name)
        if el is None and name in (*_SIDES, "diagonal"):
            el = etree.Element(q(name))
        if el is None:
            continue
        if name in _SIDES and not el.get("style"):
            el.set("style", "thin")
            if el.find(q("color")) is None:
                etree.SubElement(el, q("color"), auto="1")
        border.append(el)
    return st.add("borders", border)


def _has_box(st, border_id: int) -> bool:
    border = st.item("borders", border_id)
    if border is None:
        return False
    return all((el := border.find(q(side))) is not None and el.get("style") for side in _SIDES)


def complete_style(pkg: Package, s: int, kind: str) -> int:
    """Format ``s`` made whole for a table cell of ``kind`` (text, center or date)."""
    st = pkg.styles()
    xf = copy.deepcopy(st.xf(s))
    if not _has_box(st, int(xf.get("borderId", "0"))):
        xf.set("borderId", str(_boxed(st, int(xf.get("borderId", "0")))))
        xf.set("applyBorder", "1")
    align = xf.find(q("alignment"))
    if align is None:
        align = etree.Element(q("alignment"))
        xf.insert(0, align)
    align.set("vertical", "center")
    if not align.get("horizontal"):
        align.set("horizontal", "left" if kind == TEXT else "center")
    if kind == TEXT:
        align.set("wrapText", "1")
    xf.set("applyAlignment", "1")
    if kind == DATE and (not st.is_date(s) or xf.get("numFmtId") == _LOCALE_DATE):
        xf.set("numFmtId", _num_fmt_id(st, DATE_FORMAT))
        xf.set("applyNumberFormat", "1")
    return st.add("cellXfs", xf)


def written_row_styles(pkg: Package, sheet: str, style_row: int, kinds: Mapping[int, str]) -> dict[int, int]:
    """The format of each column of rows written into ``sheet``: ``style_row``'s, made whole."""
    found = pkg.row_styles(sheet, style_row) if style_row else {}
    return {col: complete_style(pkg, found.get(col, 0), kind) for col, kind in sorted(kinds.items())}


def fitted_heights(
    rows: Sequence[Sequence[object]], widths: Mapping[int, float], wrap_cols: Sequence[int], default_width: float = 9.0
) -> list[float | None]:
    """A height for each row whose wrapped text needs more than one line (``None``: one line is enough).

    Each distinct (column, text) is measured once: a large 附件8 repeats a few hundred names. The
    work goes column by column, mostly in C (map, comprehensions), not per row and cell in Python.
    """
    lines = [1] * len(rows)
    shortest = min(map(len, rows), default=0)
    for col in wrap_cols:
        i, width = col - 1, widths.get(col, default_width)
        if i < shortest:
            column = list(map(itemgetter(i), rows))
        else:
            column = [values[i] if i < len(values) else None for values in rows]
        lines_of = {v: text_lines(v, width) if isinstance(v, str) and v else 1 for v in set(column)}
        if max(lines_of.values(), default=1) > 1:
            lines = list(map(max, lines, map(lines_of.__getitem__, column)))
    return [LINE_HEIGHT * k + ROW_PAD if k > 1 else None for k in lines]
