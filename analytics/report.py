"""The analyst report: one self-contained HTML file built from the marts.

Self-contained means it opens offline and from an e-mail attachment: no scripts, no web
fonts, no stylesheets or images fetched from anywhere. Charts are inline SVG drawn by
matplotlib (analytics/charts.py); Chinese text relies on the reader's installed CJK fonts,
named in the CSS font stack. The HTML comes from jinja2 templates in analytics/templates/
with autoescaping on, so a project name can never become markup.

Adding a section (a year-over-year comparison, say) is three steps, nothing else changes:

1. a query function ``def year_over_year(connection) -> dict``: it reads the marts and returns
   what the partial shows (rows already formatted, charts as Markup from analytics/charts.py);
   it raises SectionUnavailable with a one-line reason when the warehouse cannot answer;
2. a partial ``analytics/templates/sections/year_over_year.html.j2`` that renders ``data``
   (the dict) with the macros of ``macros.html.j2`` (``table``, ``legend``, ``chip``);
3. a ``Section(...)`` appended to ``SECTIONS`` below, naming the marts it ``requires``: when one
   is missing the section is skipped with a note instead of failing the whole report.

A query that raises SectionOmitted leaves its section out entirely (the year-over-year section
on a warehouse with one budget year).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import jinja2
from markupsafe import Markup

from analytics.charts import (
    PALETTE,
    Bar,
    series_colors,
    stacked_share_bars,
    value_bars,
)
from analytics.warehouse import has_table
from analytics.years import read_years
from parsers.targets import KINDS

FONT_STACK = "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
LARGEST_PROJECTS = 20
UNCATEGORISED = "uncategorised"
STATUSES = ("exact", "rounding", "mismatch")
LEVELS = (("release", "合计 (release)"), ("unit", "unit subtotals"), ("project", "projects"))
FUNDING_SOURCES = (
    ("fiscal_wan", "财政拨款 fiscal"),
    ("special_account_wan", "财政专户拨款 special account"),
    ("other_wan", "其他资金 other"),
    ("bond_wan", "专项债券 bond"),
)
TARGET_KINDS = KINDS  # the order the parser defines, for the target-kind chart
COMPLETENESS_TABLE = "indicator_completeness_by_department"
# The completeness columns an analyst reads first, with their printed terms (mart docs give all).
COMPLETENESS_COLUMNS = (
    ("project_count", "projects 项目"),
    ("indicators_per_project", "indicators / project"),
    ("output_coverage_share", "产出 output"),
    ("effect_coverage_share", "效益 effect"),
    ("satisfaction_coverage_share", "满意度 satisfaction"),
    ("cost_coverage_share", "成本 cost"),
    ("quantity_coverage_share", "数量 quantity"),
    ("quality_coverage_share", "质量 quality"),
    ("timeliness_coverage_share", "时效 timeliness"),
    ("quantified_target_share", "quantified targets"),
    ("strictly_complete_share", "strictly complete"),
    ("completeness_score", "score"),
)

Query = Callable[[duckdb.DuckDBPyConnection], dict[str, Any]]


class SectionUnavailable(Exception):
    """The warehouse cannot answer a section's question; the message is shown in its place."""


class SectionOmitted(Exception):
    """The section has nothing to say on this warehouse: it is left out, without a note.

    For comparisons that need data a warehouse may simply not have yet (a year-over-year
    section with one budget year): a note in its place would add a section to every report.
    """


@dataclass(frozen=True)
class Section:
    """One report section: where it sits, what it says, how it gets its data and shows it."""

    anchor: str
    title: str
    lead: str
    query: Query
    template: str
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class RenderedSection:
    """A section ready for the layout: its data, or why it is skipped."""

    anchor: str
    title: str
    lead: str
    template: str
    data: dict[str, Any] | None = None
    missing_table: str | None = None
    unavailable: str | None = None


def _rows(connection: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return connection.execute(sql).fetchall()


def _wan(value: Decimal | float | int | None) -> str:
    return "—" if value is None else f"{Decimal(value):,.2f}"


def _share(part: Decimal | float | None, whole: Decimal | float | None) -> float:
    return float(part or 0) / float(whole) if whole else 0.0


def _department_labels(pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Label each (release, department) by the department, adding the release only if needed."""
    counts: dict[str, int] = defaultdict(int)
    for _, department in pairs:
        counts[department] += 1
    return {
        (release, department): (
            department if counts[department] == 1 else f"{department} · {release}"
        )
        for release, department in pairs
    }


def summary_cards(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """The figures at the top: releases, departments, units, projects, money, indicators."""
    n_releases, n_departments, n_units, n_projects, total = _rows(
        connection,
        """
        select count(distinct release_id), count(distinct department_zh),
               count(distinct unit_id), count(*), sum(total_wan)
        from marts.fct_projects
        """,
    )[0]
    cards = [
        (f"{n_releases}", "releases"),
        (f"{n_departments}", "departments 部门"),
        (f"{n_units}", "budget units 预算单位"),
        (f"{n_projects}", "projects 项目"),
        (_wan(total), "total 万元"),
    ]
    if has_table(connection, "marts", "fct_indicators"):
        (n_indicators,) = _rows(connection, "select count(*) from marts.fct_indicators")[0]
        cards.append((f"{n_indicators}", "indicators 绩效指标"))
    return cards


def spending_by_category(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """100 % stacked bars of category shares per department, and each one's top categories."""
    rows = _rows(
        connection,
        """
        select release_id, department_zh, category_code, any_value(category_zh),
               sum(total_wan) as total_wan
        from marts.spending_by_category
        group by release_id, department_zh, category_code
        """,
    )
    category_totals: dict[str, Decimal] = defaultdict(Decimal)
    category_names: dict[str, str] = {}
    by_department: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(dict)
    for release, department, code, name, total in rows:
        category_totals[code] += total or 0
        category_names[code] = name
        by_department[(release, department)][code] = total or Decimal(0)
    codes = sorted(
        category_totals, key=lambda code: (code == UNCATEGORISED, -category_totals[code])
    )
    departments = sorted(by_department, key=lambda key: -sum(by_department[key].values()))
    labels = _department_labels(departments)
    series = [category_names[code] for code in codes]
    colors = series_colors(series, grey_for=[category_names.get(UNCATEGORISED, "")])
    bars = [
        Bar(
            labels[key],
            [by_department[key].get(code, 0) for code in codes],
            f"{_wan(sum(by_department[key].values()))} 万元",
        )
        for key in departments
    ]
    table_rows = []
    for key in departments:
        spent = by_department[key]
        whole = sum(spent.values())
        top = sorted(
            (code for code in spent if code != UNCATEGORISED), key=lambda code: -spent[code]
        )[:3]
        cells = [f"{category_names[code]} {_share(spent[code], whole):.0%}" for code in top]
        table_rows.append(
            [labels[key], _wan(whole)]
            + cells
            + [""] * (3 - len(cells))
            + [f"{_share(spent.get(UNCATEGORISED), whole):.1%}"]
        )
    return {
        "series": series,
        "colors": colors,
        "chart": stacked_share_bars(
            bars, series, colors, title="spending by category per department"
        ),
        "rows": table_rows,
    }


def funding_sources(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Where the money comes from: 100 % stacked funding sources per department."""
    columns = ", ".join(f"sum(coalesce({column}, 0))" for column, _ in FUNDING_SOURCES)
    rows = _rows(
        connection,
        f"""
        select release_id, department_zh, sum(total_wan), {columns}
        from marts.spending_by_category
        group by release_id, department_zh
        order by sum(total_wan) desc
        """,
    )
    labels = _department_labels([(row[0], row[1]) for row in rows])
    series = [label for _, label in FUNDING_SOURCES]
    colors = series_colors(series)
    bars = [Bar(labels[(row[0], row[1])], list(row[3:]), f"{_wan(row[2])} 万元") for row in rows]
    return {
        "series": series,
        "colors": colors,
        "chart": stacked_share_bars(bars, series, colors, title="funding sources per department"),
        "headers": ["部门 department", "total 万元"] + [f"{label} 万元" for label in series],
        "rows": [
            [labels[(row[0], row[1])], _wan(row[2])] + [_wan(value) for value in row[3:]]
            for row in rows
        ],
    }


def reconciliation(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Per release and level: how many declared figures are exact, rounding or mismatch."""
    releases = _rows(
        connection,
        "select release_id, any_value(department_zh) from marts.fct_projects "
        "group by release_id order by release_id",
    )
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for release, level, status, count in _rows(
        connection,
        "select release_id, level, status, count(*) from marts.reconciliation group by all",
    ):
        counts[(release, level)][status] = count
    verdicts = []
    for release, department in releases:
        n_mismatch = sum(counts[(release, level)].get("mismatch", 0) for level, _ in LEVELS)
        n_rounding = sum(counts[(release, level)].get("rounding", 0) for level, _ in LEVELS)
        if n_mismatch:
            verdict = ("mismatch", f"{n_mismatch} mismatch")
        elif n_rounding:
            verdict = ("rounding", "reconciles within rounding")
        else:
            verdict = ("exact", "reconciles exactly")
        verdicts.append(
            {
                "release_id": release,
                "department": department or "",
                "levels": [
                    [
                        (status, f"{counts[(release, level)][status]} {status}")
                        for status in STATUSES
                        if counts[(release, level)].get(status)
                    ]
                    or [("none", "nothing declared")]
                    for level, _ in LEVELS
                ],
                "verdict": verdict,
            }
        )
    mismatches = _rows(
        connection,
        """
        select release_id, level, subject, coalesce(entity_name_zh, ''), funding_source,
               declared_wan, computed_wan, difference_wan, tolerance_wan, source_line
        from marts.reconciliation
        where status = 'mismatch'
        order by abs(difference_wan) desc
        limit 20
        """,
    )
    return {
        "releases": verdicts,
        "level_labels": [label for _, label in LEVELS],
        "mismatches": [
            [str(value) for value in row[:5]]
            + [_wan(value) for value in row[5:8]]
            + [f"{row[8]:f}", str(row[9])]
            for row in mismatches
        ],
    }


def largest_projects(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The 20 largest projects with their department, unit, category and source line."""
    rows = _rows(
        connection,
        f"""
        select department_zh, unit_name_zh, project_name_zh, category_zh, total_wan,
               source_file, source_line
        from marts.fct_projects
        order by total_wan desc nulls last, project_id
        limit {LARGEST_PROJECTS}
        """,
    )
    return {
        "rows": [
            [
                str(rank),
                *row[:4],
                _wan(row[4]),
                Markup('<span class="source">{}:{}</span>').format(row[5], row[6]),
            ]
            for rank, row in enumerate(rows, start=1)
        ]
    }


def _columns(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    return [
        name
        for (name,) in connection.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]


def _completeness_cell(name: str, value: object) -> str:
    if value is None:
        return ""
    if name == "project_count":
        return str(value)
    if name in ("indicators_per_project", "completeness_score"):
        return f"{float(value):.2f}"
    return f"{float(value):.0%}"


def completeness(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Completeness of target sets per department: the score as bars, its parts as a table."""
    available = set(_columns(connection, "marts", COMPLETENESS_TABLE))
    columns = [(name, label) for name, label in COMPLETENESS_COLUMNS if name in available]
    select = ", ".join(name for name, _ in columns)
    order = "completeness_score desc nulls last, " if "completeness_score" in available else ""
    rows = _rows(
        connection,
        f"select department_zh, {select} from marts.{COMPLETENESS_TABLE} "
        f"order by {order}department_zh",
    )
    names = [name for name, _ in columns]
    chart = ""
    if "completeness_score" in names:
        score_index = names.index("completeness_score") + 1
        chart = value_bars(
            [(str(row[0]), row[score_index] or 0) for row in rows],
            maximum=1,
            value_format="{:.2f}",
            color=PALETTE[2],
            title="completeness_score",
        )
    return {
        "chart": chart,
        "headers": ["部门 department", *(label for _, label in columns)],
        "numeric": tuple(range(1, len(columns) + 1)),
        "rows": [
            [str(row[0])]
            + [_completeness_cell(name, value) for name, value in zip(names, row[1:], strict=True)]
            for row in rows
        ],
    }


def target_kinds(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """How annual targets are written: exact, comparison, direction, … per department."""
    names = set(_columns(connection, "marts", "fct_indicators"))
    if "target_kind" not in names:
        raise SectionUnavailable("marts.fct_indicators has no target_kind column.")
    totals = dict(
        _rows(
            connection,
            "select coalesce(target_kind, 'missing'), count(*) from marts.fct_indicators "
            "group by 1",
        )
    )
    kinds = [kind for kind in TARGET_KINDS if kind in totals] + sorted(
        kind for kind in totals if kind not in TARGET_KINDS
    )
    data: dict[str, Any] = {
        "chart": value_bars(
            [(kind, totals[kind]) for kind in kinds], color=PALETTE[0], title="target kinds"
        ),
        "kinds": kinds,
        "per_department_chart": None,
    }
    if "department_zh" in names:
        per_department: dict[str, dict[str, int]] = defaultdict(dict)
        for department, kind, count in _rows(
            connection,
            "select department_zh, coalesce(target_kind, 'missing'), count(*) "
            "from marts.fct_indicators group by all",
        ):
            per_department[department][kind] = count
        colors = series_colors(kinds, grey_for=["missing", "placeholder"])
        bars = [
            Bar(
                department,
                [counts.get(kind, 0) for kind in kinds],
                f"{sum(counts.values())} indicators",
            )
            for department, counts in sorted(
                per_department.items(), key=lambda item: -sum(item[1].values())
            )
        ]
        data["colors"] = colors
        data["per_department_chart"] = stacked_share_bars(
            bars, kinds, colors, title="target kinds per department"
        )
    return data


def year_over_year(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Per department with two budget years or more: totals by year, largest changes, new, ended.

    Omitted (SectionOmitted) when no department has two budget years, and on a warehouse built
    before the year marts: one year has nothing to compare with.
    """
    departments = read_years(connection)
    if not departments:
        raise SectionOmitted
    shown = []
    for department in departments:
        printed = sorted(
            {t.department_zh_printed for t in department.totals} - {department.department_zh}
        )
        shown.append(
            {
                "title": department.department_zh,
                "former_names": printed,
                "latest": department.latest_year,
                "previous": department.previous_year,
                "totals": [
                    [
                        str(t.budget_year),
                        str(t.n_projects),
                        _wan(t.total_wan),
                        _signed_wan(t.change_wan),
                        "—" if t.change_pct is None else f"{t.change_pct:+.1f}%",
                    ]
                    for t in department.totals
                ],
                "largest": [
                    [
                        c.project_name_zh,
                        c.unit_name_zh,
                        c.status,
                        _wan(c.previous_total_wan),
                        _wan(c.total_wan),
                        _signed_wan(c.change_wan),
                    ]
                    for c in department.largest_changes
                ],
                "new": [c.project_name_zh for c in department.new_projects],
                "n_new": department.n_new,
                "ended": [c.project_name_zh for c in department.ended_projects],
                "n_ended": department.n_ended,
                "n_ambiguous": department.n_ambiguous,
            }
        )
    return {"departments": shown}


def _signed_wan(value: Decimal | None) -> str:
    return "—" if value is None else f"{Decimal(value):+,.2f}"


SECTIONS: list[Section] = [
    Section(
        "spending",
        "Spending by purpose category per department",
        "Share of each department's project money by purpose category (marts.spending_by_category,"
        " all releases). Grey is money no keyword rule claimed: watch it when a department"
        " arrives.",
        spending_by_category,
        "sections/spending.html.j2",
        requires=("spending_by_category",),
    ),
    Section(
        "funding",
        "Funding sources",
        "财政拨款 (general budget), 财政专户拨款 (special account), 其他资金 (own income, "
        "carry-over) and 专项债券 (special bonds), as shares of each department's projects.",
        funding_sources,
        "sections/funding.html.j2",
        requires=("spending_by_category",),
    ),
    Section(
        "reconciliation",
        "Reconciliation status of every release",
        "Each declared figure (合计, unit subtotals, project totals) against the sum of the "
        "figures it should equal (marts.reconciliation). rounding = within 0.005 万元 per summed"
        " figure; mismatch = a real difference in the document.",
        reconciliation,
        "sections/reconciliation.html.j2",
        requires=("fct_projects", "reconciliation"),
    ),
    Section(
        "largest",
        f"The {LARGEST_PROJECTS} largest projects",
        "By 总计 (total, 万元) across all releases (marts.fct_projects).",
        largest_projects,
        "sections/largest.html.j2",
        requires=("fct_projects",),
    ),
    Section(
        "completeness",
        "Completeness of performance targets per department",
        "Score in [0, 1] (weights in dbt_project/seeds/completeness_weights.csv); shares are of "
        "projects covering each dimension, quantified targets a share of indicators "
        f"(marts.{COMPLETENESS_TABLE}). 广州市公安局 prints no level-2 names, so 数量/质量/时效 "
        "read 0 there.",
        completeness,
        "sections/completeness.html.j2",
        requires=(COMPLETENESS_TABLE,),
    ),
    Section(
        "target-kinds",
        "Distribution of target kinds",
        "How annual targets (年度指标值) are written: exact values and comparisons can be checked;"
        " directions, deadlines and qualitative text mostly cannot (marts.fct_indicators).",
        target_kinds,
        "sections/target_kinds.html.j2",
        requires=("fct_indicators",),
    ),
    Section(
        "year-over-year",
        "Year over year, per department",
        "Departments with two budget years or more (marts.department_years, current release of "
        "each year): totals by year, then the latest year against the one before: the largest "
        "changes and the new and ended projects (marts.project_year_changes). Projects are "
        "matched within department and budget unit by normalised name.",
        year_over_year,
        "sections/year_over_year.html.j2",
        # No `requires`: without the year marts the section is omitted, not noted as skipped.
    ),
]


def render_section(
    connection: duckdb.DuckDBPyConnection, section: Section
) -> RenderedSection | None:
    """Run a section's query, or say why it is skipped (a missing mart, SectionUnavailable).

    None when the section omits itself (SectionOmitted): the report leaves it out.
    """
    rendered = RenderedSection(section.anchor, section.title, section.lead, section.template)
    missing = [table for table in section.requires if not has_table(connection, "marts", table)]
    if missing:
        return replace(rendered, missing_table=f"marts.{missing[0]}")
    try:
        data = section.query(connection)
    except SectionUnavailable as reason:
        return replace(rendered, unavailable=str(reason))
    except SectionOmitted:
        return None
    return replace(rendered, data=data)


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["zip"] = zip
    return environment


def build_report(
    connection: duckdb.DuckDBPyConnection,
    generated_at: dt.datetime | None = None,
    sections: Sequence[Section] = SECTIONS,
) -> str:
    """The whole report as one HTML document."""
    generated_at = generated_at or dt.datetime.now().astimezone()
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            font_stack=Markup(FONT_STACK),
            generated_at=generated_at.strftime("%Y-%m-%d %H:%M %Z").strip(),
            cards=summary_cards(connection),
            sections=[
                rendered
                for section in sections
                if (rendered := render_section(connection, section)) is not None
            ],
        )
    )


def write_report(
    connection: duckdb.DuckDBPyConnection, path: Path, generated_at: dt.datetime | None = None
) -> Path:
    """Write the report to ``path`` (UTF-8) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(build_report(connection, generated_at), encoding="utf-8")
    return path
