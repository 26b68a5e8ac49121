"""docs/analyst_guide.md: every SQL block runs on the sample releases, and every pasted output
is exactly what `budget-marts query` prints for it with the default options (issue 17.4)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from analytics.cli import main
from analytics.guide import (
    extract_labelled_outputs,
    extract_sql_blocks,
    extract_sql_with_outputs,
    refresh_outputs,
)
from analytics.warehouse import open_warehouse, run_query

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "analyst_guide.md"
SQL_BLOCKS = extract_sql_blocks(GUIDE.read_text(encoding="utf-8"))
PASTED_OUTPUTS = extract_sql_with_outputs(GUIDE.read_text(encoding="utf-8"))
# Question 6 compares budget years, which the samples do not state: its output comes from the
# multi-year lake of tests/conftest.py (budget_years_lake), and says so.
YEARS_OUTPUTS = extract_labelled_outputs(GUIDE.read_text(encoding="utf-8"), "budget-years")


def _question(number: int) -> str:
    """The sql block under the guide's heading `## <number>.`."""
    section = GUIDE.read_text(encoding="utf-8").split(f"\n## {number}. ", 1)[1]
    return extract_sql_blocks(section)[0]


def _rows(warehouse: Path, sql: str) -> tuple[list[str], list[tuple]]:
    with open_warehouse(warehouse) as connection:
        cursor = run_query(connection, sql)
        return [column[0] for column in cursor.description], cursor.fetchall()


def test_analyst_guide_has_six_questions_each_with_sql():
    assert len(SQL_BLOCKS) == 6
    for number in range(1, 7):
        assert _question(number)


def test_extract_sql_blocks_skips_other_code_blocks():
    markdown = "```\nbudget-marts tables\n```\n\n```sql\nselect 1\n```\n\n```text\nx\n```\n"

    assert extract_sql_blocks(markdown) == ["select 1"]


def test_refresh_outputs_replaces_the_text_block_under_each_query(tiny_warehouse):
    markdown = "```sql\nselect 1 as n\n```\n\n```text\nstale\n```\n"

    with open_warehouse(tiny_warehouse) as connection:
        refreshed = refresh_outputs(markdown, connection)

    assert refreshed == "```sql\nselect 1 as n\n```\n\n```text\nn\n-\n1\n(1 row)\n```\n"


def test_refresh_outputs_leaves_an_output_labelled_with_another_lake_alone(tiny_warehouse):
    markdown = (
        "```sql\nselect 2 as n\n```\n\nFrom another lake.\n\n```text budget-years\nkept\n```\n"
    )

    with open_warehouse(tiny_warehouse) as connection:
        assert refresh_outputs(markdown, connection) == markdown
    assert extract_labelled_outputs(markdown, "budget-years") == [("select 2 as n\n", "kept\n")]


def test_analyst_guide_pastes_an_output_under_every_query():
    pasted = [sql.strip() for sql, _ in PASTED_OUTPUTS + YEARS_OUTPUTS]
    assert pasted == SQL_BLOCKS


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(PASTED_OUTPUTS)))
def test_analyst_guide_pasted_output_is_what_the_default_query_command_prints(
    sample_warehouse, capsys, index
):
    sql, pasted = PASTED_OUTPUTS[index]

    status = main(["query", sql, "--warehouse", str(sample_warehouse)])

    assert status == 0
    assert capsys.readouterr().out == pasted


@pytest.mark.slow
@pytest.mark.parametrize("number", range(1, 6))
def test_analyst_guide_query_runs_and_returns_rows_on_sample_releases(sample_warehouse, number):
    _, rows = _rows(sample_warehouse, _question(number))

    assert rows


@pytest.mark.slow
def test_analyst_guide_largest_project_is_guangzhou_police_running_support(sample_warehouse):
    columns, rows = _rows(sample_warehouse, _question(3))
    first = dict(zip(columns, rows[0], strict=True))

    # guangzhou-public-security-bureau.txt line 61: 机构运行辅助经费	71,531.34	71,531.34
    assert first["project_name_zh"] == "机构运行辅助经费"
    assert first["total_wan"] == Decimal("71531.34")
    assert first["source"] == "guangzhou-public-security-bureau.txt:61"


@pytest.mark.slow
def test_analyst_guide_department_total_of_baiyun_is_its_printed_grand_total(sample_warehouse):
    columns, rows = _rows(sample_warehouse, _question(5))
    by_department = {row[0]: dict(zip(columns, row, strict=True)) for row in rows}

    # guangzhou-baiyun-political-legal-committee.txt line 10: 合计	1,989.76
    assert by_department["中共广州市白云区区委政法委员会"]["department_total_wan"] == Decimal(
        "1989.76"
    )
    assert len(by_department) == 5


@pytest.mark.slow
def test_analyst_guide_year_question_output_is_what_the_query_command_prints(
    budget_years_lake, capsys
):
    ((sql, pasted),) = YEARS_OUTPUTS

    status = main(["query", sql, "--warehouse", str(budget_years_lake / "warehouse.duckdb")])

    assert status == 0
    assert capsys.readouterr().out == pasted


@pytest.mark.slow
def test_analyst_guide_year_question_splits_each_change_into_its_three_parts(budget_years_lake):
    columns, rows = _rows(budget_years_lake / "warehouse.duckdb", _question(6))
    assert rows
    for row in map(dict, (zip(columns, row, strict=True) for row in rows)):
        parts = [
            row[name] or 0 for name in ("from_new_wan", "from_ended_wan", "from_continuing_wan")
        ]
        assert sum(parts) == row["change_wan"], row["department_zh"]


@pytest.mark.slow
def test_analyst_guide_year_question_reads_the_hand_made_guangzhou_pair(budget_years_lake):
    columns, rows = _rows(budget_years_lake / "warehouse.duckdb", _question(6))
    (baiyun,) = [
        dict(zip(columns, row, strict=True))
        for row in rows
        if row[0] == "中共广州市白云区区委政法委员会"
    ]

    # Typed from tests/dbt/budget_years/gz-baiyun-2024.txt and -2025.txt: 平安建设宣传经费 is new
    # (12.50), 政府雇员公用经费 ended (5.10), 政府雇员工资经费 143.36 → 150.00.
    assert (baiyun["from_new_wan"], baiyun["from_ended_wan"], baiyun["from_continuing_wan"]) == (
        Decimal("12.50"),
        Decimal("-5.10"),
        Decimal("6.64"),
    )
