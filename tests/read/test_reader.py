"""The reader: forms by title, columns by header text, merged cells, labels, cell addresses (docs/forms.md)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from tests.helpers.factory import SUMMARY_COLS, office, sevenzip, windows
from toolkit.read.grid import book_from_sheets
from toolkit.read.reader import read_book, read_ledger

D1 = dt.date(2024, 3, 1)
SIGN = "单位名称（盖章）：测试局    填表人：＿＿    联系电话：＿＿    填表日期：2026年6月30日"


def write_book(path, sheets):
    """Write ``{name: rows}`` or ``{name: (rows, merges)}`` with openpyxl; merges as "A1:C1" ranges."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, spec in sheets.items():
        rows, merges = spec if isinstance(spec, tuple) else (spec, ())
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(list(r))
        for m in merges:
            ws.merge_cells(m)
    wb.save(path)
    return path


def summary_rows(entries=None, cols=SUMMARY_COLS, title="软件使用情况汇总表", before=(), between=()):
    """A 附件7 sheet's rows: optional rows before the title, title, sign line, counts, header, data."""
    from tests.helpers.factory import SUMMARY_KEYS

    entries = entries if entries is not None else [office(), windows(), sevenzip()]
    rows = [
        *before,
        [title],
        [SIGN],
        ["人员情况", "总人数", 3, "使用计算机人数", 2],
        ["计算机情况", "服务器数", 0, "台式机数", 2, "便携机数", 0],
        *between,
        cols,
    ]
    for i, e in enumerate(entries, 1):
        rows.append([e.get(k, i if k == "seq" else None) for k in SUMMARY_KEYS])
    return rows


def only_summary(tmp_path, rows, name="s.xlsx"):
    return read_ledger(write_book(tmp_path / name, {"汇总": rows}))


# --- the factory's ledgers -----------------------------------------------------------------


def test_canonical_ledger_forms(make_ledger):
    ledger = read_ledger(make_ledger())
    assert [(f.form, f.sheet, f.title_cell, f.header_row, f.data_start) for f in ledger.forms] == [
        ("附件6", "附件6 免费软件清单", "A1", 3, 4),
        ("附件7", "附件7 汇总表", "A1", 5, 6),
        ("附件8", "附件8 明细表", "A1", 3, 5),
        ("计算机清单", "计算机清单", "A1", 3, 4),
        ("附件9", "附件9 SY-001", "A1", 5, 7),
        ("附件9", "附件9 OEM-001", "A1", 5, 7),
        ("附件9", "附件9 MF-001", "A1", 5, 7),
    ]
    assert all(f.missing == () for f in ledger.forms)
    assert ledger.unit == "测试局"
    assert [len(ledger.whitelist), len(ledger.summary), len(ledger.details), len(ledger.computers)] == [1, 3, 5, 2]


def test_canonical_summary_values(make_ledger):
    ledger = read_ledger(make_ledger())
    s = ledger.summary[0]
    assert s.row == 6
    assert s.software_no == "SY-001"
    assert s.sw_type == "商业软件"
    assert s.purchase_date == dt.date(2023, 5, 6)
    assert s.val["amount"] == 12800
    assert s.license_count == 10
    assert s.term is not None and s.term.perpetual
    assert s.installed == 2
    oem = ledger.summary[1]
    assert oem.raw["purchase_date"] is None and oem.raw["serial"] is None  # "--" is blank
    assert oem.purchase_date is None


def test_every_value_has_its_cell(make_ledger):
    ledger = read_ledger(make_ledger())
    s = ledger.summary[2]
    assert [s.cell(k) for k in ("seq", "software_no", "name", "sw_type", "purchase_date", "term", "installed")] == [
        "A8",
        "B8",
        "C8",
        "E8",
        "H8",
        "M8",
        "O8",
    ]
    d = ledger.details[3]
    assert (d.row, d.cell("computer"), d.cell("software_no"), d.cell("sw_type"), d.cell("install_date")) == (
        8,
        "D8",
        "F8",
        "J8",
        "M8",
    )
    log = ledger.logs[0]
    e = log.entries[1]
    assert (e.row, e.cell("op"), e.cell("computer"), e.cell("date")) == (8, "B8", "D8", "I8")
    assert e.cell("not_a_column") == "A8"
    assert ledger.computers[1].cell("status") == "H5"


def test_variant_reads_as_the_canonical(make_ledger, tmp_path):
    canon = read_ledger(make_ledger(name="a.xlsx"))
    var = read_ledger(make_ledger(name="b.xlsx", variant=True))
    assert sorted(f.form for f in var.forms) == sorted(f.form for f in canon.forms)
    assert all(f.missing == () for f in var.forms)
    for attr in ("whitelist", "summary", "details", "computers"):
        a, b = getattr(canon, attr), getattr(var, attr)
        assert [r.val for r in a] == [r.val for r in b], attr
    assert {log.software_no: [e.val for e in log.entries] for log in canon.logs} == {
        log.software_no: [e.val for e in log.entries] for log in var.logs
    }
    assert var.summary[0].raw["name"] == "Microsoft Office 专业增强版"  # full-width spaces trimmed
    # the counts with the 单位人数 label
    f7 = var.form("附件7")
    assert {k: v.raw for k, v in f7.labels.items()} == {
        "total_staff": "3",
        "staff_using": "2",
        "servers": "0",
        "desktops": "2",
        "laptops": "0",
    }


def test_variant_addresses_follow_the_moved_columns(make_ledger):
    var = read_ledger(make_ledger(variant=True))
    s = var.summary[0]
    assert s.row == 7  # a blank spacer row before the header
    assert (s.cell("category"), s.cell("installed"), s.cell("purchase_date")) == ("Q7", "N7", "G7")
    d = var.details[0]
    assert (d.cell("sw_type"), d.cell("person"), d.cell("computer")) == ("J4", "C4", "D4")
    assert [d.val["sw_type"] for d in var.details] == ["商业软件", "OEM软件", "免费软件", "商业软件", "OEM软件"]


def test_variant_title_with_unit_and_year(make_ledger):
    var = read_ledger(make_ledger(variant=True))
    f7 = var.form("附件7")
    assert f7.sheet == "软件汇总"
    assert f7.unit == "测试局"


# --- titles and headers --------------------------------------------------------------------


@pytest.mark.parametrize("blank_rows", [0, 2, 4])
def test_title_anywhere_in_first_five_rows(tmp_path, blank_rows):
    rows = summary_rows(before=[[None]] * blank_rows, title="测试局软件使用情况汇总表（2026年）")
    ledger = only_summary(tmp_path, rows)
    form = ledger.form("附件7")
    assert form is not None and form.title_row == blank_rows + 1
    assert len(ledger.summary) == 3


def test_title_in_another_column(tmp_path):
    rows = summary_rows(before=[["", "", "附件7"]])
    rows[1] = [None, None, "软件使用情况汇总表"]
    form = only_summary(tmp_path, rows).form("附件7")
    assert form is not None and form.title_cell == "C2"


def test_title_below_row_five_is_not_found(tmp_path):
    ledger = only_summary(tmp_path, summary_rows(before=[[None]] * 5))
    assert ledger.form("附件7") is None


def test_header_within_ten_rows_after_title(tmp_path):
    # title row 1, then 9 rows before the header: header on row 11 = the 10th row after the title
    ledger = only_summary(tmp_path, summary_rows(between=[["说明：本表按年度填写"]] + [[None]] * 5))
    form = ledger.form("附件7")
    assert form.header_row == 11 and form.missing == ()
    assert len(ledger.summary) == 3


def test_header_too_far_is_missing(tmp_path):
    ledger = only_summary(tmp_path, summary_rows(between=[[None]] * 7))
    form = ledger.form("附件7")
    assert form.header_row == 0
    assert set(form.missing) == set(form.schema.required_keys)
    assert ledger.summary == []


def test_header_aliases_and_units(tmp_path):
    cols = [
        "序号",
        "软件序号",
        "名称",
        "版本",
        "类型",
        "获取方式",
        "采购日期",
        "采购金额（单位：元）",
        "授权类型",
        "许可数",
        "可用版本",
        "有效期",
        "许可证号",
        "安装数",
        "备注",
    ]
    keys = [
        "seq",
        "software_no",
        "name",
        "version",
        "sw_type",
        "acquisition",
        "purchase_date",
        "amount",
        "license_type",
        "license_count",
        "usable_version",
        "term",
        "serial",
        "installed",
        "remark",
    ]
    rows = summary_rows(entries=[], cols=cols)
    rows.append([office().get(k, 1) for k in keys])
    ledger = only_summary(tmp_path, rows)
    form = ledger.form("附件7")
    assert form.missing == ()
    assert form.columns == {k: i for i, k in enumerate(keys, 1)}
    assert ledger.summary[0].val["amount"] == 12800


def test_header_with_line_breaks_and_spaces(tmp_path):
    cols = [c.replace("采购金额（元）", "采购\n金额\n（元）").replace("软件名称", "软件　名称 ") for c in SUMMARY_COLS]
    form = only_summary(tmp_path, summary_rows(cols=cols)).form("附件7")
    assert form.missing == () and form.columns["amount"] == 9 and form.columns["name"] == 3


def test_extra_and_reordered_columns(tmp_path):
    from tests.helpers.factory import SUMMARY_KEYS

    order = list(reversed(range(len(SUMMARY_COLS))))
    cols = ["资产卡片号"] + [SUMMARY_COLS[i] for i in order] + ["经办人"]
    rows = [["软件使用情况汇总表"], [SIGN], cols]
    for i, e in enumerate([office(), windows()], 1):
        full = [e.get(k, i if k == "seq" else None) for k in SUMMARY_KEYS]
        rows.append(["K-1"] + [full[j] for j in order] + ["王工"])
    ledger = only_summary(tmp_path, rows)
    assert ledger.form("附件7").columns["seq"] == 17
    assert ledger.form("附件7").columns["software_no"] == 16
    assert [s.software_no for s in ledger.summary] == ["SY-001", "OEM-001"]
    assert ledger.summary[0].cell("installed") == "C4"


def test_optional_columns_absent(tmp_path):
    from tests.helpers.factory import SUMMARY_KEYS

    keep = [i for i, k in enumerate(SUMMARY_KEYS) if k not in ("category", "acquisition", "remark")]
    rows = summary_rows(entries=[])
    rows[-1] = [SUMMARY_COLS[i] for i in keep]
    rows.append([office().get(SUMMARY_KEYS[i], 1) for i in keep])
    form = only_summary(tmp_path, rows).form("附件7")
    assert form.missing == ()
    assert not form.has("category") and not form.has("acquisition")


# --- rows ----------------------------------------------------------------------------------


def test_total_row_and_spacer_rows_ignored(tmp_path):
    rows = summary_rows()
    rows.insert(7, [None] * 16)  # a blank spacer between data rows
    rows.append([None] * 16)
    rows.append(["合计", None, None, None, None, None, None, None, "12,800.00", None, None, None, None, None, 5])
    rows.append([None, "合 计"])
    ledger = only_summary(tmp_path, rows)
    assert [(s.row, s.software_no) for s in ledger.summary] == [(6, "SY-001"), (7, "OEM-001"), (9, "MF-001")]


def test_note_row_below_the_table_ignored(tmp_path):
    rows = summary_rows()
    rows.append(["注：本表由信息化部门填写"])
    assert len(only_summary(tmp_path, rows).summary) == 3


def test_dash_cells_are_blank(tmp_path):
    rows = summary_rows(entries=[windows(purchase_date="—", amount="/", serial="无", license_type="-", term="　--　")])
    s = only_summary(tmp_path, rows).summary[0]
    assert [s.raw[k] for k in ("purchase_date", "amount", "serial", "license_type", "term")] == [None] * 5


def test_numbers_and_dates_as_text(tmp_path):
    rows = summary_rows(
        entries=[
            office(
                purchase_date="2023年5月6日",
                amount="1.28万",
                license_count="１０",
                installed="2 ",
                term="2024.1.1-2026.12.31",
            )
        ]
    )
    s = only_summary(tmp_path, rows).summary[0]
    assert (s.purchase_date, s.val["amount"], s.license_count, s.installed) == (dt.date(2023, 5, 6), 12800, 10, 2)
    assert s.term_end() == dt.date(2026, 12, 31)


def test_excel_serial_date(tmp_path):
    rows = summary_rows(entries=[office(purchase_date=45052)])
    assert only_summary(tmp_path, rows).summary[0].purchase_date == dt.date(2023, 5, 6)


# --- 附件7 counts ----------------------------------------------------------------------------


def test_counts_by_label(make_ledger):
    f7 = read_ledger(make_ledger()).form("附件7")
    assert {k: (v.value, v.cell) for k, v in f7.labels.items()} == {
        "total_staff": (3, "C3"),
        "staff_using": (2, "E3"),
        "servers": (0, "C4"),
        "desktops": (2, "E4"),
        "laptops": (0, "G4"),
    }


def test_counts_with_variant_row_labels(tmp_path):
    # the row labels 人员情况/计算机情况 read 单位人数/计算机数 in some units; each number has its label to its left
    rows = summary_rows()
    rows[2] = ["单位人数", "总人数", 30, "使用计算机人数", 20]
    rows[3] = ["计算机数", "服务器数", 1, "台式机数", 18, "便携机数", 4]
    f7 = only_summary(tmp_path, rows).form("附件7")
    assert {k: (v.value, v.cell) for k, v in f7.labels.items()} == {
        "total_staff": (30, "C3"),
        "staff_using": (20, "E3"),
        "servers": (1, "C4"),
        "desktops": (18, "E4"),
        "laptops": (4, "G4"),
    }


def test_counts_with_variant_labels_and_blank_gap(tmp_path):
    rows = summary_rows()
    rows[2] = ["人员情况", "单位人数：", None, "30", "使用计算机人数", "20人"]
    rows[3] = ["计算机情况", "服务器数量", 1, "台式计算机数", 18, "便携式计算机数", 4]
    f7 = only_summary(tmp_path, rows).form("附件7")
    assert {k: (v.raw, v.cell) for k, v in f7.labels.items()} == {
        "total_staff": ("30", "D3"),
        "staff_using": ("20人", "F3"),
        "servers": ("1", "C4"),
        "desktops": ("18", "E4"),
        "laptops": ("4", "G4"),
    }


def test_count_without_value(tmp_path):
    rows = summary_rows()
    rows[2] = ["人员情况", "总人数", None, "使用计算机人数", 2]
    f7 = only_summary(tmp_path, rows).form("附件7")
    assert f7.labels["total_staff"].raw is None
    assert f7.labels["staff_using"].raw == "2"


# --- 附件8 ---------------------------------------------------------------------------------


def test_detail_merged_computer_cells(make_ledger):
    ledger = read_ledger(make_ledger())
    assert [(d.row, d.raw["dept"], d.raw["person"], d.computer, d.raw["brand"]) for d in ledger.details] == [
        (5, "办公室", "张三", "PC-001", "联想"),
        (6, "办公室", "张三", "PC-001", "联想"),
        (7, "办公室", "张三", "PC-001", "联想"),
        (8, "办公室", "李四", "PC-002", "联想"),
        (9, "办公室", "李四", "PC-002", "联想"),
    ]


def test_detail_two_row_header_with_ticks(make_ledger):
    f8 = read_ledger(make_ledger()).form("附件8")
    assert f8.ticks == {"sw_type": {10: "商业软件", 11: "OEM软件", 12: "免费软件"}}
    assert "sw_type" not in f8.columns
    assert f8.columns["install_date"] == 13 and f8.data_start == 5


@pytest.mark.parametrize("tick", ["√", "✓", "✔", "是", "Y", "1", "●", 1])
def test_detail_tick_marks(tmp_path, tick):
    rows = [
        ["软件使用情况明细表"],
        [SIGN],
        ["序号", "部门", "姓名", "计算机编号", "软件编号", "软件类型", None, None],
        [None, None, None, None, None, "商业软件", "OEM软件", "免费软件"],
        [1, "办公室", "张三", "PC-001", "SY-001", None, tick, None],
    ]
    ledger = read_ledger(write_book(tmp_path / "d.xlsx", {"明细": rows}))
    assert [d.val["sw_type"] for d in ledger.details] == ["OEM软件"]


def test_detail_two_ticks_is_no_value(tmp_path):
    rows = [
        ["软件使用情况明细表"],
        [SIGN],
        ["序号", "部门", "姓名", "计算机编号", "软件编号", "软件类型", None, None],
        [None, None, None, None, None, "商业软件", "OEM软件", "免费软件"],
        [1, "办公室", "张三", "PC-001", "SY-001", "√", "√", None],
    ]
    d = read_ledger(write_book(tmp_path / "d.xlsx", {"明细": rows})).details[0]
    assert d.val["sw_type"] is None and d.raw["sw_type"] == "商业软件+OEM软件"


def test_detail_one_text_column(make_ledger):
    var = read_ledger(make_ledger(variant=True))
    f8 = var.form("附件8")
    assert f8.ticks == {} and f8.columns["sw_type"] == 10


def test_detail_computer_with_no_software(tmp_path):
    rows = [
        ["软件使用情况明细表"],
        [SIGN],
        ["序号", "部门", "姓名", "计算机编号", "软件编号", "软件名称"],
        [1, "办公室", "张三", "PC-009", "--", None],
    ]
    d = read_ledger(write_book(tmp_path / "d.xlsx", {"明细": rows})).details[0]
    assert d.computer == "PC-009" and not any(d.raw.get(k) for k in ("software_no", "name", "version"))


def test_detail_repeated_computer_cells_read_as_merged(make_ledger):
    merged = read_ledger(make_ledger(name="a.xlsx"))
    repeated = read_ledger(make_ledger(name="b.xlsx", merge_detail=False))
    assert [d.raw for d in repeated.details] == [d.raw for d in merged.details]


# --- 附件9 ---------------------------------------------------------------------------------


def test_log_info_block(make_ledger):
    logs = read_ledger(make_ledger()).logs
    assert [(log.software_no, log.combined, log.number_cell) for log in logs] == [
        ("SY-001", False, "A4"),
        ("OEM-001", False, "A4"),
        ("MF-001", False, "A4"),
    ]
    info = logs[0].info
    assert {k: v.raw for k, v in info.items()} == {
        "software_no": "SY-001",
        "name": "Microsoft Office 专业增强版",
        "version": "2019",
        "sw_type": "商业软件",
        "license_count": "10",
        "usable_version": "2019",
        "term": "永久",
    }
    assert logs[1].info["license_count"].raw is None  # "--"


def test_log_rows(make_ledger):
    log = read_ledger(make_ledger()).logs[0]
    assert [(e.row, e.op, e.computer, e.date, e.qty, e.raw["version"]) for e in log.entries] == [
        (7, "安装", "PC-001", D1, 1, "2019"),
        (8, "安装", "PC-002", D1, 1, "2019"),
    ]


def test_log_info_block_as_pairs(tmp_path):
    rows = [
        ["软件安装维护情况明细表"],
        [SIGN],
        ["软件编号", "SY-001", "软件名称", "Office", "软件版本", "2019"],
        ["序号", "操作类型", "计算机编号", "安装/卸载日期"],
        [1, "安装", "PC-001", "2024-03-01"],
    ]
    log = read_ledger(write_book(tmp_path / "l.xlsx", {"SY-001": rows})).logs[0]
    assert (log.software_no, log.number_cell) == ("SY-001", "B3")
    assert [(e.op, e.date, e.cell("date")) for e in log.entries] == [("安装", D1, "D5")]


def test_log_one_text_column(make_ledger):
    var = read_ledger(make_ledger(variant=True))
    log = next(lg for lg in var.logs if lg.software_no == "SY-001")
    assert log.form.columns["op"] == 2 and log.form.ticks == {}
    assert [(e.op, e.date, e.computer) for e in log.entries] == [("安装", D1, "PC-001"), ("安装", D1, "PC-002")]


def test_combined_log(make_ledger):
    ledger = read_ledger(make_ledger(combined_log=True))
    forms9 = ledger.forms_of("附件9")
    assert [(f.sheet, f.header_row) for f in forms9] == [("安装维护记录", 3)]
    assert [(log.software_no, log.combined, [e.row for e in log.entries]) for log in ledger.logs] == [
        ("SY-001", True, [4, 5]),
        ("OEM-001", True, [6, 7]),
        ("MF-001", True, [8]),
    ]
    assert ledger.logs[0].entries[0].cell("software_no") == "B4"


# --- sign line -------------------------------------------------------------------------------


def test_fill_date_from_sign_line(make_ledger):
    ledger = read_ledger(make_ledger())
    assert {f.sheet: (f.fill_date.value, f.fill_date.cell) for f in ledger.forms if f.fill_date} == {
        f.sheet: (dt.date(2026, 6, 30), "A2") for f in ledger.forms
    }


def test_fill_date_blank_template(make_ledger):
    f7 = read_ledger(make_ledger(fill_date=None)).form("附件7")
    assert f7.fill_date is not None and f7.fill_date.value is None


def test_fill_date_in_next_cell(tmp_path):
    rows = summary_rows()
    rows[1] = ["单位名称：测试局", None, "填表人：王工", None, "填表日期：", dt.datetime(2026, 3, 31)]
    f7 = only_summary(tmp_path, rows).form("附件7")
    assert (f7.fill_date.value, f7.fill_date.cell) == (dt.date(2026, 3, 31), "F2")
    assert f7.unit == "测试局"


def test_fill_date_text_forms(tmp_path):
    rows = summary_rows()
    rows[1] = ["单位名称（盖章）：测试局  填表日期：2026.3.31"]
    assert only_summary(tmp_path, rows).form("附件7").fill_date.value == dt.date(2026, 3, 31)


def test_no_sign_line(tmp_path):
    rows = summary_rows()
    rows[1] = [None]
    f7 = only_summary(tmp_path, rows).form("附件7")
    assert f7.fill_date is None and f7.unit is None


# --- other sources ---------------------------------------------------------------------------


def _snapshot(ledger):
    forms = [
        (
            f.form,
            f.sheet,
            f.title_cell,
            f.header_row,
            f.data_start,
            f.columns,
            f.ticks,
            f.missing,
            {k: (v.raw, v.cell) for k, v in f.labels.items()},
            f.fill_date and (f.fill_date.value, f.fill_date.cell),
            f.unit,
        )
        for f in ledger.forms
    ]
    rows = [
        [(r.sheet, r.row, r.raw, r.val) for r in getattr(ledger, a)]
        for a in ("whitelist", "summary", "details", "computers")
    ]
    logs = [(log.software_no, log.combined, [(e.row, e.raw, e.val) for e in log.entries]) for log in ledger.logs]
    return forms, rows, logs


def _book_via_openpyxl(path):
    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        sheets.append((ws.title, rows, merges))
    return book_from_sheets(str(path), sheets)


@pytest.mark.parametrize(
    "kw", [{}, {"variant": True}, {"combined_log": True}], ids=["canonical", "variant", "combined"]
)
def test_book_from_sheets_gives_the_same_ledger(make_ledger, kw):
    path = make_ledger(**kw)
    from_file = read_ledger(path)
    from_grid = read_book(_book_via_openpyxl(path), str(path))
    assert _snapshot(from_grid) == _snapshot(from_file)
    assert from_grid.path == from_file.path


def test_result_sheet_is_not_a_form(tmp_path):
    rows = summary_rows()
    ledger = read_ledger(
        write_book(tmp_path / "r.xlsx", {"汇总": rows, "校验结果": [["软件使用情况汇总表"], ["序号", "规则"]]})
    )
    assert [f.sheet for f in ledger.forms] == ["汇总"]


def test_rows_holding_only_a_preprinted_seq_number_are_blank():
    """Templates often number 50 empty rows in advance: those are not data rows (no S3 on them)."""
    rows = [
        ["可使用免费软件清单"],
        ["单位名称（盖章）：测试局  填表日期：2026年6月30日"],
        ["序号", "软件编号", "软件名称", "软件版本", "软件来源"],
        [1, "MF-001", "7-Zip", None, "官网"],
        [2, None, None, None, None],
        [3.0, "", "--", None, None],
        ["合计", None, None, None, None],
    ]
    ledger = read_book(book_from_sheets("t.xlsx", [("附件6", rows, [])]))
    assert [(w.row, w.raw["name"]) for w in ledger.whitelist] == [(4, "7-Zip")]


def test_a_worded_seq_cell_still_marks_a_total_row():
    rows = [["可使用免费软件清单"], ["序号", "软件编号", "软件名称"], [1, "MF-001", "7-Zip"], ["合 计", None, "1 项"]]
    ledger = read_book(book_from_sheets("t.xlsx", [("附件6", rows, [])]))
    assert [w.row for w in ledger.whitelist] == [3]


def test_dict_builder_equals_dict_of_zip_for_any_keys():
    from toolkit.model import _dict_builder

    keys = ("seq", "软件编号", "a'b\"c", "x}{y", "dup", "dup")
    values = (1, "SY-001", None, "}", "first", "last")
    assert _dict_builder(keys)(*values) == dict(zip(keys, values, strict=True))
    assert _dict_builder(())() == {}


def test_val_holds_the_typed_columns_and_raw_every_column(make_ledger):
    ledger = read_ledger(make_ledger())
    s = ledger.summary[0]
    typed = {c.key for c in s.form.schema.columns if c.typed and s.form.has(c.key)}
    assert set(s.val) == typed and {"purchase_date", "amount", "sw_type"} <= typed
    assert "name" not in s.val and s.raw["name"] is not None  # a text column's value is its text
    assert set(s.raw) == set(s.form.columns) | set(s.form.ticks)
    entry = ledger.logs[0].entries[0]
    assert set(entry.val) == {"op", "date", "qty"} & (set(entry.form.columns) | set(entry.form.ticks))


@pytest.mark.parametrize("combined", [False, True])
def test_log_columns_match_the_rows(make_ledger, combined):
    """Ledger.log_columns: the 附件9 rows as columns, each value what the row itself says."""
    ledger = read_ledger(make_ledger(combined_log=combined))
    lc = ledger.log_columns()
    rows = [(log, e) for log in ledger.logs for e in log.entries]
    assert len(rows) > 3 and lc.entries == [e for _, e in rows]
    assert lc.logs == [log for log, _ in rows]
    assert lc.numbers == [e.raw.get("software_no") if log.combined else log.software_no for log, e in rows]
    assert lc.nks == [no.casefold() if no else None for no in lc.numbers]
    assert lc.computers == [e.computer for _, e in rows] and lc.cks == [c.casefold() for c in lc.computers]
    assert lc.dates == [e.date for _, e in rows] and lc.ops == [e.op for _, e in rows]
    assert any(op == "安装" for op in lc.ops) and all(isinstance(d, dt.date) for d in lc.dates)


def test_log_columns_follow_a_changed_model(make_ledger):
    """Built once per ledger, and again when rows are added to a log (a model built in code)."""
    ledger = read_ledger(make_ledger())
    first = ledger.log_columns()
    assert ledger.log_columns() is first
    log = ledger.logs[0]
    log.entries.append(log.entries[0])
    again = ledger.log_columns()
    assert again is not first and len(again.logs) == len(first.logs) + 1
    assert again.entry(log.size - 1) is log.entries[-1]
