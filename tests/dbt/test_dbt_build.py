"""dbt project end to end: a hand-made Parquet lake, `dbt seed` + `dbt build`, then the marts.

The fixture lake is written by the lake's own writer (lake/writer.py, the contract's Arrow schema,
hive folders `release_id=<id>`), and its reconciliation table by parsers/reconciliation.py, as the
publisher does. Its figures are typed by hand so that the expected verdicts below are independent
of the code under test: one rounding gap, two real mismatches, a project name repeated
within a unit, a bond project, a release without 合计 (a 0-row declared_totals file) and no
parse_warnings file at all (the empty-table fallback). The indicators cover both frameworks: the
Guangzhou release prints the 2021 one with codes (4-成本指标 / 41-经济成本指标), the Tianjin one the
older one without codes (成本指标 under 产出, names with the 指标 suffix) plus a bond table's 偿债指标;
one classified project prints a placeholder and one indicator a level-2 name no framework knows.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

GZ = "gz-demo"
TJ = "tj-demo"

# ---------------------------------------------------------------------------------------------
# The fixture lake, typed by hand.


def _d(text: str) -> Decimal:
    return Decimal(text)


def _project(
    release_id: str,
    project_id: str,
    seq: int,
    unit_id: str,
    unit_name: str,
    name: str,
    amounts: tuple[str, str, str, str, str],
    line: int,
    *,
    is_bond_table: bool = False,
    is_classified: bool = False,
    goal: str | None = "完成年度工作",
    flags: str = "",
) -> dict[str, object]:
    total, fiscal, special, other, bond = (_d(amount) for amount in amounts)
    return {
        "release_id": release_id,
        "project_id": project_id,
        "project_seq": seq,
        "unit_id": unit_id,
        "unit_name_zh": unit_name,
        "project_name_zh": name,
        "project_name_key": name.replace(" ", ""),
        "total_wan": total,
        "fiscal_wan": fiscal,
        "special_account_wan": special,
        "other_wan": other,
        "bond_wan": bond,
        "currency_unit_zh": "万元",
        "amount_conversion": None,
        "goal_zh": goal,
        "purpose_zh": None,
        "indicators_raw_zh": "产出指标\t数量指标\t次数\t≥1次",
        "n_indicators": 1,
        "is_classified": is_classified,
        "is_bond_table": is_bond_table,
        "flags": flags,
        "source_file": f"{release_id}.txt",
        "source_line": line,
        "source_line_end": line,
    }


def _indicator(
    release_id: str,
    project_id: str,
    seq: int,
    name: str,
    annual: str,
    target: tuple[str, str | None, str | None, str | None],
    line: int,
    *,
    level1: tuple[str | None, str] = ("1", "产出指标"),
    level2: tuple[str | None, str | None] = ("11", "数量指标"),
    flags: str = "",
) -> dict[str, object]:
    """One indicator row; levels are (code, name) as printed, codes None in Tianjin."""
    kind, operator, value, unit = target
    return {
        "release_id": release_id,
        "source_file": f"{release_id}.txt",
        "project_id": project_id,
        "indicator_id": f"{project_id}-{seq:03d}",
        "indicator_seq": seq,
        "printed_number": seq if level1[0] is not None else None,
        "level1_code": level1[0],
        "level1_name_zh": level1[1],
        "level2_code": level2[0],
        "level2_name_zh": level2[1],
        "indicator_name_zh": name,
        "description_zh": None,
        "period_target_zh": None,
        "annual_target_zh": annual,
        "target_kind": kind,
        "target_operator": operator,
        "target_value": None if value is None else _d(value),
        "target_unit": unit,
        "is_quantified": value is not None,
        "period_target_kind": None,
        "flags": flags,
        "source_line": line,
    }


GZ_UNIT_1 = "0000000000a1"
GZ_UNIT_2 = "0000000000a2"
TJ_UNIT_1 = "0000000000b1"

LAKE_ROWS: dict[str, dict[str, list[dict[str, object]]]] = {
    GZ: {
        "releases": [
            {
                "release_id": GZ,
                "source_file": f"{GZ}.txt",
                "source_sha256": "ab" * 32,
                "source_bytes": 1234,
                "encoding": "utf-8",
                "layout": "guangzhou_rows",
                "department_zh": "示例市公安局",
                "department_source": "document",
                "department_key": "示例市公安局",
                "currency_unit_zh": "万元",
                "budget_year": None,
                "budget_year_source": None,
                "publisher_zh": None,
                "source_url": None,
                "published_on": None,
                "n_budget_units": 2,
                "n_projects": 5,
                "n_indicators": 9,
                "parser_version": "1",
                "source_line": 3,
            }
        ],
        "declared_totals": [
            {
                # 合计: fiscal 235.01 is one fen above what the units and projects add up to
                # (rounding); the total 261.01 matches the units but not the projects (260.01).
                "release_id": GZ,
                "subject": "合计",
                "total_wan": _d("261.01"),
                "fiscal_wan": _d("235.01"),
                "special_account_wan": _d("0.00"),
                "other_wan": _d("25.00"),
                "source_file": f"{GZ}.txt",
                "source_line": 7,
            }
        ],
        "budget_units": [
            {
                "release_id": GZ,
                "unit_id": GZ_UNIT_1,
                "unit_seq": 1,
                "unit_code": None,
                "unit_name_zh": "示例市公安局",
                "declared_total_wan": _d("160.01"),
                "declared_fiscal_wan": _d("135.00"),
                "declared_special_account_wan": _d("0.00"),
                "declared_other_wan": _d("25.00"),
                "has_declared_totals": True,
                "source_file": f"{GZ}.txt",
                "source_line": 8,
            },
            {
                # The real mistake: declares 101.00, its projects add up to 100.00.
                "release_id": GZ,
                "unit_id": GZ_UNIT_2,
                "unit_seq": 2,
                "unit_code": None,
                "unit_name_zh": "示例区分局",
                "declared_total_wan": _d("101.00"),
                "declared_fiscal_wan": _d("100.00"),
                "declared_special_account_wan": _d("0.00"),
                "declared_other_wan": _d("0.00"),
                "has_declared_totals": True,
                "source_file": f"{GZ}.txt",
                "source_line": 12,
            },
        ],
        "projects": [
            _project(
                GZ,
                "aaaaaaaaaaaaaaa1",
                1,
                GZ_UNIT_1,
                "示例市公安局",
                "示例市公安局 2026年信息化运维项目",
                ("100.00", "100.00", "0.00", "0.00", "0.00"),
                9,
            ),
            _project(
                GZ,
                "aaaaaaaaaaaaaaa2",
                2,
                GZ_UNIT_1,
                "示例市公安局",
                "辅警补助经费",
                ("50.00", "30.00", "0.00", "20.00", "0.00"),
                10,
                # Classified: the goal and the one indicator are placeholders.
                is_classified=True,
                goal="SM项目；SM项目；",
                flags="classified",
            ),
            # Same name again in the same unit; its total is one fen above its sources.
            _project(
                GZ,
                "aaaaaaaaaaaaaaa3",
                3,
                GZ_UNIT_1,
                "示例市公安局",
                "辅警补助经费",
                ("10.01", "5.00", "0.00", "5.00", "0.00"),
                11,
                flags="sources_differ_from_total",
            ),
            _project(
                GZ,
                "aaaaaaaaaaaaaaa4",
                4,
                GZ_UNIT_2,
                "示例区分局",
                "警用车辆购置经费",
                ("80.00", "80.00", "0.00", "0.00", "0.00"),
                13,
            ),
            _project(
                GZ,
                "aaaaaaaaaaaaaaa5",
                5,
                GZ_UNIT_2,
                "示例区分局",
                "业务用房物业管理费",
                ("20.00", "20.00", "0.00", "0.00", "0.00"),
                14,
                goal=None,
            ),
        ],
        # 2021 framework, with codes. a1 covers every dimension (3 of 6 targets quantified); a2 is
        # classified (a placeholder); a3 prints a level 2 no framework knows (创新指标); a4 and a5
        # print no indicator, and a5 no goal either.
        "indicators": [
            _indicator(
                GZ, "aaaaaaaaaaaaaaa1", 1, "运维系统数", "≥95%", ("comparison", "≥", "95", "%"), 9
            ),
            _indicator(
                GZ,
                "aaaaaaaaaaaaaaa1",
                2,
                "服务对象满意度",
                "有效保障",
                ("qualitative", None, None, None),
                9,
                level1=("3", "满意度指标"),
                level2=("31", "服务对象满意度"),
            ),
            _indicator(
                GZ,
                "aaaaaaaaaaaaaaa1",
                3,
                "验收合格率",
                "100%",
                ("exact", "=", "100", "%"),
                9,
                level2=("12", "质量指标"),
            ),
            _indicator(
                GZ,
                "aaaaaaaaaaaaaaa1",
                4,
                "完成时间",
                "2026年12月31日前",
                ("deadline", None, None, None),
                9,
                level2=("13", "时效指标"),
            ),
            _indicator(
                GZ,
                "aaaaaaaaaaaaaaa1",
                5,
                "运维成本",
                "≤100万元",
                ("comparison", "≤", "100", "万元"),
                9,
                level1=("4", "成本指标"),
                level2=("41", "经济成本指标"),
            ),
            _indicator(
                GZ,
                "aaaaaaaaaaaaaaa1",
                6,
                "系统可用率",
                "提升",
                ("direction", None, None, None),
                9,
                level1=("2", "效益指标"),
                level2=("22", "社会效益"),
            ),
            _indicator(
                GZ,
                "aaaaaaaaaaaaaaa2",
                1,
                "待单位补充...",
                "涉密",
                ("placeholder", None, None, None),
                10,
                flags="placeholder",
            ),
            _indicator(
                GZ,
                "aaaaaaaaaaaaaaa3",
                1,
                "新功能数",
                "3个",
                ("exact", "=", "3", "个"),
                11,
                level2=("15", "创新指标"),
                flags="unknown_level2",
            ),
            _indicator(
                GZ,
                "aaaaaaaaaaaaaaa3",
                2,
                "服务对象满意度",
                "≥90%",
                ("comparison", "≥", "90", "%"),
                11,
                level1=("3", "满意度指标"),
                level2=("31", "服务对象满意度"),
            ),
        ],
    },
    TJ: {
        "releases": [
            {
                "release_id": TJ,
                "source_file": f"{TJ}.txt",
                "source_sha256": "cd" * 32,
                "source_bytes": 5678,
                "encoding": "utf-8",
                "layout": "tianjin_tables",
                "department_zh": "示例市公安局（津）",
                "department_source": "unit_codes",
                "department_key": "示例市公安局(津)",
                "currency_unit_zh": "万元",
                "budget_year": 2024,
                "budget_year_source": "sidecar",
                "publisher_zh": None,
                "source_url": None,
                "published_on": None,
                "n_budget_units": 1,
                "n_projects": 3,
                "n_indicators": 9,
                "parser_version": "1",
                "source_line": 1,
            }
        ],
        "declared_totals": [],
        "budget_units": [
            {
                "release_id": TJ,
                "unit_id": TJ_UNIT_1,
                "unit_seq": 1,
                "unit_code": "341101",
                "unit_name_zh": "示例总队",
                "declared_total_wan": None,
                "declared_fiscal_wan": None,
                "declared_special_account_wan": None,
                "declared_other_wan": None,
                "has_declared_totals": False,
                "source_file": f"{TJ}.txt",
                "source_line": 2,
            }
        ],
        "projects": [
            _project(
                TJ,
                "bbbbbbbbbbbbbbb1",
                1,
                TJ_UNIT_1,
                "示例总队",
                "大数据实战中心作战支援系统",
                ("300.00", "0.00", "0.00", "0.00", "300.00"),
                2,
                is_bond_table=True,
                flags="bond_table",
            ),
            _project(
                TJ,
                "bbbbbbbbbbbbbbb2",
                2,
                TJ_UNIT_1,
                "示例总队",
                "市级政府投资项目（公安）-2024债券利息",
                ("12.34", "12.34", "0.00", "0.00", "0.00"),
                40,
            ),
            _project(
                TJ,
                "bbbbbbbbbbbbbbb3",
                3,
                TJ_UNIT_1,
                "示例总队",
                "资金审计团队项目",
                ("5.00", "5.00", "0.00", "0.00", "0.00"),
                80,
            ),
        ],
        # The older framework as Tianjin prints it: no codes, 指标 suffixes, 成本指标 under 产出.
        # b1 (a bond project) covers every dimension and adds a 偿债指标 (5 of 7 quantified); b2
        # covers 产出/数量 and 效益 (1 of 2 quantified); b3 prints no indicator.
        "indicators": [
            _indicator(
                TJ,
                "bbbbbbbbbbbbbbb1",
                1,
                "系统建设数",
                "≥1套",
                ("comparison", "≥", "1", "套"),
                3,
                level1=(None, "产出指标"),
                level2=(None, "数量指标"),
            ),
            _indicator(
                TJ,
                "bbbbbbbbbbbbbbb1",
                2,
                "验收合格率",
                "100%",
                ("exact", "=", "100", "%"),
                4,
                level1=(None, "产出指标"),
                level2=(None, "质量指标"),
            ),
            _indicator(
                TJ,
                "bbbbbbbbbbbbbbb1",
                3,
                "完成时间",
                "2024年12月底前",
                ("deadline", None, None, None),
                5,
                level1=(None, "产出指标"),
                level2=(None, "时效指标"),
            ),
            _indicator(
                TJ,
                "bbbbbbbbbbbbbbb1",
                4,
                "建设成本",
                "≤300万元",
                ("comparison", "≤", "300", "万元"),
                6,
                level1=(None, "产出指标"),
                level2=(None, "成本指标"),
            ),
            _indicator(
                TJ,
                "bbbbbbbbbbbbbbb1",
                5,
                "破案效率",
                "有所提高",
                ("direction", None, None, None),
                7,
                level1=(None, "效益指标"),
                level2=(None, "社会效益指标"),
            ),
            _indicator(
                TJ,
                "bbbbbbbbbbbbbbb1",
                6,
                "群众满意度",
                "≥90%",
                ("comparison", "≥", "90", "%"),
                8,
                level1=(None, "满意度指标"),
                level2=(None, "服务对象满意度指标"),
            ),
            _indicator(
                TJ,
                "bbbbbbbbbbbbbbb1",
                7,
                "偿债倍率",
                "≥1.1",
                ("comparison", "≥", "1.1", None),
                9,
                level1=(None, "偿债指标"),
                level2=(None, "偿债倍率"),
            ),
            _indicator(
                TJ,
                "bbbbbbbbbbbbbbb2",
                1,
                "付息笔数",
                "1笔",
                ("exact", "=", "1", "笔"),
                41,
                level1=(None, "产出指标"),
                level2=(None, "数量指标"),
            ),
            _indicator(
                TJ,
                "bbbbbbbbbbbbbbb2",
                2,
                "按时付息",
                "按时完成",
                ("deadline", None, None, None),
                42,
                level1=(None, "效益指标"),
                level2=(None, "社会效益指标"),
            ),
        ],
    },
}

# (release_id, level, subject, entity, funding_source) -> (status, difference_wan), by hand.
EXPECTED_RECONCILIATION: dict[tuple[str, str, str, str, str], tuple[str, Decimal]] = {
    (GZ, "release", "合计 vs units", "合计", "total"): ("exact", _d("0.00")),
    (GZ, "release", "合计 vs units", "合计", "fiscal"): ("rounding", _d("0.01")),
    (GZ, "release", "合计 vs units", "合计", "special_account"): ("exact", _d("0.00")),
    (GZ, "release", "合计 vs units", "合计", "other"): ("exact", _d("0.00")),
    (GZ, "release", "合计 vs projects", "合计", "total"): ("mismatch", _d("1.00")),
    (GZ, "release", "合计 vs projects", "合计", "fiscal"): ("rounding", _d("0.01")),
    (GZ, "release", "合计 vs projects", "合计", "special_account"): ("exact", _d("0.00")),
    (GZ, "release", "合计 vs projects", "合计", "other"): ("exact", _d("0.00")),
    (GZ, "unit", "unit subtotal vs projects", GZ_UNIT_1, "total"): ("exact", _d("0.00")),
    (GZ, "unit", "unit subtotal vs projects", GZ_UNIT_1, "fiscal"): ("exact", _d("0.00")),
    (GZ, "unit", "unit subtotal vs projects", GZ_UNIT_1, "special_account"): ("exact", _d("0.00")),
    (GZ, "unit", "unit subtotal vs projects", GZ_UNIT_1, "other"): ("exact", _d("0.00")),
    (GZ, "unit", "unit subtotal vs projects", GZ_UNIT_2, "total"): ("mismatch", _d("1.00")),
    (GZ, "unit", "unit subtotal vs projects", GZ_UNIT_2, "fiscal"): ("exact", _d("0.00")),
    (GZ, "unit", "unit subtotal vs projects", GZ_UNIT_2, "special_account"): ("exact", _d("0.00")),
    (GZ, "unit", "unit subtotal vs projects", GZ_UNIT_2, "other"): ("exact", _d("0.00")),
    (GZ, "project", "total vs funding sources", "aaaaaaaaaaaaaaa1", "total"): ("exact", _d("0.00")),
    (GZ, "project", "total vs funding sources", "aaaaaaaaaaaaaaa2", "total"): ("exact", _d("0.00")),
    (GZ, "project", "total vs funding sources", "aaaaaaaaaaaaaaa3", "total"): (
        "rounding",
        _d("0.01"),
    ),
    (GZ, "project", "total vs funding sources", "aaaaaaaaaaaaaaa4", "total"): ("exact", _d("0.00")),
    (GZ, "project", "total vs funding sources", "aaaaaaaaaaaaaaa5", "total"): ("exact", _d("0.00")),
    (TJ, "project", "total vs funding sources", "bbbbbbbbbbbbbbb1", "total"): ("exact", _d("0.00")),
    (TJ, "project", "total vs funding sources", "bbbbbbbbbbbbbbb2", "total"): ("exact", _d("0.00")),
    (TJ, "project", "total vs funding sources", "bbbbbbbbbbbbbbb3", "total"): ("exact", _d("0.00")),
}

EXPECTED_CATEGORIES = {
    "aaaaaaaaaaaaaaa1": "it_systems_data",
    "aaaaaaaaaaaaaaa2": "personnel_support",
    "aaaaaaaaaaaaaaa3": "personnel_support",
    "aaaaaaaaaaaaaaa4": "equipment",
    "aaaaaaaaaaaaaaa5": "buildings_property",
    "bbbbbbbbbbbbbbb1": "it_systems_data",
    "bbbbbbbbbbbbbbb2": "debt_service",
    "bbbbbbbbbbbbbbb3": "uncategorised",
}


def write_fixture_lake(lake_dir: Path) -> None:
    """Write LAKE_ROWS, and each release's reconciliation, as the publisher writes a release."""
    from lake.contract import file_schema
    from lake.writer import write_partition
    from parsers.reconciliation import reconcile

    for release_id, rows in LAKE_ROWS.items():
        tables = {
            table: pd.DataFrame(table_rows, columns=["release_id", *file_schema(table).names])
            for table, table_rows in rows.items()
        }
        tables["reconciliation"] = reconcile(tables)
        for table, frame in tables.items():
            write_partition(frame, table, release_id, lake_dir)


@dataclass(frozen=True)
class DbtRun:
    """What a fixture build leaves behind."""

    warehouse: Path
    logs: str
    manifest: Path


def _dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate if candidate.exists() else REPO_ROOT / ".venv" / "bin" / "dbt")


def _run_dbt(command: list[str], env: dict[str, str], tmp_dir: Path, *, returncode: int = 0) -> str:
    # A target path inside tmp keeps dbt_project/target/manifest.json (Dagster's) untouched.
    args = [
        _dbt_executable(),
        *command,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(tmp_dir / "target"),
        "--log-path",
        str(tmp_dir / "logs"),
    ]
    result = subprocess.run(
        args,
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == returncode, (
        f"{' '.join(command)} exited {result.returncode}:\n{output}"
    )
    return output


def _dbt_env(lake_dir: Path, warehouse: Path) -> dict[str, str]:
    return {
        **os.environ,
        "BUDGET_LAKE_DIR": str(lake_dir),
        "BUDGET_WAREHOUSE_PATH": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }


@pytest.fixture(scope="module")
def dbt_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DbtRun]:
    tmp_dir = tmp_path_factory.mktemp("dbt_build")
    lake_dir = tmp_dir / "data_lake"
    write_fixture_lake(lake_dir)
    warehouse = lake_dir / "warehouse.duckdb"
    env = _dbt_env(lake_dir, warehouse)
    logs = _run_dbt(["seed"], env, tmp_dir)
    logs += _run_dbt(["build"], env, tmp_dir)
    yield DbtRun(warehouse=warehouse, logs=logs, manifest=tmp_dir / "target" / "manifest.json")


def _query(run: DbtRun, sql: str) -> list[tuple]:
    with duckdb.connect(str(run.warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()


# Completeness figures, typed by hand from the fixture indicators above (weights of
# seeds/completeness_weights.csv: 0.15 output, 0.15 effect, 0.10 satisfaction, 0.10 cost, 0.10 each
# quantity / quality / timeliness, 0.10 quantified targets, 0.05 goal present, 0.05 no placeholder).
#
# gz-demo, 5 projects, 9 indicators. Covering: output a1 a2 a3; effect a1; satisfaction a1 a3; cost
# a1; quantity a1 a2; quality a1; timeliness a1. Quantified: 3 (a1) + 0 (a2) + 2 (a3) of 9. Goal
# missing: a5; placeholder: a2. Strictly complete: a1.
#   score = .15*3/5 + .15*1/5 + .10*2/5 + .10*1/5 + .10*2/5 + .10*1/5 + .10*1/5 + .10*5/9
#         + .05*4/5 + .05*4/5 = 0.26 + 0.0555… + 0.08 = 0.395556
# tj-demo, 3 projects, 9 indicators. Covering: output b1 b2; effect b1 b2; satisfaction b1; cost b1
# (成本指标 under 产出); quantity b1 b2; quality b1; timeliness b1. Quantified 5 (b1) + 1 (b2) of 9.
# Every goal printed, no placeholder. Strictly complete: b1.
#   score = (.15*2 + .15*2 + .10 + .10 + .10*2 + .10 + .10 + .10*2)/3 + .05 + .05 = 0.566667
EXPECTED_DEPARTMENT_COMPLETENESS: dict[str, dict[str, float]] = {
    GZ: {
        "project_count": 5,
        "indicator_count": 9,
        "indicators_per_project": 9 / 5,
        "output_coverage_share": 3 / 5,
        "effect_coverage_share": 1 / 5,
        "satisfaction_coverage_share": 2 / 5,
        "cost_coverage_share": 1 / 5,
        "quantity_coverage_share": 2 / 5,
        "quality_coverage_share": 1 / 5,
        "timeliness_coverage_share": 1 / 5,
        "quantified_target_share": 5 / 9,
        "goal_present_share": 4 / 5,
        "placeholder_free_share": 4 / 5,
        "placeholder_or_missing_goal_share": 2 / 5,
        "without_indicators_share": 2 / 5,
        "strictly_complete_share": 1 / 5,
        "unknown_level_name_indicator_count": 1,
        "completeness_score": 0.395556,
    },
    TJ: {
        "project_count": 3,
        "indicator_count": 9,
        "indicators_per_project": 3.0,
        "output_coverage_share": 2 / 3,
        "effect_coverage_share": 2 / 3,
        "satisfaction_coverage_share": 1 / 3,
        "cost_coverage_share": 1 / 3,
        "quantity_coverage_share": 2 / 3,
        "quality_coverage_share": 1 / 3,
        "timeliness_coverage_share": 1 / 3,
        "quantified_target_share": 6 / 9,
        "goal_present_share": 1.0,
        "placeholder_free_share": 1.0,
        "placeholder_or_missing_goal_share": 0.0,
        "without_indicators_share": 1 / 3,
        "strictly_complete_share": 1 / 3,
        "unknown_level_name_indicator_count": 0,
        "completeness_score": 0.566667,
    },
}

# The two Guangzhou units: a1-a3 (all 9 indicators) and a4-a5 (none).
#   unit 1: .15 + .15/3 + .10*2/3 + .10/3 + .10*2/3 + .10/3 + .10/3 + .10*5/9 + .05 + .05*2/3
#         = 5.15/9 = 0.572222
#   unit 2: only the goal of a4 and the absence of placeholders: .05*1/2 + .05 = 0.075
EXPECTED_UNIT_COMPLETENESS: dict[str, dict[str, float]] = {
    GZ_UNIT_1: {
        "project_count": 3,
        "output_coverage_share": 1.0,
        "cost_coverage_share": 1 / 3,
        "placeholder_free_share": 2 / 3,
        "strictly_complete_share": 1 / 3,
        "completeness_score": 0.572222,
    },
    GZ_UNIT_2: {
        "project_count": 2,
        "output_coverage_share": 0.0,
        "quantified_target_share": 0.0,
        "goal_present_share": 1 / 2,
        "without_indicators_share": 1.0,
        "strictly_complete_share": 0.0,
        "completeness_score": 0.075,
    },
}

# (indicator_id) -> (level1_dimension, level2_dimension, framework), by hand from indicator_framework.
EXPECTED_DIMENSIONS = {
    "aaaaaaaaaaaaaaa1-005": ("cost", "economic_cost", "2021"),
    "aaaaaaaaaaaaaaa1-006": ("effect", "social_effect", "both"),
    "aaaaaaaaaaaaaaa3-001": ("output", None, "both"),
    "bbbbbbbbbbbbbbb1-004": ("cost", "cost", "pre-2021"),
    "bbbbbbbbbbbbbbb1-006": ("satisfaction", "beneficiary_satisfaction", "both"),
    "bbbbbbbbbbbbbbb1-007": ("debt_service", "debt_coverage_ratio", "bond"),
}


# ---------------------------------------------------------------------------------------------
# The build and its marts.


@pytest.mark.slow
def test_dbt_build_reads_a_table_without_files_as_empty(dbt_run: DbtRun) -> None:
    assert _query(dbt_run, "select count(*) from staging.stg_lake__parse_warnings") == [(0,)]
    assert "lake table parse_warnings has no Parquet files yet" in dbt_run.logs


@pytest.mark.slow
def test_stg_lake__indicators_keeps_target_values_exact(dbt_run: DbtRun) -> None:
    rows = _query(
        dbt_run,
        """
        select indicator_id, target_value from staging.stg_lake__indicators
        where indicator_id in ('aaaaaaaaaaaaaaa1-001', 'aaaaaaaaaaaaaaa1-002', 'bbbbbbbbbbbbbbb1-007')
        order by 1
        """,
    )
    assert rows == [
        ("aaaaaaaaaaaaaaa1-001", Decimal("95")),
        ("aaaaaaaaaaaaaaa1-002", None),
        ("bbbbbbbbbbbbbbb1-007", Decimal("1.1")),
    ]


@pytest.mark.slow
def test_reconciliation_statuses_are_as_computed_by_hand(dbt_run: DbtRun) -> None:
    rows = _query(
        dbt_run,
        """
        select
            release_id, level, subject,
            case level
                when 'release' then entity_name_zh
                when 'unit' then unit_id
                else project_id
            end as entity,
            funding_source, status, difference_wan
        from marts.reconciliation
        """,
    )
    actual = {tuple(row[:5]): (row[5], row[6]) for row in rows}
    assert len(rows) == len(actual)
    assert actual == EXPECTED_RECONCILIATION


@pytest.mark.slow
def test_reconciliation_tolerance_is_half_a_fen_per_summed_figure(dbt_run: DbtRun) -> None:
    rows = _query(
        dbt_run,
        """
        select n_summed, tolerance_wan
        from marts.reconciliation
        where release_id = 'gz-demo' and subject = '合计 vs projects' and funding_source = 'fiscal'
        """,
    )
    assert rows == [(5, Decimal("0.025"))]


@pytest.mark.slow
def test_every_project_has_exactly_one_category(dbt_run: DbtRun) -> None:
    rows = _query(
        dbt_run,
        "select project_id, count(*), any_value(category_code) from marts.fct_projects group by 1",
    )
    assert {project_id: n for project_id, n, _ in rows} == dict.fromkeys(EXPECTED_CATEGORIES, 1)
    assert {project_id: code for project_id, _, code in rows} == EXPECTED_CATEGORIES


@pytest.mark.slow
def test_fct_projects_keeps_repeated_names_as_separate_projects(dbt_run: DbtRun) -> None:
    rows = _query(
        dbt_run,
        "select count(*) from marts.fct_projects where project_name_zh = '辅警补助经费'",
    )
    assert rows == [(2,)]


@pytest.mark.slow
def test_spending_by_category_shares_sum_to_one_per_department(dbt_run: DbtRun) -> None:
    rows = _query(
        dbt_run,
        """
        select release_id, department_zh, sum(share_of_department_total)
        from marts.spending_by_category
        group by 1, 2
        order by 1
        """,
    )
    assert [row[0] for row in rows] == [GZ, TJ]
    for _, _, share_sum in rows:
        assert share_sum == pytest.approx(1.0, abs=1e-12)


@pytest.mark.slow
def test_spending_by_category_totals_equal_department_totals_exactly(dbt_run: DbtRun) -> None:
    rows = _query(
        dbt_run,
        """
        select release_id, sum(total_wan), sum(bond_wan)
        from marts.spending_by_category
        group by 1
        order by 1
        """,
    )
    assert rows == [
        (GZ, Decimal("260.01"), Decimal("0.00")),
        (TJ, Decimal("317.34"), Decimal("300.00")),
    ]


@pytest.mark.slow
def test_marts_live_in_the_marts_schema(dbt_run: DbtRun) -> None:
    rows = _query(
        dbt_run,
        """
        select table_schema, table_name, table_type
        from information_schema.tables
        where table_schema in ('marts', 'intermediate', 'staging')
        order by 1, 2
        """,
    )
    marts = {(name, kind) for schema, name, kind in rows if schema == "marts"}
    assert marts == {
        ("department_years", "BASE TABLE"),
        ("indicator_target_changes", "BASE TABLE"),
        ("project_year_changes", "BASE TABLE"),
        ("spending_by_category_years", "BASE TABLE"),
        ("fct_indicators", "BASE TABLE"),
        ("fct_projects", "BASE TABLE"),
        ("indicator_completeness_by_department", "BASE TABLE"),
        ("indicator_completeness_by_unit", "BASE TABLE"),
        ("reconciliation", "BASE TABLE"),
        ("spending_by_category", "BASE TABLE"),
        ("unknown_indicator_level_names", "BASE TABLE"),
    }
    # Staging: the lake's rows, stored and keyed by release (incremental builds read only the
    # changed releases' files).
    assert {kind for schema, _, kind in rows if schema == "staging"} == {"BASE TABLE"}
    # Intermediate: views, but for the two read by several marts, stored and keyed by release.
    stored = {name for schema, name, kind in rows if schema == "intermediate" and kind != "VIEW"}
    assert stored == {"int_projects_categorised", "int_project_indicator_coverage"}


@pytest.mark.slow
@pytest.mark.parametrize("release_id", [GZ, TJ])
def test_indicator_completeness_by_department_is_as_computed_by_hand(
    dbt_run: DbtRun, release_id: str
) -> None:
    expected = EXPECTED_DEPARTMENT_COMPLETENESS[release_id]
    columns = ", ".join(expected)
    (row,) = _query(
        dbt_run,
        f"select {columns} from marts.indicator_completeness_by_department "
        f"where release_id = '{release_id}'",
    )
    assert dict(zip(expected, row, strict=True)) == pytest.approx(expected, abs=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("unit_id", [GZ_UNIT_1, GZ_UNIT_2])
def test_indicator_completeness_by_unit_is_as_computed_by_hand(
    dbt_run: DbtRun, unit_id: str
) -> None:
    expected = EXPECTED_UNIT_COMPLETENESS[unit_id]
    columns = ", ".join(expected)
    (row,) = _query(
        dbt_run,
        f"select {columns} from marts.indicator_completeness_by_unit where unit_id = '{unit_id}'",
    )
    assert dict(zip(expected, row, strict=True)) == pytest.approx(expected, abs=1e-9)


@pytest.mark.slow
def test_fct_indicators_maps_printed_names_of_both_frameworks(dbt_run: DbtRun) -> None:
    rows = _query(
        dbt_run,
        "select indicator_id, level1_dimension, level2_dimension, framework "
        "from marts.fct_indicators",
    )
    actual = {row[0]: tuple(row[1:]) for row in rows if row[0] in EXPECTED_DIMENSIONS}
    assert actual == EXPECTED_DIMENSIONS
    assert len(rows) == 18


@pytest.mark.slow
def test_unknown_level_names_are_reported_not_dropped(dbt_run: DbtRun) -> None:
    rows = _query(
        dbt_run,
        "select level_slot, printed_name_zh, indicator_count, example_indicator_id "
        "from marts.unknown_indicator_level_names",
    )
    assert rows == [(2, "创新指标", 1, "aaaaaaaaaaaaaaa3-001")]
    kept = _query(
        dbt_run,
        "select is_level_name_known, level2_name_zh from marts.fct_indicators "
        "where indicator_id = 'aaaaaaaaaaaaaaa3-001'",
    )
    assert kept == [(False, "创新指标")]
    assert re.search(r"WARN 1 assert_every_printed_level_name_is_in_the_framework", dbt_run.logs)


def _stored_failures(
    dbt_run: DbtRun, tmp_path: Path, test_name: str, updates: list[str], columns: str
) -> tuple[str, list[tuple]]:
    """Break a copy of the built warehouse with ``updates``, run one test storing its failures.

    Returns dbt's log and the stored failing rows (``columns``, ordered by all of them).
    """
    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.write_bytes(dbt_run.warehouse.read_bytes())
    with duckdb.connect(str(warehouse)) as connection:
        for update in updates:
            connection.execute(update)
    logs = _run_dbt(
        ["test", "--select", test_name, "--store-failures"],
        _dbt_env(dbt_run.warehouse.parent, warehouse),
        tmp_path,
        returncode=1,
    )
    # dbt points at the stored failing rows: `select * from "<db>"."<schema>"."<test>"`.
    stored = re.search(rf'select \* from "[^"]+"\.("[^"]+"\."{test_name}\w*")', logs)
    assert stored is not None, logs
    n_columns = len(columns.split(","))
    order = ", ".join(str(i) for i in range(1, n_columns + 1))
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            f"select {columns} from {stored.group(1)} order by {order}"
        ).fetchall()
    return logs, rows


@pytest.mark.slow
def test_expect_columns_not_null_names_each_column_with_nulls(
    dbt_run: DbtRun, tmp_path: Path
) -> None:
    # Required columns have one model-level test, not one not_null each: nulls in two of them must
    # fail it with one row per column, in a copy of the built warehouse.
    logs, rows = _stored_failures(
        dbt_run,
        tmp_path,
        "expect_columns_not_null_fct_projects",
        [
            "update marts.fct_projects set unit_name_zh = null "
            "where project_id = 'aaaaaaaaaaaaaaa1'",
            "update marts.fct_projects set source_line = null where release_id = 'tj-demo'",
        ],
        "column_name, n_null_rows",
    )
    assert re.search(r"FAIL 2 expect_columns_not_null_fct_projects", logs)
    assert rows == [("source_line", 3), ("unit_name_zh", 1)]


@pytest.mark.slow
def test_expect_columns_between_names_each_share_out_of_range(
    dbt_run: DbtRun, tmp_path: Path
) -> None:
    # The completeness shares have one model-level [0, 1] test, not one expression_is_true each:
    # shares above 1 and below 0 in two columns must fail it with one row per column, in a copy
    # of the built warehouse. A null share passes (expect_columns_not_null is the test for that).
    logs, rows = _stored_failures(
        dbt_run,
        tmp_path,
        "expect_columns_between_indicator_completeness_by_unit",
        [
            "update marts.indicator_completeness_by_unit set cost_coverage_share = 1.25 "
            f"where unit_id = '{GZ_UNIT_1}'",
            "update marts.indicator_completeness_by_unit "
            "set completeness_score = -0.5, goal_present_share = null "
            f"where unit_id = '{GZ_UNIT_2}'",
        ],
        "column_name, n_out_of_range_rows, min_out_of_range_value, max_out_of_range_value",
    )
    assert re.search(r"FAIL 2 expect_columns_between_indicator_completeness_by_unit", logs)
    assert rows == [("completeness_score", 1, -0.5, -0.5), ("cost_coverage_share", 1, 1.25, 1.25)]


@pytest.mark.slow
def test_expect_columns_accepted_values_names_each_unaccepted_value(
    dbt_run: DbtRun, tmp_path: Path
) -> None:
    # A model's accepted values have one model-level test, not one accepted_values per column:
    # unaccepted values in two columns must fail it with one row per column and value, with its
    # row count, in a copy of the built warehouse. A null passes (expect_columns_not_null decides).
    logs, rows = _stored_failures(
        dbt_run,
        tmp_path,
        "expect_columns_accepted_values_fct_indicators",
        [
            "update marts.fct_indicators set target_operator = '~' "
            "where indicator_id in ('aaaaaaaaaaaaaaa1-001', 'aaaaaaaaaaaaaaa1-003')",
            "update marts.fct_indicators "
            "set target_operator = '≈', framework = '2030', level2_dimension = null "
            "where indicator_id = 'bbbbbbbbbbbbbbb1-007'",
        ],
        "column_name, unaccepted_value, n_unaccepted_rows",
    )
    assert re.search(r"FAIL 3 expect_columns_accepted_values_fct_indicators", logs)
    assert rows == [
        ("framework", "2030", 1),
        ("target_operator", "~", 2),
        ("target_operator", "≈", 1),
    ]


@pytest.mark.slow
def test_code_only_tag_is_on_exactly_the_tests_that_read_only_seeds(dbt_run: DbtRun) -> None:
    # marts_job leaves tag:code_only out (orchestration/assets/dbt.py): a test reading a model or a
    # source must never carry it, and a new test reading only seeds should (make test still runs it).
    nodes = json.loads(dbt_run.manifest.read_text(encoding="utf-8"))["nodes"].values()
    tests = [node for node in nodes if node["resource_type"] == "test"]
    reads_only_seeds = {
        node["name"]
        for node in tests
        if node["depends_on"]["nodes"]
        and all(parent.startswith("seed.") for parent in node["depends_on"]["nodes"])
    }
    tagged = {node["name"] for node in tests if "code_only" in node["tags"]}
    assert tagged == reads_only_seeds
    assert "assert_completeness_weights_sum_to_one" in tagged
    assert re.search(r"PASS assert_completeness_weights_sum_to_one", dbt_run.logs)
