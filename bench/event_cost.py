"""How much of a run is Dagster's event log: events per run and the cost of one event.

    python -m bench.event_cost [N_RELEASES]

On a throw-away ``DAGSTER_HOME`` (stock sqlite, orchestration/instance_config.py) and a
throw-away lake of the sample releases copied ``N_RELEASES`` times (default 5, the samples):
the median time of one ``report_runless_asset_event``, then ``make run``'s two runs, counting
each run's events by type. Events x median is the share of each run that is bookkeeping.
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
from orchestration.instance_config import write_dagster_yaml

TIMED_EVENTS = 200
WARM_UP_EVENTS = 20


def event_ms(instance: dg.DagsterInstance) -> float:
    """Median milliseconds to record one asset materialisation on this instance."""
    timings = []
    for index in range(WARM_UP_EVENTS + TIMED_EVENTS):
        started = time.perf_counter()
        instance.report_runless_asset_event(dg.AssetMaterialization(f"event_cost_{index % 7}"))
        timings.append(time.perf_counter() - started)
    return statistics.median(timings[WARM_UP_EVENTS:]) * 1000


def copy_samples(raw_dir: Path, n_releases: int) -> None:
    """The sample releases, repeated under new names until there are ``n_releases``."""
    samples = sorted(settings.raw_dir(settings.DEFAULT_LAKE_DIR).glob("*.txt"))
    raw_dir.mkdir(parents=True)
    for index in range(n_releases):
        source = samples[index % len(samples)]
        suffix = "" if index < len(samples) else f"-copy{index // len(samples)}"
        shutil.copy(source, raw_dir / f"{source.stem}{suffix}.txt")


def main() -> int:
    """Print the per-event cost and each run's events by type."""
    n_releases = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    root = Path(tempfile.mkdtemp(prefix="event_cost_"))
    home, lake = root / "dagster_home", root / "lake"
    write_dagster_yaml(home)
    copy_samples(lake / settings.RAW_DIR_NAME, n_releases)
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
            for outcome, record in zip(
                result.runs,
                instance.get_run_records(order_by="create_timestamp", ascending=True),
                strict=True,
            ):
                events = instance.get_records_for_run(record.dagster_run.run_id, limit=100_000)
                kinds = Counter(r.event_log_entry.dagster_event_type for r in events.records)
                total = sum(kinds.values())
                top = ", ".join(f"{kind.value} {n}" for kind, n in kinds.most_common(4))
                print(
                    f"{outcome.label}: {outcome.seconds:.1f} s, {total} events "
                    f"(~{total * median / 1000:.1f} s at {median:.1f} ms); {top}"
                )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
