"""What the benchmark runs besides the platform itself.

- **baseline**: what a single script would do. Parse every release, reconcile it, write its
  Parquet partitions (``load_releases``), then answer the marts' main questions with DuckDB
  SQL straight over the Parquet. No Pandera, no Dagster, no dbt.
- ``dbt_command``: the dbt CLI on the project against a given lake, for the dbt variants
  (``timed_dbt``, shared with the Spark build in bench/spark.py).

Releases run in worker processes that return small summaries, never frames.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

import settings

DBT_PROJECT_DIR = settings.DBT_PROJECT_DIR
# Lines of dbt's output a failed build's error carries.
DBT_FAILURE_TAIL_LINES = 30

# The marts' main questions, asked of the Parquet directly: money by release and unit, and
# how many indicators are quantified, by release.
BASELINE_SQL = {
    "spending_by_unit": """
        select p.release_id, p.unit_id, count(*) as n_projects, sum(p.total_wan) as total_wan,
               sum(p.fiscal_wan) as fiscal_wan, sum(p.other_wan) as other_wan
        from read_parquet('{lake}/parquet/projects/*/*.parquet', hive_partitioning=true) p
        group by all
    """,
    "indicator_quantified_share": """
        select release_id, target_kind, count(*) as n_indicators,
               avg(case when is_quantified then 1 else 0 end) as quantified_share
        from read_parquet('{lake}/parquet/indicators/*/*.parquet', hive_partitioning=true)
        group by all
    """,
    "reconciliation_summary": """
        select d.release_id, d.total_wan as declared_wan, sum(p.total_wan) as summed_wan
        from read_parquet('{lake}/parquet/declared_totals/*/*.parquet', hive_partitioning=true) d
        join read_parquet('{lake}/parquet/projects/*/*.parquet', hive_partitioning=true) p
          using (release_id)
        group by all
    """,
}


@dataclass
class ReleaseOutcome:
    """What one worker did with one release."""

    release_id: str
    bytes: int
    rows: int
    landed: bool
    reason: str = ""


def _process_release(task: tuple[str, str]) -> ReleaseOutcome:
    """Parse → reconcile → write one release; runs in a worker process."""
    from lake.contract import TABLES
    from lake.frames import release_frames
    from lake.writer import write_partition
    from parsers.reconciliation import reconcile, summarise
    from parsers.release import parse_release

    raw_path, lake_dir = Path(task[0]), Path(task[1])
    release = parse_release(raw_path)
    tables = release_frames(release)
    reconciled = reconcile(tables)
    mismatches = summarise(reconciled)["mismatch"]
    rows = sum(len(frame) for frame in tables.values())
    if mismatches:
        return ReleaseOutcome(release.release_id, raw_path.stat().st_size, rows, False, "mismatch")
    lake_tables = {**tables, "reconciliation": reconciled}
    for name in TABLES:
        write_partition(lake_tables[name], name, release.release_id, lake_dir)
    return ReleaseOutcome(release.release_id, raw_path.stat().st_size, rows, True)


def load_releases(raw_paths: list[Path], lake_dir: Path, workers: int) -> list[ReleaseOutcome]:
    """Run every release through a pool of ``workers`` processes (1: in this process)."""
    tasks = [(str(path), str(lake_dir)) for path in raw_paths]
    if workers <= 1:
        return [_process_release(task) for task in tasks]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_process_release, tasks, chunksize=4))


def run_baseline_sql(lake_dir: Path) -> dict[str, int]:
    """Run the baseline's SQL over the Parquet; return the row count of each answer."""
    with duckdb.connect() as connection:
        return {
            name: len(connection.execute(sql.format(lake=lake_dir)).fetchall())
            for name, sql in BASELINE_SQL.items()
        }


def dbt_command(args: list[str], lake_dir: Path, warehouse: Path, target: Path) -> float:
    """Run the venv's dbt on the project against a lake; return wall seconds. Raises on failure.

    The target folder is private to the call, seeded with the project's partial-parse file the
    way dagster-dbt seeds each invocation's folder, so parsing costs the same as under Dagster.
    """
    target.mkdir(parents=True, exist_ok=True)
    partial = DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"
    if partial.exists() and not (target / partial.name).exists():
        shutil.copy(partial, target / partial.name)
    dbt = Path(sys.executable).with_name("dbt")
    env = {
        **os.environ,
        settings.LAKE_DIR_ENV: str(lake_dir),
        settings.WAREHOUSE_PATH_ENV: str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    return timed_dbt(dbt if dbt.exists() else Path("dbt"), args, env, target)


def timed_dbt(dbt: Path, args: list[str], env: dict[str, str], target: Path) -> float:
    """Run ``dbt`` in the project with its target and logs in ``target``; return wall seconds.

    Shared by the DuckDB and the Spark builds (bench/spark.py), so that both are timed the
    same way. Raises with the last lines of dbt's output when it fails.
    """
    started = time.perf_counter()
    completed = subprocess.run(
        [str(dbt), *args, "--profiles-dir", ".", "--target-path", str(target)]
        + ["--log-path", str(target)],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        tail = "\n".join(completed.stdout.splitlines()[-DBT_FAILURE_TAIL_LINES:])
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{tail}")
    return seconds
