"""The dense walk of deep, narrow levels (:mod:`procalg.lts.dense_levels`)
against the numpy level search with the walk off and against Roscoe's rules
(``tests/lts/test_product.py``'s reference): the same states, BFS levels,
transition counts, explicit LTS, census, state-limit stop and shortest
counterexamples, however the walk slices, deduplicates and settles."""

from __future__ import annotations

from contextlib import ExitStack
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.deadlock import deadlock_goal
from procalg.checks.reachability import reachability_goal
from procalg.errors import LimitExceeded
from procalg.lts import LTS, TAU, TICK, dense_levels, explore, level_search
from procalg.lts.census import take_census
from procalg.lts.dense_levels import DenseLevels
from procalg.lts.network import Network, close, component, parallel
from procalg.lts.product import Limits, count_states, explore_product, find_path, searcher
from procalg.lts.vectors import Tables
from tests.lts.test_narrow_levels import _odometer
from tests.lts.test_product import EVENTS, Tree, _distances, _network, _replay, trees

DEEP = {(level_search, "MARK_DEPTH"): 0}  # marks (and so the walk) from the first level
MODES = {
    "walk off": {**DEEP, (dense_levels, "CELLS"): 0},
    "dense walk": DEEP,
    "settled every level": {**DEEP, (dense_levels, "SETTLE"): 0},
    "levels sorted, not stamped": {**DEEP, (dense_levels, "_STAMPS"): np.zeros(0, np.uint8)},
    "one-digit slices": {**DEEP, (dense_levels, "SLICE"): 1, (dense_levels, "MAX_SLICES"): 99},
    "short batches": {**DEEP, (dense_levels, "STEPS"): 3},
    "no whole table": {**DEEP, (dense_levels, "FULL"): 0},
    "whole table at once": {**DEEP, (dense_levels, "WHOLE_AFTER"): 1 << 40},
}
WALKS = [m for m in MODES if m != "walk off"]


def _in_mode(mode: str) -> ExitStack:
    stack = ExitStack()
    for (module, name), value in MODES[mode].items():
        stack.enter_context(patch.object(module, name, value))
    return stack


def _outcome(net: Network, event: str, limit: int | None = None) -> tuple:
    """Everything a search shows of ``net``, for comparing modes."""
    bound = Limits(max_states=limit)
    counted = count_states(net, bound)
    lts = explore_product(net, bound)
    dead = find_path(net, deadlock_goal, bound)
    reach = find_path(net, reachability_goal(event), bound)
    census = take_census(net, [event, TICK], bound)
    return ((counted.states, counted.transitions, counted.levels), tuple(lts.triples()),
            (dead.found, dead.path, dead.states, dead.transitions, dead.levels),
            (reach.found, reach.path, reach.states, reach.transitions, reach.levels),
            (census.states, census.transitions, census.stuck.tolist(), census.src.tolist(),
             census.lab.tolist(), census.dst.tolist()))


@settings(max_examples=80, deadline=None)
@given(trees(), st.sampled_from(EVENTS))
def test_the_walk_gives_what_the_numpy_levels_and_roscoes_rules_give(tree, event):
    reference = explore(Tree(tree))
    outcomes = {}
    for mode in MODES:
        with _in_mode(mode):
            outcomes[mode] = _outcome(close(_network(tree)), event)
    assert all(outcomes[mode] == outcomes["walk off"] for mode in WALKS)
    (states, _, levels), triples, dead, reach, _ = outcomes["walk off"]
    dist = _distances(reference)
    assert (states, len(triples)) == (reference.num_states, reference.num_transitions)
    assert levels == int(dist.max()) + 2  # and one empty level
    stuck = reference.deadlocks()
    assert dead[0] == bool(stuck)
    if stuck:
        assert len(dead[1]) == int(dist[stuck].min())
        assert set(_replay(reference, dead[1])) & set(stuck)
    code = reference.label_index(event)
    sources = [] if code is None else reference.src[reference.label == code]
    assert reach[0] == bool(len(sources))
    if len(sources):
        assert len(reach[1]) == int(dist[sources].min()) + 1 and reach[1][-1] == event


def _walked(mode: str) -> ExitStack:
    """``mode``, counting the dense walk's batches in ``calls``."""
    stack = _in_mode(mode)
    real = DenseLevels.batch
    calls = stack.calls = []  # type: ignore[attr-defined]

    def batch(self, search, frontier, stop):
        calls.append(len(frontier))
        return real(self, search, frontier, stop)

    stack.enter_context(patch.object(DenseLevels, "batch", batch))
    return stack


@pytest.mark.parametrize("mode", list(MODES))
def test_a_deep_odometer_deadlocks_and_wraps_at_its_bfs_depths_in_every_mode(mode):
    stuck, wraps = _odometer(7, wrap=False), _odometer(7, wrap=True)
    reference, ring = explore(Tree(stuck)), explore(Tree(wraps))
    depth = int(_distances(reference)[reference.deadlocks()].min())
    last = ring.src[ring.label == ring.label_index("inc.7")]
    with _walked(mode) as stack:
        dead = find_path(close(_network(stuck)), deadlock_goal)
        reach = find_path(close(_network(wraps)), reachability_goal("inc.7"))
        counted = count_states(close(_network(wraps)))
    assert bool(stack.calls) == (mode != "walk off")  # type: ignore[attr-defined]
    assert dead.found and len(dead.path) == depth == dead.levels - 1
    assert set(_replay(reference, dead.path)) & set(reference.deadlocks())
    assert reach.path[-1] == "inc.7"
    assert len(reach.path) == int(_distances(ring)[last].min()) + 1
    assert (counted.states, counted.transitions) == (3 ** 7, ring.num_transitions)
    assert counted.levels == int(_distances(ring).max()) + 2


@pytest.mark.parametrize("mode", list(MODES))
def test_a_witness_found_when_a_batch_is_settled_ends_it_at_the_witness_level(mode):
    # the walk runs on past the branches and looks back later: what it made
    # after the witness's level is dropped and unmarked, as if it had stopped
    chain = LTS.build(405, 0, ["a", "b", "c"],
                      [(i, "a", i + 1) for i in range(400)]
                      + [(150, TICK, 401), (300, "b", 402), (200, "c", 201)])
    net = close(component(chain))
    with _in_mode("walk off"):
        expect = [find_path(net, deadlock_goal), find_path(net, reachability_goal("c"))]
    with _in_mode(mode):
        got = [find_path(net, deadlock_goal), find_path(net, reachability_goal("c"))]
    for a, b in zip(expect, got, strict=True):
        assert (a.found, a.path, a.states, a.transitions, a.levels) == \
               (b.found, b.path, b.states, b.transitions, b.levels)
    assert got[0].path == ("a",) * 300 + ("b",)  # past the ✓ at 150: terminated, no deadlock
    assert got[1].path == ("a",) * 200 + ("c",)


@pytest.mark.parametrize("mode", list(MODES))
def test_the_walk_stops_just_past_the_state_limit_as_the_numpy_levels_do(mode):
    net = close(_network(_odometer(7, wrap=True)))
    with _in_mode("walk off"), pytest.raises(LimitExceeded) as expect:
        count_states(net, Limits(max_states=100))
    with _in_mode(mode), pytest.raises(LimitExceeded) as got:
        count_states(net, Limits(max_states=100))
    assert (got.value.states, got.value.transitions) == \
           (expect.value.states, expect.value.transitions)
    assert 100 < got.value.states <= 100 + 3 ** 3


@pytest.mark.parametrize("mode", WALKS)
def test_several_moves_of_one_group_from_a_state_are_walked_as_columns(mode):
    # every state has two a-moves and a τ (one group, three columns)
    n = 500
    moves = [(i, "a", (i + 1) % n) for i in range(n)] + [(i, "a", (i + 2) % n) for i in range(n)]
    moves += [(i, TAU, (i + 7) % n) for i in range(n)]
    ring = LTS.build(n, 0, ["a"], moves)
    flip = LTS.build(2, 0, ["x"], [(0, "x", 1), (1, "x", 0)])
    net = close(parallel(component(ring), component(flip), set()))
    tables = Tables(net)
    walk = DenseLevels.of(tables)
    assert walk is not None and walk.groups == 4  # the ring's three, the flip-flop's one
    with _in_mode("walk off"):
        expect = _outcome(net, "a")
    with _walked(mode) as stack:
        assert _outcome(net, "a") == expect
    assert stack.calls  # type: ignore[attr-defined]


def test_a_network_with_a_lazy_leaf_or_priority_is_left_to_the_numpy_levels():
    from procalg.lts.exploration import ExplicitSystem
    from procalg.lts.lazy import LazyComponent

    ring = LTS.build(3, 0, ["a"], [(0, "a", 1), (1, "a", 2), (2, "a", 0)])
    lazy = close(parallel(component(ring), component(LazyComponent(ExplicitSystem(ring),
                                                                   {"a"})), set()))
    assert DenseLevels.of(Tables(lazy)) is None
    assert DenseLevels.of(Tables(close(parallel(component(ring), component(ring), set()))))


def test_the_dense_numbers_sort_as_their_codes_and_turn_back_into_them():
    tables = Tables(close(_network(_odometer(5, wrap=True))))
    search = searcher(tables.network)
    search.run()
    walk = DenseLevels.of(search.tables)
    assert walk is not None and search.marks is not None
    codes = np.sort(search.visited.at_levels(0, search.visited.depth + 1)[0])
    dense = search.marks.index(codes)
    assert (np.diff(dense) > 0).all()
    assert walk.code(dense.astype(np.int32)).tolist() == codes.tolist()


@pytest.mark.parametrize(("mode", "made"), [("dense walk", 1), ("no whole table", 0)])
def test_the_whole_spaces_successors_are_tabled_once_an_eighth_of_it_was_fired(mode, made):
    net = close(_network(_odometer(7, wrap=True)))
    real, calls = DenseLevels._whole, []

    def whole(self):
        calls.append(self.fired)
        return real(self)

    with _in_mode(mode), patch.object(DenseLevels, "_whole", whole):
        counted = count_states(net)
    assert counted.states == 3 ** 7 and len(calls) == made
    assert all(8 * fired >= 3 ** 7 for fired in calls)  # not before it pays
