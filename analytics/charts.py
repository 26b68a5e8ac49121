"""Inline SVG charts, drawn in Python: the report needs no JavaScript and no network.

The SVG is embedded in the HTML, so its text inherits the page's CSS font stack and
Chinese labels render with the same CJK font as the rest of the report. Widths of text
are estimated with the terminal rule (a CJK character ≈ one em, a Latin one ≈ half).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from analytics.text_table import display_width

FONT_PX = 13
# Colour-blind-safe-ish palette (Okabe–Ito plus tints); grey is kept for "uncategorised".
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#8C6BB1",
    "#7FBF7B",
    "#B15928",
)
GREY = "#B0B0B0"


@dataclass(frozen=True)
class Bar:
    """One bar: a label, its segments in series order, and text for its right-hand side."""

    label: str
    values: Sequence[Decimal | float | int]
    note: str = ""


def text_px(text: str, font_px: int = FONT_PX) -> float:
    """Estimated rendered width of ``text`` in pixels."""
    return display_width(text) * font_px * 0.55


def _number(value: Decimal | float | int | None) -> float:
    return float(value or 0)


def series_colors(series: Sequence[str], grey_for: Sequence[str] = ()) -> list[str]:
    """One colour per series, in order; the ones named in ``grey_for`` are grey."""
    colors, next_index = [], 0
    for name in series:
        if name in grey_for:
            colors.append(GREY)
        else:
            colors.append(PALETTE[next_index % len(PALETTE)])
            next_index += 1
    return colors


def legend_html(series: Sequence[str], colors: Sequence[str]) -> str:
    """An HTML legend (wraps with the page width, unlike SVG text)."""
    items = "".join(
        f'<span class="key"><span class="swatch" style="background:{color}"></span>'
        f"{escape(name)}</span>"
        for name, color in zip(series, colors, strict=True)
    )
    return f'<div class="legend">{items}</div>'


def stacked_share_bars(
    bars: Sequence[Bar],
    series: Sequence[str],
    colors: Sequence[str],
    width: int = 1200,
    bar_height: int = 28,
    title: str = "",
) -> str:
    """Horizontal 100 % stacked bars: each bar's segments as shares of the bar's sum.

    Shares, not amounts, because departments differ by two orders of magnitude; the
    bar's total goes in ``Bar.note`` on the right. Segments of 6 % or more carry their
    percentage.
    """
    label_px = max((text_px(bar.label) for bar in bars), default=0) + 16
    note_px = max((text_px(bar.note) for bar in bars), default=0) + 16
    plot_px = max(width - label_px - note_px, 200)
    gap = 10
    height = len(bars) * (bar_height + gap) + gap
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}">'
    ]
    for index, bar in enumerate(bars):
        y = gap + index * (bar_height + gap)
        middle = y + bar_height / 2 + FONT_PX * 0.35
        parts.append(
            f'<text x="{label_px - 8:.1f}" y="{middle:.1f}" text-anchor="end">'
            f"{escape(bar.label)}</text>"
        )
        total = sum(_number(value) for value in bar.values)
        x = label_px
        for name, value, color in zip(series, bar.values, colors, strict=True):
            share = _number(value) / total if total > 0 else 0
            if share <= 0:
                continue
            segment = share * plot_px
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{segment:.1f}" height="{bar_height}" '
                f'fill="{color}"><title>{escape(bar.label)} · {escape(name)}: '
                f"{share:.1%}</title></rect>"
            )
            label = f"{share:.0%}"
            if share >= 0.06 and text_px(label) + 6 < segment:
                parts.append(
                    f'<text x="{x + segment / 2:.1f}" y="{middle:.1f}" text-anchor="middle" '
                    f'class="on-bar">{label}</text>'
                )
            x += segment
        parts.append(
            f'<text x="{label_px + plot_px + 8:.1f}" y="{middle:.1f}" class="note">'
            f"{escape(bar.note)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def value_bars(
    items: Sequence[tuple[str, Decimal | float | int]],
    width: int = 900,
    bar_height: int = 22,
    color: str = PALETTE[0],
    value_format: str = "{:,.0f}",
    maximum: float | None = None,
    title: str = "",
) -> str:
    """Horizontal bars of plain values (counts or shares), each labelled with its value."""
    label_px = max((text_px(label) for label, _ in items), default=0) + 16
    value_texts = [value_format.format(_number(value)) for _, value in items]
    value_px = max((text_px(text) for text in value_texts), default=0) + 16
    plot_px = max(width - label_px - value_px, 150)
    top = maximum if maximum is not None else max((_number(v) for _, v in items), default=0)
    gap = 8
    height = len(items) * (bar_height + gap) + gap
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}">'
    ]
    for index, ((label, value), value_text) in enumerate(zip(items, value_texts, strict=True)):
        y = gap + index * (bar_height + gap)
        middle = y + bar_height / 2 + FONT_PX * 0.35
        length = (_number(value) / top * plot_px) if top > 0 else 0
        parts.append(
            f'<text x="{label_px - 8:.1f}" y="{middle:.1f}" text-anchor="end">'
            f"{escape(label)}</text>"
            f'<rect x="{label_px:.1f}" y="{y}" width="{max(length, 1):.1f}" height="{bar_height}" '
            f'fill="{color}"/>'
            f'<text x="{label_px + length + 6:.1f}" y="{middle:.1f}" class="note">'
            f"{escape(value_text)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
