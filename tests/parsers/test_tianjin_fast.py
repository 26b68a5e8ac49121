"""The Tianjin layout's shortcuts give what its careful readings give.

A money cell printed plainly to the cent in a 万元 table is read as ``Decimal`` of its text
(amounts.plain_cents) instead of the general reading and the rounding, a blank money cell is
skipped before any reading, and a unit's text is split once per distinct text (a cache).
Forcing every money cell down the general reading, with the unit cache emptied before each
table, must give the same units, projects, warnings and flags, repr for repr (a Decimal's
exponent included), or the same ParseError: on the Tianjin sample and on releases built
from it with money cells, currency lines and unit cells replaced.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

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
    """Every money cell read by the general reading; every unit text split afresh."""
    split_unit = tianjin._split_unit.__wrapped__
    with (
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
