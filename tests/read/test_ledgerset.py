"""One ledger kept in several workbooks: ``--one-ledger`` and folders marked with 同一台账.txt."""

from __future__ import annotations

import datetime as dt
import json

from click.testing import CliRunner

from tests.helpers.factory import make_ledger
from toolkit.checking import check, targets
from toolkit.cli import main
from toolkit.consolidation import consolidate
from toolkit.read.ledgerset import MARKER, LedgerFiles

AS_OF = dt.date(2026, 6, 30)
REGISTER = ("附件8", "计算机清单", "附件9")  # file 1 keeps 附件6 and 附件7
DETAIL = ("附件6", "附件7")  # file 2 keeps the rest


def _split(folder, marker=False, **changes):
    folder.mkdir(parents=True, exist_ok=True)
    a = make_ledger(folder, name="汇总.xlsx", omit=REGISTER, **changes)
    b = make_ledger(folder, name="明细.xlsx", omit=DETAIL, **changes)
    if marker:
        (folder / MARKER).write_text("", encoding="utf-8")
    return a, b


def test_files_checked_alone_miss_forms_but_as_one_ledger_are_clean(tmp_path):
    a, b = _split(tmp_path / "台账")
    assert "S1" in check([a, b], AS_OF).codes()
    report = check([a, b], AS_OF, one_ledger=True)
    assert report.findings == [] and report.workbooks == [str(a), str(b)]


def test_a_marked_folder_is_one_ledger_and_an_unmarked_one_is_not(tmp_path):
    _split(tmp_path / "甲", marker=True)
    _split(tmp_path / "乙")
    found = targets([tmp_path])
    assert [isinstance(t, LedgerFiles) for t in found] == [False, False, True]  # 乙 sorts before 甲
    assert found[2].display == str(tmp_path / "甲")  # type: ignore[union-attr]
    report = check([tmp_path], AS_OF)
    assert {f.workbook for f in report.findings if f.rule == "S1"} == {
        str(tmp_path / "乙" / "汇总.xlsx"),
        str(tmp_path / "乙" / "明细.xlsx"),
    }


def test_each_finding_stays_on_its_own_file_and_sheet(tmp_path):
    from tests.helpers.factory import install, office, windows

    d1 = dt.date(2024, 3, 1)
    logs = {
        "SY-001": [install("PC-001", d1, version="2019"), install("PC-002", d1, user="李四", version="2019")],
        "OEM-001": [
            install("PC-001", d1, version="10"),
            install("PC-002", d1, user="李四", version="10"),
            install("PC-003", d1, op="卸载", version="10"),
        ],
        "MF-001": [install("PC-001", d1, version="23.01")],
    }
    a, b = _split(tmp_path / "台账", marker=True, logs=logs, summary=[office(installed=3), windows(), _free()])
    report = check([tmp_path / "台账"], AS_OF)
    # PC-003 is not on 计算机清单 (TZ2.1) and has nothing to uninstall (TZ3.4)
    assert sorted(report.flatten(["rule", "sheet"])) == [
        ["TZ1.13", "附件7 汇总表"],
        ["TZ2.1", "附件9 OEM-001"],
        ["TZ3.4", "附件9 OEM-001"],
    ]
    where = {f.rule: f.workbook for f in report.findings}
    assert where == {"TZ1.13": str(a), "TZ2.1": str(b), "TZ3.4": str(b)}


def _free():
    from tests.helpers.factory import sevenzip

    return sevenzip()


def test_a_sheet_name_in_two_files_is_given_back_to_its_own_file(tmp_path):
    folder = tmp_path / "台账"
    a, b = _split(folder, marker=True)
    c = make_ledger(
        folder,
        name="二科.xlsx",
        omit=("附件7", "附件8", "计算机清单", "附件9"),
        whitelist=[dict(software_no="MF-009", name="Notepad++", source="官网")],
    )
    report = check([folder], AS_OF)
    assert report.flatten(["rule", "sheet"]) == [["TZ1.12W", "附件6 免费软件清单"]]
    assert report.findings[0].workbook == str(c)


def test_an_unreadable_file_of_a_set_is_an_s0_and_the_rest_is_still_one_ledger(tmp_path):
    a, b = _split(tmp_path / "台账", marker=True)
    (tmp_path / "台账" / "坏.xlsx").write_bytes(b"not a workbook")
    report = check([tmp_path / "台账"], AS_OF)
    assert report.codes() == ["S0"] and report.findings[0].workbook.endswith("坏.xlsx")


def test_cli_check_one_ledger(tmp_path):
    a, b = _split(tmp_path / "台账")
    alone = CliRunner().invoke(main, ["check", str(a), str(b), "--as-of", "2026-06-30"])
    assert alone.exit_code == 1 and "S1" in alone.output
    joined = CliRunner().invoke(
        main, ["check", str(a), str(b), "--as-of", "2026-06-30", "--one-ledger", "--format", "json"]
    )
    assert joined.exit_code == 0, joined.output
    assert json.loads(joined.output)["stats"] == {"workbooks": 2, "errors": 0, "warnings": 0}


def test_report_of_a_marked_folder_is_one_attachment5_and_a_parent_folder_counts_it_as_one_unit(tmp_path):
    _split(tmp_path / "各单位" / "甲", marker=True)
    make_ledger(tmp_path / "各单位", name="乙.xlsx")
    one = CliRunner().invoke(
        main, ["report", str(tmp_path / "各单位" / "甲"), "--as-of", "2026-06-30", "--format", "json"]
    )
    assert one.exit_code == 0, one.output
    assert "categories" in json.loads(one.output)  # 附件5 figures of a single ledger, not a consolidation
    cons = consolidate([tmp_path / "各单位"], AS_OF, workers=1)
    assert [r.workbook for r in cons.results] == [str(tmp_path / "各单位" / "乙.xlsx"), str(tmp_path / "各单位" / "甲")]
    assert all(r.readable and r.errors == 0 for r in cons.results)
    assert cons.results[1].stats.computers == cons.results[0].stats.computers  # type: ignore[union-attr]


def test_report_one_ledger_option_on_an_unmarked_folder(tmp_path):
    _split(tmp_path / "甲")
    out = tmp_path / "附件5.xlsx"
    result = CliRunner().invoke(
        main, ["report", str(tmp_path / "甲"), "--one-ledger", "-o", str(out), "--as-of", "2026-06-30"]
    )
    assert result.exit_code == 0, result.output
    assert out.exists()


def test_annotate_writes_each_finding_into_its_own_file(tmp_path):
    from tests.helpers.factory import office, sevenzip, windows

    a, b = _split(tmp_path / "台账", summary=[office(installed=3), windows(), sevenzip()])
    result = CliRunner().invoke(
        main, ["check", str(a), str(b), "--one-ledger", "--as-of", "2026-06-30", "--annotate", "--in-place"]
    )
    assert result.exit_code == 1 and "TZ1.13" in result.output
    import openpyxl

    def rules(path):
        return {row[1] for row in openpyxl.load_workbook(path)["校验结果"].iter_rows(values_only=True)}

    assert "TZ1.13" in rules(a) and "TZ1.13" not in rules(b)
