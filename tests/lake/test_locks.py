"""One warehouse build at a time, across processes; a second one waits, then says who holds it."""

import subprocess
import sys
import textwrap
import time

import duckdb
import pytest

from lake.locks import LockTimeoutError, build_lock, describe_holder, file_lock
from settings import build_lock_path

BUILDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import duckdb
    from lake.warehouse import prepare_build, publish_build, warehouse_build

    live, lake, value, timeout = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    with warehouse_build(live, lake, timeout=timeout):
        print("building", flush=True)
        building = prepare_build(live)
        with duckdb.connect(str(building)) as connection:
            connection.execute("create schema marts")
            connection.execute(
                "create table marts.fct_projects as select ? as value from range(1000)", [value]
            )
        go = live.with_name("go")  # dbt takes a while: this one until the test says go
        while not go.exists():
            time.sleep(0.05)
        publish_build(live)
    print("published", flush=True)
    """
)


def _builder(tmp_path, value, timeout):
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            BUILDER,
            str(tmp_path / "warehouse.duckdb"),
            str(tmp_path),
            value,
            str(timeout),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _marts(tmp_path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(
            "select value, count(*) from marts.fct_projects group by value"
        ).fetchall()


def test_a_second_build_that_times_out_stops_with_one_line_naming_the_holder(tmp_path):
    first = _builder(tmp_path, "first", timeout=30)
    assert first.stdout.readline().strip() == "building"

    second = _builder(tmp_path, "second", timeout=0.5)
    _, second_err = second.communicate(timeout=60)
    (tmp_path / "go").touch()
    first_out, first_err = first.communicate(timeout=60)

    assert first.returncode == 0, first_err
    assert "published" in first_out
    assert second.returncode != 0
    last_line = second_err.strip().splitlines()[-1]
    assert last_line.startswith("lake.locks.LockTimeoutError: cannot build warehouse.duckdb")
    assert f"pid {first.pid} (" in last_line
    assert str(build_lock_path(tmp_path / "warehouse.duckdb")) in last_line
    assert _marts(tmp_path) == [("first", 1000)]
    assert not (tmp_path / "warehouse.building.duckdb").exists()


def test_two_builds_at_once_take_turns_and_leave_a_whole_warehouse(tmp_path):
    first = _builder(tmp_path, "first", timeout=60)
    assert first.stdout.readline().strip() == "building"
    second = _builder(tmp_path, "second", timeout=60)
    time.sleep(3)  # the second is waiting for the lock by now
    assert second.poll() is None
    (tmp_path / "go").touch()

    results = [process.communicate(timeout=120) for process in (first, second)]

    assert [first.returncode, second.returncode] == [0, 0], results
    assert _marts(tmp_path) == [("second", 1000)]
    assert not (tmp_path / "warehouse.building.duckdb").exists()


def test_the_lock_file_names_its_holder_while_held_and_is_free_after(tmp_path):
    live = tmp_path / "warehouse.duckdb"
    with build_lock(live, timeout=0):
        holder = describe_holder(build_lock_path(live))
        assert holder.startswith("pid ")
        with build_lock(live, timeout=0):  # the same process may take it again
            pass
    with file_lock(build_lock_path(live), what="again", timeout=0):
        pass


def test_a_lock_held_by_another_process_times_out_naming_it(tmp_path):
    lock = tmp_path / "x.lock"
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from lake.locks import file_lock
        with file_lock(Path({str(lock)!r}), what="hold", timeout=0):
            print("held", flush=True)
            time.sleep(30)
        """
    )
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(LockTimeoutError) as caught, file_lock(lock, what="wanted", timeout=0.5):
            pass
        assert time.monotonic() - started >= 0.5
        assert str(caught.value).startswith(f"wanted: waited 0.5 s for pid {holder.pid} (")
    finally:
        holder.kill()
        holder.wait()
    with file_lock(lock, what="after the holder died", timeout=0):
        pass
