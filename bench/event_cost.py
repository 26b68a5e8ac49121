"""How much of a run is Dagster's event log: events per run, by type, and the cost of one event.

    python -m bench.event_cost [N_RELEASES]

On a throw-away ``DAGSTER_HOME`` (stock sqlite, orchestration/instance_config.py) and a
throw-away lake: the median time of one ``report_runless_asset_event``, then ``make run``'s two
runs, each with its events by type. Up to five releases are the samples; more are generated
(bench/generate.py, seed 1), because copies of the samples would be refused as duplicates.
Events x median is the share of each run that is bookkeeping.
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import dagster as dg

import settings
from bench.generate import write_releases
from orchestration.instance_config import write_dagster_yaml

TIMED_EVENTS = 200
WARM_UP_EVENTS = 20
SAMPLES = 5
# What a run's log entries from context.log are counted as (they have no Dagster event type).
LOG_ENTRY = "LOG"


def event_ms(instance: dg.DagsterInstance) -> float:
    """Median milliseconds to record one asset materialisation on this instance."""
    timings = []
    for index in range(WARM_UP_EVENTS + TIMED_EVENTS):
        started = time.perf_counter()
        instance.report_runless_asset_event(dg.AssetMaterialization(f"event_cost_{index % 7}"))
        timings.append(time.perf_counter() - started)
    return statistics.median(timings[WARM_UP_EVENTS:]) * 1000


def events_by_type(instance: dg.DagsterInstance, run_id: str) -> dict[str, int]:
    """Every event the run wrote, counted by type (``LOG`` for its log entries), commonest first."""
    records = instance.get_records_for_run(run_id, limit=1_000_000).records
    kinds = Counter(
        entry.dagster_event_type.value if entry.dagster_event_type else LOG_ENTRY
        for entry in (record.event_log_entry for record in records)
    )
    return dict(kinds.most_common())


def runs_events(instance: dg.DagsterInstance) -> list[tuple[str, dict[str, int]]]:
    """Each run of the instance, oldest first, with its events by type."""
    return [
        (record.dagster_run.job_name, events_by_type(instance, record.dagster_run.run_id))
        for record in instance.get_run_records(order_by="create_timestamp", ascending=True)
    ]


def copy_raw_files(raw_dir: Path, n_releases: int) -> None:
    """The first ``n_releases`` samples, or ``n_releases`` generated releases past five."""
    raw_dir.mkdir(parents=True)
    if n_releases > SAMPLES:
        write_releases(raw_dir, n_releases, seed=1)
        return
    samples = sorted(settings.raw_dir(settings.DEFAULT_LAKE_DIR).glob("*.txt"))
    for source in samples[:n_releases]:
        shutil.copy(source, raw_dir / source.name)


def main() -> int:
    """Print the per-event cost and each run's events by type."""
    n_releases = int(sys.argv[1]) if len(sys.argv) > 1 else SAMPLES
    root = Path(tempfile.mkdtemp(prefix="event_cost_"))
    home, lake = root / "dagster_home", root / "lake"
    write_dagster_yaml(home)
    copy_raw_files(lake / settings.RAW_DIR_NAME, n_releases)
    os.environ.update(
        {
            settings.DAGSTER_HOME_ENV: str(home),
            settings.LAKE_DIR_ENV: str(lake),
            settings.WAREHOUSE_PATH_ENV: str(lake / settings.WAREHOUSE_FILE_NAME),
        }
    )
    from orchestration.run_all import run_pipeline

    try:
        with dg.DagsterInstance.get() as instance:
            median = event_ms(instance)
            print(f"one event (stock sqlite): {median:.1f} ms (median of {TIMED_EVENTS})")
            result = run_pipeline(instance)
            for outcome, (_, kinds) in zip(result.runs, runs_events(instance), strict=True):
                total = sum(kinds.values())
                print(
                    f"{outcome.label}: {outcome.seconds:.1f} s, {total} events "
                    f"(~{total * median / 1000:.1f} s at {median:.1f} ms)"
                )
                print(*(f"  {kind} {n}" for kind, n in kinds.items()), sep="\n")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
