"""Vetting a workbook package before any parser sees it.

Refuses, with a clear :class:`ReadError`, what would crash or exhaust a parser: files that are
not workbooks, legacy or encrypted (OLE) files, truncated zips, zip bombs (parts that inflate to
gigabytes) and XML bombs (a DTD with entities; OOXML parts never carry a DTD). Only the zip
directory and the first bytes of each XML part are read, so this costs milliseconds.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import IO

from toolkit.errors import ReadError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
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
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except FileNotFoundError as exc:
        raise ReadError("文件不存在。请检查路径。", "missing") from exc
    except OSError as exc:
        raise ReadError(f"无法打开文件：{exc.strerror or exc}。请检查文件权限。", "unreadable") from exc
    if size == 0:
        raise ReadError("文件为空（0 字节），不是工作簿。请重新保存或从备份恢复。", "empty")
    if head.startswith(OLE_MAGIC):
        if _ole_is_encrypted(path):
            raise ReadError("工作簿设置了打开密码（已加密），无法读取。请在 Excel/WPS 中取消密码后另存为 .xlsx 再检查。", "encrypted")
        raise ReadError("这是旧版 .xls/.et 格式。请在 Excel 或 WPS 中“另存为” .xlsx 后再检查。", "legacy")
    if not head.startswith(ZIP_MAGIC):
        raise ReadError("不是 Excel 工作簿（.xlsx/.xlsm）文件。请确认文件类型，或用 Excel/WPS 另存为 .xlsx。", "not-workbook")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/workbook.") for n in names):
                raise ReadError("压缩包中没有工作簿内容，不是 Excel 工作簿。请确认文件类型。", "not-workbook")
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
    except ReadError:
        raise
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
        raise ReadError(f"工作簿已损坏或不完整（可能被截断）：{exc}。请从备份恢复，或用 Excel/WPS 打开修复后另存。", "damaged") from exc
    except (OSError, ValueError, NotImplementedError) as exc:
        raise ReadError(f"工作簿已损坏，无法解压：{exc}。请从备份恢复，或用 Excel/WPS 打开修复后另存。", "damaged") from exc


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
