"""Indicator ids made by numpy and Arrow (release._indicator_keys) are the ids of their definition.

The definition: ``<project id>-<seq:03d>``, seq counting a project's indicators from 1. The
ids are built from one id and one count per project, and the padded numbers come from a table
made at import for 0–999: ids of one width (stable_id's) and numbers under 1000 are written as
fixed-width bytes, and a project past 999 indicators or ids of unequal width take Arrow's join:
both routes are held here to an f-string per indicator.
"""

from __future__ import annotations

import pytest

from parsers.release import _indicator_keys


def _defined(project_ids: list[str], counts: list[int]) -> tuple[list[str], list[str], list[int]]:
    project = [pid for pid, count in zip(project_ids, counts, strict=True) for _ in range(count)]
    seq = [s for count in counts for s in range(1, count + 1)]
    ids = [f"{pid}-{s:03d}" for pid, s in zip(project, seq, strict=True)]
    return project, ids, seq


def _assert_keys_as_defined(project_ids: list[str], counts: list[int]) -> None:
    project, ids, seq = _indicator_keys(project_ids, counts)
    for made in (project, ids, seq):
        made.validate(full=True)  # offsets and UTF-8 of the bytes written by numpy
    assert (project.to_pylist(), ids.to_pylist(), seq.to_pylist()) == _defined(project_ids, counts)


@pytest.mark.parametrize(
    "counts",
    [[1], [3, 0, 2], [0, 0, 5], [12, 1, 0, 7, 9], [998, 2], [0, 1001, 3]],
    ids=["one", "empty-project-between", "leading-empty", "several", "at-999", "past-999"],
)
def test_indicator_keys_match_their_definition(counts: list[int]) -> None:
    project_ids = [f"p{index:015d}" for index in range(len(counts))]
    _assert_keys_as_defined(project_ids, counts)


@pytest.mark.parametrize(
    "project_ids",
    [["p1", "p000000000000002"], ["项目一号", "项目二号"], ["a", "b"]],
    ids=["unequal-widths", "not-ascii", "one-character"],
)
def test_ids_not_of_stable_ids_shape_keep_their_definition(project_ids: list[str]) -> None:
    _assert_keys_as_defined(project_ids, [2, 3])
