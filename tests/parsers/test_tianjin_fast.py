"""The Tianjin layout's shortcuts give what its careful readings give.

A table of the usual shape is read by position straight into its record
(``_read_usual_table``), a money cell printed plainly to the cent in a 万元 table is read as
``Decimal`` of its text (amounts.plain_cents) instead of the general reading and the rounding,
a blank money cell is skipped before any reading, and a unit's text is split once per distinct
text (a cache). Forcing every table through the careful reading and every money cell down the
general reading, with the unit cache emptied before each table, must give the same units,
projects, warnings and flags, repr for repr (a Decimal's exponent included), or the same
ParseError: on the Tianjin sample, on generated releases and on releases built from the
sample with money cells, currency lines, unit cells and labels replaced, moved, added or
deleted (元 and bond tables among them).
"""

from __future__ import annotations

import random
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest

from bench.generate import generate_release
from parsers.classified import looks_classified
from parsers.errors import ParseError
from parsers.layouts import tianjin
from parsers.reader import read_release

RAW = Path(__file__).resolve().parents[2] / "data_lake" / "raw"
PATH = Path("built.txt")

# What a money cell, a currency line or a unit cell may print, usual or not.
MONEY = (
    "",
    " ",
    "12.15",
    "2,457.51",
    "0.00",
    "12.5",
    "12",
    "1.005",
    "-1.00",
    "１２.００",
    "12.00万元",
    "70000000元",
    " 3.20 ",
    "1 000.00",
    "—",
    "abc",
    "预算数",
    "其他资金",
    "12345678901234567.89",
)
CURRENCY = ("单位：万元", "单位：元", "单 位 : 元", "单位:万元")
UNITS = (
    "341101天津市公安局某处",
    "预算单位：341101天津市某局",
    "天津市某局",
    "341101 天津市 公安局",
    "",
)


@contextmanager
def _careful():
    """Every table read carefully, every money cell by the general reading, every unit text
    split afresh."""
    split_unit = tianjin._split_unit.__wrapped__
    with (
        mock.patch.object(tianjin, "_read_usual_table", lambda *args: None),
        mock.patch.object(tianjin, "plain_cents", lambda text: None),
        mock.patch.object(tianjin, "_split_unit", split_unit),
    ):
        yield


def _outcome(text: str) -> str:
    """The whole result as text (reprs keep a Decimal's exponent), or the error's."""
    try:
        return repr(tianjin.parse_tianjin(tuple(text.split("\n")), PATH, text))
    except ParseError as exc:
        return f"ParseError: {exc}"


def _held_to_careful(text: str) -> str:
    tianjin._split_unit.cache_clear()
    fast = _outcome(text)
    with _careful():
        careful = _outcome(text)
    assert fast == careful
    return fast


def test_the_sample_reads_as_the_careful_path():
    outcome = _held_to_careful(read_release(RAW / "tianjin-public-security-bureau.txt").text)
    assert outcome.count("ProjectRecord(") == 121


def _sample_tables() -> list[list[str]]:
    """The sample's tables, each as its title line and the lines after it."""
    lines = read_release(RAW / "tianjin-public-security-bureau.txt").lines
    return [list(lines[start:end]) for start, end in tianjin.split_tables(lines)]


def test_built_releases_read_as_the_careful_path():
    rng = random.Random(16)
    tables = _sample_tables()
    errors = projects = 0
    for _ in range(300):
        release = []
        for table in rng.sample(tables, 3):
            table = list(table)
            for _ in range(rng.randint(1, 4)):
                # Lines 2-3 hold the unit and currency, 9-13 the money cells, in the usual shape.
                index = rng.choice((1, 2, 9, 11, 13, 9, 11, 13))
                if index >= len(table):
                    continue
                pool = {1: UNITS, 2: CURRENCY}.get(index, MONEY)
                table[index] = "\t" + rng.choice(pool)
            release.extend(table)
        outcome = _held_to_careful("\n".join(release))
        errors += outcome.startswith("ParseError")
        projects += outcome.count("ProjectRecord(")
    assert errors > 20 and projects > 300


@pytest.mark.parametrize("index", [1, 5, 8, 11, 15])
def test_generated_releases_read_as_the_careful_path(index: int) -> None:
    made = generate_release(7, index, 60_000)
    assert made.layout == "tianjin_tables"
    taken = _usual_tables_taken(made.text)
    assert taken["read"] > 5


# What a cell among a table's labels may be replaced by, or have put in beside it: the labels
# in their printed spellings, spaced or with colons, currency lines, units, money and blanks.
LABEL_PIECES = (
    "项目名称",
    "项目 名称",
    "项目名称：",
    "预算数",
    "年度预算数",
    "其中：财政资金",
    "其中:财政资金",
    "财政资金",
    "其他资金",
    "其中：其他资金",
    "绩效目标",
    "年度绩效目标",
    "预算规模及资金用途",
    "一级指标",
    "资金来源",
    # What makes a project classified, and near misses (entities decode before the test).
    "SM项目",
    "A-SM-01 维护",
    "涉密",
    "指标值：涉密",
    "待单位补充",
    "&#28041;密",
    "S&#77;项目",
    "SMS平台",
    *CURRENCY,
    *UNITS,
    *MONEY,
)


def _usual_tables_taken(text: str) -> Counter[str]:
    """Hold the release to the careful path; count the tables the usual reading took."""
    taken: Counter[str] = Counter()
    read_usual_table = tianjin._read_usual_table

    def counted(*args: object) -> object:
        record = read_usual_table(*args)
        taken["read" if record is not None else "refused"] += 1
        return record

    with mock.patch.object(tianjin, "_read_usual_table", counted):
        _held_to_careful(text)
    return taken


def test_built_tables_with_labels_moved_read_as_the_careful_path():
    rng = random.Random(9)
    tables = _sample_tables()
    bond = [table for table in tables if any("资金来源" in line for line in table)]
    assert bond
    taken: Counter[str] = Counter()
    for _ in range(400):
        release = []
        for table in [*rng.sample(tables, 3), *rng.sample(bond, rng.randint(0, 1))]:
            table = list(table)
            for _ in range(rng.randint(0, 2)):
                # Lines 1-21 hold the unit, currency, labels, values and the goal.
                index = rng.randrange(1, min(22, len(table)))
                action = rng.random()
                line = "\t" + rng.choice(LABEL_PIECES)
                if action < 0.6:
                    table[index] = line
                elif action < 0.8:
                    table.insert(index, line)
                else:
                    del table[index]
            release.extend(table)
        taken += _usual_tables_taken("\n".join(release))
    assert taken["read"] > 400 and taken["refused"] > 200


def test_a_text_without_the_classified_characters_is_never_classified():
    """A table whose text holds none of _CLASSIFIED_CHARACTERS skips looks_classified: hold
    that to looks_classified itself on texts built from near misses, with and without them."""
    rng = random.Random(5)
    pieces = (
        "S",
        "M",
        "SM",
        "涉",
        "密",
        "待",
        "单位补充",
        "项目",
        "指标值：",
        "&#77;",
        "该",
        " ",
        "x",
    )
    classified = 0
    for _ in range(5000):
        name, goal, indicators = ("".join(rng.choices(pieces, k=rng.randint(0, 6))) for _ in "123")
        if looks_classified(name, goal, indicators):
            classified += 1
            assert any(
                character in text
                for text in (name, goal, indicators)
                for character in tianjin._CLASSIFIED_CHARACTERS
            )
    assert classified > 500
