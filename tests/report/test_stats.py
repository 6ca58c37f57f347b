"""附件5 figures (toolkit.stats): every figure of a sample ledger against a hand count."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from click.testing import CliRunner

from tests.helpers import ROOT
from tests.helpers.factory import default_data, install, office, sevenzip, windows
from toolkit.cli import main
from toolkit.read.reader import read_ledger
from toolkit.render.xlsx import write_attachment5, write_attachment5_sheet
from toolkit.stats import compute_stats, layout, product_dictionary

AS_OF = dt.date(2026, 6, 30)
D1, D2 = dt.date(2024, 3, 1), dt.date(2024, 4, 1)


def sample() -> dict:
    """Three computers; over-deployed Office, site-licensed WPS bought this year, an unlisted free
    antivirus and an expired one, a database bought this year and not installed, a gift."""
    summary = [
        office("SY-001", license_count=2, installed=3),
        windows("OEM-001", installed=3),
        office(
            "SY-002",
            name="WPS Office 2019 专业版",
            version="2019",
            category=None,
            license_type="场地许可",
            license_count="不限",
            purchase_date=dt.date(2026, 3, 1),
            amount=2400,
            serial="WPS-1",
            installed=1,
        ),
        sevenzip("MF-001", installed=1),
        sevenzip("MF-002", name="火绒安全软件", category=None, installed=1),
        office(
            "SY-003",
            name="瑞星杀毒软件网络版",
            version="24",
            category="杀毒软件",
            license_type="单机许可",
            license_count=5,
            purchase_date=dt.date(2025, 1, 1),
            amount=900,
            term="2025-12-31",
            installed=1,
        ),
        office(
            "SY-004",
            name="Adobe Acrobat Pro",
            version="2020",
            category="办公软件",
            acquisition="受赠",
            purchase_date=dt.date(2026, 1, 15),
            amount=5000,
            installed=0,
        ),
        office(
            "SY-005",
            name="达梦数据库 DM8",
            version="8",
            category="数据库",
            purchase_date=dt.date(2026, 5, 6),
            amount="1.28万",
            installed=0,
        ),
    ]
    pcs = [("PC-001", "张三", D1), ("PC-002", "李四", D1), ("NB-001", "王五", D2)]
    logs = {
        "SY-001": [install(c, d, user=u, version="2019") for c, u, d in pcs],
        "OEM-001": [install(c, d, user=u, version="10") for c, u, d in pcs],
        "SY-002": [install("PC-001", D1, version="2019")],
        "MF-001": [install("PC-001", D1, version="23.01")],
        "MF-002": [install("PC-002", D1, user="李四", version="5.0")],
        "SY-003": [install("NB-001", D2, user="王五", version="24")],
    }
    computers = [
        dict(computer="PC-001", ctype="台式机", brand="联想", user="张三", dept="办公室", status="在用"),
        dict(computer="PC-002", ctype="台式机", brand="联想", user="李四", dept="办公室", status="在用"),
        dict(computer="NB-001", ctype="便携机", brand="华为", user="王五", dept="财务科", status="在用"),
    ]
    return dict(
        counts=dict(total_staff=5, staff_using=3, servers=0, desktops=2, laptops=1),
        summary=summary,
        logs=logs,
        computers=computers,
        details=default_data()["details"],
    )


# Counted by hand from sample():
#   操作系统  Windows OEM on 3 computers                           3 installed, 3 genuine
#   办公软件  Office 3 installs, 2 licences → 2; WPS site licence 1  4 installed, 3 genuine (WPS guessed)
#   杀毒软件  火绒 free, not on 附件6 → 0; 瑞星 expired → 0          2 installed, 0 genuine (火绒 guessed)
#   其他      7-Zip on 附件6 (工具软件 → 其他); 达梦 not installed    1 installed, 1 genuine
#   purchases of 2026: WPS 2400 + 达梦 12800 (the gift is not a purchase) = 2 rows, 15200 元
HAND = {
    "操作系统": (3, 3, 1.0, []),
    "办公软件": (4, 3, 0.75, ["SY-002"]),
    "杀毒软件": (2, 0, 0.0, ["MF-002"]),
    "其他": (1, 1, 1.0, []),
}


@pytest.fixture(params=[False, True], ids=["canonical", "variant"])
def sample_stats(make_ledger, request):
    return compute_stats(read_ledger(make_ledger(variant=request.param, **sample())), AS_OF)


def test_every_figure_equals_the_hand_count(sample_stats):
    st = sample_stats
    assert st.unit == "测试局"
    assert st.counts == dict(total_staff=5, staff_using=3, servers=0, desktops=2, laptops=1)
    assert st.computers == 3
    got = {c.category: (c.installed, c.genuine, c.rate, c.guessed) for c in st.categories}
    assert got == HAND
    assert (st.total.installed, st.total.genuine, st.total.rate) == (10, 7, 0.7)
    assert (st.purchase_count, st.purchase_amount) == (2, 15200.0)
    assert [n.software_no for n in st.over_deployed] == ["SY-001"]
    assert [n.software_no for n in st.expired] == ["SY-003"]


def test_sources_of_staff_and_computers(sample_stats):
    assert sample_stats.sources == {
        "total_staff": "附件7",
        "staff_using": "附件9 汇总",
        "servers": "计算机清单",
        "desktops": "计算机清单",
        "laptops": "计算机清单",
    }


def test_without_logs_or_computer_list_the_summary_counts_are_used(make_ledger):
    st = compute_stats(read_ledger(make_ledger(logs={}, computers=None)), AS_OF)
    assert st.counts == dict(total_staff=3, staff_using=2, servers=0, desktops=2, laptops=0)
    assert st.total.installed == 0 and st.total.rate is None  # never 0/0 = 100%


def test_user_licence_counts_people_not_computers(make_ledger):
    summary = [office("SY-001", license_type="用户许可", license_count=1, installed=2)]
    logs = {
        "SY-001": [install("PC-001", D1, version="2019"), install("PC-002", D1, version="2019")]
    }  # both 张三 (no 计算机清单)
    st = compute_stats(read_ledger(make_ledger(summary=summary, logs=logs, computers=None)), AS_OF)
    assert (st.category("办公软件").installed, st.category("办公软件").genuine, st.over_deployed) == (2, 2, [])


def test_a_number_installed_but_not_registered_is_not_genuine(make_ledger):
    data = default_data()
    logs = {**data["logs"], "SY-099": [install("PC-001", D1)]}
    st = compute_stats(read_ledger(make_ledger(logs=logs, info={"SY-099": {"name": "360杀毒"}})), AS_OF)
    n = next(n for n in st.numbers if n.software_no == "SY-099")
    assert (n.registered, n.category, n.guessed, n.installed, n.genuine) == (False, "杀毒软件", True, 1, 0)


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("Windows 10 专业版", "操作系统"),
        ("Microsoft Office 2019", "办公软件"),
        ("WPS Office", "办公软件"),
        ("360杀毒", "杀毒软件"),
        ("火绒安全软件", "杀毒软件"),
        ("瑞星杀毒软件", "杀毒软件"),
        ("统信UOS", "操作系统"),
        ("Digital Signature Tool", "其他"),
        ("某某业务系统", "其他"),
        (None, "其他"),
    ],
)
def test_product_dictionary(name, category):
    folded = product_dictionary().guess(name)
    assert (folded if folded in layout().categories else layout().fold_into) == category


def _label_values(ws) -> dict[str, object]:
    """Every label on the sheet → the value in the next cell to its right."""
    out: dict[str, object] = {}
    for row in ws.iter_rows():
        for cell, nxt in zip(row, row[1:], strict=False):
            if isinstance(cell.value, str):
                out.setdefault(cell.value, nxt.value)
    return out


def test_written_attachment5_reads_back(tmp_path, sample_stats):
    out = write_attachment5(sample_stats, tmp_path / "附件5.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb[layout().sheet]
    assert ws["A1"].value == "软件正版化工作信息统计表"
    assert ws["A2"].value.startswith("单位名称（盖章）：测试局")
    labels = _label_values(ws)
    assert [
        labels[k] for k in ("总人数（人）", "使用计算机人数（人）", "服务器（台）", "台式机（台）", "便携机（台）")
    ] == [5, 3, 0, 2, 1]
    assert (labels["采购软件（套）"], labels["采购金额（元）"]) == (2, 15200)
    rows = {r[1]: r[2:5] for r in ws.iter_rows(values_only=True) if r[1] in (*HAND, "合计")}
    assert rows == {
        "操作系统": (3, 3, 1),
        "办公软件": (4, 3, 0.75),
        "杀毒软件": (2, 0, 0),
        "其他": (1, 1, 1),
        "合计": (10, 7, 0.7),
    }
    notes = [r[0] for r in ws.iter_rows(values_only=True) if isinstance(r[0], str) and "推测" in r[0]]
    assert len(notes) == 1 and "SY-002" in notes[0] and "MF-002" in notes[0]
    detail = wb[layout().detail_sheet]
    assert [r[0] for r in detail.iter_rows(min_row=4, values_only=True)] == [
        n.software_no for n in sample_stats.numbers
    ]


def test_cli_json_equals_library(make_ledger, tmp_path):
    path = make_ledger(**sample())
    result = CliRunner().invoke(
        main, ["report", str(path), "--as-of", "2026-06-30", "--format", "json", "-o", str(tmp_path / "附件5.xlsx")]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == compute_stats(read_ledger(path), AS_OF).to_dict()
    assert (tmp_path / "附件5.xlsx").exists()


def test_cli_text_and_unreadable(make_ledger, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["report", str(make_ledger()), "--as-of", "2026-06-30"])
    assert ok.exit_code == 0 and "正版率 100.0%" in ok.stdout
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"not a workbook" * 50)
    res = runner.invoke(main, ["report", str(bad)])
    assert res.exit_code == 1 and "无法读取" in res.stderr
    wrong = runner.invoke(main, ["report", str(make_ledger()), "-o", str(tmp_path / "x.pdf")])
    assert wrong.exit_code == 2


def test_an_attachment5_sheet_in_a_ledger_changes_no_finding(make_ledger, check_one, sample_stats):
    path = make_ledger(**sample())
    before = check_one(path).flatten(("rule", "sheet", "cell"))
    wb = openpyxl.load_workbook(path)
    write_attachment5_sheet(wb.create_sheet(layout().sheet), sample_stats)
    wb.save(path)
    ledger = read_ledger(path)
    assert [f.form for f in ledger.forms].count("附件5") == 1
    assert check_one(path).flatten(("rule", "sheet", "cell")) == before
    assert compute_stats(ledger, AS_OF).to_dict()["categories"] == sample_stats.to_dict()["categories"]


SAMPLE = ROOT / "samples" / "台账示例.xlsx"


@pytest.mark.skipif(not SAMPLE.exists(), reason="samples/台账示例.xlsx 不存在")
def test_the_sample_ledger_against_a_hand_count():
    st = compute_stats(read_ledger(SAMPLE), AS_OF)
    # samples/README.md: 62 staff; 4 servers, 51 desktops of which TS-005 停用 and TS-012 报废, 16 laptops.
    assert st.counts == dict(total_staff=62, staff_using=59, servers=4, desktops=49, laptops=16)
    # installs per number = rows of 附件8 (rolled up from the logs), counted here without the reader
    ws = next(s for s in openpyxl.load_workbook(SAMPLE, read_only=True) if s.title.startswith("附件8"))
    per_number: dict[str, int] = {}
    for row in ws.iter_rows(min_row=5, values_only=True):  # title, sign line, two header rows
        if isinstance(row[5], str) and row[5].strip():
            per_number[row[5].strip()] = per_number.get(row[5].strip(), 0) + 1
    assert {n.software_no: n.installed for n in st.numbers if n.installed} == per_number
    # 操作系统: SY-001 4 + SY-014 1 + OEM-001 58 (BJ-16's moved from TS-012: PZ1.1O, not genuine) + OEM-002 7
    # 办公软件: SY-002 1 + SY-003 22 + SY-004 7 + SY-005 31 + SY-006 4 + SY-010 6 + SY-011 2
    #           + SY-012 1 (2021 on a 2019 licence: PZ1.1U, not genuine) + SY-013 1
    #           + OEM-003 8 (家庭和学生版: PZ1.1H, not genuine) + MF-002 65 + MF-009 64 + MF-011 6
    # 杀毒软件: MF-004 66 + MF-005 0 + MF-006 2 (金山毒霸 not on 附件6: 0 genuine)
    # 其他: SY-007 4 (licence 3: 3 genuine) + SY-008 5 + SY-009 2 + MF-001 56 + MF-003 54 + MF-007 30
    #       + MF-008 24 + MF-010 26
    got = {c.category: (c.installed, c.genuine) for c in st.categories}
    assert got == {"操作系统": (70, 69), "办公软件": (218, 209), "杀毒软件": (68, 66), "其他": (201, 200)}
    assert (st.total.installed, st.total.genuine) == (557, 544)
    assert st.category("杀毒软件").rate == pytest.approx(66 / 68)
    assert [n.software_no for n in st.over_deployed] == ["SY-007"] and st.expired == []
    assert [n.software_no for n in st.licence_flagged] == ["SY-012", "OEM-001", "OEM-003"]
    assert (st.purchase_count, st.purchase_amount) == (1, 5600.0)  # SY-014, bought 2026-06-01


# --- installs the licence rules flag are not 正版 ----------------------------------------------


def _stats(tmp_path, **changes):
    from tests.helpers.factory import make_ledger

    return compute_stats(read_ledger(make_ledger(tmp_path, **changes)), AS_OF)


def _number(st, no):
    return next(n for n in st.numbers if n.software_no == no)


def test_consumer_edition_is_not_genuine(tmp_path):
    st = _stats(tmp_path, summary=[office(), windows(name="Windows 10 家庭中文版"), sevenzip()])
    n = _number(st, "OEM-001")
    assert (n.installed, n.genuine, n.flags) == (2, 0, ["PZ1.1H"])
    assert n.reason == "Windows 家庭版不属于单位正版序列，不计为正版"
    assert st.category("操作系统").genuine == 0
    assert (
        layout().licence_text(st)
        == "其中 1 个软件编号有安装因许可类型不符不计为正版：OEM-001（Windows 家庭版不属于单位正版序列，不计为正版）"
    )


def test_unlicensed_upgrade_is_not_genuine_and_a_clean_ledger_has_no_flags(tmp_path):
    lg = default_data()["logs"]
    lg["SY-001"] = [dict(r, version=None) for r in lg["SY-001"]]
    st = _stats(tmp_path, summary=[office(version="2021", usable_version="2019"), windows(), sevenzip()], logs=lg)
    assert (_number(st, "SY-001").genuine, _number(st, "SY-001").flags) == (0, ["PZ1.1U"])
    (tmp_path / "clean").mkdir()
    clean = _stats(tmp_path / "clean")
    assert clean.licence_flagged == [] and layout().licence_text(clean) is None


def test_oem_on_the_wrong_computer_is_not_genuine(tmp_path):
    lg = default_data()["logs"]
    lg["OEM-001"][1] = install("PC-002", D1, user="李四", version="10", remark="由 PC-009 迁移")
    n = _number(_stats(tmp_path, logs=lg), "OEM-001")
    assert (n.installed, n.genuine, n.flags) == (2, 1, ["PZ1.1O"])
    assert n.reason.startswith("OEM 预装软件；其中 1 套：OEM 软件不随原计算机使用")
