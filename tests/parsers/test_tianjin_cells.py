"""A Tianjin release's cells read by _release_cells give what each table read by _cells gives.

``_release_cells`` strips each table's non-empty lines at C speed and reads one by one only
the lines that are not a tab and one plain cell (continuations, spaces alone, tabs inside a
line, markup and odd spaces), and says which tables are plain. ``_cells`` reads a
table's own lines, line by line where any is unusual. These tests hold the two equal, texts
and line numbers, table by table: on the sample, on generated releases and on releases built
from the sample's tables with odd lines put in at every kind of place.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bench.generate import generate_release
from parsers.layouts.tianjin import _cells, _release_cells, _table_spans
from parsers.reader import read_release
from parsers.text import NOT_PLAIN, clean_cell, is_plain

RAW = Path(__file__).resolve().parents[2] / "data_lake" / "raw"

# Lines a table may hold besides a tab and one plain cell.
ODD_LINES = (
    "",
    " ",
    "   ",
    "\t",
    "\t ",
    "\t\t",
    "\t\t\t\t\t\t",
    "续上一格的文字。",
    " 续上一格，前有空格",
    "2.第二段\t\t\t",
    "\t1.目标内容\t\t\t\t\t\t",
    "\t左\t右",
    "左\t右",
    "\t<p>带标记</p>",
    "\t甲&amp;乙",
    "\t全角\u3000空格",
    "\t不换行\u00a0空格",
    "\t两个  空格",
    "\t\u200b零宽",
    "\t\ufeff字节序",
    "\t\u2002\u2003\u2009窄空格",
    "<br/>续行带标记",
    "\t12.15",
    "\t一级指标",
)


def _tables_equal(text: str) -> int:
    """Assert every table's cells agree; return how many tables there were."""
    lines = tuple(text.split("\n"))
    tables = _table_spans(text)
    fast = list(_release_cells(lines, text, tables)) if tables else []
    for (start, end, text_start, text_end), cells in zip(tables, fast, strict=True):
        careful = _cells(lines[start + 1 : end], text[text_start:text_end], start + 2)
        assert (cells.texts, cells.lines) == (careful.texts, careful.lines), (start, end)
        # A table said plain may have clean_cell (and so clean_name's cleaning) skipped.
        assert not cells.plain or all(clean_cell(text) == text for text in cells.texts)
    return len(tables)


def test_the_sample_reads_as_table_by_table() -> None:
    assert _tables_equal(read_release(RAW / "tianjin-public-security-bureau.txt").text) == 121


@pytest.mark.parametrize("index", [1, 5, 8, 11, 15])
def test_generated_releases_read_as_table_by_table(index: int) -> None:
    made = generate_release(7, index, 60_000)
    assert made.layout == "tianjin_tables"
    assert _tables_equal(made.text) > 5


def _sample_tables() -> list[list[str]]:
    lines = read_release(RAW / "tianjin-public-security-bureau.txt").lines
    return [list(lines[start:end]) for start, end, _, _ in _table_spans("\n".join(lines))]


def test_built_releases_read_as_table_by_table() -> None:
    rng = random.Random(16)
    tables = _sample_tables()
    counted = odd = 0
    for _ in range(400):
        release = [rng.choice(("", "前言", "\t前言", "前言\t其后"))] if rng.random() < 0.3 else []
        for table in rng.sample(tables, rng.randint(1, 4)):
            table = list(table)
            for _ in range(rng.randint(0, 6)):
                at = rng.randint(1, len(table))
                piece = rng.choice(ODD_LINES)
                if rng.random() < 0.5 and at < len(table):
                    table[at] = piece
                else:
                    table.insert(at, piece)
            if rng.random() < 0.1:
                del table[1:]  # a title alone, or the release's last line
            elif rng.random() < 0.1:
                # No line led by a tab: each line is a cell of its own, none continues.
                table[1:] = [line.lstrip("\t") for line in table[1:]]
            release.extend(table)
        text = "\n".join(release)
        counted += _tables_equal(text)
        odd += not is_plain(text) or "\n " in text or "\t\t" in text
    assert counted > 800 and odd > 300


def test_not_plain_lists_what_is_plain_looks_for() -> None:
    """A text holding none of NOT_PLAIN is plain, and each of them makes it not plain."""
    assert all(not is_plain(f"甲{needle}乙") for needle in NOT_PLAIN)
    rng = random.Random(3)
    alphabet = ["甲", "乙", " ", "\t", "a", "1", *NOT_PLAIN, "\u2028", "\u3001", "\uff1c", ">"]
    for _ in range(5_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert is_plain(text) == (not any(needle in text for needle in NOT_PLAIN))
