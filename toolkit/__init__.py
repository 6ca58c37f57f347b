"""zbtz（正版台账工具箱）: check, roll up and annotate a unit's genuine-software ledger workbooks.

The library face: everything a caller needs is importable from ``toolkit`` itself::

    from toolkit import check, rollup_file, annotate_file, number, consolidate

Names are resolved on first use, so ``import toolkit`` (and the Excel entry points under
``toolkit.excel``) load nothing heavy until a function is called.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_FACE = {
    "check": "toolkit.checking",
    "check_file": "toolkit.checking",
    "rollup_file": "toolkit.write.edit",
    "annotate_file": "toolkit.write.edit",
    "number": "toolkit.write.edit",
    "consolidate": "toolkit.consolidation",
    "import_ledger": "toolkit.imports",
    "Report": "toolkit.findings",
    "Finding": "toolkit.findings",
    "ToolkitError": "toolkit.errors",
    "UsageError": "toolkit.errors",
    "ReadError": "toolkit.errors",
    "WriteError": "toolkit.errors",
    "WorkbookLockedError": "toolkit.errors",
    "EditError": "toolkit.errors",
    "RollupError": "toolkit.errors",
    "NumberingError": "toolkit.errors",
    "PrintError": "toolkit.errors",
    "TemplateError": "toolkit.errors",
    "PackageError": "toolkit.errors",
    "ImportFailed": "toolkit.errors",
    "MappingError": "toolkit.errors",
}

__all__ = [
    "__version__",
    "check",
    "check_file",
    "rollup_file",
    "annotate_file",
    "number",
    "consolidate",
    "import_ledger",
    "Report",
    "Finding",
    "ToolkitError",
    "UsageError",
    "ReadError",
    "WriteError",
    "WorkbookLockedError",
    "EditError",
    "RollupError",
    "NumberingError",
    "PrintError",
    "TemplateError",
    "PackageError",
    "ImportFailed",
    "MappingError",
]

if TYPE_CHECKING:
    from toolkit.checking import check, check_file
    from toolkit.consolidation import consolidate
    from toolkit.errors import (
        EditError,
        ImportFailed,
        MappingError,
        NumberingError,
        PackageError,
        PrintError,
        ReadError,
        RollupError,
        TemplateError,
        ToolkitError,
        UsageError,
        WorkbookLockedError,
        WriteError,
    )
    from toolkit.findings import Finding, Report
    from toolkit.imports import import_ledger
    from toolkit.write.edit import annotate_file, number, rollup_file


def __getattr__(name: str) -> Any:
    if name in _FACE:
        value = getattr(import_module(_FACE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
