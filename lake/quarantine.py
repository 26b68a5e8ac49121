"""The quarantine: where a release that cannot be published goes, with a report of why.

A release that fails parsing, validation or reconciliation (or repeats a published release's
content) gets ``quarantine/<release_id>/``: ``REPORT.md``, the rows that failed, and a copy of
its raw file. The raw file stays in ``raw/`` (it is the partition's input and may be
committed); nothing of the release is written to the lake, so its previously published
partition, and every other release, stays exactly as it was. When the release is fixed and
lands, its quarantine folder goes.

Bounded, because what arrives may be hostile: only a regular file within the size limit is
copied (never what a symlink points to), and each CSV keeps at most ``QUARANTINE_MAX_ROWS``
failing rows; the report gives the full count.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from lake.releases import check_release_id, file_sha256, raw_file_problem
from settings import QUARANTINE_MAX_ROWS

REPORT_NAME = "REPORT.md"


def quarantine_release(
    quarantine_dir: Path,
    release_id: str,
    raw_path: Path,
    reason: str,
    details: dict[str, pd.DataFrame] | None = None,
    max_rows: int = QUARANTINE_MAX_ROWS,
) -> Path:
    """Write the report and failing rows, copy the raw file if it is safe to; return the folder.

    What an earlier refusal of the same release left is replaced, so the folder describes
    this attempt only.
    """
    folder = quarantine_dir / check_release_id(release_id)
    clear_quarantine(quarantine_dir, release_id)
    folder.mkdir(parents=True)
    unsafe = raw_file_problem(raw_path) if raw_path.exists() or raw_path.is_symlink() else None
    copied = raw_path.exists() and unsafe is None
    if copied:
        shutil.copyfile(raw_path, folder / raw_path.name, follow_symlinks=False)
    lines = [
        f"# {release_id}: quarantined",
        "",
        f"- when: {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"- source file: {raw_path.name}",
        f"- sha256: {file_sha256(raw_path) if copied else 'not read'}",
        f"- raw file copied here: {'yes' if copied else 'no: ' + (unsafe or 'missing')}",
        "",
        "## Why",
        "",
        reason,
        "",
    ]
    for name, frame in (details or {}).items():
        target = folder / f"{name}.csv"
        frame.head(max_rows).to_csv(target, index=False)
        kept = "" if len(frame) <= max_rows else f" (the first {max_rows} are in the file)"
        lines.append(f"- {len(frame)} failing rows in `{target.name}`{kept}")
    (folder / REPORT_NAME).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def clear_quarantine(quarantine_dir: Path, release_id: str) -> bool:
    """Remove a release's quarantine folder (it landed, or is being quarantined afresh)."""
    folder = quarantine_dir / check_release_id(release_id)
    if folder.is_symlink():
        folder.unlink()
        return True
    if not folder.exists():
        return False
    shutil.rmtree(folder)
    return True
