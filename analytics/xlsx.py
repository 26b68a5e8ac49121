r"""Query results as .xlsx, written by XlsxWriter: real numbers, real dates, safe sheet names.

What XlsxWriter does not decide for us, and why: text is always written as text (a project
name starting with ``=`` is not a formula, a URL is not a link, ``007`` stays ``007``); dates
and datetimes are Excel dates shown as ISO (time zones dropped: Excel has none); column widths
follow terminal display width, where a Chinese character counts two (XlsxWriter's autofit
counts it one); the header row is bold and frozen. Sheet names follow Excel's rules (at most
31 characters, none of ``[]:*?/\``, not starting or ending with an apostrophe, unique
ignoring case), or Excel refuses to open the file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from analytics.text_table import display_width, format_cell

SHEET_NAME = "query"
MAX_COLUMN_WIDTH = 60
MAX_SHEET_NAME = 31
# Rows a sheet holds, the header included (Excel's limit).
MAX_SHEET_ROWS = 1_048_576
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
TIME_FORMAT = "hh:mm:ss"
_FORBIDDEN_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
_NATIVE_TYPES = (bool, int, float, Decimal, str, dt.date, dt.datetime, dt.time)


class SheetTooLong(ValueError):
    """More rows than one Excel sheet holds; names the sheet and the count."""


@dataclass(frozen=True)
class Sheet:
    """One sheet to write: its wished-for name, a header and the rows under it."""

    name: str
    columns: Sequence[str]
    rows: Sequence[Sequence[object]]


def safe_sheet_name(name: str, taken: Collection[str] = ()) -> str:
    """``name`` as Excel accepts it, and different (ignoring case) from every name in ``taken``.

    Forbidden characters become ``_``; apostrophes at either end go; an empty name becomes
    ``Sheet``; a clash gets `` (2)``, `` (3)``, … within the 31 characters.
    """
    cleaned = _FORBIDDEN_IN_SHEET_NAME.sub("_", name).strip().strip("'").strip()
    cleaned = cleaned or "Sheet"
    if cleaned.lower() == "history":  # reserved by Excel
        cleaned += "_"
    used = {existing.lower() for existing in taken}
    candidate, number = cleaned[:MAX_SHEET_NAME], 1
    while candidate.lower() in used:
        number += 1
        suffix = f" ({number})"
        candidate = cleaned[: MAX_SHEET_NAME - len(suffix)] + suffix
    return candidate


def _cell_value(value: object) -> object:
    """What XlsxWriter should write: native types as they are, anything else as its text."""
    if value is None or isinstance(value, _NATIVE_TYPES):
        return value
    return format_cell(value)


def _column_widths(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> list[int]:
    widths = [display_width(str(name)) for name in columns]
    for row in rows:
        for index, value in enumerate(row):
            if value is not None:
                widths[index] = max(widths[index], display_width(format_cell(value)))
    return [min(width + 2, MAX_COLUMN_WIDTH) for width in widths]


def write_workbook(path: Path, sheets: Sequence[Sheet]) -> list[str]:
    """Write ``sheets`` to ``path``; the sheet names actually used, in order."""
    for sheet in sheets:
        if len(sheet.rows) + 1 > MAX_SHEET_ROWS:
            raise SheetTooLong(
                f"{path}: sheet {sheet.name!r} has {len(sheet.rows):,} rows; an .xlsx sheet "
                f"holds {MAX_SHEET_ROWS - 1:,}; export to .parquet or .csv instead"
            )
    options = {
        "strings_to_numbers": False,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "nan_inf_to_errors": True,
        "remove_timezone": True,
        "default_date_format": DATE_FORMAT,
    }
    names: list[str] = []
    with xlsxwriter.Workbook(str(path), options) as workbook:
        header_format = workbook.add_format({"bold": True})
        datetime_format = workbook.add_format({"num_format": DATETIME_FORMAT})
        time_format = workbook.add_format({"num_format": TIME_FORMAT})
        for sheet in sheets:
            name = safe_sheet_name(sheet.name, names)
            names.append(name)
            worksheet = workbook.add_worksheet(name)
            worksheet.freeze_panes(1, 0)
            for index, width in enumerate(_column_widths(sheet.columns, sheet.rows)):
                worksheet.set_column(index, index, width)
            worksheet.write_row(0, 0, [str(column) for column in sheet.columns], header_format)
            for row_number, row in enumerate(sheet.rows, start=1):
                for index, value in enumerate(row):
                    if isinstance(value, str):
                        worksheet.write_string(row_number, index, value)
                    elif isinstance(value, dt.datetime):
                        worksheet.write_datetime(row_number, index, value, datetime_format)
                    elif isinstance(value, dt.time):
                        worksheet.write_datetime(row_number, index, value, time_format)
                    else:
                        worksheet.write(row_number, index, _cell_value(value))
    return names


def write_xlsx(
    path: Path,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    sheet_name: str = SHEET_NAME,
) -> str:
    """Write one sheet of ``rows`` under a header of ``columns`` to ``path``; the sheet's name."""
    (name,) = write_workbook(path, [Sheet(sheet_name, columns, rows)])
    return name
