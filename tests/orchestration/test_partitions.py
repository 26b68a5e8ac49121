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
