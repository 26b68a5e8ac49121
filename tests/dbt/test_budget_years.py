"""The year-over-year marts on several budget years: hand-made pairs and generated departments.

Expected values for the hand-made pairs (tests/dbt/budget_years/) are typed from those files;
for the generated departments they come from the generator's own record of what it did to each
project (bench/generate.py ``generate_budget_years``), never from the marts.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import duckdb
import pandas as pd
import pytest

from parsers.text import department_key

pytestmark = pytest.mark.slow

BAIYUN = "中共广州市白云区区委政法委员会"
TJ_HEALTH = "天津市卫生健康委员会"
TJ_HEALTH_BEFORE = "天津市卫生和计划生育委员会"
SEED = (
    __import__("pathlib").Path(__file__).resolve().parents[2]
    / "dbt_project"
    / "seeds"
    / "department_aliases.csv"
)


def _query(lake, sql: str) -> list[tuple]:
    with duckdb.connect(str(lake / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_department_years_guangzhou_pair_as_typed_from_the_files(budget_years_lake):
    rows = _query(
        budget_years_lake,
        f"""
        select budget_year, release_id, budget_year_source, n_projects, total_wan,
               previous_budget_year, previous_total_wan, change_wan, round(change_pct, 4)
        from marts.department_years where department_zh = '{BAIYUN}' order by budget_year
        """,
    )
    assert rows == [
        (2024, "gz-baiyun-2024", "document", 4, Decimal("175.46"), None, None, None, None),
        (
            2025,
            "gz-baiyun-2025",
            "document",
            4,
            Decimal("189.50"),
            2024,
            Decimal("175.46"),
            Decimal("14.04"),
            8.0018,
        ),
    ]


def test_project_year_changes_guangzhou_pair_has_each_status(budget_years_lake):
    rows = _query(
        budget_years_lake,
        f"""
        select project_name_zh, status, total_wan, previous_total_wan, change_wan,
               n_targets_tightened, n_targets_loosened, match_method
        from marts.project_year_changes
        where department_zh = '{BAIYUN}' and budget_year = 2025 order by project_name_zh
        """,
    )
    assert sorted(rows) == sorted(
        [
            (
                "公费医疗超支及自付经费",
                "changed",
                Decimal("7.00"),
                Decimal("7.00"),
                Decimal("0.00"),
                1,
                0,
                "name",
            ),
            ("政府雇员公用经费", "ended", None, Decimal("5.10"), Decimal("-5.10"), 0, 0, "none"),
            (
                "政府雇员工资经费",
                "changed",
                Decimal("150.00"),
                Decimal("143.36"),
                Decimal("6.64"),
                0,
                1,
                "name",
            ),
            (
                "综治中心运行经费",
                "unchanged",
                Decimal("20.00"),
                Decimal("20.00"),
                Decimal("0.00"),
                0,
                0,
                "name",
            ),
            ("平安建设宣传经费", "new", Decimal("12.50"), None, Decimal("12.50"), 0, 0, "none"),
        ]
    )


def test_indicator_target_changes_guangzhou_pair_reads_the_direction_of_each_bound(
    budget_years_lake,
):
    rows = _query(
        budget_years_lake,
        f"""
        select project_name_zh, indicator_name_zh, previous_annual_target_zh, annual_target_zh,
               target_change
        from marts.indicator_target_changes
        where department_zh = '{BAIYUN}' and budget_year = 2025
        """,
    )
    assert sorted(rows) == sorted(
        [
            ("公费医疗超支及自付经费", "医疗定点报销比例%", "100%", "100%", "unchanged"),
            ("公费医疗超支及自付经费", "政法工作人员满意度", "≥90%", "≥95%", "tightened"),
            ("政府雇员工资经费", "保障雇员人数", "17人", "17人", "unchanged"),
            ("政府雇员工资经费", "工资发放及时率", "≥95%", "≥90%", "loosened"),
            ("综治中心运行经费", "中心正常运行率", "≥98%", "≥98%", "unchanged"),
        ]
    )


def test_renamed_tianjin_department_keeps_one_department_id(budget_years_lake):
    rows = _query(
        budget_years_lake,
        f"""
        select department_id, department_zh, department_zh_printed, budget_year, total_wan,
               change_wan
        from marts.department_years
        where department_zh_printed in ('{TJ_HEALTH}', '{TJ_HEALTH_BEFORE}')
        order by budget_year
        """,
    )
    assert len({row[0] for row in rows}) == 1
    assert [row[1:] for row in rows] == [
        (TJ_HEALTH, TJ_HEALTH_BEFORE, 2024, Decimal("42.15"), None),
        (TJ_HEALTH, TJ_HEALTH, 2025, Decimal("60.15"), Decimal("18.00")),
    ]


def test_renamed_tianjin_department_matches_its_projects_by_unit_code(budget_years_lake):
    rows = _query(
        budget_years_lake,
        f"""
        select unit_match_key, project_name_zh, status, n_targets_tightened
        from marts.project_year_changes
        where department_zh = '{TJ_HEALTH}' and budget_year = 2025
        """,
    )
    assert sorted(rows) == [
        ("345101", "信息化运维经费", "changed", 1),  # ≤4小时 → ≤2小时
        ("345101", "数据治理服务项目", "new", 0),
        ("345102", "办公设备购置经费", "ended", 0),
    ]


def test_generated_statuses_are_the_generators(budget_years_lake, generated_budget_years):
    frame = pd.DataFrame(
        _query(
            budget_years_lake,
            """
            select department_zh, budget_year, project_name_zh, status
            from marts.project_year_changes
            where coalesce(release_id, previous_release_id) like 'years-%'
            """,
        ),
        columns=["department", "year", "name", "status"],
    )
    expected = Counter(
        (truth.department_key, truth.budget_year, truth.name, truth.status)
        for truth in generated_budget_years.projects
    )
    assert Counter(map(tuple, frame.itertuples(index=False))) == expected


def test_generated_target_moves_are_the_generators(budget_years_lake, generated_budget_years):
    rows = _query(
        budget_years_lake,
        """
        select department_zh, budget_year, sum(n_targets_tightened), sum(n_targets_loosened)
        from marts.project_year_changes
        where release_id like 'years-%' and status <> 'new'
        group by all
        """,
    )
    expected: Counter = Counter()
    for truth in generated_budget_years.projects:
        if truth.status != "new" and truth.status != "ended":
            key = (truth.department_key, truth.budget_year)
            expected[key, "tightened"] += truth.n_targets_tightened
            expected[key, "loosened"] += truth.n_targets_loosened
    found: Counter = Counter()
    for department, year, tightened, loosened in rows:
        found[(department, year), "tightened"] += tightened
        found[(department, year), "loosened"] += loosened
    assert +found == +expected
    assert sum(expected.values()) > 0


def test_generated_department_totals_count_the_current_release_only(
    budget_years_lake, generated_budget_years
):
    current = {
        (item.release.release_id): item.release.total_cents_of_wan
        for item in generated_budget_years.releases
        if item.is_current
    }
    rows = _query(
        budget_years_lake,
        "select release_id, total_wan, n_superseded_releases from marts.department_years"
        " where release_id like 'years-%'",
    )
    assert {row[0]: int(row[1] * 100) for row in rows} == current
    assert sorted(row[2] for row in rows) == [0] * (len(rows) - 1) + [1]  # the draft


def test_department_aliases_are_written_as_department_keys():
    aliases = pd.read_csv(SEED, dtype=str)
    for column in ("alias_key", "department_key"):
        assert [department_key(name) for name in aliases[column]] == list(aliases[column])


def test_repeated_names_are_matched_by_order_and_marked(budget_years_lake):
    rows = _query(
        budget_years_lake,
        """
        select count(*), count(distinct project_key)
        from marts.project_year_changes
        where release_id like 'years-%' and match_method = 'order_among_equals'
        """,
    )
    n_rows, n_projects = rows[0]
    # Each generated department prints one name twice in its own unit every year: two rows a
    # year after the first, two distinct projects.
    assert n_rows == 3 * 2 * 2
    assert n_projects == 3 * 2
