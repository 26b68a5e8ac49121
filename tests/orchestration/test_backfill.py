"""Which way of backfilling releases gives which runs (docs/operations.md, "Backfills").

``lake/release_tables`` has ``BackfillPolicy.multi_run(max_partitions_per_run=250)``. A
backfill the daemon carries out (launched from the UI, or through GraphQL's
``launchPartitionBackfill``, which the UI sends) honours it: runs of up to 250 releases. The
``dagster job backfill`` command does not go through the daemon: it creates one run per
partition itself, whatever the policy (Dagster 1.13.27), and the docs say so. Both are held
here by launching them for real and counting the runs. The run queue is paused
(``concurrency: runs: max_concurrent_runs: 0``) so that the runs are created and counted, not executed: these
releases have no raw files.
"""

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from orchestration.partitions import RANGE_END_TAG, RANGE_START_TAG, RELEASE_PARTITIONS_NAME

pytestmark = pytest.mark.slow

REPO_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DAEMON_TIMEOUT_S = 240
PAUSED_QUEUE = "concurrency:\n  runs:\n    max_concurrent_runs: 0\n"

LAUNCH_BACKFILL = """
mutation($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
  }
}
"""
PARTITION_SETS = """
{ repositoriesOrError { ... on RepositoryConnection { nodes {
    name location { name } partitionSets { name pipelineName } } } } }
"""


def _instance(env: dict[str, str]) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_config(env["DAGSTER_HOME"])


def _register(env: dict[str, str], release_ids: list[str]) -> None:
    config = Path(env["DAGSTER_HOME"]) / "dagster.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("concurrency:\n", PAUSED_QUEUE), encoding="utf-8"
    )
    with _instance(env) as instance:
        instance.add_dynamic_partitions(RELEASE_PARTITIONS_NAME, release_ids)


def _cli(args: list[str], env: dict[str, str]) -> str:
    completed = subprocess.run(
        args, cwd=REPO_DIR, env=env, capture_output=True, text=True, check=False, timeout=300
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


def _graphql(env: dict[str, str], query: str, variables: dict | None = None) -> dict:
    out = _cli(
        [str(BIN / "dagster-graphql"), "-w", "workspace.yaml", "-t", query]
        + ["-v", json.dumps(variables or {})],
        env,
    )
    # The response is the first JSON document on stdout; code-server log lines may follow it.
    payload, _ = json.JSONDecoder().raw_decode(out, out.index("{"))
    assert "errors" not in payload, payload
    return payload["data"]


def test_backfill_cli_launches_one_run_per_release(dagster_env):
    release_ids = ["release-a", "release-b", "release-c"]
    _register(dagster_env, release_ids)

    out = _cli(
        [str(BIN / "dagster"), "job", "backfill", "-w", "workspace.yaml", "-j", "release_job"]
        + ["--partitions", ",".join(release_ids), "--noprompt"],
        dagster_env,
    )

    backfill_id = re.search(r"Launched backfill job `(\w+)`", out).group(1)
    with _instance(dagster_env) as instance:
        runs = instance.get_runs(filters=dg.RunsFilter.for_backfill(backfill_id))
        assert len(runs) == len(release_ids)
        assert all(run.job_name == "release_job" for run in runs)
        assert not any(RANGE_START_TAG in run.tags for run in runs)


def test_backfill_through_the_daemon_splits_releases_into_runs_of_250(dagster_env, dagster_daemon):
    release_ids = [f"release-{n:04d}" for n in range(503)]
    _register(dagster_env, release_ids)
    repositories = _graphql(dagster_env, PARTITION_SETS)["repositoriesOrError"]["nodes"]
    repository = next(r for r in repositories if r["location"]["name"] == "budget_performance")
    partition_set = next(
        s["name"] for s in repository["partitionSets"] if s["pipelineName"] == "release_job"
    )

    launched = _graphql(
        dagster_env,
        LAUNCH_BACKFILL,
        {
            "params": {
                "selector": {
                    "partitionSetName": partition_set,
                    "repositorySelector": {
                        "repositoryLocationName": "budget_performance",
                        "repositoryName": repository["name"],
                    },
                },
                "allPartitions": True,
            }
        },
    )["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    log = dagster_daemon()
    deadline = time.monotonic() + DAEMON_TIMEOUT_S
    with _instance(dagster_env) as instance:
        runs_filter = dg.RunsFilter.for_backfill(launched["backfillId"])
        while instance.get_runs_count(runs_filter) < 3 and time.monotonic() < deadline:
            time.sleep(2)
        time.sleep(4)  # a fourth run, if the policy were ignored, would be created by now
        runs = instance.get_runs(filters=runs_filter)
        spans = sorted((run.tags[RANGE_START_TAG], run.tags[RANGE_END_TAG]) for run in runs)

    assert spans == [
        ("release-0000", "release-0249"),
        ("release-0250", "release-0499"),
        ("release-0500", "release-0502"),
    ], log.read_text(errors="replace")[-3000:]
