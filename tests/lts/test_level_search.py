"""The level loop: batching, budgets and the parity skip change no search's outcome."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from procalg.checks.deadlock import deadlock_goal
from procalg.lts import explore, level_search
from procalg.lts.level_search import LevelSearch
from procalg.lts.network import close
from procalg.lts.product import count_states, find_path
from procalg.lts.vectors import Tables
from tests.lts.test_product import Tree, _network, _philosophers, trees


def _searched(net, *, skip: bool | None) -> tuple:
    """States, transitions, levels and the deadlock trace, every level expanded
    wide in chunks of two with tiny budgets; ``skip`` forces the parity answer."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(level_search, "NARROW", 0)
        patch.setattr(level_search, "CHUNK", 2)
        patch.setattr(level_search, "MIN_BUDGET", 1)
        if skip is not None:
            patch.setattr(level_search, "alternates", lambda _: skip)
        counted = count_states(net)
        found = find_path(net, deadlock_goal)
    return counted.states, counted.transitions, counted.levels, found.found, found.path


@settings(max_examples=150, deadline=None)
@given(trees())
def test_wide_levels_in_small_batches_find_the_reference_states_and_shortest_deadlocks(tree):
    net = close(_network(tree))
    states, transitions, levels, found, path = _searched(net, skip=None)
    plain = count_states(net)
    assert (states, transitions, levels) == (plain.states, plain.transitions, plain.levels)
    assert states == explore(Tree(tree)).num_states
    assert (found, path) == (lambda r: (r.found, r.path))(find_path(net, deadlock_goal))


@pytest.mark.parametrize("n", [3, 4, 5])
def test_philosophers_search_the_same_with_or_without_skipping_the_frontier(n):
    net = _philosophers(n)
    assert _searched(net, skip=True) == _searched(net, skip=False)


def test_the_budget_is_half_the_visited_states_within_the_memory_limit():
    search = LevelSearch(Tables(_philosophers(3)))
    search.run()
    assert search._budget() == level_search.MIN_BUDGET  # 99 states: the floor
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(level_search, "MIN_BUDGET", 1)
        assert search._budget() == 99 // 2
        search.max_memory = search.visited.nbytes + 32 * 10
        assert search._budget() == 10
