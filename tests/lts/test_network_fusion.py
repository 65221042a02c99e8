"""Lock-step components fused into one (procalg.lts.network_fusion).

The fused network's product must be the original's reachable product: the
same number of states and transitions, the same BFS levels, strongly
bisimilar (the oracle: the unfused network's explicit product).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import LTS, TAU, TICK
from procalg.lts.network import Network, SyncRule, alpha_parallel, close, component, hide, parallel
from procalg.lts.network_fusion import FUSED, fuse
from procalg.lts.product import explore_product
from tests.lts.test_product import _bisimilar
from tests.lts.test_refine_product import systems


def _station(i: int, n: int) -> LTS:
    """A token ring's station: waits for the token, works twice, passes it on."""
    prev = f"pass.{(i - 1) % n}"
    moves = [(0, prev, 1), (1, f"work.{i}.1", 2), (2, f"work.{i}.2", 3), (3, f"pass.{i}", 0)]
    return LTS.build(4, 1 if i == 0 else 0, [prev, f"work.{i}.1", f"work.{i}.2", f"pass.{i}"],
                     moves)


def _ring(n: int) -> Network:
    net = component(_station(0, n))
    alpha = set(_station(0, n).labels) - {TAU, TICK}
    for i in range(1, n):
        mine = set(_station(i, n).labels) - {TAU, TICK}
        net = alpha_parallel(net, component(_station(i, n)), alpha, mine)
        alpha |= mine
    return net


def _counter(name: str, size: int) -> LTS:
    return LTS.build(size, 0, [name], [(x, name, (x + 1) % size) for x in range(size)])


def _levels(lts: LTS) -> list[int]:
    """How many states each BFS level holds."""
    depth = {lts.initial: 0}
    todo = [lts.initial]
    for s in todo:
        for _, d in lts.successors(s):
            if d not in depth:
                depth[d] = depth[s] + 1
                todo.append(d)
    return np.bincount(list(depth.values())).tolist()


def _assert_same_product(net: Network, fused: Network) -> None:
    before, after = explore_product(net), explore_product(fused)
    assert (after.num_states, after.num_transitions) == (before.num_states,
                                                          before.num_transitions)
    assert _levels(after) == _levels(before)
    assert _bisimilar(before, after)


def test_a_token_rings_stations_fuse_into_one_component_of_their_reachable_tuples():
    net = close(parallel(_ring(8), component(_counter("inc", 5)), set()))
    fusion = fuse(net)
    comps = fusion.network.components
    assert len(comps) == 2 and comps[0].num_states == 3 * 8  # token place x phase, not 4^8
    assert all(new == 0 for new, _ in fusion.place[:8]) and fusion.place[8] == (1, None)
    # station 3 holds the token in 3 of the 24 tuples and waits for it in the rest
    assert np.bincount(fusion.place[3][1], minlength=4).tolist() == [21, 1, 1, 1]
    assert all(a.startswith(FUSED) for r in fusion.network.rules for c, a in r.parts if c == 0)
    _assert_same_product(net, fusion.network)


def test_a_part_that_only_loops_joins_no_cluster():
    # a spec-like watcher looping on "inc" everywhere must not tie the counter to the ring
    watcher = LTS.build(2, 0, ["inc", "pass.0"], [(0, "inc", 0), (1, "inc", 1), (0, "pass.0", 1),
                                                  (1, "pass.0", 0)])
    ring = parallel(_ring(4), component(watcher), {"pass.0"})
    net = close(parallel(ring, component(_counter("inc", 7)), {"inc"}))
    fusion = fuse(net)
    assert [c.num_states for c in fusion.network.components] == [24, 7]
    _assert_same_product(net, fusion.network)


def test_a_cluster_whose_tuples_need_no_fewer_bits_stays_apart():
    free = close(parallel(component(_counter("a", 2)), component(_counter("b", 2)), set()))
    assert fuse(free).network is free
    both = close(parallel(component(_counter("a", 3)), component(_counter("a", 3)), {"a"}))
    assert len(fuse(both).network.components) == 1  # lock-step: 3 tuples, not 9
    assert fuse(both, limit=2).network is both  # past the limit: left alone


def test_a_prioritised_network_is_left_alone():
    lts = _counter("a", 3)
    net = Network((lts, lts), (SyncRule("a", ((0, "a"), (1, "a")), rank=0),))
    assert fuse(net).network is net


def test_a_nondeterministic_part_fuses_every_choice():
    left = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (0, "a", 2), (1, "b", 0), (2, "b", 0)])
    right = LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "b", 0)])
    net = close(parallel(component(left), component(right), {"a", "b"}))
    fusion = fuse(net)
    assert [c.num_states for c in fusion.network.components] == [3]
    _assert_same_product(net, fusion.network)


@st.composite
def networks(draw) -> Network:
    net = component(draw(systems()))
    for _ in range(draw(st.integers(1, 3))):
        sync = draw(st.sets(st.sampled_from(["a", "b", "c"])))
        net = parallel(net, component(draw(systems())), sync)
    return close(hide(net, draw(st.sets(st.sampled_from(["a", "b", "c"]), max_size=1))))


@settings(max_examples=300, deadline=None)
@given(networks(), st.integers(1, 64))
def test_a_fused_network_has_the_original_product(net, limit):
    _assert_same_product(net, fuse(net, limit).network)
