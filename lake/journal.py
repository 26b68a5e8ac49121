"""Publishing one release whole or not at all, and knowing what is published by its content.

A release is six Parquet partitions, one per table. Written one by one into place, a kill in
between left a release with ``releases`` and ``budget_units`` but no ``projects``, and the
marts counted it so. Now:

1. the tables are written into a staging folder, ``<lake>/.publishing/<id>.<pid>.<uuid>/``,
   with the lake's own layout (slow; no lock held);
2. under the lake lock (exclusive; lake/locks.py) a journal ``<lake>/.publishing/<id>.json``
   names the staged folder, then each table's partition folder is renamed into place (the old
   one moved aside), then the release's manifest ``<lake>/published/<id>.json`` is written and
   the journal deleted (milliseconds).

A release is withdrawn (its raw file gone: lake/withdraw.py) the same way, backwards: under the
lock a journal ``{"withdraw": true}`` names a trash folder in ``.publishing/``, every partition
folder of the release is renamed into it, then the manifest goes, then the journal, then the
trash. A reader therefore sees all of the release's tables or none of them.

A journal found later belongs to a publisher that died between two renames: whoever takes the
lock next (the next publisher, or a warehouse build before it reads the lake) rolls it
forward, since every staged table was complete before the journal was written. A staging
folder without a journal whose process is gone is rolled back (deleted). The dbt build reads
the lake under the shared lock, so it never sees a release half moved.

The manifest records the release's *content* fingerprint: a hash of the tables' values with
provenance left out (release id, file name, line numbers and the ids derived from the release
id). Line endings, an added newline, another encoding or another file name do not change it,
so the same document under a second name is recognised however its bytes differ.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from lake.writer import PART_FILE_NAME, partition_dir
from settings import PARQUET_DIR_NAME, PUBLISHED_DIR_NAME, PUBLISHING_DIR_NAME

LOGGER = logging.getLogger(__name__)
# Tables whose values are the release's content; ``releases`` and ``parse_warnings`` describe
# the file (bytes, encoding, line numbers), not what it says.
CONTENT_TABLES = ("budget_units", "declared_totals", "projects", "indicators")
# Provenance columns, and the ids hashed from the release id.
NOT_CONTENT = frozenset(
    {
        "release_id",
        "source_file",
        "source_line",
        "source_line_end",
        "unit_id",
        "project_id",
        "indicator_id",
    }
)
_JOURNAL_SUFFIX = ".json"


def publishing_dir(lake_dir: Path) -> Path:
    """Where releases are staged and their journals kept while they move into place."""
    return Path(lake_dir) / PUBLISHING_DIR_NAME


def manifest_path(lake_dir: Path, release_id: str) -> Path:
    """``<lake>/published/<release_id>.json``: what the published release was built from."""
    return Path(lake_dir) / PUBLISHED_DIR_NAME / f"{release_id}.json"


def new_staging_dir(lake_dir: Path, release_id: str) -> Path:
    """A fresh staging folder for one release; write its tables with it as the lake root."""
    folder = publishing_dir(lake_dir) / f"{release_id}.{os.getpid()}.{uuid.uuid4().hex[:12]}"
    folder.mkdir(parents=True)
    return folder


def _canonical(table: pa.Table) -> bytes:
    columns = sorted(name for name in table.column_names if name not in NOT_CONTENT)
    rows = table.select(columns).to_pylist()
    return json.dumps([columns, rows], default=str, ensure_ascii=False, sort_keys=True).encode()


def content_fingerprint(
    lake_dir: Path, release_id: str, tables: Iterable[str] = CONTENT_TABLES
) -> str:
    """SHA-256 of a release's content as written under ``lake_dir`` (staged or published)."""
    written = {}
    for table in tables:
        path = partition_dir(lake_dir, table, release_id) / PART_FILE_NAME
        written[table] = pq.read_table(path) if path.exists() else None
    return tables_fingerprint(written)


def tables_fingerprint(tables: Mapping[str, pa.Table | None]) -> str:
    """SHA-256 of a release's content from its tables as written (None: a table it lacks).

    The publisher fingerprints the tables it has just written from memory: reading them back
    cost as much as making the canonical form (7 ms a release each). A Parquet file reads back
    the same values, so both give the same digest (tests/lake/test_publish_safety.py).
    """
    digest = hashlib.sha256()
    for table, content in tables.items():
        digest.update(table.encode() + b"\0")
        if content is not None:
            digest.update(_canonical(content))
        digest.update(b"\0")
    return digest.hexdigest()


def content_index_path(lake_dir: Path, content_sha256: str) -> Path:
    """``<lake>/published/by-content/<sha256>``: which release holds this content (one lookup)."""
    return Path(lake_dir) / PUBLISHED_DIR_NAME / "by-content" / content_sha256


def _published_release_ids(lake_dir: Path) -> list[str]:
    table_dir = Path(lake_dir) / PARQUET_DIR_NAME / "releases"
    return sorted(
        path.name.removeprefix("release_id=")
        for path in table_dir.glob("release_id=*")
        if (path / PART_FILE_NAME).exists()
    )


def _backfill_manifests(lake_dir: Path) -> None:
    """Give a release published before manifests existed one, from its Parquet."""
    for release_id in _published_release_ids(lake_dir):
        if manifest_path(lake_dir, release_id).exists():
            continue
        releases = pq.read_table(partition_dir(lake_dir, "releases", release_id) / PART_FILE_NAME)
        row = releases.to_pylist()[0] if releases.num_rows else {}
        manifest = {
            "release_id": release_id,
            "source_file": row.get("source_file"),
            "source_sha256": row.get("source_sha256"),
            "content_sha256": content_fingerprint(lake_dir, release_id),
            "published_at": None,
        }
        _write_manifest(lake_dir, manifest)


def read_manifest(lake_dir: Path, release_id: str) -> dict | None:
    """The manifest of a published release, or None."""
    try:
        return json.loads(manifest_path(lake_dir, release_id).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def published_twin(lake_dir: Path, release_id: str, content_sha256: str) -> dict | None:
    """The manifest of another published release with the same content, or None."""
    index = content_index_path(lake_dir, content_sha256)
    if not index.exists():
        return None
    other_id = index.read_text(encoding="utf-8").strip()
    if other_id == release_id:
        return None
    manifest = read_manifest(lake_dir, other_id)
    if manifest is None or manifest.get("content_sha256") != content_sha256:
        return None  # a stale entry: that release was republished with other content
    if not (partition_dir(lake_dir, "releases", other_id) / PART_FILE_NAME).exists():
        return None  # withdrawn by hand (its partitions deleted)
    return manifest


def _write_manifest(lake_dir: Path, manifest: dict) -> None:
    release_id = manifest["release_id"]
    previous = read_manifest(lake_dir, release_id)
    _write_json(manifest_path(lake_dir, release_id), manifest)
    index = content_index_path(lake_dir, manifest["content_sha256"])
    index.parent.mkdir(parents=True, exist_ok=True)
    index.write_text(release_id, encoding="utf-8")
    old = (previous or {}).get("content_sha256")
    if old and old != manifest["content_sha256"]:
        stale = content_index_path(lake_dir, old)
        if stale.exists() and stale.read_text(encoding="utf-8").strip() == release_id:
            stale.unlink()


def _write_json(path: Path, content: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    temporary.write_text(json.dumps(content, ensure_ascii=False, indent=1), encoding="utf-8")
    temporary.replace(path)


def _journal_path(lake_dir: Path, release_id: str) -> Path:
    return publishing_dir(lake_dir) / f"{release_id}{_JOURNAL_SUFFIX}"


def commit(
    lake_dir: Path,
    release_id: str,
    staged: Path,
    tables: Sequence[str],
    manifest: dict,
) -> None:
    """Move a staged release into place. Call it holding the lake lock exclusively."""
    manifest = {**manifest, "published_at": datetime.now(UTC).isoformat(timespec="seconds")}
    journal = {
        "release_id": release_id,
        "staged": str(staged),
        "tables": list(tables),
        "manifest": manifest,
    }
    _write_json(_journal_path(lake_dir, release_id), journal)
    _roll_forward(lake_dir, journal)


def _move(source: Path, target: Path) -> None:
    """One rename; its own function so a test can stop a publisher between two of them."""
    target.parent.mkdir(parents=True, exist_ok=True)
    source.rename(target)


def withdraw(lake_dir: Path, release_id: str) -> list[str]:
    """Remove a published release: every table's partition and its manifest, together.

    Call it holding the lake lock exclusively. Returns the tables whose partitions it removed
    (none when the release was never published).
    """
    tables = _partition_tables(lake_dir, release_id)
    if not tables and read_manifest(lake_dir, release_id) is None:
        return []
    trash = publishing_dir(lake_dir) / f"{release_id}.{os.getpid()}.{uuid.uuid4().hex[:12]}"
    journal = {"release_id": release_id, "withdraw": True, "trash": str(trash)}
    _write_json(_journal_path(lake_dir, release_id), journal)
    _roll_forward(lake_dir, journal)
    return tables


def _partition_tables(lake_dir: Path, release_id: str) -> list[str]:
    """The tables that hold a partition folder of the release, whatever the lake contract says."""
    parquet = Path(lake_dir) / PARQUET_DIR_NAME
    if not parquet.is_dir():
        return []
    return sorted(
        table.name
        for table in parquet.iterdir()
        if partition_dir(lake_dir, table.name, release_id).is_dir()
    )


def _roll_withdrawal_forward(lake_dir: Path, journal: dict) -> None:
    release_id = journal["release_id"]
    trash = Path(journal["trash"])
    for table in _partition_tables(lake_dir, release_id):
        _move(partition_dir(lake_dir, table, release_id), trash / table)
    manifest = read_manifest(lake_dir, release_id)
    if manifest is not None:
        index = content_index_path(lake_dir, manifest.get("content_sha256") or "")
        if index.is_file() and index.read_text(encoding="utf-8").strip() == release_id:
            index.unlink()
        manifest_path(lake_dir, release_id).unlink(missing_ok=True)
    _journal_path(lake_dir, release_id).unlink(missing_ok=True)
    shutil.rmtree(trash, ignore_errors=True)


def _roll_forward(lake_dir: Path, journal: dict) -> None:
    if journal.get("withdraw"):
        _roll_withdrawal_forward(lake_dir, journal)
        return
    release_id = journal["release_id"]
    staged = Path(journal["staged"])
    for table in journal["tables"]:
        source = partition_dir(staged, table, release_id)
        if not source.exists():
            continue  # moved before the publisher stopped
        target = partition_dir(lake_dir, table, release_id)
        if target.exists():
            _move(target, staged / "replaced" / table)
        _move(source, target)
    _write_manifest(lake_dir, journal["manifest"])
    _journal_path(lake_dir, release_id).unlink(missing_ok=True)
    shutil.rmtree(staged, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(lake_dir: Path) -> list[str]:
    """Finish what killed publishers left; return the release ids rolled forward.

    Call it holding the lake lock exclusively. Journals are rolled forward; staging folders
    without a journal whose process is gone are deleted (their release was never moved).
    Releases published before manifests existed get theirs.
    """
    folder = publishing_dir(lake_dir)
    rolled = []
    journals = sorted(folder.glob(f"*{_JOURNAL_SUFFIX}")) if folder.is_dir() else []
    for journal_file in journals:
        journal = json.loads(journal_file.read_text(encoding="utf-8"))
        what = "withdrawal" if journal.get("withdraw") else "publication"
        LOGGER.warning("rolling forward the interrupted %s of %s", what, journal["release_id"])
        _roll_forward(lake_dir, journal)
        rolled.append(journal["release_id"])
    for staged in folder.iterdir() if folder.is_dir() else []:
        if not staged.is_dir() or staged.is_symlink():
            continue
        pid = staged.name.rsplit(".", 2)[-2] if staged.name.count(".") >= 2 else ""
        if pid.isdigit() and not _process_alive(int(pid)):
            LOGGER.warning("removing %s: its publisher stopped before moving it", staged)
            shutil.rmtree(staged, ignore_errors=True)
    _backfill_manifests(lake_dir)
    return rolled


def discard(staged: Path) -> None:
    """Drop a staged release that will not be published."""
    shutil.rmtree(staged, ignore_errors=True)
