"""Per-column lists become one frame per table, once per release, typed by column name.

The parsers append values straight into a list per column (``new_columns``), so no row object
or tuple exists per project or indicator. Turning the lists into a frame is then the one step
left, and pandas' own inference costs about a millisecond per table whatever its size (it
scans every value of every column to guess a type): six tables per release made frame building
a third of the parse. Each column's kind is known from its name, so the arrays are built
typed and pandas has nothing to infer; each kind gives exactly the dtype inference gave
(``str`` with NaN for None, ``object`` for an all-None column, ``int64``, ``float64`` where an
integer column holds a None, ``bool``, nullable ``Int64`` line numbers, ``object`` Decimals), so
the frames, and the Parquet written from them, are the same as before.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

STR = "str"  # printed text and ids: pandas' string dtype (Arrow-backed)
INT = "int"  # counts and sequence numbers
BOOL = "bool"
DECIMAL = "decimal"  # money in 万元 and target values: Decimal objects, never floats
LINE = "line"  # 1-based source line, nullable (Int64)

# The string dtype pandas infers for text (Arrow storage, NaN for a missing value).
_STR_DTYPE = pd.array(["x"], dtype="str").dtype

# The kind of every extracted column, by name: a name means the same thing in every table.
COLUMN_KINDS: dict[str, str] = {
    "release_id": STR,
    "source_file": STR,
    "source_sha256": STR,
    "source_bytes": INT,
    "encoding": STR,
    "layout": STR,
    "department_zh": STR,
    "department_source": STR,
    "department_key": STR,
    "currency_unit_zh": STR,
    "budget_year": INT,
    "budget_year_source": STR,
    "publisher_zh": STR,
    "source_url": STR,
    "published_on": STR,
    "parser_version": STR,
    "n_budget_units": INT,
    "n_projects": INT,
    "n_indicators": INT,
    "unit_id": STR,
    "unit_seq": INT,
    "unit_code": STR,
    "unit_name_zh": STR,
    "unit_name_key": STR,
    "declared_total_wan": DECIMAL,
    "declared_fiscal_wan": DECIMAL,
    "declared_special_account_wan": DECIMAL,
    "declared_other_wan": DECIMAL,
    "has_declared_totals": BOOL,
    "subject": STR,
    "total_wan": DECIMAL,
    "fiscal_wan": DECIMAL,
    "special_account_wan": DECIMAL,
    "other_wan": DECIMAL,
    "bond_wan": DECIMAL,
    "project_id": STR,
    "project_seq": INT,
    "project_name_zh": STR,
    "project_name_key": STR,
    "amount_conversion": STR,
    "goal_zh": STR,
    "purpose_zh": STR,
    "indicators_raw_zh": STR,
    "is_classified": BOOL,
    "is_bond_table": BOOL,
    "flags": STR,
    "source_line_end": INT,
    "indicator_id": STR,
    "indicator_seq": INT,
    "printed_number": INT,
    "level1_code": STR,
    "level1_name_zh": STR,
    "level2_code": STR,
    "level2_name_zh": STR,
    "indicator_name_zh": STR,
    "description_zh": STR,
    "period_target_zh": STR,
    "annual_target_zh": STR,
    "target_kind": STR,
    "target_operator": STR,
    "target_value": DECIMAL,
    "target_unit": STR,
    "is_quantified": BOOL,
    "period_target_kind": STR,
    "code": STR,
    "message": STR,
    "source_line": LINE,
}


def new_columns(names: tuple[str, ...]) -> dict[str, list[Any]]:
    """One empty list per column: what the parsers append to."""
    return {name: [] for name in names}


def build_frame(
    names: tuple[str, ...], columns: dict[str, list[Any]], kinds: dict[str, str] | None = None
) -> pd.DataFrame:
    """A frame from per-column lists of equal length, columns in ``names`` order.

    ``kinds`` overrides ``COLUMN_KINDS`` for this table (the releases row's ``source_line`` is
    never missing, so it is a plain integer). An empty table keeps the shape it always had:
    every column ``object``, ``source_line`` ``Int64``.
    """
    if not columns[names[0]]:
        return pd.DataFrame([], columns=list(names)).astype({"source_line": "Int64"})
    kinds = COLUMN_KINDS if kinds is None else {**COLUMN_KINDS, **kinds}
    # The dict is already in column order; ``columns=`` would cost more than the data (it
    # builds an index and looks every name up again).
    return pd.DataFrame({name: _array(columns[name], kinds[name]) for name in names}, copy=False)


def _array(values: list[Any], kind: str) -> Any:
    """One column, typed as inference would type it (see the module docstring)."""
    if kind == STR:
        # (The first value tells most columns apart: a scan of every value for None costs a
        # comparison per string.)
        if values[0] is None and values.count(None) == len(values):
            return _objects(values)  # nothing to infer from: object, as inferred
        strings = pa.array(values, type=pa.large_string())
        return pd.arrays.ArrowStringArray(strings, dtype=_STR_DTYPE)
    if kind == INT:
        if None in values:
            if values.count(None) == len(values):
                return _objects(values)
            return np.array(values, dtype=np.float64)  # None becomes NaN, as inferred
        return np.array(values, dtype=np.int64)
    if kind == BOOL:
        return np.array(values, dtype=np.bool_)
    if kind == LINE:
        return pd.array(values, dtype="Int64")
    return _objects(values)


def _objects(values: list[Any]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array
