"""What README.md says about its commands is what they do.

Each Makefile target is dry-run (``make -n -B``: every recipe it would run is printed, whether
or not its files are up to date, and nothing runs) and its commands compared with the README's
row for it; ``budget-marts`` runs for real on a small warehouse made here. ``make run``, ``make test`` and ``make bench`` are too slow to run inside
the suite: the end-to-end test holds the summary ``make run`` prints (tests/test_end_to_end.py),
tests/orchestration/test_run_all.py runs ``make run``'s module in real processes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from settings import LAKE_DIR_ENV, WAREHOUSE_PATH_ENV

REPO_DIR = Path(__file__).resolve().parents[1]
README = (REPO_DIR / "README.md").read_text(encoding="utf-8")
BUDGET_MARTS = Path(sys.executable).parent / "budget-marts"
# A README table row that documents a target: | `make <target>` | what it does |
TARGET_ROW = re.compile(r"^\| `make ([\w-]+)` \| (.+) \|$", re.MULTILINE)

# What each target's recipe must run, beside the words the README uses for it.
RECIPES = {
    "install": ["-c constraints.txt -e '.[dev]'"],
    "run": ["python -m orchestration.run_all"],
    "test": ["python -m pytest -n 2 --dist loadfile --no-loadscope-reorder"],
    "dev": ["dg dev"],
    "lint": [
        "ruff check parsers lake orchestration analytics bench tests settings.py",
        "ruff format --check parsers lake orchestration analytics bench tests settings.py",
    ],
    "contract": ["python -m lake.contract all"],
    "bench": ["python -m bench.run"],
    "bench-baseline": ["python -m bench.run --save-baseline"],
    "dbt-docs": ["dbt docs generate --static"],
    "dbt-parse": ["dbt parse"],
    "clean": [
        "rm -rf",
        "data_lake/parquet",
        "data_lake/warehouse.duckdb*",
        "data_lake/quarantine",
        "dbt_project/target",
        ".dagster_home",
    ],
    "report": ["budget-marts report --out data_lake/report.html"],
    "docs": [
        "budget-marts report --out data_lake/report.html",
        "python -m analytics.guide docs/analyst_guide.md",
        "--screenshot=docs/report.png",
    ],
}
# The README's words for each target that the recipe above makes true.
README_SAYS = {
    "install": "`.venv`",
    "run": "prints a summary per release",
    "test": "runs the whole test suite",
    "dev": "`dg dev`",
    "lint": "ruff check and format check",
    "contract": "regenerates `docs/data_contract.md` and dbt's `_lake__sources.yml`",
    "bench": "against the committed `bench/results/baseline.json`",
    "bench-baseline": "the committed reference",
    "dbt-docs": "`dbt_project/target/static_index.html`",
    "dbt-parse": "refreshes `dbt_project/target/manifest.json`",
    "clean": "Parquet, warehouse, quarantine, dbt target, Dagster storage",
    "report": "writes `data_lake/report.html`",
    "docs": "`make report`, then refreshes the outputs pasted in `docs/analyst_guide.md`",
}


def _readme_targets() -> dict[str, str]:
    return dict(TARGET_ROW.findall(README))


def _phony_targets() -> set[str]:
    makefile = (REPO_DIR / "Makefile").read_text(encoding="utf-8")
    (phony,) = re.findall(r"^\.PHONY:(.*)$", makefile, re.MULTILINE)
    return set(phony.split())


def _dry_run(target: str) -> str:
    completed = subprocess.run(
        ["make", "--dry-run", "--always-make", target],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, f"make -n -B {target}: {completed.stderr.strip()}"
    return completed.stdout


def test_readme_documents_exactly_the_makefile_targets():
    assert set(_readme_targets()) == _phony_targets() == set(RECIPES) == set(README_SAYS)


@pytest.mark.parametrize("target", sorted(RECIPES))
def test_each_target_runs_what_its_readme_row_says(target):
    recipe = _dry_run(target)

    assert README_SAYS[target] in _readme_targets()[target], target
    for command in RECIPES[target]:
        assert command in recipe, f"make {target} does not run {command!r}"


def test_dbt_parse_runs_first_for_exactly_the_targets_its_readme_row_names():
    # "dagster-dbt reads it at import time": every target that imports the definitions needs it.
    named = set(re.findall(r"`make ([\w-]+)`", _readme_targets()["dbt-parse"]))
    parsing = {
        target for target in _phony_targets() - {"dbt-parse"} if "dbt parse" in _dry_run(target)
    }

    assert named == parsing


def test_ci_runs_make_test():
    ci = (REPO_DIR / ".ci" / "run").read_text(encoding="utf-8")

    assert "CI runs `bash .ci/run`, which calls `make test`" in README
    assert re.search(r"^make test$", ci, re.MULTILINE)


def _budget_marts(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BUDGET_MARTS), *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=REPO_DIR,
    )


@pytest.fixture
def small_warehouse(tmp_path: Path) -> Path:
    """One mart with two projects: enough for the commands the README names."""
    path = tmp_path / "lake" / "warehouse.duckdb"
    path.parent.mkdir()
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            "create schema marts;"
            "create table marts.fct_projects (release_id varchar, project_name_zh varchar,"
            " total_wan decimal(18, 2));"
            "insert into marts.fct_projects values"
            " ('guangzhou-huadu-police-branch', '辅警补助经费', 120.50),"
            " ('guangzhou-huadu-police-branch', '办案业务经费', 33.00);"
        )
    return path


def test_budget_marts_help_names_the_commands_the_readme_names():
    completed = _budget_marts("--help")

    assert completed.returncode == 0, completed.stderr
    for command in ("query", "tables", "years"):
        assert f"`budget-marts {command}" in README, command
    for command in ("tables", "query", "report", "years"):
        assert re.search(rf"^ +{command} ", completed.stdout, re.MULTILINE), command
    # The guide's fallback: the lake directory when no warehouse path is set.
    assert LAKE_DIR_ENV in completed.stdout and WAREHOUSE_PATH_ENV in completed.stdout


def test_budget_marts_tables_and_query_read_the_warehouse(small_warehouse):
    tables = _budget_marts("tables", "--warehouse", str(small_warehouse))
    query = _budget_marts(
        "query",
        "select sum(total_wan) as total_wan from marts.fct_projects",
        "--warehouse",
        str(small_warehouse),
    )

    assert tables.returncode == 0, tables.stderr
    assert "fct_projects" in tables.stdout
    assert query.returncode == 0, query.stderr
    assert "153.50" in query.stdout


def test_budget_marts_finds_the_warehouse_in_the_lake_directory(small_warehouse):
    env = {**os.environ, LAKE_DIR_ENV: str(small_warehouse.parent)}
    env.pop(WAREHOUSE_PATH_ENV, None)

    completed = _budget_marts("tables", "marts", env=env)

    assert completed.returncode == 0, completed.stderr
    assert "fct_projects" in completed.stdout


@pytest.mark.parametrize(
    ("readme_says", "sql"),
    [
        ("one statement at a time", "select 1; select 2"),
        ("read-only", "delete from marts.fct_projects"),
        ("access to other files switched off", "select * from read_text('README.md')"),
    ],
)
def test_budget_marts_query_refuses_what_the_readme_rules_out(small_warehouse, readme_says, sql):
    completed = _budget_marts("query", sql, "--warehouse", str(small_warehouse))

    assert readme_says in _readme_targets()["report"]
    assert completed.returncode == 1, completed.stdout
    assert completed.stderr.startswith("budget-marts: ")
    assert len(completed.stderr.strip().splitlines()) == 1
    with duckdb.connect(str(small_warehouse), read_only=True) as connection:
        assert connection.execute("select count(*) from marts.fct_projects").fetchone() == (2,)


def test_the_limits_the_readme_quotes_are_the_defaults():
    from orchestration.partitions import RELEASES_PER_BACKFILL_RUN
    from settings import (
        BUILD_LOCK_TIMEOUT_ENV,
        DEFAULT_BUILD_LOCK_TIMEOUT_SECONDS,
        DEFAULT_MAX_RELEASE_MB,
        MAX_RELEASE_MB_ENV,
    )

    assert f"at most {DEFAULT_MAX_RELEASE_MB:g} MB (`{MAX_RELEASE_MB_ENV}`)" in README
    assert f"`{BUILD_LOCK_TIMEOUT_ENV}` ({DEFAULT_BUILD_LOCK_TIMEOUT_SECONDS:g})" in README
    assert f"one run per span of up to {RELEASES_PER_BACKFILL_RUN} releases" in " ".join(
        README.split()
    )


def test_every_orchestration_module_is_in_the_readme_layout():
    (row,) = [line for line in README.splitlines() if line.startswith("| `orchestration/` |")]
    modules = {
        path.relative_to(REPO_DIR / "orchestration").as_posix()
        for path in (REPO_DIR / "orchestration").rglob("*.py")
        if path.name != "__init__.py"
    }

    assert {module for module in modules if f"`{module}`" not in row} == set()
