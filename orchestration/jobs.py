"""The two jobs: releases into the lake, and the marts from the whole lake.

Their own module so that ``sensors`` and ``schedules`` can target them without importing
``definitions`` (which imports them).
"""

import dagster as dg

from orchestration.assets.dbt import dbt_models
from orchestration.assets.lake import lake_release_tables

RELEASE_JOB_NAME = "release_job"
MARTS_JOB_NAME = "marts_job"

release_job = dg.define_asset_job(
    RELEASE_JOB_NAME,
    selection=dg.AssetSelection.assets(lake_release_tables),
    description=(
        "Parse, validate and reconcile releases and write the ones that pass to the lake: one "
        "release (a partition) or a span of them in one run (a backfill, make run, the nightly "
        "schedule)."
    ),
)
marts_job = dg.define_asset_job(
    MARTS_JOB_NAME,
    selection=dg.AssetSelection.assets(dbt_models),
    description="dbt build: staging, intermediate and marts from the whole lake.",
)
