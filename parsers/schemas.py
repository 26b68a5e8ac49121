"""One Pandera schema per extracted table: the contract a frame must meet to reach the lake.

Amounts are Python Decimals in 万元 (object columns), so the money checks are element-wise:
a Decimal, not negative, at most two decimals. Keys are unique and not null; a project's total
equals the sum of its funding sources unless the parser flagged the document's own mismatch.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pandera.pandas as pa

from parsers.budget_year import SOURCES as BUDGET_YEAR_SOURCES
from parsers.model import FUNDING_SOURCES, SOURCES_DIFFER_FLAG
from parsers.targets import KINDS as TARGET_KINDS

LAYOUTS = ("guangzhou_rows", "tianjin_tables")
OPERATORS = ("=", "≥", "≤", ">", "<")


def _is_exact_amount(value: object) -> bool:
    if value is None:
        return True
    if not isinstance(value, Decimal) or not value.is_finite():
        return False
    return value >= 0 and value.as_tuple().exponent >= -2


def _amount(nullable: bool = False) -> pa.Column:
    return pa.Column(
        object,
        checks=pa.Check(
            _is_exact_amount,
            element_wise=True,
            error="amount must be a Decimal in 万元, ≥ 0, with at most 2 decimals",
        ),
        nullable=nullable,
    )


def _provenance() -> dict[str, pa.Column]:
    return {
        "release_id": pa.Column(str, coerce=True, nullable=False),
        "source_file": pa.Column(str, coerce=True, nullable=False),
        "source_line": pa.Column("Int64", checks=pa.Check.ge(1), nullable=False, coerce=True),
    }


def _sources_sum_to_total(frame: pd.DataFrame) -> pd.Series:
    sources = sum((frame[f"{source}_wan"] for source in FUNDING_SOURCES), Decimal(0))
    flagged = frame["flags"].str.contains(SOURCES_DIFFER_FLAG, regex=False)
    return (sources == frame["total_wan"]) | flagged


RELEASES = pa.DataFrameSchema(
    {
        "release_id": pa.Column(str, coerce=True, unique=True),
        "source_file": pa.Column(str, coerce=True),
        "source_sha256": pa.Column(str, pa.Check.str_matches(r"^[0-9a-f]{64}$"), coerce=True),
        "source_bytes": pa.Column("int64", pa.Check.gt(0)),
        "encoding": pa.Column(str, coerce=True),
        "layout": pa.Column(str, pa.Check.isin(LAYOUTS), coerce=True),
        "department_zh": pa.Column(str, coerce=True, nullable=True),
        "department_source": pa.Column(str, coerce=True, nullable=True),
        "currency_unit_zh": pa.Column(str, pa.Check.isin(("万元", "元")), coerce=True),
        "department_key": pa.Column(str, coerce=True, nullable=True),
        "budget_year": pa.Column("Int64", nullable=True, coerce=True),
        "budget_year_source": pa.Column(
            str, pa.Check.isin(BUDGET_YEAR_SOURCES), coerce=True, nullable=True
        ),
        "n_budget_units": pa.Column("int64", pa.Check.ge(1)),
        "n_projects": pa.Column("int64", pa.Check.ge(1)),
        "source_line": pa.Column("int64", pa.Check.ge(1)),
    },
    name="releases",
    strict=False,
)

BUDGET_UNITS = pa.DataFrameSchema(
    {
        **_provenance(),
        "unit_id": pa.Column(str, coerce=True, unique=True),
        "unit_seq": pa.Column("int64", pa.Check.ge(1), unique=True),
        "unit_code": pa.Column(str, nullable=True, coerce=True),
        "unit_name_zh": pa.Column(str, pa.Check.str_length(min_value=1), coerce=True),
        "unit_name_key": pa.Column(str, pa.Check.str_length(min_value=1), coerce=True),
        "declared_total_wan": _amount(nullable=True),
        "declared_fiscal_wan": _amount(nullable=True),
        "declared_special_account_wan": _amount(nullable=True),
        "declared_other_wan": _amount(nullable=True),
        "has_declared_totals": pa.Column(bool),
    },
    name="budget_units",
    strict=True,
)

DECLARED_TOTALS = pa.DataFrameSchema(
    {
        **_provenance(),
        "subject": pa.Column(str, coerce=True),
        "total_wan": _amount(),
        "fiscal_wan": _amount(),
        "special_account_wan": _amount(),
        "other_wan": _amount(),
    },
    name="declared_totals",
    strict=True,
)

PROJECTS = pa.DataFrameSchema(
    {
        **_provenance(),
        "project_id": pa.Column(
            str, pa.Check.str_matches(r"^[0-9a-f]{16}$"), unique=True, coerce=True
        ),
        "project_seq": pa.Column("int64", pa.Check.ge(1), unique=True),
        "unit_id": pa.Column(str, coerce=True),
        "unit_name_zh": pa.Column(str, coerce=True),
        "project_name_zh": pa.Column(str, coerce=True),
        "project_name_key": pa.Column(str, coerce=True),
        "total_wan": _amount(),
        **{f"{source}_wan": _amount() for source in FUNDING_SOURCES},
        "currency_unit_zh": pa.Column(str, pa.Check.isin(("万元", "元")), coerce=True),
        "amount_conversion": pa.Column(str, nullable=True, coerce=True),
        "goal_zh": pa.Column(str, nullable=True, coerce=True),
        "purpose_zh": pa.Column(str, nullable=True, coerce=True),
        "indicators_raw_zh": pa.Column(str, coerce=True),
        "n_indicators": pa.Column("int64", pa.Check.ge(0)),
        "is_classified": pa.Column(bool),
        "is_bond_table": pa.Column(bool),
        "flags": pa.Column(str, coerce=True),
        "source_line_end": pa.Column("int64", pa.Check.ge(1)),
    },
    checks=pa.Check(
        _sources_sum_to_total,
        error=f"total_wan must equal the sum of its sources unless flagged {SOURCES_DIFFER_FLAG}",
    ),
    name="projects",
    strict=True,
)

INDICATORS = pa.DataFrameSchema(
    {
        **_provenance(),
        "project_id": pa.Column(str, coerce=True),
        "indicator_id": pa.Column(str, coerce=True, unique=True),
        "indicator_seq": pa.Column("int64", pa.Check.ge(1)),
        "printed_number": pa.Column("Int64", nullable=True, coerce=True),
        "level1_code": pa.Column(str, nullable=True, coerce=True),
        "level1_name_zh": pa.Column(str, nullable=True, coerce=True),
        "level2_code": pa.Column(str, nullable=True, coerce=True),
        "level2_name_zh": pa.Column(str, nullable=True, coerce=True),
        "indicator_name_zh": pa.Column(str, nullable=True, coerce=True),
        "description_zh": pa.Column(str, nullable=True, coerce=True),
        "period_target_zh": pa.Column(str, nullable=True, coerce=True),
        "annual_target_zh": pa.Column(str, nullable=True, coerce=True),
        "target_kind": pa.Column(str, pa.Check.isin(TARGET_KINDS), coerce=True),
        "target_operator": pa.Column(str, pa.Check.isin(OPERATORS), nullable=True, coerce=True),
        "target_value": pa.Column(object, nullable=True),
        "target_unit": pa.Column(str, nullable=True, coerce=True),
        "is_quantified": pa.Column(bool),
        "period_target_kind": pa.Column(
            str, pa.Check.isin(TARGET_KINDS), nullable=True, coerce=True
        ),
        "flags": pa.Column(str, coerce=True),
    },
    unique=["project_id", "indicator_seq"],
    name="indicators",
    strict=True,
)

PARSE_WARNINGS = pa.DataFrameSchema(
    {
        "release_id": pa.Column(str, coerce=True),
        "source_file": pa.Column(str, coerce=True),
        "source_line": pa.Column("Int64", pa.Check.ge(1), nullable=True, coerce=True),
        "code": pa.Column(str, coerce=True),
        "message": pa.Column(str, coerce=True),
    },
    name="parse_warnings",
    strict=True,
)

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "releases": RELEASES,
    "budget_units": BUDGET_UNITS,
    "declared_totals": DECLARED_TOTALS,
    "projects": PROJECTS,
    "indicators": INDICATORS,
    "parse_warnings": PARSE_WARNINGS,
}


def validate_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Validate every table lazily; raise pandera SchemaErrors listing all failure cases."""
    return {name: SCHEMAS[name].validate(frame, lazy=True) for name, frame in tables.items()}
