"""Read installed-software scans into :class:`Scan` objects, whatever tool wrote them.

Accepted (docs/软件采集与核对.md): the collectors' CSV (``collectors/``), any CSV/TSV export
whose headers ``schemas/扫描文件.toml`` knows (a PowerShell ``Export-Csv`` of the Uninstall keys,
``wmic /format:csv``, osquery's pipe-separated ``--csv``, a Lansweeper or endpoint-suite export),
the same as an .xlsx sheet, osquery JSON (``programs``, ``deb_packages``, ``rpm_packages``; an
``osqueryi --json`` array or a results log with ``hostIdentifier``) and GLPI-Agent JSON
inventories. ``--map 表头=字段`` adds header names.

Text encodings are sniffed: a BOM (UTF-8, UTF-16), UTF-16 without a BOM, strict UTF-8, then
GB18030. A Windows PowerShell 5.1 ``Export-Csv`` without ``-Encoding`` writes ASCII, turning every
Chinese character into ``?``: such a file is refused with the fix named.

Every problem with a file raises :class:`ScanError` (its ``code`` is the finding to report); the
reader never returns half a file.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from toolkit.errors import MappingError, ScanError
from toolkit.files import expand_paths
from toolkit.schemas import schema_dir

BAD_FILE, LOST_CHINESE = "RZ4.2F", "RZ4.2Q"
MAX_SCAN_BYTES = 512 * 1024 * 1024
_HEADER_WINDOW = 10
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LOST = re.compile(r"\?{2,}")


class Entry(NamedTuple):
    """One installed-software row of a scan, its fields as the file wrote them ('' when absent)."""

    name: str
    version: str = ""
    publisher: str = ""
    key: str = ""
    source: str = ""
    scope: str = ""
    parent: str = ""
    release_type: str = ""
    system_component: str = ""
    status: str = ""
    line: int = 0


@dataclass
class Scan:
    """The software found on one computer by one scan file."""

    path: str
    host: str | None
    serial: str | None = None
    collected: str | None = None
    entries: list[Entry] = field(default_factory=list)
    format: str = ""
    encoding: str = ""
    channel: str | None = None
    partial_key: str | None = None


# --- the header table ----------------------------------------------------------------------


def _hkey(text: str) -> str:
    return re.sub(r"[\s_\-:]+", "", text).casefold()


@dataclass(frozen=True)
class Fields:
    """Field key → its Chinese label, and normalised header text → field key."""

    labels: dict[str, str]
    headers: dict[str, str]
    collector: tuple[str, ...]

    def with_map(self, mapping: Mapping[str, str]) -> Fields:
        """Extra ``header → field`` pairs (``--map``); the field may be its key or its Chinese label."""
        by_label = {_hkey(v): k for k, v in self.labels.items()} | {_hkey(k): k for k in self.labels}
        headers = dict(self.headers)
        for header, target in mapping.items():
            key = by_label.get(_hkey(target))
            if key is None:
                names = "、".join(self.labels.values())
                raise MappingError(f"--map “{header}={target}”：字段“{target}”不存在，可用的字段为：{names}。")
            headers[_hkey(header)] = key
        return Fields(self.labels, headers, self.collector)


@cache
def scan_fields() -> Fields:
    """The header table of ``schemas/扫描文件.toml``."""
    with (schema_dir() / "扫描文件.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    labels = {f["key"]: f["label"] for f in raw["fields"]}
    headers: dict[str, str] = {}
    for f in raw["fields"]:
        for h in (f["label"], *f["headers"]):
            headers.setdefault(_hkey(h), f["key"])
    return Fields(labels, headers, tuple(raw["collector_columns"]))


def parse_map(items: Iterable[str]) -> dict[str, str]:
    """``["计算机=主机名", …]`` → ``{"计算机": "主机名"}``; a malformed item raises :class:`MappingError`."""
    out = {}
    for item in items:
        header, sep, target = item.partition("=")
        if not sep or not header.strip() or not target.strip():
            raise MappingError(f"--map “{item}”应写成 表头=字段，例如 --map 计算机=主机名。")
        out[header.strip()] = target.strip()
    return out


# --- bytes to text -------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The text of a scan file and the encoding it was in; :class:`ScanError` when none fits."""
    boms = (
        (codecs.BOM_UTF8, "utf-8", "UTF-8（带 BOM）"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16LE"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16BE"),
    )
    for bom, codec, label in boms:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), label
            except UnicodeDecodeError as exc:
                raise ScanError(
                    f"文件以 {label} 标记开头，但第 {exc.start} 字节起的内容不是 {label}：文件可能已损坏。请重新采集。"
                ) from exc
    head = data[:4096]
    if head.count(0) > len(head) // 4:  # UTF-16 without a BOM: every other byte of ASCII text is zero
        codec = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        try:
            return data.decode(codec), codec.upper()
        except UnicodeDecodeError:
            raise ScanError("文件含有大量空字节，不是文本格式的软件清单（可能是程序、图片或压缩文件）。") from None
    for codec, label in (("utf-8", "UTF-8"), ("gb18030", "GB18030")):
        try:
            return data.decode(codec), label
        except UnicodeDecodeError:
            continue
    raise ScanError(
        "无法识别文件编码（不是 UTF-8、UTF-16，也不是 GB18030/GBK）。请用采集脚本重新采集，或把文件另存为 UTF-8。"
    )


# --- rows to entries -----------------------------------------------------------------------


_ROW_FIELDS = (
    "name",
    "host",
    "serial",
    "collected",
    "channel",
    "partial_key",
    "version",
    "release",
    "publisher",
    "key",
    "source",
    "scope",
    "parent",
    "release_type",
    "system_component",
    "status",
)


class _Builder:
    """Turns rows (lists under a header, or dicts) into :class:`Scan` objects, one per host."""

    def __init__(self, shown: str, fields: Fields, fmt: str, encoding: str) -> None:
        self.shown, self.fields, self.fmt, self.encoding = shown, fields, fmt, encoding
        self.scans: dict[str, Scan] = {}
        self.order: list[str] = []
        self.intern: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.scopes: dict[str, str] = {}

    def columns(self, header: list[str]) -> dict[str, int]:
        cols: dict[str, int] = {}
        for i, h in enumerate(header):
            key = self.fields.headers.get(_hkey(str(h or "")))
            if key is not None and key not in cols:
                cols[key] = i
        return cols

    def scan(self, host: str | None) -> Scan:
        k = host or ""
        s = self.scans.get(k)
        if s is None:
            s = self.scans[k] = Scan(self.shown, host, format=self.fmt, encoding=self.encoding)
            self.order.append(k)
        return s

    def add(self, values: Mapping[str, Any], line: int, host: str | None = None) -> None:
        """One row as field key → value; rows without a name are skipped."""
        get = values.get
        name = _text(get("name"))
        host = host or _text(get("host")) or None
        scan = self.scan(host)
        serial = _text(get("serial"))
        if serial and not scan.serial:
            scan.serial = serial
        collected = _text(get("collected"))
        if collected and not scan.collected:
            scan.collected = collected
        channel = _text(get("channel"))
        if channel and not scan.channel:
            scan.channel, scan.partial_key = channel, _text(get("partial_key"))[-5:] or None
        if not name:
            return
        version = _text(get("version"))
        release = _text(get("release"))
        if release and version and not version.endswith("-" + release):
            version = f"{version}-{release}"
        it = self.intern
        scan.entries.append(
            Entry(
                it.setdefault(name, name),
                it.setdefault(version, version),
                it.setdefault(p := _text(get("publisher")), p),
                it.setdefault(k := _text(get("key")), k),
                it.setdefault(s := _text(get("source")).lower(), s),
                _scope(_text(get("scope"))),
                _text(get("parent")),
                _text(get("release_type")),
                _text(get("system_component")),
                _text(get("status")),
                line,
            )
        )

    def add_rows(self, rows: Iterable[list[str]], cols: dict[str, int], first_line: int) -> None:
        """Rows of text under a header (CSV, XLSX): what :meth:`add` does per row, without a dict per row.

        750,000 rows of 5,000 files go through here in a benchmark, so each field is one index into
        the row; a field the file lacks points at an empty cell appended to the row.
        """
        blank = max(cols.values()) + 1
        at = {k: cols.get(k, blank) for k in _ROW_FIELDS}
        i_name, i_host, i_serial, i_collected, i_channel, i_partial = (
            at["name"],
            at["host"],
            at["serial"],
            at["collected"],
            at["channel"],
            at["partial_key"],
        )
        i_version, i_release, i_publisher, i_key, i_source, i_scope = (
            at["version"],
            at["release"],
            at["publisher"],
            at["key"],
            at["source"],
            at["scope"],
        )
        i_parent, i_type, i_system, i_status = at["parent"], at["release_type"], at["system_component"], at["status"]
        it, names, scopes = self.intern, self.names, self.scopes
        pad = [""] * (blank + 1)
        scan: Scan | None = None
        current = ""
        for n, row in enumerate(rows, first_line):
            if len(row) <= blank:
                row.extend(pad[len(row) :])
            raw = row[i_name]
            name = names.get(raw)
            if name is None:
                name = names[raw] = " ".join(raw.split())
            host = row[i_host].strip()
            if not name and not host:
                continue  # a blank row
            if scan is None or host != current:
                scan, current = self.scan(host or None), host
            if not scan.serial and row[i_serial].strip():
                scan.serial = row[i_serial].strip()
            if not scan.collected and row[i_collected].strip():
                scan.collected = row[i_collected].strip()
            if not scan.channel and row[i_channel].strip():
                scan.channel, scan.partial_key = row[i_channel].strip(), row[i_partial].strip()[-5:] or None
            if not name:
                continue
            version, release = row[i_version].strip(), row[i_release].strip()
            if release and version and not version.endswith("-" + release):
                version = f"{version}-{release}"
            publisher, key, source = row[i_publisher].strip(), row[i_key].strip(), row[i_source].strip().lower()
            scope = scopes.get(row[i_scope])
            if scope is None:
                scope = scopes[row[i_scope]] = _scope(row[i_scope].strip())
            scan.entries.append(
                Entry(
                    name,
                    it.setdefault(version, version),
                    it.setdefault(publisher, publisher),
                    it.setdefault(key, key),
                    it.setdefault(source, source),
                    scope,
                    row[i_parent].strip(),
                    row[i_type].strip(),
                    row[i_system].strip(),
                    row[i_status].strip(),
                    n,
                )
            )

    def result(self, default_host: str) -> list[Scan]:
        scans = [self.scans[k] for k in self.order]
        for s in scans:
            if s.host is None:
                s.host = default_host
        return scans


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return " ".join(str(v).split())


def _scope(raw: str) -> str:
    """'user' for a per-user install (HKU/HKCU path or a user name), else the value as given."""
    low = raw.casefold()
    if "hkey_users" in low or "hkey_current_user" in low or low.startswith(("hku", "hkcu")):
        return "user"
    if "hkey_local_machine" in low or low.startswith("hklm"):
        return "machine"
    return low


def _host_from_name(path: Path) -> str:
    stem = path.stem
    for sep in ("-软件", "_软件", "-software", "_software", "."):
        stem = stem.split(sep)[0] if sep in stem else stem
    return stem


# --- formats -------------------------------------------------------------------------------


def _delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (",", "\t", "|", ";")}
    return max(counts, key=lambda d: counts[d])


def _read_csv(text: str, b: _Builder) -> None:
    lines = text.splitlines()
    start = 0
    while start < len(lines) and (not lines[start].strip() or lines[start].startswith("#TYPE")):
        start += 1  # wmic's blank first line, Export-Csv's "#TYPE …" line
    if start >= len(lines):
        raise ScanError("文件是空的，没有任何软件记录。请确认采集脚本已运行完成。")
    delim = _delimiter(lines[start])
    reader = csv.reader(io.StringIO("\n".join(lines[start:])), delimiter=delim, strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ScanError(
            f"第 {start + reader.line_num} 行的格式有误（引号不成对）：文件可能被截断。请重新采集或重新复制该文件。"
        ) from exc
    header = [h.strip() for h in rows[0]]
    cols = b.columns(header)
    _need_name(cols, header)
    last = rows[-1]
    if len(rows) > 1 and len(last) < len(header) and any(c.strip() for c in last) and not text.endswith(("\n", "\r")):
        raise ScanError(
            f"最后一行（第 {start + len(rows)} 行）只有 {len(last)} 列，表头有 {len(header)} 列，且文件没有以换行结束："
            "文件被截断了。请重新采集或重新复制该文件。"
        )
    b.add_rows(rows[1:], cols, start + 2)


def _need_name(cols: dict[str, int], header: list) -> None:
    if "name" not in cols:
        shown = "、".join(str(h) for h in header[:8] if h) or "（空）"
        raise ScanError(
            f"不是软件清单：表头（{shown}）中没有软件名称列（如 DisplayName、name、软件名称）。"
            "若是其他工具导出的清单，请用 --map 表头=软件名称 指明各列。"
        )


def _read_json(text: str, b: _Builder) -> None:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = _json_lines(text)
    if isinstance(data, dict) and isinstance(data.get("content"), dict):
        _glpi(data["content"], b)
        return
    if isinstance(data, dict):
        data = data.get("rows") or data.get("data") or data.get("softwares") or [data]
    if not isinstance(data, list):
        raise ScanError("JSON 文件不是软件清单（应为 osquery 查询结果或 GLPI Agent 清单）。")
    b.fmt = "osquery-json"
    for i, item in enumerate(data, 1):
        if not isinstance(item, dict):
            raise ScanError(f"JSON 第 {i} 项不是一条记录：不是 osquery 查询结果。")
        host = None
        if isinstance(item.get("columns"), dict):  # osqueryd results log
            host = _text(item.get("hostIdentifier")) or None
            item = item["columns"]
        headers = b.fields.headers
        row: dict[str, Any] = {headers[hk]: v for k, v in item.items() if (hk := _hkey(k)) in headers}
        if "source" not in row:
            row["source"] = _osquery_source(item)
        b.add(row, i, host)
    if not any(s.entries for s in b.scans.values()) and data:
        raise ScanError("JSON 记录中没有软件名称字段（name）：不是软件清单。")


def _json_lines(text: str) -> list:
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ScanError(f"第 {n} 行不是有效的 JSON（{exc.msg}）：文件可能被截断。请重新导出。") from exc
    return out


def _osquery_source(item: Mapping[str, Any]) -> str:
    if "maintainer" in item or "admindir" in item:
        return "dpkg"
    if "vendor" in item and "release" in item:
        return "rpm"
    return "registry"


def _glpi(content: Mapping[str, Any], b: _Builder) -> None:
    b.fmt = "glpi-json"
    hw = content.get("hardware") or {}
    bios = content.get("bios") or {}
    host = _text(hw.get("name")) or None
    serial = _text(bios.get("ssn")) or None
    scan = b.scan(host)
    scan.serial = serial
    os_ = content.get("operatingsystem") or {}
    if os_.get("full_name") or os_.get("name"):
        b.add({"name": os_.get("full_name") or os_.get("name"), "version": os_.get("version"), "source": "os"}, 0, host)
    softwares = content.get("softwares")
    if not isinstance(softwares, list):
        raise ScanError("GLPI 清单中没有 content.softwares：请用 glpi-inventory --json 重新生成。")
    for i, sw in enumerate(softwares, 1):
        if not isinstance(sw, dict):
            continue
        cat = _text(sw.get("system_category")).casefold()
        b.add(
            {
                "name": sw.get("name"),
                "version": sw.get("version"),
                "publisher": sw.get("publisher"),
                "key": sw.get("guid"),
                "source": _glpi_source(sw.get("from")),
                "scope": "user" if sw.get("username") else "",
                "release_type": sw.get("release_type")
                or ("update" if cat in ("security_update", "hotfix", "update") else ""),
                "system_component": "1" if cat == "system_component" else "",
            },
            i,
            host,
        )


def _glpi_source(value: object) -> str:
    v = _text(value).casefold()
    return {"deb": "dpkg", "rpm": "rpm", "registry": "registry", "wmi": "registry", "uwp": "registry"}.get(v, v)


def _read_xlsx(path: Path, b: _Builder) -> None:
    from toolkit.errors import ReadError
    from toolkit.read.grid import stream_book

    try:
        book = stream_book(path)
        for grid in book.sheets:
            for r in range(min(_HEADER_WINDOW, grid.height)):
                header = [str(v) if v is not None else "" for v in grid.rows[r]]
                cols = b.columns(header)
                if "name" not in cols:
                    continue
                b.add_rows([[_text(v) for v in row] for row in grid.rows[r + 1 :]], cols, r + 2)
                return
    except ReadError as exc:
        raise ScanError(str(exc)) from exc
    raise ScanError(
        "工作簿中没有软件清单：前 10 行里找不到软件名称列（如 DisplayName、软件名称）。可用 --map 表头=软件名称 指明。"
    )


# --- the entry point -----------------------------------------------------------------------


def read_scan(path: str | Path, display: str | None = None, fields: Fields | None = None) -> list[Scan]:
    """Every computer's scan in one file (usually one); :class:`ScanError` when the file is unusable."""
    p = Path(path)
    shown = display or str(path)
    fields = fields or scan_fields()
    try:
        size = p.stat().st_size
        if size > MAX_SCAN_BYTES:
            raise ScanError(f"文件过大（{size // (1 << 20)} MB），不是一台计算机的软件清单。")
        with p.open("rb") as fh:
            head = fh.read(8)
        if head.startswith(b"PK\x03\x04"):
            if p.suffix.lower() not in (".xlsx", ".xlsm"):
                raise ScanError("这是一个压缩文件（zip），不是软件清单。请解压后再核对其中的清单文件。")
            b = _Builder(shown, fields, "xlsx", "")
            _read_xlsx(p, b)
            return _finish(b, p)
        data = p.read_bytes()
    except OSError as exc:
        raise ScanError(f"无法打开文件（{exc.strerror or exc}）。请检查路径和权限。") from exc
    if not data.strip():
        raise ScanError("文件是空的，没有任何软件记录。请确认采集脚本已运行完成。")
    text, encoding = decode(data)
    text = text.lstrip("\ufeff")
    if _CONTROL.search(text[:65536]):
        raise ScanError("文件含有控制字符，不是文本格式的软件清单（可能是程序、图片或文档）。")
    b = _Builder(shown, fields, "csv", encoding)
    if text.lstrip()[:1] in ("{", "["):
        _read_json(text, b)
    else:
        first = next((ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#TYPE")), "")
        if set(fields.collector) <= {h.strip().strip('"') for h in first.split(",")}:
            b.fmt = "zbtz-csv"  # the collectors' own file (only reported, read like any CSV)
        _read_csv(text, b)
    return _finish(b, p)


def _finish(b: _Builder, p: Path) -> list[Scan]:
    scans = [s for s in b.result(_host_from_name(p)) if s.entries]
    if not scans:
        raise ScanError("文件中没有任何软件记录（只有表头或全为空行）。请确认采集脚本在该计算机上运行完成。")
    names = [e.name for s in scans for e in s.entries]
    lost = sum(1 for n in names if _LOST.search(n))
    if lost and not any(not n.isascii() for n in names):
        raise ScanError(
            f"有 {lost} 个软件名称中的中文变成了“?”：这是 Windows PowerShell 5.1 的 Export-Csv 未加 -Encoding"
            " 时按 ASCII "
            "写出的文件，中文已无法恢复。请用本工具的采集脚本 zbtz-collect.ps1 重新采集，或在 Export-Csv 后加"
            " -Encoding UTF8。",
            LOST_CHINESE,
        )
    return scans


def iter_scan_paths(paths: Iterable[str | Path]) -> list[tuple[Path, str]]:
    """Each file named, and each file below a named folder (sorted, hidden files skipped), with its display path."""
    return expand_paths(paths, suffixes=None)
