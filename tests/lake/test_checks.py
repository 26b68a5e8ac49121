"""Reconciliation and schema checks on the real 白云区委政法委 release (16 projects, 1 unit).

Expected figures are typed from the document: 合计 1,989.76 万元; 政法工作经费 447.00 万元
on line 13; the one unit is 中共广州市白云区区委政法委员会.
"""

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from lake.checks import (
    RECONCILIATION_CHECKS,
    CheckResult,
    Severity,
    budget_year_check_result,
    combine_release_checks,
    reconciliation_check_result,
    reconciliation_check_results,
    validate_frame,
)
from lake.contract import SCHEMAS
from lake.frames import release_frames
from parsers.reconciliation import reconcile
from parsers.release import parse_release

RAW = Path(__file__).resolve().parents[2] / "data_lake" / "raw"
BAIYUN = RAW / "guangzhou-baiyun-political-legal-committee.txt"
UNIT_ZH = "中共广州市白云区区委政法委员会"


@pytest.fixture(scope="module")
def baiyun_tables() -> dict[str, pd.DataFrame]:
    return release_frames(parse_release(BAIYUN))


def _results(tables: dict[str, pd.DataFrame]) -> dict[str, CheckResult]:
    return {r.name: r for r in reconciliation_check_results(reconcile(tables))}


def _without_line(tables: dict[str, pd.DataFrame], source_line: int) -> dict[str, pd.DataFrame]:
    projects = tables["projects"]
    return {**tables, "projects": projects[projects["source_line"] != source_line]}


@pytest.mark.parametrize("check_name", RECONCILIATION_CHECKS)
def test_reconciliation_check_passes_when_release_reconciles(baiyun_tables, check_name):
    result = _results(baiyun_tables)[check_name]

    assert result.passed
    assert result.metadata["n_mismatch"] == 0


def test_projects_sum_to_unit_subtotal_fails_naming_unit_when_one_line_is_missing(baiyun_tables):
    result = _results(_without_line(baiyun_tables, 13))["projects_sum_to_unit_subtotal"]

    assert not result.passed
    assert result.severity == Severity.ERROR
    assert result.metadata["mismatched_subjects"] == [UNIT_ZH]
    assert "447.00" in result.description


def test_projects_sum_to_declared_total_fails_when_one_line_is_missing(baiyun_tables):
    result = _results(_without_line(baiyun_tables, 13))["projects_sum_to_declared_total"]

    assert not result.passed
    assert result.metadata["mismatched_source_lines"] == [10]
    assert "1989.76" in result.description


def test_units_sum_to_declared_total_still_passes_when_one_project_line_is_missing(baiyun_tables):
    assert _results(_without_line(baiyun_tables, 13))["units_sum_to_declared_total"].passed


def test_funding_sources_sum_to_project_total_fails_naming_project_when_total_is_off(
    baiyun_tables,
):
    projects = baiyun_tables["projects"].copy()
    row = projects.index[projects["source_line"] == 13][0]
    projects.at[row, "total_wan"] = Decimal("448.00")

    result = _results({**baiyun_tables, "projects": projects})[
        "funding_sources_sum_to_project_total"
    ]

    assert not result.passed
    assert result.metadata["mismatched_source_lines"] == [13]
    assert "政法工作经费" in result.description


def test_reconciliation_check_passes_and_says_so_when_nothing_is_declared():
    empty = pd.DataFrame(columns=["check_name", "status", "subject", "difference_wan"])

    result = reconciliation_check_result("units_sum_to_declared_total", empty)

    assert result.passed
    assert result.metadata["n_compared"] == 0
    assert "No declared figure" in result.description


def test_reconciliation_check_records_rounding_gap_and_passes():
    reconciled = pd.DataFrame(
        {
            "check_name": ["projects_sum_to_declared_total"] * 2,
            "level": ["release", "release"],
            "subject": ["合计 vs projects"] * 2,
            "funding_source": ["total", "fiscal"],
            "declared_wan": [Decimal("100.00"), Decimal("100.00")],
            "computed_wan": [Decimal("100.01"), Decimal("100.00")],
            "difference_wan": [Decimal("-0.01"), Decimal("0.00")],
            "tolerance_wan": [Decimal("0.015"), Decimal("0.015")],
            "n_summed": [3, 3],
            "status": ["rounding", "exact"],
        }
    )

    result = reconciliation_check_result("projects_sum_to_declared_total", reconciled)

    assert result.passed
    assert result.metadata["n_rounding"] == 1
    assert result.metadata["max_rounding_gap_wan"] == pytest.approx(0.01)


def test_validate_frame_passes_real_projects(baiyun_tables):
    validation = validate_frame("projects", baiyun_tables["projects"], SCHEMAS["projects"])

    assert validation.result.passed
    assert validation.failure_cases is None


def test_validate_frame_fails_naming_line_when_amount_is_negative(baiyun_tables):
    projects = baiyun_tables["projects"].copy()
    row = projects.index[projects["source_line"] == 13][0]
    projects.at[row, "fiscal_wan"] = Decimal("-447.00")

    validation = validate_frame("projects", projects, SCHEMAS["projects"])

    assert not validation.result.passed
    assert validation.result.metadata["offending_source_lines"] == [13]
    assert validation.result.metadata["n_failure_cases"] >= 1


def test_numbering_check_fails_naming_the_project_whose_item_lost_its_number():
    # guangzhou-government-services-data-bureau.txt line 26 prints '…5、…。31-服务对象满意度；…'
    # with '6、3-满意度指标；' missing: the item is read, its number is not.
    from lake.checks import numbering_check_result
    from parsers.release import parse_release

    tables = release_frames(parse_release(RAW / "guangzhou-government-services-data-bureau.txt"))
    result = numbering_check_result(tables["indicators"], tables["projects"])
    assert not result.passed
    assert result.metadata["offending_source_lines"] == [26]
    assert "政府网站与政务新媒体提升业务项目" in result.description


def test_numbering_check_passes_when_every_number_is_printed_once():
    from lake.checks import numbering_check_result
    from parsers.release import parse_release

    tables = release_frames(parse_release(RAW / "guangzhou-baiyun-political-legal-committee.txt"))
    result = numbering_check_result(tables["indicators"], tables["projects"])
    assert result.passed
    assert result.metadata["n_projects_compared"] == 16


def _outcome(passed: bool, description: str | None = None, warn: bool = False):
    severity = Severity.WARN if warn else Severity.ERROR
    return CheckResult(
        "x", passed=passed, severity=severity, description=description, metadata={"n_compared": 3}
    )


def test_combine_release_checks_keeps_a_single_release_result_and_names_the_release():
    combined = combine_release_checks(
        "projects_sum_to_declared_total", {"r1": _outcome(False, "合计 off by 1.00")}
    )

    assert not combined.passed
    assert combined.description == "合计 off by 1.00"
    assert combined.metadata["release_id"] == "r1"
    assert combined.metadata["n_compared"] == 3


def test_combine_release_checks_passes_a_batch_only_when_every_release_passed():
    combined = combine_release_checks("x", {"r1": _outcome(True), "r2": _outcome(True)})

    assert combined.passed
    assert combined.metadata == {
        "n_releases": 2,
        "n_releases_failed": 0,
    }


def test_combine_release_checks_names_each_failing_release_of_a_batch():
    per_release = {
        "r1": _outcome(True),
        "r2": _outcome(False, "unit A off by 1.00"),
        "r3": _outcome(False, "unit B off by 2.00"),
    }

    combined = combine_release_checks("x", per_release)

    assert not combined.passed
    assert combined.severity == Severity.ERROR
    assert combined.description.startswith("2 of 3 releases fail.")
    assert "r2: unit A off by 1.00" in combined.description
    assert combined.metadata["failed_release_ids"] == ["r2", "r3"]


def test_combine_release_checks_only_warns_when_every_failure_was_a_warning():
    per_release = {"r1": _outcome(False, "gap", warn=True), "r2": _outcome(True)}

    assert combine_release_checks("x", per_release).severity == Severity.WARN


def test_budget_year_check_passes_when_the_sidecar_gives_the_year():
    tables = release_frames(parse_release(BAIYUN, {"budget_year": 2024}))
    result = budget_year_check_result(tables["releases"], tables["parse_warnings"])
    assert result.passed
    assert result.metadata["budget_year_source"] == "sidecar"


def test_budget_year_check_warns_naming_the_file_when_no_year_is_stated(baiyun_tables):
    result = budget_year_check_result(baiyun_tables["releases"], baiyun_tables["parse_warnings"])
    assert not result.passed
    assert result.severity == Severity.WARN
    assert result.description.startswith("guangzhou-baiyun-political-legal-committee.txt: ")
