"""The nightly rebuild: re-validate every release, then (through the marts sensor) the marts.

Parsers, schemas and reconciliation rules change in code; the raw bytes do not. So once a
night every known release is parsed, validated, reconciled and written again, and
``marts_after_releases_sensor`` rebuilds the marts once after the last of them. Default
*stopped*: a laptop running ``make dev`` should not rebuild at 02:00; a deployment turns it
on in the UI (Automation → ``nightly_rebuild_schedule``) or with
``dagster schedule start nightly_rebuild_schedule``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import dagster as dg

from lake.releases import discover_release_ids
from orchestration.jobs import release_job
from orchestration.partitions import RELEASE_PARTITIONS_NAME, range_tags, release_ranges
from orchestration.resources import LakeResource
from orchestration.sensors import TRIGGER_TAG

NIGHTLY_CRON = "0 2 * * *"
NIGHTLY_TIMEZONE = "Asia/Shanghai"


def nightly_run_requests(
    partition_keys: Sequence[str], raw_release_ids: Sequence[str], scheduled_for: dt.datetime
) -> list[dg.RunRequest] | dg.SkipReason:
    """One ``release_job`` run over every release that still has its raw file.

    One run, not one per release: Dagster's per-run cost is paid once (docs/benchmarks.md).
    A release whose raw file was removed stays published and is left out, which can split
    the partitions into several spans, one run each. Keyed by the night and the span, so a
    tick never runs twice.
    """
    spans = release_ranges(partition_keys, raw_release_ids)
    if not spans:
        return dg.SkipReason("no release partitions yet: run make run or the raw sensor first")
    night = scheduled_for.date().isoformat()
    return [
        dg.RunRequest(
            run_key=f"nightly:{night}:{start}..{end}",
            tags={TRIGGER_TAG: "nightly_rebuild_schedule", **range_tags(start, end)},
        )
        for start, end in spans
    ]


@dg.schedule(
    name="nightly_rebuild_schedule",
    job=release_job,
    cron_schedule=NIGHTLY_CRON,
    execution_timezone=NIGHTLY_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description=(
        "02:00 Asia/Shanghai: one release_job run over every release partition whose raw file "
        "is there; marts_after_releases_sensor then rebuilds the marts once."
    ),
)
def nightly_rebuild_schedule(
    context: dg.ScheduleEvaluationContext, lake: LakeResource
) -> list[dg.RunRequest] | dg.SkipReason:
    """Every registered release, re-validated and rewritten."""
    partition_keys = context.instance.get_dynamic_partitions(RELEASE_PARTITIONS_NAME)
    return nightly_run_requests(
        partition_keys, discover_release_ids(lake.raw_dir), context.scheduled_execution_time
    )
