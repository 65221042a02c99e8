"""Traces read off a narrow search's kept moves against traces rebuilt by firing.

:mod:`procalg.lts.level_trail` keeps the moves of tiny levels so that
:func:`~procalg.lts.level_paths.least_path` and
:func:`~procalg.lts.level_paths.path_to` read them instead of firing the
levels again; whichever way a level is read, the path must be the same (the
least of the shortest by label names, or the least predecessor code at each
step), also after a lazy leaf outgrew its digits and the codes changed.
"""

from __future__ import annotations

from contextlib import ExitStack
from unittest.mock import patch

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import loads
from procalg.api.search import CheckEngine
from procalg.checks.deadlock import deadlock_goal
from procalg.lts import level_search, level_trail
from procalg.lts.lazy import LazyComponent
from procalg.lts.level_paths import least_goals, least_path, path_to
from procalg.lts.level_trail import Trail
from procalg.lts.lts import TAU
from procalg.lts.product import searcher
from tests.lts.test_lazy import _pair, mixes
from tests.lts.test_lazy_small import PARTNERED, _outcomes
from tests.lts.test_product import trees


def _fired(search, rebuild):
    """``rebuild()`` with no kept moves: every level fired again."""
    kept, search.trail = search.trail, Trail(None)
    try:
        return rebuild()
    finally:
        search.trail = kept


def _searched(network, few: int):
    """The whole search of ``network``, marked from the first level, levels of up
    to ``few`` states kept."""
    with ExitStack() as stack:
        stack.enter_context(patch.object(level_search, "MARK_DEPTH", 0))
        stack.enter_context(patch.object(level_trail, "FEW", few))
        search = searcher(network)
        search.run()
    search.visited.finish()
    return search


@settings(max_examples=100, deadline=None)
@given(trees(), mixes, st.integers(1, 6), st.data())
def test_kept_levels_give_the_paths_firing_gives(tree, mix, few, data):
    # random networks of eager and lazy leaves (lazy ones re-encode the codes as they grow)
    _, lazy = _pair(tree, mix=mix)
    search = _searched(lazy, few)
    codes, tags = search.held(search.visited.codes), search.visited.tags
    for level in sorted(set(tags.tolist())):  # the last level may hold none
        at = codes[tags == level]
        some = data.draw(st.lists(st.sampled_from(at.tolist()), min_size=1, unique=True))
        targets = np.array(some, dtype=at.dtype)
        read = least_path(search, targets, level)
        fired = _fired(search, lambda t=targets, lv=level: least_path(search, t, lv))
        assert read[0] == fired[0]
        assert read[1].tolist() == fired[1].tolist()
        code = some[0]
        assert path_to(search, code) == _fired(search, lambda c=code: path_to(search, c))


@settings(max_examples=3, deadline=None)
@given(st.integers(2001, 2300))  # past 2,000 states: the counter leaf is lazy
def test_a_deep_counter_keeps_its_levels_across_recodes_and_reads_the_same_trace(size):
    # one or two states per level, 4,000 levels; the leaf's digits grow many
    # times on the way, and the kept codes are re-encoded with the visited set's
    network = loads(PARTNERED.format(size=size)).network("Sys")
    assert any(isinstance(c, LazyComponent) for c in network.components)
    search = searcher(network)
    stop = deadlock_goal(search.tables)
    code, _ = search.run(stop)
    depth = search.visited.depth
    assert len(search.trail.bounds) > depth - 100  # all but the first levels, before marks
    read = least_goals(search, code, stop.every)
    fired = _fired(search, lambda: least_goals(search, code, stop.every))
    assert read[0] == fired[0] and read[2] == fired[2]
    assert read[1].tolist() == fired[1].tolist()
    assert path_to(search, code) == _fired(search, lambda: path_to(search, code))
    (_, _, reference), *_ = _outcomes(PARTNERED.format(size=size), CheckEngine.REFERENCE)
    assert tuple(label for label in read[0] if label != TAU) == reference  # the term rules' trace


def test_a_trail_keeps_no_wide_level_and_no_move_past_its_bound():
    trail = Trail("layout")
    one = np.array([3])
    trail.keep("layout", 0, np.arange(level_trail.FEW + 1), np.array([0]), one, one)
    assert trail.back("layout", 0, one) is None  # a wide level: fired again
    with patch.object(level_trail, "KEPT", 2):
        trail.keep("layout", 1, one, np.array([0, 0]), np.array([4, 5]), np.array([0, 1]))
        trail.keep("layout", 2, np.array([4]), np.array([0]), np.array([6]), np.array([0]))
    assert trail.back("layout", 1, np.array([5])).tolist() == [3]
    assert trail.back("layout", 2, np.array([6])) is None  # past the bound
    assert trail.back("other", 1, np.array([5])) is None  # codes of another layout


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 2)),
                         min_size=1, max_size=3), min_size=1, max_size=6),
       st.sets(st.integers(0, 3), min_size=1), st.sets(st.integers(0, 3), min_size=1))
def test_a_level_of_one_move_reads_as_the_sets_of_its_moves_do(levels, here, cone):
    # (source, target, label) per move; one-move levels take a path with no sets
    trail = Trail("layout")
    for j, moves in enumerate(levels):
        trail.keep("layout", j, np.array([s for s, _, _ in moves]), np.arange(len(moves)),
                   np.array([d for _, d, _ in moves]), np.array([g for _, _, g in moves]))
    rank = [2, 0, 1]
    for j, moves in enumerate(levels):
        into = sorted({s for s, d, _ in moves if d in cone})
        assert trail.back("layout", j, np.array(sorted(cone))).tolist() == into
        step = [(rank[g], g, d) for s, d, g in moves if s in here and d in cone]
        if not step:
            continue
        top = min(step)
        got = trail.forth("layout", j, np.array(sorted(here)), np.array(sorted(cone)), rank)
        assert (got[0], got[1].tolist()) == (top[1], sorted({d for r, _, d in step if r == top[0]}))
