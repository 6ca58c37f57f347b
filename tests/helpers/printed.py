"""What a workbook looks like on paper: render sheets with LibreOffice and read the PDF back.

``printed(xlsx, tmp, sheets)`` prints each named sheet alone (the others hidden, the sheet made
the active one, as a person would print it) and returns, per sheet, its pages: paper size in
points and the text on the page. ``pdfinfo``/``pdftotext`` (poppler) read the PDF.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from toolkit.forms.printing import to_pdf

A4 = (595.3, 841.9)  # points, portrait
_SHEET = re.compile(r"<sheet [^>]*/>")


@dataclass
class Page:
    width: float
    height: float
    text: str

    @property
    def a4(self) -> bool:
        return abs(min(self.width, self.height) - A4[0]) < 2 and abs(max(self.width, self.height) - A4[1]) < 2

    @property
    def landscape(self) -> bool:
        return self.width > self.height


def needs_office() -> None:
    if shutil.which("soffice") is None or shutil.which("pdfinfo") is None:
        pytest.skip("LibreOffice or poppler-utils is not installed")


def _attr(name: str) -> str:
    return name.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def only_sheet(src: Path, sheet: str, dst: Path) -> Path:
    """A copy of ``src`` in which every sheet but ``sheet`` is hidden and ``sheet`` is active."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                tags = _SHEET.findall(text)
                names = [re.search(r' name="([^"]*)"', t).group(1) for t in tags]  # type: ignore[union-attr]
                index = names.index(_attr(sheet))
                for tag, name in zip(tags, names, strict=True):
                    bare = re.sub(r' state="\w+"', "", tag)
                    text = text.replace(
                        tag, bare if name == _attr(sheet) else bare.replace("<sheet ", '<sheet state="hidden" ', 1)
                    )
                # LibreOffice prints a hidden sheet's print area: keep only this sheet's
                text = re.sub(
                    r'<definedName name="_xlnm.Print_Area" localSheetId="(\d+)"[^>]*>[^<]*</definedName>',
                    lambda m, keep=index: m.group(0) if int(m.group(1)) == keep else "",
                    text,
                )
                text = re.sub(r' (activeTab|firstSheet)="\d+"', "", text)
                text = re.sub(r"<workbookView\b", f'<workbookView activeTab="{index}"', text, count=1)
                data = text.encode("utf-8")
            elif info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb' tabSelected="\w+"', b"", data)
            zout.writestr(info, data)
    return dst


def pages(pdf: Path) -> list[Page]:
    """The pages of ``pdf``: size and text."""
    count = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(pdf))).group(1))  # type: ignore[union-attr]
    info = _run("pdfinfo", "-f", "1", "-l", str(count), str(pdf))
    sizes = [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]
    texts = _run("pdftotext", "-layout", str(pdf), "-").split("\f")
    return [Page(w, h, texts[i] if i < len(texts) else "") for i, (w, h) in enumerate(sizes)]


def printed(items: list[tuple[Path, str]], tmp: Path) -> dict[tuple[str, str], list[Page]]:
    """Each (workbook, sheet) printed on its own, all with one LibreOffice run; keyed by (file name, sheet)."""
    out = tmp / "printed"
    out.mkdir(parents=True, exist_ok=True)
    copies = [only_sheet(xlsx, name, out / f"{i:03d}.xlsx") for i, (xlsx, name) in enumerate(items)]
    pdfs = to_pdf(copies, out)
    return {(xlsx.name, name): pages(pdf) for (xlsx, name), pdf in zip(items, pdfs, strict=True)}


def every_sheet(xlsx: Path) -> list[tuple[Path, str]]:
    from openpyxl import load_workbook

    wb = load_workbook(xlsx, read_only=True)
    try:
        return [(xlsx, name) for name in wb.sheetnames]
    finally:
        wb.close()


def one_page_wide(sheet_pages: list[Page], first: str, last: str) -> bool:
    """Every page shows the table's first and last column headers (repeated title rows): nothing
    was pushed onto a page of its own to the right."""
    return all(first in p.text and last in p.text for p in sheet_pages)


def _run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
