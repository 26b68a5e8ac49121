import json
import os

import dagster as dg
import pytest

from orchestration.assets.dbt import (
    BudgetDbtTranslator,
    dbt_environment,
    dbt_layer,
    describe_dbt_test,
)

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


def test_test_description_is_the_one_written_in_the_yml():
    props = {"name": "t", "description": "  Shares add up\n  to 1. ", "test_metadata": {}}

    assert describe_dbt_test(props) == "Shares add up to 1."


def test_test_description_of_an_undescribed_generic_test_names_its_call():
    props = {
        "name": "relationships_fct_projects_unit_id",
        "description": "",
        "test_metadata": {
            "name": "relationships",
            "namespace": None,
            "kwargs": {
                "column_name": "unit_id",
                "to": "ref('stg_lake__budget_units')",
                "field": "unit_id",
                "model": "{{ get_where_subquery(ref('fct_projects')) }}",
            },
        },
    }

    assert describe_dbt_test(props) == (
        "dbt test relationships (column_name: unit_id, to: ref('stg_lake__budget_units'), "
        "field: unit_id)"
    )


@pytest.fixture(scope="module")
def asset_graph(dbt_manifest):
    from orchestration.definitions import defs

    return defs.resolve_asset_graph()


def test_dbt_checks_leave_out_the_code_only_tests(asset_graph, dbt_manifest):
    code_only = {
        node["name"]
        for node in json.loads(dbt_manifest.read_text())["nodes"].values()
        if node["resource_type"] == "test" and "code_only" in node["tags"]
    }
    declared = {check.name for check in asset_graph.asset_check_keys}

    assert code_only
    assert not code_only & declared


def test_dbt_checks_each_carry_a_description(asset_graph):
    undescribed = [
        check
        for check in asset_graph.asset_check_keys
        if not asset_graph.get_check_spec(check).description
    ]

    assert undescribed == []


def test_dbt_check_shows_the_description_written_for_its_test(asset_graph):
    key = dg.AssetCheckKey(
        dg.AssetKey(["marts", "fct_projects"]), "assert_every_project_has_exactly_one_category"
    )

    assert asset_graph.get_check_spec(key).description == (
        "Each staged project is in fct_projects exactly once, with exactly one category."
    )


def test_dbt_model_links_to_its_sql_file(asset_graph):
    node = asset_graph.get(dg.AssetKey(["marts", "fct_projects"]))

    (reference,) = node.metadata["dagster/code_references"].code_references
    assert reference.file_path.endswith("dbt_project/models/marts/fct_projects.sql")


def test_every_dbt_asset_follows_the_lake_through_one_automation_condition(asset_graph):
    from orchestration.assets.dbt import MARTS_AUTOMATION

    dbt_keys = [
        key
        for key in asset_graph.get_all_asset_keys()
        if asset_graph.get(key).group_name in {"staging", "intermediate", "marts", "seeds"}
    ]

    assert {asset_graph.get(key).automation_condition for key in dbt_keys} == {MARTS_AUTOMATION}


def test_dbt_build_retries_while_another_process_holds_the_build_file(
    dbt_manifest, tmp_path, monkeypatch
):
    import subprocess
    import sys

    import orchestration.assets.dbt as dbt_module
    from lake.warehouse import build_path
    from orchestration.resources import LakeResource, build_dbt_resource

    monkeypatch.setattr(dbt_module, "LOCK_RETRIES", 2)
    monkeypatch.setattr(dbt_module, "LOCK_RETRY_SECONDS", 0)
    (tmp_path / "raw").mkdir()
    live = tmp_path / "warehouse.duckdb"
    held = build_path(live)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True);"
            " time.sleep(120)",
            str(held),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = dg.materialize(
            [dbt_module.dbt_models],
            resources={
                "dbt": build_dbt_resource(),
                "lake": LakeResource(lake_dir=str(tmp_path), warehouse_path=str(live)),
            },
            raise_on_error=False,
        )
    finally:
        holder.kill()
        holder.wait()

    retries = [
        event for event in result.all_events if event.event_type_value == "STEP_UP_FOR_RETRY"
    ]
    assert not result.success
    assert len(retries) == 2
    assert not live.exists()


def test_full_build_refreshes_every_model_from_an_empty_file():
    from lake.build_state import MartsPlan
    from orchestration.assets.dbt import dbt_build_args

    assert dbt_build_args(MartsPlan(True, "no record")) == ["build", "--full-refresh"]


def test_incremental_build_leaves_out_what_the_copy_holds_and_passes_no_vars():
    from lake.build_state import MartsPlan
    from orchestration.assets.dbt import INCREMENTAL_EXCLUDE, dbt_build_args

    args = dbt_build_args(MartsPlan(False, "2 changed", ("a", "b")))

    # No --vars: dbt hashes them into its parse state, and a new list every build meant a full
    # parse every build.
    assert args == ["build", "--exclude", INCREMENTAL_EXCLUDE]
    assert set(INCREMENTAL_EXCLUDE.split()) == {
        "resource_type:seed",
        "path:models/intermediate,config.materialized:view",
    }


def test_incremental_build_names_the_changed_releases_in_the_environment():
    from lake.build_state import MartsPlan
    from orchestration.assets.dbt import dbt_plan_env
    from settings import CHANGED_RELEASE_IDS_ENV

    env = dbt_plan_env(MartsPlan(False, "2 changed", ("a", "b")))

    assert env == {CHANGED_RELEASE_IDS_ENV: '["a", "b"]'}


def test_incremental_build_with_nothing_changed_names_an_empty_list_not_every_release():
    from lake.build_state import MartsPlan
    from orchestration.assets.dbt import dbt_plan_env
    from settings import CHANGED_RELEASE_IDS_ENV

    assert dbt_plan_env(MartsPlan(False, "0 changed", ())) == {CHANGED_RELEASE_IDS_ENV: "[]"}


def test_full_build_clears_an_inherited_list_of_changed_releases():
    from lake.build_state import MartsPlan
    from orchestration.assets.dbt import dbt_plan_env
    from settings import CHANGED_RELEASE_IDS_ENV

    assert dbt_plan_env(MartsPlan(True, "no record")) == {CHANGED_RELEASE_IDS_ENV: ""}
