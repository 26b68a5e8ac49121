"""One dynamic partition per raw release file (``raw/<release_id>.txt``).

A release id becomes a folder name (``parquet/<table>/release_id=<id>/``,
``quarantine/<id>/``), so only ids that cannot leave their folder are accepted: no path
separators, no leading dot, no ``=``, no control characters.
"""

import hashlib
import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import dagster as dg

RELEASE_PARTITIONS_NAME = "releases"
RAW_GLOB = "*.txt"
SIDECAR_SUFFIX = ".meta.json"

release_partitions = dg.DynamicPartitionsDefinition(name=RELEASE_PARTITIONS_NAME)


LOGGER = logging.getLogger(__name__)
MAX_RELEASE_ID_LENGTH = 200
_UNSAFE = re.compile(r"[/\\=\x00-\x1f\x7f]")


def is_safe_release_id(release_id: str) -> bool:
    """Whether a file stem can name folders under data_lake/ without escaping them."""
    return (
        0 < len(release_id) <= MAX_RELEASE_ID_LENGTH
        and not release_id.startswith(".")
        and not _UNSAFE.search(release_id)
    )


def check_release_id(release_id: str) -> str:
    """Return the id, or raise ValueError naming why it cannot be a release id."""
    if not is_safe_release_id(release_id):
        raise ValueError(
            f"release id {release_id!r} is not allowed: it would name a folder outside its place "
            "(no '/', '\\', '=', leading '.', control characters; at most 200 characters)"
        )
    return release_id


def raw_release_files(raw_dir: Path) -> list[Path]:
    """Every raw release file with a safe id; unsafe names are logged, never used."""
    files = []
    for path in sorted(raw_dir.glob(RAW_GLOB)):
        if not path.is_file():
            continue
        if is_safe_release_id(path.stem):
            files.append(path)
        else:
            LOGGER.warning("ignoring raw file %r: its name cannot be a release id", path.name)
    return files


def discover_release_ids(raw_dir: Path) -> list[str]:
    """Release ids (file stems) of every raw release in ``raw_dir``, sorted."""
    return [path.stem for path in raw_release_files(raw_dir)]


def register_releases(instance: dg.DagsterInstance, release_ids: list[str]) -> list[str]:
    """Add the partitions the instance does not know yet; return the ones added."""
    known = set(instance.get_dynamic_partitions(RELEASE_PARTITIONS_NAME))
    new = [release_id for release_id in release_ids if release_id not in known]
    if new:
        instance.add_dynamic_partitions(RELEASE_PARTITIONS_NAME, new)
    return new


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sidecar_path(raw_path: Path) -> Path:
    """``<release_id>.meta.json`` beside ``<release_id>.txt``."""
    return raw_path.with_name(raw_path.stem + SIDECAR_SUFFIX)


def release_fingerprint(raw_path: Path, raw_sha256: str | None = None) -> str:
    """What a release was built from: the raw file's SHA-256, and its sidecar's when present.

    Without a sidecar this is the raw file's own hash, so it matches ``source_sha256``;
    editing only the sidecar (a corrected year or URL) changes it, so the release re-runs.
    """
    digest = raw_sha256 or file_sha256(raw_path)
    sidecar = sidecar_path(raw_path)
    if not sidecar.exists():
        return digest
    return hashlib.sha256(f"{digest}:{file_sha256(sidecar)}".encode()).hexdigest()


RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def release_ranges(partition_keys: Sequence[str], wanted: Iterable[str]) -> list[tuple[str, str]]:
    """The wanted releases as spans of consecutive partitions, in the partitions' own order.

    A dynamic partitions definition orders its keys by when they were added, and a run covers
    a span ``[first, last]`` of that order; a span must not take in a release nobody asked for
    (a removed raw file, say), so the wanted ones are cut into as few spans as that allows.
    Wanted keys that are not partitions are ignored.
    """
    wanted = set(wanted)
    spans: list[tuple[str, str]] = []
    start = previous = None
    for key in partition_keys:
        if key in wanted:
            if start is None:
                start = key
            previous = key
        elif start is not None:
            spans.append((start, previous))
            start = None
    if start is not None:
        spans.append((start, previous))
    return spans


def range_tags(start: str, end: str) -> dict[str, str]:
    """The run tags that make one run of a single-run-backfill asset cover ``[start, end]``."""
    return {RANGE_START_TAG: start, RANGE_END_TAG: end}
