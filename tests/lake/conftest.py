"""Fixtures shared by the lake tests."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from lake import journal


class RenameStopped(Exception):
    """A lake writer stopped between two renames: a kill, as far as the lake can tell."""


@dataclass(frozen=True)
class StoppedRenames:
    error: type[Exception]
    resume: Callable[[], None]


@pytest.fixture
def stop_after_two_renames(monkeypatch) -> StoppedRenames:
    """Let the journal move two tables into place, then stop, until ``resume()`` is called.

    Publishing and withdrawing both move a release's tables one rename at a time; stopping
    between two is where a release would be half there without the journal.
    """
    real_move = journal._move
    moves = []

    def move_twice_then_stop(source, target):
        if len(moves) == 2:
            raise RenameStopped
        moves.append(target)
        real_move(source, target)

    monkeypatch.setattr(journal, "_move", move_twice_then_stop)
    return StoppedRenames(RenameStopped, lambda: monkeypatch.setattr(journal, "_move", real_move))
