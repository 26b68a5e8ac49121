"""The pooled sqlite event log: same data as Dagster's own, readable by it, followed live."""

import threading

import dagster as dg
import pytest
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from orchestration.instance_config import dagster_yaml, write_dagster_yaml
from orchestration.instance_storage import MAX_ENGINES, PooledSqliteEventLogStorage

PARTITIONS = dg.StaticPartitionsDefinition(["a", "b", "c"])


@dg.asset(partitions_def=PARTITIONS)
def tiny(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"partition": context.partition_key})


TINY_JOB = dg.Definitions(
    assets=[tiny], jobs=[dg.define_asset_job("tiny_job", [tiny])]
).resolve_job_def("tiny_job")


@pytest.fixture
def home(tmp_path):
    write_dagster_yaml(tmp_path / "home")
    return tmp_path / "home"


def _instance(home):
    return dg.DagsterInstance.from_config(str(home))


def test_instance_config_selects_the_pooled_event_log_under_the_instance_home(home):
    text = (home / "dagster.yaml").read_text(encoding="utf-8")

    assert "class: PooledSqliteEventLogStorage" in text
    assert f"base_dir: {home.resolve()}/history/runs/" in text
    assert dagster_yaml(home) == text
    # Storage exists before anything starts: the webserver and daemon never race to create it.
    assert (home / "history" / "runs" / "index.db").exists()
    assert (home / "history" / "runs.db").exists()
    with _instance(home) as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)


def test_events_written_through_the_pool_are_read_by_another_instance(home):
    with _instance(home) as writer:
        for key in ("a", "b"):
            assert TINY_JOB.execute_in_process(instance=writer, partition_key=key).success
        # A second instance on the same home: its own connections, the same files.
        with _instance(home) as reader:
            materialized = reader.get_materialized_partitions(dg.AssetKey("tiny"))
            runs = reader.get_runs()

    assert materialized == {"a", "b"}
    assert len(runs) == 2
    assert all(run.status == dg.DagsterRunStatus.SUCCESS for run in runs)


def test_the_pool_keeps_a_bounded_number_of_engines(home):
    with _instance(home) as instance:
        for _ in range(MAX_ENGINES + 3):
            TINY_JOB.execute_in_process(instance=instance, partition_key="c")
        storage = instance.event_log_storage

        assert len(storage._engines) <= MAX_ENGINES
        assert instance.get_runs_count() == MAX_ENGINES + 3


def _message(event) -> str:
    return (event.dagster_event.message if event.dagster_event else "") or event.user_message


@pytest.mark.parametrize("plain_watchdog", [False, True])
def test_a_watcher_sees_a_running_runs_events_as_they_are_written(home, plain_watchdog):
    # The UI follows a run by watching its shard file; with kept connections, writes after the
    # first land in the WAL file, so Dagster's own watcher (watching only the shard) misses them.
    messages: list[str] = []
    arrived = threading.Condition()

    def callback(event, _cursor):
        with arrived:
            messages.append(_message(event))
            arrived.notify_all()

    def wait_for(text: str) -> bool:
        # A miss is expected of the plain watcher: do not wait long for it.
        with arrived:
            return arrived.wait_for(
                lambda: any(text in m for m in messages), timeout=1.5 if plain_watchdog else 10
            )

    with _instance(home) as instance:
        storage = instance.event_log_storage
        run = instance.create_run_for_job(dg.GraphDefinition(name="g", node_defs=[]).to_job())
        instance.report_engine_event("first event", run)
        if plain_watchdog:
            SqliteEventLogStorage.watch(storage, run.run_id, None, callback)
        else:
            storage.watch(run.run_id, None, callback)
        try:
            instance.report_engine_event("second event", run)
            second_seen = wait_for("second event")
            instance.report_engine_event("third event", run)
            third_seen = wait_for("third event")
        finally:
            storage.end_watch(run.run_id, callback)

    if plain_watchdog:
        assert not (second_seen and third_seen), "the plain watcher should miss WAL-only writes"
    else:
        assert second_seen and third_seen, messages
