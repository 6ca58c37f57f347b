"""Every exception class of the library, each carrying the exit code the CLI gives it.

``cli.py`` turns them into one Chinese line on stderr (a traceback only with ``--debug``).
Exit codes: 0 no error, 1 errors found or a command failed, 2 a usage error, 3 an internal error
(a bug; docs/cli.md).
"""

from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class ToolkitError(Exception):
    """Base of every error the toolkit raises on purpose; its message is for a person."""

    exit_code = EXIT_FINDINGS


class UsageError(ToolkitError):
    """The command was asked for something it cannot do as given (a bad option or target)."""

    exit_code = EXIT_USAGE


class ReadError(ToolkitError):
    """A file cannot be read as a workbook (reported as S0)."""

    def __init__(self, message: str, kind: str = "damaged") -> None:
        super().__init__(message)
        self.kind = kind


class PackageError(ToolkitError):
    """The file cannot be opened or edited as a workbook package; the message is for a person."""

    def __init__(self, message: str, kind: str = "damaged") -> None:
        super().__init__(message)
        self.kind = kind


class WriteError(ToolkitError):
    """A file could not be written; the original, if any, is unchanged."""


class OutputExistsError(WriteError):
    """The output file exists and the command was not told to replace it (``--force``)."""

    exit_code = EXIT_USAGE


class WorkbookLockedError(WriteError):
    """The workbook is open in Excel, WPS or LibreOffice (a lock file lies beside it)."""

    def __init__(self, message: str, lock: Path) -> None:
        super().__init__(message)
        self.lock = lock


class EditError(UsageError):
    """The edit cannot be written (bad target, locked workbook …)."""


class RollupError(ToolkitError):
    """The ledger cannot be rolled up (a form or a column the roll-up needs is missing)."""


class NumberingError(ToolkitError):
    """The ledger cannot be numbered (no 附件7, no 软件编号 column, a bad number format)."""


class PrintError(ToolkitError):
    """The forms cannot be printed (no output folder, PDF asked for without LibreOffice …)."""


class TemplateError(ToolkitError):
    """A template or a new ledger cannot be written."""


class ImportFailed(ToolkitError):
    """Nothing could be imported from the inputs, or the new ledger cannot be written; nothing was written."""


class MappingError(UsageError):
    """A ``--map 表头=字段`` item of ``import`` or ``reconcile`` cannot be used."""


class ScanError(ToolkitError):
    """A file cannot be used as a scan of installed software; ``code`` is the rule reported for it."""

    def __init__(self, message: str, code: str = "RZ4.2F") -> None:
        super().__init__(message)
        self.code = code


class AliasError(ToolkitError):
    """A row of the 别名表 (``schemas/别名表.toml`` or a ledger's 别名表 sheet) is malformed; its place is named."""


class ReconcileError(ToolkitError):
    """The ledger cannot be used for a reconcile (unreadable, or no computer to match scans to)."""


class DuplicateRuleError(ValueError):
    """A rule code was registered twice (a programming error, not a user's)."""
