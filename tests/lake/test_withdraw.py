"""A release whose raw file is gone leaves the lake whole: every table, its manifest, together.

Real sample releases are published into a temporary lake as ``make run`` does; then a raw file
is deleted and the release withdrawn, once cleanly and once with the withdrawer stopped between
two renames (the next lock holder must finish the job).
"""

from pathlib import Path

import pytest

from lake.contract import TABLES
from lake.journal import content_index_path, read_manifest, recover
from lake.locks import lake_lock
from lake.publish import publish_releases
from lake.withdraw import vanished_release_ids, withdraw_vanished_releases
from lake.writer import partition_dir

RAW = Path(__file__).resolve().parents[2] / "data_lake" / "raw"
HUADU = "guangzhou-huadu-police-branch"
BAIYUN = "guangzhou-baiyun-political-legal-committee"


@pytest.fixture
def lake(tmp_path) -> Path:
    """A lake with Huadu and Baiyun published."""
    (tmp_path / "raw").mkdir()
    paths = []
    for release_id in (HUADU, BAIYUN):
        paths.append(tmp_path / "raw" / f"{release_id}.txt")
        paths[-1].write_bytes((RAW / f"{release_id}.txt").read_bytes())
    assert all(p.landed for p in publish_releases(paths, tmp_path, tmp_path / "quarantine", 1))
    return tmp_path


def _tables_of(lake: Path, release_id: str) -> list[str]:
    return [table for table in TABLES if partition_dir(lake, table, release_id).exists()]


def test_withdraw_removes_every_table_and_the_manifest_of_a_release_whose_file_is_gone(lake):
    content = read_manifest(lake, BAIYUN)["content_sha256"]
    (lake / "raw" / f"{BAIYUN}.txt").unlink()

    (withdrawn,) = withdraw_vanished_releases(lake, [HUADU, BAIYUN])

    assert withdrawn.release_id == BAIYUN
    assert sorted(withdrawn.tables) == sorted(TABLES)
    assert withdrawn.message.startswith(
        f"release {BAIYUN}: raw file {lake / 'raw' / BAIYUN}.txt is gone, removed its 7 lake"
    )
    assert _tables_of(lake, BAIYUN) == []
    assert read_manifest(lake, BAIYUN) is None
    assert not content_index_path(lake, content).exists()
    assert _tables_of(lake, HUADU) == list(TABLES)
    assert not any((lake / ".publishing").iterdir())


def test_withdraw_finds_a_published_release_no_dagster_partition_names(lake):
    (lake / "raw" / f"{BAIYUN}.txt").unlink()

    assert vanished_release_ids(lake, known_release_ids=[]) == [BAIYUN]


def test_withdraw_leaves_the_lake_alone_when_raw_holds_no_release(lake):
    for path in (lake / "raw").glob("*.txt"):
        path.unlink()

    assert withdraw_vanished_releases(lake, [HUADU, BAIYUN]) == []
    assert _tables_of(lake, BAIYUN) == list(TABLES)


def test_a_withdrawal_stopped_between_two_tables_is_finished_by_the_next_lock_holder(
    lake, stop_after_two_renames
):
    (lake / "raw" / f"{BAIYUN}.txt").unlink()
    with pytest.raises(stop_after_two_renames.error):
        withdraw_vanished_releases(lake, [BAIYUN])
    assert len(_tables_of(lake, BAIYUN)) == len(TABLES) - 2  # half withdrawn, journal left
    assert (lake / ".publishing" / f"{BAIYUN}.json").exists()

    stop_after_two_renames.resume()
    with lake_lock(lake, shared=False, timeout=0):
        assert recover(lake) == [BAIYUN]

    assert _tables_of(lake, BAIYUN) == []
    assert read_manifest(lake, BAIYUN) is None
    assert not any((lake / ".publishing").iterdir())
    assert _tables_of(lake, HUADU) == list(TABLES)
