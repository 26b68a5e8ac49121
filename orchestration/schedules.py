"""The nightly rebuild: re-validate every release, then (through automation) the marts.

Parsers, schemas and reconciliation rules change in code; the raw bytes do not. So once a
night ``nightly_rebuild_job`` reports every registered release whose raw file is still there
as a ``raw/release_files`` event, exactly as ``raw_release_sensor`` reports a changed file;
the lake's automation condition then parses, validates, reconciles and writes them again,
one run per span of consecutive partitions, and the marts follow once: with every release
republished, that marts build is a full one from an empty file, with every test
(lake/build_state.py). A release whose raw file is gone is left out (the raw sensor or
``make run`` withdraws it). Default *stopped*: a laptop running
``make dev`` should not rebuild at 02:00; a deployment turns it on in the UI (Automation →
``nightly_rebuild_schedule``) or with ``dagster schedule start nightly_rebuild_schedule``.
"""

from collections.abc import Iterator, Mapping, Sequence

import dagster as dg

import settings
from orchestration.partitions import RELEASE_PARTITIONS_NAME
from orchestration.resources import LakeResource
from orchestration.sensors import ReleaseReport, hash_raw_files, raw_file_event

NIGHTLY_CRON = "0 2 * * *"
NIGHTLY_TIMEZONE = "Asia/Shanghai"
NIGHTLY_REASON = "nightly re-validation"


def nightly_reports(
    partition_keys: Sequence[str], raw_fingerprints: Mapping[str, str]
) -> list[ReleaseReport]:
    """Every registered release that still has its raw file, in partition order."""
    return [
        ReleaseReport(release_id, raw_fingerprints[release_id], NIGHTLY_REASON)
        for release_id in partition_keys
        if release_id in raw_fingerprints
    ]


@dg.op(
    out={}, description="Report every registered release's raw file so that automation re-runs it."
)
def report_every_release(
    context: dg.OpExecutionContext, lake: LakeResource
) -> Iterator[dg.AssetMaterialization]:
    """One ``raw/release_files`` event per release still on disk."""
    partition_keys = context.instance.get_dynamic_partitions(RELEASE_PARTITIONS_NAME)
    reports = nightly_reports(partition_keys, hash_raw_files(lake.raw_dir))
    if not reports:
        context.log.warning("no release partitions yet: run make run or the raw sensor first")
    for report in reports:
        yield raw_file_event(report)
    context.log.info(f"reported {len(reports)} of {len(partition_keys)} release partitions")


@dg.job(
    name=settings.NIGHTLY_JOB_NAME,
    description=(
        "Reports every registered release with a raw file; the lake's automation condition "
        "re-runs them (one run per span) and the marts follow."
    ),
)
def nightly_rebuild_job() -> None:
    """One op: the reports."""
    report_every_release()


nightly_rebuild_schedule = dg.ScheduleDefinition(
    name="nightly_rebuild_schedule",
    job=nightly_rebuild_job,
    cron_schedule=NIGHTLY_CRON,
    execution_timezone=NIGHTLY_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description=(
        "02:00 Asia/Shanghai: nightly_rebuild_job reports every release whose raw file is "
        "there; automation re-runs them and then the marts."
    ),
)
