"""The lake: every release's validated, reconciled tables, as Parquet.

One asset, ``lake/release_tables``, partitioned by release: a partition is one release's
seven tables (six extracted plus ``reconciliation``; ``parquet/<table>/release_id=<id>/``),
published together or not at all. A run
may cover one release (a sensor's new file), a span of them (the sensor's batch, ``make run``,
the nightly rebuild) or up to ``RELEASES_PER_BACKFILL_RUN`` of a backfill
(``BackfillPolicy.multi_run``: a backfill of thousands is split into runs that can each be a
pod), and pays Dagster's per-run and per-event costs once per run and once per release, not
once per table; the releases of a run are parsed in a pool of processes
(lake/publish.py).

The checks judge each release on its own: one that fails its Pandera schemas or does not
reconcile is quarantined and never written, while the rest of its batch lands. A run of
one release reports that release's check results; a batch reports one result per check
naming every release that failed it. Schema and reconciliation checks are blocking: a run
with a failed release fails, and nothing downstream of it in that run executes.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path

import dagster as dg
import pandas as pd

from lake.checks import (
    BUDGET_YEAR_CHECK,
    NUMBERING_CHECK,
    RECONCILIATION_CHECKS,
    RECONCILIATION_DESCRIPTIONS,
    CheckResult,
    Severity,
    combine_release_checks,
    schema_check_name,
)
from lake.contract import EXTRACTED_TABLES, TABLES
from lake.metadata import FAILURE_ROWS, Markdown, frame_to_markdown
from lake.publish import PublishedRelease, iter_published_releases
from orchestration.assets import OWNERS, PARSER_CODE_VERSION
from orchestration.automation import RELEASES_AUTOMATION
from orchestration.partitions import RELEASES_PER_BACKFILL_RUN, release_partitions
from orchestration.resources import LakeResource

RAW_RELEASE_KEY = dg.AssetKey(["raw", "release_files"])
LAKE_KEY = dg.AssetKey(["lake", "release_tables"])
CHECK_NAMES: tuple[str, ...] = (
    *(schema_check_name(table) for table in EXTRACTED_TABLES),
    *RECONCILIATION_CHECKS,
    NUMBERING_CHECK,
    BUDGET_YEAR_CHECK,
)

raw_release_files = dg.AssetSpec(
    RAW_RELEASE_KEY,
    group_name="raw",
    partitions_def=release_partitions,
    kinds={"text"},
    owners=OWNERS,
    description="The raw release files, data_lake/raw/<release_id>.txt (plus .meta.json sidecar).",
)

_CHECK_SPECS = [
    *(
        dg.AssetCheckSpec(
            schema_check_name(table),
            asset=LAKE_KEY,
            blocking=True,
            description=f"The {table} table passes its Pandera schema (lazy: all failures).",
        )
        for table in EXTRACTED_TABLES
    ),
    *(
        dg.AssetCheckSpec(
            name, asset=LAKE_KEY, blocking=True, description=RECONCILIATION_DESCRIPTIONS[name]
        )
        for name in RECONCILIATION_CHECKS
    ),
    dg.AssetCheckSpec(
        NUMBERING_CHECK,
        asset=LAKE_KEY,
        blocking=False,
        description="Each project's indicator count agrees with the numbering it prints.",
    ),
    dg.AssetCheckSpec(
        BUDGET_YEAR_CHECK,
        asset=LAKE_KEY,
        blocking=False,
        description=(
            "The release has a budget year (sidecar, else its title/header); without one it is "
            "left out of the year-over-year marts. Warns."
        ),
    ),
]


def _description() -> str:
    tables = "\n".join(
        f"- `parquet/{table.name}/release_id=<id>/part-0.parquet`: {table.summary}"
        for table in TABLES.values()
    )
    return (
        "One release's tables, parsed from its raw file, validated, reconciled and "
        f"written as Parquet (docs/data_contract.md):\n\n{tables}"
    )


_SEVERITIES = {
    Severity.ERROR: dg.AssetCheckSeverity.ERROR,
    Severity.WARN: dg.AssetCheckSeverity.WARN,
}


def dagster_metadata(metadata: Mapping[str, object]) -> dict[str, object]:
    """Plain metadata with its Markdown tables and paths typed for the UI."""
    return {
        name: dg.MetadataValue.md(value)
        if isinstance(value, Markdown)
        else dg.MetadataValue.path(str(value))
        if isinstance(value, Path)
        else value
        for name, value in metadata.items()
    }


def asset_check_result(result: CheckResult, asset_key: dg.AssetKey) -> dg.AssetCheckResult:
    """The Dagster event for a plain check result, made at the moment the asset yields it."""
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=result.name,
        passed=result.passed,
        severity=_SEVERITIES[result.severity],
        description=result.description,
        metadata=dagster_metadata(result.metadata),
    )


def _check_result(published: PublishedRelease, check_name: str) -> CheckResult | None:
    return next((r for r in published.check_results if r.name == check_name), None)


def _refusals_failure(refused: list[PublishedRelease], n_releases: int) -> dg.Failure:
    """The step's failure for releases refused outside the blocking checks (unreadable, copies)."""
    if len(refused) == 1 and n_releases == 1:
        return dg.Failure(description=refused[0].refusal, metadata=refused[0].refusal_metadata)
    table = frame_to_markdown(
        pd.DataFrame(
            {"release_id": [p.release_id for p in refused], "why": [p.refusal for p in refused]}
        ),
        FAILURE_ROWS,
    )
    shown = "; ".join(f"{p.release_id}: {p.refusal}" for p in refused[:3])
    return dg.Failure(
        description=f"{len(refused)} of {n_releases} releases were refused. {shown}",
        metadata={"refused": dg.MetadataValue.md(table), "n_refused": len(refused)},
    )


def publication_summary(published: Sequence[PublishedRelease], parquet_dir: Path) -> str:
    """The run's one log line, then one line per release that was not published and why.

    One log entry for the run, not one per release: each is a Dagster event (~10 ms on sqlite),
    and a batch whose parser change fails a thousand releases would write a thousand.
    """
    landed = sum(release.landed for release in published)
    lines = [f"published {landed} of {len(published)} releases to {parquet_dir}"]
    lines += [
        f"{release.release_id}: not published. {release.refusal}"
        for release in published
        if not release.landed
    ]
    return "\n".join(lines)


@dg.multi_asset(
    name="lake_release_tables",
    partitions_def=release_partitions,
    backfill_policy=dg.BackfillPolicy.multi_run(max_partitions_per_run=RELEASES_PER_BACKFILL_RUN),
    specs=[
        dg.AssetSpec(
            LAKE_KEY,
            group_name="lake",
            deps=[RAW_RELEASE_KEY],
            kinds={"python", "parquet"},
            owners=OWNERS,
            code_version=PARSER_CODE_VERSION,
            description=_description(),
            # Materialised per release below, only for the releases that landed.
            skippable=True,
            # Runs when raw_release_sensor or the nightly rebuild reports the raw file.
            automation_condition=RELEASES_AUTOMATION,
        )
    ],
    check_specs=_CHECK_SPECS,
)
def lake_release_tables(context: dg.AssetExecutionContext, lake: LakeResource):
    """Publish every release of the run's partitions; materialise exactly the ones that landed.

    A release is materialised as soon as its chunk is done, while the pool parses the next
    ones; the checks follow once every release is judged, one result per check for the run.
    """
    published: list[PublishedRelease] = []
    for release in iter_published_releases(
        [lake.raw_dir / f"{release_id}.txt" for release_id in context.partition_keys],
        lake.lake_path,
        lake.quarantine_dir,
    ):
        published.append(release)
        if release.landed:
            yield dg.AssetMaterialization(
                asset_key=LAKE_KEY,
                partition=release.release_id,
                metadata=dagster_metadata(release.metadata),
            )
    checked = [release for release in published if release.check_results]
    for check_name in CHECK_NAMES:
        per_release = {
            release.release_id: result
            for release in checked
            if (result := _check_result(release, check_name)) is not None
        }
        if per_release:
            yield asset_check_result(combine_release_checks(check_name, per_release), LAKE_KEY)
    not_published = [release for release in published if not release.landed]
    summary = publication_summary(published, lake.parquet_dir)
    if not_published:
        context.log.error(summary)
    else:
        context.log.info(summary)
    # Refused before or after its checks (unreadable, a duplicate): the checks alone do not
    # fail the run for these, so the step does, naming each.
    refused = [release for release in not_published if not release.failed_checks]
    if refused:
        raise _refusals_failure(refused, len(published))
