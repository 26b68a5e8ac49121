"""dbt project end to end: a hand-made Parquet lake, `dbt seed` + `dbt build`, then the marts.

The fixture lake follows docs/data_contract.md column for column (decimal128(18, 2) amounts, hive
folders `release_id=<id>`). Its figures are typed by hand so that the expected verdicts below are
independent of the SQL under test: one rounding gap, two real mismatches, a project name repeated
within a unit, a bond project, a release without 合计 (a 0-row declared_totals file) and no
parse_warnings file at all (the empty-table fallback).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SOURCES_YML = DBT_PROJECT_DIR / "models" / "staging" / "lake" / "_lake__sources.yml"
DATA_CONTRACT = REPO_ROOT / "docs" / "data_contract.md"

GZ = "gz-demo"
TJ = "tj-demo"

WAN = pa.decimal128(18, 2)

# Columns of each lake table, typed by hand from docs/data_contract.md (commit 25ea383).
CONTRACT_COLUMNS: dict[str, list[str]] = {
    "releases": [
        "release_id",
        "source_file",
        "source_sha256",
        "source_bytes",
        "encoding",
        "layout",
        "department_zh",
        "department_source",
        "currency_unit_zh",
        "budget_year",
        "publisher_zh",
        "source_url",
        "published_on",
        "n_budget_units",
        "n_projects",
        "n_indicators",
        "parser_version",
        "source_line",
    ],
    "budget_units": [
        "release_id",
        "unit_id",
        "unit_seq",
        "unit_code",
        "unit_name_zh",
        "declared_total_wan",
        "declared_fiscal_wan",
        "declared_special_account_wan",
        "declared_other_wan",
        "has_declared_totals",
        "source_file",
        "source_line",
    ],
    "declared_totals": [
        "release_id",
        "subject",
        "total_wan",
        "fiscal_wan",
        "special_account_wan",
        "other_wan",
        "source_file",
        "source_line",
    ],
    "projects": [
        "release_id",
        "project_id",
        "project_seq",
        "unit_id",
        "unit_name_zh",
        "project_name_zh",
        "project_name_key",
        "total_wan",
        "fiscal_wan",
        "special_account_wan",
        "other_wan",
        "bond_wan",
        "currency_unit_zh",
        "amount_conversion",
        "goal_zh",
        "purpose_zh",
        "indicators_raw_zh",
        "n_indicators",
        "is_classified",
        "is_bond_table",
        "flags",
        "source_file",
        "source_line",
        "source_line_end",
    ],
    "indicators": [
        "release_id",
        "source_file",
        "project_id",
        "indicator_id",
        "indicator_seq",
        "printed_number",
        "level1_code",
        "level1_name_zh",
        "level2_code",
        "level2_name_zh",
        "indicator_name_zh",
        "description_zh",
        "period_target_zh",
        "annual_target_zh",
        "target_kind",
        "target_operator",
        "target_value",
        "target_unit",
        "is_quantified",
        "period_target_kind",
        "flags",
        "source_line",
    ],
    "parse_warnings": ["release_id", "source_file", "source_line", "code", "message"],
}

SCHEMAS: dict[str, pa.Schema] = {
    "releases": pa.schema(
        [
            ("release_id", pa.string()),
            ("source_file", pa.string()),
            ("source_sha256", pa.string()),
            ("source_bytes", pa.int64()),
            ("encoding", pa.string()),
            ("layout", pa.string()),
            ("department_zh", pa.string()),
            ("department_source", pa.string()),
            ("currency_unit_zh", pa.string()),
            ("budget_year", pa.int64()),
            ("publisher_zh", pa.string()),
            ("source_url", pa.string()),
            ("published_on", pa.date32()),
            ("n_budget_units", pa.int64()),
            ("n_projects", pa.int64()),
            ("n_indicators", pa.int64()),
            ("parser_version", pa.string()),
            ("source_line", pa.int64()),
        ]
    ),
    "budget_units": pa.schema(
        [
            ("release_id", pa.string()),
            ("unit_id", pa.string()),
            ("unit_seq", pa.int64()),
            ("unit_code", pa.string()),
            ("unit_name_zh", pa.string()),
            ("declared_total_wan", WAN),
            ("declared_fiscal_wan", WAN),
            ("declared_special_account_wan", WAN),
            ("declared_other_wan", WAN),
            ("has_declared_totals", pa.bool_()),
            ("source_file", pa.string()),
            ("source_line", pa.int64()),
        ]
    ),
    "declared_totals": pa.schema(
        [
            ("release_id", pa.string()),
            ("subject", pa.string()),
            ("total_wan", WAN),
            ("fiscal_wan", WAN),
            ("special_account_wan", WAN),
            ("other_wan", WAN),
            ("source_file", pa.string()),
            ("source_line", pa.int64()),
        ]
    ),
    "projects": pa.schema(
        [
            ("release_id", pa.string()),
            ("project_id", pa.string()),
            ("project_seq", pa.int64()),
            ("unit_id", pa.string()),
            ("unit_name_zh", pa.string()),
            ("project_name_zh", pa.string()),
            ("project_name_key", pa.string()),
            ("total_wan", WAN),
            ("fiscal_wan", WAN),
            ("special_account_wan", WAN),
            ("other_wan", WAN),
            ("bond_wan", WAN),
            ("currency_unit_zh", pa.string()),
            ("amount_conversion", pa.string()),
            ("goal_zh", pa.string()),
            ("purpose_zh", pa.string()),
            ("indicators_raw_zh", pa.string()),
            ("n_indicators", pa.int64()),
            ("is_classified", pa.bool_()),
            ("is_bond_table", pa.bool_()),
            ("flags", pa.string()),
            ("source_file", pa.string()),
            ("source_line", pa.int64()),
            ("source_line_end", pa.int64()),
        ]
    ),
    "indicators": pa.schema(
        [
            ("release_id", pa.string()),
            ("source_file", pa.string()),
            ("project_id", pa.string()),
            ("indicator_id", pa.string()),
            ("indicator_seq", pa.int64()),
            ("printed_number", pa.int64()),
            ("level1_code", pa.string()),
            ("level1_name_zh", pa.string()),
            ("level2_code", pa.string()),
            ("level2_name_zh", pa.string()),
            ("indicator_name_zh", pa.string()),
            ("description_zh", pa.string()),
            ("period_target_zh", pa.string()),
            ("annual_target_zh", pa.string()),
            ("target_kind", pa.string()),
            ("target_operator", pa.string()),
            ("target_value", pa.decimal128(9, 2)),
            ("target_unit", pa.string()),
            ("is_quantified", pa.bool_()),
            ("period_target_kind", pa.string()),
            ("flags", pa.string()),
            ("source_line", pa.int64()),
        ]
    ),
}


def lake_source_columns(sources_yml: Path = SOURCES_YML) -> dict[str, list[str]]:
    """Columns of each table of the `lake` source, in yml order: the hook drift tests compare."""
    document = yaml.safe_load(sources_yml.read_text(encoding="utf-8"))
    (lake,) = [source for source in document["sources"] if source["name"] == "lake"]
    return {
        table["name"]: [column["name"] for column in table.get("columns", [])]
        for table in lake["tables"]
    }


def contract_table_columns(contract: Path, table: str) -> list[str]:
    """Column names of one `## <table>` markdown table of the data contract, in order."""
    text = contract.read_text(encoding="utf-8")
    section = re.search(rf"^## {table}\b.*?$(.*?)(?=^## |\Z)", text, re.M | re.S)
    if section is None:
        raise KeyError(table)
    columns: list[str] = []
    for line in section.group(1).splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or cells[0] in ("column", "") or set(cells[0]) <= {"-"}:
            continue
        columns.extend(name.strip() for name in cells[0].split(","))
    return columns


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
        "goal_zh": "完成年度工作",
        "purpose_zh": None,
        "indicators_raw_zh": "产出指标\t数量指标\t次数\t≥1次",
        "n_indicators": 1,
        "is_classified": False,
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
) -> dict[str, object]:
    kind, operator, value, unit = target
    return {
        "release_id": release_id,
        "source_file": f"{release_id}.txt",
        "project_id": project_id,
        "indicator_id": f"{project_id}-{seq:03d}",
        "indicator_seq": seq,
        "printed_number": seq,
        "level1_code": "1",
        "level1_name_zh": "产出指标",
        "level2_code": "11",
        "level2_name_zh": "数量指标",
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
        "flags": "",
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
                "currency_unit_zh": "万元",
                "budget_year": None,
                "publisher_zh": None,
                "source_url": None,
                "published_on": None,
                "n_budget_units": 2,
                "n_projects": 5,
                "n_indicators": 2,
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
            ),
        ],
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
                "currency_unit_zh": "万元",
                "budget_year": 2024,
                "publisher_zh": None,
                "source_url": None,
                "published_on": None,
                "n_budget_units": 1,
                "n_projects": 3,
                "n_indicators": 0,
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
        "indicators": [],
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
    """Write LAKE_ROWS as data_lake/parquet/<table>/release_id=<id>/part-0.parquet."""
    for release_id, tables in LAKE_ROWS.items():
        for table, rows in tables.items():
            folder = lake_dir / "parquet" / table / f"release_id={release_id}"
            folder.mkdir(parents=True, exist_ok=True)
            frame = pa.Table.from_pylist(rows, schema=SCHEMAS[table])
            pq.write_table(frame, folder / "part-0.parquet")


@dataclass(frozen=True)
class DbtRun:
    """What a fixture build leaves behind."""

    warehouse: Path
    logs: str


def _dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate if candidate.exists() else REPO_ROOT / ".venv" / "bin" / "dbt")


def _run_dbt(command: list[str], env: dict[str, str], tmp_dir: Path) -> str:
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
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{output}"
    return output


@pytest.fixture(scope="module")
def dbt_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DbtRun]:
    tmp_dir = tmp_path_factory.mktemp("dbt_build")
    lake_dir = tmp_dir / "data_lake"
    write_fixture_lake(lake_dir)
    warehouse = lake_dir / "warehouse.duckdb"
    env = {
        **os.environ,
        "BUDGET_LAKE_DIR": str(lake_dir),
        "BUDGET_WAREHOUSE_PATH": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }
    logs = _run_dbt(["seed"], env, tmp_dir)
    logs += _run_dbt(["build"], env, tmp_dir)
    yield DbtRun(warehouse=warehouse, logs=logs)


def _query(run: DbtRun, sql: str) -> list[tuple]:
    with duckdb.connect(str(run.warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()


# ---------------------------------------------------------------------------------------------
# Drift: the dbt source yml, the contract and the fixture agree.


@pytest.mark.parametrize("table", sorted(CONTRACT_COLUMNS))
def test_lake_sources_yml_columns_match_the_data_contract(table: str) -> None:
    assert lake_source_columns()[table] == CONTRACT_COLUMNS[table]


@pytest.mark.parametrize("table", ["releases", "budget_units", "projects"])
def test_data_contract_tables_match_the_hand_typed_columns(table: str) -> None:
    assert contract_table_columns(DATA_CONTRACT, table) == CONTRACT_COLUMNS[table]


@pytest.mark.parametrize("table", sorted(SCHEMAS))
def test_fixture_lake_schemas_follow_the_contract(table: str) -> None:
    assert SCHEMAS[table].names == CONTRACT_COLUMNS[table]


@pytest.mark.parametrize(
    "table", ["budget_units", "declared_totals", "projects", "indicators", "parse_warnings"]
)
def test_lake_sources_yml_columns_match_the_parser_tables(table: str) -> None:
    from parsers.release import table_columns

    assert sorted(lake_source_columns()[table]) == sorted(table_columns(table))


def test_lake_sources_yml_columns_match_the_pandera_schemas() -> None:
    from parsers.schemas import SCHEMAS as PANDERA_SCHEMAS

    yml = lake_source_columns()
    missing = {
        table: sorted(set(schema.columns) - set(yml[table]))
        for table, schema in PANDERA_SCHEMAS.items()
        if set(schema.columns) - set(yml[table])
    }
    assert missing == {}


def test_lake_sources_yml_types_every_column() -> None:
    document = yaml.safe_load(SOURCES_YML.read_text(encoding="utf-8"))
    untyped = [
        f"{table['name']}.{column['name']}"
        for source in document["sources"]
        for table in source["tables"]
        for column in table["columns"]
        if not column.get("data_type")
    ]
    assert untyped == []


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
        "select indicator_id, target_value from staging.stg_lake__indicators order by 1",
    )
    assert rows == [("aaaaaaaaaaaaaaa1-001", Decimal("95")), ("aaaaaaaaaaaaaaa1-002", None)]


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
        ("fct_projects", "BASE TABLE"),
        ("reconciliation", "BASE TABLE"),
        ("spending_by_category", "BASE TABLE"),
    }
    assert {kind for schema, _, kind in rows if schema == "staging"} == {"VIEW"}
