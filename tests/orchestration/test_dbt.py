import os

import dagster as dg

from orchestration.assets.dbt import BudgetDbtTranslator, dbt_environment, dbt_layer

TRANSLATOR = BudgetDbtTranslator()


def _model(*fqn: str) -> dict:
    return {"resource_type": "model", "name": fqn[-1], "fqn": list(fqn)}


def test_translator_prefixes_model_key_with_its_folder():
    props = _model("budget_performance", "marts", "fct_projects")

    assert TRANSLATOR.get_asset_key(props) == dg.AssetKey(["marts", "fct_projects"])


def test_translator_groups_model_by_its_first_folder_when_nested():
    props = _model("budget_performance", "staging", "lake", "stg_lake__projects")

    assert TRANSLATOR.get_group_name(props) == "staging"


def test_translator_maps_every_lake_source_to_the_one_lake_asset():
    props = {"resource_type": "source", "source_name": "lake", "name": "projects", "fqn": []}

    assert TRANSLATOR.get_asset_key(props) == dg.AssetKey(["lake", "release_tables"])


def test_dbt_layer_of_seed_is_seeds():
    assert (
        dbt_layer({"resource_type": "seed", "fqn": ["budget_performance", "category_rules"]})
        == "seeds"
    )


def test_dbt_environment_restores_previous_values(monkeypatch):
    monkeypatch.setenv("BUDGET_LAKE_DIR", "/before")
    monkeypatch.delenv("BUDGET_WAREHOUSE_PATH", raising=False)

    with dbt_environment({"BUDGET_LAKE_DIR": "/lake", "BUDGET_WAREHOUSE_PATH": "/w.duckdb"}):
        inside = (os.environ["BUDGET_LAKE_DIR"], os.environ["BUDGET_WAREHOUSE_PATH"])

    assert inside == ("/lake", "/w.duckdb")
    assert os.environ["BUDGET_LAKE_DIR"] == "/before"
    assert "BUDGET_WAREHOUSE_PATH" not in os.environ
