"""The roll-up written back: plan as data, values read back with python-calamine, idempotent, safe."""

from __future__ import annotations

import datetime as dt
import errno
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from tests.helpers import ROOT
from tests.helpers.factory import default_data, install
from toolkit import RollupError, check_file, files, rollup_file
from toolkit.cli import main
from toolkit.plans.rollup import FillDate, plan_rollup, sign_line_text
from toolkit.read.reader import read_ledger
from toolkit.rollup import compute_rollup

AS_OF = dt.date(2026, 6, 30)
ROLLUP_RULES = {"TZ1.1", "TZ1.13", "TZ2.2"}
SAMPLE = ROOT / "samples" / "台账示例.xlsx"
D1, D2 = dt.date(2024, 3, 1), dt.date(2026, 1, 5)


def stale(**kw) -> dict:
    """A ledger whose logs moved on: Office off PC-002, 7-Zip onto PC-002, a new laptop PC-003."""
    data = default_data()
    logs = data["logs"]
    logs["SY-001"].append(install("PC-002", D2, user="李四", op="卸载", version="2019"))
    logs["MF-001"].append(install("PC-002", D2, user="李四", version="23.01"))
    logs["OEM-001"].append(install("PC-003", D2, user="王五", dept="财务处", version="10"))
    logs["MF-001"].append(install("PC-001", dt.date(2027, 1, 1), op="卸载"))  # after the date: ignored
    data["details"][0]["remark"] = "随机附带"
    data["computers"].append(
        dict(computer="PC-003", ctype="便携机", brand="华为", user="王五", dept="财务处", status="在用")
    )
    counts = dict(total_staff=3, staff_using=5, servers=0, desktops=2, laptops=0)  # 使用计算机人数 off too
    return dict(logs=logs, details=data["details"], computers=data["computers"], counts=counts, **kw)


def sheet(path: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def test_sign_line_text() -> None:
    day = dt.date(2026, 6, 30)
    blank = "单位名称（盖章）：测试局    填表人：＿＿    联系电话：＿＿    填表日期：＿＿年＿＿月＿＿日"
    assert sign_line_text(blank, day) == blank.replace("＿＿年＿＿月＿＿日", "2026年6月30日")
    assert sign_line_text("填表日期：2025年12月31日  备注", day) == "填表日期：2026年6月30日  备注"
    assert sign_line_text("填表日期: 2025-12-31", day) == "填表日期: 2026年6月30日"
    assert sign_line_text("填表日期：", day) == "填表日期：2026年6月30日"
    assert FillDate(day).value_for(None) == day and FillDate(day).value_for(45000.0) == day


def test_plan_is_data_and_names_the_changes(make_ledger) -> None:
    ledger = read_ledger(make_ledger(**stale()))
    plan = plan_rollup(ledger, compute_rollup(ledger, AS_OF))
    assert [(c.number, c.old, c.new) for c in plan.installed] == [("SY-001", 2, 1), ("OEM-001", 2, 3), ("MF-001", 1, 2)]
    assert plan.cells["附件7 汇总表"][(6, 15)] == 1
    assert {(c.key, c.new) for c in plan.counts} == {("staff_using", 3), ("laptops", 1)}
    assert sorted(plan.added) == [("PC-002", "MF-001"), ("PC-003", "OEM-001")]
    assert plan.removed == [("PC-002", "SY-001")]
    d = plan.detail
    assert d is not None and (d.sheet, d.first, d.last, d.style_row) == ("附件8 明细表", 5, 9, 5)
    assert d.rows[0] == [
        1,
        "办公室",
        "张三",
        "PC-001",
        "联想",
        "SY-001",
        "Microsoft Office 专业增强版",
        "2019",
        "永久",
        "√",
        None,
        None,
        D1,
        "随机附带",
    ]
    assert d.rows[1][:5] == [2, None, None, None, None]  # merged computer cells: top-left only
    assert d.merges[:4] == [(5, 2, 7, 2), (5, 3, 7, 3), (5, 4, 7, 4), (5, 5, 7, 5)]
    assert isinstance(plan.cells["附件8 明细表"][(2, 1)], FillDate)


def test_rollup_reads_back_and_checks_clean(make_ledger, tmp_path: Path) -> None:
    src = make_ledger(**stale())
    assert ROLLUP_RULES <= {f.rule for f in check_file(src, AS_OF).findings}
    out = tmp_path / "out.xlsx"
    rollup_file(src, AS_OF, out=out)
    summ = sheet(out, "附件7 汇总表")
    assert summ[1][0].endswith("填表日期：2026年6月30日")
    assert summ[2][4] == 3 and summ[3][6] == 1  # 使用计算机人数, 便携机数
    assert [r[14] for r in summ[5:8]] == [1, 3, 2]
    det = sheet(out, "附件8 明细表")
    assert det[1][0].endswith("填表日期：2026年6月30日")
    body = [r for r in det[4:] if any(v != "" for v in r)]
    assert [(r[0], r[3], r[5], r[9:12], r[12]) for r in body] == [
        (1, "PC-001", "SY-001", ["√", "", ""], D1),
        (2, "", "OEM-001", ["", "√", ""], D1),
        (3, "", "MF-001", ["", "", "√"], D1),
        (4, "PC-002", "OEM-001", ["", "√", ""], D1),
        (5, "", "MF-001", ["", "", "√"], D2),
        (6, "PC-003", "OEM-001", ["", "√", ""], D2),
    ]
    assert body[0][13] == "随机附带"  # a surviving row keeps its 备注
    merges = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("附件8 明细表").merged_cell_ranges
    assert ((4, 1), (6, 1)) in merges and ((7, 3), (8, 3)) in merges
    assert not ROLLUP_RULES & {f.rule for f in check_file(out, AS_OF).findings}


def test_variant_layout_is_written_in_its_own_layout(make_ledger, tmp_path: Path) -> None:
    src = make_ledger(variant=True, **stale())
    out = tmp_path / "out.xlsx"
    rollup_file(src, AS_OF, out=out)
    det = sheet(out, "明细")
    body = [r for r in det[3:] if any(v != "" for v in r)]
    assert [(r[3], r[5], r[9]) for r in body][:3] == [
        ("PC-001", "SY-001", "商业软件"),
        ("", "OEM-001", "OEM软件"),
        ("", "MF-001", "免费软件"),
    ]
    assert [r[14 - 1] for r in sheet(out, "软件汇总")[6:9]] == [1, 3, 2]
    assert not ROLLUP_RULES & {f.rule for f in check_file(out, AS_OF).findings}


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def test_rolling_up_twice_changes_nothing(make_ledger, tmp_path: Path) -> None:
    once, twice = tmp_path / "once.xlsx", tmp_path / "twice.xlsx"
    rollup_file(make_ledger(**stale()), AS_OF, out=once)
    result = rollup_file(once, AS_OF, out=twice)
    assert not result.plan.changed
    assert _parts(once) == _parts(twice)


def test_sample_ledger_checks_clean_after_rollup(tmp_path: Path) -> None:
    out = tmp_path / "sample.xlsx"
    rollup_file(SAMPLE, AS_OF, out=out)
    assert not ROLLUP_RULES & {f.rule for f in check_file(out, AS_OF).findings}


def test_ledger_without_detail_cannot_be_rolled_up(make_ledger, tmp_path: Path) -> None:
    src = make_ledger(omit=("附件8",))
    with pytest.raises(RollupError, match="附件8"):
        rollup_file(src, AS_OF, out=tmp_path / "o.xlsx")
    result = CliRunner().invoke(main, ["rollup", str(src), "-o", str(tmp_path / "o.xlsx")])
    assert result.exit_code == 1 and "附件8" in result.output


# ------------------------------------------------------------------ CLI and writing safety


def test_cli_rollup_json_and_usage_errors(make_ledger, tmp_path: Path) -> None:
    import json

    src = make_ledger(**stale())
    runner = CliRunner()
    assert runner.invoke(main, ["rollup", str(src)]).exit_code == 2
    assert runner.invoke(main, ["rollup", str(src), "-o", str(tmp_path / "o.xlsx"), "--in-place"]).exit_code == 2
    result = runner.invoke(
        main, ["rollup", str(src), "--as-of", "2026-06-30", "-o", str(tmp_path / "o.xlsx"), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["installed"][0] == {"number": "SY-001", "old": 2, "new": 1, "cell": "O6"}
    assert {"computer": "PC-002", "number": "SY-001"} in data["removed"]
    text = runner.invoke(main, ["rollup", str(src), "--as-of", "2026-06-30", "--in-place"])
    assert text.exit_code == 0 and "SY-001" in text.output and "2 → 1" in text.output and "备份" in text.output
    assert list(src.parent.glob("台账.bak-*.xlsx"))


def test_refuses_a_workbook_open_in_excel(make_ledger) -> None:
    src = make_ledger(**stale())
    original = src.read_bytes()
    src.with_name("~$" + src.name).write_bytes(b"owner")
    result = CliRunner().invoke(main, ["rollup", str(src), "--in-place"])
    assert result.exit_code == 1 and "正在被" in result.output
    assert src.read_bytes() == original and not list(src.parent.glob("*.bak-*"))


@pytest.mark.parametrize(
    ("err", "message"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "磁盘空间不足"),
        (PermissionError(errno.EACCES, "denied"), "没有权限"),
    ],
)
def test_full_disk_or_read_only_target_leaves_original(make_ledger, monkeypatch, err, message) -> None:
    src = make_ledger(**stale())
    original = src.read_bytes()

    def fail(*_a, **_k):
        raise err

    monkeypatch.setattr(files.os, "replace", fail)
    result = CliRunner().invoke(main, ["rollup", str(src), "--in-place"])
    assert result.exit_code == 1 and message in result.output and "原文件未改动" in result.output
    assert src.read_bytes() == original
    assert not [p for p in src.parent.iterdir() if p.suffix == ".tmp"]


def test_write_killed_halfway_leaves_original(make_ledger) -> None:
    src = make_ledger(**stale())
    original = src.read_bytes()
    script = (
        "import os, signal, datetime\n"
        "from toolkit.write.package import Package\n"
        "real = Package._write_zip\n"
        "def half(self, fh):\n"
        "    real(self, fh); fh.truncate(fh.tell() // 2); fh.flush()\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "Package._write_zip = half\n"
        "from toolkit.plans.rollup import rollup_file\n"
        f"rollup_file({str(src)!r}, datetime.date(2026, 6, 30), in_place=True)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, timeout=120)
    assert proc.returncode != 0
    assert src.read_bytes() == original
    assert read_ledger(src).form("附件8") is not None


def test_rows_written_into_an_unstyled_detail_get_the_forms_look(make_ledger, tmp_path: Path) -> None:
    import openpyxl

    src = make_ledger(**stale())
    before = openpyxl.load_workbook(src)["附件8 明细表"]
    assert before["B5"].border.left.style is None  # the factory writes bare cells
    out = tmp_path / "out.xlsx"
    rollup_file(src, AS_OF, out=out)
    ws = openpyxl.load_workbook(out)["附件8 明细表"]
    for r in range(5, 10):
        for c in (1, 6, 7, 13):
            cell = ws.cell(r, c)
            assert (cell.border.left.style, cell.border.bottom.style, cell.alignment.vertical) == (
                "thin",
                "thin",
                "center",
            )
        assert ws.cell(r, 13).number_format == "yyyy-mm-dd"  # not the locale's m/d/yy
        assert ws.cell(r, 7).alignment.wrap_text and ws.cell(r, 1).alignment.horizontal == "center"


def test_a_ledger_without_logs_is_not_rolled_up(make_ledger, tmp_path):
    """No 附件9 at all: rebuilding 附件8 from no logs would empty it, so the roll-up refuses."""
    src = make_ledger(omit=("附件9",))
    with pytest.raises(RollupError, match="没有附件9"):
        rollup_file(src, AS_OF, out=tmp_path / "o.xlsx")
    assert not (tmp_path / "o.xlsx").exists()
