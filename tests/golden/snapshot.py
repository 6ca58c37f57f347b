"""Golden outputs of what a user sees, recorded before a refactor and compared after.

``python tests/golden/snapshot.py record`` writes ``tests/golden/outputs.json`` (the sample's
check JSON, the cells and styles that ``rollup``, ``check --annotate``, ``number``, ``print`` and
``report`` write, the template bytes, the HTML report) and ``tests/golden/ledgers.jsonl`` is filled
by the test suite under ``ZBTZ_GOLDEN=record`` (the check JSON of every ledger the factory builds).
Re-record only when a change of output is intended, and say so in the commit.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent
SAMPLE = ROOT / "samples" / "台账示例.xlsx"
AS_OF = "2026-06-30"


def zbtz(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def _style(cell) -> list:
    b = cell.border
    return [
        cell.number_format,
        cell.font.b,
        cell.font.sz,
        cell.alignment.horizontal,
        cell.alignment.vertical,
        cell.alignment.wrap_text,
        cell.fill.fgColor.rgb if cell.fill.fill_type else None,
        [getattr(b, s).style for s in ("left", "right", "top", "bottom")],
    ]


def dump_xlsx(path: Path) -> dict:
    """Every sheet's cells (value and style), merged ranges, row heights, print settings, comments."""
    wb = openpyxl.load_workbook(path)
    out: dict = {"sheets": wb.sheetnames, "active": wb.active.title if wb.active else None}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None or c.has_style:
                    cells[c.coordinate] = [
                        repr(c.value),
                        _style(c),
                        c.comment.text if c.comment else None,
                        c.hyperlink.location if c.hyperlink else None,
                    ]
        out[ws.title] = {
            "cells": hashlib.sha256(json.dumps(cells, ensure_ascii=False, sort_keys=True).encode()).hexdigest(),
            "n": len(cells),
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "heights": {k: v.height for k, v in sorted(ws.row_dimensions.items()) if v.height},
            "page": [
                ws.page_setup.paperSize,
                ws.page_setup.orientation,
                ws.page_setup.fitToWidth,
                ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr else None,
                ws.print_title_rows,
            ],
        }
    return out


def _scrub(text: str, tmp: Path) -> str:
    text = text.replace(str(tmp), "<TMP>")
    return re.sub(r"\d{8}-\d{6}", "<STAMP>", text)


def snapshot() -> dict:
    out: dict = {}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        led = tmp / "台账.xlsx"
        shutil.copy(SAMPLE, led)
        r = zbtz("check", "台账.xlsx", "--as-of", AS_OF, "--format", "json", cwd=tmp)
        out["check.json"] = [r.returncode, json.loads(r.stdout)]
        r = zbtz("check", "台账.xlsx", "--as-of", AS_OF, cwd=tmp)
        out["check.text"] = [r.returncode, r.stdout]
        r = zbtz("rollup", "台账.xlsx", "--as-of", AS_OF, "-o", "汇总后.xlsx", "--format", "json", cwd=tmp)
        out["rollup.json"] = [r.returncode, json.loads(r.stdout)]
        out["rollup.xlsx"] = dump_xlsx(tmp / "汇总后.xlsx")
        r = zbtz("check", "台账.xlsx", "--as-of", AS_OF, "--annotate", "-o", "标注.xlsx", cwd=tmp)
        out["annotate.rc"] = r.returncode
        out["annotate.xlsx"] = dump_xlsx(tmp / "标注.xlsx")
        # number: blank three numbers of the sample first
        wb = openpyxl.load_workbook(led)
        ws = next(s for s in wb.worksheets if s.title.startswith("附件7"))
        blanked = 0
        for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
            for c in row:
                if isinstance(c.value, str) and re.fullmatch(r"(SY|OEM|MF)-00[12]", c.value) and blanked < 3:
                    c.value = None
                    blanked += 1
        wb.save(tmp / "缺编号.xlsx")
        r = zbtz("number", "缺编号.xlsx", "-o", "编号后.xlsx", "--as-of", AS_OF, "--format", "json", cwd=tmp)
        out["number.json"] = [r.returncode, _scrub(r.stdout, tmp)]
        if (tmp / "编号后.xlsx").exists():
            out["number.xlsx"] = dump_xlsx(tmp / "编号后.xlsx")
        r = zbtz("templates", "表样", cwd=tmp)
        out["templates"] = {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((tmp / "表样").glob("*.xlsx"))
        }
        r = zbtz("new", "新台账.xlsx", "--unit", "某某县统计局", cwd=tmp)
        out["new.xlsx"] = dump_xlsx(tmp / "新台账.xlsx")
        r = zbtz("print", "台账.xlsx", "-o", "打印", "--no-pdf", "--format", "json", cwd=tmp)
        out["print.json"] = [r.returncode, _scrub(r.stdout, tmp)]
        out["print"] = {p.name: dump_xlsx(p) for p in sorted((tmp / "打印").glob("*.xlsx"))}
        r = zbtz("report", "台账.xlsx", "--as-of", AS_OF, "-o", "附件5.xlsx", "--format", "json", cwd=tmp)
        out["report.json"] = [r.returncode, _scrub(r.stdout, tmp)]
        out["report.xlsx"] = dump_xlsx(tmp / "附件5.xlsx")
        folder = tmp / "各单位"
        folder.mkdir()
        shutil.copy(SAMPLE, folder / "甲.xlsx")
        shutil.copy(tmp / "汇总后.xlsx", folder / "乙.xlsx")
        r = zbtz("report", "各单位", "--as-of", AS_OF, "-o", "汇总.xlsx", "-j", "1", "--format", "json", cwd=tmp)
        out["consolidate.json"] = [r.returncode, _scrub(r.stdout, tmp)]
        out["consolidate.xlsx"] = dump_xlsx(tmp / "汇总.xlsx")
        r = zbtz("report", "各单位", "--as-of", AS_OF, "-o", "汇总.html", "-j", "1", cwd=tmp)
        html = (tmp / "汇总.html").read_text(encoding="utf-8")
        out["consolidate.html"] = hashlib.sha256(_scrub(html, tmp).encode()).hexdigest()
        r = zbtz("rules", "--format", "json", cwd=tmp)
        out["rules"] = r.stdout
    return out


if __name__ == "__main__":
    if sys.argv[1:] == ["record"]:
        (GOLDEN / "outputs.json").write_text(
            json.dumps(snapshot(), ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
        )
    else:
        sys.exit("usage: snapshot.py record")
