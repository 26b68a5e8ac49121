import subprocess
import sys
import textwrap
import time

import duckdb
import pytest

from lake.warehouse import (
    IncompleteBuildError,
    WarehouseLockedError,
    build_path,
    connect,
    count_rows,
    discard_build,
    ensure_no_writer,
    prepare_build,
    publish_build,
)


def _write(path, value, rows=1):
    """A warehouse whose one mart holds ``rows`` rows of ``value``."""
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema if not exists marts")
        connection.execute(
            "create or replace table marts.fct_projects as select ? as value from range(?)",
            [value, rows],
        )


def _read(path):
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute("select any_value(value) from marts.fct_projects").fetchone()[0]


def test_publish_build_swaps_the_finished_build_in_for_the_live_warehouse(tmp_path):
    live = tmp_path / "warehouse.duckdb"
    _write(live, "old")
    _write(prepare_build(live), "new")

    publish_build(live)

    assert _read(live) == "new"
    assert not build_path(live).exists()


def test_count_rows_counts_every_table_in_one_call(tmp_path):
    path = tmp_path / "build.duckdb"
    _write(path, "x", rows=47)
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema seeds")
        connection.execute("create table seeds.categories as select 1 as code from range(9)")
        connection.execute("create table seeds.empty (code integer)")
    tables = [("marts", "fct_projects"), ("seeds", "categories"), ("seeds", "empty")]
    assert count_rows(path, tables) == dict(zip(tables, [47, 9, 0], strict=True))
    assert count_rows(path, []) == {}


def test_discard_build_leaves_the_live_warehouse_as_it_was(tmp_path):
    live = tmp_path / "warehouse.duckdb"
    _write(live, "old")
    _write(prepare_build(live), "half-built")

    discard_build(live)

    assert _read(live) == "old"
    assert not build_path(live).exists()


def test_prepare_build_removes_what_a_killed_build_left(tmp_path):
    live = tmp_path / "warehouse.duckdb"
    _write(build_path(live), "left over")

    building = prepare_build(live)

    assert not building.exists()


def test_prepare_build_starts_from_the_live_warehouse_for_an_incremental_build(tmp_path):
    live = tmp_path / "warehouse.duckdb"
    _write(live, "previous marts")

    building = prepare_build(live, start_from_live=True)

    assert _read(building) == "previous marts"
    assert _read(live) == "previous marts"


@pytest.fixture
def holder(tmp_path):
    """Another process holding a write connection on a DuckDB file."""
    path = tmp_path / "held.duckdb"
    script = textwrap.dedent(
        f"""
        import duckdb, sys, time
        connection = duckdb.connect({str(path)!r})
        print("ready", flush=True)
        time.sleep(60)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    yield path, process
    process.kill()
    process.wait()


def test_connect_explains_a_lock_in_one_line_after_retrying(holder):
    path, process = holder
    started = time.monotonic()
    with pytest.raises(WarehouseLockedError) as caught:
        connect(path, read_only=False, retries=2, delay=0.2)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("held.duckdb is locked by process ")
    assert str(process.pid) in message
    assert time.monotonic() - started >= 0.2


def test_publish_build_keeps_the_live_warehouse_when_the_build_has_no_marts(tmp_path):
    live = tmp_path / "warehouse.duckdb"
    _write(live, "old")
    with duckdb.connect(str(prepare_build(live))) as connection:
        connection.execute("create table main.other as select 1 as x")

    with pytest.raises(IncompleteBuildError, match=r"has no marts\.fct_\* tables"):
        publish_build(live)

    assert _read(live) == "old"


def test_publish_build_keeps_the_live_warehouse_when_a_mart_is_empty(tmp_path):
    live = tmp_path / "warehouse.duckdb"
    _write(live, "old")
    _write(prepare_build(live), "new", rows=0)

    with pytest.raises(IncompleteBuildError, match=r"marts\.fct_projects has no rows"):
        publish_build(live)

    assert _read(live) == "old"


def test_publish_build_refuses_to_swap_under_a_read_write_holder_of_the_live_file(tmp_path):
    live = tmp_path / "warehouse.duckdb"
    _write(live, "old")
    script = textwrap.dedent(
        f"""
        import duckdb, time
        connection = duckdb.connect({str(live)!r})  # read-write, as the DuckDB CLI opens it
        connection.execute("insert into marts.fct_projects values ('written by the CLI')")
        print("ready", flush=True)
        time.sleep(60)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "ready"
        _write(prepare_build(live), "new")
        with pytest.raises(WarehouseLockedError) as caught:
            ensure_no_writer(live, retries=2, delay=0.1)
        message = str(caught.value)
        assert "\n" not in message
        assert str(process.pid) in message
        assert "open for writing" in message
    finally:
        process.kill()
        process.wait()
    with duckdb.connect(str(live), read_only=True) as connection:
        values = {
            v for (v,) in connection.execute("select value from marts.fct_projects").fetchall()
        }
    assert values == {"old", "written by the CLI"}
