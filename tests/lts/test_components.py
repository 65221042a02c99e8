"""strong_components against networkx's, on random graphs."""

import networkx as nx
from hypothesis import given
from hypothesis import strategies as st

from procalg.lts.components import strong_components


@st.composite
def graphs(draw: st.DrawFn) -> list[list[int]]:
    n = draw(st.integers(1, 12))
    return [draw(st.lists(st.integers(0, n - 1), max_size=4)) for _ in range(n)]


@given(graphs())
def test_two_nodes_share_a_component_exactly_when_networkx_puts_them_in_one(
        succ: list[list[int]]) -> None:
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(succ)))
    graph.add_edges_from((v, w) for v, out in enumerate(succ) for w in out)
    comp = strong_components(succ)
    expected = {frozenset(c) for c in nx.strongly_connected_components(graph)}
    found: dict[int, set[int]] = {}
    for v, c in enumerate(comp):
        found.setdefault(c, set()).add(v)
    assert {frozenset(c) for c in found.values()} == expected
    assert sorted(found) == list(range(len(found)))  # numbered 0 … k-1


@given(graphs())
def test_every_edge_between_components_goes_to_a_lower_number(succ: list[list[int]]) -> None:
    comp = strong_components(succ)
    assert all(comp[v] >= comp[w] for v, out in enumerate(succ) for w in out)


def test_a_chain_longer_than_the_recursion_limit_is_numbered_without_recursion() -> None:
    n = 50_000
    assert strong_components([[v + 1] for v in range(n - 1)] + [[]]) == list(range(n - 1, -1, -1))
