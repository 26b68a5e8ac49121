"""parse_release(path): the one entry point the assets call.

Reads the file, detects the layout, runs the layout parser and turns its records into the
extracted tables of docs/data_contract.md: stable ids, provenance on every row, amounts as
exact Decimals in 万元, indicators parsed, and every repair or doubt kept as a parse warning.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from parsers.budget_year import resolve_budget_year
from parsers.detect import detect_layout
from parsers.errors import ParseError
from parsers.frames import INT, build_frame, new_columns
from parsers.indicators import (
    ITEM_COLUMNS,
    IndicatorColumns,
    guangzhou_indicator_columns,
    tianjin_indicator_columns,
)
from parsers.layouts.guangzhou import LAYOUT as GUANGZHOU
from parsers.layouts.guangzhou import parse_guangzhou
from parsers.layouts.tianjin import parse_tianjin
from parsers.model import (
    FUNDING_SOURCES,
    SOURCES_DIFFER_FLAG,
    LayoutResult,
    ProjectRecord,
    UnitRecord,
    Warning_,
)
from parsers.reader import RawRelease, read_release
from parsers.text import department_key, name_key

TABLE_NAMES = (
    "releases",
    "budget_units",
    "declared_totals",
    "projects",
    "indicators",
    "parse_warnings",
)
SIDECAR_KEYS = ("budget_year", "publisher_zh", "source_url", "published_on", "department_zh")
PARSER_VERSION = "1"


@dataclass(frozen=True)
class ExtractedRelease:
    """The extracted tables of one release, keyed by table name."""

    release_id: str
    tables: dict[str, pd.DataFrame]


def stable_id(*parts: str, length: int = 16) -> str:
    """A short hash of the parts: the same document gives the same ids on every run."""
    digest = hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


def parse_release(path: Path, sidecar: dict[str, Any] | None = None) -> ExtractedRelease:
    """Parse one raw release file into its extracted tables.

    Raises:
        ParseError: the file is not a release of a known layout, or a figure is unreadable.
    """
    raw = read_release(Path(path))
    sidecar = check_sidecar(sidecar or {}, raw.path)
    layout = detect_layout(raw.lines, raw.path)
    parse = parse_guangzhou if layout == GUANGZHOU else parse_tianjin
    result = parse(raw.lines, raw.path)
    return build_tables(raw, result, sidecar)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check_sidecar(sidecar: dict[str, Any], path: Path) -> dict[str, Any]:
    """Accept only the sidecar keys the contract knows, with values of the right shape.

    The sidecar says what a document does not (year, publisher, URL, date); a wrong value
    there would be published as fact, so it is refused rather than guessed around.
    """
    where = path.with_name(path.stem + ".meta.json")
    unknown = sorted(set(sidecar) - set(SIDECAR_KEYS))
    if unknown:
        raise ParseError(where, None, f"unknown sidecar keys {unknown}; expected {SIDECAR_KEYS}")
    year = sidecar.get("budget_year")
    if year not in (None, "") and not (str(year).isdigit() and 1990 <= int(year) <= 2100):
        raise ParseError(where, None, f"budget_year {year!r} is not a year")
    published = sidecar.get("published_on")
    if published not in (None, "") and not _ISO_DATE.match(str(published)):
        raise ParseError(where, None, f"published_on {published!r} is not a date (YYYY-MM-DD)")
    return sidecar


def build_tables(
    raw: RawRelease, result: LayoutResult, sidecar: dict[str, Any]
) -> ExtractedRelease:
    """Turn layout records into the extracted tables, with ids and provenance.

    Values go straight into one list per column (keyed by column name), and each table
    becomes a frame once (parsers/frames.py). Indicators arrive as columns already, one
    block per cell or table, so a project extends the indicator lists a block at a time: no
    row object, tuple or dict exists per indicator.
    """
    release_id = raw.release_id
    budget_year = resolve_budget_year(_optional_int(sidecar.get("budget_year")), raw.lines)
    warnings = [*result.warnings, *budget_year.warnings]
    unit_ids = {unit.seq: unit_id(release_id, unit) for unit in result.units}
    units_by_seq = {unit.seq: unit for unit in result.units}

    projects = new_columns(_COLUMNS["projects"])
    indicators = new_columns(_COLUMNS["indicators"])
    occurrences: Counter[tuple[int, str]] = Counter()
    for project in result.projects:
        key = name_key(project.name_zh)
        occurrences[(project.unit_seq, key)] += 1
        unit = units_by_seq[project.unit_seq]
        project_id = stable_id(
            release_id,
            unit.code or name_key(unit.name_zh),
            key,
            str(occurrences[(project.unit_seq, key)]),
        )
        items = _indicators(project)
        warnings.extend(Warning_(project.source_line, "indicators", w) for w in items.warnings)
        flags = list(project.flags)
        amounts = project.amounts
        sources_sum = sum((amounts[s] for s in FUNDING_SOURCES), Decimal(0))
        if sources_sum != amounts["total"]:
            flags.append(SOURCES_DIFFER_FLAG)
            warnings.append(
                Warning_(
                    project.source_line,
                    SOURCES_DIFFER_FLAG,
                    f"{project.name_zh}: total {amounts['total']} ≠ sources {sources_sum}",
                )
            )
        if not items and project.indicators_raw_zh:
            flags.append("indicators_unparsed")
        for name, value in (
            ("project_id", project_id),
            ("project_seq", project.seq),
            ("unit_id", unit_ids[project.unit_seq]),
            ("unit_name_zh", unit.name_zh),
            ("project_name_zh", project.name_zh),
            ("project_name_key", key),
            ("total_wan", amounts["total"]),
            ("fiscal_wan", amounts["fiscal"]),
            ("special_account_wan", amounts["special_account"]),
            ("other_wan", amounts["other"]),
            ("bond_wan", amounts["bond"]),
            ("currency_unit_zh", project.currency_unit_zh),
            ("amount_conversion", project.amount_conversion),
            ("goal_zh", project.goal_zh),
            ("purpose_zh", project.purpose_zh),
            ("indicators_raw_zh", project.indicators_raw_zh),
            ("n_indicators", len(items)),
            ("is_classified", project.is_classified),
            ("is_bond_table", project.is_bond_table),
            ("flags", ";".join(sorted(set(flags)))),
            ("source_line", project.source_line),
            ("source_line_end", project.source_line_end),
        ):
            projects[name].append(value)
        _extend_indicators(indicators, items, project_id, project)

    department = sidecar.get("department_zh") or result.department_zh
    department_source = "sidecar" if sidecar.get("department_zh") else result.department_source
    release_row = {
        "release_id": release_id,
        "source_file": raw.source_file,
        "source_sha256": raw.sha256,
        "source_bytes": raw.size_bytes,
        "encoding": raw.encoding,
        "layout": result.layout,
        "department_zh": department,
        "department_source": department_source,
        "department_key": department_key(department) if department else None,
        "currency_unit_zh": result.currency_unit_zh,
        "budget_year": budget_year.year,
        "budget_year_source": budget_year.source,
        "publisher_zh": sidecar.get("publisher_zh"),
        "source_url": sidecar.get("source_url"),
        "published_on": sidecar.get("published_on"),
        "parser_version": PARSER_VERSION,
        "n_budget_units": len(result.units),
        "n_projects": len(result.projects),
        "n_indicators": len(indicators["indicator_id"]),
        "source_line": result.department_line or 1,
    }
    units = new_columns(_COLUMNS["budget_units"])
    for unit in result.units:
        declared = unit.declared or {}
        for name, value in (
            ("unit_id", unit_ids[unit.seq]),
            ("unit_seq", unit.seq),
            ("unit_code", unit.code),
            ("unit_name_zh", unit.name_zh),
            ("unit_name_key", name_key(unit.name_zh)),
            ("declared_total_wan", declared.get("total")),
            ("declared_fiscal_wan", declared.get("fiscal")),
            ("declared_special_account_wan", declared.get("special_account")),
            ("declared_other_wan", declared.get("other")),
            ("has_declared_totals", unit.declared is not None),
            ("source_line", unit.source_line),
        ):
            units[name].append(value)
    totals = new_columns(_COLUMNS["declared_totals"])
    for total in result.declared_totals:
        for name, value in (
            ("subject", total.subject),
            ("total_wan", total.amounts["total"]),
            ("fiscal_wan", total.amounts["fiscal"]),
            ("special_account_wan", total.amounts["special_account"]),
            ("other_wan", total.amounts["other"]),
            ("source_line", total.source_line),
        ):
            totals[name].append(value)
    warning_columns = {
        "source_line": [w.line for w in warnings],
        "code": [w.code for w in warnings],
        "message": [w.message for w in warnings],
    }
    tables = {
        "releases": build_frame(
            tuple(release_row), {k: [v] for k, v in release_row.items()}, {"source_line": INT}
        ),
        "budget_units": _frame("budget_units", raw, units),
        "declared_totals": _frame("declared_totals", raw, totals),
        "projects": _frame("projects", raw, projects),
        "indicators": _frame("indicators", raw, indicators),
        "parse_warnings": _frame("parse_warnings", raw, warning_columns),
    }
    return ExtractedRelease(release_id=release_id, tables=tables)


def _extend_indicators(
    indicators: dict[str, list[Any]],
    items: IndicatorColumns,
    project_id: str,
    project: ProjectRecord,
) -> None:
    """Add one project's indicator block to the release's indicator columns."""
    count = len(items)
    if not count:
        return
    indicators["project_id"].extend([project_id] * count)
    indicators["indicator_id"].extend(
        [f"{project_id}-{seq:03d}" for seq in items.values["indicator_seq"]]
    )
    for name in ITEM_COLUMNS:
        indicators[name].extend(items.values[name])
    indicators["flags"].extend(items.flags_if_classified if project.is_classified else items.flags)
    # Tianjin rows carry their own lines; a Guangzhou cell sits on the project's line.
    indicators["source_line"].extend(items.lines or [project.source_line] * count)


def _frame(table: str, raw: RawRelease, columns: dict[str, list[Any]]) -> pd.DataFrame:
    """One extracted table from its columns, with the provenance pair in front."""
    count = len(columns["source_line"])
    columns["release_id"] = [raw.release_id] * count
    columns["source_file"] = [raw.source_file] * count
    return build_frame(_COLUMNS[table], columns)


def unit_id(release_id: str, unit: UnitRecord) -> str:
    """A budget unit's id: its code where printed, else its normalised name, within the release."""
    return stable_id(release_id, unit.code or name_key(unit.name_zh), length=12)


def _indicators(project: ProjectRecord) -> IndicatorColumns:
    """A project's indicators as columns: Tianjin's table, or Guangzhou's cell."""
    if project.indicator_rows is not None:
        return tianjin_indicator_columns(project.indicator_rows)
    return guangzhou_indicator_columns(project.indicators_raw_zh)


def _optional_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    return int(value)


_COLUMNS: dict[str, tuple[str, ...]] = {
    "budget_units": (
        "release_id",
        "source_file",
        "unit_id",
        "unit_seq",
        "unit_code",
        "unit_name_zh",
        "unit_name_key",
        "declared_total_wan",
        "declared_fiscal_wan",
        "declared_special_account_wan",
        "declared_other_wan",
        "has_declared_totals",
        "source_line",
    ),
    "declared_totals": (
        "release_id",
        "source_file",
        "subject",
        "total_wan",
        "fiscal_wan",
        "special_account_wan",
        "other_wan",
        "source_line",
    ),
    "projects": (
        "release_id",
        "source_file",
        "project_id",
        "project_seq",
        "unit_id",
        "unit_name_zh",
        "project_name_zh",
        "project_name_key",
        "total_wan",
        "fiscal_wan",
        "special_account_wan",
        "other_wan",
        "bond_wan",
        "currency_unit_zh",
        "amount_conversion",
        "goal_zh",
        "purpose_zh",
        "indicators_raw_zh",
        "n_indicators",
        "is_classified",
        "is_bond_table",
        "flags",
        "source_line",
        "source_line_end",
    ),
    "indicators": (
        "release_id",
        "source_file",
        "project_id",
        "indicator_id",
        *ITEM_COLUMNS,
        "flags",
        "source_line",
    ),
    "parse_warnings": ("release_id", "source_file", "source_line", "code", "message"),
}


def table_columns(table: str) -> tuple[str, ...]:
    """Column order of an extracted table (releases excepted: built in one place above)."""
    return _COLUMNS[table]


__all__ = ["TABLE_NAMES", "ExtractedRelease", "parse_release", "stable_id"]
