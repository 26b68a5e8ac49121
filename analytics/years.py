"""Year over year, per department: what the report's section and ``budget-marts years`` show.

Read from the year marts (marts.department_years, marts.project_year_changes). A department
appears only once it has two budget years in the warehouse; with none such, ``read_years``
returns None and neither the report nor the command shows anything new: a single year has
nothing to be compared with, and an empty section would only say so at length.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import duckdb

from analytics.warehouse import has_table

# Marts the comparison reads; without them (an older warehouse) there is nothing to show.
YEAR_MARTS = ("department_years", "project_year_changes")
LARGEST_CHANGES = 5
LISTED_PROJECTS = 10


@dataclass(frozen=True)
class YearTotal:
    """One department-year: its money and the change against the year before."""

    budget_year: int
    n_projects: int
    total_wan: Decimal
    change_wan: Decimal | None
    change_pct: float | None
    department_zh_printed: str


@dataclass(frozen=True)
class ProjectChange:
    """One project's row of project_year_changes, as the comparison lists it."""

    unit_name_zh: str
    project_name_zh: str
    status: str
    previous_total_wan: Decimal | None
    total_wan: Decimal | None
    change_wan: Decimal
    is_ambiguous_match: bool


@dataclass
class DepartmentYears:
    """One department with two or more budget years, compared on its latest two."""

    department_id: str
    department_zh: str
    totals: list[YearTotal]
    latest_year: int
    previous_year: int
    largest_changes: list[ProjectChange] = field(default_factory=list)
    new_projects: list[ProjectChange] = field(default_factory=list)
    ended_projects: list[ProjectChange] = field(default_factory=list)
    n_new: int = 0
    n_ended: int = 0
    n_ambiguous: int = 0


def read_years(connection: duckdb.DuckDBPyConnection) -> list[DepartmentYears] | None:
    """Every department with two or more budget years, or None when there is none."""
    if not all(has_table(connection, "marts", name) for name in YEAR_MARTS):
        return None
    rows = connection.execute(
        """
        select department_id, department_zh, budget_year, n_projects, total_wan, change_wan,
               change_pct, department_zh_printed, previous_budget_year
        from marts.department_years
        where department_id in (
            select department_id from marts.department_years
            where previous_budget_year is not null
        )
        order by department_zh, department_id, budget_year
        """
    ).fetchall()
    if not rows:
        return None
    departments: dict[str, DepartmentYears] = {}
    for row in rows:
        department_id, name, year, n_projects, total, change, pct, printed, previous = row
        department = departments.setdefault(
            department_id, DepartmentYears(department_id, name, [], year, year)
        )
        department.totals.append(YearTotal(year, n_projects, total, change, pct, printed))
        if previous is not None:
            department.latest_year, department.previous_year = year, previous
    for department in departments.values():
        _read_changes(connection, department)
    return list(departments.values())


def _read_changes(connection: duckdb.DuckDBPyConnection, department: DepartmentYears) -> None:
    changes = [
        ProjectChange(*row)
        for row in connection.execute(
            """
            select unit_name_zh, project_name_zh, status, previous_total_wan, total_wan,
                   change_wan, is_ambiguous_match
            from marts.project_year_changes
            where department_id = ? and budget_year = ?
            order by abs(change_wan) desc, project_name_zh, unit_name_zh
            """,
            [department.department_id, department.latest_year],
        ).fetchall()
    ]
    department.largest_changes = [c for c in changes if c.change_wan != 0][:LARGEST_CHANGES]
    new = [c for c in changes if c.status == "new"]
    ended = [c for c in changes if c.status == "ended"]
    department.new_projects, department.n_new = new[:LISTED_PROJECTS], len(new)
    department.ended_projects, department.n_ended = ended[:LISTED_PROJECTS], len(ended)
    department.n_ambiguous = sum(c.is_ambiguous_match for c in changes)
