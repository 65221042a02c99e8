"""τ-structure: the bulk cycle test against Tarjan's components, the shortest τ-lasso
against networkx."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import LTS, tau
from procalg.lts.tau import (
    has_cycle,
    is_divergent,
    lasso_states,
    shortest_lasso,
    tau_forever,
    tau_sccs,
)


@st.composite
def tau_graphs(draw) -> LTS:
    n = draw(st.integers(1, 7))
    state = st.integers(0, n - 1)
    return LTS.build(n, 0, [], draw(st.lists(st.tuples(state, st.just("τ"), state),
                                             max_size=2 * n)))


@settings(max_examples=300, deadline=None)
@given(tau_graphs())
def test_the_bulk_cycle_test_agrees_with_tarjans_components(lts):
    comp = tau_sccs(lts)
    cyclic = bool((np.bincount(comp) > 1).any() or (lts.src == lts.dst).any())
    assert has_cycle(lts.num_states, lts.src.astype(np.int64), lts.dst.astype(np.int64)) == cyclic


def test_a_self_loop_is_a_cycle_and_a_chain_is_not():
    assert has_cycle(1, np.array([0]), np.array([0]))
    assert not has_cycle(3, np.array([0, 1]), np.array([1, 2]))


@st.composite
def _diverging_graph(draw: st.DrawFn) -> tuple[int, list[tuple[int, int]], list[int]]:
    """A graph where every state has a successor (so every state can go on for ever)."""
    n = draw(st.integers(1, 9))
    states = st.integers(0, n - 1)
    edges = [(s, draw(states)) for s in range(n)]
    edges += draw(st.lists(st.tuples(states, states), max_size=2 * n))
    return n, edges, draw(st.lists(states, min_size=1, max_size=3))


@settings(max_examples=300, deadline=None)
@given(_diverging_graph())
def test_the_shortest_lasso_is_the_nearest_cycle_state_then_its_shortest_cycle(graph) -> None:
    n, edges, starts = graph
    g = nx.DiGraph(edges)
    g.add_nodes_from(range(n))
    dist = nx.multi_source_dijkstra_path_length(g, set(starts))

    def girth(x: int) -> float:
        back = [nx.shortest_path_length(g, d, x) for d in g.successors(x) if nx.has_path(g, d, x)]
        return min(back) + 1 if back else float("inf")

    on_cycle = [x for x in dist if girth(x) < float("inf")]
    lead = min(dist[x] for x in on_cycle)
    expected = (lead, min(girth(x) for x in on_cycle if dist[x] == lead))
    src, dst = (np.array(col, np.int64) for col in zip(*edges, strict=True))
    assert shortest_lasso(n, src, dst, np.array(starts)) == expected


@settings(max_examples=300, deadline=None)
@given(_diverging_graph())
def test_the_lasso_states_are_a_shortest_path_from_a_start_to_a_state_on_the_cycle(graph):
    n, edges, starts = graph
    src, dst = (np.array(col, np.int64) for col in zip(*edges, strict=True))
    lead, loop = lasso_states(n, src, dst, np.array(starts))
    assert (len(lead) - 1, loop) == shortest_lasso(n, src, dst, np.array(starts))
    assert lead[0] in starts
    assert all((a, b) in set(edges) for a, b in itertools.pairwise(lead))
    g = nx.DiGraph(edges)
    back = [nx.shortest_path_length(g, d, lead[-1]) for d in g.successors(lead[-1])
            if nx.has_path(g, d, lead[-1])]
    assert min(back) + 1 == loop


@settings(max_examples=300, deadline=None)
@given(tau_graphs())
def test_the_peel_keeps_exactly_the_states_that_can_do_tau_for_ever(lts):
    alive, src, dst = tau_forever(lts.num_states, lts.src.astype(np.int64),
                                  lts.dst.astype(np.int64))
    assert alive.tolist() == is_divergent(lts).tolist()
    assert alive[src].all() and alive[dst].all()


@settings(max_examples=300, deadline=None)
@given(tau_graphs(), st.sampled_from([1, 4, 1 << 30]))
def test_the_worklist_peel_keeps_what_the_rounds_keep(lts, thin):
    # thin rounds hand the rest to the worklist: at once (1 << 30), or later
    with pytest.MonkeyPatch.context() as m:
        m.setattr(tau, "THIN", thin)
        alive, src, dst = tau_forever(lts.num_states, lts.src.astype(np.int64),
                                      lts.dst.astype(np.int64))
    assert alive.tolist() == is_divergent(lts).tolist()
    kept = [(s, d) for s, d in zip(lts.src.tolist(), lts.dst.tolist(), strict=True)
            if alive[s] and alive[d]]
    assert sorted(zip(src.tolist(), dst.tolist(), strict=True)) == sorted(kept)


def test_a_long_tau_chain_into_a_dead_end_is_peeled_from_the_worklist():
    n = 20_000  # one state a round: 20,000 numpy rounds over 20,000 edges
    src = np.arange(n - 1, dtype=np.int64)
    rest = []
    real = tau._peel_rest
    with pytest.MonkeyPatch.context() as m:
        m.setattr(tau, "_peel_rest", lambda *a: rest.append(a[1].sum()) or real(*a))
        alive, kept, _ = tau_forever(n, np.append(src, n - 1), np.append(src + 1, n - 1))
    assert alive.tolist() == [True] * n and len(kept) == n  # a τ-loop at the end: all live
    with pytest.MonkeyPatch.context() as m:
        m.setattr(tau, "_peel_rest", lambda *a: rest.append(a[1].sum()) or real(*a))
        alive, kept, _ = tau_forever(n, src, src + 1)
    assert not alive.any() and not len(kept)
    assert rest == [1]  # the first round (the last state) was thin: the worklist took the rest
