"""The offline bundle: built for this platform, it installs into a fresh virtual environment with
``pip install --no-index`` and the installed ``zbtz`` checks a ledger."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv

from tests.helpers import ROOT

ROOT = ROOT
SAMPLE = ROOT / "samples" / "台账示例.xlsx"


def test_bundle_installs_offline_into_a_fresh_venv(tmp_path):
    bundle = tmp_path / "离线安装包"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_bundle.py"), str(bundle), "--here"],
        check=True,
        capture_output=True,
        timeout=900,
    )
    wheels = bundle / "wheels"
    assert len(list(wheels.glob("zbtz-*.whl"))) == 1 and len(list(wheels.glob("*.whl"))) > 10
    assert (bundle / "安装.cmd").read_bytes().startswith(b"@echo off\r\nchcp 65001")
    assert (bundle / "excel" / "ZbtzMacros.bas").exists() and (bundle / "excel" / "校验台账.cmd").exists()
    assert (bundle / "collectors" / "windows" / "zbtz-collect.ps1").exists()
    assert (bundle / "collectors" / "linux" / "zbtz-collect.sh").exists()

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / ("python.exe" if os.name == "nt" else "python")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON"))}
    clean["PIP_NO_INDEX"] = "1"  # belt and braces: nothing may come from an index
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-index", "--find-links", str(wheels), "zbtz[excel]"],
        check=True,
        capture_output=True,
        timeout=900,
        env=clean,
    )
    run = subprocess.run(
        [str(bin_dir / "zbtz"), "check", str(SAMPLE), "--as-of", "2026-06-30", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        env=clean,
        cwd=tmp_path,
    )
    assert run.returncode == 1, run.stderr
    assert len(json.loads(run.stdout)["findings"]) == 16
    probe = "import toolkit, toolkit.excel, xlwings; print(toolkit.__file__)"
    where = subprocess.run(
        [str(python), "-c", probe], capture_output=True, text=True, env=clean, cwd=tmp_path, check=True
    )
    assert str(env_dir) in where.stdout  # the installed copy, not the source tree
    # the installed copy finds its schemas and macro source without a source tree: excel-setup needs no --vba
    setup = subprocess.run(
        [str(bin_dir / "zbtz"), "excel-setup", str(SAMPLE), "-o", str(tmp_path / "台账.xlsm")],
        capture_output=True,
        text=True,
        timeout=300,
        env=clean,
        cwd=tmp_path,
    )
    assert setup.returncode == 0, setup.stderr
    assert (tmp_path / "台账.xlsm").stat().st_size > SAMPLE.stat().st_size
