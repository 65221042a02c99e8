"""The race of the determinism searches (:class:`procalg.lts.determinism_codes.Race`),
on searches whose levels cost what a fake CPU clock says."""

from __future__ import annotations

from unittest.mock import patch

import pytest

from procalg.errors import LimitExceeded
from procalg.lts import determinism_codes
from procalg.lts.determinism_codes import GROW_AFTER, Determinism, Race, _Pace


class _Clock:
    """CPU seconds that only the fake searches spend."""

    def __init__(self) -> None:
        self.now, self.levels, self.closed = 0.0, {}, []

    def search(self, name: str, costs: list[float], *, limit: bool = False,
               works: list[int] | None = None):
        """Levels of the given costs (and works), then an answer (or a limit error)."""
        self.levels[name] = 0
        try:
            for at, cost in enumerate(costs):
                yield None if works is None else works[at]
                self.now += cost
                self.levels[name] += 1
        except GeneratorExit:  # the race let it go
            self.closed.append(name)
            raise
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
    name, _ = _raced(("normal form", [1, 1]), ("pairs", [2, 2, 2]), limited="normal form")
    assert name == "pairs"


def test_the_last_search_past_its_limit_raises():
    with pytest.raises(LimitExceeded):
        _raced(("pairs", [1, 1]), limited="pairs")


def test_a_search_that_doubles_is_let_go_once_the_other_is_as_deep_and_far_cheaper_on():
    clock = _Clock()
    with patch.object(determinism_codes.time, "thread_time", lambda: clock.now):
        race = Race({"normal form": clock.search("normal form", [0.01 * 2 ** i for i in range(20)],
                                                 works=[2 ** i for i in range(20)]),
                     "pairs": clock.search("pairs", [0.5] * 20, works=[1] * 20)})
        name, _ = race.run()
    assert name == "pairs" and race.dropped == ["normal form"]
    assert clock.closed == ["normal form"]  # its generator closed: its frames' arrays freed
    assert 6 <= clock.levels["normal form"] < clock.levels["pairs"]


def test_a_search_that_hit_its_limit_counts_as_let_go():
    clock = _Clock()
    with patch.object(determinism_codes.time, "thread_time", lambda: clock.now):
        race = Race({"normal form": clock.search("normal form", [1, 1], limit=True),
                     "pairs": clock.search("pairs", [2, 2, 2])})
        race.run()
    assert race.dropped == ["normal form"] and clock.closed == []  # it ended by itself


def _paced(costs: list[float], works: list[int]) -> _Pace:
    """A pace after levels of those costs, each yielding the next one's work."""
    pace = _Pace(iter(()))
    for cost, ahead in zip(costs, works, strict=True):
        pace.built(cost, ahead)
    return pace


def test_the_next_level_is_priced_by_its_work_at_the_last_two_levels_rate():
    # set-up free (the fixed part 0), then 1 s for 10 entries and 2 s for 20: 0.1 s an entry
    pace = _paced([0.0, 1.0, 2.0], [10, 20, 40])
    assert pace.estimate(pace.depth + 1) == pytest.approx(4.0)
    assert pace.estimate(pace.depth + 3, grow=False) == pytest.approx(12.0)  # flat on
    assert pace.estimate(pace.depth) == 0.0  # already there


def test_a_level_costs_at_least_the_cheapest_level_so_far():
    pace = _paced([0.5, 0.5, 0.5], [10, 20, 40])  # numpy's fixed cost, whatever the work
    assert pace.estimate(pace.depth + 4) == pytest.approx(2.0)


def test_growth_is_read_only_after_some_levels_and_then_compounds():
    works = [2 ** i for i in range(1, GROW_AFTER + 2)]
    early = _paced([0.0] + [0.1 * w for w in works[:GROW_AFTER - 2]], works[:GROW_AFTER - 1])
    assert early.estimate(early.depth + 3) == pytest.approx(early.estimate(
        early.depth + 3, grow=False))
    late = _paced([0.0] + [0.1 * w for w in works[:GROW_AFTER]], works[:GROW_AFTER + 1])
    flat, grown = late.estimate(late.depth + 3, grow=False), late.estimate(late.depth + 3)
    assert flat == pytest.approx(3 * 0.1 * works[GROW_AFTER])
    assert grown > 1.5 * flat  # doubling work: the two levels after the next cost more
