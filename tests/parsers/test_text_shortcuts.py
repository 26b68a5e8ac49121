"""The shortcuts of the release-wide passes hold to the plain definitions they replace."""

from __future__ import annotations

import random
import re
import unicodedata

from parsers.layouts.tianjin import _split_tables
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
        assert _split_tables.__wrapped__(lines) == _tables_by_line(lines), lines


def test_name_key_is_nfkc_brackets_and_no_whitespace() -> None:
    rng = random.Random(16)
    pool = [*"（）【】—－ \t\u3000\u00a0ＡＢ１２①", "中", "国", "局", "a", "\u0301"]
    for _ in range(5000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 10)))
        folded = unicodedata.normalize("NFKC", clean_cell(text)).translate(_BRACKETS)
        assert name_key(text) == re.sub(r"\s+", "", folded), text
