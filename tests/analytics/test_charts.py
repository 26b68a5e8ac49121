"""analytics.charts: matplotlib SVG to inline in HTML, with its text kept as text."""

from __future__ import annotations

import re
import warnings
from xml.etree import ElementTree

from analytics import charts
from analytics.charts import PALETTE, Bar, stacked_share_bars, value_bars

BARS = [
    Bar("广州市公安局", [58, 42], "195,510.97 万元"),
    Bar("中共广州市白云区区委政法委员会", [1, 0], "1,989.76 万元"),
]


def test_stacked_share_bars_keeps_chinese_labels_and_shares_as_svg_text():
    svg = stacked_share_bars(BARS, ["人员", "其他"], PALETTE[:2], title="spending")

    assert ">广州市公安局</text>" in svg and ">中共广州市白云区区委政法委员会</text>" in svg
    assert ">58%</text>" in svg and ">42%</text>" in svg
    assert ">195,510.97 万元</text>" in svg
    assert "<path" in svg and "glyph" not in svg.lower()  # no text drawn as outlines


def test_stacked_share_bars_gives_each_segment_a_hover_title():
    svg = stacked_share_bars(BARS, ["人员", "其他"], PALETTE[:2])

    assert "<title>广州市公安局 · 人员: 58.0%</title>" in svg
    assert "<title>中共广州市白云区区委政法委员会 · 人员: 100.0%</title>" in svg


def test_chart_is_an_inline_svg_element_sized_in_pixels():
    svg = value_bars([("exact", 643), ("comparison", 1364)], width=900, title="target kinds")

    root = ElementTree.fromstring(str(svg))  # one well-formed element, no XML prolog
    assert root.tag == "svg"
    assert root.get("width") == "900" and root.get("class") == "chart"
    assert root.get("viewBox").startswith("0 0 900 ")
    assert root.get("aria-label") == "target kinds"
    assert not re.search(r"<\?xml|<!DOCTYPE|<script|url\(|https?://", svg)


def test_value_bars_label_each_bar_with_its_formatted_value():
    svg = value_bars([("天津市公安局", 0.98), ("广州市公安局", 0.55)], value_format="{:.2f}")

    assert ">0.98</text>" in svg and ">0.55</text>" in svg and ">天津市公安局</text>" in svg


def test_charts_warn_about_nothing_when_matplotlib_has_no_cjk_font(monkeypatch):
    # As on a build machine without CJK fonts: matplotlib measures with DejaVu Sans only.
    monkeypatch.setattr(charts, "MEASURING_FONTS", ("DejaVu Sans",))

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stacked_share_bars(BARS, ["人员", "其他"], PALETTE[:2])
