"""Read a raw release: the only place in parsers/ that touches the disk.

Releases come from many extraction tools, so the bytes are decoded by trying UTF-8 (with or
without BOM) and then GB18030, and the decoding used is recorded. Line numbers always refer
to the raw file, so every extracted row can point back to its source line.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from parsers.errors import ParseError

_BINARY_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class RawRelease:
    """A decoded release with the facts about its bytes that provenance needs."""

    path: Path
    release_id: str
    lines: tuple[str, ...]
    # The lines joined by newlines, as decoded: detection and the Tianjin tables search the
    # whole release, and joining tens of thousands of lines again cost as much as the search.
    text: str
    encoding: str
    sha256: str
    size_bytes: int

    @property
    def source_file(self) -> str:
        """The file name, never the absolute path (paths leak machine details)."""
        return self.path.name


_BOM = b"\xef\xbb\xbf"


def decode_release_bytes(data: bytes, path: Path) -> tuple[str, str]:
    """Decode bytes as UTF-8 (BOM or not) or GB18030; return the text and the encoding used."""
    # isspace stops at the first printed byte; strip() copied the whole file to say the same.
    if not data or data.isspace():
        raise ParseError(path, None, "file is empty; expected a performance target table")
    if data.find(b"\x00", 0, _BINARY_SNIFF_BYTES) != -1:
        raise ParseError(path, None, "file is binary (NUL bytes); expected text")
    try:
        # What the utf-8-sig codec does, without its Python wrapper or a copy of the bytes.
        if data.startswith(_BOM):
            return str(memoryview(data)[len(_BOM) :], "utf-8"), "utf-8-sig"
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise ParseError(path, None, "cannot decode as UTF-8 or GB18030") from None


def normalise_newlines(text: str) -> str:
    """LF, CRLF or lone CR all become LF, so line numbers match what an editor shows."""
    # One search where most files hold no CR, instead of two replaces that each scan.
    if "\r" in text:
        return text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split_lines(text: str) -> tuple[str, ...]:
    """Split on LF, CRLF or lone CR so line numbers match what an editor shows."""
    return tuple(normalise_newlines(text).split("\n"))


def read_release(path: Path) -> RawRelease:
    """Read and decode one raw release file."""
    path = Path(path)
    if not path.is_file():
        raise ParseError(path, None, "no such file")
    data = path.read_bytes()
    decoded, encoding = decode_release_bytes(data, path)
    text = normalise_newlines(decoded)
    return RawRelease(
        path=path,
        release_id=path.stem,
        lines=tuple(text.split("\n")),
        text=text,
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
    )
