"""Small, pure builders for the metadata shown next to assets and checks.

Values stay plain (numbers, strings, lists, ``Path``, ``Markdown``) so that they pickle across
the publisher's worker processes; orchestration/assets/lake.py maps ``Markdown`` and ``Path``
to Dagster's metadata types when it yields them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

# Metadata as plain values (Dagster's own alias is private).
MetadataDict = dict[str, Any]

PREVIEW_ROWS = 5
FAILURE_ROWS = 20
_CELL_CHARS = 40


def is_missing(value: object) -> bool:
    """True for None, NaN, NA and NaT; False for anything else, lists included."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


class Markdown(str):
    """Text meant to be rendered as Markdown (a table), not shown verbatim."""

    __slots__ = ()


def _cell(value: object) -> str:
    if is_missing(value):
        return ""
    text = str(value).replace("\n", " ").replace("|", "\\|")
    return text if len(text) <= _CELL_CHARS else text[: _CELL_CHARS - 1] + "…"


def frame_to_markdown(frame: pd.DataFrame, max_rows: int = PREVIEW_ROWS) -> Markdown:
    """The first ``max_rows`` rows as a Markdown table (no tabulate dependency)."""
    columns = [str(column) for column in frame.columns]
    if not columns:
        return Markdown("_(no columns)_")
    lines = [
        "| " + " | ".join(columns) + " |",
        "| " + " | ".join("---" for _ in columns) + " |",
    ]
    for row in frame.head(max_rows).itertuples(index=False):
        lines.append("| " + " | ".join(_cell(value) for value in row) + " |")
    if len(frame) > max_rows:
        lines.append(f"\n_{len(frame) - max_rows} more rows not shown ({len(frame)} in all)._")
    return Markdown("\n".join(lines))


def sum_wan(series: pd.Series) -> Decimal:
    """Exact sum of a money column (``Decimal`` objects, nulls skipped)."""
    return sum(
        (Decimal(str(value)) for value in series if not is_missing(value)),
        Decimal("0.00"),
    )
