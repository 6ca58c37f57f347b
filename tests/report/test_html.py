"""The self-contained HTML report: no network, and it renders in headless Chromium."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers.factory import make_ledger
from tests.report.test_consolidate import generate
from toolkit import consolidate
from toolkit.render.html import render_html, write_html

AS_OF = dt.date(2026, 6, 30)
CHROMIUM = shutil.which("chromium") or (shutil.which("/usr/bin/chromium"))


@pytest.fixture
def folder_report(tmp_path):
    folder = tmp_path / "units"
    folder.mkdir()
    generate(folder, 24)
    return consolidate([folder], AS_OF, workers=1)


def test_self_contained(folder_report):
    page = render_html(folder_report)
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"https?://|<script|<link|<img|@import|url\(", page)
    assert page.count("<svg") == 2  # rate per unit; installed against licensed
    for r in folder_report.results:
        assert r.unit in page
    assert "无法读取" in page and "合计" in page


def test_single_ledger_has_its_attachment5_and_detail(tmp_path):
    cons = consolidate([make_ledger(tmp_path)], AS_OF, workers=1)
    page = render_html(cons)
    assert "测试局 软件正版化工作信息统计" in page and "软件明细" in page and "SY-001" in page


def test_text_is_escaped(tmp_path):
    cons = consolidate([make_ledger(tmp_path, unit="<b>局</b>")], AS_OF, workers=1)
    page = render_html(cons)
    assert "<b>局</b>" not in page and "&lt;b&gt;局&lt;/b&gt;" in page


@pytest.mark.skipif(CHROMIUM is None, reason="没有安装 chromium（.ci/run 会安装 Debian 的 chromium 包），跳过截图测试")
def test_renders_in_headless_chromium(folder_report, tmp_path):
    html = write_html(folder_report, tmp_path / "汇总.html")
    shot = tmp_path / "shot.png"
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={shot}",
        "--window-size=1280,2000",
        Path(html).resolve().as_uri(),
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    with Image.open(shot) as img:
        assert img.size == (1280, 2000)
        colours = img.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50  # text, tables and bars, not a blank page
    # the chart colours are on the page: bars were drawn
    rgb = {c for _, c in colours}
    assert (0x2F, 0x85, 0x5A) in rgb or (0xC5, 0x30, 0x30) in rgb
