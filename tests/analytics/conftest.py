"""Warehouses for the analyst tools: a tiny hand-made one, and one built from the samples.

The tiny warehouse has the columns of the marts (dbt_project/models/marts/*.yml) and a
handful of rows typed by hand, with names taken from the Guangzhou sample releases. The
sample warehouse is a copy of what the real pipeline (orchestration.run_all.run_pipeline) built
from every committed release (the session's ``sample_pipeline``); tests that use it are marked
slow.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

MART_TABLES = ("fct_projects", "spending_by_category", "reconciliation")

# Baiyun (guangzhou-baiyun-political-legal-committee.txt) and the public security bureau,
# shortened; amounts in 万元 as printed.
TINY_MARTS_SQL = """
create schema marts;
create schema staging;
create table marts.fct_projects (
    project_id varchar, release_id varchar, unit_id varchar, project_seq bigint,
    department_zh varchar, unit_name_zh varchar, project_name_zh varchar,
    category_code varchar, category_zh varchar, category_en varchar,
    category_rule_id integer, category_keyword_zh varchar,
    total_wan decimal(18, 2), fiscal_wan decimal(18, 2), special_account_wan decimal(18, 2),
    other_wan decimal(18, 2), bond_wan decimal(18, 2), n_indicators bigint,
    is_classified boolean, is_bond_table boolean, flags varchar,
    source_file varchar, source_line bigint
);
insert into marts.fct_projects values
    ('p1', 'gz-psb', 'u1', 1, '广州市公安局', '广州市公安局', '机构运行辅助经费',
     'personnel_support', '人员与运行保障', 'Personnel and running support', 1, '辅助',
     71531.34, 71531.34, 0, 0, 0, 5, false, false, '', 'gz-psb.txt', 61),
    ('p2', 'gz-psb', 'u1', 2, '广州市公安局', '广州市公安局', '公安事务经费',
     'uncategorised', '未分类', 'Uncategorised', null, null,
     25349.85, 25349.85, 0, 0, 0, 4, false, false, '', 'gz-psb.txt', 62),
    ('p3', 'by', 'u2', 1, '中共广州市白云区区委政法委员会', '中共广州市白云区区委政法委员会',
     '综治信息化平台运维经费', 'it_systems_data', '信息化与数据', 'IT systems and data', 2, '平台',
     475.90, 475.90, 0, 0, 0, 6, false, false, '', 'by.txt', 12);
create table marts.spending_by_category as
select release_id, department_zh, unit_id, any_value(unit_name_zh) as unit_name_zh,
       category_code, any_value(category_zh) as category_zh,
       any_value(category_en) as category_en, count(*) as project_count,
       sum(total_wan) as total_wan, sum(fiscal_wan) as fiscal_wan,
       sum(special_account_wan) as special_account_wan, sum(other_wan) as other_wan,
       sum(bond_wan) as bond_wan,
       sum(sum(total_wan)) over (partition by release_id) as department_total_wan,
       sum(total_wan) / sum(sum(total_wan)) over (partition by release_id)
           as share_of_department_total
from marts.fct_projects
group by release_id, department_zh, unit_id, category_code;
create table marts.reconciliation (
    reconciliation_id varchar, release_id varchar, level varchar, subject varchar,
    entity_name_zh varchar, unit_id varchar, project_id varchar, funding_source varchar,
    declared_wan decimal(18, 2), computed_wan decimal(18, 2), difference_wan decimal(18, 2),
    tolerance_wan decimal(18, 3), n_summed bigint, status varchar,
    source_file varchar, source_line bigint
);
insert into marts.reconciliation values
    ('r1', 'gz-psb', 'release', '合计 vs projects', '合计', null, null, 'total',
     96881.20, 96881.19, 0.01, 0.010, 2, 'rounding', 'gz-psb.txt', 10),
    ('r2', 'gz-psb', 'project', 'total vs funding sources', '机构运行辅助经费', 'u1', 'p1',
     'total', 71531.34, 71531.34, 0, 0.005, 1, 'exact', 'gz-psb.txt', 61),
    ('r3', 'by', 'release', '合计 vs projects', '合计', null, null, 'total',
     476.00, 475.90, 0.10, 0.005, 1, 'mismatch', 'by.txt', 10);
"""

INDICATOR_MARTS_SQL = """
create table marts.fct_indicators as
select * from (values
    ('p1-001', 'p1', 'gz-psb', '广州市公安局', '辅警人数', 'comparison', true),
    ('p1-002', 'p1', 'gz-psb', '广州市公安局', '群众满意度', 'exact', true),
    ('p3-001', 'p3', 'by', '中共广州市白云区区委政法委员会', '系统运行', 'qualitative', false)
) as t(indicator_id, project_id, release_id, department_zh, indicator_name_zh,
       target_kind, is_quantified);
create table marts.indicator_completeness_by_department as
select department_zh, count(distinct project_id) as project_count,
       avg(case when is_quantified then 1 else 0 end) as quantified_target_share,
       0.5 * avg(case when is_quantified then 1 else 0 end) as completeness_score
from marts.fct_indicators group by department_zh;
"""


def build_tiny_warehouse(path: Path, with_indicator_marts: bool = False) -> Path:
    """Create the hand-made warehouse at ``path`` and return it."""
    with duckdb.connect(str(path)) as connection:
        connection.execute(TINY_MARTS_SQL)
        if with_indicator_marts:
            connection.execute(INDICATOR_MARTS_SQL)
    return path


@pytest.fixture
def tiny_warehouse(tmp_path: Path) -> Path:
    """The three current marts, a few hand-typed rows; no indicator marts."""
    return build_tiny_warehouse(tmp_path / "tiny.duckdb")


@pytest.fixture
def tiny_warehouse_with_indicators(tmp_path: Path) -> Path:
    """The tiny warehouse plus marts.fct_indicators and indicator_completeness_by_department."""
    return build_tiny_warehouse(tmp_path / "tiny_full.duckdb", with_indicator_marts=True)


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory, sample_pipeline) -> Path:
    """A copy of the warehouse the pipeline's own code path built from every sample release.

    The build is the session's ``sample_pipeline`` (tests/conftest.py), shared with the
    end-to-end checks; the analyst tools read a copy of its file. The marts must exist; a
    failing warn-level dbt test or asset check does not stop the analyst tools, so only missing
    marts fail the fixture.
    """
    built = sample_pipeline.lake / "warehouse.duckdb"
    failures = "; ".join(
        f"{run.label}: {run.failed_steps + run.failed_checks}"
        for run in sample_pipeline.result.failures
    )
    if not built.exists():
        pytest.fail(f"the pipeline built no warehouse: {failures}")
    warehouse = Path(shutil.copy(built, tmp_path_factory.mktemp("sample_warehouse")))
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = {
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
    missing = sorted(set(MART_TABLES) - tables)
    if missing:
        pytest.fail(f"the pipeline built no {', '.join(missing)}: {failures}")
    return warehouse
