"""Horizontal bar charts as inline SVG, drawn by matplotlib: no JavaScript, no network.

Text stays text (``svg.fonttype = "none"``): the browser draws it, so Chinese labels use the
reader's CJK fonts through the report's CSS font stack, can be selected and searched, and the
SVG stays small. Two consequences shape the code:

- matplotlib measures text with the fonts of the machine that builds the report, which may
  have no CJK font at all. The space for labels is therefore worked out from terminal display
  width (rich's ``cell_len``: a CJK character counts two, about one em) rather than from
  matplotlib's measurement, and matplotlib's warnings about glyphs it cannot measure are
  silenced: the reader's browser, not matplotlib, will draw them.
- Axes are laid out in pixels (one SVG user unit is one CSS pixel), so a 13 px label in the
  chart matches 13 px text on the page.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from html import escape

import matplotlib
from markupsafe import Markup
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from rich.cells import cell_len

FONT_PX = 13
ON_BAR_FONT_PX = 12
TEXT_COLOR = "#1d2733"
NOTE_COLOR = "#52606d"
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
# Families tried for matplotlib's own measurement, CJK first; only those installed are named,
# so matplotlib never logs "font family not found". DejaVu Sans ships with matplotlib.
MEASURING_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Micro Hei", "DejaVu Sans")
_SVG_ROOT = re.compile(r"<svg\b[^>]*>")
_VIEW_BOX = re.compile(r'viewBox="([^"]*)"')
# matplotlib's <defs><style>: inline in HTML it would style the whole page.
_DEFS_STYLE = re.compile(r"\s*<defs>\s*<style[^>]*>.*?</style>\s*</defs>", re.DOTALL)
_ELEMENT_ID = re.compile(r' id="[^"]*"')


@dataclass(frozen=True)
class Bar:
    """One bar: a label, its segments in series order, and text for its right-hand side."""

    label: str
    values: Sequence[Decimal | float | int]
    note: str = ""


def text_px(text: str, font_px: int = FONT_PX) -> float:
    """Estimated rendered width of ``text`` in pixels, whatever fonts this machine has."""
    return cell_len(text) * font_px * 0.55


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


def _number(value: Decimal | float | int | None) -> float:
    return float(value or 0)


def _measuring_fonts() -> list[str]:
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return [name for name in MEASURING_FONTS if name in installed] or ["DejaVu Sans"]


@contextmanager
def _chart_style() -> Iterator[None]:
    settings = {
        "svg.fonttype": "none",
        "svg.hashsalt": "budget-report",  # stable ids: the same data gives the same file
        "font.family": "sans-serif",
        "font.sans-serif": _measuring_fonts(),
        "font.size": FONT_PX,
        "text.color": TEXT_COLOR,
    }
    with matplotlib.rc_context(settings), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        yield


def _canvas(width: int, height: int, label_px: float, plot_px: float) -> tuple[Figure, Axes]:
    """A figure ``width`` × ``height`` px whose axes count pixels, y downwards, labels at left."""
    figure = Figure(figsize=(width / 72, height / 72), dpi=72)
    axes = figure.add_axes((label_px / width, 0, plot_px / width, 1))
    axes.set_xlim(0, plot_px)
    axes.set_ylim(height, 0)
    axes.set_axis_off()
    return figure, axes


def _svg(
    figure: Figure, width: int, height: int, title: str, tooltips: dict[str, str] | None = None
) -> Markup:
    """The figure as an ``<svg>`` element to inline in HTML, sized in CSS pixels.

    ``tooltips`` maps an artist's gid to hover text: matplotlib wraps that artist in
    ``<g id="gid">``, which becomes ``<g><title>text</title>``.
    """
    buffer = io.StringIO()
    figure.savefig(
        buffer,
        format="svg",
        transparent=True,
        metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
    )
    document = buffer.getvalue()
    root = _SVG_ROOT.search(document)
    if root is None:  # pragma: no cover - matplotlib always writes one
        raise ValueError("matplotlib wrote no <svg> element")
    view_box = _VIEW_BOX.search(root.group(0))
    # The inline root needs no XML prolog or namespace declarations (the HTML parser supplies
    # them); matplotlib's sizes are in points, ours in pixels.
    opening = (
        f'<svg class="chart" width="{width}" height="{height}" '
        f'viewBox="{view_box.group(1) if view_box else f"0 0 {width} {height}"}" '
        f'role="img" aria-label="{escape(title)}">'
    )
    body = _DEFS_STYLE.sub("", document[root.end() :]).strip()
    for gid, text in (tooltips or {}).items():
        body = body.replace(f'<g id="{gid}">', f"<g><title>{escape(text)}</title>", 1)
    if "url(#" not in body and 'href="#' not in body:
        # Nothing refers to an id (no clip paths, no markers: the axes are off), and every chart
        # would repeat figure_1, axes_1, …: ids must be unique in one HTML document.
        body = _ELEMENT_ID.sub("", body)
    return Markup(opening + body)


def stacked_share_bars(
    bars: Sequence[Bar],
    series: Sequence[str],
    colors: Sequence[str],
    width: int = 1200,
    bar_height: int = 28,
    title: str = "",
) -> Markup:
    """Horizontal 100 % stacked bars: each bar's segments as shares of the bar's sum.

    Shares, not amounts, because departments differ by two orders of magnitude; the
    bar's total goes in ``Bar.note`` on the right. Segments of 6 % or more carry their
    percentage; every segment has its share as hover text.
    """
    label_px = max((text_px(bar.label) for bar in bars), default=0) + 16
    note_px = max((text_px(bar.note) for bar in bars), default=0) + 16
    plot_px = max(width - label_px - note_px, 200)
    gap = 10
    height = len(bars) * (bar_height + gap) + gap
    tooltips: dict[str, str] = {}
    with _chart_style():
        figure, axes = _canvas(width, height, label_px, plot_px)
        for index, bar in enumerate(bars):
            middle = gap + index * (bar_height + gap) + bar_height / 2
            axes.text(-8, middle, bar.label, ha="right", va="center_baseline")
            total = sum(_number(value) for value in bar.values)
            left = 0.0
            for name, value, color in zip(series, bar.values, colors, strict=True):
                share = _number(value) / total if total > 0 else 0
                if share <= 0:
                    continue
                length = share * plot_px
                gid = f"segment-{len(tooltips)}"
                tooltips[gid] = f"{bar.label} · {name}: {share:.1%}"
                axes.barh(
                    middle,
                    length,
                    height=bar_height,
                    left=left,
                    color=color,
                    clip_on=False,
                    gid=gid,
                )
                label = f"{share:.0%}"
                if share >= 0.06 and text_px(label, ON_BAR_FONT_PX) + 6 < length:
                    axes.text(
                        left + length / 2,
                        middle,
                        label,
                        ha="center",
                        va="center_baseline",
                        color="white",
                        fontsize=ON_BAR_FONT_PX,
                    )
                left += length
            axes.text(plot_px + 8, middle, bar.note, va="center_baseline", color=NOTE_COLOR)
        return _svg(figure, width, height, title, tooltips)


def value_bars(
    items: Sequence[tuple[str, Decimal | float | int]],
    width: int = 900,
    bar_height: int = 22,
    color: str = PALETTE[0],
    value_format: str = "{:,.0f}",
    maximum: float | None = None,
    title: str = "",
) -> Markup:
    """Horizontal bars of plain values (counts or shares), each labelled with its value."""
    label_px = max((text_px(label) for label, _ in items), default=0) + 16
    value_texts = [value_format.format(_number(value)) for _, value in items]
    value_px = max((text_px(text) for text in value_texts), default=0) + 16
    plot_px = max(width - label_px - value_px, 150)
    top_value = maximum if maximum is not None else max((_number(v) for _, v in items), default=0)
    gap = 8
    height = len(items) * (bar_height + gap) + gap
    with _chart_style():
        figure, axes = _canvas(width, height, label_px, plot_px)
        for index, ((label, value), value_text) in enumerate(zip(items, value_texts, strict=True)):
            middle = gap + index * (bar_height + gap) + bar_height / 2
            length = (_number(value) / top_value * plot_px) if top_value > 0 else 0
            axes.text(-8, middle, label, ha="right", va="center_baseline")
            axes.barh(middle, max(length, 1), height=bar_height, color=color, clip_on=False)
            axes.text(length + 6, middle, value_text, va="center_baseline", color=NOTE_COLOR)
        return _svg(figure, width, height, title)
