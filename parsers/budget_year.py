"""The budget year a release states about itself, read from its title and header lines only.

A year is taken from the document only where a title or header line says it as the year of the
whole table: ``2024年度项目支出绩效目标表``, ``广州市公安局2024年部门预算``. Years elsewhere
(project names such as ``督审总队信息化运维项目-2024中央``, goals that mention ``2026年度``,
deadlines) name something else and are never read. Two different years in such lines make the
release ambiguous: no year is chosen, and the caller warns instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from parsers.model import Warning_
from parsers.text import nfkc

SOURCE_SIDECAR = "sidecar"
SOURCE_DOCUMENT = "document"
SOURCES = (SOURCE_SIDECAR, SOURCE_DOCUMENT)
UNKNOWN_CODE = "budget_year_unknown"
YEAR_DISAGREES_CODE = "budget_year_disagrees"

# Lines after this many non-blank ones are table body, not the header (page headers repeat the
# title further down; the first page's header is enough and cheaper).
HEADER_LINES = 12
# A header line is short; a long line is a row or a paragraph that happens to contain a title.
MAX_HEADER_CHARS = 80

_TITLE_YEAR = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d{2})\s*年度?\s*"
    r"(?:[\u4e00-\u9fff（）()]{0,24}?)"
    r"(?:项目支出绩效目标表|项目支出绩效目标|部门预算|预算项目支出|绩效目标表)"
)
# Titles that name a project rather than the table (the Tianjin bookmark lines, "1.XX绩效目标表").
_PROJECT_TITLE = re.compile(r"^\s*(?:\[bookmark:[^\]]*\])?\s*\d+[.、]")
_EXCLUDED_BEFORE_TABLE = ("专项债券",)


@dataclass(frozen=True)
class DocumentYear:
    """What the header says: one year and its line, or the lines that disagree."""

    year: int | None
    source_line: int | None
    conflicting: tuple[tuple[int, int], ...] = ()

    @property
    def is_ambiguous(self) -> bool:
        """Two or more different years in header lines: the document does not say which."""
        return len(self.conflicting) > 1


def find_document_year(lines: Sequence[str]) -> DocumentYear:
    """The one year the title/header lines state, else no year (and why, when ambiguous)."""
    hits: list[tuple[int, int]] = []
    seen = 0
    for number, line in enumerate(lines, start=1):
        if "\t" in line.strip():
            # A table row: NFKC keeps a tab between printed characters, so the row would be
            # skipped below; it still counts as a non-blank line. Normalising a whole
            # Guangzhou row (thousands of characters) cost more than the rest of this.
            seen += 1
            if seen > HEADER_LINES:
                break
            continue
        text = nfkc(line).strip()
        if not text:
            continue
        seen += 1
        if seen > HEADER_LINES:
            break
        if "\t" in text or len(text) > MAX_HEADER_CHARS or _PROJECT_TITLE.match(text):
            continue
        if any(word in text for word in _EXCLUDED_BEFORE_TABLE):
            continue
        hits.extend((int(match["year"]), number) for match in _TITLE_YEAR.finditer(text))
    years = {year for year, _ in hits}
    if len(years) == 1:
        year, line_no = hits[0]
        return DocumentYear(year, line_no)
    first_per_year = {year: line_no for year, line_no in reversed(hits)}
    return DocumentYear(None, None, tuple(sorted(first_per_year.items(), key=lambda h: h[1])))


@dataclass(frozen=True)
class BudgetYear:
    """The release's budget year, where it came from, and the warnings a reader must see."""

    year: int | None
    source: str | None
    warnings: tuple[Warning_, ...] = ()


def resolve_budget_year(sidecar_year: int | None, lines: Sequence[str]) -> BudgetYear:
    """Sidecar first (a publisher's fact), else the document's header, else none with a warning.

    A sidecar that contradicts the header still wins, since the header may be a template left
    unchanged, but the disagreement is reported rather than hidden.
    """
    document = find_document_year(lines)
    if sidecar_year is not None:
        warnings: tuple[Warning_, ...] = ()
        if document.year is not None and document.year != sidecar_year:
            warnings = (
                Warning_(
                    document.source_line,
                    YEAR_DISAGREES_CODE,
                    f"sidecar budget_year {sidecar_year} ≠ {document.year} printed in the header;"
                    " the sidecar is kept",
                ),
            )
        return BudgetYear(sidecar_year, SOURCE_SIDECAR, warnings)
    if document.year is not None:
        return BudgetYear(document.year, SOURCE_DOCUMENT)
    if document.is_ambiguous:
        stated = ", ".join(f"{year} (line {line})" for year, line in document.conflicting)
        message = f"header lines state several years: {stated}; budget_year left null"
        return BudgetYear(
            None, None, (Warning_(document.conflicting[0][1], UNKNOWN_CODE, message),)
        )
    message = "no sidecar budget_year and no year in the title/header lines; budget_year is null"
    return BudgetYear(None, None, (Warning_(None, UNKNOWN_CODE, message),))
