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
# The markers in any case: what searching the lowered head finds (their letters have no other
# upper or lower form), without lowering a Guangzhou head whose cells hold <br>.
_HTML_MARKER = re.compile("|".join(map(re.escape, _HTML_MARKERS)), re.IGNORECASE)


def detect_layout(lines: tuple[str, ...], path: Path, text: str | None = None) -> str:
    """Return the layout name, or raise ParseError naming the file and what was expected.

    ``text`` is the lines joined by newlines, where the caller has it (RawRelease.text).
    """
    head = "\n".join(lines[:50])
    if _HTML_MARKER.search(head) and "绩效" not in head:
        raise ParseError(path, 1, f"file is an HTML page, not an extracted table; {EXPECTED}")
    if text is None:
        text = "\n".join(lines)
    # A Guangzhou header row opens its release: the head settles most of them without the
    # whole text's replace (_has_header_row); any header row further down still counts.
    if _has_header_row(head) or _has_header_row(text):
        return GUANGZHOU
    tables = split_tables(lines, text)
    if tables:
        # Both cells sit in the first table: stop at the first hit, no set of every line.
        has_indicators = any(line.strip() == "一级指标" for line in lines)
        if has_indicators and any(line.strip() in _TIANJIN_LABELS for line in lines):
            return TIANJIN
    first = next((i + 1 for i, line in enumerate(lines) if line.strip()), 1)
    raise ParseError(path, first, f"no known layout; {EXPECTED}")


# A tab that does not open its line. The pattern opens with its literal tab, so the regex engine
# scans for tabs in C and tests the character before each there.
_INNER_TAB = re.compile(r"\t(?<=[^\n]\t)")


def _has_header_row(text: str) -> bool:
    """Whether a line of ``text`` is a Guangzhou header row (at least four cells).

    A line whose only tab opens it (each Tianjin line) holds one cell; a line of four cells
    holds at least two tabs that do not open it (``_INNER_TAB``), so only the lines where such
    a tab is found are tested (a Tianjin release has none to a few dozen), where a pattern
    tried at every tab cost a test per line. The search costs ~1 ns a character; replacing
    each opening tab by a space and searching the copy for tabs, as this did, cost 1.6 times
    that (the samples' heads and texts 160 → 99 µs, gen7's 771 → 419 µs).
    """
    found = _INNER_TAB.search(text)
    while found is not None:
        position = found.start()
        line_start = text.rfind("\n", 0, position) + 1
        line_end = text.find("\n", position)
        if line_end == -1:
            line_end = len(text)
        if text.count("\t", line_start, line_end) >= 3:
            line = text[line_start:line_end]
            # What is_header_row needs at least (a cell with 名称 or 项目), tested first.
            if ("名称" in line or "项目" in line) and is_header_row(line.split("\t")):
                return True
        found = _INNER_TAB.search(text, line_end)
    return False
