"""What a layout parser hands to release.py: plain records, before ids and frames exist.

Both layouts produce the same records so everything after parsing (ids, indicators, frames,
validation, reconciliation) is written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from parsers.indicators import TianjinIndicatorTable

FUNDING_SOURCES = ("fiscal", "special_account", "other", "bond")
AMOUNT_FIELDS = ("total", *FUNDING_SOURCES)
# The document's own total differs from its funding sources: kept as printed, flagged.
SOURCES_DIFFER_FLAG = "sources_differ_from_total"


_ZERO_WAN = Decimal("0.00")


def zero_amounts() -> dict[str, Decimal]:
    """Amounts of a row that prints none: blank cells mean zero money from that source.

    One shared zero (a Decimal never changes) rather than five parsed per row.
    """
    return dict.fromkeys(AMOUNT_FIELDS, _ZERO_WAN)


@dataclass
class Warning_:
    """Something the parser noticed, repaired or could not read; never silently dropped."""

    line: int | None
    code: str
    message: str


@dataclass
class UnitRecord:
    """A budget unit (预算单位) with the subtotal it declares, if it declares one."""

    seq: int
    name_zh: str
    source_line: int
    code: str | None = None
    declared: dict[str, Decimal | None] | None = None


@dataclass
class ProjectRecord:
    """A project (项目) row or table, amounts already in 万元."""

    seq: int
    unit_seq: int
    name_zh: str
    amounts: dict[str, Decimal]
    source_line: int
    source_line_end: int
    goal_zh: str | None = None
    purpose_zh: str | None = None
    indicators_raw_zh: str = ""
    indicator_rows: TianjinIndicatorTable | None = None
    currency_unit_zh: str = "万元"
    amount_conversion: str | None = None
    is_classified: bool = False
    is_bond_table: bool = False
    flags: list[str] = field(default_factory=list)


@dataclass
class DeclaredTotalRecord:
    """The 合计 row: the document's own grand total per funding source."""

    subject: str
    amounts: dict[str, Decimal]
    source_line: int


@dataclass
class LayoutResult:
    """Everything one layout parser extracts from one release."""

    layout: str
    department_zh: str | None
    department_source: str | None
    currency_unit_zh: str
    department_line: int | None
    units: list[UnitRecord]
    projects: list[ProjectRecord]
    declared_totals: list[DeclaredTotalRecord]
    warnings: list[Warning_]
