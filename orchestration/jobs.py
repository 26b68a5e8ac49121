"""The two jobs: one release (a partition) at a time, and the marts from the whole lake.

Their own module so that ``sensors`` and ``schedules`` can target them without importing
``definitions`` (which imports them).
"""

import dagster as dg

from orchestration.assets.dbt import dbt_models
from orchestration.partitions import release_partitions

RELEASE_JOB_NAME = "release_job"
MARTS_JOB_NAME = "marts_job"

release_job = dg.define_asset_job(
    RELEASE_JOB_NAME,
    selection=dg.AssetSelection.groups("extracted", "lake"),
    partitions_def=release_partitions,
    description="Parse, validate and reconcile one release (one partition); write it to the lake.",
)
marts_job = dg.define_asset_job(
    MARTS_JOB_NAME,
    selection=dg.AssetSelection.assets(dbt_models),
    description="dbt build: staging, intermediate and marts from the whole lake.",
)
