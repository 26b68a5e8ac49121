"""Which raw files are releases, what each is called, and which exact bytes it was built from.

A release id is a raw file's stem and becomes a folder name (``parquet/<table>/release_id=<id>/``,
``quarantine/<id>/``), so only ids that cannot leave their folder are accepted: no path
separators, no leading dot, no ``=``, no control characters.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

LOGGER = logging.getLogger(__name__)
RAW_GLOB = "*.txt"
SIDECAR_SUFFIX = ".meta.json"
MAX_RELEASE_ID_LENGTH = 200
_UNSAFE = re.compile(r"[/\\=\x00-\x1f\x7f]")


def is_safe_release_id(release_id: str) -> bool:
    """Whether a file stem can name folders under data_lake/ without escaping them."""
    return (
        0 < len(release_id) <= MAX_RELEASE_ID_LENGTH
        and not release_id.startswith(".")
        and not _UNSAFE.search(release_id)
    )


def check_release_id(release_id: str) -> str:
    """Return the id, or raise ValueError naming why it cannot be a release id."""
    if not is_safe_release_id(release_id):
        raise ValueError(
            f"release id {release_id!r} is not allowed: it would name a folder outside its place "
            "(no '/', '\\', '=', leading '.', control characters; at most 200 characters)"
        )
    return release_id


def raw_release_files(raw_dir: Path) -> list[Path]:
    """Every raw release file with a safe id; unsafe names are logged, never used."""
    files = []
    for path in sorted(raw_dir.glob(RAW_GLOB)):
        if not path.is_file():
            continue
        if is_safe_release_id(path.stem):
            files.append(path)
        else:
            LOGGER.warning("ignoring raw file %r: its name cannot be a release id", path.name)
    return files


def discover_release_ids(raw_dir: Path) -> list[str]:
    """Release ids (file stems) of every raw release in ``raw_dir``, sorted."""
    return [path.stem for path in raw_release_files(raw_dir)]


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sidecar_path(raw_path: Path) -> Path:
    """``<release_id>.meta.json`` beside ``<release_id>.txt``."""
    return raw_path.with_name(raw_path.stem + SIDECAR_SUFFIX)


def release_fingerprint(raw_path: Path, raw_sha256: str | None = None) -> str:
    """What a release was built from: the raw file's SHA-256, and its sidecar's when present.

    Without a sidecar this is the raw file's own hash, so it matches ``source_sha256``;
    editing only the sidecar (a corrected year or URL) changes it, so the release re-runs.
    """
    digest = raw_sha256 or file_sha256(raw_path)
    sidecar = sidecar_path(raw_path)
    if not sidecar.exists():
        return digest
    return hashlib.sha256(f"{digest}:{file_sha256(sidecar)}".encode()).hexdigest()
