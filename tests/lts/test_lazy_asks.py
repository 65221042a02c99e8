"""Lazy components that make an input's moves only for what their partners offer.

A system with ``successors_where`` lets a :class:`LazyComponent` defer the
labels every rule shares with an eager component; the product then asks
for exactly the (state, label) pairs the eager partners can take. The
product must not tell this apart from whole leaves: same states and
transitions, same verdicts, shortest traces of the same length (random
networks of :mod:`tests.lts.test_product`, with hiding, renaming and
alphabetised parallel), and stubborn sets and networks sharing one
component stay exact.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.deadlock import deadlock_goal
from procalg.checks.reachability import reachability_goal
from procalg.lts import LTS, TAU, explore
from procalg.lts.exploration import ExplicitSystem
from procalg.lts.lazy import LazyComponent
from procalg.lts.network import Network, close, component, parallel
from procalg.lts.product import count_states, explore_product, find_path
from tests.lts.test_lazy import Queue, _queue_alphabet, _queue_network
from tests.lts.test_product import EVENTS, Tree, _bisimilar, _replay, trees


class Asking(ExplicitSystem):
    """An explicit LTS that makes only the moves asked for (and counts them)."""

    def __init__(self, lts: LTS) -> None:
        super().__init__(lts)
        self.made: list[tuple[int, str]] = []

    def successors_where(self, state: int, waiting, asked) -> list[tuple[str, int]]:
        kept = [(label, target) for label, target in self.successors(state)
                if label not in waiting or label in asked]
        self.made += [(state, label) for label, _ in kept]
        return kept


class AskingQueue(Queue):
    """:class:`Queue` whose inputs are made one label at a time."""

    def __init__(self, capacity: int, values: int) -> None:
        super().__init__(capacity, values)
        self.made = 0

    def successors_where(self, q: tuple[int, ...], waiting, asked):
        kept = [move for move in self.successors(q) if move[0] not in waiting or move[0] in asked]
        self.made += len(kept)
        return kept

    def waits(self, label: str) -> bool:
        return label.startswith("in.")


def _network(node, asking: list[bool]) -> Network:
    """The tree's network, each leaf lazy: asking or not, as ``asking`` pops."""
    from procalg.lts.network import alpha_parallel, hide, rename

    kind = node[0]
    if kind == "leaf":
        flag = asking.pop(0)
        asking.append(flag)
        lts = node[1]
        used = {lts.labels[i] for i in set(lts.label.tolist())} - {TAU}
        system = Asking(lts) if flag else ExplicitSystem(lts)
        return component(LazyComponent(system, used))
    if kind == "par":
        return parallel(_network(node[1], asking), _network(node[2], asking), node[3])
    if kind == "apar":
        return alpha_parallel(_network(node[1], asking), _network(node[2], asking),
                              node[3], node[4])
    if kind == "hide":
        return hide(_network(node[1], asking), node[2])
    return rename(_network(node[1], asking), node[2])


def _eager(node) -> Network:
    from tests.lts.test_lazy import _network as whole

    return close(whole(node, False))


def _mixed(node, asking: list[bool]) -> Network:
    """Eager leaves where ``asking`` says False, asking lazy ones elsewhere
    (an asking leaf needs eager partners to ask it anything)."""
    from procalg.lts.network import alpha_parallel, hide, rename

    kind = node[0]
    if kind == "leaf":
        flag = asking.pop(0)
        asking.append(flag)
        lts = node[1]
        used = {lts.labels[i] for i in set(lts.label.tolist())} - {TAU}
        return component(LazyComponent(Asking(lts), used) if flag else lts)
    if kind == "par":
        return parallel(_mixed(node[1], asking), _mixed(node[2], asking), node[3])
    if kind == "apar":
        return alpha_parallel(_mixed(node[1], asking), _mixed(node[2], asking),
                              node[3], node[4])
    if kind == "hide":
        return hide(_mixed(node[1], asking), node[2])
    return rename(_mixed(node[1], asking), node[2])


flags = st.lists(st.booleans(), min_size=1, max_size=4)


@settings(max_examples=150, deadline=None)
@given(trees(), flags)
def test_asking_leaves_give_the_same_product_as_whole_leaves(tree, mix):
    eager = _eager(tree)
    for net in (close(_mixed(tree, list(mix))), close(_network(tree, list(mix)))):
        a, b = explore_product(eager), explore_product(net)
        assert (b.num_states, b.num_transitions) == (a.num_states, a.num_transitions)
        assert _bisimilar(a, b)


@settings(max_examples=100, deadline=None)
@given(trees(), flags)
def test_asking_leaves_give_the_deadlock_verdict_and_a_shortest_real_trace(tree, mix):
    reference = explore(Tree(tree))
    a = find_path(_eager(tree), deadlock_goal)
    b = find_path(close(_mixed(tree, list(mix))), deadlock_goal)
    assert b.found == a.found
    if b.found:
        assert len(b.path) == len(a.path)
        assert set(_replay(reference, b.path)) & set(reference.deadlocks())


@settings(max_examples=100, deadline=None)
@given(trees(), flags, st.sampled_from(EVENTS))
def test_asking_leaves_reach_a_label_at_its_shortest_distance(tree, mix, event):
    a = find_path(_eager(tree), reachability_goal(event))
    b = find_path(close(_mixed(tree, list(mix))), reachability_goal(event))
    assert b.found == a.found
    if b.found:
        assert b.path[-1] == event and len(b.path) == len(a.path)
        assert _replay(explore(Tree(tree)), b.path)


@settings(max_examples=60, deadline=None)
@given(trees(), flags)
def test_stubborn_sets_over_asking_leaves_keep_the_verdict(tree, mix):
    reference = explore(Tree(tree))
    result = find_path(close(_mixed(tree, list(mix))), deadlock_goal, por=True)
    assert result.found == find_path(_eager(tree), deadlock_goal, por=True).found
    if result.found:
        assert set(_replay(reference, result.path)) & set(reference.deadlocks())


def test_a_queue_makes_only_the_inputs_its_producer_offers():
    capacity, values = 4, 10
    asking = AskingQueue(capacity, values)
    lazy = LazyComponent(asking, _queue_alphabet(values), name="queue")
    result = count_states(_queue_network(capacity, values, lazy))
    whole = count_states(_queue_network(capacity, values,
                                        LazyComponent(Queue(capacity, values),
                                                      _queue_alphabet(values))))
    assert (result.states, result.transitions) == (whole.states, whole.transitions)
    # the producer offers one value per state: one input each, not ten
    assert asking.made <= 2 * lazy.expanded
    assert lazy.num_states <= 2 * lazy.expanded


def test_a_component_asked_by_one_network_is_completed_for_one_that_cannot_ask():
    capacity, values = 3, 4
    lazy = LazyComponent(AskingQueue(capacity, values), _queue_alphabet(values))
    first = count_states(_queue_network(capacity, values, lazy))
    assert lazy.deferred
    # alone, nothing offers its inputs: every input must be made after all
    alone = count_states(close(component(lazy)))
    assert not lazy.deferred
    whole = explore(Queue(capacity, values))
    assert alone.states == whole.num_states
    again = count_states(_queue_network(capacity, values, lazy))
    assert (again.states, again.transitions) == (first.states, first.transitions)


def test_one_asking_component_at_two_places_gives_the_product_of_two_copies():
    ring = LTS.build(5, 0, ["a", "b"], [(i, "a" if i % 2 else "b", (i + 1) % 5) for i in range(5)])
    feeder = LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "b", 0), (1, "a", 0)])
    shared = LazyComponent(Asking(ring), {"a", "b"})
    for sync in ({"a", "b"}, {"a"}):
        eager = close(parallel(component(feeder), parallel(component(ring), component(ring),
                                                           set()), sync))
        lazy = close(parallel(component(feeder), parallel(component(shared),
                                                          component(shared), set()), sync))
        a, b = explore_product(eager), explore_product(lazy)
        assert (b.num_states, b.num_transitions) == (a.num_states, a.num_transitions)
        assert _bisimilar(a, b)


def test_backward_moves_of_a_state_asked_twice_are_listed_once():
    lts = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (0, "b", 2), (1, "a", 0), (2, "b", 0)])
    lazy = LazyComponent(Asking(lts), {"a", "b"})
    lazy.defer({1, 2})
    lazy.expand(np.array([0]), (np.array([0]), np.array([1])))
    lazy.expand(np.array([0]), (np.array([0]), np.array([2])))
    count, _ = lazy.lookup_all(np.array([0]), backward=False)
    assert count.tolist() == [2] and lazy.transitions == 2
    into, _ = lazy.lookup_all(np.arange(lazy.num_states), backward=True)
    assert into.tolist() == [0, 1, 1]
