"""What a hostile but fair operator tried (issue 13): copies, symlinks, huge files, kills.

Each test drops real sample releases into a temporary lake and publishes them as ``make run``
does (``publish_releases``), then looks at what the lake holds.
"""

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from lake import publish
from lake.contract import TABLES
from lake.journal import content_fingerprint, read_manifest, recover
from lake.locks import lake_lock
from lake.publish import publish_release, publish_releases
from lake.releases import raw_release_files, refused_raw_files
from lake.writer import partition_dir, partition_path
from settings import MAX_RELEASE_MB_ENV

RAW = Path(__file__).resolve().parents[2] / "data_lake" / "raw"
HUADU = "guangzhou-huadu-police-branch"
BAIYUN = "guangzhou-baiyun-political-legal-committee"
COPY = "aaa-huadu-copy"  # sorts before the original


@pytest.fixture
def lake(tmp_path) -> Path:
    (tmp_path / "raw").mkdir()
    return tmp_path


def _drop(lake: Path, sample: str, name: str | None = None, crlf: bool = False) -> Path:
    target = lake / "raw" / f"{name or sample}.txt"
    data = (RAW / f"{sample}.txt").read_bytes()
    if crlf:
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") + b"\r\n"
    target.write_bytes(data)
    return target


def _published(lake: Path) -> list[str]:
    return sorted(
        p.name.removeprefix("release_id=") for p in (lake / "parquet" / "projects").iterdir()
    )


def _publish(lake: Path, paths: list[Path]):
    return publish_releases(paths, lake, lake / "quarantine", workers=1)


def test_a_crlf_copy_under_a_name_that_sorts_first_is_refused_and_the_original_stays(lake):
    original = _drop(lake, HUADU)
    (first,) = _publish(lake, [original])
    assert first.landed

    copy = _drop(lake, HUADU, COPY, crlf=True)
    assert copy.read_bytes() != original.read_bytes()
    results = {r.release_id: r for r in _publish(lake, sorted([copy, original]))}

    assert results[HUADU].landed
    assert not results[COPY].landed
    assert results[COPY].refusal.startswith(
        f"Duplicate: {COPY}.txt has the same text as {HUADU}.txt"
    )
    assert f"{HUADU} stays published, {COPY} is not" in results[COPY].refusal
    assert _published(lake) == [HUADU]
    assert (lake / "quarantine" / COPY / "REPORT.md").exists()


def test_copies_arriving_in_one_batch_publish_the_one_that_arrived_first_not_the_first_name(lake):
    original = _drop(lake, HUADU)
    copy = _drop(lake, HUADU, COPY, crlf=True)
    os.utime(original, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    os.utime(copy, ns=(1_000_000_100_000_000_000, 1_000_000_100_000_000_000))

    results = {r.release_id: r for r in _publish(lake, sorted([copy, original]))}

    assert results[HUADU].landed
    assert not results[COPY].landed
    assert f"same text as {HUADU}.txt, which came first" in results[COPY].refusal
    assert _published(lake) == [HUADU]


def test_a_crlf_copy_arriving_alone_is_refused_by_its_parsed_content(lake):
    (first,) = _publish(lake, [_drop(lake, HUADU)])

    (result,) = _publish(lake, [_drop(lake, HUADU, COPY, crlf=True)])

    assert first.landed and not result.landed
    assert result.refusal == (
        f"Duplicate: {COPY}.txt has the same content as release {HUADU} (from {HUADU}.txt, "
        f"published first); {HUADU} stays published, {COPY} is not"
    )
    assert _published(lake) == [HUADU]


def test_a_copy_in_another_encoding_is_the_same_content(lake):
    (first,) = _publish(lake, [_drop(lake, BAIYUN)])
    text = (RAW / f"{BAIYUN}.txt").read_text(encoding="utf-8")
    gbk = lake / "raw" / "baiyun-gb18030.txt"
    gbk.write_bytes(text.encode("gb18030"))

    (result,) = _publish(lake, [gbk])

    assert first.landed and not result.landed
    assert f"same content as release {BAIYUN}" in result.refusal
    assert _published(lake) == [BAIYUN]


def test_republishing_the_same_release_is_not_a_duplicate_of_itself(lake):
    path = _drop(lake, BAIYUN)
    _publish(lake, [path])

    (again,) = _publish(lake, [path])

    assert again.landed


def test_the_fingerprint_made_in_memory_is_the_one_the_written_files_give(lake):
    """The publisher fingerprints what it wrote without reading it back; a later reader (the
    duplicate check, a rolled-forward journal) fingerprints the files: they must agree."""
    samples = sorted(path.stem for path in RAW.glob("*.txt"))
    results = _publish(lake, [_drop(lake, sample) for sample in samples])

    assert all(result.landed for result in results)
    for sample in samples:
        assert read_manifest(lake, sample)["content_sha256"] == content_fingerprint(lake, sample)


def test_a_symlink_in_raw_is_refused_and_its_target_never_read_or_copied(lake, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.txt"
    shutil.copy(RAW / f"{BAIYUN}.txt", outside)  # would parse fine if it were followed
    link = lake / "raw" / "evil.txt"
    link.symlink_to(outside)

    assert raw_release_files(lake / "raw") == []
    assert refused_raw_files(lake / "raw") == [
        "evil.txt is a symbolic link; only regular files inside raw/ are read"
    ]
    (result,) = _publish(lake, [link])

    assert not result.landed
    assert (
        result.refusal
        == "Refused: evil.txt is a symbolic link; only regular files inside raw/ are read"
    )
    assert sorted(p.name for p in (lake / "quarantine" / "evil").iterdir()) == ["REPORT.md"]
    assert not (lake / "parquet").exists()


def test_a_symlinked_sidecar_is_refused_too(lake, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "facts.json"
    outside.write_text('{"budget_year": 2026}', encoding="utf-8")
    path = _drop(lake, BAIYUN)
    (lake / "raw" / f"{BAIYUN}.meta.json").symlink_to(outside)

    (result,) = _publish(lake, [path])

    assert not result.landed
    assert "meta.json is a symbolic link" in result.refusal


def test_a_release_above_the_size_limit_is_refused_before_it_is_parsed(lake, monkeypatch):
    monkeypatch.setenv(MAX_RELEASE_MB_ENV, "0.01")  # 10 KB; the Baiyun sample is 16 KB

    def never(*args, **kwargs):
        raise AssertionError("a release above the limit was parsed")

    monkeypatch.setattr(publish, "parse_release", never)
    path = _drop(lake, BAIYUN)

    (result,) = _publish(lake, [path])

    assert not result.landed
    assert result.refusal == (
        f"Refused: {BAIYUN}.txt is 0.02 MB, above the limit of 0.01 MB per release "
        f"(${MAX_RELEASE_MB_ENV})"
    )
    report = lake / "quarantine" / BAIYUN
    assert sorted(p.name for p in report.iterdir()) == ["REPORT.md"]  # not copied either


def test_a_fixed_release_clears_its_quarantine_folder(lake):
    path = _drop(lake, BAIYUN)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("合计\t1,989.76", "合计\t1,999.76", 1), encoding="utf-8")
    (broken,) = _publish(lake, [path])
    assert not broken.landed and (lake / "quarantine" / BAIYUN).exists()

    path.write_text(text, encoding="utf-8")
    (fixed,) = _publish(lake, [path])

    assert fixed.landed
    assert not (lake / "quarantine" / BAIYUN).exists()


def _tables_present(lake: Path, release_id: str) -> list[str]:
    return [t for t in TABLES if partition_path(lake, t, release_id).exists()]


def test_a_publisher_stopped_between_two_tables_is_rolled_forward_whole(
    lake, stop_after_two_renames
):
    path = _drop(lake, BAIYUN)
    with pytest.raises(stop_after_two_renames.error):
        publish_release(path, lake, lake / "quarantine")
    assert _tables_present(lake, BAIYUN) == ["releases", "budget_units"]  # the mix

    stop_after_two_renames.resume()
    with lake_lock(lake, shared=False, timeout=0):
        assert recover(lake) == [BAIYUN]

    assert _tables_present(lake, BAIYUN) == list(TABLES)
    projects = pq.read_table(partition_path(lake, "projects", BAIYUN))
    assert projects.num_rows == 16
    assert read_manifest(lake, BAIYUN)["content_sha256"] == content_fingerprint(lake, BAIYUN)
    assert not any((lake / ".publishing").iterdir())


KILLED_PUBLISHER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from lake import journal
    from lake.publish import publish_release

    lake, raw = Path(sys.argv[1]), Path(sys.argv[2])
    real_move, moves = journal._move, []

    def move_then_die(source, target):
        if len(moves) == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        moves.append(target)
        real_move(source, target)

    journal._move = move_then_die
    publish_release(raw, lake, lake / "quarantine")
    """
)


def test_a_publisher_killed_mid_release_leaves_nothing_half_visible_to_the_next_reader(lake):
    from lake.warehouse import warehouse_build

    path = _drop(lake, BAIYUN)
    old = _publish(lake, [path])[0]
    assert old.landed
    old_projects = pq.read_table(partition_path(lake, "projects", BAIYUN)).num_rows
    text = path.read_text(encoding="utf-8")
    # A corrected release: one project renamed, totals unchanged.
    path.write_text(text.replace("公费医疗超支及自付经费", "公费医疗经费", 1), encoding="utf-8")

    killed = subprocess.run(
        [sys.executable, "-c", KILLED_PUBLISHER, str(lake), str(path)], timeout=120, check=False
    )
    assert killed.returncode == -signal.SIGKILL
    assert (lake / ".publishing" / f"{BAIYUN}.json").exists()
    # Before recovery the lake is a mix: the first tables new, the rest old or moved aside.
    assert read_manifest(lake, BAIYUN)["content_sha256"] != content_fingerprint(lake, BAIYUN)

    with warehouse_build(lake / "warehouse.duckdb", lake, timeout=5):
        present = _tables_present(lake, BAIYUN)
        names = pq.read_table(partition_path(lake, "projects", BAIYUN)).column("project_name_zh")

    assert present == list(TABLES)
    assert "公费医疗经费" in names.to_pylist()
    assert pq.read_table(partition_path(lake, "projects", BAIYUN)).num_rows == old_projects
    assert not (lake / ".publishing" / f"{BAIYUN}.json").exists()
    assert not list(partition_dir(lake, "projects", BAIYUN).glob(".*"))
