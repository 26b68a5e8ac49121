"""``budget-marts``: query the warehouse, list its tables, build the HTML report.

    budget-marts tables [SCHEMA]
    budget-marts query "SELECT …" [--out result.csv|.parquet|.xlsx]
    budget-marts report [--out report.html]
    budget-marts years

Every command opens the warehouse read-only with DuckDB's external access disabled, and a
query is one statement that reads the warehouse only (analytics/warehouse.py says why and how;
settings.py says where the warehouse is looked for). Exit status: 0 done; 1 the query failed
or was refused; 2 the warehouse cannot be opened (missing, locked by a running build, not a
DuckDB file) or the command line is wrong. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb

import settings
from analytics.export import export_result
from analytics.text_table import format_table
from analytics.warehouse import (
    WarehouseError,
    WarehouseUnavailable,
    list_tables,
    open_warehouse,
    resolve_warehouse_path,
    run_query,
)

EXIT_OK = 0
EXIT_QUERY_FAILED = 1
EXIT_UNAVAILABLE = 2
DEFAULT_MAX_ROWS = 50
# Wide enough for every release_id of the samples (42 columns) and most project names.
DEFAULT_MAX_WIDTH = 48


def _warehouse_option(default: object) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--warehouse",
        metavar="PATH",
        default=default,
        help=(
            f"DuckDB file (default: ${settings.WAREHOUSE_PATH_ENV}, else "
            f"${settings.LAKE_DIR_ENV}/{settings.WAREHOUSE_FILE_NAME}, else "
            f"data_lake/{settings.WAREHOUSE_FILE_NAME} in the repository)"
        ),
    )
    return common


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="budget-marts",
        description="Read-only access to the budget performance warehouse.",
        parents=[_warehouse_option(None)],
    )
    # SUPPRESS: `--warehouse` after the command must not reset one given before it.
    common = _warehouse_option(argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    tables = commands.add_parser(
        "tables", parents=[common], help="list schemas, tables and row counts, marts first"
    )
    tables.add_argument("schema", nargs="?", help="only this schema (e.g. marts)")

    query = commands.add_parser(
        "query",
        parents=[common],
        help="run one read-only SQL statement",
        description=(
            "Run one SQL statement that reads the warehouse. Anything that writes, attaches, "
            "installs, loads, exports, imports or reads a file is refused (also inside EXPLAIN, "
            "PRAGMA and CALL); export a result with --out."
        ),
    )
    query.add_argument("sql", help="the SQL text, or - to read it from standard input")
    query.add_argument(
        "--out", type=Path, metavar="FILE", help="write every row to FILE (.csv, .parquet, .xlsx)"
    )
    query.add_argument(
        "--max-rows",
        type=int,
        default=DEFAULT_MAX_ROWS,
        metavar="N",
        help=f"print at most N rows (default {DEFAULT_MAX_ROWS}; 0 for all)",
    )
    query.add_argument(
        "--max-width",
        type=int,
        default=DEFAULT_MAX_WIDTH,
        metavar="COLS",
        help=f"cut cells wider than COLS terminal columns with … (default {DEFAULT_MAX_WIDTH})",
    )

    report = commands.add_parser(
        "report", parents=[common], help="write the self-contained HTML report"
    )
    report.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="HTML file (default: report.html beside the warehouse)",
    )
    commands.add_parser(
        "years",
        parents=[common],
        help="per department with two or more budget years: totals by year, largest changes, "
        "new and ended projects",
    )
    return parser


def _tables(connection, schema: str | None) -> str:
    infos = list_tables(connection, schema)
    if not infos:
        return f"no tables{f' in schema {schema}' if schema else ''}"
    rows = [(info.schema, info.name, info.kind, info.row_count) for info in infos]
    return format_table(["schema", "table", "kind", "rows"], rows)


def format_result(
    cursor: duckdb.DuckDBPyConnection,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_width: int = DEFAULT_MAX_WIDTH,
) -> str:
    """A query result as ``budget-marts query`` prints it: the table, then a row count."""
    if cursor.description is None:
        return "(no result)"
    columns = [description[0] for description in cursor.description]
    rows = cursor.fetchall()
    shown = rows if max_rows <= 0 else rows[:max_rows]
    text = format_table(columns, shown, max_width=max(max_width, 2))
    if len(shown) < len(rows):
        return text + f"\n({len(rows)} rows, first {len(shown)} shown; --max-rows 0 shows all)"
    return text + f"\n({len(rows)} row{'' if len(rows) == 1 else 's'})"


def _query(connection: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> str:
    sql = sys.stdin.read() if args.sql == "-" else args.sql
    cursor = run_query(connection, sql)
    if args.out and cursor.description is not None:
        count = export_result(cursor, args.out)
        return f"{count} rows written to {args.out}"
    return format_result(cursor, args.max_rows, args.max_width)


def _report(connection, warehouse: Path, out: Path | None) -> str:
    from analytics.report import write_report

    target = out or warehouse.parent / "report.html"
    write_report(connection, target)
    return f"report written to {target}"


def format_years(connection: duckdb.DuckDBPyConnection) -> str:
    """Per department with two budget years or more: totals, largest changes, new and ended."""
    from analytics.years import read_years

    departments = read_years(connection)
    if not departments:
        return "no department has two budget years in the warehouse: nothing to compare"
    blocks = []
    for department in departments:
        latest, previous = department.latest_year, department.previous_year
        printed = sorted(
            {t.department_zh_printed for t in department.totals} - {department.department_zh}
        )
        title = department.department_zh + (
            f" (also printed as {', '.join(printed)})" if printed else ""
        )
        totals = format_table(
            ["budget_year", "projects", "total_wan", "change_wan", "change_pct"],
            [
                (
                    t.budget_year,
                    t.n_projects,
                    t.total_wan,
                    t.change_wan,
                    None if t.change_pct is None else round(t.change_pct, 1),
                )
                for t in department.totals
            ],
        )
        largest = format_table(
            ["project", "unit", "status", f"{previous}_wan", f"{latest}_wan", "change_wan"],
            [
                (
                    c.project_name_zh,
                    c.unit_name_zh,
                    c.status,
                    c.previous_total_wan,
                    c.total_wan,
                    c.change_wan,
                )
                for c in department.largest_changes
            ],
            max_width=DEFAULT_MAX_WIDTH,
        )
        lines = [title, "", totals, "", f"largest changes, {latest} against {previous}:", largest]
        for label, projects, count in (
            ("new", department.new_projects, department.n_new),
            ("ended", department.ended_projects, department.n_ended),
        ):
            names = "、".join(c.project_name_zh for c in projects)
            more = f" and {count - len(projects)} more" if count > len(projects) else ""
            lines.append(f"{label} in {latest} ({count}): {names or '—'}{more}")
        if department.n_ambiguous:
            lines.append(
                f"{department.n_ambiguous} project(s) matched by order among repeated names "
                "with different counts in the two years: their status is uncertain"
            )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``budget-marts`` command; the exit status."""
    args = _parser().parse_args(argv)
    warehouse = resolve_warehouse_path(args.warehouse)
    try:
        with open_warehouse(warehouse) as connection:
            if args.command == "tables":
                output = _tables(connection, args.schema)
            elif args.command == "query":
                output = _query(connection, args)
            elif args.command == "years":
                output = format_years(connection)
            else:
                output = _report(connection, warehouse, args.out)
    except WarehouseUnavailable as error:
        sys.stderr.write(f"budget-marts: {error}\n")
        return EXIT_UNAVAILABLE
    except WarehouseError as error:
        sys.stderr.write(f"budget-marts: {error}\n")
        return EXIT_QUERY_FAILED
    try:
        sys.stdout.write(output + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # `budget-marts query … | head`: the reader left; that is not an error.
        sys.stderr.close()
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
