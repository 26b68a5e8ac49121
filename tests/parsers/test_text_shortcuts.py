"""The shortcuts of the release-wide passes hold to the plain definitions they replace."""

from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path

from parsers.detect import _HTML_MARKERS, _TIANJIN_LABELS, detect_layout
from parsers.errors import ParseError
from parsers.layouts.guangzhou import is_header_row
from parsers.layouts.tianjin import _table_spans
from parsers.text import _BRACKETS, clean_cell, name_key

_LINES = (
    "",
    "\t",
    "\tx",
    "绩效目标表",
    "\t绩效目标表",
    " 绩效目标表",
    "a绩效目标表b绩效目标表",
    "1.项目绩效目标表",
)


def _tables_by_line(lines: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    starts = [
        i
        for i, line in enumerate(lines)
        if "绩效目标表" in line and not line.startswith("\t") and line.strip()
    ]
    return tuple(
        (start, starts[k + 1] if k + 1 < len(starts) else len(lines))
        for k, start in enumerate(starts)
    )


def test_split_tables_finds_the_titles_a_test_per_line_finds() -> None:
    rng = random.Random(16)
    for _ in range(5000):
        lines = tuple(rng.choice(_LINES) for _ in range(rng.randint(0, 9)))
        text = "\n".join(lines)
        spans = _table_spans.__wrapped__(text)
        assert [(start, end) for start, end, _, _ in spans] == list(_tables_by_line(lines)), lines
        for start, end, text_start, text_end in spans:
            assert text[text_start:text_end] == "\n".join(lines[start + 1 : end]), lines


# Lines of both layouts: a Guangzhou header, rows of two to five cells, Tianjin cells,
# titles and labels, so that a header may sit among the first fifty lines or after them.
_DETECT_LINES = (
    "",
    "\t项目名称",
    "\t一级指标",
    "\t预算数",
    "\tx\ty",
    "a\tb\tc\td",
    "项目名称\t总计\t财政拨款\t其他\t绩效目标\t绩效指标",
    "\t项目名称\t总计\t财政拨款\t其他\t绩效目标\t绩效指标",
    "1.项目绩效目标表",
    "<HTML>",
    "<Body>",
    "<!DOCTYPE Html>",
    "x<tAbLe border=1>",
    "<br>",
    "\u212a<HEAD>",
    "İ<",
    " 项目 \t总计\t财政拨款\t其他\t绩效目标\t绩效指标",
    "项目\t名称\t绩效目标",
    "x\t单位名称\ty\tz",
)
# A line of at least four cells.
_THREE_TABS = re.compile(r"\t[^\t\n]*\t[^\t\n]*\t")


def _detected_by_definition(lines: tuple[str, ...]) -> str:
    """What detect_layout stands for: the head lowered, a header searched in the whole text."""
    head = "\n".join(lines[:50]).lower()
    if any(marker in head for marker in _HTML_MARKERS) and "绩效" not in head:
        return "html"
    text = "\n".join(lines)
    for match in _THREE_TABS.finditer(text):
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        line = text[start:] if end == -1 else text[start:end]
        if ("名称" in line or "项目" in line) and is_header_row(line.split("\t")):
            return "guangzhou_rows"
    stripped = [line.strip() for line in lines]
    labelled = any(line in _TIANJIN_LABELS for line in stripped)
    if _tables_by_line(lines) and "一级指标" in stripped and labelled:
        return "tianjin_tables"
    return "none"


def test_detect_layout_is_the_whole_text_definition_on_built_releases() -> None:
    rng = random.Random(16)
    outcomes = set()
    for _ in range(3000):
        lines = tuple(rng.choice(_DETECT_LINES) for _ in range(rng.randint(1, 120)))
        try:
            got = detect_layout(lines, Path("x.txt"), "\n".join(lines))
        except ParseError as exc:
            got = "html" if "HTML page" in str(exc) else "none"
        assert got == _detected_by_definition(lines), lines
        outcomes.add(got)
    assert outcomes == {"html", "guangzhou_rows", "tianjin_tables", "none"}


def test_name_key_looks_for_the_brackets_nfkc_keeps() -> None:
    # name_key tests for 【, 】 and — after folding: the only characters _BRACKETS changes that
    # NFKC leaves as they are.
    kept = {wide for wide in map(chr, _BRACKETS) if unicodedata.normalize("NFKC", wide) == wide}
    assert kept == {"【", "】", "—"}


def test_name_key_is_nfkc_brackets_and_no_whitespace() -> None:
    rng = random.Random(16)
    pool = [*"（）【】—－ \t\u3000\u00a0ＡＢ１２①", "中", "国", "局", "a", "\u0301"]
    for _ in range(5000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 10)))
        folded = unicodedata.normalize("NFKC", clean_cell(text)).translate(_BRACKETS)
        assert name_key(text) == re.sub(r"\s+", "", folded), text
