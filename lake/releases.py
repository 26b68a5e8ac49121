"""Which raw files are releases, what each is called, and which exact bytes it was built from.

A release id is a raw file's stem and becomes a folder name (``parquet/<table>/release_id=<id>/``,
``quarantine/<id>/``), so only ids that cannot leave their folder are accepted: no path
separators, no leading dot, no ``=``, no control characters.

Only regular files inside ``raw/`` are read: a symlink there (to /etc/passwd, say) or a
device, a FIFO or a folder named ``*.txt`` is refused with a message and never opened,
and so is a file above the size limit per release (settings.max_release_bytes()).
"""

from __future__ import annotations

import hashlib
import logging
import re
import stat
from pathlib import Path

import settings

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


def raw_file_problem(path: Path, max_bytes: int | None = None) -> str | None:
    """Why a raw file (or its sidecar) must not be read, in a few words; None when it may be.

    Decided on the entry itself (``lstat``), never on what a symlink points to.
    """
    try:
        info = path.lstat()
    except FileNotFoundError:
        return f"{path.name} does not exist"
    if stat.S_ISLNK(info.st_mode):
        return f"{path.name} is a symbolic link; only regular files inside raw/ are read"
    if not stat.S_ISREG(info.st_mode):
        return f"{path.name} is not a regular file; only regular files inside raw/ are read"
    limit = settings.max_release_bytes() if max_bytes is None else max_bytes
    if info.st_size > limit:
        return (
            f"{path.name} is {info.st_size / 2**20:.2f} MB, above the limit of "
            f"{limit / 2**20:.2f} MB per release (${settings.MAX_RELEASE_MB_ENV})"
        )
    return None


def _candidates(raw_dir: Path) -> list[Path]:
    return sorted(raw_dir.glob(RAW_GLOB))


def raw_release_files(raw_dir: Path) -> list[Path]:
    """Every raw release file with a safe id; unsafe names and non-files are logged, never used.

    A file above the size limit is still a release (it is refused, with a report, when
    published); a symlink or anything else that is not a regular file is not.
    """
    files = []
    for path in _candidates(raw_dir):
        if not is_safe_release_id(path.stem):
            LOGGER.warning("ignoring raw file %r: its name cannot be a release id", path.name)
        elif not stat.S_ISREG(path.lstat().st_mode):
            LOGGER.warning("ignoring raw file: %s", raw_file_problem(path))
        else:
            files.append(path)
    return files


def refused_raw_files(raw_dir: Path) -> list[str]:
    """One line per ``raw/*.txt`` that is not read as a release, saying why."""
    refused = []
    for path in _candidates(raw_dir):
        if not is_safe_release_id(path.stem):
            refused.append(f"{path.name}: its name cannot be a release id")
        elif not stat.S_ISREG(path.lstat().st_mode):
            refused.append(str(raw_file_problem(path)))
    return refused


def text_sha256(path: Path) -> str:
    """SHA-256 of a file's text with line endings, a BOM and trailing blank space ignored.

    Cheap (no decoding, no parsing): orders copies of one document that arrive in one batch.
    """
    data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").rstrip()
    return hashlib.sha256(data).hexdigest()


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
