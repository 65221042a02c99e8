"""Lazy components against the same networks with every leaf explored whole.

The product engine must not tell them apart: same numbers of states and
transitions, same verdicts, shortest counterexamples of the same length
(and real ones, replayed in Roscoe's rules, :class:`tests.lts.test_product.Tree`).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.deadlock import deadlock_goal
from procalg.checks.reachability import reachability_goal
from procalg.errors import LimitExceeded
from procalg.lts import LTS, TAU, TICK, explore, vectors
from procalg.lts.exploration import ExplicitSystem
from procalg.lts.held import Holding
from procalg.lts.lazy import AlphabetError, LazyComponent
from procalg.lts.network import Network, alpha_parallel, close, component, hide, parallel, rename
from procalg.lts.product import count_states, explore_product, find_path, tau_lasso
from procalg.lts.tau import is_divergent
from tests.lts.test_product import EVENTS, Tree, _bisimilar, _replay, trees


def _lazy(lts: LTS, superset: bool) -> LazyComponent:
    used = {lts.labels[i] for i in set(lts.label.tolist())}
    alphabet = {*EVENTS, TICK} if superset else used - {TAU}
    return LazyComponent(ExplicitSystem(lts), alphabet)


def _network(node, lazy: bool | list[bool], superset: bool = False) -> Network:
    """The tree's network with every leaf lazy, none, or as ``lazy`` pops
    (a list: one flag per leaf, reused cyclically)."""
    kind = node[0]
    if kind == "leaf":
        if isinstance(lazy, list):
            flag = lazy.pop(0)
            lazy.append(flag)
        else:
            flag = lazy
        return component(_lazy(node[1], superset) if flag else node[1])
    if kind == "par":
        return parallel(_network(node[1], lazy, superset), _network(node[2], lazy, superset),
                        node[3])
    if kind == "apar":
        return alpha_parallel(_network(node[1], lazy, superset),
                              _network(node[2], lazy, superset), node[3], node[4])
    if kind == "hide":
        return hide(_network(node[1], lazy, superset), node[2])
    return rename(_network(node[1], lazy, superset), node[2])


def _pair(tree, superset: bool = False, mix: list[bool] | None = None
          ) -> tuple[Network, Network]:
    return close(_network(tree, False)), close(_network(tree, mix or True, superset))


mixes = st.lists(st.booleans(), min_size=1, max_size=4)


@settings(max_examples=150, deadline=None)
@given(trees(), st.booleans(), mixes)
def test_lazy_leaves_give_the_same_product_as_whole_leaves(tree, superset, mix):
    eager, lazy = _pair(tree, superset, mix)
    a, b = explore_product(eager), explore_product(lazy)
    assert (b.num_states, b.num_transitions) == (a.num_states, a.num_transitions)
    assert _bisimilar(a, b)


@settings(max_examples=100, deadline=None)
@given(trees(), mixes)
def test_lazy_deadlock_search_gives_the_verdict_and_a_shortest_real_trace(tree, mix):
    eager, lazy = _pair(tree, mix=mix)
    reference = explore(Tree(tree))
    a, b = find_path(eager, deadlock_goal), find_path(lazy, deadlock_goal)
    assert b.found == a.found
    if b.found:
        assert len(b.path) == len(a.path)
        assert set(_replay(reference, b.path)) & set(reference.deadlocks())


@settings(max_examples=100, deadline=None)
@given(trees())
def test_lazy_leaves_keep_stubborn_set_verdicts(tree):
    eager, lazy = _pair(tree)
    reference = explore(Tree(tree))
    result = find_path(lazy, deadlock_goal, por=True)
    assert result.found == find_path(eager, deadlock_goal, por=True).found
    if result.found:
        assert set(_replay(reference, result.path)) & set(reference.deadlocks())


@settings(max_examples=100, deadline=None)
@given(trees(), st.sampled_from(EVENTS))
def test_lazy_reachability_ends_with_the_label_at_its_shortest_distance(tree, event):
    eager, lazy = _pair(tree)
    reference = explore(Tree(tree))
    a, b = find_path(eager, reachability_goal(event)), find_path(lazy, reachability_goal(event))
    assert b.found == a.found
    if b.found:
        assert b.path[-1] == event and len(b.path) == len(a.path)
        assert _replay(reference, b.path)


@settings(max_examples=100, deadline=None)
@given(trees())
def test_lazy_divergence_is_found_exactly_when_the_eager_search_finds_it(tree):
    eager, lazy = _pair(tree)
    divergent = is_divergent(explore(Tree(tree)))
    a, b = tau_lasso(eager), tau_lasso(lazy)
    assert b.found == a.found
    if b.found:  # the walk into the τ-loop may differ: it follows the lowest code
        assert any(divergent[s] for s in _replay(explore(Tree(tree)), b.path))
        assert b.cycle and set(b.cycle) == {TAU}


class Queue:
    """An ordered FIFO of ``capacity`` over ``values`` values: huge in total."""

    def __init__(self, capacity: int, values: int) -> None:
        self.capacity, self.values = capacity, values

    def initial_state(self) -> tuple[int, ...]:
        return ()

    def successors(self, q: tuple[int, ...]):
        out = [(f"in.{v}", (*q, v)) for v in range(self.values)] \
            if len(q) < self.capacity else []
        return out + ([(f"out.{q[0]}", q[1:])] if q else [])


def _queue_network(capacity: int, values: int, queue: LTS | LazyComponent) -> Network:
    """A producer sending 0, 1, ... values-1 once each, the queue, and a consumer
    that takes anything: the queue only ever holds an increasing run."""
    producer = LTS.build(values + 1, 0, [f"in.{v}" for v in range(values)],
                         [(v, f"in.{v}", v + 1) for v in range(values)])
    consumer = LTS.build(1, 0, [f"out.{v}" for v in range(values)],
                         [(0, f"out.{v}", 0) for v in range(values)])
    ins = {f"in.{v}" for v in range(values)}
    outs = {f"out.{v}" for v in range(values)}
    return close(parallel(parallel(component(producer), component(queue), ins),
                          component(consumer), outs))


def _queue_alphabet(values: int) -> set[str]:
    return {f"{c}.{v}" for c in ("in", "out") for v in range(values)}


def test_a_huge_lazy_queue_is_explored_only_where_the_product_goes():
    capacity, values = 6, 10  # 1 111 111 queue states in all
    lazy = LazyComponent(Queue(capacity, values), _queue_alphabet(values), name="queue")
    result = count_states(_queue_network(capacity, values, lazy))
    small = explore(Queue(3, 4))
    eager = count_states(_queue_network(3, 4, small))
    again = count_states(_queue_network(3, 4, LazyComponent(Queue(3, 4), _queue_alphabet(4))))
    assert (again.states, again.transitions) == (eager.states, eager.transitions)
    assert lazy.num_states < 2000  # reachable queue contents, and their one-step targets
    assert any("explored lazily" in n and "queue" in n for n in result.notes)
    # everything sent and taken
    stuck = find_path(_queue_network(capacity, values, lazy), deadlock_goal)
    assert stuck.found and len(stuck.trace) == 2 * values


def test_a_lazy_component_growing_past_its_headroom_is_repacked_with_every_state_kept():
    counter = LTS.build(300, 0, ["inc"], [(i, "inc", i + 1) for i in range(299)])
    other = LTS.build(3, 0, ["x"], [(0, "x", 1), (1, "x", 2), (2, "x", 0)])
    eager = close(parallel(component(other), component(counter), set()))
    lazy = close(parallel(component(other),
                          component(LazyComponent(ExplicitSystem(counter), {"inc"})), set()))
    a, b = explore_product(eager), explore_product(lazy)
    assert (b.num_states, b.num_transitions) == (a.num_states, a.num_transitions) == (900, 1797)
    assert _bisimilar(a, b)
    assert find_path(lazy, reachability_goal("inc")).path == ("inc",)
    assert not find_path(lazy, deadlock_goal).found and not find_path(eager, deadlock_goal).found


def test_a_lazy_component_repacked_into_wide_codes_keeps_the_shortest_trace(monkeypatch):
    monkeypatch.setattr(vectors, "_MAX_BITS", 6)
    monkeypatch.setattr(vectors, "_MAX_CODE", 1 << 6)
    counter = LTS.build(100, 0, ["inc", "end"], [(i, "inc", i + 1) for i in range(99)]
                        + [(99, "end", 99)])
    lazy = close(component(LazyComponent(ExplicitSystem(counter), {"inc", "end"})))
    result = find_path(lazy, reachability_goal("end"))
    assert result.path == ("inc",) * 99 + ("end",)
    assert any("need 8 bits (more than 6)" in n for n in result.notes)  # the forced limit


def test_lazy_leaves_asked_by_a_partner_past_narrow_codes_give_the_eager_product(monkeypatch):
    # Roscoe's phone network's shape: an eager partner drives lazily explored leaves
    # (their moves asked for), whose digits outgrow int64 into word-aligned keys; the
    # asks then decode the codes group after group, every level
    monkeypatch.setattr(vectors, "_MAX_BITS", 6)
    counter = LTS.build(40, 0, ["inc"], [(i, "inc", i + 1) for i in range(39)])
    driver = LTS.build(2, 0, ["inc", "tick"], [(0, "inc", 1), (1, "tick", 0)])

    def net(leaf):
        return close(parallel(component(driver),
                              parallel(component(leaf()), component(leaf()), set()), {"inc"}))
    eager, lazy = net(lambda: counter), net(lambda: LazyComponent(ExplicitSystem(counter), {"inc"}))
    a, b = explore_product(eager), explore_product(lazy)
    assert (b.num_states, b.num_transitions) == (a.num_states, a.num_transitions)
    assert _bisimilar(a, b)
    want = find_path(eager, deadlock_goal)
    got = find_path(net(lambda: LazyComponent(ExplicitSystem(counter), {"inc"})), deadlock_goal)
    assert got.path == want.path == ("inc", "tick") * 78
    assert any("64-bit words" in n for n in got.notes)


def test_a_label_outside_the_declared_alphabet_is_refused():
    lts = LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "b", 0)])
    net = close(component(LazyComponent(ExplicitSystem(lts), {"a"})))
    with pytest.raises(AlphabetError, match="'b'"):
        count_states(net)


def test_a_lazy_component_past_its_state_limit_raises_limit_exceeded():
    lazy = LazyComponent(Queue(6, 10), _queue_alphabet(10), max_states=50)
    with pytest.raises(LimitExceeded):
        lazy.expand(np.array([0]))
        lazy.expand(np.arange(lazy.num_states))


def test_lazy_termination_enters_one_omega_state_that_only_loops_on_done():
    skip = LTS.build(2, 0, [], [(0, TICK, 1)])
    lazy = close(parallel(component(LazyComponent(ExplicitSystem(skip), {TICK})),
                          component(skip), set()))
    eager = close(parallel(component(skip), component(skip), set()))
    a, b = explore_product(eager), explore_product(lazy)
    assert (b.num_states, b.num_transitions) == (a.num_states, a.num_transitions) == (5, 5)
    assert not find_path(lazy, deadlock_goal).found


def test_one_lazy_component_at_two_places_gives_the_product_of_two_copies():
    ring = LTS.build(5, 0, ["a", "b"], [(i, "a" if i % 2 else "b", (i + 1) % 5) for i in range(5)])
    shared = LazyComponent(ExplicitSystem(ring), {"a", "b"})
    for sync in (set(), {"a"}):
        eager = close(parallel(component(ring), component(ring), sync))
        lazy = close(parallel(component(shared), component(shared), sync))
        a, b = explore_product(eager), explore_product(lazy)
        assert (b.num_states, b.num_transitions) == (a.num_states, a.num_transitions)
        assert _bisimilar(a, b)


def test_stubborn_sets_on_a_lazy_queue_find_the_deadlock_in_fewer_states():
    alphabet = _queue_alphabet(10)
    full = find_path(_queue_network(6, 10, LazyComponent(Queue(6, 10), alphabet)), deadlock_goal)
    reduced = find_path(_queue_network(6, 10, LazyComponent(Queue(6, 10), alphabet)),
                        deadlock_goal, por=True)
    assert full.found and reduced.found
    assert reduced.states <= full.states
    assert len(reduced.trace) == 2 * 10


@pytest.mark.parametrize("limit", [None, 1, 2, 5])
def test_expanding_now_numbers_states_and_meets_the_limit_as_the_general_path_does(limit):
    fan = LTS.build(7, 0, ["a", "b"], [(0, "a", 1), (0, "b", 2), (1, "a", 3), (1, "b", 4),
                                      (2, "a", 5), (2, "b", 6), (3, "a", 0)])

    def expanded(now: bool) -> tuple:
        lazy = LazyComponent(Holding(ExplicitSystem(fan)), {"a", "b"}, max_states=limit)
        lazy.hold()
        made = []
        try:
            for loc in range(4):
                made.append((lazy.expand_now if now else lazy.expand_held)(loc))
        except LimitExceeded:
            made.append("limit")
        return made, lazy.states, lazy._slot.size, lazy.ids

    assert expanded(True) == expanded(False)
