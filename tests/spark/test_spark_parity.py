"""The same dbt project on DuckDB and on Apache Spark gives the same marts, row for row.

One lake (the five committed samples plus three generated releases, both layouts) is built once
on each engine (target dev and target spark) with the build the data-triggered marts_job runs:
seeds, models and every data test, without the unit tests and seed-only tests (tests of code,
not of data; they also pass on Spark, but cost a minute there). The module's tests then compare
what each engine wrote. Spark runs in local mode inside
its own dbt process, in a work folder of its own (warehouse, Derby metastore, temp files) that is
deleted afterwards. Spark's marts are read from the Parquet files of its managed tables, so no
second JVM is needed to read them back.

Then the incremental marts on Spark (docs/scaling.md, "Incremental marts"): on the full Spark
build's own warehouse, once both full builds are read, a release is added, one is corrected (its
file edited so its figures change) and one is withdrawn as the raw sensor withdraws a deleted
file (lake/withdraw.py). Spark builds again as marts_job would: the plan from the lake's
fingerprints before and after (lake/build_state.py), its dbt arguments and its list of changed
releases (orchestration/assets/dbt.py). That build must equal a full rebuild of the changed lake,
every mart row for row. The full rebuild is made on DuckDB: a full Spark build costs minutes, a
DuckDB one seconds, and the parity tests above hold DuckDB's full build to Spark's on the same
project, so a difference here is the incremental path's (a release's rows kept, lost or
doubled), not the engine's. The parity lake serves both: on Spark each dbt node costs about a
second whatever its rows, so a lake of the test's own would save nothing and need another full
Spark build.

Expected values that do not come from either engine: the 合计 printed in a sample release, typed
from the document, each generated release's total as the generator made it, and the corrected
figures as the test edits them.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from bench.generate import GeneratedRelease, generate_releases
from bench.paths import dbt_command, load_releases
from bench.spark import dbt_spark_command, java_available, spark_table_glob
from lake.build_state import MartsPlan, current_build_state, plan_marts_build
from lake.withdraw import withdraw_vanished_releases

REPO_DIR = Path(__file__).resolve().parents[2]
SAMPLES_DIR = REPO_DIR / "data_lake" / "raw"
GENERATED_SEED = 14
GENERATED_RELEASES = 3
GENERATED_MEAN_KB = 12
# The incremental build's three kinds of change, and a release it must leave as it was.
ADDED_SEED = GENERATED_SEED + 1
CHANGED = "guangzhou-huadu-police-branch"
# 保安服务费 481.21 → 581.21 万元, with the 合计 and unit rows (34,942.95 → 35,042.95) so that
# the release still reconciles and is published.
CHANGED_EDITS = (
    ("保安服务费\t481.21\t481.21", "保安服务费\t581.21\t581.21"),
    ("\t34,942.95\t34,942.95", "\t35,042.95\t35,042.95"),
)
CHANGED_PROJECT = "保安服务费"
REMOVED = "guangzhou-government-services-data-bureau"
UNTOUCHED = "tianjin-public-security-bureau"

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class BuiltMarts:
    """The marts of one engine, each as an Arrow table."""

    engine: str
    tables: dict[str, pa.Table]


@dataclass(frozen=True)
class ParityLake:
    lake_dir: Path
    generated: list[GeneratedRelease]


@dataclass(frozen=True)
class IncrementalBuild:
    """The Spark warehouse after marts_job's incremental build, and what to hold it to."""

    plan: MartsPlan
    withdrawn: list[str]
    added: GeneratedRelease
    marts: BuiltMarts
    rebuilt: BuiltMarts
    dbt_log: str
    dbt_target: Path
    # Every file of UNTOUCHED's partitions in Spark's warehouse: (inode, mtime) before and after.
    untouched_before: dict[str, tuple[int, int]]
    untouched_after: dict[str, tuple[int, int]]
    removed_partitions_before: list[Path]
    removed_partitions_after: list[Path]


def _require_java() -> None:
    if java_available():
        return
    message = (
        "java is not on the PATH: Spark cannot start (apt-get install -y openjdk-17-jre-headless)"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def parity_lake(tmp_path_factory: pytest.TempPathFactory) -> ParityLake:
    # raw/ inside the lake, as the platform keeps it: withdrawing a release finds it gone there.
    lake = tmp_path_factory.mktemp("spark_parity_lake") / "lake"
    raw = lake / "raw"
    raw.mkdir(parents=True)
    for sample in sorted(SAMPLES_DIR.glob("*.txt")):
        shutil.copy(sample, raw / sample.name)
    generated = generate_releases(GENERATED_SEED, GENERATED_RELEASES, GENERATED_MEAN_KB)
    for release in generated:
        (raw / f"{release.release_id}.txt").write_text(release.text, encoding="utf-8")
    _publish(sorted(raw.glob("*.txt")), lake)
    return ParityLake(lake, generated)


def _publish(raw_paths: list[Path], lake: Path) -> None:
    outcomes = load_releases(raw_paths, lake, workers=1)
    refused = [outcome.release_id for outcome in outcomes if not outcome.landed]
    assert not refused, f"releases refused while building the parity lake: {refused}"


@pytest.fixture(scope="module")
def build_args(dbt_manifest: Path) -> list[str]:
    from orchestration.assets.dbt import DBT_EXCLUDE

    return ["build", "--exclude", DBT_EXCLUDE]


def _duckdb_build(args: list[str], lake: Path, root: Path) -> BuiltMarts:
    """A DuckDB build of ``lake`` in a new warehouse under ``root``; its marts."""
    warehouse = root / "warehouse.duckdb"
    dbt_command(args, lake, warehouse, root / "dbt_target")
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        tables = {
            name: connection.sql(f"select * from marts.{name}").to_arrow_table() for name in names
        }
    return BuiltMarts("duckdb", tables)


def _spark_marts(work: Path) -> BuiltMarts:
    """The marts of the Spark warehouse in ``work``, read from its tables' Parquet files."""
    marts_dir = work / "spark-warehouse" / "marts.db"
    names = sorted(path.name for path in marts_dir.iterdir() if path.is_dir())
    with duckdb.connect() as connection:
        tables = {
            name: connection.sql(
                f"select * from read_parquet('{spark_table_glob(work, 'marts', name)}', "
                "hive_partitioning = true, hive_types_autocast = false)"
            ).to_arrow_table()
            for name in names
        }
    return BuiltMarts("spark", tables)


@pytest.fixture(scope="module")
def duckdb_marts(
    parity_lake: ParityLake, build_args: list[str], tmp_path_factory: pytest.TempPathFactory
) -> BuiltMarts:
    return _duckdb_build(
        build_args, parity_lake.lake_dir, tmp_path_factory.mktemp("spark_parity_duckdb")
    )


@pytest.fixture(scope="module")
def spark_work(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The one Spark work folder of the module: the full build, then the incremental one."""
    _require_java()
    work = tmp_path_factory.mktemp("spark_parity_spark")
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def spark_marts(parity_lake: ParityLake, build_args: list[str], spark_work: Path) -> BuiltMarts:
    dbt_spark_command(build_args, parity_lake.lake_dir, spark_work)
    return _spark_marts(spark_work)


def _marts_job_args(plan: MartsPlan) -> list[str]:
    """marts_job's dbt command line for ``plan``: its arguments, then its assets' exclusion.

    dagster-dbt appends ``@dbt_assets(exclude=DBT_EXCLUDE)`` as a second ``--exclude``; dbt
    leaves out the union of the two.
    """
    from orchestration.assets.dbt import DBT_EXCLUDE, dbt_build_args

    return [*dbt_build_args(plan), "--exclude", DBT_EXCLUDE]


def _partition_files(work: Path, release_id: str) -> dict[str, tuple[int, int]]:
    """Every file of the release's partitions in Spark's warehouse: ``(inode, mtime)`` by path."""
    warehouse = work / "spark-warehouse"
    return {
        str(path.relative_to(warehouse)): (path.stat().st_ino, path.stat().st_mtime_ns)
        for partition in warehouse.glob(f"*.db/*/release_id={release_id}")
        for path in partition.rglob("*")
        if path.is_file()
    }


@pytest.fixture(scope="module")
def spark_incremental(
    parity_lake: ParityLake,
    build_args: list[str],
    duckdb_marts: BuiltMarts,
    spark_marts: BuiltMarts,
    spark_work: Path,
    dbt_manifest: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> IncrementalBuild:
    """Add, correct and withdraw a release; build Spark's warehouse again as marts_job would.

    Asks for both full builds first: it changes their lake, and they are read by then.
    """
    from orchestration.assets.dbt import dbt_plan_env

    lake = parity_lake.lake_dir
    raw = lake / "raw"
    before = current_build_state(lake, dbt_manifest)
    untouched_before = _partition_files(spark_work, UNTOUCHED)
    removed_before = sorted(spark_work.glob(f"spark-warehouse/*.db/*/release_id={REMOVED}"))

    (added,) = generate_releases(ADDED_SEED, 1, GENERATED_MEAN_KB)
    added_raw = raw / f"{added.release_id}.txt"
    added_raw.write_text(added.text, encoding="utf-8")
    changed_raw = raw / f"{CHANGED}.txt"
    text = changed_raw.read_text(encoding="utf-8")
    for old, new in CHANGED_EDITS:
        assert old in text, f"{changed_raw}: {old!r} not found; the sample changed?"
        text = text.replace(old, new)
    changed_raw.write_text(text, encoding="utf-8")
    _publish([added_raw, changed_raw], lake)
    (raw / f"{REMOVED}.txt").unlink()
    withdrawn = [release.release_id for release in withdraw_vanished_releases(lake, [])]

    plan = plan_marts_build(before, current_build_state(lake, dbt_manifest))
    # The DuckDB rebuild (seconds) runs while Spark builds (minutes): both only read the lake.
    with ThreadPoolExecutor(max_workers=1) as pool:
        rebuilding = pool.submit(
            _duckdb_build, build_args, lake, tmp_path_factory.mktemp("spark_incremental")
        )
        dbt_spark_command(_marts_job_args(plan), lake, spark_work, env=dbt_plan_env(plan))
        rebuilt = rebuilding.result()
    dbt_target = spark_work / "dbt_target"
    log = (dbt_target / "dbt.log").read_text(encoding="utf-8")
    return IncrementalBuild(
        plan=plan,
        withdrawn=withdrawn,
        added=added,
        marts=_spark_marts(spark_work),
        rebuilt=rebuilt,
        dbt_log=log.rsplit("running dbt with arguments", 1)[-1],
        dbt_target=dbt_target,
        untouched_before=untouched_before,
        untouched_after=_partition_files(spark_work, UNTOUCHED),
        removed_partitions_before=removed_before,
        removed_partitions_after=sorted(
            spark_work.glob(f"spark-warehouse/*.db/*/release_id={REMOVED}")
        ),
    )


def _sortable(value: object) -> tuple[bool, str]:
    return (value is None, "" if value is None else repr(value))


def _rows(table: pa.Table, columns: list[str]) -> list[tuple]:
    """Rows as tuples of ``columns``, sorted on every column that is not a float."""
    exact = [c for c in columns if not pa.types.is_floating(table.schema.field(c).type)]
    rows = [tuple(row[c] for c in columns) for row in table.select(columns).to_pylist()]
    positions = [columns.index(c) for c in exact]
    return sorted(rows, key=lambda row: [_sortable(row[i]) for i in positions])


def _same_value(left: object, right: object) -> bool:
    # Shares and scores are DOUBLE ratios, summed in another order by each engine: a few ulps.
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=1e-12, abs_tol=1e-15)
    return left == right and type(left) is type(right)


def _row_differences(expected: BuiltMarts, actual: BuiltMarts) -> list[str]:
    """Per mart, the first row that differs (exact decimals and text, floats to a few ulps)."""
    different = []
    for name, expected_table in expected.tables.items():
        columns = sorted(expected_table.schema.names)
        expected_rows = _rows(expected_table, columns)
        actual_rows = _rows(actual.tables[name], columns)
        if len(actual_rows) != len(expected_rows):
            different.append(
                f"{name}: {len(actual_rows)} rows on {actual.engine}, "
                f"{len(expected_rows)} on {expected.engine}"
            )
            continue
        for expected_row, actual_row in zip(expected_rows, actual_rows, strict=True):
            mismatched = [
                (column, e, a)
                for column, e, a in zip(columns, expected_row, actual_row, strict=True)
                if not _same_value(e, a)
            ]
            if mismatched:
                different.append(f"{name}: {mismatched}")
                break
    return different


def _release_totals(marts: BuiltMarts) -> dict[str, Decimal]:
    with duckdb.connect() as connection:
        connection.register("projects", marts.tables["fct_projects"])
        return dict(
            connection.sql(
                "select release_id, sum(total_wan) from projects group by release_id"
            ).fetchall()
        )


def _project_total(marts: BuiltMarts, release_id: str, project_name: str) -> list[Decimal]:
    projects = marts.tables["fct_projects"].to_pylist()
    return [
        row["total_wan"]
        for row in projects
        if row["release_id"] == release_id and row["project_name_zh"] == project_name
    ]


def test_spark_builds_the_same_marts_as_duckdb(duckdb_marts: BuiltMarts, spark_marts: BuiltMarts):
    assert sorted(spark_marts.tables) == sorted(duckdb_marts.tables)
    # The release-keyed marts must hold rows, or the row-for-row comparison proves little.
    for name in ("fct_projects", "fct_indicators", "spending_by_category", "reconciliation"):
        assert duckdb_marts.tables[name].num_rows > 0, name


def test_spark_marts_have_the_same_columns_and_types(
    duckdb_marts: BuiltMarts, spark_marts: BuiltMarts
):
    different = []
    for name, expected in duckdb_marts.tables.items():
        actual = spark_marts.tables[name]
        # Spark stores a partition column last; columns are compared by name.
        assert sorted(actual.schema.names) == sorted(expected.schema.names), name
        for field in expected.schema:
            # Exact decimals with the same precision and scale; integers, text, booleans and
            # dates of the same type (a float's width aside).
            actual_type = actual.schema.field(field.name).type
            if actual_type != field.type and not (
                pa.types.is_floating(actual_type) and pa.types.is_floating(field.type)
            ):
                different.append(f"{name}.{field.name}: spark {actual_type}, duckdb {field.type}")
    assert not different


def test_spark_marts_equal_duckdb_marts_row_for_row(
    duckdb_marts: BuiltMarts, spark_marts: BuiltMarts
):
    assert not _row_differences(duckdb_marts, spark_marts)


def test_spark_keeps_decimals_exact_against_the_printed_total(spark_marts: BuiltMarts):
    projects = spark_marts.tables["fct_projects"]
    with duckdb.connect() as connection:
        connection.register("projects", projects)
        total = connection.sql(
            "select sum(total_wan) from projects "
            "where release_id = 'guangzhou-baiyun-political-legal-committee'"
        ).fetchall()[0][0]
    # 合计 as printed on line 10 of guangzhou-baiyun-political-legal-committee.txt.
    assert projects.schema.field("total_wan").type == pa.decimal128(18, 2)
    assert total == Decimal("1989.76")


def test_spark_keeps_decimals_exact_for_generated_releases(
    spark_marts: BuiltMarts, parity_lake: ParityLake
):
    totals = _release_totals(spark_marts)
    for release in parity_lake.generated:
        assert totals[release.release_id] == Decimal(release.total_cents_of_wan) / 100


def test_spark_keeps_chinese_text_intact(spark_marts: BuiltMarts):
    departments = set(spark_marts.tables["fct_projects"].column("department_zh").to_pylist())
    # As printed in the samples' 部门名称 lines.
    assert {"中共广州市白云区区委政法委员会", "广州市公安局", "天津市公安局"} <= departments
    subjects = set(spark_marts.tables["reconciliation"].column("entity_name_zh").to_pylist())
    assert "合计" in subjects


def test_spark_incremental_build_is_planned_as_marts_job_plans_it(
    spark_incremental: IncrementalBuild,
):
    assert spark_incremental.withdrawn == [REMOVED]
    assert not spark_incremental.plan.full, spark_incremental.plan.reason
    assert sorted(spark_incremental.plan.changed_release_ids) == sorted(
        [spark_incremental.added.release_id, CHANGED, REMOVED]
    )


def test_spark_incremental_build_equals_a_full_rebuild_row_for_row(
    spark_incremental: IncrementalBuild,
):
    assert sorted(spark_incremental.marts.tables) == sorted(spark_incremental.rebuilt.tables)
    for name in ("fct_projects", "fct_indicators", "spending_by_category", "reconciliation"):
        assert spark_incremental.rebuilt.tables[name].num_rows > 0, name
    assert not _row_differences(spark_incremental.rebuilt, spark_incremental.marts)


def test_spark_incremental_build_adds_and_corrects_releases(
    spark_incremental: IncrementalBuild, spark_marts: BuiltMarts
):
    totals = _release_totals(spark_incremental.marts)
    added = spark_incremental.added
    assert totals[added.release_id] == Decimal(added.total_cents_of_wan) / 100
    # The corrected figures, as CHANGED_EDITS typed them; the full build had the printed ones.
    assert _project_total(spark_marts, CHANGED, CHANGED_PROJECT) == [Decimal("481.21")]
    assert _project_total(spark_incremental.marts, CHANGED, CHANGED_PROJECT) == [Decimal("581.21")]
    assert totals[CHANGED] == Decimal("35042.95")


def test_spark_incremental_build_removes_the_withdrawn_release_and_says_so(
    spark_incremental: IncrementalBuild, spark_marts: BuiltMarts
):
    assert REMOVED in _release_totals(spark_marts)
    left = {
        name: table.filter(pc.equal(table["release_id"], REMOVED)).num_rows
        for name, table in spark_incremental.marts.tables.items()
        if "release_id" in table.schema.names
    }
    assert left and not any(left.values()), left
    # Its partitions, in staging, intermediate and the marts, were dropped, not emptied.
    assert spark_incremental.removed_partitions_before
    assert not spark_incremental.removed_partitions_after
    assert f"release {REMOVED} is no longer in the lake" in spark_incremental.dbt_log


def test_spark_incremental_build_leaves_untouched_partitions_alone(
    spark_incremental: IncrementalBuild,
):
    # insert_overwrite replaces only the partitions of the releases in its rows: the untouched
    # release's files are the full build's, same inode, same modification time.
    assert spark_incremental.untouched_before
    assert spark_incremental.untouched_after == spark_incremental.untouched_before


def test_spark_incremental_build_tests_only_the_changed_releases(
    spark_incremental: IncrementalBuild,
):
    scope = "release_id in ('" + "', '".join(spark_incremental.plan.changed_release_ids) + "')"
    compiled = spark_incremental.dbt_target / "compiled" / "budget_performance" / "models"
    mart_test = compiled / "marts" / "fct_projects.yml" / "unique_fct_projects_project_id.sql"
    assert scope in mart_test.read_text(encoding="utf-8")
    run_results = json.loads((spark_incremental.dbt_target / "run_results.json").read_text())
    ran = {result["unique_id"].split(".")[0] for result in run_results["results"]}
    failed = [
        result["unique_id"]
        for result in run_results["results"]
        if result["status"] not in {"pass", "success", "warn"}
    ]
    # No seed: the incremental build leaves out what the warehouse already holds.
    assert ran == {"model", "test"}
    assert not failed
