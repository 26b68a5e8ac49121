"""Shared cleaning of printed text: what PDF and DOCX extraction does to Chinese tables.

Extraction leaves HTML fragments (<p>, &lt;), non-breaking and ideographic spaces, and stray
spaces inside CJK words ("专项 工作经费", "2024 年"). Cleaning keeps the words as printed and
removes only what the extraction added.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from itertools import pairwise

_TAG = re.compile(r"</?(?:p|br|span|div|b|strong|i|em|font)\b[^>]*>", re.IGNORECASE)
_ODD_SPACES = re.compile(r"[\u00a0\u2002\u2003\u2009\u200b\u3000\ufeff]")
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SPACE_CJK_DIGIT = re.compile(rf"(?<=[{_CJK}])\s+(?=\d)|(?<=\d)\s+(?=[{_CJK}])")
_MULTISPACE = re.compile(r"[ \t]+")
_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "[", "】": "]", "—": "-", "－": "-"})


def strip_markup(text: str) -> str:
    """Remove HTML tags that PDF-to-HTML extraction leaves, and unescape entities."""
    without_tags = _TAG.sub(" ", text)
    return html.unescape(without_tags)


# What is_plain looks for, as a tuple for callers that search for each (a line holding one
# needs clean_cell, not only a strip); is_plain writes the tests out for speed, and
# tests/parsers/test_tianjin_cells.py holds the two to the same answer.
NOT_PLAIN = ("<", "&", "\u3000", "\u00a0", "  ", "\u2002", "\u2003", "\u2009", "\u200b", "\ufeff")


# Two spaces in a row, found by the regex engine's scan for a literal (~0.35 ns a character of
# CJK text), where ``"  " in text`` costs ~0.85 (str's search for a two-character needle moves
# at most two characters a step); asked only of a text holding a space, which ``" " in text``
# tells at memchr speed.
_TWO_SPACES = re.compile("  ").search


def is_plain(text: str) -> bool:
    """Whether no cell of ``text`` needs more cleaning than its ends stripped, tabs aside.

    Looks for what clean_cell removes inside a cell: ``<``, ``&``, the odd spaces and two
    spaces in a row. A layout asks once per table or row (tabs there separate cells) and
    then strips each cell, where clean_cell would be called, and cached, cell by cell.
    Substring tests are four times faster than one regex search with a character class (0.7
    against 2.8 µs on a cell of 200 characters); the two spaces alone are faster by pattern
    (``_TWO_SPACES``: the samples' 306 Guangzhou lines 0.254 → 0.214 ms, gen7's 1,410 lines
    and bodies 1.74 → 1.55 ms).
    """
    return not (
        "<" in text
        or "&" in text
        or "\u3000" in text
        or "\u00a0" in text
        or (" " in text and _TWO_SPACES(text))
        or "\u2002" in text
        or "\u2003" in text
        or "\u2009" in text
        or "\u200b" in text
        or "\ufeff" in text
    )


@lru_cache(maxsize=65536)
def clean_cell(text: str | None) -> str:
    """Clean one printed cell: markup, odd spaces, runs of spaces; keeps the words."""
    if text is None:
        return ""
    if "\t" not in text and is_plain(text):
        return text.strip()
    return _cleaned(text)


def _cleaned(text: str) -> str:
    """clean_cell's full reading, each step taken only where what it removes is present.

    A pattern that finds nothing returns its text unchanged, so a step skipped there changes
    nothing: a cell holding <p> tags (the usual reason it is not plain) then pays for the tag
    pattern and a collapse of the spaces the tags leave, not for three patterns that each
    visit every character (the runs pattern replaced every single space by itself).
    tests/parsers/test_text.py holds it to the three patterns on built and sample cells.
    """
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    if (
        "\u00a0" in text
        or "\u2002" in text
        or "\u2003" in text
        or "\u2009" in text
        or "\u200b" in text
        or "\u3000" in text
        or "\ufeff" in text
    ):
        text = _ODD_SPACES.sub(" ", text)
    if "\t" in text:
        text = _MULTISPACE.sub(" ", text)
    else:
        # Runs of spaces alone: halving them until none is left needs no pattern.
        while "  " in text:
            text = text.replace("  ", " ")
    return text.strip()


def join_split_words(text: str) -> str:
    """Remove spaces that extraction put inside CJK words and between CJK and digits.

    Each run of whitespace goes when the characters either side are CJK and CJK, CJK and a
    digit, or a digit and CJK: what the two patterns remove. The patterns open with a
    look-behind, so the regex engine tries them at every character (about 20,000
    instructions a name); splitting at the runs and judging each by its neighbours costs a
    fifth of it. U+3000 is both a space and CJK, so a run may then start or end inside it:
    such a text keeps the patterns. tests/parsers/test_text.py holds both to each other.
    """
    if "\u3000" in text:
        return _SPACE_CJK_DIGIT.sub("", _SPACE_BETWEEN_CJK.sub("", text))
    words = text.split()
    if " ".join(words) == text:
        # Every run is one ASCII space between two words (the usual split name): str.split
        # finds them at C speed, where the runs pattern costs some 350 instructions a
        # character of CJK text.
        if len(words) < 2:
            return text
        kept = [words[0]]
        for before_word, word in pairwise(words):
            before = before_word[-1]
            after = word[0]
            if not (
                (_is_cjk(before) and (_is_cjk(after) or after.isdecimal()))
                or (before.isdecimal() and _is_cjk(after))
            ):
                kept.append(" ")
            kept.append(word)
        return "".join(kept)
    pieces = _WHITESPACE_RUN.split(text)
    if len(pieces) == 1:
        return text
    kept = [pieces[0]]
    for index in range(1, len(pieces), 2):
        before = pieces[index - 1][-1:]
        after = pieces[index + 1][:1]
        if not (
            (_is_cjk(before) and (_is_cjk(after) or after.isdecimal()))
            or (before.isdecimal() and _is_cjk(after))
        ):
            kept.append(pieces[index])
        kept.append(pieces[index + 1])
    return "".join(kept)


_WHITESPACE_RUN = re.compile(r"(\s+)")


def _is_cjk(char: str) -> bool:
    """Whether a character (or "") is in _CJK's ranges."""
    return (
        "\u4e00" <= char <= "\u9fff"
        or "\u3000" <= char <= "\u303f"
        or "\u3400" <= char <= "\u4dbf"
        or "\uff00" <= char <= "\uffef"
    )


@lru_cache(maxsize=65536)
def clean_name(text: str | None) -> str:
    """A project or unit name as printed, less the extraction artefacts."""
    cleaned = clean_cell(text)
    if len(cleaned.split(maxsplit=1)) < 2:
        return cleaned  # no space inside (clean_cell strips the ends): nothing to join
    return join_split_words(cleaned)


# The full-width punctuation Chinese prose prints (the only characters NFKC changed in the
# samples' targets, names and header lines). Each folds to one ASCII character, so putting it in
# place changes no other character's folding, and a text NFKC then leaves alone is the text's
# NFKC form.
_WIDE_PUNCTUATION = tuple((wide, unicodedata.normalize("NFKC", wide)) for wide in "，；（）：％")


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, the commonest changes made by ``str.replace``.

    NFKC of a text it must change costs ~80 ns a character (1.7 µs for a project name with a
    bracket, 3.5 µs for a sentence with a comma); replacing the few full-width forms present
    and checking the rest costs a tenth. A text NFKC leaves alone comes back as it is, after
    one check (what ``normalize`` itself checks first).
    """
    if unicodedata.is_normalized("NFKC", text):
        return text
    for wide, narrow in _WIDE_PUNCTUATION:
        text = text.replace(wide, narrow)
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """A normalised key for matching names: NFKC, no whitespace, ASCII brackets and dashes."""
    folded = clean_cell(text)
    # Most names are NFKC already: one check, without nfkc's call.
    if not unicodedata.is_normalized("NFKC", folded):
        folded = nfkc(folded)
    # translate looks each character up in a dict; most names hold none of the six. NFKC has
    # turned （, ） and － into (, ) and -, so only the three it keeps can be left: three
    # substring tests, cheaper than a pattern's search (test_text_shortcuts.py holds the three to
    # _BRACKETS).
    if "【" in folded or "】" in folded or "—" in folded:
        folded = folded.translate(_BRACKETS)
    # split() drops exactly what \s+ matches (both use str.isspace), at C speed.
    return "".join(folded.split())


_DEPARTMENT_MARK = re.compile(r"\(部门\)$")


def department_key(text: str) -> str:
    """A department's name as matched across releases: ``name_key`` less a trailing （部门）.

    Guangzhou headers print ``中共广州市白云区区委政法委员会（部门）`` in one year and the bare name
    in another; the mark says what the name is, not which department.
    """
    return _DEPARTMENT_MARK.sub("", name_key(text))
