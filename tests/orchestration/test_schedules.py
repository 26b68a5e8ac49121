"""The nightly rebuild schedule: one release run over every partition, keyed by the night."""

import datetime as dt

import dagster as dg

from orchestration.partitions import RANGE_END_TAG, RANGE_START_TAG, RELEASE_PARTITIONS_NAME
from orchestration.resources import LakeResource
from orchestration.schedules import nightly_rebuild_schedule, nightly_run_requests

NIGHT = dt.datetime(2025, 3, 14, 2, 0, tzinfo=dt.UTC)


def _spans(requests):
    return [(r.tags[RANGE_START_TAG], r.tags[RANGE_END_TAG], r.run_key) for r in requests]


def test_nightly_run_requests_one_run_over_every_release_keyed_by_the_night():
    requests = nightly_run_requests(["b", "a", "c"], ["a", "b", "c"], NIGHT)

    assert _spans(requests) == [("b", "c", "nightly:2025-03-14:b..c")]
    assert all(r.partition_key is None for r in requests)


def test_nightly_run_requests_leaves_out_a_release_whose_raw_file_is_gone():
    requests = nightly_run_requests(["a", "gone", "c", "d"], ["a", "c", "d"], NIGHT)

    assert [(start, end) for start, end, _ in _spans(requests)] == [("a", "a"), ("c", "d")]


def test_nightly_run_requests_skips_when_no_release_is_registered():
    assert isinstance(nightly_run_requests([], ["a"], NIGHT), dg.SkipReason)
    assert isinstance(nightly_run_requests(["a"], [], NIGHT), dg.SkipReason)


def test_nightly_schedule_rebuilds_every_registered_release_with_a_raw_file(tmp_path):
    (tmp_path / "raw").mkdir()
    for release_id in ("a-release", "b-release"):
        (tmp_path / "raw" / f"{release_id}.txt").write_text("x", encoding="utf-8")
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(RELEASE_PARTITIONS_NAME, ["a-release", "b-release"])
        context = dg.build_schedule_context(
            instance=instance,
            scheduled_execution_time=NIGHT,
            resources={"lake": LakeResource(lake_dir=str(tmp_path))},
        )

        requests = nightly_rebuild_schedule(context)

    assert [(start, end) for start, end, _ in _spans(requests)] == [("a-release", "b-release")]


def test_nightly_schedule_is_stopped_until_someone_turns_it_on():
    assert nightly_rebuild_schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert nightly_rebuild_schedule.cron_schedule == "0 2 * * *"
    assert nightly_rebuild_schedule.job_name == "release_job"
