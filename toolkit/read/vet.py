"""Vetting a workbook file before any parser sees it.

Refuses, with a clear :class:`ReadError`, what would crash or exhaust a parser: files that are
not workbooks, encrypted files, truncated zips, zip bombs (parts that inflate to gigabytes, or
that inflate to more than the zip declares), XML bombs (a DTD with entities; OOXML and
OpenDocument parts never carry a DTD) and compound (OLE) files too large or with a header that
does not add up.

:func:`vet_workbook` accepts every format units keep their ledgers in and says which it is by
the file's bytes, never its suffix: ``xlsx`` (also .xlsm, and a WPS .et saved as a zip),
``xlsb``, ``ods`` and ``cfb`` (a BIFF .xls, or a WPS .et). :func:`vet_package` accepts only the
``xlsx`` packages the writers can edit.

It also bounds the grid the fast reader will allocate. python-calamine builds one dense
rectangle per sheet, from A1 to the farthest cell that holds a value: a sheet with A1 and
XFD1048576 (a 136 KB file) would ask for 17 billion cells and abort the process. Each worksheet
part is streamed through a regular expression (a few chunks of a few MB; nothing is kept) and a
sheet whose rectangle exceeds :data:`MAX_GRID_CELLS` is refused with a message naming the stray
cell. The common case is one ``re.search`` per chunk: only a sheet with a cell beyond column Z
or row 99,999 is scanned cell by cell.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from toolkit.errors import ReadError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
XLSX, XLSB, ODS, CFB = "xlsx", "xlsb", "ods", "cfb"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
MAX_CFB_BYTES = 256 << 20  # a BIFF workbook is read whole into memory: 256 MiB is far above any real ledger
FORMAT_ZH = {XLSX: ".xlsx", XLSB: ".xlsb", ODS: ".ods", CFB: "旧版 .xls/.et"}
MAX_PART_BYTES = 1 << 30  # one part may inflate to 1 GiB at most
MAX_TOTAL_BYTES = 2 << 30
MAX_RATIO = 200  # a real sheet part compresses 5-30x; a bomb 1000x and more
RATIO_FLOOR = 16 << 20  # the ratio test applies to parts above 16 MiB
PROLOG_BYTES = 4096
MAX_PROLOG_BYTES = 1 << 20  # comments and white space before the root element; Excel writes a few bytes
MAX_GRID_CELLS = 8_000_000  # a 5,000-computer 附件8 is about 1 million; 8 million stay well under 1 GB
CHUNK_BYTES = 4 << 20
_ROOT = re.compile(rb"<[A-Za-z_]")
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)


@dataclass(frozen=True)
class Vetted:
    """What vetting learnt on the way: the format, each sheet's error cells ((0-based row, column) -> ``#REF!``)
    and each sheet's size (the bytes its part inflates to).

    Error cells, sizes and the grid bound are read from .xlsx sheet parts only; the other formats
    are bounded by their package checks.
    """

    kind: str = XLSX
    errors: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    scanned: bool = True  # False: the package is vetted, its sheet parts not yet (scan_sheets does that)


_VETTED: dict[tuple[str, int, int, int], Vetted] = {}  # files vetted whole
_PACKAGES: dict[tuple[str, int, int, int], Vetted] = {}  # files whose package is vetted, sheet parts not yet


def vet_package(path: Path) -> Vetted:
    """Raise :class:`ReadError` unless ``path`` looks like a safe .xlsx/.xlsm package (the writers' format)."""
    vetted = vet_workbook(path)
    if vetted.kind != XLSX:
        raise ReadError(
            f"这是 {FORMAT_ZH[vetted.kind]} 格式，只能检查，不能直接写入。请在 Excel 或 WPS 中“另存为” .xlsx 后再试。",
            "legacy",
        )
    return vetted


def vet_workbook(path: Path, scan: bool = True) -> Vetted:
    """The format of a safe workbook file and what was learnt on the way; :class:`ReadError` otherwise.

    ``scan=False`` vets the package and leaves the sheet parts to :func:`scan_sheets` (two
    processes reading one workbook each scan the sheets they read). A file vetted once (same
    path, size, inode and modification time) is not vetted again in this process: a command that
    reads a ledger and then edits it pays once.
    """
    key = _file_key(path)
    if key is not None and key in _VETTED:
        return _VETTED[key]
    light = _PACKAGES.get(key) if key is not None else None
    if light is None:
        light = _vet_package(path)
        _keep(_PACKAGES, key, light)
    if light.scanned or not scan:  # other formats have no sheet parts to scan
        if light.scanned:
            remember(path, light, key)
        return light
    whole = Vetted(XLSX, scan_sheets(path, light.sizes), light.sizes)
    remember(path, whole, key)
    return whole


def remember(path: Path, vetted: Vetted, key: tuple | None = None) -> None:
    """Keep a whole vetting of ``path`` (one assembled from the scans of its parts, too) for this process."""
    if vetted.scanned:
        _keep(_VETTED, key if key is not None else _file_key(path), vetted)


def _keep(cache: dict, key: tuple | None, vetted: Vetted) -> None:
    """Keep a vetting for this process; a cache past 256 files starts afresh."""
    if key is not None:
        if len(cache) > 256:
            cache.clear()
        cache[key] = vetted


def _file_key(path: Path) -> tuple | None:
    try:
        st = path.stat()
        return (str(path.resolve()), st.st_size, st.st_ino, st.st_mtime_ns)
    except (OSError, ValueError):
        return None


def scan_sheets(path: Path, names: Collection[str]) -> dict[str, dict[tuple[int, int], str]]:
    """Scan the parts of the named worksheets of a vetted .xlsx file, as :func:`vet_workbook` scans
    every sheet: the grid bound (:class:`ReadError`) and the error cells of each (sheet name -> cells)."""
    wanted = set(names)
    with _damage_as_read_error(), zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        sheets = _sheet_names(zf, {i.filename for i in infos})
        errors: dict[str, dict[tuple[int, int], str]] = {}
        for info in infos:  # in the zip's order, as a whole vetting scans them
            if sheets.get(info.filename) in wanted:
                found = _vet_sheet(zf, info, sheets[info.filename])
                if found:
                    errors[sheets[info.filename]] = found
        return errors


@contextmanager
def _damage_as_read_error() -> Iterator[None]:
    """A damaged zip, read as :class:`ReadError` with what to do."""
    try:
        yield
    except ReadError:
        raise
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
        raise ReadError(
            f"工作簿已损坏或不完整（可能被截断）：{exc}。请从备份恢复，或用 Excel/WPS 打开修复后另存。", "damaged"
        ) from exc
    except (OSError, ValueError, NotImplementedError) as exc:
        raise ReadError(
            f"工作簿已损坏，无法解压：{exc}。请从备份恢复，或用 Excel/WPS 打开修复后另存。", "damaged"
        ) from exc


def _vet_package(path: Path) -> Vetted:
    """The package vetted (an .xlsx file's sheet parts are scanned apart: :func:`scan_sheets`)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(512)
    except FileNotFoundError as exc:
        raise ReadError("文件不存在。请检查路径。", "missing") from exc
    except OSError as exc:
        raise ReadError(f"无法打开文件：{exc.strerror or exc}。请检查文件权限。", "unreadable") from exc
    if size == 0:
        raise ReadError("文件为空（0 字节），不是工作簿。请重新保存或从备份恢复。", "empty")
    if head.startswith(OLE_MAGIC):
        if _ole_is_encrypted(path):
            raise ReadError(
                "工作簿设置了打开密码（已加密），无法读取。请在 Excel/WPS 中取消密码后另存为 .xlsx 再检查。",
                "encrypted",
            )
        _vet_cfb(head, size)
        return Vetted(CFB)
    if not head.startswith(ZIP_MAGIC):
        raise ReadError(
            (
                "不是 Excel 工作簿或其他电子表格文件（.xlsx/.xlsm/.xls/.xlsb/.et/.ods）。请确认文件类型，或用 Exc"
                "el/WPS 另存为 .xlsx。"
            ),
            "not-workbook",
        )
    with _damage_as_read_error(), zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        names = {i.filename for i in infos}
        kind = _zip_kind(zf, names)
        _vet_parts(zf, infos)
        if kind != XLSX:
            return Vetted(kind)
        sheets = _sheet_names(zf, names)
        sizes = {sheets[i.filename]: i.file_size for i in infos if i.filename in sheets}
        return Vetted(XLSX, {}, sizes, scanned=False)


def _zip_kind(zf: zipfile.ZipFile, names: set[str]) -> str:
    if "[Content_Types].xml" in names and "xl/workbook.bin" in names:
        return XLSB
    if "[Content_Types].xml" in names and any(n.startswith("xl/workbook.") for n in names):
        return XLSX
    if "mimetype" in names and "content.xml" in names:
        info = zf.getinfo("mimetype")
        if info.file_size <= 200 and zf.read(info).strip() == ODS_MIME:
            return ODS
    raise ReadError("压缩包中没有工作簿内容，不是 Excel 工作簿。请确认文件类型。", "not-workbook")


def _vet_parts(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Zip bombs (sizes and ratios from the directory) and XML bombs (a DTD before the root element)."""
    total = 0
    for info in infos:
        total += info.file_size
        if info.flag_bits & 0x1:
            raise ReadError("工作簿的部件已加密，无法读取。请取消密码后另存为 .xlsx。", "encrypted")
        if info.file_size > MAX_PART_BYTES or (
            info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1)
        ):
            raise ReadError(
                (
                    f"部件 {info.filename} 解压后达 {info.file_size / 2**20:.0f} MB（压缩比异常），疑似“压缩炸弹”"
                    "，已拒绝读取。"
                ),
                "zip-bomb",
            )
    if total > MAX_TOTAL_BYTES:
        raise ReadError(f"工作簿解压后共 {total / 2**30:.1f} GB，超过上限，疑似“压缩炸弹”，已拒绝读取。", "zip-bomb")
    for info in infos:
        if info.filename.endswith((".xml", ".rels", ".vml")):
            with zf.open(info) as part:
                dtd = _has_dtd(part)
            if dtd:
                raise ReadError(
                    f"部件 {info.filename} 含有 DTD/实体声明（Excel 不会生成），疑似“XML 炸弹”，已拒绝读取。",
                    "xml-bomb",
                )


def _vet_cfb(head: bytes, size: int) -> None:
    """A compound file's own bound: its size, and a header whose sector tables fit in the file."""
    if size > MAX_CFB_BYTES:
        raise ReadError(
            f"旧版 .xls/.et 文件达 {size / 2**20:.0f} MB，超过读取上限（{MAX_CFB_BYTES >> 20} MB）。"
            "请在 Excel 或 WPS 中另存为 .xlsx 后再检查。",
            "too-large",
        )
    if len(head) < 512:
        raise ReadError(
            "旧版 .xls/.et 文件不完整（可能被截断）。请从备份恢复，或用 Excel/WPS 打开修复后另存。", "damaged"
        )
    shift = int.from_bytes(head[30:32], "little")
    fat_sectors = int.from_bytes(head[44:48], "little")
    if head[28:30] != b"\xfe\xff" or shift not in (9, 12) or fat_sectors * (1 << shift) > size:
        raise ReadError(
            "旧版 .xls/.et 文件的结构已损坏。请从备份恢复，或用 Excel/WPS 打开修复后另存为 .xlsx。", "damaged"
        )


def _sheet_names(zf: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Worksheet part name -> the sheet's name in the workbook (the part name when unknown)."""
    out = {n: n.rsplit("/", 1)[-1] for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    try:
        book = zf.read("xl/workbook.xml")[: 4 << 20] if "xl/workbook.xml" in names else b""
        rels = zf.read("xl/_rels/workbook.xml.rels")[: 4 << 20] if "xl/_rels/workbook.xml.rels" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return out
    targets = {m[1]: m[2] for m in _REL.finditer(rels)}
    for m in _SHEET.finditer(book):
        target = targets.get(m["id"])
        if target is None:
            continue
        part = target.decode("utf-8", "replace").lstrip("/")
        part = part if part.startswith("xl/") else "xl/" + part
        if part in out:
            out[part] = _unescape(m["name"].decode("utf-8", "replace"))
    return out


_REL = re.compile(rb'<Relationship\b(?=[^>]*\bId="([^"]+)")(?=[^>]*\bTarget="([^"]+)")[^>]*>')
_SHEET = re.compile(rb'<(?:\w+:)?sheet\b(?=[^>]*\bname="(?P<name>[^"]*)")(?=[^>]*\br:id="(?P<id>[^"]+)")[^>]*>')
# a cell that makes the fast path unsure: a column of two or more letters, a row of six digits,
# or a cell whose reference is not the first attribute (or missing, or behind a namespace prefix)
# The fast path, a few C-speed searches per chunk: a cell tag that does not begin with a reference
# within A1:Z99999 (far away, no reference, or the reference not first) or a cell tag behind a
# namespace prefix sends the sheet to the exact measure; otherwise every valued cell is within A1:Z99999.
_NOT_NEAR = re.compile(rb'<c(?! r="[A-Z][0-9]{1,5}")[ \t\n\r>/]')
_PREFIXED = re.compile(rb":c[\s>/]")
_ERROR_MARK = re.compile(rb't="e"')
_IRREGULAR = re.compile(rb'<c(?:>|/>|\s(?!r="))|<\w+:c[\s>/]')
_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*?(/?)>')
_ERROR_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*?\st="e"[^>]*>(.*?)</c>', re.DOTALL)
_ERROR_VALUE = re.compile(rb"<(?:\w+:)?v>\s*(#[^<]{1,20}?)\s*</")
_TOKEN = re.compile(rb"<(?:\w+:)?(row|c)(?=[\s>/])([^>]*?)(/?)>")
_ATTR_R = re.compile(rb'\sr="([A-Z]*)([0-9]*)"')
_FAST_ROWS = 99_999
_FAST_COLS = 26


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def col_letters(col: int) -> str:
    """1 -> A, 16384 -> XFD."""
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes in overlapping chunks (a tag cut at a chunk's end is whole in the next).

    A part that inflates to more than the zip declares is a zip bomb that lies about its size
    (zipfile would only notice at the end, by its CRC): refused as soon as it passes the mark.
    """
    tail = b""
    seen = 0
    with zf.open(info) as part:
        while True:
            data = part.read(CHUNK_BYTES)
            if not data:
                return
            seen += len(data)
            if seen > info.file_size:
                raise ReadError(
                    (
                        f"部件 {info.filename} 解压后超过压缩包中声明的大小（{info.file_size} 字节），文件已损坏"
                        "或被篡改，已拒绝读取。"
                    ),
                    "zip-bomb",
                )
            cut = data.rfind(b"<")
            if cut < 0:
                cut = len(data)
            yield tail + data[:cut]
            tail = data[cut:]
            if len(tail) > 1 << 20:  # one tag longer than a megabyte: nothing a sheet holds
                yield tail
                tail = b""
        yield tail


def _vet_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str) -> dict[tuple[int, int], str]:
    """Refuse a worksheet whose dense grid (A1 to the farthest cell with a value) exceeds the budget.

    Returns the sheet's error cells, (0-based row, column) -> error value such as ``#REF!``: the
    fast reader gives them as empty cells, and a check must not call them empty.
    """
    far = False
    errors: dict[tuple[int, int], str] = {}
    for chunk in _chunks(zf, info):
        far = far or _NOT_NEAR.search(chunk) is not None or _PREFIXED.search(chunk) is not None
        if _ERROR_MARK.search(chunk):
            for letters, digits, body in _ERROR_CELL.findall(chunk):
                value = _ERROR_VALUE.search(body)
                errors[(int(digits) - 1, _col_number(letters) - 1)] = (
                    value[1].decode("ascii", "replace") if value else "#错误"
                )
    if far:
        _vet_extent(zf, info, sheet)  # some valued cell beyond A1:Z99999: measure exactly
    return errors


def _vet_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str) -> None:
    extent = _regular_extent(_chunks(zf, info))
    rows, cols, far = extent if extent is not None else _walked_extent(_chunks(zf, info))
    if rows * cols > MAX_GRID_CELLS:
        ref = f"{col_letters(far[1])}{far[0]}"
        raise ReadError(
            f"工作表“{sheet}”的 {ref} 有内容，使表格范围过大（A1:{col_letters(cols)}{rows}，{rows * cols:,} "
            "个单元格）；"
            "请删除该单元格（或那里多余的行列）后另存，再检查。",
            "too-large",
        )


def _regular_extent(chunks: Iterable[bytes]) -> tuple[int, int, tuple[int, int]] | None:
    """(last row, last column, the farthest cell) over the valued cells, or None when some cell
    has no reference, a reference that is not its first attribute, or a namespace prefix."""
    rows = cols = 0
    far = (0, 0)
    for chunk in chunks:
        if _IRREGULAR.search(chunk):
            return None
        for letters, digits, empty in _CELL.findall(chunk):
            if empty:
                continue  # a self-closed cell holds only a style
            r, c = int(digits), _col_number(letters)
            if r > rows or c > cols:
                rows, cols = max(rows, r), max(cols, c)
                if r * c >= far[0] * far[1]:
                    far = (r, c)
    return rows, cols, far


def _walked_extent(chunks: Iterable[bytes]) -> tuple[int, int, tuple[int, int]]:
    """The same, tag by tag, placing what has no reference the way the reader does: a row after
    the previous row, a cell right of the previous cell, in the row being read."""
    rows = cols = 0
    far = (0, 0)
    row = col = 0
    for chunk in chunks:
        for m in _TOKEN.finditer(chunk):
            ref = _ATTR_R.search(m[2])
            if m[1] == b"row":
                row, col = (int(ref[2]) if ref and ref[2] else row + 1), 0
                continue
            if ref and ref[1] and ref[2]:
                r, col = int(ref[2]), _col_number(ref[1])
            else:
                r, col = row, col + 1
            if not m[3] and (r > rows or col > cols):
                rows, cols = max(rows, r), max(cols, col)
                if r * col >= far[0] * far[1]:
                    far = (r, col)
    return rows, cols, far


def _ole_is_encrypted(path: Path) -> bool:
    """An encrypted OOXML file is an OLE container with an ``EncryptionInfo`` stream."""
    with path.open("rb") as fh:
        data = fh.read(1 << 20)
    return "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data


def _has_dtd(part: IO[bytes]) -> bool:
    """True when an XML part declares a DTD or entities before its root element.

    The prolog may hold comments and white space before ``<!DOCTYPE``, and a part may be
    UTF-16, so the first bytes alone prove nothing: read until the root element starts.
    """
    data = b""
    while True:
        chunk = part.read(PROLOG_BYTES if not data else 16 * PROLOG_BYTES)
        data += chunk
        head = _COMMENT.sub(b"", _as_utf8(data))
        root = _ROOT.search(head)
        if root is not None:
            head = head[: root.start()]
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            return True
        if root is not None or not chunk:
            return False
        if len(data) >= MAX_PROLOG_BYTES:
            return True  # a megabyte before the root element: no workbook part looks like that


def _as_utf8(data: bytes) -> bytes:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
        enc = "utf-16-be" if data[:2] == b"\xfe\xff" or data[:1] == b"\x00" else "utf-16-le"
        return data.decode(enc, errors="ignore").encode("utf-8")
    return data
