import pytest

from lake.frames import release_frames
from parsers.errors import ParseError
from parsers.release import parse_release


def test_parse_release_rejects_a_file_of_no_known_layout_naming_it(write_release):
    path = write_release("minutes.txt", "会议纪要\n\n今天开会。\n")
    with pytest.raises(ParseError, match=r"minutes\.txt:1: no known layout; expected"):
        parse_release(path)


def test_parse_release_rejects_an_html_page(write_release):
    path = write_release("page.txt", "<!DOCTYPE html><html><body>Not found</body></html>\n")
    with pytest.raises(ParseError, match="HTML page"):
        parse_release(path)


@pytest.mark.parametrize(
    ("stem", "layout"),
    [
        ("guangzhou-huadu-police-branch", "guangzhou_rows"),
        ("tianjin-public-security-bureau", "tianjin_tables"),
    ],
)
def test_parse_release_detects_the_layout_from_content(raw_dir, stem, layout):
    assert (
        release_frames(parse_release(raw_dir / f"{stem}.txt"))["releases"]["layout"].item()
        == layout
    )
