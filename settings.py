"""Where things live and what they are called: the one place every package reads.

Paths, environment variable names and job names used to be typed again in orchestration,
analytics, bench, the dbt profile and the Makefile; a rename in one missed the others. They live
here, in plain Python with no imports beyond the standard library, so that parsers-free tools
(analytics, bench) and the Dagster code location read the same values. The Makefile and
``dbt_project/profiles.yml`` cannot import Python: they name the same environment variables,
and tests/test_settings.py holds them to this module.

Resolution rule for a path, everywhere: an explicit argument, else the environment variable,
else the repository default.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent

# Environment variables.
LAKE_DIR_ENV = "BUDGET_LAKE_DIR"
WAREHOUSE_PATH_ENV = "BUDGET_WAREHOUSE_PATH"
DAGSTER_HOME_ENV = "DAGSTER_HOME"
BUILD_LOCK_TIMEOUT_ENV = "BUDGET_BUILD_LOCK_TIMEOUT_SECONDS"
MAX_RELEASE_MB_ENV = "BUDGET_MAX_RELEASE_MB"
# The releases an incremental dbt build rewrites and tests, a JSON list (unset or empty: all of
# them). dbt reads it while executing only (macros/incremental_releases.sql), so its value
# changing from build to build keeps dbt's partial parse, as a --vars value would not.
CHANGED_RELEASE_IDS_ENV = "BUDGET_CHANGED_RELEASE_IDS"
# dbt's spark target: the one folder its warehouse, metastore and temp files live in (absolute).
SPARK_DIR_ENV = "BUDGET_SPARK_DIR"
# The production Dagster instance's Postgres (orchestration/instance_config.py --postgres).
DAGSTER_PG_HOST_ENV = "DAGSTER_PG_HOST"
DAGSTER_PG_PORT_ENV = "DAGSTER_PG_PORT"
DAGSTER_PG_DB_ENV = "DAGSTER_PG_DB"
DAGSTER_PG_USER_ENV = "DAGSTER_PG_USER"
DAGSTER_PG_PASSWORD_ENV = "DAGSTER_PG_PASSWORD"

# Repository defaults.
DEFAULT_LAKE_DIR = REPO_DIR / "data_lake"
DEFAULT_DAGSTER_HOME = REPO_DIR / ".dagster_home"
DBT_PROJECT_DIR = REPO_DIR / "dbt_project"
# dbt with dbt-spark and pyspark (`make install`); kept out of .venv, see pyproject's spark extra.
SPARK_VENV_DIR = REPO_DIR / ".venv-spark"
WAREHOUSE_FILE_NAME = "warehouse.duckdb"

# Folders inside a lake.
RAW_DIR_NAME = "raw"
PARQUET_DIR_NAME = "parquet"
QUARANTINE_DIR_NAME = "quarantine"
# One manifest per published release (what it was built from, its content fingerprint), the
# staging area and journals of releases being published, and the lock that orders the two.
PUBLISHED_DIR_NAME = "published"
PUBLISHING_DIR_NAME = ".publishing"
LAKE_LOCK_NAME = ".lake.lock"
# Beside the warehouse: held by whoever builds it (dbt via Dagster, make run, bench).
BUILD_LOCK_SUFFIX = ".build.lock"
# Also beside it: dbt's target folder for the builds of that warehouse (artefacts, logs and the
# partial-parse state, which dbt reuses only while the lake and build paths stay the same).
DBT_TARGET_SUFFIX = ".dbt-target"

# Limits. A real release is well under 1 MB; a second build waits this long for the first.
DEFAULT_BUILD_LOCK_TIMEOUT_SECONDS = 600.0
DEFAULT_MAX_RELEASE_MB = 20.0
# Failing rows written per CSV of a quarantine report (the report gives the full count).
QUARANTINE_MAX_ROWS = 1000

# Dagster job names, typed once: sensors, schedules, make run and the benchmark refer to them.
RELEASE_JOB_NAME = "release_job"
MARTS_JOB_NAME = "marts_job"
NIGHTLY_JOB_NAME = "nightly_rebuild_job"


def _from_env(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def lake_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The lake root: ``explicit``, else ``$BUDGET_LAKE_DIR``, else ``<repo>/data_lake``."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    return (_from_env(LAKE_DIR_ENV) or DEFAULT_LAKE_DIR).resolve()


def warehouse_path(
    explicit: str | os.PathLike[str] | None = None,
    lake: str | os.PathLike[str] | None = None,
) -> Path:
    """``explicit``, else ``$BUDGET_WAREHOUSE_PATH``, else ``<lake>/warehouse.duckdb``."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    configured = _from_env(WAREHOUSE_PATH_ENV)
    if configured:
        return configured.resolve()
    return lake_dir(lake) / WAREHOUSE_FILE_NAME


def raw_dir(lake: str | os.PathLike[str] | None = None) -> Path:
    """Raw releases: ``<release_id>.txt`` plus optional ``<release_id>.meta.json`` sidecars."""
    return lake_dir(lake) / RAW_DIR_NAME


def parquet_dir(lake: str | os.PathLike[str] | None = None) -> Path:
    """The hive-partitioned Parquet tables, one folder per table."""
    return lake_dir(lake) / PARQUET_DIR_NAME


def quarantine_dir(lake: str | os.PathLike[str] | None = None) -> Path:
    """Releases refused, each with a copy of its raw file and a report."""
    return lake_dir(lake) / QUARANTINE_DIR_NAME


def dbt_target_path(warehouse: str | os.PathLike[str]) -> Path:
    """The dbt target folder for builds of one warehouse: ``<warehouse>.dbt-target``.

    One folder per warehouse rather than dagster-dbt's fresh folder per run: dbt keeps its
    partial-parse file there, so every build after a lake's first skips the full parse (~2 s
    of CPU on two cores). One build of a warehouse runs at a time (the build lock).
    """
    warehouse = Path(warehouse)
    return warehouse.with_name(warehouse.name + DBT_TARGET_SUFFIX)


def build_lock_path(warehouse: str | os.PathLike[str]) -> Path:
    """The lock file every warehouse builder holds: ``<warehouse>.build.lock``."""
    warehouse = Path(warehouse)
    return warehouse.with_name(warehouse.name + BUILD_LOCK_SUFFIX)


def _float_from_env(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return float(value)
    except ValueError as error:
        raise ValueError(f"${name} must be a number, not {value!r}") from error


def build_lock_timeout_seconds() -> float:
    """How long a second build waits for the first: ``$BUDGET_BUILD_LOCK_TIMEOUT_SECONDS``."""
    return _float_from_env(BUILD_LOCK_TIMEOUT_ENV, DEFAULT_BUILD_LOCK_TIMEOUT_SECONDS)


def max_release_bytes() -> int:
    """The largest raw release accepted: ``$BUDGET_MAX_RELEASE_MB`` (default 20) MB."""
    return int(_float_from_env(MAX_RELEASE_MB_ENV, DEFAULT_MAX_RELEASE_MB) * 1024 * 1024)


def dagster_home() -> Path:
    """``$DAGSTER_HOME``, else ``<repo>/.dagster_home`` (what the Makefile exports)."""
    return (_from_env(DAGSTER_HOME_ENV) or DEFAULT_DAGSTER_HOME).resolve()
