"""Printable forms from a ledger, ready to sign: 附件2 for every person, 附件10/附件11 for register rows.

:func:`print_forms` writes one workbook per form into a folder, one page (sheet) per person or
per register row, laid out by :mod:`toolkit.forms.templates` exactly as the blank templates are, and
converts each workbook to PDF with LibreOffice when it is installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

from toolkit.errors import PrintError
from toolkit.files import TEMP_PREFIX, claim_output, install, make_dirs, mark_output
from toolkit.forms.layout import save_workbook
from toolkit.forms.templates import write_letter_sheet, write_printout_sheet
from toolkit.model import Ledger, Row
from toolkit.read.reader import read_ledger
from toolkit.schemas import schema
from toolkit.textsafe import text_only

PRINTABLE = ("附件2", "附件10", "附件11")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
PDF_TIMEOUT = 180


@dataclass
class Printed:
    """What :func:`print_forms` wrote: per form the page count and files, and why a form was skipped."""

    pages: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return dict(pages=dict(self.pages), files=[str(p) for p in self.files], skipped=dict(self.skipped))


def people(ledger: Ledger) -> list[tuple[str, str]]:
    """Distinct (部门, 姓名) on 附件8, in the order they first appear."""
    seen: dict[tuple[str, str], None] = {}
    for d in ledger.details:
        person = d.raw.get("person")
        if person:
            seen.setdefault((d.raw.get("dept") or "", person), None)
    return list(seen)


def register_rows(ledger: Ledger, form: str) -> list[dict]:
    """The rows of the 附件10 or 附件11 register as the reader found them, as {column key: value}.

    A date column gives its date where it reads as one (its text otherwise); every other column its text.
    """
    rows: Sequence[Row] = ledger.requests if form == "附件10" else ledger.confirmations
    out = []
    for row in rows:
        values: dict[str, object] = {}
        for key in row.form.columns:
            parsed = row.val.get(key) if row.form.schema.column(key).type == "date" else None
            values[key] = parsed if parsed is not None else row.raw.get(key)
        out.append(values)
    return out


def _sheet_title(base: str, taken: set[str]) -> str:
    name = _BAD_SHEET_CHARS.sub("-", base).strip("'")[:31] or "表"
    n, stem = 2, name
    while name.casefold() in taken:
        suffix = f"({n})"
        name = stem[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name.casefold())
    return name


def print_forms(
    path: str | Path,
    outdir: str | Path,
    forms: Iterable[str] = PRINTABLE,
    *,
    pdf: bool | None = None,
    force: bool = False,
) -> Printed:
    """Write the printable forms of the ledger at ``path`` into ``outdir``.

    ``pdf``: ``None`` converts when LibreOffice is installed, ``True`` requires it, ``False`` never.
    Files already in ``outdir`` are replaced only with ``force``.
    """
    wanted = list(dict.fromkeys(forms))
    for f in wanted:
        if f not in PRINTABLE:
            raise PrintError(f"“{f}”不是可打印的表：可选 {'、'.join(PRINTABLE)}。")
    office = soffice()
    if pdf and office is None:
        raise PrintError("未找到 LibreOffice（soffice），无法生成 PDF。请安装 LibreOffice，或去掉 --pdf 只写出 .xlsx。")
    ledger = read_ledger(path)
    unit = ledger.unit or ""
    out = make_dirs(outdir)
    with_pdf = office is not None and pdf is not False
    for name in wanted:  # every file this run may write, refused before any is written
        form = schema(name)
        base = out / f"{form.form} {form.title}"
        for suffix in (".xlsx", ".pdf") if with_pdf else (".xlsx",):
            claim_output(base.with_name(base.name + suffix), inputs=[path], force=force)
    done = Printed()
    for name in wanted:
        form = schema(name)
        wb = Workbook()
        wb.remove(wb.active)
        taken: set[str] = set()
        if name == "附件2":
            persons = people(ledger)
            if not persons:
                done.skipped[name] = "附件8 中没有工作人员，未生成承诺书"
                continue
            for i, (dept, person) in enumerate(persons, 1):
                ws = wb.create_sheet(_sheet_title(f"{i:03d} {dept} {person}", taken))
                write_letter_sheet(ws, form, unit=unit, dept=dept, person=person)
            done.pages[name] = len(persons)
        else:
            rows = register_rows(ledger, name)
            if not rows:
                done.skipped[name] = f"台账中没有《{form.title}》登记表或登记表为空"
                continue
            for i, row in enumerate(rows, 1):
                seq = row.get("seq") or i
                ws = wb.create_sheet(_sheet_title(form.extra["printout"]["sheet"].format(seq=seq), taken))
                write_printout_sheet(ws, form, {**row, "seq": seq}, unit=unit)
            done.pages[name] = len(rows)
        target = out / f"{form.form} {form.title}.xlsx"
        mark_output(wb, "打印")
        save_workbook(text_only(wb), target)
        done.files.append(target)
    if with_pdf:
        done.files.extend(to_pdf([p for p in done.files if p.suffix == ".xlsx"], out, office))
    return done


def soffice() -> str | None:
    """The LibreOffice program, or ``None`` when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(files: Sequence[Path], outdir: Path, office: str | None = None) -> list[Path]:
    """Convert workbooks to PDF with LibreOffice (headless, a private profile so runs never collide)."""
    office = office or soffice()
    if not files:
        return []
    if office is None:
        raise PrintError("未找到 LibreOffice（soffice），无法生成 PDF。")
    # LibreOffice writes into a hidden folder beside the outputs; each PDF is then renamed into place
    with (
        tempfile.TemporaryDirectory(prefix="zbtz-lo-") as profile,
        tempfile.TemporaryDirectory(prefix=TEMP_PREFIX, dir=outdir) as staging,
    ):
        cmd = [
            office,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            staging,
            *map(str, files),
        ]
        try:
            subprocess.run(
                cmd, check=True, capture_output=True, timeout=PDF_TIMEOUT, env={**os.environ, "HOME": profile}
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            raise PrintError(f"LibreOffice 转换 PDF 失败：{exc}。.xlsx 文件已写出，可手工打印。") from exc
        made = [Path(staging) / (f.stem + ".pdf") for f in files]
        missing = [p.name for p in made if not p.exists()]
        if missing:
            raise PrintError(f"LibreOffice 未生成 {'、'.join(missing)}。.xlsx 文件已写出，可手工打印。")
        pdfs = []
        for p in made:
            install(p, outdir / p.name)
            pdfs.append(outdir / p.name)
    return pdfs
