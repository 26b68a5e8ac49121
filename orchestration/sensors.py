"""Sensors: a new or changed raw file runs its release; a changed lake rebuilds the marts.

``raw_release_sensor`` hashes ``raw/*.txt`` (SHA-256 of the bytes: a touched file with the
same bytes is not a change) and compares with its cursor, a JSON object of
``release_id → {sha256, runs, removed}`` that Dagster stores, so it survives a daemon
restart. New files add their dynamic partitions and are requested together, as one
``release_job`` run over the span of new partitions (a province dropping 300 files pays
Dagster's per-run cost once); changed bytes request a re-run of that release only; unchanged
bytes request nothing. A removed file is reported and marked ``removed`` in the cursor; its
partitions stay in the lake and the marts (removing published data is a human decision,
not a sensor's).

``marts_after_releases_sensor`` requests one ``marts_job`` once no release run is in
flight and the lake was written after the last marts run started. It looks at the lake's
materialisations, not at run outcomes: a batch in which one release was quarantined fails
as a run, yet the releases that landed still deserve their marts. A plain sensor rather than
a ``run_status_sensor``, so that a backfill or the nightly schedule rebuilds the marts once,
after the last of its runs. dbt is unpartitioned, and the ``duckdb_writer`` pool keeps one
DuckDB writer anyway.

The decisions are pure functions (``plan_raw_releases``, ``decide_marts_run``), tested
without a daemon; the sensor bodies only gather their inputs from the instance.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import dagster as dg

from lake.releases import raw_release_files, release_fingerprint
from orchestration.assets.lake import LAKE_KEY
from orchestration.jobs import MARTS_JOB_NAME, RELEASE_JOB_NAME, marts_job, release_job
from orchestration.partitions import RELEASE_PARTITIONS_NAME, range_tags, release_partitions
from orchestration.resources import LakeResource

RAW_SENSOR_INTERVAL_SECONDS = 15
MARTS_SENSOR_INTERVAL_SECONDS = 10
RUN_KEY_HASH_CHARS = 16
# The lake asset whose materialisations record which raw bytes were published.
PUBLISHED_ASSET_KEY = LAKE_KEY
TRIGGER_TAG = "budget/trigger"
SHA256_TAG = "budget/source_sha256"
AFTER_RUN_TAG = "budget/after_release_run"

IN_FLIGHT_STATUSES = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


# --- raw files → release runs ---------------------------------------------------------------


@dataclass(frozen=True)
class RawFileState:
    """What the sensor last saw of one raw file.

    ``runs`` counts the runs requested for the release, so that a file reverted to earlier
    bytes gets a fresh run key (Dagster never launches a run key twice).
    """

    sha256: str
    runs: int = 0
    removed: bool = False


@dataclass(frozen=True)
class ReleaseRequest:
    """One ``release_job`` run to request: which release, which bytes, and why."""

    release_id: str
    sha256: str
    run_key: str
    reason: str


@dataclass
class RawPlan:
    """What one evaluation decides: runs, partitions to add, removals to report, next cursor."""

    requests: list[ReleaseRequest] = field(default_factory=list)
    new_partitions: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    cursor: dict[str, RawFileState] = field(default_factory=dict)


def hash_raw_files(raw_dir: Path) -> dict[str, str]:
    """``release_id → fingerprint`` of every ``raw/*.txt``: its SHA-256, with its sidecar's."""
    return {path.stem: release_fingerprint(path) for path in raw_release_files(raw_dir)}


def release_run_key(release_id: str, sha256: str, runs: int = 1) -> str:
    """``<release_id>:<sha256[:16]>``, plus ``:<n>`` from the second run of the same release."""
    key = f"{release_id}:{sha256[:RUN_KEY_HASH_CHARS]}"
    return key if runs <= 1 else f"{key}:{runs}"


def parse_cursor(text: str | None) -> dict[str, RawFileState]:
    """The cursor JSON back into states; also accepts a bare ``{release_id: sha256}``."""
    if not text:
        return {}
    states = {}
    for release_id, value in json.loads(text).items():
        if isinstance(value, str):
            states[release_id] = RawFileState(value)
        else:
            states[release_id] = RawFileState(
                value["sha256"], int(value.get("runs", 0)), bool(value.get("removed", False))
            )
    return states


def dump_cursor(states: Mapping[str, RawFileState]) -> str:
    """States as compact, sorted JSON: ``{release_id: {sha256, runs, removed}}``."""
    return json.dumps(
        {
            release_id: {"sha256": state.sha256, "runs": state.runs, "removed": state.removed}
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
    """Decide which releases to (re-)run from the raw files' hashes and the last cursor.

    A release the cursor has never seen is run unless the lake already holds exactly these
    bytes (``published_sha256``, asked only for such releases): a fresh cursor after
    ``make run`` then requests nothing.
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
                reason = f"differs from the published bytes ({published[:RUN_KEY_HASH_CHARS]})"
        elif state.sha256 == sha256:
            if state.removed:
                # Back with the bytes it had: the lake never lost them, nothing to run.
                plan.cursor[release_id] = replace(state, removed=False)
            continue
        else:
            reason = f"content changed (was {state.sha256[:RUN_KEY_HASH_CHARS]})"
        runs = (state.runs if state else 0) + 1
        plan.cursor[release_id] = RawFileState(sha256, runs)
        plan.requests.append(
            ReleaseRequest(release_id, sha256, release_run_key(release_id, sha256, runs), reason)
        )
        if release_id not in known_partitions:
            plan.new_partitions.append(release_id)
    for release_id, state in sorted(previous.items()):
        if release_id not in files and not state.removed:
            plan.removed.append(release_id)
            plan.cursor[release_id] = replace(state, removed=True)
    return plan


def published_sha256(instance: dg.DagsterInstance, release_id: str) -> str | None:
    """The ``source_sha256`` of the release's latest ``lake/release_tables`` materialisation."""
    result = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=PUBLISHED_ASSET_KEY, asset_partitions=[release_id]),
        limit=1,
    )
    if not result.records:
        return None
    materialization = result.records[0].asset_materialization
    metadata = materialization.metadata if materialization else {}
    value = metadata.get("release_fingerprint") or metadata.get("source_sha256")
    return getattr(value, "value", None)


def batch_run_key(requests: list[ReleaseRequest]) -> str:
    """``new:<first>..<last>:<hash of every release's run key>``: stable for the same files."""
    digest = hashlib.sha256("\n".join(r.run_key for r in requests).encode()).hexdigest()
    return f"new:{requests[0].release_id}..{requests[-1].release_id}:{digest[:RUN_KEY_HASH_CHARS]}"


def release_run_requests(plan: RawPlan) -> list[dg.RunRequest]:
    """One run over every new release (they are the newest partitions, in a row), one per rerun."""
    new = [r for r in plan.requests if r.release_id in plan.new_partitions]
    reruns = [r for r in plan.requests if r.release_id not in plan.new_partitions]
    tags = {TRIGGER_TAG: "raw_release_sensor"}
    requests = [
        dg.RunRequest(
            run_key=request.run_key,
            partition_key=request.release_id,
            tags={**tags, SHA256_TAG: request.sha256},
        )
        for request in (reruns if len(new) > 1 else plan.requests)
    ]
    if len(new) > 1:
        # Partitions are ordered by when they were added: these are added together, in order.
        span = range_tags(new[0].release_id, new[-1].release_id)
        requests.append(dg.RunRequest(run_key=batch_run_key(new), tags={**tags, **span}))
    return requests


def raw_sensor_result(plan: RawPlan) -> dg.SensorResult:
    """The ``SensorResult`` for a plan: run requests, partitions to add, the new cursor."""
    cursor = dump_cursor(plan.cursor)
    if not plan.requests:
        removed = f"; removed (kept in the lake): {', '.join(plan.removed)}" if plan.removed else ""
        return dg.SensorResult(skip_reason=f"no new or changed raw file{removed}", cursor=cursor)
    return dg.SensorResult(
        run_requests=release_run_requests(plan),
        dynamic_partitions_requests=(
            [release_partitions.build_add_request(plan.new_partitions)]
            if plan.new_partitions
            else []
        ),
        cursor=cursor,
    )


@dg.sensor(
    name="raw_release_sensor",
    job=release_job,
    minimum_interval_seconds=RAW_SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=(
        "Watches data_lake/raw/*.txt by SHA-256: new files add their release partitions and run "
        "release_job over them in one run; changed bytes re-run that release; a removed file is "
        "only reported."
    ),
)
def raw_release_sensor(context: dg.SensorEvaluationContext, lake: LakeResource) -> dg.SensorResult:
    """Compare the raw files' hashes with the cursor; request the releases that changed."""
    instance = context.instance
    plan = plan_raw_releases(
        hash_raw_files(lake.raw_dir),
        parse_cursor(context.cursor),
        set(instance.get_dynamic_partitions(RELEASE_PARTITIONS_NAME)),
        lambda release_id: published_sha256(instance, release_id),
    )
    for request in plan.requests:
        context.log.info(f"{request.release_id}: {request.reason}; run key {request.run_key}")
    for release_id in plan.removed:
        context.log.warning(
            f"{release_id}.txt was removed from {lake.raw_dir}; its published partitions stay "
            "in the lake and the marts until someone deletes them on purpose"
        )
    return raw_sensor_result(plan)


# --- release runs → marts run ---------------------------------------------------------------


@dataclass(frozen=True)
class RunSeen:
    """The little the marts decision needs to know about a run (or a run's lake write)."""

    run_id: str
    timestamp: float


def decide_marts_run(
    latest_lake_write: RunSeen | None,
    releases_in_flight: int,
    latest_marts_start: RunSeen | None,
    marts_in_flight: int,
) -> dg.RunRequest | dg.SkipReason:
    """One marts run once the lake has changed since the marts last started reading it.

    ``latest_lake_write`` carries the time of the newest ``lake/release_tables``
    materialisation and the run that wrote it; ``latest_marts_start`` the start (or
    creation) time of the newest marts run.
    """
    if latest_lake_write is None:
        return dg.SkipReason("no release has been published to the lake yet")
    if releases_in_flight:
        return dg.SkipReason(f"waiting for {releases_in_flight} release run(s) to finish")
    if marts_in_flight:
        return dg.SkipReason("a marts run is already queued or running")
    if latest_marts_start and latest_marts_start.timestamp >= latest_lake_write.timestamp:
        return dg.SkipReason(f"marts run {latest_marts_start.run_id} already read the lake")
    return dg.RunRequest(
        run_key=f"marts-after:{latest_lake_write.run_id}",
        tags={
            TRIGGER_TAG: "marts_after_releases_sensor",
            AFTER_RUN_TAG: latest_lake_write.run_id,
        },
    )


def _latest(instance: dg.DagsterInstance, job_name: str, statuses: list) -> dg.RunRecord | None:
    records = instance.get_run_records(
        dg.RunsFilter(job_name=job_name, statuses=statuses), limit=1, order_by="create_timestamp"
    )
    return records[0] if records else None


def _count(instance: dg.DagsterInstance, job_name: str) -> int:
    return instance.get_runs_count(dg.RunsFilter(job_name=job_name, statuses=IN_FLIGHT_STATUSES))


def _latest_lake_write(instance: dg.DagsterInstance) -> RunSeen | None:
    result = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=PUBLISHED_ASSET_KEY), limit=1
    )
    if not result.records:
        return None
    record = result.records[0]
    return RunSeen(record.run_id, record.timestamp)


def _latest_marts_start(instance: dg.DagsterInstance) -> RunSeen | None:
    record = _latest(instance, MARTS_JOB_NAME, [])
    if record is None:
        return None
    started = record.start_time or record.create_timestamp.timestamp()
    return RunSeen(record.dagster_run.run_id, started)


@dg.sensor(
    name="marts_after_releases_sensor",
    job=marts_job,
    minimum_interval_seconds=MARTS_SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Runs marts_job (dbt build) once no release run is in flight and the lake was written "
        "after the last marts run started: one marts rebuild per batch of releases."
    ),
)
def marts_after_releases_sensor(
    context: dg.SensorEvaluationContext,
) -> dg.RunRequest | dg.SkipReason:
    """Gather the latest lake write and marts runs; let ``decide_marts_run`` choose."""
    instance = context.instance
    return decide_marts_run(
        _latest_lake_write(instance),
        _count(instance, RELEASE_JOB_NAME),
        _latest_marts_start(instance),
        _count(instance, MARTS_JOB_NAME),
    )
