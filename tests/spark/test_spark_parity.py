"""The same dbt project on DuckDB and on Apache Spark gives the same marts, row for row.

One lake (the five committed samples plus three generated releases, both layouts) is built once
on each engine (target dev and target spark) with the build the data-triggered marts_job runs:
seeds, models and every data test, without the unit tests and seed-only tests (tests of code,
not of data; they also pass on Spark, but cost a minute there). The module's tests then compare
what each engine wrote. Spark runs in local mode inside
its own dbt process, in a work folder of its own (warehouse, Derby metastore, temp files) that is
deleted afterwards. Spark's marts are read from the Parquet files of its managed tables, so no
second JVM is needed to read them back.

Expected values that do not come from either engine: the 合计 printed in a sample release, typed
from the document, and each generated release's total as the generator made it.
"""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from bench.generate import GeneratedRelease, generate_releases
from bench.paths import dbt_command, load_releases
from bench.spark import dbt_spark_command, java_available, spark_table_glob

REPO_DIR = Path(__file__).resolve().parents[2]
SAMPLES_DIR = REPO_DIR / "data_lake" / "raw"
GENERATED_SEED = 14
GENERATED_RELEASES = 3
GENERATED_MEAN_KB = 12

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
    root = tmp_path_factory.mktemp("spark_parity_lake")
    raw = root / "raw"
    raw.mkdir()
    for sample in sorted(SAMPLES_DIR.glob("*.txt")):
        shutil.copy(sample, raw / sample.name)
    generated = generate_releases(GENERATED_SEED, GENERATED_RELEASES, GENERATED_MEAN_KB)
    for release in generated:
        (raw / f"{release.release_id}.txt").write_text(release.text, encoding="utf-8")
    lake = root / "lake"
    outcomes = load_releases(sorted(raw.glob("*.txt")), lake, workers=1)
    refused = [outcome.release_id for outcome in outcomes if not outcome.landed]
    assert not refused, f"releases refused while building the parity lake: {refused}"
    return ParityLake(lake, generated)


@pytest.fixture(scope="module")
def build_args(dbt_manifest: Path) -> list[str]:
    from orchestration.assets.dbt import DBT_EXCLUDE

    return ["build", "--exclude", DBT_EXCLUDE]


@pytest.fixture(scope="module")
def duckdb_marts(
    parity_lake: ParityLake, build_args: list[str], tmp_path_factory: pytest.TempPathFactory
) -> BuiltMarts:
    root = tmp_path_factory.mktemp("spark_parity_duckdb")
    warehouse = root / "warehouse.duckdb"
    dbt_command(build_args, parity_lake.lake_dir, warehouse, root / "dbt_target")
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


@pytest.fixture(scope="module")
def spark_marts(
    parity_lake: ParityLake, build_args: list[str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BuiltMarts]:
    _require_java()
    work = tmp_path_factory.mktemp("spark_parity_spark")
    try:
        dbt_spark_command(build_args, parity_lake.lake_dir, work)
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
        yield BuiltMarts("spark", tables)
    finally:
        shutil.rmtree(work, ignore_errors=True)


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
    different = []
    for name, expected in duckdb_marts.tables.items():
        columns = sorted(expected.schema.names)
        expected_rows = _rows(expected, columns)
        actual_rows = _rows(spark_marts.tables[name], columns)
        if len(actual_rows) != len(expected_rows):
            different.append(
                f"{name}: {len(actual_rows)} rows on spark, {len(expected_rows)} on duckdb"
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
    assert not different


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
    projects = spark_marts.tables["fct_projects"]
    with duckdb.connect() as connection:
        connection.register("projects", projects)
        totals = dict(
            connection.sql(
                "select release_id, sum(total_wan) from projects group by release_id"
            ).fetchall()
        )
    for release in parity_lake.generated:
        assert totals[release.release_id] == Decimal(release.total_cents_of_wan) / 100


def test_spark_keeps_chinese_text_intact(spark_marts: BuiltMarts):
    departments = set(spark_marts.tables["fct_projects"].column("department_zh").to_pylist())
    # As printed in the samples' 部门名称 lines.
    assert {"中共广州市白云区区委政法委员会", "广州市公安局", "天津市公安局"} <= departments
    subjects = set(spark_marts.tables["reconciliation"].column("entity_name_zh").to_pylist())
    assert "合计" in subjects
