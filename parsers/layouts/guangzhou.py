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
from bisect import bisect_right
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate, chain
from operator import attrgetter, itemgetter
from pathlib import Path

from parsers.amounts import (
    WAN,
    YUAN,
    YUAN_TO_WAN_NOTE,
    AmountError,
    parse_amount_wan,
    plain_cents,
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
    """One data row: its cells, where it sits, and what was repaired in it.

    The cells a later step reads are attributes, taken by position from the line's one split,
    not a dict per row: a release has thousands of rows. Joins (wrapped lines, page-break
    fragments, name pieces) change name, goal and indicators only.
    """

    __slots__ = (
        "line",
        "line_end",
        "name",
        "money",
        "goal",
        "indicators",
        "extra",
        "flags",
        "has_amounts",
        "amounts",
        "plain",
        "joined",
    )

    def __init__(
        self,
        line: int,
        name: str,
        money: tuple[str, str, str, str],
        goal: str,
        indicators: str,
        extra: tuple[tuple[str, str], ...],
        plain: bool,
    ) -> None:
        self.line = line
        self.line_end = line
        self.name = name
        # The texts of the AMOUNT_ROLES cells, in that order ("" where the header has none).
        self.money = money
        self.goal = goal
        self.indicators = indicators
        # The header's unnamed money columns: (role, text) pairs, empty for most headers.
        self.extra = extra
        self.flags: list[str] = []
        # Money cells never change once read, so whether a row prints money is known here.
        self.has_amounts = any(map(str.strip, money)) or (
            bool(extra) and any(text.strip() for _, text in extra)
        )
        # Read on first use (the unit search and the project may both ask).
        self.amounts: dict[str, Decimal] | None = None
        # No cell holds what clean_cell removes inside a cell (is_plain): stripping its ends
        # cleans it. A join adds text from elsewhere, so it clears this.
        self.plain = plain
        # Whether a join (wrapped line, page-break fragment, name piece) added another line's text.
        self.joined = False

    def text(self, role: str) -> str:
        """The goal or indicators cell, as fragments name them."""
        return self.goal if role == "goal" else self.indicators

    def set_text(self, role: str, text: str) -> None:
        if role == "goal":
            self.goal = text
        else:
            self.indicators = text
        self.plain = False
        self.joined = True

    @property
    def has_texts(self) -> bool:
        return bool(self.goal.strip() or self.indicators.strip())


def _fold(cell: str) -> str:
    """A header cell as the aliases are compared: cleaned, NFKC, without whitespace.

    str.split() drops exactly the whitespace runs a pattern would (both use str.isspace), and
    needs no pattern looked up per cell.
    """
    return "".join(unicodedata.normalize("NFKC", clean_cell(cell)).split())


# The aliases as map_header compares them, folded once here rather than at every header.
_FOLDED_ALIASES: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (role, tuple(_fold(alias) for alias in aliases)) for role, aliases in COLUMN_ALIASES.items()
)


def map_header(cells: list[str]) -> dict[str, int] | None:
    """Map column roles to positions from a header row; None when the row is no header."""
    roles = _header_roles(tuple(cells))
    # A copy: the cached mapping is shared by every caller that meets the same header.
    return None if roles is None else dict(roles)


@lru_cache(maxsize=256)
def _header_roles(cells: tuple[str, ...]) -> dict[str, int] | None:
    """map_header once per distinct header: detection, the preamble and the rows all ask it."""
    folded = [_fold(cell) for cell in cells]
    roles: dict[str, int] = {}
    taken: set[int] = set()
    for role, aliases in _FOLDED_ALIASES:
        for position, cell in enumerate(folded):
            if (
                cell
                and position not in taken
                and (cell in aliases or (role == "name" and "项目名称" in cell))
            ):
                roles[role] = position
                taken.add(position)
                break
        else:
            for position, cell in enumerate(folded):
                if cell and position not in taken and cell.startswith(aliases):
                    roles[role] = position
                    taken.add(position)
                    break
    if "name" not in roles or "total" not in roles:
        return None
    money_end = min(roles.get("goal", len(cells)), roles.get("indicators", len(cells)))
    for position, cell in enumerate(folded):
        if cell and roles["name"] < position < money_end and position not in taken:
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
    department, department_line, currency, roles, header = _read_preamble(lines, path)
    body = _Body(lines[header:], header + 1)
    rows, bare = _read_rows(body, roles, path, warnings)
    if bare:
        # Only a row that prints no money can be a fragment or a name piece.
        rows = _resolve_fragments(rows, warnings)
    return _assemble(rows, body, department, department_line, currency, path, warnings)


def _read_preamble(
    lines: tuple[str, ...], path: Path
) -> tuple[str | None, int | None, str, dict[str, int], int]:
    """The department, its line, the currency, the header's roles and the header's index."""
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
            return department, department_line, currency, roles, number - 1
        cleaned = clean_cell(line)
        if (match := _DEPARTMENT.match(cleaned)) and department is None:
            # 部门名称：X and 单位：万元 may share one line.
            name = _CURRENCY_IN_LINE.split(match["name"])[0]
            department = _DEPARTMENT_SUFFIX.sub("", clean_name(name)).strip()
            department_line = number
        if currency is None and (unit := _CURRENCY_IN_LINE.search(cleaned)):
            currency = unit["unit"]
    raise ParseError(path, None, "no header row (项目名称 … 绩效指标) found")


# What looks_classified looks for: a project whose texts hold none of them is not classified.
_CLASSIFIED_MARKERS = ("涉密", "SM", "待单位补充")


class _Body:
    """The lines from the header on, and what is judged once over their whole text.

    Whether a line needs more than its ends stripped (is_plain) and whether it holds a
    classified marker are substring tests: asked once of the joined text they cost a few
    scans at C speed, where asked of each row they cost a call and ten scans per row. The
    lines before the header hold no tab and no row, so they are left out.
    """

    __slots__ = ("lines", "first", "plain", "classified_lines")

    def __init__(self, lines: tuple[str, ...], first: int) -> None:
        self.lines = lines
        self.first = first
        text = "\n".join(lines)
        # None of the patterns is_plain looks for spans a line break, so the joined text is
        # plain exactly when every line is.
        self.plain = is_plain(text)
        self.classified_lines = _lines_holding(text, lines, first, _CLASSIFIED_MARKERS)


def _lines_holding(
    text: str, lines: tuple[str, ...], first: int, needles: tuple[str, ...]
) -> frozenset[int]:
    """The numbers of the ``lines`` (the first numbered ``first``) holding a needle.

    ``text`` is the lines joined by line breaks, searched whole.
    """
    found: set[int] = set()
    ends: list[int] | None = None
    for needle in needles:
        # Finding one character runs at memchr speed where a longer needle is compared
        # character by character: the needle's first character is found, the rest checked
        # there (few characters of a release open a needle).
        head = needle[0]
        position = text.find(head)
        while position != -1:
            if not text.startswith(needle, position):
                position = text.find(head, position + 1)
                continue
            if ends is None:
                # Where each line ends (its line break included), worked out on first need
                # from the lengths of the lines the text joins, not from the text split again
                # (a string per line, the whole text copied: half the search's cost).
                ends = list(accumulate(map((1).__add__, map(len, lines))))
            index = bisect_right(ends, position)
            found.add(first + index)
            position = text.find(head, ends[index])
    return frozenset(found)


def _read_rows(
    body: _Body, roles: dict[str, int], path: Path, warnings: list[Warning_]
) -> tuple[list[_Row], int]:
    """The data rows, and how many print no money (only those can be fragments)."""
    rows: list[_Row] = []
    in_table = False
    width = max(roles.values()) + 1
    # The cells a row is read into, by position; a role the header lacks reads the "" put
    # after the row's last cell.
    pick = itemgetter(*(roles.get(role, width) for role in _PICKED_ROLES))
    extra_roles = tuple(
        (role, position) for role, position in roles.items() if role.startswith(EXTRA_PREFIX)
    )
    plain_body = body.plain
    bare = 0
    for number, line in enumerate(body.lines, start=body.first):
        if not line or line.isspace():
            continue
        if "\t" not in line:
            cleaned = clean_cell(line)
            if _TITLE.search(cleaned) or _DEPARTMENT.match(cleaned) or _CURRENCY.match(cleaned):
                continue  # a page header repeated after a page break
            if in_table and rows:
                # A cell that wrapped onto a line of its own: keep it with the row above.
                target = rows[-1]
                role = "indicators" if target.indicators else "goal"
                target.set_text(role, target.text(role) + cleaned)
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
        # is_header_row's first test (a cell holding 名称, or one that reads 项目) mostly from
        # substring tests: half the rows name a 项目 somewhere, only those strip their cells.
        if (
            # One-character tests first: they run at memchr speed, "名称" in line does not.
            ("称" in line and "名称" in line)
            or ("项" in line and "项目" in line and "项目" in map(str.strip, cells))
        ) and _is_header_line(line):
            in_table = True
            continue
        in_table = True
        count = len(cells)
        if count == width:
            cells.append("")
            repair = None
        else:
            cells, repair = _padded(cells, count, width, number, warnings)
        name, total, fiscal, special, other, goal, indicators = pick(cells)
        extra = (
            tuple((role, cells[position]) for role, position in extra_roles) if extra_roles else ()
        )
        row = _Row(
            number,
            name,
            (total, fiscal, special, other),
            goal,
            indicators,
            extra,
            plain_body or is_plain(line),
        )
        if repair:
            row.flags.append(repair)
        if not row.has_amounts:
            bare += 1
        rows.append(row)
    if not rows:
        raise ParseError(path, None, "header found but no data rows follow it")
    return rows, bare


_PICKED_ROLES = ("name", "total", "fiscal", "special_account", "other", "goal", "indicators")


def _padded(
    cells: list[str], count: int, width: int, number: int, warnings: list[Warning_]
) -> tuple[list[str], str | None]:
    """A row of more or fewer cells than the header, cut or padded to width + 1 cells.

    Also the flag it earns, if any, with its warning.
    """
    if count < width:
        # Fewer cells than the header: a row cut short (truncated file or extraction).
        warnings.append(
            Warning_(number, "short_row", f"{count} of {width} cells; row may be cut short")
        )
        return cells + [""] * (width + 1 - count), "short_row"
    extra = [cell for cell in cells[width:] if cell.strip()]
    if not extra:
        return [*cells[:width], ""], None
    warnings.append(Warning_(number, "extra_cells", f"{len(extra)} cells beyond the header"))
    return [*cells[:width], ""], "extra_cells"


def _is_fragment(row: _Row) -> bool:
    return not row.has_amounts and not clean_cell(row.name)


def _ends_mid_sentence(text: str) -> bool:
    stripped = text.rstrip()
    return bool(stripped) and not stripped.endswith(_SENTENCE_END)


def _is_name_only(row: _Row) -> bool:
    # The flag first: most rows print money, and the name's cleaning is then not needed.
    return not row.has_amounts and bool(clean_cell(row.name)) and not row.has_texts


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
            and not clean_cell(following.name)
            and following.has_amounts
        ):
            warnings.append(
                Warning_(
                    row.line, "name_joined", f"name joined to the row at line {following.line}"
                )
            )
            following.name = row.name + following.name
            following.plain = False
            following.joined = True
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
            if where == "prepend":
                target.set_text(role, piece + target.text(role))
                target.line = min(target.line, row.line)
            else:
                target.set_text(role, target.text(role) + piece)
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


class _Money:
    """A release's amounts: money texts read in bulk, a row's amounts made by lookups.

    Before any row is assembled, every distinct money text of the release printed plainly
    to the cent is found by one pattern over them all and converted by one map: such a
    reading has nothing to flag or refuse. A row made only of such texts (nearly every row)
    costs four lookups; a row with anything else takes _read_amounts, which refuses and flags
    as the row's line requires, in the order the rows are asked for.
    """

    __slots__ = ("currency", "path", "known")

    def __init__(self, currency: str, path: Path, rows: list[_Row]) -> None:
        self.currency = currency
        self.path = path
        self.known = _plain_amounts(rows) if currency == WAN else {}

    def of(self, row: _Row) -> dict[str, Decimal]:
        """A row's amounts in 万元, read on first use; the unit search and the record share them.

        A row ends as one record (合计, unit or project), which takes the dict as it is.
        """
        amounts = row.amounts
        if amounts is None:
            known = self.known
            total, fiscal, special, other = row.money
            try:
                if row.extra:
                    raise KeyError(row.extra)
                # zero_amounts' keys, in its order (AMOUNT_FIELDS).
                amounts = {
                    "total": known[total],
                    "fiscal": known[fiscal],
                    "special_account": known[special],
                    "other": known[other],
                    "bond": _ZERO,
                }
            except KeyError:
                amounts = _read_amounts(row, self.currency, self.path)
            row.amounts = amounts
        return amounts


_ZERO = zero_amounts()["bond"]
# A whole money text printed plainly to the cent (amounts.plain_cents), each text opening
# with a line break: a literal first character lets the search skip to the next one at
# memchr speed, where a pattern opening with ^ is tried at every character.
_PLAIN_CENTS_LINE = re.compile(r"\n([0-9][0-9,]{0,16}\.[0-9][0-9])(?=\n)")


def _plain_amounts(rows: list[_Row]) -> dict[str, Decimal]:
    """The release's money texts that read, in 万元, as printed: blank, or plain cents."""
    texts = set(chain.from_iterable(map(attrgetter("money"), rows)))
    plain = _PLAIN_CENTS_LINE.findall("\n" + "\n".join(texts) + "\n")
    # The commas of all of them dropped by one replace, not one call per text.
    numbers = "\n".join(plain).replace(",", "").split("\n") if plain else []
    known = dict(zip(plain, map(Decimal, numbers), strict=True))
    known[""] = _ZERO
    return known


@lru_cache(maxsize=65536)
def _cents(text: str, currency: str) -> tuple[Decimal, bool | None] | None:
    """A money cell in 万元 at the cent, and whether rounding to the cent changed it.

    None for a blank cell. A negative amount comes unrounded with None in place of the
    flag, for the caller to refuse with the row's line. Cached: a subtotal's and its
    projects' figures recur (合计 and the unit rows, equal funding columns). Raises
    AmountError as parse_amount_wan does.
    """
    if currency == WAN and (cents := plain_cents(text)) is not None:
        return Decimal(cents), False
    value = parse_amount_wan(text, unit=currency)
    if value is None:
        return None
    if value < 0:
        return value, None
    rounded = to_cents_of_wan(value)
    return rounded, rounded != value


def _read_amounts(row: _Row, currency: str, path: Path) -> dict[str, Decimal]:
    amounts = zero_amounts()
    for role, text in zip(AMOUNT_ROLES, row.money, strict=True):
        if not text:
            continue  # what parse_amount_wan makes of an empty cell (None), without the call
        try:
            cents = _cents(text, currency)
        except AmountError as exc:
            raise ParseError(path, row.line, f"column {COLUMN_ALIASES[role][0]}: {exc}") from exc
        if cents is None:
            continue
        rounded, changed = cents
        if changed is not False:
            if changed is None:
                raise ParseError(
                    path, row.line, f"negative amount {text!r} in {COLUMN_ALIASES[role][0]}"
                )
            row.flags.append("rounded_after_conversion")
        amounts[role] = rounded
    for role, text in row.extra:
        _, source, header = role.split("|", 2)
        try:
            value = parse_amount_wan(text, unit=currency)
        except AmountError as exc:
            raise ParseError(path, row.line, f"column {header}: {exc}") from exc
        if value:
            amounts[source] += to_cents_of_wan(value)
            row.flags.append("extra_amount_column")
    return amounts


def _declared(row: _Row, money: _Money) -> dict[str, Decimal | None]:
    amounts = money.of(row)
    return {role: amounts[role] for role in AMOUNT_ROLES}


def _assemble(
    rows: list[_Row],
    body: _Body,
    department: str | None,
    department_line: int | None,
    currency: str,
    path: Path,
    warnings: list[Warning_],
) -> LayoutResult:
    money = _Money(currency, path, rows)
    declared_totals: list[DeclaredTotalRecord] = []
    kept: list[_Row] = []
    names: list[str] = []
    for row in rows:
        # A row is not plain for its goal or indicators (tags, joins) far more often than for
        # its name: a plain name cell is read as one (a cell holds no tab).
        if row.plain or is_plain(row.name):
            # clean_cell of a plain cell strips it, and clean_name then only joins words
            # across a space inside; every space but " " is unprintable (str.isprintable).
            stripped = row.name.strip()
            name = stripped
            if " " in name or not name.isprintable():
                name = _joined_name(stripped) or clean_name(row.name)
                if name != stripped:
                    row.flags.append("name_spaces_repaired")
        else:
            name = clean_name(row.name)
            if clean_cell(row.name) != name:
                row.flags.append("name_spaces_repaired")
        if name in _GRAND_TOTAL_NAMES and not row.has_texts:
            declared_totals.append(
                DeclaredTotalRecord(subject="合计", amounts=money.of(row), source_line=row.line)
            )
        else:
            kept.append(row)
            names.append(name)

    unit_rows = _find_unit_rows(kept, money, warnings)
    units: list[UnitRecord] = []
    projects: list[ProjectRecord] = []
    current_unit: UnitRecord | None = None
    seen_rows: dict[tuple[object, ...], _Row] = {}
    conversion = YUAN_TO_WAN_NOTE if currency == YUAN else None
    classified_lines = body.classified_lines
    for row, name in zip(kept, names, strict=True):
        if row in unit_rows:
            current_unit = UnitRecord(
                seq=len(units) + 1,
                name_zh=name,
                source_line=row.line,
                declared=_declared(row, money),
            )
            units.append(current_unit)
            continue
        has_amounts = row.has_amounts
        if not has_amounts and _is_name_only(row) and _ORGANISATION.search(name):
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
        line = row.line
        amounts = row.amounts or money.of(row)
        flags = row.flags
        if row.plain:
            goal = row.goal.strip() or None
            indicators = row.indicators.strip()
            # Untouched by joins: its texts are in its own line, which holds no marker.
            classified = line in classified_lines and looks_classified(name, goal, indicators)
        else:
            goal = clean_cell(row.goal) or None
            indicators = clean_cell(row.indicators)
            classified = _may_be_classified(row, classified_lines) and looks_classified(
                name, goal, indicators
            )
        if not name:
            flags.append("missing_name")
            warnings.append(Warning_(line, "missing_name", "project row without a name"))
        if goal is None:
            flags.append("missing_goal")
        if not indicators:
            flags.append("missing_indicators")
        if not has_amounts:
            flags.append("missing_amounts")
            warnings.append(Warning_(line, "missing_amounts", f"project {name!r} prints no amount"))
        first = seen_rows.setdefault((name, row.money, goal, indicators), row)
        if first is not row:
            flags.append("duplicate_row")
            warnings.append(Warning_(line, "duplicate_row", f"{name!r} repeats line {first.line}"))
        if classified:
            flags.append("classified")
        if conversion:
            flags.append("converted_from_yuan")
        line_end = row.line_end
        # Positional, in ProjectRecord's field order: keywords cost twice as much per record.
        projects.append(
            ProjectRecord(
                len(projects) + 1,  # seq
                current_unit.seq,  # unit_seq
                name,  # name_zh
                amounts,
                line,  # source_line
                line_end if line_end > line else line,  # source_line_end
                goal,  # goal_zh
                None,  # purpose_zh
                indicators,  # indicators_raw_zh
                None,  # indicator_rows
                currency,  # currency_unit_zh
                conversion,  # amount_conversion
                classified,  # is_classified
                False,  # is_bond_table
                sorted(set(flags)) if flags else flags,
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


def _may_be_classified(row: _Row, classified_lines: frozenset[int]) -> bool:
    """Whether a row that is not plain may be classified: its line holds a marker, or it may not.

    Cleaning turns tags and odd spaces into a space and collapses runs of spaces, and clean_name
    joins words only across a space next to an ideograph or a digit, so none of them makes a
    marker (涉密, SM, 待单位补充) its line does not hold; an entity may (html.unescape), and a
    joined row holds text from other lines. Where neither is, the body's marked lines settle
    it, sparing looks_classified's six scans of the cleaned texts (most tagged rows print <p>
    around both). tests/parsers/test_guangzhou_usual_rows.py holds it to looks_classified on
    every row.
    """
    return (
        row.line in classified_lines
        or row.joined
        or "&" in row.name
        or "&" in row.goal
        or "&" in row.indicators
    )


def _joined_name(stripped: str) -> str | None:
    """clean_name of a plain, stripped name split once between words, or None for any other.

    The usual split name prints one ASCII space after an ideograph and before an ideograph or
    a digit (``…专项 工作经费``, ``…支队 2025年…``): join_split_words drops it. Cut here by one
    partition, where clean_name pays a cache miss, ten plain tests, two splits, a join and two
    Python calls per space (a fifth of the samples' Guangzhou layout pass). Printable, the
    name holds no whitespace but " " (every other space is unprintable), so the one space is
    the name's only run; tests/parsers/test_guangzhou_usual_rows.py holds this to clean_name.
    """
    before, _, after = stripped.partition(" ")
    if not (before and after) or " " in after or not stripped.isprintable():
        return None
    last, first = before[-1], after[0]
    if "\u4e00" <= last <= "\u9fff" and ("\u4e00" <= first <= "\u9fff" or first.isdecimal()):
        return before + after
    return None


def _find_unit_rows(rows: list[_Row], money: _Money, warnings: list[Warning_]) -> set[_Row]:
    """Pick the unit subtotal rows: amounts but no goal and no indicators.

    A candidate is a unit when the projects after it add up to its total, or, failing that,
    when its name reads as an organisation (the mismatch then shows in reconciliation).
    Otherwise it is a project that prints no goal, and stays a project.
    """
    candidates = [
        i
        for i, row in enumerate(rows)
        if row.has_amounts and not (row.goal.strip() or row.indicators.strip())
    ]
    units: set[_Row] = set()
    for position, index in enumerate(candidates):
        end = candidates[position + 1] if position + 1 < len(candidates) else len(rows)
        row = rows[index]
        declared = money.of(row)["total"]
        children = [money.of(child)["total"] for child in rows[index + 1 : end]]
        tolerance = ROUNDING_TOLERANCE_WAN * max(len(children), 1)
        name = clean_name(row.name)
        if children and abs(declared - sum(children, Decimal(0))) <= tolerance:
            units.add(row)
        elif _ORGANISATION.search(name):
            units.add(row)
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
