"""Hostile workbook files built in code (issue 16): each builder writes one file into a folder.

Used by the tests in this package and by ``benchmarks/bench_hostile.py``. Every builder is
cheap (well under a second) except where ``big=True`` asks for the full-size case.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl

from tests.helpers.factory import make_ledger

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EVIL_FORMULAS = ['=HYPERLINK("http://evil.example/","点此")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1)"]
OSC8 = "\x1b]8;;http://evil.example/\x07点我\x1b]8;;\x07\x1b[2J"
LONG = 40_000


def raw_workbook(path: Path, sheets: dict[str, str], *, lie: int | None = None) -> Path:
    """A minimal .xlsx whose worksheets hold the given ``<sheetData>…</sheetData>`` (+ tail) XML.

    ``lie``: declare this many bytes as every sheet's uncompressed size (a zip that lies).
    """
    ct = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    )
    rels = [
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships">'
    ]
    book = [f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{REL_NS}"><sheets>']
    parts: dict[str, str] = {}
    for i, (name, body) in enumerate(sheets.items(), 1):
        ct += (
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/>'
        )
        rels.append(f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>')
        book.append(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>')
        parts[f"xl/worksheets/sheet{i}.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">{body}</worksheet>'
        )
    ct += "</Types>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr("xl/workbook.xml", "".join(book) + "</sheets></workbook>")
        z.writestr("xl/_rels/workbook.xml.rels", "".join(rels) + "</Relationships>")
        for name, xml in parts.items():
            z.writestr(name, xml)
    if lie is not None:
        _lie_about_sizes(path, lie)
    return path


def _lie_about_sizes(path: Path, size: int) -> None:
    """Patch the local and central headers of every worksheet part to declare ``size`` bytes."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        infos = [i for i in z.infolist() if i.filename.startswith("xl/worksheets/")]
    central = data.rfind(b"PK\x05\x06")
    cd_offset = int.from_bytes(data[central + 16 : central + 20], "little")
    for info in infos:
        data[info.header_offset + 22 : info.header_offset + 26] = size.to_bytes(4, "little")
        at = data.find(b"PK\x01\x02", cd_offset)
        while at != -1:
            n = int.from_bytes(data[at + 28 : at + 30], "little")
            if data[at + 46 : at + 46 + n].decode() == info.filename:
                data[at + 24 : at + 28] = size.to_bytes(4, "little")
                break
            at = data.find(b"PK\x01\x02", at + 46)
    path.write_bytes(bytes(data))


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def huge_extent(folder: Path) -> Path:
    """One sheet with A1 and XFD1048576: a dense grid of 17 billion cells."""
    body = (
        f'<sheetData><row r="1">{_cell("A1", "软件名称")}</row><row r="1048576">{_cell("XFD1048576", "x")}</row><'
        "/sheetData>"
    )
    return raw_workbook(folder / "A1-XFD1048576.xlsx", {"附件7": body})


def wide_extent(folder: Path) -> Path:
    """A1 and XFD5000: 82 million cells."""
    body = (
        f'<sheetData><row r="1">{_cell("A1", "软件名称")}</row><row r="5000">{_cell("XFD5000", "x")}</row></sheetData>'
    )
    return raw_workbook(folder / "A1-XFD5000.xlsx", {"附件7": body})


def huge_dimension(folder: Path) -> Path:
    """A declared <dimension> of A1:XFD1048576 over two real cells."""
    body = (
        f'<dimension ref="A1:XFD1048576"/><sheetData><row r="1">{_cell("A1", "软件名称")}{_cell("B1", "x")}</row>'
        "</sheetData>"
    )
    return raw_workbook(folder / "大范围声明.xlsx", {"附件7": body})


def no_refs(folder: Path, rows: int = 3000, cols: int = 3000) -> Path:
    """Cells and rows without r attributes (positions by order): a real 9-million-cell grid."""
    row = "<row>" + "<c><v>1</v></c>" * cols + "</row>"
    return raw_workbook(folder / "无坐标.xlsx", {"附件7": "<sheetData>" + row * rows + "</sheetData>"})


def merge_bomb(folder: Path, rows: int = 100_000) -> Path:
    """100,000 one-cell rows and a merged range A1:XFD100000."""
    data = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, rows + 1))
    body = f'<sheetData>{data}</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD{rows}"/></mergeCells>'
    return raw_workbook(folder / "合并炸弹.xlsx", {"附件8": body})


def lying_sizes(folder: Path, mib: int = 200) -> Path:
    """A sheet part that inflates to ``mib`` MiB while the zip declares 1,000 bytes (Bad CRC at the end)."""
    path = raw_workbook(folder / "谎报大小.xlsx", {"附件7": "<sheetData/>"})
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    pad = b" " * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, data in parts.items():
            if name != "xl/worksheets/sheet1.xml":
                z.writestr(name, data)
                continue
            with z.open(name, "w", force_zip64=False) as out:
                out.write(
                    data.replace(b"<sheetData/>", b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>')
                )
                for _ in range(mib):
                    out.write(pad)
    _lie_about_sizes(path, 1000)
    return path


def many_rows(folder: Path, rows: int = 200_000) -> Path:
    """A one-sheet workbook of ``rows`` short rows (a million rows makes a 32 MB file)."""
    data = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="inlineStr"><is><t>软件{r}</t></is></c>'
        f'<c r="C{r}"><v>{r % 7}</v></c></row>'
        for r in range(1, rows + 1)
    )
    return raw_workbook(folder / f"{rows}行.xlsx", {"附件7": f"<sheetData>{data}</sheetData>"})


def _patched(folder: Path, name: str, fn: Callable[[openpyxl.Workbook], None], **changes: object) -> Path:
    """A factory ledger edited with openpyxl after it is built (text cells stay text)."""
    path = make_ledger(folder, name=name, **changes)
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(path)
    return path


def _set_text(ws, ref: str, text: str) -> None:
    for ch in {ch for ch in text if ord(ch) < 32}:  # how Excel stores control characters
        text = text.replace(ch, f"_x{ord(ch):04X}_")
    ws[ref].value = text
    ws[ref].data_type = "s"  # a text cell even when it starts with "="


def _find(ws, text: str) -> list[str]:
    return [c.coordinate for row in ws.iter_rows() for c in row if c.value == text]


def formula_text(folder: Path) -> Path:
    """Text that looks like formulas in software names, the unit's name, a department and a remark."""

    def fn(wb: openpyxl.Workbook) -> None:
        for ws in wb.worksheets:
            for i, ref in enumerate(_find(ws, "Microsoft Office 专业增强版") + _find(ws, "7-Zip")):
                _set_text(ws, ref, EVIL_FORMULAS[i % len(EVIL_FORMULAS)])
            for ref in _find(ws, "办公室"):
                _set_text(ws, ref, "=1+1")
            for row in ws.iter_rows(max_row=3):
                for c in row:
                    if isinstance(c.value, str) and "测试局" in c.value:
                        _set_text(
                            ws, c.coordinate, c.value.replace("测试局", '=HYPERLINK("http://evil.example/","单位")')
                        )
        wb["附件6 免费软件清单"].title = "=附件6"

    return _patched(folder, "公式文本.xlsx", fn)


def long_text(folder: Path) -> Path:
    """Software names and a software type longer than Excel's 32,767 characters per cell (the type
    is quoted in a finding, so the note and the 校验结果 row quoting it would pass the limit)."""

    def fn(wb: openpyxl.Workbook) -> None:
        for ws in wb.worksheets:
            for ref in _find(ws, "7-Zip"):
                _set_text(ws, ref, "七" * LONG)
        ws = wb["附件7 汇总表"]
        for ref in _find(ws, "免费软件")[:1]:
            _set_text(ws, ref, "八" * LONG)

    return _patched(folder, "超长文本.xlsx", fn)


def escape_text(folder: Path) -> Path:
    """Terminal escape sequences (an OSC 8 link, clear screen) in a software name, a software type
    (quoted in a finding) and the unit's name (shown by report)."""

    def fn(wb: openpyxl.Workbook) -> None:
        for ws in wb.worksheets:
            for ref in _find(ws, "7-Zip"):
                _set_text(ws, ref, OSC8)
            for row in ws.iter_rows(max_row=3):
                for c in row:
                    if isinstance(c.value, str) and "测试局" in c.value:
                        _set_text(ws, c.coordinate, c.value.replace("测试局", "测试局" + OSC8))
        ws = wb["附件7 汇总表"]
        for ref in _find(ws, "免费软件")[:1]:
            _set_text(ws, ref, "免费\x1b[31m软件" + OSC8)

    return _patched(folder, "转义序列.xlsx", fn)


def error_values(folder: Path) -> Path:
    """#REF! and #N/A in key columns of 附件7 and 附件8."""

    def fn(wb: openpyxl.Workbook) -> None:
        for ws in wb.worksheets:
            for i, ref in enumerate(_find(ws, "Windows 10 专业版")):
                ws[ref].value = "#REF!" if i % 2 == 0 else "#N/A"
                ws[ref].data_type = "e"
            for ref in _find(ws, "PC-002")[:1]:
                ws[ref].value = "#N/A"
                ws[ref].data_type = "e"

    return _patched(folder, "错误值.xlsx", fn)


def two_summaries(folder: Path) -> Path:
    """Two sheets that are both 附件7."""

    def fn(wb: openpyxl.Workbook) -> None:
        copy = wb.copy_worksheet(wb["附件7 汇总表"])
        copy.title = "附件7（二）"

    return _patched(folder, "两张附件7.xlsx", fn)


def comment_only(folder: Path) -> Path:
    """A user's own comment on 计算机清单 (annotate must copy that sheet byte for byte)."""
    from openpyxl.comments import Comment

    def fn(wb: openpyxl.Workbook) -> None:
        wb["计算机清单"]["B4"].comment = Comment("用户自己的批注", "用户")

    return _patched(folder, "用户批注.xlsx", fn)


def good(folder: Path) -> Path:
    return make_ledger(folder, name="正常台账.xlsx")


def long_name(folder: Path) -> Path:
    """A ledger whose name is 245 bytes long (a backup or lock-file name would pass 255)."""
    return make_ledger(folder, name="长" * 80 + "a" * 1 + ".xlsx")


def gbk_name(folder: Path) -> Path:
    """A ledger whose file name is GBK bytes, not UTF-8 (a folder copied from an old Windows share)."""
    src = make_ledger(folder, name="gbk-src.xlsx")
    raw = os.fsencode(folder) + b"/" + "乙单位台账".encode("gbk") + b".xlsx"
    os.rename(os.fsencode(src), raw)
    return Path(os.fsdecode(raw))


def zip_bomb(folder: Path) -> Path:
    """A sheet part that inflates to 1.5 GiB of zeros (refused by the package vetting)."""
    path = folder / "压缩炸弹.xlsx"
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"\0" * (1 << 20)
    block = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    raw_workbook(path, {"附件7": "<sheetData/>"})
    with zipfile.ZipFile(path, "a") as z, z.open("xl/media/zeros.bin", "w", force_zip64=True) as out:
        for _ in range(64):
            out.write(chunk)
    del block
    return path


def truncated(folder: Path) -> Path:
    src = make_ledger(folder, name="trunc-src.xlsx")
    data = src.read_bytes()
    src.unlink()
    path = folder / "截断.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def not_workbook(folder: Path) -> Path:
    path = folder / "文本.xlsx"
    path.write_text("序号,软件编号\n1,SY-001\n", encoding="utf-8")
    return path


CASES: dict[str, Callable[[Path], Path]] = {
    "good": good,
    "huge_extent": huge_extent,
    "wide_extent": wide_extent,
    "huge_dimension": huge_dimension,
    "merge_bomb": merge_bomb,
    "lying_sizes": lying_sizes,
    "formula_text": formula_text,
    "long_text": long_text,
    "escape_text": escape_text,
    "error_values": error_values,
    "two_summaries": two_summaries,
    "comment_only": comment_only,
    "long_name": long_name,
    "gbk_name": gbk_name,
    "truncated": truncated,
    "not_workbook": not_workbook,
}
