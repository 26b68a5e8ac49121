"""The two jobs: releases into the lake, and the marts from the whole lake.

Their own module so that ``make run`` and the tests can resolve them without the sensors and
schedules. Runs the automation launches are Dagster's own asset runs, not these jobs.
"""

import dagster as dg

import settings
from orchestration.assets.dbt import dbt_models
from orchestration.assets.lake import lake_release_tables

RELEASE_JOB_NAME = settings.RELEASE_JOB_NAME
MARTS_JOB_NAME = settings.MARTS_JOB_NAME

release_job = dg.define_asset_job(
    RELEASE_JOB_NAME,
    selection=dg.AssetSelection.assets(lake_release_tables),
    description=(
        "Parse, validate and reconcile releases and write the ones that pass to the lake: one "
        "release (a partition) or a span of them in one run (make run, a backfill from the UI); "
        "the raw sensor and the nightly rebuild go through the lake's automation condition."
    ),
)
marts_job = dg.define_asset_job(
    MARTS_JOB_NAME,
    selection=dg.AssetSelection.assets(dbt_models),
    description="dbt build: staging, intermediate and marts from the whole lake.",
)
