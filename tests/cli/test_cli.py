"""The ``check`` command (docs/cli.md): JSON equals the library's report, exit codes, folders, text output, help."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import zipfile

import click
import pytest
from click.testing import CliRunner

from tests.helpers.factory import default_data, office, sevenzip, windows
from toolkit import check_file
from toolkit.cli import main
from toolkit.read.reader import read_ledger

AS_OF = dt.date(2026, 6, 30)


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def warning_only(make_ledger, name="警告.xlsx"):
    wl = default_data()["whitelist"] + [dict(name="Notepad++", source="官网")]
    return make_ledger(name=name, whitelist=wl)  # TZ1.12W only


def with_errors(make_ledger, name="错误.xlsx"):
    return make_ledger(name=name, summary=[office(sw_type="盗版软件", purchase_date="去年"), windows(), sevenzip()])


# --- JSON ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["clean", "warnings", "errors"])
def test_json_equals_the_library_report(make_ledger, kind):
    path = {
        "clean": lambda: make_ledger(),
        "warnings": lambda: warning_only(make_ledger),
        "errors": lambda: with_errors(make_ledger),
    }[kind]()
    result = run("check", path, "--as-of", AS_OF.isoformat(), "--format", "json")
    data = json.loads(result.stdout)
    assert data == check_file(path, AS_OF).to_dict()
    assert data["as_of"] == "2026-06-30"
    assert data["stats"]["workbooks"] == 1
    assert set(data) >= {"valid", "as_of", "stats", "findings"}
    for f in data["findings"]:
        assert set(f) >= {"rule", "severity", "workbook", "sheet", "cell", "message"}
        assert f["severity"] in ("error", "warning")
        assert f["workbook"] == str(path)


def test_json_is_the_only_thing_on_stdout_in_a_batch(tmp_path, make_ledger):
    make_ledger(name="a.xlsx")
    with_errors(make_ledger, name="b.xlsx")
    result = run("check", tmp_path, "--as-of", "2026-06-30", "--format", "json")
    data = json.loads(result.stdout)
    assert data["stats"] == {"workbooks": 2, "errors": data["stats"]["errors"], "warnings": 0}
    assert data["stats"]["errors"] > 0 and data["valid"] is False


def test_default_as_of_is_today(make_ledger):
    data = json.loads(run("check", make_ledger(), "--format", "json").stdout)
    assert data["as_of"] == dt.date.today().isoformat()


# --- exit codes ----------------------------------------------------------------------------


def test_exit_0_when_clean(make_ledger):
    result = run("check", make_ledger(), "--as-of", "2026-06-30")
    assert result.exit_code == 0, result.output


def test_exit_0_with_warnings_only(make_ledger):
    path = warning_only(make_ledger)
    result = run("check", path, "--as-of", "2026-06-30", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["valid"] is True and data["stats"]["warnings"] == 1 and data["stats"]["errors"] == 0


def test_exit_1_with_errors(make_ledger):
    assert run("check", with_errors(make_ledger), "--as-of", "2026-06-30").exit_code == 1


@pytest.mark.parametrize("as_of", ["2026-13-01", "30/06/2026", "明天", "", "2026.6", "20260630", "45000"])
def test_exit_2_for_a_bad_as_of(make_ledger, as_of):
    result = run("check", make_ledger(), "--as-of", as_of)
    assert result.exit_code == 2
    assert "2026-06-30、2026年6月30日、2026.6.30 或 2026/6/30" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("as_of", ["2026-06-30", "2026年6月30日", "2026.6.30", "2026/6/30", "2026 年 6 月 30 日"])
def test_as_of_takes_the_date_forms_the_ledger_takes(make_ledger, as_of):
    result = run("check", make_ledger(), "--as-of", as_of, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["as_of"] == "2026-06-30"


def test_exit_2_for_a_missing_path(tmp_path):
    result = run("check", tmp_path / "没有这个文件.xlsx")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args", [["check"], ["check", ".", "--format", "xml"], ["chekc", "."], ["check", ".", "--nope"]]
)
def test_exit_2_for_other_usage_errors(args):
    assert run(*args).exit_code == 2


# --- folders -------------------------------------------------------------------------------


def test_folder_skips_lock_files_and_checks_nested_folders(tmp_path, make_ledger):
    root = tmp_path / "各单位"
    (root / "二科" / "归档").mkdir(parents=True)
    from tests.helpers.factory import make_ledger as write

    a = write(root, name="一科.xlsx")
    b = write(root / "二科" / "归档", name="二科.xlsm")
    (root / "~$一科.xlsx").write_bytes(b"\x00lock")  # Excel's lock file: would be an S0 if read
    (root / "二科" / "~$二科.xlsm").write_bytes(b"lock")
    (root / "说明.txt").write_text("not a ledger", encoding="utf-8")
    result = run("check", root, "--as-of", "2026-06-30", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["stats"]["workbooks"] == 2
    assert data["findings"] == []
    assert [(f["workbook"], f["status"]) for f in data["files"]] == [
        (str(root / "~$一科.xlsx"), "skipped"),
        (str(a), "checked"),
        (str(root / "二科" / "~$二科.xlsm"), "skipped"),
        (str(b), "checked"),
    ]
    assert all("锁定文件" in f["reason"] for f in data["files"] if f["status"] == "skipped")
    text = run("check", root, "--as-of", "2026-06-30").stdout
    assert str(a) in text and str(b) in text
    assert f"已跳过  {root / '~$一科.xlsx'}：" in text and "说明.txt" not in text  # listed as skipped, never read
    assert "~$" not in "".join(line for line in text.splitlines() if "已跳过" not in line)


def test_folder_and_file_arguments_together(tmp_path, make_ledger):
    (tmp_path / "sub").mkdir()
    from tests.helpers.factory import make_ledger as write

    write(tmp_path / "sub", name="a.xlsx")
    single = with_errors(make_ledger)
    data = json.loads(run("check", tmp_path / "sub", single, "--as-of", "2026-06-30", "--format", "json").stdout)
    assert data["stats"]["workbooks"] == 2
    assert {f["workbook"] for f in data["findings"]} == {str(single)}


# --- text output ---------------------------------------------------------------------------


def test_text_groups_by_workbook_and_sheet(tmp_path, make_ledger):
    good = make_ledger(name="a.xlsx")
    bad = with_errors(make_ledger, name="b.xlsx")
    broken = tmp_path / "c.xlsx"
    broken.write_bytes(b"not a workbook")
    result = run("check", tmp_path, "--as-of", "2026-06-30")
    assert result.exit_code == 1
    lines = result.stdout.rstrip("\n").split("\n")
    report = check_file(bad, AS_OF)
    n_bad = len(report.findings)
    assert lines[0] == f"{good}：未发现问题"
    assert lines[1] == str(bad)
    sheets = [ln for ln in lines if ln.startswith("  [")]
    assert "  [附件7 汇总表]" in sheets and "  [整个工作簿]" in sheets
    finding_lines = [ln for ln in lines if ln.startswith("    ")]
    assert len(finding_lines) == n_bad + 1  # one line per finding, the S0 of c.xlsx included
    assert any("S5" in ln and "E6" in ln and "错误" in ln for ln in finding_lines)
    assert any(ln.startswith("    —") and "S0" in ln for ln in finding_lines)  # no cell
    assert lines[-1] == f"共检查 3 个台账：错误 {n_bad + 1} 个，警告 0 个 —— 未通过"
    assert "\n" not in lines[-1]


def test_text_summary_when_clean(make_ledger):
    path = make_ledger()
    lines = run("check", path, "--as-of", "2026-06-30").stdout.rstrip("\n").split("\n")
    assert lines == [f"{path}：未发现问题", "共检查 1 个台账：错误 0 个，警告 0 个 —— 通过"]


def test_text_sheet_groups_are_not_repeated(make_ledger):
    rows = [office(sw_type="盗版软件"), windows(software_no=None), sevenzip(category="游戏")]
    out = run("check", make_ledger(summary=rows), "--as-of", "2026-06-30").stdout
    headers = [ln for ln in out.split("\n") if ln.startswith("  [")]
    assert len(headers) == len(set(headers))


# --- help ----------------------------------------------------------------------------------


def _commands(group: click.Group, prefix=()):
    for name, cmd in sorted(group.commands.items()):
        yield (*prefix, name)
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))


@pytest.mark.parametrize("path", [(), *_commands(main)], ids=lambda p: " ".join(p) or "zbtz")
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_every_command_has_help_with_examples(path, flag):
    result = run(*path, flag)
    assert result.exit_code == 0
    assert "示例" in result.stdout
    assert "zbtz" in result.stdout.split("示例", 1)[1]


def test_check_is_a_command():
    assert "check" in main.commands


# --- the real program ------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "code"), [("clean", 0), ("errors", 1)])
def test_python_m_toolkit_exit_code(make_ledger, kind, code):
    path = make_ledger() if kind == "clean" else with_errors(make_ledger)
    proc = subprocess.run(
        [sys.executable, "-m", "toolkit", "check", str(path), "--as-of", "2026-06-30", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == code, proc.stderr
    assert json.loads(proc.stdout) == check_file(path, AS_OF).to_dict()
    assert "Traceback" not in proc.stderr


def test_python_m_toolkit_usage_error(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "toolkit", "check", str(tmp_path), "--as-of", "2026-02-30"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_python_m_toolkit_writes_whole_file_before_quick_exit(make_ledger, tmp_path):
    """The quick exit (cli.run) comes after the output is closed: the file written is whole."""
    out = tmp_path / "汇总.xlsx"
    proc = subprocess.run(
        [sys.executable, "-m", "toolkit", "rollup", str(make_ledger()), "--as-of", "2026-06-30", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "附件8" in proc.stdout  # stdout flushed before the process ended
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None
    assert read_ledger(out).form("附件8") is not None


def test_quick_exit_into_a_closed_pipe_is_status_120():
    """Output still buffered when the reader has gone (| head): exit status 120, as Python's own exit gives."""
    script = (
        "import sys, time; from toolkit.process import quick_exit; "
        "time.sleep(0.5); sys.stdout.write('x' * 100); quick_exit(0)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # the output must stay buffered
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        err = proc.stderr.read().decode("utf-8", "replace")
        assert proc.wait(timeout=60) == 120
    assert "Traceback" not in err


def test_quick_exit_runs_exit_handlers_and_keeps_the_status(tmp_path):
    flag = tmp_path / "ran.txt"
    script = (
        "import atexit, pathlib, sys; from toolkit.process import quick_exit; "
        f"atexit.register(pathlib.Path({str(flag)!r}).write_text, 'ok'); print('out'); quick_exit(3)"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3
    assert proc.stdout == "out\n"
    assert flag.read_text() == "ok"


def test_a_library_caller_frees_what_it_leaves(monkeypatch):
    """process.leave keeps nothing unless the process ends with its command (cli.run)."""
    import gc

    from toolkit import process

    monkeypatch.setattr(process, "_left", [])
    monkeypatch.setattr(process, "_ending", False)
    process.leave(["a ledger"])
    assert process._left == []
    monkeypatch.setattr(process, "_ending", True)
    before = gc.get_freeze_count()
    try:
        process.leave(["a ledger"])
        assert process._left == [["a ledger"]]
        assert gc.get_freeze_count() > before  # never scanned again
    finally:
        gc.unfreeze()


def test_the_only_ledger_of_a_check_is_left_to_the_exit(make_ledger, monkeypatch):
    """check of one workbook hands its ledger to process.leave; a folder's ledgers are freed one by one."""
    import toolkit.checking as checking
    from toolkit import process

    left: list = []
    monkeypatch.setattr(process, "leave", left.append)
    checking.check_targets([(make_ledger(), "台账.xlsx")], AS_OF)
    assert [type(x).__name__ for x in left] == ["Ledger"]
