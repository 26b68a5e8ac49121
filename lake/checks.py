"""Check results: extracted frames match their schema; the parts add up to the totals.

Pure builders that turn a frame into plain ``CheckResult``s, so the publisher can run them
in worker processes and return them (they pickle), and tests call them on hand-made or real
frames without Dagster. Only the asset turns a result into Dagster's ``AssetCheckResult``,
at the moment it yields it (orchestration/assets/lake.py). Failed checks name what failed
(rows, subjects, gaps) in their metadata instead of asserting (unlike pudl's
``validate_totals``, we return the groups that don't match).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import NamedTuple

import pandas as pd
import pandera.errors

from lake.metadata import FAILURE_ROWS, MetadataDict, frame_to_markdown, is_missing
from parsers.budget_year import UNKNOWN_CODE as UNKNOWN_BUDGET_YEAR_CODE
from parsers.indicators import numbering_problems
from parsers.reconciliation import CHECK_NAMES, RULES, label
from parsers.reconciliation import COLUMNS as RECONCILIATION_COLUMNS

# The rules, their names and claims live in parsers/reconciliation.py; the checks judge its rows.
RECONCILIATION_CHECKS: tuple[str, ...] = CHECK_NAMES
RECONCILIATION_DESCRIPTIONS = {rule.check_name: rule.description for rule in RULES}
_SHOWN_SUBJECTS = 5


class Severity(enum.StrEnum):
    """How much a failed check matters: ``error`` blocks the release, ``warn`` is reported."""

    ERROR = "error"
    WARN = "warn"


@dataclass(frozen=True)
class CheckResult:
    """One check's verdict on one release (or on a batch), in plain values.

    ``metadata`` holds plain values only (numbers, strings, lists; ``Markdown`` for tables),
    so a result crosses a process boundary as it is.
    """

    name: str
    passed: bool
    severity: Severity = Severity.ERROR
    description: str | None = None
    metadata: MetadataDict = field(default_factory=dict)

    @property
    def is_blocking_failure(self) -> bool:
        """Failed, and severe enough to keep the release out of the lake."""
        return not self.passed and self.severity == Severity.ERROR


_ID_COLUMNS = ("project_id", "unit_id", "source_line")


def schema_check_name(table: str) -> str:
    """``<table>_matches_schema``: the claim the check makes."""
    return f"{table}_matches_schema"


def _offending_ids(frame: pd.DataFrame, failure_cases: pd.DataFrame) -> dict[str, list]:
    """The ids (project_id, unit_id, source_line) of the rows Pandera rejected."""
    if "index" not in failure_cases.columns:
        return {}
    positions = [int(i) for i in failure_cases["index"].dropna().unique() if i in frame.index]
    rows = frame.loc[positions]
    return {
        column: sorted(
            {str(v) if column != "source_line" else int(v) for v in rows[column].dropna()}
        )
        for column in _ID_COLUMNS
        if column in rows.columns
    }


class SchemaValidation(NamedTuple):
    """What validating one frame gives: the frame to pass on, the check result, the failures."""

    frame: pd.DataFrame
    result: CheckResult
    failure_cases: pd.DataFrame | None


def validate_frame(table: str, frame: pd.DataFrame, schema: object) -> SchemaValidation:
    """Validate ``frame`` with Pandera (lazy, every failure collected).

    On success the frame passed on is Pandera's output (coerced where the schema says
    so). On failure it is the input, and the result carries the first failure cases,
    their count and the offending row ids.
    """
    check_name = schema_check_name(table)
    try:
        validated = schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        offending = _offending_ids(frame, cases)
        metadata: MetadataDict = {
            "n_failure_cases": len(cases),
            "failure_cases": frame_to_markdown(cases, FAILURE_ROWS),
            "failing_checks": sorted({str(c) for c in cases.get("check", pd.Series()).dropna()}),
            "failing_columns": sorted({str(c) for c in cases.get("column", pd.Series()).dropna()}),
        }
        metadata.update({f"offending_{column}s": ids[:50] for column, ids in offending.items()})
        result = CheckResult(
            check_name,
            passed=False,
            description=f"{len(cases)} schema failure cases in {table}",
            metadata=metadata,
        )
        return SchemaValidation(frame, result, cases)
    return schema_passed(table, validated)


def schema_passed(table: str, validated: pd.DataFrame) -> SchemaValidation:
    """The validation of a frame that met its schema (``validated`` is Pandera's output)."""
    result = CheckResult(
        schema_check_name(table),
        passed=True,
        metadata={"dagster/row_count": len(validated), "n_columns": len(validated.columns)},
    )
    return SchemaValidation(validated, result, None)


def _wan(value: object) -> str:
    return "" if is_missing(value) else str(value)


def _describe_gap(row: NamedTuple) -> str:
    source = "" if is_missing(row.funding_source) else f" [{row.funding_source}]"
    return (
        f"{label(row)}{source}: declared {_wan(row.declared_wan)}, "
        f"summed {_wan(row.computed_wan)}, gap {_wan(row.difference_wan)} 万元 "
        f"(tolerance {_wan(row.tolerance_wan)})"
    )


def _max_abs(values: pd.Series) -> float:
    gaps = [abs(Decimal(str(v))) for v in values if not is_missing(v)]
    return float(max(gaps)) if gaps else 0.0


def reconciliation_check_result(check_name: str, reconciled: pd.DataFrame) -> CheckResult:
    """Turn the rows of ``reconcile()`` that belong to one check into its result.

    Rounding gaps (within the tolerance reconcile wrote) pass and are counted; a mismatch fails with
    every offending subject and its gap named. No declared figure means nothing to
    compare: the check passes and says so, rather than inventing a total.
    """
    rows = reconciled[reconciled["check_name"] == check_name] if len(reconciled) else reconciled
    if rows.empty:
        return CheckResult(
            check_name,
            passed=True,
            description="No declared figure to reconcile against in this release.",
            metadata={"n_compared": 0, "note": "no declared figure in the document"},
        )
    status = rows["status"]
    mismatches = rows[status == "mismatch"]
    rounding = rows[status == "rounding"]
    metadata: MetadataDict = {
        "n_compared": len(rows),
        "n_exact": int((status == "exact").sum()),
        "n_rounding": len(rounding),
        "n_mismatch": len(mismatches),
        "max_rounding_gap_wan": _max_abs(rounding["difference_wan"]),
        "max_abs_difference_wan": _max_abs(rows["difference_wan"]),
    }
    if mismatches.empty:
        return CheckResult(check_name, passed=True, metadata=metadata)
    shown = [c for c in RECONCILIATION_COLUMNS if c not in ("release_id", "check_name", "status")]
    columns = [c for c in shown if c in mismatches.columns]
    shown_rows = list(mismatches.itertuples(index=False))
    metadata["mismatched_subjects"] = sorted({label(row) for row in shown_rows})
    if "source_line" in mismatches.columns:
        lines = {int(v) for v in mismatches["source_line"] if not is_missing(v)}
        metadata["mismatched_source_lines"] = sorted(lines)
    metadata["mismatches"] = frame_to_markdown(mismatches[columns], FAILURE_ROWS)
    described = [_describe_gap(row) for row in shown_rows[:_SHOWN_SUBJECTS]]
    more = len(mismatches) - len(described)
    return CheckResult(
        check_name,
        passed=False,
        description="; ".join(described) + (f"; and {more} more" if more > 0 else ""),
        metadata=metadata,
    )


def reconciliation_check_results(
    reconciled: pd.DataFrame, check_names: Sequence[str] = RECONCILIATION_CHECKS
) -> list[CheckResult]:
    """One result per reconciliation check, from ``parsers.reconciliation.reconcile``'s output."""
    return [reconciliation_check_result(name, reconciled) for name in check_names]


NUMBERING_CHECK = "indicator_numbering_matches_printed"


def numbering_check_result(indicators: pd.DataFrame, projects: pd.DataFrame) -> CheckResult:
    """Does each project's indicator count agree with the 1、2、3、 numbering it prints?

    A gap or a repeated number means an item was lost, split or doubled, in the document
    or in the parse; the check fails naming the project and its line. Layouts that print
    no numbers (Tianjin) have nothing to compare. Not blocking: the defect is the
    document's own, and the indicators that were read are still worth publishing.
    """
    numbered = indicators[indicators["printed_number"].notna()] if len(indicators) else indicators
    if numbered.empty:
        return CheckResult(
            NUMBERING_CHECK,
            passed=True,
            description="This release prints no indicator numbers to compare against.",
            metadata={"n_projects_compared": 0},
        )
    # Plain lists, not a pandas groupby: this runs for every release of every batch.
    names = dict(zip(projects["project_id"], projects["project_name_zh"], strict=True))
    lines = dict(zip(projects["project_id"], projects["source_line"], strict=True))
    by_project: dict[str, list[SimpleNamespace]] = {}
    for project_id, seq, number in zip(
        indicators["project_id"],
        indicators["indicator_seq"],
        indicators["printed_number"],
        strict=True,
    ):
        by_project.setdefault(project_id, []).append(
            SimpleNamespace(
                indicator_seq=int(seq),
                printed_number=None if is_missing(number) else int(number),
            )
        )
    problems: list[dict[str, object]] = []
    for project_id, items in by_project.items():
        if all(item.printed_number is None for item in items):
            continue
        found = numbering_problems(sorted(items, key=lambda item: item.indicator_seq))
        if found:
            problems.append(
                {
                    "project_id": project_id,
                    "project_name_zh": names[project_id],
                    "source_line": int(lines[project_id]),
                    "problems": "; ".join(found),
                }
            )
    compared = int(numbered["project_id"].nunique())
    if not problems:
        return CheckResult(NUMBERING_CHECK, passed=True, metadata={"n_projects_compared": compared})
    table = pd.DataFrame(problems)
    first = problems[0]
    return CheckResult(
        NUMBERING_CHECK,
        passed=False,
        severity=Severity.WARN,
        description=(
            f"{len(problems)} project(s) whose numbering disagrees, e.g. "
            f"{first['project_name_zh']} (line {first['source_line']}): {first['problems']}"
        ),
        metadata={
            "n_projects_compared": compared,
            "n_projects_with_problems": len(problems),
            "problems": frame_to_markdown(table, FAILURE_ROWS),
            "offending_source_lines": [p["source_line"] for p in problems],
        },
    )


BUDGET_YEAR_CHECK = "release_states_its_budget_year"


def budget_year_check_result(releases: pd.DataFrame, parse_warnings: pd.DataFrame) -> CheckResult:
    """Does the release have a budget year, from its sidecar or its own header?

    Without one the release cannot be placed beside the department's other years, so the
    year-over-year marts leave it out. Not blocking: its projects still count in every other
    mart, and the fix (a ``budget_year`` in the sidecar) is the publisher's to make.
    """
    row = releases.iloc[0]
    year = row["budget_year"]
    if not is_missing(year):
        return CheckResult(
            BUDGET_YEAR_CHECK,
            passed=True,
            metadata={
                "budget_year": int(year),
                "budget_year_source": str(row["budget_year_source"]),
            },
        )
    unknown = parse_warnings[parse_warnings["code"] == UNKNOWN_BUDGET_YEAR_CODE]
    why = str(unknown["message"].iloc[0]) if len(unknown) else "budget_year is null"
    return CheckResult(
        BUDGET_YEAR_CHECK,
        passed=False,
        severity=Severity.WARN,
        description=f"{row['source_file']}: {why}; add budget_year to its .meta.json sidecar",
        metadata={"source_file": str(row["source_file"])},
    )


def combine_release_checks(check_name: str, per_release: Mapping[str, CheckResult]) -> CheckResult:
    """One check result for a run that published several releases.

    A check result of a multi-partition run belongs to no single partition, so this one
    states the claim for the whole batch: it passes when every release passed, and a
    failure names each release that failed with its own description. A run of one release
    keeps that release's result as it is (its metadata naming the release).
    """
    if len(per_release) == 1:
        ((release_id, result),) = per_release.items()
        return CheckResult(
            check_name,
            passed=result.passed,
            severity=result.severity,
            description=result.description,
            metadata={**result.metadata, "release_id": release_id},
        )
    failed = {rid: result for rid, result in per_release.items() if not result.passed}
    metadata: MetadataDict = {"n_releases": len(per_release), "n_releases_failed": len(failed)}
    if not failed:
        return CheckResult(check_name, passed=True, metadata=metadata)
    table = pd.DataFrame(
        {
            "release_id": list(failed),
            "description": [result.description or "failed" for result in failed.values()],
        }
    )
    metadata["failed_release_ids"] = sorted(failed)[:100]
    metadata["failures"] = frame_to_markdown(table, FAILURE_ROWS)
    severity = (
        Severity.ERROR
        if any(r.severity == Severity.ERROR for r in failed.values())
        else Severity.WARN
    )
    shown = [f"{rid}: {result.description}" for rid, result in list(failed.items())[:3]]
    more = len(failed) - len(shown)
    return CheckResult(
        check_name,
        passed=False,
        severity=severity,
        description=f"{len(failed)} of {len(per_release)} releases "
        + ("fail. " if severity == Severity.ERROR else "warn. ")
        + "; ".join(shown)
        + (f"; and {more} more" if more > 0 else ""),
        metadata=metadata,
    )
