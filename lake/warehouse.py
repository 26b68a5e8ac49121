"""The DuckDB warehouse file: built aside, checked, swapped in whole, opened with a retry.

dbt builds into ``<warehouse>.building.duckdb`` and the finished file replaces the live one
with one ``os.replace``: a build that fails or is killed leaves the live marts exactly as
they were, and readers never see a half-built mart. Every builder holds the build lock
(``warehouse_build``: lake/locks.py) for its whole build, so two builds never share that file,
and reads the lake under the shared lake lock, so it sees whole releases only.

Before the swap the build must hold the marts (schema ``marts``, every fact table with rows),
and nobody may hold the live file open for writing: the DuckDB CLI and DBeaver open a file
read-write by default, and replacing it under them would lose what they wrote to its WAL.
DuckDB lets one process write a file; when another process holds it, callers get a one-line
explanation after a few retries.
"""

from __future__ import annotations

import logging
import re
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from lake.journal import recover
from lake.locks import build_lock, lake_lock

LOGGER = logging.getLogger(__name__)
BUILD_SUFFIX = ".building.duckdb"
LOCK_RETRIES = 3
LOCK_RETRY_SECONDS = 2.0
_PID = re.compile(r"PID (\d+)")


MARTS_SCHEMA = "marts"


class WarehouseLockedError(RuntimeError):
    """Another process holds the DuckDB file; the message is one line, for people."""


class IncompleteBuildError(RuntimeError):
    """A finished build without its marts: never swapped in (one line, for people)."""


@contextmanager
def warehouse_build(live: Path, lake_dir: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold everything a warehouse build needs, for the whole build.

    The build lock (one builder at a time; a second waits up to ``timeout``, then raises
    ``LockTimeoutError`` naming the holder), then the lake lock: exclusive just long enough to
    finish what a killed publisher left, then shared while dbt reads the Parquet.
    """
    with build_lock(live, timeout):
        with lake_lock(lake_dir, shared=False, timeout=timeout):
            recover(lake_dir)
        with lake_lock(lake_dir, shared=True, timeout=timeout):
            yield


def build_path(live: Path) -> Path:
    """Where dbt builds the next warehouse, beside the live one (same filesystem)."""
    return live.with_name(live.name.removesuffix(".duckdb") + BUILD_SUFFIX)


def _is_lock_error(error: Exception) -> bool:
    return "lock" in str(error).lower()


def describe_lock(path: Path, error: Exception) -> str:
    """One line: which file, who holds it (when DuckDB says), what to do."""
    holder = _PID.search(str(error))
    who = f"process {holder.group(1)}" if holder else "another process"
    return f"{path.name} is locked by {who}; close it (or wait for it to finish) and retry"


def connect(
    path: Path,
    *,
    read_only: bool,
    retries: int = LOCK_RETRIES,
    delay: float = LOCK_RETRY_SECONDS,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, retrying while another process holds its lock."""
    for attempt in range(1, retries + 1):
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as error:
            if not _is_lock_error(error):
                raise
            if attempt == retries:
                raise WarehouseLockedError(describe_lock(path, error)) from error
            LOGGER.warning("%s (attempt %d of %d)", describe_lock(path, error), attempt, retries)
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def prepare_build(live: Path, *, start_from_live: bool = False) -> Path:
    """A fresh build file: remove what a killed build left, checking nobody holds it.

    With ``start_from_live``, the build file starts as a copy of the live warehouse (when there
    is one): the incremental marts (docs/scaling.md) rewrite only the changed releases' rows and
    need the previous marts to be there. The live file is published checkpointed, so the copy is
    complete without its ``.wal``.
    """
    target = build_path(live)
    if target.exists():
        connect(target, read_only=False).close()  # raises WarehouseLockedError if held
    for leftover in (target, target.with_name(target.name + ".wal")):
        leftover.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    if start_from_live and live.exists():
        shutil.copyfile(live, target)
    return target


def check_build(connection: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Raise ``IncompleteBuildError`` unless the build holds the marts, each fact with rows."""
    tables = [
        name
        for (name,) in connection.execute(
            "select table_name from information_schema.tables where table_schema = ?",
            [MARTS_SCHEMA],
        ).fetchall()
    ]
    facts = sorted(name for name in tables if name.startswith("fct_"))
    if not facts:
        raise IncompleteBuildError(
            f"{path.name} has no {MARTS_SCHEMA}.fct_* tables; the live warehouse was kept"
        )
    empty = [
        name
        for name in facts
        if connection.execute(f'select count(*) from {MARTS_SCHEMA}."{name}"').fetchone()[0] == 0
    ]
    if empty:
        raise IncompleteBuildError(
            f"{path.name}: {', '.join(f'{MARTS_SCHEMA}.{n}' for n in empty)} has no rows; "
            "the live warehouse was kept"
        )


def count_rows(path: Path, tables: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Rows of each ``(schema, table)`` of a finished build, in one query on one connection.

    dagster-dbt's ``fetch_row_counts()`` asks dbt's in-process adapter once per model from a
    thread pool whose consumer polls without sleeping; on two cores that polling competed with
    the dbt subprocess for the whole build. DuckDB answers ``count(*)`` from table metadata, so
    one ``union all`` costs a few milliseconds.
    """
    tables = sorted(set(tables))
    if not tables:
        return {}
    query = " union all ".join(
        f'select {index}, count(*) from "{schema}"."{name}"'
        for index, (schema, name) in enumerate(tables)
    )
    with connect(path, read_only=True) as connection:
        return {tables[index]: count for index, count in connection.execute(query).fetchall()}


def ensure_no_writer(
    live: Path, retries: int = LOCK_RETRIES, delay: float = LOCK_RETRY_SECONDS
) -> None:
    """Wait a little for a process holding the live warehouse read-write; raise if it stays.

    A read-only probe succeeds beside readers (they keep the old file after the swap) and
    fails only while someone holds the file for writing.
    """
    if not live.exists():
        return
    try:
        connect(live, read_only=True, retries=retries, delay=delay).close()
    except WarehouseLockedError as error:
        holder = _PID.search(str(error.__cause__))
        who = f"process {holder.group(1)}" if holder else "another process"
        raise WarehouseLockedError(
            f"{live.name} is open for writing in {who} (the DuckDB CLI and DBeaver open files "
            "read-write by default; open it read-only), so the new build was not swapped in: "
            "close it and build again"
        ) from error


def publish_build(live: Path) -> None:
    """Check the finished build, checkpoint it into one file and swap it in for the live one."""
    built = build_path(live)
    with connect(built, read_only=False) as connection:
        check_build(connection, built)
        connection.execute("checkpoint")
    ensure_no_writer(live)
    built.replace(live)
    live.with_name(live.name + ".wal").unlink(missing_ok=True)


def discard_build(live: Path) -> None:
    """Drop a failed build; the live warehouse is untouched."""
    built = build_path(live)
    for leftover in (built, built.with_name(built.name + ".wal")):
        leftover.unlink(missing_ok=True)
