"""Build the offline install bundle: the toolkit's wheel and every dependency's wheel, plus an installer.

Usage (on a machine with internet access; see docs/离线安装.md)::

    python scripts/make_bundle.py 离线安装包              # for Windows x64, Python 3.11 and 3.12
    python scripts/make_bundle.py 离线安装包 --here       # for this machine's platform and Python (tests, CI)

The folder then holds ``wheels/`` (zbtz and its dependencies, xlwings included), ``excel/`` (the
VBA module, the drag-and-drop launcher, the xlwings Lite script), ``collectors/`` (the software
collectors for Windows and Kylin/UOS), ``docs/`` and ``安装.cmd``,
which installs with ``pip install --no-index --find-links wheels``: no network needed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WINDOWS = ("win_amd64", ["3.11", "3.12"])
INSTALL_CMD = r"""@echo off
chcp 65001 >nul
rem 正版台账工具箱 离线安装：把本文件夹中的 wheel 装入本机的 Python（不需要联网）。
setlocal
cd /d "%~dp0"
where python >nul 2>nul || (
  echo 未找到 Python。请先安装 Python 3.11 或 3.12（安装时勾选“Add python.exe to PATH”）。
  pause
  exit /b 1
)
python -m pip install --no-index --find-links "%~dp0wheels" "zbtz[excel]"
if errorlevel 1 (
  echo 安装失败，请把上面的信息发给信息化部门。
  pause
  exit /b 1
)
python -m xlwings addin install
echo.
echo 安装完成。可以在命令行运行 zbtz --help，或把台账拖到 excel\校验台账.cmd 上。
pause
"""


def run(cmd: list[str]) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def build(out: Path, here: bool) -> Path:
    """Fill ``out`` with the bundle; returns the wheel folder."""
    wheels = out / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip"]
    had_build = (ROOT / "build").exists()
    run([*pip, "wheel", "--no-deps", "-w", str(wheels), str(ROOT)])
    if not had_build:  # setuptools leaves its build folder in the source tree
        shutil.rmtree(ROOT / "build", ignore_errors=True)
    (zbtz,) = sorted(wheels.glob("zbtz-*.whl"))
    target = f"{zbtz}[excel]"
    if here:
        run([*pip, "download", "--only-binary=:all:", "-d", str(wheels), target])
    else:
        platform, versions = WINDOWS
        for version in versions:
            run(
                [
                    *pip,
                    "download",
                    "--only-binary=:all:",
                    "--platform",
                    platform,
                    "--python-version",
                    version,
                    "--implementation",
                    "cp",
                    "-d",
                    str(wheels),
                    target,
                ]
            )
    for name in ("excel", "docs", "collectors"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, out / name, dirs_exist_ok=True)
    (out / "安装.cmd").write_bytes(INSTALL_CMD.replace("\n", "\r\n").encode("utf-8"))
    return wheels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成离线安装包（wheel 文件夹和安装脚本）。")
    parser.add_argument("out", type=Path, help="输出文件夹")
    parser.add_argument("--here", action="store_true", help="为本机的平台和 Python 版本生成（用于测试）")
    args = parser.parse_args(argv)
    wheels = build(args.out, args.here)
    print(f"已生成：{args.out}（{len(list(wheels.glob('*.whl')))} 个 wheel）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
