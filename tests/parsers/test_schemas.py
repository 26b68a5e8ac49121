from decimal import Decimal

import pandera.errors
import pytest

from parsers.release import parse_release
from parsers.schemas import SCHEMAS, validate_tables


@pytest.fixture(scope="module")
def huadu():
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "data_lake/raw/guangzhou-huadu-police-branch.txt"
    return parse_release(path).tables


def _failing_checks(error: pandera.errors.SchemaErrors) -> set[str]:
    return set(error.failure_cases["check"].astype(str))


def test_schemas_accept_every_sample_release(raw_dir):
    for path in sorted(raw_dir.glob("*.txt")):
        validate_tables(parse_release(path).tables)


def test_projects_schema_rejects_a_negative_amount(huadu):
    broken = huadu["projects"].copy()
    broken.loc[0, "total_wan"] = Decimal("-1.00")
    broken.loc[0, "fiscal_wan"] = Decimal("-1.00")
    with pytest.raises(pandera.errors.SchemaErrors) as caught:
        SCHEMAS["projects"].validate(broken, lazy=True)
    assert any("amount must be a Decimal" in check for check in _failing_checks(caught.value))


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
