"""docs/analyst_guide.md: every SQL block runs on the sample releases, and every pasted output
is exactly what `budget-marts query` prints for it with the default options (issue 17.4)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from analytics.cli import main
from analytics.guide import extract_sql_blocks, extract_sql_with_outputs, refresh_outputs
from analytics.warehouse import open_warehouse, run_query

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "analyst_guide.md"
SQL_BLOCKS = extract_sql_blocks(GUIDE.read_text(encoding="utf-8"))
PASTED_OUTPUTS = extract_sql_with_outputs(GUIDE.read_text(encoding="utf-8"))


def _question(number: int) -> str:
    """The sql block under the guide's heading `## <number>.`."""
    section = GUIDE.read_text(encoding="utf-8").split(f"\n## {number}. ", 1)[1]
    return extract_sql_blocks(section)[0]


def _rows(warehouse: Path, sql: str) -> tuple[list[str], list[tuple]]:
    with open_warehouse(warehouse) as connection:
        cursor = run_query(connection, sql)
        return [column[0] for column in cursor.description], cursor.fetchall()


def test_analyst_guide_has_five_questions_each_with_sql():
    assert len(SQL_BLOCKS) == 5
    for number in range(1, 6):
        assert _question(number)


def test_extract_sql_blocks_skips_other_code_blocks():
    markdown = "```\nbudget-marts tables\n```\n\n```sql\nselect 1\n```\n\n```text\nx\n```\n"

    assert extract_sql_blocks(markdown) == ["select 1"]


def test_refresh_outputs_replaces_the_text_block_under_each_query(tiny_warehouse):
    markdown = "```sql\nselect 1 as n\n```\n\n```text\nstale\n```\n"

    with open_warehouse(tiny_warehouse) as connection:
        refreshed = refresh_outputs(markdown, connection)

    assert refreshed == "```sql\nselect 1 as n\n```\n\n```text\nn\n-\n1\n(1 row)\n```\n"


def test_analyst_guide_pastes_an_output_under_every_query():
    assert [sql.strip() for sql, _ in PASTED_OUTPUTS] == SQL_BLOCKS


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
