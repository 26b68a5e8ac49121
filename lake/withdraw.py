"""Releases whose raw file is gone leave the lake: found, announced, removed whole.

The lake mirrors ``raw/``: deleting ``raw/<release_id>.txt`` withdraws that release. Who
notices (the raw sensor, ``make run``) passes the releases it knows of; the lake's own
published releases are added, so a release published under another Dagster instance is
withdrawn too. Each one's partitions and manifest go together under the lake lock, journaled
(lake/journal.py, ``withdraw``); the next marts build then removes its rows (lake/build_state.py
names it among the changed releases, and the marts' pre-hook deletes releases the lake no
longer has).

A ``raw/`` folder that is missing or holds no release at all withdraws nothing: that is far
more often an unmounted disk or a wrong ``BUDGET_LAKE_DIR`` than a decision to empty the lake.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lake.journal import recover, withdraw
from lake.locks import lake_lock
from lake.releases import RAW_GLOB
from settings import PARQUET_DIR_NAME, PUBLISHED_DIR_NAME, RAW_DIR_NAME

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class WithdrawnRelease:
    """One release whose raw file is gone, and what leaving the lake removed of it."""

    release_id: str
    raw_file: Path
    tables: tuple[str, ...]

    @property
    def message(self) -> str:
        """The one line an operator reads: which release, which file, what was removed."""
        removed = (
            f"removed its {len(self.tables)} lake partitions and its manifest; the next marts "
            "build removes its rows"
            if self.tables
            else "it was never published; its partition is dropped"
        )
        return f"release {self.release_id}: raw file {self.raw_file} is gone, {removed}"


def published_release_ids(lake_dir: Path) -> set[str]:
    """Releases with a manifest or a ``releases`` partition in the lake."""
    lake_dir = Path(lake_dir)
    manifests = {path.stem for path in (lake_dir / PUBLISHED_DIR_NAME).glob("*.json")}
    partitions = {
        path.name.removeprefix("release_id=")
        for path in (lake_dir / PARQUET_DIR_NAME / "releases").glob("release_id=*")
    }
    return manifests | partitions


def vanished_release_ids(lake_dir: Path, known_release_ids: Iterable[str]) -> list[str]:
    """Known or published releases without ``raw/<id>.txt``; none when raw/ holds no release."""
    raw_dir = Path(lake_dir) / RAW_DIR_NAME
    if not raw_dir.is_dir() or not any(raw_dir.glob(RAW_GLOB)):
        return []
    candidates = set(known_release_ids) | published_release_ids(lake_dir)
    return sorted(
        release_id
        for release_id in candidates
        if not (raw_dir / f"{release_id}.txt").exists()
        and not (raw_dir / f"{release_id}.txt").is_symlink()
    )


def withdraw_vanished_releases(
    lake_dir: Path, known_release_ids: Iterable[str], timeout: float | None = None
) -> list[WithdrawnRelease]:
    """Withdraw every release whose raw file is gone (``vanished_release_ids``), whole.

    The caller drops the releases' Dagster partitions and says each ``message``. A build
    reading the lake holds its lock: past ``timeout`` (default: the build lock's) this raises
    ``LockTimeoutError`` and nothing is withdrawn.
    """
    lake_dir = Path(lake_dir)
    known = list(known_release_ids)
    raw_dir = lake_dir / RAW_DIR_NAME
    if raw_dir.is_dir() and not any(raw_dir.glob(RAW_GLOB)) and known:
        LOGGER.warning(
            "%s holds no release file: withdrawing none of the %d known releases (a missing "
            "mount or a wrong lake folder?)",
            raw_dir,
            len(known),
        )
    vanished = vanished_release_ids(lake_dir, known)
    if not vanished:
        return []
    withdrawn = []
    with lake_lock(lake_dir, shared=False, timeout=timeout):
        recover(lake_dir)
        for release_id in vanished:
            tables = withdraw(lake_dir, release_id)
            withdrawn.append(
                WithdrawnRelease(release_id, raw_dir / f"{release_id}.txt", tuple(tables))
            )
    return withdrawn
