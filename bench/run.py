"""``make bench``: parser throughput, rebuild and new-release latency, scale, and a baseline.

    python -m bench.run                       # BENCH_RELEASES=1000 by default
    BENCH_RELEASES=200 python -m bench.run    # quicker
    python -m bench.run --quick               # a minute or so: small sizes everywhere
    python -m bench.run --parser-only --repeats 5   # the parser throughput alone, in seconds
    python -m bench.run --scale-only          # scale_s and new_release_at_scale_s alone, minutes

Every scenario that builds a lake runs in a fresh worker process (``python -m bench.run
--worker <scenario>``) with a fresh temporary lake, warehouse and DAGSTER_HOME, so timings are
cold (imports included) and peak memory is that scenario's alone. Figures are written to
bench/results/<UTC timestamp>.json and bench/results/latest.json, both untracked; the table
printed at the end compares them with the committed reference, bench/results/baseline.json,
which changes only on purpose (``make bench-baseline`` promotes latest.json).

Scenarios (docs/benchmarks.md explains each):

1. parser: parse_release on the five samples and on generated releases, one core (lru caches
   cleared first, so the figure is not flattered by repeats), and on a pool of all cores.
2. samples_rebuild: ``orchestration.run_all.run_pipeline`` on the five samples, the code path of
   ``make run`` (a sqlite DagsterInstance in a temporary DAGSTER_HOME).
3. new_release: on that built lake, one more release: ``release_job`` + ``marts_job``; then dbt
   alone on the CLI on the same lake (what marts_job runs, the whole project, models only) and
   in-process, which splits marts_job's time between dbt and Dagster.
4. scale: the platform's own path (run_pipeline: one ``release_job`` run over every release
   partition, its releases parsed in a pool of processes, then ``marts_job``) on BENCH_RELEASES
   generated releases, measured end to end with peak memory; then one more release on that
   lake (``release_job`` + ``marts_job``: new_release_at_scale_s); and the baseline on the
   same data.
5. dagster_event: what one Dagster event costs to record, on the sqlite instance ``make run``
   uses and on Postgres (a throwaway PostgreSQL 15 server, bench/postgres.py): bench/event_cost.py's
   median of 200 runless asset materialisations, the event every release and dbt model records.
6. scale_spark: the same dbt build as marts_job on the same lake, on Apache Spark in local mode
   (dbt's ``spark`` target, bench/spark.py), reported without a target. Needs Java; skipped
   with ``BENCH_SPARK=0``. It is the slowest scenario (a JVM, and per-query planning that
   DuckDB does not have).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.generate import generate_release, release_sizes, write_releases
from bench.memory import PeakMemory
from orchestration.instance_config import write_dagster_yaml
from plain_text import header_rule_table, render_plain

REPO_DIR = Path(__file__).resolve().parent.parent
SAMPLES_DIR = REPO_DIR / "data_lake" / "raw"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
BASELINE_NAME = "baseline.json"
LATEST_NAME = "latest.json"
TARGETS = {
    # Issue 16 asks both parser figures for 20: generated releases and the five real samples.
    "parser_mb_s_per_core": (">=", 20.0),
    "parser_samples_mb_s_per_core": (">=", 20.0),
    "samples_rebuild_s": ("<=", 15.0),
    "new_release_s": ("<=", 15.0),
    "new_release_at_scale_s": ("<=", 5.0),
    "scale_s": ("<=", 90.0),
    "scale_peak_mb": ("<", 2048.0),
}
PARSER_GENERATED_RELEASES = 30
EXTRA_RELEASE_SEED = 99


# --- parser throughput (in this process) ------------------------------------------------------


def clear_parser_caches() -> None:
    """Forget every lru_cache in parsers/, so repeated passes cost what a first pass costs."""
    import functools

    for name, module in list(sys.modules.items()):
        if not name.startswith("parsers"):
            continue
        for value in vars(module).values():
            if isinstance(value, functools._lru_cache_wrapper):
                value.cache_clear()


def _rows(release: Any) -> int:
    return sum(len(frame) for frame in release.tables.values())


def _parse_pass(paths: list[Path]) -> tuple[float, float, int, int]:
    """One pass: wall seconds, CPU seconds of this process, rows, bytes.

    CPU time is kept beside wall time because the machine is shared: other processes stretch
    the wall clock of a single-threaded pass, not the CPU time it needs.
    """
    from parsers.release import parse_release

    clear_parser_caches()
    started, cpu_started = time.perf_counter(), time.process_time()
    rows = sum(_rows(parse_release(path)) for path in paths)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return seconds, cpu, rows, sum(path.stat().st_size for path in paths)


def _layout_pass(paths: list[Path]) -> float:
    """Read + detect + layout parser only: the records, before ids, indicators and tables."""
    from parsers.detect import detect_layout
    from parsers.layouts.guangzhou import LAYOUT as GUANGZHOU
    from parsers.layouts.guangzhou import parse_guangzhou
    from parsers.layouts.tianjin import parse_tianjin
    from parsers.reader import read_release

    clear_parser_caches()
    started = time.perf_counter()
    for path in paths:
        raw = read_release(path)
        layout = detect_layout(raw.lines, raw.path, raw.text)
        if layout == GUANGZHOU:
            parse_guangzhou(raw.lines, raw.path)
        else:
            parse_tianjin(raw.lines, raw.path, raw.text)
    return time.perf_counter() - started


def _parse_count(path: str) -> int:
    from parsers.release import parse_release

    return _rows(parse_release(Path(path)))


def measure_parser(work: Path, repeats: int) -> dict[str, Any]:
    """MB/s and rows/s of parse_release: samples and generated data, one core and all cores."""
    from concurrent.futures import ProcessPoolExecutor

    samples = sorted(SAMPLES_DIR.glob("*.txt"))
    generated = write_releases(work / "parser_generated", PARSER_GENERATED_RELEASES, seed=7)
    result: dict[str, Any] = {}
    for label, paths in (("samples", samples), ("generated", generated)):
        _parse_pass(paths)  # warm imports and regex compilation
        runs = [_parse_pass(paths) for _ in range(repeats)]
        seconds = statistics.median(run[0] for run in runs)
        cpu_seconds = statistics.median(run[1] for run in runs)
        rows, size = runs[0][2], runs[0][3]
        layout_seconds = statistics.median(_layout_pass(paths) for _ in range(repeats))
        result[label] = {
            "files": len(paths),
            "mb": round(size / 1e6, 3),
            "rows": rows,
            "seconds": round(seconds, 3),
            "mb_s_per_core": round(size / 1e6 / seconds, 2),
            "cpu_mb_s_per_core": round(size / 1e6 / cpu_seconds, 2),
            "rows_s_per_core": round(rows / seconds),
            "layout_only_mb_s_per_core": round(size / 1e6 / layout_seconds, 2),
        }
    workers = os.cpu_count() or 1
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_parse_count, [str(p) for p in generated[:workers]]))  # start the workers
        started = time.perf_counter()
        rows = sum(pool.map(_parse_count, [str(p) for p in generated]))
        seconds = time.perf_counter() - started
    size = sum(path.stat().st_size for path in generated)
    result["generated_all_cores"] = {
        "workers": workers,
        "mb_s": round(size / 1e6 / seconds, 2),
        "rows_s": round(rows / seconds),
    }
    return result


# --- workers (each in its own process) --------------------------------------------------------


def _fresh_lake(root: Path, raw_paths: list[Path]) -> Path:
    lake = root / "lake"
    (lake / "raw").mkdir(parents=True)
    for path in raw_paths:
        shutil.copy(path, lake / "raw" / path.name)
    home = root / "dagster_home"
    # Storage is created by the timed run itself: the rebuild stays cold, imports included.
    write_dagster_yaml(home, create_storage=False)
    os.environ["BUDGET_LAKE_DIR"] = str(lake)
    os.environ["BUDGET_WAREHOUSE_PATH"] = str(lake / "warehouse.duckdb")
    os.environ["DAGSTER_HOME"] = str(home)
    return lake


def _cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (dbt's subprocess, the pool)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def worker_platform(spec: dict[str, Any]) -> dict[str, Any]:
    """run_pipeline on a fresh lake (``make run``'s path), one new release, then dbt variants."""
    root = Path(spec["root"])
    lake = _fresh_lake(root, [Path(p) for p in spec["raw"]])
    out: dict[str, Any] = {}
    with PeakMemory() as memory:
        started = time.perf_counter()
        import dagster as dg

        from bench.event_cost import runs_events
        from orchestration.definitions import defs
        from orchestration.partitions import register_releases
        from orchestration.run_all import run_job, run_pipeline

        out["import_s"] = round(time.perf_counter() - started, 2)
        with dg.DagsterInstance.get() as instance:
            result = run_pipeline(instance, defs)
            out["rebuild_s"] = round(time.perf_counter() - started, 2)
            release_runs = [run.seconds for run in result.runs if run.job_name == "release_job"]
            out["releases"] = len(result.release_ids)
            out["release_runs"] = len(release_runs)
            out["release_job_s"] = round(sum(release_runs), 2)
            out["marts_job_s"] = round(result.runs[-1].seconds, 2)
            out["failures"] = [run.label for run in result.failures]
            # Read after the timing: what each run wrote to the event log, by type.
            out["events"] = [
                {"job": job, "total": sum(kinds.values()), "by_type": kinds}
                for job, kinds in runs_events(instance)
            ]
            if spec.get("extra"):
                extra = Path(spec["extra"])
                shutil.copy(extra, lake / "raw" / extra.name)
                started_new, cpu_started = time.perf_counter(), _cpu_seconds()
                register_releases(instance, [extra.stem])
                release_run = run_job(defs, "release_job", instance, partition_key=extra.stem)
                marts_run = run_job(defs, "marts_job", instance)
                out["new_release"] = {
                    "total_s": round(time.perf_counter() - started_new, 2),
                    "cpu_s": round(_cpu_seconds() - cpu_started, 2),
                    "release_job_s": round(release_run.seconds, 2),
                    "marts_job_s": round(marts_run.seconds, 2),
                    "success": release_run.success and marts_run.success,
                }
        out["peak_mb_platform"] = round(memory.peak_mb)
    if spec.get("dbt_variants"):
        out["dbt_variants_s"] = _dbt_variants(lake, root)
    return out


# dbt on the CLI, same lake: what marts_job runs (orchestration/assets/dbt.py) against the
# whole project and the models alone, to split marts_job's time into dbt and Dagster.
def _dbt_variant_args() -> dict[str, list[str]]:
    from orchestration.assets.dbt import DBT_BUILD_ARGS

    return {
        "build as marts_job runs it": list(DBT_BUILD_ARGS),
        "build, whole project": ["build"],
        "run only (models, no tests)": ["run"],
    }


def _dbt_variants(lake: Path, root: Path) -> dict[str, float]:
    from bench.paths import dbt_command
    from lake.warehouse import warehouse_build

    warehouse = lake / "warehouse.duckdb"
    timings: dict[str, float] = {}
    # dbt builds in place here: hold the build lock like every other builder of this file.
    with warehouse_build(warehouse, lake):
        for label, args in _dbt_variant_args().items():
            seconds = [dbt_command(args, lake, warehouse, root / "dbt_target") for _ in range(2)]
            timings[label] = round(min(seconds), 2)
        timings.update(_dbt_in_process(lake, warehouse, root / "dbt_target_runner"))
    return timings


def _dbt_in_process(lake: Path, warehouse: Path, target: Path) -> dict[str, float]:
    """Run dbt in-process (dbtRunner), as a code server would: the second call pays no start-up."""
    from dbt.cli.main import dbtRunner

    from bench.paths import DBT_PROJECT_DIR

    os.environ["BUDGET_LAKE_DIR"], os.environ["BUDGET_WAREHOUSE_PATH"] = str(lake), str(warehouse)
    args = [
        "build",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(target),
        "--quiet",
    ]
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        with redirect_stdout(io.StringIO()):
            result = dbtRunner().invoke(args)
        if not result.success:
            raise RuntimeError(f"dbtRunner build failed: {result.exception}")
        timings.append(time.perf_counter() - started)
    return {
        "build in-process, first call": round(timings[0], 2),
        "build in-process, warm": round(timings[1], 2),
    }


def worker_loader(spec: dict[str, Any]) -> dict[str, Any]:
    """The baseline: parse, reconcile, write Parquet in a pool, then DuckDB SQL; no Dagster/dbt."""
    from bench.paths import load_releases, run_baseline_sql

    root = Path(spec["root"])
    lake = root / "lake"
    raw = sorted(Path(spec["raw_dir"]).glob("*.txt"))
    out: dict[str, Any] = {
        "releases": len(raw),
        "mb": round(sum(p.stat().st_size for p in raw) / 1e6, 1),
    }
    with PeakMemory() as memory:
        started = time.perf_counter()
        outcomes = load_releases(raw, lake, workers=spec["workers"])
        out["load_s"] = round(time.perf_counter() - started, 2)
        out["landed"] = sum(o.landed for o in outcomes)
        out["rows"] = sum(o.rows for o in outcomes)
        sql_started = time.perf_counter()
        out["sql_rows"] = run_baseline_sql(lake)
        out["sql_s"] = round(time.perf_counter() - sql_started, 2)
        out["total_s"] = round(time.perf_counter() - started, 2)
    out["peak_mb"] = round(memory.peak_mb)
    return out


def worker_dagster_event(spec: dict[str, Any]) -> dict[str, Any]:
    """One event's cost on the sqlite instance and on Postgres, each a fresh ``dagster.yaml``."""
    import dagster as dg

    from bench.event_cost import event_ms
    from bench.postgres import find_pg_bin, throwaway_postgres

    root = Path(spec["root"])
    out: dict[str, Any] = {}
    write_dagster_yaml(root / "sqlite_home")
    with dg.DagsterInstance.from_config(str(root / "sqlite_home")) as instance:
        out["sqlite_ms"] = round(event_ms(instance), 2)
    if find_pg_bin() is None:
        out["postgres_ms"] = None
        out["postgres_note"] = "PostgreSQL (initdb) not installed: not measured"
        return out
    with throwaway_postgres() as server:
        os.environ.update(server.env())
        write_dagster_yaml(root / "postgres_home", postgres=True)
        with dg.DagsterInstance.from_config(str(root / "postgres_home")) as instance:
            out["postgres_ms"] = round(event_ms(instance), 2)
    return out


def worker_spark(spec: dict[str, Any]) -> dict[str, Any]:
    """marts_job's dbt build on Spark (target spark) over an existing lake, in a fresh folder."""
    from bench.spark import dbt_spark_command
    from orchestration.assets.dbt import DBT_EXCLUDE

    work = Path(spec["root"]) / "spark"
    try:
        seconds = dbt_spark_command(["build", "--exclude", DBT_EXCLUDE], Path(spec["lake"]), work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"build_s": round(seconds, 2), "releases": spec["releases"]}


WORKERS = {
    "platform": worker_platform,
    "loader": worker_loader,
    "dagster_event": worker_dagster_event,
    "spark": worker_spark,
}


def _spark_enabled() -> tuple[bool, str]:
    """Whether to run scale_spark, and why not."""
    from bench.spark import java_available

    if os.environ.get("BENCH_SPARK", "1") == "0":
        return False, "BENCH_SPARK=0"
    if not java_available():
        return False, "java is not on the PATH"
    return True, ""


def _run_worker(name: str, spec: dict[str, Any], log: Path) -> dict[str, Any]:
    """Run one scenario in a fresh interpreter; its stdout/stderr go to ``log``."""
    spec_path = Path(spec["root"]) / "spec.json"
    Path(spec["root"]).mkdir(parents=True, exist_ok=True)
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    result_path = spec_path.with_name("result.json")
    started = time.perf_counter()
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"\n=== {name} {spec_path}\n")
        handle.flush()
        completed = subprocess.run(
            [sys.executable, "-m", "bench.run", "--worker", name, str(spec_path)],
            cwd=REPO_DIR,
            stdout=handle,
            stderr=handle,
            check=False,
        )
    wall = time.perf_counter() - started
    if completed.returncode != 0 or not result_path.exists():
        raise RuntimeError(f"bench worker {name} failed (exit {completed.returncode}); see {log}")
    result = json.loads(result_path.read_text(encoding="utf-8"))
    result["process_wall_s"] = round(wall, 2)
    return result


def _worker_main(name: str, spec_path: Path) -> int:
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    with redirect_stdout(sys.stderr):
        result = WORKERS[name](spec)
    spec_path.with_name("result.json").write_text(json.dumps(result), encoding="utf-8")
    return 0


# --- the whole benchmark ----------------------------------------------------------------------


def run_benchmark(releases: int, seed: int, quick: bool) -> dict[str, Any]:
    """Every scenario, in order; returns the results document."""
    work = Path(tempfile.mkdtemp(prefix="budget-bench-"))
    log = work / "bench.log"
    cores = os.cpu_count() or 1
    results: dict[str, Any] = {
        "meta": {
            "started_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "git_commit": _git("rev-parse", "--short", "HEAD"),
            "git_dirty_parsers": bool(_git("status", "--porcelain", "parsers")),
            "python": platform.python_version(),
            "cpu_count": cores,
            "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
            "releases": releases,
            "seed": seed,
            "work_dir": str(work),
        }
    }
    _say(f"work dir {work} (log: {log})")

    _say("parser throughput …")
    results["parser"] = measure_parser(work, repeats=1 if quick else 3)

    _say("generating releases …")
    started = time.perf_counter()
    generated_dir = work / "generated"
    write_releases(generated_dir, releases, seed)
    results["meta"]["generate_s"] = round(time.perf_counter() - started, 2)
    generated = sorted(generated_dir.glob("*.txt"))
    results["meta"]["generated_mb"] = round(sum(p.stat().st_size for p in generated) / 1e6, 1)
    extra = _write_extra_release(work)

    _say("full rebuild of the five samples (platform, cold) + one new release + dbt variants …")
    samples = [str(p) for p in sorted(SAMPLES_DIR.glob("*.txt"))]
    results["samples_rebuild"] = _run_worker(
        "platform",
        {
            "root": str(work / "samples"),
            "raw": samples,
            "extra": str(extra),
            "dbt_variants": not quick,
        },
        log,
    )
    _say("baseline on the five samples …")
    results["samples_baseline"] = _run_worker(
        "loader",
        {"root": str(work / "samples_baseline"), "raw_dir": str(SAMPLES_DIR), "workers": 1},
        log,
    )

    _say(f"platform on {releases} generated releases (run_pipeline, cold) + one new release …")
    results["scale_platform"] = _run_worker(
        "platform",
        {
            "root": str(work / "scale_platform"),
            "raw": [str(p) for p in generated],
            "extra": str(extra),
        },
        log,
    )
    _say(f"baseline on {releases} generated releases …")
    results["scale_baseline"] = _run_worker(
        "loader",
        {"root": str(work / "scale_baseline"), "raw_dir": str(generated_dir), "workers": cores},
        log,
    )
    _say("the cost of one Dagster event, sqlite and Postgres …")
    results["dagster_event"] = _run_worker(
        "dagster_event",
        {"root": str(work / "dagster_event")},
        log,
    )
    spark_enabled, why_not = _spark_enabled()
    if spark_enabled:
        _say(f"dbt build on local Spark, {releases} generated releases …")
        results["scale_spark"] = _run_worker(
            "spark",
            {
                "root": str(work / "scale_spark"),
                "lake": str(work / "scale_baseline" / "lake"),
                "releases": releases,
            },
            log,
        )
    else:
        results["scale_spark"] = {"skipped": why_not}
    results["meta"]["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["summary"] = summarise(results)
    if not os.environ.get("BENCH_KEEP"):
        shutil.rmtree(work, ignore_errors=True)
    return results


def summarise(results: dict[str, Any]) -> dict[str, Any]:
    """The headline figures the targets are about, flat."""
    samples = results["samples_rebuild"]
    scale = results["scale_platform"]
    return {
        "parser_mb_s_per_core": results["parser"]["generated"]["mb_s_per_core"],
        "parser_samples_mb_s_per_core": results["parser"]["samples"]["mb_s_per_core"],
        "samples_rebuild_s": samples["rebuild_s"],
        "new_release_s": samples["new_release"]["total_s"],
        "new_release_at_scale_s": scale["new_release"]["total_s"],
        "scale_s": scale["rebuild_s"],
        "scale_peak_mb": scale["peak_mb_platform"],
        "overhead_samples_x": round(
            samples["rebuild_s"] / results["samples_baseline"]["process_wall_s"], 1
        ),
        "overhead_scale_x": round(
            scale["rebuild_s"] / results["scale_baseline"]["process_wall_s"], 1
        ),
        "dagster_event_ms_sqlite": results["dagster_event"]["sqlite_ms"],
        "dagster_event_ms_postgres": results["dagster_event"]["postgres_ms"],
        # No target: the same dbt build on local Spark, for comparison (None when skipped).
        "spark_scale_s": results.get("scale_spark", {}).get("build_s"),
    }


def _check(name: str, value: float) -> str:
    if name not in TARGETS:
        return ""
    op, bound = TARGETS[name]
    ok = {">=": value >= bound, "<=": value <= bound, "<": value < bound}[op]
    return f"{op} {bound:g}  {'ok' if ok else 'MISSED'}"


def format_table(results: dict[str, Any], previous: dict[str, Any] | None) -> str:
    """The figures as a text table, with the committed baseline where there is one."""
    r, n = results, results["meta"]["releases"]
    p = results["parser"]
    s = r["samples_rebuild"]
    rows: list[tuple[str, str, float, str]] = [
        (
            "parser, samples: MB/s per core",
            "parser_samples_mb_s_per_core",
            p["samples"]["mb_s_per_core"],
            "",
        ),
        ("parser, samples: rows/s per core", "", p["samples"]["rows_s_per_core"], ""),
        ("parser, samples: layout only MB/s", "", p["samples"]["layout_only_mb_s_per_core"], ""),
        (
            "parser, generated: MB/s per core",
            "parser_mb_s_per_core",
            p["generated"]["mb_s_per_core"],
            "",
        ),
        ("parser, generated: rows/s per core", "", p["generated"]["rows_s_per_core"], ""),
        (
            f"parser, generated: MB/s on {p['generated_all_cores']['workers']} cores",
            "",
            p["generated_all_cores"]["mb_s"],
            "",
        ),
        ("samples rebuild, platform cold: s", "samples_rebuild_s", s["rebuild_s"], ""),
        ("  of which imports: s", "", s["import_s"], ""),
        ("  of which release_job (one run): s", "", s["release_job_s"], ""),
        ("  of which marts_job (dbt build): s", "", s["marts_job_s"], ""),
        ("samples, baseline (no Dagster/dbt): s", "", r["samples_baseline"]["process_wall_s"], ""),
        (
            "new release: release_job + marts_job: s",
            "new_release_s",
            s["new_release"]["total_s"],
            "",
        ),
        ("  of which release_job: s", "", s["new_release"]["release_job_s"], ""),
        ("  of which marts_job: s", "", s["new_release"]["marts_job_s"], ""),
    ]
    for label, seconds in (s.get("dbt_variants_s") or {}).items():
        rows.append((f"  dbt {label}: s", "", seconds, ""))
    sp = r["scale_platform"]
    rows += [
        (f"platform, {n} generated, cold: s", "scale_s", sp["rebuild_s"], ""),
        (f"  of which {sp['release_runs']} release_job run(s): s", "", sp["release_job_s"], ""),
        ("  of which marts_job: s", "", sp["marts_job_s"], ""),
        (
            f"new release on {n}: release_job + marts_job: s",
            "new_release_at_scale_s",
            sp["new_release"]["total_s"],
            "",
        ),
        ("  of which release_job: s", "", sp["new_release"]["release_job_s"], ""),
        ("  of which marts_job: s", "", sp["new_release"]["marts_job_s"], ""),
        ("  CPU, this process and dbt: s", "", sp["new_release"]["cpu_s"], ""),
        (f"platform, {n} generated: peak MB", "scale_peak_mb", sp["peak_mb_platform"], ""),
        (f"baseline, {n} generated: s", "", r["scale_baseline"]["process_wall_s"], ""),
        (f"baseline, {n} generated: peak MB", "", r["scale_baseline"]["peak_mb"], ""),
        ("overhead: samples platform / baseline", "", r["summary"]["overhead_samples_x"], "x"),
        (f"overhead: platform / baseline at {n}", "", r["summary"]["overhead_scale_x"], "x"),
        (
            "one Dagster event, sqlite: ms",
            "dagster_event_ms_sqlite",
            r["dagster_event"]["sqlite_ms"],
            "",
        ),
    ]
    if r["dagster_event"]["postgres_ms"] is not None:
        rows.append(
            (
                "one Dagster event, Postgres: ms",
                "dagster_event_ms_postgres",
                r["dagster_event"]["postgres_ms"],
                "",
            )
        )
    if r.get("scale_spark", {}).get("build_s") is not None:
        rows.append(
            (
                f"dbt build on local Spark, {n} generated: s",
                "spark_scale_s",
                r["scale_spark"]["build_s"],
                "",
            )
        )
    prev = (previous or {}).get("summary", {})
    table = header_rule_table(padding=0)
    table.add_column("measure", no_wrap=True)
    table.add_column("now", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)  # the unit of a ratio (x): the figures stay in line
    table.add_column("baseline", justify="right", no_wrap=True)
    table.add_column("target", no_wrap=True)
    for label, key, value, suffix in rows:
        before = prev.get(key) if key else None
        before_text = f"{before:,.2f}" if isinstance(before, int | float) else ""
        table.add_row(label, f"{value:,.2f}", suffix, before_text, _check(key, value))
    lines = [render_plain(table)]
    meta = r["meta"]
    lines.append("")
    lines.append(
        f"{meta['cpu_count']} cores; load average {meta['load_avg_at_start']} → "
        f"{meta['load_avg_at_end']}; {meta['generated_mb']} MB generated in {meta['generate_s']} s"
    )
    return "\n".join(lines)


def _git(*args: str) -> str:
    completed = subprocess.run(
        ["git", *args], cwd=REPO_DIR, capture_output=True, text=True, check=False
    )
    return completed.stdout.strip()


def _say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Command line: run the benchmark, print the table, write the JSON."""
    parser = argparse.ArgumentParser(description="Benchmark the budget platform.")
    parser.add_argument("--releases", type=int, default=int(os.environ.get("BENCH_RELEASES", 1000)))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, one repeat, no dbt variants"
    )
    parser.add_argument("--worker", nargs=2, metavar=("NAME", "SPEC"), help=argparse.SUPPRESS)
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.add_argument(
        "--parser-only",
        action="store_true",
        help="only the parser throughput (scenario 1), with --repeats passes; prints JSON",
    )
    parser.add_argument(
        "--scale-only",
        action="store_true",
        help="only the scale scenario (4): --releases cold, then one new release; prints JSON",
    )
    parser.add_argument("--repeats", type=int, default=3, help="parser passes per data set")
    parser.add_argument(
        "--save-baseline",
        action="store_true",
        help=f"copy the last run's {LATEST_NAME} to the committed {BASELINE_NAME}; run nothing",
    )
    args = parser.parse_args(argv)
    if args.worker:
        return _worker_main(args.worker[0], Path(args.worker[1]))
    latest = args.results_dir / LATEST_NAME
    baseline = args.results_dir / BASELINE_NAME
    if args.save_baseline:
        return save_baseline(latest, baseline)
    if args.parser_only:
        return run_parser_only(args.repeats)
    if args.scale_only:
        return run_scale_only(args.releases, args.seed)
    releases = min(args.releases, 40) if args.quick else args.releases
    reference = json.loads(baseline.read_text(encoding="utf-8")) if baseline.exists() else None
    results = run_benchmark(releases, args.seed, args.quick)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    (args.results_dir / f"{stamp}.json").write_text(text, encoding="utf-8")
    latest.write_text(text, encoding="utf-8")
    print(format_table(results, reference))
    print(f"\nresults: {args.results_dir / f'{stamp}.json'} (and {LATEST_NAME}, both untracked)")
    return 0


def run_parser_only(repeats: int) -> int:
    """Scenario 1 alone, for work on the parser: seconds, not the six minutes of make bench.

    Prints the figures as JSON and writes no results file, so latest.json stays a whole run.
    """
    work = Path(tempfile.mkdtemp(prefix="budget-bench-parser-"))
    try:
        load_at_start = [round(x, 2) for x in os.getloadavg()]
        results = {
            "meta": {
                "started_utc": datetime.now(UTC).isoformat(timespec="seconds"),
                "git_commit": _git("rev-parse", "--short", "HEAD"),
                "git_dirty_parsers": bool(_git("status", "--porcelain", "parsers")),
                "repeats": repeats,
                "load_avg_at_start": load_at_start,
            },
            "parser": measure_parser(work, repeats=repeats),
        }
        results["meta"]["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


def _write_extra_release(work: Path) -> Path:
    """The one release that arrives after the lake is built (the same in every run)."""
    extra = work / "extra" / "gen-extra-release.txt"
    extra.parent.mkdir(parents=True)
    size = release_sizes(EXTRA_RELEASE_SEED, 1)[0]
    extra.write_text(generate_release(EXTRA_RELEASE_SEED, 0, size).text, encoding="utf-8")
    return extra


def run_scale_only(releases: int, seed: int) -> int:
    """Scenario 4's platform half alone (``scale_s``, ``new_release_at_scale_s``), for work on it.

    A few minutes instead of make bench's ten or more; prints the figures as JSON and writes no
    results file, so latest.json stays a whole run. A failed worker raises and keeps the work
    folder: its log says why.
    """
    work = Path(tempfile.mkdtemp(prefix="budget-bench-scale-"))
    results: dict[str, Any] = {
        "meta": {
            "started_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "git_commit": _git("rev-parse", "--short", "HEAD"),
            "releases": releases,
            "seed": seed,
            "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
        }
    }
    generated_dir = work / "generated"
    write_releases(generated_dir, releases, seed)
    spec = {
        "root": str(work / "scale_platform"),
        "raw": [str(p) for p in sorted(generated_dir.glob("*.txt"))],
        "extra": str(_write_extra_release(work)),
    }
    results["scale_platform"] = _run_worker("platform", spec, work / "bench.log")
    results["meta"]["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    if not os.environ.get("BENCH_KEEP"):
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


def save_baseline(latest: Path, baseline: Path) -> int:
    """Promote the last run to the committed reference, on purpose, after checking it is whole."""
    if not latest.exists():
        print(f"{latest}: no benchmark results yet; run make bench first", file=sys.stderr)
        return 2
    results = json.loads(latest.read_text(encoding="utf-8"))
    if "summary" not in results:
        print(f"{latest}: no summary; the run did not finish", file=sys.stderr)
        return 2
    baseline.write_text(latest.read_text(encoding="utf-8"), encoding="utf-8")
    releases = results["meta"]["releases"]
    print(f"{baseline}: now the run of {results['meta']['started_utc']} ({releases} releases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
