"""One dynamic partition per raw release file (``raw/<release_id>.txt``).

Which files are releases and what their ids may be is plain Python (lake/releases.py); this
module holds what Dagster needs on top: the partitions definition and run spans over it.
"""

from collections.abc import Iterable, Sequence
from pathlib import Path

import dagster as dg
from sqlalchemy.exc import IntegrityError

from lake.withdraw import WithdrawnRelease, withdraw_vanished_releases

RELEASE_PARTITIONS_NAME = "releases"

release_partitions = dg.DynamicPartitionsDefinition(name=RELEASE_PARTITIONS_NAME)

# Releases per run of a backfill launched through the daemon (the UI, GraphQL): a backfill of
# thousands of releases becomes runs of this many, each its own process, or its own pod under
# dagster-k8s. 250 releases take ~15 s on 2 cores, so Dagster's per-run start (~1-5 s) stays
# a small share; a run also bounds what a killed or retried run redoes (docs/operations.md).
RELEASES_PER_BACKFILL_RUN = 250


# Reads and adds before giving up: each lost race means another process registered some of the
# same releases in between, so a later attempt has fewer left to add.
REGISTER_ATTEMPTS = 3


def register_releases(instance: dg.DagsterInstance, release_ids: list[str]) -> list[str]:
    """Add the partitions the instance does not know yet; return the ones this call added.

    Reading the known partitions and adding the rest is not atomic: a second ``make run`` or
    the raw sensor on the same Dagster home can add the same release in between, and the
    storage then refuses the whole insert as a duplicate key. That is not an error here (the
    release is registered either way), so the known set is read again and only what is still
    missing is added.
    """
    for attempt in range(1, REGISTER_ATTEMPTS + 1):
        known = set(instance.get_dynamic_partitions(RELEASE_PARTITIONS_NAME))
        new = [release_id for release_id in release_ids if release_id not in known]
        if not new:
            return []
        try:
            instance.add_dynamic_partitions(RELEASE_PARTITIONS_NAME, new)
            return new
        except IntegrityError:
            if attempt == REGISTER_ATTEMPTS:
                raise
    return []


def withdraw_vanished(instance: dg.DagsterInstance, lake_dir: Path) -> list[WithdrawnRelease]:
    """Withdraw the releases whose raw file is gone from the lake, and drop their partitions.

    ``make run``'s way; the raw sensor withdraws the same releases (lake/withdraw.py) and
    deletes their partitions through its ``SensorResult``.
    """
    known = instance.get_dynamic_partitions(RELEASE_PARTITIONS_NAME)
    withdrawn = withdraw_vanished_releases(lake_dir, known)
    for release in withdrawn:
        if release.release_id in known:
            instance.delete_dynamic_partition(RELEASE_PARTITIONS_NAME, release.release_id)
    return withdrawn


# The one place production code types Dagster run tags. Dagster 1.13.27 offers no public way
# to start one in-process run over a span of partitions of a multi_run asset: execute_in_process
# takes one partition key, the CLI's --partition-range refuses multi_run policies, and the
# automation evaluated in-process requests one run per release (7x the wall time); only the
# daemon's backfills make spans. docs/operations.md ("How make run starts a span") has the
# figures; tests/orchestration/test_public_api.py fails when either public route changes.
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
    """The run tags that make one run cover the partitions ``[start, end]``, whatever the policy."""
    return {RANGE_START_TAG: start, RANGE_END_TAG: end}
