"""``release_job`` on one real release, through Dagster, in a throw-away lake."""

from collections import Counter
from pathlib import Path

import dagster as dg
import pandera.pandas as pa
import pytest

from lake.writer import partition_path

RAW = Path(__file__).resolve().parents[2] / "data_lake" / "raw"
BAIYUN = "guangzhou-baiyun-political-legal-committee"
TABLES = ("releases", "budget_units", "declared_totals", "projects", "indicators", "parse_warnings")


@pytest.fixture
def instance():
    with dg.DagsterInstance.ephemeral() as ephemeral:
        yield ephemeral


def _run(instance, release_id: str):
    from orchestration.definitions import defs
    from orchestration.partitions import register_releases
    from orchestration.run_all import run_job

    register_releases(instance, [release_id])
    return run_job(defs, "release_job", instance, release_id)


def _copy_baiyun(lake_dir: Path, edit=None) -> None:
    text = (RAW / f"{BAIYUN}.txt").read_text(encoding="utf-8")
    (lake_dir / "raw" / f"{BAIYUN}.txt").write_text(edit(text) if edit else text, encoding="utf-8")


def test_release_job_writes_every_lake_table_when_release_is_clean(
    dbt_manifest, lake_dir, instance
):
    _copy_baiyun(lake_dir)

    outcome = _run(instance, BAIYUN)

    assert outcome.success, outcome.failed_steps + outcome.failed_checks
    assert all(partition_path(lake_dir, table, BAIYUN).exists() for table in TABLES)


def test_release_job_keeps_failing_frame_out_of_lake_when_schema_check_fails(
    dbt_manifest, lake_dir, instance, monkeypatch
):
    from lake import publish

    never_negative = pa.DataFrameSchema({"total_wan": pa.Column(object, pa.Check(lambda s: s < 0))})
    monkeypatch.setitem(publish.SCHEMAS, "projects", never_negative)
    _copy_baiyun(lake_dir)

    outcome = _run(instance, BAIYUN)

    assert not outcome.success
    assert any("projects_matches_schema" in check for check in outcome.failed_checks)
    assert not (lake_dir / "parquet").exists()
    assert (lake_dir / "quarantine" / BAIYUN / "projects.failure_cases.csv").exists()


def test_release_job_fails_naming_unit_when_a_subtotal_does_not_reconcile(
    dbt_manifest, lake_dir, instance
):
    # 政法工作经费 printed as 448.00 instead of 447.00 (total and 财政拨款 alike): the project is
    # consistent in itself, but its unit now sums to 1.00 more than the printed 1,989.76.
    _copy_baiyun(
        lake_dir,
        lambda text: text.replace("政法工作经费\t447.00\t447.00", "政法工作经费\t448.00\t448.00"),
    )

    outcome = _run(instance, BAIYUN)

    assert not outcome.success
    failed = " ".join(outcome.failed_checks)
    assert "lake/release_tables:projects_sum_to_unit_subtotal" in failed
    assert "中共广州市白云区区委政法委员会" in failed
    assert "funding_sources_sum_to_project_total" not in failed
    # A release that does not reconcile never reaches the lake, hence never the marts.
    assert not partition_path(lake_dir, "projects", BAIYUN).exists()
    assert (lake_dir / "quarantine" / BAIYUN / "reconciliation.csv").exists()


def test_release_job_fails_naming_file_and_line_when_document_has_no_known_layout(
    dbt_manifest, lake_dir, instance
):
    (lake_dir / "raw" / "mystery.txt").write_text("这不是绩效目标表\n", encoding="utf-8")

    outcome = _run(instance, "mystery")

    assert not outcome.success
    assert any("mystery.txt" in step for step in outcome.failed_steps)
    report = (lake_dir / "quarantine" / "mystery" / "REPORT.md").read_text(encoding="utf-8")
    assert "mystery.txt:1: no known layout" in report
    assert (lake_dir / "quarantine" / "mystery" / "mystery.txt").exists()


def test_release_job_keeps_the_published_partition_when_a_new_version_fails(
    dbt_manifest, lake_dir, instance
):
    _copy_baiyun(lake_dir)
    assert _run(instance, BAIYUN).success
    published = partition_path(lake_dir, "projects", BAIYUN).read_bytes()

    # The next version of the file has a corrupted 合计: it must not replace what was published.
    _copy_baiyun(lake_dir, lambda text: text.replace("合计\t1,989.76", "合计\t1,999.76", 1))
    outcome = _run(instance, BAIYUN)

    assert not outcome.success
    assert partition_path(lake_dir, "projects", BAIYUN).read_bytes() == published
    report = (lake_dir / "quarantine" / BAIYUN / "REPORT.md").read_text(encoding="utf-8")
    assert "projects_sum_to_declared_total" in report


def test_release_job_refuses_the_same_release_submitted_under_a_second_name(
    dbt_manifest, lake_dir, instance
):
    # Content decides, not name order: the copy's name sorts first and it is still refused.
    _copy_baiyun(lake_dir)
    assert _run(instance, BAIYUN).success
    twin = lake_dir / "raw" / "aa-baiyun-again.txt"
    twin.write_bytes((lake_dir / "raw" / f"{BAIYUN}.txt").read_bytes())

    outcome = _run(instance, "aa-baiyun-again")

    assert not outcome.success
    assert any(
        f"aa-baiyun-again.txt has the same content as release {BAIYUN}" in step
        for step in outcome.failed_steps
    )
    assert not partition_path(lake_dir, "projects", "aa-baiyun-again").exists()
    assert partition_path(lake_dir, "projects", BAIYUN).exists()


def test_release_job_quarantines_a_release_whose_sidecar_is_not_json(
    dbt_manifest, lake_dir, instance
):
    _copy_baiyun(lake_dir)
    (lake_dir / "raw" / f"{BAIYUN}.meta.json").write_text("{budget_year: 2026", encoding="utf-8")

    outcome = _run(instance, BAIYUN)

    assert not outcome.success
    report = (lake_dir / "quarantine" / BAIYUN / "REPORT.md").read_text(encoding="utf-8")
    assert f"{BAIYUN}.meta.json: sidecar is not UTF-8 JSON" in report
    assert not partition_path(lake_dir, "projects", BAIYUN).exists()


def _samples_with_baiyun_unbalanced(lake_dir: Path, instance) -> list[str]:
    """The five samples as raw files and partitions, Baiyun's 合计 off by 10 万元."""
    from orchestration.partitions import register_releases

    releases = sorted(path.stem for path in RAW.glob("*.txt"))
    for release_id in releases:
        text = (RAW / f"{release_id}.txt").read_text(encoding="utf-8")
        if release_id == BAIYUN:
            text = text.replace("合计\t1,989.76", "合计\t1,999.76", 1)
        (lake_dir / "raw" / f"{release_id}.txt").write_text(text, encoding="utf-8")
    register_releases(instance, releases)
    return releases


def test_release_job_over_a_span_lands_the_good_releases_and_names_the_bad_one(
    dbt_manifest, lake_dir, instance
):
    from orchestration.definitions import defs
    from orchestration.run_all import run_job

    releases = _samples_with_baiyun_unbalanced(lake_dir, instance)

    outcome = run_job(defs, "release_job", instance, span=(releases[0], releases[-1]))

    assert not outcome.success
    assert outcome.partition_key == f"{releases[0]}..{releases[-1]}"
    failed = " ".join(outcome.failed_checks)
    assert "projects_sum_to_declared_total" in failed
    assert f"1 of {len(releases)} releases fail. {BAIYUN}:" in failed
    landed = [r for r in releases if partition_path(lake_dir, "projects", r).exists()]
    assert landed == [r for r in releases if r != BAIYUN]
    materialized = instance.get_materialized_partitions(dg.AssetKey(["lake", "release_tables"]))
    assert materialized == set(landed)


def test_release_job_over_a_span_writes_two_events_per_release_and_checks_once_per_run(
    dbt_manifest, lake_dir, instance
):
    """Each event costs ~10 ms on stock sqlite: per release only Dagster's planned event and the
    materialisation, the checks once per run, one log entry for the run (docs/benchmarks.md)."""
    from orchestration.assets.lake import CHECK_NAMES
    from orchestration.definitions import defs
    from orchestration.run_all import run_job

    releases = _samples_with_baiyun_unbalanced(lake_dir, instance)

    run_job(defs, "release_job", instance, span=(releases[0], releases[-1]))

    (run,) = instance.get_run_records()
    records = instance.get_records_for_run(run.dagster_run.run_id, limit=10_000).records
    by_type = Counter(r.event_log_entry.dagster_event_type for r in records)
    assert by_type[dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED] == len(releases)
    assert by_type[dg.DagsterEventType.ASSET_MATERIALIZATION] == len(releases) - 1
    assert by_type[dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED] == len(CHECK_NAMES)
    assert by_type[dg.DagsterEventType.ASSET_CHECK_EVALUATION] == len(CHECK_NAMES)
    (log,) = [r.event_log_entry for r in records if not r.event_log_entry.is_dagster_event]
    assert log.user_message.startswith(f"published {len(releases) - 1} of {len(releases)} ")
    assert f"{BAIYUN}: not published." in log.user_message
