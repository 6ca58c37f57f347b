"""Import ledgers kept in other layouts into the guide's forms (``zbtz import``).

:func:`import_ledger` recognises the sheets of one or more workbooks (:mod:`.recognise`), reads
their rows as records (:mod:`.extract`), converts them into the official forms (:mod:`.convert`)
and writes a new ledger. :func:`foreign_layout` tells ``check`` that a workbook is in another
layout and can be imported.
"""

from toolkit.errors import ImportFailed, MappingError
from toolkit.imports.fields import parse_maps
from toolkit.imports.importer import ImportResult, import_ledger, input_files, recognise_files
from toolkit.imports.recognise import SHAPE_ZH, SheetLayout, describe

__all__ = [
    "SHAPE_ZH",
    "ImportFailed",
    "ImportResult",
    "MappingError",
    "SheetLayout",
    "describe",
    "import_ledger",
    "input_files",
    "parse_maps",
    "recognise_files",
]
