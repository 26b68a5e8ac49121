"""The one ``Definitions`` of this code location. Wiring only: no logic lives here."""

import dagster as dg

from orchestration.assets.dbt import dbt_models
from orchestration.assets.lake import lake_release_tables, raw_release_files
from orchestration.automation import automation_sensor
from orchestration.jobs import marts_job, release_job
from orchestration.resources import LakeResource, build_dbt_resource
from orchestration.schedules import nightly_rebuild_job, nightly_rebuild_schedule
from orchestration.sensors import raw_release_sensor

defs = dg.Definitions(
    assets=[raw_release_files, lake_release_tables, dbt_models],
    jobs=[release_job, marts_job, nightly_rebuild_job],
    sensors=[raw_release_sensor, automation_sensor],
    schedules=[nightly_rebuild_schedule],
    resources={"lake": LakeResource(), "dbt": build_dbt_resource()},
    executor=dg.in_process_executor,
)
