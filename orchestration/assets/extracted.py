"""Parse one raw release into the extracted tables, validate them, reconcile their totals.

One multi-asset per release partition: the document is parsed once and yields one
output per table (``extracted/<table>``). Each output has a *blocking* schema check, and
``extracted/projects`` carries the *blocking* reconciliation checks, so a frame that fails
validation, or a release whose parts do not add up beyond rounding, never reaches the lake
and so never reaches the marts; the release's previously published partition stays as it was.
"""

import hashlib
import json
from pathlib import Path

import dagster as dg
import pandas as pd

from orchestration.assets import OWNERS, PARSER_CODE_VERSION
from orchestration.checks import (
    NUMBERING_CHECK,
    RECONCILIATION_CHECKS,
    RECONCILIATION_DESCRIPTIONS,
    numbering_check_result,
    reconciliation_check_results,
    schema_check_name,
    validate_frame,
)
from orchestration.metadata import FAILURE_ROWS, MetadataDict, frame_to_markdown, sum_wan
from orchestration.partitions import release_partitions, sidecar_path
from orchestration.quarantine import earlier_twin, quarantine_release
from orchestration.resources import LakeResource
from parsers.errors import ParseError
from parsers.reconciliation import reconcile
from parsers.release import TABLE_NAMES, ExtractedRelease, parse_release
from parsers.schemas import SCHEMAS

RAW_RELEASE_KEY = dg.AssetKey(["raw", "release_files"])
RECONCILED_TABLE = "projects"
# The money column whose sum is worth a glance per table (absent: no money in it).
TOTAL_COLUMNS = {
    "releases": None,
    "budget_units": "declared_total_wan",
    "declared_totals": "total_wan",
    "projects": "total_wan",
    "indicators": None,
    "parse_warnings": None,
}
TABLE_DESCRIPTIONS = {
    "releases": "One row per raw release: provenance, layout, department, counts.",
    "budget_units": "预算单位 of a release, with their printed subtotals where declared.",
    "declared_totals": "合计 rows as printed: the release's declared grand totals (万元).",
    "projects": "项目 of a release: amounts in 万元 by funding source, goal, raw indicators.",
    "indicators": "绩效指标 of each project: levels, name, period and annual targets.",
    "parse_warnings": "Everything the parser repaired or could not read, with line numbers.",
}

raw_release_files = dg.AssetSpec(
    RAW_RELEASE_KEY,
    group_name="raw",
    partitions_def=release_partitions,
    kinds={"text"},
    owners=OWNERS,
    description="The raw release files, data_lake/raw/<release_id>.txt (plus .meta.json sidecar).",
)


def extracted_key(table: str) -> dg.AssetKey:
    """``extracted/<table>``."""
    return dg.AssetKey(["extracted", table])


def load_sidecar(raw_path: Path) -> dict | None:
    """The optional ``<release_id>.meta.json`` next to a raw release, or None.

    Raises:
        ParseError: the sidecar is not a JSON object (so the release is quarantined, not half-read).
    """
    sidecar = sidecar_path(raw_path)
    if not sidecar.exists():
        return None
    try:
        content = json.loads(sidecar.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ParseError(sidecar, None, f"sidecar is not UTF-8 JSON: {error}") from error
    if not isinstance(content, dict):
        raise ParseError(sidecar, None, "sidecar must be a JSON object of release facts")
    return content


def source_metadata(raw_path: Path) -> MetadataDict:
    """SHA-256 and size of the raw bytes: which exact document a materialisation came from."""
    data = raw_path.read_bytes()
    return {
        "source_file": raw_path.name,
        "source_sha256": hashlib.sha256(data).hexdigest(),
        "source_bytes": len(data),
    }


def table_metadata(table: str, frame: pd.DataFrame) -> MetadataDict:
    """Row count, Σ money where the table has money, and a small preview."""
    metadata: MetadataDict = {
        "dagster/row_count": len(frame),
        "preview": dg.MetadataValue.md(frame_to_markdown(frame)),
    }
    total_column = TOTAL_COLUMNS.get(table)
    if total_column and total_column in frame.columns:
        metadata[total_column] = float(sum_wan(frame[total_column]))
    if table == "parse_warnings":
        columns = [c for c in ("source_line", "code", "message") if c in frame.columns]
        metadata["warnings"] = dg.MetadataValue.md(frame_to_markdown(frame[columns], FAILURE_ROWS))
        if "source_line" in frame.columns:
            metadata["warning_lines"] = [int(v) for v in frame["source_line"].dropna()][:100]
    return metadata


def _for_release(result: dg.AssetCheckResult, release_id: str) -> dg.AssetCheckResult:
    """Name the release in a check's metadata: the UI shows checks apart from partitions."""
    return result.with_metadata({**result.metadata, "release_id": release_id})


def _parse(raw_path: Path, lake: LakeResource, release_id: str) -> ExtractedRelease:
    if not raw_path.exists():
        raise dg.Failure(description=f"no raw file {raw_path.name} in {lake.raw_dir}")
    twin = earlier_twin(raw_path)
    if twin is not None:
        reason = f"{raw_path.name} has the same bytes as {twin.name}: the same release twice"
        folder = quarantine_release(lake.quarantine_dir, release_id, raw_path, reason)
        raise dg.Failure(description=f"{reason}; see {folder}")
    try:
        release = parse_release(raw_path, load_sidecar(raw_path))
    except ParseError as error:
        quarantine_release(lake.quarantine_dir, release_id, raw_path, f"Parse error: {error}")
        raise dg.Failure(
            description=str(error),
            metadata={
                "source_file": raw_path.name,
                "source_line": error.line_no if error.line_no is not None else -1,
                "reason": error.reason,
            },
        ) from error
    if release.release_id != release_id:
        raise dg.Failure(
            description=f"{raw_path.name}: parsed release_id {release.release_id!r} "
            f"is not the partition {release_id!r}"
        )
    return release


@dg.multi_asset(
    name="extracted_release",
    partitions_def=release_partitions,
    deps=[RAW_RELEASE_KEY],
    outs={
        table: dg.AssetOut(
            key=extracted_key(table),
            group_name="extracted",
            description=TABLE_DESCRIPTIONS[table],
            kinds={"python", "pandas"},
            owners=OWNERS,
            code_version=PARSER_CODE_VERSION,
        )
        for table in TABLE_NAMES
    },
    check_specs=[
        dg.AssetCheckSpec(
            schema_check_name(table),
            asset=extracted_key(table),
            blocking=True,
            description=f"extracted/{table} passes its Pandera schema (lazy: all failures).",
        )
        for table in TABLE_NAMES
    ]
    + [
        dg.AssetCheckSpec(
            name,
            asset=extracted_key(RECONCILED_TABLE),
            blocking=True,
            description=RECONCILIATION_DESCRIPTIONS[name],
        )
        for name in RECONCILIATION_CHECKS
    ]
    + [
        dg.AssetCheckSpec(
            NUMBERING_CHECK,
            asset=extracted_key("indicators"),
            blocking=False,
            description="Each project's indicator count agrees with the numbering it prints.",
        )
    ],
)
def extracted_release(context: dg.AssetExecutionContext, lake: LakeResource):
    """Parse ``raw/<release_id>.txt`` once; yield every table and its schema check."""
    release_id = context.partition_key
    raw_path = lake.raw_dir / f"{release_id}.txt"
    release = _parse(raw_path, lake, release_id)
    source = source_metadata(raw_path)
    validated: dict[str, pd.DataFrame] = {}
    failures: dict[str, pd.DataFrame] = {}
    for table in TABLE_NAMES:
        frame = release.tables[table]
        validation = validate_frame(table, frame, SCHEMAS[table], extracted_key(table))
        if validation.failure_cases is not None:
            # Blocking check: Dagster fails the step after this loop, so lake/ is never written.
            failures[f"{table}.failure_cases"] = validation.failure_cases
            context.log.error(f"{release_id}: extracted/{table} fails its schema")
        validated[table] = validation.frame
        yield dg.Output(
            validation.frame,
            output_name=table,
            metadata={**source, **table_metadata(table, validation.frame)},
        )
        yield _for_release(validation.result, release_id)
    reconciled = reconcile(validated)
    results = reconciliation_check_results(reconciled, extracted_key(RECONCILED_TABLE))
    failed_checks = [result.check_name for result in results if not result.passed]
    if failed_checks:
        failures["reconciliation"] = reconciled[reconciled["status"] == "mismatch"]
    if failures:
        reason = "Failed: " + ", ".join(
            [f"{name} schema" for name in failures if name.endswith("failure_cases")]
            + failed_checks
        )
        folder = quarantine_release(lake.quarantine_dir, release_id, raw_path, reason, failures)
        context.log.error(f"{release_id}: quarantined in {folder}")
    yield from (_for_release(result, release_id) for result in results)
    yield _for_release(
        numbering_check_result(
            validated["indicators"], validated["projects"], extracted_key("indicators")
        ),
        release_id,
    )
