import random

import pytest

from parsers.errors import ParseError
from parsers.reader import decode_release_bytes, read_release, split_lines

TEXT = "部门名称：示例局\n单位：万元\n"


def test_read_release_reads_utf8_with_bom_and_records_it(tmp_path):
    path = tmp_path / "demo.txt"
    path.write_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
    raw = read_release(path)
    assert raw.encoding == "utf-8-sig"
    assert raw.lines[0] == "部门名称：示例局"


def test_read_release_falls_back_to_gb18030(tmp_path):
    path = tmp_path / "demo.txt"
    path.write_bytes(TEXT.encode("gb18030"))
    raw = read_release(path)
    assert raw.encoding == "gb18030"
    assert raw.lines[1] == "单位：万元"


def test_read_release_keeps_line_numbers_with_crlf_and_cr(tmp_path):
    path = tmp_path / "demo.txt"
    path.write_bytes(b"a\r\nb\rc\n")
    assert read_release(path).lines[:3] == ("a", "b", "c")


def test_read_release_rejects_an_empty_file_by_name(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(ParseError, match=r"empty\.txt: file is empty"):
        read_release(path)


def test_read_release_rejects_binary_content(tmp_path):
    path = tmp_path / "blob.txt"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(ParseError, match="binary"):
        read_release(path)


def _decoded_by_codecs(data: bytes) -> tuple[str, str] | str:
    """The definition decode_release_bytes stands for: strip, a NUL sniff, utf-8-sig, gb18030."""
    if not data.strip():
        return "file is empty"
    if b"\x00" in data[:8192]:
        return "file is binary"
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8-sig":
            encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
        return text, encoding
    return "cannot decode"


def test_reading_is_the_codecs_definition_on_built_bytes(tmp_path):
    rng = random.Random(16)
    pieces = [
        b"\xef\xbb\xbf",
        " 绩效".encode(),
        "单位".encode("gb18030"),
        b"\xff",
        b"\x00",
        b" ",
        b"\t",
        b"\n",
        b"\r",
        b"\r\n",
        b"\x0b\x0c",
        b"a",
    ]
    for _ in range(5000):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        expected = _decoded_by_codecs(data)
        try:
            got = decode_release_bytes(data, tmp_path / "x.txt")
        except ParseError as exc:
            assert isinstance(expected, str) and expected in str(exc), data
            continue
        assert got == expected, data
        text = got[0]
        assert split_lines(text) == tuple(
            text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        )


def test_read_release_text_is_its_lines_joined(tmp_path):
    path = tmp_path / "demo.txt"
    path.write_bytes(b"a\r\nb\rc\n\t\xe7\xbb\xa9\n")
    raw = read_release(path)
    assert raw.text == "\n".join(raw.lines)
