"""The Tianjin tables read by position give what the searched reading gives.

A table of the usual shape has its labels found by their cell (``_usual_hits``) and its
indicator header by two list comparisons (``_usual_header``) instead of a search of every
cell (``_searched_hits``, ``_header``). These tests hold the positional readings to the
searched ones on every table of the Tianjin sample and on tables built from it with cells
replaced, inserted or deleted by pieces that are, or fold to, labels and currency lines.
"""

from __future__ import annotations

import random
from pathlib import Path

from parsers.layouts.tianjin import (
    _Cells,
    _cells,
    _header,
    _indicator_rows,
    _raw_indicator_text,
    _searched_hits,
    _usual_header,
    _usual_hits,
    split_tables,
)
from parsers.reader import read_release

RAW = Path(__file__).resolve().parents[2] / "data_lake" / "raw"

# The names an indicator table's header prints, in the spellings the searched reading knows.
INDICATOR_HEADER_NAMES = ("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标描述", "指标值")

# Labels and near-labels in every spelling the searched reading knows, spaced and with
# colons, currency lines, header names and plain values.
PIECES = (
    "",
    " ",
    "项目名称",
    "项目 名称",
    "项目名称：",
    "预算数",
    "预 算数:",
    "年度预算数",
    "资金总额",
    "其中：财政资金",
    "其中:财政资金",
    "财政资金",
    "财政拨款",
    "其他资金",
    "其他资金：",
    "其中：其他资金",
    "绩效目标",
    "年度绩效目标",
    "项目绩效目标",
    "预算规模及资金用途",
    *INDICATOR_HEADER_NAMES,
    "单位：万元",
    "单位：元",
    "单 位 : 元",
    "预算单位：341101天津市某局",
    "341101天津市公安局某处",
    "为完成绩效目标安排预算数",
    "12.15",
    "0",
    "保证硬件运行稳定。",
)


def _sample_tables() -> list[list[str]]:
    raw = read_release(RAW / "tianjin-public-security-bureau.txt")
    tables = []
    for start, end in split_tables(raw.lines):
        block = raw.lines[start + 1 : end]
        tables.append(_cells(block, "\n".join(block), start + 2))
    return tables


def _built(texts: list[str]) -> _Cells:
    return _Cells(texts, list(range(10, 10 + len(texts))))


def test_usual_hits_are_the_searched_hits_on_every_sample_table() -> None:
    tables = _sample_tables()
    usual = 0
    for cells in tables:
        hits = _usual_hits(cells.texts)
        if hits is not None:
            usual += 1
            assert hits == _searched_hits(cells), cells.texts[:16]
    assert usual >= 100  # the sample's project tables are of the usual shape


def test_usual_hits_are_the_searched_hits_on_built_tables() -> None:
    rng = random.Random(16)
    templates = [cells.texts for cells in _sample_tables() if _usual_hits(cells.texts)][:20]
    taken = refused = 0
    for _ in range(6000):
        texts = list(rng.choice(templates))
        for _ in range(rng.randint(0, 3)):
            index = rng.randrange(0, 18)
            action = rng.random()
            if action < 0.7:
                texts[index] = rng.choice(PIECES)
            elif action < 0.85:
                texts.insert(index, rng.choice(PIECES))
            else:
                del texts[index]
        hits = _usual_hits(texts)
        if hits is None:
            refused += 1
            continue
        taken += 1
        assert hits == _searched_hits(_built(texts)), texts[:16]
    assert taken > 500 and refused > 500


def test_usual_header_is_the_searched_header() -> None:
    rng = random.Random(16)
    names = [*INDICATOR_HEADER_NAMES, "产出指标", ""]
    taken = 0
    for _ in range(6000):
        texts = ["x", "一级指标"] + [rng.choice(names) for _ in range(rng.randint(0, 7))]
        if rng.random() < 0.5:
            texts[2:6] = ["二级指标", "三级指标", "绩效指标描述", "指标值"][: rng.randint(2, 4)]
        usual = _usual_header(texts, 1)
        if usual is None:
            continue
        taken += 1
        warnings: list = []
        assert usual == _header(_built(texts), 1, warnings), texts
        assert warnings == []
    assert taken > 500


def test_indicator_text_read_with_rows_is_the_columns_joined() -> None:
    """Where the header names every cell of a row, the text is the body's rows joined as they
    stand; it must be what joining the table's columns gives, whatever the header."""
    rng = random.Random(16)
    names = [*INDICATOR_HEADER_NAMES, "产出指标", ""]
    cells = ["产出指标", "数量指标", "办结率", "", "≥95%", "一级指标", "绩效指标描述"]
    tables = [table.texts for table in _sample_tables()]
    with_rows = 0
    for _ in range(3000):
        texts = ["x", "一级指标"] + [rng.choice(names) for _ in range(rng.randint(0, 6))]
        if rng.random() < 0.6:
            texts[2:] = ["二级指标", "三级指标", "绩效指标描述", "指标值"][rng.randint(0, 1) :]
        texts += [rng.choice(cells) for _ in range(rng.randint(0, 23))]
        tables.append(texts)
    for texts in tables:
        table, _, text = _indicator_rows(_built(texts), Path("built.txt"), [])
        assert text == _raw_indicator_text(table), texts
        with_rows += len(table) > 0
    assert with_rows > 1000
