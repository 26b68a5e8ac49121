"""What the Dagster UI shows, and the real webserver + daemon taking a dropped file to the marts.

The fast tests read the asset graph the UI draws (owners, kinds, code versions, pool,
freshness, sensors and schedule). The slow test starts ``dagster-webserver`` and
``dagster-daemon`` on a free port with a throw-away ``DAGSTER_HOME`` and lake, turns the raw
sensor on through GraphQL, drops two releases into ``raw/`` and follows the runs the
automation condition sensor launches (one run over both releases, then the dbt build)
through GraphQL until the marts hold them, then prints how long that took.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.instance_config import write_dagster_yaml

REPO_DIR = Path(__file__).resolve().parent.parent
RAW_DIR = REPO_DIR / "data_lake" / "raw"
VENV_BIN = REPO_DIR / ".venv" / "bin"
BAIYUN = "guangzhou-baiyun-political-legal-committee"
HUADU = "guangzhou-huadu-police-branch"
DROPPED = (BAIYUN, HUADU)
LOCATION = "budget_performance"
REPOSITORY = "__repository__"
STARTUP_TIMEOUT_S = 180
DROP_TO_MARTS_TIMEOUT_S = 420
POLL_S = 2.0


# --- the graph the UI draws ----------------------------------------------------------------


@pytest.fixture(scope="module")
def defs(dbt_manifest):
    from orchestration.definitions import defs

    return defs


def test_ui_every_asset_is_owned_by_the_platform_team(defs):
    graph = defs.resolve_asset_graph()

    owners = {tuple(graph.get(key).owners) for key in graph.get_all_asset_keys()}

    assert owners == {("team:data-platform",)}


def test_ui_lake_asset_carries_the_parser_code_version(defs):
    from parsers.release import PARSER_VERSION

    node = defs.resolve_asset_graph().get(dg.AssetKey(["lake", "release_tables"]))

    assert node.code_version == f"parser-{PARSER_VERSION}"
    assert {"python", "parquet"} <= set(node.kinds)


def test_ui_dbt_models_show_description_column_schema_and_pool(defs):
    node = defs.resolve_asset_graph().get(dg.AssetKey(["marts", "fct_projects"]))

    columns = {column.name for column in node.metadata["dagster/column_schema"].columns}
    assert node.description
    assert {"release_id", "total_wan"} <= columns
    assert node.pools == {"duckdb_writer"}
    assert {"dbt", "duckdb"} <= set(node.kinds)


def test_ui_marts_and_only_marts_declare_freshness(defs):
    graph = defs.resolve_asset_graph()

    fresh = {key.path[0] for key in graph.get_all_asset_keys() if graph.get(key).freshness_policy}

    assert fresh == {"marts"}


def test_ui_lists_the_sensors_and_the_nightly_schedule_with_their_default_status(defs):
    sensors = {sensor.name: sensor.default_status for sensor in defs.sensors}
    schedules = {schedule.name: schedule.default_status for schedule in defs.schedules}

    assert sensors == {
        "raw_release_sensor": dg.DefaultSensorStatus.STOPPED,
        "automation_condition_sensor": dg.DefaultSensorStatus.RUNNING,
    }
    assert schedules == {"nightly_rebuild_schedule": dg.DefaultScheduleStatus.STOPPED}


# --- the real webserver and daemon -----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _graphql(port: int, query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        payload = json.loads(response.read())
    assert "errors" not in payload, payload
    return payload["data"]


def _start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    handle = log.open("wb")
    # Own process group: the code servers and run workers it spawns stop with it.
    return subprocess.Popen(
        args, cwd=REPO_DIR, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


LOCATION_QUERY = """
{ workspaceOrError { ... on Workspace { locationEntries {
    name loadStatus locationOrLoadError { __typename ... on PythonError { message } } } } } }
"""
START_SENSOR = """
mutation($selector: SensorSelector!) { startSensor(sensorSelector: $selector) {
  __typename ... on Sensor { sensorState { status } } ... on PythonError { message } } }
"""
RUNS_QUERY = """
{ runsOrError { ... on Runs { results {
  runId jobName status creationTime startTime endTime tags { key value } assetSelection { path } } } } }
"""


def _wait_for_location(port: int, webserver: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        assert webserver.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            entries = _graphql(port, LOCATION_QUERY)["workspaceOrError"]["locationEntries"]
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(POLL_S)
            continue
        for entry in entries:
            if entry["name"] == LOCATION and entry["loadStatus"] == "LOADED":
                loaded = entry["locationOrLoadError"]
                assert loaded["__typename"] == "RepositoryLocation", loaded
                return
        time.sleep(POLL_S)
    pytest.fail(f"code location not loaded in {STARTUP_TIMEOUT_S}s")


def _runs_of(port: int, asset: list[str]) -> list[dict]:
    runs = _graphql(port, RUNS_QUERY)["runsOrError"]["results"]
    return [run for run in runs if {"path": asset} in (run["assetSelection"] or [])]


def _wait_for_success(
    port: int, asset: list[str], deadline: float, logs: list[Path], after: float = 0.0
) -> dict:
    """The first run materialising ``asset`` started after ``after`` to succeed."""
    name = "/".join(asset)
    while time.monotonic() < deadline:
        for run in _runs_of(port, asset):
            if (run["startTime"] or float("inf")) < after:
                continue
            if run["status"] == "SUCCESS":
                return run
            if run["status"] in {"FAILURE", "CANCELED"}:
                tails = "\n".join(log.read_text(errors="replace")[-2000:] for log in logs)
                pytest.fail(f"{name} run {run['runId']} {run['status']}\n{tails}")
        time.sleep(POLL_S)
    tails = "\n".join(log.read_text(errors="replace")[-2000:] for log in logs)
    pytest.fail(f"no successful {name} run within {DROP_TO_MARTS_TIMEOUT_S}s\n{tails}")


@pytest.mark.slow
def test_ui_sensor_takes_dropped_releases_to_the_marts_in_one_release_run(dbt_manifest, tmp_path):
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    write_dagster_yaml(dagster_home)
    lake = tmp_path / "lake"
    (lake / "raw").mkdir(parents=True)
    warehouse = lake / "warehouse.duckdb"
    env = {
        **os.environ,
        "DAGSTER_HOME": str(dagster_home),
        "BUDGET_LAKE_DIR": str(lake),
        "BUDGET_WAREHOUSE_PATH": str(warehouse),
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    port = _free_port()
    web_log, daemon_log = tmp_path / "webserver.log", tmp_path / "daemon.log"
    webserver = _start(
        [
            str(VENV_BIN / "dagster-webserver"),
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        env,
        web_log,
    )
    daemon = _start(
        [str(VENV_BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"], env, daemon_log
    )
    try:
        _wait_for_location(port, webserver, web_log)
        selector = {
            "repositoryLocationName": LOCATION,
            "repositoryName": REPOSITORY,
            "sensorName": "raw_release_sensor",
        }
        started = _graphql(port, START_SENSOR, {"selector": selector})["startSensor"]
        assert started["sensorState"]["status"] == "RUNNING", started

        dropped_at = time.monotonic()
        dropped_wall = time.time()
        for release_id in DROPPED:
            shutil.copy(RAW_DIR / f"{release_id}.txt", lake / "raw" / f"{release_id}.txt")
        deadline = dropped_at + DROP_TO_MARTS_TIMEOUT_S

        logs = [web_log, daemon_log]
        release_run = _wait_for_success(port, ["lake", "release_tables"], deadline, logs)
        tags = {tag["key"]: tag["value"] for tag in release_run["tags"]}
        release_seconds = time.monotonic() - dropped_at
        marts_run = _wait_for_success(
            port,
            ["marts", "fct_projects"],
            deadline,
            logs,
            after=release_run["endTime"] or dropped_wall,
        )
        lake_runs = _runs_of(port, ["lake", "release_tables"])
        seconds = time.monotonic() - dropped_at
    finally:
        _stop(daemon)
        _stop(webserver)

    # Two files dropped together: one run over both new partitions, not one run each, launched
    # by Dagster's automation (the range tags are Dagster's own, set by its automation sensor).
    assert len(lake_runs) == 1
    assert tags["dagster/asset_partition_range_start"] == DROPPED[0]
    assert tags["dagster/asset_partition_range_end"] == DROPPED[-1]
    assert tags["dagster/sensor_name"] == "automation_condition_sensor"
    marts_tags = {tag["key"]: tag["value"] for tag in marts_run["tags"]}
    assert marts_tags["dagster/sensor_name"] == "automation_condition_sensor"
    # The whole dbt project in one run: the build starts from an empty warehouse file.
    assert {"path": ["seeds", "categories"]} in marts_run["assetSelection"]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        projects = dict(
            connection.execute(
                "select release_id, count(*) from marts.fct_projects group by release_id"
            ).fetchall()
        )
    assert projects == {BAIYUN: 16, HUADU: 31}
    # The row count dagster-dbt read from the build file, on the mart's materialisation.
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        (record,) = instance.fetch_materializations(
            dg.AssetKey(["marts", "fct_projects"]), limit=1
        ).records
    assert record.asset_materialization.metadata["dagster/row_count"].value == 16 + 31
    steps = [
        (f"{name} {moment}", run[key] - dropped_wall)
        for name, run in (("lake run", release_run), ("dbt run", marts_run))
        for moment, key in (
            ("created", "creationTime"),
            ("started", "startTime"),
            ("ended", "endTime"),
        )
    ]
    print(
        f"\n{len(DROPPED)} files dropped → lake run success {release_seconds:.1f}s → "
        f"dbt run success {seconds:.1f}s (drop to updated marts); "
        + ", ".join(f"{label} +{offset:.1f}s" for label, offset in steps)
    )
