"""tianjin_indicator_columns, read a column at a time, gives what the row-by-row reading gave.

The reference below is the loop it replaced (one row at a time, every flag and warning raised
in order); the tests compare both on every indicator table of the samples and on built tables
with blank, misplaced and unknown levels, placeholders and missing values.
"""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.indicators import (
    IndicatorColumns,
    TianjinIndicatorTable,
    _blank_to_none,
    _level_flags,
    _tianjin_flag_tuples,
    tianjin_indicator_columns,
)
from parsers.layouts.tianjin import parse_tianjin
from parsers.reader import read_release
from parsers.targets import is_placeholder, parse_target

RAW = Path(__file__).resolve().parents[2] / "data_lake" / "raw"


def _row_by_row(
    table: TianjinIndicatorTable,
) -> tuple[IndicatorColumns, tuple[tuple[str, ...], ...]]:
    rows, flag_tuples, stored, warnings = [], [], [], []
    current_level1 = None
    for level1_zh, level2_zh, name_zh, description_zh, value_zh, line in zip(
        table.level1_zh,
        table.level2_zh,
        table.name_zh,
        table.description_zh,
        table.value_zh,
        table.source_line,
        strict=True,
    ):
        printed_level1 = _blank_to_none(level1_zh)
        if printed_level1 is not None:
            current_level1 = printed_level1
        level2 = _blank_to_none(level2_zh)
        annual = _blank_to_none(value_zh)
        name = _blank_to_none(name_zh)
        flags = list(_level_flags(current_level1, level2))
        if current_level1 is None:
            flags.append("level1_missing")
            warnings.append(f"line {line}: blank level 1 with none above")
        if level2 is None:
            flags.append("level2_missing")
        if is_placeholder(name) or is_placeholder(annual):
            flags.append("placeholder")
        if annual is None:
            flags.append("missing_annual_target")
        if printed_level1 is not None and "level2_in_level1_slot" in flags:
            warnings.append(f"line {line}: level-2 name {printed_level1!r} in the level-1 slot")
        target = parse_target(annual)
        flag_tuples.append(tuple(dict.fromkeys(flags)))
        # A classified project stores these same flags: its placeholder target would flag the
        # row ``placeholder``, which it already is.
        assert target.kind != "placeholder" or "placeholder" in flags
        stored.append(";".join(sorted(set(flags))))
        rows.append(
            (None, current_level1, None, level2, name, _blank_to_none(description_zh), None)
            + (annual, target.kind, target.operator, target.value, target.unit)
            + (target.is_quantified, None, stored[-1])
        )
    count = len(rows)
    columns = IndicatorColumns(
        rows=tuple(rows),
        numbers=(None,) * count,
        flags=tuple(stored),
        lines=tuple(table.source_line) if count else (),
        warnings=tuple(warnings),
    )
    return columns, tuple(flag_tuples)


def _check(table: TianjinIndicatorTable) -> None:
    columns, flag_tuples = _row_by_row(table)
    assert tianjin_indicator_columns(table) == columns
    assert _tianjin_flag_tuples(table, columns) == flag_tuples


def test_columns_read_as_row_by_row_on_every_sample_table():
    tables = []
    for path in sorted(RAW.glob("tianjin*.txt")):
        raw = read_release(path)
        result = parse_tianjin(raw.lines, raw.path)
        tables += [p.indicator_rows for p in result.projects if p.indicator_rows is not None]
    assert sum(len(table) for table in tables) > 500
    for table in tables:
        _check(table)


CELL = st.sampled_from(
    ["产出指标", "效益指标", "数量指标", "社会效益指标", "其他", "", " ", "  产出指标 ", "涉密"]
)
# Names on both sides of _tianjin_row's first-character test: ideographs the placeholder words
# hold or not (一 and 龥 at the range's ends), full-width letters, ellipses, spaces.
NAME = st.sampled_from(
    ["办结率", "", " ", "涉密", "待单位补充...", "SM项目", "名 ", "ＳＭ项目", "……", " 涉密"]
    + ["项目涉密", "待补充", "一般", "龥", "〇涉密", "密"]
)
VALUE = st.sampled_from(["≥95%", "100%", "", " ", "涉密", "…", "按时完成", "提升", "。", "≥9５％"])
ROW = st.tuples(CELL, CELL, NAME, st.one_of(st.none(), NAME), VALUE)


@settings(max_examples=2000, deadline=None)
@given(st.lists(ROW, min_size=0, max_size=8))
def test_columns_read_as_row_by_row_on_built_tables(rows):
    table = TianjinIndicatorTable()
    for line, (level1, level2, name, description, value) in enumerate(rows, start=10):
        table.level1_zh.append(level1)
        table.level2_zh.append(level2)
        table.name_zh.append(name)
        table.description_zh.append(description)
        table.value_zh.append(value)
        table.source_line.append(line)
    _check(table)
