"""The nightly rebuild schedule: one release run per partition, keyed by the night."""

import datetime as dt

import dagster as dg

from orchestration.partitions import RELEASE_PARTITIONS_NAME
from orchestration.schedules import nightly_rebuild_schedule, nightly_run_requests

NIGHT = dt.datetime(2025, 3, 14, 2, 0, tzinfo=dt.UTC)


def test_nightly_run_requests_one_run_per_release_keyed_by_the_night():
    requests = nightly_run_requests(["b-release", "a-release"], NIGHT)

    assert [(r.partition_key, r.run_key) for r in requests] == [
        ("a-release", "nightly:2025-03-14:a-release"),
        ("b-release", "nightly:2025-03-14:b-release"),
    ]


def test_nightly_run_requests_skips_when_no_release_is_registered():
    assert isinstance(nightly_run_requests([], NIGHT), dg.SkipReason)


def test_nightly_schedule_rebuilds_every_registered_release():
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(RELEASE_PARTITIONS_NAME, ["a-release", "b-release"])
        context = dg.build_schedule_context(instance=instance, scheduled_execution_time=NIGHT)

        requests = nightly_rebuild_schedule(context)

    assert [r.partition_key for r in requests] == ["a-release", "b-release"]


def test_nightly_schedule_is_stopped_until_someone_turns_it_on():
    assert nightly_rebuild_schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert nightly_rebuild_schedule.cron_schedule == "0 2 * * *"
    assert nightly_rebuild_schedule.job_name == "release_job"
