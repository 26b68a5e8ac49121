"""item_starts finds exactly the matches of the item-start rule (_ITEM_START), faster.

The rule is one pattern; the parser finds its matches from each ``、`` instead (see
item_starts). Every start decides where an item ends, so the two must agree everywhere: on
every indicator cell of the samples and on strings built from the characters that matter
(digits, full-width digits, separators, spaces, tags, level names).
"""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.indicators import _ITEM_START, item_starts

RAW = Path(__file__).resolve().parents[2] / "data_lake" / "raw"
PIECES = st.sampled_from(
    [
        "1",
        "2",
        "12",
        "123",
        "1234",
        "１",
        "、",
        "。",
        "；",
        ";",
        " ",
        "\u3000",
        "\n",
        ">",
        "<p>",
        "产出指标",
        "指标",
        "数量",
        "-",
        "11-",
        "：",
        ":",
        "x",
        "名",
    ]
)


def _by_pattern(text: str) -> list[tuple[int, int, int]]:
    return [(m.start(), m.end(), int(m.group(1))) for m in _ITEM_START.finditer(text)]


def test_item_starts_agree_with_the_rule_on_every_sample_cell():
    cells = [
        cell
        for path in sorted(RAW.glob("guangzhou-*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        for cell in line.split("\t")
        if "、" in cell
    ]
    assert len(cells) > 200
    found = [item_starts(cell) for cell in cells]
    assert found == [_by_pattern(cell) for cell in cells]
    assert sum(map(len, found)) > 1000


@settings(max_examples=3000, deadline=None)
@given(st.lists(PIECES, max_size=16).map("".join))
def test_item_starts_agree_with_the_rule_on_built_strings(text):
    assert item_starts(text) == _by_pattern(text)
