"""The level-by-level search of the refinement checks (procalg.checks.level_search)."""

from __future__ import annotations

import pytest

from procalg.checks.level_search import LevelSearch
from procalg.errors import LimitExceeded


class Grid(LevelSearch[str]):
    """Pairs are ints; ``n`` reaches ``2n + 1`` and ``2n + 2`` below 15 (a binary tree
    of depth 3, ``n`` at depth ``floor(log2(n + 1))``); ``now`` and ``further`` say
    which pairs fail how."""

    def __init__(self, now: set[int], further: set[int], max_states: int | None = None):
        super().__init__(max_states)
        self.now, self.further, self.visited = now, further, []

    def visit(self, pair, deeper, expand):
        self.visited.append(pair)
        if pair in self.now:
            return f"at {pair}", None
        if not expand:
            return None, None
        if pair in self.further:
            return None, f"after {pair}"
        for child in (2 * pair + 1, 2 * pair + 2)[:2 if pair < 7 else 0]:
            self.edges += 1
            self.reach(child, pair, deeper)
        return None, None


def test_a_violation_a_move_further_waits_for_the_rest_of_its_level():
    search = Grid(now={6}, further={3})  # 3 and 6 are both depth 2: 6's own is nearer
    assert search.search(0) == "at 6"


def test_a_violation_a_move_further_is_returned_when_its_level_holds_none_nearer():
    search = Grid(now={7}, further={3})  # 7 is depth 3: as far as 3's further one
    assert search.search(0) == "after 3"
    assert search.visited == [0, 1, 2, 3, 4, 5, 6]  # the level finished, nothing deeper


def test_a_search_without_violations_visits_each_pair_once_and_remembers_its_parent():
    search = Grid(now=set(), further=set())
    assert search.search(0) is None
    assert sorted(search.visited) == list(range(15))
    assert search.parent[14] == 6 and search.parent[0] is None


def test_more_pairs_than_the_limit_stop_the_search_with_a_limit_error():
    with pytest.raises(LimitExceeded, match="after 5 product states"):
        Grid(now=set(), further=set(), max_states=5).search(0)
