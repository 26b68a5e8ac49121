"""analytics.text_table for callers outside analytics: text already formatted, no cutting."""

from __future__ import annotations

from decimal import Decimal

from analytics.text_table import display_width, format_table


def test_format_table_right_aligns_the_columns_named_when_numbers_come_as_text():
    text = format_table(
        ["release", "Σ total 万元"],
        [("guangzhou-baiyun-political-legal-committee", "1,989.76"), ("tj", "47,466.91")],
        max_width=None,
        right_align={1},
    )

    header, rule, first, second = text.splitlines()
    assert first.endswith(" 1,989.76") and second.endswith("47,466.91")
    assert display_width(header) == display_width(first) == display_width(second)
    assert set(rule) == {"-"}


def test_format_table_keeps_long_cells_whole_without_max_width():
    name = "广州市政务服务和数据管理局2024-2027年广州市数字政府政务云服务运维项目"

    text = format_table(["project_name_zh"], [(name,)], max_width=None)

    assert text.splitlines()[2] == name


def test_format_table_prints_brackets_and_colons_literally():
    text = format_table(["note", "n"], [("[bold]x[/bold] :warning:", Decimal("1.50"))])

    assert "[bold]x[/bold] :warning:" in text and "1.50" in text
