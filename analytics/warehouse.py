"""Where the warehouse is, and how analysts open it: read-only, sealed from files, one-line errors.

Two guards, in this order of trust. DuckDB's own: the connection is read-only, has external
access disabled (no file, directory, network or extension outside the database file) and its
configuration locked, so no query can switch either back on. Ours: a statement check that
refuses, before DuckDB sees it, anything that writes, attaches, installs, loads, exports,
imports or reads a file, including inside EXPLAIN, PRAGMA and CALL, so that the analyst gets a
one-line reason instead of a permission error. The statement check alone would be a blocklist;
DuckDB's guard is what holds if it misses a case (issue 13.2: `EXPLAIN ANALYZE COPY … TO`
once overwrote the warehouse itself).

A view that read a file outside the warehouse could not be read through these tools. None does
since staging is stored: the intermediate views read the staging tables, and every schema
(marts, intermediate, staging, seeds) reads from inside the warehouse.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

import settings

# Schemas in the order analysts want them: the marts are the product, the rest is plumbing.
SCHEMA_ORDER = ("marts", "intermediate", "staging", "seeds")

# DuckDB settings applied when the connection opens; the lock comes last, so nothing after
# it (a SET, a PRAGMA) can turn external access back on.
SEALED_CONFIG = {"enable_external_access": False, "lock_configuration": True}

# Statement types that only read. DESCRIBE, SUMMARIZE, SHOW and FROM … parse as SELECT.
READ_STATEMENT_TYPES = frozenset({"SELECT", "EXPLAIN", "PRAGMA", "CALL"})
READ_ONLY_HINT = (
    "budget-marts runs read-only queries (SELECT, DESCRIBE, SUMMARIZE, EXPLAIN, PRAGMA)"
)
EXPORT_HINT = "export a result with --out FILE (.csv, .parquet or .xlsx)"
WAREHOUSE_ONLY_HINT = "budget-marts reads only the warehouse"

# Why a statement is refused, by its first keyword. DuckDB files INSTALL under LOAD and
# IMPORT DATABASE under PRAGMA, and CHECKPOINT under CALL, so the keyword decides, not the type.
REFUSED_VERBS = {
    "COPY": f"writes or reads a file; {EXPORT_HINT}",
    "EXPORT": f"writes files; {EXPORT_HINT}",
    "IMPORT": f"runs SQL from files; {WAREHOUSE_ONLY_HINT}",
    "ATTACH": f"opens another database; {WAREHOUSE_ONLY_HINT}",
    "DETACH": f"changes the attached databases; {WAREHOUSE_ONLY_HINT}",
    "INSTALL": f"downloads an extension; {WAREHOUSE_ONLY_HINT}",
    "FORCE INSTALL": f"downloads an extension; {WAREHOUSE_ONLY_HINT}",
    "LOAD": f"loads an extension; {WAREHOUSE_ONLY_HINT}",
    "UPDATE": f"changes data (or extensions); {READ_ONLY_HINT}",
    "SET": f"changes a setting; {READ_ONLY_HINT}",
    "RESET": f"changes a setting; {READ_ONLY_HINT}",
    "USE": f"changes the default database; {READ_ONLY_HINT}",
    "CHECKPOINT": f"writes the database file; {READ_ONLY_HINT}",
    "FORCE CHECKPOINT": f"writes the database file; {READ_ONLY_HINT}",
    "VACUUM": f"writes the database file; {READ_ONLY_HINT}",
}

# Functions that open files (table functions of the core and the bundled extensions, and the
# import pragma), matched by name wherever one is called: an analyst query never needs one.
FILE_FUNCTION = re.compile(
    r"(read|parquet|sniff|iceberg|delta)_\w+|\w+_scan|st_read|glob|import_database|query_table",
    re.IGNORECASE,
)
EXPLAIN_PREFIX = re.compile(r"^\s*explain\s+(?:analyze\s+)?(?:\([^)]*\)\s*)?", re.IGNORECASE)


class WarehouseError(Exception):
    """Something an analyst can fix in the query; its message is one line."""


class WarehouseUnavailable(WarehouseError):
    """The warehouse file cannot be opened (missing, locked, not DuckDB); names the file."""


class QueryRefused(WarehouseError):
    """The query would write, or read outside the warehouse; the message says which and why."""


@dataclass(frozen=True)
class TableInfo:
    """One table or view of the warehouse, with its row count (None when it cannot be read)."""

    schema: str
    name: str
    kind: str
    row_count: int | None


def resolve_warehouse_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse file: ``explicit``, else the environment, else the repo default (settings)."""
    return settings.warehouse_path(explicit)


def one_line(error: BaseException) -> str:
    """The first line of an error message; DuckDB puts hints and a caret on the lines after."""
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__


def open_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only, file-sealed connection to ``path``; WarehouseUnavailable when it cannot open.

    DuckDB lets one process write or many processes read. While ``make run`` (dbt)
    holds the write lock, opening fails with an IOException: say so plainly.
    """
    if not path.exists():
        raise WarehouseUnavailable(f"{path}: warehouse not found; build it with `make run`")
    if path.is_dir():
        raise WarehouseUnavailable(f"{path}: is a directory, not a DuckDB file")
    try:
        return duckdb.connect(str(path), read_only=True, config=dict(SEALED_CONFIG))
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


def _tokens(sql: str) -> list[tuple[str, duckdb.token_type]]:
    """DuckDB's own tokens of ``sql`` with their text: literals and comments stay what they are."""
    tokens = duckdb.tokenize(sql)
    bounds = [start for start, _ in tokens] + [len(sql)]
    return [
        (sql[start : bounds[index + 1]].strip(), kind) for index, (start, kind) in enumerate(tokens)
    ]


def _called_functions(tokens: list[tuple[str, duckdb.token_type]]) -> list[str]:
    """Names followed by ``(``: the functions a statement calls."""
    names = (duckdb.token_type.identifier, duckdb.token_type.keyword)
    return [
        text.strip('"')
        for (text, kind), (following, _) in zip(tokens, tokens[1:], strict=False)
        if kind in names and following == "("
    ]


def _reads_quoted_file(tokens: list[tuple[str, duckdb.token_type]]) -> bool:
    """True for ``FROM 'file.csv'`` or ``JOIN 'file'``: DuckDB's shorthand for reading a file."""
    return any(
        text.upper() in ("FROM", "JOIN") and following_kind == duckdb.token_type.string_const
        for (text, _), (_, following_kind) in zip(tokens, tokens[1:], strict=False)
    )


def _verb(tokens: list[tuple[str, duckdb.token_type]]) -> str:
    """The statement's first keyword, past comments (two for FORCE INSTALL, FORCE CHECKPOINT)."""
    words = [text.upper() for text, kind in tokens if kind != duckdb.token_type.comment][:2]
    if not words:
        return ""
    return " ".join(words) if words[0] == "FORCE" and len(words) > 1 else words[0]


def _refusal(sql: str, kind: str, prefix: str = "") -> str | None:
    """Why one statement (EXPLAIN already stripped into ``prefix``) is refused; None if it reads."""
    tokens = _tokens(sql)
    verb = _verb(tokens)
    label = f"{prefix}{verb or kind}"
    if verb in REFUSED_VERBS:
        return f"refused: {label} {REFUSED_VERBS[verb]}"
    if kind not in READ_STATEMENT_TYPES:
        return f"refused: {label} changes data; {READ_ONLY_HINT}"
    for name in _called_functions(tokens):
        if FILE_FUNCTION.fullmatch(name):
            return f"refused: {prefix}{name}() reads files; {WAREHOUSE_ONLY_HINT}"
    if _reads_quoted_file(tokens):
        return (
            f"refused: {prefix}a quoted name after FROM or JOIN reads a file; {WAREHOUSE_ONLY_HINT}"
        )
    return None


def _statement_type(statement: duckdb.Statement) -> str:
    """DuckDB's statement type; newer types the Python enum does not name (UPDATE EXTENSIONS)."""
    try:
        return statement.type.name
    except ValueError:
        return "OTHER"


def check_statement(connection: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Raise QueryRefused unless ``sql`` is exactly one statement that reads the warehouse only."""
    try:
        statements = connection.extract_statements(sql)
    except duckdb.Error as error:
        raise WarehouseError(f"cannot parse the query: {one_line(error)}") from error
    if not statements:
        raise WarehouseError("the query is empty")
    if len(statements) > 1:
        raise QueryRefused(
            f"refused: {len(statements)} statements; budget-marts runs one statement at a time"
        )
    statement = statements[0]
    text, kind, prefix = statement.query, _statement_type(statement), ""
    if kind == "EXPLAIN":
        explained = EXPLAIN_PREFIX.match(text)
        if explained is None:
            raise WarehouseError("cannot parse the explained query (start it with EXPLAIN)")
        prefix = "EXPLAIN ANALYZE " if "ANALYZE" in explained.group(0).upper() else "EXPLAIN "
        text = text[explained.end() :]
        try:
            inner = connection.extract_statements(text)
        except duckdb.Error as error:
            raise WarehouseError(f"cannot parse the explained query: {one_line(error)}") from error
        if len(inner) != 1:
            raise WarehouseError("cannot parse the explained query: EXPLAIN takes one statement")
        kind = _statement_type(inner[0])
    reason = _refusal(text, kind, prefix)
    if reason:
        raise QueryRefused(reason)


def run_query(connection: duckdb.DuckDBPyConnection, sql: str) -> duckdb.DuckDBPyConnection:
    """Execute one read-only statement; its cursor, or WarehouseError with a one-line reason."""
    check_statement(connection, sql)
    try:
        return connection.execute(sql)
    except duckdb.PermissionException as error:
        raise QueryRefused(f"refused by DuckDB: {one_line(error)}") from error
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
