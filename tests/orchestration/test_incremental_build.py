"""The marts asset builds incrementally through Dagster and still equals a full rebuild.

The five samples go through ``make run``'s path (release_job, then marts_job: a full build, no
record of a previous one). Then, as in a deployment with the raw sensor on: a generated release
is dropped in, Baiyun is corrected (a project renamed, totals unchanged) and Huadu's raw file is
deleted. The raw sensor is evaluated: it reports the new and the changed file, withdraws Huadu
from the lake and asks for its partition to be deleted and for marts_job; the releases it
reported run through release_job, and marts_job builds incrementally from the live warehouse.

A row of an untouched release is marked in the live warehouse before that build: it must come
through unchanged (the build did not rewrite that release). With the mark undone, every marts
table must equal a full rebuild of the same lake by the dbt CLI, row for row: no row lost, none
doubled. Huadu must be gone from the lake and from every mart.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from bench.generate import generate_releases
from bench.paths import dbt_command
from lake.build_state import read_build_state, release_fingerprints

pytestmark = pytest.mark.slow

RAW = Path(__file__).resolve().parents[2] / "data_lake" / "raw"
HUADU = "guangzhou-huadu-police-branch"
BAIYUN = "guangzhou-baiyun-political-legal-committee"
UNTOUCHED = "guangzhou-public-security-bureau"
SENTINEL = "未被改写的哨兵行"


@dataclass(frozen=True)
class Builds:
    lake: Path
    incremental: Path
    full: Path
    added: str
    sensor_result: dg.SensorResult
    marts_success: bool


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


def _apply(instance: dg.DagsterInstance, result: dg.SensorResult) -> None:
    """What the daemon does with a sensor's partition requests."""
    for request in result.dynamic_partitions_requests:
        if isinstance(request, dg.AddDynamicPartitionsRequest):
            instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
        else:
            for key in request.partition_keys:
                instance.delete_dynamic_partition(request.partitions_def_name, key)


@pytest.fixture(scope="module")
def builds(tmp_path_factory, dbt_manifest) -> Builds:
    from orchestration.definitions import defs
    from orchestration.resources import LakeResource
    from orchestration.run_all import run_job, run_pipeline
    from orchestration.sensors import raw_release_sensor

    root = tmp_path_factory.mktemp("incremental_build")
    lake = root / "lake"
    raw = lake / "raw"
    raw.mkdir(parents=True)
    for path in sorted(RAW.glob("*.txt")):
        shutil.copy(path, raw / path.name)
    live = lake / "warehouse.duckdb"
    resource = LakeResource(lake_dir=str(lake), warehouse_path=str(live))
    with pytest.MonkeyPatch.context() as patch, dg.instance_for_test() as instance:
        patch.setenv("BUDGET_LAKE_DIR", str(lake))
        patch.setenv("BUDGET_WAREHOUSE_PATH", str(live))
        assert run_pipeline(instance, defs, resource).success

        def sensor_tick(cursor: str | None) -> dg.SensorResult:
            context = dg.build_sensor_context(
                instance=instance, cursor=cursor, resources={"lake": resource}
            )
            return raw_release_sensor(context)

        adopted = sensor_tick(None)  # the lake holds these bytes already: nothing reported
        assert adopted.asset_events == []

        (generated,) = generate_releases(seed=43, releases=1, mean_kb=10)
        (raw / f"{generated.release_id}.txt").write_text(generated.text, encoding="utf-8")
        baiyun = raw / f"{BAIYUN}.txt"
        text = baiyun.read_text(encoding="utf-8")
        assert "公费医疗超支及自付经费" in text
        baiyun.write_text(
            text.replace("公费医疗超支及自付经费", "公费医疗经费", 1), encoding="utf-8"
        )
        (raw / f"{HUADU}.txt").unlink()

        with duckdb.connect(str(live)) as connection:
            connection.execute(
                "update marts.fct_projects set project_name_zh = ? where project_id = ("
                "select min(project_id) from marts.fct_projects where release_id = ?)",
                [SENTINEL, UNTOUCHED],
            )

        result = sensor_tick(adopted.cursor)
        _apply(instance, result)
        for event in result.asset_events:
            assert run_job(defs, "release_job", instance, partition_key=event.partition).success
        marts = run_job(defs, "marts_job", instance)

        incremental = root / "incremental.duckdb"
        shutil.copy(live, incremental)
        full = root / "full.duckdb"
        dbt_command(
            ["build", "--select", "resource_type:seed", "resource_type:model"],
            lake,
            full,
            root / "dbt_target",
        )
    return Builds(lake, incremental, full, generated.release_id, result, marts.success)


def test_raw_sensor_reports_the_new_and_the_changed_file_and_withdraws_the_removed_one(builds):
    assert sorted(event.partition for event in builds.sensor_result.asset_events) == sorted(
        [builds.added, BAIYUN]
    )
    assert [run.job_name for run in builds.sensor_result.run_requests] == ["marts_job"]
    assert not list((builds.lake / "parquet").glob(f"*/release_id={HUADU}"))
    assert not (builds.lake / "published" / f"{HUADU}.json").exists()


def test_incremental_marts_build_leaves_the_untouched_release_as_it_was(builds):
    assert builds.marts_success
    with duckdb.connect(str(builds.incremental), read_only=True) as connection:
        marked = connection.execute(
            "select count(*) from marts.fct_projects where project_name_zh = ? and release_id = ?",
            [SENTINEL, UNTOUCHED],
        ).fetchone()[0]
    assert marked == 1


def test_incremental_marts_build_equals_a_full_rebuild_row_for_row(builds, tmp_path):
    restored = tmp_path / "restored.duckdb"
    shutil.copy(builds.incremental, restored)
    with duckdb.connect(str(restored)) as connection:
        connection.execute(f"attach '{builds.full}' as full_build (read_only)")
        connection.execute(
            "update marts.fct_projects set project_name_zh = ("
            "select f.project_name_zh from full_build.marts.fct_projects f "
            "where f.project_id = fct_projects.project_id) where project_name_zh = ?",
            [SENTINEL],
        )
    incremental = _stored_tables(restored)
    full = _stored_tables(builds.full)

    assert sorted(incremental) == sorted(full)
    assert len(full) >= 10
    assert "intermediate.int_projects_categorised" in full
    for name, rows in full.items():
        assert incremental[name] == rows, name
    releases = {
        row[0] for row in _rows(builds.full, "select distinct release_id from marts.fct_projects")
    }
    assert releases == {path.stem for path in (builds.lake / "raw").glob("*.txt")}


def test_incremental_marts_build_removes_the_withdrawn_release_from_every_stored_table(builds):
    with duckdb.connect(str(builds.incremental), read_only=True) as connection:
        keyed = connection.execute(
            "select columns.table_schema, columns.table_name from information_schema.columns "
            "join information_schema.tables using (table_schema, table_name) "
            "where columns.table_schema in ('marts', 'intermediate', 'staging') "
            "and table_type = 'BASE TABLE' and column_name = 'release_id'"
        ).fetchall()
        left = {
            f"{schema}.{name}": connection.execute(
                f'select count(*) from {schema}."{name}" where release_id = ?', [HUADU]
            ).fetchone()[0]
            for schema, name in keyed
        }
    assert {
        "marts.fct_projects",
        "intermediate.int_projects_categorised",
        "staging.stg_lake__projects",
    } <= set(left)
    assert left == dict.fromkeys(left, 0)


def test_incremental_marts_build_records_the_lake_it_read(builds):
    state = read_build_state(builds.incremental)

    assert state.releases == release_fingerprints(builds.lake)
    assert HUADU not in state.releases


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()
