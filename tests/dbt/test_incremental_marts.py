"""Incremental marts on DuckDB: a new, changed and removed release rewrite only their own rows.

One lake of three releases is built in full; then a release is added, one is replaced by other
content under the same id and one is removed from the lake, and the marts are built again
incrementally with BUDGET_CHANGED_RELEASE_IDS naming those three. The result must equal a full
rebuild of the new lake, table for table and row for row; a row of the untouched release, marked
in the warehouse before the incremental run, must come through it unchanged (so that release was
not rewritten); the removal must be announced; the data tests of that run must read only the
changed releases; and dbt must have reused the first build's parse (the list changes on every
build, so passing it must not invalidate dbt's partial parsing, as --vars did).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

import settings
from bench.generate import generate_releases
from bench.paths import DBT_PROJECT_DIR, load_releases
from lake.contract import TABLES as LAKE_TABLES
from lake.writer import partition_dir

REPO_DIR = Path(__file__).resolve().parents[2]
SAMPLE = REPO_DIR / "data_lake" / "raw" / "guangzhou-baiyun-political-legal-committee.txt"
UNTOUCHED = SAMPLE.stem
SENTINEL = "未被改写的哨兵行"
# The tables incremental by release (dbt_project.yml); the others are rebuilt whole.
RELEASE_KEYED_TABLES = (
    "staging.stg_lake__projects",
    "staging.stg_lake__indicators",
    "intermediate.int_projects_categorised",
    "intermediate.int_project_indicator_coverage",
    "marts.fct_projects",
    "marts.fct_indicators",
    "marts.spending_by_category",
    "marts.reconciliation",
    "marts.indicator_completeness_by_department",
    "marts.indicator_completeness_by_unit",
)

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class IncrementalRun:
    incremental: Path
    full: Path
    output: str
    target: Path
    changed: list[str]
    removed: str


def _dbt(
    args: list[str], lake: Path, warehouse: Path, target: Path, changed: list[str] | None = None
) -> str:
    """Run dbt on the project against ``lake`` and ``warehouse``; return its output.

    ``changed``: the releases an incremental build rewrites; None leaves the variable unset.
    """
    env = {
        **os.environ,
        settings.LAKE_DIR_ENV: str(lake),
        settings.WAREHOUSE_PATH_ENV: str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    env.pop(settings.CHANGED_RELEASE_IDS_ENV, None)
    if changed is not None:
        env[settings.CHANGED_RELEASE_IDS_ENV] = json.dumps(changed)
    dbt = Path(sys.executable).with_name("dbt")
    completed = subprocess.run(
        [
            str(dbt if dbt.exists() else "dbt"),
            *args,
            "--profiles-dir",
            ".",
            "--target-path",
            str(target),
            "--log-path",
            str(target),
        ],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-4000:]
    return completed.stdout


def _load(raw_paths: list[Path], lake: Path) -> None:
    outcomes = load_releases(raw_paths, lake, workers=1)
    assert all(outcome.landed for outcome in outcomes), outcomes


@pytest.fixture(scope="module")
def incremental_run(tmp_path_factory: pytest.TempPathFactory) -> IncrementalRun:
    root = tmp_path_factory.mktemp("incremental_marts")
    raw = root / "raw"
    raw.mkdir()
    lake = root / "lake"
    generated = generate_releases(seed=41, releases=4, mean_kb=10)
    changed_id, removed_id, added_id = (release.release_id for release in generated[:3])
    shutil.copy(SAMPLE, raw / SAMPLE.name)
    for release in generated[:2]:
        (raw / f"{release.release_id}.txt").write_text(release.text, encoding="utf-8")
    _load(sorted(raw.glob("*.txt")), lake)

    warehouse = root / "incremental.duckdb"
    # One target folder for both builds of this warehouse, as the marts asset keeps one: the
    # incremental build can reuse the first build's parse.
    target = root / "target_incremental"
    models_and_seeds = ["build", "--select", "resource_type:seed", "resource_type:model"]
    _dbt(models_and_seeds, lake, warehouse, target)

    # A row of the untouched release, marked: only a rewrite of that release would undo it.
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "update marts.fct_projects set project_name_zh = ? "
            "where project_id = (select min(project_id) from marts.fct_projects where release_id = ?)",
            [SENTINEL, UNTOUCHED],
        )

    # New: the third release. Changed: other content (the fourth release's) under the first id.
    # Removed: the second release's partitions, as the publisher removes a release.
    (raw / f"{added_id}.txt").write_text(generated[2].text, encoding="utf-8")
    changed_raw = raw / f"{changed_id}.txt"
    changed_raw.write_text(generated[3].text, encoding="utf-8")
    _load([raw / f"{added_id}.txt", changed_raw], lake)
    (raw / f"{removed_id}.txt").unlink()
    for table in LAKE_TABLES:
        shutil.rmtree(partition_dir(lake, table, removed_id), ignore_errors=True)

    changed = [added_id, changed_id, removed_id]
    output = _dbt(
        ["build", "--exclude", "resource_type:unit_test"], lake, warehouse, target, changed
    )
    full = root / "full.duckdb"
    _dbt(models_and_seeds, lake, full, root / "target_full")
    return IncrementalRun(warehouse, full, output, target, changed, removed_id)


def _stored_tables(warehouse: Path) -> dict[str, list[tuple]]:
    """Every stored table of the marts, intermediate and staging schemas, rows sorted.

    Staging and intermediate tables too: they are incremental by release like the marts.
    """
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        names = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('marts', 'intermediate', 'staging') and table_type = 'BASE TABLE' "
            "order by table_schema, table_name"
        ).fetchall()
        return {
            f"{schema}.{name}": sorted(
                connection.execute(f'select * from {schema}."{name}"').fetchall(),
                key=lambda row: [(value is None, repr(value)) for value in row],
            )
            for schema, name in names
        }


def test_incremental_marts_keep_the_untouched_release_as_it_was(incremental_run: IncrementalRun):
    with duckdb.connect(str(incremental_run.incremental), read_only=True) as connection:
        marked = connection.execute(
            "select count(*) from marts.fct_projects where project_name_zh = ? and release_id = ?",
            [SENTINEL, UNTOUCHED],
        ).fetchone()[0]
    assert marked == 1


def test_incremental_marts_equal_a_full_rebuild_after_add_change_and_remove(
    incremental_run: IncrementalRun, tmp_path: Path
):
    # On a copy, the marked row gets its name back (the test above checks the mark), so that
    # every mart must then match the full rebuild exactly.
    restored = tmp_path / "restored.duckdb"
    shutil.copy(incremental_run.incremental, restored)
    with duckdb.connect(str(restored)) as connection:
        connection.execute(f"attach '{incremental_run.full}' as full_build (read_only)")
        connection.execute(
            "update marts.fct_projects set project_name_zh = ("
            "select project_name_zh from full_build.marts.fct_projects as full_projects "
            "where full_projects.project_id = fct_projects.project_id) "
            "where project_name_zh = ?",
            [SENTINEL],
        )
    incremental = _stored_tables(restored)
    full = _stored_tables(incremental_run.full)
    assert sorted(incremental) == sorted(full)
    for name in RELEASE_KEYED_TABLES:
        assert full[name], f"{name} is empty: nothing was compared"
    for name, rows in full.items():
        assert incremental[name] == rows, name


def test_incremental_marts_drop_the_removed_release_and_say_so(incremental_run: IncrementalRun):
    assert f"release {incremental_run.removed} is no longer in the lake" in incremental_run.output
    with duckdb.connect(str(incremental_run.incremental), read_only=True) as connection:
        left = connection.execute(
            "select count(*) from marts.fct_projects where release_id = ?",
            [incremental_run.removed],
        ).fetchone()[0]
    assert left == 0


def test_incremental_build_tests_only_the_changed_releases(incremental_run: IncrementalRun):
    compiled = incremental_run.target / "compiled" / "budget_performance" / "models"
    scope = "release_id in ('" + "', '".join(incremental_run.changed) + "')"
    mart_test = next(compiled.glob("marts/fct_projects.yml/unique_fct_projects_project_id.sql"))
    assert scope in mart_test.read_text(encoding="utf-8")
    # Tests of marts across releases still read everything.
    years_tests = list(compiled.glob("marts/department_years.yml/*.sql"))
    assert years_tests
    assert not any(scope in path.read_text(encoding="utf-8") for path in years_tests)
    results = json.loads((incremental_run.target / "run_results.json").read_text())["results"]
    failed = [r["unique_id"] for r in results if r["status"] not in {"pass", "success", "warn"}]
    assert not failed


def test_incremental_build_reuses_the_previous_parse(incremental_run: IncrementalRun):
    assert "Unable to do partial parsing" not in incremental_run.output
    log = (incremental_run.target / "dbt.log").read_text(encoding="utf-8")
    incremental_invocation = log.rsplit("running dbt with arguments", 1)[1]
    assert "Unable to do partial parsing" not in incremental_invocation
    assert (
        "Nothing changed, skipping partial parsing" in incremental_invocation
        or "Partial parsing enabled" in incremental_invocation
    )
