"""What the marts were built from, recorded in the warehouse: what an incremental build redoes.

An incremental marts build (docs/scaling.md, "Incremental marts") rewrites only the releases
named in dbt's ``changed_release_ids``. Leaving a release out that did change would keep stale
rows; naming one that did not only costs time. So the list is worked out from a record of what
the previous build read, not from what Dagster remembers having run:

- each release of the lake has a fingerprint: the size, modification time and inode of every
  file in its partition folders (``parquet/<table>/release_id=<id>/``). A publisher writes new
  files and renames them into place (lake/journal.py), so a republished, changed or withdrawn
  release always changes it, whoever published it (a Dagster run, ``make run``, a backfill);
- the build records those fingerprints, the lake it read and the dbt project's fingerprint in
  schema ``build_state`` of the warehouse it built. The record is in the same file as the marts
  it describes and is swapped in with them by one rename (lake/warehouse.py): the two can never
  disagree, a killed or failed build leaves both as they were, and a wiped Dagster storage, a
  warehouse restored from a backup or a lake edited by hand is still judged by what is really
  there. Dagster's event log knows none of the last three, nor releases withdrawn from the lake
  (partitions deleted are no materialisation).

Changed = fingerprint differs, or new, or recorded but gone. Nothing known about the past (no
warehouse, no record, another lake, another dbt project or dbt version) means a full build, and
so does a lake where every release changed (the nightly re-validation): then a full build costs
no more and runs the whole test suite.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from lake.contract import TABLES
from lake.warehouse import connect
from settings import PARQUET_DIR_NAME

STATE_SCHEMA = "build_state"
_PARTITION_PREFIX = "release_id="
# Fields dbt rewrites on every parse although nothing in the project changed.
_VOLATILE_METADATA = ("generated_at", "invocation_id", "invocation_started_at", "run_started_at")
_VOLATILE_NODE_FIELDS = frozenset({"created_at"})


@dataclass(frozen=True)
class BuildState:
    """What one marts build read: the dbt project, the lake and each release's fingerprint."""

    project_fingerprint: str
    lake_dir: str
    releases: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MartsPlan:
    """A full build (and why), or the releases an incremental build rewrites."""

    full: bool
    reason: str
    changed_release_ids: tuple[str, ...] = ()


def release_fingerprints(lake_dir: Path) -> dict[str, str]:
    """``release_id → fingerprint`` of every release with a partition folder in the lake.

    Read while holding the lake lock (shared) so no release is half moved; costs a directory
    listing per table and a ``stat`` per file (about 7,000 for 1,000 releases).
    """
    stats: dict[str, list[str]] = {}
    parquet = Path(lake_dir) / PARQUET_DIR_NAME
    for table in sorted(TABLES):
        try:
            partitions = sorted(os.scandir(parquet / table), key=lambda entry: entry.name)
        except FileNotFoundError:
            continue
        for partition in partitions:
            if not partition.name.startswith(_PARTITION_PREFIX) or not partition.is_dir():
                continue
            release_id = partition.name.removeprefix(_PARTITION_PREFIX)
            for entry in sorted(os.scandir(partition.path), key=lambda entry: entry.name):
                if entry.name.startswith("."):
                    continue  # a writer's temporary file, never read by dbt
                info = entry.stat()
                stats.setdefault(release_id, []).append(
                    f"{table}/{entry.name}:{info.st_size}:{info.st_mtime_ns}:{info.st_ino}"
                )
    return {
        release_id: hashlib.sha256("\n".join(lines).encode()).hexdigest()
        for release_id, lines in sorted(stats.items())
    }


def _without_volatile(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _without_volatile(item)
            for key, item in value.items()
            if key not in _VOLATILE_NODE_FIELDS
        }
    if isinstance(value, list):
        return [_without_volatile(item) for item in value]
    return value


def project_fingerprint(manifest_path: Path) -> str:
    """SHA-256 of the dbt manifest the build runs, minus what changes on every parse.

    Every model's, test's and seed's checksum, every macro's SQL, the configuration from
    dbt_project.yml, the dbt version and the adapter are in it: any change means the marts
    may differ for every release, so the next build is full.
    """
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    metadata = manifest.get("metadata", {})
    for key in _VOLATILE_METADATA:
        metadata.pop(key, None)
    canonical = json.dumps(_without_volatile(manifest), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def current_build_state(lake_dir: Path, manifest_path: Path) -> BuildState:
    """What a build of ``lake_dir`` with the dbt project of ``manifest_path`` would record.

    Read it holding the lake lock (``warehouse_build``): the lake read here must be the lake
    dbt reads.
    """
    return BuildState(
        project_fingerprint(manifest_path), str(lake_dir), release_fingerprints(lake_dir)
    )


def read_build_state(warehouse: Path) -> BuildState | None:
    """The record of the build that made ``warehouse``, or None (no file, or built without one)."""
    if not Path(warehouse).exists():
        return None
    with connect(Path(warehouse), read_only=True) as connection:
        try:
            build = connection.execute(
                f"select project_fingerprint, lake_dir from {STATE_SCHEMA}.build"
            ).fetchall()
            releases = connection.execute(
                f"select release_id, fingerprint from {STATE_SCHEMA}.releases"
            ).fetchall()
        except duckdb.CatalogException:
            return None
    if len(build) != 1:
        return None
    (project, lake_dir) = build[0]
    return BuildState(project, lake_dir, dict(releases))


def write_build_state(building: Path, state: BuildState) -> None:
    """Record ``state`` in the build file, replacing the record it was copied with."""
    with connect(Path(building), read_only=False) as connection:
        connection.execute(f"create schema if not exists {STATE_SCHEMA}")
        connection.execute(
            f"create or replace table {STATE_SCHEMA}.build "
            "(project_fingerprint varchar not null, lake_dir varchar not null)"
        )
        connection.execute(
            f"insert into {STATE_SCHEMA}.build values (?, ?)",
            [state.project_fingerprint, state.lake_dir],
        )
        connection.execute(
            f"create or replace table {STATE_SCHEMA}.releases "
            "(release_id varchar primary key, fingerprint varchar not null)"
        )
        if state.releases:
            connection.executemany(
                f"insert into {STATE_SCHEMA}.releases values (?, ?)",
                sorted(state.releases.items()),
            )


def plan_marts_build(previous: BuildState | None, current: BuildState) -> MartsPlan:
    """Full or incremental, and which releases: what changed between two builds' records."""
    if previous is None:
        return MartsPlan(True, "no record of a previous build in the warehouse")
    if previous.project_fingerprint != current.project_fingerprint:
        return MartsPlan(True, "the dbt project (models, tests, seeds, macros or dbt) changed")
    if previous.lake_dir != current.lake_dir:
        return MartsPlan(True, f"the warehouse was built from another lake ({previous.lake_dir})")
    changed = [
        release_id
        for release_id, fingerprint in current.releases.items()
        if previous.releases.get(release_id) != fingerprint
    ]
    gone = [release_id for release_id in previous.releases if release_id not in current.releases]
    if current.releases and len(changed) == len(current.releases):
        return MartsPlan(True, f"every release changed ({len(changed)})")
    return MartsPlan(
        False,
        f"{len(changed)} release(s) new or changed, {len(gone)} gone",
        tuple(sorted(changed + gone)),
    )
