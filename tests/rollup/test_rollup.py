"""The roll-up of the 附件9 logs (docs/rollup.md) as a pure function over a ledger model.

``compute_rollup(ledger, as_of)`` is tested on models read from factory ledgers, and with
hypothesis on models whose logs are generated in memory (no workbook per example).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers.factory import default_data, install, make_ledger, office, sevenzip, windows
from toolkit.model import Ledger, Log, LogEntry
from toolkit.read.reader import read_ledger
from toolkit.rollup import DetailRow, compute_rollup

AS_OF = dt.date(2026, 6, 30)
D1 = dt.date(2024, 3, 1)


def rollup_of(tmp_path, as_of=AS_OF, **changes):
    return compute_rollup(read_ledger(make_ledger(tmp_path, **changes)), as_of)


def logs(**extra: list[dict]) -> dict[str, list[dict]]:
    out = {k: list(v) for k, v in default_data()["logs"].items()}
    for key, rows in extra.items():
        out.setdefault(key.replace("_", "-"), []).extend(rows)
    return out


# --- state and 安装数量 ---------------------------------------------------------------------


def test_default_ledger_state_and_counts(tmp_path):
    ru = rollup_of(tmp_path)
    assert ru.state == {
        ("pc-001", "sy-001"): 1,
        ("pc-002", "sy-001"): 1,
        ("pc-001", "oem-001"): 1,
        ("pc-002", "oem-001"): 1,
        ("pc-001", "mf-001"): 1,
    }
    assert ru.installed == {"sy-001": 2, "oem-001": 2, "mf-001": 1}
    assert ru.breaks == []
    assert {n for (c, n), s in ru.state.items() if c == "pc-002" and s > 0} == {"sy-001", "oem-001"}


def test_quantity_counts_and_uninstall_subtracts(tmp_path):
    ru = rollup_of(
        tmp_path,
        logs=logs(SY_001=[install("PC-003", D1, qty=3), install("PC-003", dt.date(2025, 1, 1), op="卸载", qty=2)]),
    )
    assert ru.state[("pc-003", "sy-001")] == 1
    assert ru.installed["sy-001"] == 3


def test_uninstall_below_zero_leaves_zero(tmp_path):
    rows = [install("PC-003", D1, op="卸载"), install("PC-003", dt.date(2024, 4, 1))]
    ru = rollup_of(tmp_path, logs=logs(MF_001=rows))
    assert ru.state[("pc-003", "mf-001")] == 1  # 0 after the uninstall, not -1
    assert [(b.kind, b.entry.row) for b in ru.breaks] == [("uninstall-none", 8)]


def test_uninstall_more_than_installed_leaves_zero(tmp_path):
    ru = rollup_of(tmp_path, logs=logs(MF_001=[install("PC-001", dt.date(2024, 4, 1), op="卸载", qty=5)]))
    assert ru.state[("pc-001", "mf-001")] == 0
    assert ru.installed["mf-001"] == 0
    assert ru.breaks == []  # something was installed: not a break


def test_install_while_installed_still_counts(tmp_path):
    ru = rollup_of(tmp_path, logs=logs(SY_001=[install("PC-001", dt.date(2024, 4, 1))]))
    assert ru.state[("pc-001", "sy-001")] == 2
    assert ru.installed["sy-001"] == 2  # 安装数量 counts computers: PC-001 once, PC-002
    assert [b.kind for b in ru.breaks] == ["install-again"]
    assert ru.install_date[("pc-001", "sy-001")] == D1  # it never went back to 0


def test_rows_after_as_of_are_ignored(tmp_path):
    later = [install("PC-003", dt.date(2026, 7, 1)), install("PC-001", dt.date(2026, 7, 1), op="卸载")]
    ru = rollup_of(tmp_path, logs=logs(SY_001=later))
    assert ru.installed["sy-001"] == 2
    assert ("pc-003", "sy-001") not in ru.state
    assert ru.state[("pc-001", "sy-001")] == 1


def test_row_dated_on_as_of_counts(tmp_path):
    ru = rollup_of(tmp_path, logs=logs(SY_001=[install("PC-003", AS_OF)]))
    assert ru.installed["sy-001"] == 3


def test_as_of_before_every_row(tmp_path):
    ru = rollup_of(tmp_path, as_of=dt.date(2024, 2, 29))
    assert ru.state == {} and ru.installed == {}
    assert all(r.software_no is None for r in ru.detail)  # only the listed computers, no software


def test_number_without_log_is_not_in_installed(tmp_path):
    data = default_data()
    ru = rollup_of(tmp_path, summary=[*data["summary"], office("SY-002", serial="X", installed=0)])
    assert ru.installed.get("sy-002", 0) == 0


def test_same_date_rows_keep_sheet_order(tmp_path):
    day = dt.date(2025, 1, 1)
    # uninstall then install on one date: installed, dated that day
    ru = rollup_of(tmp_path, logs=logs(MF_001=[install("PC-001", day, op="卸载"), install("PC-001", day)]))
    assert ru.state[("pc-001", "mf-001")] == 1
    assert ru.install_date[("pc-001", "mf-001")] == day
    assert ru.breaks == []


def test_same_date_rows_keep_sheet_order_reversed(tmp_path):
    day = dt.date(2025, 1, 1)
    # install then uninstall on one date, on a computer without it: not installed at the end
    ru = rollup_of(
        tmp_path,
        logs=logs(MF_001=[install("PC-002", day, user="李四"), install("PC-002", day, op="卸载", user="李四")]),
    )
    assert ru.state[("pc-002", "mf-001")] == 0
    assert ru.breaks == []


def test_same_date_rows_in_a_combined_log_keep_their_order(tmp_path):
    day = dt.date(2025, 1, 1)
    rows = [install("PC-002", day, user="李四"), install("PC-002", day, op="卸载", user="李四")]
    ru = rollup_of(tmp_path, combined_log=True, logs=logs(MF_001=rows))
    assert ru.state[("pc-002", "mf-001")] == 0


def test_rows_are_replayed_by_date_not_by_row(tmp_path):
    rows = [install("PC-003", dt.date(2025, 2, 1)), install("PC-003", dt.date(2025, 1, 1))]
    ru = rollup_of(tmp_path, logs=logs(MF_001=rows))
    assert ru.install_date[("pc-003", "mf-001")] == dt.date(2025, 1, 1)
    assert [b.entry.row for b in ru.breaks] == [8]  # the 2025-02-01 row is the second install


# --- install date --------------------------------------------------------------------------


def test_install_date_is_the_last_install_from_zero(tmp_path):
    rows = [
        install("PC-001", dt.date(2024, 6, 1), op="卸载"),
        install("PC-001", dt.date(2024, 9, 1)),
        install("PC-001", dt.date(2024, 10, 1)),
    ]  # the third is an install-again: not a new date
    ru = rollup_of(tmp_path, logs=logs(MF_001=rows))
    assert ru.install_date[("pc-001", "mf-001")] == dt.date(2024, 9, 1)


def test_install_date_of_a_later_reinstall_after_as_of_is_ignored(tmp_path):
    rows = [install("PC-001", dt.date(2024, 6, 1), op="卸载"), install("PC-001", dt.date(2026, 9, 1))]
    ru = rollup_of(tmp_path, logs=logs(MF_001=rows))
    assert ru.state[("pc-001", "mf-001")] == 0
    assert all(r.software_no != "MF-001" for r in ru.detail)


# --- 附件8 rows ----------------------------------------------------------------------------


def test_detail_rows_order_and_values(tmp_path):
    ru = rollup_of(tmp_path)
    assert ru.detail == [
        DetailRow(
            "办公室", "张三", "PC-001", "联想", "SY-001", "Microsoft Office 专业增强版", "2019", "永久", "商业软件", D1
        ),
        DetailRow("办公室", "张三", "PC-001", "联想", "OEM-001", "Windows 10 专业版", "10", None, "OEM软件", D1),
        DetailRow("办公室", "张三", "PC-001", "联想", "MF-001", "7-Zip", None, None, "免费软件", D1),
        DetailRow(
            "办公室", "李四", "PC-002", "联想", "SY-001", "Microsoft Office 专业增强版", "2019", "永久", "商业软件", D1
        ),
        DetailRow("办公室", "李四", "PC-002", "联想", "OEM-001", "Windows 10 专业版", "10", None, "OEM软件", D1),
    ]


def test_detail_numbers_follow_summary_order(tmp_path):
    # 附件7 lists 7-Zip first: it comes first on every computer
    data = default_data()
    ru = rollup_of(tmp_path, summary=[data["summary"][2], data["summary"][0], data["summary"][1]])
    assert [r.software_no for r in ru.detail if r.computer == "PC-001"] == ["MF-001", "SY-001", "OEM-001"]


def test_detail_keeps_old_order_of_people_then_new_ones_in_computer_list_order(tmp_path):
    data = default_data()
    # the old 附件8 lists 李四 (PC-002) before 张三 (PC-001)
    details = [d for d in data["details"] if d["computer"] == "PC-002"] + [
        d for d in data["details"] if d["computer"] == "PC-001"
    ]
    computers = data["computers"] + [
        dict(computer="PC-010", ctype="台式机", user="赵六", dept="财务处", status="在用"),
        dict(computer="PC-009", ctype="台式机", user="王五", dept="人事处", status="在用"),
    ]
    extra = logs(MF_001=[install("PC-010", D1), install("PC-009", D1)])
    ru = rollup_of(tmp_path, details=details, computers=computers, logs=extra)
    people = list(dict.fromkeys((r.dept, r.person, r.computer) for r in ru.detail))
    # 计算机清单 lists 财务处 (PC-010) before 人事处 (PC-009): its order, not code points (人 < 财)
    assert people == [
        ("办公室", "李四", "PC-002"),
        ("办公室", "张三", "PC-001"),
        ("财务处", "赵六", "PC-010"),
        ("人事处", "王五", "PC-009"),
    ]


def test_detail_who_comes_from_computer_list_first(tmp_path):
    data = default_data()
    computers = [dict(c) for c in data["computers"]]
    computers[1].update(user="钱七", dept="财务处", brand="戴尔")
    ru = rollup_of(tmp_path, computers=computers)
    assert {(r.dept, r.person, r.brand) for r in ru.detail if r.computer == "PC-002"} == {("财务处", "钱七", "戴尔")}


def test_detail_who_falls_back_to_the_latest_log_row(tmp_path):
    # PC-003 is not on 计算机清单: its people come from its latest log row, any number
    extra = logs(
        SY_001=[install("PC-003", D1, user="王五", dept="人事处", brand="华为")],
        MF_001=[
            install("PC-003", dt.date(2025, 1, 1), user="赵六", dept="财务处", brand="戴尔"),
            install("PC-003", dt.date(2026, 8, 1), user="孙八", dept="后勤处", op="卸载"),
        ],  # after as_of
    )
    ru = rollup_of(tmp_path, logs=extra)
    assert {(r.dept, r.person, r.brand) for r in ru.detail if r.computer == "PC-003"} == {("财务处", "赵六", "戴尔")}


def test_detail_who_on_one_date_prefers_the_later_sheet(tmp_path):
    # both rows on D1: the OEM-001 sheet comes after the SY-001 sheet in the workbook
    extra = logs(
        SY_001=[install("PC-003", D1, user="王五", dept="人事处")],
        OEM_001=[install("PC-003", D1, user="赵六", dept="财务处")],
    )
    ru = rollup_of(tmp_path, logs=extra)
    assert {(r.dept, r.person) for r in ru.detail if r.computer == "PC-003"} == {("财务处", "赵六")}


def test_detail_who_from_log_when_the_list_cell_is_blank(tmp_path):
    data = default_data()
    computers = [dict(c) for c in data["computers"]]
    computers[1].update(user=None, brand=None)
    ru = rollup_of(tmp_path, computers=computers)
    assert {(r.dept, r.person, r.brand) for r in ru.detail if r.computer == "PC-002"} == {("办公室", "李四", "联想")}


def test_detail_remark_of_a_surviving_row_is_kept(tmp_path):
    data = default_data()
    details = [dict(d) for d in data["details"]]
    details[0]["remark"] = "随机附带"  # PC-001 SY-001 survives
    details[4]["remark"] = "已卸载"  # PC-002 OEM-001 is uninstalled below
    extra = logs(OEM_001=[install("PC-002", dt.date(2025, 1, 1), op="卸载", user="李四")])
    ru = rollup_of(tmp_path, details=details, logs=extra)
    remarks = {(r.computer, r.software_no): r.remark for r in ru.detail}
    assert remarks[("PC-001", "SY-001")] == "随机附带"
    assert ("PC-002", "OEM-001") not in remarks
    assert all(r.remark is None for r in ru.detail if (r.computer, r.software_no) != ("PC-001", "SY-001"))


def test_listed_computer_in_use_without_software_gets_one_row(tmp_path):
    data = default_data()
    computers = data["computers"] + [
        dict(computer="PC-003", ctype="便携机", brand="华为", user="王五", dept="办公室", status="在用"),
        dict(computer="PC-004", ctype="台式机", user="赵六", dept="办公室", status="报废"),
    ]
    ru = rollup_of(tmp_path, computers=computers)
    assert [r for r in ru.detail if r.computer in ("PC-003", "PC-004")] == [
        DetailRow("办公室", "王五", "PC-003", "华为")
    ]


# --- 附件7 figures -------------------------------------------------------------------------


def test_staff_count_is_distinct_department_and_name(tmp_path):
    data = default_data()
    computers = data["computers"] + [
        dict(computer="PC-003", ctype="台式机", user="张三", dept="办公室", status="在用"),  # same person again
        dict(computer="PC-004", ctype="台式机", user="张三", dept="财务处", status="在用"),  # another 张三
    ]
    assert rollup_of(tmp_path, computers=computers).staff_using == 3


def test_computer_counts_from_the_list(tmp_path):
    data = default_data()
    computers = data["computers"] + [
        dict(computer="SRV-1", ctype="服务器", status="在用"),
        dict(computer="NB-1", ctype="便携机", status="在用"),
        dict(computer="NB-2", ctype="便携机", status="停用"),
        dict(computer="PC-009", ctype="台式机", status="报废"),
    ]
    assert rollup_of(tmp_path, computers=computers).computer_counts == {"servers": 1, "desktops": 2, "laptops": 1}


def test_computer_counts_left_alone_without_the_list(tmp_path):
    ru = rollup_of(tmp_path, computers=None)
    assert ru.computer_counts is None
    assert ru.staff_using == 2
    assert [(r.dept, r.person) for r in ru.detail] == [("办公室", "张三")] * 3 + [("办公室", "李四")] * 2


@pytest.mark.parametrize("layout", [dict(variant=True), dict(combined_log=True)], ids=["variant", "combined"])
def test_variant_and_combined_layouts_roll_up_alike(tmp_path, layout):
    base = rollup_of(tmp_path)
    other = rollup_of(tmp_path, name="other.xlsx", **layout)
    assert other.state == base.state
    assert other.installed == base.installed
    assert other.install_date == base.install_date
    assert other.detail == base.detail


# --- properties ----------------------------------------------------------------------------

NUMBERS = ("SY-001", "OEM-001", "MF-001")
COMPUTERS = ("PC-001", "PC-002", "PC-003", "PC-004")
WHO = {
    "PC-001": ("办公室", "张三"),
    "PC-002": ("办公室", "李四"),
    "PC-003": ("财务处", "王五"),
    "PC-004": ("财务处", "张三"),
}

rows_st = st.lists(
    st.tuples(
        st.sampled_from(NUMBERS),
        st.sampled_from(COMPUTERS),
        st.sampled_from(("安装", "卸载")),
        st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 12, 31)),
        st.integers(min_value=1, max_value=3),
    ),
    max_size=30,
)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Ledger:
    return read_ledger(make_ledger(tmp_path_factory.mktemp("rollup"), summary=[office(), windows(), sevenzip()]))


def ledger_with(base: Ledger, rows, order=NUMBERS) -> Ledger:
    """A copy of ``base`` whose logs are ``rows``, one log sheet per number in ``order``."""
    forms = {log.software_no: log.form for log in base.logs}
    first_index = min(f.sheet_index for f in forms.values())
    out = []
    for i, no in enumerate(order):
        form = dataclasses.replace(forms[no], sheet_index=first_index + i)
        entries = []
        for j, (_, computer, op, day, qty) in enumerate(r for r in rows if r[0] == no):
            dept, user = WHO[computer]
            raw = dict(op=op, computer=computer, dept=dept, user=user, brand="联想", date=day.isoformat(), qty=str(qty))
            val = dict(op=op, computer=computer, dept=dept, user=user, brand="联想", date=day, qty=qty)
            entries.append(LogEntry(form, form.data_start + j, raw, val))
        out.append(Log(form, no, entries))
    return dataclasses.replace(base, logs=out)


def essence(ru):
    return (
        ru.state,
        ru.installed,
        ru.install_date,
        ru.detail,
        ru.staff_using,
        ru.computer_counts,
        sorted((b.number, b.kind, b.entry.computer, b.entry.date) for b in ru.breaks),
    )


@settings(max_examples=60, deadline=None)
@given(rows=rows_st, as_of=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 12, 31)))
def test_counts_are_never_negative(base, rows, as_of):
    ru = compute_rollup(ledger_with(base, rows), as_of)
    assert all(s >= 0 for s in ru.state.values())
    assert all(n >= 0 for n in ru.installed.values())
    assert sum(ru.installed.values()) == sum(1 for s in ru.state.values() if s > 0)  # computers, not copies
    assert all(
        ru.state[(c.lower(), n.lower())] > 0
        for r in ru.detail
        if r.software_no
        for c, n in [(r.computer, r.software_no)]
    )
    assert all(d <= as_of for d in ru.install_date.values())


@settings(max_examples=60, deadline=None)
@given(rows=rows_st, order=st.permutations(NUMBERS))
def test_sheet_order_of_the_logs_does_not_matter(base, rows, order):
    assert essence(compute_rollup(ledger_with(base, rows, order), AS_OF)) == essence(
        compute_rollup(ledger_with(base, rows), AS_OF)
    )


@settings(max_examples=60, deadline=None)
@given(rows=rows_st, later=rows_st)
def test_rows_dated_after_as_of_do_not_matter(base, rows, later):
    as_of = dt.date(2025, 12, 31)
    shifted = [(no, c, op, as_of + dt.timedelta(days=1 + d.toordinal() % 700), q) for no, c, op, d, q in later]
    mixed = [r for pair in zip(rows, shifted, strict=False) for r in pair] + rows[len(shifted) :] + shifted[len(rows) :]
    assert essence(compute_rollup(ledger_with(base, mixed), as_of)) == essence(
        compute_rollup(ledger_with(base, rows), as_of)
    )


@settings(max_examples=40, deadline=None)
@given(rows=rows_st)
def test_rolling_up_is_deterministic(base, rows):
    ledger = ledger_with(base, rows)
    assert essence(compute_rollup(ledger, AS_OF)) == essence(compute_rollup(ledger, AS_OF))
