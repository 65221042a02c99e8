"""Strongly connected components: forward–backward and Tarjan against networkx."""

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.ltl_scc import components


@st.composite
def graphs(draw):
    n = draw(st.integers(1, 30))
    edges = sorted(draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
                                 max_size=70)))
    return n, edges


def _csr(n, edges):
    src = np.array([a for a, _ in edges], dtype=np.int64)
    dst = np.array([b for _, b in edges], dtype=np.int64)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=offsets[1:])
    return offsets, dst


@settings(max_examples=200)
@given(graphs(), st.sampled_from([0, 1, 4, 10**6]))
def test_every_split_threshold_finds_the_nontrivial_components_networkx_finds(graph, small):
    n, edges = graph
    g = nx.DiGraph(edges)
    g.add_nodes_from(range(n))
    loops = {a for a, b in edges if a == b}
    want = sorted(sorted(c) for c in nx.strongly_connected_components(g)
                  if len(c) > 1 or c & loops)
    got = sorted(sorted(c.tolist()) for c in components(n, *_csr(n, edges), small=small))
    assert got == want


def test_a_path_of_a_hundred_thousand_nodes_hits_no_recursion_limit():
    n = 100_000
    edges = [(i, i + 1) for i in range(n - 1)] + [(n - 1, 0)]
    (comp,) = components(n, *_csr(n, edges), small=10**6)
    assert len(comp) == n
