"""Whole-process wall time, what a user waits for: ``check``, ``rollup -o`` and a bare calamine read.

Every measurement is a fresh process started the way a user starts it (``python -m toolkit ...``
from this checkout, so nothing needs installing), imports and start-up included:

- ``read``   a bare python-calamine read of every sheet (``to_python``), import included;
- ``check``  ``python -m toolkit check LEDGER --format json``;
- ``rollup`` ``python -m toolkit rollup LEDGER -o NEW`` (a new output file each run);
- ``sample`` ``python -m toolkit check`` of the small sample ledger (samples/台账示例.xlsx).

One round runs all four back to back, the order rotated from round to round so that a machine
slowing down or speeding up favours none of them; the ratios ``check/read`` and ``rollup/read`` are
taken within a round (same conditions) and their median reported, beside the median times, the
CPU time (user + system of that process: steadier than wall time on a loaded machine) and the
peak memory (``ru_maxrss`` of that child, from ``os.wait4``). The checkout's byte-code is compiled
first (``compileall``), as a user's first run or a pip installation writes it.

    python benchmarks/bench_whole.py [LEDGER] [--pairs N]

LEDGER defaults to benchmarks/out/guide.xlsx, the guide-shaped large ledger (one 附件9 sheet per
software number: 5,000 computers, 300 numbers, 100,000 log rows, about 57,000 附件8 rows), made
with benchmarks/make_large.py when missing. N (rounds) defaults to 5.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT = HERE / "out" / "guide.xlsx"
SAMPLE = ROOT / "samples" / "台账示例.xlsx"
AS_OF = "2026-06-30"

BARE = """
import sys
import python_calamine as pc
wb = pc.CalamineWorkbook.from_path(sys.argv[1])
cells = 0
for i, _ in enumerate(wb.sheet_names):
    cells += sum(len(r) for r in wb.get_sheet_by_index(i).to_python())
print(cells)
"""


def run(argv: list[str]) -> dict:
    """Run ``argv`` from the checkout; its wall time, CPU time (s), peak RSS (MB) and exit code."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    if proc.returncode not in (0, 1):  # 1: the ledger has findings, which is fine here
        sys.exit(f"{' '.join(argv)} failed ({proc.returncode}):\n{err.decode(errors='replace')}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024}


def commands(ledger: Path, out_dir: Path) -> dict:
    """What each step runs; ``rollup`` writes a new file every time it is called."""
    py = sys.executable
    count = iter(range(10**6))
    return {
        "read": lambda: [py, "-c", BARE, str(ledger)],
        "check": lambda: [py, "-m", "toolkit", "check", str(ledger), "--as-of", AS_OF, "--format", "json"],
        "rollup": lambda: [
            py,
            "-m",
            "toolkit",
            "rollup",
            str(ledger),
            "--as-of",
            AS_OF,
            "-o",
            str(out_dir / f"rollup-{next(count)}.xlsx"),
            "--format",
            "json",
        ],
        "sample": lambda: [py, "-m", "toolkit", "check", str(SAMPLE), "--as-of", AS_OF],
    }


def measure(ledger: Path, rounds: int) -> dict[str, list[dict]]:
    """``rounds`` rounds of every step, the order rotated by one each round."""
    with tempfile.TemporaryDirectory() as tmp:
        steps = commands(ledger, Path(tmp))
        names = list(steps)
        runs: dict[str, list[dict]] = {name: [] for name in names}
        # the byte-code of this checkout, as a user's first run writes it (or pip, installing): this
        # machine sets PYTHONDONTWRITEBYTECODE, and each run would otherwise compile every module
        # again (0.05 s), while python-calamine's own is compiled since its installation
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "toolkit")], check=True)
        run(steps["sample"]())  # warm the file cache
        for i in range(rounds):
            for name in names[i % len(names) :] + names[: i % len(names)]:
                runs[name].append(run(steps[name]()))
                for old in Path(tmp).glob("rollup-*.xlsx"):
                    old.unlink()
            print(
                f"第 {i + 1}/{rounds} 轮：" + "，".join(f"{n} {runs[n][-1]['wall']:.2f} 秒" for n in names), flush=True
            )
    return runs


def table(ledger: Path, runs: dict[str, list[dict]]) -> str:
    med = {n: {k: statistics.median(r[k] for r in rs) for k in ("wall", "cpu")} for n, rs in runs.items()}
    peak = {n: max(r["rss"] for r in rs) for n, rs in runs.items()}

    def ratios(name: str, key: str) -> list[float]:
        return sorted(a[key] / b[key] for a, b in zip(runs[name], runs["read"], strict=True))

    labels = {
        "read": "python-calamine 直接读取全部工作表",
        "check": "check --format json",
        "rollup": "rollup -o（每次写新文件）",
        "sample": "check 示例台账（小）",
    }
    lines = [
        f"台账：{ledger.name}（{ledger.stat().st_size / 2**20:.1f} MB），{len(runs['read'])} 轮，每轮顺序轮换",
        "",
        "| 步骤 | 墙钟中位数 | CPU 中位数 | 与直接读取之比（墙钟，逐轮中位数） | 与直接读取之比（CPU） | 峰值内存 |",
        "|---|---|---|---|---|---|",
    ]
    for name in runs:
        if name in ("check", "rollup"):
            walls, cpus = ratios(name, "wall"), ratios(name, "cpu")
            wall_ratio = f"{statistics.median(walls):.2f}×（{walls[0]:.2f}–{walls[-1]:.2f}）"
            cpu_ratio = f"{statistics.median(cpus):.2f}×（{cpus[0]:.2f}–{cpus[-1]:.2f}）"
        else:
            wall_ratio = cpu_ratio = "1" if name == "read" else "—"
        lines.append(
            f"| {labels[name]} | {med[name]['wall']:.2f} 秒 | {med[name]['cpu']:.2f} 秒 | {wall_ratio} | {cpu_ratio} "
            f"| {peak[name]:.0f} MB |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="整个进程的耗时：check、rollup -o 与直接读取，交替测量。")
    ap.add_argument(
        "ledger", nargs="?", default=str(DEFAULT), help="台账（默认 benchmarks/out/guide.xlsx，缺少时生成）"
    )
    ap.add_argument("--pairs", type=int, default=5, help="轮数（每轮四个步骤各运行一次），默认 5")
    args = ap.parse_args(argv)
    ledger = Path(args.ledger).resolve()
    if not ledger.exists():
        subprocess.run([sys.executable, str(HERE / "make_large.py"), str(ledger), "--installed", "0.57"], check=True)
    print(f"负载：{os.getloadavg()[0]:.1f}（1 分钟平均），{os.cpu_count()} 核")
    runs = measure(ledger, max(args.pairs, 1))
    print()
    print(table(ledger, runs))
    print(f"\n结束时负载：{os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
