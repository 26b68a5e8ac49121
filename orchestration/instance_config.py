"""The ``dagster.yaml`` of every instance this project makes: ``make``, the benchmark, the UI test.

One writer, so the instances never drift: telemetry off; the ``duckdb_writer`` pool limited to
one run at a time (one DuckDB writer; run granularity, so an in-process ``make run`` killed
half-way leaves no op slot held); freshness policies evaluated; run monitoring with a maximum
run time; run retries; and the storage.

Run monitoring is what keeps a killed run from blocking the platform: a run whose process
died (SIGKILL, OOM, a lost machine) stays STARTED in the run storage, and the marts automation
waits for it forever. Dagster's local launcher cannot check a run worker's health, so the
maximum run time is what ends such a run: the daemon marks it failed once it has been STARTED
for longer than ``MAX_RUNTIME_SECONDS`` (a run may set its own with the ``dagster/max_runtime``
tag). Run retries re-run a run whose worker crashed, once, but not a run that failed because a
release or a dbt test failed: that failure is a finding, and the same input fails again.

Storage: Dagster's stock sqlite under ``DAGSTER_HOME`` by default (``make run``, ``make dev``:
the embedded default, nothing configured); Postgres for a deployment (``--postgres``), its
connection read from ``DAGSTER_PG_*`` environment variables at start-up, so the file holds no
host or password.

    python -m orchestration.instance_config <DAGSTER_HOME>
    python -m orchestration.instance_config --postgres <DAGSTER_HOME>
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import settings

# The longest legitimate run we know of is the nightly rebuild of every release (about a minute
# per 1,000 releases on 2 cores, docs/benchmarks.md); half an hour leaves a wide margin and still
# frees the marts the same morning after a killed run.
MAX_RUNTIME_SECONDS = 1800
# How often the daemon looks at in-flight runs (Dagster's default is 120 s).
MONITORING_POLL_SECONDS = 30
START_TIMEOUT_SECONDS = 180
CANCEL_TIMEOUT_SECONDS = 180
MAX_RETRIES = 1

COMMON = """\
telemetry:
  enabled: false
concurrency:
  pools:
    granularity: run
    default_limit: 1
freshness:
  enabled: true
run_monitoring:
  enabled: true
  start_timeout_seconds: {start_timeout}
  cancel_timeout_seconds: {cancel_timeout}
  max_runtime_seconds: {max_runtime}
  poll_interval_seconds: {poll_interval}
run_retries:
  enabled: true
  max_retries: {max_retries}
  retry_on_asset_or_op_failure: false
"""

# SQLAlchemy 2.1 reads a bare ``postgresql://`` as psycopg 3; dagster-postgres ships psycopg2.
POSTGRES_STORAGE = f"""\
storage:
  postgres:
    postgres_db:
      hostname:
        env: {settings.DAGSTER_PG_HOST_ENV}
      port:
        env: {settings.DAGSTER_PG_PORT_ENV}
      db_name:
        env: {settings.DAGSTER_PG_DB_ENV}
      username:
        env: {settings.DAGSTER_PG_USER_ENV}
      password:
        env: {settings.DAGSTER_PG_PASSWORD_ENV}
      scheme: postgresql+psycopg2
"""
POSTGRES_ENV = (
    settings.DAGSTER_PG_HOST_ENV,
    settings.DAGSTER_PG_PORT_ENV,
    settings.DAGSTER_PG_DB_ENV,
    settings.DAGSTER_PG_USER_ENV,
    settings.DAGSTER_PG_PASSWORD_ENV,
)


def dagster_yaml(
    dagster_home: Path,
    postgres: bool = False,
    max_runtime_seconds: int = MAX_RUNTIME_SECONDS,
    poll_interval_seconds: int = MONITORING_POLL_SECONDS,
) -> str:
    """The configuration for an instance at ``dagster_home``: stock sqlite there, or Postgres."""
    common = COMMON.format(
        start_timeout=START_TIMEOUT_SECONDS,
        cancel_timeout=CANCEL_TIMEOUT_SECONDS,
        max_runtime=max_runtime_seconds,
        poll_interval=poll_interval_seconds,
        max_retries=MAX_RETRIES,
    )
    return common + POSTGRES_STORAGE if postgres else common


def missing_postgres_env() -> list[str]:
    """The ``DAGSTER_PG_*`` variables the Postgres instance needs that are not set.

    The password may be set to an empty string (trust authentication), but must be set: an
    unset variable would only fail later, inside the daemon, with a longer message.
    """
    return [name for name in POSTGRES_ENV if os.environ.get(name) is None]


def write_dagster_yaml(
    dagster_home: Path,
    create_storage: bool = True,
    postgres: bool = False,
    max_runtime_seconds: int = MAX_RUNTIME_SECONDS,
    poll_interval_seconds: int = MONITORING_POLL_SECONDS,
) -> Path:
    """Create ``dagster_home`` if needed, write its ``dagster.yaml`` and create its storage.

    Creating the storage here, in one process, matters: ``dagster dev`` starts the webserver
    and the daemon together, and two processes initialising a fresh home at once can both
    stamp the schema version ("alembic_version has more than one head"). A single process
    that uses the home right away (the benchmark's cold runs) can pass ``create_storage=False``.
    """
    if postgres and (missing := missing_postgres_env()):
        raise ValueError(
            f"orchestration/instance_config.py --postgres: set {', '.join(missing)} "
            "(the password may be empty for trust authentication)"
        )
    home = Path(dagster_home)
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    text = dagster_yaml(home, postgres, max_runtime_seconds, poll_interval_seconds)
    target.write_text(text, encoding="utf-8")
    if create_storage:
        import dagster as dg

        with dg.DagsterInstance.from_config(str(home)):
            pass
    return target


def main(argv: list[str] | None = None) -> int:
    """Command line: write ``<DAGSTER_HOME>/dagster.yaml`` (sqlite, or ``--postgres``)."""
    parser = argparse.ArgumentParser(description="Write a Dagster instance's dagster.yaml.")
    parser.add_argument("dagster_home", type=Path)
    parser.add_argument(
        "--postgres",
        action="store_true",
        help=f"Postgres storage; connection from {', '.join(POSTGRES_ENV)}",
    )
    args = parser.parse_args(argv)
    try:
        target = write_dagster_yaml(args.dagster_home, postgres=args.postgres)
    except ValueError as error:
        sys.stderr.write(f"{error}\n")
        return 2
    sys.stdout.write(f"{target}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
