"""A run killed with SIGKILL cannot block the platform (issue 13.4).

A killed run never reports its end: it stays STARTED in the run storage, and the marts
automation, which waits while a marts run is in flight, used to skip every tick after it. Here
a real ``marts_job`` run in its own process is SIGKILLed (with the dbt it started) mid-build;
the daemon's run monitoring, from the ``dagster.yaml`` every instance gets, marks it failed
once it passes its maximum run time; then a new release is published and the daemon's marts
automation, whatever main uses (a sensor or an AutomationCondition), brings it to the marts
with nobody touching the killed run.

The killed run carries a maximum run time of its own (the ``dagster/max_runtime`` tag, which
run monitoring reads before the instance's 30 minutes), so the test waits seconds, not half an
hour; the runs the daemon launches afterwards keep the instance's limit.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.instance_config import write_dagster_yaml
from orchestration.partitions import register_releases

pytestmark = pytest.mark.slow

REPO_DIR = Path(__file__).resolve().parents[2]
RAW_DIR = REPO_DIR / "data_lake" / "raw"
BAIYUN = "guangzhou-baiyun-political-legal-committee"
HUADU = "guangzhou-huadu-police-branch"
KILLED_RUN_MAX_RUNTIME_S = 10
MONITORING_POLL_S = 2
START_TIMEOUT_S = 180
RECOVERY_TIMEOUT_S = 300


def _wait(predicate, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(1)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    pytest.fail(f"{what} within {timeout:.0f}s\n{tail}")


def _marts_release_ids(warehouse: Path) -> set[str]:
    if not warehouse.exists():
        return set()
    try:
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            rows = connection.execute("select distinct release_id from marts.fct_projects")
            return {release_id for (release_id,) in rows.fetchall()}
    except duckdb.Error:
        return set()


def test_killed_marts_run_is_failed_by_run_monitoring_and_the_marts_follow_a_new_release(
    lake_dir, dagster_env, dagster_daemon, dbt_manifest, tmp_path
):
    from orchestration.definitions import defs
    from orchestration.run_all import run_job

    home = Path(dagster_env["DAGSTER_HOME"])
    write_dagster_yaml(home, poll_interval_seconds=MONITORING_POLL_S)
    warehouse = Path(dagster_env["BUDGET_WAREHOUSE_PATH"])
    shutil.copy(RAW_DIR / f"{BAIYUN}.txt", lake_dir / "raw")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        register_releases(instance, [BAIYUN])
        assert run_job(defs, "release_job", instance, partition_key=BAIYUN).success

    # A marts run in its own process (its own group, so dbt dies with it), killed mid-build.
    tags = json.dumps({dg.MAX_RUNTIME_SECONDS_TAG: str(KILLED_RUN_MAX_RUNTIME_S)})
    killed_log = tmp_path / "killed_run.log"
    with killed_log.open("wb") as handle:
        victim = subprocess.Popen(
            [str(Path(sys.executable).with_name("dagster")), "job", "execute"]
            + ["-m", "orchestration.definitions", "-j", "marts_job", "--tags", tags],
            cwd=REPO_DIR,
            env=dagster_env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    with dg.DagsterInstance.from_config(str(home)) as instance:

        def started_marts_run():
            runs = instance.get_runs(
                filters=dg.RunsFilter(job_name="marts_job", statuses=[dg.DagsterRunStatus.STARTED])
            )
            return runs[0] if runs else None

        killed = _wait(started_marts_run, START_TIMEOUT_S, "no STARTED marts run", killed_log)
        time.sleep(2)  # into the build
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(timeout=30)
        time.sleep(1)
        # The problem: nothing else will ever end this run.
        assert instance.get_run_by_id(killed.run_id).status == dg.DagsterRunStatus.STARTED

        daemon_log = dagster_daemon()
        failed = _wait(
            lambda: (run := instance.get_run_by_id(killed.run_id)).is_finished and run,
            RECOVERY_TIMEOUT_S,
            "run monitoring did not end the killed run",
            daemon_log,
        )
        assert failed.status == dg.DagsterRunStatus.FAILURE
        messages = [event.message for event in instance.all_logs(killed.run_id)]
        assert any(
            f"maximum runtime of {KILLED_RUN_MAX_RUNTIME_S} seconds" in m for m in messages
        ), messages

        # A new release lands; the daemon's marts automation takes it to the marts on its own.
        shutil.copy(RAW_DIR / f"{HUADU}.txt", lake_dir / "raw")
        register_releases(instance, [HUADU])
        assert run_job(defs, "release_job", instance, partition_key=HUADU).success
        _wait(
            lambda: _marts_release_ids(warehouse) == {BAIYUN, HUADU},
            RECOVERY_TIMEOUT_S,
            "the marts did not follow the new release",
            daemon_log,
        )
