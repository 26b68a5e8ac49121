"""Analyst-facing tools on top of the DuckDB warehouse: ``budget-marts`` and the HTML report.

Nothing here writes to the warehouse: every connection is opened read-only, and nothing
imports ``orchestration`` or ``dagster``, so the tools start fast and run next to a
pipeline that is still building.
"""
