"""Write a query result to a file, the format chosen by the file's suffix.

``.csv`` is UTF-8 with a byte-order mark, because Excel opens BOM-less UTF-8 CSV as the
local code page and garbles every Chinese character. ``.parquet`` keeps DuckDB's types
(amounts stay decimal(18, 2)). ``.xlsx`` goes through XlsxWriter (analytics/xlsx.py): numbers
and dates as Excel numbers and dates, one sheet named after the file.
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from analytics.text_table import format_cell
from analytics.warehouse import WarehouseError
from analytics.xlsx import SheetTooLong, write_xlsx

EXPORT_SUFFIXES = (".csv", ".parquet", ".xlsx")


def export_result(cursor: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Write every row of ``cursor``'s result to ``path``; the number of rows written."""
    suffix = path.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise WarehouseError(
            f"{path}: cannot export to {suffix or 'a file without suffix'}; "
            f"use one of {', '.join(EXPORT_SUFFIXES)}"
        )
    if not path.parent.exists():
        raise WarehouseError(f"{path}: folder {path.parent} does not exist")
    columns = [description[0] for description in cursor.description]
    if suffix == ".parquet":
        # DuckDB warns that a DB-API cursor copies the rows once more; query results are
        # small, and the cursor is what lets one read-only check cover every output.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Arrow output on a DB-API result")
            table = cursor.to_arrow_table()
        pq.write_table(table, path)
        return table.num_rows
    rows = cursor.fetchall()
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows(
                [("" if value is None else _csv_text(value)) for value in row] for row in rows
            )
    else:
        try:
            write_xlsx(path, columns, rows, sheet_name=path.stem)
        except SheetTooLong as error:
            raise WarehouseError(str(error)) from error
    return len(rows)


def _csv_text(value: object) -> str:
    # Keep line breaks inside quoted CSV fields; format_cell would fold them for the terminal.
    return value if isinstance(value, str) else format_cell(value)
