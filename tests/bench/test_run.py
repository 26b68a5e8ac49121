"""``make bench`` leaves tracked files alone; the committed baseline changes only on purpose."""

import copy
import json
import subprocess

from bench.run import BASELINE_NAME, LATEST_NAME, RESULTS_DIR, format_table, main, summarise

REPO_DIR = RESULTS_DIR.parent.parent


def _ignored(path) -> bool:
    completed = subprocess.run(["git", "check-ignore", "-q", str(path)], cwd=REPO_DIR, check=False)
    return completed.returncode == 0


def test_bench_results_are_untracked_but_the_baseline_is_committed():
    assert _ignored(RESULTS_DIR / LATEST_NAME)
    assert _ignored(RESULTS_DIR / "20261129T230000Z.json")
    assert not _ignored(RESULTS_DIR / BASELINE_NAME)
    tracked = subprocess.run(
        ["git", "ls-files", str(RESULTS_DIR)], cwd=REPO_DIR, capture_output=True, text=True
    ).stdout.split()
    assert [path for path in tracked if path.endswith(".json")] == [
        f"bench/results/{BASELINE_NAME}"
    ]


def test_save_baseline_promotes_the_last_run_and_nothing_else(tmp_path, capsys):
    assert main(["--results-dir", str(tmp_path), "--save-baseline"]) == 2
    assert not (tmp_path / BASELINE_NAME).exists()

    run = {"meta": {"started_utc": "2026-11-29T23:00:00+00:00", "releases": 1000}, "summary": {}}
    (tmp_path / LATEST_NAME).write_text(json.dumps(run), encoding="utf-8")
    assert main(["--results-dir", str(tmp_path), "--save-baseline"]) == 0

    assert json.loads((tmp_path / BASELINE_NAME).read_text(encoding="utf-8")) == run


def test_summary_names_the_scale_out_figures():
    results = {
        "parser": {"generated": {"mb_s_per_core": 3.4}, "samples": {"mb_s_per_core": 2.9}},
        "samples_rebuild": {"rebuild_s": 14.0, "new_release": {"total_s": 9.0}},
        "samples_baseline": {"process_wall_s": 2.0},
        "scale_platform": {
            "rebuild_s": 88.0,
            "peak_mb_platform": 1100,
            "new_release": {"total_s": 4.5},
        },
        "scale_baseline": {"process_wall_s": 32.0},
        "dagster_event": {"sqlite_ms": 12.5, "postgres_ms": 3.25},
    }

    summary = summarise(results)

    assert summary["samples_rebuild_s"] == 14.0
    assert summary["scale_s"] == 88.0
    assert summary["new_release_at_scale_s"] == 4.5
    assert summary["dagster_event_ms_sqlite"] == 12.5
    assert summary["dagster_event_ms_postgres"] == 3.25


def test_parse_pass_reports_cpu_time_beside_wall_time_on_the_samples():
    from bench.run import SAMPLES_DIR, _parse_pass

    paths = sorted(SAMPLES_DIR.glob("*.txt"))
    seconds, cpu_seconds, rows, size = _parse_pass(paths)
    assert size == sum(path.stat().st_size for path in paths)
    assert rows > 2000  # the five samples hold 400-odd projects and 2,000-odd indicators
    assert cpu_seconds > 0
    assert seconds > 0


def test_table_lines_up_now_and_baseline_under_their_headers():
    # The committed baseline, plus the two figures it predates, stands for a finished run.
    baseline = json.loads((RESULTS_DIR / BASELINE_NAME).read_text(encoding="utf-8"))
    results = copy.deepcopy(baseline)
    results["scale_platform"]["new_release"] = {
        "total_s": 41.5,
        "release_job_s": 3.5,
        "marts_job_s": 38.0,
        "cpu_s": 36.2,
    }
    results["dagster_event"] = {"sqlite_ms": 12.5, "postgres_ms": None}

    table, meta = format_table(results, baseline).split("\n\n")
    header, rule, *rows = table.splitlines()

    assert set(rule) == {"-"}
    assert meta.startswith("2 cores; load average")
    by_label = {row.split("  ")[0]: row for row in rows}
    scale = by_label["platform, 1000 generated, cold: s"]
    overhead = by_label["overhead: platform / baseline at 1000"]
    peak = by_label["platform, 1000 generated: peak MB"]
    (cpu,) = [row for row in rows if "CPU, this process and dbt" in row]
    assert "36.20" in cpu

    def end(line: str, text: str) -> int:
        return line.index(text) + len(text)

    def last_end(line: str, text: str) -> int:
        return line.rindex(text) + len(text)

    # The figures line up digit under digit, an overhead's x after its figure.
    assert end(scale, "92.54") == end(overhead, "2.90") == end(peak, "1,182.00")
    assert end(scale, "92.54") == end(header, "now")
    assert overhead.endswith("2.90 x")
    assert end(scale, "93.74") == last_end(peak, "1,182.00") == end(header, "baseline")
    assert scale.index("<= 90  MISSED") == peak.index("< 2048  ok") == header.index("target")
    assert "one Dagster event, Postgres: ms" not in by_label
