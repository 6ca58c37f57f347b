"""The approval trail (AZ1.2 requests, AZ1.4 confirmations, ZR3 pledges) and the registers in the model.

The default ledger logs five installs on 2024-03-01: SY-001 and OEM-001 on PC-001 and PC-002,
MF-001 on PC-001 (附件9 rows 7 and 8 of each sheet).
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers.factory import default_data
from toolkit.read.reader import read_ledger

D1 = dt.date(2024, 3, 1)
S8 = "附件8 明细表"


def found(report) -> list[list]:
    return sorted(report.flatten(["rule", "sheet", "cell"]))


def _rows() -> list[tuple[str, str, str]]:
    """(number, computer, person) of every default log row."""
    return [(no, r["computer"], r["user"]) for no, rows in default_data()["logs"].items() for r in rows]


def requests(skip: tuple[str, str] | None = None, day: dt.date = dt.date(2024, 2, 27)) -> list[dict]:
    return [
        dict(date=day, dept="办公室", applicant=person, computer=pc, item="安装", new_no=no, reason="工作需要")
        for no, pc, person in _rows()
        if (no, pc) != skip
    ]


def confirmations(skip: tuple[str, str] | None = None, day: dt.date = D1, op: str = "安装") -> list[dict]:
    return [
        dict(date=day, computer=pc, user=person, op=op, software_no=no, operator="王工", confirmed="已确认")
        for no, pc, person in _rows()
        if (no, pc) != skip
    ]


# --- the registers in the model --------------------------------------------------------------


def test_registers_are_read_into_the_model(make_ledger):
    pledges = [dict(dept="办公室", person="张三", date=dt.date(2024, 1, 2))]
    ledger = read_ledger(make_ledger(requests=requests(), confirmations=confirmations(), pledges=pledges))
    assert len(ledger.requests) == len(ledger.confirmations) == 5 and len(ledger.pledges) == 1
    first = ledger.requests[0]
    assert first.computer == "PC-001" and first.date == dt.date(2024, 2, 27) and first.numbers == ("SY-001",)
    assert first.sheet == "附件10 申请登记" and first.cell("computer") == "E4"
    assert ledger.confirmations[0].software_no == "SY-001" and ledger.pledges[0].person == "张三"


def test_register_cells_are_checked_like_other_forms(make_ledger, check_one):
    bad = confirmations()
    bad[0] = dict(bad[0], op="修理", date="去年")
    report = check_one(make_ledger(confirmations=bad))
    assert found(report) == [["S4", "附件11 确认登记", "B4"], ["S5", "附件11 确认登记", "E4"]]


def test_register_words_people_write_are_accepted(make_ledger, check_one):
    words = confirmations(op="新装")
    assert found(check_one(make_ledger(confirmations=words))) == []


# --- AZ1.2 --------------------------------------------------------------------------------------


def test_az1_2_log_row_without_a_request(make_ledger, check_one):
    report = check_one(make_ledger(requests=requests(skip=("OEM-001", "PC-002"))))
    assert found(report) == [["AZ1.2", "附件9 OEM-001", "I8"]]
    assert report.findings[0].message.startswith(
        "计算机 PC-002 于 2024-03-01 安装软件 OEM-001，附件10 申请登记中没有此前的申请。"
    )


def test_az1_2_request_dated_after_the_install(make_ledger, check_one):
    kept_since = dict(date=dt.date(2024, 2, 1), applicant="王五", computer="PC-009", item="安装", new_no="MF-001")
    assert len(found(check_one(make_ledger(requests=[kept_since, *requests(day=dt.date(2024, 3, 5))])))) == 5


def test_az1_2_every_row_requested_is_clean(make_ledger, check_one):
    assert found(check_one(make_ledger(requests=requests()))) == []


def test_az1_2_unified_deployment_is_exempt(make_ledger, check_one):
    data = default_data()
    data["logs"]["OEM-001"][1]["remark"] = "统一部署"
    assert found(check_one(make_ledger(logs=data["logs"], requests=requests(skip=("OEM-001", "PC-002"))))) == []


def test_az1_2_request_by_name_without_a_number(make_ledger, check_one):
    reqs = requests(skip=("OEM-001", "PC-002"))
    reqs.append(
        dict(date=dt.date(2024, 2, 20), applicant="李四", computer="PC-002", item="安装", name="Windows 10 专业版")
    )
    assert found(check_one(make_ledger(requests=reqs))) == []


@pytest.mark.parametrize("register", [None, []])
def test_az1_2_not_checked_without_a_kept_register(make_ledger, check_one, register):
    assert found(check_one(make_ledger(requests=register))) == []


# --- AZ1.4 --------------------------------------------------------------------------------------


def test_az1_4_log_row_without_a_confirmation(make_ledger, check_one):
    report = check_one(make_ledger(confirmations=confirmations(skip=("SY-001", "PC-001"))))
    assert found(report) == [["AZ1.4", "附件9 SY-001", "I7"]]


def test_az1_4_confirmation_of_another_operation(make_ledger, check_one):
    assert len(found(check_one(make_ledger(confirmations=confirmations(op="卸载"))))) == 5


@pytest.mark.parametrize("op", ["安装", "升级", None])
def test_az1_4_every_row_confirmed_is_clean(make_ledger, check_one, op):
    assert found(check_one(make_ledger(confirmations=confirmations(op=op)))) == []


# --- ZR3 ----------------------------------------------------------------------------------------


def test_zr3_person_without_a_pledge(make_ledger, check_one):
    report = check_one(make_ledger(pledges=[dict(dept="办公室", person="张三", date=dt.date(2024, 1, 2))]))
    assert found(report) == [["ZR3", S8, "C8"]]
    assert report.findings[0].message.startswith("李四（办公室）使用计算机，但承诺书签署登记中没有其签署记录。")


def test_zr3_everyone_signed_is_clean(make_ledger, check_one):
    pledges = [dict(dept="办公室", person=p, date=dt.date(2024, 1, 2)) for p in ("张三", " 李四 ")]
    assert found(check_one(make_ledger(pledges=pledges))) == []


def test_log_rows_before_a_register_began_are_not_judged(make_ledger, check_one):
    later = dt.date(2025, 1, 1)
    reqs = [dict(date=later, applicant="张三", computer="PC-001", item="安装", new_no="SY-001")]
    confs = [dict(date=later, computer="PC-001", user="张三", op="安装", software_no="SY-001")]
    assert found(check_one(make_ledger(requests=reqs, confirmations=confs))) == []
    lg = default_data()["logs"]
    lg["MF-001"].append(dict(lg["MF-001"][0], op="卸载", date=dt.date(2025, 2, 1)))
    details = [d for d in default_data()["details"] if d["software_no"] != "MF-001"]
    report = check_one(
        make_ledger(
            logs=lg,
            details=details,
            summary=[*default_data()["summary"][:2], dict(default_data()["summary"][2], installed=0)],
            requests=reqs,
            confirmations=confs,
        )
    )
    assert found(report) == [["AZ1.2", "附件9 MF-001", "I8"], ["AZ1.4", "附件9 MF-001", "I8"]]
