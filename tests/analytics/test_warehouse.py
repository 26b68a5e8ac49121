"""The query guard (issue 13.2): nothing written or read outside the warehouse, one-line reasons.

Each case is run through the command an analyst types (``budget-marts query``) and checked
twice: the refusal is one line naming what was refused, and the file was not written (it does
not exist afterwards, or the warehouse's bytes are unchanged) or not read (its content is in
no output). A few tests call DuckDB directly on the connection, past the statement check, to
show that DuckDB's own guard holds on its own.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from analytics.cli import main
from analytics.warehouse import open_warehouse

SECRET = "s3cr3t-line-that-must-not-leak"


def _query(capsys, warehouse: Path, sql: str) -> tuple[int, str, str]:
    status = main(["query", sql, "--warehouse", str(warehouse)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _assert_refused(status: int, out: str, err: str, *words: str) -> None:
    assert status == 1 and out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("budget-marts: refused")
    for word in words:
        assert word in err


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.csv"
    path.write_text(f"name\n{SECRET}\n", encoding="utf-8")
    return path


@pytest.fixture
def export_dir_with_a_writing_script(tmp_path: Path) -> tuple[Path, Path]:
    """An EXPORT DATABASE folder whose schema.sql would write a file if it were ever run."""
    folder = tmp_path / "exported"
    folder.mkdir()
    written = tmp_path / "written_by_import.csv"
    (folder / "schema.sql").write_text(f"COPY (SELECT 42) TO '{written}';\n", encoding="utf-8")
    (folder / "load.sql").write_text("", encoding="utf-8")
    return folder, written


def test_query_refuses_explain_analyze_copy_over_the_warehouse_itself(tiny_warehouse, capsys):
    before = _digest(tiny_warehouse)

    status, out, err = _query(
        capsys,
        tiny_warehouse,
        f"EXPLAIN ANALYZE COPY (SELECT 1 AS x) TO '{tiny_warehouse}' (FORMAT csv)",
    )

    _assert_refused(status, out, err, "EXPLAIN ANALYZE COPY", "--out")
    assert _digest(tiny_warehouse) == before


def test_query_refuses_explain_copy_to_a_file(tiny_warehouse, tmp_path, capsys):
    target = tmp_path / "leak.csv"

    status, out, err = _query(capsys, tiny_warehouse, f"EXPLAIN COPY (SELECT 1) TO '{target}'")

    _assert_refused(status, out, err, "EXPLAIN COPY")
    assert not target.exists()


def test_query_refuses_pragma_import_database_and_runs_none_of_its_sql(
    tiny_warehouse, export_dir_with_a_writing_script, capsys
):
    folder, written = export_dir_with_a_writing_script

    status, out, err = _query(capsys, tiny_warehouse, f"PRAGMA import_database('{folder}')")

    _assert_refused(status, out, err, "import_database()")
    assert not written.exists()


def test_query_refuses_import_database_and_runs_none_of_its_sql(
    tiny_warehouse, export_dir_with_a_writing_script, capsys
):
    folder, written = export_dir_with_a_writing_script

    status, out, err = _query(capsys, tiny_warehouse, f"IMPORT DATABASE '{folder}'")

    _assert_refused(status, out, err, "IMPORT")
    assert not written.exists()


def test_query_refuses_export_database_and_writes_no_folder(tiny_warehouse, tmp_path, capsys):
    target = tmp_path / "dump"

    status, out, err = _query(capsys, tiny_warehouse, f"EXPORT DATABASE '{target}'")

    _assert_refused(status, out, err, "EXPORT", "--out")
    assert not target.exists()


def test_query_refuses_read_text_and_prints_nothing_of_the_file(
    tiny_warehouse, secret_file, capsys
):
    status, out, err = _query(capsys, tiny_warehouse, f"SELECT * FROM read_text('{secret_file}')")

    _assert_refused(status, out, err, "read_text()")
    assert SECRET not in out + err


def test_query_refuses_read_csv_and_prints_nothing_of_the_file(tiny_warehouse, secret_file, capsys):
    status, out, err = _query(capsys, tiny_warehouse, f"SELECT * FROM read_csv('{secret_file}')")

    _assert_refused(status, out, err, "read_csv()")
    assert SECRET not in out + err


def test_query_refuses_a_quoted_file_name_after_from(tiny_warehouse, secret_file, capsys):
    status, out, err = _query(capsys, tiny_warehouse, f"FROM '{secret_file}'")

    _assert_refused(status, out, err, "FROM")
    assert SECRET not in out + err


def test_query_refuses_read_text_inside_explain_analyze(tiny_warehouse, secret_file, capsys):
    status, out, err = _query(
        capsys, tiny_warehouse, f"EXPLAIN ANALYZE SELECT * FROM read_text('{secret_file}')"
    )

    _assert_refused(status, out, err, "EXPLAIN ANALYZE read_text()")
    assert SECRET not in out + err


def test_query_refuses_a_file_reader_called_through_call(tiny_warehouse, secret_file, capsys):
    status, out, err = _query(capsys, tiny_warehouse, f"CALL read_csv('{secret_file}')")

    _assert_refused(status, out, err, "read_csv()")
    assert SECRET not in out + err


def test_query_refuses_install_naming_install_not_load(
    tiny_warehouse, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("HOME", str(tmp_path))

    status, out, err = _query(capsys, tiny_warehouse, "INSTALL spatial")

    _assert_refused(status, out, err, "INSTALL")
    assert "LOAD" not in err
    assert not (tmp_path / ".duckdb").exists()


def test_query_refuses_load_of_an_extension(tiny_warehouse, capsys):
    status, out, err = _query(capsys, tiny_warehouse, "LOAD spatial")

    _assert_refused(status, out, err, "LOAD")


def test_query_refuses_attach_and_creates_no_database(tiny_warehouse, tmp_path, capsys):
    target = tmp_path / "other.duckdb"

    status, out, err = _query(capsys, tiny_warehouse, f"ATTACH '{target}' AS other")

    _assert_refused(status, out, err, "ATTACH")
    assert not target.exists()


def test_query_refuses_a_second_statement_and_runs_neither(tiny_warehouse, tmp_path, capsys):
    target = tmp_path / "leak.csv"

    status, out, err = _query(capsys, tiny_warehouse, f"SELECT 1; COPY (SELECT 1) TO '{target}'")

    _assert_refused(status, out, err, "2 statements")
    assert not target.exists()


def test_query_refuses_set_so_no_setting_can_be_reopened(tiny_warehouse, capsys):
    status, out, err = _query(capsys, tiny_warehouse, "SET enable_external_access = true")

    _assert_refused(status, out, err, "SET")


def test_query_passes_duckdbs_own_permission_error_as_one_line(tiny_warehouse, capsys):
    # duckdb_extensions() lists the extension folder: not a file reader the statement check
    # names, so DuckDB's guard is the one that stops it.
    status, out, err = _query(capsys, tiny_warehouse, "SELECT * FROM duckdb_extensions()")

    _assert_refused(status, out, err, "refused by DuckDB", "disabled by configuration")


def test_query_still_reads_the_marts_and_plain_pragmas(tiny_warehouse, capsys):
    for sql in (
        "SELECT count(*) AS n FROM marts.fct_projects",
        "DESCRIBE marts.fct_projects",
        "SUMMARIZE marts.fct_projects",
        "EXPLAIN ANALYZE SELECT count(*) FROM marts.fct_projects",
        "PRAGMA table_info('marts.fct_projects')",
        "CALL pragma_version()",
        "SELECT 'rows from read_csv(' AS text_that_only_looks_like_a_call, 1 AS delta_wan",
    ):
        status, _, err = _query(capsys, tiny_warehouse, sql)
        assert status == 0, f"{sql}: {err}"


def test_duckdb_itself_refuses_copy_to_a_file_on_the_analyst_connection(tiny_warehouse, tmp_path):
    target = tmp_path / "leak.csv"

    with (
        open_warehouse(tiny_warehouse) as connection,
        pytest.raises(duckdb.PermissionException, match="disabled by configuration"),
    ):
        connection.execute(f"COPY (SELECT 1) TO '{target}'")
    assert not target.exists()


def test_duckdb_itself_refuses_read_text_on_the_analyst_connection(tiny_warehouse, secret_file):
    with (
        open_warehouse(tiny_warehouse) as connection,
        pytest.raises(duckdb.PermissionException, match="disabled by configuration"),
    ):
        connection.execute(f"SELECT * FROM read_text('{secret_file}')")


def test_duckdb_configuration_is_locked_so_external_access_stays_off(tiny_warehouse):
    with open_warehouse(tiny_warehouse) as connection:
        with pytest.raises(duckdb.InvalidInputException, match="locked"):
            connection.execute("SET enable_external_access = true")
        assert connection.execute(
            "SELECT current_setting('enable_external_access')"
        ).fetchone() == (False,)


def test_query_names_the_statement_behind_a_leading_comment(tiny_warehouse, tmp_path, capsys):
    target = tmp_path / "leak.csv"

    status, out, err = _query(
        capsys, tiny_warehouse, f"/* monthly */ -- export\nCOPY (SELECT 1) TO '{target}'"
    )

    _assert_refused(status, out, err, "refused: COPY")
    assert not target.exists()
