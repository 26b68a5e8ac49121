"""The raw-file sensor, evaluated without a daemon.

The pure decision (``plan_raw_releases``) on hand-written hashes, then the sensor body through
``dg.build_sensor_context`` on a temporary instance and lake. What the reports set off (the
lake's and the marts' automation conditions) is tested in test_automation.py.
"""

import json
import os
import shutil
from pathlib import Path

import dagster as dg
import pytest

from lake.releases import file_sha256
from orchestration.partitions import RELEASE_PARTITIONS_NAME
from orchestration.resources import LakeResource
from orchestration.sensors import (
    RawFileState,
    dump_cursor,
    hash_raw_files,
    parse_cursor,
    plan_raw_releases,
    raw_release_sensor,
)

RAW = Path(__file__).resolve().parents[2] / "data_lake" / "raw"
RAW_KEY = dg.AssetKey(["raw", "release_files"])
BAIYUN = "guangzhou-baiyun-political-legal-committee"
HUADU = "guangzhou-huadu-police-branch"
SHA_A = "a" * 64
SHA_B = "b" * 64


# --- plan_raw_releases ----------------------------------------------------------------------


def test_plan_reports_new_file_and_adds_its_partition():
    plan = plan_raw_releases({BAIYUN: SHA_A}, {}, known_partitions=set())

    assert [(r.release_id, r.sha256, r.reason) for r in plan.reports] == [
        (BAIYUN, SHA_A, "new file")
    ]
    assert plan.new_partitions == [BAIYUN]
    assert plan.cursor == {BAIYUN: RawFileState(SHA_A)}


def test_plan_reports_nothing_when_bytes_are_unchanged():
    previous = {BAIYUN: RawFileState(SHA_A)}

    plan = plan_raw_releases({BAIYUN: SHA_A}, previous, known_partitions={BAIYUN})

    assert plan.reports == []
    assert plan.new_partitions == []
    assert plan.cursor == previous


def test_plan_reports_only_the_release_whose_bytes_changed():
    previous = {BAIYUN: RawFileState(SHA_A), HUADU: RawFileState(SHA_A)}

    plan = plan_raw_releases(
        {BAIYUN: SHA_B, HUADU: SHA_A}, previous, known_partitions={BAIYUN, HUADU}
    )

    assert [(r.release_id, r.sha256) for r in plan.reports] == [(BAIYUN, SHA_B)]
    assert plan.new_partitions == []
    assert plan.reports[0].reason == "content changed (was aaaaaaaaaaaaaaaa)"


def test_plan_reports_a_file_reverted_to_earlier_bytes():
    previous = {BAIYUN: RawFileState(SHA_B)}

    plan = plan_raw_releases({BAIYUN: SHA_A}, previous, known_partitions={BAIYUN})

    assert [(r.release_id, r.sha256) for r in plan.reports] == [(BAIYUN, SHA_A)]


def test_plan_forgets_a_removed_file_and_reports_nothing():
    previous = {BAIYUN: RawFileState(SHA_A), HUADU: RawFileState(SHA_B)}

    plan = plan_raw_releases({HUADU: SHA_B}, previous, known_partitions={HUADU})

    assert plan.reports == []
    assert plan.removed == [BAIYUN]
    assert plan.cursor == {HUADU: RawFileState(SHA_B)}


def test_plan_reports_a_withdrawn_file_that_returns_with_the_same_bytes_as_new():
    # Its release left the lake and its partition was deleted when the file went.
    plan = plan_raw_releases({BAIYUN: SHA_A}, {}, known_partitions=set())

    assert [(r.release_id, r.reason) for r in plan.reports] == [(BAIYUN, "new file")]
    assert plan.new_partitions == [BAIYUN]


def test_plan_reports_a_file_whose_partition_was_deleted_although_its_bytes_are_known():
    plan = plan_raw_releases({BAIYUN: SHA_A}, {BAIYUN: RawFileState(SHA_A)}, known_partitions=set())

    assert [(r.release_id, r.reason) for r in plan.reports] == [
        (BAIYUN, "back after it was withdrawn")
    ]
    assert plan.new_partitions == [BAIYUN]


def test_plan_adopts_published_bytes_when_cursor_is_fresh():
    # After `make run` the lake already holds these exact bytes: a fresh cursor re-runs nothing.
    plan = plan_raw_releases(
        {BAIYUN: SHA_A, HUADU: SHA_B},
        {},
        known_partitions={BAIYUN, HUADU},
        published_sha256={BAIYUN: SHA_A, HUADU: SHA_A}.get,
    )

    assert [r.release_id for r in plan.reports] == [HUADU]
    assert plan.reports[0].reason.startswith("differs from the published bytes")
    assert plan.cursor[BAIYUN] == RawFileState(SHA_A)


def test_cursor_round_trips_through_json():
    states = {BAIYUN: RawFileState(SHA_A), HUADU: RawFileState(SHA_B)}

    assert parse_cursor(dump_cursor(states)) == states


def test_cursor_accepts_a_bare_release_to_sha256_mapping():
    assert parse_cursor(json.dumps({BAIYUN: SHA_A})) == {BAIYUN: RawFileState(SHA_A)}


def test_cursor_written_with_run_counts_and_removed_flags_still_reads():
    # Cursors from before the lake was automated counted runs for run keys; those from before
    # removed files were withdrawn flagged them.
    old = json.dumps({BAIYUN: {"sha256": SHA_A, "runs": 3, "removed": True}})

    assert parse_cursor(old) == {BAIYUN: RawFileState(SHA_A)}


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


def _reported(result: dg.SensorResult) -> dict[str, str]:
    return {
        event.partition: event.metadata["release_fingerprint"].value
        for event in result.asset_events
        if event.asset_key == RAW_KEY
    }


def test_raw_sensor_reports_a_new_file_and_adds_its_partition(instance, lake):
    _drop(lake, BAIYUN)

    result = _evaluate(instance, lake)

    sha256 = hash_raw_files(lake.raw_dir)[BAIYUN]
    assert _reported(result) == {BAIYUN: sha256}
    assert result.run_requests == []
    assert result.dynamic_partitions_requests[0].partitions_def_name == RELEASE_PARTITIONS_NAME
    assert list(result.dynamic_partitions_requests[0].partition_keys) == [BAIYUN]
    assert json.loads(result.cursor)[BAIYUN]["sha256"] == sha256


def test_raw_sensor_reports_nothing_on_the_next_tick_when_nothing_changed(instance, lake):
    _drop(lake, BAIYUN)
    first = _evaluate(instance, lake)
    instance.add_dynamic_partitions(RELEASE_PARTITIONS_NAME, [BAIYUN])

    second = _evaluate(instance, lake, cursor=first.cursor)

    assert second.asset_events == []
    assert second.cursor == first.cursor


def test_raw_sensor_adds_files_dropped_together_in_order_as_one_request(instance, lake):
    for release_id in ("c-release", "a-release", "b-release"):
        _drop(lake, release_id)

    result = _evaluate(instance, lake)

    (request,) = result.dynamic_partitions_requests
    assert list(request.partition_keys) == ["a-release", "b-release", "c-release"]
    assert sorted(_reported(result)) == ["a-release", "b-release", "c-release"]


def test_raw_sensor_reports_just_the_changed_release(instance, lake):
    _drop(lake, BAIYUN)
    _drop(lake, "second-release")
    first = _evaluate(instance, lake)
    instance.add_dynamic_partitions(RELEASE_PARTITIONS_NAME, [BAIYUN, "second-release"])
    edited = (RAW / f"{BAIYUN}.txt").read_text(encoding="utf-8").replace("1,989.76", "1,999.76")
    _drop(lake, BAIYUN, edited)

    second = _evaluate(instance, lake, cursor=first.cursor)

    assert list(_reported(second)) == [BAIYUN]
    assert second.asset_events[0].metadata["reason"].value.startswith("content changed")
    assert second.dynamic_partitions_requests == []


def test_raw_sensor_withdraws_a_removed_release_deletes_its_partition_and_requests_the_marts(
    instance, lake, capsys
):
    from lake.publish import publish_releases

    _drop(lake, BAIYUN)
    _drop(lake, HUADU, (RAW / f"{HUADU}.txt").read_text(encoding="utf-8"))
    first = _evaluate(instance, lake)
    instance.add_dynamic_partitions(RELEASE_PARTITIONS_NAME, [BAIYUN, HUADU])
    raws = [lake.raw_dir / f"{BAIYUN}.txt", lake.raw_dir / f"{HUADU}.txt"]
    assert all(p.landed for p in publish_releases(raws, lake.lake_path, lake.quarantine_dir))
    (lake.raw_dir / f"{BAIYUN}.txt").unlink()

    second = _evaluate(instance, lake, cursor=first.cursor)

    assert second.asset_events == []
    (request,) = second.dynamic_partitions_requests
    assert isinstance(request, dg.DeleteDynamicPartitionsRequest)
    assert list(request.partition_keys) == [BAIYUN]
    assert [run.job_name for run in second.run_requests] == ["marts_job"]
    assert BAIYUN not in json.loads(second.cursor)
    assert not list(lake.parquet_dir.glob(f"*/release_id={BAIYUN}"))
    assert not (lake.lake_path / "published" / f"{BAIYUN}.json").exists()
    assert len(list(lake.parquet_dir.glob(f"*/release_id={HUADU}"))) == 7
    # The sensor's log, one line naming the release and the file.
    assert f"release {BAIYUN}: raw file {lake.raw_dir / BAIYUN}.txt is gone" in (
        capsys.readouterr().err
    )


def test_raw_sensor_withdraws_nothing_when_raw_holds_no_release_at_all(instance, lake):
    # An empty raw/ is more likely an unmounted disk than a decision to empty the lake.
    _drop(lake, BAIYUN)
    first = _evaluate(instance, lake)
    instance.add_dynamic_partitions(RELEASE_PARTITIONS_NAME, [BAIYUN])
    published = lake.parquet_dir / "projects" / f"release_id={BAIYUN}" / "part-0.parquet"
    published.parent.mkdir(parents=True)
    published.write_bytes(b"stand-in for a published partition")
    (lake.raw_dir / f"{BAIYUN}.txt").unlink()

    second = _evaluate(instance, lake, cursor=first.cursor)

    assert second.dynamic_partitions_requests == []
    assert second.run_requests == []
    assert published.exists()


def test_raw_sensor_is_stopped_until_someone_turns_it_on():
    assert raw_release_sensor.default_status == dg.DefaultSensorStatus.STOPPED
