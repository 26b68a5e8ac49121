"""The proposed batched release run, as real Dagster: one run for a range of release partitions.

A stand-in for what ``orchestration/assets/extracted.py`` + ``lake.py`` would become (see
docs/benchmarks.md, "Recommended orchestration changes"): one asset over the same dynamic
``releases`` partitions with ``BackfillPolicy.single_run()``, whose step receives the whole
partition key range and runs parse → Pandera → reconcile → Parquet for each key in a pool of
worker processes (bench.paths._process_release: the same functions the assets call). It lives
in bench/ so the benchmark measures the proposal without editing orchestration/; it is not
wired into the platform's Definitions.
"""

import dagster as dg

from bench.paths import load_releases
from orchestration.partitions import release_partitions
from orchestration.resources import LakeResource

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


@dg.asset(
    key=["bench", "lake_releases_batched"],
    partitions_def=release_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    config_schema={"workers": dg.Field(int, default_value=2)},
)
def lake_releases_batched(
    context: dg.AssetExecutionContext, lake: LakeResource
) -> dg.MaterializeResult:
    """Every release of the run's partition range: validated, reconciled, written."""
    keys = context.partition_keys
    raw = [lake.raw_dir / f"{key}.txt" for key in keys]
    workers = context.op_config["workers"]
    outcomes = load_releases(raw, lake.lake_path, workers=workers, validate=True)
    refused = [o.release_id for o in outcomes if not o.landed]
    if refused:
        context.log.error(f"{len(refused)} releases refused: {refused[:10]}")
    return dg.MaterializeResult(
        metadata={
            "n_releases": len(keys),
            "n_landed": len(keys) - len(refused),
            "rows": sum(o.rows for o in outcomes),
        }
    )


batched_job = dg.define_asset_job("bench_batched_release_job", selection=[lake_releases_batched])

bench_defs = dg.Definitions(
    assets=[lake_releases_batched], jobs=[batched_job], resources={"lake": LakeResource()}
)


def run_batched(instance: dg.DagsterInstance, release_ids: list[str], workers: int) -> bool:
    """Register the partitions and materialise them all in one run; True when it succeeded."""
    from orchestration.partitions import register_releases

    register_releases(instance, release_ids)
    job = bench_defs.resolve_job_def("bench_batched_release_job")
    result = job.execute_in_process(
        instance=instance,
        tags={RANGE_START_TAG: release_ids[0], RANGE_END_TAG: release_ids[-1]},
        run_config={
            "ops": {"bench__lake_releases_batched": {"config": {"workers": workers}}},
            "loggers": {"console": {"config": {"log_level": "WARNING"}}},
        },
        raise_on_error=False,
    )
    return result.success
