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
    encoding: str
    sha256: str
    size_bytes: int

    @property
    def source_file(self) -> str:
        """The file name, never the absolute path (paths leak machine details)."""
        return self.path.name


def decode_release_bytes(data: bytes, path: Path) -> tuple[str, str]:
    """Decode bytes as UTF-8 (BOM or not) or GB18030; return the text and the encoding used."""
    if not data.strip():
        raise ParseError(path, None, "file is empty; expected a performance target table")
    if b"\x00" in data[:_BINARY_SNIFF_BYTES]:
        raise ParseError(path, None, "file is binary (NUL bytes); expected text")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8-sig":
            encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
        return text, encoding
    raise ParseError(path, None, "cannot decode as UTF-8 or GB18030")


def split_lines(text: str) -> tuple[str, ...]:
    """Split on LF, CRLF or lone CR so line numbers match what an editor shows."""
    return tuple(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def read_release(path: Path) -> RawRelease:
    """Read and decode one raw release file."""
    path = Path(path)
    if not path.is_file():
        raise ParseError(path, None, "no such file")
    data = path.read_bytes()
    text, encoding = decode_release_bytes(data, path)
    return RawRelease(
        path=path,
        release_id=path.stem,
        lines=split_lines(text),
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
    )
