"""``make run`` (orchestration/run_all.py) as an operator meets it: real processes, real lake.

Each test runs ``python -m orchestration.run_all`` against a throw-away lake and Dagster home,
as the Makefile does, and reads what it prints and what it leaves behind.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from settings import BUILD_LOCK_TIMEOUT_ENV, DAGSTER_HOME_ENV, LAKE_DIR_ENV, WAREHOUSE_PATH_ENV

RAW = Path(__file__).resolve().parents[2] / "data_lake" / "raw"
HUADU = "guangzhou-huadu-police-branch"
DATA_BUREAU = "guangzhou-government-services-data-bureau"


def _lake(tmp_path: Path, releases: list[str]) -> tuple[Path, dict[str, str]]:
    lake = tmp_path / "lake"
    (lake / "raw").mkdir(parents=True)
    for release_id in releases:
        (lake / "raw" / f"{release_id}.txt").write_bytes((RAW / f"{release_id}.txt").read_bytes())
    home = tmp_path / "dagster_home"
    subprocess.run(
        [sys.executable, "-m", "orchestration.instance_config", str(home)],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, LAKE_DIR_ENV: str(lake), DAGSTER_HOME_ENV: str(home)}
    env.pop(WAREHOUSE_PATH_ENV, None)
    return lake, env


def _make_run(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "orchestration.run_all"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _projects_per_release(lake: Path) -> dict[str, int]:
    with duckdb.connect(str(lake / "warehouse.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            "select release_id, count(*) from marts.fct_projects group by release_id"
        ).fetchall()
    return dict(rows)


@pytest.mark.slow
def test_two_make_runs_at_once_leave_a_whole_warehouse_and_one_clear_message(
    tmp_path, dbt_manifest
):
    lake, env = _lake(tmp_path, [HUADU])
    env[BUILD_LOCK_TIMEOUT_ENV] = "1"

    runs = [_make_run(env), _make_run(env)]
    outputs = [run.communicate(timeout=600) for run in runs]

    codes = sorted(run.returncode for run in runs)
    assert codes == [0, 2], outputs
    winner, loser = sorted(zip(runs, outputs, strict=True), key=lambda pair: pair[0].returncode)
    loser_err = loser[1][1].strip().splitlines()
    assert len(loser_err) == 1, loser[1][1]
    assert loser_err[0].startswith("make run: cannot build warehouse.duckdb: another build is")
    assert f"waited 1 s for pid {winner[0].pid} (" in loser_err[0]
    assert HUADU in winner[1][0]
    assert _projects_per_release(lake) == {HUADU: 31}
    assert not (lake / "warehouse.building.duckdb").exists()


@pytest.mark.slow
def test_the_readme_copy_example_refuses_the_copy_keeps_the_original_and_lists_warnings_apart(
    tmp_path, dbt_manifest
):
    lake, env = _lake(tmp_path, [HUADU, DATA_BUREAU])
    copy = lake / "raw" / "huadu-copy.txt"
    time.sleep(0.01)  # arrives after the original, as `cp` after a checkout does
    copy.write_bytes((lake / "raw" / f"{HUADU}.txt").read_bytes())

    process = _make_run(env)
    out, err = process.communicate(timeout=600)
    run = subprocess.CompletedProcess([], process.returncode, out, err)

    assert "Traceback" not in err and "Stack Trace" not in err, err
    assert (
        "huadu-copy: Duplicate: huadu-copy.txt has the same text as "
        f"{HUADU}.txt, which came first; {HUADU} stays published, huadu-copy is not"
    ) in err
    assert _projects_per_release(lake) == {HUADU: 31, DATA_BUREAU: 70}
    assert (lake / "quarantine" / "huadu-copy" / "REPORT.md").exists()
    # The numbering warning is listed as a warning, not under FAILED.
    warnings = run.stdout.split("\nwarnings (published anyway", 1)[1]
    assert "WARN  lake/release_tables:indicator_numbering_matches_printed" in warnings
    assert "indicator_numbering_matches_printed" not in err
    assert run.returncode == 1


def test_make_run_exits_non_zero_when_it_cannot_read_its_summary(tmp_path, monkeypatch, capsys):
    from orchestration import run_all

    lake = tmp_path / "lake"
    (lake / "raw").mkdir(parents=True)
    monkeypatch.setenv(LAKE_DIR_ENV, str(lake))
    monkeypatch.delenv(WAREHOUSE_PATH_ENV, raising=False)
    monkeypatch.setenv(DAGSTER_HOME_ENV, str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    every_run_passed = run_all.PipelineResult(
        [], [run_all.RunOutcome("marts_job", None, True, 1.0)]
    )
    monkeypatch.setattr(run_all, "run_pipeline", lambda instance, lake=None: every_run_passed)

    assert run_all.main() == 1
    assert "cannot read the summary from the warehouse: warehouse.duckdb does not exist" in (
        capsys.readouterr().err
    )
