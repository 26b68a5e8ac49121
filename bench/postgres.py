"""A throwaway PostgreSQL server, for the Postgres instance test and the event-cost benchmark.

Debian's PostgreSQL 15 is on these machines (and in CI) but not running, and its server refuses
to run as root. So, as the ``postgres`` user when we are root: ``initdb`` a cluster in a fresh
temporary folder (``tempfile.mkdtemp``, not pytest's tmp_path, whose base is private to root),
start it on a free port with its socket in that folder, create one database; at the end stop it
(``-m immediate``: nothing in it is worth a checkpoint) and remove the folder. About a second
from nothing to a ready server; fsync is off because the data is thrown away.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PG_BIN_DIRS = (Path("/usr/lib/postgresql/15/bin"),)
SERVER_USER = "postgres"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class PostgresServer:
    """Where a running throwaway server listens, and the database made for the caller."""

    host: str
    port: int
    user: str
    db_name: str

    def env(self) -> dict[str, str]:
        """The ``DAGSTER_PG_*`` variables the ``--postgres`` instance config reads."""
        import settings

        return {
            settings.DAGSTER_PG_HOST_ENV: self.host,
            settings.DAGSTER_PG_PORT_ENV: str(self.port),
            settings.DAGSTER_PG_DB_ENV: self.db_name,
            settings.DAGSTER_PG_USER_ENV: self.user,
            settings.DAGSTER_PG_PASSWORD_ENV: "",
        }

    def dsn(self) -> str:
        """A libpq connection string (psycopg2)."""
        return f"host={self.host} port={self.port} user={self.user} dbname={self.db_name}"


def find_pg_bin() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: Debian's, else the first on ``PATH``."""
    for folder in PG_BIN_DIRS:
        if (folder / "initdb").exists():
            return folder
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _run(args: list[str], as_server_user: bool) -> None:
    extra = (
        {"user": SERVER_USER, "group": SERVER_USER, "extra_groups": []} if as_server_user else {}
    )
    completed = subprocess.run(args, capture_output=True, text=True, check=False, **extra)
    if completed.returncode != 0:
        output = (completed.stderr or completed.stdout).strip().splitlines()
        raise RuntimeError(f"{Path(args[0]).name} failed: {output[-1] if output else 'no output'}")


@contextmanager
def throwaway_postgres(db_name: str = "dagster") -> Iterator[PostgresServer]:
    """Start a fresh cluster with database ``db_name``; stop and delete it on exit."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise FileNotFoundError(
            f"initdb not found in {', '.join(map(str, PG_BIN_DIRS))} or on PATH: "
            "apt-get install postgresql-15"
        )
    as_server_user = os.geteuid() == 0
    folder = Path(tempfile.mkdtemp(prefix="budget-pg-"))
    data = folder / "data"
    try:
        if as_server_user:
            shutil.chown(folder, SERVER_USER, SERVER_USER)
        port = _free_port()
        _run(
            [str(bin_dir / "initdb"), "-U", SERVER_USER, "-A", "trust", "-E", "UTF8"]
            + ["--locale=C.UTF-8", "--no-sync", "-D", str(data)],
            as_server_user,
        )
        options = f"-p {port} -k {folder} -c listen_addresses={HOST} -c fsync=off"
        _run(
            [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log")]
            + ["-w", "start", "-o", options],
            as_server_user,
        )
        try:
            _run(
                [
                    str(bin_dir / "createdb"),
                    "-h",
                    HOST,
                    "-p",
                    str(port),
                    "-U",
                    SERVER_USER,
                    db_name,
                ],
                as_server_user,
            )
            yield PostgresServer(HOST, port, SERVER_USER, db_name)
        finally:
            _run(
                [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                as_server_user,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
