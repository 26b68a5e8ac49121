"""The Tianjin layout: one table per project, one cell per line (DOCX extraction).

Shape (天津市 departments, 2024 budget year):
    "[bookmark: …]N.<project>绩效目标表" title line, then cells, each on a line that starts
    with a tab: "<6-digit unit code><unit name>", "单位：万元", 项目名称/<name>,
    预算数/<amount>, 其中：财政资金/<amount>, 其他资金/<amount>, the use of funds,
    绩效目标/<goal>, then the indicator header (一级指标 二级指标 三级指标 [绩效指标描述] 指标值)
    and its rows. A line that does not start with a tab continues the cell above it; blank
    lines only separate groups and may split a row, so rows are rebuilt by counting cells.
A special-bond table (专项债券) prints its labels in another order (项目性质 holds the code),
its money in 元 by funding source; it is converted to 万元, kept, and flagged.
There is no department line and no 合计: the department is the one behind the unit codes
(主管部门 where a bond table prints it).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import lru_cache
from itertools import compress
from operator import itemgetter
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
from parsers.indicators import TianjinIndicatorTable
from parsers.model import (
    LayoutResult,
    ProjectRecord,
    UnitRecord,
    Warning_,
    zero_amounts,
)
from parsers.text import NOT_PLAIN, clean_cell, clean_name, is_plain

LAYOUT = "tianjin_tables"

_TITLE = re.compile(
    r"^\s*(?:\[bookmark:[^\]]*\])?\s*(?:\d+\s*[.．、]\s*)?(?P<name>.*?)\s*(?:项目)?绩效目标表\s*$"
)
_UNIT = re.compile(r"^(?P<code>\d{3,9})\s*(?P<name>\D.*)$")
_CURRENCY = re.compile(r"^单位\s*[:：]\s*(?P<unit>万元|元)$")
_PROJECT_CODE = re.compile(r"^[0-9A-Z]{12,}$")
_INDICATOR_HEADER = ("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标描述", "指标值")
# The organisation a unit name starts with: 天津市公安局…, 天津市教育委员会… (委 alone only
# when it does not begin 委员会).
_ORG_PREFIX = re.compile(r"^(?P<prefix>.+?(?:委员会|局|厅|院|办公室|委(?!员)))")

# Bond-table funding rows: label → funding source; None = a breakdown, not added again.
_BOND_SOURCES: dict[str, str | None] = {
    "中央": "fiscal",
    "市级": "fiscal",
    "区级": "fiscal",
    "省级": "fiscal",
    "专项债券资金": "bond",
    "专项债券": "bond",
    "自有资金": "other",
    "其他资金": "other",
    "其他融资资金": "other",
    "其中:银行贷款": None,
    "其中：银行贷款": None,
    "银行贷款": None,
}


class _Cells:
    """The cells of one table: their texts and, beside them, the raw line each starts on.

    Two parallel lists rather than an object per cell: a Tianjin release prints one cell per
    line, tens of thousands of them, and an object per cell cost more than reading it.
    ``plain``: every cell is known to be what clean_cell makes of it (each a line of a tab and
    one cell, stripped, in a table whose text holds nothing clean_cell removes), so a reader
    may skip clean_cell on them; False where not known.
    """

    __slots__ = ("lines", "plain", "texts")

    def __init__(self, texts: list[str], lines: list[int], plain: bool = False) -> None:
        self.texts = texts
        self.lines = lines
        self.plain = plain

    def __len__(self) -> int:
        return len(self.texts)


def _is_bond_table(cells: _Cells) -> bool:
    """Whether a table is a special-bond table: a cell opens with 资金来源.

    A cell holds 资金来源 only if its lines do (or an entity decodes to it): the caller asks
    only for a table whose text holds one or the other.
    """
    return any(
        text.startswith("资金来源") or text == "项目资金来源及落实情况" for text in cells.texts
    )


_TITLE_WORD = "绩效目标表"


def split_tables(lines: tuple[str, ...], text: str | None = None) -> list[tuple[int, int]]:
    """Return (start, end) 0-based line ranges of each project table, title line first.

    ``text`` is the lines joined by newlines, where the caller has it (RawRelease.text).
    """
    spans = _table_spans("\n".join(lines) if text is None else text)
    return [(start, end) for start, end, _, _ in spans]


@lru_cache(maxsize=2)
def _table_spans(text: str) -> tuple[tuple[int, int, int, int], ...]:
    """Each table's title line and end line, and the text span of its lines after the title.

    The span makes a table's text a slice of the release's, not its lines joined again.
    Cached for the release being parsed: detect_layout and parse_tianjin both ask. A title is
    a line that holds the title word and does not start with a tab; the word is found in the
    whole text (a test per line cost more than the rest), and a line holding it is not blank.
    """
    starts: list[tuple[int, int]] = []
    line = 0
    counted_to = 0
    position = text.find(_TITLE_WORD)
    while position != -1:
        line_start = text.rfind("\n", 0, position) + 1
        line += text.count("\n", counted_to, line_start)
        counted_to = line_start
        if text[line_start] != "\t":
            starts.append((line, line_start))
        next_line = text.find("\n", position)
        if next_line == -1:
            break
        position = text.find(_TITLE_WORD, next_line)
    if not starts:
        return ()
    line_count = text.count("\n", counted_to) + line + 1
    ends = [*starts[1:], (line_count, len(text) + 1)]
    spans = []
    for (start, title_start), (end, next_start) in zip(starts, ends, strict=True):
        body_start = text.find("\n", title_start, next_start) + 1 or next_start
        spans.append((start, end, body_start, next_start - 1))
    return tuple(spans)


def _cells(block: tuple[str, ...], block_text: str, first_line: int) -> _Cells:
    """Cells of one table: tab-led lines; other non-blank lines continue the cell above.

    A table whose text holds nothing clean_cell removes inside a cell (is_plain) only has its
    cells stripped. A table of the usual shape (every line empty or one tab and a cell, told
    from counts on its text) is read with two comprehensions instead of the loop.
    """
    # clean_cell, or only the strip it would come to where the table's text is plain.
    plain = is_plain(block_text)
    read_cell = str.strip if plain else clean_cell
    tab_led_lines = block_text.count("\n\t") + block_text.startswith("\t")
    one_cell_lines_only = block_text.count("\t") == tab_led_lines
    if one_cell_lines_only and tab_led_lines + block.count("") == len(block):
        # Every non-empty line is a tab and one cell: filter, compress and map walk the lines
        # at C speed (the strip of a whole line is that of its cell, the tab being a space).
        numbers = list(compress(range(first_line, first_line + len(block)), block))
        lines = filter(None, block)
        texts = list(map(str.strip, lines)) if plain else [clean_cell(line[1:]) for line in lines]
        return _Cells(texts, numbers)
    tab_led = any(line.startswith("\t") for line in block)
    texts: list[str] = []
    numbers: list[int] = []
    for number, line in enumerate(block, start=first_line):
        _read_line(line, number, texts, numbers, tab_led, read_cell)
    return _Cells(texts, numbers)


def _read_line(
    line: str,
    number: int,
    texts: list[str],
    numbers: list[int],
    tab_led: bool,
    read_cell: Callable[[str], str] = clean_cell,
) -> None:
    """Add one printed line to a table's cells, for _cells and for the odd lines of _release_cells.

    A tab-led line is a cell (its tabs joined), a blank line none, any other line continues the
    cell above where the table's lines are tab-led, else is a cell of its own. ``read_cell``
    cleans a one-cell line's text.
    """
    if line[:1] == "\t":
        # The common one-cell line skips split and join.
        if line.find("\t", 1) != -1:
            texts.append(_join_cells(line))
        else:
            texts.append(read_cell(line[1:]))
        numbers.append(number)
    elif not line.strip():
        return
    elif tab_led and texts:
        texts[-1] = f"{texts[-1]}\n{clean_cell(line)}"
    else:
        texts.append(_join_cells(line))
        numbers.append(number)


def _join_cells(line: str) -> str:
    return " ".join(part for part in (clean_cell(p) for p in line.split("\t")) if part)


# A line that neither opens with a tab nor is empty (a continuation of the cell above, or
# spaces alone), found after its line break: a pattern opening with a literal character is
# skipped to at memchr speed, not tried at every character.
_LINE_NOT_TAB_LED = re.compile(r"\n[^\t\n]")


def _release_cells(
    lines: tuple[str, ...], text: str, tables: tuple[tuple[int, int, int, int], ...]
) -> Iterator[_Cells]:
    """Every table's cells, read from its lines (what _cells gives).

    Nearly every line is empty or a tab and one plain cell, whose text is the line stripped:
    filter, compress and map read a table's lines so at C speed. Two counts on its text tell a
    table of such lines alone (as many tabs, and tabs after a line break, as cells); in any
    other only the lines of another kind are read one by one (_with_odd_lines), the lines
    between them kept. Read table by table rather than the release's lines at once and sliced
    (which costs the same): lists of every line of a release, alive while the tables are read,
    were walked by each collection of the young generation that fell inside the layout.
    tests/parsers/test_tianjin_cells.py holds this to _cells table by table.
    """
    not_plain = _tables_holding(text, tables, NOT_PLAIN)
    strip = str.strip
    for index, (start, end, text_start, text_end) in enumerate(tables):
        # The table's lines after its title: start + 2 to end, numbered from 1.
        block = lines[start + 1 : end]
        numbers = list(compress(range(start + 2, end + 1), block))
        texts = list(map(strip, filter(None, block)))
        count = len(texts)
        # The line break before the first line is the title's own (text_start - 1).
        tab_led = text.count("\n\t", text_start - 1, text_end) if count else 0
        tabs = text.count("\t", text_start, text_end) if count else 0
        table_plain = index not in not_plain
        if tab_led == count and tabs == count and table_plain:
            yield _Cells(texts, numbers, plain=True)
            continue
        odd_lines = _odd_line_starts(
            text[text_start:text_end],
            continuations=tab_led != count,
            inner_tabs=tabs != tab_led,
            not_plain=not table_plain,
        )
        yield _with_odd_lines(
            texts, numbers, lines, text, start, text_start, odd_lines, tab_led > 0
        )


def _tables_holding(
    text: str, tables: tuple[tuple[int, int, int, int], ...], needles: tuple[str, ...]
) -> set[int]:
    """The tables whose text holds one of ``needles``: one search of the release per needle.

    Past a hit the search resumes at the end of its table, so a needle costs one scan of the
    text, where each table's text searched for every needle cost a call per table and needle.
    """
    body_starts = [table[2] for table in tables]
    holding = set()
    for needle in needles:
        position = text.find(needle)
        while position != -1:
            index = bisect_right(body_starts, position) - 1
            if index >= 0 and position + len(needle) <= tables[index][3]:
                holding.add(index)
                position = text.find(needle, tables[index][3])
            else:
                position = text.find(needle, position + 1)
    return holding


def _odd_line_starts(
    block_text: str, *, continuations: bool, inner_tabs: bool, not_plain: bool
) -> list[int]:
    """Where each line of a table's text that is not a tab and one plain cell starts.

    Only what the counts said is there is searched for: lines not led by a tab, tabs inside
    a line, and what clean_cell removes.
    """
    starts = set()
    if continuations:
        if block_text[:1] not in ("\t", "\n", ""):
            starts.add(0)
        starts.update(match.start() + 1 for match in _LINE_NOT_TAB_LED.finditer(block_text))
    if inner_tabs:
        # With each line-opening tab made a space (positions kept), every tab left is one.
        marked = block_text.replace("\n\t", "\n ")
        if marked[:1] == "\t":
            marked = " " + marked[1:]
        starts.update(_lines_holding(block_text, marked, "\t"))
    if not_plain:
        for needle in NOT_PLAIN:
            starts.update(_lines_holding(block_text, block_text, needle))
    return sorted(starts)


def _lines_holding(text: str, searched: str, needle: str) -> list[int]:
    """Where each line of ``text`` on which ``searched`` (as long) holds ``needle`` starts."""
    starts = []
    position = searched.find(needle)
    while position != -1:
        line_start = text.rfind("\n", 0, position) + 1
        starts.append(line_start)
        line_end = text.find("\n", position)
        if line_end == -1:
            break
        position = searched.find(needle, line_end)
    return starts


def _with_odd_lines(
    texts: list[str],
    numbers: list[int],
    lines: tuple[str, ...],
    text: str,
    start: int,
    text_start: int,
    odd_lines: list[int],
    tab_led: bool,
) -> _Cells:
    """A table's cells where some lines are not a tab and one plain cell.

    ``texts`` and ``numbers`` are the table's non-empty lines, stripped, and their numbers;
    each odd line (by its start in the table's text) is read as _cells reads it, the lines
    between kept as they are. ``tab_led``: some line of the table opens with a tab.
    """
    table_texts: list[str] = []
    table_numbers: list[int] = []
    cell = 0
    line = start + 2
    counted_to = text_start
    for line_start in odd_lines:
        line += text.count("\n", counted_to, text_start + line_start)
        counted_to = text_start + line_start
        # The odd line's own place among the non-empty lines (it is one, not being empty).
        at = bisect_left(numbers, line, cell)
        table_texts += texts[cell:at]
        table_numbers += numbers[cell:at]
        cell = at + 1
        _read_line(lines[line - 1], line, table_texts, table_numbers, tab_led)
    table_texts += texts[cell:]
    table_numbers += numbers[cell:]
    return _Cells(table_texts, table_numbers)


def parse_tianjin(lines: tuple[str, ...], path: Path, text: str | None = None) -> LayoutResult:
    """Extract units and projects (with indicator rows) from a Tianjin-layout release.

    ``text`` is the lines joined by newlines, where the caller has it (RawRelease.text): each
    table's text is then a slice of it.
    """
    if text is None:
        text = "\n".join(lines)
    warnings: list[Warning_] = []
    tables = _table_spans(text)
    if not tables:
        raise ParseError(path, None, "no project table title (…绩效目标表) found")
    preamble = [i + 1 for i in range(tables[0][0]) if lines[i].strip()]
    if preamble:
        warnings.append(Warning_(preamble[0], "preamble_ignored", "text before the first table"))
    units: dict[tuple[str | None, str], UnitRecord] = {}
    projects: list[ProjectRecord] = []
    departments: list[str] = []
    currencies: Counter[str] = Counter()
    # A bond table's text holds 资金来源 (or an entity that may decode to it): one search of
    # the release names the few tables to look at.
    maybe_bonds = _tables_holding(text, tables, ("资金来源", "&"))
    maybe_classified = _tables_holding(text, tables, _CLASSIFIED_CHARACTERS)
    for index, ((start, end, _, _), cells) in enumerate(
        zip(tables, _release_cells(lines, text, tables), strict=True)
    ):
        if index in maybe_bonds and _is_bond_table(cells):
            record = _parse_bond_table(
                cells, _title_name(lines[start]), start + 1, end, path, warnings, departments
            )
        else:
            record = _parse_project_table(
                cells, lines[start], start + 1, end, path, warnings, index in maybe_classified
            )
        if record is None:
            continue
        unit_key, project = record
        currencies[project.currency_unit_zh] += 1
        if unit_key not in units:
            code, name = unit_key
            units[unit_key] = UnitRecord(
                seq=len(units) + 1, name_zh=name, code=code, source_line=start + 2
            )
        project.unit_seq = units[unit_key].seq
        project.seq = len(projects) + 1
        projects.append(project)
    if not projects:
        raise ParseError(path, None, "tables found but none holds a project (项目名称 / 预算数)")
    department, source = _department(departments, list(units.values()))
    return LayoutResult(
        layout=LAYOUT,
        department_zh=department,
        department_source=source,
        currency_unit_zh=currencies.most_common(1)[0][0] if currencies else WAN,
        department_line=None,
        units=list(units.values()),
        projects=projects,
        declared_totals=[],
        warnings=warnings,
    )


def _title_name(title_line: str) -> str:
    """The project name a title line prints (``1.<name>绩效目标表``), or the line cleaned.

    Read only where it is used: a table of the usual shape names its project in its own
    cell, and the lazy name of _TITLE tries the suffix at every character.
    """
    title = clean_cell(title_line)
    match = _TITLE.match(title)
    return clean_name(match["name"]) if match else title


def _label_positions(cells: _Cells) -> dict[str, int]:
    """Where each label first occurs, as a label reads (no spaces, no trailing colon).

    Built once per table: the labels of a table (a dozen spellings) are then looked up,
    not searched for cell by cell. Only a text that can read as a label once its spaces and
    trailing colons are gone is folded (it starts as a label does, or with a space, and is
    short, or holds a space or ends in a colon): most cells are values and indicator rows.
    """
    positions: dict[str, int] = {}
    for index, text in enumerate(cells.texts):
        if text.startswith(_LABEL_STARTS) and (
            len(text) <= _LONGEST_LABEL or " " in text or text[-1:] in (":", "：")
        ):
            positions.setdefault(text.replace(" ", "").rstrip(":："), index)
    return positions


def _value_after(cells: _Cells, positions: dict[str, int], label: str) -> tuple[int, int] | None:
    """The index of the first cell that reads ``label`` and of the cell after it."""
    index = positions.get(label)
    if index is not None and index + 1 < len(cells):
        return index, index + 1
    return None  # absent, or only as the last cell (so no later one either)


def _value_after_any(
    cells: _Cells, positions: dict[str, int], labels: tuple[str, ...]
) -> tuple[int, int] | None:
    """The cell after the first of several printed spellings of one label."""
    for label in labels:
        if hit := _value_after(cells, positions, label):
            return hit
    return None


# Printed spellings of each label, most common first (other departments word them apart).
TOTAL_LABELS = ("预算数", "年度预算数", "资金总额", "年度资金总额", "项目资金总额", "金额合计")
FISCAL_LABELS = ("其中：财政资金", "其中:财政资金", "财政资金", "其中：财政拨款", "财政拨款")
OTHER_LABELS = ("其他资金", "其中：其他资金")
NAME_LABELS = ("项目名称",)
GOAL_LABELS = ("绩效目标", "年度绩效目标", "项目绩效目标")


def _amount(cells: _Cells, index: int | None, unit: str, path: Path, label: str) -> Decimal | None:
    if index is None:
        return None
    text = cells.texts[index]
    try:
        value = parse_amount_wan(text, unit=unit)
    except AmountError as exc:
        raise ParseError(path, cells.lines[index], f"{label}: {exc}") from exc
    if value is not None and value < 0:
        raise ParseError(path, cells.lines[index], f"{label}: negative amount {text!r}")
    return value


_UNIT_LABEL = re.compile(r"^(?:预算单位|单位名称|项目单位|主管部门|部门)\s*[:：]\s*")
UNKNOWN_UNIT = "（未注明单位）"


@lru_cache(maxsize=4096)
def _split_unit(text: str) -> tuple[str | None, str]:
    """A unit's code and name; once per distinct text (a unit prints dozens of tables)."""
    match = _UNIT.match(_UNIT_LABEL.sub("", text).replace(" ", ""))
    if match:
        return match["code"], clean_name(match["name"])
    return None, clean_name(text)


def _indicator_rows(
    cells: _Cells, path: Path, warnings: list[Warning_]
) -> tuple[TianjinIndicatorTable, int, str]:
    """The indicator table's rows, column by column, where its header starts, and its text.

    The rows are every ``width`` cells after the header, so each printed column is one
    slice of the cells with that step. The text is the rows' cells joined by tabs, rows by
    line breaks (_raw_indicator_text); where the header names every cell of a row (4, or 5
    with the description) a row's cells are ``width`` cells in a row, joined as they stand.
    """
    texts = cells.texts
    try:
        start = texts.index("一级指标")
    except ValueError:
        return TianjinIndicatorTable(), len(texts), ""
    header_end, width, has_description = _usual_header(texts, start) or _header(
        cells, start, warnings
    )
    body = texts[header_end:]
    missing = -len(body) % width
    if missing:
        first = header_end + len(body) - (width - missing)
        warnings.append(
            Warning_(
                cells.lines[first],
                "incomplete_indicator_row",
                f"{width - missing} of {width} cells",
            )
        )
        body = body + [""] * missing
    level1 = body[0::width]
    table = TianjinIndicatorTable(
        level1_zh=level1,
        level2_zh=body[1::width],
        name_zh=body[2::width],
        description_zh=body[3::width] if has_description else [None] * len(level1),
        value_zh=body[width - 1 :: width],
        source_line=cells.lines[header_end::width],
    )
    # Where the header names every cell of a row, the rows are the body's cells as they stand.
    full_rows = width == 4 + has_description
    text = _rows_text(body, width) if full_rows else _raw_indicator_text(table)
    return table, start, text


# A row's places in _rows_text, by width: each cell's (None), then a tab, and a line break
# after the last.
_ROW_PLACES = {width: [None, "\t"] * (width - 1) + [None, "\n"] for width in (4, 5)}


def _rows_text(body: list[str], width: int) -> str:
    """Rows of ``width`` cells (``body``, a whole number of rows) as text: tabs, line breaks.

    One join of the cells set between their separators (the row's places repeated, the cells
    assigned every other one), where a join per row over zip's tuples and one of the rows
    cost half as much again. tests/parsers/test_tianjin_usual.py holds it to the columns
    joined.
    """
    if not body:
        return ""
    places = _ROW_PLACES[width] * (len(body) // width)
    places[::2] = body
    places.pop()  # the line break after the last row
    return "".join(places)


# The two headers the tables print after 一级指标: with the description column and without.
_HEADER_WITH_DESCRIPTION = ["二级指标", "三级指标", "绩效指标描述", "指标值"]
_HEADER_WITHOUT_DESCRIPTION = ["二级指标", "三级指标", "指标值"]


def _usual_header(texts: list[str], start: int) -> tuple[int, int, bool] | None:
    """Where one of the two printed headers ends, its width and whether it has a description.

    Two list comparisons instead of a test per header cell; the header must end there (the
    next cell is no header name), as _header would find.
    """
    end = start + 5
    if texts[start + 1 : end] == _HEADER_WITH_DESCRIPTION and (
        end == len(texts) or texts[end] not in _INDICATOR_HEADER
    ):
        return end, 5, True
    end = start + 4
    if texts[start + 1 : end] == _HEADER_WITHOUT_DESCRIPTION and (
        end == len(texts) or texts[end] not in _INDICATOR_HEADER
    ):
        return end, 4, False
    return None


def _header(cells: _Cells, start: int, warnings: list[Warning_]) -> tuple[int, int, bool]:
    """Any header: its cells are read up to the first that is no header name."""
    texts = cells.texts
    header_end = start
    while header_end < len(texts) and texts[header_end] in _INDICATOR_HEADER:
        header_end += 1
    header = texts[start:header_end]
    has_description = any(name in header for name in ("绩效指标描述", "指标描述"))
    width = len(header)
    if width < 4 or (has_description and width < 5):
        # A damaged header: fall back to the printed forms (4 cells, or 5 with a description).
        width = 5 if has_description else 4
        warnings.append(
            Warning_(cells.lines[start], "indicator_header_damaged", f"header cells {header}")
        )
    return header_end, width, has_description


def _raw_indicator_text(table: TianjinIndicatorTable) -> str:
    """The table's rows as text, cells joined by tabs (what classification and the lake see)."""
    columns = [table.level1_zh, table.level2_zh, table.name_zh, table.value_zh]
    # _indicator_rows gives a description column of texts or of Nones only: its first says.
    if table.description_zh[:1] != [None]:
        columns.insert(3, table.description_zh)
    return "\n".join(map("\t".join, zip(*columns, strict=True)))


_Hit = tuple[int, int] | None
# What a table's labels tell: the unit's text, the currency, and the cells of the name, the
# three amounts and the goal (each as the label's index and its value's).
_Hits = tuple[str | None, str, _Hit, _Hit, _Hit, _Hit, _Hit]


def _searched_hits(cells: _Cells) -> _Hits:
    """The labels wherever the table prints them, first occurrence and first spelling first."""
    texts = cells.texts
    positions = _label_positions(cells)
    first_label = next((i for i, text in enumerate(texts) if text in _LABELS), len(texts))
    unit_text = next(
        (
            text
            for text in texts[:first_label]
            if text and not _CURRENCY.match(text.replace(" ", ""))
        ),
        None,
    )
    currency = WAN
    for text in texts[:4]:
        if match := _CURRENCY.match(text.replace(" ", "")):
            currency = match["unit"]
    return (
        unit_text,
        currency,
        _value_after_any(cells, positions, NAME_LABELS),
        _value_after_any(cells, positions, TOTAL_LABELS),
        _value_after_any(cells, positions, FISCAL_LABELS),
        _value_after_any(cells, positions, OTHER_LABELS),
        _value_after_any(cells, positions, GOAL_LABELS),
    )


# The table as nearly every Tianjin department prints it: these labels at these cells, the
# values between them one cell each, the goal from cell 14 to the indicator header.
_USUAL_LABEL_CELLS = itemgetter(1, 2, 4, 5, 7, 9, 13)
_USUAL_LABELS = (
    "单位：万元",
    "项目名称",
    "预算规模及资金用途",
    "预算数",
    "其中：财政资金",
    "其他资金",
    "绩效目标",
)
_USUAL_VALUE_CELLS = itemgetter(0, 3, 6, 8, 10, 11, 12)
_USUAL_HITS_AFTER_UNIT = (WAN, (2, 3), (5, 6), (7, 8), (9, 10), (13, 14))


def _usual_hits(texts: list[str]) -> _Hits | None:
    """The hits of a table of the usual shape, read by position; None for any other table.

    Searching every cell for a dozen spellings (_searched_hits) cost more than the rest of
    the table. Position gives the same hits where each label sits at its cell, no value cell
    before the goal reads as one of these labels once folded (so each label's first
    occurrence is its own cell), the first cell is no label (it is the unit's text) and
    neither the first cell nor the name reads as a currency line.
    """
    if len(texts) < 15 or _USUAL_LABEL_CELLS(texts) != _USUAL_LABELS:
        return None
    unit_text = texts[0]
    if unit_text in _LABELS or _is_currency(unit_text) or _is_currency(texts[3]):
        return None
    values = "\n".join(_USUAL_VALUE_CELLS(texts)).replace(" ", "")
    # A folded value equal to a label holds that label's text (folding only drops spaces
    # and trailing colons), so none of them in the values rules every such value out.
    if (
        "项目名称" in values
        or "预算数" in values
        or "其中：财政资金" in values
        or "其他资金" in values
        or "绩效目标" in values
    ):
        return None
    return (unit_text or None, *_USUAL_HITS_AFTER_UNIT)


def _is_currency(text: str) -> bool:
    # _CURRENCY matches only a text that starts with 单 once its spaces are gone.
    return "单" in text and _CURRENCY.match(text.replace(" ", "")) is not None


def _parse_project_table(
    cells: _Cells,
    title: str,
    title_line: int,
    end: int,
    path: Path,
    warnings: list[Warning_],
    classifiable: bool,
) -> tuple[tuple[str | None, str], ProjectRecord] | None:
    """One project table; ``title`` is its title line as printed (read where used).

    A table of the usual shape is read by position (_read_usual_table); any other, and a
    usual one it refuses, by the careful reading (_read_table). ``classifiable``: the
    table's text holds a character of _CLASSIFIED_CHARACTERS.
    """
    if not cells.texts:
        warnings.append(
            Warning_(title_line, "empty_table", f"table {_title_name(title)!r} has no cells")
        )
        return None
    return _read_usual_table(cells, end, path, warnings, classifiable) or _read_table(
        cells, title, title_line, end, path, warnings
    )


# Every text looks_classified looks for (涉密, SM, 待单位补充 and the placeholders holding
# them) holds one of these characters, or an entity that may decode to one: a table whose
# text holds none cannot be classified, and one search of the release per character (each
# at memchr speed) costs less than the substring tests over every table's indicators.
_CLASSIFIED_CHARACTERS = ("涉", "M", "待", "&")

# Where the usual table prints its money (total, fiscal, other), and the amounts they fill.
_USUAL_MONEY_CELLS = itemgetter(6, 8, 10)
_MONEY_KEYS = ("total", "fiscal", "other")


def _read_usual_table(
    cells: _Cells, end: int, path: Path, warnings: list[Warning_], classifiable: bool
) -> tuple[tuple[str | None, str], ProjectRecord] | None:
    """A table of the usual shape read by position straight into its record; None for others.

    Nearly every table prints its labels at the usual cells, a unit and its money in 万元 to
    the cent: for those the careful reading's general steps (the hits unpacked, a loop over
    the amounts with their labels and currency, flags gathered and sorted) cost more than
    the reading itself. Read here only where that gives exactly what the careful reading
    gives: the labels where _usual_hits finds them, a unit cell that is not blank, and each
    money cell blank or plain (amounts.plain_cents). Every other table (labels moved or
    missing, odd amounts, 元 and bond tables) is refused before anything is recorded and
    read carefully; tests/parsers/test_tianjin_fast.py holds the two to the same output.
    Its name, goal and indicators are cells of its text, so a table that is not
    ``classifiable`` (no character of _CLASSIFIED_CHARACTERS) skips looks_classified.
    """
    texts = cells.texts
    if not texts[0] or _usual_hits(texts) is None:
        return None
    amounts = zero_amounts()
    for key, text in zip(_MONEY_KEYS, _USUAL_MONEY_CELLS(texts), strict=True):
        if text:
            cents = plain_cents(text)
            if cents is None:
                return None
            amounts[key] = Decimal(cents)
    indicator_rows, indicator_start, raw_indicators = _indicator_rows(cells, path, warnings)
    # The goal runs from the cell after its label (13) to the indicator header; the use of
    # funds is what stands between the last money cell (10) and the goal's label.
    goal = "\n".join([text for text in texts[14:indicator_start] if text]) or None
    purpose = [text for text in texts[11:13] if text and text not in _LABELS]
    name = texts[3]
    # clean_name of a plain cell without a space inside is the cell itself (clean_cell only
    # strips it, and there is nothing to join): most names, without clean_cell's cache miss.
    if not cells.plain or len(name.split(maxsplit=1)) > 1:
        name = clean_name(name)
    classified = classifiable and looks_classified(name, goal, raw_indicators)
    # The careful reading's flags, sorted: none of its others can be raised here.
    flags = ["classified"] if classified else []
    if goal is None:
        flags.append("missing_goal")
    if not indicator_rows:
        flags.append("missing_indicators")
    project = ProjectRecord(
        seq=0,
        unit_seq=0,
        name_zh=name,
        amounts=amounts,
        source_line=cells.lines[3],
        source_line_end=end,
        goal_zh=goal,
        purpose_zh="\n".join(purpose) or None,
        indicators_raw_zh=raw_indicators,
        indicator_rows=indicator_rows,
        is_classified=classified,
        flags=flags,
    )
    return _split_unit(texts[0]), project


def _read_table(
    cells: _Cells,
    title: str,
    title_line: int,
    end: int,
    path: Path,
    warnings: list[Warning_],
) -> tuple[tuple[str | None, str], ProjectRecord]:
    """The careful reading of a project table: labels searched for wherever printed."""
    flags: list[str] = []
    texts = cells.texts
    hits = _usual_hits(texts) or _searched_hits(cells)
    unit_text, currency, name_hit, total_hit, fiscal_hit, other_hit, goal_hit = hits
    if unit_text is None:
        unit_code, unit_name = None, UNKNOWN_UNIT
        flags.append("unit_missing")
        warnings.append(
            Warning_(title_line, "unit_missing", f"table {_title_name(title)!r} names no unit")
        )
    else:
        unit_code, unit_name = _split_unit(unit_text)
    name = clean_name(texts[name_hit[1]]) if name_hit else _title_name(title)
    if not name_hit:
        flags.append("name_from_title")
    if total_hit is None:
        raise ParseError(path, title_line, f"table {_title_name(title)!r}: no 预算数 (budget) cell")
    amounts = zero_amounts()
    conversion = YUAN_TO_WAN_NOTE if currency == YUAN else None
    for key, hit, label in (
        ("total", total_hit, "预算数"),
        ("fiscal", fiscal_hit, "财政资金"),
        ("other", other_hit, "其他资金"),
    ):
        if hit is None or not texts[hit[1]]:
            continue  # no cell, or a blank one: no money from that source
        if currency == WAN and (cents := plain_cents(texts[hit[1]])) is not None:
            # Printed plainly to the cent: already what reading and rounding would make.
            amounts[key] = Decimal(cents)
            continue
        value = _amount(cells, hit[1], currency, path, label)
        if value is not None and texts[hit[1]] in _LABELS:
            value = None
        if value is not None:
            rounded = to_cents_of_wan(value)
            if rounded != value:
                flags.append("rounded_after_conversion")
            amounts[key] = rounded
    indicator_rows, indicator_start, raw_indicators = _indicator_rows(cells, path, warnings)
    goal = None
    purpose_parts: list[str] = []
    if goal_hit:
        goal_index = goal_hit[0]
        goal_texts = [text for text in texts[goal_index + 1 : indicator_start] if text]
        goal = "\n".join(goal_texts) or None
        after_money = max(hit[0] + 2 for hit in (total_hit, fiscal_hit, other_hit) if hit)
        purpose_parts = [
            text for text in texts[after_money:goal_index] if text and text not in _LABELS
        ]
    if goal is None:
        flags.append("missing_goal")
    if not indicator_rows:
        flags.append("missing_indicators")
    classified = looks_classified(name, goal, raw_indicators)
    if classified:
        flags.append("classified")
    if conversion:
        flags.append("converted_from_yuan")
    project = ProjectRecord(
        seq=0,
        unit_seq=0,
        name_zh=name,
        amounts=amounts,
        source_line=cells.lines[name_hit[1]] if name_hit else title_line,
        source_line_end=end,
        goal_zh=goal,
        purpose_zh="\n".join(purpose_parts) or None,
        indicators_raw_zh=raw_indicators,
        indicator_rows=indicator_rows,
        currency_unit_zh=currency,
        amount_conversion=conversion,
        is_classified=classified,
        flags=sorted(set(flags)),
    )
    return (unit_code, unit_name), project


_LABELS = {
    *NAME_LABELS,
    *TOTAL_LABELS,
    *FISCAL_LABELS,
    *OTHER_LABELS,
    *GOAL_LABELS,
    "预算规模及资金用途",
    "一级指标",
}


# Every label a table is searched for (_value_after), the longest, and how they start: a cell
# longer than that, or starting otherwise, cannot read as one (see _label_positions).
_BOND_GOAL_LABELS = ("总体目标", "当年目标")
_BOND_LABELS = ("项目单位", "主管部门", "项目性质", "项目编号", *_BOND_GOAL_LABELS)
_SEARCHED_LABELS = (
    *NAME_LABELS,
    *TOTAL_LABELS,
    *FISCAL_LABELS,
    *OTHER_LABELS,
    *GOAL_LABELS,
    *_BOND_LABELS,
)
_LONGEST_LABEL = max(len(label) for label in _SEARCHED_LABELS)
_LABEL_STARTS = (" ", *sorted({label[0] for label in _SEARCHED_LABELS}))


def _parse_bond_table(
    cells: _Cells,
    title_name: str,
    title_line: int,
    end: int,
    path: Path,
    warnings: list[Warning_],
    departments: list[str],
) -> tuple[tuple[str | None, str], ProjectRecord]:
    """A special-bond table: labels in another order, money in 元 by funding source."""
    flags = ["bond_table"]
    positions = _label_positions(cells)
    unit_hit = _value_after(cells, positions, "项目单位")
    if unit_hit is None:
        raise ParseError(
            path, title_line, f"bond table {title_name!r}: no 项目单位 (project unit) cell"
        )
    texts = cells.texts
    unit_code, unit_name = _split_unit(texts[unit_hit[1]])
    if dept_hit := _value_after(cells, positions, "主管部门"):
        departments.append(_split_unit(texts[dept_hit[1]])[1])
    nature = _value_after(cells, positions, "项目性质")
    number = _value_after(cells, positions, "项目编号")
    if nature and _PROJECT_CODE.match(texts[nature[1]].replace(" ", "")):
        flags.append("labels_swapped")
        warnings.append(
            Warning_(
                cells.lines[nature[1]],
                "labels_swapped",
                "项目性质 holds the project code; 项目编号 the nature",
            )
        )
    elif number is None:
        warnings.append(Warning_(title_line, "no_project_code", "bond table prints no 项目编号"))
    currency = YUAN if any("（元）" in text or "(元)" in text for text in texts) else WAN
    amounts = zero_amounts()
    declared_total: Decimal | None = None
    funding_end = next((i for i, text in enumerate(texts) if text in _BOND_GOAL_LABELS), len(texts))
    funding_start = next((i for i, text in enumerate(texts) if text.startswith("资金来源")), 0)
    for index in range(funding_start, funding_end - 1):
        label = texts[index].replace(" ", "")
        if label != "合计" and label not in _BOND_SOURCES:
            continue
        value = _amount(cells, index + 1, currency, path, label)
        if value is None:
            continue
        if label == "合计":
            declared_total = value
            continue
        source = _BOND_SOURCES[label]
        if source is not None:
            amounts[source] += value
    computed = amounts["fiscal"] + amounts["other"] + amounts["bond"]
    amounts["total"] = declared_total if declared_total is not None else computed
    if declared_total is None:
        flags.append("total_computed")
    for key in amounts:
        rounded = to_cents_of_wan(amounts[key])
        if rounded != amounts[key]:
            flags.append("rounded_after_conversion")
        amounts[key] = rounded
    goal_parts = []
    for label in _BOND_GOAL_LABELS:
        if hit := _value_after(cells, positions, label):
            goal_parts.append(f"{label}：{texts[hit[1]]}")
    indicator_rows, _, raw_indicators = _indicator_rows(cells, path, warnings)
    conversion = YUAN_TO_WAN_NOTE if currency == YUAN else None
    if conversion:
        flags.append("converted_from_yuan")
    warnings.append(
        Warning_(
            title_line,
            "bond_table",
            f"special-bond table {title_name!r}: {amounts['bond']} 万元 of 专项债券 "
            "kept as its own source" + (" (converted from 元)" if conversion else ""),
        )
    )
    project = ProjectRecord(
        seq=0,
        unit_seq=0,
        name_zh=title_name,
        amounts=amounts,
        source_line=title_line,
        source_line_end=end,
        goal_zh="\n".join(goal_parts) or None,
        indicators_raw_zh=raw_indicators,
        indicator_rows=indicator_rows,
        currency_unit_zh=currency,
        amount_conversion=conversion,
        is_classified=False,
        is_bond_table=True,
        flags=sorted(set(flags + ["name_from_title"])),
    )
    return (unit_code, unit_name), project


def _department(declared: list[str], units: list[UnitRecord]) -> tuple[str | None, str | None]:
    """The department: 主管部门 where printed, else the organisation the unit names share."""
    if declared:
        return Counter(declared).most_common(1)[0][0], "document"
    prefixes = Counter(
        match["prefix"] for unit in units if (match := _ORG_PREFIX.match(unit.name_zh))
    )
    if prefixes:
        return prefixes.most_common(1)[0][0], "unit_codes"
    return None, None
