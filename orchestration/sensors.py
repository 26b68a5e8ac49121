"""The raw-file sensor: a new or changed raw file is reported, a removed one withdrawn.

``raw_release_sensor`` hashes ``raw/*.txt`` (SHA-256 of the bytes, with the sidecar's: a
touched file with the same bytes is not a change) and compares with its cursor, a JSON
object of ``release_id → {sha256}`` that Dagster stores, so it survives a daemon restart.
For every new or changed file it reports a materialisation of that release's
``raw/release_files`` partition (metadata: its fingerprint and why), and new files add
their dynamic partitions. The lake's automation condition (orchestration/automation.py) runs
the reported releases, one run per span of consecutive partitions, and the marts follow the
lake the same way. A sensor stays because only a sensor can add and delete dynamic
partitions. Unchanged bytes report nothing.

A release whose raw file is gone is withdrawn: one warning names the release and the file,
its lake partitions and manifest leave the lake together (lake/withdraw.py), its dynamic
partition is deleted, and the sensor requests ``marts_job``, whose incremental build removes
its rows (a withdrawal is no materialisation, so the marts' automation would not notice it).

The decision is a pure function (``plan_raw_releases``), tested without a daemon; the
sensor body only gathers its inputs from the instance and the lake.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

import settings
from lake.locks import LockTimeoutError
from lake.releases import raw_release_files, release_fingerprint
from lake.withdraw import WithdrawnRelease, withdraw_vanished_releases
from orchestration.assets.lake import LAKE_KEY, RAW_RELEASE_KEY
from orchestration.partitions import RELEASE_PARTITIONS_NAME, release_partitions
from orchestration.resources import LakeResource

RAW_SENSOR_INTERVAL_SECONDS = 15
SHORT_HASH_CHARS = 16
# The lake asset whose materialisations record which raw bytes were published.
PUBLISHED_ASSET_KEY = LAKE_KEY
FINGERPRINT_METADATA = "release_fingerprint"
# On the marts run the sensor requests after withdrawing releases: why that run exists.
WITHDRAWN_TAG = "budget/withdrawn_releases"
# A tick waits this long for a build reading the lake to let go, then tries on a later tick:
# a sensor evaluation must finish within Dagster's gRPC timeout (60 s).
WITHDRAW_LOCK_SECONDS = 5.0
REASON_METADATA = "reason"


@dataclass(frozen=True)
class RawFileState:
    """What the sensor last saw of one raw file."""

    sha256: str


@dataclass(frozen=True)
class ReleaseReport:
    """One raw file to report to Dagster: which release, which bytes, and why."""

    release_id: str
    sha256: str
    reason: str


@dataclass
class RawPlan:
    """What one evaluation decides: reports, partitions to add, files gone, the next cursor."""

    reports: list[ReleaseReport] = field(default_factory=list)
    new_partitions: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    cursor: dict[str, RawFileState] = field(default_factory=dict)
    withdrawn: list[WithdrawnRelease] = field(default_factory=list)


def hash_raw_files(raw_dir: Path) -> dict[str, str]:
    """``release_id → fingerprint`` of every ``raw/*.txt``: its SHA-256, with its sidecar's."""
    return {path.stem: release_fingerprint(path) for path in raw_release_files(raw_dir)}


def parse_cursor(text: str | None) -> dict[str, RawFileState]:
    """The cursor JSON back into states; also reads a bare ``{release_id: sha256}``.

    Cursors written before the lake was automated carry a ``runs`` count, and those written
    before removed files were withdrawn a ``removed`` flag; both are ignored (a file still gone
    is withdrawn now, one that came back is compared by its bytes).
    """
    if not text:
        return {}
    states = {}
    for release_id, value in json.loads(text).items():
        states[release_id] = RawFileState(value if isinstance(value, str) else value["sha256"])
    return states


def dump_cursor(states: Mapping[str, RawFileState]) -> str:
    """States as compact, sorted JSON: ``{release_id: {sha256}}``."""
    return json.dumps(
        {release_id: {"sha256": state.sha256} for release_id, state in sorted(states.items())},
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
        elif state.sha256 == sha256 and release_id in known_partitions:
            continue
        elif state.sha256 == sha256:
            reason = "back after it was withdrawn"
        else:
            reason = f"content changed (was {state.sha256[:SHORT_HASH_CHARS]})"
        plan.cursor[release_id] = RawFileState(sha256)
        plan.reports.append(ReleaseReport(release_id, sha256, reason))
        if release_id not in known_partitions:
            plan.new_partitions.append(release_id)
    for release_id in sorted(previous):
        if release_id not in files:
            # Gone from raw/: withdrawn from the lake (the sensor body), forgotten here, so
            # the file coming back is a new file.
            plan.removed.append(release_id)
            del plan.cursor[release_id]
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
    """The ``SensorResult`` of a plan: events, partitions added and deleted, the cursor.

    A withdrawal also requests ``marts_job``: its incremental build removes the rows.
    """
    cursor = dump_cursor(plan.cursor)
    requests = []
    if plan.new_partitions:
        requests.append(release_partitions.build_add_request(plan.new_partitions))
    if plan.withdrawn:
        withdrawn_ids = [release.release_id for release in plan.withdrawn]
        requests.append(release_partitions.build_delete_request(withdrawn_ids))
    if not plan.reports and not plan.withdrawn:
        return dg.SensorResult(skip_reason="no new, changed or removed raw file", cursor=cursor)
    return dg.SensorResult(
        asset_events=[raw_file_event(report) for report in plan.reports],
        dynamic_partitions_requests=requests,
        run_requests=(
            [dg.RunRequest(job_name=settings.MARTS_JOB_NAME, tags={WITHDRAWN_TAG: "true"})]
            if plan.withdrawn
            else []
        ),
        cursor=cursor,
    )


@dg.sensor(
    name="raw_release_sensor",
    job_name=settings.MARTS_JOB_NAME,
    minimum_interval_seconds=RAW_SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=(
        "Watches data_lake/raw/*.txt by SHA-256: new files add their release partitions; new "
        "and changed files are reported as raw/release_files events, which the lake's "
        "automation condition runs (one run per span); a removed file's release is withdrawn "
        "from the lake, its partition deleted, and marts_job requested to remove its rows."
    ),
)
def raw_release_sensor(context: dg.SensorEvaluationContext, lake: LakeResource) -> dg.SensorResult:
    """Withdraw releases whose raw file is gone; report the raw files new or changed."""
    instance = context.instance
    known = set(instance.get_dynamic_partitions(RELEASE_PARTITIONS_NAME))
    try:
        withdrawn = withdraw_vanished_releases(lake.lake_path, known, WITHDRAW_LOCK_SECONDS)
    except LockTimeoutError as error:
        context.log.info(f"withdrawing on a later tick: {error}")
        withdrawn = []
    for release in withdrawn:
        context.log.warning(release.message)
    gone = {release.release_id for release in withdrawn}
    plan = plan_raw_releases(
        hash_raw_files(lake.raw_dir),
        parse_cursor(context.cursor),
        known - gone,
        lambda release_id: published_sha256(instance, release_id),
    )
    # Only partitions this instance has are deleted (a release withdrawn from the lake alone,
    # published under another instance, has none here).
    plan.withdrawn = [release for release in withdrawn if release.release_id in known]
    for report in plan.reports:
        context.log.info(f"{report.release_id}: {report.reason}")
    return raw_sensor_result(plan)
