"""The consolidated report of a folder of 200 generated ledgers, some of them broken."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.chart import BarChart

from tests.helpers.factory import install, make_ledger, office, sevenzip, windows
from toolkit import consolidate
from toolkit.cli import main
from toolkit.render.xlsx import (
    CHARTS_SHEET,
    FINDINGS_SHEET,
    HEADER_ROW,
    PRODUCTS_SHEET,
    SUMMARY_SHEET,
    summary_columns,
    write_consolidation,
)

AS_OF = dt.date(2026, 6, 30)
N = 200
DAY = dt.date(2024, 3, 1)


@dataclass(frozen=True)
class Unit:
    """What a generated ledger holds, so that the test can count its figures by hand."""

    index: int
    computers: int = 0
    licences: int = 0
    expired: bool = False
    broken: str | None = None  # "random" | "truncated"

    @property
    def name(self) -> str:
        return f"第{self.index:03d}单位"

    # Office on every computer (up to ``licences`` genuine, none when expired), Windows OEM on
    # every computer, 7-Zip (on 附件6) on the first one.
    @property
    def installed(self) -> int:
        return 2 * self.computers + 1

    @property
    def genuine(self) -> int:
        office_ok = 0 if self.expired else min(self.computers, self.licences)
        return office_ok + self.computers + 1

    @property
    def over(self) -> bool:
        return self.computers > self.licences


def unit_data(u: Unit) -> dict:
    pcs = [(f"PC-{k:03d}", f"员工{k}") for k in range(1, u.computers + 1)]
    term = "2025-12-31" if u.expired else "永久"
    summary = [
        office("SY-001", license_count=u.licences, installed=u.computers, term=term),
        windows("OEM-001", installed=u.computers),
        sevenzip("MF-001", installed=1),
    ]
    logs = {
        "SY-001": [install(c, DAY, user=p, version="2019") for c, p in pcs],
        "OEM-001": [install(c, DAY, user=p, version="10") for c, p in pcs],
        "MF-001": [install(pcs[0][0], DAY, user=pcs[0][1], version="23.01")],
    }
    details = []
    for k, (c, p) in enumerate(pcs):
        base = dict(dept="办公室", person=p, computer=c, brand="联想", install_date=DAY)
        details.append(
            {
                **base,
                "software_no": "SY-001",
                "name": "Microsoft Office 专业增强版",
                "version": "2019",
                "term": term,
                "sw_type": "商业软件",
            }
        )
        details.append(
            {**base, "software_no": "OEM-001", "name": "Windows 10 专业版", "version": "10", "sw_type": "OEM软件"}
        )
        if k == 0:
            details.append({**base, "software_no": "MF-001", "name": "7-Zip", "sw_type": "免费软件"})
    computers = [dict(computer=c, ctype="台式机", brand="联想", user=p, dept="办公室", status="在用") for c, p in pcs]
    return dict(
        unit=u.name,
        summary=summary,
        logs=logs,
        details=details,
        computers=computers,
        counts=dict(total_staff=u.computers + 1, staff_using=u.computers, servers=0, desktops=u.computers, laptops=0),
    )


def generate(folder: Path, n: int) -> list[Unit]:
    rng = random.Random(20260630)
    units = []
    for i in range(n):
        if i % 20 == 7:
            u = Unit(i, broken="random")
            (folder / f"unit{i:03d}.xlsx").write_bytes(rng.randbytes(rng.randint(0, 4000)))
        elif i % 20 == 13:
            u = Unit(i, broken="truncated")
            path = make_ledger(folder, name=f"unit{i:03d}.xlsx", **unit_data(Unit(i, 2, 2)))
            data = path.read_bytes()
            path.write_bytes(data[: len(data) // 2])
        else:
            u = Unit(i, computers=1 + i % 3, licences=1 + i % 4, expired=i % 10 == 3)
            make_ledger(folder, name=f"unit{i:03d}.xlsx", **unit_data(u))
        units.append(u)
    return units


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("units")
    units = generate(folder, N)
    cons = consolidate([folder], AS_OF, workers=2)
    out = write_consolidation(cons, folder.parent / "汇总.xlsx")
    return units, cons, out


def test_one_row_per_ledger_and_the_broken_ones_are_s0(batch):
    units, cons, _ = batch
    assert len(cons.results) == N
    assert [Path(r.workbook).name for r in cons.results] == [f"unit{u.index:03d}.xlsx" for u in units]
    for u, r in zip(units, cons.results, strict=True):
        if u.broken:
            assert (r.readable, r.status, r.report.codes()) == (False, "无法读取", ["S0"])
        else:
            assert r.unit == u.name
            expected = (["PZ1.1"] if u.over else []) + (["PZ1.1E"] if u.expired else [])
            assert sorted(r.report.codes()) == sorted(expected), (u, r.report.flatten())
            assert (r.stats.total.installed, r.stats.total.genuine, r.stats.computers) == (
                u.installed,
                u.genuine,
                u.computers,
            )


def test_totals_equal_the_hand_count(batch):
    units, cons, _ = batch
    good = [u for u in units if not u.broken]
    t = cons.totals
    assert t["units"] == N
    assert t["unreadable"] == sum(1 for u in units if u.broken) == 20
    assert t["computers"] == sum(u.computers for u in good)
    assert t["over_deployed"] == sum(1 for u in good if u.over)
    assert t["expired"] == sum(1 for u in good if u.expired)
    assert t["errors"] == 20 + sum(u.over + u.expired for u in good)
    assert (cons.total.installed, cons.total.genuine) == (sum(u.installed for u in good), sum(u.genuine for u in good))


def test_summary_sheet_reads_back(batch):
    units, cons, out = batch
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:4] == [SUMMARY_SHEET, FINDINGS_SHEET, PRODUCTS_SHEET, CHARTS_SHEET]
    ws = wb[SUMMARY_SHEET]
    cols = summary_columns()
    assert [c.value for c in ws[HEADER_ROW]] == cols
    rows = list(ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert len(rows) == N + 1  # one per ledger, then the totals row
    body, total = rows[:-1], dict(zip(cols, rows[-1], strict=True))
    good = [u for u in units if not u.broken]
    assert total["序号"] == "合计"
    assert total["错误"] == sum(r[cols.index("错误")] for r in body) == cons.totals["errors"]
    assert total["计算机数"] == sum(u.computers for u in good)
    assert total["总体正版率"] == pytest.approx(sum(u.genuine for u in good) / sum(u.installed for u in good))
    for u, row in zip(units, body, strict=True):
        r = dict(zip(cols, row, strict=True))
        if u.broken:
            assert r["状态"] == "无法读取" and r["说明"].startswith("无法读取")
        else:
            assert (r["单位"], r["计算机数"]) == (u.name, u.computers)
            assert r["总体正版率"] == pytest.approx(u.genuine / u.installed)
            assert r["超装软件编号"] == ("SY-001" if u.over else None)


def test_findings_sheet_links_each_finding_to_its_unit(batch):
    _, cons, out = batch
    ws = openpyxl.load_workbook(out)[FINDINGS_SHEET]
    rows = list(ws.iter_rows(min_row=HEADER_ROW + 1))
    assert len(rows) == len(cons.report.findings)
    summary = openpyxl.load_workbook(out)[SUMMARY_SHEET]
    for row in rows[:30]:
        link = row[1].hyperlink.location
        sheet, cell = link.split("!")
        assert sheet.strip("'") == SUMMARY_SHEET
        assert summary[cell].value == row[1].value


def test_native_charts_are_present(batch):
    _, _, out = batch
    ws = openpyxl.load_workbook(out)[CHARTS_SHEET]
    charts = ws._charts
    assert len(charts) == 2 and all(isinstance(c, BarChart) for c in charts)
    rate, products = charts
    assert SUMMARY_SHEET in rate.series[0].val.numRef.f
    assert [PRODUCTS_SHEET in s.val.numRef.f for s in products.series] == [True, True]


def test_parallel_equals_serial(tmp_path):
    generate(tmp_path, 20)
    one = consolidate([tmp_path], AS_OF, workers=1).to_dict()
    two = consolidate([tmp_path], AS_OF, workers=2).to_dict()
    assert one == two


def test_cli_folder(tmp_path):
    folder = tmp_path / "units"
    folder.mkdir()
    generate(folder, 8)
    (folder / "~$unit000.xlsx").write_bytes(os.urandom(100))  # Excel's lock file: skipped
    out = tmp_path / "汇总.xlsx"
    res = CliRunner().invoke(
        main, ["report", str(folder), "-o", str(out), "--as-of", "2026-06-30", "--format", "json", "--workers", "2"]
    )
    assert res.exit_code == 1, res.output  # one ledger could not be read: the report is written, exit 1
    data = json.loads(res.stdout)
    assert data == consolidate([folder], AS_OF, workers=1).to_dict()
    assert data["totals"]["units"] == 8 and data["totals"]["unreadable"] == 1
    assert out.exists()


def test_cli_folder_exits_0_when_every_ledger_is_read(tmp_path):
    folder = tmp_path / "units"
    folder.mkdir()
    make_ledger(folder, name="甲.xlsx")
    res = CliRunner().invoke(main, ["report", str(folder), "--as-of", "2026-06-30", "-j", "1"])
    assert res.exit_code == 0, res.output


def test_refuses_an_output_open_in_excel(tmp_path):
    make_ledger(tmp_path / "in", name="a.xlsx") if (tmp_path / "in").mkdir() is None else None
    (tmp_path / "~$汇总.xlsx").write_bytes(b"lock")
    res = CliRunner().invoke(main, ["report", str(tmp_path / "in"), "-o", str(tmp_path / "汇总.xlsx")])
    assert res.exit_code == 1 and "正在被 Excel" in res.stderr and "~$汇总.xlsx" in res.stderr
    assert not (tmp_path / "汇总.xlsx").exists()
