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
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from parsers import indicators as indicator_parser
from parsers.budget_year import resolve_budget_year
from parsers.detect import detect_layout
from parsers.errors import ParseError
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
from parsers.targets import parse_target
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

    Rows are tuples in the column order of ``_COLUMNS`` (less the two provenance columns,
    which ``_frame`` adds): a dict per row and a lookup per cell cost more than the parse.
    """
    release_id = raw.release_id
    budget_year = resolve_budget_year(_optional_int(sidecar.get("budget_year")), raw.lines)
    warnings = [*result.warnings, *budget_year.warnings]
    unit_ids = {unit.seq: unit_id(release_id, unit) for unit in result.units}
    units_by_seq = {unit.seq: unit for unit in result.units}

    project_rows: list[tuple[Any, ...]] = []
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
        items, item_warnings = _indicators(project)
        warnings.extend(Warning_(project.source_line, "indicators", w) for w in item_warnings)
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
        project_rows.append(
            (
                project_id,
                project.seq,
                unit_ids[project.unit_seq],
                unit.name_zh,
                project.name_zh,
                key,
                amounts["total"],
                *(amounts[source] for source in FUNDING_SOURCES),
                project.currency_unit_zh,
                project.amount_conversion,
                project.goal_zh,
                project.purpose_zh,
                project.indicators_raw_zh,
                len(items),
                project.is_classified,
                project.is_bond_table,
                ";".join(sorted(set(flags))),
                project.source_line,
                project.source_line_end,
            )
        )
        lines = _indicator_lines(project, items)
        classified = project.is_classified
        indicator_rows.extend(
            (
                project_id,
                f"{project_id}-{item.indicator_seq:03d}",
                *_indicator_values(item, classified),
                line,
            )
            for item, line in zip(items, lines, strict=True)
        )

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
        "n_indicators": len(indicator_rows),
        "source_line": result.department_line or 1,
    }
    unit_rows = [_unit_values(unit_ids[unit.seq], unit) for unit in result.units]
    total_rows = [
        (
            total.subject,
            total.amounts["total"],
            *(total.amounts[source] for source in FUNDING_SOURCES if source != "bond"),
            total.source_line,
        )
        for total in result.declared_totals
    ]
    warning_rows = [(w.line, w.code, w.message) for w in warnings]
    tables = {
        "releases": pd.DataFrame([release_row]),
        "budget_units": _frame("budget_units", raw, unit_rows),
        "declared_totals": _frame("declared_totals", raw, total_rows),
        "projects": _frame("projects", raw, project_rows),
        "indicators": _frame("indicators", raw, indicator_rows),
        "parse_warnings": _frame("parse_warnings", raw, warning_rows),
    }
    return ExtractedRelease(release_id=release_id, tables=tables)


def _frame(table: str, raw: RawRelease, rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """One extracted table from row tuples (columns after the provenance pair, in order).

    Built column by column (``zip(*rows)``): pandas infers each column's dtype the same way as
    from records, several times faster; ``source_line`` is created as nullable ``Int64``.
    """
    columns = _columns(table)
    if not rows:
        return pd.DataFrame([], columns=columns).astype({"source_line": "Int64"})
    count = len(rows)
    data: dict[str, Any] = {
        "release_id": [raw.release_id] * count,
        "source_file": [raw.source_file] * count,
    }
    data.update(zip(columns[2:], map(list, zip(*rows, strict=True)), strict=True))
    data["source_line"] = pd.array(data["source_line"], dtype="Int64")
    return pd.DataFrame(data, columns=columns)


def unit_id(release_id: str, unit: UnitRecord) -> str:
    """A budget unit's id: its code where printed, else its normalised name, within the release."""
    return stable_id(release_id, unit.code or name_key(unit.name_zh), length=12)


def _unit_values(uid: str, unit: UnitRecord) -> tuple[Any, ...]:
    declared = unit.declared or {}
    return (
        uid,
        unit.seq,
        unit.code,
        unit.name_zh,
        name_key(unit.name_zh),
        declared.get("total"),
        declared.get("fiscal"),
        declared.get("special_account"),
        declared.get("other"),
        unit.declared is not None,
        unit.source_line,
    )


def _indicators(project: ProjectRecord) -> tuple[list[Any], list[str]]:
    if project.indicator_rows is not None:
        parsed = indicator_parser.parse_tianjin_indicator_rows(project.indicator_rows)
        return list(parsed.items), list(parsed.warnings)
    if project.indicators_raw_zh:
        items, item_warnings = _guangzhou_indicators(project.indicators_raw_zh)
        return list(items), list(item_warnings)
    return [], []


@lru_cache(maxsize=4096)
def _guangzhou_indicators(text: str) -> tuple[tuple[Any, ...], tuple[str, ...]]:
    """One Guangzhou indicator cell, parsed once per text.

    Cells repeat (广州市公安局 prints the same 辅警补助经费 cell nine times); the items are
    frozen, so sharing them between projects is safe.
    """
    parsed = indicator_parser.parse_guangzhou_indicators(text)
    return tuple(parsed.items), tuple(parsed.warnings)


def _indicator_lines(project: ProjectRecord, items: list[Any]) -> list[int]:
    """Source line of each indicator: its own row in Tianjin tables, the project row otherwise."""
    rows = project.indicator_rows
    if rows is not None and len(rows) == len(items):
        return [row.source_line for row in rows]
    return [project.source_line] * len(items)


def _indicator_values(item: Any, classified: bool) -> tuple[Any, ...]:
    """One indicator's columns from indicator_seq to flags (ids and line are the caller's)."""
    annual = parse_target(item.annual_target_zh)
    period = parse_target(item.period_target_zh) if item.period_target_zh else None
    flags = item.flags
    if classified and "placeholder" not in flags and annual.kind == "placeholder":
        flags = (*flags, "placeholder")
    return (
        item.indicator_seq,
        item.printed_number,
        item.level1_code,
        item.level1_name_zh,
        item.level2_code,
        item.level2_name_zh,
        item.indicator_name_zh,
        item.description_zh,
        item.period_target_zh,
        item.annual_target_zh,
        annual.kind,
        annual.operator,
        annual.value,
        annual.unit,
        annual.is_quantified,
        period.kind if period else None,
        ";".join(sorted(set(flags))) if flags else "",
    )


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
        "indicator_seq",
        "printed_number",
        "level1_code",
        "level1_name_zh",
        "level2_code",
        "level2_name_zh",
        "indicator_name_zh",
        "description_zh",
        "period_target_zh",
        "annual_target_zh",
        "target_kind",
        "target_operator",
        "target_value",
        "target_unit",
        "is_quantified",
        "period_target_kind",
        "flags",
        "source_line",
    ),
    "parse_warnings": ("release_id", "source_file", "source_line", "code", "message"),
}


def _columns(table: str) -> list[str]:
    return list(_COLUMNS[table])


def table_columns(table: str) -> tuple[str, ...]:
    """Column order of an extracted table (releases excepted: built in one place above)."""
    return _COLUMNS[table]


__all__ = ["TABLE_NAMES", "ExtractedRelease", "parse_release", "stable_id"]
