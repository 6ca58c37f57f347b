"""Scan readers: every format and encoding, with real-shaped names, and every way a file can be bad."""

from __future__ import annotations

import json

import openpyxl
import pytest

from toolkit.errors import ScanError
from toolkit.scans.read import BAD_FILE, LOST_CHINESE, decode, parse_map, read_scan, scan_fields

from .builders import (
    ACROBAT,
    AUTOCAD,
    KB_UPDATE,
    OFFICE_2016,
    SOGOU,
    VCREDIST,
    collector_csv,
    collector_text,
    windows_rows,
)

REAL_NAMES = [OFFICE_2016.strip(), ACROBAT, AUTOCAD, SOGOU, KB_UPDATE, VCREDIST]

# the recommended PowerShell command of the reference notes: Export-Csv of the Uninstall keys
PS_HEADER = (
    '"ComputerName","DisplayName","DisplayVersion","Publisher","InstallDate","SystemComponent",'
    '"WindowsInstaller","ParentKeyName","ReleaseType","PSChildName","PSPath"'
)


def ps_export(names: list[str], type_line: bool = True) -> str:
    lines = ["#TYPE Selected.System.Management.Automation.PSCustomObject"] if type_line else []
    lines.append(PS_HEADER)
    for n in names:
        lines.append(
            f'"CW-PC-017","{n}","1.0","Vendor","20230412","","","","","{n}",'
            '"Microsoft.PowerShell.Core\\Registry::HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\x"'
        )
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize(
    "encoding,label",
    [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8（带 BOM）"), ("utf-16", "UTF-16LE"), ("gb18030", "GB18030")],
)
def test_collector_csv_in_every_encoding_keeps_real_names(tmp_path, encoding, label):
    path = collector_csv(tmp_path, "CW-PC-017", encoding=encoding, serial="PF1ABC23")
    (scan,) = read_scan(path)
    assert scan.host == "CW-PC-017" and scan.serial == "PF1ABC23" and scan.encoding == label
    assert scan.format == "zbtz-csv" and scan.collected == "2026-06-01T09:00:00"
    assert scan.channel == "OEM" and scan.partial_key == "3V66T"
    names = [e.name for e in scan.entries]
    assert names[0] == "Microsoft Windows 10 专业版"
    for n in REAL_NAMES:  # the trailing space of the Office name is white space, not part of the name
        assert n in names
    kb = next(e for e in scan.entries if e.name == KB_UPDATE)
    assert kb.parent == "Office16.PROPLUS" and kb.line == 7


def test_utf16_without_bom_is_recognised(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(collector_text("PC-9", windows_rows()).encode("utf-16-le"))
    (scan,) = read_scan(path)
    assert scan.encoding == "UTF-16-LE" and SOGOU in [e.name for e in scan.entries]


def test_powershell_export_with_type_line_and_scope_from_pspath(tmp_path):
    path = tmp_path / "CW-PC-017-软件.csv"
    path.write_bytes(ps_export([SOGOU, ACROBAT]).encode("utf-8-sig"))
    (scan,) = read_scan(path)
    assert [e.name for e in scan.entries] == [SOGOU, ACROBAT]
    assert {e.scope for e in scan.entries} == {"user"} and scan.entries[0].key == SOGOU


def test_powershell_51_ascii_export_that_lost_its_chinese_is_refused_with_the_fix(tmp_path):
    lost = ps_export(["????? 13.4.0???", "Microsoft Office ????? 2016", "7-Zip 23.01 (x64)"]).encode("ascii")
    path = tmp_path / "PC.csv"
    path.write_bytes(lost)
    with pytest.raises(ScanError) as err:
        read_scan(path)
    assert err.value.code == LOST_CHINESE
    assert "-Encoding UTF8" in str(err.value) and "zbtz-collect.ps1" in str(err.value)


def test_question_marks_beside_real_chinese_are_not_a_lost_encoding(tmp_path):
    path = tmp_path / "PC.csv"
    path.write_bytes(ps_export(["你好??工具", SOGOU]).encode("utf-8"))
    assert len(read_scan(path)[0].entries) == 2


def test_wmic_csv_in_utf16_with_its_blank_first_line(tmp_path):
    path = tmp_path / "PC-3.csv"
    path.write_bytes(
        ("\r\nNode,Name,Version\r\nPC-3,AutoCAD 2020 - 简体中文 (Simplified Chinese),23.1\r\n").encode("utf-16")
    )
    (scan,) = read_scan(path)
    assert scan.host == "PC-3" and [(e.name, e.version) for e in scan.entries] == [(AUTOCAD, "23.1")]


def test_osquery_pipe_separated_csv(tmp_path):
    path = tmp_path / "PC-5.csv"
    path.write_text(
        "name|version|publisher|identifying_number\nAdobe Acrobat DC (64-bit)|21.001|Adobe|{AC76}\n", "utf-8"
    )
    (scan,) = read_scan(path)
    assert scan.host == "PC-5" and scan.entries[0].name == ACROBAT and scan.entries[0].key == "{AC76}"


def test_osquery_json_programs_deb_and_rpm(tmp_path):
    programs = [
        {
            "name": OFFICE_2016,
            "version": "16.0",
            "publisher": "Microsoft",
            "identifying_number": "{90160000}",
            "install_date": "20230412",
        },
        {"name": KB_UPDATE, "version": ""},
    ]
    deb = [
        {
            "name": "cn.wps.wps-office-pro",
            "version": "11.8.2.1132",
            "arch": "amd64",
            "status": "install ok installed",
            "maintainer": "Kingsoft",
            "revision": "",
            "admindir": "/var/lib/dpkg",
        }
    ]
    rpm = [{"name": "wps-office", "version": "11.1", "release": "1", "vendor": "Kingsoft", "arch": "x86_64"}]
    for name, data, source in (
        ("WIN-1.json", programs, "registry"),
        ("KYLIN-1.json", deb, "dpkg"),
        ("KYLIN-2.json", rpm, "rpm"),
    ):
        (tmp_path / name).write_text(json.dumps(data, ensure_ascii=False), "utf-8")
        (scan,) = read_scan(tmp_path / name)
        assert scan.host == name[:-5] and scan.format == "osquery-json"
        assert {e.source for e in scan.entries} == {source}
    (scan,) = read_scan(tmp_path / "KYLIN-2.json")
    assert scan.entries[0].version == "11.1-1" and scan.entries[0].publisher == "Kingsoft"
    (scan,) = read_scan(tmp_path / "WIN-1.json")
    assert scan.entries[0].name == OFFICE_2016.strip()


def test_osquery_results_log_takes_the_host_identifier(tmp_path):
    lines = [
        {"name": "pack_programs", "hostIdentifier": "CW-PC-018", "columns": {"name": SOGOU, "version": "13.4"}},
        {"name": "pack_programs", "hostIdentifier": "CW-PC-019", "columns": {"name": ACROBAT, "version": "21"}},
    ]
    path = tmp_path / "results.log"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", "utf-8")
    scans = read_scan(path)
    assert [(s.host, s.entries[0].name) for s in scans] == [("CW-PC-018", SOGOU), ("CW-PC-019", ACROBAT)]


def test_glpi_agent_inventory(tmp_path):
    inv = {
        "deviceid": "cw-pc-020-2026-06-01",
        "content": {
            "hardware": {"name": "CW-PC-020"},
            "bios": {"ssn": "SN-20"},
            "operatingsystem": {"full_name": "Microsoft Windows 11 家庭中文版", "version": "23H2"},
            "softwares": [
                {
                    "name": "Microsoft Office Famille et Petite Entreprise 2010",
                    "guid": "Office14.SingleImage",
                    "from": "registry",
                    "publisher": "Microsoft Corporation",
                    "install_date": "2015-09-18",
                },
                {"name": "KB4019215", "from": "WMI", "release_type": "Security Update"},
                {"name": "WPS Office", "from": "registry", "username": "zhang", "guid": "Kingsoft Office"},
            ],
        },
    }
    path = tmp_path / "cw-pc-020.json"
    path.write_text(json.dumps(inv, ensure_ascii=False), "utf-8")
    (scan,) = read_scan(path)
    assert (scan.host, scan.serial, scan.format) == ("CW-PC-020", "SN-20", "glpi-json")
    assert [(e.source, e.scope) for e in scan.entries] == [
        ("os", ""),
        ("registry", ""),
        ("registry", ""),
        ("registry", "user"),
    ]
    assert scan.entries[2].release_type == "Security Update"


def test_xlsx_export_with_chinese_headers_and_a_map(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["终端软件清单（天擎导出）"])
    ws.append(["终端名称", "软件", "版本号", "厂商"])
    ws.append(["CW-PC-021", SOGOU, "13.4.0.7202", "Sogou.com"])
    ws.append(["CW-PC-022", AUTOCAD, "23.1", "Autodesk"])
    path = tmp_path / "天擎.xlsx"
    wb.save(path)
    with pytest.raises(ScanError) as err:  # "软件" is not a known header
        read_scan(path)
    assert "--map" in str(err.value)
    fields = scan_fields().with_map(parse_map(["软件=软件名称"]))
    scans = read_scan(path, fields=fields)
    assert [(s.host, s.entries[0].name, s.entries[0].line) for s in scans] == [
        ("CW-PC-021", SOGOU, 3),
        ("CW-PC-022", AUTOCAD, 4),
    ]


def test_map_names_an_unknown_field_clearly():
    with pytest.raises(Exception, match="字段“颜色”不存在"):
        scan_fields().with_map({"x": "颜色"})
    with pytest.raises(Exception, match="表头=字段"):
        parse_map(["没有等号"])


# --- bad input: one clear error per file ---------------------------------------------------


def _bad(tmp_path, name: str, data: bytes) -> ScanError:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ScanError) as err:
        read_scan(path)
    assert err.value.code == BAD_FILE
    return err.value


def test_truncated_csv_unterminated_quote(tmp_path):
    text = collector_text("PC-1", windows_rows())
    err = _bad(tmp_path, "PC-1.csv", text[: text.index(SOGOU) + 3].encode("utf-8"))
    assert "截断" in str(err)


def test_truncated_csv_short_last_line(tmp_path):
    text = collector_text("PC-1", windows_rows())
    cut = text.rstrip("\r\n")
    cut = cut[: cut.rindex('","')]  # the last row loses its last fields and the final line break
    assert "截断" in str(_bad(tmp_path, "PC-1.csv", cut.encode("utf-8")))


def test_unknown_encoding(tmp_path):
    assert "编码" in str(_bad(tmp_path, "PC.csv", b"DisplayName,Version\r\n\x80\xff\xfe\x81,1\r\n"))


def test_empty_file_and_header_only(tmp_path):
    assert "空" in str(_bad(tmp_path, "PC.csv", b""))
    assert "没有任何软件记录" in str(_bad(tmp_path, "PC2.csv", collector_text("PC2", []).encode("utf-8")))


def test_files_that_are_not_scans(tmp_path):
    assert "没有软件名称列" in str(_bad(tmp_path, "notes.csv", "日期,金额\n2026-01-01,3\n".encode()))
    assert "不是" in str(
        _bad(tmp_path, "pic.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x01\x02\x03" * 20)
    )
    assert "压缩文件" in str(_bad(tmp_path, "x.zip", b"PK\x03\x04" + b"\x00" * 40))
    assert "软件清单" in str(_bad(tmp_path, "x.json", b'"just a string"'))
    with pytest.raises(ScanError):
        read_scan(tmp_path / "missing.csv")


def test_decode_order():
    assert decode("名称".encode("gb18030")) == ("名称", "GB18030")
    assert decode("名称".encode()) == ("名称", "UTF-8")
