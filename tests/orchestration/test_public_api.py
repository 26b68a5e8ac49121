"""Dagster through its public API only, and the one documented exception (issue 12, point 3).

Production code imports nothing private from Dagster or its integrations, and the only
``dagster/…`` strings it types are the ones listed here with the reason. The two partition
range tags are typed because Dagster 1.13.27 has no public way to start one in-process run
over a span of partitions of an asset whose backfill policy is ``multi_run``; the last two
tests hold the two public routes that come closest, so that the day Dagster changes either,
this file fails and make run can move (docs/operations.md, "How make run starts a span").
"""

import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

REPO_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"
# Every "dagster/…" string production code may type, and where.
DOCUMENTED_DAGSTER_STRINGS = {
    # Dagster's documented metadata key for a table's row count (docs.dagster.io, "Table
    # metadata"); the helper that writes it, TableMetadataSet, is not exported by dagster 1.13.27.
    # orchestration/assets/dbt.py: the marts' row counts, which replaced fetch_row_counts().
    "dagster/row_count": {"lake/checks.py", "lake/publish.py", "orchestration/assets/dbt.py"},
    # make run's span of releases in one run: see the module docstring.
    RANGE_START: {"orchestration/partitions.py"},
    RANGE_END: {"orchestration/partitions.py"},
}


def _git_grep(pattern: str) -> list[tuple[str, str]]:
    """``(path, matched text)`` for every match of ``pattern`` in tracked non-test Python files."""
    completed = subprocess.run(
        ["git", "grep", "-noE", pattern, "--", "*.py", ":!tests"],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr  # 1: no match
    matches = []
    for line in completed.stdout.splitlines():
        path, _line_number, text = line.split(":", 2)
        matches.append((path, text))
    return matches


def test_no_production_file_imports_a_private_dagster_module():
    private = _git_grep(r"\bdagster(_[a-z]+)*\._[A-Za-z_]+")

    assert private == []


def test_every_dagster_string_in_production_code_is_a_documented_one():
    found: dict[str, set[str]] = {}
    for path, text in _git_grep(r"[\"']dagster/[A-Za-z_/]+"):
        found.setdefault(text[1:], set()).add(path)

    assert found == DOCUMENTED_DAGSTER_STRINGS


def test_dagsters_in_process_automation_requests_one_run_per_release_not_a_span(dbt_manifest):
    # The route the daemon takes, evaluated in this process: with backfills off, each requested
    # partition is its own RunRequest (docs/operations.md has what one run per release costs);
    # with backfills on, the request is a backfill that only the daemon can carry out.
    from orchestration.assets.lake import LAKE_KEY, RAW_RELEASE_KEY
    from orchestration.definitions import defs
    from orchestration.partitions import RELEASE_PARTITIONS_NAME

    releases = ["a-release", "b-release", "c-release"]
    with pytest.warns(dg.BetaWarning, match="use_user_code_server"):
        in_process = dg.AutomationConditionSensorDefinition(
            "in_process_automation",
            target=dg.AssetSelection.assets(LAKE_KEY),
            use_user_code_server=True,
            emit_backfills=False,
        )
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(RELEASE_PARTITIONS_NAME, releases)
        first = in_process(dg.build_sensor_context(instance=instance, definitions=defs))
        for release_id in releases:
            instance.report_runless_asset_event(
                dg.AssetMaterialization(RAW_RELEASE_KEY, partition=release_id)
            )
        context = dg.build_sensor_context(instance=instance, definitions=defs, cursor=first.cursor)
        requests = in_process(context).run_requests

    assert sorted(request.partition_key for request in requests) == releases
    assert not any(RANGE_START in request.tags for request in requests)


@pytest.mark.slow
def test_dagsters_cli_refuses_a_partition_range_for_the_multi_run_lake(dagster_env):
    completed = subprocess.run(
        [str(BIN / "dagster"), "asset", "materialize", "-m", "orchestration.definitions"]
        + ["--select", "lake/release_tables", "--partition-range", "a-release...c-release"],
        cwd=REPO_DIR,
        env=dagster_env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )

    assert completed.returncode != 0
    assert "BackfillPolicy.single_run() policy" in completed.stderr, completed.stderr[-2000:]
