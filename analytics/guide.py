"""Keep docs/analyst_guide.md honest: re-run each SQL block and paste its output below it.

The guide pairs every ```sql block with the ```text block that follows it. This module
finds those pairs, and ``python -m analytics.guide docs/analyst_guide.md`` (``make docs``)
rewrites each text block from a real run, so the printed numbers are never typed by hand.
Each output is what ``budget-marts query "<the block>"`` prints with its default options (a
newcomer who pastes the query must see the same, issue 17.4), rendered by the CLI's own
function; tests/analytics/test_analyst_guide.py holds the pasted outputs to it on a warehouse
built from the sample releases.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import duckdb

from analytics.cli import format_result
from analytics.warehouse import (
    WarehouseError,
    WarehouseUnavailable,
    open_warehouse,
    resolve_warehouse_path,
    run_query,
)

SQL_BLOCK = re.compile(r"```sql\n(?P<sql>.*?)```", re.DOTALL)
# A sql block, then (after blank lines and at most one short line of prose) its output.
SQL_WITH_OUTPUT = re.compile(
    r"(?P<head>```sql\n(?P<sql>.*?)```\n(?:\n|[^`\n][^\n]*\n){0,3}```text\n)(?P<output>.*?)(?P<tail>```)",
    re.DOTALL,
)


# An output block labelled with the lake it comes from (```text budget-years): not the samples,
# so ``make docs`` leaves it alone and a test holds it to a run on that lake instead.
SQL_WITH_LABELLED_OUTPUT = re.compile(
    r"```sql\n(?P<sql>(?:(?!```).)*?)```\n(?:\n|[^`\n][^\n]*\n){0,6}"
    r"```text (?P<label>[\w-]+)\n(?P<output>.*?)```",
    re.DOTALL,
)


def extract_sql_blocks(markdown: str) -> list[str]:
    """Every ```sql block of ``markdown``, in order."""
    return [match.group("sql").strip() for match in SQL_BLOCK.finditer(markdown)]


def extract_sql_with_outputs(markdown: str) -> list[tuple[str, str]]:
    """Every ```sql block of ``markdown`` that has an output block, with that output."""
    return [
        (match.group("sql"), match.group("output")) for match in SQL_WITH_OUTPUT.finditer(markdown)
    ]


def extract_labelled_outputs(markdown: str, label: str) -> list[tuple[str, str]]:
    """Every ```sql block whose output block is labelled ``label``, with that output."""
    return [
        (match.group("sql"), match.group("output"))
        for match in SQL_WITH_LABELLED_OUTPUT.finditer(markdown)
        if match.group("label") == label
    ]


def render_output(connection: duckdb.DuckDBPyConnection, sql: str) -> str:
    """What ``budget-marts query`` prints for ``sql`` with its default options."""
    return format_result(run_query(connection, sql)) + "\n"


def refresh_outputs(markdown: str, connection: duckdb.DuckDBPyConnection) -> str:
    """``markdown`` with each sql block's text block replaced by a fresh run."""
    return SQL_WITH_OUTPUT.sub(
        lambda match: (
            match.group("head")
            + render_output(connection, match.group("sql"))
            + match.group("tail")
        ),
        markdown,
    )


def main(argv: list[str] | None = None) -> int:
    """Rewrite the outputs of the guide named on the command line; the exit status."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m analytics.guide docs/analyst_guide.md\n")
        return 2
    guide = Path(args[0])
    try:
        with open_warehouse(resolve_warehouse_path()) as connection:
            refreshed = refresh_outputs(guide.read_text(encoding="utf-8"), connection)
    except WarehouseUnavailable as error:
        sys.stderr.write(f"analytics.guide: {error}\n")
        return 2
    except WarehouseError as error:
        sys.stderr.write(f"analytics.guide: {guide}: {error}\n")
        return 1
    guide.write_text(refreshed, encoding="utf-8")
    sys.stdout.write(f"{guide}: outputs refreshed\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
