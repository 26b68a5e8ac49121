"""The one ``Definitions`` of this code location. Wiring only: no logic lives here."""

import dagster as dg

from orchestration.assets.dbt import dbt_models
from orchestration.assets.extracted import extracted_release, raw_release_files
from orchestration.assets.lake import lake_release
from orchestration.partitions import release_partitions
from orchestration.resources import LakeResource, build_dbt_resource

release_job = dg.define_asset_job(
    "release_job",
    selection=dg.AssetSelection.groups("extracted", "lake"),
    partitions_def=release_partitions,
    description="Parse, validate, write and reconcile one release (one partition).",
)
marts_job = dg.define_asset_job(
    "marts_job",
    selection=dg.AssetSelection.assets(dbt_models),
    description="dbt build: staging, intermediate and marts from the whole lake.",
)

defs = dg.Definitions(
    assets=[raw_release_files, extracted_release, lake_release, dbt_models],
    jobs=[release_job, marts_job],
    resources={"lake": LakeResource(), "dbt": build_dbt_resource()},
    executor=dg.in_process_executor,
)
