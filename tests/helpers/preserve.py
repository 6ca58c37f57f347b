"""Ledgers that hold every feature the write-back must preserve, and checks on written packages.

:func:`feature_ledger` takes a factory ledger, adds with openpyxl an image and a chart on 附件7,
a list validation on 附件8, defined names and a user's note, then injects by hand (through the
builder of ``test_xlsxpkg``) an x14 list validation and a data bar in extension lists, a threaded
comment, a form-control button with its macro, and a ``vbaProject.bin`` (an .xlsm).
"""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import openpyxl
from lxml import etree
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from tests.helpers.factory import make_ledger
from tests.write.test_xlsxpkg import BUTTONS, DETAIL, SUMMARY, _all_targets, _inject
from toolkit.write.package import Package

FEATURE_PARTS = {
    "xl/vbaProject.bin",
    "xl/persons/person.xml",
    "xl/threadedComments/threadedComment1.xml",
    "xl/ctrlProps/ctrlProp1.xml",
    "xl/drawings/vmlDrawing9.vml",
}


def _png() -> io.BytesIO:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 120, 200)).save(buf, "PNG")
    buf.seek(0)
    return buf


def feature_ledger(tmp_path: Path, name: str = "台账.xlsm", **changes) -> Path:
    """A factory ledger (.xlsm) holding every preserved feature."""
    from openpyxl.drawing.image import Image

    base = make_ledger(tmp_path, name="base.xlsx", **changes)
    wb = openpyxl.load_workbook(base)
    ws = wb[SUMMARY]
    ws["B5"].comment = Comment("用户的批注：编号规则见制度", "李四")
    ws.add_image(Image(_png()), "R2")
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=15, min_row=5, max_row=8), titles_from_data=True)
    ws.add_chart(chart, "R10")
    wb.defined_names["软件编号表"] = DefinedName("软件编号表", attr_text=f"'{SUMMARY}'!$B$6:$B$8")
    det = wb[DETAIL]
    dv = DataValidation(type="list", formula1='"办公室,财务处"', allow_blank=True)
    dv.add("B5:B40")
    det.add_data_validation(dv)
    wb.create_sheet(BUTTONS)["A1"] = "点击按钮运行宏"
    mid = tmp_path / "mid.xlsx"
    wb.save(mid)
    out = tmp_path / name
    _inject(mid, out)
    return out


def parts(path: Path) -> dict[str, bytes]:
    """Every part's uncompressed bytes."""
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def owned_parts(path: Path, sheets: list[str]) -> set[str]:
    """The parts the toolkit may rewrite when it edits ``sheets`` of the workbook at ``path``."""
    pkg = Package.open(path)
    owned = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"}
    for sheet in sheets:
        part = pkg.sheet_part(sheet)
        owned |= {part, Package.rels_name(part)}
        owned |= {t for _, typ, t in pkg._targets(part) if typ.endswith(("/comments", "/vmlDrawing"))}
    return owned


def assert_preserved(before_path: Path, after_path: Path, sheets: list[str]) -> None:
    """Every part not owned is byte-identical (uncompressed) and every part is still referenced."""
    before, after = parts(before_path), parts(after_path)
    owned = owned_parts(before_path, sheets)
    for name, data in before.items():
        if name not in owned:
            assert after.get(name) == data, f"{name} changed"
    targets = _all_targets(after)
    for name in after:
        if not name.endswith(".rels") and name != "[Content_Types].xml":
            assert name in targets, f"{name} is not referenced"
    for target in targets:
        assert target in after, f"dangling relationship to {target}"
    assert FEATURE_PARTS <= set(after)
    ct = after["[Content_Types].xml"].decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in ct
    wbxml = after["xl/workbook.xml"].decode()
    assert "软件编号表" in wbxml
    pkg = Package.open(after_path)
    det = after[pkg.sheet_part(DETAIL)].decode()
    assert "x14:dataValidation " in det and "x14:dataBar" in det and "<dataValidation " in det
    summ = after[pkg.sheet_part(SUMMARY)].decode()
    assert "<drawing " in summ and "<legacyDrawing " in summ
    etree.fromstring(after[pkg.sheet_part(DETAIL)])  # well-formed


def convert_to_pdf(path: Path, tmp_path: Path) -> Path:
    """LibreOffice headless converts the workbook to PDF (own profile, so parallel runs don't collide)."""
    profile = tmp_path / f"lo-profile-{path.stem}"
    outdir = tmp_path / "pdf"
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(path),
        ],
        capture_output=True,
        timeout=240,
        env=env,
    )
    pdf = outdir / (path.stem + ".pdf")
    assert result.returncode == 0 and pdf.exists() and pdf.stat().st_size > 1000, result.stderr
    return pdf
