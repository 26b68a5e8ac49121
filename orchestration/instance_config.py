"""The ``dagster.yaml`` of every instance this project makes: ``make``, the benchmark, the UI test.

One writer, so the three never drift: telemetry off; the ``duckdb_writer`` pool limited to one
run at a time (one DuckDB writer; run granularity, so an in-process ``make run`` killed half-way
leaves no op slot held); freshness policies evaluated; and the pooled sqlite event log
(orchestration/instance_storage.py), which records an event in ~4 ms instead of ~15 ms.

    python -m orchestration.instance_config <DAGSTER_HOME>
"""

from __future__ import annotations

import sys
from pathlib import Path

TEMPLATE = """\
telemetry:
  enabled: false
concurrency:
  pools:
    granularity: run
    default_limit: 1
freshness:
  enabled: true
event_log_storage:
  module: orchestration.instance_storage
  class: PooledSqliteEventLogStorage
  config:
    base_dir: {event_log_dir}
"""


def dagster_yaml(dagster_home: Path) -> str:
    """The configuration for an instance at ``dagster_home`` (event logs where sqlite puts them)."""
    event_log_dir = Path(dagster_home).resolve() / "history" / "runs"
    return TEMPLATE.format(event_log_dir=f"{event_log_dir}/")


def write_dagster_yaml(dagster_home: Path, create_storage: bool = True) -> Path:
    """Create ``dagster_home`` if needed, write its ``dagster.yaml`` and create its storage.

    Creating the sqlite databases here, in one process, matters: ``dagster dev`` starts the
    webserver and the daemon together, and two processes initialising a fresh home at once can
    both stamp the schema version ("alembic_version has more than one head"). A single process
    that uses the home right away (the benchmark's cold runs) can pass ``create_storage=False``.
    """
    home = Path(dagster_home)
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    target.write_text(dagster_yaml(home), encoding="utf-8")
    if create_storage:
        import dagster as dg

        with dg.DagsterInstance.from_config(str(home)):
            pass
    return target


if __name__ == "__main__":
    sys.stdout.write(f"{write_dagster_yaml(Path(sys.argv[1]))}\n")
