"""Reading is bounded and a batch never dies of one file.

The vetting measures each sheet's real extent before python-calamine allocates its dense grid,
and refuses a sheet whose grid would not fit, naming the stray cell. The peak memory of every
command on the hostile corpus stays under 1 GB, measured in child processes under an
address-space limit. A file that kills the process reading it (a native abort) is one S0
finding; every other file of the batch is checked normally.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.factory import make_ledger
from tests.hostile import corpus
from toolkit.errors import ReadError
from toolkit.read.vet import MAX_GRID_CELLS, vet_package

ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 6, 30)
LIMIT = 3 << 29  # 1.5 GiB of address space for the child
PEAK_MB = 1024


def _body(cells: str) -> str:
    return f"<sheetData>{cells}</sheetData>"


def _refused(path: Path) -> str:
    with pytest.raises(ReadError) as exc:
        vet_package(path)
    return str(exc.value)


def test_a_stray_cell_far_away_is_refused_and_named(tmp_path):
    message = _refused(corpus.huge_extent(tmp_path))
    assert "工作表“附件7”的 XFD1048576 有内容，使表格范围过大" in message and "请删除该单元格" in message


def test_a_cell_placed_by_order_is_measured_too(tmp_path):
    """No r attributes: the cells' places come from their order, as the reader places them."""
    row = "<row>" + "<c><v>1</v></c>" * 3 + '<c r="XFD1"><v>2</v></c>' + "</row>"
    path = corpus.raw_workbook(tmp_path / "无坐标.xlsx", {"附件7": _body(row * 600)})
    assert "XFD600" in _refused(path)


def test_a_reference_that_is_not_the_first_attribute_is_measured(tmp_path):
    cells = '<row r="1"><c s="0" r="A1"><v>1</v></c></row><row r="900"><c t="n" r="XFD900"><v>1</v></c></row>'
    path = corpus.raw_workbook(tmp_path / "属性顺序.xlsx", {"附件7": _body(cells)})
    assert "XFD900" in _refused(path)


def test_a_prefixed_sheet_is_measured(tmp_path):
    body = (
        '<x:sheetData xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:row r="1"><x:c r="A1'
        '"><x:v>1</x:v></x:c><x:c r="XFD1000"><x:v>1</x:v></x:c></x:row></x:sheetData>'
    )
    path = corpus.raw_workbook(tmp_path / "前缀.xlsx", {"附件7": body})
    assert "XFD1000" in _refused(path)


def test_a_styled_empty_cell_far_away_is_not_refused(tmp_path):
    """Formatting a whole row gives self-closed cells far right; they hold nothing and cost nothing."""
    cells = '<row r="1"><c r="A1" t="inlineStr"><is><t>软件</t></is></c><c r="XFD1" s="1"/></row>'
    vet_package(corpus.raw_workbook(tmp_path / "格式.xlsx", {"附件7": _body(cells)}))


def test_a_grid_just_within_the_budget_is_read(tmp_path):
    rows = MAX_GRID_CELLS // 16384
    cells = f'<row r="1"><c r="A1"><v>1</v></c></row><row r="{rows}"><c r="XFD{rows}"><v>1</v></c></row>'
    vet_package(corpus.raw_workbook(tmp_path / "边界.xlsx", {"附件7": _body(cells)}))
    cells = cells.replace(f"{rows}", f"{rows + 1}")
    assert "XFD" in _refused(corpus.raw_workbook(tmp_path / "越界.xlsx", {"附件7": _body(cells)}))


def test_a_huge_declared_dimension_alone_is_not_refused(tmp_path):
    vet_package(corpus.huge_dimension(tmp_path))


def test_a_part_inflating_past_its_declared_size_is_refused_at_once(tmp_path):
    path = corpus.lying_sizes(tmp_path, mib=50)
    start = time.perf_counter()
    message = _refused(path)
    assert "超过压缩包中声明的大小" in message or "已损坏" in message
    assert time.perf_counter() - start < 2.0


def test_the_usual_ledger_passes_quickly(tmp_path):
    path = make_ledger(tmp_path)
    start = time.perf_counter()
    vet_package(path)
    assert time.perf_counter() - start < 1.0


# --- peak memory, in child processes under a limit -------------------------------------------

MEASURE = """
import resource, sys
from toolkit.cli import main
try:
    main(sys.argv[1:])
finally:
    sys.stderr.write("\\nPEAK_KB=%d\\n" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


@pytest.mark.parametrize(
    "case,args",
    [
        ("huge_extent", ["check", "{f}"]),
        ("wide_extent", ["report", "{f}", "-o", "{o}/a5.xlsx"]),
        ("merge_bomb", ["check", "{f}"]),
        ("merge_bomb", ["rollup", "{f}", "-o", "{o}/r.xlsx"]),
        ("lying_sizes", ["excel-setup", "{f}", "-o", "{o}/x.xlsm"]),
        ("many_rows", ["excel-setup", "{f}", "-o", "{o}/x.xlsm"]),
        ("many_rows", ["check", "{f}"]),
    ],
)
def test_peak_memory_stays_under_a_gigabyte(tmp_path, case, args):
    build = {"many_rows": lambda folder: corpus.many_rows(folder, 100_000)}.get(case, corpus.CASES.get(case))
    assert build is not None
    f = build(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    before = f.read_bytes()
    proc = subprocess.run(
        [sys.executable, "-c", MEASURE, *[a.format(f=f, o=out) for a in args]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_limit,
    )
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stderr
    peak = int(proc.stderr.rsplit("PEAK_KB=", 1)[1]) / 1024
    assert peak < PEAK_MB, f"{case}: {peak:.0f} MB"
    assert f.read_bytes() == before


# --- a batch survives a file that kills its reader -------------------------------------------


def aborting_check_file(path, as_of, display=None, leave=None):
    """check_file, except that a file named 崩溃 kills the process natively (as a reader bug would)."""
    if "崩溃" in str(path):
        os.abort()
    return _ORIGINAL["check_file"](path, as_of, display, leave)


def aborting_analyse(target, as_of):
    if "崩溃" in str(target[0]):
        os.abort()
    return _ORIGINAL["analyse"](target, as_of)


_ORIGINAL: dict = {}


@pytest.fixture
def batch(tmp_path, monkeypatch):
    import toolkit.checking as checking
    import toolkit.consolidation as consolidation

    _ORIGINAL["check_file"] = checking.check_file
    _ORIGINAL["analyse"] = consolidation.analyse
    monkeypatch.setattr(checking, "check_file", aborting_check_file)
    monkeypatch.setattr(consolidation, "analyse", aborting_analyse)
    folder = tmp_path / "units"
    folder.mkdir()
    for name in ("甲.xlsx", "崩溃.xlsx", "乙.xlsx", "丙.xlsx"):
        make_ledger(folder, name=name)
    return folder


@pytest.mark.skipif(os.name != "posix", reason="fork start method")
@pytest.mark.parametrize("workers", [1, 2])
def test_check_of_a_folder_survives_a_file_that_kills_its_reader(batch, workers):
    from toolkit.checking import check

    report = check([batch], AS_OF, workers=workers)
    s0 = [f for f in report.findings if f.rule == "S0"]
    assert [Path(f.workbook).name for f in s0] == ["崩溃.xlsx"]
    assert "处理进程异常退出" in s0[0].message
    assert len(report.workbooks) == 4 and report.errors == 1


@pytest.mark.skipif(os.name != "posix", reason="fork start method")
def test_report_of_a_folder_survives_a_file_that_kills_its_reader(batch):
    from toolkit.consolidation import consolidate

    cons = consolidate([batch], AS_OF, workers=2)
    status = {Path(r.workbook).name: r.status for r in cons.results}
    assert status == {"丙.xlsx": "通过", "乙.xlsx": "通过", "崩溃.xlsx": "无法读取", "甲.xlsx": "通过"}


def test_a_batch_without_a_crash_is_checked_like_one_file_at_a_time(tmp_path):
    from toolkit.checking import check, check_file

    folder = tmp_path / "units"
    folder.mkdir()
    paths = [make_ledger(folder, name="甲.xlsx"), make_ledger(folder, name="乙.xlsx", summary=[])]
    together = check([folder], AS_OF, workers=2)
    alone = [f.to_dict() for p in paths for f in check_file(p, AS_OF, str(p)).findings]
    assert [f.to_dict() for f in together.findings] == alone
