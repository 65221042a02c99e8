"""The level loop: batching, budgets and the parity skip change no search's outcome."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from procalg.checks.deadlock import deadlock_goal
from procalg.checks.reachability import reachability_goal
from procalg.errors import LimitExceeded
from procalg.lts import (
    LTS,
    explore,
    level_paths,
    level_search,
    run_merge,
    vectors,
    visited_runs,
    wide_keys,
)
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


def _reversed_tables_path(search: LevelSearch, code: int) -> list[str]:
    """The oracle: walk the reversed tables from ``code``, taking at each step
    the least predecessor one BFS level up (the product of every component's
    local predecessors: fine on small networks)."""
    here = search.held([code])
    level = int(search.visited.level_of(here)[0])
    labels: list[str] = []
    while level > 0:
        _, pred, lab = search.tables.successors(here, backward=True)
        ok = np.flatnonzero(search.visited.level_of(pred) == level - 1)
        best = ok[np.argsort(pred[ok], kind="stable")[0]]
        best = min((int(lab[i]), int(i)) for i in ok if pred[i] == pred[best])[1]  # least label
        labels.append(search.tables.labels[int(lab[best])])
        here, level = pred[[best]], level - 1
    return labels[::-1]


def _replayed(search: LevelSearch, labels: list[str]) -> set[int]:
    """The codes reached from the initial state along ``labels``."""
    here = {int(search.tables.initial)}
    for label in labels:
        _, dst, lab = search.tables.successors(np.array(sorted(here), dtype=np.int64))
        names = [search.tables.labels[int(x)] for x in lab]
        here = {int(d) for d, n in zip(dst, names, strict=True) if n == label}
    return here


@settings(max_examples=80, deadline=None)
@given(trees())
def test_a_path_rebuilt_forwards_is_the_reversed_tables_shortest_least_path(tree):
    net = close(_network(tree))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(level_search, "CHUNK", 2)  # several chunks a level: the early stop
        patch.setattr(level_paths, "PATH_CODES", 3)  # a scan of the visited set per level or few
        patch.setattr(level_paths, "FAN", -1)  # never the reversed tables
        search = LevelSearch(Tables(net), max_states=2_000)
        try:
            search.run()
        except LimitExceeded:  # a tree drawn too large for this test's budget
            reject()
        levels = {}
        for run in search.visited.runs:
            codes, tags = run.plain()
            levels.update(zip(codes.tolist(), tags.tolist(), strict=True))
        levels.update((c, search.visited.depth) for c in search.visited.frontier.tolist())
        for code, level in sorted(levels.items())[:40]:
            path = search.path_to(code)
            assert path == _reversed_tables_path(search, code)
            assert len(path) == level and code in _replayed(search, path)


def test_a_path_into_a_state_with_billions_of_predecessor_combinations_is_rebuilt_at_once():
    # (more than FAN moves into a code: the levels are fired forwards)
    # 70 cells all take part in "a", each entering its state 1 from 0 or from 1:
    # backwards, the state after "a" has 2^70 combinations of local predecessors
    cell = LTS.build(3, 0, ["a", "done"], [(0, "a", 1), (1, "a", 1), (1, "done", 2)])
    net = component(cell)
    for _ in range(69):
        net = parallel(net, component(cell), {"a", "done"})
    found = find_path(close(net), deadlock_goal)
    assert found.found and found.path == ("a", "done")


def _fan(width: int) -> LTS:
    """A ring of four states with ``width`` self-loops at each: many moves a state, few new."""
    loops = [(s, f"x{k}", s) for s in range(4) for k in range(width)]
    return LTS.build(4, 0, ["a", *(f"x{k}" for k in range(width))],
                     [(s, "a", (s + 1) % 4) for s in range(4)] + loops)


def test_batches_shrink_below_the_chunk_when_states_have_many_moves():
    net = close(parallel(parallel(component(_fan(30)), component(_fan(30)), set()),
                         component(_fan(30)), set()))
    plain = count_states(net)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(level_search, "NARROW", 0)
        patch.setattr(level_search, "MIN_CHUNK", 1)
        patch.setattr(level_search, "SCRATCH", 8 * 90 * 3)  # three states' moves a batch
        search = LevelSearch(Tables(net))
        assert search.run(lambda *moves: None) is None  # a goal reading every label
        assert search.fan == 3 * 31  # every state: 90 self-loops and 3 moves on
        assert search.chunk() == 2  # 8-byte codes, 93 moves each: 2 states in 2,160 bytes
        targets = LevelSearch(Tables(net))
        assert targets.run() is None  # no goal: a component's 30 alike self-loops fire once
        assert (targets.fan, targets.transitions) == (3 * 2, search.transitions)
        shrunk = count_states(net)
    assert (shrunk.states, shrunk.transitions, shrunk.levels) == (
        plain.states, plain.transitions, plain.levels)
    assert (plain.states, plain.transitions) == (64, 64 * 93)


def test_self_loops_left_out_of_the_sort_still_count_and_meet_the_goal():
    net = close(parallel(component(_fan(2)), component(_fan(1)), {"a"}))
    searched = count_states(net)
    assert (searched.states, searched.transitions) == (4, 4 * 4)
    found = find_path(net, reachability_goal("x1"))  # a self-loop, from the start
    assert (found.found, found.trace) == (True, ("x1",))
    with pytest.MonkeyPatch.context() as patch:  # the same in wide, word-aligned keys
        patch.setattr(vectors, "_MAX_BITS", 0)
        patch.setattr(vectors, "_MAX_CODE", 1)
        assert Tables(net).layout.words >= 1
        wide = count_states(net)
        assert (wide.states, wide.transitions) == (4, 4 * 4)


def _wide_in_small_batches(net, weak: bool) -> tuple:
    """States, transitions, levels and the deadlock trace of ``net`` on keys
    (always wide), every level in chunks of two with tiny budgets, so each
    successor's hash travels through joins, look-ups and run merges; with
    ``weak``, hashes of six bits (collisions everywhere: key order falls
    back to bytes). Each run's carried hashes must be its keys' hashes."""
    hashes = wide_keys.key_hashes
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (("NARROW", 0), ("CHUNK", 2), ("MIN_BUDGET", 1)):
            patch.setattr(level_search, name, value)
        patch.setattr(vectors, "_MAX_BITS", 0)
        patch.setattr(vectors, "_MAX_CODE", 1)
        if weak:
            for module in (wide_keys, run_merge):
                patch.setattr(module, "key_hashes", lambda keys: hashes(keys) & np.uint64(63))
            # a run held without first words rebuilds them from the (bijective) hash: not these
            patch.setattr(visited_runs.Run, "compact", lambda run: run)
        search = LevelSearch(Tables(net))
        search.run()
        for run in search.visited._runs():
            if run._hashes is not None:
                assert run._hashes.tolist() == wide_keys.key_hashes(run.codes).tolist()
        counted, found = count_states(net), find_path(net, deadlock_goal)
    return counted.states, counted.transitions, counted.levels, found.found, found.path


@settings(max_examples=40, deadline=None)
@given(trees(), st.booleans())
def test_hashes_carried_with_wide_keys_find_the_narrow_states_and_deadlocks(tree, weak):
    net = close(_network(tree))
    plain, found = count_states(net), find_path(net, deadlock_goal)
    assert _wide_in_small_batches(net, weak) == (
        plain.states, plain.transitions, plain.levels, found.found, found.path)
