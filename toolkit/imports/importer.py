"""``import``: recognise other layouts in one or more workbooks and write a new ledger in the guide's forms."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import ImportFailed, ToolkitError
from toolkit.files import claim_output, is_own_file
from toolkit.forms.layout import write_ledger
from toolkit.imports.convert import Conversion, convert
from toolkit.imports.extract import Records, extract
from toolkit.imports.recognise import SHAPE_ZH, WHITELIST, SheetLayout, describe, open_book, recognise_book

IMPORT_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".et")


@dataclass
class ImportResult:
    """What ``import`` found and wrote."""

    written: Path | None
    layouts: list[SheetLayout]
    records: Records
    conversion: Conversion
    notes: list[str] = field(default_factory=list)

    @property
    def recognised(self) -> list[SheetLayout]:
        return [lay for lay in self.layouts if lay.shape]

    def to_dict(self) -> dict[str, Any]:
        data = self.conversion.data
        return {
            "written": str(self.written) if self.written else None,
            "sheets": [
                {
                    "file": lay.file,
                    "sheet": lay.sheet,
                    "shape": lay.shape,
                    "rows": self.records.rows.get(lay.where, 0),
                    "columns": lay.found,
                    "unplaced": lay.unplaced,
                }
                for lay in self.layouts
            ],
            "computers": len(self.records.machines),
            "software": len(data.summary),
            "installs": sum(len(rows) for _, rows in data.logs.values()),
            "whitelist": len(data.whitelist),
            "notes": self.notes,
        }


def input_files(paths: Iterable[str | Path]) -> list[Path]:
    """The workbooks named, and every workbook below a named folder (lock files, the toolkit's backups
    and temporary files skipped)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs.sort()
                out.extend(
                    Path(root) / f for f in sorted(files) if f.lower().endswith(IMPORT_SUFFIXES) and not is_own_file(f)
                )
        else:
            out.append(p)
    return out


def recognise_files(paths: Iterable[str | Path], maps: Mapping[str, str] | None = None) -> list[SheetLayout]:
    """Every sheet of every input, recognised (an unreadable file is an :class:`ImportFailed`)."""
    layouts: list[SheetLayout] = []
    for path in input_files(paths):
        try:
            book = open_book(path)
        except ToolkitError as exc:
            raise ImportFailed(f"{path}：{exc}") from exc
        layouts.extend(recognise_book(book, str(path), maps))
    return layouts


def import_ledger(
    paths: Iterable[str | Path],
    out: str | Path | None,
    *,
    day: dt.date | None = None,
    unit: str = "",
    maps: Mapping[str, str] | None = None,
    force: bool = False,
) -> ImportResult:
    """Convert the inputs into a new ledger at ``out`` (``None``: only recognise and convert, write nothing)."""
    target = Path(out) if out is not None else None
    if target is not None:
        if target.suffix.lower() != ".xlsx":
            raise ImportFailed(f"输出文件“{target.name}”的扩展名应为 .xlsx。")
        # not an input, an existing file only with --force, never a read-only one (docs/cli.md, write rules)
        paths = list(paths)
        claim_output(target, inputs=input_files(paths), force=force)
    layouts = recognise_files(paths, maps)
    if not any(lay.shape not in (None, WHITELIST) for lay in layouts):  # a whitelist alone is no ledger
        if any(lay.guide for lay in layouts):
            forms = "、".join(dict.fromkeys(lay.guide for lay in layouts if lay.guide))
            raise ImportFailed(f"输入已是指南格式的台账（有{forms}），不需要导入：请直接用 zbtz check 检查。")
        raise ImportFailed(
            f"没有找到可以导入的表：{describe(layouts) or '（没有非空的工作表）'}。"
            "请用 --map 表头=字段 指明各列（例如 --map 电脑编号=计算机编号 --map 软件=软件名称），字段见 zbtz"
            " import --help。"
        )
    records = extract(layouts)
    conversion = convert(records, day or dt.date.today(), unit)
    notes = [*_layout_notes(layouts), *records.skipped, *conversion.notes]
    if target is not None:
        write_ledger(target, conversion.data, fast=True)
    return ImportResult(target, layouts, records, conversion, notes)


def _layout_notes(layouts: list[SheetLayout]) -> list[str]:
    notes = []
    for lay in layouts:
        if lay.shape is None:
            notes.append(f"{lay.where}：未导入（{describe([lay])}）")
        elif lay.unplaced:
            notes.append(f"{lay.where}：以下列未能放入台账：{'、'.join(lay.unplaced)}（可用 --map 表头=字段 指定）")
        if lay.shape == "per_computer":
            notes.append(f"{lay.where}：按{SHAPE_ZH[lay.shape]}导入，计算机为“{lay.context.get('computer')}”")
    return notes
