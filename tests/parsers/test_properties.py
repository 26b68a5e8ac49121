"""Property tests: random mutations of real rows never crash the parser with anything but
its own ParseError, and never yield an amount that is not in the input."""

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.parser_identity import MUTATIONS, mutate
from bench.parser_identity import NOISE as NOISE_TEXTS
from lake.frames import release_frames
from parsers.amounts import normalise_amount_text
from parsers.errors import ParseError
from parsers.release import parse_release

RAW = Path(__file__).resolve().parents[2] / "data_lake" / "raw"
BAIYUN_LINES = (
    (RAW / "guangzhou-baiyun-political-legal-committee.txt").read_text(encoding="utf-8").split("\n")
)
TIANJIN_LINES = (
    (RAW / "tianjin-public-security-bureau.txt").read_text(encoding="utf-8").split("\n")[:400]
)

NOISE = st.sampled_from(NOISE_TEXTS)


def _input_amounts(text: str, unit_divisor: int) -> set[Decimal]:
    """Every cell of the input that reads as a number, in 万元 or converted from 元."""
    found: set[Decimal] = {Decimal("0.00")}
    for cell in re.split(r"[\t\n\r]", text):
        try:
            value = Decimal(normalise_amount_text(cell))
        except InvalidOperation:
            continue
        for divisor in (1, unit_divisor):
            found.add((value / divisor).quantize(Decimal("0.01")))
    return found


OPS = st.lists(
    st.tuples(st.sampled_from(MUTATIONS), NOISE),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000), ops=OPS)
def test_mutated_guangzhou_rows_parse_or_raise_parse_error(tmp_path, seed, ops):
    text = "\n".join(mutate(BAIYUN_LINES, seed, ops))
    _assert_parses_honestly(tmp_path / "mutant-gz.txt", text, unit_divisor=10000)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000), ops=OPS)
def test_mutated_tianjin_cells_parse_or_raise_parse_error(tmp_path, seed, ops):
    text = "\n".join(mutate(TIANJIN_LINES, seed, ops))
    _assert_parses_honestly(tmp_path / "mutant-tj.txt", text, unit_divisor=10000)


def _assert_parses_honestly(path: Path, text: str, unit_divisor: int) -> None:
    path.write_text(text, encoding="utf-8")
    try:
        tables = release_frames(parse_release(path))
    except ParseError:
        return
    allowed = _input_amounts(text, unit_divisor)
    projects = tables["projects"]
    for column in ("total_wan", "fiscal_wan", "special_account_wan", "other_wan", "bond_wan"):
        for value in projects[column]:
            assert value in allowed, f"{column}={value} is not in the input"
