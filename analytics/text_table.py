"""Fixed-width text tables that stay aligned with Chinese text in a terminal.

A terminal draws East Asian wide (W) and full-width (F) characters in two columns, so
``len()`` under-counts 广州市公安局 by half. Widths here are display columns:
``unicodedata.east_asian_width`` W/F count 2, combining marks 0, everything else 1
(ambiguous characters such as … count 1, as in most non-CJK locales).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from decimal import Decimal

ELLIPSIS = "…"
NULL_TEXT = "NULL"
COLUMN_GAP = "  "


def char_width(char: str) -> int:
    """Display columns of one character: 2 for wide/full-width, 0 for combining, else 1."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Display columns ``text`` takes in a terminal."""
    return sum(char_width(char) for char in text)


def truncate(text: str, max_width: int) -> str:
    """``text`` cut to at most ``max_width`` columns, ending in … when cut."""
    if display_width(text) <= max_width:
        return text
    kept, used = [], 0
    budget = max_width - display_width(ELLIPSIS)
    for char in text:
        width = char_width(char)
        if used + width > budget:
            break
        kept.append(char)
        used += width
    return "".join(kept) + ELLIPSIS


def pad(text: str, width: int, align_right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` display columns."""
    fill = " " * max(width - display_width(text), 0)
    return fill + text if align_right else text + fill


def format_cell(value: object) -> str:
    """One value as table text: exact decimals, ISO dates, NULL, and no line breaks."""
    if value is None:
        return NULL_TEXT
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) >= 1e15 else str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    # Indicator text holds tabs and line breaks; one row must stay one line.
    return " ".join(str(value).split())


def _is_numeric(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def format_table(
    columns: Sequence[str], rows: Sequence[Sequence[object]], max_width: int = 40
) -> str:
    """An aligned table: header, rule, rows; numbers right-aligned, long cells cut with …."""
    header = [truncate(format_cell(name), max_width) for name in columns]
    body = [[truncate(format_cell(value), max_width) for value in row] for row in rows]
    numeric = [
        any(_is_numeric(row[index]) for row in rows)
        and all(row[index] is None or _is_numeric(row[index]) for row in rows)
        for index in range(len(columns))
    ]
    widths = [
        max([display_width(header[index])] + [display_width(line[index]) for line in body])
        for index in range(len(columns))
    ]
    lines = [
        COLUMN_GAP.join(
            pad(cell, width, align)
            for cell, width, align in zip(header, widths, numeric, strict=True)
        ),
        COLUMN_GAP.join("-" * width for width in widths),
    ]
    lines.extend(
        COLUMN_GAP.join(
            pad(cell, width, align)
            for cell, width, align in zip(line, widths, numeric, strict=True)
        )
        for line in body
    )
    return "\n".join(line.rstrip() for line in lines)
