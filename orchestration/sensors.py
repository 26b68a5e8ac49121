"""The raw-file sensor: a new or changed raw file is reported, and its partition added.

``raw_release_sensor`` hashes ``raw/*.txt`` (SHA-256 of the bytes, with the sidecar's: a
touched file with the same bytes is not a change) and compares with its cursor, a JSON
object of ``release_id → {sha256, removed}`` that Dagster stores, so it survives a daemon
restart. For every new or changed file it reports a materialisation of that release's
``raw/release_files`` partition (metadata: its fingerprint and why), and new files add
their dynamic partitions. It launches nothing itself: the lake's automation condition
(orchestration/automation.py) runs the reported releases, one run per span of
consecutive partitions, and the marts follow the lake the same way. A sensor stays because
only a sensor can add dynamic partitions. Unchanged bytes report nothing. A removed file is
logged and marked ``removed`` in the cursor; its partitions stay in the lake and the marts
(removing published data is a human decision, not a sensor's).

The decision is a pure function (``plan_raw_releases``), tested without a daemon; the
sensor body only gathers its inputs from the instance and the lake.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import dagster as dg

from lake.releases import raw_release_files, release_fingerprint
from orchestration.assets.lake import LAKE_KEY, RAW_RELEASE_KEY
from orchestration.partitions import RELEASE_PARTITIONS_NAME, release_partitions
from orchestration.resources import LakeResource

RAW_SENSOR_INTERVAL_SECONDS = 15
SHORT_HASH_CHARS = 16
# The lake asset whose materialisations record which raw bytes were published.
PUBLISHED_ASSET_KEY = LAKE_KEY
FINGERPRINT_METADATA = "release_fingerprint"
REASON_METADATA = "reason"


@dataclass(frozen=True)
class RawFileState:
    """What the sensor last saw of one raw file."""

    sha256: str
    removed: bool = False


@dataclass(frozen=True)
class ReleaseReport:
    """One raw file to report to Dagster: which release, which bytes, and why."""

    release_id: str
    sha256: str
    reason: str


@dataclass
class RawPlan:
    """What one evaluation decides: reports, partitions to add, removals, the next cursor."""

    reports: list[ReleaseReport] = field(default_factory=list)
    new_partitions: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    cursor: dict[str, RawFileState] = field(default_factory=dict)


def hash_raw_files(raw_dir: Path) -> dict[str, str]:
    """``release_id → fingerprint`` of every ``raw/*.txt``: its SHA-256, with its sidecar's."""
    return {path.stem: release_fingerprint(path) for path in raw_release_files(raw_dir)}


def parse_cursor(text: str | None) -> dict[str, RawFileState]:
    """The cursor JSON back into states; also reads a bare ``{release_id: sha256}``.

    Cursors written before the lake was automated carry a ``runs`` count; it is ignored.
    """
    if not text:
        return {}
    states = {}
    for release_id, value in json.loads(text).items():
        if isinstance(value, str):
            states[release_id] = RawFileState(value)
        else:
            states[release_id] = RawFileState(value["sha256"], bool(value.get("removed", False)))
    return states


def dump_cursor(states: Mapping[str, RawFileState]) -> str:
    """States as compact, sorted JSON: ``{release_id: {sha256, removed}}``."""
    return json.dumps(
        {
            release_id: {"sha256": state.sha256, "removed": state.removed}
            for release_id, state in sorted(states.items())
        },
        separators=(",", ":"),
    )


def plan_raw_releases(
    files: Mapping[str, str],
    previous: Mapping[str, RawFileState],
    known_partitions: set[str],
    published_sha256: Callable[[str], str | None] = lambda _release_id: None,
) -> RawPlan:
    """Decide which raw files to report from their hashes and the last cursor.

    A release the cursor has never seen is reported unless the lake already holds exactly
    these bytes (``published_sha256``, asked only for such releases): a fresh cursor after
    ``make run`` then reports nothing.
    """
    plan = RawPlan(cursor=dict(previous))
    for release_id, sha256 in sorted(files.items()):
        state = previous.get(release_id)
        if state is None:
            published = published_sha256(release_id) if release_id in known_partitions else None
            if published == sha256:
                plan.cursor[release_id] = RawFileState(sha256)
                continue
            if release_id not in known_partitions:
                reason = "new file"
            elif published is None:
                reason = "not yet published"
            else:
                reason = f"differs from the published bytes ({published[:SHORT_HASH_CHARS]})"
        elif state.sha256 == sha256:
            if state.removed:
                # Back with the bytes it had: the lake never lost them, nothing to run.
                plan.cursor[release_id] = replace(state, removed=False)
            continue
        else:
            reason = f"content changed (was {state.sha256[:SHORT_HASH_CHARS]})"
        plan.cursor[release_id] = RawFileState(sha256)
        plan.reports.append(ReleaseReport(release_id, sha256, reason))
        if release_id not in known_partitions:
            plan.new_partitions.append(release_id)
    for release_id, state in sorted(previous.items()):
        if release_id not in files and not state.removed:
            plan.removed.append(release_id)
            plan.cursor[release_id] = replace(state, removed=True)
    return plan


def published_sha256(instance: dg.DagsterInstance, release_id: str) -> str | None:
    """The fingerprint of the release's latest ``lake/release_tables`` materialisation."""
    result = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=PUBLISHED_ASSET_KEY, asset_partitions=[release_id]),
        limit=1,
    )
    if not result.records:
        return None
    materialization = result.records[0].asset_materialization
    metadata = materialization.metadata if materialization else {}
    value = metadata.get(FINGERPRINT_METADATA) or metadata.get("source_sha256")
    return getattr(value, "value", None)


def raw_file_event(report: ReleaseReport) -> dg.AssetMaterialization:
    """The ``raw/release_files`` partition event the lake's automation condition reacts to."""
    return dg.AssetMaterialization(
        asset_key=RAW_RELEASE_KEY,
        partition=report.release_id,
        metadata={FINGERPRINT_METADATA: report.sha256, REASON_METADATA: report.reason},
    )


def raw_sensor_result(plan: RawPlan) -> dg.SensorResult:
    """The ``SensorResult`` for a plan: raw file events, partitions to add, the new cursor."""
    cursor = dump_cursor(plan.cursor)
    if not plan.reports:
        removed = f"; removed (kept in the lake): {', '.join(plan.removed)}" if plan.removed else ""
        return dg.SensorResult(skip_reason=f"no new or changed raw file{removed}", cursor=cursor)
    return dg.SensorResult(
        asset_events=[raw_file_event(report) for report in plan.reports],
        dynamic_partitions_requests=(
            [release_partitions.build_add_request(plan.new_partitions)]
            if plan.new_partitions
            else []
        ),
        cursor=cursor,
    )


@dg.sensor(
    name="raw_release_sensor",
    minimum_interval_seconds=RAW_SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=(
        "Watches data_lake/raw/*.txt by SHA-256: new files add their release partitions; new "
        "and changed files are reported as raw/release_files events, which the lake's "
        "automation condition runs (one run per span); a removed file is only logged."
    ),
)
def raw_release_sensor(context: dg.SensorEvaluationContext, lake: LakeResource) -> dg.SensorResult:
    """Compare the raw files' hashes with the cursor; report the releases that changed."""
    instance = context.instance
    plan = plan_raw_releases(
        hash_raw_files(lake.raw_dir),
        parse_cursor(context.cursor),
        set(instance.get_dynamic_partitions(RELEASE_PARTITIONS_NAME)),
        lambda release_id: published_sha256(instance, release_id),
    )
    for report in plan.reports:
        context.log.info(f"{report.release_id}: {report.reason}")
    for release_id in plan.removed:
        context.log.warning(
            f"{release_id}.txt was removed from {lake.raw_dir}; its published partitions stay "
            "in the lake and the marts until someone deletes them on purpose"
        )
    return raw_sensor_result(plan)
