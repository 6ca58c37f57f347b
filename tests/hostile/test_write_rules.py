"""The write rules of every command (docs/cli.md, "Writing safety"): ask before destroying anything.

Refuse to overwrite without --force, never replace a read-only file or an input, hold a lock
during an in-place edit, unique backups, symbolic links written through, stale temporary files
removed, and a kill -9 in the middle of a write leaves the original or the complete output.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers.factory import make_ledger
from toolkit import files
from toolkit.cli import main
from toolkit.errors import OutputExistsError, WriteError
from toolkit.files import atomic_write, backup, claim_output, clean_stale_temps, edit_lock, is_own_file
from toolkit.write.edit import rollup_file

AS_OF = "2026-06-30"
ROOT = Path(__file__).resolve().parents[2]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return make_ledger(tmp_path, name="台账.xlsx")


# --- refuse to overwrite ---------------------------------------------------------------------

WRITERS = {
    "rollup": lambda f, o: ["rollup", str(f), "--as-of", AS_OF, "-o", str(o / "x.xlsx")],
    "annotate": lambda f, o: ["check", str(f), "--as-of", AS_OF, "--annotate", "-o", str(o / "x.xlsx")],
    "number": lambda f, o: ["number", str(f), "-o", str(o / "x.xlsx")],
    "report": lambda f, o: ["report", str(f), "--as-of", AS_OF, "-o", str(o / "x.xlsx")],
    "report-html": lambda f, o: ["report", str(f), "--as-of", AS_OF, "-o", str(o / "x.html")],
    "excel-setup": lambda f, o: ["excel-setup", str(f), "-o", str(o / "x.xlsm")],
    "new": lambda f, o: ["new", str(o / "x.xlsx"), "--unit", "某局"],
}


@pytest.mark.parametrize("command", list(WRITERS))
def test_an_existing_output_is_replaced_only_with_force(ledger, tmp_path, command):
    out = tmp_path / "out"
    out.mkdir()
    target = out / ("x.xlsm" if command == "excel-setup" else "x.html" if command == "report-html" else "x.xlsx")
    target.write_bytes(b"a note the user typed")
    args = WRITERS[command](ledger, out)
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 2 and "已存在" in refused.output and "--force" in refused.output
    assert target.read_bytes() == b"a note the user typed"
    forced = CliRunner().invoke(main, [*args, "--force"])
    assert forced.exit_code in (0, 1), forced.output  # check --annotate exits 1 when it finds errors
    assert target.read_bytes() != b"a note the user typed"


def test_templates_and_print_ask_before_replacing_a_file_in_the_folder(ledger, tmp_path):
    folder = tmp_path / "表样"
    assert CliRunner().invoke(main, ["templates", str(folder)]).exit_code == 0
    again = CliRunner().invoke(main, ["templates", str(folder)])
    assert again.exit_code == 2 and "已存在" in again.output
    assert CliRunner().invoke(main, ["templates", str(folder), "--force"]).exit_code == 0
    printed = tmp_path / "打印"
    assert CliRunner().invoke(main, ["print", str(ledger), "-o", str(printed), "--no-pdf"]).exit_code == 0
    before = {p.name: _digest(p) for p in printed.iterdir()}
    again = CliRunner().invoke(main, ["print", str(ledger), "-o", str(printed), "--no-pdf"])
    assert again.exit_code == 2 and {p.name: _digest(p) for p in printed.iterdir()} == before


def test_report_refuses_to_write_over_its_input(ledger, tmp_path):
    before = _digest(ledger)
    result = CliRunner().invoke(main, ["report", str(ledger), "-o", str(ledger), "--force"])
    assert result.exit_code == 1 and "就是输入的台账" in result.output
    assert _digest(ledger) == before
    folder = tmp_path / "units"
    folder.mkdir()
    other = make_ledger(folder, name="乙.xlsx")
    before = _digest(other)
    result = CliRunner().invoke(main, ["report", str(folder), "-o", str(other), "--force", "-j", "1"])
    assert result.exit_code == 1 and "就是输入的台账" in result.output and _digest(other) == before


def test_a_new_output_has_the_umask_mode(ledger, tmp_path):
    old = os.umask(0o027)
    try:
        out = tmp_path / "x.xlsx"
        assert CliRunner().invoke(main, ["rollup", str(ledger), "--as-of", AS_OF, "-o", str(out)]).exit_code == 0
        html = tmp_path / "x.html"
        assert CliRunner().invoke(main, ["report", str(ledger), "--as-of", AS_OF, "-o", str(html)]).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640 and stat.S_IMODE(html.stat().st_mode) == 0o640


# --- read-only files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["rollup", "{f}", "--in-place", "--as-of", AS_OF],
        ["check", "{f}", "--annotate", "--in-place", "--as-of", AS_OF],
        ["number", "{f}", "--in-place"],
        ["rollup", "{src}", "-o", "{f}", "--force", "--as-of", AS_OF],
        ["new", "{f}", "--unit", "某局", "--force"],
    ],
)
def test_a_read_only_file_is_never_replaced(tmp_path, args):
    """The mode bits are checked, so this holds for root too (who may write any file)."""
    f = make_ledger(tmp_path, name="只读.xlsx", summary=[])  # nothing numbered yet: number would write
    src = make_ledger(tmp_path, name="源.xlsx")
    f.chmod(0o444)
    before = _digest(f)
    result = CliRunner().invoke(main, [a.format(f=f, src=src) for a in args])
    assert result.exit_code == 1 and "只读" in result.output, result.output
    assert _digest(f) == before and stat.S_IMODE(f.stat().st_mode) == 0o444
    assert not [p for p in tmp_path.iterdir() if ".bak-" in p.name or p.name.startswith(".~zbtz-")]


# --- backups ---------------------------------------------------------------------------------


def test_backups_in_the_same_second_get_two_names_and_never_replace_a_file(ledger):
    now = dt.datetime(2026, 6, 30, 12, 0, 0)
    taken = ledger.with_name("台账.bak-20260630-120000.xlsx")
    taken.write_bytes(b"someone's file")
    first, second = backup(ledger, now), backup(ledger, now)
    assert len({first, second, taken}) == 3
    assert taken.read_bytes() == b"someone's file"
    assert first.read_bytes() == second.read_bytes() == ledger.read_bytes()
    assert is_own_file(first.name) and is_own_file(second.name) and not is_own_file(ledger.name)


def test_a_long_ledger_name_gets_a_backup_name_that_fits(tmp_path):
    f = make_ledger(tmp_path, name="长" * 80 + "a.xlsx")  # 245 bytes
    result = CliRunner().invoke(main, ["rollup", str(f), "--as-of", AS_OF, "--in-place"])
    assert result.exit_code == 0, result.output
    backups = [p for p in tmp_path.iterdir() if ".bak-" in p.name]
    assert len(backups) == 1 and len(os.fsencode(backups[0].name)) <= 255


def test_an_output_name_too_long_is_a_message(ledger, tmp_path):
    result = CliRunner().invoke(main, ["rollup", str(ledger), "-o", str(tmp_path / ("长" * 84 + ".xlsx"))])
    assert result.exit_code == 1 and "文件名过长" in result.output


def test_folder_scans_skip_backups_and_the_toolkits_own_reports(tmp_path):
    folder = tmp_path / "units"
    folder.mkdir()
    make_ledger(folder, name="甲.xlsx")
    runner = CliRunner()
    assert runner.invoke(main, ["rollup", str(folder / "甲.xlsx"), "--as-of", AS_OF, "--in-place"]).exit_code == 0
    assert runner.invoke(main, ["report", str(folder), "-o", str(folder / "汇总.xlsx"), "-j", "1"]).exit_code == 0
    assert runner.invoke(main, ["report", str(folder / "甲.xlsx"), "-o", str(folder / "附件5.xlsx")]).exit_code == 0
    assert len(list(folder.iterdir())) == 4  # the ledger, its backup, 汇总, 附件5
    result = runner.invoke(main, ["report", str(folder), "--format", "json", "-j", "1"])
    assert json.loads(result.stdout)["totals"]["units"] == 1


# --- the in-place lock -------------------------------------------------------------------------

HOLD = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


def _hold(path: Path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    proc.stdout.close()
    assert line == "locked"
    return proc


@pytest.mark.skipif(os.name != "posix", reason="advisory locks")
def test_a_second_in_place_run_stops_with_a_message_while_the_lock_is_held(ledger, monkeypatch):
    monkeypatch.setattr(files, "LOCK_WAIT", 0.3)
    before = _digest(ledger)
    proc = _hold(ledger, 5)
    try:
        with pytest.raises(WriteError, match="另一个 zbtz 进程正在修改"):
            rollup_file(ledger, dt.date(2026, 6, 30), in_place=True)
    finally:
        proc.kill()
        proc.wait()
    assert _digest(ledger) == before


@pytest.mark.skipif(os.name != "posix", reason="advisory locks")
def test_a_second_in_place_run_waits_and_then_reads_what_the_first_wrote(ledger, monkeypatch):
    monkeypatch.setattr(files, "LOCK_WAIT", 30)
    proc = _hold(ledger, 0.5)
    start = time.monotonic()
    try:
        result = rollup_file(ledger, dt.date(2026, 6, 30), in_place=True)
    finally:
        proc.wait()
    assert time.monotonic() - start >= 0.3 and result.backup is not None


def test_the_lock_is_reentrant_and_released(ledger):
    with edit_lock(ledger), edit_lock(ledger):
        pass
    with edit_lock(ledger, wait=0):
        pass


def test_annotate_refuses_a_ledger_changed_after_it_was_checked(ledger):
    from toolkit.checking import check_file
    from toolkit.write.edit import annotate_file

    stamp = files.fingerprint(ledger)
    report = check_file(ledger, dt.date(2026, 6, 30))
    rollup_file(ledger, dt.date(2026, 6, 30), in_place=True)  # another run rewrote it meanwhile
    after = _digest(ledger)
    with pytest.raises(WriteError, match="在检查之后被修改过"):
        annotate_file(ledger, report, in_place=True, expect=stamp)
    assert _digest(ledger) == after


# --- symbolic links, temporary files ----------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_in_place_through_a_symbolic_link_writes_its_target(ledger, tmp_path):
    link = tmp_path / "链接.xlsx"
    link.symlink_to(ledger)
    before = _digest(ledger)
    result = CliRunner().invoke(main, ["rollup", str(link), "--as-of", AS_OF, "--in-place"])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(ledger)
    assert _digest(ledger) != before
    assert [p.name for p in tmp_path.glob("*.bak-*")] and not list(tmp_path.glob("链接.bak-*"))


def test_a_stale_temporary_file_is_removed_by_the_next_write(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".~zbtz-{dead.pid}-0123abcd.tmp"
    stale.write_bytes(b"x" * 1000)
    live = tmp_path / f".~zbtz-{os.getpid()}-0123abcd.tmp"
    live.write_bytes(b"mine")
    atomic_write(tmp_path / "out.bin", lambda fh: fh.write(b"data"))
    assert not stale.exists() and live.exists()
    assert clean_stale_temps(tmp_path) == []


def test_claim_output_refuses_a_folder_and_an_input(ledger, tmp_path):
    with pytest.raises(WriteError, match="文件夹"):
        claim_output(tmp_path, force=True)
    with pytest.raises(WriteError, match="就是输入的台账"):
        claim_output(ledger, inputs=[ledger], force=True)
    with pytest.raises(OutputExistsError):
        claim_output(ledger)


# --- full disk, read-only folder, kill -9 ------------------------------------------------------

FULL_DISK = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
from toolkit.cli import main
main(sys.argv[1:])
"""


@pytest.mark.parametrize(
    "args",
    [
        ["new", "{o}/新.xlsx", "--unit", "某局"],
        ["templates", "{o}/表样"],
        ["print", "{f}", "-o", "{o}/打印", "--no-pdf"],
        ["rollup", "{f}", "--in-place", "--as-of", AS_OF],
        ["report", "{f}", "-o", "{o}/附件5.xlsx"],
    ],
)
def test_a_full_disk_is_a_message_and_the_original_stays(ledger, tmp_path, args):
    """A file size limit makes every write past 4 KB fail as a full disk does (EFBIG/ENOSPC)."""
    out = tmp_path / "out"
    out.mkdir()
    before = _digest(ledger)
    proc = subprocess.run(
        [sys.executable, "-c", FULL_DISK, *[a.format(f=ledger, o=out) for a in args]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "磁盘空间不足" in proc.stderr
    assert _digest(ledger) == before
    assert not [p for p in tmp_path.rglob(".~zbtz-*")]


@pytest.mark.parametrize("command", ["new", "templates", "print", "report"])
def test_a_folder_that_cannot_be_written_is_a_message(ledger, tmp_path, monkeypatch, command):
    """Root writes into a 0555 folder, so the refusal of the file system is simulated."""
    out = tmp_path / "只读"
    out.mkdir()
    real_open = os.open

    def denied(path, flags, *a, **kw):
        if str(path).startswith(str(out)) and flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *a, **kw)

    monkeypatch.setattr(files.os, "open", denied)
    args = {
        "new": ["new", str(out / "新.xlsx"), "--unit", "某局"],
        "templates": ["templates", str(out)],
        "print": ["print", str(ledger), "-o", str(out), "--no-pdf"],
        "report": ["report", str(ledger), "-o", str(out / "附件5.xlsx")],
    }[command]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and "没有权限写入" in result.output, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


def test_a_binary_vba_file_is_a_message(ledger, tmp_path):
    bas = tmp_path / "宏.bas"
    bas.write_bytes(bytes(range(256)) * 10)
    result = CliRunner().invoke(main, ["excel-setup", str(ledger), "--vba", str(bas)])
    assert result.exit_code == 1 and "不是纯文本的 VBA 模块" in result.output
    assert not ledger.with_suffix(".xlsm").exists()


@pytest.mark.skipif(os.name != "posix", reason="signals")
@pytest.mark.parametrize("delay", [0.15, 0.5, 0.9, 1.4])
def test_kill_9_mid_write_leaves_the_original_or_the_complete_output(tmp_path, delay):
    f = make_ledger(tmp_path, name="台账.xlsx")
    original = f.read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "rollup", str(f), "--as-of", AS_OF, "--in-place"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    data = f.read_bytes()
    if data != original:  # the roll-up finished: a whole, readable workbook
        with zipfile.ZipFile(f) as z:
            assert z.testzip() is None
    for bak in tmp_path.glob("*.bak-*"):
        assert bak.read_bytes() == original  # a backup, if made, is whole
    atomic_write(tmp_path / "next.bin", lambda fh: fh.write(b"x"))  # the next run in that folder
    assert not list(tmp_path.glob(".~zbtz-*"))
