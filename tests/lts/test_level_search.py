"""The level loop: batching, budgets and the parity skip change no search's outcome."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.deadlock import deadlock_goal
from procalg.checks.reachability import reachability_goal
from procalg.lts import LTS, explore, level_search, vectors
from procalg.lts.level_search import LevelSearch
from procalg.lts.network import close, component, parallel
from procalg.lts.product import count_states, explore_product, find_path
from procalg.lts.vectors import Tables
from tests.lts.test_product import EVENTS, Tree, _bisimilar, _network, _philosophers, trees


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


@settings(max_examples=60, deadline=None)
@given(trees(), st.sampled_from(EVENTS))
def test_word_aligned_wide_codes_find_the_narrow_levels_and_counterexamples(tree, event):
    net = close(_network(tree))
    narrow = (count_states(net), find_path(net, deadlock_goal),
              find_path(net, reachability_goal(event)), explore_product(net))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vectors, "_MAX_BITS", 0)  # always wide: words as wide as the
        patch.setattr(vectors, "_MAX_CODE", 1)  # widest field, so mostly several
        assert Tables(net).layout.words >= 1
        wide = (count_states(net), find_path(net, deadlock_goal),
                find_path(net, reachability_goal(event)), explore_product(net))
    assert (wide[0].states, wide[0].levels, wide[0].transitions) == (
        narrow[0].states, narrow[0].levels, narrow[0].transitions)
    for w, n in zip(wide[1:3], narrow[1:3], strict=True):
        assert (w.found, w.path) == (n.found, n.path)
    assert (wide[3].num_states, wide[3].num_transitions) == (narrow[3].num_states,
                                                              narrow[3].num_transitions)
    assert _bisimilar(wide[3], narrow[3])


def test_a_wide_network_is_searched_on_64_bit_words_not_python_integers():
    ring = LTS.build(4, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2), (2, "a", 3), (3, "b", 0)])
    net = component(ring)
    for _ in range(39):
        net = parallel(net, component(ring), {"a", "b"})
    search = LevelSearch(Tables(close(net)))
    assert search.run() is None
    assert search.visited.frontier.dtype.kind == "V"  # keys, never an object array
    assert all(r.codes.dtype == np.dtype("V16") for r in search.visited.runs)
    assert search.path_to(search.tables.initial) == []
    assert any("2 64-bit words" in note for note in search.result(False).notes)
