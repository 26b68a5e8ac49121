"""Which layout a release is, from its content alone (file names say nothing reliable)."""

from __future__ import annotations

import re
from pathlib import Path

from parsers.errors import ParseError
from parsers.layouts.guangzhou import LAYOUT as GUANGZHOU
from parsers.layouts.guangzhou import is_header_row
from parsers.layouts.tianjin import LAYOUT as TIANJIN
from parsers.layouts.tianjin import split_tables

EXPECTED = (
    "expected a 项目支出绩效目标表: either the Guangzhou row layout (a tab-separated header "
    "项目名称/总计/财政拨款/…/绩效目标/绩效指标) or the Tianjin table layout (…绩效目标表 titles, "
    "then 项目名称/预算数/绩效目标 and 一级指标 cells)"
)
_TIANJIN_LABELS = frozenset({"项目名称", "预算数", "项目资金来源及落实情况"})
_HTML_MARKERS = ("<!doctype html", "<html", "<head", "<body", "<table")
# A line of at least four cells, found in the release's whole text: Tianjin puts one tab on
# every line, and a test per line cost more than the rest of detection. Possessive runs, so
# a line with fewer tabs fails without backtracking over its characters.
_THREE_TABS = re.compile(r"\t[^\t\n]*+\t[^\t\n]*+\t")


def detect_layout(lines: tuple[str, ...], path: Path, text: str | None = None) -> str:
    """Return the layout name, or raise ParseError naming the file and what was expected.

    ``text`` is the lines joined by newlines, where the caller has it (RawRelease.text).
    """
    head = "\n".join(lines[:50])
    # Every marker holds "<", and no character lowercases to one: most heads need no lower().
    if "<" in head:
        lowered = head.lower()
        if any(marker in lowered for marker in _HTML_MARKERS) and "绩效" not in lowered:
            raise ParseError(path, 1, f"file is an HTML page, not an extracted table; {EXPECTED}")
    if text is None:
        text = "\n".join(lines)
    # A Guangzhou header sits among the first lines: searched there first. Past them, where
    # every tab opens its line (Tianjin), no line holds four cells: two counts of the text
    # say so, where the pattern would be tried at every tab.
    head_end = len(head)
    if _has_header_row(text, 0, head_end) or (
        text.count("\t", head_end) != text.count("\n\t", head_end)
        and _has_header_row(text, head_end, len(text))
    ):
        return GUANGZHOU
    tables = split_tables(lines, text)
    if tables:
        # Both cells sit in the first table: stop at the first hit, no set of every line.
        has_indicators = any(line.strip() == "一级指标" for line in lines)
        if has_indicators and any(line.strip() in _TIANJIN_LABELS for line in lines):
            return TIANJIN
    first = next((i + 1 for i, line in enumerate(lines) if line.strip()), 1)
    raise ParseError(path, first, f"no known layout; {EXPECTED}")


def _has_header_row(text: str, start: int, end: int) -> bool:
    """Whether a line of ``text[start:end]`` (whole lines) is a Guangzhou header row."""
    for match in _THREE_TABS.finditer(text, start, end):
        # What is_header_row needs at least (4 cells, 名称 or 项目), tested on the line first.
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        line = text[line_start:] if line_end == -1 else text[line_start:line_end]
        if ("名称" in line or "项目" in line) and is_header_row(line.split("\t")):
            return True
    return False
