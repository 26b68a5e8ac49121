"""The Guangzhou layout: one tab-separated row per project, units as subtotal rows.

Shape (as published by Guangzhou departments, extracted from PDF):
    部门名称：X / 单位：万元 / a header row 项目名称, 总计, 财政拨款, 财政专户拨款, 其他资金,
    绩效目标, 绩效指标; a 合计 row, then per budget unit a subtotal row (amounts, no goal,
    no indicators) followed by its projects.
The title, department line and header repeat at every page break. A row broken across a page
break leaves a fragment row (no name, no amounts) holding the start or the end of a cell; which
project it belongs to is decided from the text itself (does it start a numbered list, does the
neighbour's cell end mid-sentence), not by position alone.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from parsers.amounts import (
    WAN,
    YUAN,
    YUAN_TO_WAN_NOTE,
    AmountError,
    parse_amount_wan,
    to_cents_of_wan,
)
from parsers.classified import looks_classified
from parsers.errors import ParseError
from parsers.model import (
    DeclaredTotalRecord,
    LayoutResult,
    ProjectRecord,
    UnitRecord,
    Warning_,
    zero_amounts,
)
from parsers.reconciliation import ROUNDING_TOLERANCE_WAN
from parsers.text import clean_cell, clean_name, is_plain

LAYOUT = "guangzhou_rows"

# Header names as printed, per column role. Matched after NFKC and whitespace removal; the
# first role whose alias equals (or, failing that, starts) the cell wins, so 财政专户拨款 is
# tried before 财政拨款.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("项目名称(资金使用单位)", "项目名称", "项目(单位)名称", "单位名称", "项目", "名称"),
    "total": ("总计", "合计", "预算数", "金额合计", "资金总额", "小计", "预算金额", "金额"),
    "special_account": ("财政专户拨款", "财政专户管理资金", "财政专户"),
    "fiscal": ("财政拨款", "财政资金", "一般公共预算"),
    "other": ("其他资金", "其他"),
    "goal": ("绩效目标", "项目绩效目标", "年度绩效目标", "年度目标", "绩效目标内容"),
    "indicators": ("绩效指标", "项目绩效指标", "年度绩效指标", "绩效指标内容", "指标"),
}
REQUIRED_ROLES = ("name", "total", "goal", "indicators")
AMOUNT_ROLES = ("total", "fiscal", "special_account", "other")

_DEPARTMENT = re.compile(r"^\s*(?:#+\s*)?(?:部门名称|主管部门|部门)\s*[:：]\s*(?P<name>.+?)\s*$")
_CURRENCY = re.compile(r"^\s*单位\s*[:：]\s*(?P<unit>万元|元)\s*$")
_TITLE = re.compile(r"绩效目标表")
_CURRENCY_IN_LINE = re.compile(r"\s*(?:计量)?单位\s*[:：]\s*(?P<unit>万元|元)\b")
_CURRENCY_IN_HEADER = re.compile(r"[（(]\s*(?P<unit>万元|元)\s*[）)]")


def _currency_in_header(cells: list[str]) -> str | None:
    units = {m["unit"] for cell in cells if (m := _CURRENCY_IN_HEADER.search(cell))}
    return units.pop() if len(units) == 1 else None


_DEPARTMENT_SUFFIX = re.compile(r"[（(]部门[)）]$")
_GRAND_TOTAL_NAMES = {"合计", "总计", "合 计"}
# A cell that opens a numbered list of indicators ("1、…", "<p>1、…").
_LIST_START = re.compile(r"^\s*(?:<p>\s*)?1\s*[、.．]")
_SENTENCE_END = ("。", ".", "！", "；", "</p>")
# Budget units are organisations; used only when the subtotal does not reconcile.
_ORGANISATION = re.compile(
    r"(局|厅|委员会|委|办公室|中心|分局|支队|大队|派出所|所|站|院|校|学校|园|幼儿园|队|处|部|会|馆)$"
)


class _Row:
    """One data row: its cells by role, where it sits, and what was repaired in it.

    A plain class with slots, not a dataclass: a release has thousands of rows and the
    dataclass's per-row list factories cost more than reading the row.
    """

    __slots__ = (
        "line",
        "cells",
        "line_end",
        "flags",
        "extra_roles",
        "has_amounts",
        "amounts",
        "plain",
    )

    def __init__(
        self,
        line: int,
        cells: dict[str, str],
        line_end: int = 0,
        extra_roles: tuple[str, ...] = (),
        plain: bool = False,
    ) -> None:
        self.line = line
        self.cells = cells
        self.line_end = line_end
        self.flags: list[str] = []
        # The unnamed money columns of the header (the same for every row, worked out once).
        self.extra_roles = extra_roles
        # Money cells never change once read (joins touch name, goal and indicators only), so
        # whether a row prints money, and the amounts it prints, are worked out once per row.
        get = cells.get
        self.has_amounts = any(get(role, "").strip() for role in (*AMOUNT_ROLES, *extra_roles))
        self.amounts: dict[str, Decimal] | None = None
        # No cell holds what clean_cell removes inside a cell (is_plain): stripping its ends
        # cleans it. A join adds text from elsewhere, so it clears this.
        self.plain = plain

    def clean(self, role: str) -> str:
        """The cell as clean_cell reads it."""
        text = self.cells.get(role, "")
        return text.strip() if self.plain else clean_cell(text)

    def text(self, role: str) -> str:
        return self.cells.get(role, "")

    @property
    def has_texts(self) -> bool:
        return bool(self.text("goal").strip() or self.text("indicators").strip())


@lru_cache(maxsize=4096)
def _fold(cell: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", clean_cell(cell)))


def map_header(cells: list[str]) -> dict[str, int] | None:
    """Map column roles to positions from a header row; None when the row is no header."""
    folded = [_fold(cell) for cell in cells]
    roles: dict[str, int] = {}
    for role, aliases in COLUMN_ALIASES.items():
        normalised = tuple(_fold(alias) for alias in aliases)
        for position, cell in enumerate(folded):
            if position in roles.values() or not cell:
                continue
            if cell in normalised or (role == "name" and "项目名称" in cell):
                roles[role] = position
                break
        else:
            for position, cell in enumerate(folded):
                if position in roles.values() or not cell:
                    continue
                if any(cell.startswith(alias) for alias in normalised):
                    roles[role] = position
                    break
    if "name" not in roles or "total" not in roles:
        return None
    money_end = min(roles.get("goal", len(cells)), roles.get("indicators", len(cells)))
    for position, cell in enumerate(folded):
        if cell and roles["name"] < position < money_end and position not in roles.values():
            # A money column this layout does not name (政府性基金, 上级补助 …): keep its money
            # under the nearest funding source rather than lose it.
            roles[f"{EXTRA_PREFIX}{_extra_source(cell)}|{clean_cell(cells[position])}"] = position
    return roles


EXTRA_PREFIX = "extra|"
_EXTRA_SOURCES = (("专户", "special_account"), ("债", "bond"), ("财政", "fiscal"))
_EXTRA_FISCAL = ("一般公共预算", "政府性基金", "国有资本经营", "上级补助", "上级转移支付")


def _extra_source(header: str) -> str:
    """The funding source an unnamed money column belongs to, by the words of its header."""
    for word, source in _EXTRA_SOURCES:
        if word in header:
            return source
    if any(word in header for word in _EXTRA_FISCAL):
        return "fiscal"
    return "other"


def _extra_roles(row_cells: dict[str, int]) -> tuple[str, ...]:
    return tuple(role for role in row_cells if role.startswith(EXTRA_PREFIX))


def _may_be_header(line: str, cells: list[str]) -> bool:
    """Whether a row passes is_header_row's first test, mostly from one substring test.

    The test: a cell holding 名称, or a cell that reads 项目. Half the rows name a 项目
    somewhere; only those strip their cells to compare (a pattern over the line cost more).
    """
    return "名称" in line or ("项目" in line and "项目" in map(str.strip, cells))


def is_header_row(cells: list[str]) -> bool:
    """Whether a tab-separated line is (a repeat of) the table header."""
    if len(cells) < 4 or not any("名称" in cell or cell.strip() == "项目" for cell in cells):
        return False
    roles = map_header(cells)
    return roles is not None and ("goal" in roles or "indicators" in roles)


@lru_cache(maxsize=256)
def _is_header_line(line: str) -> bool:
    """is_header_row of a line, once per distinct line: the header repeats at every page."""
    return is_header_row(line.split("\t"))


def parse_guangzhou(lines: tuple[str, ...], path: Path) -> LayoutResult:
    """Extract units, projects and the 合计 row from a Guangzhou-layout release."""
    warnings: list[Warning_] = []
    department, department_line, currency, roles = _read_preamble(lines, path)
    rows = _read_rows(lines, roles, department_line, path, warnings)
    rows = _resolve_fragments(rows, warnings)
    return _assemble(rows, department, department_line, currency, path, warnings)


def _read_preamble(
    lines: tuple[str, ...], path: Path
) -> tuple[str | None, int | None, str, dict[str, int]]:
    department: str | None = None
    department_line: int | None = None
    currency: str | None = None
    for number, line in enumerate(lines, start=1):
        if "\t" in line:
            cells = line.split("\t")
            roles = map_header(cells)
            if roles is None:
                raise ParseError(
                    path,
                    number,
                    "expected the header row (项目名称, 总计, 财政拨款, …, 绩效目标, 绩效指标) "
                    f"before the first data row, found {clean_cell(line)[:60]!r}",
                )
            missing = [role for role in REQUIRED_ROLES if role not in roles]
            if missing:
                names = ", ".join(COLUMN_ALIASES[role][0] for role in missing)
                raise ParseError(path, number, f"header row lacks column(s): {names}")
            # No 单位 line: the header may say it, as 总计（万元）.
            currency = currency or _currency_in_header(cells)
            if currency is None:
                raise ParseError(
                    path, number, "no currency line (单位：万元 or 单位：元) above header"
                )
            return department, department_line, currency, roles
        cleaned = clean_cell(line)
        if (match := _DEPARTMENT.match(cleaned)) and department is None:
            # 部门名称：X and 单位：万元 may share one line.
            name = _CURRENCY_IN_LINE.split(match["name"])[0]
            department = _DEPARTMENT_SUFFIX.sub("", clean_name(name)).strip()
            department_line = number
        if currency is None and (unit := _CURRENCY_IN_LINE.search(cleaned)):
            currency = unit["unit"]
    raise ParseError(path, None, "no header row (项目名称 … 绩效指标) found")


def _read_rows(
    lines: tuple[str, ...],
    roles: dict[str, int],
    department_line: int | None,
    path: Path,
    warnings: list[Warning_],
) -> list[_Row]:
    rows: list[_Row] = []
    in_table = False
    width = max(roles.values()) + 1
    extra_roles = _extra_roles(roles)
    role_positions = tuple(roles.items())
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if "\t" not in line:
            cleaned = clean_cell(line)
            if _TITLE.search(cleaned) or _DEPARTMENT.match(cleaned) or _CURRENCY.match(cleaned):
                continue  # a page header repeated after a page break
            if in_table and rows:
                # A cell that wrapped onto a line of its own: keep it with the row above.
                target = rows[-1]
                role = "indicators" if target.text("indicators") else "goal"
                target.cells[role] = target.text(role) + cleaned
                target.plain = False
                target.line_end = number
                target.flags.append("wrapped_line_joined")
                warnings.append(
                    Warning_(number, "wrapped_line_joined", f"joined to line {target.line}")
                )
            elif in_table:
                warnings.append(
                    Warning_(number, "stray_text", f"text outside any row: {cleaned[:40]!r}")
                )
            continue
        cells = line.split("\t")
        if _may_be_header(line, cells) and _is_header_line(line):
            in_table = True
            continue
        in_table = True
        padded = cells if len(cells) >= width else cells + [""] * (width - len(cells))
        row_cells = {role: padded[pos] for role, pos in role_positions}
        extra = [cell for cell in cells[width:] if cell.strip()]
        row = _Row(
            line=number,
            cells=row_cells,
            line_end=number,
            extra_roles=extra_roles,
            plain=is_plain(line),
        )
        if len(cells) < width:
            # Fewer cells than the header: a row cut short (truncated file or extraction).
            row.flags.append("short_row")
            warnings.append(
                Warning_(
                    number, "short_row", f"{len(cells)} of {width} cells; row may be cut short"
                )
            )
        if extra:
            row.flags.append("extra_cells")
            warnings.append(
                Warning_(number, "extra_cells", f"{len(extra)} cells beyond the header")
            )
        rows.append(row)
    if not rows:
        raise ParseError(path, None, "header found but no data rows follow it")
    return rows


def _is_fragment(row: _Row) -> bool:
    return not clean_cell(row.text("name")) and not row.has_amounts


def _ends_mid_sentence(text: str) -> bool:
    stripped = text.rstrip()
    return bool(stripped) and not stripped.endswith(_SENTENCE_END)


def _is_name_only(row: _Row) -> bool:
    # The flag first: most rows print money, and the name's cleaning is then not needed.
    return not row.has_amounts and bool(clean_cell(row.text("name"))) and not row.has_texts


def _join_name_pieces(rows: list[_Row], warnings: list[Warning_]) -> list[_Row]:
    """A name that wrapped onto its own line joins the row whose name cell is empty.

    A name-only row that reads as an organisation stays: it is a unit heading that prints
    no subtotal. Anything else is kept as a project that prints no money, and flagged.
    """
    kept: list[_Row] = []
    for index, row in enumerate(rows):
        following = rows[index + 1] if index + 1 < len(rows) else None
        if (
            _is_name_only(row)
            and following is not None
            and not clean_cell(following.text("name"))
            and following.has_amounts
        ):
            warnings.append(
                Warning_(
                    row.line, "name_joined", f"name joined to the row at line {following.line}"
                )
            )
            following.cells["name"] = row.text("name") + following.text("name")
            following.plain = False
            following.line = row.line
            following.flags.append("name_joined")
            continue
        kept.append(row)
    return kept


def _resolve_fragments(rows: list[_Row], warnings: list[Warning_]) -> list[_Row]:
    """Join each page-break fragment to the project its text belongs to."""
    rows = _join_name_pieces(rows, warnings)
    kept: list[_Row] = []
    for index, row in enumerate(rows):
        if not _is_fragment(row):
            kept.append(row)
            continue
        previous = kept[-1] if kept else None
        following = next((r for r in rows[index + 1 :] if not _is_fragment(r)), None)
        for role in ("goal", "indicators"):
            piece = row.text(role)
            if not piece.strip():
                continue
            target, where = _fragment_target(role, piece, previous, following)
            if target is None:
                warnings.append(
                    Warning_(
                        row.line,
                        "fragment_unplaced",
                        f"{role} fragment kept as warning: {piece[:60]!r}",
                    )
                )
                continue
            target_line = target.line
            target.plain = False
            if where == "prepend":
                target.cells[role] = piece + target.text(role)
                target.line = min(target.line, row.line)
            else:
                target.cells[role] = target.text(role) + piece
                target.line_end = max(target.line_end, row.line)
            target.flags.append("page_break_fragment_joined")
            part = "start" if where == "prepend" else "end"
            warnings.append(
                Warning_(
                    row.line,
                    "page_break_fragment_joined",
                    f"{role} fragment joined as the {part} of the row at line {target_line}",
                )
            )
    return kept


def _fragment_target(
    role: str, piece: str, previous: _Row | None, following: _Row | None
) -> tuple[_Row | None, str]:
    starts_list = bool(_LIST_START.match(piece)) if role == "indicators" else False
    follow_text = following.text(role) if following else ""
    follow_continues = following is not None and (
        not follow_text.strip() or (role == "indicators" and not _LIST_START.match(follow_text))
    )
    previous_open = previous is not None and _ends_mid_sentence(previous.text(role))
    if following is not None and follow_continues and (starts_list or not previous_open):
        return following, "prepend"
    if previous is not None and (previous_open or not starts_list):
        return previous, "append"
    if following is not None:
        return following, "prepend"
    return previous, "append"


def _amounts(row: _Row, currency: str, path: Path) -> dict[str, Decimal]:
    """A row's amounts in 万元 (a copy: read once per row, asked for up to three times)."""
    return dict(_cached_amounts(row, currency, path))


def _cached_amounts(row: _Row, currency: str, path: Path) -> dict[str, Decimal]:
    """A row's amounts, read on first use; never changed by callers."""
    if row.amounts is None:
        row.amounts = _read_amounts(row, currency, path)
    return row.amounts


@lru_cache(maxsize=65536)
def _cents(text: str, currency: str) -> tuple[Decimal, bool] | None:
    """A money cell in cents of 万元, and whether rounding to the cent changed it.

    Cached: a subtotal's and its projects' figures recur (合计 and the unit rows, equal
    funding columns), and the rounding is a Decimal operation per cell. Raises AmountError as
    parse_amount_wan does; a negative amount is the caller's to refuse.
    """
    value = parse_amount_wan(text, unit=currency)
    if value is None:
        return None
    if value < 0:
        return value, False
    rounded = to_cents_of_wan(value)
    return rounded, rounded != value


def _read_amounts(row: _Row, currency: str, path: Path) -> dict[str, Decimal]:
    amounts = zero_amounts()
    cells = row.cells
    for role in AMOUNT_ROLES:
        text = cells.get(role, "")
        if not text:
            continue  # what parse_amount_wan makes of an empty cell (None), without the call
        try:
            cents = _cents(text, currency)
        except AmountError as exc:
            raise ParseError(path, row.line, f"column {COLUMN_ALIASES[role][0]}: {exc}") from exc
        if cents is None:
            continue
        rounded, changed = cents
        if rounded < 0:
            raise ParseError(
                path, row.line, f"negative amount {text!r} in {COLUMN_ALIASES[role][0]}"
            )
        if changed:
            row.flags.append("rounded_after_conversion")
        amounts[role] = rounded
    for role in row.extra_roles:
        _, source, header = role.split("|", 2)
        try:
            value = parse_amount_wan(row.text(role), unit=currency)
        except AmountError as exc:
            raise ParseError(path, row.line, f"column {header}: {exc}") from exc
        if value:
            amounts[source] += to_cents_of_wan(value)
            row.flags.append("extra_amount_column")
    return amounts


def _declared(row: _Row, currency: str, path: Path) -> dict[str, Decimal | None]:
    amounts = _amounts(row, currency, path)
    return {role: amounts[role] for role in AMOUNT_ROLES}


def _assemble(
    rows: list[_Row],
    department: str | None,
    department_line: int | None,
    currency: str,
    path: Path,
    warnings: list[Warning_],
) -> LayoutResult:
    declared_totals: list[DeclaredTotalRecord] = []
    body: list[_Row] = []
    names: list[str] = []
    for row in rows:
        name = clean_name(row.cells.get("name", ""))
        if name in _GRAND_TOTAL_NAMES and not row.has_texts:
            declared_totals.append(
                DeclaredTotalRecord(
                    subject="合计", amounts=_amounts(row, currency, path), source_line=row.line
                )
            )
        else:
            body.append(row)
            names.append(name)

    unit_rows = _find_unit_rows(body, currency, path, warnings)
    units: list[UnitRecord] = []
    projects: list[ProjectRecord] = []
    current_unit: UnitRecord | None = None
    seen_rows: dict[tuple[object, ...], int] = {}
    conversion = YUAN_TO_WAN_NOTE if currency == YUAN else None
    for row, name in zip(body, names, strict=True):
        cells = row.cells
        if id(row) in unit_rows:
            current_unit = UnitRecord(
                seq=len(units) + 1,
                name_zh=name,
                source_line=row.line,
                declared=_declared(row, currency, path),
            )
            units.append(current_unit)
            continue
        if _is_name_only(row) and _ORGANISATION.search(name):
            # A unit heading without a subtotal: its projects follow, nothing is declared.
            current_unit = UnitRecord(seq=len(units) + 1, name_zh=name, source_line=row.line)
            units.append(current_unit)
            warnings.append(
                Warning_(row.line, "unit_without_subtotal", f"unit {name!r} prints no subtotal")
            )
            continue
        if current_unit is None:
            current_unit = UnitRecord(
                seq=len(units) + 1, name_zh=department or path.stem, source_line=row.line
            )
            units.append(current_unit)
            warnings.append(
                Warning_(
                    row.line,
                    "implicit_unit",
                    "projects before any unit subtotal row; unit = department",
                )
            )
        amounts = _amounts(row, currency, path)
        flags = list(row.flags)
        if not name:
            flags.append("missing_name")
            warnings.append(Warning_(row.line, "missing_name", "project row without a name"))
        if row.clean("name") != name:
            flags.append("name_spaces_repaired")
        goal = row.clean("goal") or None
        indicators = row.clean("indicators")
        if goal is None:
            flags.append("missing_goal")
        if not indicators:
            flags.append("missing_indicators")
        if not row.has_amounts:
            flags.append("missing_amounts")
            warnings.append(
                Warning_(row.line, "missing_amounts", f"project {name!r} prints no amount")
            )
        fingerprint = (
            name,
            (
                cells.get("total", ""),
                cells.get("fiscal", ""),
                cells.get("special_account", ""),
                cells.get("other", ""),
            ),
            goal,
            indicators,
        )
        if fingerprint in seen_rows:
            flags.append("duplicate_row")
            warnings.append(
                Warning_(
                    row.line, "duplicate_row", f"{name!r} repeats line {seen_rows[fingerprint]}"
                )
            )
        else:
            seen_rows[fingerprint] = row.line
        classified = looks_classified(name, goal, indicators)
        if classified:
            flags.append("classified")
        if conversion:
            flags.append("converted_from_yuan")
        projects.append(
            ProjectRecord(
                seq=len(projects) + 1,
                unit_seq=current_unit.seq,
                name_zh=name,
                amounts=amounts,
                source_line=row.line,
                source_line_end=max(row.line_end, row.line),
                goal_zh=goal,
                indicators_raw_zh=indicators,
                currency_unit_zh=currency,
                amount_conversion=conversion,
                is_classified=classified,
                flags=sorted(set(flags)),
            )
        )
    if not declared_totals:
        warnings.append(Warning_(None, "no_declared_total", "no 合计 row printed"))
    return LayoutResult(
        layout=LAYOUT,
        department_zh=department,
        department_source="document" if department else None,
        currency_unit_zh=currency if currency in (WAN, YUAN) else WAN,
        department_line=department_line,
        units=units,
        projects=projects,
        declared_totals=declared_totals,
        warnings=warnings,
    )


def _find_unit_rows(
    body: list[_Row], currency: str, path: Path, warnings: list[Warning_]
) -> set[int]:
    """Pick the unit subtotal rows: amounts but no goal and no indicators.

    A candidate is a unit when the projects after it add up to its total, or, failing that,
    when its name reads as an organisation (the mismatch then shows in reconciliation).
    Otherwise it is a project that prints no goal, and stays a project.
    """
    candidates = [i for i, row in enumerate(body) if row.has_amounts and not row.has_texts]
    units: set[int] = set()
    for position, index in enumerate(candidates):
        end = candidates[position + 1] if position + 1 < len(candidates) else len(body)
        row = body[index]
        declared = _cached_amounts(row, currency, path)["total"]
        children = [
            _cached_amounts(child, currency, path)["total"] for child in body[index + 1 : end]
        ]
        tolerance = ROUNDING_TOLERANCE_WAN * max(len(children), 1)
        name = clean_name(row.text("name"))
        if children and abs(declared - sum(children, Decimal(0))) <= tolerance:
            units.add(id(row))
        elif _ORGANISATION.search(name):
            units.add(id(row))
            warnings.append(
                Warning_(
                    row.line,
                    "unit_subtotal_unreconciled",
                    f"unit {name!r}: its projects do not add up",
                )
            )
        else:
            warnings.append(
                Warning_(
                    row.line,
                    "project_without_goal",
                    f"{name!r} has no goal or indicators; kept as a project",
                )
            )
    return units
