"""Text from a ledger, made safe for where it goes: a workbook cell, a note, a terminal.

- :func:`cell_text` cuts a text at Excel's limit of 32,767 characters per cell (and per note),
  ending it with "…", so that Excel opens what the toolkit writes without "repairing" it.
- :func:`text_only` turns every formula cell of an openpyxl workbook the toolkit built into a
  text cell: openpyxl stores any string starting with ``=`` as a formula, and nothing from a
  ledger may become a live formula (``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``) in an output.
- :func:`xml_safe` drops the characters XML 1.0 cannot carry (openpyxl refuses them).
- :func:`terminal_text` strips escape sequences and control characters, so a software name
  holding an OSC 8 link or a "clear screen" prints as plain text.
"""

from __future__ import annotations

import re
from typing import Any

EXCEL_CELL_MAX = 32_767  # characters in one cell, and in one note (Excel's specifications and limits)
ELLIPSIS = "…"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# ESC sequences (CSI ... final byte, OSC ... BEL or ST, any other ESC + one char), then lone controls
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def cell_text(text: str, limit: int = EXCEL_CELL_MAX) -> str:
    """``text`` cut to ``limit`` characters, the last one "…" when anything was cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + ELLIPSIS


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry, cut to a cell's limit."""
    if _XML_ILLEGAL.search(text):
        text = _XML_ILLEGAL.sub("", text)
    return cell_text(text)


def cell_value(value: Any) -> Any:
    """A value for an openpyxl cell: text made :func:`xml_safe`, anything else as it is."""
    return xml_safe(value) if isinstance(value, str) else value


def text_only(wb: Any) -> Any:
    """Make every formula cell of the openpyxl workbook ``wb`` a text cell, and every text fit a cell."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    c.data_type = "s"
                if isinstance(c.value, str) and len(c.value) > EXCEL_CELL_MAX:
                    c.value = cell_text(c.value)
    return wb


def terminal_text(text: str) -> str:
    """``text`` for a terminal: escape sequences and control characters removed (new lines and tabs kept)."""
    if not text.isprintable() or "\x1b" in text:
        text = _CONTROLS.sub("", _ESCAPES.sub("", text))
    return text
