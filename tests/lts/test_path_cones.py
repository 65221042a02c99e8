"""The cone of a level search's goals, gathered backwards or forwards, on keys of words.

A refinement's least counterexample is rebuilt from the cone of the failing
level's goals (:mod:`procalg.lts.path_cones`). With every code a key of 64-bit
words from the first state (as Tokeneer's 4-word keys), either way of
gathering the cone, the reversed tables' counted candidates looked up in the
visited runs or the level before fired forwards, must give the reference's
counterexample: the least of the shortest paths, at its least end.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.assertion_kinds import RefinementModel
from procalg.checks.deadlock import deadlock_goal
from procalg.checks.refinement import check_refinement, check_refinement_product
from procalg.lts import LTS, path_cones, vectors
from procalg.lts.level_paths import least_path
from procalg.lts.network import close, component, hide, parallel
from procalg.lts.product import explore_product, find_path, searcher
from tests.lts.test_lazy import _pair, mixes
from tests.lts.test_product import trees
from tests.lts.test_refine_product import _whole, systems

WAYS = {"backward": {"FEW": 1 << 62, "BACKWARD": 1 << 62},  # every cone level looked up
        "forward": {"FEW": 0, "BACKWARD": 0}}  # every cone level's level before fired


@contextmanager
def _keys_of_words(way: str):
    """Codes held as keys of 64-bit words from the first state; the cone gathered ``way``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vectors, "_MAX_BITS", 0)
        patch.setattr(vectors, "_MAX_CODE", 1)
        for name, value in WAYS[way].items():
            patch.setattr(path_cones, name, value)
        yield


@st.composite
def deeper_networks(draw):
    """Three components of up to six states (paths of a dozen moves), some events hidden."""
    parts = [draw(systems(6)) for _ in range(3)]
    net = component(parts[0])
    for part in parts[1:]:
        net = parallel(net, component(part), draw(st.sets(st.sampled_from(["a", "b", "c"]))))
    return close(hide(net, draw(st.sets(st.sampled_from(["a", "b", "c"]), max_size=1))))


@settings(max_examples=200, deadline=None)
@given(systems(), deeper_networks(), st.sampled_from(sorted(WAYS)),
       st.sampled_from([RefinementModel.TRACES, RefinementModel.FAILURES,
                        RefinementModel.FAILURES_DIVERGENCES]))
def test_either_way_to_the_cone_on_keys_of_words_shows_the_reference_counterexample(
        spec, net, way, model):
    reference = check_refinement(spec, explore_product(net), model)
    with _keys_of_words(way):
        bulk = check_refinement_product(spec, net, model)
    assert bulk.passed == reference.passed
    if not bulk.passed:
        assert _whole(bulk) == _whole(reference)


def _candidates_and_moves(net) -> tuple[list[float], list[int]]:
    """Per visited state of ``net`` on keys of words: its counted candidates, and
    how many moves the reversed tables fire into it."""
    with _keys_of_words("backward"):
        search = searcher(net)
        search.run()
        codes = search.held(search.visited.at_levels(0, search.visited.depth + 1)[0])
        count = path_cones.counted(search, codes)
        into, _, _ = search.tables.successors(codes, backward=True)
    assert search.tables.layout.words and count is not None
    return count.tolist(), np.bincount(into, minlength=len(codes)).tolist()


@settings(max_examples=100, deadline=None)
@given(deeper_networks())
def test_counted_candidates_are_the_moves_the_reversed_tables_fire_into_each_state(net):
    count, moves = _candidates_and_moves(net)
    assert count == moves


@settings(max_examples=100, deadline=None)
@given(trees(), mixes)
def test_counted_candidates_over_lazy_leaves_are_the_moves_fired_into_each_state(tree, mix):
    count, moves = _candidates_and_moves(_pair(tree, mix=mix)[1])
    assert count == moves


@settings(max_examples=100, deadline=None)
@given(trees(), mixes, st.sampled_from(sorted(WAYS)))
def test_either_way_to_the_cone_over_lazy_leaves_finds_the_eager_least_deadlock_trace(
        tree, mix, way):
    eager, lazy = _pair(tree, mix=mix)
    want = find_path(eager, deadlock_goal)
    with _keys_of_words(way):
        got = find_path(lazy, deadlock_goal)
    assert (got.found, got.path) == (want.found, want.path)


def _resettable(size: int, inc: str) -> LTS:
    """A counter up to ``size`` - 1 (``inc``) that ``reset`` sends back to 0 from anywhere."""
    return LTS.build(size, 0, [inc, "reset"], [(i, inc, i + 1) for i in range(size - 1)]
                     + [(i, "reset", 0) for i in range(size)])


def test_a_cone_behind_a_wide_fan_is_gathered_without_firing_its_levels():
    # reset joins two counters of 300 states: 90,000 moves into (0, 0) (past the
    # reversed tables' global bound), none into the cone of (6, 6) but from it
    left, right = _resettable(300, "up"), _resettable(300, "inc")
    net = close(parallel(component(left), component(right), {"reset"}))
    with _keys_of_words("backward"):
        search = searcher(net)
        search.run()
        fired = []
        fire = search.tables.successors

        def counting(codes, *, backward=False):
            fired.extend([] if backward else [len(codes)])
            return fire(codes, backward=backward)
        search.tables.successors = counting
        goal = search.held(search.tables.layout.encode({0: np.array([6]), 1: np.array([6])}))
        path, ends = least_path(search, goal, 12)
    assert path == ["inc"] * 6 + ["up"] * 6 and len(ends) == 1
    assert sum(fired) == 12  # one state a level, walking forwards: no level fired
