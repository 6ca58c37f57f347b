"""``import``: each layout a–d converted into the guide's forms, then checked."""

from __future__ import annotations

import json
import shutil
import subprocess

import openpyxl
import pytest
from click.testing import CliRunner

from tests.imports.builders import DAY, SHAPES, applicable, attribute, write_inputs
from toolkit.checking import check
from toolkit.cli import main
from toolkit.errors import ImportFailed
from toolkit.imports import import_ledger
from toolkit.read.reader import read_ledger

HAS_SOFFICE = shutil.which("soffice") is not None


def _import(tmp_path, shape, defects=(), name="新台账.xlsx"):
    paths = write_inputs(tmp_path / "in", SHAPES[shape](defects))
    out = tmp_path / name
    result = import_ledger(paths, out, day=DAY, unit="测试局")
    return result, out


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_clean_input_imports_into_a_clean_ledger(tmp_path, shape):
    result, out = _import(tmp_path, shape)
    report = check([out], DAY)
    # the inputs register no antivirus: PZ2.3 rightly warns for every computer in use, and nothing else is found
    assert [f for f in report.flatten(["rule", "sheet", "cell", "message"]) if f[0] != "PZ2.3"] == []
    assert result.written == out and all(lay.shape for lay in result.layouts)
    ledger = read_ledger(out)
    assert [f.form for f in ledger.forms][:3] == ["附件6", "附件7", "附件8"]
    assert ledger.unit == "测试局"
    assert len(ledger.logs) == len(ledger.summary)  # every number has its 附件9


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_planted_defect_is_found_after_import_and_nothing_else(tmp_path, shape):
    planted = applicable(shape)
    _, out = _import(tmp_path, shape, planted)
    found, other = attribute(out, check([out], DAY))
    assert sorted(found) == sorted(planted)
    assert [f for f in other if "PZ2.3" not in str(f)] == []  # PZ2.3: the inputs register no antivirus


def test_the_long_table_rows_become_numbered_forms_and_initial_installs(tmp_path):
    result, out = _import(tmp_path, "a")
    ledger = read_ledger(out)
    numbers = {r.raw["name"]: r.software_no for r in ledger.summary}
    assert numbers == {
        "Windows 10 专业版": "OEM-001",
        "Microsoft Office": "SY-001",
        "WPS Office": "SY-002",
        "7-Zip": "MF-001",
        "福昕阅读器": "MF-002",
    }
    installed = {r.raw["name"]: r.installed for r in ledger.summary}
    assert installed == {"Windows 10 专业版": 4, "Microsoft Office": 3, "WPS Office": 2, "7-Zip": 2, "福昕阅读器": 1}
    log = next(g for g in ledger.logs if g.software_no == "SY-002")
    assert [(e.op, e.computer, e.date, e.raw.get("remark")) for e in log.entries] == [
        ("安装", "PC-01", DAY, "初始登记"),
        ("安装", "PC-02", DAY, "初始登记"),
    ]
    assert {c.computer: c.ctype for c in ledger.computers} == {
        "PC-01": "台式机",
        "PC-02": "台式机",
        "PC-03": "便携机",
        "PC-04": "台式机",
    }
    assert [w.raw["name"] for w in ledger.whitelist] == ["7-Zip", "福昕阅读器"]
    assert result.to_dict()["sheets"][0]["rows"] == 12 and result.notes == []


def test_a_register_supplies_the_licences_of_the_software_a_wide_table_ticks(tmp_path):
    _, out = _import(tmp_path, "b")
    office = next(r for r in read_ledger(out).summary if r.raw["name"] == "Microsoft Office 2019")
    assert (office.license_count, office.license_type, office.installed, office.raw["version"]) == (
        5,
        "批量许可",
        3,
        "2019",
    )


def test_a_wide_table_of_software_names_with_their_licence_column(tmp_path):
    rows = [
        ["序号", "计算机编号", "使用人", "部门", "操作系统", "是否授权", "办公软件", "是否授权"],
        [1, "PC-01", "张三", "办公室", "Windows 10", "是", "WPS Office", "否"],
    ]
    paths = write_inputs(tmp_path / "in", {"一览.xlsx": [("一览", rows)]})
    result = import_ledger(paths, None, day=DAY)
    assert result.layouts[0].shape == "wide"
    entries = {e.value("name"): e for e in result.conversion.entries}
    assert set(entries) == {"Windows 10", "WPS Office"}
    assert entries["WPS Office"].unlicensed and not entries["Windows 10"].unlicensed
    assert result.written is None


def test_unplaced_columns_and_rows_are_listed(tmp_path):
    rows = [["计算机编号", "软件名称", "IP地址"], ["PC-01", "7-Zip", "10.0.0.1"], [None, "WPS", None]]
    paths = write_inputs(tmp_path / "in", {"表.xlsx": [("表", rows)]})
    result = import_ledger(paths, None, day=DAY)
    assert result.layouts[0].unplaced == ["IP地址"]
    assert any("IP地址" in n and "--map" in n for n in result.notes)
    assert any("第 3 行" in n and "没有计算机编号" in n for n in result.notes)


def test_an_unrecognised_layout_writes_nothing_and_names_what_was_found_and_map(tmp_path):
    rows = [["终端ID", "程序", "授权"], ["T1", "WPS Office", "正版"]]
    [src] = write_inputs(tmp_path / "in", {"清单.xlsx": [("清单", rows)]})
    out = tmp_path / "新台账.xlsx"
    result = CliRunner().invoke(main, ["import", str(src), "-o", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert "终端ID" in result.output and "--map" in result.output and "清单" in result.output
    with pytest.raises(ImportFailed):
        import_ledger([src], out)


def test_map_places_the_columns_the_dictionary_does_not_know(tmp_path):
    rows = [["终端ID", "程序", "授权"], ["T1", "WPS Office", "正版"], ["T2", "7-Zip", "免费"]]
    [src] = write_inputs(tmp_path / "in", {"清单.xlsx": [("清单", rows)]})
    out = tmp_path / "新台账.xlsx"
    args = [
        "import",
        str(src),
        "-o",
        str(out),
        "--date",
        "2026-06-30",
        "--map",
        "终端ID=计算机编号",
        "--map",
        "程序=软件名称",
        "--map",
        "授权=genuine",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert sorted(r.raw["name"] for r in read_ledger(out).summary) == ["7-Zip", "WPS Office"]
    bad = CliRunner().invoke(main, ["import", str(src), "-o", str(tmp_path / "x.xlsx"), "--map", "终端ID=电脑"])
    assert bad.exit_code == 2 and "电脑" in bad.output and not (tmp_path / "x.xlsx").exists()


def test_an_existing_output_is_never_overwritten_without_force(tmp_path):
    [src] = write_inputs(tmp_path / "in", SHAPES["a"]())
    out = tmp_path / "新台账.xlsx"
    out.write_bytes(b"keep me")
    result = CliRunner().invoke(main, ["import", str(src), "-o", str(out)])
    assert result.exit_code == 2 and "--force" in result.output and out.read_bytes() == b"keep me"
    result = CliRunner().invoke(main, ["import", str(src), "-o", str(out), "--force", "--date", "2026-06-30"])
    assert result.exit_code == 0 and read_ledger(out).summary


def test_cli_json_is_the_library_result(tmp_path):
    [src] = write_inputs(tmp_path / "in", SHAPES["a"]())
    out = tmp_path / "新台账.xlsx"
    result = CliRunner().invoke(main, ["import", str(src), "-o", str(out), "--date", "2026-06-30", "--format", "json"])
    data = json.loads(result.output)
    again = import_ledger([src], tmp_path / "again.xlsx", day=DAY).to_dict()
    assert {k: v for k, v in data.items() if k != "written"} == {k: v for k, v in again.items() if k != "written"}
    assert data["computers"] == 4 and data["installs"] == 12


def test_check_on_another_layout_names_the_import_command(tmp_path):
    paths = write_inputs(tmp_path / "in", SHAPES["a"]())
    report = check(paths, DAY)
    assert report.codes() == ["S1I"]
    assert "zbtz import" in report.findings[0].message and "软件明细" in report.findings[0].message


def test_check_keeps_s1_for_a_workbook_that_is_neither_a_ledger_nor_importable(tmp_path):
    paths = write_inputs(tmp_path / "in", {"杂项.xlsx": [("杂项", [["会议记录"], ["第一项", "第二项"]])]})
    assert "S1I" not in check(paths, DAY).codes() and "S1" in check(paths, DAY).codes()


def _soffice(tmp_path, fmt, files, outdir):
    profile = tmp_path / "lo-profile"
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            *map(str, files),
        ],
        capture_output=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) 未安装")
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_same_inputs_saved_as_xls_import_the_same(tmp_path, shape):
    planted = applicable(shape)
    paths = write_inputs(tmp_path / "in", SHAPES[shape](planted))
    _soffice(tmp_path, "xls", paths, tmp_path / "xls")
    xls = sorted((tmp_path / "xls").glob("*.xls"))
    assert len(xls) == len(paths)
    a = import_ledger(paths, None, day=DAY).conversion.data
    b = import_ledger(xls, None, day=DAY).conversion.data
    assert (b.summary, b.details, b.logs, b.whitelist, b.computers, b.counts) == (
        a.summary,
        a.details,
        a.logs,
        a.whitelist,
        a.computers,
        a.counts,
    )


@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) 未安装")
def test_the_imported_ledger_reads_back_in_libreoffice(tmp_path):
    _, out = _import(tmp_path, "a", applicable("a"))
    _soffice(tmp_path, "pdf", [out], tmp_path / "pdf")
    info = subprocess.run(["pdfinfo", str(tmp_path / "pdf" / "新台账.pdf")], capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    sheets = openpyxl.load_workbook(out).sheetnames
    assert pages >= len(sheets) and "(A4)" in info
    assert sheets[:4] == ["附件6 免费软件清单", "附件7 汇总表", "附件8 明细表", "计算机清单"]


def test_a_ledger_already_in_the_guide_format_is_not_imported(tmp_path):
    from tests.helpers.factory import make_ledger

    src = make_ledger(tmp_path)
    out = tmp_path / "新台账.xlsx"
    result = CliRunner().invoke(main, ["import", str(src), "-o", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert "已是指南格式" in result.output and "zbtz check" in result.output


def test_a_folder_of_per_computer_files_imports_from_the_command_line(tmp_path):
    write_inputs(tmp_path / "in", SHAPES["c"]())
    out = tmp_path / "新台账.xlsx"
    result = CliRunner().invoke(
        main, ["import", str(tmp_path / "in"), "-o", str(out), "--date", "2026-06-30", "--unit", "测试局"]
    )
    assert result.exit_code == 0, result.output
    assert "单台计算机的软件清单" in result.output and "下一步：zbtz check" in result.output
    assert [f for f in check([out], DAY).findings if f.rule != "PZ2.3"] == []  # no antivirus in the inputs


@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) 未安装")
def test_the_same_inputs_saved_as_ods_import_the_same(tmp_path):
    paths = write_inputs(tmp_path / "in", SHAPES["c"](applicable("c")))
    _soffice(tmp_path, "ods", paths, tmp_path / "ods")
    ods = sorted((tmp_path / "ods").glob("*.ods"))
    a = import_ledger(paths, None, day=DAY).conversion.data
    b = import_ledger(ods, None, day=DAY).conversion.data
    assert (b.summary, b.details, b.logs) == (a.summary, a.details, a.logs)
