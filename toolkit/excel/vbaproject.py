"""Build a ``vbaProject.bin`` from VBA module text, without Office ([MS-OVBA] in a [MS-CFB] file).

The project holds the modules' source only, compressed as [MS-OVBA] 2.4.1 describes, with no
compiled p-code: its ``_VBA_PROJECT`` stream carries version 0xFFFF, which no Office version
matches, so Office ignores the (absent) performance cache and compiles the project from the
source when the workbook is opened. The output is deterministic: the same modules give the same
bytes (the project GUID and the protection seeds derive from the source).

Written here:

- a compound file (version 3, 512-byte sectors; streams under 4 KiB in the mini stream; the
  directory as a balanced tree per storage, compared by length then upper-case name);
- ``PROJECT`` (the text properties, with the CMG/DPB/GC protection values encrypted as in
  [MS-OVBA] 2.4.3: unprotected, no password, visible), ``PROJECTwm``;
- ``VBA/dir`` (compressed; one reference, to OLE Automation), ``VBA/_VBA_PROJECT``, and one
  stream per module whose source starts at offset 0.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Module", "build_vba_project", "compress", "document_module"]

CODE_PAGE = 936  # GBK, the ANSI code page of Chinese Windows; module text is encoded with it
_WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
_SHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
_STDOLE = "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\\Windows\\System32\\stdole2.tlb#OLE Automation"


@dataclass(frozen=True)
class Module:
    """One VBA module: its name, its full source (``Attribute VB_Name`` lines included) and kind."""

    name: str
    source: str
    document: bool = False  # a workbook or sheet module (its object's code), not a standard module


def document_module(name: str, workbook: bool = False) -> Module:
    """The empty code module of the workbook (``ThisWorkbook``) or of a sheet (its code name)."""
    base = _WORKBOOK_BASE if workbook else _SHEET_BASE
    lines = [
        f'Attribute VB_Name = "{name}"',
        f'Attribute VB_Base = "{base}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]
    return Module(name, "\r\n".join(lines) + "\r\n", document=True)


# --------------------------------------------------------------------------- [MS-OVBA] 2.4.1 compression


def compress(data: bytes) -> bytes:
    """A CompressedContainer: signature byte 1, then one chunk per 4096 bytes of input."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        chunk = data[start : start + 4096]
        body = _compress_chunk(chunk)
        if len(body) > 4096:  # incompressible: a raw chunk, which must hold exactly 4096 bytes
            if len(chunk) < 4096:
                raise ValueError("incompressible data at the end of a VBA stream (not text)")
            out += struct.pack("<H", 0x3FFF) + chunk
        else:
            out += struct.pack("<H", (len(body) + 2 - 3) | 0xB000) + body
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    out = bytearray()
    heads: dict[bytes, list[int]] = {}  # earlier positions by their first three bytes
    pos, n = 0, len(chunk)

    def remember(p: int) -> None:
        if p + 3 <= n:
            heads.setdefault(chunk[p : p + 3], []).append(p)

    while pos < n:
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= n:
                break
            bits = max((pos - 1).bit_length(), 4)
            max_len = (0xFFFF >> bits) + 3
            best_len = best_at = 0
            for cand in reversed(heads.get(chunk[pos : pos + 3], ())):
                length = 0
                while length < max_len and pos + length < n and chunk[cand + length] == chunk[pos + length]:
                    length += 1
                if length > best_len:
                    best_len, best_at = length, cand
                    if length == max_len:
                        break
            if best_len >= 3:
                token = ((pos - best_at - 1) << (16 - bits)) | (best_len - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                for p in range(pos, pos + best_len):
                    remember(p)
                pos += best_len
            else:
                out.append(chunk[pos])
                remember(pos)
                pos += 1
        out[flag_at] = flags
    return bytes(out)


# --------------------------------------------------------------------------- [MS-OVBA] 2.4.3 data encryption


def _encrypt(data: bytes, project_id: str, seed: int) -> str:
    """CMG/DPB/GC text: the data encrypted with a seed and the project key, in hex."""
    version, key = 2, sum(project_id.encode("ascii")) & 0xFF
    out = bytearray([seed, seed ^ version, seed ^ key])
    unenc1, enc1, enc2 = key, seed ^ key, seed ^ version
    ignored = bytes((seed * 7 + i) & 0xFF for i in range((seed & 6) // 2))
    for byte in ignored + struct.pack("<I", len(data)) + data:
        enc = byte ^ ((enc2 + unenc1) & 0xFF)
        out.append(enc)
        enc2, enc1, unenc1 = enc1, enc, byte
    return out.hex().upper()


# --------------------------------------------------------------------------- the project streams


def _rec(rid: int, data: bytes) -> bytes:
    return struct.pack("<HI", rid, len(data)) + data


def _dir_stream(modules: Sequence[Module], cp: str) -> bytes:
    enc = lambda s: s.encode(cp)  # noqa: E731
    uni = lambda s: s.encode("utf-16-le")  # noqa: E731
    d = bytearray()
    d += _rec(0x0001, struct.pack("<I", 1))  # SysKind: 32-bit Windows (Office recompiles for 64-bit)
    d += _rec(0x0002, struct.pack("<I", 0x0409))  # LCID
    d += _rec(0x0014, struct.pack("<I", 0x0409))  # LCIDINVOKE
    d += _rec(0x0003, struct.pack("<H", CODE_PAGE))
    d += _rec(0x0004, enc("VBAProject"))
    d += _rec(0x0005, b"") + _rec(0x0040, b"")  # doc string, and its Unicode form
    d += _rec(0x0006, b"") + _rec(0x003D, b"")  # help files 1 and 2
    d += _rec(0x0007, struct.pack("<I", 0))  # help context
    d += _rec(0x0008, struct.pack("<I", 0))  # lib flags
    d += struct.pack("<HIIH", 0x0009, 4, 0x6901E03F, 0x0002)  # version (reserved size 4, major, minor)
    d += _rec(0x000C, b"") + _rec(0x003C, b"")  # conditional compilation constants
    libid = _STDOLE.encode("ascii")
    d += _rec(0x0016, enc("stdole")) + _rec(0x003E, uni("stdole"))
    d += struct.pack("<HII", 0x000D, 4 + len(libid) + 6, len(libid)) + libid + struct.pack("<IH", 0, 0)
    d += _rec(0x000F, struct.pack("<H", len(modules)))
    d += _rec(0x0013, struct.pack("<H", 0xFFFF))  # project cookie
    for m in modules:
        d += _rec(0x0019, enc(m.name)) + _rec(0x0047, uni(m.name))
        d += _rec(0x001A, enc(m.name)) + _rec(0x0032, uni(m.name))
        d += _rec(0x001C, b"") + _rec(0x0048, b"")
        d += _rec(0x0031, struct.pack("<I", 0))  # source text offset: no p-code before it
        d += _rec(0x001E, struct.pack("<I", 0))
        d += _rec(0x002C, struct.pack("<H", 0xFFFF))
        d += _rec(0x0022 if m.document else 0x0021, b"")
        d += _rec(0x002B, b"")
    d += _rec(0x0010, b"")
    return bytes(d)


def _project_stream(modules: Sequence[Module], project_id: str, seed: int, cp: str) -> bytes:
    lines = [f'ID="{project_id}"']
    for m in modules:
        lines.append(f"Document={m.name}/&H00000000" if m.document else f"Module={m.name}")
    lines += ['Name="VBAProject"', 'HelpContextID="0"', 'VersionCompatible32="393222000"']
    cmg = _encrypt(struct.pack("<I", 0), project_id, seed)  # protection state: not protected
    dpb = _encrypt(bytes([0]), project_id, (seed + 1) & 0xFF)  # password: none
    gc = _encrypt(bytes([0xFF]), project_id, (seed + 2) & 0xFF)  # visibility: visible
    lines += [f'CMG="{cmg}"', f'DPB="{dpb}"', f'GC="{gc}"']
    lines += ["", "[Host Extender Info]", "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000", ""]
    lines.append("[Workspace]")
    for m in modules:
        lines.append(f"{m.name}=0, 0, 0, 0, C")
    return ("\r\n".join(lines) + "\r\n").encode(cp)


def _projectwm(modules: Sequence[Module], cp: str) -> bytes:
    out = bytearray()
    for m in modules:
        out += m.name.encode(cp) + b"\x00" + m.name.encode("utf-16-le") + b"\x00\x00"
    return bytes(out + b"\x00\x00")


def build_vba_project(modules: Sequence[Module]) -> bytes:
    """The bytes of ``vbaProject.bin`` holding ``modules`` (source only; Office compiles on open)."""
    cp = f"cp{CODE_PAGE}"
    digest = hashlib.sha256("\0".join(m.name + "\0" + m.source for m in modules).encode("utf-8")).digest()
    h = digest[:16].hex().upper()
    project_id = f"{{{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}}}"
    vba: dict[str, bytes] = {
        "_VBA_PROJECT": struct.pack("<HHBH", 0x61CC, 0xFFFF, 0, 0),
        "dir": compress(_dir_stream(modules, cp)),
    }
    for m in modules:
        vba[m.name] = compress(_normalise(m.source).encode(cp))
    tree = {
        "PROJECT": _project_stream(modules, project_id, digest[16], cp),
        "PROJECTwm": _projectwm(modules, cp),
        "VBA": vba,
    }
    return write_compound_file(tree)


def _normalise(source: str) -> str:
    text = source.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    return text if text.endswith("\r\n") else text + "\r\n"


# --------------------------------------------------------------------------- [MS-CFB] writer

_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_SECTOR, _MINI, _CUTOFF = 512, 64, 4096


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list[_Entry] | None = None
    left: int = _NOSTREAM
    right: int = _NOSTREAM
    black: bool = True
    depth: int = 0
    child: int = _NOSTREAM
    start: int = _END
    size: int = 0


def _key(name: str) -> tuple[int, str]:
    return (len(name), name.upper())


def write_compound_file(tree: dict) -> bytes:
    """A compound file holding ``tree`` (name → bytes for a stream, name → dict for a storage)."""

    def build(name: str, node: dict | bytes, kind: int) -> _Entry:
        if isinstance(node, dict):
            kids = [build(k, v, 1 if isinstance(v, dict) else 2) for k, v in node.items()]
            return _Entry(name, kind, children=kids)
        return _Entry(name, kind, data=node)

    root = build("Root Entry", tree, 5)
    entries: list[_Entry] = []

    def number(e: _Entry) -> None:
        entries.append(e)
        for kid in e.children or []:
            number(kid)

    number(root)
    index = {id(e): i for i, e in enumerate(entries)}

    def balanced(kids: list[_Entry], depth: int) -> int:
        if not kids:
            return _NOSTREAM
        mid = len(kids) // 2
        node = kids[mid]
        node.depth = depth
        node.left, node.right = balanced(kids[:mid], depth + 1), balanced(kids[mid + 1 :], depth + 1)
        return index[id(node)]

    for e in entries:
        if e.children:
            e.child = balanced(sorted(e.children, key=lambda k: _key(k.name)), 0)
            # Halving leaves every empty link at the last or the last but one level: the nodes of the
            # last level red (unless it is full) and all others black make a valid red-black tree.
            deepest = max(k.depth for k in e.children)
            if len(e.children) != 2 ** (deepest + 1) - 1:
                for k in e.children:
                    k.black = k.depth != deepest

    # mini stream: the small streams, 64-byte sectors, chained in the mini FAT
    mini = bytearray()
    minifat: list[int] = []
    big: list[_Entry] = []
    for e in entries:
        if e.kind != 2:
            continue
        e.size = len(e.data)
        if e.size == 0:
            e.start = _END
        elif e.size < _CUTOFF:
            first = len(mini) // _MINI
            count = -(-e.size // _MINI)
            e.start = first
            minifat += [first + i + 1 for i in range(count - 1)] + [_END]
            mini += e.data + b"\x00" * (count * _MINI - e.size)
        else:
            big.append(e)

    sectors: list[bytes] = []
    fat: list[int] = []

    def place(data: bytes, marker: int | None = None) -> int:
        if not data:
            return _END
        first = len(sectors)
        count = -(-len(data) // _SECTOR)
        padded = data + b"\x00" * (count * _SECTOR - len(data))
        for i in range(count):
            sectors.append(padded[i * _SECTOR : (i + 1) * _SECTOR])
            fat.append(marker if marker is not None else (first + i + 1 if i < count - 1 else _END))
        return first

    root.start, root.size = place(bytes(mini)), len(mini)
    for e in big:
        e.start = place(e.data)
    minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat) if minifat else b""
    if minifat_bytes:
        minifat_bytes += struct.pack("<I", _FREE) * ((-len(minifat)) % (_SECTOR // 4))
    minifat_start = place(minifat_bytes)
    minifat_count = len(minifat_bytes) // _SECTOR

    dir_bytes = b"".join(_dir_entry(e) for e in entries)
    dir_bytes += _empty_entry() * ((-len(entries)) % (_SECTOR // 128))
    dir_start = place(dir_bytes)

    n_fat = 1
    while (len(sectors) + n_fat) > n_fat * (_SECTOR // 4):
        n_fat += 1
    if n_fat > 109:
        raise ValueError("VBA project too large for a compound file without DIFAT sectors")
    fat_ids = list(range(len(sectors), len(sectors) + n_fat))
    fat += [_FATSECT] * n_fat
    fat += [_FREE] * (n_fat * (_SECTOR // 4) - len(fat))
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    for i in range(n_fat):
        sectors.append(fat_bytes[i * _SECTOR : (i + 1) * _SECTOR])

    header = bytearray()
    header += bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 16
    header += struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + b"\x00" * 6
    header += struct.pack(
        "<IIIIIIIII", 0, n_fat, dir_start, 0, _CUTOFF, minifat_start if minifat_count else _END, minifat_count, _END, 0
    )
    difat = fat_ids + [_FREE] * (109 - n_fat)
    header += struct.pack("<109I", *difat)
    assert len(header) == _SECTOR
    return bytes(header) + b"".join(sectors)


def _dir_entry(e: _Entry) -> bytes:
    name = e.name.encode("utf-16-le")
    if len(name) > 62:
        raise ValueError(f"name too long for a compound file entry: {e.name}")
    out = name + b"\x00" * (64 - len(name))
    out += struct.pack("<HBB", len(name) + 2, e.kind, 1 if e.black else 0)
    out += struct.pack("<III", e.left, e.right, e.child)
    out += b"\x00" * 16 + struct.pack("<I", 0) + b"\x00" * 16  # CLSID, state bits, times
    out += struct.pack("<IQ", e.start if e.kind != 1 else 0, e.size if e.kind != 1 else 0)
    return out


def _empty_entry() -> bytes:
    return (
        b"\x00" * 64
        + struct.pack("<HBB", 0, 0, 0)
        + struct.pack("<III", _NOSTREAM, _NOSTREAM, _NOSTREAM)
        + b"\x00" * 48
    )
