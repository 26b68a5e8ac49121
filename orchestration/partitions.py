"""One dynamic partition per raw release file (``raw/<release_id>.txt``)."""

from pathlib import Path

import dagster as dg

RELEASE_PARTITIONS_NAME = "releases"
RAW_GLOB = "*.txt"

release_partitions = dg.DynamicPartitionsDefinition(name=RELEASE_PARTITIONS_NAME)


def discover_release_ids(raw_dir: Path) -> list[str]:
    """Release ids (file stems) of every raw release in ``raw_dir``, sorted."""
    return sorted(path.stem for path in raw_dir.glob(RAW_GLOB) if path.is_file())


def register_releases(instance: dg.DagsterInstance, release_ids: list[str]) -> list[str]:
    """Add the partitions the instance does not know yet; return the ones added."""
    known = set(instance.get_dynamic_partitions(RELEASE_PARTITIONS_NAME))
    new = [release_id for release_id in release_ids if release_id not in known]
    if new:
        instance.add_dynamic_partitions(RELEASE_PARTITIONS_NAME, new)
    return new
