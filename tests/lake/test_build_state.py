"""Which releases an incremental marts build rewrites, from the record kept in the warehouse."""

import json
from pathlib import Path

import pytest

from lake.build_state import (
    BuildState,
    MartsPlan,
    plan_marts_build,
    project_fingerprint,
    read_build_state,
    release_fingerprints,
    write_build_state,
)
from lake.writer import partition_path

LAKE = "/lake"
PROJECT = "p" * 64


def _state(releases: dict[str, str], project: str = PROJECT, lake: str = LAKE) -> BuildState:
    return BuildState(project, lake, releases)


def test_plan_is_full_without_a_record_of_the_previous_build():
    assert plan_marts_build(None, _state({"a": "1"})).full


def test_plan_is_full_when_the_dbt_project_changed():
    plan = plan_marts_build(_state({"a": "1", "b": "1"}), _state({"a": "1", "b": "1"}, "q" * 64))

    assert plan.full
    assert "dbt project" in plan.reason


def test_plan_is_full_when_the_warehouse_was_built_from_another_lake():
    assert plan_marts_build(_state({"a": "1", "b": "1"}, lake="/other"), _state({"a": "1"})).full


def test_plan_names_the_new_the_changed_and_the_gone_releases_and_no_other():
    previous = _state({"kept": "1", "changed": "1", "gone": "1"})
    current = _state({"kept": "1", "changed": "2", "new": "1"})

    plan = plan_marts_build(previous, current)

    assert plan == MartsPlan(False, plan.reason, ("changed", "gone", "new"))


def test_plan_rewrites_nothing_when_nothing_changed():
    plan = plan_marts_build(_state({"a": "1", "b": "2"}), _state({"a": "1", "b": "2"}))

    assert not plan.full
    assert plan.changed_release_ids == ()


def test_plan_is_full_when_every_release_changed():
    # The nightly re-validation republishes every release: a full build then costs no more.
    plan = plan_marts_build(_state({"a": "1", "b": "1"}), _state({"a": "2", "b": "2"}))

    assert plan.full


def _write(lake: Path, table: str, release_id: str, data: bytes) -> Path:
    path = partition_path(lake, table, release_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_release_fingerprint_changes_when_any_table_of_the_release_is_replaced(tmp_path):
    _write(tmp_path, "releases", "a", b"1")
    _write(tmp_path, "projects", "a", b"1")
    _write(tmp_path, "releases", "b", b"1")
    before = release_fingerprints(tmp_path)
    # A publisher writes a new file and renames it into place: a new inode and mtime.
    replacement = partition_path(tmp_path, "projects", "a").with_name("new.parquet")
    replacement.write_bytes(b"1")
    replacement.replace(partition_path(tmp_path, "projects", "a"))

    after = release_fingerprints(tmp_path)

    assert sorted(before) == ["a", "b"]
    assert after["a"] != before["a"]
    assert after["b"] == before["b"]


def test_release_fingerprints_ignore_a_writers_hidden_temporary_file(tmp_path):
    path = _write(tmp_path, "releases", "a", b"1")
    before = release_fingerprints(tmp_path)
    path.with_name(".part-0.parquet.123.tmp").write_bytes(b"half")

    assert release_fingerprints(tmp_path) == before


def _manifest(tmp_path: Path, checksum: str, generated_at: str, created_at: float) -> Path:
    path = tmp_path / f"manifest-{generated_at}-{checksum}.json"
    manifest = {
        "metadata": {"dbt_version": "1.11.0", "generated_at": generated_at, "invocation_id": "x"},
        "nodes": {"model.p.m": {"checksum": {"checksum": checksum}, "created_at": created_at}},
    }
    path.write_text(json.dumps(manifest), encoding="utf-8")
    return path


def test_project_fingerprint_ignores_what_every_parse_rewrites(tmp_path):
    first = project_fingerprint(_manifest(tmp_path, "abc", "2026-01-01", 1.0))

    assert project_fingerprint(_manifest(tmp_path, "abc", "2026-01-02", 2.0)) == first
    assert project_fingerprint(_manifest(tmp_path, "abd", "2026-01-01", 1.0)) != first


def test_build_state_is_read_back_from_the_warehouse_it_was_written_to(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    assert read_build_state(warehouse) is None
    state = _state({"a": "1", "b": "2"})

    write_build_state(warehouse, state)
    write_build_state(warehouse, state)  # replaced, not appended

    assert read_build_state(warehouse) == state


def test_a_warehouse_built_before_the_record_existed_has_none(tmp_path):
    import duckdb

    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()

    assert read_build_state(warehouse) is None


@pytest.mark.parametrize("releases", [{}, {"a": "1"}])
def test_build_state_round_trips_any_number_of_releases(tmp_path, releases):
    warehouse = tmp_path / "warehouse.duckdb"
    write_build_state(warehouse, _state(releases))

    assert read_build_state(warehouse).releases == releases
