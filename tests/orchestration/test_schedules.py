"""The nightly rebuild: a schedule whose job reports every release still on disk."""

import dagster as dg

from orchestration.partitions import RELEASE_PARTITIONS_NAME
from orchestration.resources import LakeResource
from orchestration.schedules import nightly_rebuild_job, nightly_rebuild_schedule, nightly_reports

RAW_KEY = dg.AssetKey(["raw", "release_files"])


def test_nightly_reports_every_registered_release_with_a_raw_file_in_partition_order():
    reports = nightly_reports(["b", "a", "c"], {"a": "sha-a", "b": "sha-b", "c": "sha-c"})

    assert [(r.release_id, r.sha256) for r in reports] == [
        ("b", "sha-b"),
        ("a", "sha-a"),
        ("c", "sha-c"),
    ]


def test_nightly_reports_leave_out_a_release_whose_raw_file_is_gone():
    reports = nightly_reports(["a", "b", "c"], {"a": "sha-a", "c": "sha-c"})

    assert [r.release_id for r in reports] == ["a", "c"]


def test_nightly_reports_leave_out_a_raw_file_that_is_not_a_partition_yet():
    assert nightly_reports(["a"], {"a": "sha-a", "new": "sha-new"})[0].release_id == "a"
    assert len(nightly_reports(["a"], {"a": "sha-a", "new": "sha-new"})) == 1


def test_nightly_job_records_a_raw_file_event_per_release_on_disk(tmp_path):
    (tmp_path / "raw").mkdir()
    for release_id in ("a-release", "b-release"):
        (tmp_path / "raw" / f"{release_id}.txt").write_text(release_id, encoding="utf-8")
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(RELEASE_PARTITIONS_NAME, ["a-release", "b-release", "gone"])

        result = nightly_rebuild_job.execute_in_process(
            instance=instance, resources={"lake": LakeResource(lake_dir=str(tmp_path))}
        )
        recorded = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=RAW_KEY), limit=10
        ).records

    assert result.success
    assert sorted(record.partition_key for record in recorded) == ["a-release", "b-release"]


def test_nightly_schedule_is_stopped_until_someone_turns_it_on():
    assert nightly_rebuild_schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert nightly_rebuild_schedule.cron_schedule == "0 2 * * *"
    assert nightly_rebuild_schedule.job_name == "nightly_rebuild_job"
