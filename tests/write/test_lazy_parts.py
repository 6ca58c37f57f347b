"""What the package reads when: parts are inflated when first used, sheet parts scanned before a save.

The package used to inflate every part when opened, so a damaged part anywhere stopped any edit.
Now a damaged part the edit needs still stops it (a PackageError naming the part, nothing
written), and a part the edit never reads is copied with its compressed bytes as they were.
Opened for an edit that reads the ledger, the package is vetted at once and its sheet parts'
scan (the reader's grid bound) runs before the save writes anything, costing nothing more when
the ledger was read (and scanned) in between.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from tests.hostile import corpus
from tests.write.test_rowbytes import SHEET, _book
from toolkit import PackageError
from toolkit.write.package import Package


def _bad_crc(path: Path, part: str) -> None:
    """Give ``part`` a wrong CRC in its local header and in the central directory."""
    raw = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo(part)
    wrong = ((info.CRC ^ 0xFFFFFFFF) & 0xFFFFFFFF).to_bytes(4, "little")
    raw[info.header_offset + 14 : info.header_offset + 18] = wrong
    name = part.encode()
    at = raw.find(b"PK\x01\x02")
    while at >= 0:
        n = int.from_bytes(raw[at + 28 : at + 30], "little")
        if raw[at + 46 : at + 46 + n] == name:
            raw[at + 16 : at + 20] = wrong
        at = raw.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(raw))
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(path).read(part)


def _pad(path: Path, part: str) -> None:
    """Make ``part`` longer than what the vetting reads of it (a comment after the root element)."""
    with zipfile.ZipFile(path) as zf:
        parts = [(i, zf.read(i)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts:
            zf.writestr(info, data + b"<!--" + b" " * 20000 + b"-->" if info.filename == part else data)


def test_a_damaged_part_the_edit_reads_stops_it(tmp_path: Path) -> None:
    src = _book(tmp_path / "in.xlsx")
    _pad(src, "xl/styles.xml")
    _bad_crc(src, "xl/styles.xml")  # a date needs a date format: the styles are read
    pkg = Package.open(src)
    with pytest.raises(PackageError, match="xl/styles.xml.*已损坏"):
        pkg.set_cells(SHEET, {(2, 2): dt.date(2026, 6, 30)})


def test_a_part_the_edit_never_reads_is_carried_over_as_it_was(tmp_path: Path) -> None:
    src = _book(tmp_path / "in.xlsx")
    _bad_crc(src, "xl/theme/theme1.xml")
    pkg = Package.open(src)
    pkg.set_cells(SHEET, {(2, 2): "新"})
    out = tmp_path / "out.xlsx"
    pkg.save(out)
    assert "xl/theme/theme1.xml" not in pkg._data  # never inflated

    def payload(path: Path, part: str) -> bytes:
        raw = path.read_bytes()
        info = zipfile.ZipFile(path).getinfo(part)
        at = info.header_offset
        start = (
            at
            + 30
            + int.from_bytes(raw[at + 26 : at + 28], "little")
            + int.from_bytes(raw[at + 28 : at + 30], "little")
        )
        return raw[start : start + info.compress_size]

    assert payload(out, "xl/theme/theme1.xml") == payload(src, "xl/theme/theme1.xml")
    assert (
        zipfile.ZipFile(out).getinfo("xl/theme/theme1.xml").CRC
        == zipfile.ZipFile(src).getinfo("xl/theme/theme1.xml").CRC
    )
    assert zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").count("新".encode()) == 1


def test_a_sheet_the_reader_refuses_is_refused_before_the_save_writes(tmp_path: Path) -> None:
    src = corpus.huge_extent(tmp_path)
    with pytest.raises(PackageError, match="XFD1048576"):
        Package.open(src)
    pkg = Package.open(src, scan_at_save=True)  # the package itself is sound
    pkg.set_cells("附件7", {(1, 2): "x"})
    out = tmp_path / "out.xlsx"
    with pytest.raises(PackageError, match="XFD1048576"):
        pkg.save(out)
    assert not out.exists()
