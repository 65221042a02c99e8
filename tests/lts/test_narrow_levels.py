"""Batches of small BFS levels (marks, delayed duplicate detection) against
one level at a time and against Roscoe's rules (``tests/lts/test_product.py``'s
reference): the same states, transitions, levels, explicit LTS and
shortest counterexamples whichever path runs."""

from __future__ import annotations

import itertools
from contextlib import ExitStack
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.deadlock import deadlock_goal
from procalg.checks.reachability import reachability_goal
from procalg.errors import LimitExceeded
from procalg.lts import LTS, explore, level_search, narrow_levels, vectors
from procalg.lts.codes import Layout
from procalg.lts.exploration import ExplicitSystem
from procalg.lts.lazy import LazyComponent
from procalg.lts.network import Network, close, component, parallel
from procalg.lts.product import Limits, count_states, explore_product, find_path, searcher
from tests.lts.test_lazy import _pair, mixes
from tests.lts.test_product import EVENTS, Tree, _bisimilar, _distances, _network, _replay, trees

MODES = {
    "one level at a time": {(level_search, "NARROW"): 0},
    "delayed checks": {(level_search, "MARK_DEPTH"): 1 << 40},
    "marks": {(level_search, "MARK_DEPTH"): 0},
    "marks in wide levels": {(level_search, "MARK_DEPTH"): 0, (level_search, "NARROW"): 2},
    "marks in chunked levels": {(level_search, "MARK_DEPTH"): 0, (level_search, "NARROW"): 1,
                                (level_search, "CHUNK"): 2},
    "marks on mixed radix": {(level_search, "MARK_DEPTH"): 0, (vectors, "_MAX_BITS"): 1},
    "marks in one-field slices": {(level_search, "MARK_DEPTH"): 0,
                                  (narrow_levels, "PART_BITS"): 1},
}


def _in_mode(mode: str) -> ExitStack:
    stack = ExitStack()
    for (module, name), value in MODES[mode].items():
        stack.enter_context(patch.object(module, name, value))
    return stack


def _odometer(n: int, wrap: bool) -> tuple:
    """n digits (0, 1, carrying) as a tree: digit i counts on inc.i and carries
    with inc.(i+1); about 2^(n+1) BFS levels of a few states each. Without
    ``wrap`` the top digit's carry is blocked, and the state where every
    digit carries is the deadlock."""
    def digit(i: int) -> tuple:
        up, carry = f"inc.{i}", f"inc.{i + 1}"
        return ("leaf", LTS.build(3, 0, [up, carry], [(0, up, 1), (1, up, 2), (2, carry, 0)]))

    node, alpha = digit(0), frozenset({"inc.0", "inc.1"})
    for i in range(1, n):
        mine = frozenset({f"inc.{i}", f"inc.{i + 1}"})
        node, alpha = ("apar", node, digit(i), alpha, mine), alpha | mine
    if wrap:
        return node
    stop = ("leaf", LTS.build(1, 0, [f"inc.{n}"], []))
    return ("par", node, stop, frozenset({f"inc.{n}"}))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=5), st.integers(1, 8),
       st.booleans())
def test_marks_number_every_code_densely_and_in_code_order(radix, part_bits, packed):
    layout = Layout(radix, list(range(len(radix))), packed)
    digits = list(itertools.product(*(range(r) for r in radix)))
    codes = np.array([sum(d * s for d, s in zip(ds, layout.stride, strict=True))
                      for ds in digits], dtype=np.int64)
    with patch.object(narrow_levels, "PART_BITS", part_bits):
        marks = narrow_levels.Marks(layout)
        dense = marks.index(codes)
    assert marks.size == len(codes)
    order = np.argsort(codes)
    # a bijection onto 0..size-1 that keeps the codes' order: sorting either sorts both
    assert dense[order].tolist() == list(range(marks.size))


def test_claim_gives_each_new_code_once_and_marks_it():
    marks = narrow_levels.Marks(Layout([3, 3, 3], [0, 1, 2], True))
    assert marks.claim(np.array([1, 4, 16])).tolist() == [1, 4, 16]
    assert marks.claim(np.array([0, 4, 16, 17])).tolist() == [0, 17]
    assert int(np.count_nonzero(marks.seen)) == 5


def test_a_space_too_large_for_marks_gets_none():
    small = Layout([3] * 10, list(range(10)), True)
    assert narrow_levels.Marks.fit(small)
    assert not narrow_levels.Marks.fit(small, max_memory=4 * 3 ** 10 - 1)
    assert not narrow_levels.Marks.fit(Layout([3] * 17, list(range(17)), True))  # 3^17 > 2^26
    assert not narrow_levels.Marks.fit(Layout([1 << 21, 2], [0, 1], True))  # a 21-bit field


def test_a_lazy_leaf_digit_wider_than_a_slice_gets_marks_of_its_own_slice():
    # a leaf explored to 50,000 states before it turned lazy has 2^17 digits
    layout = Layout([3, 1 << 17], [0, 1], True)
    assert narrow_levels.Marks.fit(layout)
    marks = narrow_levels.Marks(layout)
    leaf = np.array([0, 1, 5, (1 << 17) - 1, 70_000])
    codes = np.concatenate([leaf * layout.stride[1] + d for d in range(3)])
    assert marks.index(codes).tolist() == np.concatenate([leaf * 3 + d for d in range(3)]).tolist()


@settings(max_examples=60, deadline=None)
@given(trees(), st.sampled_from(EVENTS))
def test_every_batch_mode_gives_the_same_product_and_shortest_traces(tree, event):
    reference = explore(Tree(tree))
    dist = _distances(reference)
    stuck = reference.deadlocks()
    code = reference.label_index(event)
    sources = [] if code is None else reference.src[reference.label == code]
    seen, counts = set(), set()
    for mode in MODES:
        with _in_mode(mode):
            net = close(_network(tree))
            counted = count_states(net)
            lts = explore_product(close(_network(tree)))
            dead = find_path(close(_network(tree)), deadlock_goal)
            reach = find_path(close(_network(tree)), reachability_goal(event))
        assert counted.states == lts.num_states == reference.num_states, mode
        assert lts.num_transitions == reference.num_transitions, mode
        assert counted.levels == int(dist.max()) + 2, mode  # and one empty level
        counts.add(counted.transitions)  # moves, as fired (two hidden events: two τ)
        seen.add(tuple(lts.triples()))  # states numbered by level, then code: one LTS
        assert dead.found == bool(stuck), mode
        if stuck:
            assert len(dead.path) == int(dist[stuck].min()), mode
            assert set(_replay(reference, dead.path)) & set(stuck), mode
        assert reach.found == bool(len(sources)), mode
        if len(sources):
            assert len(reach.path) == int(dist[sources].min()) + 1, mode
            assert reach.path[-1] == event and _replay(reference, reach.path), mode
    assert len(seen) == len(counts) == 1


@pytest.mark.parametrize("mode", list(MODES))
def test_a_deep_narrow_space_deadlocks_at_its_bfs_depth_with_a_shortest_trace(mode):
    tree = _odometer(7, wrap=False)
    reference = explore(Tree(tree))
    depth = int(_distances(reference)[reference.deadlocks()].min())
    assert depth > 250  # thousands of tiny levels' worth of batches, not one
    with _in_mode(mode):
        result = find_path(close(_network(tree)), deadlock_goal)
    assert result.found and len(result.path) == depth == result.levels - 1
    assert set(_replay(reference, result.path)) & set(reference.deadlocks())


@pytest.mark.parametrize("mode", list(MODES))
def test_batched_small_levels_count_and_tag_like_one_level_at_a_time(mode):
    tree = _odometer(7, wrap=True)
    reference = explore(Tree(tree))
    dist = _distances(reference)
    wraps = reference.src[reference.label == reference.label_index("inc.7")]
    with _in_mode(mode):
        counted = count_states(close(_network(tree)))
        last = find_path(close(_network(tree)), reachability_goal("inc.7"))
    assert last.found and len(last.path) == int(dist[wraps].min()) + 1
    assert counted.states == reference.num_states == 3 ** 7
    assert counted.transitions == reference.num_transitions
    assert counted.levels == int(dist.max()) + 2  # and one empty level


def test_a_deep_search_keeps_marks_and_counts_them_as_memory():
    search = searcher(close(_network(_odometer(7, wrap=True))))
    search.run()
    assert search.marks is not None and search.marks.size == 3 ** 7
    assert int(np.count_nonzero(search.marks.seen)) == len(search.visited) == 3 ** 7
    assert search.peak >= search.marks.nbytes + search.visited.nbytes


def test_a_marked_batch_stops_just_past_the_state_limit():
    with patch.object(level_search, "MARK_DEPTH", 0), pytest.raises(LimitExceeded) as info:
        count_states(close(_network(_odometer(7, wrap=True))), Limits(max_states=100))
    assert 100 < info.value.states <= 100 + 3 ** 3  # one level past it at most


def test_a_space_where_every_state_goes_back_to_the_start_is_checked_every_level():
    n = 300
    chain = [(i, "a", i + 1) for i in range(n)] + [(i, "r", 0) for i in range(1, n + 1)]
    net = close(component(LTS.build(n + 1, 0, ["a", "r"], chain)))
    with _in_mode("delayed checks"):
        search = level_search.LevelSearch(vectors.Tables(net))
        search.run()
    assert search.marks is None and search.check == 1  # the resets made most of each batch old
    assert (len(search.visited), search.transitions) == (n + 1, 2 * n)
    assert search.visited.depth == n + 1  # one empty level past the chain's end
    assert find_path(net, reachability_goal("r")).path == ("a", "r")


def _lazy_counter(n: int) -> tuple[Network, Network]:
    """A counter of ``n`` states beside a 3-cycle, eager and lazy: about n
    levels of three states, the lazy counter outgrowing its digits again
    and again in the middle of batches."""
    counter = LTS.build(n, 0, ["inc", "end"], [(i, "inc", i + 1) for i in range(n - 1)]
                        + [(n - 1, "end", n - 1)])
    other = LTS.build(3, 0, ["x"], [(0, "x", 1), (1, "x", 2), (2, "x", 0)])
    lazy = LazyComponent(ExplicitSystem(counter), {"inc", "end"})
    return (close(parallel(component(other), component(counter), set())),
            close(parallel(component(other), component(lazy), set())))


@pytest.mark.parametrize("mode", list(MODES))
def test_a_deep_lazy_search_repacks_mid_batch_and_keeps_levels_and_traces(mode):
    with _in_mode(mode):
        eager, lazy = _lazy_counter(600)
        a, b = explore_product(eager), explore_product(lazy)
        counted = count_states(_lazy_counter(600)[1])
        end = find_path(_lazy_counter(600)[1], reachability_goal("end"))
    assert (b.num_states, b.num_transitions) == (a.num_states, a.num_transitions) == (1800, 3600)
    assert _bisimilar(a, b)
    assert (counted.states, counted.levels) == (1800, 603)  # 599 incs, 2 xs, an empty level
    assert end.path == ("inc",) * 599 + ("end",)


def test_marks_are_dropped_when_a_lazy_leaf_makes_codes_wide(monkeypatch):
    monkeypatch.setattr(vectors, "_MAX_BITS", 8)
    monkeypatch.setattr(vectors, "_MAX_CODE", 1 << 8)
    with _in_mode("marks"):
        search = searcher(_lazy_counter(300)[1])
        search.run()
    assert search.marks is None and search.tables.layout.wide
    assert (len(search.visited), search.visited.depth) == (900, 302)  # 299 + 2 + an empty one


@settings(max_examples=60, deadline=None)
@given(trees(), mixes)
def test_marked_batches_over_lazy_leaves_give_the_eager_product(tree, mix):
    eager, lazy = _pair(tree, mix=mix)
    whole = explore_product(eager)
    with _in_mode("marks"):
        got = explore_product(lazy)
        counted = count_states(_pair(tree, mix=mix)[1])
    assert (got.num_states, got.num_transitions) == (whole.num_states, whole.num_transitions)
    assert counted.states == whole.num_states and _bisimilar(got, whole)


@settings(max_examples=100, deadline=None)
@given(trees())
def test_levels_expanded_chunk_by_chunk_number_states_as_whole_levels_do(tree):
    # CHUNK=2: every level of more than 2 states is expanded in chunks on the
    # workers, their successors merged and filtered in batches; a huge CHUNK:
    # each level is one chunk
    net, bound = close(_network(tree)), Limits(max_states=5_000)
    runs = []
    for chunk in (2, 1 << 30):
        with patch.object(level_search, "NARROW", 0), patch.object(level_search, "CHUNK", chunk):
            lts = explore_product(net, bound)
            runs.append((lts.num_states, lts.src.tolist(), lts.label.tolist(), lts.dst.tolist(),
                         find_path(net, deadlock_goal, bound).path,
                         count_states(net, bound).transitions))
    assert runs[0] == runs[1]
    assert runs[0][0] == explore(Tree(tree)).num_states
