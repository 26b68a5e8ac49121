"""parse_release(path): the one entry point the assets call.

Reads the file, detects the layout, runs the layout parser and turns its records into the
extracted tables of docs/data_contract.md: stable ids, provenance on every row, amounts as
exact Decimals in 万元, indicators parsed, and every repair or doubt kept as a parse warning.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from parsers.budget_year import resolve_budget_year
from parsers.detect import detect_layout
from parsers.errors import ParseError
from parsers.indicators import (
    TEXT_COLUMNS,
    IndicatorColumns,
    guangzhou_indicator_columns,
    tianjin_indicator_columns,
)
from parsers.layouts.guangzhou import LAYOUT as GUANGZHOU
from parsers.layouts.guangzhou import parse_guangzhou
from parsers.layouts.tianjin import parse_tianjin
from parsers.model import (
    SOURCES_DIFFER_FLAG,
    LayoutResult,
    ProjectRecord,
    UnitRecord,
    Warning_,
)
from parsers.reader import RawRelease, read_release
from parsers.tables import arrow_schema
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
    tables: dict[str, pa.Table]


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

    Values go straight into one list per column, keyed by the contract's column name, and
    each table becomes an Arrow table once, typed by the contract (parsers/tables.py), so the
    parser keeps no second list of names or kinds.
    Indicators arrive as columns already, one block per cell or table, so a project extends
    the indicator lists a block at a time: no row object, tuple or dict per indicator.
    """
    release_id = raw.release_id
    budget_year = resolve_budget_year(_optional_int(sidecar.get("budget_year")), raw.lines)
    warnings = [*result.warnings, *budget_year.warnings]
    unit_ids = {unit.seq: unit_id(release_id, unit) for unit in result.units}
    units_by_seq = {unit.seq: unit for unit in result.units}

    projects: dict[str, list[Any]] = defaultdict(list)
    indicators: dict[str, list[Any]] = defaultdict(list)
    # Each indicator's text columns as one shared tuple (see IndicatorColumns): made columns
    # once, after the last project, by one zip.
    indicator_rows: list[tuple[Any, ...]] = []
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
        if items.warnings:
            warnings.extend(Warning_(project.source_line, "indicators", w) for w in items.warnings)
        flags = project.flags
        amounts = project.amounts
        total = amounts["total"]
        sources_sum = amounts["fiscal"] + amounts["special_account"]
        sources_sum = sources_sum + amounts["other"] + amounts["bond"]
        if sources_sum != total:
            flags = [*flags, SOURCES_DIFFER_FLAG]
            warnings.append(
                Warning_(
                    project.source_line,
                    SOURCES_DIFFER_FLAG,
                    f"{project.name_zh}: total {total} ≠ sources {sources_sum}",
                )
            )
        if not items and project.indicators_raw_zh:
            flags = [*flags, "indicators_unparsed"]
        projects["project_id"].append(project_id)
        projects["project_seq"].append(project.seq)
        projects["unit_id"].append(unit_ids[project.unit_seq])
        projects["unit_name_zh"].append(unit.name_zh)
        projects["project_name_zh"].append(project.name_zh)
        projects["project_name_key"].append(key)
        projects["total_wan"].append(total)
        projects["fiscal_wan"].append(amounts["fiscal"])
        projects["special_account_wan"].append(amounts["special_account"])
        projects["other_wan"].append(amounts["other"])
        projects["bond_wan"].append(amounts["bond"])
        projects["currency_unit_zh"].append(project.currency_unit_zh)
        projects["amount_conversion"].append(project.amount_conversion)
        projects["goal_zh"].append(project.goal_zh)
        projects["purpose_zh"].append(project.purpose_zh)
        projects["indicators_raw_zh"].append(project.indicators_raw_zh)
        projects["n_indicators"].append(len(items))
        projects["is_classified"].append(project.is_classified)
        projects["is_bond_table"].append(project.is_bond_table)
        projects["flags"].append(";".join(sorted(set(flags))))
        projects["source_line"].append(project.source_line)
        projects["source_line_end"].append(project.source_line_end)
        _extend_indicators(indicators, indicator_rows, items, project_id, project)
    if indicator_rows:
        indicators.update(zip(TEXT_COLUMNS, zip(*indicator_rows, strict=True), strict=True))

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
    units: dict[str, list[Any]] = defaultdict(list)
    for unit in result.units:
        declared = unit.declared or {}
        units["unit_id"].append(unit_ids[unit.seq])
        units["unit_seq"].append(unit.seq)
        units["unit_code"].append(unit.code)
        units["unit_name_zh"].append(unit.name_zh)
        units["unit_name_key"].append(name_key(unit.name_zh))
        units["declared_total_wan"].append(declared.get("total"))
        units["declared_fiscal_wan"].append(declared.get("fiscal"))
        units["declared_special_account_wan"].append(declared.get("special_account"))
        units["declared_other_wan"].append(declared.get("other"))
        units["has_declared_totals"].append(unit.declared is not None)
        units["source_line"].append(unit.source_line)
    totals: dict[str, list[Any]] = defaultdict(list)
    for total in result.declared_totals:
        totals["subject"].append(total.subject)
        totals["total_wan"].append(total.amounts["total"])
        totals["fiscal_wan"].append(total.amounts["fiscal"])
        totals["special_account_wan"].append(total.amounts["special_account"])
        totals["other_wan"].append(total.amounts["other"])
        totals["source_line"].append(total.source_line)
    warning_columns: dict[str, list[Any]] = {
        "source_line": [w.line for w in warnings],
        "code": [w.code for w in warnings],
        "message": [w.message for w in warnings],
    }
    tables = {
        "releases": _table(raw, "releases", {k: [v] for k, v in release_row.items()}),
        "budget_units": _table(raw, "budget_units", units),
        "declared_totals": _table(raw, "declared_totals", totals),
        "projects": _table(raw, "projects", projects),
        "indicators": _table(raw, "indicators", indicators),
        "parse_warnings": _table(raw, "parse_warnings", warning_columns),
    }
    return ExtractedRelease(release_id=release_id, tables=tables)


def _extend_indicators(
    indicators: dict[str, list[Any]],
    rows: list[tuple[Any, ...]],
    items: IndicatorColumns,
    project_id: str,
    project: ProjectRecord,
) -> None:
    """Add one project's indicator block to the release's indicator columns and rows."""
    count = len(items)
    if not count:
        return
    seqs = range(1, count + 1)
    indicators["project_id"].extend([project_id] * count)
    indicators["indicator_id"].extend([f"{project_id}-{seq:03d}" for seq in seqs])
    indicators["indicator_seq"].extend(seqs)
    indicators["printed_number"].extend(items.numbers)
    rows.extend(items.rows)
    indicators["flags"].extend(items.flags_if_classified if project.is_classified else items.flags)
    # Tianjin rows carry their own lines; a Guangzhou cell sits on the project's line.
    indicators["source_line"].extend(items.lines or [project.source_line] * count)


def _table(raw: RawRelease, name: str, columns: dict[str, list[Any]]) -> pa.Table:
    """One extracted table from its columns, typed by the contract (parsers/tables.py).

    The provenance pair is added here, once per table. A value the contract's type cannot hold
    (a target number with seven decimals, a date that is not one) keeps its column typed from
    its values instead, so the lake's schema check refuses the release, naming the value,
    rather than the parser failing on it.
    """
    count = len(columns["source_line"])
    columns["release_id"] = [raw.release_id] * count
    columns["source_file"] = [raw.source_file] * count
    schema = arrow_schema(name)
    try:
        return pa.Table.from_pydict(columns, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.table({field.name: _array(columns[field.name], field) for field in schema})


def _array(values: list[Any], field: pa.Field) -> pa.Array:
    try:
        return pa.array(values, type=field.type)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array(values)


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


__all__ = ["TABLE_NAMES", "ExtractedRelease", "parse_release", "stable_id"]
