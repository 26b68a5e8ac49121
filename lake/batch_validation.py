"""Validate a batch of releases' frames with one Pandera call per table instead of one per release.

Pandera's cost is mostly per call (every column's dtype and checks, ~100 ms for a release's six
tables) rather than per row, so a batch of 20 releases validates about ten times faster at
once. The per-release schemas say "unique" meaning unique *within the release* (``unit_seq``,
``project_seq``); the batch schema states exactly that, scoped by ``release_id``, and otherwise
holds the same row-wise checks, so a batch that passes is a batch whose every release passes.
A batch that fails says nothing about which release did: the caller then validates each
release on its own, and the results it reports are the per-release ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pandera.errors
import pandera.pandas as pa

from lake.contract import SCHEMAS

RELEASE_ID = "release_id"


def _unique_within_release(column: str) -> pa.Check:
    return pa.Check(
        lambda frame: ~frame.duplicated([RELEASE_ID, column], keep=False),
        name=f"{column}_unique_within_release",
        error=f"{column} must be unique within a release",
    )


# (table, id of its schema) → batch schema: built once, rebuilt if the schema is replaced.
_SCOPED: dict[tuple[str, int], pa.DataFrameSchema] = {}


def release_scoped(table: str) -> pa.DataFrameSchema:
    """The table's schema for frames of many releases: uniqueness scoped by ``release_id``."""
    schema = SCHEMAS[table]
    key = (table, id(schema))
    if key not in _SCOPED:
        _SCOPED[key] = _scope(schema)
    return _SCOPED[key]


def _scope(schema: pa.DataFrameSchema) -> pa.DataFrameSchema:
    scoped = [
        name for name, column in schema.columns.items() if column.unique and name != RELEASE_ID
    ]
    batch = schema.update_columns({name: {"unique": False} for name in scoped})
    batch.checks = [*schema.checks, *(_unique_within_release(name) for name in scoped)]
    if schema.unique and RELEASE_ID not in schema.unique:
        batch.unique = [RELEASE_ID, *schema.unique]
    return batch


def validate_batch(table: str, frames: Sequence[pd.DataFrame]) -> list[pd.DataFrame] | None:
    """Each release's validated frame, from one validation of them all; None if the batch fails.

    The frames are validated concatenated and cut back at the same row offsets, so each
    release gets exactly its own rows, coerced as the schema says, with a fresh index.
    """
    batch = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    try:
        validated = release_scoped(table).validate(batch, lazy=True)
    except (pandera.errors.SchemaErrors, pandera.errors.SchemaError):
        return None
    pieces, start = [], 0
    for frame in frames:
        pieces.append(validated.iloc[start : start + len(frame)].reset_index(drop=True))
        start += len(frame)
    return pieces
