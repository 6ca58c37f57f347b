"""Copy a worksheet from a workbook we made into a user's workbook without re-saving the latter.

A new sheet in the canonical look (a 附件9 log that ``zbtz number`` adds) is laid out by
:mod:`toolkit.forms.layout` in a scratch openpyxl workbook; :func:`transplant` then moves its sheet XML
into the user's :class:`~toolkit.write.package.Package`: shared strings become inline strings, every
cell format is appended to (or found in) the target's ``styles.xml`` and renumbered, and the
merges, column widths, frozen panes, data validations, print set-up and repeated header rows
come along. Nothing else of the target changes.
"""

from __future__ import annotations

import copy
import io
import posixpath
import zipfile
from pathlib import Path

from lxml import etree

from toolkit.errors import PackageError
from toolkit.ooxml import NS, R_NS
from toolkit.write.package import Package

__all__ = ["transplant", "SourceBook"]

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


class SourceBook:
    """A workbook written by the toolkit (bytes or a path), opened for copying sheets out of it."""

    def __init__(self, data: bytes | str | Path) -> None:
        raw = data if isinstance(data, bytes) else Path(data).read_bytes()
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            self._parts = {n: zf.read(n) for n in zf.namelist()}
        self.workbook = self._xml("xl/workbook.xml")
        rels = self._xml("xl/_rels/workbook.xml.rels")
        targets = {r.get("Id"): posixpath.normpath(posixpath.join("xl", r.get("Target", ""))) for r in rels}
        self.sheets: dict[str, str] = {}
        self.index: dict[str, int] = {}
        for i, s in enumerate(self.workbook.iter(_q("sheet"))):
            name = s.get("name", "")
            self.sheets[name] = targets[s.get(f"{{{R_NS}}}id")].lstrip("/")
            self.index[name] = i
        self.strings = self._shared_strings()
        self.styles = self._xml("xl/styles.xml") if "xl/styles.xml" in self._parts else None

    def _xml(self, name: str) -> etree._Element:
        return etree.fromstring(self._parts[name], _PARSER)

    def _shared_strings(self) -> list[str]:
        if "xl/sharedStrings.xml" not in self._parts:
            return []
        root = self._xml("xl/sharedStrings.xml")
        return ["".join(t.text or "" for t in si.iter(_q("t"))) for si in root.iter(_q("si"))]

    def sheet_xml(self, name: str) -> etree._Element:
        return self._xml(self.sheets[name])

    def print_titles(self, name: str) -> str | None:
        """The rows repeated on every page (``$4:$6``), from the sheet's ``_xlnm.Print_Titles``."""
        for dn in self.workbook.iter(_q("definedName")):
            if dn.get("name") == "_xlnm.Print_Titles" and dn.get("localSheetId") == str(self.index[name]):
                return (dn.text or "").rsplit("!", 1)[-1] or None
        return None


class _StyleMap:
    """Source cell format index → target cell format index, appending to the target as needed."""

    def __init__(self, src: etree._Element | None, pkg: Package) -> None:
        self.src = src
        self.pkg = pkg
        self.done: dict[int, int] = {}

    def _src_list(self, name: str) -> list[etree._Element]:
        el = self.src.find(_q(name)) if self.src is not None else None
        return [] if el is None else [e for e in el if isinstance(e.tag, str)]

    def _num_fmt(self, fmt_id: int) -> int:
        if fmt_id < 164:
            return fmt_id
        code = next(
            (e.get("formatCode", "") for e in self._src_list("numFmts") if e.get("numFmtId") == str(fmt_id)), None
        )
        if code is None:
            return 0
        root = self.pkg.styles().root
        fmts = root.find(_q("numFmts"))
        if fmts is None:
            fmts = etree.Element(_q("numFmts"), count="0")
            root.insert(0, fmts)
        used = [int(e.get("numFmtId", "0")) for e in fmts if isinstance(e.tag, str)]
        for e in fmts:
            if isinstance(e.tag, str) and e.get("formatCode") == code:
                return int(e.get("numFmtId", "0"))
        new = max([163, *used]) + 1
        etree.SubElement(fmts, _q("numFmt"), numFmtId=str(new), formatCode=code)
        fmts.set("count", str(len(used) + 1))
        return new

    def __call__(self, s: int) -> int:
        if s in self.done:
            return self.done[s]
        xfs = self._src_list("cellXfs")
        if not 0 <= s < len(xfs):
            self.done[s] = 0
            return 0
        st = self.pkg.styles()
        xf = copy.deepcopy(xfs[s])
        for attr, name in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
            items = self._src_list(name)
            i = int(xf.get(attr, "0"))
            if 0 <= i < len(items):
                xf.set(attr, str(st.add(name, copy.deepcopy(items[i]))))
        xf.set("numFmtId", str(self._num_fmt(int(xf.get("numFmtId", "0")))))
        xf.set("xfId", "0")
        self.done[s] = st.add("cellXfs", xf)
        return self.done[s]


_UNSUPPORTED = ("drawing", "legacyDrawing", "legacyDrawingHF", "picture", "oleObjects", "controls", "tableParts")


def transplant(pkg: Package, source: SourceBook, sheet: str, name: str | None = None) -> str:
    """Copy ``sheet`` of ``source`` into ``pkg`` as its last sheet ``name``; returns the sheet's name.

    The sheet may hold values, styles, merges, data validations, panes and print set-up; a sheet
    with drawings, comments or tables is refused (:class:`PackageError`).
    """
    name = name or sheet
    root = copy.deepcopy(source.sheet_xml(sheet))
    for tag in _UNSUPPORTED:
        if root.find(_q(tag)) is not None:
            raise PackageError(f"无法复制工作表“{sheet}”：它含有{tag}，只能复制单元格、格式和打印设置。")
    styles = _StyleMap(source.styles, pkg)
    for c in root.iter(_q("c")):
        if c.get("s") is not None:
            c.set("s", str(styles(int(c.get("s", "0")))))
        if c.get("t") == "s":
            v = c.find(_q("v"))
            text = source.strings[int(v.text)] if v is not None and v.text else ""
            c.remove(v)
            c.set("t", "inlineStr")
            is_ = etree.SubElement(c, _q("is"))
            t = etree.SubElement(is_, _q("t"))
            t.text = text
            if text != text.strip() or "\n" in text:
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    for row in root.iter(_q("row")):
        if row.get("s") is not None:
            row.set("s", str(styles(int(row.get("s", "0")))))
    for col in root.iter(_q("col")):
        if col.get("style") is not None:
            col.set("style", str(styles(int(col.get("style", "0")))))
    for view in root.iter(_q("sheetView")):
        view.attrib.pop("tabSelected", None)  # the target keeps its own selected tab
    for hl in root.iter(_q("hyperlink")):
        hl.attrib.pop(f"{{{R_NS}}}id", None)
    xml = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' + etree.tostring(root, encoding="UTF-8")
    pkg.add_sheet_part(name, xml, source.print_titles(sheet))
    return name
