"""Declarative automation: releases follow their raw files, the marts follow the lake.

Dagster's automation condition sensor evaluates these conditions on every tick and launches
the runs itself, so no sensor of ours decides when the lake or the marts run:

- ``RELEASES_AUTOMATION`` on ``lake/release_tables``: a release partition runs when its raw
  file was (re-)reported since the partition was last requested (``raw_release_sensor`` or
  the nightly rebuild report it) and is not running already. The lake's
  ``BackfillPolicy.multi_run(max_partitions_per_run=250)`` makes Dagster launch one run per
  span of up to 250 consecutive partitions, so files dropped together are one run.
- ``rebuild_after(LAKE_KEY)`` on every dbt asset (orchestration/assets/dbt.py): the dbt
  build runs once the lake was updated since the marts were last requested or materialised,
  and nothing it reads is running. Every dbt asset (seeds too) watches the lake itself, not
  only its direct parents, so the whole project is requested together: the build starts
  from an empty file (lake/warehouse.py), and a subset would publish a warehouse without
  the other models.
  Not ``AutomationCondition.eager()``: it waits until no dependency is missing, and a
  quarantined release is a lake partition that stays missing, so it would never fire again.

A manual materialisation of the marts counts as handled: the automation does not rebuild
after it unless the lake changes again.
"""

import dagster as dg

AUTOMATION_SENSOR_NAME = "automation_condition_sensor"
AUTOMATION_INTERVAL_SECONDS = 10

_condition = dg.AutomationCondition

RELEASES_AUTOMATION = (
    _condition.any_deps_updated().since_last_handled() & ~_condition.in_progress()
).with_label("raw file reported since last handled, not running")


def rebuild_after(source: dg.AssetKey) -> dg.AutomationCondition:
    """Run when ``source`` was updated since this asset was last handled, and nothing runs.

    ``source`` is named rather than read from the asset's own parents so that every asset of
    a build that must run whole (seeds, with no parents) is requested on the same tick.
    """
    return (
        _condition.asset_matches(source, _condition.newly_updated()).since_last_handled()
        & ~_condition.asset_matches(source, _condition.in_progress())
        & ~_condition.any_deps_in_progress()
        & ~_condition.in_progress()
    ).with_label(f"{source.to_user_string()} updated since last handled, nothing it reads running")


automation_sensor = dg.AutomationConditionSensorDefinition(
    AUTOMATION_SENSOR_NAME,
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=AUTOMATION_INTERVAL_SECONDS,
    description=(
        "Launches lake/release_tables for releases whose raw file was reported (one run per "
        "span) and the dbt build once the lake changed: the conditions in "
        "orchestration/automation.py."
    ),
)
