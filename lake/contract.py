"""The lake's data contract: every table and column defined once, everything else derived.

Each table of the Parquet lake is a ``Table`` of ``Column``s below. From it come

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
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa
import pyarrow
import yaml

from parsers.budget_year import SOURCE_DOCUMENT, SOURCE_SIDECAR
from parsers.model import FUNDING_SOURCES, SOURCES_DIFFER_FLAG
from parsers.reconciliation import DECLARED_SOURCES, ROUNDING_TOLERANCE_WAN, RULES, STATUSES
from parsers.targets import KINDS as TARGET_KINDS

REPO_DIR = Path(__file__).resolve().parent.parent
DBT_SOURCES_YML = REPO_DIR / "dbt_project" / "models" / "staging" / "lake" / "_lake__sources.yml"
DATA_CONTRACT_MD = REPO_DIR / "docs" / "data_contract.md"
PARTITION_COLUMN = "release_id"
SOURCE_NAME = "lake"


# ---------------------------------------------------------------------------------------------
# Value types: one per kind of value, each knowing its Arrow, dbt and Pandera spelling.


def _decimal_check(precision: int, scale: int, signed: bool) -> Callable[[object], bool]:
    limit = Decimal(10) ** (precision - scale)

    def fits(value: object) -> bool:
        if value is None:
            return True
        if not isinstance(value, Decimal) or not value.is_finite():
            return False
        if not signed and value < 0:
            return False
        return value.as_tuple().exponent >= -scale and abs(value) < limit

    return fits


@dataclass(frozen=True)
class ValueType:
    """How one kind of value is typed in each layer: Arrow file, dbt source, Pandera frame."""

    label: str
    arrow: pyarrow.DataType
    dbt: str
    pandera_dtype: Any
    coerce: bool = False
    element_check: Callable[[object], bool] | None = None
    check_error: str = ""
    unit: str | None = None


def decimal_type(
    precision: int, scale: int, *, signed: bool = False, unit: str | None = None, label: str = ""
) -> ValueType:
    """An exact decimal: Python ``Decimal`` in frames, ``decimal128(p, s)`` in every file."""
    sign = "" if signed else ", ≥ 0"
    return ValueType(
        label=label or f"decimal({precision},{scale})",
        arrow=pyarrow.decimal128(precision, scale),
        dbt=f"decimal({precision},{scale})",
        pandera_dtype=object,
        element_check=_decimal_check(precision, scale, signed),
        check_error=(
            f"must be a Decimal{sign} with at most {scale} decimals "
            f"and {precision - scale} integer digits" + (f" (in {unit})" if unit else "")
        ),
        unit=unit,
    )


TEXT = ValueType("string", pyarrow.string(), "varchar", str, coerce=True)
INTEGER = ValueType("int64", pyarrow.int64(), "bigint", "Int64", coerce=True)
BOOLEAN = ValueType("bool", pyarrow.bool_(), "boolean", bool)
DATE = ValueType(
    "date",
    pyarrow.date32(),
    "date",
    None,
    element_check=lambda value: (
        value is None or bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)))
    ),
    check_error="must be an ISO date YYYY-MM-DD",
)
# Money: exact 万元 with the fen the documents print; 18 digits hold any budget there is.
WAN = decimal_type(18, 2, unit="万元")
SIGNED_WAN = decimal_type(18, 2, signed=True, unit="万元")
# A tolerance is n × 0.005 万元: one more decimal than the figures it judges.
TOLERANCE_WAN = decimal_type(18, 3, unit="万元")
# A target's printed number (95, 99.5, 1,200,000 …) in its own unit: every partition the same
# decimal(38,6), the type the dbt source always declared, so no reader must rescale.
TARGET_NUMBER = decimal_type(38, 6, label="decimal(38,6)")


# ---------------------------------------------------------------------------------------------
# Columns and tables.


@dataclass(frozen=True)
class Column:
    """One column: its type, meaning (English, with the Chinese term) and its rules.

    ``values`` are the allowed values with their meanings; ``flags`` the same for a
    ``;``-joined list of flags (empty when none).
    """

    name: str
    type: ValueType
    description: str
    nullable: bool = False
    unique: bool = False
    values: Mapping[str, str] | None = None
    flags: Mapping[str, str] | None = None
    pattern: str | None = None
    minimum: int | None = None
    min_length: int | None = None

    @property
    def is_partition(self) -> bool:
        """True for the column that lives in the hive folder name, not in the file."""
        return self.name == PARTITION_COLUMN

    @property
    def unit(self) -> str | None:
        """The unit of the column's values, where it has one."""
        return self.type.unit


@dataclass(frozen=True)
class Table:
    """One lake table: ``parquet/<name>/release_id=<id>/part-0.parquet``."""

    name: str
    summary: str
    description: str
    columns: tuple[Column, ...]
    unique_together: tuple[str, ...] = ()
    checks: tuple[pa.Check, ...] = field(default=(), compare=False)
    # Computed from the extracted tables (not parsed): not validated as a parser output.
    derived: bool = False

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"lake table {self.name} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        """Every column, the partition column included, in contract order."""
        return tuple(column.name for column in self.columns)


def _release_id(what: str) -> Column:
    return Column(
        PARTITION_COLUMN,
        TEXT,
        f"Release {what} belongs to: the raw file's stem. Only in the hive folder name "
        "`release_id=<id>`, not inside the file.",
    )


SOURCE_FILE = Column(
    "source_file", TEXT, "Raw file name, relative to data_lake/raw/ (never an absolute path)."
)


def _source_line(what: str, *, nullable: bool = False) -> Column:
    return Column("source_line", INTEGER, what, nullable=nullable, minimum=1)


PROJECT_FLAGS = {
    "bond_table": "from the Tianjin special-bond table (专项债券); its bond money is bond_wan",
    "classified": "涉密 / SM project: its name, goal or indicators are placeholders",
    "converted_from_yuan": "amounts printed in 元 and converted to 万元 (÷ 10,000)",
    "rounded_after_conversion": "a converted amount had more than two decimals of 万元 and was "
    "rounded to the fen",
    "labels_swapped": "Tianjin bond table printing the project code under 项目性质 and the "
    "nature under 项目编号",
    "name_from_title": "Tianjin table without a 项目名称 cell: the name is the table's title",
    "name_spaces_repaired": "spaces inside the printed name were removed",
    "page_break_fragment_joined": "a cell cut by a page break was joined back to its row",
    "wrapped_line_joined": "a cell wrapped onto a line of its own was joined to the row above",
    "name_joined": "a name wrapped over two rows was joined onto the row with the amounts",
    "missing_name": "the row prints no project name",
    "missing_goal": "no 绩效目标 (performance goal) printed",
    "missing_indicators": "no 绩效指标 (performance indicators) printed",
    "missing_amounts": "the row prints no amount at all",
    "short_row": "fewer cells than the header: the row may be cut short",
    "extra_cells": "non-empty cells beyond the header's columns",
    "duplicate_row": "same name, amounts, goal and indicators as an earlier row (kept)",
    "extra_amount_column": "money from a column the layout does not name, added to its source",
    "unit_missing": "Tianjin table that names no budget unit (预算单位)",
    "total_computed": "bond table without 合计: the total is the sum of its sources",
    SOURCES_DIFFER_FLAG: "the document's own 总计 differs from the sum of its funding sources; "
    "both kept as printed",
    "indicators_unparsed": "indicator text is printed but no item could be read from it",
}

INDICATOR_FLAGS = {
    "placeholder": "the name or a target is a classified placeholder (涉密, SM项目, 待单位补充 …); "
    "also every indicator of a classified project whose annual target is one",
    "level2_in_level1_slot": "a level-2 name (数量指标, 时效指标 …) printed in the level-1 slot; "
    "kept where it is",
    "unknown_level1": "a level-1 name outside the framework of parsers/indicators.py",
    "unknown_level2": "a level-2 name outside the framework of parsers/indicators.py",
    "level1_missing": "Tianjin: blank level 1 with nothing above to inherit",
    "level2_missing": "Tianjin: blank level 2",
    "missing_annual_target": "no 年度指标值 / 指标值 (annual target) printed",
    "damaged_number": "Guangzhou: text without a readable `N、` item number (a cell starting "
    "mid-item, or an orphan cut out of the item before)",
    "duplicate_number": "Guangzhou: the printed item number was already used in the cell",
}

LAYOUTS = {
    "guangzhou_rows": "Guangzhou: one tab-separated row per project, indicators in one cell",
    "tianjin_tables": "Tianjin: one table per project, indicators as rows",
}
CURRENCY_UNITS = {"万元": "ten thousand yuan", "元": "yuan"}
TARGET_KIND_MEANINGS = {
    "exact": "one number, `=` (`100%`, `达到95%`); quantified",
    "comparison": "one number with a comparative (`≥95%`, `不低于90分`, `以内`); quantified",
    "direction": "a change, with or without a number (`下降5%`, `有所提高`); not a level",
    "deadline": "a date or deadline (`2026年12月31日前`, `年底前`, `按时完成`)",
    "qualitative": "prose, scoring rules or several numbers: the text is kept, no number read",
    "placeholder": "a classified placeholder (涉密, SM项目, 待单位补充 …)",
    "missing": "nothing printed",
}
OPERATORS = {"=": "equal to", "≥": "at least", "≤": "at most", ">": "more than", "<": "less than"}
FUNDING_SOURCE_TERMS = {
    "total": "总计, the total",
    "fiscal": "财政拨款, fiscal appropriation",
    "special_account": "财政专户拨款, special fiscal account",
    "other": "其他资金, other funds",
    "bond": "专项债券, special bonds",
}


def _sources_sum_to_total(frame: pd.DataFrame) -> pd.Series:
    sources = sum((frame[f"{source}_wan"] for source in FUNDING_SOURCES), Decimal(0))
    flagged = frame["flags"].str.contains(SOURCES_DIFFER_FLAG, regex=False)
    return (sources == frame["total_wan"]) | flagged


def _wan(name: str, description: str, *, nullable: bool = False) -> Column:
    return Column(name, WAN, description, nullable=nullable)


RELEASES = Table(
    "releases",
    "one row per raw release: provenance, layout, department, counts",
    "One row per raw file (a department's published 项目支出绩效目标表 for one release).",
    (
        Column(
            PARTITION_COLUMN,
            TEXT,
            "The raw file's stem. Only in the hive folder name `release_id=<id>`, not inside "
            "the file.",
            unique=True,
        ),
        SOURCE_FILE,
        Column(
            "source_sha256", TEXT, "Hex SHA-256 digest of the raw bytes.", pattern=r"^[0-9a-f]{64}$"
        ),
        Column("source_bytes", INTEGER, "Size of the raw file in bytes.", minimum=1),
        Column(
            "encoding",
            TEXT,
            "How the bytes were decoded (`utf-8`, `utf-8-sig`, `gb18030`).",
        ),
        Column("layout", TEXT, "Document layout.", values=LAYOUTS),
        Column(
            "department_zh",
            TEXT,
            "部门, the publishing department, as printed (Tianjin: behind the unit codes).",
            nullable=True,
        ),
        Column(
            "department_source",
            TEXT,
            "Where department_zh came from: `document`, `unit_codes` or `sidecar`.",
            nullable=True,
        ),
        Column(
            "department_key",
            TEXT,
            "department_zh normalised for matching across releases (部门名称 规范化键): NFKC, so "
            "full and half width agree; whitespace removed; brackets folded; a trailing （部门） "
            "dropped.",
            nullable=True,
        ),
        Column(
            "currency_unit_zh", TEXT, "单位, the unit printed in the header.", values=CURRENCY_UNITS
        ),
        Column(
            "budget_year",
            INTEGER,
            "Budget year (预算年度): the sidecar's budget_year, else the one year the title/header "
            "lines state (e.g. 2024年度项目支出绩效目标表); null when neither says it, or the "
            "header states several years (a budget_year_unknown parse warning says which); never "
            "taken from project names or goals.",
            nullable=True,
        ),
        Column(
            "budget_year_source",
            TEXT,
            "Where budget_year came from; null when budget_year is null.",
            nullable=True,
            values={
                SOURCE_SIDECAR: "the release's .meta.json sidecar",
                SOURCE_DOCUMENT: "the document's title or header lines",
            },
        ),
        Column("publisher_zh", TEXT, "Publisher (发布机关), from the sidecar only.", nullable=True),
        Column(
            "source_url",
            TEXT,
            "Where the document was published, from the sidecar only.",
            nullable=True,
        ),
        Column(
            "published_on",
            DATE,
            "Publication date (发布日期), from the sidecar only.",
            nullable=True,
        ),
        Column("parser_version", TEXT, "Version of the parsing rules, bumped when they change."),
        Column(
            "n_budget_units", INTEGER, "Number of budget units (预算单位) extracted.", minimum=1
        ),
        Column("n_projects", INTEGER, "Number of projects (项目) extracted.", minimum=1),
        Column("n_indicators", INTEGER, "Number of indicators (绩效指标) extracted.", minimum=0),
        _source_line("1-based line of the department line (or the first line) in the raw file."),
    ),
)

BUDGET_UNITS = Table(
    "budget_units",
    "预算单位 of a release, with their printed subtotals where declared",
    "One row per budget unit (预算单位) in document order, with the subtotal it declares where "
    "the document prints one (Guangzhou).",
    (
        _release_id("the unit"),
        SOURCE_FILE,
        Column(
            "unit_id",
            TEXT,
            "First 12 hex of sha1(`release_id|unit code or unit name key`): stable across "
            "re-runs and unique across releases.",
            unique=True,
        ),
        Column(
            "unit_seq",
            INTEGER,
            "1-based order of the unit in the document.",
            unique=True,
            minimum=1,
        ),
        Column(
            "unit_code",
            TEXT,
            "Tianjin 6-digit unit code (单位编码, e.g. `341101`); null in Guangzhou files.",
            nullable=True,
        ),
        Column("unit_name_zh", TEXT, "Unit name (单位名称) as printed.", min_length=1),
        Column(
            "unit_name_key",
            TEXT,
            "Normalised unit name (NFKC, whitespace removed, brackets folded), for matching "
            "across releases.",
            min_length=1,
        ),
        _wan(
            "declared_total_wan",
            "Declared unit subtotal 总计; null where the document declares none.",
            nullable=True,
        ),
        _wan(
            "declared_fiscal_wan",
            "Declared subtotal of 财政拨款 (fiscal appropriation); null where none is declared.",
            nullable=True,
        ),
        _wan(
            "declared_special_account_wan",
            "Declared subtotal of 财政专户拨款 (special fiscal account); null where none is "
            "declared.",
            nullable=True,
        ),
        _wan(
            "declared_other_wan",
            "Declared subtotal of 其他资金 (other funds); null where none is declared.",
            nullable=True,
        ),
        Column(
            "has_declared_totals",
            BOOLEAN,
            "True when the document prints a subtotal row for this unit.",
        ),
        _source_line("Line of the subtotal row, or the first line naming the unit."),
    ),
)

DECLARED_TOTALS = Table(
    "declared_totals",
    "合计 rows as printed: the release's declared grand totals (万元)",
    "One row per 合计 row printed (Guangzhou): the document's own grand total per funding "
    "source. Releases without a 合计 (Tianjin) have a 0-row file.",
    (
        _release_id("the 合计 row"),
        SOURCE_FILE,
        Column("subject", TEXT, "The row label as printed, `合计`."),
        _wan("total_wan", "Declared grand total 总计."),
        _wan("fiscal_wan", "Declared grand total of 财政拨款 (fiscal appropriation)."),
        _wan(
            "special_account_wan",
            "Declared grand total of 财政专户拨款 (special fiscal account).",
        ),
        _wan("other_wan", "Declared grand total of 其他资金 (other funds)."),
        _source_line("1-based line of the 合计 row."),
    ),
)

PROJECTS = Table(
    "projects",
    "项目: amounts in 万元 by funding source, goal, raw indicators",
    "One row per project (项目) in document order, amounts already in 万元.",
    (
        _release_id("the project"),
        SOURCE_FILE,
        Column(
            "project_id",
            TEXT,
            "First 16 hex of sha1(`release_id|unit code or unit name key|project name "
            "key|occurrence`): stable across re-runs and unique even where names repeat within "
            "a unit.",
            unique=True,
            pattern=r"^[0-9a-f]{16}$",
        ),
        Column(
            "project_seq",
            INTEGER,
            "1-based order of the project in the document.",
            unique=True,
            minimum=1,
        ),
        Column("unit_id", TEXT, "Owning budget unit (budget_units.unit_id)."),
        Column("unit_name_zh", TEXT, "Owning budget unit's name (单位名称) as printed."),
        Column("project_name_zh", TEXT, "Project name (项目名称) as printed (HTML stripped)."),
        Column(
            "project_name_key",
            TEXT,
            "Normalised name (NFKC, whitespace removed, full-width brackets folded).",
        ),
        _wan("total_wan", "总计 / 预算数, the project's total."),
        _wan(
            "fiscal_wan",
            "财政拨款 / 财政资金 (fiscal appropriation); 0.00 where the cell is blank.",
        ),
        _wan(
            "special_account_wan",
            "财政专户拨款 (special fiscal account); 0.00 where the cell is blank.",
        ),
        _wan("other_wan", "其他资金 (other funds); 0.00 where the cell is blank."),
        _wan("bond_wan", "专项债券 (special bonds, Tianjin bond table); 0.00 elsewhere."),
        Column(
            "currency_unit_zh",
            TEXT,
            "Unit printed for this project's amounts, before conversion.",
            values=CURRENCY_UNITS,
        ),
        Column(
            "amount_conversion",
            TEXT,
            "The conversion applied, e.g. `元→万元 ÷10000`; null when none.",
            nullable=True,
        ),
        Column(
            "goal_zh",
            TEXT,
            "绩效目标, the performance goal (Tianjin: 总体目标 + 当年目标 for bond tables).",
            nullable=True,
        ),
        Column("purpose_zh", TEXT, "资金用途, what the money is for (Tianjin).", nullable=True),
        Column(
            "indicators_raw_zh",
            TEXT,
            "The raw indicator text (绩效指标), nothing dropped: the Guangzhou cell; Tianjin rows "
            "joined with newlines, cells with tabs.",
        ),
        Column(
            "n_indicators",
            INTEGER,
            "Number of indicators parsed from indicators_raw_zh.",
            minimum=0,
        ),
        Column("is_classified", BOOLEAN, "涉密 / SM project whose indicators are placeholders."),
        Column("is_bond_table", BOOLEAN, "True for projects from the Tianjin special-bond table."),
        Column(
            "flags",
            TEXT,
            "`;`-joined parser flags, sorted; empty when none.",
            flags=PROJECT_FLAGS,
        ),
        _source_line("First raw line of the project."),
        Column("source_line_end", INTEGER, "Last raw line of the project.", minimum=1),
    ),
    checks=(
        pa.Check(
            _sources_sum_to_total,
            error=f"total_wan must equal the sum of its sources unless flagged "
            f"{SOURCES_DIFFER_FLAG}",
        ),
    ),
)

INDICATORS = Table(
    "indicators",
    "绩效指标 of each project: levels, name, period and annual targets",
    "One row per performance indicator (绩效指标), with the annual target parsed into kind, "
    "operator, value and unit. Releases without indicators have a 0-row file.",
    (
        _release_id("the indicator"),
        SOURCE_FILE,
        Column("project_id", TEXT, "Project the indicator belongs to (projects.project_id)."),
        Column("indicator_id", TEXT, "`<project_id>-<seq:03d>`, unique.", unique=True),
        Column(
            "indicator_seq",
            INTEGER,
            "1-based order of the indicator within its project.",
            minimum=1,
        ),
        Column(
            "printed_number",
            INTEGER,
            "The `N、` printed before the indicator (Guangzhou); null in Tianjin.",
            nullable=True,
        ),
        Column(
            "level1_code",
            TEXT,
            "Level-1 code as printed in Guangzhou (e.g. `1`), a string; null in Tianjin.",
            nullable=True,
        ),
        Column(
            "level1_name_zh",
            TEXT,
            "一级指标, level 1 as printed (产出指标, 效益指标 …).",
            nullable=True,
        ),
        Column(
            "level2_code",
            TEXT,
            "Level-2 code as printed in Guangzhou (e.g. `11`), a string; null in Tianjin.",
            nullable=True,
        ),
        Column(
            "level2_name_zh",
            TEXT,
            "二级指标, level 2 as printed (数量指标, 质量指标 …).",
            nullable=True,
        ),
        Column("indicator_name_zh", TEXT, "三级指标, the indicator itself.", nullable=True),
        Column(
            "description_zh",
            TEXT,
            "绩效指标描述, the indicator's description (Tianjin only).",
            nullable=True,
        ),
        Column(
            "period_target_zh",
            TEXT,
            "实施周期指标值, the target for the whole implementation period, as printed.",
            nullable=True,
        ),
        Column(
            "annual_target_zh",
            TEXT,
            "年度指标值 / 指标值, the target for this budget year, as printed.",
            nullable=True,
        ),
        Column(
            "target_kind",
            TEXT,
            "Parsed kind of the annual target.",
            values={kind: TARGET_KIND_MEANINGS[kind] for kind in TARGET_KINDS},
        ),
        Column(
            "target_operator",
            TEXT,
            "Parsed operator of the annual target; null when none.",
            nullable=True,
            values=OPERATORS,
        ),
        Column(
            "target_value",
            TARGET_NUMBER,
            "Parsed number of the annual target, exact, in target_unit (not money); null "
            "when none.",
            nullable=True,
        ),
        Column(
            "target_unit",
            TEXT,
            "Unit of target_value as printed (%, 个, 天 …); null when none.",
            nullable=True,
        ),
        Column("is_quantified", BOOLEAN, "True when the annual target carries a number."),
        Column(
            "period_target_kind",
            TEXT,
            "Parsed kind of the period target; null when none is printed.",
            nullable=True,
            values={kind: TARGET_KIND_MEANINGS[kind] for kind in TARGET_KINDS},
        ),
        Column(
            "flags",
            TEXT,
            "`;`-joined parser flags, sorted; empty when none.",
            flags=INDICATOR_FLAGS,
        ),
        _source_line("The Tianjin row's first line; the Guangzhou project row."),
    ),
    unique_together=("project_id", "indicator_seq"),
)

PARSE_WARNINGS = Table(
    "parse_warnings",
    "everything the parser repaired or could not read, with line numbers",
    "Everything the parser noticed and repaired or could not read, so nothing is silently lost.",
    (
        _release_id("the warning"),
        SOURCE_FILE,
        _source_line(
            "1-based line the warning is about; null for file-level warnings.", nullable=True
        ),
        Column("code", TEXT, "Machine-readable warning code (often the flag it raised)."),
        Column("message", TEXT, "Human-readable explanation."),
    ),
)

RECONCILIATION = Table(
    "reconciliation",
    "every declared figure against the sum of its parts, with its verdict",
    "One row per declared or derivable figure, compared with the sum of the printed figures it "
    "should equal (parsers/reconciliation.py computes it; the blocking checks judge it before "
    "the release is written; dbt's marts.reconciliation reads it as it is). Null declared "
    "figures have nothing to reconcile and get no row.",
    (
        _release_id("the figure"),
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
        _wan("declared_wan", "The figure as printed."),
        _wan("computed_wan", "The sum of the printed figures it should equal."),
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
        _source_line(
            "Line of the declared figure (the 合计 row, the unit's subtotal row or the project)."
        ),
    ),
    derived=True,
)

TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        RELEASES,
        BUDGET_UNITS,
        DECLARED_TOTALS,
        PROJECTS,
        INDICATORS,
        PARSE_WARNINGS,
        RECONCILIATION,
    )
}
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
        checks=list(table.checks),
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
    "Generated from lake/contract.py by `python -m lake.contract {command}`; "
    "edit the contract, not this file."
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
