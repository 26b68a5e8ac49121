"""Plain-text tables for terminals and pasted docs, drawn by rich: one definition of the style.

``make run``'s summary (orchestration), ``make bench``'s table (bench) and ``budget-marts``
(analytics) print the same kind of table. They cannot share code through each other without
orchestration depending on the analysts' tools, so the shared style lives here, beside
settings.py, with no project import.
"""

from __future__ import annotations

import io
from typing import Any

from rich.box import Box
from rich.console import Console, RenderableType
from rich.table import Table

# Header, then one ASCII rule across the whole table; no other lines. ASCII because box-drawing
# characters are East Asian "ambiguous" and take two columns in many CJK terminals.
HEADER_RULE = Box("    \n    \n -- \n    \n    \n    \n    \n    \n", ascii=True)
# Wide enough that rich never wraps or shrinks a table, however long a cell is.
RENDER_WIDTH = 100_000


def header_rule_table(**options: Any) -> Table:
    """A table with a header and one ASCII rule under it, no edges; ``options`` override."""
    settings = {
        "box": HEADER_RULE,
        "show_edge": False,
        "pad_edge": False,
        "padding": (0, 1, 0, 0),
        "header_style": "",
        "highlight": False,
    }
    settings.update(options)
    return Table(**settings)


def render_plain(renderable: RenderableType) -> str:
    """``renderable`` as plain text: no colour or markup, never wrapped, same in a pipe or tty."""
    buffer = io.StringIO()
    Console(
        file=buffer,
        width=RENDER_WIDTH,
        color_system=None,
        force_terminal=False,
        highlight=False,
        markup=False,
        emoji=False,
    ).print(renderable)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines())
