"""``zbtz excel-setup``: the .xlsm holds excel/ZbtzMacros.bas (read back by olevba and by LibreOffice),
its buttons run those macros, and the ledger's data is untouched."""

from __future__ import annotations

import io
import re
import shutil
import struct
import subprocess
import warnings
import zipfile
from pathlib import Path

import olefile
import pytest
from click.testing import CliRunner
from lxml import etree

from tests.excel.test_excel import AS_OF, SAMPLE
from tests.helpers import ROOT
from toolkit import PackageError, check_file
from toolkit.cli import main
from toolkit.excel.vbaproject import Module, _encrypt, build_vba_project, compress, document_module
from toolkit.excel.xlsm import BUTTONS, VBA_PART, make_xlsm
from toolkit.plans.annotate import AUTHOR, FILLS, RESULT_SHEET, plan_annotation
from toolkit.read.grid import load_book
from toolkit.write.package import Package

with warnings.catch_warnings():  # olevba calls a pyparsing API that pyparsing 3.3 deprecates
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser, decompress_stream

ROOT = ROOT
BAS = ROOT / "excel" / "ZbtzMacros.bas"
NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("xlsm")
    src = d / "台账示例.xlsx"
    shutil.copy(SAMPLE, src)
    out = d / "台账示例.xlsm"
    make_xlsm(src, out)
    return src, out


def _macros(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {name: code for _f, _s, name, code in parser.extract_macros()}
    finally:
        parser.close()


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n")


def _first_sheet_vml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        pkg = Package.open(path)
        part = pkg.sheet_part(pkg.sheet_names()[0])
        rels = etree.fromstring(z.read(Package.rels_name(part)))
        (target,) = [r.get("Target") for r in rels if r.get("Type", "").endswith("/vmlDrawing")]
        return z.read("xl/drawings/" + target.rsplit("/", 1)[-1]).decode("ascii")


# --------------------------------------------------------------------------- the VBA project


def test_the_vba_project_holds_the_bas_module(built):
    _src, out = built
    macros = _macros(out)
    assert _crlf(macros["ZbtzMacros.bas"]) == _crlf(BAS.read_text(encoding="ascii"))
    pkg = Package.open(out)
    assert {"ThisWorkbook.cls", *(f"Sheet{i}.cls" for i in range(1, len(pkg.sheet_names()) + 1))} <= set(macros)


def test_each_button_runs_a_macro_of_the_module(built):
    _src, out = built
    code = _macros(out)["ZbtzMacros.bas"]
    public = set(re.findall(r"^Public Sub (\w+)\(\)", code, re.M))
    vml = _first_sheet_vml(out)
    buttons = re.findall(r'<x:ClientData ObjectType="Button">.*?<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>', vml, re.S)
    captions = [
        "".join(chr(int(n)) for n in re.findall(r"&#(\d+);", t)) for t in re.findall(r'size="220">(.*?)</font>', vml)
    ]
    assert buttons == [m for _c, m in BUTTONS] == ["ZbtzCheck", "ZbtzRollup"]
    assert captions == ["校验", "汇总"]
    assert set(buttons) <= public
    assert 'Application.Run "xlwings.xlam!RunPython", command' in code
    assert "toolkit.excel.run_check()" in code and "toolkit.excel.run_rollup()" in code


def test_the_bas_is_ascii_with_crlf_lines():
    raw = BAS.read_bytes()
    assert raw.isascii() and raw.startswith(b'Attribute VB_Name = "ZbtzMacros"\r\n')
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_the_compound_file_is_well_formed():
    modules = [document_module("ThisWorkbook", True), *(document_module(f"Sheet{i}") for i in range(1, 30))]
    data = build_vba_project([*modules, Module("ZbtzMacros", BAS.read_text(encoding="ascii"))])
    assert data == build_vba_project([*modules, Module("ZbtzMacros", BAS.read_text(encoding="ascii"))])  # reproducible
    ole = olefile.OleFileIO(io.BytesIO(data))
    assert (
        ole.exists("PROJECT") and ole.exists("PROJECTwm") and ole.exists("VBA/dir") and ole.exists("VBA/_VBA_PROJECT")
    )
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000000")  # Office compiles from source

    # the directory of each storage is a binary search tree (length, then upper case) and a valid red-black tree
    def walk(sid: int) -> tuple[list[str], int]:
        if sid == olefile.NOSTREAM:
            return [], 1
        e = ole.direntries[sid]
        left, bl = walk(e.sid_left)
        right, br = walk(e.sid_right)
        assert bl == br, "unequal black heights"
        if e.color == 0:  # red
            for kid in (e.sid_left, e.sid_right):
                assert kid == olefile.NOSTREAM or ole.direntries[kid].color == 1
        return [*left, e.name, *right], bl + (e.color == 1)

    for e in ole.direntries:
        if e is not None and e.entry_type in (olefile.STGTY_ROOT, olefile.STGTY_STORAGE):
            names, _ = walk(e.sid_child)
            assert names == sorted(names, key=lambda n: (len(n), n.upper()))


@pytest.mark.parametrize("size", [0, 1, 7, 4095, 4096, 4097, 12289, 40000])
def test_compression_round_trips_through_olevba(size):
    text = BAS.read_bytes() * (size // len(BAS.read_bytes()) + 1)
    data = text[:size]
    assert bytes(decompress_stream(bytearray(compress(data)))) == data


def _decrypt(hex_text: str) -> tuple[int, int, bytes]:
    """[MS-OVBA] 2.4.3.3 decryption, written from the spec apart from the encoder."""
    b = bytes.fromhex(hex_text)
    seed, version_enc, key_enc = b[0], b[1], b[2]
    version, key = seed ^ version_enc, seed ^ key_enc
    unenc1, enc1, enc2 = key, key_enc, version_enc
    out = []
    for enc in b[3:]:
        byte = enc ^ ((enc2 + unenc1) & 0xFF)
        out.append(byte)
        enc2, enc1, unenc1 = enc1, enc, byte
    rest = bytes(out[(seed & 6) // 2 :])
    (length,) = struct.unpack("<I", rest[:4])
    return version, key, rest[4 : 4 + length]


def test_protection_values_decrypt_to_unprotected_visible():
    pid = "{E2E0E410-BF04-4DC5-BDD2-D3FBBA8B7D37}"
    # a project saved by Excel (xlwings' quickstart.xlsm): its key is the byte sum of the project id
    assert _decrypt("A7A58C2B7CDD73E173E173E173E1")[:2] == (2, sum(pid.encode()) & 0xFF)
    assert _decrypt(_encrypt(b"\0\0\0\0", pid, 0xA7)) == (2, sum(pid.encode()) & 0xFF, b"\0\0\0\0")
    for seed in range(256):
        assert _decrypt(_encrypt(b"\xff", pid, seed))[2] == b"\xff"


# --------------------------------------------------------------------------- the ledger's data


def test_the_data_is_untouched(built):
    src, out = built
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        before = {n: a.read(n) for n in a.namelist()}
        after = {n: b.read(n) for n in b.namelist()}
    assert set(before) <= set(after)
    added = set(after) - set(before)
    assert added == {VBA_PART, "xl/drawings/vmlDrawing1.vml", "xl/worksheets/_rels/sheet1.xml.rels"}
    changed = {n for n in before if before[n] != after[n]}
    sheets = {n for n in changed if n.startswith("xl/worksheets/sheet")}
    assert changed - sheets == {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"}
    for name in sheets:  # only the code name (and on the first sheet the drawing) were added
        x, y = etree.fromstring(before[name]), etree.fromstring(after[name])
        for tag in ("sheetData", "mergeCells", "dataValidations", "cols", "conditionalFormatting"):
            ex, ey = x.find(NS + tag), y.find(NS + tag)
            assert (ex is None) == (ey is None) and (ex is None or etree.tostring(ex) == etree.tostring(ey)), (
                name,
                tag,
            )
        assert y.find(NS + "sheetPr").get("codeName", "").startswith("Sheet")
    a_book, b_book = load_book(src), load_book(out)
    assert [(g.name, g.rows, sorted(g.merges)) for g in a_book.sheets] == [
        (g.name, g.rows, sorted(g.merges)) for g in b_book.sheets
    ]


def test_the_xlsm_checks_like_the_ledger(built):
    src, out = built
    assert check_file(out, AS_OF, "x").to_dict() == check_file(src, AS_OF, "x").to_dict()


def test_libreoffice_opens_it_keeps_the_data_and_sees_the_macros_and_buttons(built, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    src, out = built
    profile = f"-env:UserInstallation=file://{tmp_path}/profile"
    for fmt in ("ods", "xlsx"):
        run = subprocess.run(
            [soffice, "--headless", "--norestore", profile, "--convert-to", fmt, "--outdir", str(tmp_path), str(out)],
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert run.returncode == 0 and (tmp_path / f"台账示例.{fmt}").exists(), run.stderr
    with zipfile.ZipFile(tmp_path / "台账示例.ods") as z:
        module = z.read("Basic/VBAProject/ZbtzMacros.xml").decode("utf-8")
        content = z.read("content.xml").decode("utf-8")
    assert "Public Sub ZbtzCheck()" in module and "Public Sub ZbtzRollup()" in module
    for caption, macro in BUTTONS:
        assert f'form:label="{caption}"' in content
        assert f"vnd.sun.star.script:VBAProject.ZbtzMacros.{macro}?language=Basic" in content
    through_lo = load_book(tmp_path / "台账示例.xlsx")
    original = load_book(src)
    assert [g.name for g in through_lo.sheets] == [g.name for g in original.sheets]
    assert check_file(tmp_path / "台账示例.xlsx", AS_OF, "x").flatten() == check_file(src, AS_OF, "x").flatten()


# --------------------------------------------------------------------------- setting up again, refusing


def test_setup_again_replaces_our_project(built, tmp_path):
    _src, out = built
    again = tmp_path / "again.xlsm"
    make_xlsm(out, again)
    assert _macros(again) == _macros(out)
    vml = _first_sheet_vml(again)
    assert vml.count('ObjectType="Button"') == 2 and vml.count('id="_x0000_t201"') == 1


def test_refuses_a_workbook_with_other_macros(built, tmp_path):
    _src, out = built
    foreign = tmp_path / "foreign.xlsm"
    with zipfile.ZipFile(out) as a, zipfile.ZipFile(foreign, "w") as b:
        for info in a.infolist():
            data = a.read(info)
            if info.filename == VBA_PART:
                data = build_vba_project(
                    [document_module("ThisWorkbook", True), Module("Other", 'Attribute VB_Name = "Other"\r\n')]
                )
            b.writestr(info, data)
    with pytest.raises(PackageError, match="已含有其他宏"):
        make_xlsm(foreign, tmp_path / "x.xlsm")
    with pytest.raises(PackageError, match=".xlsm"):
        make_xlsm(foreign, tmp_path / "x.xlsx")
    with pytest.raises(PackageError, match="不能与原台账相同"):
        make_xlsm(out, out)


def test_annotating_the_xlsm_keeps_its_buttons_and_macros(built, tmp_path):
    _src, out = built
    report = check_file(out, AS_OF, "x")
    pkg = Package.open(out)
    plan = plan_annotation(report, sheets=set(pkg.sheet_names()))
    pkg.put_sheet(RESULT_SHEET, plan.rows, hyperlinks=plan.links, col_widths=plan.widths)
    first = pkg.sheet_names()[0]
    pkg.set_fill(first, 3, 2, FILLS["error"])
    pkg.add_comment(first, 3, 2, "【TZ1.3 错误】测试", AUTHOR)  # a note into the buttons' drawing
    pkg.save(tmp_path / "a.xlsm")
    pkg = Package.open(tmp_path / "a.xlsm")
    pkg.remove_annotations(AUTHOR, FILLS)
    pkg.save(tmp_path / "b.xlsm")
    for name in ("a.xlsm", "b.xlsm"):
        assert _first_sheet_vml(tmp_path / name).count('ObjectType="Button"') == 2
        assert _macros(tmp_path / name)["ZbtzMacros.bas"] == _macros(out)["ZbtzMacros.bas"]
    assert 'ObjectType="Note"' in _first_sheet_vml(tmp_path / "a.xlsm")
    assert 'ObjectType="Note"' not in _first_sheet_vml(tmp_path / "b.xlsm")


def test_cli_excel_setup(tmp_path):
    src = tmp_path / "台账.xlsx"
    shutil.copy(SAMPLE, src)
    result = CliRunner().invoke(main, ["excel-setup", str(src)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "台账.xlsm").exists() and "已写出" in result.output
    result = CliRunner().invoke(main, ["excel-setup", str(src), "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 1 and "扩展名应为 .xlsm" in result.output
