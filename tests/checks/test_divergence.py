"""``:[divergence free]``: the least shortest path to a state that can do τ for ever,
then the shortest τ-lasso from there (the reference engine; the engines against each
other: ``test_divergence_engines.py``)."""

from collections.abc import Iterable

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.divergence import check_divergence
from procalg.errors import LimitExceeded
from procalg.lts import LTS, TAU, TICK, explore


def test_a_tau_self_loop_diverges() -> None:
    # P = a -> (μX. τ -> X): after a, internal activity forever
    result = check_divergence(LTS.build(2, 0, ["a"], [(0, "a", 1), (1, TAU, 1)]))
    assert not result.passed
    assert result.counterexample.trace == ("a",)
    assert result.counterexample.cycle == (TAU,)
    assert result.counterexample.states == (0, 1)


def test_a_cycle_of_visible_events_does_not_diverge() -> None:
    lts = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2), (2, "a", 0)])
    result = check_divergence(lts)
    assert result.passed and result.counterexample is None
    assert (result.stats.states, result.stats.transitions) == (3, 3)


def test_tau_steps_without_a_cycle_do_not_diverge() -> None:
    # (a -> b -> P) \ {b} unrolled: a, τ, a, τ ... a visible step in every cycle
    lts = LTS.build(4, 0, ["a"], [(0, TAU, 1), (1, TAU, 2), (0, TAU, 2), (2, "a", 3),
                                  (3, TAU, 0)])
    assert check_divergence(lts).passed


def test_a_hidden_loop_diverges_with_the_cycle_through_its_entry() -> None:
    # (μX. a -> X) \ {a} after b: b, then τ-cycle 1 -> 2 -> 3 -> 1 with exit 2 -c-> 4
    lts = LTS.build(5, 0, "bc", [(0, "b", 1), (1, TAU, 2), (2, TAU, 3), (3, TAU, 1),
                                 (2, "c", 4)])
    cx = check_divergence(lts).counterexample
    assert cx.trace == ("b",) and cx.full_path == ("b",)
    assert cx.cycle == (TAU, TAU, TAU)
    assert cx.note.endswith("(0 τ-steps, then a τ-cycle of 3)")


def test_the_reported_cycle_is_the_shortest_through_the_nearest_cycle_state() -> None:
    # 1 (depth 1) can do τ for ever; τ-component {2, 3, 4, 5}: 2 has a 2-cycle
    # 2 -> 3 -> 2 and a longer one 2 -> 4 -> 5 -> 2; the cycle 8 <-> 9 is deeper.
    # 3, 4 and 5 each have their own exit, so minimising merges none of them
    lts = LTS.build(10, 0, "abc", [(0, "a", 1), (1, TAU, 2), (2, TAU, 4), (4, TAU, 5),
                                   (5, TAU, 2), (2, TAU, 3), (3, TAU, 2), (0, "c", 6),
                                   (6, "b", 7), (7, "b", 8), (8, TAU, 9), (9, TAU, 8),
                                   (3, "a", 0), (4, "b", 0), (5, "c", 0)])
    cx = check_divergence(lts).counterexample
    assert cx.trace == ("a",) and cx.full_path == ("a", TAU)
    assert cx.states == (0, 1, 2)
    assert cx.cycle == (TAU, TAU)
    assert cx.note.endswith("(1 τ-steps, then a τ-cycle of 2)")


def test_the_path_goes_to_the_nearest_state_that_can_diverge_not_the_nearest_cycle() -> None:
    # 0 -τ-> 1 -τ-> 2 -τ-> 2 (the initial state diverges) and 0 -a-> 3 -τ-> 3:
    # the empty trace, then (1, 2 and 3 are one state minimised) one τ-step to the
    # self-loop, shown from 0 to its least τ-successor there
    lts = LTS.build(4, 0, ["a"], [(0, TAU, 1), (1, TAU, 2), (2, TAU, 2), (0, "a", 3),
                                  (3, TAU, 3)])
    cx = check_divergence(lts).counterexample
    assert cx.trace == () and cx.full_path == (TAU,) and cx.cycle == (TAU,)
    assert cx.states == (0, 1)


def test_among_shortest_paths_the_least_by_label_names_is_reported() -> None:
    # b and a both lead in one step to a divergent state; a is the lesser name
    lts = LTS.build(3, 0, ["b", "a"], [(0, "b", 1), (0, "a", 2), (1, TAU, 1), (2, TAU, 2)])
    cx = check_divergence(lts).counterexample
    assert cx.trace == ("a",) and cx.states == (0, 2)


def test_an_infinite_system_needs_a_state_limit() -> None:
    class Spin:  # n -up-> n+1, and 5 -τ-> 5: a nearer state could diverge deeper down
        def initial_state(self) -> int:
            return 0

        def successors(self, n: int) -> Iterable[tuple[str, int]]:
            return [("up", n + 1), (TAU, n)] if n == 5 else [("up", n + 1)]

    with pytest.raises(LimitExceeded):
        check_divergence(Spin(), max_states=50)


def test_a_tau_cycle_hidden_behind_a_long_tau_chain_is_found_without_recursion() -> None:
    class Drain:  # 0 -τ-> 1 -τ-> ... -τ-> N-1 -τ-> N-2 (a 2-cycle at the far end),
        # N-1 -b-> N-1: each state's τ-distance to b differs, so minimising merges none
        def __init__(self, n: int) -> None:
            self.n = n

        def initial_state(self) -> int:
            return 0

        def successors(self, k: int) -> Iterable[tuple[str, int]]:
            return [(TAU, k + 1 if k + 1 < self.n else k - 1),
                    *([("b", k)] if k == self.n - 1 else [])]

    cx = check_divergence(Drain(100_000)).counterexample
    assert cx.trace == () and len(cx.full_path) == 100_000 - 2
    assert cx.cycle == (TAU, TAU)


def test_termination_is_not_divergence() -> None:
    assert check_divergence(LTS.build(2, 0, [], [(0, TICK, 1), (1, TICK, 1)])).passed


@st.composite
def random_lts(draw: st.DrawFn) -> LTS:
    n = draw(st.integers(1, 8))
    states = st.integers(0, n - 1)
    rows = draw(st.lists(st.tuples(states, st.sampled_from([TAU, TAU, TICK, "a"]), states),
                         max_size=2 * n + 2))
    return LTS.build(n, 0, ["a"], rows)


def tau_graph(lts: LTS) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(range(lts.num_states))
    graph.add_edges_from((s, d) for s, lab, d in lts.triples() if lab == TAU)
    return graph


@settings(max_examples=200, deadline=None)
@given(random_lts())
def test_divergence_agrees_with_networkx_cycles_on_the_tau_subgraph(lts: LTS) -> None:
    explored = explore(lts)
    graph = tau_graph(explored)
    has_cycle = not nx.is_directed_acyclic_graph(graph)
    result = check_divergence(lts)
    assert result.passed == (not has_cycle)
    if result.passed:
        return
    cx = result.counterexample
    original = tau_graph(lts)
    entry = cx.states[-1]  # on a τ-cycle minimised: it can reach one (maybe one τ on)
    cyclic = {x for c in nx.strongly_connected_components(original) if len(c) > 1 for x in c}
    cyclic |= {x for x in original if original.has_edge(x, x)}
    assert ({entry} | nx.descendants(original, entry)) & cyclic
    transitions = set(lts.triples())
    path = cx.full_path
    assert all((cx.states[i], path[i], cx.states[i + 1]) in transitions for i in range(len(path)))
    assert len(cx.cycle) >= 1 and set(cx.cycle) == {TAU}
