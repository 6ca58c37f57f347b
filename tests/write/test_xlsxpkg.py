"""The package-preserving writer: untouched parts stay byte-identical, edits read back, writes are safe.

The input workbooks are built here: openpyxl writes the ordinary parts (an image, a chart, a
list validation, defined names, a user's note), then parts openpyxl cannot write are injected
by hand (an x14 data validation and a data bar in extension lists, a threaded comment with its
persons part, a form-control button with its ctrlProp part and VML shape, a vbaProject.bin).
"""

from __future__ import annotations

import datetime as dt
import errno
import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from tests.helpers import ROOT
from toolkit import PackageError, WorkbookLockedError, WriteError, files
from toolkit.files import atomic_write, backup, check_not_open
from toolkit.write.package import LEDGER_SHEET, Package

SUMMARY, DETAIL, BUTTONS = "附件7 汇总表", "附件8 明细表", "按钮"
AUTHOR = "zbtz 校验"
FILLS = {"error": "FFFFC7CE", "warning": "FFFFEB9C"}
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
TC_REL = "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment"
PERSON_REL = "http://schemas.microsoft.com/office/2017/10/relationships/person"
CTRL_REL = "http://schemas.microsoft.com/office/2006/relationships/ctrlProp"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
VBA_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8

X14_EXT = (
    f'<extLst><ext uri="{{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}}" xmlns:x14="{X14}"><x14:dataValidations c'
    f'ount="1" xmlns:xm="{XM}"><x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErr'
    f"orMessage=\"1\"><x14:formula1><xm:f>'{SUMMARY}'!$B$6:$B$8</xm:f></x14:formula1><xm:sqref>F5:F12</xm:sq"
    f'ref></x14:dataValidation></x14:dataValidations></ext><ext uri="{{78C0D931-6437-407d-A8EE-F0AAD7539E6'
    f'5}}" xmlns:x14="{X14}"><x14:conditionalFormattings><x14:conditionalFormatting xmlns:xm="{XM}"><x14:c'
    f'fRule type="dataBar" id="{{00000000-0000-0000-0000-0000000000AB}}"><x14:dataBar minLength="0" maxLen'
    'gth="100" gradient="0"><x14:cfvo type="autoMin"/><x14:cfvo type="autoMax"/><x14:negativeFillColor rg'
    'b="FFFF0000"/><x14:axisColor rgb="FF000000"/></x14:dataBar></x14:cfRule><xm:sqref>A5:A12</xm:sqref><'
    "/x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>"
)

THREADED = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments" xm'
    f'lns:x="{MAIN}"><threadedComment ref="C6" dT="2024-01-01T10:00:00.00" personId="{{11111111-1111-1111-'
    f'1111-111111111111}}" id="{{22222222-2222-2222-2222-222222222222}}"><text>线程批注：请核对</text></th'
    "readedComment></ThreadedComments>"
)
PERSONS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments" xmlns:x='
    f'"{MAIN}"><person displayName="张三" id="{{11111111-1111-1111-1111-111111111111}}" userId="zs" provid'
    'erId="None"/></personList>'
)
BUTTON_VML = (
    '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns'
    ':x="urn:schemas-microsoft-com:office:excel">\n'
    ' <o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="7"/></o:shapelayout>\n'
    ' <v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201" path="m,l,21600r21600,l21600,xe">'
    '<v:stroke joinstyle="miter"/><v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" o:connec'
    'ttype="rect"/><o:lock v:ext="edit" shapetype="t"/></v:shapetype>\n'
    ' <v:shape id="_x0000_s7169" type="#_x0000_t201" style="position:absolute;margin-left:48pt;margin-top'
    ':15pt;width:96pt;height:30pt;z-index:1" o:button="t" fillcolor="buttonFace [67]" strokecolor="window'
    'Text [64]" o:insetmode="auto"><v:fill color2="buttonFace [67]" o:detectmouseclick="t"/><o:lock v:ext'
    '="edit" rotation="t"/><v:textbox style="mso-direction-alt:auto" o:singleclick="f"><div style="text-a'
    'lign:center"><font face="Calibri" size="220" color="#000000">运行宏</font></div></v:textbox><x:Clien'
    'tData ObjectType="Button"><x:Anchor>1, 0, 1, 0, 3, 0, 3, 0</x:Anchor><x:PrintObject>False</x:PrintOb'
    "ject><x:AutoFill>False</x:AutoFill><x:FmlaMacro>[0]!Macro1</x:FmlaMacro><x:TextHAlign>Center</x:Text"
    "HAlign><x:TextVAlign>Center</x:TextVAlign></x:ClientData></v:shape>\n"
    "</xml>"
)
CONTROLS = (
    '<legacyDrawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="r'
    'IdVml1"/><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    '><mc:Choice xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" Requires="x14"'
    '><controls><mc:AlternateContent><mc:Choice Requires="x14"><control xmlns:r="http://schemas.openxmlfo'
    'rmats.org/officeDocument/2006/relationships" shapeId="7169" r:id="rIdCtrl1" name="Button 1"><control'
    'Pr defaultSize="0" print="0" autoFill="0" autoPict="0" macro="[0]!Macro1"><anchor moveWithCells="1" '
    'sizeWithCells="1"><from><xdr:col xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreads'
    'heetDrawing">1</xdr:col><xdr:colOff xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spre'
    'adsheetDrawing">0</xdr:colOff><xdr:row xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/s'
    'preadsheetDrawing">1</xdr:row><xdr:rowOff xmlns:xdr="http://schemas.openxmlformats.org/drawingml/200'
    '6/spreadsheetDrawing">0</xdr:rowOff></from><to><xdr:col xmlns:xdr="http://schemas.openxmlformats.org'
    '/drawingml/2006/spreadsheetDrawing">3</xdr:col><xdr:colOff xmlns:xdr="http://schemas.openxmlformats.'
    'org/drawingml/2006/spreadsheetDrawing">0</xdr:colOff><xdr:row xmlns:xdr="http://schemas.openxmlforma'
    'ts.org/drawingml/2006/spreadsheetDrawing">3</xdr:row><xdr:rowOff xmlns:xdr="http://schemas.openxmlfo'
    'rmats.org/drawingml/2006/spreadsheetDrawing">0</xdr:rowOff></to></anchor></controlPr></control></mc:'
    "Choice></mc:AlternateContent></controls></mc:Choice></mc:AlternateContent>"
)


def _png() -> io.BytesIO:
    from PIL import Image as PILImage

    buf = io.BytesIO()
    PILImage.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    buf.seek(0)
    return buf


def _base_workbook(path: Path) -> None:
    """The ordinary parts, written by openpyxl."""
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Border, PatternFill, Side

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SUMMARY
    ws.append(["软件使用情况汇总表"])
    ws.merge_cells("A1:D1")
    ws.append(["填表日期：2026年6月30日"])
    ws.append([])
    ws.append([])
    ws.append(["序号", "软件编号", "软件名称", "安装数量"])
    for i, (no, name, n) in enumerate([("SY-001", "Office", 2), ("OEM-001", "Windows", 2), ("MF-001", "7-Zip", 1)], 1):
        ws.append([i, no, name, n])
    ws["D9"] = "=SUM(D6:D8)"
    ws["C7"].fill = PatternFill("solid", fgColor="FF00B0F0")  # a user's own fill
    ws["B6"].comment = Comment("用户的批注：编号已核对", "李四")
    dv = DataValidation(type="list", formula1='"商业软件,OEM软件,免费软件"', allow_blank=True)
    dv.add("E6:E8")
    ws.add_data_validation(dv)
    ws.add_image(Image(_png()), "G2")
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=4, min_row=5, max_row=8), titles_from_data=True)
    ws.add_chart(chart, "G10")
    wb.defined_names["软件编号表"] = DefinedName("软件编号表", attr_text=f"'{SUMMARY}'!$B$6:$B$8")

    ws2 = wb.create_sheet(DETAIL)
    thin = Side(style="thin")
    ws2.append(["软件使用情况明细表"])
    ws2.append(["填表日期：2026年6月30日"])
    ws2.append(["序号", "部门", "姓名", "计算机编号", "软件编号", "安装日期"])
    ws2.append([None] * 6)
    for i in range(1, 5):
        ws2.append([i, "办公室", "张三" if i < 3 else "李四", f"PC-00{(i + 1) // 2}", "SY-001", dt.date(2024, 3, i)])
        for col in range(1, 7):
            ws2.cell(row=4 + i, column=col).border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws2.merge_cells("B5:B6")
    ws2.merge_cells("B7:B8")
    ws2.append(["合计", None, None, None, None, "=COUNTA(F5:F8)"])
    ws2.append(["签字：王五"])
    ws2.merge_cells("A10:F10")
    dv2 = DataValidation(type="list", formula1='"办公室,财务处"')
    dv2.add("B5:B8")
    ws2.add_data_validation(dv2)
    ws2.print_area = "A1:F10"

    ws3 = wb.create_sheet(BUTTONS)
    ws3["A1"] = "点击按钮运行宏"
    wb.save(path)


def _inject(src: Path, dest: Path) -> None:
    """Add by hand what openpyxl cannot write."""
    with zipfile.ZipFile(src) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    pkg = Package.open(src)
    p_sum, p_det, p_btn = (pkg.sheet_part(n) for n in (SUMMARY, DETAIL, BUTTONS))

    def text(name: str) -> str:
        return parts[name].decode("utf-8")

    # x14 data validation + data bar in the extension list, and mc:Ignorable on the detail sheet
    det = text(p_det)
    det = det.replace(
        f'<worksheet xmlns="{MAIN}"',
        f'<worksheet xmlns="{MAIN}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" mc:Ignorable="x14ac"',
        1,
    )
    det = re.sub(r'<row r="5"', '<row r="5" x14ac:dyDescent="0.25"', det, count=1)
    det = det.replace("</worksheet>", X14_EXT + "</worksheet>")
    parts[p_det] = det.encode("utf-8")

    # a threaded comment on 附件7!C6: its legacy placeholder note, the threadedComments part, persons
    rels_sum = Package.rels_name(p_sum)
    comments_part = next(posixpath_join(p_sum, t) for t in re.findall(r'Target="([^"]+comment[^"]+)"', text(rels_sum)))
    c = text(comments_part)
    c = c.replace("</authors>", "<author>tc={22222222-2222-2222-2222-222222222222}</author></authors>")
    n_authors = len(re.findall("<author>", c)) - 1
    c = c.replace(
        "</commentList>",
        (
            f'<comment ref="C6" authorId="{n_authors}" shapeId="0"><text><t>[Threaded comment]线程批注：请核对</t'
            "></text></comment></commentList>"
        ),
    )
    parts[comments_part] = c.encode("utf-8")
    vml_part = next(posixpath_join(p_sum, t) for t in re.findall(r'Target="([^"]+\.vml)"', text(rels_sum)))
    vml = text(vml_part)
    shape = re.search(r"<(\w+:)shape\b.*?</\1shape>", vml, re.S).group(0)
    shape2 = re.sub(r"<(\w+:)Row>\d+</", r"<\1Row>5</", shape)
    shape2 = re.sub(r"<(\w+:)Column>\d+</", r"<\1Column>2</", shape2)
    shape2 = re.sub(r'id="_x0000_s(\d+)"', lambda m: f'id="_x0000_s{int(m.group(1)) + 1}"', shape2, count=1)
    parts[vml_part] = vml.replace("</xml>", shape2 + "</xml>").encode("utf-8")
    parts["xl/threadedComments/threadedComment1.xml"] = THREADED.encode("utf-8")
    parts[rels_sum] = (
        text(rels_sum)
        .replace(
            "</Relationships>",
            (
                f'<Relationship Id="rIdTc1" Type="{TC_REL}" Target="../threadedComments/threadedComment1.xml"/></'
                "Relationships>"
            ),
        )
        .encode("utf-8")
    )
    parts["xl/persons/person.xml"] = PERSONS.encode("utf-8")

    # a form-control button on 按钮 (VML shape with a macro + ctrlProp part) and the VBA project
    parts[p_btn] = text(p_btn).replace("</worksheet>", CONTROLS + "</worksheet>").encode("utf-8")
    parts["xl/drawings/vmlDrawing9.vml"] = BUTTON_VML.encode("utf-8")
    parts["xl/ctrlProps/ctrlProp1.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        b'<formControlPr xmlns="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" objectType="Bu'
        b'tton" lockText="1"/>'
    )
    parts[Package.rels_name(p_btn)] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rIdVml1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationship'
        's/vmlDrawing" Target="../drawings/vmlDrawing9.vml"/>'
        f'<Relationship Id="rIdCtrl1" Type="{CTRL_REL}" Target="../ctrlProps/ctrlProp1.xml"/></Relationships>'
    ).encode()
    parts["xl/vbaProject.bin"] = VBA_BYTES
    wb_rels = "xl/_rels/workbook.xml.rels"
    parts[wb_rels] = (
        text(wb_rels)
        .replace(
            "</Relationships>",
            f'<Relationship Id="rIdVba1" Type="{VBA_REL}" Target="vbaProject.bin"/>'
            f'<Relationship Id="rIdPer1" Type="{PERSON_REL}" Target="persons/person.xml"/></Relationships>',
        )
        .encode("utf-8")
    )
    ct = text("[Content_Types].xml")
    ct = ct.replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    if 'Extension="vml"' not in ct:
        ct = ct.replace(
            "<Override",
            (
                '<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/'
                "><Override"
            ),
            1,
        )
    ct = ct.replace(
        "</Types>",
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        '<Override PartName="/xl/threadedComments/threadedComment1.xml" ContentType="application/vnd.ms-excel'
        '.threadedcomments+xml"/>'
        '<Override PartName="/xl/persons/person.xml" ContentType="application/vnd.ms-excel.person+xml"/>'
        '<Override PartName="/xl/ctrlProps/ctrlProp1.xml" ContentType="application/vnd.ms-excel.controlproper'
        'ties+xml"/></Types>',
    )
    parts["[Content_Types].xml"] = ct.encode("utf-8")
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data, compress_type=zipfile.ZIP_STORED if name.endswith(".bin") else zipfile.ZIP_DEFLATED)


def posixpath_join(part: str, target: str) -> str:
    return Package._resolve(part, target)


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    base = tmp_path / "base.xlsx"
    _base_workbook(base)
    out = tmp_path / "台账.xlsm"
    _inject(base, out)
    return out


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def _infos(path: Path) -> dict[str, zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: i for i in z.infolist()}


def _rows(path: Path, sheet: str) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def _c14n(data: bytes) -> bytes:
    return etree.tostring(etree.fromstring(data), method="c14n")


def _all_targets(parts: dict[str, bytes]) -> set[str]:
    """Every internal part some relationship points at."""
    out = set()
    for name, data in parts.items():
        if not name.endswith(".rels"):
            continue
        source_dir = posixpath_dir(name)
        for rel in etree.fromstring(data):
            if rel.get("TargetMode") == "External":
                continue
            out.add(
                Package._resolve(source_dir + "/x", rel.get("Target")) if source_dir else rel.get("Target").lstrip("/")
            )
    return out


def posixpath_dir(rels_name: str) -> str:
    """The folder a .rels file's relative targets start from (``xl/_rels/workbook.xml.rels`` -> ``xl``)."""
    return rels_name.rsplit("/_rels/", 1)[0] if "/_rels/" in rels_name else ""


def _annotate(path: Path, out: Path) -> None:
    pkg = Package.open(path)
    pkg.remove_annotations(AUTHOR, FILLS)
    pkg.set_fill(SUMMARY, 7, 3, FILLS["error"])  # over the user's own fill
    pkg.set_fill(SUMMARY, 6, 2, FILLS["warning"])  # the cell holding the user's note
    pkg.set_fill(DETAIL, 5, 4, FILLS["error"])
    pkg.add_comment(SUMMARY, 7, 3, "TZ1.3 软件编号重复", AUTHOR)
    pkg.add_comment(DETAIL, 5, 4, "TZ2.1 计算机编号不在计算机清单中", AUTHOR)
    pkg.add_comment(BUTTONS, 1, 1, "TZ0.1 测试", AUTHOR)
    pkg.put_sheet(
        "校验结果",
        [["序号", "规则", "级别", "工作表", "单元格", "说明"], [1, "TZ1.3", "错误", SUMMARY, "C7", "软件编号重复"]],
        hyperlinks={(2, 5): f"'{SUMMARY}'!C7"},
        col_widths={6: 60},
    )
    pkg.save(out)


# ------------------------------------------------------------------ preservation


def test_fixture_holds_every_feature(ledger: Path) -> None:
    parts = _parts(ledger)
    names = set(parts)
    assert {
        "xl/vbaProject.bin",
        "xl/persons/person.xml",
        "xl/threadedComments/threadedComment1.xml",
        "xl/ctrlProps/ctrlProp1.xml",
    } <= names
    assert any(n.startswith("xl/media/") for n in names)
    assert any(n.startswith("xl/charts/") for n in names)
    assert b"x14:dataValidation" in parts[Package.open(ledger).sheet_part(DETAIL)]


def test_annotation_keeps_unowned_parts_byte_identical(ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsm"
    _annotate(ledger, out)
    before, after = _parts(ledger), _parts(out)
    pkg = Package.open(ledger)
    owned = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"}
    for sheet in (SUMMARY, DETAIL, BUTTONS):
        part = pkg.sheet_part(sheet)
        owned |= {part, Package.rels_name(part)}
        owned |= {t for _, typ, t in pkg._targets(part) if typ.endswith(("/comments", "/vmlDrawing"))}
    for name, data in before.items():
        if name not in owned:
            assert after.get(name) == data, name
    infos_before, infos_after = _infos(ledger), _infos(out)
    for name in before:
        if name not in owned:
            assert infos_after[name].compress_type == infos_before[name].compress_type, name
    order = [n for n in _infos(out) if n in before]
    assert order == [n for n in before if n in after]  # same order
    targets = _all_targets(after)
    for name in after:
        if not name.endswith(".rels") and name != "[Content_Types].xml":
            assert name in targets, f"{name} is not referenced"
    for target in targets:
        assert target in after, f"dangling relationship to {target}"
    ct = after["[Content_Types].xml"].decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in ct
    assert after["xl/vbaProject.bin"] == VBA_BYTES


def test_edited_sheet_keeps_extensions_and_namespaces(ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsm"
    pkg = Package.open(ledger)
    part = pkg.sheet_part(DETAIL)
    pkg.set_cells(DETAIL, {(5, 2): "财务处"})
    pkg.save(out)
    xml = _parts(out)[part].decode()
    assert 'mc:Ignorable="x14ac"' in xml and 'x14ac:dyDescent="0.25"' in xml
    assert "x14:dataValidation " in xml and "x14:dataBar" in xml
    assert xml.index("<dataValidations") < xml.index("<pageMargins") < xml.index("<extLst>")
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')


def test_set_cells_values_read_back(ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsm"
    pkg = Package.open(ledger)
    pkg.set_cells(
        SUMMARY,
        {
            (6, 4): 5,
            (7, 4): 2.5,
            (8, 3): " 7-Zip\n 新版 ",
            (2, 1): dt.date(2026, 6, 30),
            (9, 4): 8,
            (8, 4): None,
            (12, 2): "新行",
            (6, 1): True,
        },
    )
    pkg.save(out)
    rows = _rows(out, SUMMARY)
    assert rows[5][3] == 5 and rows[6][3] == 2.5 and rows[7][2] == " 7-Zip\n 新版 "
    assert rows[1][0] == dt.date(2026, 6, 30)
    assert rows[8][3] == 8 and rows[7][3] == "" and rows[11][1] == "新行" and rows[5][0] is True
    xml = _parts(out)[pkg.sheet_part(SUMMARY)].decode()
    assert "SUM(D6:D8)" not in xml  # the formula we overwrote is gone
    assert 'r="D8"' in xml  # a cleared cell keeps its place (and style)
    assert (
        "xl/sharedStrings.xml" not in _parts(out)
        or _parts(out)["xl/sharedStrings.xml"] == _parts(ledger)["xl/sharedStrings.xml"]
    )
    assert "xl/calcChain.xml" not in _parts(out)


def test_set_cells_new_cell_takes_style_of_cell_above(ledger: Path, tmp_path: Path) -> None:
    pkg = Package.open(ledger)
    sh = pkg._sheet(DETAIL)
    above = sh.cell(8, 4).get("s")
    pkg.set_cells(DETAIL, {(9, 4): "PC-009"})
    assert sh.cell(9, 4).get("s") == above
    pkg.set_cells(DETAIL, {(5, 6): dt.date(2025, 1, 2)})
    assert pkg.styles().is_date(int(sh.cell(5, 6).get("s")))
    pkg.set_cells(DETAIL, {(5, 1): dt.date(2025, 1, 2)})  # a plain number format gains a date format
    s = int(sh.cell(5, 1).get("s"))
    assert pkg.styles().is_date(s) and pkg.styles().xf(s).get("borderId") == pkg.styles().xf(
        int(sh.cell(6, 1).get("s"))
    ).get("borderId")


def test_replace_rows_shifts_everything_below(ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsm"
    pkg = Package.open(ledger)
    new = [
        [i, "办公室", name, pc, "SY-001", dt.date(2025, 5, i)]
        for i, (name, pc) in enumerate(
            [
                ("张三", "PC-001"),
                ("张三", "PC-001"),
                ("张三", "PC-001"),
                ("李四", "PC-002"),
                ("李四", "PC-002"),
                ("王五", "PC-003"),
            ],
            1,
        )
    ]
    pkg.replace_rows(DETAIL, 5, 8, new, merges=[(5, 2, 7, 2), (8, 2, 9, 2)])
    pkg.save(out)
    rows = _rows(out, DETAIL)
    assert [r[:4] for r in rows[4:10]] == [[float(r[0]), r[1], r[2], r[3]] for r in new]
    assert rows[9][5] == dt.date(2025, 5, 6)
    assert rows[10][0] == "合计" and rows[11][0] == "签字：王五"
    xml = _parts(out)[pkg.sheet_part(DETAIL)].decode()
    merges = re.findall(r'<mergeCell ref="([^"]+)"', xml)
    assert sorted(merges) == sorted(
        ["A12:F12", "B5:B7", "B8:B9"]
        + [m for m in merges if m.endswith("4") and m.startswith(("A3", "B3", "C3", "D3", "E3", "F3"))]
    )
    assert "COUNTA(F5:F10)" in xml  # the total's reference follows the table
    assert '<dimension ref="A1:F12"/>' in xml
    assert 'sqref="B5:B10"' in xml and "<xm:sqref>F5:F14</xm:sqref>" in xml and "<xm:sqref>A5:A14</xm:sqref>" in xml
    wb = CalamineWorkbook.from_path(str(out))
    assert wb.get_sheet_by_name(DETAIL).to_python()[4][1] == "办公室"
    # styles come from the first old data row: borders on every new cell
    sh = Package.open(out)._sheet(DETAIL)
    assert all(sh.cell(r, 4).get("s") == sh.cell(5, 4).get("s") for r in range(5, 11))


def test_replace_rows_shrinks_and_inserts(ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsm"
    pkg = Package.open(ledger)
    pkg.replace_rows(DETAIL, 5, 8, [[1, "办公室", "张三", "PC-001", "SY-001", dt.date(2025, 1, 1)]])
    pkg.replace_rows(DETAIL, 3, 2, [["插入的一行"]])
    pkg.save(out)
    rows = _rows(out, DETAIL)
    assert rows[2][0] == "插入的一行" and rows[3][0] == "序号" and rows[5][2] == "张三"
    assert rows[6][0] == "合计" and rows[7][0] == "签字：王五"
    xml = _parts(out)[pkg.sheet_part(DETAIL)].decode()
    assert (
        "COUNTA(F6:F6)" in xml
        and '"A8:F8"' in xml
        and "B5:B6" not in xml.split("<mergeCells")[1].split("</mergeCells>")[0].replace('"B6:B6"', "")
    )


def test_annotate_then_remove_restores_fills_and_keeps_user_comments(ledger: Path, tmp_path: Path) -> None:
    annotated, cleaned = tmp_path / "a.xlsm", tmp_path / "c.xlsm"
    _annotate(ledger, annotated)
    pkg = Package.open(annotated)
    assert LEDGER_SHEET in pkg.sheet_names() and pkg.sheet_names()[-2:] == ["校验结果", LEDGER_SHEET]
    wb = pkg._workbook()
    assert any(s.get("state") == "veryHidden" for s in wb.iter(f"{{{MAIN}}}sheet"))
    comments = [p for p in _parts(annotated) if re.match(r"xl/comments.*\.xml", p)]
    assert len(comments) == 3
    assert AUTHOR in _parts(annotated)[comments[0]].decode() or AUTHOR in _parts(annotated)[comments[1]].decode()
    assert _rows(annotated, "校验结果")[1][1] == "TZ1.3"

    pkg.remove_annotations(AUTHOR, FILLS)
    pkg.save(cleaned)
    orig, back = Package.open(ledger), Package.open(cleaned)
    for sheet, r, c in ((SUMMARY, 7, 3), (SUMMARY, 6, 2), (DETAIL, 5, 4)):
        assert back._sheet(sheet).cell(r, c).get("s") == orig._sheet(sheet).cell(r, c).get("s"), (sheet, r, c)
    assert LEDGER_SHEET not in back.sheet_names()
    before, after = _parts(ledger), _parts(cleaned)
    p_sum = orig.sheet_part(SUMMARY)
    user_comments = next(t for _, typ, t in orig._targets(p_sum) if typ.endswith("/comments"))
    vml = next(t for _, typ, t in orig._targets(p_sum) if typ.endswith("/vmlDrawing"))
    assert _c14n(after[user_comments]) == _c14n(before[user_comments])
    assert after[vml] == before[vml]
    assert after["xl/threadedComments/threadedComment1.xml"] == before["xl/threadedComments/threadedComment1.xml"]
    assert after["xl/drawings/vmlDrawing9.vml"] == before["xl/drawings/vmlDrawing9.vml"]  # the button's VML
    # the comment parts we created are gone again, with their relationships
    for sheet in (DETAIL, BUTTONS):
        assert not [t for _, typ, t in back._targets(back.sheet_part(sheet)) if typ.endswith("/comments")]
    assert (
        b"legacyDrawing" in after[back.sheet_part(BUTTONS)] and b"legacyDrawing" not in after[back.sheet_part(DETAIL)]
    )


def test_remove_leaves_fill_the_user_changed(ledger: Path, tmp_path: Path) -> None:
    annotated = tmp_path / "a.xlsm"
    _annotate(ledger, annotated)
    pkg = Package.open(annotated)
    green = pkg.styles().with_fill(
        0,
        etree.fromstring(
            f'<fill xmlns="{MAIN}"><patternFill patternType="solid"><fgColor rgb="FF00FF00"/></patternFill></fill>'
        ),
    )
    pkg._sheet(DETAIL).cell(5, 4).set("s", str(green))
    pkg.remove_annotations(AUTHOR, FILLS)
    assert pkg._sheet(DETAIL).cell(5, 4).get("s") == str(green)


def test_annotating_twice_appends_no_styles(ledger: Path, tmp_path: Path) -> None:
    a1, a2 = tmp_path / "a1.xlsm", tmp_path / "a2.xlsm"
    _annotate(ledger, a1)
    _annotate(a1, a2)
    assert _c14n(_parts(a1)["xl/styles.xml"]) == _c14n(_parts(a2)["xl/styles.xml"])
    pkg = Package.open(a2)
    assert pkg.sheet_names().count("校验结果") == 1
    text = b"".join(v for k, v in _parts(a2).items() if re.match(r"xl/comments.*\.xml", k)).decode()
    assert text.count("TZ1.3 软件编号重复") == 1
    ledger_rows = _rows(a2, LEDGER_SHEET)
    assert [r[:2] for r in ledger_rows[1:]] == [[SUMMARY, "B6"], [SUMMARY, "C7"], [DETAIL, "D5"]]
    assert "FF00B0F0" in ledger_rows[2][2]  # the user's own fill, not the one we added in the first run


def test_add_comment_skips_a_cell_with_a_users_note(ledger: Path) -> None:
    pkg = Package.open(ledger)
    assert pkg.add_comment(SUMMARY, 6, 2, "ours", AUTHOR) is False
    assert pkg.add_comment(SUMMARY, 6, 3, "ours", AUTHOR) is False  # threaded comment's placeholder
    assert pkg.add_comment(SUMMARY, 8, 3, "ours", AUTHOR) is True


def test_put_sheet_replaces_cleanly(ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsm"
    pkg = Package.open(ledger)
    pkg.put_sheet("校验结果", [["a"], [1]])
    pkg.add_comment("校验结果", 2, 1, "will go with the sheet", AUTHOR)
    pkg.put_sheet("校验结果", [["序号", "单元格"], [1, "B12"]], hyperlinks={(2, 2): f"'{SUMMARY}'!B12"})
    pkg.save(out)
    parts = _parts(out)
    assert pkg.sheet_names()[-1] == "校验结果"
    assert len([p for p in parts if p.startswith("xl/worksheets/sheet")]) == 3 + 1
    assert not [p for p in parts if re.match(r"xl/comments.*\.xml", p) and AUTHOR.encode() in parts[p]]
    xml = parts[Package.open(out).sheet_part("校验结果")].decode()
    assert f"location=\"'{SUMMARY}'!B12\"" in xml
    assert _rows(out, "校验结果") == [["序号", "单元格"], [1.0, "B12"]]
    assert set(_all_targets(parts)) <= set(parts)


def test_dates_in_1904_workbooks(tmp_path: Path) -> None:
    path, out = tmp_path / "d.xlsx", tmp_path / "o.xlsx"
    wb = openpyxl.Workbook()
    wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    wb.active["A1"] = 1
    wb.save(path)
    pkg = Package.open(path)
    pkg.set_cells(pkg.sheet_names()[0], {(1, 1): dt.date(2024, 1, 1)})
    pkg.save(out)
    assert _rows(out, pkg.sheet_names()[0])[0][0] == dt.date(2024, 1, 1)


# ------------------------------------------------------------------ LibreOffice


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) 未安装，无法做打开测试")
def test_result_opens_in_libreoffice(ledger: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsm"
    pkg = Package.open(ledger)
    pkg.replace_rows(DETAIL, 5, 8, [[1, "办公室", "张三", "PC-001", "SY-001", dt.date(2025, 1, 1)]], merges=[])
    pkg.save(tmp_path / "tmp.xlsm")
    _annotate(tmp_path / "tmp.xlsm", out)
    profile = tmp_path / "profile"
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "pdf"),
            str(out),
        ],
        capture_output=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "pdf" / "out.pdf"
    assert pdf.exists() and pdf.stat().st_size > 1000


# ------------------------------------------------------------------ errors and safe writing


def test_open_refuses_non_workbooks(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_text("不是工作簿", encoding="utf-8")
    with pytest.raises(PackageError, match="不是 Excel 工作簿"):
        Package.open(bad)
    enc = tmp_path / "enc.xlsx"
    enc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le") + bytes(600))
    with pytest.raises(PackageError, match="加密") as exc:
        Package.open(enc)
    assert exc.value.kind == "encrypted"


def test_failed_write_leaves_original_intact(ledger: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = ledger.read_bytes()
    pkg = Package.open(ledger)
    pkg.set_cells(SUMMARY, {(6, 4): 99})

    def boom(self: Package, fh: object) -> None:
        fh.write(b"PK\x03\x04 half a zip")  # type: ignore[attr-defined]
        raise KeyboardInterrupt

    monkeypatch.setattr(Package, "_write_zip", boom)
    with pytest.raises(KeyboardInterrupt):
        pkg.save(ledger)
    assert ledger.read_bytes() == original
    assert sorted(p.name for p in ledger.parent.iterdir() if p.name.startswith(".")) == []


def test_killed_writer_process_leaves_original_intact(ledger: Path, tmp_path: Path) -> None:
    original = ledger.read_bytes()
    script = (
        "import os, signal, sys\n"
        "from toolkit.files import atomic_write\n"
        "def w(fh):\n"
        "    fh.write(b'partial' * 1000); fh.flush()\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        f"atomic_write({str(ledger)!r}, w)\n"
    )
    proc = subprocess.run(["python", "-c", script], cwd=ROOT, timeout=60)
    assert proc.returncode != 0
    assert ledger.read_bytes() == original
    Package.open(ledger)


def test_refuses_workbook_open_in_excel(ledger: Path) -> None:
    lock = ledger.with_name("~$" + ledger.name)
    lock.write_bytes(b"owner")
    with pytest.raises(WorkbookLockedError, match="正在被") as exc:
        check_not_open(ledger)
    assert exc.value.lock == lock
    original = ledger.read_bytes()
    with pytest.raises(WorkbookLockedError):
        Package.open(ledger).save(ledger)
    assert ledger.read_bytes() == original


def test_disk_full_becomes_write_error(ledger: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = ledger.read_bytes()

    def full(*_a: object, **_k: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "replace", full)
    with pytest.raises(WriteError, match="磁盘空间不足") as exc:
        Package.open(ledger).save(ledger)
    assert ledger.name in str(exc.value)
    assert ledger.read_bytes() == original
    assert [p for p in ledger.parent.iterdir() if p.suffix == ".tmp"] == []


def test_permission_denied_becomes_write_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(*_a: object, **_k: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files.os, "replace", denied)
    with pytest.raises(WriteError, match="没有权限"):
        atomic_write(tmp_path / "x.xlsx", lambda fh: fh.write(b"x"))


def test_backup_copies_beside_the_file(ledger: Path) -> None:
    copy = backup(ledger, now=dt.datetime(2026, 6, 30, 8, 9, 10))
    assert copy.name == "台账.bak-20260630-080910.xlsm"
    assert copy.read_bytes() == ledger.read_bytes()
    again = backup(ledger, now=dt.datetime(2026, 6, 30, 8, 9, 10))
    assert again != copy and again.exists()


def test_atomic_write_keeps_file_mode(tmp_path: Path) -> None:
    target = tmp_path / "t.xlsx"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    atomic_write(target, lambda fh: fh.write(b"new"))
    assert target.read_bytes() == b"new" and (target.stat().st_mode & 0o777) == 0o640


def test_many_notes_on_one_sheet_each_once_with_its_own_shape(ledger: Path, tmp_path: Path) -> None:
    """Notes are indexed per part as they are added: a second round on the same cells replaces each note,
    every shape id stays unique, each cell has one note shape, and a user's note is still refused."""
    out = tmp_path / "out.xlsm"
    pkg = Package.open(ledger)
    cells = [(r, c) for r in range(10, 60) for c in (2, 3, 4)]
    for text in ("first", "second"):
        for r, c in cells:
            assert pkg.add_comment(DETAIL, r, c, f"{text} {r},{c}", AUTHOR) is True
    assert pkg.add_comment(SUMMARY, 6, 2, "ours", AUTHOR) is False  # the user's note, after the index is built
    pkg.save(out)
    parts = _parts(out)
    vml = b"".join(v for k, v in parts.items() if k.endswith(".vml")).decode()
    ids = re.findall(r'id="_x0000_s(\d+)"', vml)
    assert len(ids) == len(set(ids))
    text = b"".join(v for k, v in parts.items() if re.match(r"xl/comments.*\.xml", k)).decode()
    assert "first" not in text
    assert sorted(re.findall(r"second (\d+),(\d+)", text)) == sorted((str(r), str(c)) for r, c in cells)
    notes = re.findall(r"<x:Row>(\d+)</x:Row>\s*<x:Column>(\d+)</x:Column>", vml)
    assert {(int(r) + 1, int(c) + 1) for r, c in notes} >= set(cells)
    assert len(notes) == len(set(notes))  # one note shape per cell
