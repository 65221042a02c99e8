"""The race of the determinism searches (:class:`procalg.lts.determinism_codes.Race`),
on searches whose levels cost what a fake CPU clock says."""

from __future__ import annotations

from unittest.mock import patch

import pytest

from procalg.errors import LimitExceeded
from procalg.lts import determinism_codes
from procalg.lts.determinism_codes import Determinism, Race


class _Clock:
    """CPU seconds that only the fake searches spend."""

    def __init__(self) -> None:
        self.now, self.levels = 0.0, {}

    def search(self, name: str, costs: list[float], *, limit: bool = False):
        """Levels of the given costs, then an answer (or a limit error)."""
        self.levels[name] = 0
        for cost in costs:
            yield
            self.now += cost
            self.levels[name] += 1
        if limit:
            raise LimitExceeded("limit")
        return Determinism(None, levels=len(costs), method=name)


def _raced(*searches: tuple[str, list[float]], limited: str = "") -> tuple[str, dict]:
    clock = _Clock()
    with patch.object(determinism_codes.time, "thread_time", lambda: clock.now):
        race = Race({name: clock.search(name, costs, limit=name == limited)
                     for name, costs in searches})
        name, found = race.run()
    assert found.method == name
    return name, clock.levels


def test_a_search_whose_levels_double_waits_while_a_cheaper_one_catches_up_and_answers():
    name, levels = _raced(("normal form", [10, 20, 40, 80]), ("pairs", [1] * 8))
    assert name == "pairs"
    assert levels["normal form"] == 1  # its one dear level; pairs' way on was always cheaper


def test_a_search_one_level_from_its_answer_is_not_overtaken_by_one_far_behind():
    clock = _Clock()
    with patch.object(determinism_codes.time, "thread_time", lambda: clock.now):
        race = Race({"normal form": clock.search("normal form", [1] * 10 + [2])})
        for _ in range(10):
            assert race.step() is None
        race.enter("pairs", clock.search("pairs", [3] * 11))
        name, _ = race.run()
    assert name == "normal form"
    assert clock.levels["pairs"] == 1  # then 3 s a level for 10 more levels: never chosen


def test_a_search_past_its_limit_gives_way_to_the_other():
    name, _ = _raced(("normal form", [1, 1]), ("pairs", [5, 5, 5]), limited="normal form")
    assert name == "pairs"


def test_the_last_search_past_its_limit_raises():
    with pytest.raises(LimitExceeded):
        _raced(("pairs", [1, 1]), limited="pairs")
