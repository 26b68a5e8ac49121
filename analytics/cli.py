"""``budget-marts``: query the warehouse, list its tables, build the HTML report.

    budget-marts tables [SCHEMA]
    budget-marts query "SELECT …" [--out result.csv|.parquet|.xlsx]
    budget-marts report [--out report.html]

Every command opens the warehouse read-only (see analytics/warehouse.py for where it is
looked for). Exit status: 0 done; 1 the query failed or was refused; 2 the warehouse
cannot be opened (missing, locked by a running build, not a DuckDB file) or the command
line is wrong. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

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
DEFAULT_MAX_WIDTH = 40


def _warehouse_option(default: object) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--warehouse",
        metavar="PATH",
        default=default,
        help="DuckDB file (default: $BUDGET_WAREHOUSE_PATH, else data_lake/warehouse.duckdb)",
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

    query = commands.add_parser("query", parents=[common], help="run a read-only SQL query")
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
    return parser


def _tables(connection, schema: str | None) -> str:
    infos = list_tables(connection, schema)
    if not infos:
        return f"no tables{f' in schema {schema}' if schema else ''}"
    rows = [(info.schema, info.name, info.kind, info.row_count) for info in infos]
    return format_table(["schema", "table", "kind", "rows"], rows)


def _query(connection, args: argparse.Namespace) -> str:
    sql = sys.stdin.read() if args.sql == "-" else args.sql
    cursor = run_query(connection, sql)
    if cursor.description is None:
        return "(no result)"
    if args.out:
        count = export_result(cursor, args.out)
        return f"{count} rows written to {args.out}"
    columns = [description[0] for description in cursor.description]
    rows = cursor.fetchall()
    shown = rows if args.max_rows <= 0 else rows[: args.max_rows]
    text = format_table(columns, shown, max_width=max(args.max_width, 2))
    if len(shown) < len(rows):
        text += f"\n({len(rows)} rows, first {len(shown)} shown; --max-rows 0 shows all)"
    else:
        text += f"\n({len(rows)} row{'' if len(rows) == 1 else 's'})"
    return text


def _report(connection, warehouse: Path, out: Path | None) -> str:
    from analytics.report import write_report

    target = out or warehouse.parent / "report.html"
    write_report(connection, target)
    return f"report written to {target}"


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
