"""dbt models as Dagster assets: ``dbt build`` over the Parquet lake into DuckDB.

The translator keeps its rules one per method: a model's group is its dbt folder (staging,
intermediate, marts), its key is prefixed by that layer, the ``lake`` sources are the
``lake/release_tables`` asset this code location writes, so the graph is connected, every
model is owned by the platform team, the marts carry a freshness expectation, every dbt asset
follows the lake through one automation condition (orchestration/automation.py), and each
check shows its dbt test's description. Descriptions, column schemas and code references to
the SQL files come from dagster-dbt.

dbt builds into a separate file that replaces the live warehouse only when the whole build
succeeded (lake/warehouse.py), so a failed or killed build never shows half-built marts. The
marts' row counts are read from that file in one query once dbt has exited. A warehouse held
by another process is retried; a failed dbt test is not (the same data fails again).

The build is incremental when it can be (docs/scaling.md, "Incremental marts"): the build file
starts as a copy of the live warehouse, and dbt rewrites only the releases new, changed or gone
since the live marts were built, testing only those; what the live marts were built from is
recorded inside them (lake/build_state.py). Without such a record, after a change to the dbt
project, when every release changed, or with ``full_refresh`` set, it is a full build from an
empty file with every test.
"""

import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

import settings
from lake.build_state import (
    BuildState,
    MartsPlan,
    current_build_state,
    plan_marts_build,
    read_build_state,
    write_build_state,
)
from lake.locks import LockTimeoutError
from lake.warehouse import (
    IncompleteBuildError,
    WarehouseLockedError,
    count_rows,
    discard_build,
    prepare_build,
    publish_build,
    warehouse_build,
)
from orchestration.assets import OWNERS
from orchestration.assets.lake import LAKE_KEY
from orchestration.automation import rebuild_after
from orchestration.dbt_project import budget_dbt_project
from orchestration.resources import WAREHOUSE_PATH_ENV, LakeResource

DUCKDB_WRITER_POOL = "duckdb_writer"
# Tests of code, not of the data, stay out of the data-triggered build: dbt's unit tests (SQL logic
# on fixed inputs) and the `code_only` tests (those reading only seeds, which change only with
# code). Both run with every `make test` (tests/dbt: a plain `dbt build`); here each dbt node costs
# ~40 ms plus ~3 Dagster events. Seeds themselves are still built: the warehouse is a fresh file.
# Left out of the assets with `@dbt_assets(exclude=...)`, so no check is declared that never runs.
DBT_EXCLUDE = "resource_type:unit_test tag:code_only"
# What marts_job runs, as one dbt command line (bench times it outside Dagster too).
DBT_BUILD_ARGS = ("build", "--exclude", DBT_EXCLUDE)
# The warehouse file held by another process (a reader, a killed build's leftover) is retried:
# three times, a minute apart. A failed dbt test raises Failure, which is never retried.
LOCK_RETRIES = 3
LOCK_RETRY_SECONDS = 60
MARTS_GROUP = "marts"
# What an incremental build leaves out (docs/operations.md, "Incremental marts builds"). Seeds
# and intermediate views: the dbt project is the one the live warehouse was built with (its
# fingerprint is compared), so the copy already holds them exactly. The intermediate views' tests
# go with them: they read every release (one release can change another's rows there), so they
# cannot be scoped to the changed ones and stay in full builds (the nightly). Staging and the
# release-keyed intermediate tables stay in: they must take the changed releases' rows, and
# their tests are the arrival's, scoped to the changed releases. Measured at 1,000
# releases (one new), leaving out seeds and views took dbt from 143 nodes to 112 and ~3x less time.
INCREMENTAL_EXCLUDE = "resource_type:seed path:models/intermediate,config.materialized:view"
# Release ids named in the run log's one line about the plan; the rest are counted.
SHOWN_RELEASE_IDS = 20
# Dagster's documented metadata key for a table's rows (the UI shows it on the asset).
ROW_COUNT_KEY = "dagster/row_count"
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


MARTS_AUTOMATION = rebuild_after(LAKE_KEY)
GENERIC_ARGUMENTS_SHOWN = 160


def describe_dbt_test(test_props: Mapping[str, Any]) -> str:
    """The test's ``description`` from its yml; else what a generic test checks, from its call.

    Half of the project's tests are dbt's built-in ``unique``/``relationships`` or a bundled
    generic test written without a description: their name and arguments say what they check.
    """
    written = " ".join((test_props.get("description") or "").split())
    if written:
        return written
    generic = test_props.get("test_metadata") or {}
    if not generic:
        return f"dbt test {test_props['name']} ({test_props.get('original_file_path', '')})"
    arguments = ", ".join(
        f"{name}: {' '.join(str(value).split())}"
        for name, value in generic.get("kwargs", {}).items()
        if name != "model"
    )
    if len(arguments) > GENERIC_ARGUMENTS_SHOWN:
        arguments = arguments[: GENERIC_ARGUMENTS_SHOWN - 1] + "…"
    namespace = f"{generic['namespace']}." if generic.get("namespace") else ""
    return f"dbt test {namespace}{generic['name']} ({arguments})"


class BudgetDbtTranslator(DagsterDbtTranslator):
    """Layer-prefixed keys and layer groups; every source is the one lake asset."""

    def __init__(self) -> None:
        # The lake sources are tables of one asset, so they share its key.
        super().__init__(
            DagsterDbtTranslatorSettings(
                enable_duplicate_source_asset_keys=True, enable_code_references=True
            )
        )

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

    def get_automation_condition(
        self, dbt_resource_props: Mapping[str, Any]
    ) -> dg.AutomationCondition | None:
        """Every model and seed: rebuilt together once the lake changed (sources: none)."""
        if dbt_resource_props["resource_type"] == "source":
            return None
        return MARTS_AUTOMATION

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        """dagster-dbt's spec, plus the freshness expectation on every mart."""
        spec = super().get_asset_spec(manifest, unique_id, project)
        if spec.group_name != MARTS_GROUP:
            return spec
        return spec.replace_attributes(freshness_policy=MARTS_FRESHNESS_POLICY)

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: DbtProject | None,
    ) -> dg.AssetCheckSpec | None:
        """dagster-dbt's check, described by its dbt test (``describe_dbt_test``)."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return dg.AssetCheckSpec(
            spec.name,
            asset=spec.asset_key,
            description=describe_dbt_test(self.get_resource_props(manifest, unique_id)),
            additional_deps=spec.additional_deps,
            blocking=spec.blocking,
            metadata=spec.metadata,
            automation_condition=spec.automation_condition,
        )


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


def stored_table(manifest: Mapping[str, Any], event: object) -> tuple[str, str] | None:
    """``(schema, table)`` of a built model or seed that holds rows; None for views and checks.

    Views are not counted (counting one runs its whole query), as in dagster-dbt.
    """
    if not isinstance(event, dg.Output) or "unique_id" not in event.metadata:
        return None
    node = manifest["nodes"].get(event.metadata["unique_id"].value) or {}
    if node.get("config", {}).get("materialized") in (None, "view", "ephemeral"):
        return None
    return node["schema"], node.get("alias") or node["name"]


def with_row_counts(
    events: Iterable[object], manifest: Mapping[str, Any], build_file: Path
) -> Iterator[object]:
    """The events of a finished dbt build, each stored table's output with its row count.

    Replaces ``fetch_row_counts()`` (the same ``dagster/row_count``): all counts come from one
    query after dbt exited (``count_rows``), with no adapter connection in this process to close
    before the swap and no thread polling while dbt runs.
    """
    events = list(events)
    tables = {id(event): stored_table(manifest, event) for event in events}
    counts = count_rows(build_file, (table for table in tables.values() if table))
    for event in events:
        table = tables[id(event)]
        if table in counts:
            event = event.with_metadata({**event.metadata, ROW_COUNT_KEY: counts[table]})
        yield event


def retry_when_locked() -> dg.RetryRequested:
    """The step retries later: another process holding the file lets go of it, a test does not."""
    return dg.RetryRequested(max_retries=LOCK_RETRIES, seconds_to_wait=LOCK_RETRY_SECONDS)


class MartsBuildConfig(dg.Config):
    """How one marts build runs: incremental when it can be, unless a full rebuild is asked for."""

    full_refresh: bool = False


def plan_build(live: Path, lake_dir: Path, full_refresh: bool) -> tuple[MartsPlan, BuildState]:
    """What this build reads (to be recorded with it) and how it builds, against the live record.

    Call it holding the build and lake locks (``warehouse_build``): the lake read here is the
    lake dbt reads.
    """
    current = current_build_state(lake_dir, budget_dbt_project.manifest_path)
    if full_refresh:
        return MartsPlan(True, "a full rebuild was asked for (full_refresh)"), current
    return plan_marts_build(read_build_state(live), current), current


def dbt_build_args(plan: MartsPlan) -> list[str]:
    """``dbt build`` for a plan: full from an empty file, or what the changed releases need."""
    if plan.full:
        return ["build", "--full-refresh"]
    return ["build", "--exclude", INCREMENTAL_EXCLUDE]


def dbt_plan_env(plan: MartsPlan) -> dict[str, str]:
    """The changed releases for dbt (empty: every release), as an environment variable.

    Not ``--vars``: dbt hashes the command line's vars into its parse state, so a list that
    changes on every build made every incremental build parse the whole project again
    (macros/incremental_releases.sql reads the variable only while executing).
    """
    if plan.full:
        return {settings.CHANGED_RELEASE_IDS_ENV: ""}
    return {settings.CHANGED_RELEASE_IDS_ENV: json.dumps(list(plan.changed_release_ids))}


def describe_plan(plan: MartsPlan) -> str:
    """One line for the run log: full and why, or which releases are rewritten."""
    if plan.full:
        return f"full build from an empty warehouse, every test: {plan.reason}"
    shown = ", ".join(plan.changed_release_ids[:SHOWN_RELEASE_IDS]) or "none"
    more = len(plan.changed_release_ids) - SHOWN_RELEASE_IDS
    return (
        f"incremental build from the live warehouse ({plan.reason}); rewriting and testing "
        f"releases: {shown}" + (f" and {more} more" if more > 0 else "")
    )


@dbt_assets(
    manifest=budget_dbt_project.manifest_path,
    project=budget_dbt_project,
    dagster_dbt_translator=BudgetDbtTranslator(),
    exclude=DBT_EXCLUDE,
    name="dbt_models",
    pool=DUCKDB_WRITER_POOL,
)
def dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    lake: LakeResource,
    config: MartsBuildConfig,
):
    """``dbt build`` into a build file, swapped in for the live warehouse only on success.

    The whole build holds the build lock and reads whole releases only (``warehouse_build``).
    """
    live = lake.warehouse
    try:
        with warehouse_build(live, lake.lake_path):
            plan, current = plan_build(live, lake.lake_path, config.full_refresh)
            context.log.info(describe_plan(plan))
            building = prepare_build(live, start_from_live=not plan.full)
            env = {**lake.dbt_env(), WAREHOUSE_PATH_ENV: str(building), **dbt_plan_env(plan)}
            with dbt_environment(env):
                invocation = dbt.cli(
                    dbt_build_args(plan),
                    context=context,
                    raise_on_error=False,
                    target_path=settings.dbt_target_path(live),
                )
                # Collected whole: the row counts wait for dbt to let go of the build file.
                events = list(invocation.stream())
            if not invocation.is_successful():
                yield from events  # the failed tests' results; nothing here will be published
                discard_build(live)
                raise dg.Failure(
                    description="dbt build failed; the live warehouse was left as it was "
                    f"({live.name}). See the dbt output above."
                )
            yield from with_row_counts(events, invocation.manifest, building)
            try:
                write_build_state(building, current)
                publish_build(live)
            except (IncompleteBuildError, WarehouseLockedError):
                discard_build(live)
                raise
    except WarehouseLockedError as error:
        context.log.warning(str(error))
        raise retry_when_locked() from error
    except (LockTimeoutError, IncompleteBuildError) as error:
        # Another build held the build lock past its timeout (it already waited), or the build
        # lacks its marts: a retry would wait or fail the same way.
        raise dg.Failure(description=str(error)) from error
    context.log.info(f"published {live}")
