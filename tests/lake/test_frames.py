"""The parser's Arrow tables become the frames Pandera validates: contract columns, known dtypes."""

from decimal import Decimal
from pathlib import Path

import pandera.errors
import pyarrow as pa
import pytest

from lake.contract import EXTRACTED_TABLES, SCHEMAS, TABLES
from lake.frames import release_frames, table_frame
from parsers.release import parse_release
from parsers.tables import arrow_schema

RAW = Path(__file__).resolve().parents[2] / "data_lake" / "raw"


@pytest.fixture(scope="module")
def huadu():
    return parse_release(RAW / "guangzhou-huadu-police-branch.txt")


@pytest.fixture(scope="module")
def tianjin():
    return parse_release(RAW / "tianjin-public-security-bureau.txt")


def test_the_parser_fills_exactly_the_contract_columns_of_every_table(huadu, tianjin):
    for release in (huadu, tianjin):
        for name in EXTRACTED_TABLES:
            table = release.tables[name]
            assert isinstance(table, pa.Table)
            if table.num_rows:
                assert tuple(table.column_names) == TABLES[name].column_names, name


def test_frames_carry_the_dtypes_the_checks_expect(huadu):
    projects = release_frames(huadu)["projects"]

    assert str(projects["project_id"].dtype) == "str"
    assert str(projects["project_seq"].dtype) == "int64"
    assert str(projects["is_classified"].dtype) == "bool"
    assert str(projects["source_line"].dtype) == "Int64"
    assert isinstance(projects["total_wan"].iloc[0], Decimal)
    assert str(release_frames(huadu)["releases"]["source_line"].dtype) == "int64"


def test_every_frame_of_a_sample_passes_its_schema(huadu, tianjin):
    for release in (huadu, tianjin):
        for name, frame in release_frames(release).items():
            SCHEMAS[name].validate(frame, lazy=True)


def test_an_empty_table_becomes_the_contract_columns_with_no_rows(tianjin):
    totals = release_frames(tianjin)["declared_totals"]  # Tianjin prints no 合计 row

    assert list(totals.columns) == list(TABLES["declared_totals"].column_names)
    assert len(totals) == 0
    assert str(totals["source_line"].dtype) == "Int64"


def test_a_column_with_no_value_is_object_and_a_partly_missing_integer_is_float(huadu):
    projects = huadu.tables["projects"]
    names = projects.column_names
    blank = projects.set_column(names.index("goal_zh"), "goal_zh", pa.nulls(projects.num_rows))
    seq = blank.column("project_seq").to_pylist()
    blank = blank.set_column(names.index("project_seq"), "project_seq", pa.array([None, *seq[1:]]))

    frame = table_frame("projects", blank)

    assert frame["goal_zh"].dtype == object and frame["goal_zh"].isna().all()
    assert str(frame["project_seq"].dtype) == "float64"
    assert frame["project_seq"].isna().sum() == 1


def test_a_table_with_a_column_the_contract_does_not_know_is_refused(huadu):
    units = huadu.tables["budget_units"]
    extra = units.append_column("unit_colour", pa.repeat("red", units.num_rows))

    with pytest.raises(ValueError, match="unknown \\['unit_colour'\\]"):
        table_frame("budget_units", extra)


def test_the_parser_types_every_table_by_the_contract(huadu, tianjin):
    for release in (huadu, tianjin):
        for name in EXTRACTED_TABLES:
            assert release.tables[name].schema == arrow_schema(name), name
            assert arrow_schema(name).names == list(TABLES[name].column_names)


def test_a_value_the_contract_type_cannot_hold_reaches_the_schema_check(tmp_path):
    # A target number with seven decimals: decimal(38,6) cannot hold it; the parser keeps it
    # exactly and the lake's schema refuses the release rather than the parser failing.
    text = (RAW / "tianjin-public-security-bureau.txt").read_text(encoding="utf-8")
    text = text.replace("\t≥95%", "\t≥95.0000001%", 1)
    assert "95.0000001" in text
    path = tmp_path / "seven-decimals.txt"
    path.write_text(text, encoding="utf-8")
    release = parse_release(path)

    frame = release_frames(release)["indicators"]

    assert Decimal("95.0000001") in set(frame["target_value"].dropna())
    with pytest.raises(pandera.errors.SchemaErrors):
        SCHEMAS["indicators"].validate(frame, lazy=True)
