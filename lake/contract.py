"""The lake's data contract: every table and column defined once, everything else derived.

The tables the parser extracts are defined in parsers/tables.py (the parser builds its Arrow
tables from them, and must not load the lake to do so); the derived reconciliation table is
defined below. From these ``Table``s of ``Column``s come

- the Pandera schemas that decide whether a release may be written (``SCHEMAS``);
- the one Arrow schema every partition of a table is written with (``file_schema``);
- dbt's source yml, ``dbt_project/models/staging/lake/_lake__sources.yml``, and the reference
  page ``docs/data_contract.md``, both generated (``python -m lake.contract dbt-sources|docs``)
  and held to this module by tests/lake/test_contract.py.

Why small dataclasses rather than a Pandera ``DataFrameModel`` with ``Field`` metadata: money
and target numbers are Python ``Decimal`` objects in an ``object`` column, dates arrive as text,
so Pandera's dtype cannot say ``decimal(18,2)`` or ``date``; the Arrow and dbt types would have
to ride in ``Field(metadata=...)`` beside a dtype that says something else. Here each column
has one ``ValueType`` that knows its Arrow type, its dbt type and its Pandera dtype and check,
and a table is a plain list, so the generators are loops rather than class introspection.

The partition column ``release_id`` is part of every table but lives only in the hive folder
name (``release_id=<id>``), never inside a file: a column both in the file and in the path
breaks pandas, pyarrow.dataset and Spark with their default options (docs/data_contract.md).

This module imports ``parsers`` for the vocabularies the parsers emit (target kinds, funding
sources, reconciliation rules); ``parsers`` never imports ``lake``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa
import pyarrow
import yaml

from parsers.reconciliation import DECLARED_SOURCES, ROUNDING_TOLERANCE_WAN, RULES, STATUSES
from parsers.tables import (
    EXTRACTED,
    FUNDING_SOURCE_TERMS,
    INTEGER,
    PARTITION_COLUMN,
    SIGNED_WAN,
    SOURCE_FILE,
    TEXT,
    TOLERANCE_WAN,
    Column,
    Table,
    release_id_column,
    source_line_column,
    wan_column,
)

REPO_DIR = Path(__file__).resolve().parent.parent
DBT_SOURCES_YML = REPO_DIR / "dbt_project" / "models" / "staging" / "lake" / "_lake__sources.yml"
DATA_CONTRACT_MD = REPO_DIR / "docs" / "data_contract.md"
SOURCE_NAME = "lake"


RECONCILIATION = Table(
    "reconciliation",
    "every declared figure against the sum of its parts, with its verdict",
    "One row per declared or derivable figure, compared with the sum of the printed figures it "
    "should equal (parsers/reconciliation.py computes it; the blocking checks judge it before "
    "the release is written; dbt's marts.reconciliation reads it as it is). Null declared "
    "figures have nothing to reconcile and get no row.",
    (
        release_id_column("the figure"),
        Column(
            "check_name",
            TEXT,
            "The Dagster check that judges this row.",
            values={rule.check_name: rule.description for rule in RULES},
        ),
        Column(
            "level",
            TEXT,
            "Where the declared figure is printed.",
            values={
                "release": "the 合计 row",
                "unit": "a budget unit's declared subtotal",
                "project": "a project's 总计",
            },
        ),
        Column(
            "subject",
            TEXT,
            "What is compared with what.",
            values={rule.subject: rule.description for rule in RULES},
        ),
        Column(
            "entity_name_zh",
            TEXT,
            "The printed label of the declared figure (合计, the unit name or the project name).",
        ),
        Column(
            "unit_id",
            TEXT,
            "The unit (unit and project levels); null at release level.",
            nullable=True,
        ),
        Column("project_id", TEXT, "The project (project level); null otherwise.", nullable=True),
        Column(
            "funding_source",
            TEXT,
            "Which amount is compared; project rows compare `total`.",
            values=FUNDING_SOURCE_TERMS,
        ),
        wan_column("declared_wan", "The figure as printed."),
        wan_column("computed_wan", "The sum of the printed figures it should equal."),
        Column(
            "difference_wan",
            SIGNED_WAN,
            "declared_wan − computed_wan (positive when the document declares more).",
        ),
        Column(
            "tolerance_wan",
            TOLERANCE_WAN,
            f"{ROUNDING_TOLERANCE_WAN} 万元 × n_summed: the most printed two-decimal rounding "
            "can explain.",
        ),
        Column(
            "n_summed",
            INTEGER,
            "Number of non-null printed figures summed into computed_wan.",
            minimum=0,
        ),
        Column("status", TEXT, "The verdict.", values=STATUSES),
        SOURCE_FILE,
        source_line_column(
            "Line of the declared figure (the 合计 row, the unit's subtotal row or the project)."
        ),
    ),
    derived=True,
)

TABLES: dict[str, Table] = {**EXTRACTED, RECONCILIATION.name: RECONCILIATION}
# What parse_release returns; the lake holds these plus the derived tables.
EXTRACTED_TABLES = tuple(name for name, table in TABLES.items() if not table.derived)


# ---------------------------------------------------------------------------------------------
# Pandera.


def _flags_check(column: Column) -> pa.Check:
    allowed = frozenset(column.flags or ())

    def known(series: pd.Series) -> pd.Series:
        # Flags repeat: judge each distinct value once.
        verdicts = {
            value: all(flag in allowed for flag in str(value).split(";") if flag)
            for value in series.unique()
        }
        return series.map(verdicts).astype(bool)

    return pa.Check(
        known,
        name=f"{column.name}_are_documented",
        error=f"every flag must be one of docs/data_contract.md: {sorted(allowed)}",
    )


def _pandera_column(column: Column) -> pa.Column:
    checks: list[pa.Check] = []
    kind = column.type
    if kind.element_check is not None:
        checks.append(
            pa.Check(
                kind.element_check,
                element_wise=True,
                name=f"{column.name}_is_{kind.label.split('(')[0]}",
                error=f"{column.name} {kind.check_error}",
            )
        )
    if column.values is not None:
        checks.append(pa.Check.isin(tuple(column.values)))
    if column.flags is not None:
        checks.append(_flags_check(column))
    if column.pattern is not None:
        checks.append(pa.Check.str_matches(column.pattern))
    if column.minimum is not None:
        checks.append(pa.Check.ge(column.minimum))
    if column.min_length is not None:
        checks.append(pa.Check.str_length(min_value=column.min_length))
    return pa.Column(
        kind.pandera_dtype,
        checks=checks,
        nullable=column.nullable,
        unique=column.unique,
        coerce=kind.coerce,
        description=column.description,
        metadata={"arrow": str(kind.arrow), "dbt": kind.dbt, "unit": kind.unit},
    )


def pandera_schema(table: Table) -> pa.DataFrameSchema:
    """The schema a frame must meet to be written as ``table``: strict, every column typed."""
    return pa.DataFrameSchema(
        {column.name: _pandera_column(column) for column in table.columns},
        checks=[pa.Check(rule.check, error=rule.error) for rule in table.checks],
        unique=list(table.unique_together) or None,
        name=table.name,
        strict=True,
        description=table.description,
    )


SCHEMAS: dict[str, pa.DataFrameSchema] = {name: pandera_schema(t) for name, t in TABLES.items()}


# ---------------------------------------------------------------------------------------------
# Arrow.


def file_schema(table: str) -> pyarrow.Schema:
    """The Arrow schema of every Parquet file of ``table``: all columns but the partition one.

    Nullability is not declared in the file: a reader unioning partitions compares types, and
    Pandera has already held every non-null column to its promise.
    """
    return pyarrow.schema(
        [
            pyarrow.field(column.name, column.type.arrow)
            for column in TABLES[table].columns
            if not column.is_partition
        ]
    )


def dataset_schema(table: str) -> pyarrow.Schema:
    """The schema a reader sees over the whole table: the file columns plus ``release_id``."""
    return file_schema(table).insert(0, pyarrow.field(PARTITION_COLUMN, pyarrow.string()))


# ---------------------------------------------------------------------------------------------
# Generated files.

GENERATED_NOTE = (
    "Generated from parsers/tables.py and lake/contract.py by "
    "`python -m lake.contract {command}`; edit the contract, not this file."
)
_SOURCE_DESCRIPTION = (
    "The lake tables of docs/data_contract.md, read in place from "
    "`$BUDGET_LAKE_DIR/parquet/<table>/release_id=<id>/part-0.parquet` (hive partitioning: "
    "release_id comes from the folder name; the external_location is set once for the whole "
    "source in dbt_project.yml). Every partition of a table has the same Arrow schema, the "
    "data_types below. The orchestration writes one file per table per release, possibly with "
    "0 rows; until a table has a file, the `read_lake` macro reads it as an empty relation "
    "typed by these data_types. Amounts are exact decimals in 万元 (decimal(18,2))."
)


def _dbt_description(column: Column) -> str:
    if column.values is not None:
        return f"{column.description} One of: {', '.join(column.values)}."
    if column.flags is not None:
        return f"{column.description} Flag values and meanings: docs/data_contract.md."
    return column.description


def dbt_sources() -> dict[str, Any]:
    """The dbt source ``lake``: every table and column with its dbt type and description."""
    tables = []
    for table in TABLES.values():
        columns = []
        for column in table.columns:
            entry: dict[str, Any] = {
                "name": column.name,
                "data_type": column.type.dbt,
                "description": _dbt_description(column),
            }
            if column.unit:
                entry["meta"] = {"unit": column.unit}
            columns.append(entry)
        tables.append({"name": table.name, "description": table.description, "columns": columns})
    return {
        "version": 2,
        "sources": [{"name": SOURCE_NAME, "description": _SOURCE_DESCRIPTION, "tables": tables}],
    }


class _IndentedDumper(yaml.SafeDumper):
    """Indents list items under their key, as the hand-written dbt yml files do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def render_dbt_sources() -> str:
    """``_lake__sources.yml`` as text."""
    body = yaml.dump(
        dbt_sources(), Dumper=_IndentedDumper, sort_keys=False, allow_unicode=True, width=100
    )
    return f"# {GENERATED_NOTE.format(command='dbt-sources')}\n{body}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _type_cell(column: Column) -> str:
    text = column.type.label
    return f"{text}, null" if column.nullable else text


def _values_cell(column: Column) -> str:
    if column.values is not None:
        return "one of " + ", ".join(f"`{value}`" for value in column.values)
    if column.flags is not None:
        return "flags below"
    return ""


_INTRO = """\
# Data contract: the lake tables

Every table is written as Parquet under
`data_lake/parquet/<table>/release_id=<id>/part-0.parquet`, one file per table per release,
possibly with 0 rows. `release_id` is the hive partition: it lives in the folder name only, not
inside the files, so every reader's defaults see it exactly once:

```python
duckdb.sql("select * from read_parquet('data_lake/parquet/projects/*/*.parquet', "
           "hive_partitioning=true)")
pyarrow.dataset.dataset("data_lake/parquet/projects", partitioning="hive")
pandas.read_parquet("data_lake/parquet/projects")
```

pyarrow and pandas infer the partition value's type from the folder names: a lake whose release
ids are all digits (`2024`) would read `release_id` as an integer there; pass
`partitioning=pyarrow.dataset.partitioning(pyarrow.schema([("release_id", pyarrow.string())]),
flavor="hive")` for such a lake (dbt reads it with `hive_types_autocast=false`).

Every partition of a table has exactly the Arrow schema below (a 0-row file too), so no reader
needs `union_by_name` or a rescale. Amounts are exact decimals in 万元, `decimal(18,2)`; never
float. Text printed in the document keeps a `_zh` suffix. Every row keeps its provenance:
`release_id`, `source_file` (file name relative to `data_lake/raw/`) and `source_line` (1-based
line in the raw file).

A release is written only when its six extracted tables pass the Pandera schemas built from
this contract (types, nulls, uniqueness, allowed values and flags below) and its figures
reconcile; `reconciliation` is derived from the other tables.
"""


def render_docs() -> str:
    """``docs/data_contract.md`` as text."""
    lines = [f"<!-- {GENERATED_NOTE.format(command='docs')} -->", "", _INTRO]
    for table in TABLES.values():
        lines += [f"## {table.name}", "", table.description, ""]
        lines += ["| column | type | unit | meaning | values |", "|---|---|---|---|---|"]
        for column in table.columns:
            lines.append(
                f"| {column.name} | {_type_cell(column)} | {column.unit or ''} | "
                f"{_cell(column.description)} | {_cell(_values_cell(column))} |"
            )
        if table.unique_together:
            lines += ["", f"Unique together: {', '.join(table.unique_together)}."]
        for column in table.columns:
            meanings = column.values or column.flags
            if not meanings or column.name == "check_name":
                continue
            heading = "flags" if column.flags is not None else "values"
            lines += ["", f"{table.name}.{column.name} {heading}:", ""]
            lines += [f"- `{value}`: {_cell(meaning)}" for value, meaning in meanings.items()]
        lines.append("")
    lines += [
        "## Reconciliation rules",
        "",
        "Printed figures carry two decimals, so each may be off by half a fen of 万元: a sum of "
        f"n printed figures may drift by up to n × {ROUNDING_TOLERANCE_WAN} 万元 "
        "([docs/domain.md](domain.md#money-rounding-and-reconciliation); "
        "`ROUNDING_TOLERANCE_WAN`, parsers/reconciliation.py, the one place it is written). "
        "`tolerance_wan` = that × `n_summed`; `status` is `exact` when the difference is 0, "
        "`rounding` when |difference| ≤ tolerance, else `mismatch`, and a mismatch blocks the "
        f"release. 合计 rows and unit subtotals compare {', '.join(DECLARED_SOURCES)}; they print "
        "no bond column, so bond money reconciles at project level only.",
        "",
        "| check | level | subject | claim |",
        "|---|---|---|---|",
        *(
            f"| {rule.check_name} | {rule.level} | {rule.subject} | {rule.description} |"
            for rule in RULES
        ),
        "",
    ]
    return "\n".join(lines)


GENERATED = {
    "dbt-sources": (DBT_SOURCES_YML, render_dbt_sources),
    "docs": (DATA_CONTRACT_MD, render_docs),
}


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check``, compare) the files generated from the contract."""
    parser = argparse.ArgumentParser(prog="python -m lake.contract", description=main.__doc__)
    parser.add_argument("what", choices=[*GENERATED, "all"])
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is out of date")
    args = parser.parse_args(argv)
    stale = []
    for name in GENERATED if args.what == "all" else [args.what]:
        path, render = GENERATED[name]
        text = render()
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(
                    f"{path.relative_to(REPO_DIR)} is out of date: run "
                    f"`python -m lake.contract {name}`"
                )
        else:
            path.write_text(text, encoding="utf-8")
    for message in stale:
        sys.stderr.write(message + "\n")
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
