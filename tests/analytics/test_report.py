"""The HTML report: offline, every section present, Chinese text kept."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest

from analytics.cli import main
from analytics.report import FONT_STACK, SECTIONS, Section, SectionUnavailable, build_report
from analytics.warehouse import open_warehouse

GENERATED_AT = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
ALWAYS = ("spending", "funding", "reconciliation", "largest")
OPTIONAL = ("completeness", "target-kinds")
# Anything a browser would fetch: scripts, stylesheets, fonts, images from elsewhere.
EXTERNAL = re.compile(
    r"<script|<link|@import|@font-face|url\(|(?:src|href)\s*=\s*[\"']?(?:https?:)?//",
    re.IGNORECASE,
)


def _report(path) -> str:
    with open_warehouse(path) as connection:
        return build_report(connection, GENERATED_AT)


def test_report_references_nothing_outside_the_file(tiny_warehouse_with_indicators):
    html = _report(tiny_warehouse_with_indicators)

    assert EXTERNAL.search(html) is None
    assert "http://" not in html and "https://" not in html


def test_report_has_every_section_when_indicator_marts_exist(tiny_warehouse_with_indicators):
    html = _report(tiny_warehouse_with_indicators)

    for anchor in ALWAYS + OPTIONAL:
        assert f'<section id="{anchor}">' in html
    assert "Skipped" not in html
    assert ">comparison</text>" in html  # target kinds are drawn
    completeness = html.split('<section id="completeness">', 1)[1].split("</section>", 1)[0]
    # quantified_target_share: 广州市公安局 2 of 2 indicators, 白云 0 of 1; the fixture's score
    # is half of it, drawn as a bar (0.50 and 0.00) and kept in the table.
    assert ">0.50</text>" in completeness and ">0.00</text>" in completeness
    assert '<td class="num">100%</td>' in completeness and '<td class="num">0%</td>' in completeness


def test_report_skips_indicator_sections_with_a_note_when_their_marts_are_absent(tiny_warehouse):
    html = _report(tiny_warehouse)

    for anchor in ALWAYS + OPTIONAL:
        assert f'<section id="{anchor}">' in html
    assert "Skipped: <code>marts.indicator_completeness_by_department</code>" in html
    assert "Skipped: <code>marts.fct_indicators</code>" in html


def test_report_keeps_chinese_text_with_a_cjk_font_stack(tiny_warehouse):
    html = _report(tiny_warehouse)

    assert '<meta charset="utf-8">' in html and 'lang="zh-CN"' in html
    assert FONT_STACK == "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif"
    assert f"font-family: {FONT_STACK}" in html
    for text in (
        "广州市公安局",
        "中共广州市白云区区委政法委员会",
        "机构运行辅助经费",
        "人员与运行保障",
    ):
        assert text in html


def test_report_lists_largest_project_first_with_its_source_line(tiny_warehouse):
    html = _report(tiny_warehouse)
    largest = html.split('<section id="largest">', 1)[1]

    assert largest.index("机构运行辅助经费") < largest.index("公安事务经费")
    assert "71,531.34" in largest and "gz-psb.txt:61" in largest


def test_report_shows_mismatch_of_the_release_that_does_not_add_up(tiny_warehouse):
    reconciliation = _report(tiny_warehouse).split('<section id="reconciliation">', 1)[1]
    reconciliation = reconciliation.split("</section>", 1)[0]

    assert '<span class="chip mismatch">1 mismatch</span>' in reconciliation
    assert "reconciles within rounding" in reconciliation  # gz-psb: 0.01 within 0.010
    assert "0.10" in reconciliation  # the mismatch's difference, listed


def test_report_command_writes_html_file(tiny_warehouse, tmp_path, capsys):
    out_file = tmp_path / "out" / "report.html"

    status = main(["report", "--warehouse", str(tiny_warehouse), "--out", str(out_file)])

    assert status == 0
    assert out_file.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert str(out_file) in capsys.readouterr().out


@pytest.mark.slow
def test_report_builds_from_the_sample_releases(sample_warehouse):
    html = _report(sample_warehouse)

    assert EXTERNAL.search(html) is None
    for department in ("广州市公安局", "天津市公安局", "广州市政务服务和数据管理局"):
        assert department in html


@pytest.mark.slow
def test_report_shows_nothing_new_when_the_releases_state_no_second_year(sample_warehouse):
    # The samples state no budget year: the year marts are empty, and the report has exactly the
    # sections it had before them, without a note about the missing comparison.
    html = _report(sample_warehouse)

    assert 'id="year-over-year"' not in html
    assert re.findall(r'<section id="([^"]+)">', html) == list(ALWAYS + OPTIONAL)


def test_report_leaves_out_the_year_comparison_without_the_year_marts(tiny_warehouse):
    html = _report(tiny_warehouse)

    assert 'id="year-over-year"' not in html
    assert "budget year" not in html


@pytest.mark.slow
def test_report_compares_the_years_of_each_department_with_two(budget_years_lake):
    html = _report(budget_years_lake / "warehouse.duckdb")
    section = html.split('<section id="year-over-year">', 1)[1].split("</section>", 1)[0]
    baiyun = section.split("<h3>中共广州市白云区区委政法委员会</h3>", 1)[1].split("<h3>", 1)[0]

    # Typed from tests/dbt/budget_years/gz-baiyun-2024.txt and -2025.txt.
    assert '<td class="num">189.50</td><td class="num">+14.04</td>' in baiyun
    assert "<b>New in 2025 (1):</b> 平安建设宣传经费" in baiyun
    assert "<b>Ended in 2025 (1):</b> 政府雇员公用经费" in baiyun
    assert "(printed as 天津市卫生和计划生育委员会 in earlier years)" in section


def test_report_escapes_markup_in_names_from_the_documents(tiny_warehouse):
    with duckdb.connect(str(tiny_warehouse)) as connection:
        connection.execute(
            "update marts.fct_projects set project_name_zh = '<script>x</script>&' "
            "where project_id = 'p1'"
        )

    html = _report(tiny_warehouse)

    assert "<script" not in html
    assert "&lt;script&gt;x&lt;/script&gt;&amp;" in html


def test_report_wraps_every_table_so_a_wide_one_scrolls_inside_its_card(
    tiny_warehouse_with_indicators,
):
    html = _report(tiny_warehouse_with_indicators)

    assert html.count("<table>") == html.count('<div class="table-wrap"><table>') > 0
    assert re.search(r"\.table-wrap \{ overflow-x: auto;", html)
    assert "word-break: keep-all" in html  # headers wrap between words, never inside 万元


def test_report_renders_a_section_added_to_the_list(tiny_warehouse):
    extra = Section(
        "extra",
        "An added section",
        "Added by a test.",
        lambda connection: {"rows": [["1", "部门", "单位", "项目", "类", "9.00", "f.txt:1"]]},
        "sections/largest.html.j2",
    )

    with open_warehouse(tiny_warehouse) as connection:
        html = build_report(connection, GENERATED_AT, sections=[*SECTIONS, extra])

    added = html.split('<section id="extra">', 1)[1].split("</section>", 1)[0]
    assert "<h2>An added section</h2>" in added and "<td>项目</td>" in added


def test_report_shows_why_an_added_section_cannot_be_drawn(tiny_warehouse):
    def unanswerable(connection):
        raise SectionUnavailable("only one budget year in this warehouse.")

    sections = [
        Section("yoy", "Year over year", "", unanswerable, "sections/largest.html.j2"),
        Section("later", "Later", "", unanswerable, "x.html.j2", requires=("fct_budget_years",)),
    ]
    with open_warehouse(tiny_warehouse) as connection:
        html = build_report(connection, GENERATED_AT, sections=sections)

    assert '<p class="skipped">only one budget year in this warehouse.</p>' in html
    assert "Skipped: <code>marts.fct_budget_years</code>" in html


def test_report_ids_are_unique_and_charts_add_no_page_wide_style(tiny_warehouse_with_indicators):
    html = _report(tiny_warehouse_with_indicators)

    ids = re.findall(r'\sid="([^"]*)"', html)
    assert len(ids) == len(set(ids)) and "completeness" in ids
    assert html.count("<style") == 1  # the report's own stylesheet only
