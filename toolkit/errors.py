"""Exception classes of the library; ``cli.py`` turns them into one-line Chinese messages."""


class ToolkitError(Exception):
    """Base of every error the toolkit raises on purpose; its message is for a person."""


class ReadError(ToolkitError):
    """A file cannot be read as a workbook (reported as S0)."""

    def __init__(self, message: str, kind: str = "damaged") -> None:
        super().__init__(message)
        self.kind = kind
