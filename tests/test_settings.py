"""The settings module is the one source of names: the files that cannot import it agree."""

from pathlib import Path

import settings


def test_dbt_profile_reads_the_warehouse_variable_named_in_settings():
    profile = (settings.DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8")
    assert f"env_var('{settings.WAREHOUSE_PATH_ENV}'" in profile


def test_dbt_reads_the_changed_releases_from_the_variable_named_in_settings():
    macros = (settings.DBT_PROJECT_DIR / "macros" / "incremental_releases.sql").read_text(
        encoding="utf-8"
    )
    assert f"env_var('{settings.CHANGED_RELEASE_IDS_ENV}'" in macros


def test_dbt_spark_profile_keeps_every_folder_under_the_variable_named_in_settings():
    profile = (settings.DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8")
    spark_target = profile.split("    spark:\n", 1)[1]
    for folder in ("spark-warehouse", "metastore_db", "derby", "tmp"):
        assert f"{{{{ env_var('{settings.SPARK_DIR_ENV}') }}}}/{folder}" in spark_target


def test_makefile_exports_the_dagster_home_named_in_settings():
    makefile = (settings.REPO_DIR / "Makefile").read_text(encoding="utf-8")
    assert (
        f"export {settings.DAGSTER_HOME_ENV} ?= $(CURDIR)/{settings.DEFAULT_DAGSTER_HOME.name}"
        in makefile
    )


def test_warehouse_path_follows_explicit_then_environment_then_lake(monkeypatch, tmp_path):
    monkeypatch.delenv(settings.WAREHOUSE_PATH_ENV, raising=False)
    monkeypatch.setenv(settings.LAKE_DIR_ENV, str(tmp_path / "lake"))
    assert settings.warehouse_path() == (tmp_path / "lake" / "warehouse.duckdb").resolve()
    monkeypatch.setenv(settings.WAREHOUSE_PATH_ENV, str(tmp_path / "w.duckdb"))
    assert settings.warehouse_path() == (tmp_path / "w.duckdb").resolve()
    assert settings.warehouse_path(tmp_path / "x.duckdb") == (tmp_path / "x.duckdb").resolve()


def test_lake_folders_hang_off_the_lake_root(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.LAKE_DIR_ENV, str(tmp_path))
    root = Path(tmp_path).resolve()
    assert settings.raw_dir() == root / "raw"
    assert settings.parquet_dir() == root / "parquet"
    assert settings.quarantine_dir() == root / "quarantine"


def test_makefile_installs_the_spark_venv_with_the_pins_of_the_spark_extra():
    import shlex
    import tomllib

    pyproject = tomllib.loads((settings.REPO_DIR / "pyproject.toml").read_text(encoding="utf-8"))
    makefile = (settings.REPO_DIR / "Makefile").read_text(encoding="utf-8")
    line = next(row for row in makefile.splitlines() if row.startswith("SPARK_PACKAGES :="))
    assert (
        shlex.split(line.split(":=", 1)[1])
        == pyproject["project"]["optional-dependencies"]["spark"]
    )
    assert f"SPARK_VENV := {settings.SPARK_VENV_DIR.name}" in makefile
