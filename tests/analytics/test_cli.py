"""``budget-marts``: aligned CJK tables, exports, read-only queries and one-line errors."""

from __future__ import annotations

import csv
import subprocess
import sys
from decimal import Decimal
from importlib.metadata import entry_points

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analytics.cli import main
from analytics.text_table import display_width, format_table, truncate
from analytics.warehouse import open_warehouse

PROJECTS_SQL = (
    "select department_zh, project_name_zh, total_wan from marts.fct_projects order by project_id"
)


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_display_width_counts_wide_chinese_characters_as_two_columns():
    assert display_width("广州市公安局") == 12
    assert display_width("12345热线") == 9
    assert display_width("（全角）") == 8  # full-width brackets are F


def test_truncate_cuts_to_max_width_with_ellipsis_when_text_is_wider():
    cut = truncate("广州市政务服务和数据管理局", 9)

    assert cut == "广州市政…"
    assert display_width(cut) <= 9


def test_truncate_keeps_text_that_fits():
    assert truncate("广州市公安局", 12) == "广州市公安局"


def test_format_table_aligns_columns_when_cells_mix_chinese_and_latin():
    text = format_table(
        ["department_zh", "total_wan"],
        [("广州市公安局", Decimal("71531.34")), ("by", Decimal("1.00")), (None, Decimal("25.5"))],
    )

    lines = text.splitlines()
    # The last column is numeric, so right-aligned: every line ends in the same column.
    assert {display_width(line) for line in lines} == {display_width(lines[0])}
    assert lines[2].startswith("广州市公安局   ")
    assert lines[2].endswith("71531.34")


def test_query_prints_aligned_table_when_cells_are_chinese(tiny_warehouse, capsys):
    status, out, err = _run(capsys, "query", PROJECTS_SQL, "--warehouse", str(tiny_warehouse))

    assert status == 0, err
    table, footer = out.rstrip("\n").rsplit("\n", 1)
    widths = {display_width(line) for line in table.splitlines()}
    assert len(widths) == 1
    assert "广州市公安局" in table and "71531.34" in table
    assert footer == "(3 rows)"


def test_query_cuts_cells_wider_than_max_width(tiny_warehouse, capsys):
    status, out, _ = _run(
        capsys, "query", PROJECTS_SQL, "--max-width", "10", "--warehouse", str(tiny_warehouse)
    )

    assert status == 0
    assert "中共广州…" in out
    header, _rule, *body = out.splitlines()  # the rule under the header spans the whole table
    assert all(display_width(cell) <= 10 for line in [header, *body] for cell in line.split("  "))


def test_query_says_how_many_rows_it_left_out_when_max_rows_is_reached(tiny_warehouse, capsys):
    _, out, _ = _run(
        capsys, "query", PROJECTS_SQL, "--max-rows", "1", "--warehouse", str(tiny_warehouse)
    )

    assert "(3 rows, first 1 shown; --max-rows 0 shows all)" in out


def test_tables_lists_marts_first_with_row_counts(tiny_warehouse, capsys):
    with duckdb.connect(str(tiny_warehouse)) as connection:
        connection.execute("create schema aaa; create table aaa.first_by_name as select 1 as x")

    status, out, _ = _run(capsys, "tables", "--warehouse", str(tiny_warehouse))

    assert status == 0
    rows = [line.split() for line in out.splitlines()[2:]]
    assert rows[0] == ["marts", "fct_projects", "table", "3"]
    assert [row[0] for row in rows[:3]] == ["marts", "marts", "marts"]
    assert ["aaa", "first_by_name", "table", "1"] in rows


def test_query_reads_warehouse_path_from_environment(tiny_warehouse, capsys, monkeypatch):
    monkeypatch.setenv("BUDGET_WAREHOUSE_PATH", str(tiny_warehouse))

    status, out, _ = _run(capsys, "query", "select count(*) as n from marts.fct_projects")

    assert status == 0
    assert out.splitlines()[2].strip() == "3"


def test_query_exports_csv_that_round_trips_chinese_and_exact_amounts(
    tiny_warehouse, tmp_path, capsys
):
    out_file = tmp_path / "projects.csv"

    status, out, _ = _run(
        capsys, "query", PROJECTS_SQL, "--out", str(out_file), "--warehouse", str(tiny_warehouse)
    )

    assert status == 0 and "3 rows written" in out
    assert out_file.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    with out_file.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["department_zh", "project_name_zh", "total_wan"]
    assert rows[1] == ["广州市公安局", "机构运行辅助经费", "71531.34"]
    assert len(rows) == 4


def test_query_exports_parquet_keeping_decimal_amounts(tiny_warehouse, tmp_path, capsys):
    out_file = tmp_path / "projects.parquet"

    status, _, _ = _run(
        capsys, "query", PROJECTS_SQL, "--out", str(out_file), "--warehouse", str(tiny_warehouse)
    )

    table = pq.read_table(out_file)
    assert status == 0
    assert table.schema.field("total_wan").type == pa.decimal128(18, 2)
    assert table.column("project_name_zh").to_pylist()[0] == "机构运行辅助经费"
    assert table.column("total_wan").to_pylist() == [
        Decimal("71531.34"),
        Decimal("25349.85"),
        Decimal("475.90"),
    ]


def test_query_exports_xlsx_whose_sheet_holds_header_text_and_numbers(
    tiny_warehouse, tmp_path, capsys
):
    out_file = tmp_path / "projects.xlsx"

    status, _, _ = _run(
        capsys, "query", PROJECTS_SQL, "--out", str(out_file), "--warehouse", str(tiny_warehouse)
    )

    assert status == 0
    workbook = openpyxl.load_workbook(out_file)
    assert workbook.sheetnames == ["projects"]  # named after the file
    sheet = workbook["projects"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("department_zh", "project_name_zh", "total_wan")
    assert rows[1] == ("广州市公安局", "机构运行辅助经费", 71531.34)
    assert len(rows) == 4
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2"


def test_query_rejects_unknown_export_suffix_in_one_line(tiny_warehouse, tmp_path, capsys):
    status, _, err = _run(
        capsys,
        "query",
        PROJECTS_SQL,
        "--out",
        str(tmp_path / "x.json"),
        "--warehouse",
        str(tiny_warehouse),
    )

    assert status == 1
    assert err.count("\n") == 1 and ".csv, .parquet, .xlsx" in err


def test_open_warehouse_connection_refuses_insert_because_it_is_read_only(tiny_warehouse):
    with (
        open_warehouse(tiny_warehouse) as connection,
        pytest.raises(duckdb.Error, match="read-only"),
    ):
        connection.execute("insert into marts.fct_projects (project_id) values ('x')")


def test_query_refuses_insert_and_leaves_table_unchanged(tiny_warehouse, capsys):
    status, out, err = _run(
        capsys,
        "query",
        "insert into marts.fct_projects (project_id) values ('x')",
        "--warehouse",
        str(tiny_warehouse),
    )

    assert status == 1 and out == ""
    assert err.count("\n") == 1 and "refused: INSERT" in err
    with duckdb.connect(str(tiny_warehouse), read_only=True) as connection:
        assert connection.execute("select count(*) from marts.fct_projects").fetchone() == (3,)


def test_query_refuses_copy_to_a_file(tiny_warehouse, tmp_path, capsys):
    target = tmp_path / "leak.csv"

    status, _, err = _run(
        capsys, "query", f"copy (select 1) to '{target}'", "--warehouse", str(tiny_warehouse)
    )

    assert status == 1 and "refused: COPY" in err
    assert not target.exists()


def test_query_reports_unknown_table_in_one_line(tiny_warehouse, capsys):
    status, _, err = _run(
        capsys, "query", "select * from marts.nope", "--warehouse", str(tiny_warehouse)
    )

    assert status == 1
    assert err.count("\n") == 1
    assert "nope does not exist" in err and "budget-marts tables" in err


def test_query_reports_missing_warehouse_in_one_line_with_exit_2(tmp_path, capsys):
    missing = tmp_path / "nowhere.duckdb"

    status, out, err = _run(capsys, "query", "select 1", "--warehouse", str(missing))

    assert status == 2 and out == ""
    assert err.count("\n") == 1
    assert str(missing) in err and "make run" in err
    assert not missing.exists()  # read-only open must not create an empty warehouse


def test_query_reports_locked_warehouse_in_one_line_with_exit_2(tiny_warehouse, capsys):
    # Another process holds the write lock, as dbt does during `make run`.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, duckdb; c = duckdb.connect(sys.argv[1]); print('locked', flush=True); "
            "sys.stdin.read()",
            str(tiny_warehouse),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        status, out, err = _run(capsys, "tables", "--warehouse", str(tiny_warehouse))
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)

    assert status == 2 and out == ""
    assert err.count("\n") == 1
    assert "locked by another process" in err and str(tiny_warehouse) in err


def test_console_script_budget_marts_points_at_cli_main():
    (script,) = entry_points(group="console_scripts", name="budget-marts")

    assert script.value == "analytics.cli:main"


def test_help_names_every_place_the_warehouse_is_looked_for(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])

    out = " ".join(capsys.readouterr().out.split())
    assert exit_info.value.code == 0
    assert "$BUDGET_WAREHOUSE_PATH, else $BUDGET_LAKE_DIR/warehouse.duckdb, else" in out


def test_query_finds_the_warehouse_in_the_lake_dir_from_the_environment(
    tiny_warehouse, tmp_path, capsys, monkeypatch
):
    lake = tmp_path / "lake"
    lake.mkdir()
    tiny_warehouse.rename(lake / "warehouse.duckdb")
    monkeypatch.delenv("BUDGET_WAREHOUSE_PATH", raising=False)
    monkeypatch.setenv("BUDGET_LAKE_DIR", str(lake))

    status, out, err = _run(capsys, "query", "select count(*) as n from marts.fct_projects")

    assert status == 0, err
    assert out.splitlines()[2].strip() == "3"


@pytest.mark.slow
def test_years_lists_totals_new_and_ended_projects_of_the_hand_made_pair(budget_years_lake, capsys):
    status = main(["years", "--warehouse", str(budget_years_lake / "warehouse.duckdb")])

    out = capsys.readouterr().out
    assert status == 0
    baiyun = out.split("中共广州市白云区区委政法委员会\n", 1)[1].split("\n\n\n", 1)[0]
    # Typed from tests/dbt/budget_years/gz-baiyun-2024.txt and gz-baiyun-2025.txt.
    assert "2025         4     189.50       14.04         8.0" in baiyun
    assert "new in 2025 (1): 平安建设宣传经费" in baiyun
    assert "ended in 2025 (1): 政府雇员公用经费" in baiyun


@pytest.mark.slow
def test_years_names_the_former_name_of_a_renamed_department(budget_years_lake, capsys):
    main(["years", "--warehouse", str(budget_years_lake / "warehouse.duckdb")])

    assert (
        "天津市卫生健康委员会 (also printed as 天津市卫生和计划生育委员会)"
        in capsys.readouterr().out
    )


def test_years_has_nothing_to_compare_without_the_year_marts(tiny_warehouse, capsys):
    status = main(["years", "--warehouse", str(tiny_warehouse)])

    assert status == 0
    assert capsys.readouterr().out == (
        "no department has two budget years in the warehouse: nothing to compare\n"
    )


@pytest.mark.slow
def test_years_has_nothing_to_compare_on_the_samples_which_state_no_year(sample_warehouse, capsys):
    main(["years", "--warehouse", str(sample_warehouse)])

    assert "nothing to compare" in capsys.readouterr().out


@pytest.mark.slow
def test_every_table_and_view_of_the_samples_warehouse_can_be_queried(sample_warehouse, capsys):
    """Staging is stored, so no view reads the lake's files: the read-only tools, which may
    not read files, can read every schema (docs/analyst_guide.md)."""
    import duckdb

    with duckdb.connect(str(sample_warehouse), read_only=True) as connection:
        relations = connection.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema in ('marts', 'intermediate', 'staging', 'seeds')"
        ).fetchall()
    assert any(schema == "intermediate" for schema, _ in relations)
    for schema, name in relations:
        status = main(
            [
                "query",
                "--warehouse",
                str(sample_warehouse),
                f"select 1 from {schema}.{name} limit 1",
            ]
        )
        out, err = capsys.readouterr()
        assert status == 0, (schema, name, err)
