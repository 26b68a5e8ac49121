"""The Guangzhou layout's shortcuts for usual rows give what the careful path gives.

A row whose line holds nothing clean_cell removes has its cells stripped instead of cleaned,
its name cleaned without the caches, and is asked looks_classified only when its line holds
a marker; money texts printed plainly to the cent are read in bulk (and one by one without
the general reading), and a row made only of them takes their values by lookups.
Forcing every row down the careful path (no line plain, no plain cents) must give the same
units, projects, totals and warnings, value for value and repr for repr, or the same
ParseError: on every sample and on releases built from usual and unusual rows.
"""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.amounts import plain_cents
from parsers.errors import ParseError
from parsers.layouts import guangzhou
from parsers.layouts.guangzhou import _lines_holding, parse_guangzhou
from parsers.reader import read_release
from parsers.text import clean_name

RAW = Path(__file__).resolve().parents[2] / "data_lake" / "raw"
PATH = Path("built.txt")


@contextmanager
def _careful():
    """Every row down the careful path: no line plain, no cell plain cents or read before."""
    guangzhou._cents.cache_clear()
    with (
        mock.patch.object(guangzhou, "is_plain", lambda text: False),
        mock.patch.object(guangzhou, "plain_cents", lambda text: None),
        mock.patch.object(guangzhou, "_plain_amounts", lambda rows: {}),
        mock.patch.object(guangzhou, "_may_be_classified", lambda row, lines: True),
    ):
        yield
    guangzhou._cents.cache_clear()


def _outcome(lines: tuple[str, ...]) -> str:
    """The whole result as text (reprs keep a Decimal's exponent), or the error's."""
    try:
        return repr(parse_guangzhou(lines, PATH))
    except ParseError as exc:
        return f"ParseError: {exc}"


def _held_to_careful(lines: tuple[str, ...]) -> str:
    guangzhou._cents.cache_clear()
    fast = _outcome(lines)
    with _careful():
        careful = _outcome(lines)
    assert fast == careful
    return fast


def test_usual_rows_read_as_the_careful_path_on_every_sample():
    for path in sorted(RAW.glob("guangzhou-*.txt")):
        outcome = _held_to_careful(read_release(path).lines)
        assert "projects=[ProjectRecord(" in outcome, path


HEADER = (
    "项目支出绩效目标表",
    "部门名称：示例局",
    "单位：万元",
    "项目名称（资金使用单位）\t总计\t财政拨款\t财政专户拨款\t其他资金\t绩效目标\t绩效指标",
)
NAME = st.sampled_from(
    [
        "甲项目",
        "乙 项目",
        "专项 2024 年经费",
        "专项 工作经费（越秀区）",
        "禁毒支队 2025年经费",
        "支队 ２０２５年",
        "2025 年经费",
        "Wi Fi项目",
        "<p>SM项目</p>",
        "&#83;M项目",
        "S<br>M项目",
        "甲 a项目",
        "SM信息化运维项目",
        "合计",
        "示例中心",
        " 丙项目 ",
        "<p>丁项目</p>",
        "戊\u3000项目",
        "",
        "名称",
        "项目",
    ]
)
MONEY = st.sampled_from(
    ["", "", "10.00", "10.00", "2,457.51", "5.5", "0.00", " 3.00 ", "１２.００", "-1.00", "x"]
)
GOAL = st.sampled_from(
    [
        "",
        "目标甲。",
        "目标甲",
        "待单位补充",
        "涉 密",
        "&lt;5",
        "目标  乙",
        "目标\u00a0丙",
        "<p>待单位补充</p>",
        "<p>涉<br/>密</p>",
        "&#28041;密",
        "<p>目标丁。</p>",
    ]
)
INDICATORS = st.sampled_from(
    [
        "",
        "1、1-产出指标；11-数量指标；数量；实施周期指标值:1个；年度指标值:1个。",
        "1、产出指标：完成率；年度指标值：100%。",
        "指标值：涉密",
        "值:100%。",
        "<p>1、产出指标：完成率；年度指标值：100%。</p>",
        "<p>1、产出指标：完成率；年度指标值：涉密</p>",
        "<p>1、产出指标：完成率；年度指标值：SM&#39033;目</p>",
    ]
)
ROW = st.tuples(NAME, MONEY, MONEY, MONEY, MONEY, GOAL, INDICATORS).map("\t".join)
# Unusual lines: cut short, extra cells, a wrapped cell, a page header again, blanks.
ODD_LINE = st.sampled_from(
    [
        "\t\t\t\t\t\t值:100%。",
        "\t\t\t\t\t目标的后半。\t",
        "广州市示例局\t\t\t\t\t\t",
        "名字的下半\t10.00\t10.00",
        "甲项目\t1.00\t1.00\t\t\t目标\t指标\t多余",
        "甲项目\t1.00\t1.00\t\t\t目标\t指标\t\t",
        "年度指标值：100%。",
        "项目支出绩效目标表",
        "单位：万元",
        "",
        "\t",
        "合计\t10.00\t10.00\t\t\t\t",
        HEADER[3],
    ]
)
LINE = st.one_of(ROW, ROW, ROW, ODD_LINE)


@settings(max_examples=1500, deadline=None)
@given(st.lists(LINE, min_size=1, max_size=12), st.sampled_from(["万元", "元"]))
def test_usual_rows_read_as_the_careful_path_on_built_releases(rows, currency):
    header = tuple(line.replace("万元", currency) for line in HEADER)
    _held_to_careful((*header, *rows))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["涉密", "SM", "待", "单位补充", "a", "\n", "甲"]), max_size=20))
def test_marked_lines_are_the_lines_holding_a_marker(pieces):
    text = "".join(pieces)
    needles = ("涉密", "SM", "待单位补充")
    expected = {
        number
        for number, line in enumerate(text.split("\n"), start=5)
        if any(needle in line for needle in needles)
    }
    assert _lines_holding(text, tuple(text.split("\n")), 5, needles) == expected


def test_every_space_but_the_ascii_one_is_unprintable():
    # A plain name cell with no " " inside and nothing unprintable holds no whitespace, so
    # clean_name would only strip it.
    assert not [
        code
        for code in range(0x110000)
        if chr(code).isspace() and chr(code).isprintable() and code != 0x20
    ]


# Name pieces around one space: ideographs at and past the range's edges, digits (ASCII,
# full-width, other decimals), Latin, punctuation, odd spaces.
NAME_PIECE = st.sampled_from(
    [
        "甲",
        "\u4e00",
        "\u9fff",
        "\u3400",
        "\uff10",
        "2",
        "٣",
        "a",
        "（",
        "。",
        " ",
        "  ",
        "\u3000",
        "\x1c",
    ]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(NAME_PIECE, max_size=8).map("".join))
def test_a_name_split_once_joins_as_clean_name_joins_it(text):
    stripped = text.strip()
    joined = guangzhou._joined_name(stripped)
    if joined is not None:
        assert joined == clean_name(text)
        assert " " not in joined


def test_the_usual_split_names_take_the_shortcut():
    for name in (
        "外市籍吸毒人员管理服务专项 工作经费（越秀区）",
        "禁毒支队 2025年警用装备购置经费",
    ):
        assert guangzhou._joined_name(name) == clean_name(name) == name.replace(" ", "")


# Money texts near the plain-cents shape: commas anywhere, one or three decimals, signs,
# spaces, full-width digits, lengths either side of plain_cents' twenty characters.
MONEY_PIECE = st.sampled_from(["1", "0", "9", ",", ".", "00", "5", "-", " ", "１", "x", "12345"])


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.lists(MONEY_PIECE, max_size=9).map("".join), max_size=12))
def test_plain_amounts_are_the_texts_plain_cents_reads(texts):
    rows = [guangzhou._Row(1, "", (text, "", "", ""), "", "", (), True) for text in texts]
    expected = {text: Decimal(plain_cents(text)) for text in texts if plain_cents(text)}
    expected[""] = guangzhou._ZERO
    known = guangzhou._plain_amounts(rows)
    assert known == expected
    assert [repr(known[text]) for text in expected] == [repr(value) for value in expected.values()]
