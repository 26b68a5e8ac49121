"""Split performance indicators (绩效指标) into items: levels, name, period and annual targets.

Two source shapes reach this module:

- Guangzhou prints all indicators of a project in one cell (the 7th column), as numbered
  items. The long form is
  ``1、1-产出指标；11-数量指标；名；实施周期指标值:100%；年度指标值:100%。`` (the colon may
  be ``:`` or ``：``, and is sometimes missing); the short form, used by 广州市公安局, is
  ``1、产出指标：名；年度指标值：95%以上。``. Cells may be wrapped in ``<p>…</p>`` and
  carry HTML entities (``&lt;``).
- Tianjin prints a table; the caller splits it into ``TianjinRow`` cells, and a blank
  level 1 means "same as the row above".

Item starts are found by a tokenizer anchored on the indicator keywords: ``N、`` counts as
a start only at the beginning of the cell or after ``。``, ``；``, a space or a tag, and
only when an ``…指标`` level name follows (``N、1-产出指标；`` or ``N、产出指标：``). Numbers
inside values (``每减少1%减0.5分``) therefore never split an item. When an item's number
and level 1 were lost in the source, the orphan shows up as a second coded level and a
second set of target markers inside the previous item; it is cut off as its own item
without a number (see ``_split_merged``), flagged and warned about.

What is printed is kept, never repaired: a level-2 name in the level-1 slot stays where it
is and the item is flagged, so reviewers can see the source's mistake and a later step can
map it to a canonical dimension. Flags an item can carry:

- ``placeholder``: the name or a target is a classified-project placeholder (涉密, SM项目,
  待单位补充...).
- ``level2_in_level1_slot``: a level-2 name (数量指标, 时效指标 …) sits in level 1.
- ``unknown_level1`` / ``unknown_level2``: a level name outside the framework
  (docs/domain.md#the-indicator-framework), compared after folding the ``指标`` suffix
  (社会效益指标 = 社会效益).
- ``level1_missing`` / ``level2_missing``: Tianjin only, a blank level with nothing to
  inherit (level 1) or blank at all (level 2).
- ``missing_annual_target``: no 年度指标值 / 指标值 printed.
- ``damaged_number``: Guangzhou only, text that carries no readable ``N、`` number: a
  cell that starts in the middle of an item, or an orphan cut out of the item before.
- ``duplicate_number``: Guangzhou only, the printed number was already used in the cell.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import accumulate
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar

from parsers.targets import OTHER_IDEOGRAPH_OPENINGS, is_placeholder, parse_target

# The framework of 财预〔2021〕101号 plus the older 产出/成本 (14) and the bond tables'
# 偿债指标; names are kept without their 指标 suffix (see _level_key).
LEVEL1_NAMES = frozenset({"产出", "效益", "满意度", "成本", "偿债"})
LEVEL2_NAMES = frozenset(
    {
        "数量",
        "质量",
        "时效",
        "成本",
        "经济成本",
        "社会成本",
        "生态环境成本",
        "经济效益",
        "社会效益",
        "生态效益",
        "可持续影响",
        "服务对象满意度",
        "预期收益实现时间",
        "预期收益金额",
        "偿债倍率",
    }
)

# The rule for where an item starts, as one pattern: a number not after anything but a
# separator, ``、``, and a level name ending in 指标 after it. The parser finds its matches with
# item_starts (faster); tests/parsers/test_item_starts.py holds the two to the same starts.
_ITEM_START = re.compile(
    r"(?<![^。；;\s>])(\d{1,3})\s*、"
    r"(?=\s*(?:\d{1,2}\s*-)?[^；;:：。、\d]{1,12}?指标\s*[；;:：\-—－])"
)
# _ITEM_START in two parts for item_starts. Read backwards from the ``、``: spaces, the one to
# three digits of the number (reversed), then a separator, a space or the cell's start.
_NUMBER_BEFORE = re.compile(r"、\s*(\d{1,3})(?!\d)(?=[。；;\s>]|\Z)")
# What must follow the ``、`` (the look-ahead of _ITEM_START).
_ITEM_FOLLOWS = re.compile(r"\s*(?:\d{1,2}\s*-)?[^；;:：。、\d]{1,12}?指标\s*[；;:：\-—－]")
# A cell as the usual items print it, for the fast path of guangzhou_indicator_columns: each
# match is one item, its number and its text up to the next item start (or the cell's end).
# The text holds no ``、`` and ends on a separator right before the next ``N、`` (greedy, so it
# runs to the next ``、`` at C speed and steps back over at most three digits), which is where
# item_starts puts the next start when the text after that ``、`` opens an item
# (``_ITEM_FOLLOWS``, checked once per distinct item text by _read_item, with the absence of
# markup). The reader checks that every ``、`` of the cell opens a match, so no start was
# skipped and the matches tile the cell.
_USUAL_ITEM = re.compile(r"(\d{1,3})、([^、]*(?:(?<=[。；;\s>])(?=\d{1,3}、)|\Z))")
# _USUAL_ITEM for a cell whose items hold a ``、`` of their own (``人力、时间资源节省``): an item's
# text may also hold a ``、`` after anything but a digit or a space, which item_starts never
# takes for a start (its number must stand, perhaps with spaces, right before the ``、``). Every
# other ``、`` must still open a match for the items to tile the cell. Tried only where
# _USUAL_ITEM leaves text between its matches: it costs a third more.
_USUAL_ITEM_WITH_PAUSES = re.compile(
    r"(\d{1,3})、([^、]*(?:(?<![\d\s])、[^、]*)*(?:(?<=[。；;\s>])(?=\d{1,3}、)|\Z))"
)
# Printed item numbers as ints without int()'s parse (a third of the cost of a usual item).
_NUMBERS = {str(number): number for number in range(1000)}
# The numbers of a cell printed 1、2、3、… in order, as printed and as ints (shared tuples), so
# that such a cell's numbers are one list comparison.
_IN_ORDER = [[str(number) for number in range(1, count + 1)] for count in range(100)]
_ORDINALS = [tuple(range(1, count + 1)) for count in range(100)]
_CODED_LEVEL = re.compile(r"\s*(\d{1,2})\s*-\s*([^；;]*?)\s*[；;]")
_NAMED_LEVEL = re.compile(r"\s*([^；;:：。、\d]{1,12}?指标)\s*[:：]")
_MERGED_BOUNDARY = re.compile(r"[。；;\s](?=\s*\d{1,2}\s*-[^；;:：。]{1,12}[；;])")
_TARGET_MARKER = re.compile(r"(实施周期指标值|年度指标值|指标值)\s*[:：]?")
# Forms other departments print (not in the 2026 samples, written from the templates):
#   labelled: 一级指标：产出指标；二级指标：数量指标；三级指标：培训人数；指标值：≥100人次
#   dashed:   产出指标-数量指标-培训人数：≥100人次
_LABEL = re.compile(r"(一级指标|二级指标|三级指标|指标名称|指标内容)\s*[:：]")
_DASHED = re.compile(
    r"\s*([^；;:：。、\d\-—－]{1,12}?指标)\s*[-—－]\s*([^；;:：。、\-—－]{1,12}?)\s*[-—－]"
    r"\s*([^:：]+?)\s*[:：]\s*(.+)$"
)
# The long and the short form (see the module docstring), whole items after ``N、``.
_LONG_FORM = re.compile(
    r"(?P<level1_code>\d{1,2})-(?P<level1_name>[^；;\s]+)；"
    r"(?P<level2_code>\d{1,2})-(?P<level2_name>[^；;\s]+)；"
    r"(?P<name>.*?)实施周期指标值\s*[:：]?(?P<period>.*?)年度指标值\s*[:：]?(?P<annual>.*)",
    re.DOTALL,
)
_SHORT_FORM = re.compile(
    r"(?P<level1_name>[^；;:：。、\d\s\-—－]{1,12}?指标)[:：]"
    r"(?P<name>.*?)年度指标值\s*[:：]?(?P<annual>.*)",
    re.DOTALL,
)
# The long and the short form with every field already trimmed as _clean_value trims it: the
# separators and spaces _ITEM_END names go around each field, which must start and end with
# something else; the spaces and colon after a marker are taken whole (atomic), as the forms
# above take them. Where a field is empty or has another space at an end (``\u3000``) these
# do not match and the forms above read the item.
_FIELD_END = r"[^\s。；;]"
_LAZY_FIELD = rf"[。；; \t\r\n]*({_FIELD_END}(?:.*?{_FIELD_END})?)[。；; \t\r\n]*"
_LAST_FIELD = rf"[。；; \t\r\n]*({_FIELD_END}(?:.*{_FIELD_END})?)[。；; \t\r\n]*"
_TRIMMED_LONG_FORM = re.compile(
    rf"(\d{{1,2}})-([^；;\s]+)；(\d{{1,2}})-([^；;\s]+)；{_LAZY_FIELD}"
    rf"实施周期指标值(?>\s*[:：]?){_LAZY_FIELD}年度指标值(?>\s*[:：]?){_LAST_FIELD}",
    re.DOTALL,
)
_TRIMMED_SHORT_FORM = re.compile(
    rf"([^；;:：。、\d\s\-—－]{{1,12}}?指标)[:：]{_LAZY_FIELD}年度指标值(?>\s*[:：]?){_LAST_FIELD}",
    re.DOTALL,
)
# The trimmed forms as nearly every item prints them: one ``；`` between fields and none inside
# one, so each field runs to its ``；`` at C speed (``[^；]*``) and steps back over the
# separators and spaces at its end, where the lazy fields above try the rest of the pattern at
# every character. With the one ``；`` around each field, the fields are those of the trimmed
# forms (tests/parsers/test_usual_cells.py holds the two to the same groups); anything else
# (a ``；`` inside a target, a blank field) is read by the trimmed forms.
_USUAL_FIELD = r"[。; \t\r\n]*([^；。;\s](?:[^；]*[^；。;\s])?)[。; \t\r\n]*"
_USUAL_LONG_FORM = re.compile(
    rf"(\d{{1,2}})-([^；;\s]+)；(\d{{1,2}})-([^；;\s]+)；{_USUAL_FIELD}；"
    rf"实施周期指标值(?>\s*[:：]?){_USUAL_FIELD}；年度指标值(?>\s*[:：]?){_USUAL_FIELD}"
)
_USUAL_SHORT_FORM = re.compile(
    rf"([^；;:：。、\d\s\-—－]{{1,12}}?指标)[:：]{_USUAL_FIELD}；"
    rf"年度指标值(?>\s*[:：]?){_USUAL_FIELD}"
)
# Both usual forms in one pattern, read by one match per distinct item (_usual_row): the long
# form's two levels as one group (checked and read by _long_head, once per distinct pair), then
# its name and two targets; or the short form's level, name and annual target. Each field runs
# to its ``；`` at C speed (``[^；]*``) and a look-behind keeps a separator or space off its end,
# which spares the optional group of _USUAL_FIELD (a general repeat, its marks saved at every
# try); the spaces and colon after a marker are taken possessively, as the atomic groups above
# take them. Nearly every item prints no separator or space around a field but after the last:
# only there are they taken, and any other item does not match (the forms above read it). Where
# it matches with levels that _LONG_LEVELS reads, its fields are those of _USUAL_LONG_FORM and
# _USUAL_SHORT_FORM (tests/parsers/test_usual_cells.py holds the two to the same groups).
_ONE_FIELD = r"([^；。;\s][^；]*(?<![。;\s]))"
_MARKER_END = r"\s*+[:：]?+"
_USUAL_FORMS = re.compile(
    rf"(\d{{1,2}}-[^；]+；\d{{1,2}}-[^；]+；){_ONE_FIELD}；实施周期指标值{_MARKER_END}{_ONE_FIELD}"
    rf"；年度指标值{_MARKER_END}{_ONE_FIELD}[。; \t\r\n]*"
    rf"|([^；;:：。、\d\s\-—－]{{1,12}}?指标)[:：]{_ONE_FIELD}"
    rf"；年度指标值{_MARKER_END}{_ONE_FIELD}[。; \t\r\n]*"
)
_LONG_LEVELS = re.compile(r"(\d{1,2})-([^；;\s]+)；(\d{1,2})-([^；;\s]+)；")
_HTML_TAG = re.compile(r"</?p\b[^<>]*>|<br\s*/?>", re.IGNORECASE)
_ITEM_END = "。；; \t\r\n"


@dataclass(frozen=True)
class IndicatorItem:
    """One indicator as printed, with the flags the parser raised about it.

    Attributes:
        indicator_seq: 1-based order within the cell or table.
        printed_number: The ``N`` of ``N、`` (Guangzhou); ``None`` when absent.
        level1_code: Printed code of level 1 (``1``); ``None`` where none is printed.
        level1_name_zh: Level 1 as printed (Tianjin: inherited when blank).
        level2_code: Printed code of level 2 (``11``).
        level2_name_zh: Level 2 as printed.
        indicator_name_zh: The indicator itself (三级指标).
        description_zh: 绩效指标描述 (Tianjin five-column tables only).
        period_target_zh: 实施周期指标值, ``None`` if absent.
        annual_target_zh: 年度指标值 / 指标值, ``None`` if absent.
        flags: Flag codes, see the module docstring.
        source_offset: Guangzhou: character offset of the item in the input text.
            Tianjin: index of the row in the list given.
        source_line: Tianjin: the row's line in the raw file; ``None`` for Guangzhou,
            whose caller maps the offset to its line.
    """

    indicator_seq: int
    printed_number: int | None
    level1_code: str | None
    level1_name_zh: str | None
    level2_code: str | None
    level2_name_zh: str | None
    indicator_name_zh: str | None
    description_zh: str | None
    period_target_zh: str | None
    annual_target_zh: str | None
    flags: tuple[str, ...]
    source_offset: int
    source_line: int | None = None


_Frozen = TypeVar("_Frozen")


def _frozen(cls: type[_Frozen], **values: Any) -> _Frozen:
    """``cls(**values)`` for a frozen dataclass, without its per-field ``__setattr__``.

    Every field must be given. That ``__init__`` cost more than the parse of a whole item
    (a third of parse_guangzhou_indicators, 2026-11) and a third of reading a usual cell; the
    instance is the same: equal, hashable, and frozen against any later assignment.
    """
    instance = object.__new__(cls)
    instance.__dict__.update(values)
    return instance


@dataclass(frozen=True)
class TianjinRow:
    """One row of a Tianjin indicator table, already split into cells by the caller."""

    level1_zh: str | None
    level2_zh: str | None
    name_zh: str | None
    description_zh: str | None
    value_zh: str | None
    source_line: int


@dataclass
class IndicatorParse:
    """Items read from one cell or table, and what the parser noticed on the way."""

    items: list[IndicatorItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _Fields(NamedTuple):
    """The parts of one Guangzhou item, before flags are decided.

    A named tuple, not a frozen dataclass: as immutable (results are cached and shared), and
    built at C speed, where a frozen dataclass sets each field through ``object.__setattr__``.
    """

    level1_code: str | None = None
    level1_name_zh: str | None = None
    level2_code: str | None = None
    level2_name_zh: str | None = None
    indicator_name_zh: str | None = None
    period_target_zh: str | None = None
    annual_target_zh: str | None = None


# An item's text columns, in the order _read_item and tianjin_indicator_columns fill them; the
# release adds project_id, indicator_id, indicator_seq, printed_number and source_line.
TEXT_COLUMNS = (
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
)
# A row of IndicatorColumns: the text columns and the flags as stored, which the text decides
# too, so one zip over a release's rows gives every one of these columns.
ROW_COLUMNS = (*TEXT_COLUMNS, "flags")
ITEM_COLUMNS = ("indicator_seq", "printed_number", *TEXT_COLUMNS)
_TARGET_KIND = TEXT_COLUMNS.index("target_kind")
_STORED_FLAGS = len(TEXT_COLUMNS)
_stored_flags_of = itemgetter(_STORED_FLAGS)


class IndicatorColumns(NamedTuple):
    """The indicators of one cell or table, as the release's columns need them.

    An item's row (``ROW_COLUMNS``: everything that depends on the item's text alone, its
    stored flags included) is one tuple, shared by every item of the same text (``_read_item``
    is cached), so the release collects these rows for a whole release and turns them into
    columns with one ``zip`` at the end, rather than a cell at a time. A named tuple built by
    ``tuple.__new__`` (``_columns``): no Python step to make one per cell.

    What only the item objects need (the flags in the order raised, each item's offset) is not
    kept here: ``parse_guangzhou_indicators`` and ``parse_tianjin_indicator_rows`` read it
    with the careful readings, which give the same columns (tests/parsers/test_usual_cells.py).
    A classified project stores the same flags: a placeholder target already flags its item
    ``placeholder`` in both layouts.

    Attributes:
        rows: Each item's ``ROW_COLUMNS`` values.
        numbers: Each item's printed number (``None`` where none is printed).
        flags: Each item's flags as the table stores them (sorted, ``;``-joined).
        lines: Tianjin: each row's line; empty for Guangzhou (the project's line applies).
        warnings: What the parser noticed, in order.
    """

    rows: tuple[tuple[Any, ...], ...]
    numbers: tuple[int | None, ...]
    flags: tuple[str, ...]
    lines: tuple[int, ...]
    warnings: tuple[str, ...]

    @property
    def values(self) -> dict[str, tuple[Any, ...]]:
        """One tuple per name of ``ITEM_COLUMNS`` (for callers that read items one by one)."""
        if not self.rows:
            return {name: () for name in ITEM_COLUMNS}
        columns = dict(zip(ROW_COLUMNS, zip(*self.rows, strict=True), strict=True))
        return {
            "indicator_seq": tuple(range(1, len(self.rows) + 1)),
            "printed_number": self.numbers,
            **{name: columns[name] for name in TEXT_COLUMNS},
        }


# IndicatorColumns from a tuple of its five fields, at C speed (its __new__ is a Python function).
_columns = partial(tuple.__new__, IndicatorColumns)
_NO_INDICATORS = IndicatorColumns((), (), (), (), ())


@lru_cache(maxsize=1024)
def _stored_flags(flags: tuple[str, ...]) -> str:
    """An item's flags as stored: sorted, ``;``-joined. Cached: a release has few flag sets."""
    return ";".join(sorted(set(flags))) if flags else ""


@lru_cache(maxsize=4096)
def guangzhou_indicator_columns(text: str) -> IndicatorColumns:
    """One Guangzhou 绩效指标 cell as indicator columns (see the module docstring).

    Cached on the cell: cells repeat (广州市公安局 prints the same 辅警补助经费 cell nine
    times), and the result is frozen, so projects share it. Per item only the printed number
    is judged here; everything its text decides, stored flags included, comes from
    ``_read_item``, read once per distinct item text. Nearly every cell is read whole by
    ``_read_usual_cell``; the item-by-item reading below takes the rest.
    """
    if not text:
        return _NO_INDICATORS
    return _read_usual_cell(text) or _read_cell_by_items(text)[0]


def _read_cell_by_items(
    text: str,
) -> tuple[IndicatorColumns, tuple[tuple[str, ...], ...], tuple[int, ...]]:
    """Any cell, item by item: item starts, merged items cut, numbers checked one by one.

    Gives the columns, and for the item objects each item's flags in the order raised and its
    offset in the cell.
    """
    if not _clean_html(text).strip():
        return _NO_INDICATORS, (), ()
    numbers: list[int | None] = []
    rows: list[tuple[Any, ...]] = []
    flag_tuples: list[tuple[str, ...]] = []
    offsets: list[int] = []
    warnings: list[str] = []
    seen: set[int] = set()
    for number, offset, raw in _guangzhou_segments(text):
        row, flags, misplaced, _, parts = _read_item(raw)
        if number is not None and number not in seen:
            seen.add(number)
        else:
            # The flag groups never share a flag, so concatenation keeps them unique.
            if number is None:
                flags = parts[0] + ("damaged_number",) + parts[1]
                warnings.append(f"offset {offset}: text without an item number: {_excerpt(raw)!r}")
            else:
                flags = parts[0] + ("duplicate_number",) + parts[1]
                warnings.append(f"offset {offset}: item number {number} printed twice")
            row = (*row[:_STORED_FLAGS], _stored_flags(flags))
        if misplaced is not None:
            warnings.append(f"offset {offset}: level-2 name {misplaced!r} in the level-1 slot")
        numbers.append(number)
        rows.append(row)
        flag_tuples.append(flags)
        offsets.append(offset)
    columns = IndicatorColumns(
        rows=tuple(rows),
        numbers=tuple(numbers),
        flags=tuple(map(_stored_flags_of, rows)),
        lines=(),
        warnings=tuple(warnings),
    )
    return columns, tuple(flag_tuples), tuple(offsets)


def _read_usual_cell(text: str) -> IndicatorColumns | None:
    """A cell read whole: one ``split`` into its items, one cached read per item text.

    None unless the cell reads exactly as the item-by-item reading would read it: the first
    item at the cell's start and the items tiling the cell (``_USUAL_ITEM.split`` leaves
    nothing between them, or ``_USUAL_ITEM_WITH_PAUSES.split`` where an item holds a ``、`` no
    number stands before; then every ``、`` that could start an item opens one), every item's
    text fit to follow a start and free of markup (checked once per distinct text by
    ``_usual_row``; the items are then those of item_starts, see ``_USUAL_ITEM``), the numbers
    printed 1、2、3、… in order (one list comparison) or else none printed twice or unusually
    (``01``, full-width: not in ``_NUMBERS``), no item that may have swallowed the next
    (``_split_merged``) and no level-2 name in a level-1 slot (which warns, with the item's
    offset). No Python step runs per item: the numbers, rows and flags are mapped at C speed.
    """
    parts = _USUAL_ITEM.split(text)
    # [text before item 1, number 1, text 1, text between items 1 and 2, number 2, ...]
    if any(parts[::3]):
        parts = _USUAL_ITEM_WITH_PAUSES.split(text)
        if any(parts[::3]):
            return None
    if len(parts) < 4:
        return None
    printed = parts[1::3]
    count = len(printed)
    if count < 100 and printed == _IN_ORDER[count]:
        numbers = _ORDINALS[count]
    else:
        numbers = tuple(map(_NUMBERS.get, printed))
        if None in numbers or len(set(numbers)) != count:
            return None
    rows = tuple(map(_usual_row, parts[2::3]))
    # A row is a non-empty tuple, None where the item needs the careful reading.
    if not all(rows):
        return None
    return _columns((rows, numbers, tuple(map(_stored_flags_of, rows)), (), ()))


def item_starts(text: str) -> list[tuple[int, int, int]]:
    """(start, end, printed number) of each match of ``_ITEM_START`` in ``text``, in order.

    Found from each ``、`` rather than by ``_ITEM_START.finditer``: a pattern that opens with
    a look-behind is tried at every character of the cell, about 400 machine instructions a
    character, the largest single cost of reading a cell. A cell holds a handful of ``、``;
    for each, one match on the reversed cell reads the number and its spaces backwards
    (``_NUMBER_BEFORE``: one to three digits with a separator or the cell's start before
    them) and one on the cell checks what follows (``_ITEM_FOLLOWS``). A test holds the two
    to the same starts on the samples' cells and on generated strings.
    """
    starts: list[tuple[int, int, int]] = []
    position = text.find("、")
    if position == -1:
        return starts
    reversed_text = text[::-1]
    last = len(text) - 1
    while position != -1:
        number = _NUMBER_BEFORE.match(reversed_text, last - position)
        if number is not None and _ITEM_FOLLOWS.match(text, position + 1):
            start = len(text) - number.end()
            starts.append((start, position + 1, int(number.group(1)[::-1])))
        position = text.find("、", position + 1)
    return starts


def _guangzhou_segments(text: str) -> list[tuple[int | None, int, str]]:
    """(printed number or None, offset, item text after ``N、``) of each item of a cell."""
    starts = item_starts(text)
    segments: list[tuple[int | None, int, str]] = []
    leading = text[: starts[0][0]] if starts else text
    if _clean_html(leading).strip(_ITEM_END):
        segments.append((None, len(leading) - len(leading.lstrip()), leading))
    # Each item ends where the next starts, the last at the end of the cell.
    ends = [start for start, _, _ in starts[1:]] + [len(text)]
    for (start, body, number), end in zip(starts, ends, strict=False):
        item = text[body:end]
        annual = item.find("年度指标值")
        if annual == -1 or item.find("-", annual) == -1:
            # No coded level after the annual target: nothing merged (see _split_merged).
            segments.append((number, start, item))
            continue
        for piece_start, piece_end in _split_merged(item, 0, len(item)):
            piece = item[piece_start:piece_end]
            if piece_start == 0:
                segments.append((number, start, piece))
            else:
                segments.append((None, body + piece_start, piece))
    return segments


def parse_guangzhou_indicators(text: str) -> IndicatorParse:
    """Split one Guangzhou 绩效指标 cell into indicator items.

    The release reads the same cell as columns (``guangzhou_indicator_columns``); this gives
    one object per item for callers that want to look at items one by one.

    Args:
        text: The cell as printed, HTML and all.

    Returns:
        The items in printed order, with ``source_offset`` into ``text``, and warnings
        for anything that had to be flagged.
    """
    columns, flag_tuples, offsets = _read_cell_by_items(text)
    return _items(columns, flag_tuples, offsets, source_lines=None)


def _items(
    columns: IndicatorColumns,
    flag_tuples: tuple[tuple[str, ...], ...],
    offsets: Iterable[int],
    source_lines: tuple[int, ...] | None,
) -> IndicatorParse:
    result = IndicatorParse(warnings=list(columns.warnings))
    values = columns.values
    for index, offset in enumerate(offsets):
        result.items.append(
            _frozen(
                IndicatorItem,
                indicator_seq=values["indicator_seq"][index],
                printed_number=values["printed_number"][index],
                level1_code=values["level1_code"][index],
                level1_name_zh=values["level1_name_zh"][index],
                level2_code=values["level2_code"][index],
                level2_name_zh=values["level2_name_zh"][index],
                indicator_name_zh=values["indicator_name_zh"][index],
                description_zh=values["description_zh"][index],
                period_target_zh=values["period_target_zh"][index],
                annual_target_zh=values["annual_target_zh"][index],
                flags=flag_tuples[index],
                source_offset=offset,
                source_line=source_lines[index] if source_lines else None,
            )
        )
    return result


@lru_cache(maxsize=65536)
def _read_item(raw: str) -> tuple[Any, ...]:
    """One item's text (after ``N、``) as the columns and flags it decides.

    Cached on the raw text: items recur across projects, and everything here depends on the
    text alone (the number and its checks are the caller's). Gives: the row (``ROW_COLUMNS``:
    the text columns and the flags as stored), the flags in the order raised,
    the level-1 name when a level-2 name sits in its slot (else None), whether the text may
    stand in a cell read by ``_read_usual_cell`` (it holds no markup, it opens an item as
    item_starts requires, and it cannot have swallowed the next item, which ``_split_merged``
    would cut off), and the level and target flags apart (a damaged or repeated number goes
    between them).

    A distinct item is read once per release at best (the samples repeat a fifth of theirs),
    so this is the cost of an item: the usual forms take one match that gives the trimmed
    fields (``_TRIMMED_LONG_FORM``), and every flag comes from one cached call (``_flags``).
    """
    plain = _is_plain(raw)
    fields = None
    if plain and raw and not raw[0].isspace():
        # _split_guangzhou_item would strip nothing but the end of the last field, which
        # the one-match forms strip the same way, and drop no markup: read the text as it is.
        markers = raw.count("指标值")
        if markers == 2 and (
            long := _USUAL_LONG_FORM.fullmatch(raw) or _TRIMMED_LONG_FORM.fullmatch(raw)
        ):
            fields = long.groups()
            opens_item = _opens_item(fields[1])
        elif markers == 1 and (
            short := _USUAL_SHORT_FORM.fullmatch(raw) or _TRIMMED_SHORT_FORM.fullmatch(raw)
        ):
            level1, name, annual = short.groups()
            if level1 not in _LABEL_LEVELS:
                fields = (None, level1, None, None, name, None, annual)
                opens_item = True  # a short form's level name opens an item (_ITEM_FOLLOWS)
        if fields is None and (fields := _read_common_form(raw)) is not None:
            opens_item = _ITEM_FOLLOWS.match(raw) is not None
    if fields is None:
        fields = _split_guangzhou_item(_clean_html(raw))
        opens_item = plain and _ITEM_FOLLOWS.match(raw) is not None
    level1_code, level1, level2_code, level2, name, period, annual = fields
    target = parse_target(annual)
    period_kind = parse_target(period)[0] if period else None
    placeholder = target[0] == "placeholder" or period_kind == "placeholder" or is_placeholder(name)
    stored, flags, parts = _flags(level1, level2, placeholder, annual is None)
    annual_marker = raw.find("年度指标值")
    levels = (level1_code, level1, level2_code, level2)
    return (
        _guangzhou_row(levels, name, period, annual, target, period_kind, stored),
        flags,
        level1 if "level2_in_level1_slot" in parts[0] else None,
        opens_item and (annual_marker == -1 or raw.find("-", annual_marker) == -1),
        parts,
    )


@lru_cache(maxsize=65536)
def _usual_row(raw: str) -> tuple[Any, ...] | None:
    """An item's row where it may stand in a cell read whole (``_read_usual_cell``), else None.

    None where the text is no usual item (see _read_item) or puts a level-2 name in the
    level-1 slot, which warns with the item's offset: the careful reading gives those. Cached
    apart from _read_item: the usual cell needs one lookup per item, and only the rare cells
    read item by item fill _read_item's cache.

    An item of either usual form takes one match (``_USUAL_FORMS``) and cached lookups of its
    levels (``_long_head``, ``_short_head``: codes, names, flags as stored, whether it opens an
    item), its targets and its name; the row is what _read_item gives for the text
    (tests/parsers/test_usual_cells.py holds the two equal). Any other text is read by
    _read_item, uncached.
    """
    form = _USUAL_FORMS.fullmatch(raw)
    # Markup (_is_plain, written out: this runs once per distinct item).
    if form is None or "&" in raw or ("<" in raw and _HTML_TAG.search(raw) is not None):
        return _careful_usual_row(raw)
    levels, name, period, annual, level1, short_name, short_annual = form.groups()
    if levels is not None:
        # Another 指标值 (in a name, a target or a level) is cut elsewhere by the general reading.
        if raw.count("指标值") != 2:
            return _careful_usual_row(raw)
        head = _long_head(levels)
    else:
        if raw.count("指标值") != 1:
            return _careful_usual_row(raw)
        head = _short_head(level1)
        name, annual = short_name, short_annual  # period: None, the short form prints none
    if head is _ODD_LEVELS:
        return _careful_usual_row(raw)
    # A ``-`` after the annual marker may be a swallowed item's coded level (_split_merged).
    if head is None or "-" in annual:
        return None
    level_fields, stored, stored_placeholder = head
    target = parse_target(annual)
    kind = target[0]
    # Most long items print the same text for both targets (the samples: 461 of 556): one read.
    if period is None:
        period_kind = None
    elif period == annual:
        period_kind = kind
    else:
        period_kind = parse_target(period)[0]
    if (
        kind == "placeholder"
        or period_kind == "placeholder"
        or (not bisect_right(OTHER_IDEOGRAPH_OPENINGS, name) & 1 and is_placeholder(name))
    ):
        stored = stored_placeholder
    return _guangzhou_row(level_fields, name, period, annual, target, period_kind, stored)


def _guangzhou_row(
    levels: tuple[str | None, str | None, str | None, str | None],
    name: str | None,
    period: str | None,
    annual: str | None,
    target: tuple[Any, ...],
    period_kind: str | None,
    stored: str,
) -> tuple[Any, ...]:
    """A Guangzhou item's ``ROW_COLUMNS`` values, in their order, written once for both readings.

    A Guangzhou item prints no description; ``target`` is ``parse_target``'s reading of the
    annual target, whose last field (the text itself) the row already holds as ``annual``.
    One call per distinct item (both callers are cached): ~1 M instructions on the samples,
    paid so the column order is written in one place beside ROW_COLUMNS' own.
    """
    code1, level1, code2, level2 = levels
    kind, operator, value, unit, quantified, _ = target
    return (
        code1,
        level1,
        code2,
        level2,
        name,
        None,
        period,
        annual,
        kind,
        operator,
        value,
        unit,
        quantified,
        period_kind,
        stored,
    )


def _careful_usual_row(raw: str) -> tuple[Any, ...] | None:
    """_usual_row by the full item reading, for texts of neither usual form."""
    row, _, misplaced, usual, _ = _read_item.__wrapped__(raw)
    return row if usual and misplaced is None else None


def _is_plain(raw: str) -> bool:
    """Whether an item's text holds no markup: no entity, and no ``<`` that opens a tag.

    ``_clean_html`` then returns the text as it is (a bare ``<3次`` is a target, not a tag).
    """
    return "&" not in raw and ("<" not in raw or _HTML_TAG.search(raw) is None)


# What _long_head and _short_head give for levels the usual forms do not read (a space or ``;``
# in a name, a labelled item): _usual_row hands the item to the careful reading.
_ODD_LEVELS = ((), "", "")


@lru_cache(maxsize=1024)
def _long_head(levels: str) -> tuple[tuple[str, ...], str, str] | None:
    """A long-form item's levels (``1-产出指标；11-数量指标；``) for _usual_row, or None.

    Gives the codes and names, the flags as stored without and with ``placeholder``; None
    where the item cannot stand in a usual cell (its level 1 does not open an item, or a level-2
    name sits in its slot); ``_ODD_LEVELS`` where the names hold what _USUAL_LONG_FORM's do not,
    for the careful reading. Cached: a release prints a few dozen level pairs.
    """
    coded = _LONG_LEVELS.fullmatch(levels)
    if coded is None:
        return _ODD_LEVELS
    code1, level1, code2, level2 = coded.groups()
    if not _opens_item(level1):
        return None
    return _head((code1, level1, code2, level2), level1, level2)


@lru_cache(maxsize=1024)
def _short_head(level1: str) -> tuple[tuple[str | None, ...], str, str] | None:
    """A short-form item's level for _usual_row (as _long_head).

    ``_ODD_LEVELS`` for a labelled item (``一级指标：…``): the careful reading reads it by its
    labels, and may still find it usual, so _usual_row hands it over rather than refusing it.
    """
    if level1 in _LABEL_LEVELS:
        return _ODD_LEVELS
    return _head((None, level1, None, None), level1, None)


def _head(
    levels: tuple[str | None, ...], level1: str, level2: str | None
) -> tuple[tuple[str | None, ...], str, str] | None:
    plain, _, parts = _flags(level1, level2, False, False)
    if "level2_in_level1_slot" in parts[0]:
        return None
    return levels, plain, _flags(level1, level2, True, False)[0]


@lru_cache(maxsize=1024)
def _opens_item(level1: str) -> bool:
    """Whether a long-form item (``N-level1；…``) may follow a start: _ITEM_FOLLOWS on its text.

    The pattern reads no further than the ``；`` after level 1 (its name part excludes ``；``,
    and the code before it is the item's), so the level-1 name decides; a release prints a
    handful of them.
    """
    return _ITEM_FOLLOWS.match(f"0-{level1}；") is not None


@lru_cache(maxsize=4096)
def _flags(
    level1: str | None, level2: str | None, placeholder: bool, missing_annual: bool
) -> tuple[str, tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...]]]:
    """An item's flags: as stored, as raised, and in groups.

    The groups are the level flags and the target flags, between which a damaged or repeated
    number goes. Cached: a release holds a few dozen level pairs.
    """
    level_flags = _level_flags(level1, level2)
    if placeholder:
        target_flags: tuple[str, ...] = ("placeholder",)
        if missing_annual:
            target_flags = ("placeholder", "missing_annual_target")
    else:
        target_flags = ("missing_annual_target",) if missing_annual else ()
    flags = level_flags + target_flags if level_flags else target_flags
    stored = ";".join(sorted(flags)) if flags else ""
    return stored, flags, (level_flags, target_flags)


@dataclass
class TianjinIndicatorTable:
    """The data rows of one Tianjin indicator table, one list per printed column.

    Built by the layout parser cell by cell, so no object exists per row.
    """

    level1_zh: list[str | None] = field(default_factory=list)
    level2_zh: list[str | None] = field(default_factory=list)
    name_zh: list[str | None] = field(default_factory=list)
    description_zh: list[str | None] = field(default_factory=list)
    value_zh: list[str | None] = field(default_factory=list)
    source_line: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.source_line)


def tianjin_indicator_columns(table: TianjinIndicatorTable) -> IndicatorColumns:
    """The rows of one Tianjin indicator table as indicator columns.

    A blank level 1 repeats the one above (the source merges the cells); with nothing
    above it the item is flagged ``level1_missing`` rather than guessed. Tianjin prints
    no codes and no numbering, so codes and ``printed_number`` stay ``None``.

    Level 1 is read once per printed level-1 column (``_level1_column``), then each row by
    one call (``_tianjin_row``, mapped over the columns) whose repeating parts go through their
    own caches; warnings are built only where due. Reading whole columns instead (a map per
    column, the rows formed by one ``zip``) cost more: a table holds six to nine rows, and the
    maps' fixed cost per table outweighed what they saved per row.
    """
    lines = tuple(table.source_line)
    if not lines:
        return _NO_INDICATORS
    level1s, warned = _level1_column(tuple(table.level1_zh))
    rows = tuple(
        map(
            _tianjin_row,
            level1s,
            table.level2_zh,
            table.name_zh,
            table.description_zh,
            table.value_zh,
        )
    )
    warnings: tuple[str, ...] = ()
    if warned:
        printed = list(map(_cell, table.level1_zh))
        warnings = tuple(_tianjin_warnings(lines, printed, level1s))
    return _columns(
        (rows, (None,) * len(lines), tuple(map(_stored_flags_of, rows)), lines, warnings)
    )


@lru_cache(maxsize=1024)
def _level1_column(printed: tuple[str | None, ...]) -> tuple[tuple[str | None, ...], bool]:
    """A table's level-1 column as carried down, and whether it raises a warning.

    The warnings are a blank level 1 with none above and a level-2 name in the slot (see
    _tianjin_warnings). Cached per printed column: tables print a few level-1 names in a few
    patterns (28 distinct columns among the sample's 121 tables, 33 among gen7's 631), and
    carrying each blank down took a Python step per row.
    """
    cells = list(map(_cell, printed))
    level1s = cells if None not in cells else list(accumulate(cells, _carry_level1))
    warned = None in level1s or any(map(_misplaced_level1, set(cells)))
    return tuple(level1s), warned


def _tianjin_row(
    level1: str | None,
    level2: str | None,
    name: str | None,
    description: str | None,
    value: str | None,
) -> tuple[Any, ...]:
    """A Tianjin row (``ROW_COLUMNS``) from its level 1 as carried and its printed cells.

    Not cached per row: names and descriptions make most rows distinct (883 of the sample's
    1,022, 3,371 of 3,876 in generated releases), so a row cache mostly paid its key and its
    entry for nothing; the parts that repeat (level 2, the value's target, the flags) are
    cached on their own.
    """
    level2 = _cell(level2)
    # A row's name and description are mostly its own: trimmed here (as _blank_to_none trims
    # them), not through _cell's cache. Its levels and value repeat and go through the caches.
    name = (name.strip() or None) if name is not None else None
    description = (description.strip() or None) if description is not None else None
    annual, kind, operator, number, unit, quantified, target_flags = _tianjin_target(value)
    # A name opening with an ideograph that no placeholder word holds is none (is_placeholder's
    # own first test): told here, most names skip the cache's key and entry, which only missed.
    placeholder_name = (
        name is not None
        and not bisect_right(OTHER_IDEOGRAPH_OPENINGS, name) & 1
        and is_placeholder(name)
    )
    stored = _tianjin_flags(level1, level2, placeholder_name, target_flags)[1]
    # One tuple display: unpacking into it (``*target``) builds a list first.
    return (
        None,
        level1,
        None,
        level2,
        name,
        description,
        None,
        annual,
        kind,
        operator,
        number,
        unit,
        quantified,
        None,
        stored,
    )


def _tianjin_flag_tuples(
    table: TianjinIndicatorTable, columns: IndicatorColumns
) -> tuple[tuple[str, ...], ...]:
    """Each row's flags in the order raised, for the item objects (the columns keep them stored)."""
    return tuple(
        _tianjin_flags(
            row[1],
            row[3],
            is_placeholder(row[4]),
            _tianjin_target(value)[-1],
        )[0]
        for row, value in zip(columns.rows, table.value_zh, strict=True)
    )


@lru_cache(maxsize=65536)
def _cell(text: str | None) -> str | None:
    """A Tianjin cell as the table keeps it (``_blank_to_none``), cached: cells repeat."""
    return _blank_to_none(text)


def _carry_level1(above: str | None, printed: str | None) -> str | None:
    return above if printed is None else printed


# parse_target without its own cache, for _tianjin_target: that cache keeps the reading of each
# distinct value already, and a second entry per value (its link, its ParsedTarget kept alive
# for the young collections to walk) bought nothing; the Guangzhou items keep parse_target's.
_read_target = parse_target.__wrapped__


@lru_cache(maxsize=65536)
def _tianjin_target(printed: str | None) -> tuple[Any, ...]:
    """A Tianjin row's target columns (annual target to is_quantified), then the value's flags.

    Cached per distinct printed value: the row's target columns and flags need nothing else,
    so the value is trimmed here, once, rather than through _cell's cache on every row. One
    flat tuple, not the columns and the flags in two: an entry is kept for the whole release,
    and each tuple kept is one more for the young collections to count and walk.
    """
    # _blank_to_none written out: one strip and no call, per distinct value.
    annual = (printed.strip() or None) if printed is not None else None
    kind, operator, value, unit, quantified, _ = _read_target(annual)
    if annual is None:
        flags: tuple[str, ...] = ("missing_annual_target",)
    else:
        flags = ("placeholder",) if kind == "placeholder" else ()
    return annual, kind, operator, value, unit, quantified, flags


@lru_cache(maxsize=4096)
def _tianjin_flags(
    level1: str | None, level2: str | None, placeholder_name: bool, target_flags: tuple[str, ...]
) -> tuple[tuple[str, ...], str]:
    """A Tianjin row's flags in the order raised, and as stored (sorted, ``;``-joined).

    A placeholder value already flags the row ``placeholder``, so a classified project stores
    the same flags (see _stored_flags). Cached: a table holds few level pairs.
    """
    flags = list(_level_flags(level1, level2))
    if level1 is None:
        flags.append("level1_missing")
    if level2 is None:
        flags.append("level2_missing")
    if placeholder_name and "placeholder" not in target_flags:
        flags.append("placeholder")
    flags.extend(target_flags)
    unique = tuple(dict.fromkeys(flags))
    return unique, ";".join(sorted(unique))


@lru_cache(maxsize=1024)
def _misplaced_level1(level1: str | None) -> bool:
    """Whether a printed level 1 is a level-2 name (``level2_in_level1_slot``)."""
    return level1 is not None and "level2_in_level1_slot" in _level_flags(level1, None)


def _tianjin_warnings(
    lines: tuple[int, ...], printed: list[str | None], level1s: list[str | None]
) -> list[str]:
    """A table's warnings in row order: a blank level 1 with none above, a misplaced name."""
    warnings = []
    for line, printed_level1, level1 in zip(lines, printed, level1s, strict=True):
        if level1 is None:
            warnings.append(f"line {line}: blank level 1 with none above")
        elif printed_level1 is not None and _misplaced_level1(printed_level1):
            warnings.append(f"line {line}: level-2 name {printed_level1!r} in the level-1 slot")
    return warnings


def parse_tianjin_indicator_rows(rows: list[TianjinRow]) -> IndicatorParse:
    """Turn the rows of one Tianjin indicator table into indicator items.

    The release reads tables as columns (``tianjin_indicator_columns``); this gives one
    object per row for callers that hold rows.

    Args:
        rows: The table's data rows in printed order, header excluded.

    Returns:
        One item per row, and warnings for flagged rows.
    """
    table = TianjinIndicatorTable()
    for row in rows:
        table.level1_zh.append(row.level1_zh)
        table.level2_zh.append(row.level2_zh)
        table.name_zh.append(row.name_zh)
        table.description_zh.append(row.description_zh)
        table.value_zh.append(row.value_zh)
        table.source_line.append(row.source_line)
    columns = tianjin_indicator_columns(table)
    flag_tuples = _tianjin_flag_tuples(table, columns)
    return _items(columns, flag_tuples, range(len(table)), source_lines=columns.lines)


def numbering_problems(items: list[IndicatorItem]) -> list[str]:
    """List where the printed numbering disagrees with the items found.

    The count of indicators is only trustworthy when the printed ``1、2、3、`` runs
    without gaps or repeats; each message names the problem so a check can show it.

    Args:
        items: The items of one cell, in printed order.

    Returns:
        One message per missing, repeated, unnumbered or out-of-order number; empty
        when the numbers read 1..n.
    """
    problems: list[str] = []
    numbers = [item.printed_number for item in items]
    unnumbered = [item.indicator_seq for item in items if item.printed_number is None]
    for seq in unnumbered:
        problems.append(f"item {seq} has no printed number")
    printed = [number for number in numbers if number is not None]
    for number, count in sorted(Counter(printed).items()):
        if count > 1:
            problems.append(f"number {number} printed {count} times")
    if printed:
        expected = set(range(1, max(printed) + 1))
        for number in sorted(expected - set(printed)):
            problems.append(f"number {number} missing")
        for previous, current in zip(printed, printed[1:], strict=False):
            if current < previous:
                problems.append(f"number {current} follows {previous}")
    return problems


def _split_merged(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut an item that swallowed a following item whose ``N、 1-产出指标；`` was lost.

    A coded level (``；31-服务对象满意度；``) after the annual target, followed by more
    target markers, means two items ran together (seen in 2026 广州市政务服务和数据管理局,
    where ``6、3-满意度指标；`` is missing). We cut before that coded level; the second
    piece carries no printed number and is flagged ``damaged_number``. Without such a
    coded level the item is left whole.
    """
    pieces: list[tuple[int, int]] = []
    piece_start = start
    while True:
        annual = text.find("年度指标值", piece_start, end)
        if annual == -1 or text.find("-", annual, end) == -1:
            break  # no annual target, or no coded level (``31-…``) after it: nothing merged
        # pos/endpos bound the search like a slice would (neither pattern looks behind).
        boundary = next(
            (
                match.start() + 1
                for match in _MERGED_BOUNDARY.finditer(text, annual + len("年度指标值"), end)
                if _TARGET_MARKER.search(text, match.end(), end)
            ),
            None,
        )
        if boundary is None:
            break
        pieces.append((piece_start, boundary))
        piece_start = boundary
    pieces.append((piece_start, end))
    return pieces


@lru_cache(maxsize=65536)
def _split_guangzhou_item(segment: str) -> _Fields:
    """Read one item's text (after ``N、``) into levels, name and targets.

    Cached: the same item text recurs across projects and releases, and the result is frozen.

    The name and the targets are cut at the 实施周期指标值 / 年度指标值 markers rather than
    at every ``；``, because targets themselves contain ``；`` and ``。``.
    """
    body = segment.strip().rstrip(_ITEM_END).strip()
    if _LABEL.match(body):
        return _split_labelled_item(body)
    if fast := _read_common_form(body):
        return _Fields(*fast)
    return _read_general_form(body)


def _read_general_form(body: str) -> _Fields:
    """Any other item: the dashed form, coded or named levels, then the target markers."""
    if dashed := _DASHED.match(body):
        return _Fields(
            level1_name_zh=_blank_to_none(dashed.group(1).strip()),
            level2_name_zh=_blank_to_none(dashed.group(2).strip()),
            indicator_name_zh=_clean_value(dashed.group(3)),
            annual_target_zh=_clean_value(dashed.group(4)),
        )
    level1_code = level1_name = level2_code = level2_name = None
    coded = _CODED_LEVEL.match(body)
    if coded:
        level1_code, level1_name = coded.group(1), coded.group(2)
        body = body[coded.end() :]
        coded = _CODED_LEVEL.match(body)
        if coded:
            level2_code, level2_name = coded.group(1), coded.group(2)
            body = body[coded.end() :]
    else:
        named = _NAMED_LEVEL.match(body)
        if named:
            level1_name = named.group(1).strip()
            body = body[named.end() :]

    markers = list(_TARGET_MARKER.finditer(body))
    name_end = markers[0].start() if markers else len(body)
    targets: dict[str, str | None] = {}
    for index, marker in enumerate(markers):
        end = markers[index + 1].start() if index + 1 < len(markers) else len(body)
        targets.setdefault(marker.group(1), _clean_value(body[marker.end() : end]))
    return _Fields(
        level1_code=level1_code,
        level1_name_zh=_blank_to_none(level1_name),
        level2_code=level2_code,
        level2_name_zh=_blank_to_none(level2_name),
        indicator_name_zh=_clean_value(body[:name_end]),
        period_target_zh=targets.get("实施周期指标值"),
        annual_target_zh=targets.get("年度指标值", targets.get("指标值")),
    )


_LABEL_LEVELS = frozenset({"一级指标", "二级指标", "三级指标"})


def _read_common_form(body: str) -> tuple[str | None, ...] | None:
    """The two forms nearly every item takes, read with one match each; None for the rest.

    Gives exactly the fields the general reading below gives, under conditions that make it
    so: the body holds no other target marker (``指标值`` occurs only in the markers matched,
    so the name and the targets cannot be cut elsewhere), the level names hold no space or
    separator, and it is not the labelled form (``一级指标：…`` reads as a short item; a long
    item starts with a digit). The general path, with its half-dozen patterns and its frozen
    record, cost more per item than the rest of the parse; anything unusual still goes
    through it.

    ``body`` may still carry what ``_split_guangzhou_item`` strips from an item's end (the
    ``。`` before the next item, spaces): the annual target, the last field, is stripped the
    same way here, and the name and the period target lie before it. Fields are cleaned as
    ``_clean_value`` cleans them (written out: this runs once per distinct item).
    """
    markers = body.count("指标值")
    if markers == 2 and (long := _LONG_FORM.fullmatch(body)):
        level1_code, level1, level2_code, level2, name, period, annual = long.groups()
        annual = annual.strip().rstrip(_ITEM_END)
        return (
            level1_code,
            level1,
            level2_code,
            level2,
            name.strip().strip(_ITEM_END).strip() or None,
            period.strip().strip(_ITEM_END).strip() or None,
            annual.strip().strip(_ITEM_END).strip() or None,
        )
    if markers == 1 and (short := _SHORT_FORM.fullmatch(body)):
        level1, name, annual = short.groups()
        if level1 in _LABEL_LEVELS:
            return None
        annual = annual.strip().rstrip(_ITEM_END)
        return (
            None,
            level1,
            None,
            None,
            name.strip().strip(_ITEM_END).strip() or None,
            None,
            annual.strip().strip(_ITEM_END).strip() or None,
        )
    return None


def _split_labelled_item(body: str) -> _Fields:
    """Read an item whose fields carry their labels (一级指标：…；二级指标：…；…)."""
    labels = list(_LABEL.finditer(body))
    fields: dict[str, str | None] = {}
    for index, label in enumerate(labels):
        end = labels[index + 1].start() if index + 1 < len(labels) else len(body)
        fields.setdefault(label.group(1), body[label.end() : end])
    tail = fields.get("三级指标") or fields.get("指标名称") or fields.get("指标内容") or ""
    markers = list(_TARGET_MARKER.finditer(tail))
    targets: dict[str, str | None] = {}
    for index, marker in enumerate(markers):
        end = markers[index + 1].start() if index + 1 < len(markers) else len(tail)
        targets.setdefault(marker.group(1), _clean_value(tail[marker.end() : end]))
    name = tail[: markers[0].start()] if markers else tail
    return _Fields(
        level1_name_zh=_clean_value(fields.get("一级指标") or ""),
        level2_name_zh=_clean_value(fields.get("二级指标") or ""),
        indicator_name_zh=_clean_value(name),
        period_target_zh=targets.get("实施周期指标值"),
        annual_target_zh=targets.get("年度指标值", targets.get("指标值")),
    )


@lru_cache(maxsize=4096)
def _level_flags(level1: str | None, level2: str | None) -> tuple[str, ...]:
    """Check the printed level names against the framework (cached: few distinct names)."""
    flags: list[str] = []
    if level1 is not None:
        key = _level_key(level1)
        if key not in LEVEL1_NAMES:
            flags.append("level2_in_level1_slot" if key in LEVEL2_NAMES else "unknown_level1")
    if level2 is not None and _level_key(level2) not in LEVEL2_NAMES:
        flags.append("unknown_level2")
    return tuple(flags)


@lru_cache(maxsize=1024)
def _level_key(name: str) -> str:
    """Fold a level name so 社会效益指标, 社会效益 and ＂社会效益 ＂ compare equal."""
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    return folded.removesuffix("指标")


def _clean_html(text: str) -> str:
    """Drop the ``<p>`` wrapper and decode entities; bare ``<2个`` is not a tag."""
    if "<" not in text and "&" not in text:
        return text  # the common cell: nothing to drop or decode
    return html.unescape(_HTML_TAG.sub(" ", text))


def _clean_value(text: str) -> str | None:
    """Trim separators around a name or target; an empty one becomes ``None``."""
    return _blank_to_none(text.strip().strip(_ITEM_END))


def _blank_to_none(text: str | None) -> str | None:
    """Treat blank cells as absent."""
    if text is None or not text.strip():
        return None
    return text.strip()


def _excerpt(text: str, width: int = 40) -> str:
    """Shorten text for a warning message."""
    cleaned = _clean_html(text).strip()
    return cleaned if len(cleaned) <= width else cleaned[:width] + "…"
