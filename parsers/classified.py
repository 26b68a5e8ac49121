"""Classified projects (涉密 / SM项目): kept, flagged, never dropped.

Departments publish the money of classified projects but replace their goal and indicators
with placeholders (待单位补充, 涉密, SM项目). A note such as "因部分项目涉密…" in an otherwise
real goal does not make the project classified.
"""

from __future__ import annotations

import re

_SM_TOKEN = re.compile(r"(?:^|[^A-Za-z])SM(?:[^A-Za-z]|$)")
_PLACEHOLDERS = ("待单位补充", "该项目为涉密项目", "SM项目", "涉密项目")
_PLACEHOLDER_TARGET = re.compile(r"指标值\s*[:：]\s*(?:涉密|SM项目|涉密项目)")


def looks_classified(name: str, goal: str | None, indicators: str | None) -> bool:
    """Whether a project is classified: an SM code in its name or placeholder texts."""
    if name and "SM" in name and _SM_TOKEN.search(name):
        return True
    goal, indicators = goal or "", indicators or ""
    # Every placeholder holds 涉密, SM项目 or 待单位补充: nearly every project holds none, and
    # three substring tests per text are far cheaper than the pattern over both.
    if not any(
        marker in goal or marker in indicators for marker in ("涉密", "SM项目", "待单位补充")
    ):
        return False
    texts = f"{goal}\n{indicators}"
    if _PLACEHOLDER_TARGET.search(texts):
        return True
    return any(marker in texts for marker in _PLACEHOLDERS)
