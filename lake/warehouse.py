"""The DuckDB warehouse file: built aside, swapped in whole, opened with a retry.

dbt builds into ``<warehouse>.building.duckdb`` and the finished file replaces the live one
with one ``os.replace``: a build that fails or is killed leaves the live marts exactly as
they were, and readers never see a half-built mart. DuckDB lets one process write a file;
when another process holds it, callers get a one-line explanation after a few retries.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import duckdb

LOGGER = logging.getLogger(__name__)
BUILD_SUFFIX = ".building.duckdb"
LOCK_RETRIES = 3
LOCK_RETRY_SECONDS = 2.0
_PID = re.compile(r"PID (\d+)")


class WarehouseLockedError(RuntimeError):
    """Another process holds the DuckDB file; the message is one line, for people."""


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


def prepare_build(live: Path) -> Path:
    """A fresh build file: remove what a killed build left, checking nobody holds it."""
    target = build_path(live)
    if target.exists():
        connect(target, read_only=False).close()  # raises WarehouseLockedError if held
    for leftover in (target, target.with_name(target.name + ".wal")):
        leftover.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def publish_build(live: Path) -> None:
    """Checkpoint the finished build into one file and swap it in for the live warehouse."""
    built = build_path(live)
    with connect(built, read_only=False) as connection:
        connection.execute("checkpoint")
    built.replace(live)
    live.with_name(live.name + ".wal").unlink(missing_ok=True)


def discard_build(live: Path) -> None:
    """Drop a failed build; the live warehouse is untouched."""
    built = build_path(live)
    for leftover in (built, built.with_name(built.name + ".wal")):
        leftover.unlink(missing_ok=True)
