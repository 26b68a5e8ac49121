"""Every sample release, raw → Parquet → dbt marts, through the same code path as ``make run``.

One pipeline pass into a temporary lake and warehouse (the session's ``sample_pipeline``,
which the analyst tools' tests read too), then checks on the marts through DuckDB. Expected
合计 figures are typed from line 10 of each Guangzhou document; Tianjin prints none.
"""

from collections import Counter
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from lake.frames import release_frames

pytestmark = pytest.mark.slow

RAW_DIR = Path(__file__).resolve().parent.parent / "data_lake" / "raw"
RELEASE_IDS = sorted(path.stem for path in RAW_DIR.glob("*.txt"))
DECLARED_GRAND_TOTALS_WAN = {
    "guangzhou-baiyun-political-legal-committee": Decimal("1989.76"),
    "guangzhou-government-services-data-bureau": Decimal("86246.64"),
    "guangzhou-huadu-police-branch": Decimal("34942.95"),
    "guangzhou-public-security-bureau": Decimal("195510.94"),
}
# (release_id, level, subject) of mismatches we know the documents contain. None so far:
# every gap in the samples is rounding drift within n × 0.005 万元.
EXPECTED_MISMATCHES: set[tuple[str, str, str]] = set()
TABLES = (
    "releases",
    "budget_units",
    "declared_totals",
    "projects",
    "indicators",
    "parse_warnings",
    "reconciliation",
)


@pytest.fixture(scope="module")
def pipeline(sample_pipeline):
    """The session's one pass of every release and dbt into a throw-away lake: (result, lake)."""
    yield sample_pipeline.result, sample_pipeline.lake


@pytest.fixture(scope="module")
def warehouse(pipeline):
    _, lake = pipeline
    with duckdb.connect(str(lake / "warehouse.duckdb"), read_only=True) as connection:
        yield connection


def test_pipeline_succeeds_for_every_sample_release_and_dbt(pipeline):
    result, _ = pipeline

    failures = {run.label: run.failed_steps + run.failed_checks for run in result.failures}
    assert failures == {}
    assert result.release_ids == RELEASE_IDS
    # One release run over all five partitions (not one per release), then dbt once.
    assert [run.label for run in result.runs] == [
        f"release_job[{RELEASE_IDS[0]}..{RELEASE_IDS[-1]}]",
        "marts_job",
    ]


def test_pipeline_writes_one_partition_per_release_for_every_table(pipeline):
    _, lake = pipeline

    for table in TABLES:
        folders = sorted(p.name for p in (lake / "parquet" / table).iterdir())
        assert folders == [f"release_id={release_id}" for release_id in RELEASE_IDS], table


def test_fct_projects_rows_equal_sum_of_release_project_counts(pipeline, warehouse):
    _, lake = pipeline
    glob = f"{lake}/parquet/releases/*/*.parquet"
    per_release = dict(
        warehouse.execute(
            f"select release_id, n_projects from read_parquet('{glob}', hive_partitioning=true)"
        ).fetchall()
    )
    in_marts = dict(
        warehouse.execute(
            "select release_id, count(*) from marts.fct_projects group by 1"
        ).fetchall()
    )

    assert in_marts == per_release
    assert sum(in_marts.values()) == sum(per_release.values())


def test_reconciliation_has_no_unexpected_mismatch(warehouse):
    mismatches = set(
        warehouse.execute(
            "select release_id, level, subject from marts.reconciliation where status = 'mismatch'"
        ).fetchall()
    )

    assert mismatches == EXPECTED_MISMATCHES


def test_reconciliation_carries_each_documents_declared_grand_total(warehouse):
    declared = dict(
        warehouse.execute(
            """
            select release_id, declared_wan from marts.reconciliation
            where level = 'release' and subject = '合计 vs projects' and funding_source = 'total'
            """
        ).fetchall()
    )

    assert declared == DECLARED_GRAND_TOTALS_WAN


def test_spending_by_category_sums_to_department_totals(warehouse):
    rows = warehouse.execute(
        """
        select s.release_id, sum(s.total_wan), max(s.department_total_wan), min(s.department_total_wan),
               (select sum(p.total_wan) from marts.fct_projects p where p.release_id = s.release_id)
        from marts.spending_by_category s group by s.release_id order by 1
        """
    ).fetchall()

    assert [row[0] for row in rows] == RELEASE_IDS
    for release_id, by_category, department_max, department_min, projects in rows:
        assert department_max == department_min, release_id
        assert by_category == department_max == projects, release_id


def test_run_all_summary_reads_one_line_per_release(pipeline):
    from orchestration.run_all import format_summary, read_summary

    _, lake = pipeline
    rows = read_summary(lake / "warehouse.duckdb")

    assert [row[0] for row in rows] == RELEASE_IDS
    assert "0 mismatch" in format_summary(rows)


def test_run_all_summary_warns_that_the_samples_state_no_budget_year(pipeline):
    # None of the five samples prints a year in its title/header, and none has a sidecar.
    from orchestration.run_all import format_summary, read_summary

    _, lake = pipeline
    summary = format_summary(read_summary(lake / "warehouse.duckdb"))

    assert "warning: 5 release(s) without a budget year" in summary


def test_readme_pastes_the_summary_make_run_prints_on_the_samples(pipeline):
    from orchestration.run_all import format_summary, read_summary

    _, lake = pipeline
    readme = (RAW_DIR.parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What `make run` prints on the five samples", 1)[1]
    pasted = section.split("```\n", 2)[1].rstrip("\n")

    assert pasted == format_summary(read_summary(lake / "warehouse.duckdb"))


def test_sql_reconciliation_agrees_with_the_python_checks(warehouse):
    # The rules live once, in parsers/reconciliation.py: the Dagster checks judge its rows and
    # the lake carries them to marts.reconciliation. Every figure and status arrives unchanged.
    from parsers.reconciliation import reconcile
    from parsers.release import parse_release

    python_rows: Counter = Counter()
    for release_id in RELEASE_IDS:
        frame = reconcile(release_frames(parse_release(RAW_DIR / f"{release_id}.txt")))
        python_rows.update(
            (r.release_id, r.level, r.funding_source, r.declared_wan, r.computed_wan, r.status)
            for r in frame.itertuples()
        )
    sql_rows = Counter(
        warehouse.execute(
            "select release_id, level, funding_source, declared_wan, computed_wan, status "
            "from marts.reconciliation"
        ).fetchall()
    )
    assert sql_rows == python_rows


def test_every_lake_table_reads_as_one_dataset_with_each_readers_defaults(pipeline):
    import pandas as pd
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    from lake.contract import dataset_schema, file_schema

    _, lake = pipeline
    for table in TABLES:
        folder = lake / "parquet" / table
        files = sorted(folder.glob("*/*.parquet"))
        rows = sum(pq.read_metadata(path).num_rows for path in files)
        # One Arrow schema in every partition, the contract's, release_id in the folder only.
        assert [pq.read_schema(path).remove_metadata() for path in files] == [
            file_schema(table)
        ] * len(RELEASE_IDS), table

        with duckdb.connect() as connection:
            duck = connection.sql(
                f"select * from read_parquet('{folder}/*/*.parquet', hive_partitioning=true)"
            ).to_arrow_table()
        arrow = ds.dataset(folder, partitioning="hive").to_table()
        frame = pd.read_parquet(folder)

        expected_columns = sorted(dataset_schema(table).names)
        assert sorted(duck.column_names) == expected_columns, table
        assert sorted(arrow.column_names) == expected_columns, table
        assert sorted(map(str, frame.columns)) == expected_columns, table
        assert arrow.schema.field("release_id").type == pa.string(), table
        assert duck.num_rows == arrow.num_rows == len(frame) == rows, table
        with_rows = {
            path.parent.name.removeprefix("release_id=")
            for path in files
            if pq.read_metadata(path).num_rows
        }
        assert set(duck.column("release_id").to_pylist()) == with_rows, table
        assert set(frame["release_id"].astype(str)) == with_rows, table


def test_rerunning_every_release_yields_identical_marts(sample_pipeline_copy, tmp_path):
    # Idempotence: a second pass over the same raw files replaces each release's own
    # partitions and rebuilds the marts; no row is duplicated, no figure moves. A read-only
    # connection stays open meanwhile: the rebuilt warehouse is swapped in whole. It runs on a
    # copy of the session's sample lake, which other modules read.
    from orchestration.run_all import run_pipeline

    lake = sample_pipeline_copy

    def snapshot():
        with duckdb.connect(str(lake / "warehouse.duckdb"), read_only=True) as connection:
            return {
                mart: connection.execute(f"select * from marts.{mart} order by all").fetchall()
                for mart in (
                    "fct_projects",
                    "reconciliation",
                    "spending_by_category",
                    "fct_indicators",
                )
            }

    before = snapshot()
    (tmp_path / "dagster_home").mkdir()
    with (
        duckdb.connect(str(lake / "warehouse.duckdb"), read_only=True),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setenv("BUDGET_LAKE_DIR", str(lake))
        patch.setenv("BUDGET_WAREHOUSE_PATH", str(lake / "warehouse.duckdb"))
        patch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
        with dg.DagsterInstance.ephemeral() as instance:
            again = run_pipeline(instance)
    assert again.success
    after = snapshot()
    assert {mart: len(rows) for mart, rows in after.items()} == {
        mart: len(rows) for mart, rows in before.items()
    }
    assert after == before


def test_marts_hold_no_machine_path(pipeline, warehouse):
    # Provenance is a file name and a line; the lake's absolute location must not leak into
    # what analysts (or anyone the marts are shared with) read.
    _, lake = pipeline
    leaks = []
    for table, column in warehouse.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' and data_type = 'VARCHAR'"
    ).fetchall():
        hits = warehouse.execute(
            f'select count(*) from marts."{table}" where "{column}" like ? or "{column}" like ?',
            [f"%{lake.parent}%", f"%{RAW_DIR.parent.parent}%"],
        ).fetchone()[0]
        if hits:
            leaks.append((table, column, hits))
    assert leaks == []
