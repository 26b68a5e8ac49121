"""The production instance: Dagster on a real PostgreSQL server, the jobs' events read back.

A throwaway PostgreSQL 15 cluster (bench/postgres.py) per module. Locally, without PostgreSQL
installed, the test is skipped with the reason; in CI (``CI=true``) a missing server fails:
the production storage must never go untested there.
"""

import os

import dagster as dg
import psycopg2
import pytest

from bench.postgres import find_pg_bin, throwaway_postgres
from orchestration.instance_config import (
    MAX_RETRIES,
    MAX_RUNTIME_SECONDS,
    write_dagster_yaml,
)

pytestmark = pytest.mark.slow

LAKE_KEY_JSON = '["lake", "release_tables"]'


@pytest.fixture(scope="module")
def postgres_server():
    if find_pg_bin() is None:
        message = "PostgreSQL 15 (initdb) is not installed: apt-get install postgresql-15"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the Postgres tests. {message}")
        pytest.skip(message)
    with throwaway_postgres() as server:
        yield server


def _query(server, sql: str, *params) -> list[tuple]:
    with psycopg2.connect(server.dsn()) as connection, connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    connection.close()
    return rows


def test_postgres_instance_config_reads_its_connection_from_the_environment(tmp_path, monkeypatch):
    for name in ("DAGSTER_PG_HOST", "DAGSTER_PG_PASSWORD"):
        monkeypatch.delenv(name, raising=False)

    with pytest.raises(ValueError, match="DAGSTER_PG_HOST.*DAGSTER_PG_PASSWORD"):
        write_dagster_yaml(tmp_path / "home", postgres=True)


def test_release_and_marts_jobs_run_on_a_postgres_instance_and_their_events_are_in_postgres(
    sample_lake, dbt_manifest, tmp_path, monkeypatch, postgres_server
):
    from orchestration.definitions import defs
    from orchestration.run_all import run_pipeline

    for name, value in postgres_server.env().items():
        monkeypatch.setenv(name, value)
    home = tmp_path / "dagster_home"
    write_dagster_yaml(home, postgres=True)
    text = (home / "dagster.yaml").read_text(encoding="utf-8")
    # The file names variables, never the server: the same file serves every deployment.
    assert str(postgres_server.port) not in text
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    release_ids = sorted(path.stem for path in (sample_lake / "raw").glob("*.txt"))

    with dg.DagsterInstance.get() as instance:
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_max_runtime_seconds == MAX_RUNTIME_SECONDS
        assert instance.run_retries_enabled and instance.run_retries_max_retries == MAX_RETRIES
        result = run_pipeline(instance, defs)

    assert result.success, [run.label for run in result.failures]
    # Read back from Postgres itself, not through Dagster: the runs, and one materialisation
    # of the lake asset per release.
    runs = _query(postgres_server, "select pipeline_name, status from runs order by id")
    assert runs == [("release_job", "SUCCESS"), ("marts_job", "SUCCESS")]
    partitions = _query(
        postgres_server,
        "select partition from event_logs where dagster_event_type = 'ASSET_MATERIALIZATION' "
        "and asset_key = %s order by partition",
        LAKE_KEY_JSON,
    )
    assert [partition for (partition,) in partitions] == release_ids
    events_per_run = _query(
        postgres_server,
        "select r.pipeline_name, count(*) from event_logs e join runs r using (run_id) "
        "group by r.pipeline_name",
    )
    assert all(count > 10 for _, count in events_per_run), events_per_run
    # Nothing went to sqlite under DAGSTER_HOME.
    assert not (home / "history").exists()
    assert not list(home.rglob("*.db"))
    # A second instance (another process would do the same) sees the same history.
    with dg.DagsterInstance.from_config(str(home)) as reader:
        assert reader.get_materialized_partitions(dg.AssetKey(["lake", "release_tables"])) == set(
            release_ids
        )
        assert {run.job_name for run in reader.get_runs()} == {"release_job", "marts_job"}
