"""Do the parts add up to the totals the document declares?

Printed figures are rounded to 0.01 万元, so a sum of n printed figures may drift from a printed
total by up to n × 0.005 万元: that gap is rounding, reported but accepted. A larger gap is a
mismatch: a real error in the document or in the parse, and it is named with its subject.
The same rules are written in SQL for marts.reconciliation; tests keep the two in agreement.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

from parsers.model import FUNDING_SOURCES

ROUNDING_TOLERANCE_WAN = Decimal("0.005")
DECLARED_SOURCES = ("total", "fiscal", "special_account", "other")
CHECK_NAMES = (
    "units_sum_to_declared_total",
    "projects_sum_to_declared_total",
    "projects_sum_to_unit_subtotal",
    "funding_sources_sum_to_project_total",
)
COLUMNS = (
    "release_id",
    "check_name",
    "level",
    "subject",
    "funding_source",
    "declared_wan",
    "computed_wan",
    "difference_wan",
    "tolerance_wan",
    "n_summed",
    "status",
    "source_line",
)


def classify_gap(difference: Decimal, n_summed: int) -> tuple[Decimal, str]:
    """Tolerance and status of a gap between a declared figure and the sum of n figures."""
    tolerance = ROUNDING_TOLERANCE_WAN * max(n_summed, 1)
    if difference == 0:
        return tolerance, "exact"
    if abs(difference) <= tolerance:
        return tolerance, "rounding"
    return tolerance, "mismatch"


def _row(
    release_id: str,
    check_name: str,
    level: str,
    subject: str,
    funding_source: str,
    declared: Decimal,
    parts: list[Decimal],
    source_line: Any,
) -> dict[str, Any]:
    computed = sum(parts, Decimal("0.00"))
    difference = declared - computed
    tolerance, status = classify_gap(difference, len(parts))
    return {
        "release_id": release_id,
        "check_name": check_name,
        "level": level,
        "subject": subject,
        "funding_source": funding_source,
        "declared_wan": declared,
        "computed_wan": computed,
        "difference_wan": difference,
        "tolerance_wan": tolerance,
        "n_summed": len(parts),
        "status": status,
        "source_line": source_line,
    }


def reconcile(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per declared or derivable figure, compared with the sum of its parts."""
    projects = tables["projects"]
    units = tables["budget_units"]
    declared_totals = tables["declared_totals"]
    rows: list[dict[str, Any]] = []
    for total in declared_totals.itertuples(index=False):
        declared_units = units[units["has_declared_totals"]]
        for source in DECLARED_SOURCES:
            declared = getattr(total, f"{source}_wan")
            if len(declared_units):
                rows.append(
                    _row(
                        total.release_id,
                        "units_sum_to_declared_total",
                        "release",
                        f"{total.subject} vs units",
                        source,
                        declared,
                        list(declared_units[f"declared_{source}_wan"]),
                        total.source_line,
                    )
                )
            rows.append(
                _row(
                    total.release_id,
                    "projects_sum_to_declared_total",
                    "release",
                    f"{total.subject} vs projects",
                    source,
                    declared,
                    list(projects[f"{source}_wan"]),
                    total.source_line,
                )
            )
    for unit in units[units["has_declared_totals"]].itertuples(index=False):
        children = projects[projects["unit_id"] == unit.unit_id]
        for source in DECLARED_SOURCES:
            rows.append(
                _row(
                    unit.release_id,
                    "projects_sum_to_unit_subtotal",
                    "unit",
                    unit.unit_name_zh,
                    source,
                    getattr(unit, f"declared_{source}_wan"),
                    list(children[f"{source}_wan"]),
                    unit.source_line,
                )
            )
    for project in projects.itertuples(index=False):
        rows.append(
            _row(
                project.release_id,
                "funding_sources_sum_to_project_total",
                "project",
                f"{project.project_name_zh} [{project.project_id}]",
                "total",
                project.total_wan,
                [getattr(project, f"{source}_wan") for source in FUNDING_SOURCES],
                project.source_line,
            )
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def summarise(reconciliation: pd.DataFrame) -> dict[str, int]:
    """Counts of exact, rounding and mismatch rows, for summaries and metadata."""
    counts = reconciliation["status"].value_counts()
    return {status: int(counts.get(status, 0)) for status in ("exact", "rounding", "mismatch")}
