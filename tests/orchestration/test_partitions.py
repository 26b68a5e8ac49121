"""Release spans: which runs cover which partitions."""

from orchestration.partitions import RANGE_END_TAG, RANGE_START_TAG, range_tags, release_ranges


def test_release_ranges_covers_consecutive_wanted_partitions_with_one_span():
    assert release_ranges(["a", "b", "c"], ["c", "a", "b"]) == [("a", "c")]


def test_release_ranges_follows_the_partitions_order_not_the_names():
    # Dynamic partitions are ordered by when they were added.
    assert release_ranges(["z", "a", "m"], ["a", "z", "m"]) == [("z", "m")]


def test_release_ranges_never_takes_in_a_partition_nobody_asked_for():
    keys = ["a", "gone", "c", "d", "also-gone", "f"]

    assert release_ranges(keys, ["a", "c", "d", "f"]) == [("a", "a"), ("c", "d"), ("f", "f")]


def test_release_ranges_ignores_wanted_keys_that_are_not_partitions():
    assert release_ranges(["a"], ["a", "unregistered"]) == [("a", "a")]
    assert release_ranges([], ["a"]) == []


def test_range_tags_are_dagsters_partition_range_tags():
    assert range_tags("a", "c") == {RANGE_START_TAG: "a", RANGE_END_TAG: "c"}
    assert RANGE_START_TAG == "dagster/asset_partition_range_start"


def test_withdraw_vanished_drops_the_partition_and_the_lake_tables_of_a_removed_file(tmp_path):
    from pathlib import Path

    import dagster as dg

    from lake.publish import publish_releases
    from orchestration.partitions import RELEASE_PARTITIONS_NAME, withdraw_vanished

    samples = Path(__file__).resolve().parents[2] / "data_lake" / "raw"
    kept, removed = "guangzhou-huadu-police-branch", "guangzhou-baiyun-political-legal-committee"
    (tmp_path / "raw").mkdir()
    raws = [tmp_path / "raw" / f"{release_id}.txt" for release_id in (kept, removed)]
    for raw in raws:
        raw.write_bytes((samples / raw.name).read_bytes())
    assert all(r.landed for r in publish_releases(raws, tmp_path, tmp_path / "quarantine", 1))
    raws[1].unlink()

    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(RELEASE_PARTITIONS_NAME, [kept, removed])
        (withdrawn,) = withdraw_vanished(instance, tmp_path)
        partitions = instance.get_dynamic_partitions(RELEASE_PARTITIONS_NAME)

    assert withdrawn.release_id == removed
    assert partitions == [kept]
    assert not list((tmp_path / "parquet").glob(f"*/release_id={removed}"))
    assert len(list((tmp_path / "parquet").glob(f"*/release_id={kept}"))) == 7


def test_register_releases_survives_another_process_adding_the_same_release_in_between(tmp_path):
    """Two make runs on one Dagster home, as seen in CI: both find "b" missing, both insert it.

    Dagster's storage checks for existing keys and then inserts, in two statements, so the
    slower process gets the storage's unique-key error. That error is reproduced here as the
    storage raises it, after the other process's insert really happened.
    """
    import dagster as dg
    from sqlalchemy.exc import IntegrityError

    from orchestration.partitions import RELEASE_PARTITIONS_NAME, register_releases

    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        add_partitions = instance.add_dynamic_partitions
        attempts = []

        def add_losing_the_first_race(name, keys):
            attempts.append(list(keys))
            if len(attempts) == 1:
                add_partitions(name, ["b"])  # the other process wins the race
                raise IntegrityError("INSERT INTO dynamic_partitions", {}, Exception("UNIQUE"))
            add_partitions(name, keys)

        instance.add_dynamic_partitions = add_losing_the_first_race
        added = register_releases(instance, ["a", "b", "c"])

        assert attempts == [["a", "b", "c"], ["a", "c"]]
        assert added == ["a", "c"]
        assert sorted(instance.get_dynamic_partitions(RELEASE_PARTITIONS_NAME)) == ["a", "b", "c"]


def test_register_releases_gives_up_on_a_storage_that_keeps_refusing(tmp_path):
    import dagster as dg
    import pytest
    from sqlalchemy.exc import IntegrityError

    from orchestration.partitions import REGISTER_ATTEMPTS, register_releases

    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        calls = []

        def always_refuse(name, keys):
            calls.append(keys)
            raise IntegrityError("INSERT INTO dynamic_partitions", {}, Exception("UNIQUE"))

        instance.add_dynamic_partitions = always_refuse
        with pytest.raises(IntegrityError):
            register_releases(instance, ["a"])
        assert len(calls) == REGISTER_ATTEMPTS
