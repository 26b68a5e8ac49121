"""The extracted tables and their columns, defined once: what ``parse_release`` fills.

Each table the parser extracts is a ``Table`` of ``Column``s here, with each column's value
type (its Arrow, dbt and Pandera spelling), meaning and rules. The parser builds its Arrow tables
by these names and types (``arrow_schema``); lake/contract.py adds the derived reconciliation
table and derives from all of them the Pandera schemas, the Parquet files' Arrow schema, dbt's
source yml and docs/data_contract.md. Adding a column is one ``Column`` here plus the code that
fills it.

This module needs pyarrow and the parsers' own vocabularies only (no pandas, no Pandera), so the
parser reads it without loading the lake; lake/contract.py says why the definitions are small
dataclasses rather than a Pandera ``DataFrameModel``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyarrow

from parsers.budget_year import SOURCE_DOCUMENT, SOURCE_SIDECAR
from parsers.model import FUNDING_SOURCES, SOURCES_DIFFER_FLAG
from parsers.targets import KINDS as TARGET_KINDS

if TYPE_CHECKING:
    import pandas as pd

PARTITION_COLUMN = "release_id"


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
class FrameRule:
    """A rule over a whole table (rows compared with each other), checked by the lake's Pandera."""

    check: Callable[[pd.DataFrame], pd.Series]
    error: str


@dataclass(frozen=True)
class Table:
    """One lake table: ``parquet/<name>/release_id=<id>/part-0.parquet``."""

    name: str
    summary: str
    description: str
    columns: tuple[Column, ...]
    unique_together: tuple[str, ...] = ()
    checks: tuple[FrameRule, ...] = field(default=(), compare=False)
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


def release_id_column(what: str) -> Column:
    """The partition column, worded for the table (``what`` its rows are)."""
    return Column(
        PARTITION_COLUMN,
        TEXT,
        f"Release {what} belongs to: the raw file's stem. Only in the hive folder name "
        "`release_id=<id>`, not inside the file.",
    )


SOURCE_FILE = Column(
    "source_file", TEXT, "Raw file name, relative to data_lake/raw/ (never an absolute path)."
)


def source_line_column(what: str, *, nullable: bool = False) -> Column:
    """The 1-based raw line a row comes from: provenance on every table."""
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


def wan_column(name: str, description: str, *, nullable: bool = False) -> Column:
    """A money column in 万元."""
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
        source_line_column(
            "1-based line of the department line (or the first line) in the raw file."
        ),
    ),
)

BUDGET_UNITS = Table(
    "budget_units",
    "预算单位 of a release, with their printed subtotals where declared",
    "One row per budget unit (预算单位) in document order, with the subtotal it declares where "
    "the document prints one (Guangzhou).",
    (
        release_id_column("the unit"),
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
        wan_column(
            "declared_total_wan",
            "Declared unit subtotal 总计; null where the document declares none.",
            nullable=True,
        ),
        wan_column(
            "declared_fiscal_wan",
            "Declared subtotal of 财政拨款 (fiscal appropriation); null where none is declared.",
            nullable=True,
        ),
        wan_column(
            "declared_special_account_wan",
            "Declared subtotal of 财政专户拨款 (special fiscal account); null where none is "
            "declared.",
            nullable=True,
        ),
        wan_column(
            "declared_other_wan",
            "Declared subtotal of 其他资金 (other funds); null where none is declared.",
            nullable=True,
        ),
        Column(
            "has_declared_totals",
            BOOLEAN,
            "True when the document prints a subtotal row for this unit.",
        ),
        source_line_column("Line of the subtotal row, or the first line naming the unit."),
    ),
)

DECLARED_TOTALS = Table(
    "declared_totals",
    "合计 rows as printed: the release's declared grand totals (万元)",
    "One row per 合计 row printed (Guangzhou): the document's own grand total per funding "
    "source. Releases without a 合计 (Tianjin) have a 0-row file.",
    (
        release_id_column("the 合计 row"),
        SOURCE_FILE,
        Column("subject", TEXT, "The row label as printed, `合计`."),
        wan_column("total_wan", "Declared grand total 总计."),
        wan_column("fiscal_wan", "Declared grand total of 财政拨款 (fiscal appropriation)."),
        wan_column(
            "special_account_wan",
            "Declared grand total of 财政专户拨款 (special fiscal account).",
        ),
        wan_column("other_wan", "Declared grand total of 其他资金 (other funds)."),
        source_line_column("1-based line of the 合计 row."),
    ),
)

PROJECTS = Table(
    "projects",
    "项目: amounts in 万元 by funding source, goal, raw indicators",
    "One row per project (项目) in document order, amounts already in 万元.",
    (
        release_id_column("the project"),
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
        wan_column("total_wan", "总计 / 预算数, the project's total."),
        wan_column(
            "fiscal_wan",
            "财政拨款 / 财政资金 (fiscal appropriation); 0.00 where the cell is blank.",
        ),
        wan_column(
            "special_account_wan",
            "财政专户拨款 (special fiscal account); 0.00 where the cell is blank.",
        ),
        wan_column("other_wan", "其他资金 (other funds); 0.00 where the cell is blank."),
        wan_column("bond_wan", "专项债券 (special bonds, Tianjin bond table); 0.00 elsewhere."),
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
        source_line_column("First raw line of the project."),
        Column("source_line_end", INTEGER, "Last raw line of the project.", minimum=1),
    ),
    checks=(
        FrameRule(
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
        release_id_column("the indicator"),
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
        source_line_column("The Tianjin row's first line; the Guangzhou project row."),
    ),
    unique_together=("project_id", "indicator_seq"),
)

PARSE_WARNINGS = Table(
    "parse_warnings",
    "everything the parser repaired or could not read, with line numbers",
    "Everything the parser noticed and repaired or could not read, so nothing is silently lost.",
    (
        release_id_column("the warning"),
        SOURCE_FILE,
        source_line_column(
            "1-based line the warning is about; null for file-level warnings.", nullable=True
        ),
        Column("code", TEXT, "Machine-readable warning code (often the flag it raised)."),
        Column("message", TEXT, "Human-readable explanation."),
    ),
)


EXTRACTED: dict[str, Table] = {
    table.name: table
    for table in (RELEASES, BUDGET_UNITS, DECLARED_TOTALS, PROJECTS, INDICATORS, PARSE_WARNINGS)
}


def arrow_schema(table: str) -> pyarrow.Schema:
    """The Arrow schema the parser builds ``table`` with: every column, ``release_id`` included."""
    return _ARROW_SCHEMAS[table]


_ARROW_SCHEMAS = {
    name: pyarrow.schema([pyarrow.field(c.name, c.type.arrow) for c in table.columns])
    for name, table in EXTRACTED.items()
}
