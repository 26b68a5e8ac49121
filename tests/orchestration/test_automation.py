"""The automation conditions on the real definitions, evaluated tick by tick without a daemon.

Events are reported to a temporary instance the way the raw sensor and the runs would record
them; ``dg.evaluate_automation_conditions`` then says what Dagster's automation sensor would
request on that tick.
"""

import dagster as dg
import pytest

from orchestration.partitions import RELEASE_PARTITIONS_NAME

RAW_KEY = dg.AssetKey(["raw", "release_files"])
LAKE_KEY = dg.AssetKey(["lake", "release_tables"])
RELEASES = ["a-release", "b-release", "c-release"]


@pytest.fixture(scope="module")
def defs(dbt_manifest):
    from orchestration.definitions import defs

    return defs


@pytest.fixture(scope="module")
def dbt_keys(defs):
    graph = defs.resolve_asset_graph()
    return {
        key
        for key in graph.get_all_asset_keys()
        if graph.get(key).group_name in {"staging", "intermediate", "marts", "seeds"}
    }


@pytest.fixture
def instance():
    with dg.instance_for_test() as test_instance:
        test_instance.add_dynamic_partitions(RELEASE_PARTITIONS_NAME, RELEASES)
        yield test_instance


def _tick(defs, instance, cursor=None):
    return dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)


def _requested(result, keys) -> set[dg.AssetKey]:
    return {key for key in keys if result.get_requested_partitions(key)}


def _report(instance, key: dg.AssetKey, partition: str | None = None) -> None:
    instance.report_runless_asset_event(dg.AssetMaterialization(key, partition=partition))


def test_automation_requests_the_releases_whose_raw_file_was_reported(defs, instance, dbt_keys):
    first = _tick(defs, instance)
    for release_id in ("a-release", "c-release"):
        _report(instance, RAW_KEY, release_id)

    result = _tick(defs, instance, first.cursor)

    assert result.get_requested_partitions(LAKE_KEY) == {"a-release", "c-release"}
    assert _requested(result, dbt_keys) == set()


def test_automation_requests_a_release_once_per_report(defs, instance):
    first = _tick(defs, instance)
    _report(instance, RAW_KEY, "b-release")
    second = _tick(defs, instance, first.cursor)

    third = _tick(defs, instance, second.cursor)

    assert second.get_requested_partitions(LAKE_KEY) == {"b-release"}
    assert third.total_requested == 0


def test_automation_rebuilds_every_dbt_asset_together_after_a_lake_write(defs, instance, dbt_keys):
    # Seeds have no parents, yet the build starts from an empty file: they must come along.
    first = _tick(defs, instance)
    _report(instance, LAKE_KEY, "b-release")

    result = _tick(defs, instance, first.cursor)

    assert _requested(result, dbt_keys) == dbt_keys
    assert any(key.path[0] == "seeds" for key in dbt_keys)
    assert result.get_requested_partitions(LAKE_KEY) == set()


def test_automation_rebuilds_the_marts_even_while_a_release_partition_is_missing(
    defs, instance, dbt_keys
):
    # Only b landed (a and c quarantined, say): eager() would wait for them forever.
    first = _tick(defs, instance)
    _report(instance, LAKE_KEY, "b-release")

    result = _tick(defs, instance, first.cursor)

    assert _requested(result, dbt_keys) == dbt_keys


def test_automation_does_not_rebuild_the_marts_twice_for_one_lake_write(defs, instance, dbt_keys):
    first = _tick(defs, instance)
    _report(instance, LAKE_KEY, "a-release")
    second = _tick(defs, instance, first.cursor)

    third = _tick(defs, instance, second.cursor)

    assert _requested(second, dbt_keys) == dbt_keys
    assert _requested(third, dbt_keys) == set()


def test_automation_counts_a_manual_marts_build_as_handled(defs, instance, dbt_keys):
    first = _tick(defs, instance)
    _report(instance, LAKE_KEY, "a-release")
    for key in dbt_keys:
        _report(instance, key)

    result = _tick(defs, instance, first.cursor)

    assert _requested(result, dbt_keys) == set()


def test_automation_sensor_runs_by_default(defs):
    sensors = {sensor.name: sensor for sensor in defs.sensors}

    assert sensors["automation_condition_sensor"].default_status == dg.DefaultSensorStatus.RUNNING
