"""parse_release(path): the one entry point the assets call.

Reads the file, detects the layout, runs the layout parser and turns its records into the
extracted tables of docs/data_contract.md: stable ids, provenance on every row, amounts as
exact Decimals in 万元, indicators parsed, and every repair or doubt kept as a parse warning.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from parsers.budget_year import resolve_budget_year
from parsers.detect import detect_layout
from parsers.errors import ParseError
from parsers.indicators import (
    ROW_COLUMNS,
    IndicatorColumns,
    guangzhou_indicator_columns,
    tianjin_indicator_columns,
)
from parsers.layouts.guangzhou import LAYOUT as GUANGZHOU
from parsers.layouts.guangzhou import parse_guangzhou
from parsers.layouts.tianjin import parse_tianjin
from parsers.model import (
    AMOUNT_FIELDS,
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
    layout = detect_layout(raw.lines, raw.path, raw.text)
    if layout == GUANGZHOU:
        result = parse_guangzhou(raw.lines, raw.path)
    else:
        result = parse_tianjin(raw.lines, raw.path, raw.text)
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

    Each column is built whole, keyed by the contract's column name: a comprehension over
    the records, or, for indicators, the blocks of every project chained together. Each table
    becomes an Arrow table once, typed by the contract (parsers/tables.py), so the parser keeps
    no second list of names or kinds. What repeats per row (the release, the file, a project's
    id on each of its indicators) and what counts rows (indicator ids and numbers) is made by
    Arrow from one value or one count per project (_indicator_keys), not a Python value per row.
    """
    release_id = raw.release_id
    budget_year = resolve_budget_year(_optional_int(sidecar.get("budget_year")), raw.lines)
    warnings = [*result.warnings, *budget_year.warnings]
    units_by_seq = {unit.seq: unit for unit in result.units}
    unit_keys = {unit.seq: _unit_key(unit) for unit in result.units}
    unit_ids = {seq: stable_id(release_id, key, length=12) for seq, key in unit_keys.items()}

    records = result.projects
    keys = [name_key(project.name_zh) for project in records]
    project_ids = _project_ids(release_id, records, keys, unit_keys)
    blocks = [_indicators(project) for project in records]
    project_flags: list[str] = []
    for project, items in zip(records, blocks, strict=True):
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
        if not items.flags and project.indicators_raw_zh:
            flags = [*flags, "indicators_unparsed"]
        project_flags.append(";".join(sorted(set(flags))) if flags else "")
    amounts = [project.amounts for project in records]
    counts = [len(items.flags) for items in blocks]
    projects: dict[str, Any] = {
        "project_id": project_ids,
        "project_seq": [project.seq for project in records],
        "unit_id": [unit_ids[project.unit_seq] for project in records],
        "unit_name_zh": [units_by_seq[project.unit_seq].name_zh for project in records],
        "project_name_zh": [project.name_zh for project in records],
        "project_name_key": keys,
        **{f"{source}_wan": [row[source] for row in amounts] for source in AMOUNT_FIELDS},
        "currency_unit_zh": [project.currency_unit_zh for project in records],
        "amount_conversion": [project.amount_conversion for project in records],
        "goal_zh": [project.goal_zh for project in records],
        "purpose_zh": [project.purpose_zh for project in records],
        "indicators_raw_zh": [project.indicators_raw_zh for project in records],
        "n_indicators": counts,
        "is_classified": [project.is_classified for project in records],
        "is_bond_table": [project.is_bond_table for project in records],
        "flags": project_flags,
        "source_line": [project.source_line for project in records],
        "source_line_end": [project.source_line_end for project in records],
    }
    indicators = _indicator_columns(records, blocks, project_ids, counts)

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
        "n_projects": len(records),
        "n_indicators": sum(counts),
        "source_line": result.department_line or 1,
    }
    units = result.units
    declared = [unit.declared or {} for unit in units]
    unit_columns: dict[str, Any] = {
        "unit_id": [unit_ids[unit.seq] for unit in units],
        "unit_seq": [unit.seq for unit in units],
        "unit_code": [unit.code for unit in units],
        "unit_name_zh": [unit.name_zh for unit in units],
        "unit_name_key": [name_key(unit.name_zh) for unit in units],
        **{f"declared_{source}_wan": [row.get(source) for row in declared] for source in _DECLARED},
        "has_declared_totals": [unit.declared is not None for unit in units],
        "source_line": [unit.source_line for unit in units],
    }
    totals = result.declared_totals
    total_columns: dict[str, Any] = {
        "subject": [total.subject for total in totals],
        **{f"{source}_wan": [total.amounts[source] for total in totals] for source in _DECLARED},
        "source_line": [total.source_line for total in totals],
    }
    warning_columns: dict[str, Any] = {
        "source_line": [w.line for w in warnings],
        "code": [w.code for w in warnings],
        "message": [w.message for w in warnings],
    }
    tables = {
        "releases": _table(raw, "releases", {k: [v] for k, v in release_row.items()}),
        "budget_units": _table(raw, "budget_units", unit_columns),
        "declared_totals": _table(raw, "declared_totals", total_columns),
        "projects": _table(raw, "projects", projects),
        "indicators": _table(raw, "indicators", indicators),
        "parse_warnings": _table(raw, "parse_warnings", warning_columns),
    }
    return ExtractedRelease(release_id=release_id, tables=tables)


# The funding sources a unit's subtotal and the 合计 row declare (no bond column there).
_DECLARED = ("total", "fiscal", "special_account", "other")


def _project_ids(
    release_id: str,
    records: list[ProjectRecord],
    keys: list[str],
    unit_keys: dict[int, str],
) -> list[str]:
    """Each project's stable id: release, unit, name key and which repeat of that name it is."""
    occurrences: dict[tuple[int, str], int] = {}
    ids = []
    for project, key in zip(records, keys, strict=True):
        name = (project.unit_seq, key)
        occurrence = occurrences[name] = occurrences.get(name, 0) + 1
        ids.append(stable_id(release_id, unit_keys[project.unit_seq], key, str(occurrence)))
    return ids


def _indicator_columns(
    records: list[ProjectRecord],
    blocks: list[IndicatorColumns],
    project_ids: list[str],
    counts: list[int],
) -> dict[str, Any]:
    """Every project's indicator block chained into the release's indicator columns.

    An item's row (its text columns and stored flags, see IndicatorColumns) is one shared
    tuple, turned into columns by one zip over the whole release. A classified project stores
    the same flags as any other (see IndicatorColumns).
    """
    rows = list(_chained(items.rows for items in blocks))
    if not rows:
        return {name: [] for name in _INDICATOR_NAMES}
    project_id, indicator_id, indicator_seq = _indicator_keys(project_ids, counts)
    return {
        "project_id": project_id,
        "indicator_id": indicator_id,
        "indicator_seq": indicator_seq,
        "printed_number": list(_chained(items.numbers for items in blocks)),
        **_row_columns(rows),
        # Tianjin rows carry their own lines; a Guangzhou cell sits on the project's line.
        "source_line": list(
            _chained(
                items.lines or repeat(project.source_line, len(items.flags))
                for project, items in zip(records, blocks, strict=True)
            )
        ),
    }


def _row_columns(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """The item rows as the indicator table's ``ROW_COLUMNS``: one Arrow conversion for all.

    Arrow reads the rows as one struct array, whose fields are the columns, typed by the
    contract: no Python transposition of the rows and no conversion call per column. A value
    the contract's type cannot hold fails the whole conversion; the columns are then handed
    over as lists, so _table types each from its values as it does for any other table.
    """
    try:
        return dict(zip(ROW_COLUMNS, pa.array(rows, _ROW_STRUCT).flatten(), strict=True))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return dict(zip(ROW_COLUMNS, zip(*rows, strict=True), strict=True))


_chained = chain.from_iterable


_INDICATOR_NAMES = (
    "project_id",
    "indicator_id",
    "indicator_seq",
    "printed_number",
    *ROW_COLUMNS,
    "source_line",
)
_ROW_STRUCT = pa.struct([arrow_schema("indicators").field(column) for column in ROW_COLUMNS])


def _indicator_keys(
    project_ids: list[str], counts: list[int]
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Each indicator's project id, its own id (``<project id>-<seq:03d>``) and its seq.

    Made from one id and one count per project: numpy repeats each project's position and
    first row over its indicators, and the seq is the row less that first row. The ids are
    then bytes of one width (``_usual_ids``) wherever they can be; otherwise Arrow picks the
    ids and the zero-padded numbers by position and joins them. The same strings as an
    f-string per indicator, which cost three times as much; Arrow's compute functions cost
    more than numpy here for their fixed cost per call (take, join), paid per release.
    """
    per_project = np.array(counts, dtype=np.int64)
    parents = np.repeat(np.arange(len(per_project)), per_project)
    first_rows = np.repeat(np.cumsum(per_project) - per_project, per_project)
    seq = np.arange(1, len(parents) + 1) - first_rows
    largest = int(seq.max())
    usual = _usual_ids(project_ids, parents, seq) if largest < len(_PADDED_DIGITS) else None
    if usual is not None:
        return (*usual, pa.array(seq))
    project_id = pa.array(project_ids, pa.string()).take(pa.array(parents))
    numbers = _PADDED_NUMBERS if largest < len(_PADDED_NUMBERS) else _padded_numbers(largest)
    number = numbers.take(pa.array(seq))
    return project_id, pc.binary_join_element_wise(project_id, number, "-"), pa.array(seq)


def _usual_ids(
    project_ids: list[str], parents: np.ndarray, seq: np.ndarray
) -> tuple[pa.Array, pa.Array] | None:
    """The project and indicator ids as byte rows of one width, None where they are not.

    Project ids are ``stable_id``'s hex digits, all of one width, and a seq under 1000 prints
    three digits: each id is then a fixed-width row of bytes, so numpy copies the project's
    row and the seq's digits into place for every indicator at once, and Arrow takes the bytes
    as its string buffer with offsets every ``width`` bytes, without a Python string per id.
    None where the ids differ in width or are not ASCII (not stable_id's): the caller joins.
    """
    widths = set(map(len, project_ids))
    joined = "".join(project_ids).encode()
    width = widths.pop()
    if widths or len(joined) != width * len(project_ids):
        return None
    project_rows = np.frombuffer(joined, np.uint8).reshape(-1, width)[parents]
    id_rows = np.empty((len(parents), width + 4), np.uint8)
    id_rows[:, :width] = project_rows
    id_rows[:, width] = ord("-")
    id_rows[:, width + 1 :] = _PADDED_DIGITS[seq]
    return _fixed_width_strings(project_rows), _fixed_width_strings(id_rows)


def _fixed_width_strings(rows: np.ndarray) -> pa.Array:
    """A string array whose values are the rows of a C-ordered 2-D uint8 array."""
    count, width = rows.shape
    offsets = np.arange(0, (count + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(count, pa.py_buffer(offsets), pa.py_buffer(rows))


def _padded_numbers(largest: int) -> pa.Array:
    """The numbers 0 … ``largest`` as printed in an indicator id: ``007``, ``1000``."""
    return pa.array([f"{number:03d}" for number in range(largest + 1)], pa.string())


# Made once at import: a project with a thousand indicators is the rare case made on demand.
_PADDED_NUMBERS = _padded_numbers(999)
# The same numbers' three ASCII digits, one row per number, for _usual_ids.
_PADDED_DIGITS = np.frombuffer("".join(_PADDED_NUMBERS.to_pylist()).encode(), np.uint8).reshape(
    -1, 3
)


def _table(raw: RawRelease, name: str, columns: dict[str, Any]) -> pa.Table:
    """One extracted table from its columns, typed by the contract (parsers/tables.py).

    The provenance pair is added here, once per table, as one value repeated by Arrow. A
    value the contract's type cannot hold (a target number with seven decimals, a date that
    is not one) keeps its column typed from its values instead, so the lake's schema check
    refuses the release, naming the value, rather than the parser failing on it.
    """
    count = len(columns["source_line"])
    if count <= _ROWS_AS_STRUCT and name in _ROW_STRUCTS:
        try:
            return _table_of_rows(raw, name, columns)
        except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError):
            pass  # the column routes below find the column at fault, or refuse unequal columns
    columns["release_id"] = pa.repeat(pa.scalar(raw.release_id, pa.string()), count)
    columns["source_file"] = pa.repeat(pa.scalar(raw.source_file, pa.string()), count)
    schema = arrow_schema(name)
    try:
        return pa.Table.from_arrays(_typed_arrays(columns, name, count), schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.table({field.name: _array(columns[field.name], field) for field in schema})


def _table_of_rows(raw: RawRelease, name: str, columns: dict[str, Any]) -> pa.Table:
    """A table of a handful of rows (the release, its units, totals, warnings) in one call.

    Its rows become one struct array typed by the contract, whose fields are the columns:
    one Arrow conversion for the table rather than one per type, sliced (_typed_arrays),
    which for a one-row table cost a third more. Past a few rows the struct costs more.
    """
    count = len(columns["source_line"])
    columns["release_id"] = repeat(raw.release_id, count)
    columns["source_file"] = repeat(raw.source_file, count)
    struct, names = _ROW_STRUCTS[name]
    rows = list(zip(*[columns[column] for column in names], strict=True))
    return pa.Table.from_struct_array(pa.array(rows, struct))


def _typed_arrays(columns: dict[str, Any], name: str, count: int) -> list[pa.Array]:
    """The table's columns as Arrow arrays, one conversion per type where the table is small.

    Each ``pa.array`` call has a fixed cost before its first value, which for the one-row and
    few-row tables of a release (the release itself, its units, totals and warnings) is most
    of their cost. So the columns of one type are chained into one list, converted once and
    sliced (a slice shares the buffer, no copy). Past ``_GROUPED_ROWS`` rows the values
    dominate and chaining them costs more than the calls it saves, so each column is
    converted on its own. The fields and their grouping come from ``_COLUMN_TYPES``, made once:
    reading a schema's fields makes new Python objects, and a type's hash formats its name.
    """
    fields, groups = _COLUMN_TYPES[name]
    if count > _GROUPED_ROWS:
        return [_array_of(columns[column], kind) for column, kind in fields]
    arrays = {}
    for kind, names in groups:
        if len(names) == 1:
            arrays[names[0]] = _array_of(columns[names[0]], kind)
            continue
        lists = [columns[column] for column in names]
        if any(len(values) != count for values in lists):
            raise pa.ArrowInvalid(f"the columns of {name} differ in length")
        chained = pa.array(list(_chained(lists)), kind)
        for position, column in enumerate(names):
            arrays[column] = chained.slice(position * count, count)
    return [arrays[column] for column, _ in fields]


def _column_types(schema: pa.Schema, arrow_made: frozenset[str]) -> tuple[tuple, tuple]:
    """A table's (name, type) pairs, and its list-valued columns grouped by type."""
    fields = tuple((field.name, field.type) for field in schema)
    groups: dict[str, tuple[pa.DataType, list[str]]] = {}
    for column, kind in fields:
        if column in arrow_made:
            groups[column] = (kind, [column])
        else:
            groups.setdefault(str(kind), (kind, []))[1].append(column)
    return fields, tuple((kind, tuple(names)) for kind, names in groups.values())


# Columns build_tables makes as Arrow arrays itself; never chained with the others.
_ARROW_MADE = frozenset(
    ("release_id", "source_file", "project_id", "indicator_id", "indicator_seq")
)
_COLUMN_TYPES = {
    name: _column_types(
        arrow_schema(name),
        _ARROW_MADE | frozenset(ROW_COLUMNS) if name == "indicators" else _ARROW_MADE,
    )
    for name in TABLE_NAMES
}

# Above this many rows a table's columns are converted one by one (see _typed_arrays).
_GROUPED_ROWS = 256
# At or under this many rows a table is converted as one struct array of its rows (see
# _table_of_rows); the indicators, whose columns are mostly Arrow already, never are.
_ROWS_AS_STRUCT = 8
# Each struct with its field names: iterating a struct makes a new Field object per field.
_ROW_STRUCTS = {
    name: (pa.struct(arrow_schema(name)), tuple(arrow_schema(name).names))
    for name in TABLE_NAMES
    if name != "indicators"
}


def _array_of(values: Any, kind: pa.DataType) -> pa.Array:
    return values if isinstance(values, pa.Array) else pa.array(values, kind)


def _array(values: Any, field: pa.Field) -> pa.Array:
    try:
        return _array_of(values, field.type)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array(values)


def _unit_key(unit: UnitRecord) -> str:
    """A unit's code where printed, else its normalised name: its id and its projects' hash it."""
    return unit.code or name_key(unit.name_zh)


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
