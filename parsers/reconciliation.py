"""Do the parts add up to the totals the document declares? The one place the rules live.

Printed figures are rounded to 0.01 万元, so a sum of n printed figures may drift from a printed
total by up to n × 0.005 万元: that gap is rounding, reported but accepted. A larger gap is a
mismatch: a real error in the document or in the parse, and it is named with its subject
(docs/domain.md#money-rounding-and-reconciliation).

``reconcile`` computes every figure once, in Python; the result is the lake table
``reconciliation`` (lake/contract.py), which the blocking Dagster checks judge before the release
is written and dbt's ``marts.reconciliation`` reads as it is. No other layer re-derives a sum, a
tolerance or a status.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from parsers.model import FUNDING_SOURCES

# Half a fen of 万元 per printed two-decimal figure summed: the most rounding can explain.
ROUNDING_TOLERANCE_WAN = Decimal("0.005")
# 合计 rows and unit subtotals print no bond column: bond money reconciles at project level only.
DECLARED_SOURCES = ("total", "fiscal", "special_account", "other")
STATUSES = {
    "exact": "declared and computed are equal to the fen",
    "rounding": "they differ by no more than tolerance_wan: printed rounding explains the gap",
    "mismatch": "they differ by more than tolerance_wan: a real error in the document or the parse",
}


@dataclass(frozen=True)
class Rule:
    """One reconciliation identity: which declared figure must equal which sum."""

    check_name: str
    level: str
    subject: str
    description: str


RULES = (
    Rule(
        "units_sum_to_declared_total",
        "release",
        "合计 vs units",
        "The budget units' subtotals add up to the release's 合计.",
    ),
    Rule(
        "projects_sum_to_declared_total",
        "release",
        "合计 vs projects",
        "The projects' totals add up to the release's 合计.",
    ),
    Rule(
        "projects_sum_to_unit_subtotal",
        "unit",
        "unit subtotal vs projects",
        "Each unit's projects add up to the unit's printed subtotal.",
    ),
    Rule(
        "funding_sources_sum_to_project_total",
        "project",
        "total vs funding sources",
        "Each project's funding sources (财政拨款, 财政专户拨款, 其他资金, 专项债券) add up "
        "to its 总计.",
    ),
)
CHECK_NAMES = tuple(rule.check_name for rule in RULES)
_RULES = {rule.check_name: rule for rule in RULES}
COLUMNS = (
    "release_id",
    "check_name",
    "level",
    "subject",
    "entity_name_zh",
    "unit_id",
    "project_id",
    "funding_source",
    "declared_wan",
    "computed_wan",
    "difference_wan",
    "tolerance_wan",
    "n_summed",
    "status",
    "source_file",
    "source_line",
)


def classify_gap(difference: Decimal, n_summed: int) -> tuple[Decimal, str]:
    """Tolerance and status of a gap between a declared figure and the sum of n figures."""
    tolerance = ROUNDING_TOLERANCE_WAN * n_summed
    if difference == 0:
        return tolerance, "exact"
    if abs(difference) <= tolerance:
        return tolerance, "rounding"
    return tolerance, "mismatch"


def _is_figure(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and value != value)


def _row(
    rule: str,
    row: Any,
    entity_name_zh: str,
    funding_source: str,
    declared: Any,
    parts: list[Any],
    unit_id: str | None = None,
    project_id: str | None = None,
) -> dict[str, Any] | None:
    """One compared figure; None when the document declares nothing to compare."""
    if not _is_figure(declared):
        return None
    figures = [part for part in parts if _is_figure(part)]
    computed = sum(figures, Decimal("0.00"))
    difference = declared - computed
    tolerance, status = classify_gap(difference, len(figures))
    return {
        "release_id": row.release_id,
        "check_name": rule,
        "level": _RULES[rule].level,
        "subject": _RULES[rule].subject,
        "entity_name_zh": entity_name_zh,
        "unit_id": unit_id,
        "project_id": project_id,
        "funding_source": funding_source,
        "declared_wan": declared,
        "computed_wan": computed,
        "difference_wan": difference,
        "tolerance_wan": tolerance,
        "n_summed": len(figures),
        "status": status,
        "source_file": row.source_file,
        "source_line": row.source_line,
    }


def reconcile(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per declared or derivable figure, compared with the sum of its parts.

    A figure the document does not declare (null) has nothing to reconcile and gets no row;
    null parts are left out of the sum and of ``n_summed``.
    """
    projects = tables["projects"]
    units = tables["budget_units"]
    declaring = units[units["has_declared_totals"].astype(bool)]
    rows: list[dict[str, Any] | None] = []
    for total in tables["declared_totals"].itertuples(index=False):
        for source in DECLARED_SOURCES:
            declared = getattr(total, f"{source}_wan")
            if len(declaring):
                unit_parts = list(declaring[f"declared_{source}_wan"])
                rows.append(
                    _row(
                        "units_sum_to_declared_total",
                        total,
                        total.subject,
                        source,
                        declared,
                        unit_parts,
                    )
                )
            project_parts = list(projects[f"{source}_wan"])
            rows.append(
                _row(
                    "projects_sum_to_declared_total",
                    total,
                    total.subject,
                    source,
                    declared,
                    project_parts,
                )
            )
    for unit in declaring.itertuples(index=False):
        children = projects[projects["unit_id"] == unit.unit_id]
        for source in DECLARED_SOURCES:
            rows.append(
                _row(
                    "projects_sum_to_unit_subtotal",
                    unit,
                    unit.unit_name_zh,
                    source,
                    getattr(unit, f"declared_{source}_wan"),
                    list(children[f"{source}_wan"]),
                    unit_id=unit.unit_id,
                )
            )
    for project in projects.itertuples(index=False):
        parts = [getattr(project, f"{source}_wan") for source in FUNDING_SOURCES]
        if not any(_is_figure(part) for part in parts):
            continue  # no funding-source figure at all: nothing to reconcile against
        rows.append(
            _row(
                "funding_sources_sum_to_project_total",
                project,
                project.project_name_zh,
                "total",
                project.total_wan,
                parts,
                unit_id=project.unit_id,
                project_id=project.project_id,
            )
        )
    kept = [row for row in rows if row is not None]
    return pd.DataFrame(kept, columns=list(COLUMNS))


def label(row: Any) -> str:
    """How a check names one compared figure: 合计 by comparison, a unit, a project with its id."""
    if row.level == "unit":
        return str(row.entity_name_zh)
    if row.level == "project":
        return f"{row.entity_name_zh} [{row.project_id}]"
    return str(row.subject)


def summarise(reconciliation: pd.DataFrame) -> dict[str, int]:
    """Counts of exact, rounding and mismatch rows, for summaries and metadata."""
    counts = reconciliation["status"].value_counts()
    return {status: int(counts.get(status, 0)) for status in STATUSES}
