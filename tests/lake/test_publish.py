"""Publishing releases: each is judged on its own, in this process or in a pool."""

import copy
import shutil
from pathlib import Path

import pandera.pandas as pa
import pytest

from lake.checks import CheckResult
from lake.contract import SCHEMAS, TABLES
from lake.publish import (
    MIN_RELEASES_FOR_POOL,
    iter_published_releases,
    publish_chunk,
    publish_release,
    publish_releases,
)
from lake.writer import partition_path

RAW = Path(__file__).resolve().parents[2] / "data_lake" / "raw"
BAIYUN = "guangzhou-baiyun-political-legal-committee"


@pytest.fixture
def lake(tmp_path) -> Path:
    (tmp_path / "raw").mkdir()
    return tmp_path


def _copy_samples(lake: Path) -> list[Path]:
    paths = []
    for sample in sorted(RAW.glob("*.txt")):
        paths.append(lake / "raw" / sample.name)
        shutil.copy(sample, paths[-1])
    return paths


def test_what_is_written_is_the_validated_frame_in_the_file_schema(lake):
    """The parser's Arrow tables are written as they are once Pandera passed them; they must
    be what converting Pandera's output would have written, value for value and type for type."""
    import pyarrow.parquet as pq

    from lake.checks import validate_frame
    from lake.frames import release_frames
    from lake.writer import to_arrow_table
    from parsers.release import parse_release

    paths = _copy_samples(lake)
    assert all(result.landed for result in publish_releases(paths, lake, lake / "quarantine"))
    for path in paths:
        for table, frame in release_frames(parse_release(path)).items():
            validated = validate_frame(table, frame, SCHEMAS[table]).frame
            written = pq.read_table(partition_path(lake, table, path.stem))
            assert written.equals(to_arrow_table(validated, table)), (path.stem, table)


def test_publish_release_writes_all_six_tables_and_reports_every_check(lake):
    (path,) = [p for p in _copy_samples(lake) if p.stem == BAIYUN]

    published = publish_release(path, lake, lake / "quarantine")

    assert published.landed and published.refusal is None
    assert all(partition_path(lake, table, BAIYUN).exists() for table in TABLES)
    assert len(published.check_results) == 12  # 6 schemas, 4 reconciliation, numbering, budget year
    assert all(isinstance(result, CheckResult) for result in published.check_results)
    assert published.metadata["rows/projects"] == 16
    assert published.metadata["projects.total_wan"] == pytest.approx(1989.76)
    assert published.metadata["release_fingerprint"] == published.metadata["source_sha256"]


def test_publish_releases_in_a_pool_lands_the_good_and_quarantines_the_bad(lake):
    paths = _copy_samples(lake)
    broken = lake / "raw" / "zz-broken.txt"
    broken.write_text("这不是绩效目标表\n", encoding="utf-8")
    paths.append(broken)
    assert len(paths) >= MIN_RELEASES_FOR_POOL

    published = publish_releases(paths, lake, lake / "quarantine", workers=2)

    assert [p.release_id for p in published] == [path.stem for path in paths]
    landed = [p.release_id for p in published if p.landed]
    assert landed == [path.stem for path in paths[:-1]]
    assert all(partition_path(lake, "projects", release_id).exists() for release_id in landed)
    (refused,) = [p for p in published if not p.landed]
    assert "zz-broken.txt:1: no known layout" in refused.refusal
    assert refused.refusal_metadata["source_line"] == 1
    assert (lake / "quarantine" / "zz-broken" / "REPORT.md").exists()
    assert not (lake / "parquet" / "projects" / "release_id=zz-broken").exists()


def test_iter_published_releases_hands_over_a_chunk_before_the_next_is_parsed(lake, monkeypatch):
    from lake import publish

    first, second = _copy_samples(lake)[:2]
    monkeypatch.setattr(publish, "chunks", lambda items, workers: [[path] for path in items])

    releases = iter_published_releases([first, second], lake, lake / "quarantine", workers=1)
    handed_over = next(releases)

    assert handed_over.release_id == first.stem and handed_over.landed
    assert partition_path(lake, "projects", first.stem).exists()
    assert not partition_path(lake, "projects", second.stem).exists()
    assert [p.release_id for p in releases] == [second.stem]


def test_iter_published_releases_in_a_pool_keeps_the_input_order(lake):
    paths = _copy_samples(lake)
    assert len(paths) >= MIN_RELEASES_FOR_POOL

    published = list(iter_published_releases(paths, lake, lake / "quarantine", workers=2))

    assert [p.release_id for p in published] == [path.stem for path in paths]
    assert all(p.landed for p in published)


def test_publish_release_keeps_a_release_that_does_not_reconcile_out_of_the_lake(lake):
    text = (RAW / f"{BAIYUN}.txt").read_text(encoding="utf-8")
    path = lake / "raw" / f"{BAIYUN}.txt"
    path.write_text(text.replace("合计\t1,989.76", "合计\t1,999.76", 1), encoding="utf-8")

    published = publish_release(path, lake, lake / "quarantine")

    assert not published.landed
    assert "projects_sum_to_declared_total" in published.failed_checks
    assert "see" in published.refusal and published.quarantine
    assert not (lake / "parquet").exists()


def test_publish_release_refuses_a_missing_file_without_a_quarantine(lake):
    published = publish_release(lake / "raw" / "nowhere.txt", lake, lake / "quarantine")

    assert not published.landed
    assert "no raw file nowhere.txt" in published.refusal
    assert not (lake / "quarantine").exists()


def test_publish_chunk_judges_each_release_alone_when_the_batch_fails_its_schema(lake, monkeypatch):
    paths = _copy_samples(lake)
    bad = paths[1].stem
    schema = copy.deepcopy(SCHEMAS["projects"])
    schema.checks = [*schema.checks, pa.Check(lambda frame: frame["release_id"] != bad)]
    monkeypatch.setitem(SCHEMAS, "projects", schema)

    published = publish_chunk(paths, lake, lake / "quarantine")

    assert [p.release_id for p in published if not p.landed] == [bad]
    (failed,) = [p for p in published if not p.landed]
    assert failed.failed_checks == ["projects_matches_schema"]
    assert (lake / "quarantine" / bad / "projects.failure_cases.csv").exists()
    for release in published:
        schema_result = next(
            c for c in release.check_results if c.name == "projects_matches_schema"
        )
        assert schema_result.passed == (release.release_id != bad)
