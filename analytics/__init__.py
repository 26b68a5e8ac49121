"""Analyst-facing tools on top of the DuckDB warehouse: ``budget-marts`` and the HTML report.

Nothing here writes to the warehouse or reads outside it: every connection is opened
read-only with DuckDB's external access disabled (analytics/warehouse.py), and nothing
imports ``orchestration`` or ``dagster``, so the tools start fast and run next to a
pipeline that is still building.
"""
