"""Where the warehouse is, and how analysts open it: read-only, with one-line errors.

The path follows the pipeline's own rule (orchestration/resources.py), repeated here so
that the analyst tools need not import Dagster: ``--warehouse``, else
``$BUDGET_WAREHOUSE_PATH``, else ``$BUDGET_LAKE_DIR/warehouse.duckdb``, else
``<repo>/data_lake/warehouse.duckdb``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

REPO_DIR = Path(__file__).resolve().parent.parent
DEFAULT_WAREHOUSE = REPO_DIR / "data_lake" / "warehouse.duckdb"
WAREHOUSE_PATH_ENV = "BUDGET_WAREHOUSE_PATH"
LAKE_DIR_ENV = "BUDGET_LAKE_DIR"

# Schemas in the order analysts want them: the marts are the product, the rest is plumbing.
SCHEMA_ORDER = ("marts", "intermediate", "staging", "seeds")

# Statement types a query may contain. The connection is read-only anyway; this also
# refuses COPY … TO, ATTACH and SET, which read-only mode lets through.
READ_STATEMENT_TYPES = frozenset({"SELECT", "EXPLAIN", "PRAGMA", "CALL"})


class WarehouseError(Exception):
    """Something an analyst can fix in the query; its message is one line."""


class WarehouseUnavailable(WarehouseError):
    """The warehouse file cannot be opened (missing, locked, not DuckDB); names the file."""


@dataclass(frozen=True)
class TableInfo:
    """One table or view of the warehouse, with its row count (None when it cannot be read)."""

    schema: str
    name: str
    kind: str
    row_count: int | None


def resolve_warehouse_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse file: ``explicit``, else the environment, else the repo default."""
    if explicit:
        return Path(explicit).expanduser()
    if configured := os.environ.get(WAREHOUSE_PATH_ENV):
        return Path(configured).expanduser()
    if lake_dir := os.environ.get(LAKE_DIR_ENV):
        return Path(lake_dir).expanduser() / "warehouse.duckdb"
    return DEFAULT_WAREHOUSE


def one_line(error: BaseException) -> str:
    """The first line of an error message; DuckDB puts hints and a caret on the lines after."""
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__


def open_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to ``path``; WarehouseUnavailable when it is missing or locked.

    DuckDB lets one process write or many processes read. While ``make run`` (dbt)
    holds the write lock, opening fails with an IOException: say so plainly.
    """
    if not path.exists():
        raise WarehouseUnavailable(f"{path}: warehouse not found; build it with `make run`")
    if path.is_dir():
        raise WarehouseUnavailable(f"{path}: is a directory, not a DuckDB file")
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as error:
        message = one_line(error)
        if "lock" in message.lower():
            raise WarehouseUnavailable(
                f"{path}: warehouse is locked by another process (is `make run` still "
                "building it?); try again when it has finished"
            ) from error
        raise WarehouseUnavailable(f"{path}: cannot open warehouse: {message}") from error
    except duckdb.Error as error:
        raise WarehouseUnavailable(f"{path}: cannot open warehouse: {one_line(error)}") from error


def refuse_writes(connection: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Raise WarehouseError unless every statement in ``sql`` only reads."""
    try:
        statements = connection.extract_statements(sql)
    except duckdb.Error as error:
        raise WarehouseError(f"cannot parse the query: {one_line(error)}") from error
    if not statements:
        raise WarehouseError("the query is empty")
    for statement in statements:
        kind = statement.type.name
        if kind not in READ_STATEMENT_TYPES:
            raise WarehouseError(
                f"refused: {kind} changes data; budget-marts runs read-only queries "
                "(SELECT, DESCRIBE, SUMMARIZE, EXPLAIN, PRAGMA)"
            )


def run_query(connection: duckdb.DuckDBPyConnection, sql: str) -> duckdb.DuckDBPyConnection:
    """Execute a read-only query; the cursor of its last statement, or WarehouseError."""
    refuse_writes(connection, sql)
    try:
        return connection.execute(sql)
    except duckdb.CatalogException as error:
        raise WarehouseError(f"{one_line(error)} (list them with `budget-marts tables`)") from error
    except duckdb.Error as error:
        raise WarehouseError(one_line(error)) from error


def _schema_rank(schema: str) -> tuple[int, str]:
    return (SCHEMA_ORDER.index(schema) if schema in SCHEMA_ORDER else len(SCHEMA_ORDER), schema)


def list_tables(
    connection: duckdb.DuckDBPyConnection, schema: str | None = None
) -> list[TableInfo]:
    """Every table and view, marts first, with row counts; views that fail to read count None."""
    rows = connection.execute(
        """
        select table_schema, table_name, table_type
        from information_schema.tables
        where table_catalog = current_database()
          and table_schema not in ('information_schema', 'pg_catalog')
          and (? is null or table_schema = ?)
        """,
        [schema, schema],
    ).fetchall()
    tables = []
    for table_schema, table_name, table_type in sorted(
        rows, key=lambda row: (_schema_rank(row[0]), row[1])
    ):
        kind = "view" if table_type == "VIEW" else "table"
        try:
            (count,) = connection.execute(
                f'select count(*) from "{table_schema}"."{table_name}"'
            ).fetchone()
        except duckdb.Error:
            count = None
        tables.append(TableInfo(table_schema, table_name, kind, count))
    return tables


def has_table(connection: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    """True when ``schema.name`` exists as a table or view."""
    (found,) = connection.execute(
        """
        select count(*) from information_schema.tables
        where table_catalog = current_database() and table_schema = ? and table_name = ?
        """,
        [schema, name],
    ).fetchone()
    return found > 0
