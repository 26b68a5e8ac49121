"""The release's tables converted a type at a time (release._typed_arrays) equal the plain route.

Tables of a handful of rows are converted as one struct array of their rows; small tables chain
the columns of one type into one conversion and slice it; large tables convert column by column;
the indicator rows are converted as one struct array
(release._row_columns). Each must give exactly what a conversion per column gives with the
contract's schema, on every table of every sample and of generated releases, and a value the
contract cannot hold must still fall back to a column typed from its values.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

import parsers.release as release
from bench.generate import generate_release
from parsers.tables import arrow_schema

RAW_DIR = Path(__file__).resolve().parents[2] / "data_lake" / "raw"


def _captured_tables(paths: list[Path], monkeypatch) -> list[tuple[str, dict, pa.Table]]:
    """Each table's columns as build_tables hands them over, with the table _table made."""
    made = []
    table = release._table

    def capture(raw, name, columns):
        given = dict(columns)
        result = table(raw, name, columns)
        made.append((name, given, result, raw))
        return result

    monkeypatch.setattr(release, "_table", capture)
    for path in paths:
        release.parse_release(path)
    monkeypatch.undo()
    return made


def _plain(raw, name: str, columns: dict) -> pa.Table:
    columns = dict(columns)
    count = len(columns["source_line"])
    columns["release_id"] = [raw.release_id] * count
    columns["source_file"] = [raw.source_file] * count
    return pa.Table.from_pydict(columns, schema=arrow_schema(name))


def _generated(tmp_path: Path) -> list[Path]:
    paths = []
    for index, size in enumerate((3_000, 20_000, 60_000, 120_000, 2_000, 45_000)):
        made = generate_release(11, index, size)
        path = tmp_path / f"{made.release_id}.txt"
        path.write_text(made.text, encoding="utf-8")
        paths.append(path)
    return paths


def test_every_table_equals_the_plain_conversion(tmp_path, monkeypatch):
    paths = sorted(RAW_DIR.glob("*.txt")) + _generated(tmp_path)
    made = _captured_tables(paths, monkeypatch)
    sizes = {len(given["source_line"]) for _, given, _, _ in made}
    # Every route ran: rows as a struct, columns grouped by type, and column by column.
    assert min(sizes) <= release._ROWS_AS_STRUCT
    assert any(release._ROWS_AS_STRUCT < size <= release._GROUPED_ROWS for size in sizes)
    assert max(sizes) > release._GROUPED_ROWS
    assert {name for name, *_ in made} == set(release.TABLE_NAMES)
    for name, given, result, raw in made:
        expected = _plain(raw, name, given)
        assert result.schema == expected.schema, name
        assert result.equals(expected), (raw.release_id, name)


def test_a_value_the_contract_cannot_hold_keeps_a_column_typed_from_its_values():
    class Raw:
        release_id = "r"
        source_file = "r.txt"

    count = 2
    schema = arrow_schema("declared_totals")
    columns = {
        field.name: [None] * count
        for field in schema
        if field.name not in ("release_id", "source_file")
    }
    columns["subject"] = ["合计", "合计"]
    columns["source_line"] = [3, 4]
    columns["total_wan"] = [Decimal("1.1234567"), Decimal("2")]
    table = release._table(Raw(), "declared_totals", columns)
    assert table.schema.field("total_wan").type != schema.field("total_wan").type
    assert table.column("subject").to_pylist() == ["合计", "合计"]


@pytest.mark.parametrize("count", [2, release._ROWS_AS_STRUCT + 1])
def test_columns_of_unequal_length_are_refused_not_shifted(count):
    class Raw:
        release_id = "r"
        source_file = "r.txt"

    columns = {field.name: [None] * count for field in arrow_schema("budget_units")}
    columns["unit_name_zh"] = ["甲"]
    with pytest.raises(pa.ArrowInvalid):
        release._typed_arrays(dict(columns), "budget_units", count)
    with pytest.raises(pa.ArrowInvalid):
        release._table(Raw(), "budget_units", columns)


def test_indicator_rows_as_one_struct_equal_a_conversion_per_column(tmp_path, monkeypatch):
    given = []
    row_columns = release._row_columns

    def capture(rows):
        given.append(list(rows))
        return row_columns(rows)

    monkeypatch.setattr(release, "_row_columns", capture)
    for path in sorted(RAW_DIR.glob("*.txt")) + _generated(tmp_path):
        release.parse_release(path)
    monkeypatch.undo()
    assert len(given) >= 10
    schema = arrow_schema("indicators")
    for rows in given:
        columns = release._row_columns(rows)
        assert list(columns) == list(release.ROW_COLUMNS)
        for position, name in enumerate(release.ROW_COLUMNS):
            expected = pa.array([row[position] for row in rows], schema.field(name).type)
            assert isinstance(columns[name], pa.Array), name
            assert columns[name].equals(expected), name


def test_indicator_rows_the_contract_cannot_hold_are_handed_over_as_values():
    target_value = release.ROW_COLUMNS.index("target_value")
    row = [None] * len(release.ROW_COLUMNS)
    row[release.ROW_COLUMNS.index("flags")] = ""
    rows = [
        tuple(row),
        tuple(row[:target_value] + [Decimal("95.0000001")] + row[target_value + 1 :]),
    ]
    columns = release._row_columns(rows)
    assert columns["target_value"] == (None, Decimal("95.0000001"))
    assert columns["flags"] == ("", "")
