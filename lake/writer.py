"""Write and read one release's partition of one lake table. Plain Python, no Dagster.

Layout (hive partitioning, see docs/data_contract.md)::

    <lake>/parquet/<table>/release_id=<release_id>/part-0.parquet

Writes are atomic: the file is written under a hidden temporary name in the
partition folder, then renamed onto ``part-0.parquet`` (``Path.replace``, i.e.
``os.replace``), so a reader sees the old file or the new one, never half of one.
Anything else in that one folder is then removed, so re-materialising a release
replaces exactly its own partition and no other release's.

Every file of a table is written with the one Arrow schema of lake/contract.py, whatever the
frame's dtypes (a 0-row or all-null partition included), and without ``release_id``: that is the
hive folder's, so DuckDB, pyarrow.dataset, pandas and Spark all read a table folder as one
dataset with their default options.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from lake.contract import PARTITION_COLUMN, file_schema
from lake.metadata import is_missing
from lake.releases import check_release_id
from settings import PARQUET_DIR_NAME

logger = logging.getLogger(__name__)

PART_FILE_NAME = "part-0.parquet"


def partition_dir(lake_dir: Path, table: str, release_id: str) -> Path:
    """The folder that holds one release's rows of one table."""
    return Path(lake_dir) / PARQUET_DIR_NAME / table / f"release_id={check_release_id(release_id)}"


def partition_path(lake_dir: Path, table: str, release_id: str) -> Path:
    """The Parquet file of one release's rows of one table."""
    return partition_dir(lake_dir, table, release_id) / PART_FILE_NAME


def _to_decimal(value: object, table: str, column: str, scale: int) -> Decimal | None:
    """A Decimal the column's scale holds exactly; never rounded on the way to the file."""
    if is_missing(value):
        return None
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if number != number.quantize(Decimal(1).scaleb(-scale)):
        raise ValueError(f"{table}.{column}: {number} has more than {scale} decimals")
    return number


def _to_date(value: object) -> dt.date | None:
    if is_missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _to_arrow(series: pd.Series, table: str, field: pa.Field) -> pa.Array:
    if pa.types.is_decimal(field.type):
        values = [_to_decimal(v, table, field.name, field.type.scale) for v in series]
        return pa.array(values, type=field.type)
    if pa.types.is_date(field.type):
        return pa.array([_to_date(v) for v in series], type=field.type)
    return pa.array(series, type=field.type, from_pandas=True)


def to_arrow_table(frame: pd.DataFrame, table: str) -> pa.Table:
    """One release's rows of ``table`` in the table's file schema (lake/contract.py).

    Raises:
        ValueError: the frame lacks a contract column or has one the contract does not know.
    """
    schema = file_schema(table)
    unknown = sorted(set(map(str, frame.columns)) - set(schema.names) - {PARTITION_COLUMN})
    missing = [name for name in schema.names if name not in frame.columns]
    if unknown or missing:
        raise ValueError(
            f"lake table {table}: frame does not match lake/contract.py "
            f"(missing {missing}, unknown {unknown})"
        )
    arrays = [_to_arrow(frame[field.name], table, field) for field in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def write_partition(frame: pd.DataFrame, table: str, release_id: str, lake_dir: Path) -> Path:
    """Write one release's rows of one table to the lake, atomically; return the file.

    A frame with zero rows still produces a file with the full schema, so dbt's
    globs over ``parquet/<table>/*/*.parquet`` never fail for a table some release
    lacks (Tianjin prints no 合计 rows, for instance).
    """
    return write_arrow_partition(to_arrow_table(frame, table), table, release_id, lake_dir)


def write_arrow_partition(
    arrow_table: pa.Table, table: str, release_id: str, lake_dir: Path
) -> Path:
    """``write_partition`` for a table already in its file schema (``to_arrow_table``)."""
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
    """Read one release's rows of one table back, ``release_id`` first; money as ``Decimal``."""
    frame = pq.read_table(partition_path(lake_dir, table, release_id)).to_pandas()
    frame.insert(0, PARTITION_COLUMN, pd.Series([release_id] * len(frame), dtype=object))
    return frame
