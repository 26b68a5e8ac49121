"""Dagster's sqlite event log, with its connections kept instead of opened for every event.

Dagster's ``SqliteEventLogStorage`` creates a SQLAlchemy engine, opens a connection and closes
it (a WAL checkpoint, with its fsync) for every event, several times for an asset event: about
15 ms an event on this machine, so a ``dbt build`` of 170 nodes spent more time recording its
~500 events than dbt spent building (docs/benchmarks.md). This subclass keeps one engine per
shard (a few recent run shards and the index), which brings an event to about 4 ms. Two
smaller savings ride along: connections use ``synchronous=NORMAL``, SQLite's recommended
setting in WAL mode (a commit no longer waits for an fsync; the database cannot be corrupted,
only the last events before a power cut can be lost), and the answer to "does the index have
table X", asked once per asset-check event, is remembered. Nothing else changes: the same
files, schema and migrations, readable by a plain Dagster instance.

One consequence is handled here: the UI follows a running run by watching its shard file for
modifications, and with connections kept open the main file changes only at checkpoints, the
events landing in the ``-wal`` file. The watcher is therefore told to watch both.

Selected in ``dagster.yaml`` (the Makefile writes it)::

    event_log_storage:
      module: orchestration.instance_storage
      class: PooledSqliteEventLogStorage
      config:
        base_dir: <DAGSTER_HOME>/history/runs/

Remove those lines to go back to Dagster's own storage; nothing needs migrating. A deployment
that outgrows one machine uses Postgres instead (docs/scaling.md).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as db
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
    SqliteEventLogStorageWatchdog,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

# Engines kept at once: the index shard plus the run shards in use (a run, the UI's reads).
MAX_ENGINES = 16
WAL_SUFFIX = "-wal"


def _relax_fsync(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class _WalAwareWatchdog(SqliteEventLogStorageWatchdog):
    """Wakes on writes to the shard's WAL file as well as to the shard itself."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._patterns = [self._log_path, self._log_path + WAL_SUFFIX]

    def on_modified(self, event: Any) -> None:
        """Read the run's new events, whichever of the two files changed."""
        self._process_log()


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` that keeps an engine (and its connection) per shard."""

    def __init__(self, base_dir: str, inst_data: Any = None) -> None:
        # Before super().__init__: it already connects, to create the index shard.
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._tables_present: set[str] = set()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data: Any, config_value: Any) -> PooledSqliteEventLogStorage:  # ty: ignore[invalid-method-override]
        """Built from ``dagster.yaml``'s ``config`` (``base_dir``), like the parent class."""
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        engine = db.create_engine(
            self.conn_string_for_shard(shard),
            poolclass=QueuePool,
            pool_size=1,
            max_overflow=4,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        db.event.listen(engine, "connect", _relax_fsync)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        while len(self._engines) > MAX_ENGINES:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock, self._engine(shard).connect() as connection, connection.begin():
            yield connection

    def has_table(self, table_name: str) -> bool:
        """Whether the index shard has a table; a table once present stays until a wipe."""
        if table_name in self._tables_present:
            return True
        # The parent's own short-lived connection: this is asked while _connect holds the lock.
        present = super().has_table(table_name)
        if present:
            self._tables_present.add(table_name)
        return present

    def _dispose_engines(self) -> None:
        self._tables_present.clear()
        with self._db_lock:
            while self._engines:
                _, engine = self._engines.popitem()
                engine.dispose()

    def watch(self, run_id: str, cursor: str | None, callback: Any) -> None:
        """Follow a run's events (the UI's live view), waking on WAL writes too."""
        if not self._obs:
            from watchdog.observers import Observer

            self._obs = Observer()
            self._obs.start()
        watchdog = _WalAwareWatchdog(self, run_id, callback, cursor)
        self._watchers[run_id][callback] = (
            watchdog,
            self._obs.schedule(watchdog, self._base_dir, recursive=True),
        )

    def wipe(self) -> None:
        """Close every connection before the shard files are deleted."""
        self._dispose_engines()
        super().wipe()

    def upgrade(self) -> None:
        """Migrate, then drop connections opened against the old schema."""
        super().upgrade()
        self._dispose_engines()

    def dispose(self) -> None:
        """Close the kept connections (each closing one checkpoints its WAL)."""
        self._dispose_engines()
        super().dispose()
