"""bench/event_cost.py: the events of a run, counted by type, and the lake it runs on."""

import hashlib

import dagster as dg

from bench.event_cost import LOG_ENTRY, SAMPLES, copy_raw_files, runs_events


@dg.asset
def _logged(context: dg.AssetExecutionContext) -> None:
    context.log.info("one log entry")


def test_runs_events_counts_each_run_by_type_with_log_entries_apart():
    job = dg.define_asset_job("logged_job", selection=[_logged])
    defs = dg.Definitions(assets=[_logged], jobs=[job])
    with dg.DagsterInstance.ephemeral() as instance:
        defs.resolve_job_def("logged_job").execute_in_process(instance=instance)

        ((job_name, kinds),) = runs_events(instance)

    assert job_name == "logged_job"
    assert kinds[LOG_ENTRY] == 1
    assert kinds["ASSET_MATERIALIZATION"] == 1
    assert kinds["STEP_OUTPUT"] == 1


def test_copy_raw_files_generates_distinct_releases_past_the_samples(tmp_path):
    copy_raw_files(tmp_path / "samples", 3)
    copy_raw_files(tmp_path / "generated", SAMPLES + 2)

    assert len(list((tmp_path / "samples").glob("*.txt"))) == 3
    generated = sorted((tmp_path / "generated").glob("*.txt"))
    assert len(generated) == SAMPLES + 2
    assert len({hashlib.sha256(path.read_bytes()).digest() for path in generated}) == SAMPLES + 2
