"""The lake contract: its Pandera schemas judge real frames, and the generated files follow it."""

from decimal import Decimal
from pathlib import Path

import pandera.errors
import pyarrow as pa
import pytest

from lake import contract
from lake.contract import EXTRACTED_TABLES, SCHEMAS, TABLES, file_schema
from lake.frames import release_frames
from parsers.reconciliation import reconcile
from parsers.release import parse_release
from parsers.tables import INDICATOR_FLAGS

RAW_DIR = Path(__file__).resolve().parents[2] / "data_lake" / "raw"


@pytest.fixture(scope="module")
def huadu():
    return release_frames(parse_release(RAW_DIR / "guangzhou-huadu-police-branch.txt"))


def _failing_checks(error: pandera.errors.SchemaErrors) -> set[str]:
    return set(error.failure_cases["check"].astype(str))


# ---------------------------------------------------------------------------------------------
# Generated files: the one test that holds them to the contract.


@pytest.mark.parametrize("name", sorted(contract.GENERATED))
def test_generated_file_is_what_the_contract_renders(name):
    path, render = contract.GENERATED[name]
    assert path.read_text(encoding="utf-8") == render(), (
        f"{path.name} is out of date: run `python -m lake.contract {name}`"
    )


def test_contract_cli_check_fails_on_a_stale_file(tmp_path, monkeypatch):
    stale = tmp_path / "data_contract.md"
    stale.write_text("hand-edited\n", encoding="utf-8")
    monkeypatch.setitem(contract.GENERATED, "docs", (stale, contract.render_docs))
    monkeypatch.setattr(contract, "REPO_DIR", tmp_path)
    assert contract.main(["docs", "--check"]) == 1
    assert contract.main(["docs"]) == 0
    assert contract.main(["docs", "--check"]) == 0


# ---------------------------------------------------------------------------------------------
# Arrow: one schema per table, the partition column only in the folder name.


def test_file_schema_leaves_release_id_to_the_hive_folder():
    for table in TABLES:
        assert "release_id" not in file_schema(table).names, table
        assert contract.dataset_schema(table).field("release_id").type == pa.string()


def test_file_schema_types_money_target_numbers_and_dates_exactly():
    assert file_schema("projects").field("total_wan").type == pa.decimal128(18, 2)
    assert file_schema("indicators").field("target_value").type == pa.decimal128(38, 6)
    assert file_schema("releases").field("published_on").type == pa.date32()
    assert file_schema("reconciliation").field("tolerance_wan").type == pa.decimal128(18, 3)


# ---------------------------------------------------------------------------------------------
# Pandera schemas on real frames.


def test_schemas_accept_every_sample_release_and_its_reconciliation():
    for path in sorted(RAW_DIR.glob("*.txt")):
        tables = release_frames(parse_release(path))
        validated = {table: SCHEMAS[table].validate(tables[table], lazy=True) for table in tables}
        SCHEMAS["reconciliation"].validate(reconcile(validated), lazy=True)
    assert set(tables) == set(EXTRACTED_TABLES)


def test_projects_schema_rejects_a_negative_amount(huadu):
    broken = huadu["projects"].copy()
    broken.loc[0, "total_wan"] = Decimal("-1.00")
    broken.loc[0, "fiscal_wan"] = Decimal("-1.00")
    with pytest.raises(pandera.errors.SchemaErrors) as caught:
        SCHEMAS["projects"].validate(broken, lazy=True)
    assert any("must be a Decimal, ≥ 0" in check for check in _failing_checks(caught.value))


def test_projects_schema_rejects_a_float_amount(huadu):
    broken = huadu["projects"].copy()
    broken["other_wan"] = broken["other_wan"].astype(object)
    broken.loc[1, "other_wan"] = 0.1
    with pytest.raises(pandera.errors.SchemaErrors):
        SCHEMAS["projects"].validate(broken, lazy=True)


def test_projects_schema_rejects_more_than_two_decimals(huadu):
    broken = huadu["projects"].copy()
    broken.loc[2, "total_wan"] = Decimal("1.005")
    with pytest.raises(pandera.errors.SchemaErrors):
        SCHEMAS["projects"].validate(broken, lazy=True)


def test_projects_schema_rejects_a_duplicated_project_id(huadu):
    broken = huadu["projects"].copy()
    broken.loc[1, "project_id"] = broken.loc[0, "project_id"]
    with pytest.raises(pandera.errors.SchemaErrors) as caught:
        SCHEMAS["projects"].validate(broken, lazy=True)
    assert "field_uniqueness" in _failing_checks(caught.value)


def test_projects_schema_rejects_a_total_that_is_not_the_sum_of_sources_unless_flagged(huadu):
    broken = huadu["projects"].copy()
    broken.loc[0, "total_wan"] = broken.loc[0, "total_wan"] + Decimal("1.00")
    with pytest.raises(pandera.errors.SchemaErrors):
        SCHEMAS["projects"].validate(broken, lazy=True)
    broken.loc[0, "flags"] = "sources_differ_from_total"
    SCHEMAS["projects"].validate(broken, lazy=True)


def test_projects_schema_rejects_an_undocumented_flag(huadu):
    broken = huadu["projects"].copy()
    broken.loc[0, "flags"] = "classified;made_up_flag"
    with pytest.raises(pandera.errors.SchemaErrors) as caught:
        SCHEMAS["projects"].validate(broken, lazy=True)
    assert any("every flag must be one of" in check for check in _failing_checks(caught.value))


def test_indicators_schema_accepts_each_documented_flag_and_rejects_others(huadu):
    indicators = huadu["indicators"].copy()
    indicators["flags"] = ";".join(sorted(INDICATOR_FLAGS))
    SCHEMAS["indicators"].validate(indicators, lazy=True)
    indicators.loc[0, "flags"] = "level3_in_level1_slot"
    with pytest.raises(pandera.errors.SchemaErrors):
        SCHEMAS["indicators"].validate(indicators, lazy=True)


def test_indicators_schema_rejects_a_target_value_finer_than_its_arrow_type(huadu):
    indicators = huadu["indicators"].copy()
    indicators["target_value"] = indicators["target_value"].astype(object)
    indicators.loc[0, "target_value"] = Decimal("0.1234567")  # decimal(38,6) holds 6 decimals
    with pytest.raises(pandera.errors.SchemaErrors):
        SCHEMAS["indicators"].validate(indicators, lazy=True)


def test_budget_units_schema_rejects_a_null_unit_id(huadu):
    broken = huadu["budget_units"].copy()
    broken["unit_id"] = broken["unit_id"].astype(object)
    broken.loc[0, "unit_id"] = None
    with pytest.raises(pandera.errors.SchemaErrors):
        SCHEMAS["budget_units"].validate(broken, lazy=True)


def test_releases_schema_rejects_an_unknown_layout(huadu):
    broken = huadu["releases"].copy()
    broken["layout"] = "excel_export"
    with pytest.raises(pandera.errors.SchemaErrors):
        SCHEMAS["releases"].validate(broken, lazy=True)


def test_releases_schema_rejects_a_column_the_contract_does_not_know(huadu):
    broken = huadu["releases"].copy()
    broken["fiscal_year"] = 2026
    with pytest.raises(pandera.errors.SchemaErrors):
        SCHEMAS["releases"].validate(broken, lazy=True)
