"""The τ-lasso counted in the minimised graph: against networkx on the quotient
by the signature engine's strong bisimulation (not the Paige–Tarjan partition
the module uses), the same on a bisimilar cover (where the explored graph's
own τ-cycles are longer), and the same from packed codes as from a successor
function."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import LTS, TAU
from procalg.lts.bisimulation import Bisimulation
from procalg.lts.minimal_lasso import codes_lasso, lasso_from, minimal_lasso, reached
from procalg.lts.network import close, component
from procalg.lts.partition import PartitionEngine, partition
from procalg.lts.tau import is_divergent
from procalg.lts.vectors import Tables
from tests.checks.test_divergence_engines import tau_heavy_lts


def _expected(lts: LTS, entries: list[int]) -> tuple[int, int]:
    """(lead, loop) by definition: networkx over the τ-moves between blocks."""
    blocks = partition(lts, Bisimulation.STRONG, engine=PartitionEngine.SIGNATURE)
    g = nx.DiGraph()
    for s, lab, d in lts.triples():
        if lab == TAU:
            g.add_edge(int(blocks[s]), int(blocks[d]))
    starts = {int(blocks[e]) for e in entries} & set(g)
    dist = nx.multi_source_dijkstra_path_length(g, starts)

    def girth(x: int) -> float:
        back = [nx.shortest_path_length(g, d, x) for d in g.successors(x) if nx.has_path(g, d, x)]
        return min(back) + 1 if back else float("inf")

    on_cycle = [x for x in dist if girth(x) < float("inf")]
    lead = min(dist[x] for x in on_cycle)
    return lead, int(min(girth(x) for x in on_cycle if dist[x] == lead))


def _divergent_entries(lts: LTS, draw: st.DrawFn) -> list[int]:
    divergent = np.flatnonzero(is_divergent(lts)).tolist()
    return draw(st.lists(st.sampled_from(divergent), min_size=1, max_size=3))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_the_lasso_is_the_definitions_on_the_minimised_graph(data) -> None:
    lts = data.draw(tau_heavy_lts().filter(lambda t: is_divergent(t).any()))
    entries = _divergent_entries(lts, data.draw)
    lasso = minimal_lasso(lts, entries)
    assert (lasso.lead, lasso.loop) == _expected(lts, entries)
    quick, _ = lasso_from(sorted(set(entries)), lambda s: [  # a τ self-loop answers at once
        (lts.labels[lab], d) for lab, d in lts.successors(s)])
    assert (quick.lead, quick.loop) == (lasso.lead, lasso.loop)
    # the lead lifted back is a run of τ-moves of the LTS from an entry
    assert lasso.states[0] in entries and len(lasso.states) == lasso.lead + 1
    taus = {(s, d) for s, lab, d in lts.triples() if lab == TAU}
    assert all(step in taus for step in zip(lasso.states, lasso.states[1:], strict=False))


def _cover(lts: LTS, flips: list[bool]) -> LTS:
    """A double cover: state (s, bit) is 2s + bit, a move flips the bit where
    ``flips`` says; (s, bit) is strongly bisimilar to s (each move is matched),
    while a τ-cycle of s may become one twice as long."""
    rows = []
    for i, (s, lab, d) in enumerate(lts.triples()):
        for bit in (0, 1):
            rows.append((2 * s + bit, lab, 2 * d + (bit ^ flips[i % len(flips)])))
    return LTS.build(2 * lts.num_states, 2 * lts.initial, lts.labels, rows)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_bisimilar_cover_has_the_same_lasso(data) -> None:
    lts = data.draw(tau_heavy_lts().filter(lambda t: is_divergent(t).any()))
    entries = _divergent_entries(lts, data.draw)
    cover = _cover(lts, data.draw(st.lists(st.booleans(), min_size=1, max_size=4)))
    one, two = minimal_lasso(lts, entries), minimal_lasso(cover, [2 * e for e in entries])
    assert (one.lead, one.loop) == (two.lead, two.loop)


def test_a_tau_cycle_of_three_with_nothing_else_is_one_tau_self_loop() -> None:
    ring = LTS.build(4, 0, ["a"], [(0, "a", 1), (1, TAU, 2), (2, TAU, 3), (3, TAU, 1)])
    assert (minimal_lasso(ring, [1]).lead, minimal_lasso(ring, [1]).loop) == (0, 1)
    # an exit from one of them tells all three apart: the cycle stays three long
    exit_ = LTS.build(4, 0, ["a"], [(0, "a", 1), (1, TAU, 2), (2, TAU, 3), (3, TAU, 1),
                                    (3, "a", 0)])
    assert minimal_lasso(exit_, [1]).loop == 3


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_packed_codes_and_a_successor_function_give_one_lasso(data) -> None:
    lts = data.draw(tau_heavy_lts().filter(lambda t: is_divergent(t).any()))
    entries = _divergent_entries(lts, data.draw)
    tables = Tables(close(component(lts)))
    by_codes = codes_lasso(tables, tables.layout.cast(sorted(set(entries))))
    names = lts.labels
    by_moves, run = lasso_from(sorted(set(entries)), lambda s: [
        (names[lab], d) for lab, d in lts.successors(s)])
    assert (by_codes.lead, by_codes.loop) == (by_moves.lead, by_moves.loop)
    # the lead's states are each numbering's own (its least block first), but both real
    taus = {(s, d) for s, lab, d in lts.triples() if lab == TAU}
    for run_ in (by_codes.states, tuple(run)):
        assert run_[0] in entries and all(step in taus for step in itertools.pairwise(run_))


def test_reached_numbers_the_starts_first_then_breadth_first() -> None:
    graph = {"s": [("a", "t")], "t": [("τ", "u")], "u": [], "v": [("b", "s")]}
    lts, states = reached(["v", "s"], graph.__getitem__)
    assert states == ["v", "s", "t", "u"]
    assert sorted(lts.triples()) == [(0, "b", 1), (1, "a", 2), (2, "τ", 3)]
