"""Write each release's validated, reconciled tables to the Parquet lake.

``lake/<table>`` assets are partitioned like ``extracted/<table>``; one step per
release writes all six tables (a release lands as a unit). The step runs only when the
blocking schema and reconciliation checks on ``extracted/`` passed, so what reaches the
lake, and from there the marts, has every total reconciled or explained as rounding.
"""

import dagster as dg
import pandas as pd

from orchestration.assets import OWNERS, PARSER_CODE_VERSION
from orchestration.assets.extracted import TOTAL_COLUMNS, extracted_key
from orchestration.lake import write_partition
from orchestration.metadata import MetadataDict, sum_wan
from orchestration.partitions import release_fingerprint, release_partitions
from orchestration.resources import LakeResource
from parsers.release import TABLE_NAMES
from parsers.schemas import SCHEMAS


def lake_key(table: str) -> dg.AssetKey:
    """``lake/<table>``."""
    return dg.AssetKey(["lake", table])


def schema_dtypes(table: str) -> dict[str, str]:
    """Column dtypes the Pandera schema declares, as hints for stable Parquet types."""
    schema = SCHEMAS.get(table)
    columns = getattr(schema, "columns", None) or {}
    return {name: str(column.dtype) for name, column in columns.items()}


def published_source(releases: pd.DataFrame) -> MetadataDict:
    """Which raw bytes this partition was parsed from (the raw sensor compares the hash)."""
    if releases.empty:
        return {}
    row = releases.iloc[0]
    return {
        "source_file": str(row["source_file"]),
        "source_sha256": str(row["source_sha256"]),
        "source_bytes": int(row["source_bytes"]),
        "parser_version": str(row["parser_version"]),
    }


def column_schema(table: str) -> dg.TableSchema:
    """The Pandera schema's columns, as Dagster shows them on the asset page."""
    columns = getattr(SCHEMAS.get(table), "columns", None) or {}
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name, str(column.dtype), description=column.description)
            for name, column in columns.items()
        ]
    )


@dg.multi_asset(
    name="lake_release",
    partitions_def=release_partitions,
    specs=[
        dg.AssetSpec(
            lake_key(table),
            group_name="lake",
            deps=[extracted_key(table)],
            kinds={"python", "parquet"},
            owners=OWNERS,
            code_version=PARSER_CODE_VERSION,
            description=f"parquet/{table}/release_id=<id>/part-0.parquet, one file per release.",
            metadata={"dagster/column_schema": column_schema(table)},
        )
        for table in TABLE_NAMES
    ],
    ins={table: dg.AssetIn(extracted_key(table)) for table in TABLE_NAMES},
)
def lake_release(context: dg.AssetExecutionContext, lake: LakeResource, **frames: pd.DataFrame):
    """Write one release's tables as Parquet, replacing exactly its own partitions."""
    release_id = context.partition_key
    source = published_source(frames["releases"])
    if source:
        # The raw sensor compares this with the raw file (and sidecar) it sees now.
        raw_path = lake.raw_dir / source["source_file"]
        if raw_path.exists():
            source["release_fingerprint"] = release_fingerprint(raw_path, source["source_sha256"])
    for table in TABLE_NAMES:
        frame = frames[table]
        path = write_partition(frame, table, release_id, lake.lake_path, schema_dtypes(table))
        metadata: MetadataDict = {
            "path": dg.MetadataValue.path(str(path)),
            "dagster/row_count": len(frame),
            **source,
        }
        total_column = TOTAL_COLUMNS.get(table)
        if total_column and total_column in frame.columns:
            metadata[total_column] = float(sum_wan(frame[total_column]))
        yield dg.MaterializeResult(asset_key=lake_key(table), metadata=metadata)
