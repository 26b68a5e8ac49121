"""The parser's Arrow tables as pandas frames, where pandas is needed (Pandera, reconciliation).

The parser (parsers/release.py) fills one list per column, keyed by the contract's column name,
and returns Arrow tables typed from the values. Pandera validates pandas frames, so the lake
turns each table into a frame here, once, in the contract's column order, with the dtypes the
checks and reports have always seen: text as pandas' ``str``, whole numbers as ``int64``
(``float64`` where one is missing), flags as ``bool``, money and target numbers as ``Decimal``
objects, line numbers as nullable ``Int64``; a column with no value at all, and every column
of an empty table, is ``object``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from lake.contract import TABLES
from parsers.release import ExtractedRelease

# Pandas' string dtype for text (Arrow storage, NaN for a missing value).
_STR_DTYPE = pd.array(["x"], dtype="str").dtype
_LINE = "source_line"


def release_frames(release: ExtractedRelease) -> dict[str, pd.DataFrame]:
    """Each extracted table of a release as a frame, columns in contract order."""
    return {name: table_frame(name, table) for name, table in release.tables.items()}


def table_frame(name: str, table: pa.Table) -> pd.DataFrame:
    """One extracted table as a frame (see the module docstring for the dtypes).

    Raises:
        ValueError: the table has a column the contract does not define, or lacks one.
    """
    names = TABLES[name].column_names
    if table.num_rows == 0:
        return pd.DataFrame([], columns=list(names)).astype({_LINE: "Int64"})
    unknown = sorted(set(table.column_names) - set(names))
    missing = [column for column in names if column not in table.column_names]
    if unknown or missing:
        raise ValueError(
            f"extracted table {name} does not match lake/contract.py "
            f"(missing {missing}, unknown {unknown})"
        )
    # The releases row always has its line; elsewhere a line may be missing (nullable).
    nullable_line = name != "releases"
    return pd.DataFrame(
        {
            column: _array(table.column(column), nullable_line and column == _LINE)
            for column in names
        },
        copy=False,
    )


def _array(column: pa.ChunkedArray, is_line: bool) -> object:
    if is_line:
        return pd.array(column.to_pylist(), dtype="Int64")
    kind = column.type
    if column.null_count == len(column):
        return _objects(column.to_pylist())
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        strings = column.cast(pa.large_string()).combine_chunks()
        return pd.arrays.ArrowStringArray(strings, dtype=_STR_DTYPE)
    if pa.types.is_integer(kind):
        if column.null_count:
            return column.to_numpy().astype(np.float64)
        return column.to_numpy()
    if pa.types.is_boolean(kind):
        return column.to_numpy()
    return _objects(column.to_pylist())


def _objects(values: list[object]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array
