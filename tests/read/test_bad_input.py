"""Files that are not readable ledgers: reported (S0/S1), refused quickly, never a crash; the batch goes on."""

from __future__ import annotations

import datetime as dt
import json
import random
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tests.helpers.factory import make_ledger
from toolkit import check_file
from toolkit.cli import main

AS_OF = dt.date(2026, 6, 30)
REFUSE_WITHIN = 2.0  # seconds; generous: vetting reads only the zip directory and XML prologs
CHUNK = b"\0" * (1 << 20)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --- building bad files --------------------------------------------------------------------


def _good(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return make_ledger(folder, name="good-source.xlsx")


def random_bytes(folder: Path) -> Path:
    path = folder / "random.xlsx"
    path.write_bytes(random.Random(0).randbytes(64 * 1024))
    return path


def truncated(folder: Path) -> Path:
    data = _good(folder / "src").read_bytes()
    path = folder / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def empty_file(folder: Path) -> Path:
    path = folder / "empty.xlsx"
    path.write_bytes(b"")
    return path


def empty_workbook(folder: Path) -> Path:
    path = folder / "blank.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "这里什么都没有"
    wb.save(path)
    return path


def text_file(folder: Path) -> Path:
    path = folder / "export.xlsx"
    path.write_text("序号,软件编号,软件名称\n1,SY-001,Office\n", encoding="utf-8")
    return path


def zip_not_workbook(folder: Path) -> Path:
    path = folder / "docs.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    return path


def _minimal_cfb(streams: list[str]) -> bytes:
    """A small OLE compound file: header, one FAT sector, one directory sector naming ``streams``."""
    header = bytearray(512)
    header[0:8] = OLE_MAGIC
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIII", header, 44, 1, 1, 0, 4096, 0xFFFFFFFE)  # 1 FAT sector, directory at sector 1
    struct.pack_into("<III", header, 68, 0xFFFFFFFE, 0, 0xFFFFFFFE)
    difat = [0] + [0xFFFFFFFF] * 108
    struct.pack_into("<109I", header, 76, *difat)
    fat = struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, *([0xFFFFFFFF] * 126))
    entries = b""
    for i, name in enumerate(["Root Entry", *streams]):
        raw = name.encode("utf-16-le") + b"\0\0"
        entry = bytearray(128)
        entry[0 : len(raw)] = raw
        struct.pack_into("<HBB", entry, 64, len(raw), 5 if i == 0 else 2, 1)
        struct.pack_into("<III", entry, 68, 0xFFFFFFFF, 0xFFFFFFFF, 1 if i == 0 and streams else 0xFFFFFFFF)
        struct.pack_into("<I", entry, 116, 0xFFFFFFFE)
        entries += bytes(entry)
    entries = entries.ljust(512, b"\0")
    return bytes(header) + fat + entries


def encrypted(folder: Path) -> Path:
    path = folder / "加密.xlsx"
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:  # a hand-built container with the stream that marks an encrypted OOXML package
        path.write_bytes(_minimal_cfb(["EncryptionInfo", "EncryptedPackage"]))
        return path
    with _good(folder / "src").open("rb") as src, path.open("wb") as out:
        OOXMLFile(src).encrypt("口令123", out)
    return path


def encrypted_cfb(folder: Path) -> Path:
    path = folder / "加密2.xlsx"  # what Excel writes around an encrypted package, without msoffcrypto-tool
    path.write_bytes(_minimal_cfb(["EncryptionInfo", "EncryptedPackage"]))
    return path


def legacy_xls(folder: Path) -> Path:
    path = folder / "旧表.xlsx"  # an .xls saved under the new extension: an OLE file with a Workbook stream
    path.write_bytes(_minimal_cfb(["Workbook"]))
    return path


def _lol_dtd(root: str, pad: int = 0) -> str:
    ents = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 2 else i - 1)) * 10}">' for i in range(2, 10)
    )
    comment = f"<!--{' ' * pad}-->\n" if pad else ""
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{comment}<!DOCTYPE {root} [{ents}]>\n'


def _rewrite(src: Path, dst: Path, part: str, fn) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        names = zin.namelist()
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                data = fn(data)
            zout.writestr(info, data)
        if part not in names:
            zout.writestr(part, fn(b""))
    return dst


def _sheet_bomb(pad: int = 0, encoding: str = "utf-8"):
    def fn(data: bytes) -> bytes:
        body = data.decode("utf-8")
        body = body[body.index("<worksheet") :].replace(
            "<sheetData>", '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>', 1
        )
        text = _lol_dtd("worksheet", pad) + body
        if encoding != "utf-8":
            text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"')
            return b"\xff\xfe" + text.encode("utf-16-le")
        return text.encode("utf-8")

    return fn


def xml_bomb_sheet(folder: Path) -> Path:
    return _rewrite(_good(folder / "src"), folder / "xml炸弹.xlsx", "xl/worksheets/sheet2.xml", _sheet_bomb())


def xml_bomb_padded(folder: Path) -> Path:
    return _rewrite(_good(folder / "src"), folder / "xml炸弹2.xlsx", "xl/worksheets/sheet2.xml", _sheet_bomb(pad=8000))


def xml_bomb_utf16(folder: Path) -> Path:
    return _rewrite(
        _good(folder / "src"), folder / "xml炸弹3.xlsx", "xl/worksheets/sheet2.xml", _sheet_bomb(encoding="utf-16")
    )


def xml_bomb_shared_strings(folder: Path) -> Path:
    sst = (
        _lol_dtd("sst") + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    ).encode("utf-8")
    return _rewrite(_good(folder / "src"), folder / "xml炸弹4.xlsx", "xl/sharedStrings.xml", lambda _d: sst)


def write_zip_bomb(path: Path, mib: int) -> Path:
    """A workbook whose sheet part inflates to ``mib`` MiB of zeros, written in little memory and time.

    Deflating a chunk right after a full flush does not depend on earlier data, so the compressed
    chunk is computed once and repeated; zipfile still computes the true CRC and sizes.
    """
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = co.compress(CHUNK) + co.flush(zlib.Z_FULL_FLUSH)

    class Repeat:
        def __init__(self) -> None:
            self.co = zlib.compressobj(9, zlib.DEFLATED, -15)

        def compress(self, data: bytes) -> bytes:
            if data is CHUNK:
                return block
            return self.co.compress(data) + self.co.flush(zlib.Z_FULL_FLUSH)

        def flush(self) -> bytes:
            return self.co.flush(zlib.Z_FINISH)

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types/>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8"?><workbook/>')
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            if hasattr(part, "_compressor"):
                part._compressor = Repeat()  # type: ignore[attr-defined]
            part.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet><sheetData>')
            for _ in range(mib):
                part.write(CHUNK)
    return path


@pytest.fixture(scope="session")
def zip_bomb_path(tmp_path_factory) -> Path:
    path = write_zip_bomb(tmp_path_factory.mktemp("bomb") / "压缩炸弹.xlsx", 1025)
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size > 1 << 30 and path.stat().st_size < 8 << 20
    return path


def zip_bomb(folder: Path) -> Path:
    raise NotImplementedError  # replaced by the session fixture (built once)


def ratio_bomb(folder: Path) -> Path:
    return write_zip_bomb(folder / "高压缩比.xlsx", 64)  # under 1 GiB, but 1000x compressed


BAD = {
    "random-bytes": (random_bytes, "S0", "不是 Excel 工作簿"),
    "truncated": (truncated, "S0", "截断"),
    "empty-file": (empty_file, "S0", "0 字节"),
    "text-file": (text_file, "S0", "不是 Excel 工作簿"),
    "zip-not-workbook": (zip_not_workbook, "S0", "没有工作簿内容"),
    "empty-workbook": (empty_workbook, "S1", "找不到"),
    "encrypted": (encrypted, "S0", "密码"),
    "encrypted-cfb": (encrypted_cfb, "S0", "密码"),
    "legacy-xls": (legacy_xls, "S0", "另存为"),
    "zip-bomb": (zip_bomb, "S0", "压缩炸弹"),
    "ratio-bomb": (ratio_bomb, "S0", "压缩炸弹"),
    "xml-bomb-sheet": (xml_bomb_sheet, "S0", "XML 炸弹"),
    "xml-bomb-padded": (xml_bomb_padded, "S0", "XML 炸弹"),
    "xml-bomb-utf16": (xml_bomb_utf16, "S0", "XML 炸弹"),
    "xml-bomb-shared-strings": (xml_bomb_shared_strings, "S0", "XML 炸弹"),
}


@pytest.fixture
def bad(request, tmp_path, zip_bomb_path):
    """The bad file of the parametrised kind, inside its own folder."""
    build, code, words = BAD[request.param]
    folder = tmp_path / "batch"
    folder.mkdir()
    if request.param == "zip-bomb":
        path = folder / zip_bomb_path.name
        path.symlink_to(zip_bomb_path)
    else:
        path = build(folder)
        if (folder / "src").exists():
            for f in (folder / "src").iterdir():
                f.unlink()
            (folder / "src").rmdir()
    return path, code, words


@pytest.fixture(scope="module", autouse=True)
def warm_imports(tmp_path_factory):
    """Import the rule machinery (pandas, pandera) once, so the timing measures the refusal only."""
    check_file(make_ledger(tmp_path_factory.mktemp("warm")), AS_OF)


# --- the library ---------------------------------------------------------------------------


@pytest.mark.parametrize("bad", list(BAD), indirect=True)
def test_bad_file_is_a_finding(bad):
    path, code, words = bad
    start = time.perf_counter()
    report = check_file(path, AS_OF)
    elapsed = time.perf_counter() - start
    assert elapsed < REFUSE_WITHIN
    assert report.findings and {f.rule for f in report.findings} == {code}
    assert not report.valid
    assert words in report.findings[0].message
    if code == "S0":
        assert report.flatten(["rule", "workbook", "sheet", "cell"]) == [["S0", str(path), None, None]]


def test_empty_workbook_lists_the_missing_forms(tmp_path):
    report = check_file(empty_workbook(tmp_path), AS_OF)
    assert report.flatten() == [["S1", None, None]] * 3
    assert [f.values["form"] for f in report.findings] == ["附件6", "附件7", "附件8"]


def test_missing_file_is_s0(tmp_path):
    report = check_file(tmp_path / "nowhere.xlsx", AS_OF)
    assert report.codes() == ["S0"]


# --- the command line, in a batch --------------------------------------------------------------


@pytest.mark.parametrize("bad", list(BAD), indirect=True)
def test_bad_file_in_a_batch(bad):
    path, code, _words = bad
    folder = path.parent
    (folder / "nested").mkdir()
    good = make_ledger(folder / "nested", name="良好台账.xlsx")
    start = time.perf_counter()
    result = CliRunner().invoke(main, ["check", str(folder), "--as-of", AS_OF.isoformat(), "--format", "json"])
    elapsed = time.perf_counter() - start
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr
    data = json.loads(result.stdout)
    assert data["stats"]["workbooks"] == 2
    assert {(f["workbook"], f["rule"]) for f in data["findings"]} == {(str(path), code)}
    assert not any(f["workbook"] == str(good) for f in data["findings"])
    assert elapsed < REFUSE_WITHIN + 3  # the good ledger is checked too


@pytest.mark.parametrize("kind", ["encrypted", "truncated", "random-bytes"])
def test_bad_file_exit_status_in_a_subprocess(tmp_path, kind):
    path = BAD[kind][0](tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "toolkit", "check", str(path), "--as-of", AS_OF.isoformat()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "S0" in proc.stdout
