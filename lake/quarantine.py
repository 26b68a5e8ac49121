"""The quarantine: where a release that cannot be published goes, with a report of why.

A release that fails parsing, validation or reconciliation (or repeats another release's
bytes) is copied to ``quarantine/<release_id>/`` together with ``REPORT.md`` and the rows
that failed. The raw file stays in ``raw/`` (it is the partition's input and may be
committed); nothing of the release is written to the lake, so its previously published
partition, and every other release, stays exactly as it was.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from lake.releases import check_release_id, file_sha256

REPORT_NAME = "REPORT.md"


def quarantine_release(
    quarantine_dir: Path,
    release_id: str,
    raw_path: Path,
    reason: str,
    details: dict[str, pd.DataFrame] | None = None,
) -> Path:
    """Copy the raw file and write the report and failing rows; return the folder."""
    folder = quarantine_dir / check_release_id(release_id)
    folder.mkdir(parents=True, exist_ok=True)
    if raw_path.exists():
        shutil.copy2(raw_path, folder / raw_path.name)
    lines = [
        f"# {release_id}: quarantined",
        "",
        f"- when: {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"- source file: {raw_path.name}",
        f"- sha256: {file_sha256(raw_path) if raw_path.exists() else 'missing'}",
        "",
        "## Why",
        "",
        reason,
        "",
    ]
    for name, frame in (details or {}).items():
        target = folder / f"{name}.csv"
        frame.to_csv(target, index=False)
        lines.append(f"- {len(frame)} failing rows in `{target.name}`")
    (folder / REPORT_NAME).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def earlier_twin(raw_path: Path) -> Path | None:
    """Another raw file with the same bytes whose name sorts first, or None.

    The same document submitted twice under two names would count its money twice; the
    first name (in sort order) is published and the other is refused.
    """
    digest = None
    size = raw_path.stat().st_size
    for other in sorted(raw_path.parent.glob(f"*{raw_path.suffix}")):
        if other.name >= raw_path.name:
            break
        if other.stat().st_size != size:
            continue
        digest = digest or file_sha256(raw_path)
        if file_sha256(other) == digest:
            return other
    return None
