"""Read one printed indicator target (指标值) into kind, operator, number and unit.

Targets in 项目支出绩效目标表 mix exact values, comparisons, directions, deadlines,
free text and placeholders. Analysts need to know which targets are quantified, so we
classify each one without ever inventing a number: when the text does not fit a rule,
it is ``qualitative`` and the printed text is kept.

Rules, applied in this order to the NFKC-normalised text (full-width digits, ``％``,
``＞``, ``＝`` and ``：`` become their ASCII forms):

1. ``None`` or blank → ``missing``.
2. Placeholders of classified projects (``待单位补充``, ``涉密``, ``涉密项目``, ``SM项目``,
   ``...``, ``…`` and combinations such as ``待单位补充...``) → ``placeholder``.
3. Deadlines → ``deadline``: a year date, alone or followed by 底/前/之前/以前/完成
   (``2026年12月31日前``, ``2024年10月``, ``2026年度完成…``); a month date followed by
   前 or 完成 (``7月30日前完成``; a bare ``≤12月`` is a duration); ``年底前``; and
   ``按时``/``按期``/``如期``/``及时`` alone or followed by 完成/完工/发放/… . Checked
   before numbers so a date is never read as a value; a date next to another number is
   not a plain deadline.
4. Exactly one number (text in brackets is ignored, ``2项（2项基础服务）`` has one, but a
   short bracketed unit is kept, ``≥8000（条）``; a 4-digit year is never the number) with
   an optional free-text subject before it (``满意度达到85分以上``, ``节省率≤0%``):

   - comparative words follow their legal meaning (民法典 第1259条: 以上/以下/以内
     include the number, 不满/超过 exclude it):
     以上, 及以上, 不低于, 不少于, 不小于, 大于或等于, 大于等于, ≥, >= → ``≥``;
     以下, 及以下, 不超过, 不高于, 不多于, 以内, 之内, 内, 小于或等于, 小于等于, ≤, <= → ``≤``;
     超过, 高于, 多于, 大于, > → ``>``; 低于, 不满, 少于, 小于, < → ``<``;
     a word or symbol right before the number, else the last comparative word in the
     subject (``累计不超过预算总额17.25万元``), or 以上/以下/以内 after the unit;
     the result is ``comparison``;
   - ``=``, ``等于``, ``达到``/``达`` and a bare number → ``=`` and ``exact``. 达到 is a
     verb, not a comparative, so we read the printed value and do not infer ``≥``;
   - a change verb before the number (``覆盖率提升5%``, ``投诉率下降5%``) → ``direction``
     with the number and unit kept, operator ``None``: it is a change, not a level;
   - the unit is what follows the number, trimmed (``%``, ``个``, ``万元``, ``万人次``);
     ``百分比`` is written ``%``. Past five characters only a leading measure word is
     the unit (``2082支摄像机租凭`` → ``支``); anything else left after the unit, other
     than 完成 or 达标, means the text is a sentence, so it is ``qualitative``.
5. No number and the text ends with a change verb (提升, 提高, 上升, 增长, 增加, 增强,
   改善, 好转, 向好, 下降, 降低, 减少, 缩短, 减轻), e.g. ``有所提高``, ``持续下降``,
   ``得到提高`` → ``direction``.
6. Anything else (two or more numbers, scoring rules, prose) → ``qualitative``.

``is_quantified`` is true only for ``exact`` and ``comparison`` targets, the ones that
carry a number a result can be measured against.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from decimal import Decimal
from functools import lru_cache, partial
from typing import NamedTuple

from parsers.text import nfkc

KINDS = (
    "exact",
    "comparison",
    "direction",
    "deadline",
    "qualitative",
    "placeholder",
    "missing",
)

_PLACEHOLDER = re.compile(r"(?:待单位补充|涉密项目|涉密|SM项目|SM|\.{2,}|…+|\s)+")
# A CJK ideograph other than the nine of the placeholder words. NFKC leaves every ideograph of
# U+4E00–U+9FFF as it is (none decomposes or composes), so a text holding one is no placeholder
# whatever the rest of it folds to: found before folding, it spares most names and prose the
# NFKC and the placeholder match.
_PLACEHOLDER_IDEOGRAPHS = "待单位补充涉密项目"
_OTHER_IDEOGRAPH = re.compile(
    "["
    + "".join(
        f"{chr(low)}-{chr(high)}"
        for low, high in zip(
            [0x4E00] + [ord(c) + 1 for c in sorted(_PLACEHOLDER_IDEOGRAPHS)],
            [ord(c) - 1 for c in sorted(_PLACEHOLDER_IDEOGRAPHS)] + [0x9FFF],
            strict=True,
        )
    )
    + "]"
)

# Where a text's first character falls among U+4E00–U+9FFF less the nine ideographs of the
# placeholder words: each range opens at an even index and ends at the odd one after it, so
# ``bisect_right(OTHER_IDEOGRAPH_OPENINGS, text) & 1`` is 1 exactly when the text opens with an
# ideograph no placeholder holds (a string compares by its first character first, and a text
# that opens with a bound is not below it), and such a text is no placeholder. The parsers ask
# it before is_placeholder: most names are their release's own, so the cache would pay a miss
# and an entry for the answer one C-level bisect gives. test_targets.py holds it to
# is_placeholder on every first character from U+4D00 to U+A0FF.
OTHER_IDEOGRAPH_OPENINGS = (
    "\u4e00",
    *(bound for c in sorted(_PLACEHOLDER_IDEOGRAPHS) for bound in (c, chr(ord(c) + 1))),
    "\ua000",
)

_DEADLINE_WORDS = re.compile(
    r"(?:年底前|年内)(?:完成.*)?"
    r"|(?:按时|按期|如期|及时)(?:完成|完工|办结|开展|支付|交付|上线|发放|到位|验收)?(?:任务)?"
)
# A placeholder or the words of timeliness, by name, in one match: the two never both match (a
# deadline opens with 年/按/如/及, a placeholder with none of them), so their order is moot.
_WORDS_ONLY = re.compile(
    f"(?P<placeholder>{_PLACEHOLDER.pattern})|(?P<deadline>{_DEADLINE_WORDS.pattern})"
)
# A year, optionally with month and day, then 底/前/完成 or nothing (``2024年10月``).
_YEAR_DATE = re.compile(
    r"\d{4}\s*年度?(?:\s*\d{1,2}\s*月份?(?:\s*\d{1,2}\s*日)?)?\s*(?:底|末)?"
    r"\s*(?:前|之前|以前|内|完成|完|执行完毕|$)"
)
# A month without a year needs 前 or 完成, so ``≤12月`` stays a duration.
_MONTH_DATE = re.compile(
    r"\d{1,2}\s*月份?(?:\s*\d{1,2}\s*日)?\s*(?:底|末)?\s*(?:前|之前|以前|完成)"
)
_YEAR = re.compile(r"\d{4}\s*年")

_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")

# Longest words first, so that 不低于 wins over 低于 and 大于等于 over 大于.
_PREFIX_OPERATORS = (
    ("大于或等于", "≥"),
    ("小于或等于", "≤"),
    ("少于或等于", "≤"),
    ("多于或等于", "≥"),
    ("少于等于", "≤"),
    ("多于等于", "≥"),
    ("大于等于", "≥"),
    ("小于等于", "≤"),
    ("不低于", "≥"),
    ("不少于", "≥"),
    ("不小于", "≥"),
    ("不超过", "≤"),
    ("不高于", "≤"),
    ("不多于", "≤"),
    ("不满", "<"),
    ("超过", ">"),
    ("高于", ">"),
    ("多于", ">"),
    ("大于", ">"),
    ("低于", "<"),
    ("少于", "<"),
    ("小于", "<"),
    ("等于", "="),
    ("达到", "="),
    (">=", "≥"),
    ("<=", "≤"),
    ("≥", "≥"),
    ("≤", "≤"),
    (">", ">"),
    ("<", "<"),
    ("=", "="),
    ("达", "="),
)

_SUFFIX_OPERATORS = (
    ("及以上", "≥"),
    ("或以上", "≥"),
    ("及以下", "≤"),
    ("或以下", "≤"),
    ("及以内", "≤"),
    ("以上", "≥"),
    ("以下", "≤"),
    ("以内", "≤"),
    ("之内", "≤"),
    ("内", "≤"),
)

_CHANGE_VERBS = (
    "提升",
    "提高",
    "上升",
    "增长",
    "增加",
    "增强",
    "改善",
    "好转",
    "向好",
    "下降",
    "降低",
    "减少",
    "缩短",
    "减轻",
)

# Whether a subject holds any change verb (``覆盖率提升``), in one search.
_ANY_CHANGE_VERB = re.compile("|".join(_CHANGE_VERBS))
_UNIT_ALIASES = {"百分比": "%", "百分点": "%"}
_MAX_UNIT_CHARS = 5
# A measure word before a long noun is the unit: ``2082支摄像机租凭`` counts 支.
_MEASURE_WORD = re.compile(
    r"[万亿千百]?[个支台套项份次人名家条篇场件辆路部类种张册只头门间扇架批起所座处]"
)
_ALLOWED_TAILS = ("", "完成", "达标")
_WORD_OPERATORS = tuple(
    (word, operator)
    for word, operator in _PREFIX_OPERATORS
    if len(word) > 1 and operator != "=" and not word.startswith((">", "<"))
)
# _PREFIX_OPERATORS puts every word before the words it ends with (不低于 before 低于, 大于或等于
# before 等于), so the first word a text ends with is the longest; tests/parsers/test_targets.py
# holds the order to that.
_PREFIX_BY_WORD = dict(_PREFIX_OPERATORS)
# The lengths of the operator words ending in each character, longest first: a text's last
# character tells which of its endings can be an operator word, and most subjects end in none.
_PREFIX_LENGTHS = {
    last: tuple(sorted({len(word) for word in _PREFIX_BY_WORD if word[-1] == last}, reverse=True))
    for last in {word[-1] for word in _PREFIX_BY_WORD}
}
# Whether any comparative word occurs at all, before they are looked for one by one.
_ANY_WORD_OPERATOR = re.compile("|".join(re.escape(word) for word, _ in _WORD_OPERATORS))
_BRACKETED_UNIT = re.compile(r"(\d)\s*\(([^()\d]{1,4})\)")


def _unbracketed_unit(unit: re.Match) -> str:
    r"""``≥8000(条)`` as ``≥8000条``: ``_BRACKETED_UNIT``'s replacement ``\1\2`` as a function.

    ``re.sub`` hands a template string to a Python helper on every call, found or not (~1.5 µs);
    a function is only called for a match.
    """
    return unit[1] + unit[2]


_BRACKETED = re.compile(r"\([^()]*\)")
_DIGIT = re.compile(r"\d")
_PUNCTUATION = re.compile(r"[,，;；、:]")
_TRAILING_PUNCTUATION = "。；;，,、 "


class ParsedTarget(NamedTuple):
    """One target read into its parts.

    A named tuple: immutable and hashable like the frozen dataclass it was, and built at C
    speed, where a frozen dataclass sets each of its six fields through ``object.__setattr__``
    (most distinct targets are read once, so that construction was a fair part of their cost).
    Hot callers unpack it: a named tuple's attribute reads slower than a dataclass's.

    Attributes:
        kind: One of ``KINDS``.
        operator: ``=``, ``≥``, ``≤``, ``>`` or ``<``; ``None`` unless exact or comparison.
        value: The number as printed (``95`` for ``95%``), never computed.
        unit: What follows the number, trimmed (``%``, ``万人次``); ``None`` when absent.
        is_quantified: True for exact and comparison targets that carry a number.
        text: The printed text, unchanged, so qualitative targets lose nothing.
    """

    kind: str
    operator: str | None = None
    value: Decimal | None = None
    unit: str | None = None
    is_quantified: bool = False
    text: str | None = None


# A ParsedTarget from a tuple of its six fields, at C speed: the class's own __new__ is a
# Python function (with defaults and keywords), a tenth of the cost of reading a target.
_target = partial(tuple.__new__, ParsedTarget)


def _words_only(kind: str, text: str | None) -> ParsedTarget:
    """A target read from its words alone: no operator, number or unit (missing … qualitative)."""
    return _target((kind, None, None, None, False, text))


def normalize_target_text(text: str) -> str:
    """Fold full-width forms and trim separators so rules see one spelling.

    Sources mix ``９５％`` and ``95%``, and items often end in ``。``; neither changes
    the meaning of the target.
    """
    return nfkc(text).strip().strip(_TRAILING_PUNCTUATION).strip()


@lru_cache(maxsize=65536)
def is_placeholder(text: str | None) -> bool:
    """Tell whether a printed cell is a classified-project placeholder.

    Classified (涉密 / SM) projects print ``待单位补充...`` or ``涉密`` instead of real
    indicators; they must not be counted as real, unquantified targets. Gives exactly
    ``parse_target(text).kind == "placeholder"``; names are asked too, and nearly every name
    holds an ideograph no placeholder has (``_OTHER_IDEOGRAPH``), which settles it unfolded.
    """
    if text is None:
        return False
    # Most names open with such an ideograph: one bisect settles them without the search.
    if bisect_right(OTHER_IDEOGRAPH_OPENINGS, text) & 1:
        return False
    if _OTHER_IDEOGRAPH.search(text):
        return False
    folded = normalize_target_text(text)
    return bool(folded) and _PLACEHOLDER.fullmatch(folded) is not None


@lru_cache(maxsize=65536)
def parse_target(text: str | None) -> ParsedTarget:
    """Classify one printed target; see the module docstring for the rules.

    Most distinct targets take the usual shape (``_USUAL``): they are read by one match on the
    text as printed, before any folding, and one lookup of what the words around the number
    mean (``_USUAL_HEADS``). Most others are settled by their words alone (``_USUAL_WORDS``: a
    placeholder, the timeliness words, one date, words without a digit), by one match too. A
    text NFKC would change is folded first and tried on ``_USUAL`` folded; anything no pattern
    takes is read by the rules in full (``_read_general``), which the shortcuts give exactly
    (tests/parsers/test_targets.py holds them to each other).

    Args:
        text: The printed 指标值 cell, or ``None`` when the document prints none.

    Returns:
        The kind, operator, value and unit. Unreadable text is ``qualitative``.
    """
    if text is None:
        return _words_only("missing", text)
    # Both patterns keep spaces and the trimmed punctuation off both ends, so a text either
    # matches that NFKC leaves alone is its own folded form; any other text is matched folded.
    # _USUAL admits only characters NFKC leaves alone, so its match needs no check.
    match = _USUAL.fullmatch(text)
    if match is None:
        if unicodedata.is_normalized("NFKC", text):
            words = _USUAL_WORDS.fullmatch(text)
            if words is not None:
                # _words_only written out: a call less for one text in six.
                return _target((_WORD_KINDS[words.lastindex or 0], None, None, None, False, text))
        if not text.strip():
            return _words_only("missing", text)
        folded = normalize_target_text(text)
        if folded == text or (match := _USUAL.fullmatch(folded)) is None:
            return _read_folded(folded, text)
    before, number, unit, suffix = match.groups("")
    head = _USUAL_HEADS.get((before, suffix)) if suffix else _UNSUFFIXED_HEADS.get(before)
    if head is not None:
        kind, operator, quantified = head
        return _target((kind, operator, Decimal(number), _UNITS.get(unit, unit), quantified, text))
    return _read_subject(before, number, unit, suffix, text) or _read_folded(match.string, text)


def _read_general(text: str | None) -> ParsedTarget:
    """parse_target by the rules in full, no shortcut: the reading the shortcuts are held to."""
    if text is None or not text.strip():
        return _words_only("missing", text)
    return _read_folded(normalize_target_text(text), text)


def _read_folded(folded: str, text: str) -> ParsedTarget:
    """Rules 1 to 6 on the folded, trimmed text (``text`` is kept as printed in the result)."""
    if not folded:
        return _words_only("missing", text)
    words = _WORDS_ONLY.fullmatch(folded)
    if words is not None:
        return _words_only(words.lastgroup, text)  # a placeholder, or a promise of timeliness
    if _DIGIT.search(folded) is None:
        # No number and no date (both need a digit): what is left of rules 3 to 5 are the
        # change verbs, without the scans for dates and numbers.
        if folded.endswith(_CHANGE_VERBS):
            return _words_only("direction", text)
        return _words_only("qualitative", text)
    if _is_dated(folded):
        return _words_only("deadline", text)
    numeric = _parse_numeric(folded, text)
    if numeric is not None:
        return numeric
    # A number, so never a bare direction.
    return _words_only("qualitative", text)


def _is_dated(folded: str) -> bool:
    """Tell whether the target is one or more dates and holds no other number.

    Dates are checked before numbers, so ``2026年12月31日前`` is never read as the value
    2026. A date next to another number (``2024年完成5个``) is not a plain deadline.
    """
    if "年" not in folded and "月" not in folded:
        return False  # every date names its year (_YEAR_DATE) or its month (_MONTH_DATE)
    dates = sorted(
        date.span() for pattern in (_YEAR_DATE, _MONTH_DATE) for date in pattern.finditer(folded)
    )
    if not dates:
        return False
    # A digit outside every date, looked for in the gaps between them (the dates of the two
    # patterns may overlap): a set of covered positions cost a step per character.
    covered_to = 0
    for start, end in dates:
        if start > covered_to and any(map(str.isdigit, folded[covered_to:start])):
            return False
        covered_to = max(covered_to, end)
    return not any(map(str.isdigit, folded[covered_to:]))


def _parse_numeric(folded: str, text: str) -> ParsedTarget | None:
    """Read a target built around exactly one number, or return ``None``.

    Two numbers (``85%≤整改率<90%扣1分``) are a scoring rule, not a target, so only a
    single number is read.
    """
    if "(" in folded:  # both patterns need one
        folded = _BRACKETED.sub("", _BRACKETED_UNIT.sub(_unbracketed_unit, folded))
    without_brackets = folded.strip()
    numbers = _NUMBER.finditer(without_brackets)
    match = next(numbers, None)
    if match is None or next(numbers, None) is not None:
        return None  # a scoring rule is given up on at its second number, not read to the end
    if _YEAR.match(without_brackets, match.start()):
        return None
    value = Decimal(match.group().replace(",", ""))
    before = without_brackets[: match.start()].rstrip()
    after = without_brackets[match.end() :].strip()

    prefix_operator, subject = _split_prefix_operator(before)
    unit, suffix_operator, tail = _split_unit(after)
    if unit is None or tail not in _ALLOWED_TAILS:
        return None
    if prefix_operator not in (None, "=", suffix_operator) and suffix_operator:
        return None
    operator = suffix_operator or prefix_operator

    if operator is None and _ANY_CHANGE_VERB.search(subject):
        return _target(("direction", None, value, unit or None, False, text))
    if operator in (None, "="):
        return _target(("exact", "=", value, unit or None, True, text))
    return _target(("comparison", operator, value, unit or None, True, text))


def _split_prefix_operator(before: str) -> tuple[str | None, str]:
    """Split ``满意度达到`` into operator ``=`` and subject ``满意度``.

    The operator right before the number is the first word of ``_PREFIX_OPERATORS`` that the
    text ends with, which is the longest such word (``_PREFIX_BY_WORD``), found by looking up
    the text's endings of the lengths such words have (``_PREFIX_LENGTHS``) instead of trying
    every word in turn. An ending longer than the text is the whole text: if that is a word, it
    is the longest the text ends with.
    """
    for length in _PREFIX_LENGTHS.get(before[-1:], ()):
        operator = _PREFIX_BY_WORD.get(before[-length:])
        if operator is not None:
            return operator, before[:-length].rstrip()
    if _ANY_WORD_OPERATOR.search(before) is None:
        return None, before
    found = [
        (before.rfind(word), word, operator) for word, operator in _WORD_OPERATORS if word in before
    ]
    position, word, operator = max(found, key=lambda hit: (hit[0] + len(hit[1]), len(hit[1])))
    return operator, before[:position].rstrip()


def _split_unit(after: str) -> tuple[str | None, str | None, str]:
    """Split what follows the number into unit, suffix operator and leftover text.

    Returns ``(None, None, after)`` when the unit is too long to be a unit, which
    means the number sits inside a sentence. Punctuation ends the unit, so
    ``≥100%，得满分`` keeps ``，得满分`` as leftover text.
    """
    punctuation = _PUNCTUATION.search(after)
    if punctuation:
        unit = after[: punctuation.start()].strip()
        return _UNIT_ALIASES.get(unit, unit), None, after[punctuation.start() :]
    for word, operator in _SUFFIX_OPERATORS:
        position = after.find(word)
        if position != -1:
            unit = after[:position].strip()
            tail = after[position + len(word) :].strip()
            if len(unit) <= _MAX_UNIT_CHARS and not _NUMBER.search(unit):
                return _UNIT_ALIASES.get(unit, unit), operator, tail
    for tail in _ALLOWED_TAILS[1:]:
        position = after.find(tail)
        if position != -1:
            unit = after[:position].strip()
            return _UNIT_ALIASES.get(unit, unit), None, after[position:]
    if len(after) <= _MAX_UNIT_CHARS:
        return _UNIT_ALIASES.get(after, after), None, ""
    counted = _MEASURE_WORD.match(after)
    if counted:
        return counted.group(), None, ""
    return None, None, after


# Printable ASCII, the CJK ideographs and ≤ ≥, as a character class's contents: the characters
# usual targets print (all but two of the samples' and gen7's). Each is its own compatibility
# decomposition, combines with nothing before it and is the second half of no composed character,
# so NFKC leaves a text made of them as it is (tests/parsers/test_targets.py checks every one).
_NFKC_INERT = "!-~\u4e00-\u9fff≤≥"
# The shape most targets take: an optional subject and operator word, one number, a short unit
# and an optional 以上/以下 (``≥95%``, ``100%``, ``不少于883名``, ``满意度达到85分以上``,
# ``节省率≤0%``, ``2000个或以上``, ``≤5个工作日``). What ``_read_folded`` would check is ruled
# out by the pattern itself: ``before`` holds no digit, space or bracket, the unit holds no
# digit, space, punctuation, ``.``, 底/末/前 of dates, 以/之/及/或/内 of the suffix operators or
# 完/达 of the allowed tails, so such a text is no placeholder and holds exactly one number, and
# ``before`` and ``after`` are the pattern's groups. It holds no date either: a date needs
# digits right before 年 or 月, and the one number may meet 年 only if fewer than four digits
# end it (``≥5年``; ``2024年`` is a date or a year), while a month date needs 前 or 完成 after
# it. The first look-ahead admits only characters NFKC leaves alone in any company
# (``_NFKC_INERT``), so a text the pattern matches is its own folded form without a check; the
# second keeps off the two deadline words that may be followed by a number (``年内完成5个``) and
# the punctuation that trimming would remove. Possessive repeats: no shorter split of the number
# or unit can match where the longest did not, so a text that fails is given up on at once.
_USUAL = re.compile(
    rf"(?=[{_NFKC_INERT}]*+\Z)"
    r"(?![。；;，,、]|年底前完成|年内完成)"
    r"(?P<before>[^\d\s()]*+)"
    r"(?P<number>\d++(?:\.\d+)?+)(?:(?<!\d\d\d\d)|(?!年))"
    r"(?P<unit>[^\d\s.,，;；、:()\[\]<>=≥≤底末前以之及或内完达。]{0,5}+)"
    r"(?P<suffix>及以上|或以上|及以下|或以下|及以内|以上|以下|以内|之内|内)?"
)
# What ``normalize_target_text`` trims off either end, as a character class's contents.
_TRIMMED = r"\s" + re.escape(_TRAILING_PUNCTUATION)
# The date of ``_YEAR_DATE`` or ``_MONTH_DATE`` printed without spaces: their patterns less
# their optional spaces, so the two readings cannot drift apart.
_PRINTED_DATE = "|".join(date.pattern.replace(r"\s*", "") for date in (_YEAR_DATE, _MONTH_DATE))
# The texts the rules settle by their words, without reading a number: a placeholder, the words
# of timeliness, one date and no other digit (``在2024年12月31日前``, ``2025年9月底前完成购置``),
# or words without a digit, ending in a change verb (``持续下降``) or not (``提高医疗保障``). Its
# ends keep off what trimming removes, so a text it matches that NFKC leaves alone is its own
# folded form, and the group that took part tells the kind the rules give (``_WORD_KINDS``).
# The date is the whole of ``_is_dated``'s answer: no digit stands before it, so
# ``_YEAR_DATE``/``_MONTH_DATE`` find it at its first digit, their optional parts take what is
# printed (they try it first), and no digit follows it.
_USUAL_WORDS = re.compile(
    rf"(?=[^{_TRIMMED}])"
    rf"(?:({_PLACEHOLDER.pattern})|({_DEADLINE_WORDS.pattern})"
    rf"|\D*+(?:({_PRINTED_DATE})\D*+|(?<={'|'.join(_CHANGE_VERBS)})())?)"
    rf"(?<![{_TRIMMED}])"
)
# The kind by ``_USUAL_WORDS``'s last group to take part (none: words alone, qualitative).
_WORD_KINDS = ("qualitative", "placeholder", "deadline", "deadline", "direction")
_SUFFIX_BY_WORD = dict(_SUFFIX_OPERATORS)
# What ``_USUAL``'s unit group stands for in the result: an alias written as the sign, none as None.
_UNITS = {**_UNIT_ALIASES, "": None}


def _read_subject(
    before: str, number: str, unit: str, suffix: str, text: str
) -> ParsedTarget | None:
    """``_parse_numeric``'s reading of a usual text whose ``before`` is not one operator word.

    A subject (``节省率≤``, ``满意度达到``, ``合规率``) is split off by ``_split_prefix_operator``
    as in the rules. None where the general reading must decide: two operators that disagree.
    """
    prefix_operator, subject = _split_prefix_operator(before)
    if suffix:
        suffix_operator = _SUFFIX_BY_WORD[suffix]
        if prefix_operator not in (None, "=", suffix_operator):
            return None
        operator = suffix_operator
    else:
        operator = prefix_operator
    unit = _UNITS.get(unit, unit)
    if operator is None and _ANY_CHANGE_VERB.search(subject):
        return _target(("direction", None, Decimal(number), unit, False, text))
    if operator in (None, "="):
        return _target(("exact", "=", Decimal(number), unit, True, text))
    return _target(("comparison", operator, Decimal(number), unit, True, text))


def _heads() -> dict[tuple[str, str], tuple[str, str | None, bool]]:
    """Kind, operator and quantified flag of ``word + number + suffix`` for each word and suffix.

    Read from the rules themselves (``_parse_numeric`` on ``word 1 suffix``), so the lookup
    cannot drift from them; a pair the rules refuse (``≤5以上``: two operators that disagree)
    is left out and goes to ``_read_subject``, which refuses it the same way.
    """
    heads = {}
    for word in ("", *_PREFIX_BY_WORD):
        for suffix in ("", *_SUFFIX_BY_WORD):
            read = _parse_numeric(f"{word}1{suffix}", "")
            if read is not None:
                heads[word, suffix] = (read.kind, read.operator, read.is_quantified)
    return heads


# What the words around the number make of it when ``before`` is one operator word or none.
_USUAL_HEADS = _heads()
# The same for a number no suffix follows (most usual targets), by the word alone: one lookup of
# a string, not of a pair built and hashed.
_UNSUFFIXED_HEADS = {word: head for (word, suffix), head in _USUAL_HEADS.items() if not suffix}
