"""The dbt project as Dagster sees it: paths relative to this file, manifest on demand.

Its own module so that resources and assets share one ``DbtProject`` without
importing each other.
"""

from pathlib import Path

from dagster_dbt import DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"

budget_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Under `dagster dev` re-parse on load so model edits show up; elsewhere the
# manifest comes from `make dbt-parse` (or the test session fixture).
budget_dbt_project.prepare_if_dev()
