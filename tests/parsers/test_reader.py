import pytest

from parsers.errors import ParseError
from parsers.reader import read_release

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
