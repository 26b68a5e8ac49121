"""Shared fixtures: the sample releases, a throw-away lake, and a dbt manifest.

Tests write only under ``tmp_path``; nothing here touches ``data_lake/`` except to
read the committed raw releases.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

from lake.frames import release_frames

if TYPE_CHECKING:
    from orchestration.run_all import PipelineResult

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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist, send the modules with a test marked slow out first.

    ``make test`` runs two workers with ``--dist loadfile`` (a module's tests, and so its
    module-scoped dbt, Spark or Postgres fixture, stay on one worker) and
    ``--no-loadscope-reorder`` (modules go out in this order, not largest first): the quick unit
    tests then fill the gaps at the end instead of one dbt or Spark build running alone. A stable
    sort: the order inside a module is kept. Without xdist nothing changes.
    """
    if not config.pluginmanager.hasplugin("xdist"):
        return
    slow_modules = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_modules)


@dataclass(frozen=True)
class SamplePipeline:
    """What one ``run_pipeline`` pass over every committed sample release left behind."""

    result: PipelineResult
    lake: Path


@pytest.fixture(scope="session")
def sample_pipeline(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> SamplePipeline:
    """Every committed sample release through ``run_pipeline`` (``make run``'s path), once.

    The end-to-end checks and the analyst tools read the same marts; building them once per
    session instead of once per module saves a whole pipeline run (a minute on two busy cores).
    Tests read this lake; a test that writes to it takes ``sample_pipeline_copy``.
    """
    import dagster as dg

    from orchestration.run_all import run_pipeline

    root = tmp_path_factory.mktemp("sample_pipeline")
    lake = root / "lake"
    (lake / "raw").mkdir(parents=True)
    for raw in sorted(RAW_DIR.glob("*.txt")):
        shutil.copy(raw, lake / "raw" / raw.name)
    (root / "dagster_home").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BUDGET_LAKE_DIR", str(lake))
        patch.setenv("BUDGET_WAREHOUSE_PATH", str(lake / "warehouse.duckdb"))
        patch.setenv("DAGSTER_HOME", str(root / "dagster_home"))
        with dg.DagsterInstance.ephemeral() as instance:
            result = run_pipeline(instance)
    return SamplePipeline(result, lake)


@pytest.fixture
def sample_pipeline_copy(sample_pipeline: SamplePipeline, tmp_path: Path) -> Path:
    """A private copy of the sample pipeline's lake (raw files, Parquet, warehouse) to write to."""
    return shutil.copytree(sample_pipeline.lake, tmp_path / "lake")


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


@pytest.fixture
def dagster_env(lake_dir: Path, tmp_path: Path) -> dict[str, str]:
    """Environment for a Dagster CLI or daemon subprocess on a fresh home over ``lake_dir``.

    The home's ``dagster.yaml`` is written (orchestration/instance_config.py) and its storage
    created; a test may append to it before starting anything.
    """
    from orchestration.instance_config import write_dagster_yaml

    home = tmp_path / "dagster_home"
    write_dagster_yaml(home)
    venv_bin = Path(sys.executable).parent
    return {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "BUDGET_LAKE_DIR": str(lake_dir),
        "BUDGET_WAREHOUSE_PATH": str(lake_dir / "warehouse.duckdb"),
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


@pytest.fixture
def dagster_daemon(dagster_env: dict[str, str], tmp_path: Path):
    """Start ``dagster-daemon run`` on ``dagster_env``'s home; stopped (its whole group) after.

    Returns a function that starts it and returns its log path; the daemon runs in its own
    process group, so the code server and run workers it spawns stop with it.
    """
    started: list[subprocess.Popen] = []
    log = tmp_path / "daemon.log"

    def start() -> Path:
        handle = log.open("ab")
        started.append(
            subprocess.Popen(
                [str(Path(sys.executable).with_name("dagster-daemon")), "run"]
                + ["-w", "workspace.yaml"],
                cwd=REPO_DIR,
                env=dagster_env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        return log

    yield start
    for process in started:
        if process.poll() is not None:
            continue
        try:
            os.killpg(process.pid, signal.SIGINT)
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass


BUDGET_YEARS_DIR = REPO_DIR / "tests" / "dbt" / "budget_years"
# Several budget years of the same departments from bench/generate.py (the truth it returns is
# what the year marts are tested against).
GENERATED_YEARS = (2023, 2024, 2025)


@pytest.fixture(scope="session")
def generated_budget_years():
    """bench.generate's departments over GENERATED_YEARS, with what happened to each project."""
    if str(REPO_DIR) not in sys.path:
        sys.path.insert(0, str(REPO_DIR))
    from bench.generate import generate_budget_years

    return generate_budget_years(seed=7, years=GENERATED_YEARS, departments=3)


@pytest.fixture(scope="session")
def budget_years_lake(tmp_path_factory: pytest.TempPathFactory, generated_budget_years) -> Path:
    """A lake with several budget years, built through dbt once per session.

    Holds the hand-made pairs of tests/dbt/budget_years (Guangzhou 2024/2025, Tianjin 2024/2025
    with a department renamed between them) and the generated departments. Releases go through
    the parser and the Pandera schemas as in the pipeline, without Dagster (tested elsewhere).
    """
    import json

    from lake.contract import SCHEMAS
    from lake.writer import write_partition
    from parsers.reconciliation import reconcile
    from parsers.release import parse_release

    lake = tmp_path_factory.mktemp("budget_years") / "lake"
    raw = lake / "raw"
    raw.mkdir(parents=True)
    for path in BUDGET_YEARS_DIR.iterdir():
        shutil.copy(path, raw / path.name)
    generated_budget_years.write(raw)
    for path in sorted(raw.glob("*.txt")):
        sidecar_path = path.with_suffix(".meta.json")
        sidecar = json.loads(sidecar_path.read_text("utf-8")) if sidecar_path.exists() else None
        tables = {
            table: SCHEMAS[table].validate(frame, lazy=True)
            for table, frame in release_frames(parse_release(path, sidecar)).items()
        }
        tables["reconciliation"] = reconcile(tables)
        for table, frame in tables.items():
            write_partition(frame, table, path.stem, lake)
    dbt = Path(sys.executable).with_name("dbt")
    env = {
        **os.environ,
        "BUDGET_LAKE_DIR": str(lake),
        "BUDGET_WAREHOUSE_PATH": str(lake / "warehouse.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }
    work = lake.parent
    result = subprocess.run(
        [
            str(dbt if dbt.exists() else "dbt"),
            "build",
            "--profiles-dir",
            ".",
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
        ],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return lake
