"""A shortest path rebuilt step by step, each step the cheaper way for the code in hand.

:func:`procalg.lts.level_paths.path_to` steps back from a code by the reversed
tables where the moves into it, counted per rule, are few, else by firing the
level before; either way it takes the least predecessor code and the least
label into it, so the path must be the reversed tables' whatever way each step
went, and a lazy leaf (whose predecessors no bound over the whole network
knows) must not make every step fire a level.
"""

from __future__ import annotations

import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from procalg.errors import LimitExceeded
from procalg.lts import LTS, level_paths, level_search, vectors
from procalg.lts.level_search import LevelSearch
from procalg.lts.network import close
from procalg.lts.vectors import Tables
from tests.lts.test_lazy import _pair
from tests.lts.test_level_search import _replayed, _reversed_tables_path
from tests.lts.test_product import _network, trees


def _visited_levels(search: LevelSearch) -> dict[int, int]:
    """Every visited code (an integer) and its BFS level."""
    cast, levels = search.tables.layout.cast, {}
    for run in search.visited.runs:
        codes, tags = run.plain()
        levels.update(zip(cast(codes).tolist(), tags.tolist(), strict=True))
    frontier = cast(search.visited.frontier).tolist()
    levels.update((c, search.visited.depth) for c in frontier)
    return levels


@settings(max_examples=80, deadline=None)
@given(trees(), st.integers(0, 3))
def test_steps_taken_either_way_per_code_give_the_reversed_tables_least_path(tree, fan):
    net = close(_network(tree))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(level_search, "CHUNK", 2)
        patch.setattr(level_paths, "PATH_CODES", 3)
        patch.setattr(level_paths, "FAN", fan)  # codes with more moves in: fired forwards
        search = LevelSearch(Tables(net), max_states=2_000)
        try:
            search.run()
        except LimitExceeded:
            reject()
        for code, level in sorted(_visited_levels(search).items())[:40]:
            path = search.path_to(code)
            assert path == _reversed_tables_path(search, code)
            assert len(path) == level and code in _replayed(search, path)


def test_a_path_through_a_lazy_leaf_steps_back_by_the_reversed_tables():
    ring = LTS.build(6, 0, ["a", "b"], [(i, "a" if i % 2 else "b", (i + 1) % 6)
                                        for i in range(6)] + [(0, "a", 3)])
    counter = LTS.build(8, 0, ["a", "c"], [(i, "c", i + 1) for i in range(7)]
                        + [(i, "a", i) for i in range(8)])
    tree = ("par", ("leaf", ring), ("leaf", counter), frozenset({"a"}))
    eager, lazy = _pair(tree, mix=[True, False])
    fired: list[int] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vectors, "_MAX_BITS", 0)  # keys of words: no kept moves to read
        patch.setattr(vectors, "_MAX_CODE", 1)
        step_back = level_paths._step_back
        patch.setattr(level_paths, "_step_back",
                      lambda *args: fired.append(1) or step_back(*args))
        paths = []
        for net in (eager, lazy):
            search = LevelSearch(Tables(net))
            search.run()
            deepest = max(_visited_levels(search).items(), key=lambda item: item[1])
            paths.append((deepest[1], search.path_to(deepest[0])))
    assert paths[0][0] == paths[1][0] > 5 and len(paths[1][1]) == paths[1][0]
    assert not fired  # no level fired forwards: each code's few moves in, backwards
