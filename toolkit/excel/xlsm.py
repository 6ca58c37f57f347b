"""Turn a ledger workbook into a macro-enabled one with 校验 and 汇总 buttons (``zbtz excel-setup``).

The workbook is edited as a package (:class:`toolkit.write.package.Package`), so every cell, style,
formula, merged range and other part stays as it was. Added or changed:

- ``xl/vbaProject.bin``, built from ``excel/ZbtzMacros.bas`` by :mod:`toolkit.excel.vbaproject`, with
  an empty code module for the workbook and for each worksheet;
- the code names those modules belong to (``<workbookPr codeName>``, ``<sheetPr codeName>``),
  where the workbook has none yet;
- the workbook's content type (macro-enabled) and the relationship to the VBA project;
- on the first sheet, two form-control buttons (VML shapes whose ``<x:FmlaMacro>`` names the
  macro), right of the used range, in the sheet's legacy drawing (merged into an existing one).
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from toolkit.cellref import col_number
from toolkit.errors import PackageError
from toolkit.excel.vbaproject import Module, build_vba_project, document_module
from toolkit.files import claim_output, shown_path
from toolkit.ooxml import CT_MACRO_MAIN, CT_NS, CT_PLAIN_MAIN, CT_VBA, REL_VBA
from toolkit.write.convert import as_xlsx
from toolkit.write.package import SHEET_ORDER, Package, _insert_ordered, q

VBA_PART = "xl/vbaProject.bin"
MACRO_MODULE = "ZbtzMacros"
BUTTONS = (("校验", "ZbtzCheck"), ("汇总", "ZbtzRollup"))
WORKBOOK_ORDER = ["fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets"]
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,30}$")


def default_vba_source() -> Path:
    """``excel/ZbtzMacros.bas`` of the source tree, or the copy shipped inside the wheel."""
    package = Path(__file__).resolve().parents[1]  # toolkit/
    tree = package.parent / "excel" / f"{MACRO_MODULE}.bas"
    return tree if tree.exists() else package / "_excel" / f"{MACRO_MODULE}.bas"


def make_xlsm(src: str | Path, out: str | Path, vba_source: str | Path | None = None, *, force: bool = False) -> str:
    """Write ``out``: ``src`` with the VBA project and the buttons; returns the sheet the buttons are on.

    Raises :class:`PackageError` when ``src`` already carries a VBA project that is not ours (it
    would be replaced), when ``out`` would overwrite ``src`` or the macro source is not a text
    module; :class:`~toolkit.errors.WriteError` when ``out`` exists (without ``force``) or is
    read-only. The workbook is vetted as ``check`` vets it (:mod:`toolkit.read.vet`).
    """
    src, out = Path(src), Path(out)
    if out.suffix.lower() != ".xlsm":
        raise PackageError(f"输出文件“{shown_path(out.name)}”的扩展名应为 .xlsm（启用宏的工作簿）。")
    if out.resolve() == src.resolve():
        raise PackageError("输出文件不能与原台账相同：请另给一个文件名，原台账保持不变。")
    claim_output(out, inputs=[src], force=force)
    source = _vba_text(Path(vba_source) if vba_source else default_vba_source())
    with as_xlsx(src, out.parent) as book:  # a ledger in another format (.xls, .ods …) is read, never written
        pkg = Package.open(book)
    _check_no_foreign_vba(pkg)
    book_name, sheet_names = _code_names(pkg)
    modules: list[Module] = [document_module(book_name, workbook=True)]
    modules += [document_module(n) for n in sheet_names]
    modules.append(Module(MACRO_MODULE, source))
    _put_vba(pkg, build_vba_project(modules))
    first = pkg.sheet_names()[0]
    _add_buttons(pkg, first)
    pkg.save(out)
    return first


MAX_VBA_BYTES = 1 << 20


def _vba_text(bas: Path) -> str:
    """The macro module's source: a text file of plain ASCII (what the VBA project stores)."""
    where = shown_path(bas)
    try:
        if not bas.is_file():
            raise PackageError(f"找不到宏模块源文件 {where}。请用 --vba 指定 excel/{MACRO_MODULE}.bas 的位置。")
        if bas.stat().st_size > MAX_VBA_BYTES:
            raise PackageError(
                f"宏模块源文件 {where} 超过 1 MB，不像是 .bas 模块。请用 --vba 指定 excel/{MACRO_MODULE}.bas。"
            )
        data = bas.read_bytes()
    except OSError as exc:
        raise PackageError(f"无法读取宏模块源文件 {where}：{exc.strerror or exc}。") from exc
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        text = ""
    if not text or any(ord(ch) < 32 and ch not in "\r\n\t" for ch in text):
        raise PackageError(
            f"宏模块源文件 {where} 不是纯文本的 VBA 模块（.bas，只含 ASCII 字符）。请用 --vba 指定 excel/"
            f"{MACRO_MODULE}.bas。"
        )
    return text


def _check_no_foreign_vba(pkg: Package) -> None:
    for rid, _, target in pkg._targets(pkg.workbook_part, REL_VBA):
        data = pkg.read_part(target) if target in pkg.parts() else b""
        if MACRO_MODULE.encode("utf-16-le") not in data:
            raise PackageError("工作簿已含有其他宏（VBA 工程），为免覆盖，请使用不含宏的 .xlsx 台账。")
        pkg._remove_rel(pkg.workbook_part, rid)  # ours, from an earlier setup: built afresh
        pkg._remove_part(target)


def _code_names(pkg: Package) -> tuple[str, list[str]]:
    """The workbook's and each worksheet's code name, assigning ThisWorkbook / SheetN where missing."""
    wb = pkg._workbook()
    pr = wb.find(q("workbookPr"))
    if pr is None:
        pr = _insert_ordered(wb, etree.Element(q("workbookPr")), WORKBOOK_ORDER)
    book = pr.get("codeName") or ""
    if not _IDENT.match(book):
        book = "ThisWorkbook"
        pr.set("codeName", book)
        pkg._touch(pkg.workbook_part)
    taken = {book.upper()}
    roots = []
    for name in pkg.sheet_names():
        try:
            root = pkg._sheet(name, touch=False).root  # the sheet without its rows: a million rows stay bytes
        except PackageError:
            continue  # a chart sheet: no code module needed to run the macros
        roots.append((name, root))
        current = root.find(q("sheetPr"))
        code = current.get("codeName", "") if current is not None else ""
        if _IDENT.match(code) and code.upper() not in taken:
            taken.add(code.upper())
    names = []
    n = 1
    for name, root in roots:
        sheet_pr = root.find(q("sheetPr"))
        code = sheet_pr.get("codeName", "") if sheet_pr is not None else ""
        if not (_IDENT.match(code) and code.upper() in taken and code not in names):
            while f"SHEET{n}" in taken:
                n += 1
            code = f"Sheet{n}"
            taken.add(code.upper())
            if sheet_pr is None:
                sheet_pr = _insert_ordered(root, etree.Element(q("sheetPr")), SHEET_ORDER)
            sheet_pr.set("codeName", code)
            pkg._touch(pkg.sheet_part(name))
        names.append(code)
    return book, names


def _put_vba(pkg: Package, data: bytes) -> None:
    pkg._set_bytes(VBA_PART, data)
    pkg._ensure_default("bin", CT_VBA)
    pkg._add_rel(pkg.workbook_part, REL_VBA, VBA_PART)
    ct = pkg._content_types()
    for o in ct.iterfind(f"{{{CT_NS}}}Override"):
        if o.get("PartName", "").lstrip("/") == pkg.workbook_part and o.get("ContentType") == CT_PLAIN_MAIN:
            o.set("ContentType", CT_MACRO_MAIN)
    pkg._touch("[Content_Types].xml")


# --------------------------------------------------------------------------- buttons

_VML_NS = (
    ' xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
    ' xmlns:x="urn:schemas-microsoft-com:office:excel"'
)
_BUTTON_TYPE = (
    "<v:shapetype" + _VML_NS + ' id="_x0000_t201" coordsize="21600,21600" o:spt="201"\r\n'
    '  path="m,l,21600r21600,l21600,xe">\r\n  <v:stroke joinstyle="miter"/>\r\n'
    '  <v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" o:connecttype="rect"/>\r\n'
    '  <o:lock v:ext="edit" shapetype="t"/>\r\n </v:shapetype>'
)


def _button_shape(shape_id: int, caption: str, macro: str, col: int, row: int, z: int) -> str:
    text = "".join(f"&#{ord(ch)};" for ch in caption)  # the VML part stays ASCII
    return (
        f'<v:shape{_VML_NS} id="_x0000_s{shape_id}" type="#_x0000_t201" style=\'position:absolute;'
        f'margin-left:0;margin-top:0;width:96pt;height:28pt;z-index:{z};mso-wrap-style:tight\' o:button="t"'
        ' fillcolor="buttonFace [67]" strokecolor="windowText [64]" o:insetmode="auto">\r\n'
        '  <v:fill color2="buttonFace [67]" o:detectmouseclick="t"/>\r\n  <o:lock v:ext="edit" rotation="t"/>\r\n'
        "  <v:textbox style='mso-direction-alt:auto' o:singleclick=\"f\">\r\n"
        f'   <div style=\'text-align:center\'><font face="&#23435;&#20307;" size="220">{text}</font></div>\r\n'
        "  </v:textbox>\r\n"
        '  <x:ClientData ObjectType="Button">\r\n'
        f"   <x:Anchor>\r\n    {col}, 8, {row}, 4, {col + 2}, 0, {row + 2}, 0</x:Anchor>\r\n"
        "   <x:PrintObject>False</x:PrintObject>\r\n   <x:AutoFill>False</x:AutoFill>\r\n"
        f"   <x:FmlaMacro>[0]!{macro}</x:FmlaMacro>\r\n"
        "   <x:TextHAlign>Center</x:TextHAlign>\r\n   <x:TextVAlign>Center</x:TextVAlign>\r\n"
        "  </x:ClientData>\r\n </v:shape>"
    )


def _last_column(data: bytes) -> int:
    """The 1-based last column holding a cell in a worksheet part (read from its bytes)."""
    last = 1
    for letters in set(re.findall(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})[0-9]', data)):
        last = max(last, col_number(letters.decode("ascii")))
    return last


def _add_buttons(pkg: Package, sheet: str) -> None:
    col = _last_column(pkg.read_part(pkg.sheet_part(sheet))) + 1  # 0-based anchor: one empty column right of the form
    sh = pkg._sheet(sheet)
    _, vpart, _ = pkg._comment_parts(sh)
    if vpart is None:
        vpart = pkg._attach_vml(sh)
    vml = pkg.read_part(vpart)
    vml = re.sub(rb"<v:shape\b(?:(?!<v:shape\b).)*?\[0\]!Zbtz\w+</x:FmlaMacro>.*?</v:shape>", b"", vml, flags=re.S)
    ids = [int(x) for x in re.findall(rb"_x0000_s(\d+)", vml)]
    m = re.search(rb'idmap\b[^>]*data="(\d+)', vml)
    base = int(m.group(1)) * 1024 if m else 1024
    next_id = max([*ids, base]) + 1
    text = "" if b'id="_x0000_t201"' in vml else _BUTTON_TYPE
    for i, (caption, macro) in enumerate(BUTTONS):
        text += _button_shape(next_id + i, caption, macro, col, 3 * i, len(ids) + i + 1)
    end = vml.rfind(b"</xml>")
    if end < 0:
        raise PackageError("第一个工作表的绘图部件（VML）格式异常，无法添加按钮。请用 Excel/WPS 打开后另存再试。")
    pkg._set_bytes(vpart, vml[:end] + text.encode("ascii") + vml[end:])
