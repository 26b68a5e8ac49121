"""Plain-text tables that stay aligned with Chinese text in a terminal, drawn by rich.

A terminal draws East Asian wide and full-width characters in two columns, so ``len()``
under-counts 广州市公安局 by half. rich measures cells the way terminals draw them
(``rich.cells.cell_len``) and lays the table out; this module only decides how values read as
text (exact decimals, ISO dates, NULL, one line per row) and renders without colour or markup,
so the output is the same in a pipe, a file and the analyst guide.

``format_table(columns, rows, max_width=None, right_align=...)`` takes already formatted
strings too. orchestration/run_all.py and bench/run.py draw their tables with rich the same way
rather than import this module (orchestration does not depend on analytics).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from decimal import Decimal

from rich.cells import cell_len, set_cell_size
from rich.text import Text

from plain_text import header_rule_table, render_plain

ELLIPSIS = "…"
NULL_TEXT = "NULL"


def display_width(text: str) -> int:
    """Display columns ``text`` takes in a terminal (a CJK character counts two)."""
    return cell_len(text)


def truncate(text: str, max_width: int) -> str:
    """``text`` cut to at most ``max_width`` columns, ending in … when cut."""
    if cell_len(text) <= max_width:
        return text
    # set_cell_size pads with a space where a wide character would straddle the cut.
    return set_cell_size(text, max(max_width - cell_len(ELLIPSIS), 0)).rstrip() + ELLIPSIS


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


def _numeric_columns(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> set[int]:
    return {
        index
        for index in range(len(columns))
        if any(_is_numeric(row[index]) for row in rows)
        and all(row[index] is None or _is_numeric(row[index]) for row in rows)
    }


def format_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    max_width: int | None = 40,
    right_align: Collection[int] | None = None,
) -> str:
    """An aligned table: header, rule, rows; long cells cut with … at ``max_width`` columns.

    Columns of numbers are right-aligned; ``right_align`` (column indexes) overrides that for
    callers that pass numbers already formatted as text.
    """
    aligned_right = _numeric_columns(columns, rows) if right_align is None else set(right_align)

    def cell(value: object) -> Text:
        text = format_cell(value)
        return Text(truncate(text, max_width) if max_width else text)

    table = header_rule_table()
    for index, name in enumerate(columns):
        table.add_column(
            cell(name), justify="right" if index in aligned_right else "left", no_wrap=True
        )
    for row in rows:
        table.add_row(*(cell(value) for value in row))
    return render_plain(table)
