"""Resources: where the lake and the warehouse live, and how dbt is called.

Everything here is read from environment variables at run time, so tests and
``make run`` point the same code at different directories:

- ``BUDGET_LAKE_DIR``: the data lake (``raw/``, ``parquet/``, ``quarantine/``);
  default ``<repo>/data_lake``.
- ``BUDGET_WAREHOUSE_PATH``: the DuckDB file dbt builds; default
  ``<lake>/warehouse.duckdb``.

Nothing else belongs in this module: no asset logic, no paths to single tables.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.dbt_project import budget_dbt_project

REPO_DIR = Path(__file__).resolve().parent.parent
DEFAULT_LAKE_DIR = REPO_DIR / "data_lake"
LAKE_DIR_ENV = "BUDGET_LAKE_DIR"
WAREHOUSE_PATH_ENV = "BUDGET_WAREHOUSE_PATH"


class LakeResource(dg.ConfigurableResource):
    """The data lake on local disk, and the DuckDB warehouse built from it.

    Leave the fields empty to read ``BUDGET_LAKE_DIR`` / ``BUDGET_WAREHOUSE_PATH``
    when the run starts (not when the code location loads), so one process can run
    against several lakes one after another.
    """

    lake_dir: str = ""
    warehouse_path: str = ""

    @property
    def lake_path(self) -> Path:
        """The lake root: explicit field, else ``$BUDGET_LAKE_DIR``, else ``<repo>/data_lake``."""
        configured = self.lake_dir or dg.EnvVar(LAKE_DIR_ENV).get_value() or DEFAULT_LAKE_DIR
        return Path(configured).resolve()

    @property
    def raw_dir(self) -> Path:
        """Committed raw releases: ``<release_id>.txt`` plus optional ``.meta.json`` sidecars."""
        return self.lake_path / "raw"

    @property
    def parquet_dir(self) -> Path:
        """Hive-partitioned Parquet, one folder per table and release."""
        return self.lake_path / "parquet"

    @property
    def quarantine_dir(self) -> Path:
        """What failed to parse or validate, kept for a human to read."""
        return self.lake_path / "quarantine"

    @property
    def warehouse(self) -> Path:
        """The DuckDB file dbt writes: explicit field, env var, else ``<lake>/warehouse.duckdb``."""
        configured = self.warehouse_path or dg.EnvVar(WAREHOUSE_PATH_ENV).get_value()
        return Path(configured).resolve() if configured else self.lake_path / "warehouse.duckdb"

    def dbt_env(self) -> dict[str, str]:
        """Environment variables the dbt profile and sources read."""
        return {LAKE_DIR_ENV: str(self.lake_path), WAREHOUSE_PATH_ENV: str(self.warehouse)}


def dbt_executable() -> str:
    """The venv's ``dbt`` next to the running interpreter, so no PATH set-up is needed."""
    sibling = Path(sys.executable).with_name("dbt")
    return os.fspath(sibling) if sibling.exists() else "dbt"


def build_dbt_resource() -> DbtCliResource:
    """A ``DbtCliResource`` on the project in ``dbt_project/`` using the venv's dbt."""
    return DbtCliResource(project_dir=budget_dbt_project, dbt_executable=dbt_executable())
