"""Batch validation says yes only when every release would, and gives each release its rows."""

from pathlib import Path

import pandas as pd
import pytest

from lake.batch_validation import release_scoped, validate_batch
from lake.contract import EXTRACTED_TABLES, SCHEMAS
from lake.frames import release_frames
from parsers.release import parse_release

RAW = Path(__file__).resolve().parents[2] / "data_lake" / "raw"


@pytest.fixture(scope="module")
def samples():
    return [parse_release(path) for path in sorted(RAW.glob("*.txt"))]


@pytest.mark.parametrize("table", EXTRACTED_TABLES)
def test_validate_batch_gives_each_release_exactly_what_validating_it_alone_gives(samples, table):
    frames = [release_frames(release)[table] for release in samples]

    pieces = validate_batch(table, frames)

    assert pieces is not None
    for frame, piece in zip(frames, pieces, strict=True):
        pd.testing.assert_frame_equal(piece, SCHEMAS[table].validate(frame, lazy=True))


def test_validate_batch_allows_the_same_sequence_number_in_two_releases(samples):
    frames = [release_frames(release)["budget_units"] for release in samples]

    assert validate_batch("budget_units", frames) is not None
    assert frames[0]["unit_seq"].iloc[0] == frames[1]["unit_seq"].iloc[0] == 1


def test_validate_batch_refuses_a_sequence_number_repeated_within_one_release(samples):
    frames = [release_frames(release)["projects"].copy() for release in samples]
    frames[2].loc[1, "project_seq"] = frames[2].loc[0, "project_seq"]

    assert validate_batch("projects", frames) is None


def test_validate_batch_refuses_the_batch_when_one_release_breaks_a_row_check(samples):
    frames = [release_frames(release)["projects"].copy() for release in samples]
    frames[-1].loc[0, "currency_unit_zh"] = "美元"

    assert validate_batch("projects", frames) is None


def test_release_scoped_schema_keeps_every_check_and_scopes_uniqueness():
    batch = release_scoped("projects")

    assert not batch.columns["project_seq"].unique
    assert "project_seq_unique_within_release" in {check.name for check in batch.checks}
    assert len(batch.checks) == len(SCHEMAS["projects"].checks) + 2
    assert release_scoped("indicators").unique == ["release_id", "project_id", "indicator_seq"]
