"""Write and read one release's partition of one lake table. Plain Python, no Dagster.

Layout (hive partitioning, see docs/data_contract.md)::

    <lake>/parquet/<table>/release_id=<release_id>/part-0.parquet

Writes are atomic: the file is written under a hidden temporary name in the
partition folder, then renamed onto ``part-0.parquet`` (``Path.replace``, i.e.
``os.replace``), so a reader sees the old file or the new one, never half of one.
Anything else in that one folder is then removed, so re-materialising a release
replaces exactly its own partition and no other release's.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from lake.metadata import is_missing
from lake.releases import check_release_id
from settings import PARQUET_DIR_NAME

logger = logging.getLogger(__name__)

PART_FILE_NAME = "part-0.parquet"
WAN_TYPE = pa.decimal128(18, 2)
_INT_SUFFIXES = ("_seq", "_line", "_line_end", "_bytes", "_year", "_count")


def partition_dir(lake_dir: Path, table: str, release_id: str) -> Path:
    """The folder that holds one release's rows of one table."""
    return Path(lake_dir) / PARQUET_DIR_NAME / table / f"release_id={check_release_id(release_id)}"


def partition_path(lake_dir: Path, table: str, release_id: str) -> Path:
    """The Parquet file of one release's rows of one table."""
    return partition_dir(lake_dir, table, release_id) / PART_FILE_NAME


def arrow_type_for(column: str, dtype_hint: str | None = None) -> pa.DataType | None:
    """The Arrow type a column must have in every partition, from its name and schema dtype.

    Names decide first because the house naming rules carry the type (``*_wan`` is
    money in 万元, ``is_*`` a boolean, ``*_on`` a date); a partition with zero rows
    or only nulls must still get the same types as a full one, or DuckDB's globs
    would disagree across partitions. Returns None when neither name nor hint says.
    """
    if column.endswith("_wan"):
        return WAN_TYPE
    if column.endswith("_on"):
        return pa.date32()
    if column.startswith(("is_", "has_")):
        return pa.bool_()
    if column.startswith("n_") or column.endswith(_INT_SUFFIXES):
        return pa.int64()
    hint = (dtype_hint or "").lower()
    if hint.startswith(("int", "uint")):
        return pa.int64()
    if hint.startswith("bool"):
        return pa.bool_()
    if hint.startswith("float"):
        return pa.float64()
    if hint.startswith("date") and "time" not in hint:
        return pa.date32()
    if hint.startswith("datetime"):
        return pa.timestamp("us")
    if hint == "str" or hint.startswith("string"):
        return pa.string()
    return None


def _to_decimal(value: object, column: str) -> Decimal | None:
    if is_missing(value):
        return None
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"column {column!r}: {amount} 万元 has more than two decimals")
    return amount


def _to_date(value: object) -> dt.date | None:
    if is_missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _to_arrow(series: pd.Series, column: str, arrow_type: pa.DataType | None) -> pa.Array:
    if arrow_type == WAN_TYPE:
        return pa.array([_to_decimal(v, column) for v in series], type=WAN_TYPE)
    if arrow_type == pa.date32():
        return pa.array([_to_date(v) for v in series], type=pa.date32())
    if arrow_type is not None:
        return pa.array(series, type=arrow_type, from_pandas=True)
    inferred = pa.array(series, from_pandas=True)
    # An all-null column of unknown meaning is text: the safe common type in DuckDB.
    if pa.types.is_null(inferred.type) or pa.types.is_large_string(inferred.type):
        return inferred.cast(pa.string())
    return inferred


def to_arrow_table(frame: pd.DataFrame, dtype_hints: Mapping[str, str] | None = None) -> pa.Table:
    """Convert an extracted frame to Arrow with stable, contract types (money as decimal)."""
    hints = dtype_hints or {}
    arrays, fields = [], []
    for column in frame.columns:
        name = str(column)
        array = _to_arrow(frame[column], name, arrow_type_for(name, hints.get(name)))
        arrays.append(array)
        fields.append(pa.field(name, array.type))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def write_partition(
    frame: pd.DataFrame,
    table: str,
    release_id: str,
    lake_dir: Path,
    dtype_hints: Mapping[str, str] | None = None,
) -> Path:
    """Write one release's rows of one table to the lake, atomically; return the file.

    A frame with zero rows still produces a file with the full schema, so dbt's
    globs over ``parquet/<table>/*/*.parquet`` never fail for a table some release
    lacks (Tianjin prints no 合计 rows, for instance).
    """
    arrow_table = to_arrow_table(frame, dtype_hints)
    target_dir = partition_dir(lake_dir, table, release_id)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / PART_FILE_NAME
    # Hidden name, not *.parquet: a concurrent glob must not read the half-written file.
    temporary = target_dir / f".{PART_FILE_NAME}.{uuid.uuid4().hex}.tmp"
    try:
        pq.write_table(arrow_table, temporary)
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)
    # Anything else in the partition is stale: an older file name, or the temp file of a
    # write that was killed (one writer per release partition, so none is in progress).
    for stale in target_dir.iterdir():
        if stale.name != PART_FILE_NAME and stale.is_file():
            logger.info("removing stale %s", stale)
            stale.unlink()
    return target


def read_partition(lake_dir: Path, table: str, release_id: str) -> pd.DataFrame:
    """Read one release's rows of one table back; money comes back as ``Decimal``."""
    return pq.read_table(partition_path(lake_dir, table, release_id)).to_pandas()
