"""Every command on every hostile file (tests/hostile/corpus.py): exit code, seconds, peak memory.

Each run is a child process under an address-space limit (default 4 GiB), so a file that makes
the reader allocate without bound fails inside the child instead of taking the machine down.
The table reports, per case and command: the exit code, wall seconds, the child's peak resident
memory, whether stderr held a Python traceback and whether the input file kept its bytes ("same";
"written" by a successful in-place command; "CHANGED" by a failed one, which must never happen).

    python benchmarks/bench_hostile.py [--repo DIR] [--limit-gb 4] [--only CASE,...] [--big]

``--repo`` runs another checkout's code (``python -m toolkit`` from that directory), e.g. the
main branch before a change. ``--big`` adds the million-row, 32 MB workbook.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from tests.hostile.corpus import CASES, good, many_rows  # noqa: E402

COMMANDS = {
    "check": ["check", "{f}"],
    "check-dir": ["check", "{d}"],
    "annotate-o": ["check", "{f}", "--annotate", "-o", "{o}/标注{s}"],
    "annotate-in": ["check", "{f}", "--annotate", "--in-place"],
    "rollup-o": ["rollup", "{f}", "-o", "{o}/汇总后{s}"],
    "rollup-in": ["rollup", "{f}", "--in-place"],
    "report": ["report", "{f}", "-o", "{o}/附件5.xlsx", "-o", "{o}/附件5.html"],
    "report-dir": ["report", "{d}", "-o", "{o}/汇总.xlsx", "-o", "{o}/汇总.html"],
    "excel-setup": ["excel-setup", "{f}", "-o", "{o}/按钮.xlsm"],
    "print": ["print", "{f}", "-o", "{o}/打印", "--no-pdf"],
    "number": ["number", "{f}", "-o", "{o}/编号{s}"],
}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_measured(repo: Path, args: list[str], limit: int, timeout: float) -> tuple[int, float, float, str]:
    """Like :func:`run`, with the peak resident memory of that one child (from wait4)."""
    err_file = tempfile.TemporaryFile()
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # child
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            os.chdir(repo)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(err_file.fileno(), 2)
            os.environ["COLUMNS"] = "120"
            os.execv(sys.executable, [sys.executable, "-m", "toolkit", *args])
        finally:
            os._exit(127)
    deadline = start + timeout
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.perf_counter() > deadline:
            os.kill(pid, 9)
        time.sleep(0.02)
    took = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    err_file.seek(0)
    return code, took, usage.ru_maxrss / 1024, err_file.read().decode("utf-8", "replace")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", type=Path, default=ROOT)
    ap.add_argument("--limit-gb", type=float, default=4.0)
    ap.add_argument("--only", default="")
    ap.add_argument("--commands", default="")
    ap.add_argument("--big", action="store_true")
    ap.add_argument("--timeout", type=float, default=180.0)
    opts = ap.parse_args()
    cases = dict(CASES)
    if opts.big:
        cases["million_rows"] = lambda folder: many_rows(folder, 1_000_000)
    if opts.only:
        cases = {k: v for k, v in cases.items() if k in opts.only.split(",")}
    commands = {k: v for k, v in COMMANDS.items() if not opts.commands or k in opts.commands.split(",")}
    limit = int(opts.limit_gb * (1 << 30))
    print(f"{'case':<15} {'command':<12} {'rc':>4} {'s':>7} {'peak MB':>8}  traceback  original")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "source"
        source.mkdir()
        built = {}
        for name, build in cases.items():
            (source / name).mkdir()
            built[name] = build(source / name)
        for name, path in built.items():
            for cmd, template in commands.items():
                work = Path(tmp) / "run" / name / cmd
                folder = work / "ledgers"
                out = work / "out"
                folder.mkdir(parents=True)
                out.mkdir()
                f = folder / path.name
                shutil.copyfile(path, f)
                if cmd.endswith("-dir"):
                    good(folder)
                before = digest(f)
                args = [
                    a.format(f=f, d=folder, o=out, s=f.suffix if f.suffix in (".xlsx", ".xlsm") else ".xlsx")
                    for a in template
                ]
                code, took, peak, err = run_measured(opts.repo, args, limit, opts.timeout)
                wrote = code == 0 or "已写入标注" in err  # check --annotate exits 1 when it finds errors
                kept = "same" if digest(f) == before else ("written" if wrote else "CHANGED")
                tb = "TRACEBACK" if "Traceback" in err else "-"
                print(f"{name:<15} {cmd:<12} {code:>4} {took:>7.2f} {peak:>8.0f}  {tb:<9}  {kept}", flush=True)
                shutil.rmtree(work)


if __name__ == "__main__":
    main()
