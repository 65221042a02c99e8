"""Level parity: a network said to alternate never moves within a BFS level."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts.lts import LTS
from procalg.lts.network import close, component, parallel
from procalg.lts.parity import alternates, bipartite, odd_solution
from procalg.lts.product import explore_product
from tests.lts.test_product import _distances, _network, _philosophers, trees

edges = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=9)


@settings(max_examples=300, deadline=None)
@given(edges)
def test_a_graph_is_bipartite_exactly_when_some_two_colouring_splits_every_edge(pairs):
    src = np.array([s for s, _ in pairs], dtype=np.int64)
    dst = np.array([d for _, d in pairs], dtype=np.int64)
    some = any(all(c[s] != c[d] for s, d in pairs) for c in itertools.product((0, 1), repeat=6))
    assert bipartite(6, src, dst) == some


@settings(max_examples=300, deadline=None)
@given(st.sets(st.integers(0, 31), max_size=8))
def test_an_odd_solution_exists_exactly_when_brute_force_finds_one(rows):
    def odd(x: int) -> bool:
        return all(bin(row & x).count("1") % 2 == 1 for row in rows)

    assert odd_solution(rows) == any(odd(x) for x in range(32))


@settings(max_examples=300, deadline=None)
@given(trees())
def test_an_alternating_network_has_no_move_between_states_of_one_level_parity(tree):
    net = close(_network(tree))
    if not alternates(net):
        return
    lts = explore_product(net)
    dist = _distances(lts)
    assert np.all(dist[lts.src] % 2 != dist[lts.dst] % 2)


def test_dining_philosophers_alternate_and_a_three_cycle_does_not():
    assert alternates(_philosophers(3))
    triangle = LTS.build(3, 0, ["a"], [(0, "a", 1), (1, "a", 2), (2, "a", 0)])
    assert not alternates(close(component(triangle)))


def test_a_network_with_an_odd_cycle_through_synchronised_moves_does_not_alternate():
    left = LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "b", 0)])
    right = LTS.build(2, 0, ["a", "c"], [(0, "a", 1), (1, "c", 0)])
    # a, b, c return to the start in three moves; a alone synchronised flips one colour
    assert not alternates(close(parallel(component(left), component(right), {"a"})))
    assert alternates(close(parallel(component(left), component(left), {"a", "b"})))
