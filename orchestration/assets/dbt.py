"""dbt models as Dagster assets: ``dbt build`` over the Parquet lake into DuckDB.

The translator keeps five rules: a model's group is its dbt folder (staging,
intermediate, marts), its key is prefixed by that layer, the ``lake`` sources
are the ``lake/release_tables`` asset this code location writes, so the graph is connected,
every model is owned by the platform team, and the marts carry a freshness expectation.
Descriptions and column schemas come from the dbt yml (dagster-dbt's defaults).
dbt builds into a separate file that replaces the live warehouse only when the whole build
succeeded (lake/warehouse.py), so a failed or killed build never shows half-built marts.
"""

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from lake.locks import LockTimeoutError
from lake.warehouse import (
    IncompleteBuildError,
    WarehouseLockedError,
    discard_build,
    prepare_build,
    publish_build,
    warehouse_build,
)
from orchestration.assets import OWNERS
from orchestration.assets.lake import LAKE_KEY
from orchestration.dbt_project import budget_dbt_project
from orchestration.resources import WAREHOUSE_PATH_ENV, LakeResource

DUCKDB_WRITER_POOL = "duckdb_writer"
# Tests of code, not of the data, stay out of the data-triggered build: dbt's unit tests (SQL logic
# on fixed inputs) and the `code_only` tests (those reading only seeds, which change only with
# code). Both run with every `make test` (tests/dbt: a plain `dbt build`); here each dbt node costs
# ~40 ms plus ~3 Dagster events. Seeds themselves are still built: the warehouse is a fresh file.
# One space-separated --exclude value: dagster-dbt's DbtCliResource.cli re-parses --exclude itself.
DBT_BUILD_ARGS = ("build", "--exclude", "resource_type:unit_test tag:code_only")
MARTS_GROUP = "marts"
# The nightly rebuild refreshes the marts every 24 h; warn after a missed night's margin,
# fail after two. Evaluated when dagster.yaml has `freshness: enabled: true`.
MARTS_FRESHNESS_POLICY = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=48), warn_window=timedelta(hours=26)
)


def dbt_layer(dbt_resource_props: Mapping[str, Any]) -> str:
    """The layer of a dbt node: its first folder under models/ (seeds and tests: their type)."""
    fqn = dbt_resource_props.get("fqn") or []
    if dbt_resource_props.get("resource_type") == "model" and len(fqn) > 2:
        return fqn[1]
    return f"{dbt_resource_props.get('resource_type', 'dbt')}s"


class BudgetDbtTranslator(DagsterDbtTranslator):
    """Layer-prefixed keys and layer groups; every source is the one lake asset."""

    def __init__(self) -> None:
        # The lake sources are tables of one asset, so they share its key.
        super().__init__(DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        """Sources → ``lake/release_tables`` (one asset, its tables); others ``<layer>/<name>``."""
        if dbt_resource_props["resource_type"] == "source":
            return LAKE_KEY
        return dg.AssetKey([dbt_layer(dbt_resource_props), dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """The group is the dbt folder: staging, intermediate, marts (seeds: ``seeds``)."""
        return dbt_layer(dbt_resource_props)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> Sequence[str] | None:
        """Every model, seed and source belongs to the platform team."""
        return OWNERS

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        """dagster-dbt's spec, plus the freshness expectation on every mart."""
        spec = super().get_asset_spec(manifest, unique_id, project)
        if spec.group_name != MARTS_GROUP:
            return spec
        return spec.replace_attributes(freshness_policy=MARTS_FRESHNESS_POLICY)


@contextmanager
def dbt_environment(env: Mapping[str, str]) -> Iterator[None]:
    """Set the variables dbt's profile and sources read, for the duration of one invocation.

    ``DbtCliResource`` passes ``os.environ`` to the dbt process and has no ``env``
    argument; restoring afterwards keeps one process free to run against another lake.
    """
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dbt_assets(
    manifest=budget_dbt_project.manifest_path,
    project=budget_dbt_project,
    dagster_dbt_translator=BudgetDbtTranslator(),
    name="dbt_models",
    pool=DUCKDB_WRITER_POOL,
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, lake: LakeResource):
    """``dbt build`` into a build file, swapped in for the live warehouse only on success.

    The whole build holds the build lock and reads whole releases only (``warehouse_build``).
    """
    live = lake.warehouse
    try:
        with warehouse_build(live, lake.lake_path):
            building = prepare_build(live)
            env = {**lake.dbt_env(), WAREHOUSE_PATH_ENV: str(building)}
            with dbt_environment(env):
                invocation = dbt.cli(list(DBT_BUILD_ARGS), context=context, raise_on_error=False)
                yield from invocation.stream()
            if not invocation.is_successful():
                discard_build(live)
                raise dg.Failure(
                    description="dbt build failed; the live warehouse was left as it was "
                    f"({live.name}). See the dbt output above."
                )
            try:
                publish_build(live)
            except (IncompleteBuildError, WarehouseLockedError):
                discard_build(live)
                raise
    except (LockTimeoutError, WarehouseLockedError, IncompleteBuildError) as error:
        raise dg.Failure(description=str(error)) from error
    context.log.info(f"published {live}")
