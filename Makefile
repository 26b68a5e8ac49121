# The only commands anyone needs. Each target installs what it needs first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# dbt on Spark lives in a venv of its own (pyproject.toml, the `spark` extra, says why).
SPARK_VENV := .venv-spark
SPARK_STAMP := $(SPARK_VENV)/.installed
SPARK_PACKAGES := 'dbt-core>=1.11,<1.12' 'dbt-spark[session]==1.11.0' 'pyspark==4.3.0'
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: install run test dev lint dbt-parse dbt-docs clean report docs bench bench-baseline contract

install: $(STAMP) $(SPARK_STAMP)

# Re-install only when the pins change. uv is fast; plain pip is the fallback.
$(STAMP): pyproject.toml constraints.txt
	@# A venv whose creation was interrupted has no pip: make it again rather than fail below.
	@$(BIN)/python -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --clear $(VENV)
	@if $(BIN)/python -m pip install -q uv >/dev/null 2>&1; then \
		$(BIN)/uv pip install --python $(BIN)/python --compile-bytecode -q -c constraints.txt -e '.[dev]'; \
	else \
		$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'; \
	fi
	@touch $(STAMP)

# The same pins as pyproject's `spark` extra (tests/test_settings.py holds them together).
$(SPARK_STAMP): pyproject.toml constraints.txt $(STAMP)
	@$(SPARK_VENV)/bin/python -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --clear $(SPARK_VENV)
	@if test -x $(BIN)/uv; then \
		$(BIN)/uv pip install --python $(SPARK_VENV)/bin/python --compile-bytecode -q -c constraints.txt $(SPARK_PACKAGES); \
	else \
		$(SPARK_VENV)/bin/python -m pip install -q -c constraints.txt $(SPARK_PACKAGES); \
	fi
	@touch $(SPARK_STAMP)

# Telemetry off, the duckdb_writer pool (one DuckDB writer), freshness, run monitoring and
# retries: orchestration/instance_config.py explains each, and writes the file.
$(DAGSTER_HOME)/dagster.yaml: Makefile orchestration/instance_config.py $(STAMP)
	@$(BIN)/python -m orchestration.instance_config $(DAGSTER_HOME) >/dev/null

# dagster-dbt needs target/manifest.json at import time.
dbt-parse: install
	@cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir . >/dev/null

# dbt's documentation site (every model and column, lineage) as one static page; needs the
# warehouse from `make run` for column types.
dbt-docs: install
	@cd dbt_project && BUDGET_LAKE_DIR=$(CURDIR)/data_lake BUDGET_WAREHOUSE_PATH=$(CURDIR)/data_lake/warehouse.duckdb \
		../$(BIN)/dbt docs generate --static --quiet --profiles-dir .
	@echo "dbt docs: $(CURDIR)/dbt_project/target/static_index.html (open in a browser; or: cd dbt_project && ../$(BIN)/dbt docs serve --profiles-dir .)"

run: install dbt-parse $(DAGSTER_HOME)/dagster.yaml
	@$(BIN)/python -m orchestration.run_all

# Two pytest-xdist workers: much of the suite waits on subprocesses (dbt, the Dagster daemon and
# webserver, Spark's JVM), so two workers on two cores overlap the waits. loadfile keeps each
# module on one worker (its module-scoped builds run once); tests/conftest.py orders the modules.
# TEST_WORKERS=0 runs everything in this one process.
TEST_WORKERS ?= 2
test: install dbt-parse $(DAGSTER_HOME)/dagster.yaml
	@$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# `dg dev` reads [tool.dg] in pyproject.toml: the webserver and the daemon on one code location.
dev: install dbt-parse $(DAGSTER_HOME)/dagster.yaml
	@VIRTUAL_ENV=$(CURDIR)/$(VENV) $(BIN)/dg dev

# The lake contract (lake/contract.py) writes dbt's _lake__sources.yml and docs/data_contract.md;
# tests/lake/test_contract.py fails when either is out of date.
contract: install
	@$(BIN)/python -m lake.contract all

lint: install
	@$(BIN)/ruff check parsers lake orchestration analytics bench tests settings.py plain_text.py
	@$(BIN)/ruff format --check parsers lake orchestration analytics bench tests settings.py plain_text.py

# The analyst report from the built warehouse (run `make run` first): offline HTML, no scripts.
report: install
	@$(BIN)/budget-marts report --out data_lake/report.html

# Refresh the outputs pasted in docs/analyst_guide.md and the screenshot docs/report.png
# (1,400 px wide; the height fits the six sections; 256 colours keep the PNG near 300 KB).
# Needs Debian's chromium and fonts-noto-cjk (apt-get install -y chromium fonts-noto-cjk).
docs: report
	@$(BIN)/python -m analytics.guide docs/analyst_guide.md
	@command -v chromium >/dev/null || { echo "make docs: chromium not found; apt-get install -y chromium fonts-noto-cjk" >&2; exit 2; }
	@chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--hide-scrollbars --user-data-dir=$$(mktemp -d) --screenshot=docs/report.png \
		--window-size=1400,3800 file://$(CURDIR)/data_lake/report.html 2>/dev/null
	@$(BIN)/python -c "from PIL import Image; Image.open('docs/report.png').convert('RGB').quantize(256).save('docs/report.png', optimize=True)"

# Throughput, rebuild and new-release latency, scale (BENCH_RELEASES, default 1000), the cost
# of a Dagster event (sqlite, Postgres) and a no-Dagster baseline; prints a table against the
# committed bench/results/baseline.json, writes the untracked bench/results/latest.json.
# Up to ~10 minutes.
bench: install dbt-parse
	@$(BIN)/python -m bench.run

# Make the last `make bench` the committed reference, on purpose (then commit baseline.json).
bench-baseline: install
	@$(BIN)/python -m bench.run --save-baseline

clean:
	rm -rf data_lake/parquet data_lake/warehouse.duckdb* data_lake/report.html data_lake/quarantine dbt_project/target dbt_project/logs .dagster_home
