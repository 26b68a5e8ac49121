"""map_header folds its aliases once and each distinct header once: held to the reading it
replaced (every alias and cell folded by the pattern, per call)."""

from __future__ import annotations

import itertools
import re
import unicodedata

from parsers.layouts.guangzhou import (
    COLUMN_ALIASES,
    EXTRA_PREFIX,
    _extra_source,
    map_header,
)
from parsers.text import clean_cell


def _reference_fold(cell: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", clean_cell(cell)))


def _reference_map_header(cells: list[str]) -> dict[str, int] | None:
    folded = [_reference_fold(cell) for cell in cells]
    roles: dict[str, int] = {}
    for role, aliases in COLUMN_ALIASES.items():
        normalised = tuple(_reference_fold(alias) for alias in aliases)
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
            roles[f"{EXTRA_PREFIX}{_extra_source(cell)}|{clean_cell(cells[position])}"] = position
    return roles


_CELLS = (
    "项目名称（资金使用单位）",
    "项目 名称",
    "项目",
    "单位名称",
    "总计",
    "总\u3000计（万元）",
    "合计",
    "金额合计",
    "财政拨款",
    "财政专户拨款",
    "财政专户",
    "政府性基金",
    "上级补助",
    "专项债券",
    "其他资金",
    "其\u00a0他",
    "绩效目标",
    "<p>年度绩效目标</p>",
    "绩效指标",
    "指标",
    "备注",
    "",
    " ",
)


def test_map_header_matches_the_per_call_reading_on_built_headers() -> None:
    checked = 0
    for width in (4, 5, 7):
        for start in range(0, len(_CELLS), 3):
            for cells in itertools.islice(
                itertools.permutations(_CELLS[start:] + _CELLS[:start], width), 0, 4000, 37
            ):
                expected = _reference_map_header(list(cells))
                assert map_header(list(cells)) == expected, cells
                checked += expected is not None
    assert checked > 100


def test_map_header_hands_each_caller_its_own_mapping() -> None:
    cells = ["项目名称", "总计", "财政拨款", "其他资金", "绩效目标", "绩效指标"]
    first = map_header(cells)
    assert first is not None
    first["name"] = 99
    assert map_header(cells) == _reference_map_header(cells)
