"""Vetting a workbook file before any parser sees it.

Refuses, with a clear :class:`ReadError`, what would crash or exhaust a parser: files that are
not workbooks, encrypted files, truncated zips, zip bombs (parts that inflate to gigabytes), XML
bombs (a DTD with entities; OOXML and OpenDocument parts never carry a DTD) and compound (OLE)
files too large or with a header that does not add up. Only the zip directory, the first bytes
of each XML part and the compound file's header are read, so this costs milliseconds.

:func:`vet_workbook` accepts every format units keep their ledgers in and says which it is by
the file's bytes, never its suffix: ``xlsx`` (also .xlsm, and a WPS .et saved as a zip),
``xlsb``, ``ods`` and ``cfb`` (a BIFF .xls, or a WPS .et). :func:`vet_package` accepts only the
``xlsx`` packages the writers can edit.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import IO

from toolkit.errors import ReadError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
XLSX, XLSB, ODS, CFB = "xlsx", "xlsb", "ods", "cfb"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
MAX_CFB_BYTES = 256 << 20  # a BIFF workbook is read whole into memory: 256 MiB is far above any real ledger
MAX_PART_BYTES = 1 << 30  # one part may inflate to 1 GiB at most
MAX_TOTAL_BYTES = 2 << 30
MAX_RATIO = 200  # a real sheet part compresses 5-30x; a bomb 1000x and more
RATIO_FLOOR = 16 << 20  # the ratio test applies to parts above 16 MiB
PROLOG_BYTES = 4096
MAX_PROLOG_BYTES = 1 << 20  # comments and white space before the root element; Excel writes a few bytes
_ROOT = re.compile(rb"<[A-Za-z_]")
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)


def vet_package(path: Path) -> None:
    """Raise :class:`ReadError` unless ``path`` looks like a safe .xlsx/.xlsm package."""
    kind = vet_workbook(path)
    if kind != XLSX:
        raise ReadError(
            f"这是 {FORMAT_ZH[kind]} 格式，只能检查，不能直接写入。请在 Excel 或 WPS 中“另存为” .xlsx 后再试。", "legacy"
        )


FORMAT_ZH = {XLSX: ".xlsx", XLSB: ".xlsb", ODS: ".ods", CFB: "旧版 .xls/.et"}


def vet_workbook(path: Path) -> str:
    """The format of a safe workbook file (``xlsx``, ``xlsb``, ``ods``, ``cfb``); :class:`ReadError` otherwise."""
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
            raise ReadError("工作簿设置了打开密码（已加密），无法读取。请在 Excel/WPS 中取消密码后另存为 .xlsx 再检查。", "encrypted")
        _vet_cfb(head, size)
        return CFB
    if not head.startswith(ZIP_MAGIC):
        raise ReadError(
            "不是 Excel 工作簿或其他电子表格文件（.xlsx/.xlsm/.xls/.xlsb/.et/.ods）。请确认文件类型，或用 Excel/WPS 另存为 .xlsx。",
            "not-workbook",
        )
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            kind = _zip_kind(zf, {i.filename for i in infos})
            _vet_parts(zf, infos)
    except ReadError:
        raise
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
        raise ReadError(f"工作簿已损坏或不完整（可能被截断）：{exc}。请从备份恢复，或用 Excel/WPS 打开修复后另存。", "damaged") from exc
    except (OSError, ValueError, NotImplementedError) as exc:
        raise ReadError(f"工作簿已损坏，无法解压：{exc}。请从备份恢复，或用 Excel/WPS 打开修复后另存。", "damaged") from exc
    return kind


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
                f"部件 {info.filename} 解压后达 {info.file_size / 2**20:.0f} MB（压缩比异常），疑似“压缩炸弹”，已拒绝读取。",
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
                    f"部件 {info.filename} 含有 DTD/实体声明（Excel 不会生成），疑似“XML 炸弹”，已拒绝读取。", "xml-bomb"
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
        raise ReadError("旧版 .xls/.et 文件不完整（可能被截断）。请从备份恢复，或用 Excel/WPS 打开修复后另存。", "damaged")
    shift = int.from_bytes(head[30:32], "little")
    fat_sectors = int.from_bytes(head[44:48], "little")
    if head[28:30] != b"\xfe\xff" or shift not in (9, 12) or fat_sectors * (1 << shift) > size:
        raise ReadError("旧版 .xls/.et 文件的结构已损坏。请从备份恢复，或用 Excel/WPS 打开修复后另存为 .xlsx。", "damaged")


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
