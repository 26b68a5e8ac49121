"""The one error the parsers raise, so callers can tell a bad document from a bug."""

from __future__ import annotations

from pathlib import Path


class ParseError(ValueError):
    """A release cannot be read; names the file, the line and what was expected.

    Args:
        path: the raw file (only its name is shown, never a machine path).
        line_no: 1-based line in the raw file, or None when the whole file is at fault.
        reason: what was wrong and what was expected instead.
    """

    def __init__(self, path: Path | str, line_no: int | None, reason: str) -> None:
        self.path = Path(path)
        self.line_no = line_no
        self.reason = reason
        where = f"{self.path.name}:{line_no}" if line_no is not None else self.path.name
        super().__init__(f"{where}: {reason}")
