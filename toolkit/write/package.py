"""A package-preserving writer for .xlsx/.xlsm workbooks.

openpyxl drops what it does not model (x14 data validations and data bars in extension lists,
shapes, threaded comments, form controls, images without Pillow) when it saves, so the toolkit
never saves a user's workbook with it. :class:`Package` opens the workbook as a zip package,
rewrites only the parts it owns and copies every other part with the very same bytes, the same
compression method, date and attributes, in the same order.

Owned parts (rewritten, otherwise preserved element by element with lxml):

- the worksheet parts we edit and their ``.rels``;
- ``xl/styles.xml``, append only: existing fonts, fills and cell formats keep their numbers, and
  an appended entry that equals an existing one is reused (so running twice appends nothing);
- ``xl/workbook.xml`` and ``xl/_rels/workbook.xml.rels``, only to add or remove our sheets;
- ``[Content_Types].xml``, to add or remove overrides of the parts we add or remove;
- the comments and VML drawing parts of sheets we annotate (VML is edited as text, because
  Excel's VML is not always well-formed XML);
- ``xl/calcChain.xml`` is *dropped* (with its relationship and override) when an edit removed or
  moved a formula: a stale calculation chain makes Excel "repair" the file, and Excel rebuilds it.

Where annotation originals live: :meth:`Package.set_fill` records, per cell, the cell's original
``<fill>`` XML (and its ``applyFill`` flag) in a *very hidden* worksheet named
``_zbtz_标注记录`` (columns 工作表, 单元格, 原填充, 原applyFill, 标注颜色). Cell values survive Excel
and WPS re-saving the file, style numbers do not, which is why the fill is kept as XML rather than
as an index. :meth:`Package.remove_annotations` restores a cell's original fill only where the cell
still carries the colour we put there (a fill the user changed since is left alone), then removes
the ledger sheet. Comments are recognised by their author.

Limits: formulas are not rewritten when :meth:`Package.replace_rows` moves rows, except the
references inside the edited sheet itself (A1 references, unqualified or naming that sheet);
references from other sheets and defined names, drawing anchors and comments below the replaced
rows are not moved.
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import decimal
import io
import math
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from toolkit.cellref import a1, col_letter, col_number, split_ref
from toolkit.errors import PackageError, ReadError
from toolkit.files import atomic_write, check_not_open
from toolkit.ooxml import (
    CT_COMMENTS,
    CT_NS,
    CT_VML,
    CT_WORKSHEET,
    LEDGER_HEADER,
    LEDGER_SHEET,
    MC_NS,
    NS,
    PR_NS,
    R_NS,
    REL_CALC_CHAIN,
    REL_COMMENTS,
    REL_OFFICE_DOC,
    REL_SHARED_STRINGS,
    REL_STYLES,
    REL_VML,
    REL_WORKSHEET,
    STRICT_NS,
    XML_NS,
)
from toolkit.textsafe import EXCEL_CELL_MAX, cell_text

__all__ = ["Package", "PackageError", "LEDGER_SHEET"]


# CT_Worksheet's child sequence; new children are inserted where the schema wants them.
WORKBOOK_ORDER = [
    "fileVersion",
    "fileSharing",
    "workbookPr",
    "workbookProtection",
    "bookViews",
    "sheets",
    "functionGroups",
    "externalReferences",
    "definedNames",
    "calcPr",
    "oleSize",
    "customWorkbookViews",
    "pivotCaches",
    "smartTagPr",
    "smartTagTypes",
    "webPublishing",
    "fileRecoveryPr",
    "webPublishObjects",
    "extLst",
]
SHEET_ORDER = [
    "sheetPr",
    "dimension",
    "sheetViews",
    "sheetFormatPr",
    "cols",
    "sheetData",
    "sheetCalcPr",
    "sheetProtection",
    "protectedRanges",
    "scenarios",
    "autoFilter",
    "sortState",
    "dataConsolidate",
    "customSheetViews",
    "mergeCells",
    "phoneticPr",
    "conditionalFormatting",
    "dataValidations",
    "hyperlinks",
    "printOptions",
    "pageMargins",
    "pageSetup",
    "headerFooter",
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
]
FONT_ORDER = [
    "b",
    "i",
    "strike",
    "condense",
    "extend",
    "outline",
    "shadow",
    "u",
    "vertAlign",
    "sz",
    "color",
    "name",
    "family",
    "charset",
    "scheme",
]
STYLES_ORDER = [
    "numFmts",
    "fonts",
    "fills",
    "borders",
    "cellStyleXfs",
    "cellXfs",
    "cellStyles",
    "dxfs",
    "tableStyles",
    "colors",
    "extLst",
]

# Built-in number formats that show a date (14-22; 27-36 and 50-58 are the CJK date formats).
DATE_FMT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
# Deflate levels of the parts we write. Level 6 (zlib's default) unless a part is large or the parts
# to deflate are large in all (rolling up a ledger of 5,000 computers rewrites 90 MB of sheets):
# then level 2, about twice as fast as 6 on sheet XML, the parts some 10 % larger (level 1 is no
# faster and larger still).
DEFLATE_LEVEL, FAST_LEVEL = 6, 2
BIG_PART = 4 << 20
BIG_SAVE = 16 << 20
HEAD_BYTES = 64 << 10  # what is inflated of a sheet part not read yet to read a cell near its top
FIXED_DATE = (1980, 1, 1, 0, 0, 0)  # zip date of parts we create: deterministic output

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False, collect_ids=False
)
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_DECL_RE = re.compile(rb"^\s*(<\?xml[^>]*\?>\s*)")


def q(tag: str) -> str:
    """The Clark name of a SpreadsheetML element."""
    return f"{{{NS}}}{tag}"


C, ROW, V, F, IS, T = q("c"), q("row"), q("v"), q("f"), q("is"), q("t")


# --------------------------------------------------------------------------- cell references


def _split_range(text: str) -> tuple[int, int, int, int]:
    a, _, b = text.partition(":")
    r1, c1 = split_ref(a)
    r2, c2 = split_ref(b) if b else (r1, c1)
    return r1, c1, r2, c2


def _range_text(r1: int, c1: int, r2: int, c2: int) -> str:
    return a1(r1, c1) if (r1, c1) == (r2, c2) else f"{a1(r1, c1)}:{a1(r2, c2)}"


_MERGE_ROWS = re.compile(r"^\$?[A-Za-z]{1,3}\$?(\d+)(?::\$?[A-Za-z]{1,3}\$?(\d+))?$")


class _RowShift:
    """Row numbers before and after replacing rows ``first..last`` by ``count`` rows."""

    def __init__(self, first: int, last: int, count: int) -> None:
        self.first, self.last, self.count = first, max(last, first - 1), count
        self.delta = count - (self.last - first + 1)

    def start(self, r: int) -> int:
        if r < self.first:
            return r
        if r > self.last:
            return r + self.delta
        return self.first  # the first row of an area that began inside the replaced rows

    def end(self, r: int) -> int:
        if r < self.first:
            return r
        if r >= self.last:
            return r + self.delta
        return min(r, self.first + self.count - 1)

    def area(self, r1: int, r2: int) -> tuple[int, int] | None:
        """The rows of an area after the shift, or None when it vanished with the old rows."""
        a, b = self.start(r1), self.end(r2)
        return (a, b) if a <= b else None

    def sqref(self, text: str) -> str:
        """Shift a space-separated list of areas; areas that vanish are dropped."""
        out = []
        for part in text.split():
            try:
                r1, c1, r2, c2 = _split_range(part)
            except ValueError:
                out.append(part)  # whole columns (A:A) and the like do not move
                continue
            rows = self.area(r1, r2)
            if rows:
                out.append(_range_text(rows[0], c1, rows[1], c2))
        return " ".join(out)


# Formula tokens: string literals (skipped), an optional sheet prefix, and A1 cells/areas or row areas.
_FORMULA_REF = re.compile(
    r"""(?P<str>"(?:[^"]|"")*")"""
    r"""|(?P<sheet>(?:'(?:[^']|'')+'|[A-Za-z_\u0080-\uffff][\w.\u0080-\uffff]*)!)?"""
    r"""(?<![\w.$])(?P<ref>\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?|\$?\d+:\$?\d+)(?![\w(!])"""
)


def _shift_formula(formula: str, shift: _RowShift, sheet: str) -> str:
    """Move the row numbers of this sheet's references in ``formula`` (string literals untouched)."""

    def fix_point(text: str, end: bool) -> str:
        m = re.match(r"^(\$?[A-Za-z]{0,3}\$?)(\d+)$", text)
        if not m:
            return text
        r = int(m.group(2))
        return m.group(1) + str(shift.end(r) if end else shift.start(r))

    def repl(m: re.Match[str]) -> str:
        if m.group("str") is not None:
            return m.group(0)
        prefix = m.group("sheet")
        if prefix:
            name = prefix[:-1]
            if name.startswith("'"):
                name = name[1:-1].replace("''", "'")
            if name != sheet:
                return m.group(0)
        ref = m.group("ref")
        a, sep, b = ref.partition(":")
        if not sep:
            r = int(re.sub(r"^\$?[A-Za-z]+\$?", "", a))
            if shift.first <= r <= shift.last:
                return m.group(0)  # a reference into replaced rows keeps its text
            return (prefix or "") + fix_point(a, False)
        return (prefix or "") + fix_point(a, False) + ":" + fix_point(b, True)

    return _FORMULA_REF.sub(repl, formula)


# --------------------------------------------------------------------------- values


_PLAIN = re.compile(r"(?!\s)[^&<>\x00-\x1f\ufffe\uffff\ud800-\udfff_]*(?<!\s)\Z")  # text that needs no escaping at all


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


_NEEDS_ESCAPE = re.compile("_x[0-9A-Fa-f]{4}_|[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(text: str) -> str:
    """Escape what XML 1.0 cannot carry the way Excel does (``_xHHHH_``), cut to a cell's limit."""
    text = cell_text(text)
    if not _NEEDS_ESCAPE.search(text):
        return text
    text = re.sub(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", text)
    return _ILLEGAL_XML.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def _markup(text: str) -> str:
    """Text escaped for use inside XML markup we build as a string."""
    return _xml_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_markup(text: str) -> str:
    """What follows a text cell's reference and style: ``t="inlineStr"``, the text, the closing tag."""
    if len(text) <= EXCEL_CELL_MAX and _PLAIN.match(text):
        return f' t="inlineStr"><is><t>{text}</t></is></c>'
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return f' t="inlineStr"><is><t{space}>{_markup(text)}</t></is></c>'


def _date_serial(value: dt.date, date1904: bool) -> float:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        day = value.date()
        frac = (value - dt.datetime.combine(day, dt.time())).total_seconds() / 86400
    else:
        day, frac = value, 0.0
    if date1904:
        serial = (day - dt.date(1904, 1, 1)).days
    else:
        serial = (day - dt.date(1899, 12, 30)).days
        if day < dt.date(1900, 3, 1):
            serial -= 1  # Excel counts the non-existent 1900-02-29
    return serial + frac


def _number_text(value: float | int | decimal.Decimal) -> str:
    if isinstance(value, int):
        return str(value)
    f = float(value)
    if not math.isfinite(f):
        raise ValueError(f"无法写入非有限数值：{value}")
    return str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)


def _is_date_code(code: str) -> bool:
    code = re.sub(r'"[^"]*"|\\.|_.|\*.', "", code)
    code = re.sub(r"\[(?![hms]+\])[^\]]*\]", "", code, flags=re.I)
    return bool(re.search(r"[ymdhse]", code.replace("General", ""), re.I)) and "@" not in code.split(";")[0]


def _lone(el: etree._Element, tag: str) -> etree._Element | None:
    """The only child element of ``el`` when it is a ``tag``, else None."""
    kids = [k for k in el if isinstance(k.tag, str)]
    return kids[0] if len(kids) == 1 and kids[0].tag == tag else None


def _local(el: etree._Element) -> str:
    tag = el.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _order_name(el: etree._Element) -> str:
    """The schema position of a sheet child; mc:AlternateContent counts as what it wraps."""
    if el.tag == f"{{{MC_NS}}}AlternateContent":
        for inner in el.iter():
            if inner is not el and isinstance(inner.tag, str) and etree.QName(inner).namespace not in (MC_NS,):
                return _local(inner)
    return _local(el)


def _insert_ordered(parent: etree._Element, child: etree._Element, order: list[str]) -> etree._Element:
    """Insert ``child`` before the first sibling that the schema places after it."""
    rank = order.index(_local(child))
    for i, sib in enumerate(parent):
        name = _order_name(sib)
        if name in order and order.index(name) > rank:
            parent.insert(i, child)
            return child
    parent.append(child)
    return child


def _key(el: etree._Element) -> tuple:
    """A comparison key for a style entry: names, attributes (any order) and text, not prefixes."""
    return (
        el.tag,
        tuple(sorted(el.attrib.items())),
        (el.text or "").strip(),
        tuple(_key(c) for c in el if isinstance(c.tag, str)),
    )


def _xml_of(el: etree._Element) -> str:
    """An element's serialisation without the text that follows it."""
    clone = copy.copy(el)
    clone.tail = None
    return etree.tostring(clone, encoding="unicode")


# --------------------------------------------------------------------------- styles


class _Styles:
    """Append-only access to ``xl/styles.xml``: nothing existing is renumbered."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self._index: dict[str, dict[tuple, int]] = {}
        self._dates: dict[tuple[int, bool], int] = {}

    def _list(self, name: str) -> etree._Element:
        el = self.root.find(q(name))
        if el is None:
            el = _insert_ordered(self.root, etree.Element(q(name)), STYLES_ORDER)
            el.set("count", "0")
        return el

    def items(self, name: str) -> list[etree._Element]:
        return [e for e in self._list(name) if isinstance(e.tag, str)]

    def item(self, name: str, index: int) -> etree._Element | None:
        items = self.items(name)
        return items[index] if 0 <= index < len(items) else None

    def add(self, name: str, el: etree._Element) -> int:
        """Index of an entry equal to ``el`` in list ``name`` (fonts, fills, cellXfs), appending it if new."""
        index = self._index.get(name)
        if index is None:
            index = {}
            for i, e in enumerate(self.items(name)):
                index.setdefault(_key(e), i)
            self._index[name] = index
        k = _key(el)
        if k in index:
            return index[k]
        parent = self._list(name)
        n = len(self.items(name))
        el.tail = None
        parent.append(el)
        parent.set("count", str(n + 1))
        index[k] = n
        return n

    def xf(self, s: int) -> etree._Element:
        el = self.item("cellXfs", s)
        if el is None:
            el = etree.Element(q("xf"), numFmtId="0", fontId="0", fillId="0", borderId="0", xfId="0")
        return el

    def is_date(self, s: int) -> bool:
        fmt = int(self.xf(s).get("numFmtId", "0"))
        if fmt in DATE_FMT_IDS:
            return True
        if fmt < 164:
            return False
        for nf in self.root.iterfind(f"{q('numFmts')}/{q('numFmt')}"):
            if nf.get("numFmtId") == str(fmt):
                return _is_date_code(nf.get("formatCode", ""))
        return False

    def derive(self, s: int, **attrs: str | None) -> int:
        """A cell format like ``s`` with some attributes changed (None removes one)."""
        xf = copy.deepcopy(self.xf(s))
        for k, v in attrs.items():
            if v is None:
                xf.attrib.pop(k, None)
            else:
                xf.set(k, v)
        return self.add("cellXfs", xf)

    def date_style(self, s: int, with_time: bool = False) -> int:
        """A format like ``s`` that shows a date (``s`` itself when it already does)."""
        key = (s, with_time)
        if key not in self._dates:
            if self.is_date(s):
                self._dates[key] = s
            else:
                self._dates[key] = self.derive(s, numFmtId="22" if with_time else "14", applyNumberFormat="1")
        return self._dates[key]

    def aligned(self, s: int, **attrs: str) -> int:
        """A cell format like ``s`` with these ``<alignment>`` attributes (wrapText, vertical …)."""
        xf = copy.deepcopy(self.xf(s))
        align = xf.find(q("alignment"))
        if align is None:
            align = etree.Element(q("alignment"))
            xf.insert(0, align)
        for k, v in attrs.items():
            align.set(k, v)
        xf.set("applyAlignment", "1")
        return self.add("cellXfs", xf)

    def fill_xml(self, s: int) -> tuple[str, str | None]:
        """The ``<fill>`` of format ``s`` as XML text, and the format's ``applyFill`` flag."""
        xf = self.xf(s)
        fill = self.item("fills", int(xf.get("fillId", "0")))
        if fill is None:
            fill = _solid_fill(None)
        return _xml_of(fill), xf.get("applyFill")

    def with_fill(self, s: int, fill: etree._Element, apply_fill: str | None = "1") -> int:
        return self.derive(s, fillId=str(self.add("fills", fill)), applyFill=apply_fill)

    def font_variant(self, bold: bool = False, link: bool = False) -> int:
        base = self.item("fonts", 0)
        font = copy.deepcopy(base) if base is not None else etree.Element(q("font"), nsmap={None: NS})
        if bold and font.find(q("b")) is None:
            _insert_ordered(font, etree.Element(q("b")), FONT_ORDER)
        if link:
            for old in font.findall(q("color")) + font.findall(q("u")):
                font.remove(old)
            _insert_ordered(font, etree.Element(q("u")), FONT_ORDER)
            _insert_ordered(font, etree.Element(q("color"), rgb="FF0563C1"), FONT_ORDER)
        return self.add("fonts", font)


def _thin_box() -> etree._Element:
    """A ``<border>`` with a thin line on every side."""
    border = etree.Element(q("border"))
    for side in ("left", "right", "top", "bottom"):
        etree.SubElement(etree.SubElement(border, q(side), style="thin"), q("color"), auto="1")
    etree.SubElement(border, q("diagonal"))
    return border


def _solid_fill(argb: str | None) -> etree._Element:
    fill = etree.Element(q("fill"), nsmap={None: NS})
    pf = etree.SubElement(fill, q("patternFill"), patternType="solid" if argb else "none")
    if argb:
        etree.SubElement(pf, q("fgColor"), rgb=argb.upper())
        etree.SubElement(pf, q("bgColor"), indexed="64")
    return fill


def _fill_color(fill_xml: str) -> str | None:
    """The solid foreground ARGB of a fill, or None."""
    el = etree.fromstring(fill_xml.encode("utf-8"), _PARSER)
    pf = el.find(q("patternFill"))
    if pf is None or pf.get("patternType") != "solid":
        return None
    fg = pf.find(q("fgColor"))
    return fg.get("rgb", "").upper() if fg is not None and fg.get("rgb") else None


# --------------------------------------------------------------------------- worksheets


_ROW_TAG = re.compile(rb'<row\b[^>]*?\sr="(\d+)"')
_SHEETDATA_OPEN = re.compile(rb"<sheetData\b[^>]*>")
_NS_DECL = re.compile(rb'\sxmlns(?::[\w.-]+)?="[^"]*"')
_SHARED_MASTER = re.compile(rb'<f\b[^>]*\bt="shared"[^>]*>')
_F_TAG = re.compile(rb"<f")
_SI = re.compile(rb'\bsi="(\d+)"')


class _NotPlain(Exception):
    """Rows that cannot be cut as bytes (a row without ``r=""``, a prefixed row, rows out of order)."""


class _Blob:
    """Rows of a sheet kept as the bytes they were read (or written) as, parsed only on demand.

    The rows are ``buf[lo:hi]``, a span of the part as read (or of the rows we wrote), shared and
    never copied. A placeholder comment stands in ``sheetData`` where the rows go; serialising the
    sheet puts the bytes back in its place. The rows are scanned only as far as an edit needs:
    ``rows`` and ``starts`` are the numbers and offsets (in ``buf``) of the rows scanned so far,
    ``pos`` is where the scan goes on, ``done`` says it reached the end. Reading or writing a cell
    in row 2 of a sheet of 100,000 rows scans three rows. A scan that meets a row it cannot cut by
    bytes (no ``r=""``, a prefixed element, a number not above the one before) raises
    :class:`_NotPlain`; the sheet then parses that blob.
    """

    __slots__ = ("node", "buf", "lo", "hi", "rows", "starts", "pos", "done")

    def __init__(
        self, buf: bytes, lo: int, hi: int, rows: list[int], starts: list[int], pos: int = 0, done: bool = True
    ) -> None:
        self.buf, self.lo, self.hi = buf, lo, hi
        self.rows, self.starts, self.pos, self.done = rows, starts, pos, done
        self.node = etree.Comment(f"zbtz-blob-{id(self)}")

    @property
    def token(self) -> bytes:
        return f"<!--zbtz-blob-{id(self)}-->".encode("ascii")

    @classmethod
    def index(cls, buf: bytes, lo: int, hi: int) -> _Blob | None:
        """The rows of the ``sheetData`` body ``buf[lo:hi]``; None when it does not begin plainly
        (text, a comment or a row without ``r=""`` before the first row): parse it the usual way."""
        k = buf.find(b"<", lo, hi)
        if buf[lo : hi if k < 0 else k].strip():
            return None
        if k < 0:
            return cls(buf, lo, hi, [], [])
        m = _ROW_TAG.match(buf, k, hi)
        if m is None:
            return None
        return cls(buf, lo, hi, [int(m.group(1))], [k], m.end(), done=False)

    @property
    def first(self) -> int:
        return self.rows[0]

    def view(self) -> memoryview:
        return memoryview(self.buf)[self.lo : self.hi]

    def has(self, needle: bytes) -> bool:
        return self.buf.find(needle, self.lo, self.hi) >= 0

    def count(self) -> int:
        return len(self.rows) if self.done else len(self.rows) + self.buf.count(b"<row", self.pos, self.hi)

    def scan(self, until: int = 1 << 30) -> None:
        """Scan on until a row numbered above ``until`` has been read, or to the end."""
        if self.done or self.rows[-1] > until:
            return
        buf, rows, starts = self.buf, self.rows, self.starts
        begin, end, found = self.pos, self.hi, 0
        for m in _ROW_TAG.finditer(buf, begin, self.hi):
            n = int(m.group(1))
            if n <= rows[-1]:
                raise _NotPlain
            rows.append(n)
            starts.append(m.start())
            self.pos = m.end()
            if n > until:
                end = m.start()  # the row read last is checked with the next stretch
                break
            found += 1
        else:
            self.done = True
        # every row that starts in the stretch read was matched: none without r="", none prefixed
        if buf.count(b"<row", begin, end) != found or buf.find(b":row", begin, end) >= 0:
            raise _NotPlain

    def cut(self, lo: int, hi: int) -> tuple[_Blob | None, memoryview | None, _Blob | None]:
        """Split into the rows before ``lo``, the bytes of rows ``lo..hi`` and the rows after ``hi``."""
        self.scan(hi)
        rows, starts = self.rows, self.starts
        i = bisect.bisect_left(rows, lo)
        j = bisect.bisect_right(rows, hi)
        a = starts[i] if i < len(rows) else self.hi
        b = starts[j] if j < len(rows) else self.hi
        before = _Blob(self.buf, self.lo, a, rows[:i], starts[:i]) if i else None
        after = _Blob(self.buf, b, self.hi, rows[j:], starts[j:], self.pos, self.done) if j < len(rows) else None
        return before, (memoryview(self.buf)[a:b] if b > a else None), after


class _Sheet:
    """One worksheet part; its rows are parsed on first use, only those that are used.

    A sheet opened from the package keeps its ``sheetData`` rows as bytes (:class:`_Blob`) and
    parses just the rows an edit touches, so writing a few cells of a 100,000-row sheet, or
    replacing its table, never builds a tree of every row.
    """

    def __init__(
        self,
        pkg: Package,
        name: str,
        part: str,
        root: etree._Element,
        body: tuple[bytes, int, int] | None = None,
        nsdecl: bytes = b"",
    ) -> None:
        self.pkg, self.name, self.part, self.root = pkg, name, part, root
        data = root.find(q("sheetData"))
        if data is None:
            data = _insert_ordered(root, etree.Element(q("sheetData")), SHEET_ORDER)
        self.data = data
        self._rows: dict[int, etree._Element] | None = None
        self._keys: list[int] | None = None
        self._cols: list[tuple[int, int, int]] | None = None
        self.has_formulas: bool | None = None
        self._nsdecl = nsdecl
        self.blobs: list[_Blob] = []
        if body:
            blob = _Blob.index(*body)
            if blob is None:
                buf, lo, hi = body
                self._parse_into(memoryview(buf)[lo:hi], None)
            elif blob.rows:
                self.blobs.append(blob)
                data.append(blob.node)

    # lazily parsed rows ----------------------------------------------------
    def _parse(self, chunk: bytes | memoryview) -> list[etree._Element]:
        wrapped = b"<sheetData" + self._nsdecl + b">" + chunk + b"</sheetData>"
        return list(etree.fromstring(wrapped, _PARSER))

    def _parse_into(self, chunk: bytes | memoryview, before: etree._Element | None) -> None:
        els = self._parse(chunk)
        for el in els:
            if before is None:
                self.data.append(el)
            else:
                before.addprevious(el)
        rows = self._rows
        # rows cut from a plain blob carry their numbers: the index of row elements grows with them
        # (rebuilding it after each of 2,000 annotated rows went over every row parsed so far)
        new = [int(r) for el in els if el.tag == ROW and (r := el.get("r", "")).isdigit()]
        if rows is not None and len(new) == len(els) and not any(n in rows for n in new):
            rows.update(zip(new, els, strict=True))
        else:  # a row without its number, or one already indexed (a damaged sheet): index again
            self._rows = None
        self._keys = None

    def _replace_blob(self, blob: _Blob, pieces: list[_Blob | memoryview | None], keep: bool) -> list[memoryview]:
        """Put ``pieces`` (blobs, or bytes to parse when ``keep``) where ``blob`` was."""
        dropped: list[memoryview] = []
        node = blob.node
        i = self.blobs.index(blob)
        self.blobs.pop(i)
        for piece in pieces:
            if piece is None:
                continue
            if isinstance(piece, _Blob):
                node.addprevious(piece.node)
                self.blobs.insert(i, piece)
                i += 1
            elif keep:
                self._parse_into(piece, node)
            else:
                dropped.append(piece)
        self.data.remove(node)  # a placeholder comment, not a row: the index of row elements holds
        self._keys = None
        return dropped

    def isolate(self, lo: int, hi: int, keep: bool = True) -> list[memoryview]:
        """Make rows ``lo..hi`` elements (``keep``) or drop them (returning their bytes).

        Rows that cannot be cut as bytes are parsed, blob and all: they are elements then, which
        the caller finds (and drops) like any row element. Rows are cut where the scan finds them;
        before rows are dropped or created, :meth:`scan_all` makes sure no row comes out of order
        further on.
        """
        dropped: list[memoryview] = []
        for blob in list(self.blobs):
            if blob.first > hi or blob.done and blob.rows[-1] < lo:
                continue
            try:
                before, middle, after = blob.cut(lo, hi)
            except _NotPlain:
                self.parse_blob(blob)
                continue
            dropped += self._replace_blob(blob, [before, middle, after], keep)
        return dropped

    def scan_all(self) -> None:
        """Scan every row kept as bytes (parsing those that turn out not plain), so that no row
        number can hide out of order in bytes not yet read."""
        for blob in list(self.blobs):
            try:
                blob.scan()
            except _NotPlain:
                self.parse_blob(blob)

    def parse_blob(self, blob: _Blob) -> None:
        self._replace_blob(blob, [blob.view()], True)

    def materialise(self) -> None:
        """Parse every row still kept as bytes."""
        for blob in list(self.blobs):
            self.parse_blob(blob)

    def serialise_blobs(self, xml: bytes) -> list[bytes | memoryview]:
        """The pieces of the part: ``xml`` (the sheet without its rows) with the rows' bytes put in place."""
        found = sorted(((xml.find(blob.token), blob) for blob in self.blobs), key=lambda x: x[0])
        pieces: list[bytes | memoryview] = []
        at = 0
        for pos, blob in found:
            if pos < 0:
                continue
            pieces += [xml[at:pos], blob.view()]
            at = pos + len(blob.token)
        pieces.append(xml[at:])
        return pieces

    def row_count(self) -> int:
        return sum(1 for _ in self.data.iterchildren(ROW)) + sum(b.count() for b in self.blobs)

    # rows ----------------------------------------------------------------
    def rows(self) -> dict[int, etree._Element]:
        """Every row element by number (parses the rows kept as bytes)."""
        if self.blobs:
            self.materialise()
        return self._element_rows()

    def _element_rows(self) -> dict[int, etree._Element]:
        if self._rows is None:
            rows: dict[int, etree._Element] = {}
            prev = 0
            for el in self.data.iterchildren(ROW):
                r = el.get("r")
                n = int(r) if r else prev + 1
                if not r:
                    el.set("r", str(n))
                rows[n] = el
                prev = n
            self._rows = rows
        return self._rows

    def keys(self) -> list[int]:
        if self._keys is None:
            self._keys = sorted(self.rows())
        return self._keys

    def get_row(self, n: int) -> etree._Element | None:
        """Row ``n`` if it exists, parsing only that row."""
        if not self.blobs:
            return self._element_rows().get(n)
        self.isolate(n, n)
        el = self._element_rows().get(n)
        if el is None and self.blobs:  # before saying there is none (and one is made): read every row
            self.scan_all()
            self.isolate(n, n)
            el = self._element_rows().get(n)
        return el

    def _predecessor(self, n: int) -> etree._Element | None:
        """The last node of ``sheetData`` (row or placeholder) holding rows before ``n``."""
        blob_of = {id(b.node): b for b in self.blobs}
        prev = None
        for node in self.data:
            b = blob_of.get(id(node))
            if b is not None:
                first = b.first  # a blob lies wholly before or after n: rows around n are isolated
            elif node.tag == ROW:
                first = int(node.get("r", "0"))
            else:
                continue
            if first >= n:
                break
            prev = node
        return prev

    def row(self, n: int, create: bool = False, after: etree._Element | None = None) -> etree._Element | None:
        el = self.get_row(n)
        if el is not None or not create:
            return el
        rows = self._element_rows()
        el = etree.Element(ROW, r=str(n))
        if after is None:
            if self.blobs:
                after = self._predecessor(n)
            else:
                keys = self.keys()
                i = bisect.bisect_left(keys, n)
                after = rows[keys[i - 1]] if i else None
        if after is None:
            self.data.insert(0, el)
        else:
            after.addnext(el)
        rows[n] = el
        self._keys = None
        return el

    @staticmethod
    def cells(row_el: etree._Element) -> dict[int, etree._Element]:
        out: dict[int, etree._Element] = {}
        prev = 0
        n = int(row_el.get("r", "0"))
        for c in row_el.iterchildren(C):
            r = c.get("r")
            if r:
                col = col_number(r.rstrip("0123456789"))
            else:
                col = prev + 1
                c.set("r", a1(n, col))
            out[col] = c
            prev = col
        return out

    def cell(self, row: int, col: int, create: bool = False) -> etree._Element | None:
        row_el = self.row(row, create)
        if row_el is None:
            return None
        cells = self.cells(row_el)
        c = cells.get(col)
        if c is not None or not create:
            return c
        return self.new_cell(row_el, cells, row, col)

    def new_cell(self, row_el: etree._Element, cells: dict[int, etree._Element], row: int, col: int) -> etree._Element:
        """A new cell in its place in ``row_el`` (``cells`` are the row's), styled as :meth:`default_style` says."""
        c = etree.Element(C, r=a1(row, col))
        s = self.default_style(row, col, row_el)
        if s is not None:
            c.set("s", str(s))
        later = [k for k in cells if k > col]
        if later:
            cells[min(later)].addprevious(c)
        else:
            row_el.append(c)
        return c

    def default_style(self, row: int, col: int, row_el: etree._Element | None) -> int | None:
        """The style a new cell takes: the cell above, else the row's, else the column's style."""
        above = self.get_row(row - 1)
        if above is not None:
            c = self.cells(above).get(col)
            if c is not None and c.get("s"):
                return int(c.get("s"))
        if row_el is not None and row_el.get("customFormat") in ("1", "true") and row_el.get("s"):
            return int(row_el.get("s"))
        return self.col_style(col)

    def col_style(self, col: int) -> int | None:
        if self._cols is None:
            self._cols = []
            cols = self.root.find(q("cols"))
            for c in cols if cols is not None else []:
                if c.tag == q("col") and c.get("style"):
                    self._cols.append((int(c.get("min", "0")), int(c.get("max", "0")), int(c.get("style"))))
        for lo, hi, s in self._cols:
            if lo <= col <= hi:
                return s
        return None

    def child(self, name: str, create: bool = False) -> etree._Element | None:
        el = self.root.find(q(name))
        if el is None and create:
            el = _insert_ordered(self.root, etree.Element(q(name)), SHEET_ORDER)
        return el

    def grow_dimension(self, r1: int, c1: int, r2: int, c2: int, shift: _RowShift | None = None) -> None:
        dim = self.child("dimension", create=True)
        assert dim is not None
        ref = dim.get("ref")
        box = None
        if ref:
            try:
                box = list(_split_range(ref))
            except ValueError:
                box = None
        if box and shift:
            rows = shift.area(box[0], box[2])
            box = [rows[0], box[1], rows[1], box[3]] if rows else None
        if box and not (box[0] == box[2] == 1 and box[1] == box[3] == 1 and self.row_count() <= 1):
            r1, c1, r2, c2 = min(r1, box[0]), min(c1, box[1]), max(r2, box[2]), max(c2, box[3])
        dim.set("ref", _range_text(r1, c1, r2, c2))


# --------------------------------------------------------------------------- the package


class Package:
    """A workbook opened as a zip package; see the module docstring for what it rewrites."""

    def __init__(self, path: Path, infos: list[zipfile.ZipInfo], data: dict[str, bytes]) -> None:
        self.path = path
        self._infos = {i.filename: i for i in infos}
        self._order = [i.filename for i in infos]
        self._data = data  # the parts read so far (or set), by name
        self._original = dict(data)  # what was read, to tell an untouched part by identity
        self._packed: dict[str, zipfile.ZipInfo] = {}  # parts not read yet: inflated on first use
        self._zip: zipfile.ZipFile | None = None
        self._scan_at_save = False
        self._head: tuple[str, str, tuple[_Blob, bytes, bool] | None] | None = None  # the last sheet head read
        self._trees: dict[str, etree._Element] = {}
        self._dirty: set[str] = set()
        self._new: list[str] = []
        self._sheets: dict[str, _Sheet] = {}
        self._styles: _Styles | None = None
        self._shared: list[str] | None = None
        self._shared_plain: list[bool] = []  # per shared string: a lone <t>, no formatted runs
        self._ledger: dict[tuple[str, str], tuple[str, str, str]] | None = None
        self._ledger_changed = False
        self._drop_calc_chain = False
        self._d1904: bool | None = None
        self._blob_sheets: dict[str, _Sheet] = {}
        self._raw: bytes | None = None  # the file as read: untouched parts are copied compressed
        self._rel_cache: dict[str, list[tuple[str, str, str]]] = {}  # part -> its relationships, resolved
        # VML part -> (its bytes when indexed, the cells of its note shapes, the highest shape id):
        # adding 2,000 notes to one sheet would otherwise rescan every shape for each new note
        self._note_index: dict[str, tuple[bytes, set[tuple[int, int]], int]] = {}
        # comments part -> (its commentList, how many comments it had, its comments by cell), for the
        # same reason: each new note looked at every comment of the sheet
        self._comment_index: dict[str, tuple[etree._Element, int, dict[str, list[etree._Element]]]] = {}

    # opening -------------------------------------------------------------
    @classmethod
    def open(cls, path: Path | str, *, scan_at_save: bool = False) -> Package:
        """Read the workbook at ``path``; :class:`PackageError` if it is not a usable package.

        The workbook is vetted as ``check`` vets it. With ``scan_at_save`` only the package is
        vetted here (zip and XML bombs, encryption, the format) and its sheet parts are scanned
        (the reader's grid bound) when :meth:`save` is called, before anything is written: a
        command that reads the ledger in between (in two processes for a large one) has scanned
        them by then, and the scan is not repeated. The file must then stay until the save.
        """
        from toolkit.read.vet import XLSX, vet_package, vet_workbook

        path = Path(path)
        try:
            if not scan_at_save or vet_workbook(path, scan=False).kind != XLSX:
                vet_package(path)  # (a format the writers cannot edit is refused, saying so)
        except ReadError as exc:
            raise PackageError(str(exc), exc.kind) from exc
        try:
            raw = path.read_bytes()
            zf = zipfile.ZipFile(io.BytesIO(raw))
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
            raise PackageError(
                f"工作簿“{path.name}”已损坏，无法解压：{exc}。请从备份恢复，或用 Excel/WPS 打开修复后另存。"
            ) from exc
        infos = zf.infolist()
        pkg = cls(path, infos, {})
        pkg._raw, pkg._zip, pkg._scan_at_save = raw, zf, scan_at_save
        pkg._packed = {i.filename: i for i in infos}  # (a part never read is copied as it was, compressed)
        root = pkg._xml(pkg.workbook_part)
        if root.tag == f"{{{STRICT_NS}}}workbook":
            raise PackageError(
                f"“{path.name}”是“严格 Open XML”格式，暂不支持写入。请在 Excel 中另存为普通的 .xlsx 工作簿。", "strict"
            )
        return pkg

    # raw parts -----------------------------------------------------------
    def parts(self) -> list[str]:
        """Names of the parts the saved package will hold, in order."""
        return [*self._order, *self._new]

    def read_part(self, name: str) -> bytes:
        """The current bytes of a part (serialised if we edited it)."""
        if name in self._trees and name in self._dirty:
            return b"".join(self._serialise(name))
        return self._bytes(name)

    def _bytes(self, name: str) -> bytes:
        """A part's bytes as read or set (``KeyError`` when there is no such part).

        Parts are inflated when first used, not all when the package is opened: while a command
        reads the ledger (apart, from the file) the package holds only the compressed file.
        """
        data = self._data.get(name)
        if data is None:
            info = self._packed.pop(name)
            assert self._zip is not None
            try:
                data = self._zip.read(info)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, zlib.error) as exc:
                self._packed[name] = info
                raise PackageError(
                    f"工作簿“{self.path.name}”的部件 {name} 已损坏，无法解压：{exc}。"
                    "请从备份恢复，或用 Excel/WPS 打开修复后另存。"
                ) from exc
            self._data[name] = self._original[name] = data
        return data

    def _has(self, name: str) -> bool:
        return name in self._data or name in self._trees or name in self._packed

    def _xml(self, name: str) -> etree._Element:
        root = self._trees.get(name)
        if root is None:
            try:
                root = etree.fromstring(self._bytes(name), _PARSER)
            except KeyError as exc:
                raise PackageError(f"工作簿缺少部件 {name}，可能已损坏。请用 Excel/WPS 打开修复后另存。") from exc
            except etree.XMLSyntaxError as exc:
                raise PackageError(
                    f"工作簿部件 {name} 不是有效的 XML（{exc}），可能已损坏。请用 Excel/WPS 打开修复后另存。"
                ) from exc
            self._trees[name] = root
        return root

    def _touch(self, name: str) -> None:
        self._dirty.add(name)

    def _put_new(self, name: str, data: bytes | None = None, root: etree._Element | None = None) -> None:
        self._rel_cache.clear()
        self._packed.pop(name, None)
        if name not in self._order and name not in self._new:
            self._new.append(name)
        if data is not None:
            self._data[name] = data
            self._trees.pop(name, None)
            self._dirty.discard(name)
        if root is not None:
            self._trees[name] = root
            self._dirty.add(name)

    def _set_bytes(self, name: str, data: bytes) -> None:
        self._rel_cache.clear()
        self._packed.pop(name, None)
        self._data[name] = data
        self._trees.pop(name, None)
        self._dirty.discard(name)
        if name not in self._order and name not in self._new:
            self._new.append(name)

    def _remove_part(self, name: str) -> None:
        self._rel_cache.clear()
        for lst in (self._order, self._new):
            if name in lst:
                lst.remove(name)
        self._data.pop(name, None)
        self._packed.pop(name, None)
        self._trees.pop(name, None)
        self._dirty.discard(name)
        self._remove_override(name)

    def _serialise(self, name: str) -> list[bytes | memoryview]:
        """An edited part's bytes, in pieces: a sheet's rows kept as bytes are not copied into one."""
        root = self._trees[name]
        m = _DECL_RE.match(self._data.get(name, b""))
        decl = m.group(1) if m else b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        xml = decl + etree.tostring(root, encoding="UTF-8", xml_declaration=False)
        sh = self._blob_sheets.get(name)
        if sh is not None and sh.root is root:
            return sh.serialise_blobs(xml)
        return [xml]

    # relationships and content types -------------------------------------
    @staticmethod
    def rels_name(part: str) -> str:
        d, base = posixpath.split(part)
        return posixpath.join(d, "_rels", base + ".rels")

    def _rels(self, part: str, create: bool = False) -> etree._Element | None:
        name = self.rels_name(part)
        if not self._has(name):
            if not create:
                return None
            self._put_new(name, root=etree.Element(f"{{{PR_NS}}}Relationships", nsmap={None: PR_NS}))
        return self._xml(name)

    def _targets(self, part: str, rel_type: str | None = None) -> list[tuple[str, str, str]]:
        """(Id, Type, resolved part name) of the internal relationships of ``part``.

        Resolved once per part and kept until a relationship or part is added or removed: looking
        up each of 300 sheets would otherwise resolve every relationship of the workbook each time.
        """
        found = self._rel_cache.get(part)
        if found is None:
            rels = self._rels(part)
            found = []
            for rel in rels if rels is not None else []:
                if not isinstance(rel.tag, str) or rel.get("TargetMode") == "External":
                    continue
                found.append((rel.get("Id", ""), rel.get("Type", ""), self._resolve(part, rel.get("Target", ""))))
            self._rel_cache[part] = found
        return [t for t in found if not rel_type or t[1] == rel_type]

    @staticmethod
    def _resolve(part: str, target: str) -> str:
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))

    def _add_rel(self, part: str, rel_type: str, target_part: str) -> str:
        rels = self._rels(part, create=True)
        assert rels is not None
        ids = {r.get("Id") for r in rels}
        n = 1
        while f"rId{n}" in ids:
            n += 1
        target = posixpath.relpath(target_part, posixpath.dirname(part))
        etree.SubElement(rels, f"{{{PR_NS}}}Relationship", Id=f"rId{n}", Type=rel_type, Target=target)
        self._rel_cache.clear()
        self._touch(self.rels_name(part))
        return f"rId{n}"

    def _remove_rel(self, part: str, rid: str) -> None:
        rels = self._rels(part)
        if rels is None:
            return
        for rel in list(rels):
            if rel.get("Id") == rid:
                rels.remove(rel)
        self._rel_cache.clear()
        self._touch(self.rels_name(part))

    def _content_types(self) -> etree._Element:
        return self._xml("[Content_Types].xml")

    def _add_override(self, part: str, ctype: str) -> None:
        ct = self._content_types()
        for o in ct.iterfind(f"{{{CT_NS}}}Override"):
            if o.get("PartName") == "/" + part:
                return
        etree.SubElement(ct, f"{{{CT_NS}}}Override", PartName="/" + part, ContentType=ctype)
        self._touch("[Content_Types].xml")

    def _remove_override(self, part: str) -> None:
        ct = self._content_types()
        for o in list(ct.iterfind(f"{{{CT_NS}}}Override")):
            if o.get("PartName", "").lstrip("/").lower() == part.lower():
                ct.remove(o)
                self._touch("[Content_Types].xml")

    def _ensure_default(self, ext: str, ctype: str) -> None:
        ct = self._content_types()
        for d in ct.iterfind(f"{{{CT_NS}}}Default"):
            if d.get("Extension", "").lower() == ext:
                return
        el = etree.Element(f"{{{CT_NS}}}Default", Extension=ext, ContentType=ctype)
        first_override = ct.find(f"{{{CT_NS}}}Override")
        if first_override is not None:
            first_override.addprevious(el)
        else:
            ct.append(el)
        self._touch("[Content_Types].xml")

    def _free_name(self, pattern: str) -> str:
        names = {n.lower() for n in self.parts()}
        n = 1
        while (pattern % n).lower() in names:
            n += 1
        return pattern % n

    # workbook ------------------------------------------------------------
    @property
    def workbook_part(self) -> str:
        for _, _, target in self._targets("", REL_OFFICE_DOC):
            return target
        return "xl/workbook.xml"

    def _workbook(self) -> etree._Element:
        return self._xml(self.workbook_part)

    def _sheet_elements(self) -> list[etree._Element]:
        sheets = self._workbook().find(q("sheets"))
        return [] if sheets is None else [s for s in sheets if s.tag == q("sheet")]

    def sheet_names(self) -> list[str]:
        """Worksheet names in workbook order (including hidden ones)."""
        return [s.get("name", "") for s in self._sheet_elements()]

    def sheet_part(self, name: str) -> str:
        """The part holding sheet ``name``, e.g. ``xl/worksheets/sheet3.xml``."""
        rid = None
        for s in self._sheet_elements():
            if s.get("name") == name:
                rid = s.get(f"{{{R_NS}}}id")
        if rid is None:
            raise PackageError(f"工作簿中没有名为“{name}”的工作表。")
        for i, _, target in self._targets(self.workbook_part):
            if i == rid:
                return target
        raise PackageError(f"工作表“{name}”的部件缺失，工作簿可能已损坏。")

    def _skeleton(self, part: str) -> tuple[tuple[bytes, int, int] | None, bytes]:
        """Parse a worksheet without its rows: returns the ``sheetData`` body (the part's bytes, its
        start and end) and the namespace declarations its rows may use (None and b"" when the part
        must be parsed whole)."""
        try:
            data = self._bytes(part)
        except KeyError:
            return None, b""
        m = _SHEETDATA_OPEN.search(data)
        end = data.rfind(b"</sheetData>")
        if m is None or m.group(0).endswith(b"/>") or end < m.end():
            return None, b""
        start_tag = re.search(rb"<worksheet\b[^>]*>", data)
        if start_tag is None:
            return None, b""
        try:
            root = etree.fromstring(data[: m.end()] + data[end:], _PARSER)
        except etree.XMLSyntaxError:
            return None, b""
        self._trees[part] = root
        return (data, m.end(), end), b"".join(_NS_DECL.findall(start_tag.group(0)))

    def _date1904(self) -> bool:
        if self._d1904 is None:
            pr = self._workbook().find(q("workbookPr"))
            self._d1904 = pr is not None and pr.get("date1904") in ("1", "true")
        return self._d1904

    def _sheet(self, name: str, touch: bool = True) -> _Sheet:
        sh = self._sheets.get(name)
        if sh is None:
            part = self.sheet_part(name)
            body, nsdecl = None, b""
            if part not in self._trees:
                body, nsdecl = self._skeleton(part)
            root = self._xml(part)
            if root.tag != q("worksheet"):
                raise PackageError(f"“{name}”不是普通工作表（可能是图表工作表），无法写入单元格。")
            sh = self._sheets[name] = _Sheet(self, name, part, root, body, nsdecl)
            if sh.blobs:
                self._blob_sheets[part] = sh
        if touch:
            self._touch(sh.part)
        return sh

    def styles(self) -> _Styles:
        if self._styles is None:
            targets = self._targets(self.workbook_part, REL_STYLES)
            part = targets[0][2] if targets else "xl/styles.xml"
            if not self._has(part):
                root = etree.Element(q("styleSheet"), nsmap={None: NS})
                self._put_new(part, root=root)
                self._add_override(part, "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml")
                if not targets:
                    self._add_rel(self.workbook_part, REL_STYLES, part)
            self._styles = _Styles(self._xml(part))
            self._touch(part)
        return self._styles

    # values --------------------------------------------------------------
    def _write(self, sheet: _Sheet, c: etree._Element, value: object) -> None:
        """Replace the value (and formula) of cell ``c``; its style is kept or made a date style."""
        for child in list(c):
            if child.tag in (V, F, IS):
                if child.tag == F:
                    self._drop_calc_chain = True
                c.remove(child)
        for attr in ("t", "cm", "vm"):
            c.attrib.pop(attr, None)
        if value is None:
            return
        if isinstance(value, str):
            c.set("t", "inlineStr")
            is_ = etree.Element(IS)
            t = etree.SubElement(is_, T)
            t.text = _xml_text(value)
            if value != value.strip() or "\n" in value:
                t.set(f"{{{XML_NS}}}space", "preserve")
            c.insert(0, is_)
            return
        v = etree.Element(V)
        if isinstance(value, bool):
            c.set("t", "b")
            v.text = "1" if value else "0"
        elif isinstance(value, (int, float, decimal.Decimal)):
            v.text = _number_text(value)
        elif isinstance(value, dt.date):
            v.text = _number_text(_date_serial(value, self._date1904()))
            with_time = isinstance(value, dt.datetime) and value.time() != dt.time()
            s = int(c.get("s", "0"))
            new = self.styles().date_style(s, with_time)
            if new != s or c.get("s") is None:
                c.set("s", str(new))
        else:
            raise TypeError(f"不支持写入单元格的值类型：{type(value).__name__}")
        c.insert(0, v)

    def _cell_markup(self, ref: str, s: str | None, value: object) -> str:
        """One new ``<c>`` element as markup (the fast path of :meth:`replace_rows`)."""
        style = f' s="{s}"' if s is not None else ""
        if value is None:
            return f'<c r="{ref}"{style}/>'
        if isinstance(value, str):
            return f'<c r="{ref}"{style}{_text_markup(value)}'
        if isinstance(value, bool):
            return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, (int, float, decimal.Decimal)):
            return f'<c r="{ref}"{style}><v>{_number_text(value)}</v></c>'
        if isinstance(value, dt.date):
            with_time = isinstance(value, dt.datetime) and value.time() != dt.time()
            ds = self.styles().date_style(int(s or 0), with_time)
            serial = _number_text(_date_serial(value, self._date1904()))
            return f'<c r="{ref}" s="{ds}"><v>{serial}</v></c>'
        raise TypeError(f"不支持写入单元格的值类型：{type(value).__name__}")

    def _cell(self, sheet: str, row: int, col: int) -> etree._Element | None:
        """Cell (row, col) of ``sheet`` to read, from the head of a part not yet read if it is there."""
        row_el = self._head_row(sheet, row)
        if row_el is None:
            row_el = self._sheet(sheet, touch=False).get_row(row)
        return _Sheet.cells(row_el).get(col) if row_el is not None else None

    def _head_row(self, sheet: str, row: int) -> etree._Element | None:
        """Row ``row`` read from the first 64 KB of the sheet's part, when the part is not read yet
        and the row is found there (else None: read the sheet the usual way).

        Reading the 填表日期 in row 2 of 300 附件9 sheets then inflates a few KB of each instead of
        the whole part; a sheet that then has nothing to change is never read in full.
        """
        if sheet in self._sheets or self._zip is None:
            return None
        if self._head is None or self._head[0] != sheet:
            part = self.sheet_part(sheet)
            self._head = (sheet, part, self._read_head(part) if part in self._packed else None)
        _, part, found = self._head
        if found is None or part not in self._packed:  # (a sheet replaced since: its old part is gone)
            return None
        blob, nsdecl, whole = found
        try:
            blob.scan(row)
        except _NotPlain:
            return None
        i = bisect.bisect_left(blob.rows, row)
        if i == len(blob.rows) or blob.rows[i] != row or (i + 1 == len(blob.rows) and not (blob.done and whole)):
            return None  # not there, or not wholly there
        stop = blob.starts[i + 1] if i + 1 < len(blob.rows) else blob.hi
        chunk = blob.buf[blob.starts[i] : stop]
        try:
            return etree.fromstring(b"<sheetData" + nsdecl + b">" + chunk + b"</sheetData>", _PARSER)[0]
        except (etree.XMLSyntaxError, IndexError):
            return None

    def _read_head(self, part: str) -> tuple[_Blob, bytes, bool] | None:
        """The rows in the first 64 KB of a part (as a blob), their namespace declarations, and
        whether that is all of them."""
        assert self._zip is not None
        try:
            with self._zip.open(self._packed[part]) as fh:
                head = fh.read(HEAD_BYTES)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, zlib.error):
            return None  # the usual path reports it
        m = _SHEETDATA_OPEN.search(head)
        start_tag = re.search(rb"<worksheet\b[^>]*>", head)
        if m is None or start_tag is None or m.group(0).endswith(b"/>"):
            return None
        end = head.find(b"</sheetData>", m.end())
        blob = _Blob.index(head, m.end(), end if end >= 0 else len(head))
        if blob is None or not blob.rows:
            return None
        return blob, b"".join(_NS_DECL.findall(start_tag.group(0))), end >= 0

    def cell_value(self, sheet: str, row: int, col: int) -> str | float | bool | None:
        """The current value of one cell: text (shared or inline), a number, a boolean, or None."""
        c = self._cell(sheet, row, col)
        if c is None:
            return None
        t = c.get("t")
        if t in ("s", "inlineStr", "str"):
            return self._cell_text(c)
        v = c.find(V)
        if v is None or v.text is None:
            return None
        if t == "b":
            return v.text.strip() in ("1", "true")
        if t == "e":
            return v.text
        try:
            return float(v.text)
        except ValueError:
            return v.text

    def row_styles(self, sheet: str, row: int) -> dict[int, int]:
        """The cell formats of one row, by column (cells without a format left out)."""
        row_el = self._sheet(sheet, touch=False).get_row(row)
        if row_el is None:
            return {}
        return {col: int(c.get("s", "0")) for col, c in _Sheet.cells(row_el).items() if c.get("s")}

    def column_widths(self, sheet: str) -> dict[int, float]:
        """The widths the sheet gives its columns (``<cols>``), by 1-based column."""
        cols = self._sheet(sheet, touch=False).root.find(q("cols"))
        out: dict[int, float] = {}
        for c in cols if cols is not None else []:
            if c.tag == q("col") and c.get("width"):
                for col in range(int(c.get("min", "1")), min(int(c.get("max", "1")), 200) + 1):
                    out[col] = float(c.get("width", "8.43"))
        return out

    def set_cells(self, sheet: str, values: Mapping[tuple[int, int], object]) -> None:
        """Write values into cells of ``sheet``; (row, col) are 1-based.

        Strings become inline strings, dates serial numbers with a date format, None clears the
        value. Existing cells keep their style; new cells take the style of the cell above, else
        of the row or column. A formula in a written cell is replaced; other cells are untouched.
        A cell that already holds the very text is left as it is (see :meth:`_holds_text`).
        """
        for r, col in values:
            if r < 1 or col < 1 or r > 1048576 or col > 16384:
                raise ValueError(f"单元格位置超出范围：第 {r} 行第 {col} 列")
        values = {k: v for k, v in values.items() if not (isinstance(v, str) and self._holds_text(sheet, *k, v))}
        if not values:
            return  # nothing changes: the sheet part is not rewritten
        sh = self._sheet(sheet)
        by_row: dict[int, list[tuple[int, object]]] = {}
        for (r, col), v in values.items():
            by_row.setdefault(r, []).append((col, v))
        if sh.blobs:  # rows kept as bytes: parse and create only the rows written
            rows = {r: sh.row(r, create=True) for r in sorted(by_row)}
            keys: list[int] = []
        else:
            rows = sh.rows()
            keys = sh.keys()
        last_new: tuple[int, etree._Element] | None = None
        for r in sorted(by_row):
            row_el = rows.get(r)
            if row_el is None:
                i = bisect.bisect_left(keys, r)
                prev = rows[keys[i - 1]] if i else None
                if last_new is not None and (i == 0 or last_new[0] > keys[i - 1]):
                    prev = last_new[1]
                new = etree.Element(ROW, r=str(r))
                if prev is None:
                    sh.data.insert(0, new)
                else:
                    prev.addnext(new)
                rows[r] = row_el = new
                last_new = (r, new)
                sh._keys = None
            cells = sh.cells(row_el)
            for col, value in sorted(by_row[r], key=lambda x: x[0]):
                c = cells.get(col)
                if c is None:
                    c = cells[col] = sh.new_cell(row_el, cells, r, col)
                self._write(sh, c, value)
        rs = list(by_row)
        cs = [col for items in by_row.values() for col, _ in items]
        sh.grow_dimension(min(rs), min(cs), max(rs), max(cs))

    def replace_rows(
        self,
        sheet: str,
        first: int,
        last: int,
        rows: list[list[object]],
        merges: Iterable[tuple[int, int, int, int]] = (),
        style_row: int | None = None,
        col_styles: Mapping[int, int] | None = None,
        heights: Sequence[float | None] = (),
    ) -> None:
        """Replace rows ``first..last`` (inclusive; ``last < first`` inserts) by ``rows``.

        Rows below move by the difference: row and cell numbers, merged ranges, conditional
        formats, data validations (also x14 ones), hyperlinks, the auto-filter, the dimension and
        this sheet's own formula references. New cells copy, column by column, the styles of
        ``style_row`` (numbered as before the call; default ``first``). Merged ranges inside the
        old rows are removed and ``merges`` (r1, c1, r2, c2, in the new numbering) are added.
        ``col_styles`` (column -> cell format) replaces the styles taken from ``style_row``;
        ``heights`` gives new row ``i`` a custom height in points (``None``: the default height);
        without ``heights`` the new rows take the style row's height.
        """
        if first < 1:
            raise ValueError("起始行必须从 1 开始")
        sh = self._sheet(sheet)
        sh.scan_all()  # rows are dropped and made: no row may hide out of order in bytes not read
        shift = _RowShift(first, last, len(rows))
        last = shift.last
        template = sh.get_row(style_row if style_row is not None else first)
        if template is None and style_row is None:
            template = sh.get_row(first - 1)
        styles: dict[int, str] = {}
        row_attrs: dict[str, str] = {}
        if template is not None:
            for col, c in sh.cells(template).items():
                if c.get("s"):
                    styles[col] = c.get("s", "0")
            for k, v in template.attrib.items():
                if k not in ("r", "spans", "hidden", "collapsed", "outlineLevel"):
                    row_attrs[k] = v
        if col_styles is not None:
            styles = {col: str(st) for col, st in col_styles.items()}

        # the old rows go; rows still kept as bytes are dropped unparsed (scanned for formulas)
        lost_si: set[str] = set()
        for chunk in sh.isolate(first, last, keep=False):
            if _F_TAG.search(chunk):
                self._drop_calc_chain = True
                for m in _SHARED_MASTER.finditer(chunk):
                    if b" ref=" in m.group(0):
                        si = _SI.search(m.group(0))
                        if si:
                            lost_si.add(si.group(1).decode())
        if shift.delta:
            sh.isolate(last + 1, 1 << 21)  # rows below move: parse them (usually a few)
            for blob in list(sh.blobs):
                if blob.has(b"<f"):  # formulas above may point below: parse to shift them
                    sh.parse_blob(blob)
        all_rows = sh._element_rows()
        anchor: etree._Element | None = None
        keys = sorted(all_rows)
        lo = bisect.bisect_left(keys, first)
        hi = bisect.bisect_right(keys, last)
        for r in keys[lo:hi]:
            el = all_rows.pop(r)
            for f in el.iter(F):
                self._drop_calc_chain = True
                if f.get("t") == "shared" and f.get("ref"):
                    lost_si.add(f.get("si", ""))
            sh.data.remove(el)
        below = keys[hi:]
        anchor = sh._predecessor(first) if sh.blobs else (all_rows[keys[lo - 1]] if lo > 0 else None)

        if shift.delta:
            moved = [(r + shift.delta, all_rows.pop(r)) for r in below]
            for n, el in moved:
                el.set("r", str(n))
                suffix = str(n)
                for c in el.iterchildren(C):
                    c.set("r", c.get("r", "").rstrip("0123456789") + suffix)
                all_rows[n] = el
        sh._keys = None

        # formulas of this sheet: shift references and ranges; orphaned shared formulas keep their value
        for f in sh.data.iter(F):
            self._drop_calc_chain = True
            if f.get("ref"):
                f.set("ref", shift.sqref(f.get("ref", "")) or f.get("ref", ""))
            if f.text and shift.delta:
                f.text = _shift_formula(f.text, shift, sheet)
            if f.get("t") == "shared" and not f.text and f.get("si") in lost_si:
                f.getparent().remove(f)

        # the new rows, written as markup and kept as bytes (parsed only if a later edit needs them)
        attrs = "".join(f' {k}="{_attr(v)}"' for k, v in row_attrs.items() if ":" not in k and "{" not in k)
        width = max([len(v) for v in rows] + [max(styles, default=0)], default=0)
        # per column: its index, the start of its cells' markup, and what follows the row number
        # (the style, if any); a cell is then f"{pre}{row}{style}{rest}"
        col_style = [
            (col - 1, f'<c r="{col_letter(col)}', f'" s="{styles[col]}"' if col in styles else '"', styles.get(col))
            for col in range(1, width + 1)
        ]
        d1904 = self._date1904()
        date_styles: dict[str | None, str] = {}
        serials: dict[dt.date, str] = {}
        texts: dict[str, str] = {}  # a text's markup after the style: a few hundred names repeat over 50,000 rows
        written = io.BytesIO()  # its value is taken without a copy: the rows' bytes are held once
        offsets: list[int] = []
        size = 0
        max_col = 0
        cell = self._cell_markup
        fixed = "".join(
            f' {k}="{_attr(v)}"'
            for k, v in row_attrs.items()
            if ":" not in k and "{" not in k and k not in ("ht", "customHeight")
        )
        n_heights = len(heights)
        for i, values in enumerate(rows):
            sn = str(first + i)
            ht = heights[i] if i < n_heights else None
            if ht is not None:
                out = [f'<row r="{sn}"{fixed} ht="{ht:g}" customHeight="1">']
            else:  # with heights given, a row that needs none gets the default height, not the style row's
                out = [f'<row r="{sn}"{fixed if n_heights else attrs}>']
            nv = len(values)
            for k, pre, st, s in col_style:
                value = values[k] if k < nv else None
                if value is None:
                    if s is not None:
                        out.append(f"{pre}{sn}{st}/>")
                    continue
                typ = type(value)  # type() is faster than isinstance here
                if typ is str:
                    rest = texts.get(value)  # type: ignore[call-overload]
                    if rest is None:
                        rest = texts[value] = _text_markup(value)  # type: ignore[index, arg-type]
                    out.append(f"{pre}{sn}{st}{rest}")
                elif typ is int:
                    out.append(f"{pre}{sn}{st}><v>{value}</v></c>")
                elif typ is dt.date:
                    ds = date_styles.get(s)
                    if ds is None:
                        ds = date_styles[s] = str(self.styles().date_style(int(s or 0), False))
                    serial = serials.get(value)  # type: ignore[call-overload]
                    if serial is None:
                        serial = serials[value] = _number_text(_date_serial(value, d1904))  # type: ignore[index, arg-type]
                    out.append(f'{pre}{sn}" s="{ds}"><v>{serial}</v></c>')
                else:
                    out.append(cell(pre[6:] + sn, s, value))
                if k >= max_col:
                    max_col = k + 1
            out.append("</row>")
            offsets.append(size)
            size += written.write("".join(out).encode("utf-8"))
        if rows:
            blob = _Blob(written.getvalue(), 0, size, list(range(first, first + len(rows))), offsets)
            if anchor is None:
                sh.data.insert(0, blob.node)
            else:
                anchor.addnext(blob.node)
            pos = next((i for i, b in enumerate(sh.blobs) if b.first > first), len(sh.blobs))
            sh.blobs.insert(pos, blob)
            self._blob_sheets[sh.part] = sh
        sh._rows = sh._keys = None

        self._shift_sheet_ranges(sh, shift, list(merges))
        if rows:
            sh.grow_dimension(first, 1, first + len(rows) - 1, max(max_col, 1), shift)
        else:
            sh.grow_dimension(1, 1, 1, 1, shift)

    def _shift_sheet_ranges(self, sh: _Sheet, shift: _RowShift, merges: list[tuple[int, int, int, int]]) -> None:
        root = sh.root
        mc = root.find(q("mergeCells"))
        kept: list[str] = []
        if mc is not None:
            for m in mc:
                if m.tag != q("mergeCell"):
                    continue
                ref = m.get("ref", "")
                quick = _MERGE_ROWS.match(ref)
                if quick is not None:
                    q1 = int(quick.group(1))
                    q2 = int(quick.group(2) or q1)
                    if q2 < shift.first or (q1 > shift.last and not shift.delta):
                        kept.append(ref)
                        continue
                    if shift.first <= q1 and q2 <= shift.last:
                        continue  # inside the replaced rows
                try:
                    r1, c1, r2, c2 = _split_range(ref)
                except ValueError:
                    kept.append(ref)
                    continue
                if r2 < shift.first:
                    kept.append(ref)
                elif r1 > shift.last:
                    kept.append(_range_text(r1 + shift.delta, c1, r2 + shift.delta, c2) if shift.delta else ref)
                elif r1 < shift.first and r2 > shift.last:
                    kept.append(_range_text(r1, c1, r2 + shift.delta, c2))
                # else: inside or across the replaced rows, dropped
        kept += [_range_text(r1, c1, r2, c2) for r1, c1, r2, c2 in merges if (r1, c1) != (r2, c2)]
        if kept:
            if mc is None:
                mc = sh.child("mergeCells", create=True)
            assert mc is not None
            del mc[:]
            merge_cell, sub = q("mergeCell"), etree.SubElement
            for ref in kept:  # (parsing markup and moving the elements in takes several times longer)
                sub(mc, merge_cell, ref=ref)
            mc.set("count", str(len(kept)))
        elif mc is not None:
            root.remove(mc)
        if shift.delta == 0:
            return
        elements = [el for top in root if top is not sh.data and _local(top) != "mergeCells" for el in top.iter()]
        for el in elements:
            if not isinstance(el.tag, str):
                continue
            name = _local(el)
            if name == "sqref" and el.text:  # x14 extension lists: <xm:sqref>
                new = shift.sqref(el.text)
                if new:
                    el.text = new
                continue
            for attr in ("sqref", "ref"):
                value = el.get(attr)
                if value and name not in ("dimension",):
                    new = shift.sqref(value)
                    if new:
                        el.set(attr, new)
                    elif name in (
                        "hyperlink",
                        "conditionalFormatting",
                        "dataValidation",
                        "protectedRange",
                        "ignoredError",
                    ):
                        el.getparent().remove(el)
            if name in ("selection", "pane") and el.get("activeCell" if name == "selection" else "topLeftCell"):
                attr = "activeCell" if name == "selection" else "topLeftCell"
                try:
                    r, col = split_ref(el.get(attr, ""))
                    el.set(attr, a1(max(shift.start(r), 1), col))
                except ValueError:
                    pass
        dv = root.find(q("dataValidations"))
        if dv is not None:
            dv.set("count", str(len(dv.findall(q("dataValidation")))))

    # fills, comments, annotations ------------------------------------------
    def set_fill(self, sheet: str, row: int, col: int, argb: str) -> None:
        """Give one cell a solid fill (its own format cloned); the original fill is recorded."""
        argb = argb.upper()
        if len(argb) == 6:
            argb = "FF" + argb
        sh = self._sheet(sheet)
        c = sh.cell(row, col, create=True)
        assert c is not None
        st = self.styles()
        s = int(c.get("s", "0"))
        ledger = self._load_ledger()
        key = (sheet, a1(row, col))
        if key not in ledger:
            fill_xml, apply = st.fill_xml(s)
            ledger[key] = (fill_xml, apply or "", argb)
        else:
            ledger[key] = (ledger[key][0], ledger[key][1], argb)
        self._ledger_changed = True
        c.set("s", str(st.with_fill(s, _solid_fill(argb))))

    def _attach_vml(self, sh: _Sheet, shapes: str = "") -> str:
        """A new VML drawing part (notes, form buttons) for sheet ``sh``, linked by its legacyDrawing."""
        vpart = self._free_name("xl/drawings/vmlDrawing%d.vml")
        self._set_bytes(vpart, (_VML_HEAD.format(data=self._free_idmap()) + shapes + "</xml>\r\n").encode("ascii"))
        self._ensure_default("vml", CT_VML)
        rid = self._add_rel(sh.part, REL_VML, vpart)
        ld = etree.Element(q("legacyDrawing"))
        ld.set(f"{{{R_NS}}}id", rid)
        _insert_ordered(sh.root, ld, SHEET_ORDER)
        return vpart

    def _comment_parts(self, sh: _Sheet) -> tuple[str | None, str | None, str | None]:
        """(comments part, VML part, the VML relationship id) of a sheet."""
        comments = self._targets(sh.part, REL_COMMENTS)
        vml_rid = None
        ld = sh.root.find(q("legacyDrawing"))
        if ld is not None:
            vml_rid = ld.get(f"{{{R_NS}}}id")
        vml = None
        for rid, _, target in self._targets(sh.part, REL_VML):
            if rid == vml_rid:
                vml = target
        return (comments[0][2] if comments else None), vml, vml_rid

    def add_comment(self, sheet: str, row: int, col: int, text: str, author: str) -> bool:
        """Attach a note by ``author`` to a cell; the sheet's comment and VML parts are merged into.

        A note of ours already on the cell gets the new text. Returns False, writing nothing, when
        the cell already has a comment of someone else's (a user's note or a threaded comment).
        """
        sh = self._sheet(sheet)
        ref = a1(row, col)
        cpart, vpart, _ = self._comment_parts(sh)
        if cpart is None:
            cpart = self._free_name("xl/comments%d.xml")
            root = etree.Element(q("comments"), nsmap={None: NS})
            etree.SubElement(root, q("authors"))
            etree.SubElement(root, q("commentList"))
            self._put_new(cpart, root=root)
            self._add_override(cpart, CT_COMMENTS)
            self._add_rel(sh.part, REL_COMMENTS, cpart)
        if vpart is None:
            vpart = self._attach_vml(sh, _VML_NOTE_TYPE)
        croot = self._xml(cpart)
        self._touch(cpart)
        authors = croot.find(q("authors"))
        if authors is None:
            authors = etree.Element(q("authors"))
            croot.insert(0, authors)
        names = [a.text or "" for a in authors.findall(q("author"))]
        clist = croot.find(q("commentList"))
        if clist is None:
            clist = etree.SubElement(croot, q("commentList"))
        known = self._comment_index.get(cpart)
        if known is None or known[0] is not clist or known[1] != len(clist):
            by_ref: dict[str, list[etree._Element]] = {}
            for cm in clist.findall(q("comment")):
                by_ref.setdefault(cm.get("ref", "").upper(), []).append(cm)
        else:
            by_ref = known[2]
        mine = by_ref.get(ref, [])
        while mine:
            cm = mine[0]
            aid = int(cm.get("authorId", "-1"))
            if not (0 <= aid < len(names) and names[aid] == author):
                self._comment_index[cpart] = (clist, len(clist), by_ref)
                return False
            clist.remove(cm)
            mine.pop(0)
        if author in names:
            aid = names.index(author)
        else:
            etree.SubElement(authors, q("author")).text = author
            aid = len(names)
        cm = etree.SubElement(clist, q("comment"), ref=ref, authorId=str(aid), shapeId="0")
        by_ref[ref] = [cm]
        self._comment_index[cpart] = (clist, len(clist), by_ref)
        t = etree.SubElement(etree.SubElement(cm, q("text")), T)
        t.text = _xml_text(text)
        t.set(f"{{{XML_NS}}}space", "preserve")
        vml = self._bytes(vpart)
        indexed = self._note_index.get(vpart)
        if indexed is None or indexed[0] is not vml:  # first note here, or the part changed since
            indexed = (vml, _note_cells(vml), _max_shape_id(vml))
        _, cells, top = indexed
        if (row, col) not in cells:
            vml, top = _add_note(vml, row, col, top)
            self._set_bytes(vpart, vml)
            cells.add((row, col))
        self._note_index[vpart] = (vml, cells, top)
        return True

    def _free_idmap(self) -> int:
        used = {0}
        for name in self.parts():
            if name.lower().endswith(".vml"):
                for m in re.finditer(rb'idmap\b[^>]*data="([\d,\s]+)"', self._bytes(name)):
                    used.update(int(x) for x in re.findall(rb"\d+", m.group(1)))
        return max(used) + 1

    def remove_annotations(self, author: str, fills: Mapping[str, str]) -> None:
        """Undo an earlier annotation: notes by ``author`` and the fills recorded in the ledger.

        A recorded cell gets its original fill back only while it still shows the colour we gave
        it (or one of ``fills``' colours); a fill the user changed since is left alone.
        """
        ours = {v.upper() if len(v) == 8 else "FF" + v.upper() for v in fills.values()}
        ledger = self._load_ledger()
        names = set(self.sheet_names())
        for (sheet, ref), (fill_xml, apply, argb) in list(ledger.items()):
            if sheet in names and sheet != LEDGER_SHEET:
                sh = self._sheet(sheet, touch=False)  # a sheet is rewritten only when a fill is restored
                r, col = split_ref(ref)
                c = sh.cell(r, col)
                if c is not None:
                    st = self.styles()
                    s = int(c.get("s", "0"))
                    now = _fill_color(st.fill_xml(s)[0])
                    if now is not None and (now == argb.upper() or now in ours):
                        fill = etree.fromstring(fill_xml.encode("utf-8"), _PARSER)
                        restored = st.with_fill(s, fill, apply or None)
                        if restored == 0:
                            c.attrib.pop("s", None)  # no style and style 0 are the same
                        else:
                            c.set("s", str(restored))
                        self._touch(sh.part)
            del ledger[(sheet, ref)]
            self._ledger_changed = True
        for sheet in self.sheet_names():
            part = self.sheet_part(sheet)
            if not self._targets(part, REL_COMMENTS):
                continue
            self._remove_comments(self._sheet(sheet, touch=False), author)  # touched only if a note goes

    def _remove_comments(self, sh: _Sheet, author: str) -> None:
        cpart, vpart, vml_rid = self._comment_parts(sh)
        if cpart is None:
            return
        croot = self._xml(cpart)
        authors = croot.find(q("authors"))
        names = [a.text or "" for a in authors.findall(q("author"))] if authors is not None else []
        if author not in names:
            return
        clist = croot.find(q("commentList"))
        removed = []
        for cm in list(clist if clist is not None else []):
            aid = int(cm.get("authorId", "-1"))
            if cm.tag == q("comment") and 0 <= aid < len(names) and names[aid] == author:
                removed.append(split_ref(cm.get("ref", "A1")))
                clist.remove(cm)
        used = {cm.get("authorId") for cm in (clist if clist is not None else [])}
        if authors is not None and names[-1] == author and str(len(names) - 1) not in used:
            authors.remove(authors.findall(q("author"))[-1])
        self._touch(cpart)
        if vpart is not None and removed:
            vml = self._bytes(vpart)
            for r, col in removed:
                span = _find_note(vml, r, col)
                if span:
                    vml = vml[: span[0]] + vml[span[1] :]
            if b"#_x0000_t202" not in vml:  # the note shape type we added, now unused
                vml = vml.replace(_VML_NOTE_TYPE.encode("ascii"), b"", 1)
            self._set_bytes(vpart, vml)
        if clist is not None and len(clist) == 0:
            for rid, _, target in self._targets(sh.part, REL_COMMENTS):
                self._remove_rel(sh.part, rid)
                self._remove_part(target)
            if vpart is not None and not _ANY_SHAPE.search(self._bytes(vpart)):
                self._remove_rel(sh.part, vml_rid or "")
                self._remove_part(vpart)
                ld = sh.root.find(q("legacyDrawing"))
                if ld is not None:
                    sh.root.remove(ld)
                    self._touch(sh.part)

    # the ledger of original fills -----------------------------------------
    def _load_ledger(self) -> dict[tuple[str, str], tuple[str, str, str]]:
        if self._ledger is None:
            self._ledger = {}
            if LEDGER_SHEET in self.sheet_names():
                for values in self._read_rows(LEDGER_SHEET)[1:]:
                    values = (values + [""] * 5)[:5]
                    if values[0] and values[1] and values[2]:
                        self._ledger[(values[0], values[1].upper())] = (values[2], values[3], values[4])
        return self._ledger

    def _read_rows(self, sheet: str) -> list[list[str]]:
        """The text of a sheet's cells, row by row (shared strings resolved); for our own sheets."""
        if sheet in self._sheets:
            self._sheets[sheet].materialise()
        root = self._xml(self.sheet_part(sheet))
        out = []
        for row in root.iter(ROW):
            values: list[str] = []
            for col, c in _Sheet.cells(row).items():
                while len(values) < col - 1:
                    values.append("")
                values.append(self._cell_text(c))
            out.append(values)
        return out

    def _cell_text(self, c: etree._Element) -> str:
        t = c.get("t")
        if t == "inlineStr":
            is_ = c.find(IS)
            return "".join(x.text or "" for x in is_.iter(T)) if is_ is not None else ""
        v = c.find(V)
        if v is None or v.text is None:
            return ""
        if t == "s":
            strings = self._shared_strings()
            i = int(v.text)
            return strings[i] if 0 <= i < len(strings) else ""
        return v.text

    def _shared_strings(self) -> list[str]:
        if self._shared is None:
            self._shared = []
            for _, _, target in self._targets(self.workbook_part, REL_SHARED_STRINGS):
                root = self._xml(target)
                for si in root.iterfind(q("si")):
                    self._shared.append("".join(t.text or "" for t in si.iter(T) if t.getparent().tag != q("rPh")))
                    self._shared_plain.append(_lone(si, T) is not None)
        return self._shared

    def _holds_text(self, sheet: str, row: int, col: int, text: str) -> bool:
        """Whether a cell already holds exactly ``text`` as plain text: no formula, no formatted
        runs, nothing but its style. Writing the text again would change nothing but the bytes
        (an inline string for a shared one), yet the whole sheet part would be rewritten."""
        if text != text.strip() or "\n" in text or len(text) > EXCEL_CELL_MAX:
            return False
        c = self._cell(sheet, row, col)
        if c is None or not set(c.attrib) <= {"r", "s", "t"}:
            return False
        if c.get("t") == "inlineStr":
            is_ = _lone(c, IS)
            t = _lone(is_, T) if is_ is not None else None
            return t is not None and not t.attrib and t.text == _xml_text(text)
        v = _lone(c, V) if c.get("t") == "s" else None
        if v is None or not (v.text or "").strip().isdigit():
            return False
        i = int(v.text or "")
        strings = self._shared_strings()
        return i < len(strings) and self._shared_plain[i] and strings[i] == _xml_text(text)

    def _flush_ledger(self) -> None:
        if not self._ledger_changed or self._ledger is None:
            return
        if self._ledger:
            rows: list[list[object]] = [list(LEDGER_HEADER)]
            for (sheet, ref), (fill_xml, apply, argb) in sorted(self._ledger.items()):
                rows.append([sheet, ref, fill_xml, apply, argb])
            self.put_sheet(LEDGER_SHEET, rows, state="veryHidden", header_bold=False)
        elif LEDGER_SHEET in self.sheet_names():
            self._remove_sheet(LEDGER_SHEET)
        self._ledger_changed = False

    # whole sheets -----------------------------------------------------------
    def put_sheet(
        self,
        name: str,
        rows: list[list[object]],
        *,
        hyperlinks: Mapping[tuple[int, int], str] | None = None,
        col_widths: Mapping[int, float] | None = None,
        last: bool = True,
        header_bold: bool = True,
        state: str | None = None,
        wrap_cols: Iterable[int] = (),
        printed: bool = False,
        row_heights: Mapping[int, float] | None = None,
    ) -> None:
        """Add or replace worksheet ``name`` holding ``rows`` (row 1 is the header).

        ``hyperlinks`` maps (row, col) to an internal location such as ``"'附件7 汇总表'!B12"``.
        A replaced sheet's part, relationships and the parts only it used are removed. With
        ``last`` the sheet goes after every other sheet, else it keeps the old one's place;
        ``state`` hides it (``"veryHidden"``). ``wrap_cols`` wrap their text (top-aligned);
        ``printed`` sets the sheet up for printing: A4 landscape, fit to the page width, thin
        borders, the header row repeated on every page. ``row_heights`` (row -> points).
        """
        wrap_cols = frozenset(wrap_cols)
        if not name or len(name) > 31 or re.search(r"[\[\]:*?/\\]", name):
            raise PackageError(f"工作表名称“{name}”不合法（不超过 31 个字符，且不能含 []:*?/\\）。")
        position = None
        if name in self.sheet_names():
            position = self._remove_sheet(name)
        hyperlinks = hyperlinks or {}
        st = self.styles()
        header = st.derive(0, fontId=str(st.font_variant(bold=True)), applyFont="1") if header_bold else None
        link = st.derive(0, fontId=str(st.font_variant(link=True)), applyFont="1") if hyperlinks else None
        body: int | None = None
        wrapped: int | None = None
        if printed:
            boxed = {"borderId": str(st.add("borders", _thin_box())), "applyBorder": "1"}
            header = st.aligned(st.derive(header or 0, **boxed), horizontal="center", vertical="center", wrapText="1")
            link = st.aligned(st.derive(link, **boxed), vertical="top") if link is not None else None
            body = st.aligned(st.derive(0, **boxed), vertical="top")
            wrapped = st.aligned(st.derive(0, **boxed), vertical="top", wrapText="1")
        elif wrap_cols:
            wrapped = st.aligned(0, vertical="top", wrapText="1")

        root = etree.Element(q("worksheet"), nsmap={None: NS, "r": R_NS})
        if printed:
            pr = etree.SubElement(root, q("sheetPr"))
            etree.SubElement(pr, q("pageSetUpPr"), fitToPage="1")
        width = max((len(r) for r in rows), default=1) or 1
        etree.SubElement(root, q("dimension"), ref=_range_text(1, 1, max(len(rows), 1), width))
        views = etree.SubElement(root, q("sheetViews"))
        view = etree.SubElement(views, q("sheetView"), workbookViewId="0")
        if header_bold and len(rows) > 1:
            etree.SubElement(view, q("pane"), ySplit="1", topLeftCell="A2", activePane="bottomLeft", state="frozen")
            etree.SubElement(view, q("selection"), pane="bottomLeft", activeCell="A2", sqref="A2")
        etree.SubElement(root, q("sheetFormatPr"), defaultRowHeight="15")
        if col_widths:
            cols = etree.SubElement(root, q("cols"))
            for col in sorted(col_widths):
                etree.SubElement(
                    cols, q("col"), min=str(col), max=str(col), width=f"{col_widths[col]:g}", customWidth="1"
                )
        data = etree.SubElement(root, q("sheetData"))
        part = self._free_name("xl/worksheets/sheet%d.xml")
        sh = _Sheet(self, name, part, root)
        for i, values in enumerate(rows, 1):
            row_el = etree.SubElement(data, ROW, r=str(i))
            if row_heights and i in row_heights:
                row_el.set("ht", f"{row_heights[i]:g}")
                row_el.set("customHeight", "1")
            for j, value in enumerate(values, 1):
                if value is None and body is None:
                    continue
                c = etree.SubElement(row_el, C, r=a1(i, j))
                s = header if i == 1 else (link if (i, j) in hyperlinks else wrapped if j in wrap_cols else body)
                if s:
                    c.set("s", str(s))
                self._write(sh, c, value)
        if hyperlinks:
            hl = etree.SubElement(root, q("hyperlinks"))
            for (r, col), location in sorted(hyperlinks.items()):
                etree.SubElement(hl, q("hyperlink"), ref=a1(r, col), location=location, display=location)
        if printed:
            etree.SubElement(root, q("printOptions"), horizontalCentered="1")
        etree.SubElement(
            root,
            q("pageMargins"),
            left="0.5" if printed else "0.7",
            right="0.5" if printed else "0.7",
            top="0.75",
            bottom="0.75",
            header="0.3",
            footer="0.3",
        )
        if printed:
            etree.SubElement(
                root, q("pageSetup"), paperSize="9", orientation="landscape", fitToWidth="1", fitToHeight="0"
            )
        self._put_new(part, root=root)
        self._add_override(part, CT_WORKSHEET)
        rid = self._add_rel(self.workbook_part, REL_WORKSHEET, part)
        wb = self._workbook()
        sheets = wb.find(q("sheets"))
        assert sheets is not None
        ids = [int(s.get("sheetId", "0")) for s in sheets if s.tag == q("sheet")]
        el = etree.Element(q("sheet"), name=name, sheetId=str(max(ids, default=0) + 1))
        if state:
            el.set("state", state)
        el.set(f"{{{R_NS}}}id", rid)
        current = [s for s in sheets if s.tag == q("sheet")]
        if last or position is None or position >= len(current):
            if current:
                current[-1].addnext(el)
            else:
                sheets.append(el)
        else:
            current[position].addprevious(el)
            self._shift_sheet_indexes(position, +1)
        if printed and len(rows) > 1:
            self._set_print_titles(name, "$1:$1")
        self._touch(self.workbook_part)
        self._sheets.pop(name, None)

    def _set_print_titles(self, name: str, rows: str) -> None:
        """Repeat ``rows`` (``"$1:$1"``) of sheet ``name`` at the top of every printed page."""
        wb = self._workbook()
        index = self.sheet_names().index(name)
        names = wb.find(q("definedNames"))
        if names is None:
            names = etree.Element(q("definedNames"))
            anchor = wb.find(q("sheets"))
            for later in ("functionGroups", "externalReferences"):
                found = wb.find(q(later))
                if found is not None:
                    anchor = found
            assert anchor is not None
            anchor.addnext(names)
        for dn in list(names):
            if dn.get("name") == "_xlnm.Print_Titles" and dn.get("localSheetId") == str(index):
                names.remove(dn)
        dn = etree.SubElement(names, q("definedName"), name="_xlnm.Print_Titles", localSheetId=str(index))
        dn.text = "'" + name.replace("'", "''") + "'!" + rows

    def activate(self, name: str) -> None:
        """Make sheet ``name`` the one a workbook opens on (the only selected tab)."""
        index = self.sheet_names().index(name)
        wb = self._workbook()
        views = wb.find(q("bookViews"))
        if views is None:
            views = etree.Element(q("bookViews"))
            _insert_ordered(wb, views, WORKBOOK_ORDER)
        view = views.find(q("workbookView"))
        if view is None:
            view = etree.SubElement(views, q("workbookView"))
        view.set("activeTab", str(index))
        first = view.get("firstSheet")
        if first is not None and int(first) > index:
            view.set("firstSheet", str(index))
        self._touch(self.workbook_part)
        for other in self.sheet_names():
            try:
                sh = self._sheet(other, touch=False)
            except PackageError:  # a chart sheet: nothing to select or unselect
                continue
            sv = sh.root.find(f"{q('sheetViews')}/{q('sheetView')}")
            if sv is None:
                continue
            selected = sv.get("tabSelected") in ("1", "true")
            if (other == name) != selected:
                self._touch(sh.part)
                if other == name:
                    sv.set("tabSelected", "1")
                else:
                    sv.attrib.pop("tabSelected", None)

    def _remove_sheet(self, name: str) -> int:
        """Remove a sheet, its relationships and the parts only it used; returns its old position."""
        part = self.sheet_part(name)
        elements = self._sheet_elements()
        index = [s.get("name") for s in elements].index(name)
        el = elements[index]
        rid = el.get(f"{{{R_NS}}}id", "")
        el.getparent().remove(el)
        self._remove_rel(self.workbook_part, rid)
        self._remove_tree(part)
        self._shift_sheet_indexes(index, -1)
        self._sheets.pop(name, None)
        self._touch(self.workbook_part)
        self._drop_calc_chain = True
        return index

    def _remove_tree(self, part: str) -> None:
        """Remove ``part`` and the parts reachable only through it."""
        targets = self._targets(part)
        rels = self.rels_name(part)
        self._remove_part(part)
        if self._has(rels):
            self._remove_part(rels)
        for _, _, target in targets:
            if not self._has(target):
                continue
            still_used = any(
                t == target
                for name in self.parts()
                if name.endswith(".rels")
                for _, _, t in self._targets_of_rels(name)
            )
            if not still_used:
                self._remove_tree(target)

    def _targets_of_rels(self, rels_name: str) -> list[tuple[str, str, str]]:
        d = posixpath.dirname(posixpath.dirname(rels_name))
        source = posixpath.join(d, posixpath.basename(rels_name)[: -len(".rels")])
        return self._targets(source)

    def _shift_sheet_indexes(self, index: int, step: int) -> None:
        """Keep ``localSheetId`` of defined names and the active tab right when sheet ``index`` goes or comes."""
        wb = self._workbook()
        names = wb.find(q("definedNames"))
        for dn in list(names if names is not None else []):
            lid = dn.get("localSheetId")
            if lid is None:
                continue
            i = int(lid)
            if step < 0 and i == index:
                names.remove(dn)
            elif i >= index + (1 if step < 0 else 0):
                dn.set("localSheetId", str(i + step))
        count = len(self._sheet_elements())
        for view in wb.iterfind(f"{q('bookViews')}/{q('workbookView')}"):
            for attr in ("activeTab", "firstSheet"):
                v = view.get(attr)
                if v is None:
                    continue
                i = int(v)
                if step < 0 and i > index or step > 0 and i >= index:
                    i += step  # the same sheet stays active when another goes or comes before it
                elif step < 0 and i == index:
                    i = 0
                view.set(attr, str(i if 0 <= i < count else 0))
        if names is not None and len(names) == 0:
            wb.remove(names)

    # saving -----------------------------------------------------------------
    def _drop_empty_rels(self) -> None:
        for name in [n for n in self._dirty if n.endswith(".rels") and n in self._trees]:
            if len(self._trees[name]) == 0 and name != "_rels/.rels":
                self._remove_part(name)

    def _drop_stale_calc_chain(self) -> None:
        if not self._drop_calc_chain:
            return
        for rid, _, target in self._targets(self.workbook_part, REL_CALC_CHAIN):
            self._remove_rel(self.workbook_part, rid)
            self._remove_part(target)

    def save(self, path: Path | str) -> Path:
        """Write the package to ``path`` atomically (refusing a workbook open in Excel/WPS); returns
        the file written (a symbolic link's target)."""
        from toolkit.read.vet import vet_package

        path = Path(path)
        check_not_open(path)
        if self._scan_at_save:
            try:
                vet_package(self.path)  # the sheet parts' scan (see open); nothing is written before it
            except ReadError as exc:
                raise PackageError(str(exc), exc.kind) from exc
        self._flush_ledger()
        self._drop_stale_calc_chain()
        self._drop_empty_rels()
        return atomic_write(path, self._write_zip)

    def _write_zip(self, fh: BinaryIO) -> None:
        # first what each entry holds: an untouched part's compressed bytes as read, or the part's
        # bytes in pieces (serialised now) to deflate; the level depends on how much that is in all
        entries: list[tuple[zipfile.ZipInfo, bytes | None, list[bytes | memoryview]]] = []
        for name in self.parts():
            old = self._infos.get(name)
            if old is not None and name not in self._dirty and name in self._order:
                info = zipfile.ZipInfo(name, old.date_time)
                info.compress_type = old.compress_type
                info.external_attr = old.external_attr
                info.create_system = old.create_system
                info.comment = old.comment
                info.extra = _strip_zip64(old.extra)
                payload = self._raw_payload(old) if self._data.get(name) is self._original.get(name) else None
                if payload is not None:
                    info.CRC, info.compress_size, info.file_size = old.CRC, old.compress_size, old.file_size
                    info.flag_bits = old.flag_bits & ~0x08
                    entries.append((info, payload, []))
                    continue
            else:
                info = zipfile.ZipInfo(name, old.date_time if old is not None else FIXED_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = old.external_attr if old is not None else 0o600 << 16
            entries.append((info, None, self._part_pieces(name)))
        sizes = [sum(len(p) for p in pieces) for _, _, pieces in entries]
        fast = sum(sizes) > BIG_SAVE
        with zipfile.ZipFile(fh, "w", allowZip64=True) as out:
            for (info, payload, pieces), size in zip(entries, sizes, strict=True):
                if payload is not None:
                    _put_entry(out, info, [payload])
                elif info.compress_type == zipfile.ZIP_DEFLATED:
                    _write_deflated(out, info, pieces, FAST_LEVEL if fast or size > BIG_PART else DEFLATE_LEVEL)
                else:
                    out.writestr(info, b"".join(pieces))

    def _part_pieces(self, name: str) -> list[bytes | memoryview]:
        if name in self._trees and name in self._dirty:
            return self._serialise(name)
        return [self._bytes(name)]

    def _raw_payload(self, old: zipfile.ZipInfo) -> bytes | None:
        """An untouched part's compressed bytes as read, to copy as they are (no inflate and deflate
        again); None when they cannot be found. The entry's local header is written anew (so a
        data descriptor or zip64 field of the original does not carry over)."""
        raw = self._raw
        if raw is None or old.flag_bits & 0x01:
            return None
        at = old.header_offset
        head = raw[at : at + 30]
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            return None
        start = at + 30 + int.from_bytes(head[26:28], "little") + int.from_bytes(head[28:30], "little")
        payload = raw[start : start + old.compress_size]
        return payload if len(payload) == old.compress_size else None

    # sheets made elsewhere (toolkit.write.sheetcopy) --------------------------------
    def add_sheet_part(self, name: str, xml: bytes, print_titles: str | None = None) -> str:
        """Add worksheet ``name`` after every other sheet, its part holding ``xml`` as given.

        ``xml`` is a whole ``<worksheet>`` that refers to no other part (no drawing, comments or
        relationship ids) and only to cell formats that exist in this package's styles.
        ``print_titles`` (e.g. ``"$4:$6"``) repeats those rows on every printed page. Returns the
        new part's name.
        """
        if not name or len(name) > 31 or re.search(r"[\[\]:*?/\\]", name):
            raise PackageError(f"工作表名称“{name}”不合法（不超过 31 个字符，且不能含 []:*?/\\）。")
        if name.casefold() in (n.casefold() for n in self.sheet_names()):
            raise PackageError(f"工作簿中已有名为“{name}”的工作表。")
        part = self._free_name("xl/worksheets/sheet%d.xml")
        self._put_new(part, data=xml)
        self._add_override(part, CT_WORKSHEET)
        rid = self._add_rel(self.workbook_part, REL_WORKSHEET, part)
        wb = self._workbook()
        sheets = wb.find(q("sheets"))
        if sheets is None:
            raise PackageError("工作簿没有工作表列表，可能已损坏。请用 Excel/WPS 打开修复后另存。")
        current = [s for s in sheets if s.tag == q("sheet")]
        ids = [int(s.get("sheetId", "0")) for s in current]
        el = etree.Element(q("sheet"), name=name, sheetId=str(max(ids, default=0) + 1))
        el.set(f"{{{R_NS}}}id", rid)
        if current:
            current[-1].addnext(el)
        else:
            sheets.append(el)
        if print_titles:
            names = wb.find(q("definedNames"))
            if names is None:
                names = etree.Element(q("definedNames"))
                anchor = sheets
                for later in ("functionGroups", "externalReferences"):
                    found = wb.find(q(later))
                    if found is not None:
                        anchor = found
                anchor.addnext(names)
            dn = etree.SubElement(names, q("definedName"), name="_xlnm.Print_Titles", localSheetId=str(len(current)))
            dn.text = "'" + name.replace("'", "''") + "'!" + print_titles
        self._touch(self.workbook_part)
        return part


def _put_entry(out: zipfile.ZipFile, info: zipfile.ZipInfo, payload: Sequence[bytes]) -> None:
    """Write an entry whose compressed bytes (``payload``), CRC and sizes ``info`` already holds."""
    out._writecheck(info)  # type: ignore[attr-defined]
    info.header_offset = out.fp.tell()  # type: ignore[union-attr]
    zip64 = info.file_size > zipfile.ZIP64_LIMIT or info.compress_size > zipfile.ZIP64_LIMIT
    out.fp.write(info.FileHeader(zip64))  # type: ignore[union-attr]
    for chunk in payload:
        out.fp.write(chunk)  # type: ignore[union-attr]
    out.start_dir = out.fp.tell()  # type: ignore[attr-defined,union-attr]
    out.filelist.append(info)
    out.NameToInfo[info.filename] = info
    out._didModify = True  # type: ignore[attr-defined]


def _write_deflated(
    out: zipfile.ZipFile, info: zipfile.ZipInfo, pieces: Sequence[bytes | memoryview], level: int
) -> None:
    """Deflate one part given in ``pieces`` (a sheet's skeleton and its rows' bytes) into a new entry,
    without joining the pieces into one copy of the part first. The bytes are those
    :meth:`zipfile.ZipFile.writestr` writes for the joined part."""
    comp = zlib.compressobj(level, zlib.DEFLATED, -15)
    crc = size = 0
    chunks = []
    for piece in pieces:
        crc = zlib.crc32(piece, crc)
        size += len(piece)
        chunks.append(comp.compress(piece))
    chunks.append(comp.flush())
    info.CRC, info.file_size, info.compress_size = crc, size, sum(len(c) for c in chunks)
    info.flag_bits = 0
    if not info.external_attr:
        info.external_attr = 0o600 << 16
    _put_entry(out, info, chunks)


def _strip_zip64(extra: bytes) -> bytes:
    """Drop the zip64 field from an extra block (zipfile writes its own when needed)."""
    out, i = b"", 0
    while i + 4 <= len(extra):
        tag = int.from_bytes(extra[i : i + 2], "little")
        size = int.from_bytes(extra[i + 2 : i + 4], "little")
        if tag != 0x0001:
            out += extra[i : i + 4 + size]
        i += 4 + size
    return out


# --------------------------------------------------------------------------- VML notes

_VML_HEAD = (
    '<xml xmlns:v="urn:schemas-microsoft-com:vml"\r\n xmlns:o="urn:schemas-microsoft-com:office:office"\r\n'
    ' xmlns:x="urn:schemas-microsoft-com:office:excel">\r\n'
    ' <o:shapelayout v:ext="edit">\r\n  <o:idmap v:ext="edit" data="{data}"/>\r\n </o:shapelayout>'
)
_VML_NS = (
    ' xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
    ' xmlns:x="urn:schemas-microsoft-com:office:excel"'
)
_VML_NOTE_TYPE = (
    "<v:shapetype"
    + _VML_NS
    + ' id="_x0000_t202" coordsize="21600,21600" o:spt="202"\r\n  path="m,l,21600r21600,l21600,xe">\r\n'
    '  <v:stroke joinstyle="miter"/>\r\n  <v:path gradientshapeok="t" o:connecttype="rect"/>\r\n </v:shapetype>'
)


def _note_shape(shape_id: int, row: int, col: int) -> str:
    r0, c0 = row - 1, col - 1
    return (
        f'<v:shape{_VML_NS} id="_x0000_s{shape_id}" type="#_x0000_t202" style=\'position:absolute;margin-left:59.25pt;'
        'margin-top:1.5pt;width:144pt;height:72pt;z-index:1;visibility:hidden\' fillcolor="#ffffe1" '
        'o:insetmode="auto">\r\n  <v:fill color2="#ffffe1"/>\r\n  <v:shadow on="t" color="black" obscured="t"/>\r\n'
        "  <v:path o:connecttype=\"none\"/>\r\n  <v:textbox style='mso-direction-alt:auto'>\r\n"
        "   <div style='text-align:left'></div>\r\n  </v:textbox>\r\n  <x:ClientData ObjectType=\"Note\">\r\n"
        "   <x:MoveWithCells/>\r\n   <x:SizeWithCells/>\r\n"
        f"   <x:Anchor>\r\n    {c0 + 1}, 15, {max(r0 - 1, 0)}, 10, {c0 + 3}, 15, {r0 + 4}, 4</x:Anchor>\r\n"
        f"   <x:AutoFill>False</x:AutoFill>\r\n   <x:Row>{r0}</x:Row>\r\n   <x:Column>{c0}</x:Column>\r\n"
        "  </x:ClientData>\r\n </v:shape>"
    )


# VML prefixes vary (Excel writes v:/x:, openpyxl ns0:/ns2:), so shapes are matched by local name.
_SHAPE_RE = re.compile(rb"<(?P<p>[\w.-]+:)?shape\b(?:(?!<(?P=p)shape\b).)*?</(?P=p)shape>", re.S)
_ANY_SHAPE = re.compile(rb"<(?:[\w.-]+:)?shape\b")


def _find_note(vml: bytes, row: int, col: int) -> tuple[int, int] | None:
    """The byte span of the note shape anchored at (row, col), if any."""
    for m in _SHAPE_RE.finditer(vml):
        if _note_at(m.group(0)) == (row, col):
            return m.start(), m.end()
    return None


def _note_at(block: bytes) -> tuple[int, int] | None:
    """The cell (row, col), 1-based, a VML shape is the note of; ``None`` for any other shape."""
    if not _NOTE_TYPE.search(block):
        return None
    r, c = _NOTE_ROW.search(block), _NOTE_COL.search(block)
    return (int(r.group(1)) + 1, int(c.group(1)) + 1) if r is not None and c is not None else None


def _note_cells(vml: bytes) -> set[tuple[int, int]]:
    """The (row, col), 1-based, of every note shape of a VML part (what :func:`_find_note` looks for)."""
    return {at for m in _SHAPE_RE.finditer(vml) if (at := _note_at(m.group(0))) is not None}


def _max_shape_id(vml: bytes) -> int:
    """The highest shape id a VML part uses, or its id block's base (``idmap`` data × 1024)."""
    ids = [int(x) for x in re.findall(rb"_x0000_s(\d+)", vml)]
    m = re.search(rb'idmap\b[^>]*data="(\d+)', vml)
    base = int(m.group(1)) * 1024 if m else 1024
    return max([*ids, base])


_NOTE_TYPE = re.compile(rb'ObjectType\s*=\s*"Note"')
_NOTE_ROW = re.compile(rb"<(?:[\w.-]+:)?Row>\s*(\d+)\s*</(?:[\w.-]+:)?Row>")
_NOTE_COL = re.compile(rb"<(?:[\w.-]+:)?Column>\s*(\d+)\s*</(?:[\w.-]+:)?Column>")


def _add_note(vml: bytes, row: int, col: int, top: int) -> tuple[bytes, int]:
    """The VML part with a note shape for (row, col) added (``top``: the highest shape id so far), and its id."""
    shape_id = top + 1
    text = _note_shape(shape_id, row, col)
    if b'id="_x0000_t202"' not in vml:
        text = _VML_NOTE_TYPE + text
    end = vml.rfind(b"</xml>")
    if end < 0:
        raise PackageError("工作表的批注绘图部件（VML）格式异常，无法添加批注。请用 Excel/WPS 打开后另存再试。")
    return vml[:end] + text.encode("ascii") + vml[end:], shape_id
