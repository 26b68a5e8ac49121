"""Dagster orchestration: raw releases → Parquet lake → dbt marts."""
