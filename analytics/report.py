"""The analyst report: one self-contained HTML file built from the marts.

Self-contained means it opens offline and from an e-mail attachment: no scripts, no web
fonts, no stylesheets or images fetched from anywhere. Charts are inline SVG drawn in
analytics/charts.py; Chinese text relies on the reader's installed CJK fonts, named in
the CSS font stack. Sections whose marts are not built yet (the indicator marts) are
skipped with a note rather than failing the whole report.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from html import escape
from pathlib import Path

import duckdb

from analytics.charts import (
    PALETTE,
    Bar,
    legend_html,
    series_colors,
    stacked_share_bars,
    value_bars,
)
from analytics.warehouse import has_table
from parsers.targets import KINDS

FONT_STACK = "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif"
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
NUMERIC_TYPES = ("DECIMAL", "DOUBLE", "FLOAT", "REAL", "BIGINT", "INTEGER", "SMALLINT", "HUGEINT")
TARGET_KINDS = KINDS  # the order the parser defines, for the target-kind chart

CSS = f"""
body {{ font-family: {FONT_STACK}; color: #1d2733; background: #f4f6f8; margin: 0; }}
main {{ max-width: 1260px; margin: 0 auto; padding: 24px 28px 48px; }}
h1 {{ font-size: 26px; margin: 8px 0 4px; }}
h2 {{ font-size: 19px; margin: 0 0 6px; }}
p.lead, p.meta {{ color: #52606d; margin: 4px 0 14px; }}
section {{ background: #fff; border-radius: 8px; padding: 18px 22px; margin: 16px 0;
  box-shadow: 0 1px 2px rgba(0,0,0,.08); }}
.cards {{ display: flex; gap: 12px; flex-wrap: wrap; }}
.card {{ background: #fff; border-radius: 8px; padding: 12px 18px; min-width: 150px;
  box-shadow: 0 1px 2px rgba(0,0,0,.08); }}
.card b {{ display: block; font-size: 22px; }}
.card span {{ color: #52606d; font-size: 13px; }}
table {{ border-collapse: collapse; width: 100%; font-size: 13px; margin-top: 10px; }}
th, td {{ padding: 5px 8px; border-bottom: 1px solid #e4e7eb; text-align: left;
  vertical-align: top; }}
th {{ background: #f0f3f6; font-weight: 600; }}
.nowrap {{ white-space: nowrap; }}
td.num, th.num {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
.legend {{ display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 13px; margin: 6px 0; }}
.swatch {{ display: inline-block; width: 12px; height: 12px; border-radius: 2px;
  margin-right: 5px; vertical-align: -1px; }}
svg.chart {{ max-width: 100%; height: auto; display: block; }}
svg.chart text {{ font-family: {FONT_STACK}; font-size: 13px; fill: #1d2733; }}
svg.chart text.on-bar {{ fill: #fff; font-size: 12px; }}
svg.chart text.note {{ fill: #52606d; }}
.chip {{ display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px;
  white-space: nowrap; }}
.chip.exact {{ background: #d8f0e3; color: #17603a; }}
.chip.rounding {{ background: #fdf1cf; color: #7a5800; }}
.chip.mismatch {{ background: #fbd9d6; color: #8c1d12; }}
.chip.none {{ background: #eceff1; color: #52606d; }}
.source {{ color: #7b8794; font-size: 11px; }}
.skipped {{ color: #7a5800; background: #fdf6e3; border-left: 4px solid #e6b800;
  padding: 8px 12px; }}
"""


def _rows(connection: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return connection.execute(sql).fetchall()


def _wan(value: Decimal | float | int | None) -> str:
    return "—" if value is None else f"{Decimal(value):,.2f}"


def _share(part: Decimal | float | None, whole: Decimal | float | None) -> float:
    return float(part or 0) / float(whole) if whole else 0.0


def _table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[int] = (),
    nowrap: Sequence[int] = (),
) -> str:
    """An HTML table of already-escaped cells.

    Columns listed in ``numeric`` are right-aligned; those in ``nowrap`` never wrap.
    """

    def cell(tag: str, index: int, text: str) -> str:
        classes = " ".join(
            name for name, flag in (("num", index in numeric), ("nowrap", index in nowrap)) if flag
        )
        return f'<{tag} class="{classes}">{text}</{tag}>' if classes else f"<{tag}>{text}</{tag}>"

    head = "".join(cell("th", index, header) for index, header in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(cell("td", index, text) for index, text in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _section(anchor: str, title: str, lead: str, body: str) -> str:
    return (
        f'<section id="{anchor}"><h2>{escape(title)}</h2>'
        f'<p class="lead">{escape(lead)}</p>{body}</section>'
    )


def _skipped(anchor: str, title: str, table: str) -> str:
    return _section(
        anchor,
        title,
        "",
        f'<p class="skipped">Skipped: <code>{escape(table)}</code> is not in this warehouse '
        "yet. Rebuild with <code>make run</code>, then <code>make report</code>.</p>",
    )


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


def _summary(connection: duckdb.DuckDBPyConnection) -> str:
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
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card"><b>{escape(value)}</b><span>{escape(label)}</span></div>'
            for value, label in cards
        )
        + "</div>"
    )


def spending_by_category_section(connection: duckdb.DuckDBPyConnection) -> str:
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
        cells = [f"{escape(category_names[code])} {_share(spent[code], whole):.0%}" for code in top]
        table_rows.append(
            [escape(labels[key]), _wan(whole)]
            + cells
            + [""] * (3 - len(cells))
            + [f"{_share(spent.get(UNCATEGORISED), whole):.1%}"]
        )
    body = (
        legend_html(series, colors)
        + stacked_share_bars(bars, series, colors, title="spending by category per department")
        + _table(
            ["部门 department", "total 万元", "1st category", "2nd", "3rd", "未分类 uncategorised"],
            table_rows,
            numeric=(1, 5),
        )
    )
    return _section(
        "spending",
        "Spending by purpose category per department",
        "Share of each department's project money by purpose category (marts.spending_by_category,"
        " all releases). Grey is money no keyword rule claimed: watch it when a department"
        " arrives.",
        body,
    )


def funding_sources_section(connection: duckdb.DuckDBPyConnection) -> str:
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
    table_rows = [
        [escape(labels[(row[0], row[1])]), _wan(row[2])] + [_wan(value) for value in row[3:]]
        for row in rows
    ]
    body = (
        legend_html(series, colors)
        + stacked_share_bars(bars, series, colors, title="funding sources per department")
        + _table(
            ["部门 department", "total 万元"] + [f"{label} 万元" for label in series],
            table_rows,
            numeric=(1, 2, 3, 4, 5),
        )
    )
    return _section(
        "funding",
        "Funding sources",
        "财政拨款 (general budget), 财政专户拨款 (special account), 其他资金 (own income, "
        "carry-over) and 专项债券 (special bonds), as shares of each department's projects.",
        body,
    )


def _status_chips(counts: dict[str, int]) -> str:
    chips = [
        f'<span class="chip {status}">{counts[status]} {status}</span>'
        for status in STATUSES
        if counts.get(status)
    ]
    return " ".join(chips) or '<span class="chip none">nothing declared</span>'


def reconciliation_section(connection: duckdb.DuckDBPyConnection) -> str:
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
    table_rows = []
    for release, department in releases:
        n_mismatch = sum(counts[(release, level)].get("mismatch", 0) for level, _ in LEVELS)
        n_rounding = sum(counts[(release, level)].get("rounding", 0) for level, _ in LEVELS)
        if n_mismatch:
            verdict = f'<span class="chip mismatch">{n_mismatch} mismatch</span>'
        elif n_rounding:
            verdict = '<span class="chip rounding">reconciles within rounding</span>'
        else:
            verdict = '<span class="chip exact">reconciles exactly</span>'
        table_rows.append(
            [escape(release), escape(department or "")]
            + [_status_chips(counts[(release, level)]) for level, _ in LEVELS]
            + [verdict]
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
    if mismatches:
        detail = "<h3>Largest mismatches</h3>" + _table(
            [
                "release",
                "level",
                "subject",
                "entity",
                "source",
                "declared 万元",
                "computed 万元",
                "difference 万元",
                "tolerance 万元",
                "line",
            ],
            [
                [escape(str(value)) for value in row[:5]]
                + [_wan(value) for value in row[5:8]]
                + [f"{row[8]:f}", str(row[9])]
                for row in mismatches
            ],
            numeric=(5, 6, 7, 8, 9),
        )
    else:
        detail = "<p>No mismatches: every gap is within printed rounding (0.005 万元 a figure).</p>"
    body = (
        _table(
            ["release", "部门 department"] + [label for _, label in LEVELS] + ["verdict"],
            table_rows,
        )
        + detail
    )
    return _section(
        "reconciliation",
        "Reconciliation status of every release",
        "Each declared figure (合计, unit subtotals, project totals) against the sum of the "
        "figures it should equal (marts.reconciliation). rounding = within 0.005 万元 per summed"
        " figure; mismatch = a real difference in the document.",
        body,
    )


def largest_projects_section(connection: duckdb.DuckDBPyConnection) -> str:
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
    table_rows = [
        [
            str(rank),
            escape(row[0]),
            escape(row[1]),
            escape(row[2]),
            escape(row[3]),
            _wan(row[4]),
            f'<span class="source">{escape(row[5])}:{row[6]}</span>',
        ]
        for rank, row in enumerate(rows, start=1)
    ]
    return _section(
        "largest",
        f"The {LARGEST_PROJECTS} largest projects",
        "By 总计 (total, 万元) across all releases (marts.fct_projects).",
        _table(
            [
                "#",
                "部门 department",
                "预算单位 budget unit",
                "项目 project",
                "category",
                "total 万元",
                "source",
            ],
            table_rows,
            numeric=(0, 5),
            nowrap=(1, 4, 6),
        ),
    )


def _columns(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple]:
    return _rows(
        connection,
        f"select column_name, data_type from information_schema.columns "
        f"where table_schema = '{schema}' and table_name = '{table}' order by ordinal_position",
    )


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


def _as_percent(value: object) -> str:
    return "" if value is None else f"{float(value):.0%}"


def completeness_section(connection: duckdb.DuckDBPyConnection) -> str:
    """Completeness of target sets per department: the score as bars, its parts as a table."""
    title = "Completeness of performance targets per department"
    table = "indicator_completeness_by_department"
    if not has_table(connection, "marts", table):
        return _skipped("completeness", title, f"marts.{table}")
    available = {name for name, _ in _columns(connection, "marts", table)}
    columns = [(name, label) for name, label in COMPLETENESS_COLUMNS if name in available]
    select = ", ".join(name for name, _ in columns)
    order = "completeness_score desc nulls last, " if "completeness_score" in available else ""
    rows = _rows(
        connection,
        f"select department_zh, {select} from marts.{table} order by {order}department_zh",
    )
    score_index = next(
        (i for i, (name, _) in enumerate(columns, start=1) if name == "completeness_score"), None
    )
    chart = ""
    if score_index is not None:
        chart = value_bars(
            [(str(row[0]), row[score_index] or 0) for row in rows],
            maximum=1,
            value_format="{:.2f}",
            color=PALETTE[2],
            title="completeness_score",
        )
    table_rows = []
    for row in rows:
        cells = [escape(str(row[0]))]
        for (name, _), value in zip(columns, row[1:], strict=True):
            if name == "project_count":
                cells.append(str(value))
            elif name in ("indicators_per_project", "completeness_score"):
                cells.append("" if value is None else f"{float(value):.2f}")
            else:
                cells.append(_as_percent(value))
        table_rows.append(cells)
    body = chart + _table(
        ["部门 department", *(escape(label) for _, label in columns)],
        table_rows,
        numeric=tuple(range(1, len(columns) + 1)),
    )
    return _section(
        "completeness",
        title,
        "Score in [0, 1] (weights in dbt_project/seeds/completeness_weights.csv); shares are of "
        "projects covering each dimension, quantified targets a share of indicators "
        f"(marts.{table}). 广州市公安局 prints no level-2 names, so 数量/质量/时效 read 0 there.",
        body,
    )


def target_kinds_section(connection: duckdb.DuckDBPyConnection) -> str:
    """How annual targets are written: exact, comparison, direction, … per department."""
    title = "Distribution of target kinds"
    if not has_table(connection, "marts", "fct_indicators"):
        return _skipped("target-kinds", title, "marts.fct_indicators")
    names = {name for name, _ in _columns(connection, "marts", "fct_indicators")}
    if "target_kind" not in names:
        return _section(
            "target-kinds",
            title,
            "",
            '<p class="skipped">marts.fct_indicators has no target_kind column.</p>',
        )
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
    body = value_bars(
        [(kind, totals[kind]) for kind in kinds], color=PALETTE[0], title="target kinds"
    )
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
        body += (
            "<h3>Per department</h3>"
            + legend_html(kinds, colors)
            + stacked_share_bars(bars, kinds, colors, title="target kinds per department")
        )
    return _section(
        "target-kinds",
        title,
        "How annual targets (年度指标值) are written: exact values and comparisons can be checked;"
        " directions, deadlines and qualitative text mostly cannot (marts.fct_indicators).",
        body,
    )


def build_report(
    connection: duckdb.DuckDBPyConnection, generated_at: dt.datetime | None = None
) -> str:
    """The whole report as one HTML document."""
    generated_at = generated_at or dt.datetime.now().astimezone()
    sections = [
        spending_by_category_section(connection),
        funding_sources_section(connection),
        reconciliation_section(connection),
        largest_projects_section(connection),
        completeness_section(connection),
        target_kinds_section(connection),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>项目支出绩效目标表 · budget performance report</title>"
        f"<style>{CSS}</style></head><body><main>"
        "<h1>项目支出绩效目标表 · Project expenditure performance targets</h1>"
        f'<p class="meta">Built from the warehouse marts on '
        f"{escape(generated_at.strftime('%Y-%m-%d %H:%M %Z').strip())}. Amounts in 万元 "
        "(10,000 yuan).</p>" + _summary(connection) + "".join(sections) + "</main></body></html>\n"
    )


def write_report(
    connection: duckdb.DuckDBPyConnection, path: Path, generated_at: dt.datetime | None = None
) -> Path:
    """Write the report to ``path`` (UTF-8) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(build_report(connection, generated_at), encoding="utf-8")
    return path
