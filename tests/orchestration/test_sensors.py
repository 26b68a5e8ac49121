"""The raw-file sensor and the marts sensor, evaluated without a daemon.

Pure decisions (``plan_raw_releases``, ``decide_marts_run``) on hand-written hashes, then
the sensor bodies through ``dg.build_sensor_context`` on a temporary instance and lake.
"""

import json
import os
import shutil
from pathlib import Path

import dagster as dg
import pytest

from lake.releases import file_sha256
from orchestration.partitions import RANGE_END_TAG, RANGE_START_TAG, RELEASE_PARTITIONS_NAME
from orchestration.resources import LakeResource
from orchestration.sensors import (
    PUBLISHED_ASSET_KEY,
    RawFileState,
    RunSeen,
    decide_marts_run,
    dump_cursor,
    hash_raw_files,
    marts_after_releases_sensor,
    parse_cursor,
    plan_raw_releases,
    raw_release_sensor,
    release_run_key,
)

RAW = Path(__file__).resolve().parents[2] / "data_lake" / "raw"
BAIYUN = "guangzhou-baiyun-political-legal-committee"
HUADU = "guangzhou-huadu-police-branch"
SHA_A = "a" * 64
SHA_B = "b" * 64


# --- plan_raw_releases ----------------------------------------------------------------------


def test_plan_requests_new_file_and_adds_its_partition():
    plan = plan_raw_releases({BAIYUN: SHA_A}, {}, known_partitions=set())

    assert [(r.release_id, r.run_key) for r in plan.requests] == [
        (BAIYUN, f"{BAIYUN}:aaaaaaaaaaaaaaaa")
    ]
    assert plan.new_partitions == [BAIYUN]
    assert plan.cursor == {BAIYUN: RawFileState(SHA_A, runs=1)}


def test_plan_requests_nothing_when_bytes_are_unchanged():
    previous = {BAIYUN: RawFileState(SHA_A, runs=1)}

    plan = plan_raw_releases({BAIYUN: SHA_A}, previous, known_partitions={BAIYUN})

    assert plan.requests == []
    assert plan.new_partitions == []
    assert plan.cursor == previous


def test_plan_reruns_only_the_release_whose_bytes_changed():
    previous = {BAIYUN: RawFileState(SHA_A, runs=1), HUADU: RawFileState(SHA_A, runs=1)}

    plan = plan_raw_releases(
        {BAIYUN: SHA_B, HUADU: SHA_A}, previous, known_partitions={BAIYUN, HUADU}
    )

    assert [(r.release_id, r.run_key) for r in plan.requests] == [
        (BAIYUN, f"{BAIYUN}:bbbbbbbbbbbbbbbb:2")
    ]
    assert plan.new_partitions == []
    assert "content changed" in plan.requests[0].reason


def test_plan_gives_a_fresh_run_key_when_a_file_reverts_to_earlier_bytes():
    # A → B → A: Dagster never launches a run key twice, so the third run needs its own key.
    previous = {BAIYUN: RawFileState(SHA_B, runs=2)}

    plan = plan_raw_releases({BAIYUN: SHA_A}, previous, known_partitions={BAIYUN})

    assert plan.requests[0].run_key == f"{BAIYUN}:aaaaaaaaaaaaaaaa:3"
    assert plan.requests[0].run_key != release_run_key(BAIYUN, SHA_A)


def test_plan_reports_removed_file_and_requests_nothing():
    previous = {BAIYUN: RawFileState(SHA_A, runs=1), HUADU: RawFileState(SHA_B, runs=1)}

    plan = plan_raw_releases({HUADU: SHA_B}, previous, known_partitions={BAIYUN, HUADU})

    assert plan.requests == []
    assert plan.removed == [BAIYUN]
    assert plan.cursor[BAIYUN] == RawFileState(SHA_A, runs=1, removed=True)


def test_plan_reports_a_removal_once():
    previous = {BAIYUN: RawFileState(SHA_A, runs=1, removed=True)}

    plan = plan_raw_releases({}, previous, known_partitions={BAIYUN})

    assert plan.removed == []
    assert plan.cursor == previous


def test_plan_requests_nothing_when_a_removed_file_returns_with_the_same_bytes():
    previous = {BAIYUN: RawFileState(SHA_A, runs=1, removed=True)}

    plan = plan_raw_releases({BAIYUN: SHA_A}, previous, known_partitions={BAIYUN})

    assert plan.requests == []
    assert plan.cursor[BAIYUN] == RawFileState(SHA_A, runs=1, removed=False)


def test_plan_adopts_published_bytes_when_cursor_is_fresh():
    # After `make run` the lake already holds these exact bytes: a fresh cursor re-runs nothing.
    plan = plan_raw_releases(
        {BAIYUN: SHA_A, HUADU: SHA_B},
        {},
        known_partitions={BAIYUN, HUADU},
        published_sha256={BAIYUN: SHA_A, HUADU: SHA_A}.get,
    )

    assert [r.release_id for r in plan.requests] == [HUADU]
    assert plan.requests[0].reason.startswith("differs from the published bytes")
    assert plan.cursor[BAIYUN] == RawFileState(SHA_A, runs=0)


def test_cursor_round_trips_through_json():
    states = {BAIYUN: RawFileState(SHA_A, 2, removed=True), HUADU: RawFileState(SHA_B, 1)}

    assert parse_cursor(dump_cursor(states)) == states


def test_cursor_accepts_a_bare_release_to_sha256_mapping():
    assert parse_cursor(json.dumps({BAIYUN: SHA_A})) == {BAIYUN: RawFileState(SHA_A)}


def test_hash_raw_files_ignores_timestamps_and_lists_sidecars_under_their_release(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW / f"{BAIYUN}.txt", raw / f"{BAIYUN}.txt")
    (raw / f"{BAIYUN}.meta.json").write_text("{}", encoding="utf-8")
    before = hash_raw_files(raw)

    os.utime(raw / f"{BAIYUN}.txt", (1_000_000_000, 1_000_000_000))

    assert hash_raw_files(raw) == before
    assert list(before) == [BAIYUN]


def test_hash_raw_files_changes_when_only_the_sidecar_changes(tmp_path):
    # A corrected budget_year or URL is a new version of the release's facts: it re-runs.
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW / f"{BAIYUN}.txt", raw / f"{BAIYUN}.txt")
    without_sidecar = hash_raw_files(raw)[BAIYUN]
    (raw / f"{BAIYUN}.meta.json").write_text('{"budget_year": 2025}', encoding="utf-8")
    first = hash_raw_files(raw)[BAIYUN]
    (raw / f"{BAIYUN}.meta.json").write_text('{"budget_year": 2026}', encoding="utf-8")

    assert len({without_sidecar, first, hash_raw_files(raw)[BAIYUN]}) == 3
    assert without_sidecar == file_sha256(raw / f"{BAIYUN}.txt")


# --- raw_release_sensor, evaluated -----------------------------------------------------------


@pytest.fixture
def instance():
    with dg.instance_for_test() as test_instance:
        yield test_instance


@pytest.fixture
def lake(tmp_path) -> LakeResource:
    (tmp_path / "lake" / "raw").mkdir(parents=True)
    return LakeResource(lake_dir=str(tmp_path / "lake"))


def _evaluate(instance, lake: LakeResource, cursor: str | None = None) -> dg.SensorResult:
    context = dg.build_sensor_context(instance=instance, cursor=cursor, resources={"lake": lake})
    return raw_release_sensor(context)


def _drop(lake: LakeResource, release_id: str, text: str | None = None) -> None:
    source = (RAW / f"{BAIYUN}.txt").read_text(encoding="utf-8")
    (lake.raw_dir / f"{release_id}.txt").write_text(text or source, encoding="utf-8")


def test_raw_sensor_requests_release_job_and_adds_partition_for_a_new_file(instance, lake):
    _drop(lake, BAIYUN)

    result = _evaluate(instance, lake)

    (request,) = result.run_requests
    sha256 = hash_raw_files(lake.raw_dir)[BAIYUN]
    assert request.partition_key == BAIYUN
    assert request.run_key == f"{BAIYUN}:{sha256[:16]}"
    assert result.dynamic_partitions_requests[0].partitions_def_name == RELEASE_PARTITIONS_NAME
    assert list(result.dynamic_partitions_requests[0].partition_keys) == [BAIYUN]
    assert json.loads(result.cursor)[BAIYUN]["sha256"] == sha256


def test_raw_sensor_requests_nothing_on_the_next_tick_when_nothing_changed(instance, lake):
    _drop(lake, BAIYUN)
    first = _evaluate(instance, lake)
    instance.add_dynamic_partitions(RELEASE_PARTITIONS_NAME, [BAIYUN])

    second = _evaluate(instance, lake, cursor=first.cursor)

    assert second.run_requests == []
    assert second.cursor == first.cursor


def test_raw_sensor_runs_several_new_files_as_one_run_over_their_partitions(instance, lake):
    for release_id in ("a-release", "b-release", "c-release"):
        _drop(lake, release_id)

    result = _evaluate(instance, lake)

    (request,) = result.run_requests
    assert request.partition_key is None
    assert request.tags[RANGE_START_TAG] == "a-release"
    assert request.tags[RANGE_END_TAG] == "c-release"
    assert request.run_key.startswith("new:a-release..c-release:")
    assert list(result.dynamic_partitions_requests[0].partition_keys) == [
        "a-release",
        "b-release",
        "c-release",
    ]
    # The same files seen afresh ask for the same run: Dagster launches a run key once.
    assert _evaluate(instance, lake).run_requests[0].run_key == request.run_key


def test_raw_sensor_reruns_just_the_changed_release(instance, lake):
    _drop(lake, BAIYUN)
    _drop(lake, "second-release")
    first = _evaluate(instance, lake)
    instance.add_dynamic_partitions(RELEASE_PARTITIONS_NAME, [BAIYUN, "second-release"])
    edited = (RAW / f"{BAIYUN}.txt").read_text(encoding="utf-8").replace("1,989.76", "1,999.76")
    _drop(lake, BAIYUN, edited)

    second = _evaluate(instance, lake, cursor=first.cursor)

    assert [r.partition_key for r in second.run_requests] == [BAIYUN]
    assert second.run_requests[0].run_key.endswith(":2")
    assert second.dynamic_partitions_requests == []


def test_raw_sensor_reports_removed_file_and_keeps_the_lake(instance, lake):
    _drop(lake, BAIYUN)
    first = _evaluate(instance, lake)
    instance.add_dynamic_partitions(RELEASE_PARTITIONS_NAME, [BAIYUN])
    published = lake.parquet_dir / "projects" / f"release_id={BAIYUN}" / "part-0.parquet"
    published.parent.mkdir(parents=True)
    published.write_bytes(b"stand-in for a published partition")
    (lake.raw_dir / f"{BAIYUN}.txt").unlink()

    second = _evaluate(instance, lake, cursor=first.cursor)

    assert second.run_requests == []
    assert BAIYUN in second.skip_reason.skip_message
    assert json.loads(second.cursor)[BAIYUN]["removed"] is True
    assert published.exists()
    assert instance.get_dynamic_partitions(RELEASE_PARTITIONS_NAME) == [BAIYUN]


# --- marts ---------------------------------------------------------------------------------


def test_decide_marts_run_waits_while_releases_are_in_flight():
    decision = decide_marts_run(RunSeen("r1", 100.0), 2, None, 0)

    assert isinstance(decision, dg.SkipReason)
    assert "2 release run(s)" in decision.skip_message


def test_decide_marts_run_requests_once_after_the_last_release_landed():
    decision = decide_marts_run(RunSeen("r2", 200.0), 0, RunSeen("m1", 150.0), 0)

    assert isinstance(decision, dg.RunRequest)
    assert decision.run_key == "marts-after:r2"


def test_decide_marts_run_skips_when_marts_started_after_the_last_release():
    decision = decide_marts_run(RunSeen("r2", 200.0), 0, RunSeen("m2", 210.0), 0)

    assert isinstance(decision, dg.SkipReason)


def test_decide_marts_run_skips_while_a_marts_run_is_queued():
    decision = decide_marts_run(RunSeen("r2", 200.0), 0, RunSeen("m2", 150.0), 1)

    assert isinstance(decision, dg.SkipReason)


def test_decide_marts_run_skips_before_any_release_was_published():
    assert isinstance(decide_marts_run(None, 0, None, 0), dg.SkipReason)


@dg.op
def _noop() -> None:
    pass


@dg.op
def _publish_one_release():
    """What a release run leaves behind for the marts sensor: a lake materialisation."""
    yield dg.AssetMaterialization(asset_key=PUBLISHED_ASSET_KEY, partition="a-release")
    yield dg.Output(None)


def _stand_in_job(name: str, op=_noop) -> dg.JobDefinition:
    """A trivial job under a real job's name: the marts sensor looks at job names only."""
    return dg.GraphDefinition(name=name, node_defs=[op]).to_job()


def test_marts_sensor_requests_marts_after_a_release_was_published(instance):
    release_run = _stand_in_job("release_job", _publish_one_release).execute_in_process(
        instance=instance
    )

    decision = marts_after_releases_sensor(dg.build_sensor_context(instance=instance))

    assert isinstance(decision, dg.RunRequest)
    assert decision.run_key == f"marts-after:{release_run.run_id}"


def test_marts_sensor_ignores_a_release_run_that_published_nothing(instance):
    _stand_in_job("release_job").execute_in_process(instance=instance)

    decision = marts_after_releases_sensor(dg.build_sensor_context(instance=instance))

    assert isinstance(decision, dg.SkipReason)


def test_marts_sensor_requests_nothing_once_the_marts_ran_after_the_release(instance):
    _stand_in_job("release_job", _publish_one_release).execute_in_process(instance=instance)
    _stand_in_job("marts_job").execute_in_process(instance=instance)

    decision = marts_after_releases_sensor(dg.build_sensor_context(instance=instance))

    assert isinstance(decision, dg.SkipReason)
