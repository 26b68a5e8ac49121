"""dbt on local Apache Spark (target ``spark``): the environment one build needs, and the build.

Every Spark build gets one work folder (``BUDGET_SPARK_DIR``): Spark's warehouse, the Derby
metastore and every temporary file live there. Derby lets one process open a metastore, so two
builds at once need two folders; deleting the folder removes every trace (Spark otherwise leaves
``spark-*``, ``blockmgr-*`` and ``*_resources`` folders in the system temp folder). Used by the
Spark tests (tests/spark) and ``make bench``.

dbt runs from its own venv, ``.venv-spark`` (``make install``; pyproject's ``spark`` extra says
why it is not .venv).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

import settings
from bench.paths import timed_dbt

# The metastore and the driver listen on loopback only: no DNS lookup of the host name, no
# network needed.
SPARK_LOCAL_IP = "127.0.0.1"


def spark_dbt() -> Path:
    """The dbt of .venv-spark; a one-line error naming the fix when it is not installed."""
    dbt = settings.SPARK_VENV_DIR / "bin" / "dbt"
    if not dbt.exists():
        raise FileNotFoundError(f"{dbt} not found: run `make install` (it creates .venv-spark)")
    return dbt


def java_available() -> bool:
    """Whether a ``java`` the Spark driver can start is on the PATH (pyspark brings no JVM)."""
    return shutil.which("java") is not None


def spark_environment(work_dir: Path, lake_dir: Path) -> dict[str, str]:
    """The process environment for dbt's ``spark`` target over ``lake_dir``, in ``work_dir``."""
    work_dir = Path(work_dir).resolve()
    (work_dir / "tmp").mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        settings.LAKE_DIR_ENV: str(Path(lake_dir).resolve()),
        settings.SPARK_DIR_ENV: str(work_dir),
        "SPARK_LOCAL_IP": SPARK_LOCAL_IP,
        "TMPDIR": str(work_dir / "tmp"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def dbt_spark_command(
    args: list[str], lake_dir: Path, work_dir: Path, env: Mapping[str, str] | None = None
) -> float:
    """Run the venv's dbt with ``--target spark``; return wall seconds. Raises on failure.

    dbt's target folder and logs go to ``work_dir`` too, so one build never reads another's
    partial-parse state; a later build in the same ``work_dir`` reuses the first one's parse
    and builds on its tables (an incremental build). ``env`` adds to the environment what
    marts_job would set, e.g. the changed releases (``dbt_plan_env``).
    """
    return timed_dbt(
        spark_dbt(),
        [*args, "--target", "spark"],
        {**spark_environment(work_dir, lake_dir), **(env or {})},
        Path(work_dir) / "dbt_target",
    )


def spark_table_glob(work_dir: Path, schema: str, table: str) -> str:
    """The Parquet files of a managed Spark table (file_format parquet) in ``work_dir``.

    Partitioned tables keep one ``release_id=<id>`` folder per release; ``_SUCCESS`` and
    ``.crc`` files do not match.
    """
    return str(Path(work_dir) / "spark-warehouse" / f"{schema}.db" / table / "**" / "*.parquet")
