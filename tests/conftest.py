"""Shared fixtures: the sample releases, a throw-away lake, and a dbt manifest.

Tests write only under ``tmp_path``; nothing here touches ``data_lake/`` except to
read the committed raw releases.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# CI replays the same examples every run (a red CI must be reproducible); locally each run
# explores new mutations.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO_DIR = Path(__file__).resolve().parent.parent
RAW_DIR = REPO_DIR / "data_lake" / "raw"
DBT_PROJECT_DIR = REPO_DIR / "dbt_project"
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"
# bench/ is a folder, not an installed package; tests of every area may use its helpers
# (bench/postgres.py starts the throwaway PostgreSQL).
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """``dbt_project/target/manifest.json``, parsed once if ``make dbt-parse`` has not run.

    dagster-dbt reads the manifest when ``orchestration.definitions`` is imported, so
    tests import it inside the test, after this fixture.
    """
    if not MANIFEST_PATH.exists():
        dbt = Path(sys.executable).with_name("dbt")
        subprocess.run(
            [str(dbt if dbt.exists() else "dbt"), "parse", "--quiet", "--profiles-dir", "."],
            cwd=DBT_PROJECT_DIR,
            check=True,
            env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        )
    return MANIFEST_PATH


@pytest.fixture
def lake_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty lake under tmp_path, with BUDGET_LAKE_DIR / BUDGET_WAREHOUSE_PATH pointing at it."""
    lake = tmp_path / "lake"
    (lake / "raw").mkdir(parents=True)
    monkeypatch.setenv("BUDGET_LAKE_DIR", str(lake))
    monkeypatch.setenv("BUDGET_WAREHOUSE_PATH", str(lake / "warehouse.duckdb"))
    return lake


@pytest.fixture
def sample_lake(lake_dir: Path) -> Path:
    """The temporary lake with every committed sample release copied into raw/."""
    for raw in sorted(RAW_DIR.glob("*.txt")):
        shutil.copy(raw, lake_dir / "raw" / raw.name)
    return lake_dir
