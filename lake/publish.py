"""Publish releases to the lake: parse → validate → reconcile → write, one release at a time.

Every release is decided on its own, whether it runs alone (a sensor's new file) or in a
batch of a thousand (``make run``, a backfill): it lands only when its six frames pass their
Pandera schemas, its parts add up to its declared totals and its content is not already
published under another name; otherwise it goes to the quarantine with a report, and its
previously published partition stays as it was. A bad release never holds back the others of
its batch. A release lands whole: its tables are staged, then moved into place together under
a journal (lake/journal.py).

Duplicates are decided by content, never by name order: the first published stays, and a
later copy (another name, CRLF line ends, one more newline, another encoding) is refused
naming both. Copies that arrive in one batch are ordered by when they arrived (modification
time, then name), so the one that was there first is published.

Releases of a batch run in chunks of up to ``MAX_CHUNK`` in a pool of worker processes
(parsing and Pandera are CPU-bound; a chunk is validated with one Pandera call per table),
each returning small ``PublishedRelease`` results, never frames: check results and the
materialisation metadata are built where the frames are, as plain values (no Dagster here;
orchestration/assets/lake.py turns them into Dagster events).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from lake.batch_validation import validate_batch
from lake.checks import (
    CheckResult,
    SchemaValidation,
    budget_year_check_result,
    numbering_check_result,
    reconciliation_check_results,
    schema_passed,
    validate_frame,
)
from lake.contract import EXTRACTED_TABLES, SCHEMAS, TABLES, file_schema
from lake.frames import release_frames
from lake.journal import (
    CONTENT_TABLES,
    commit,
    discard,
    new_staging_dir,
    published_twin,
    read_manifest,
    recover,
    tables_fingerprint,
)
from lake.locks import lake_lock
from lake.metadata import FAILURE_ROWS, MetadataDict, frame_to_markdown, is_missing, sum_wan
from lake.quarantine import clear_quarantine, quarantine_release
from lake.releases import raw_file_problem, release_fingerprint, sidecar_path, text_sha256
from lake.writer import to_arrow_table, write_arrow_partition
from parsers.errors import ParseError
from parsers.reconciliation import reconcile
from parsers.release import ExtractedRelease, parse_release
from settings import PARQUET_DIR_NAME

# The money column whose sum is worth a glance per table (absent: no money in it).
TOTAL_COLUMNS = {
    "budget_units": "declared_total_wan",
    "declared_totals": "total_wan",
    "projects": "total_wan",
}
# Below this many releases a batch is parsed in this process: a pool costs more than it saves.
MIN_RELEASES_FOR_POOL = 4
# Releases validated together (lake/batch_validation.py): large enough to share
# Pandera's per-call cost, small enough that two workers stay busy and memory stays low.
MAX_CHUNK = 20


@dataclass
class PublishedRelease:
    """What publishing one release did: landed or not, why, its checks and its metadata."""

    release_id: str
    landed: bool
    check_results: list[CheckResult] = field(default_factory=list)
    metadata: MetadataDict = field(default_factory=dict)
    # Set when the release never got as far as its checks (no file, parse error, duplicate).
    refusal: str | None = None
    refusal_metadata: MetadataDict = field(default_factory=dict)
    quarantine: str | None = None

    @property
    def failed_checks(self) -> list[str]:
        """Names of the blocking (ERROR) checks that failed."""
        return [result.name for result in self.check_results if result.is_blocking_failure]


def load_sidecar(raw_path: Path) -> dict | None:
    """The optional ``<release_id>.meta.json`` next to a raw release, or None.

    Raises:
        ParseError: the sidecar is not a JSON object (so the release is quarantined, not half-read).
    """
    sidecar = sidecar_path(raw_path)
    if not sidecar.exists() and not sidecar.is_symlink():
        return None
    problem = raw_file_problem(sidecar)
    if problem:
        raise ParseError(sidecar, None, problem)
    try:
        content = json.loads(sidecar.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ParseError(sidecar, None, f"sidecar is not UTF-8 JSON: {error}") from error
    if not isinstance(content, dict):
        raise ParseError(sidecar, None, "sidecar must be a JSON object of release facts")
    return content


def source_metadata(raw_path: Path, releases: pd.DataFrame) -> MetadataDict:
    """Which exact bytes a materialisation came from (the raw sensor compares the fingerprint).

    Read from the release's own ``releases`` row, which the parser filled while it had the
    bytes, rather than reading and hashing the file a second time.
    """
    row = releases.iloc[0]
    digest = str(row["source_sha256"])
    return {
        "source_file": str(row["source_file"]),
        "source_sha256": digest,
        "source_bytes": int(row["source_bytes"]),
        "release_fingerprint": release_fingerprint(raw_path, digest),
        "parser_version": str(row["parser_version"]),
        # Shown on the partition in the UI: a missing year keeps a release out of the
        # year-over-year marts (release_states_its_budget_year says why).
        "budget_year": "unknown" if is_missing(row["budget_year"]) else int(row["budget_year"]),
        "budget_year_source": str(row.get("budget_year_source") or "none"),
    }


def tables_metadata(tables: dict[str, pd.DataFrame], lake_dir: Path) -> MetadataDict:
    """Rows per table, Σ money where a table has money, the projects preview and the warnings."""
    projects = tables["projects"]
    metadata: MetadataDict = {
        "dagster/row_count": len(projects),
        "path": lake_dir / PARQUET_DIR_NAME,
    }
    for table in TABLES:
        metadata[f"rows/{table}"] = len(tables[table])
    for table, column in TOTAL_COLUMNS.items():
        if column in tables[table].columns:
            metadata[f"{table}.{column}"] = float(sum_wan(tables[table][column]))
    metadata["projects_preview"] = frame_to_markdown(projects)
    warnings = tables["parse_warnings"]
    if len(warnings):
        columns = [c for c in ("source_line", "code", "message") if c in warnings.columns]
        metadata["warnings"] = frame_to_markdown(warnings[columns], FAILURE_ROWS)
    return metadata


def _refuse(
    release_id: str, raw_path: Path, quarantine_dir: Path | None, why: str, **metadata
) -> PublishedRelease:
    folder = (
        quarantine_release(quarantine_dir, release_id, raw_path, why)
        if quarantine_dir is not None
        else None
    )
    return PublishedRelease(
        release_id,
        landed=False,
        refusal=why,
        refusal_metadata={"source_file": raw_path.name, **metadata},
        quarantine=str(folder) if folder else None,
    )


def _read(
    raw_path: Path, quarantine_dir: Path, arrived_first: str | None = None
) -> ExtractedRelease | PublishedRelease:
    """The parsed release, or the refusal of a file that cannot be read as one."""
    release_id = raw_path.stem
    if not raw_path.exists() and not raw_path.is_symlink():
        missing = f"no raw file {raw_path.name} in {raw_path.parent}"
        return _refuse(release_id, raw_path, None, missing)
    problem = raw_file_problem(raw_path)
    if problem:
        return _refuse(release_id, raw_path, quarantine_dir, f"Refused: {problem}")
    if arrived_first is not None:
        reason = (
            f"Duplicate: {raw_path.name} has the same text as {arrived_first}, which came "
            f"first; {Path(arrived_first).stem} stays published, {release_id} is not"
        )
        return _refuse(release_id, raw_path, quarantine_dir, reason, duplicate_of=arrived_first)
    try:
        return parse_release(raw_path, load_sidecar(raw_path))
    except ParseError as error:
        line = error.line_no if error.line_no is not None else -1
        return _refuse(
            release_id,
            raw_path,
            quarantine_dir,
            f"Parse error: {error}",
            source_line=line,
            reason=error.reason,
        )


def _validate(releases: Sequence[ExtractedRelease]) -> list[dict[str, SchemaValidation]]:
    """Each release's six validations: one Pandera call per table for them all when that passes."""
    validations: list[dict[str, SchemaValidation]] = [{} for _ in releases]
    # Pandera validates pandas frames: the parser's Arrow tables become frames here, once.
    release_tables = [release_frames(release) for release in releases]
    for table in EXTRACTED_TABLES:
        frames = [tables[table] for tables in release_tables]
        batch = validate_batch(table, frames) if len(frames) > 1 else None
        for i, frame in enumerate(frames):
            validations[i][table] = (
                schema_passed(table, batch[i])
                if batch is not None
                else validate_frame(table, frame, SCHEMAS[table])
            )
    return validations


def _judge(
    raw_path: Path,
    release: ExtractedRelease,
    validations: dict[str, SchemaValidation],
    lake_dir: Path,
    quarantine_dir: Path,
) -> PublishedRelease:
    """Reconcile one validated release; write it if everything passed, else quarantine it."""
    release_id = raw_path.stem
    validated = {table: validation.frame for table, validation in validations.items()}
    failures = {
        f"{table}.failure_cases": validation.failure_cases
        for table, validation in validations.items()
        if validation.failure_cases is not None
    }
    results = [validations[table].result for table in EXTRACTED_TABLES]
    reconciled = reconcile(validated)
    reconciliation = reconciliation_check_results(reconciled)
    results.extend(reconciliation)
    numbering = numbering_check_result(validated["indicators"], validated["projects"])
    results.append(numbering)
    results.append(budget_year_check_result(validated["releases"], validated["parse_warnings"]))
    failed_checks = [result.name for result in reconciliation if not result.passed]
    if failed_checks:
        failures["reconciliation"] = reconciled[reconciled["status"] == "mismatch"]

    published = PublishedRelease(release_id, landed=not failures, check_results=results)
    if failures:
        reason = "Failed: " + ", ".join(
            [f"{name.split('.')[0]} schema" for name in failures if name.endswith("failure_cases")]
            + [str(name) for name in failed_checks]
        )
        folder = quarantine_release(quarantine_dir, release_id, raw_path, reason, failures)
        published.quarantine = str(folder)
        published.refusal = f"{reason}; see {folder}"
        return published
    source = source_metadata(raw_path, validated["releases"])
    # The reconciliation the checks just judged is written with the release: dbt reads it as is.
    lake_tables = {**validated, "reconciliation": reconciled}
    twin = _stage_and_commit(lake_tables, release.tables, release_id, lake_dir, source)
    if twin is not None:
        reason = (
            f"Duplicate: {raw_path.name} has the same content as release {twin['release_id']} "
            f"(from {twin.get('source_file')}, published first); {twin['release_id']} stays "
            f"published, {release_id} is not"
        )
        folder = quarantine_release(quarantine_dir, release_id, raw_path, reason)
        published.landed = False
        published.quarantine = str(folder)
        published.refusal = reason
        published.refusal_metadata = {
            "source_file": raw_path.name,
            "duplicate_of": str(twin["release_id"]),
        }
        return published
    clear_quarantine(quarantine_dir, release_id)
    published.metadata = {**source, **tables_metadata(lake_tables, lake_dir)}
    return published


def _stage_and_commit(
    tables: dict[str, pd.DataFrame],
    parsed: Mapping[str, pa.Table],
    release_id: str,
    lake_dir: Path,
    source: MetadataDict,
) -> dict | None:
    """Publish the release whole; or return the manifest of the published release it repeats.

    The slow part (writing Parquet) happens in a staging folder without the lake lock; the
    duplicate check and the moves into place happen under it, so two publishers of two copies
    cannot both land.
    """
    staged = new_staging_dir(lake_dir, release_id)
    try:
        written = {table: _file_table(table, tables[table], parsed.get(table)) for table in TABLES}
        for table, arrow_table in written.items():
            write_arrow_partition(arrow_table, table, release_id, staged)
        content = tables_fingerprint({table: written[table] for table in CONTENT_TABLES})
    except BaseException:
        discard(staged)
        raise
    manifest = {
        "release_id": release_id,
        "source_file": source["source_file"],
        "source_sha256": source["source_sha256"],
        "content_sha256": content,
    }
    with lake_lock(lake_dir, shared=False):
        twin = published_twin(lake_dir, release_id, content)
        if twin is not None:
            discard(staged)
            return twin
        # Stopped in here, the journal stays for the next lock holder to roll forward.
        commit(lake_dir, release_id, staged, tuple(TABLES), manifest)
    return None


def _file_table(table: str, validated: pd.DataFrame, parsed: pa.Table | None) -> pa.Table:
    """What is written for ``table``: the parser's own Arrow table once Pandera passed it.

    Converting the validated frame back to Arrow cost 8 % of a release's publishing and gives
    the same table (compared on the 5,149 tables of bench.parser_identity's inputs). Where the
    parser had to type a column from its values (a sidecar date it could not read as one,
    say), its table does not have the file's schema, and the validated frame is converted.
    """
    schema = file_schema(table)
    if parsed is not None:
        as_written = parsed.select(schema.names)
        if as_written.schema.equals(schema):
            return as_written
    return to_arrow_table(validated, table)


def publish_chunk(
    raw_paths: Sequence[Path],
    lake_dir: Path,
    quarantine_dir: Path,
    arrived_first: Mapping[str, str] | None = None,
) -> list[PublishedRelease]:
    """Parse, validate and reconcile raw releases; write each one's tables only if it passed.

    Never raises for a bad document: each result says why its release was refused and
    where its quarantine report is. ``arrived_first`` maps a raw file name to the name of an
    earlier copy of it in the same batch (``batch_copies``).
    """
    copies = arrived_first or {}
    read = [_read(path, quarantine_dir, copies.get(path.name)) for path in raw_paths]
    parsed = [(path, r) for path, r in zip(raw_paths, read, strict=True) if not _is_refusal(r)]
    validations = _validate([release for _, release in parsed])
    judged = {
        path: _judge(path, release, validation, lake_dir, quarantine_dir)
        for (path, release), validation in zip(parsed, validations, strict=True)
    }
    return [r if _is_refusal(r) else judged[path] for path, r in zip(raw_paths, read, strict=True)]


def _is_refusal(read: ExtractedRelease | PublishedRelease) -> bool:
    return isinstance(read, PublishedRelease)


def publish_release(raw_path: Path, lake_dir: Path, quarantine_dir: Path) -> PublishedRelease:
    """``publish_chunk`` of one release."""
    return publish_chunk([raw_path], lake_dir, quarantine_dir)[0]


def batch_copies(raw_paths: Sequence[Path], lake_dir: Path) -> dict[str, str]:
    """``{copy's file name: first comer's file name}`` for raw files of one text in a batch.

    First means already published, else the older modification time (then the name, for
    files checked out together), so a copy dropped beside a sample is the one refused,
    whatever its name. Files that will be refused anyway (not regular, too large) are left out.
    """
    first: dict[str, Path] = {}
    copies: dict[str, str] = {}
    readable = [path for path in raw_paths if raw_file_problem(path) is None]

    def first_comes_first(path: Path) -> tuple[bool, int, str]:
        published = read_manifest(lake_dir, path.stem) is not None
        return (not published, path.stat().st_mtime_ns, path.name)

    for path in sorted(readable, key=first_comes_first):
        digest = text_sha256(path)
        if digest in first:
            copies[path.name] = first[digest].name
        else:
            first[digest] = path
    return copies


def _publish_chunk_task(
    task: tuple[list[str], str, str, dict[str, str]],
) -> list[PublishedRelease]:
    raw_paths, lake_dir, quarantine_dir, copies = task
    return publish_chunk(
        [Path(path) for path in raw_paths], Path(lake_dir), Path(quarantine_dir), copies
    )


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def chunks(items: Sequence[Path], workers: int, largest: int = MAX_CHUNK) -> list[list[Path]]:
    """Consecutive chunks: each worker gets several, none holds more than ``largest``."""
    size = max(1, min(largest, math.ceil(len(items) / max(1, workers))))
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


def iter_published_releases(
    raw_paths: Sequence[Path],
    lake_dir: Path,
    quarantine_dir: Path,
    workers: int | None = None,
) -> Iterator[PublishedRelease]:
    """Publish every release; yield the results in input order, each chunk's once it is done.

    A generator so that the caller can record what landed (a Dagster event per release, ~10 ms
    each on sqlite) while the pool is still parsing the next chunks, instead of after the whole
    batch. What a killed publisher left is finished first (lake/journal.py).
    """
    with lake_lock(lake_dir, shared=False):
        recover(lake_dir)
    copies = batch_copies(raw_paths, lake_dir)
    workers = min(workers or default_workers(), len(raw_paths))
    if workers <= 1 or len(raw_paths) < MIN_RELEASES_FOR_POOL:
        for chunk in chunks(raw_paths, 1):
            yield from publish_chunk(chunk, lake_dir, quarantine_dir, copies)
        return
    tasks = [
        ([str(path) for path in chunk], str(lake_dir), str(quarantine_dir), copies)
        for chunk in chunks(raw_paths, workers)
    ]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for done in pool.map(_publish_chunk_task, tasks):
            yield from done


def publish_releases(
    raw_paths: Sequence[Path],
    lake_dir: Path,
    quarantine_dir: Path,
    workers: int | None = None,
) -> list[PublishedRelease]:
    """Publish every release, results in input order; a pool of processes when it pays."""
    return list(iter_published_releases(raw_paths, lake_dir, quarantine_dir, workers))
