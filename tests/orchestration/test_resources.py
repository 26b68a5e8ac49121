import sys
from pathlib import Path

from orchestration.resources import DEFAULT_LAKE_DIR, LakeResource, dbt_executable


def test_lake_resource_defaults_to_repo_data_lake_when_env_unset(monkeypatch):
    monkeypatch.delenv("BUDGET_LAKE_DIR", raising=False)
    monkeypatch.delenv("BUDGET_WAREHOUSE_PATH", raising=False)

    lake = LakeResource()

    assert lake.lake_path == DEFAULT_LAKE_DIR.resolve()
    assert lake.warehouse == DEFAULT_LAKE_DIR.resolve() / "warehouse.duckdb"


def test_lake_resource_reads_env_vars_at_run_time(monkeypatch, tmp_path):
    lake = LakeResource()
    monkeypatch.setenv("BUDGET_LAKE_DIR", str(tmp_path))
    monkeypatch.setenv("BUDGET_WAREHOUSE_PATH", str(tmp_path / "w.duckdb"))

    assert lake.raw_dir == tmp_path / "raw"
    assert lake.parquet_dir == tmp_path / "parquet"
    assert lake.quarantine_dir == tmp_path / "quarantine"
    assert lake.dbt_env() == {
        "BUDGET_LAKE_DIR": str(tmp_path),
        "BUDGET_WAREHOUSE_PATH": str(tmp_path / "w.duckdb"),
    }


def test_dbt_executable_is_the_interpreters_sibling():
    assert Path(dbt_executable()) == Path(sys.executable).with_name("dbt")


def test_dbt_resource_is_dagster_dbts_own_resource_on_the_venvs_dbt():
    from dagster_dbt import DbtCliResource

    from orchestration.resources import build_dbt_resource

    resource = build_dbt_resource()

    assert type(resource) is DbtCliResource
    assert resource.dbt_executable == dbt_executable()
