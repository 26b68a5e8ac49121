"""Run the whole pipeline once, through Dagster, and print what came out (``make run``).

1. withdraw the releases whose raw file is gone (lake partitions, manifest and Dagster partition;
   one line each names the release and the file), then register one dynamic partition per
   ``raw/*.txt``;
2. run ``release_job`` once over all of them (parse → validate → reconcile → Parquet, in a pool
   of processes; one run, not one per release: docs/benchmarks.md);
3. run ``marts_job`` (dbt build into the DuckDB warehouse);
4. print one line per release read back from the warehouse, its path, the warnings apart
   from the failures, and the raw files refused before they became releases.

The marts run holds the build lock (lake/locks.py): a second ``make run`` (or a Dagster marts
run, or the benchmark) building the same warehouse waits for it, up to
``$BUDGET_BUILD_LOCK_TIMEOUT_SECONDS``, then stops with one line naming the holder.

A span is one run because the run carries Dagster's two partition-range tags
(orchestration/partitions.py): no public Dagster API starts such a run in this process for an
asset whose backfill policy is multi_run, and one run per release takes seven times as long
(docs/operations.md, "How make run starts a span").

Exits non-zero, naming the failed step or check, when any run failed, when a raw file was
refused, or when the summary cannot be read back from the warehouse. Everything runs
in this process (in-process executor), against ``DagsterInstance.get()``: the
``DAGSTER_HOME`` the Makefile sets, so ``make dev`` shows these runs afterwards.
"""

import io
import re
import sys
import time
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb
from rich.table import Table

import settings
from lake.locks import LockTimeoutError, build_lock
from lake.releases import discover_release_ids, refused_raw_files
from lake.warehouse import WarehouseLockedError, connect
from lake.withdraw import WithdrawnRelease
from orchestration.partitions import (
    RELEASE_PARTITIONS_NAME,
    range_tags,
    register_releases,
    release_ranges,
    withdraw_vanished,
)
from orchestration.resources import LakeResource
from plain_text import header_rule_table, render_plain

RELEASE_JOB = settings.RELEASE_JOB_NAME
MARTS_JOB = settings.MARTS_JOB_NAME
# Dagster's console logger quiet: a step failure would print its stack trace there, while the
# summary below names every failed step and check in one line each (the UI keeps the traces).
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
_EXCEPTION_PREFIX = re.compile(r"^(?:[A-Za-z_]\w*\.)*\w*(?:Error|Exception|Failure): ")
DBT_LOG_TAIL_LINES = 40

SUMMARY_SQL = """
with projects as (
    select release_id, count(distinct unit_id) as n_units, count(*) as n_projects,
           sum(total_wan) as total_wan
    from marts.fct_projects group by release_id
),
declared as (
    select release_id, max(declared_wan) as declared_wan
    from marts.reconciliation
    where level = 'release' and subject = '合计 vs projects' and funding_source = 'total'
    group by release_id
),
outcome as (
    select release_id,
           count(*) filter (where status = 'exact') as n_exact,
           count(*) filter (where status = 'rounding') as n_rounding,
           count(*) filter (where status = 'mismatch') as n_mismatch
    from marts.reconciliation group by release_id
)
select p.release_id, r.budget_year, p.n_units, p.n_projects, p.total_wan, d.declared_wan,
       coalesce(o.n_exact, 0), coalesce(o.n_rounding, 0), coalesce(o.n_mismatch, 0)
from projects p
left join staging.stg_lake__releases r using (release_id)
left join declared d using (release_id)
left join outcome o using (release_id)
order by p.release_id
"""


@dataclass
class RunOutcome:
    """How one Dagster run went: which job, which partition, what failed, how long."""

    job_name: str
    partition_key: str | None  # one release, or "<first>..<last>" for a span of them
    success: bool
    seconds: float
    failed_steps: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    warned_checks: list[str] = field(default_factory=list)
    output: str = ""

    @property
    def label(self) -> str:
        """``job[partition]`` for messages."""
        return f"{self.job_name}[{self.partition_key}]" if self.partition_key else self.job_name


@dataclass
class PipelineResult:
    """Every run of one pipeline pass, in order."""

    release_ids: list[str]
    runs: list[RunOutcome]
    withdrawn: list[WithdrawnRelease] = field(default_factory=list)

    @property
    def success(self) -> bool:
        """True when every run succeeded."""
        return all(run.success for run in self.runs)

    @property
    def failures(self) -> list[RunOutcome]:
        """The runs that failed."""
        return [run for run in self.runs if not run.success]


def _outcome(
    result: dg.ExecuteInProcessResult, job_name: str, partition_key: str | None, seconds: float
) -> RunOutcome:
    failed_steps = [
        f"{event.step_key}: {_first_line(event.event_specific_data)}"
        for event in result.get_step_failure_events()
    ]
    failed_checks, warned_checks = [], []
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            continue
        line = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}" + (
            f" ({evaluation.description})" if evaluation.description else ""
        )
        if evaluation.severity == dg.AssetCheckSeverity.WARN:
            warned_checks.append(line)
        else:
            failed_checks.append(line)
    return RunOutcome(
        job_name, partition_key, result.success, seconds, failed_steps, failed_checks, warned_checks
    )


def _first_line(failure_data: object, max_chars: int = 400) -> str:
    """The gist of a step failure: the error message, folded onto one line."""
    error = getattr(failure_data, "error", None)
    message = " ".join((getattr(error, "message", "") or str(failure_data)).split())
    message = _EXCEPTION_PREFIX.sub("", message)
    return (message[: max_chars - 1] + "…" if len(message) > max_chars else message) or "failed"


def run_job(
    definitions: dg.Definitions,
    job_name: str,
    instance: dg.DagsterInstance,
    partition_key: str | None = None,
    span: tuple[str, str] | None = None,
) -> RunOutcome:
    """Execute one job in this process and report how it went (never raises on failure).

    ``span`` runs a partitioned job over the partitions ``[first, last]`` in one run.
    """
    job = definitions.resolve_job_def(job_name)
    tags = range_tags(*span) if span else None
    started = time.perf_counter()
    # dagster-dbt echoes every dbt log line to stdout; keep it, show it only on failure.
    captured = io.StringIO()
    with redirect_stdout(captured):
        result = job.execute_in_process(
            run_config=QUIET_RUN_CONFIG,
            instance=instance,
            partition_key=partition_key,
            tags=tags,
            raise_on_error=False,
        )
    label = partition_key or (f"{span[0]}..{span[1]}" if span else None)
    outcome = _outcome(result, job_name, label, time.perf_counter() - started)
    outcome.output = captured.getvalue()
    return outcome


def run_pipeline(
    instance: dg.DagsterInstance,
    definitions: dg.Definitions | None = None,
    lake: LakeResource | None = None,
) -> PipelineResult:
    """Register partitions, run every release, then dbt; the one code path for CLI and tests.

    The releases run as one ``release_job`` run over their span of partitions (several
    spans only when the instance holds partitions whose raw file is gone). dbt runs even
    when a release failed: the marts then show every release that did land, and the exit
    status still reports the failure.
    """
    if definitions is None:
        from orchestration.definitions import defs as definitions
    lake = lake or LakeResource()
    withdrawn = withdraw_vanished(instance, lake.lake_path)
    release_ids = discover_release_ids(lake.raw_dir)
    register_releases(instance, release_ids)
    partition_keys = instance.get_dynamic_partitions(RELEASE_PARTITIONS_NAME)
    runs = [
        run_job(definitions, RELEASE_JOB, instance, span=span)
        for span in release_ranges(partition_keys, release_ids)
    ]
    # Held by this process for the whole marts run; the dbt asset takes it again (re-entrant).
    with build_lock(lake.warehouse):
        runs.append(run_job(definitions, MARTS_JOB, instance))
    return PipelineResult(release_ids, runs, withdrawn)


def read_summary(warehouse: Path) -> list[tuple]:
    """One row per release from the marts: units, projects, Σ total, 合计, reconciliation."""
    if not warehouse.exists():
        raise duckdb.IOException(
            f"{warehouse.name} does not exist (the marts run did not build it)"
        )
    with connect(warehouse, read_only=True) as connection:
        return connection.execute(SUMMARY_SQL).fetchall()


def format_summary(rows: list[tuple]) -> str:
    """The summary as a text table, then a warning for releases without a year.

    rich lays the table out because it measures 万元 and 合计 as terminals draw them (two
    columns a character); widths counted with ``len()`` pushed those headers out of line.
    A release without a budget year is left out of the year-over-year marts; saying so here
    is the only place a ``make run`` user would notice.
    """
    table = header_rule_table()
    table.add_column("release", no_wrap=True)
    for name in ("year", "units", "projects", "Σ total 万元", "合计 万元"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("reconciliation", no_wrap=True)
    without_year = []
    for release_id, year, n_units, n_projects, total, declared, exact, rounding, mismatch in rows:
        if year is None:
            without_year.append(release_id)
        table.add_row(
            release_id,
            str(year) if year is not None else "?",
            str(n_units),
            str(n_projects),
            f"{total:,.2f}",
            f"{declared:,.2f}" if declared is not None else "—",
            f"{exact} exact, {rounding} rounding, {mismatch} mismatch",
        )
    text = render_plain(table)
    if without_year:
        text += (
            f"\n\nwarning: {len(without_year)} release(s) without a budget year (no sidecar"
            " budget_year, no year in the title/header), left out of the year-over-year marts: "
            + ", ".join(without_year)
        )
    return text


def format_runs(runs: list[RunOutcome]) -> str:
    """One line per run: its label, ok or FAILED, seconds; aligned however long a span is."""
    table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 0))
    table.add_column("run", no_wrap=True)
    table.add_column("status", justify="right", no_wrap=True)
    table.add_column("seconds", justify="right", no_wrap=True)
    for run in runs:
        table.add_row(run.label, "ok" if run.success else "FAILED", f"{run.seconds:.1f}s")
    return render_plain(table)


def main() -> int:
    """Run everything against the configured lake; print a summary; 0 only if all runs passed."""
    lake = LakeResource()
    started = time.perf_counter()
    try:
        with dg.DagsterInstance.get() as instance:
            result = run_pipeline(instance, lake=lake)
    except LockTimeoutError as error:
        print(f"make run: {error}", file=sys.stderr)
        return 2
    for release in result.withdrawn:
        print(f"withdrawn: {release.message}")
    print(format_runs(result.runs))
    summary_read = False
    print()
    try:
        print(format_summary(read_summary(lake.warehouse)))
        summary_read = True
    except (duckdb.Error, WarehouseLockedError) as error:
        first_line = (str(error).splitlines() or [type(error).__name__])[0]
        print(f"cannot read the summary from the warehouse: {first_line}", file=sys.stderr)
    print(f"\nwarehouse: {lake.warehouse}")
    print(f"total: {time.perf_counter() - started:.1f}s")
    warnings = [check for run in result.runs for check in run.warned_checks]
    if warnings:
        print("\nwarnings (published anyway; docs/operations.md, 'Warnings', explains each):")
        print(*(f"  WARN  {check}" for check in warnings), sep="\n")
    refused = refused_raw_files(lake.raw_dir)
    for reason in refused:
        print(f"\nREFUSED raw/{reason}", file=sys.stderr)
    if result.success and summary_read and not refused:
        return 0
    for run in result.failures:
        print(f"\nFAILED {run.label}", file=sys.stderr)
        for step in run.failed_steps:
            print(f"  step  {step}", file=sys.stderr)
        for check in run.failed_checks:
            print(f"  check {check}", file=sys.stderr)
        tail = run.output.strip().splitlines()[-DBT_LOG_TAIL_LINES:]
        if tail:
            print("  last output:", *(f"    {line}" for line in tail), sep="\n", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
