"""The commands docs/operations.md names, run as a user runs them, where CI can run them.

Each runs from the repository root with the venv's tools on a throw-away ``DAGSTER_HOME``;
the assertions are the lines the doc shows. Commands that need a running daemon or change
data (``sensor start``, backfills, ``asset materialize``) are exercised elsewhere
(tests/test_dagster_ui.py, tests/test_end_to_end.py).
"""

import os
import subprocess
from pathlib import Path

import pytest

from orchestration.instance_config import write_dagster_yaml

pytestmark = pytest.mark.slow

REPO_DIR = Path(__file__).resolve().parent.parent
VENV = REPO_DIR / ".venv"
COMMAND_TIMEOUT_S = 300


@pytest.fixture(scope="module")
def env(tmp_path_factory, dbt_manifest) -> dict[str, str]:
    home = tmp_path_factory.mktemp("dagster_home")
    write_dagster_yaml(home)
    return {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "PATH": f"{VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "VIRTUAL_ENV": str(VENV),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        args, cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S
    )
    assert done.returncode == 0, (
        f"{' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}"
    )
    return done.stdout + done.stderr


def test_dg_check_defs_loads_the_code_location(env):
    output = _run(env, "dg", "check", "defs")

    assert "All definitions loaded successfully." in output


def test_dagster_sensor_list_shows_both_sensors_with_their_default_status(env):
    output = _run(env, "dagster", "sensor", "list", "-w", "workspace.yaml")

    assert "Sensor: automation_condition_sensor [RUNNING]" in output
    assert "Sensor: raw_release_sensor [STOPPED]" in output


def test_dagster_schedule_list_shows_the_stopped_nightly_schedule(env):
    output = _run(env, "dagster", "schedule", "list", "-w", "workspace.yaml")

    assert "Schedule: nightly_rebuild_schedule [STOPPED]" in output
    assert "Cron Schedule: 0 2 * * *" in output


def test_dagster_sensor_cursor_can_be_set_and_deleted(env):
    sensor = ("dagster", "sensor", "cursor", "raw_release_sensor", "-w", "workspace.yaml")

    set_output = _run(env, *sensor, "--set", "{}")
    _run(env, *sensor, "--delete")

    assert 'Set cursor state for sensor raw_release_sensor to "{}"' in set_output


def test_dagster_job_list_shows_the_jobs_the_doc_names(env):
    output = _run(env, "dagster", "job", "list", "-w", "workspace.yaml")

    for job in ("release_job", "marts_job", "nightly_rebuild_job", "__ASSET_JOB"):
        assert f"Job: {job}" in output


def test_dagster_asset_list_shows_the_lake_and_the_marts(env):
    output = _run(env, "dagster", "asset", "list", "-m", "orchestration.definitions")

    # raw/release_files is an external asset (reported, never run): asset list leaves it out.
    for key in ("lake/release_tables", "seeds/categories", "marts/fct_projects"):
        assert key in output
