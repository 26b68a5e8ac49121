"""The code location loads, and its asset keys and check names are exactly these."""

import dagster as dg
import pytest

TABLES = ("releases", "budget_units", "declared_totals", "projects", "indicators", "parse_warnings")
EXPECTED_PIPELINE_KEYS = {"raw/release_files", "lake/release_tables"}
EXPECTED_PIPELINE_CHECKS = {
    *(f"lake/release_tables:{table}_matches_schema" for table in TABLES),
    "lake/release_tables:units_sum_to_declared_total",
    "lake/release_tables:projects_sum_to_declared_total",
    "lake/release_tables:projects_sum_to_unit_subtotal",
    "lake/release_tables:funding_sources_sum_to_project_total",
    "lake/release_tables:indicator_numbering_matches_printed",
    "lake/release_tables:release_states_its_budget_year",
}
# The named marts (STYLE.md) that must come out of dbt, each under its layer's prefix.
EXPECTED_DBT_KEYS = {
    "staging/stg_lake__projects",
    "staging/stg_lake__budget_units",
    "staging/stg_lake__declared_totals",
    "marts/fct_projects",
    "marts/reconciliation",
    "marts/spending_by_category",
    "marts/department_years",
    "marts/spending_by_category_years",
    "marts/project_year_changes",
    "marts/indicator_target_changes",
}


@pytest.fixture(scope="module")
def asset_graph(dbt_manifest):
    from orchestration.definitions import defs

    return defs.resolve_asset_graph()


def _is_dbt(asset_graph, key: dg.AssetKey) -> bool:
    return asset_graph.get(key).group_name in {"staging", "intermediate", "marts", "seeds"}


def test_definitions_pipeline_asset_keys_are_exactly_the_expected_set(asset_graph):
    keys = {
        key.to_user_string()
        for key in asset_graph.get_all_asset_keys()
        if not _is_dbt(asset_graph, key)
    }

    assert keys == EXPECTED_PIPELINE_KEYS


def test_definitions_pipeline_check_names_are_exactly_the_expected_set(asset_graph):
    checks = {
        f"{check.asset_key.to_user_string()}:{check.name}"
        for check in asset_graph.asset_check_keys
        if not _is_dbt(asset_graph, check.asset_key)
    }

    assert checks == EXPECTED_PIPELINE_CHECKS


def test_definitions_dbt_assets_include_the_named_marts(asset_graph):
    keys = {key.to_user_string() for key in asset_graph.get_all_asset_keys()}

    assert keys >= EXPECTED_DBT_KEYS


def test_definitions_dbt_groups_are_the_dbt_folders(asset_graph):
    for key in asset_graph.get_all_asset_keys():
        node = asset_graph.get(key)
        if _is_dbt(asset_graph, key):
            assert key.path[0] == node.group_name


def test_definitions_every_staging_model_of_a_lake_table_reads_the_lake_asset(asset_graph):
    for table in TABLES:
        parents = asset_graph.get(dg.AssetKey(["staging", f"stg_lake__{table}"])).parent_keys

        assert parents == {dg.AssetKey(["lake", "release_tables"])}, table


def test_definitions_lake_is_partitioned_by_release_and_backfills_in_runs_of_250(asset_graph):
    lake = asset_graph.get(dg.AssetKey(["lake", "release_tables"]))

    assert lake.partitions_def == dg.DynamicPartitionsDefinition(name="releases")
    assert lake.backfill_policy == dg.BackfillPolicy.multi_run(max_partitions_per_run=250)


def test_definitions_pipeline_checks_are_blocking(asset_graph):
    # The numbering check warns: a numbering defect is the document's, its indicators still count.
    # So does the budget-year check: a release without a year still counts in every other mart.
    for check_key in asset_graph.asset_check_keys:
        if _is_dbt(asset_graph, check_key.asset_key):
            continue
        if check_key.name in {
            "indicator_numbering_matches_printed",
            "release_states_its_budget_year",
        }:
            assert not asset_graph.get_check_spec(check_key).blocking
            continue
        assert asset_graph.get_check_spec(check_key).blocking, check_key


def test_definitions_jobs_are_release_job_and_marts_job(dbt_manifest):
    from orchestration.definitions import defs

    assert {job.name for job in defs.resolve_all_job_defs()} >= {"release_job", "marts_job"}
