from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.text import (
    _MULTISPACE,
    _ODD_SPACES,
    _SPACE_BETWEEN_CJK,
    _SPACE_CJK_DIGIT,
    _cleaned,
    clean_cell,
    clean_name,
    department_key,
    join_split_words,
    name_key,
    strip_markup,
)


def test_clean_name_joins_cjk_words_split_by_stray_spaces():
    # guangzhou-public-security-bureau.txt line 46
    assert (
        clean_name("外市籍吸毒人员管理服务专项 工作经费（越秀区）")
        == "外市籍吸毒人员管理服务专项工作经费（越秀区）"
    )


def test_clean_name_joins_spaces_between_cjk_and_digits():
    # guangzhou-public-security-bureau.txt line 103
    assert (
        clean_name("广州市公安局警察训练部 2024 年-2025 年信息化运维项目")
        == "广州市公安局警察训练部2024年-2025年信息化运维项目"
    )


def test_clean_cell_strips_html_and_unescapes_entities():
    # guangzhou-huadu-police-branch.txt line 12 ends with '…&lt;60%不得分。</p>'
    assert clean_cell("<p>总达成率&lt;60%不得分。</p>") == "总达成率<60%不得分。"


def test_name_key_folds_brackets_and_whitespace():
    assert name_key("城市建设维护资金（区本级）") == name_key("城市建设维护资金 (区本级)")


@pytest.mark.parametrize(
    ("printed", "key"),
    [
        ("中共广州市白云区区委政法委员会（部门）", "中共广州市白云区区委政法委员会"),
        ("中共广州市白云区区委政法委员会(部门)", "中共广州市白云区区委政法委员会"),
        ("广州市 公安局", "广州市公安局"),
        ("广州市公安局\u3000", "广州市公安局"),
        ("广州市公安局（花都区分局）", "广州市公安局(花都区分局)"),
    ],
)
def test_department_key_folds_what_printing_varies(printed, key):
    assert department_key(printed) == key


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(
        st.sampled_from(["专项", "工作", "2024", "年", " ", "  ", "\u3000", "\t", "<p>", "-"]),
        max_size=8,
    ).map("".join)
)
def test_clean_name_without_inner_space_is_only_cleaned(text):
    # clean_name skips join_split_words where clean_cell left no space inside the name.
    assert clean_name.__wrapped__(text) == join_split_words(clean_cell(text))


def _joined_by_patterns(text: str) -> str:
    """join_split_words as the two patterns define it."""
    return _SPACE_CJK_DIGIT.sub("", _SPACE_BETWEEN_CJK.sub("", text))


# Both sides of every kind of run: CJK of each range (and its edges), digits ASCII, full-width
# and Arabic-Indic, letters, CJK punctuation, and the spaces str.isspace and \s agree on.
@settings(max_examples=5000, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [*"专项年a1９٣、。（）Ａ-", "\u3000", "\u303f", "\u3400", "\u4dbf", "\u9fff"]
            + ["\uff00", "\uffef", "\u2fff", " ", "  ", "\t", "\n", "\u00a0", "\u2003", "\x1c"]
        ),
        max_size=12,
    ).map("".join)
)
def test_join_split_words_removes_what_the_patterns_remove(text):
    assert join_split_words(text) == _joined_by_patterns(text)


def _cleaned_by_patterns(text: str) -> str:
    """clean_cell's reading of a cell, as its three patterns define it."""
    return _MULTISPACE.sub(" ", _ODD_SPACES.sub(" ", strip_markup(text))).strip()


# Pieces of cells that are not plain: every tag the pattern names (and near misses), entities
# that unescape to markup or odd spaces, every odd space, runs of spaces and tabs.
_CELL_PIECES = [
    *"专项年a1<>&/;P ",
    "<p>",
    "</p>",
    "<P>",
    "<br/>",
    "<span class='x'>",
    "<pre>",
    "<b>",
    "< p>",
    "<font",
    "&amp;",
    "&lt;p&gt;",
    "&nbsp;",
    "&#12288;",
    "&#9;",
    "  ",
    "   ",
    "\t",
    "\u00a0",
    "\u2002",
    "\u2003",
    "\u2009",
    "\u200b",
    "\u3000",
    "\ufeff",
    "\u2028",
    "\x1c",
]


@settings(max_examples=5000, deadline=None)
@given(st.lists(st.sampled_from(_CELL_PIECES), max_size=16).map("".join))
def test_a_cell_is_cleaned_as_the_patterns_clean_it(text):
    assert _cleaned(text) == _cleaned_by_patterns(text)
    # A plain cell's strip is what the patterns make of it too.
    assert clean_cell.__wrapped__(text) == _cleaned_by_patterns(text)


def test_every_sample_cell_is_cleaned_as_the_patterns_clean_it():
    raw = Path(__file__).resolve().parents[2] / "data_lake" / "raw"
    cells = {
        cell
        for path in sorted(raw.glob("*.txt"))
        for line in path.read_text(encoding="utf-8-sig").splitlines()
        for cell in (line, *line.split("\t"))
    }
    assert any("<p>" in cell for cell in cells)
    for cell in cells:
        assert _cleaned(cell) == _cleaned_by_patterns(cell), cell
