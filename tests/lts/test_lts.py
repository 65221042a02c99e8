"""The LTS arrays: construction, deduplication, queries and networkx export."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import LTS, TAU, TAU_INDEX, TICK, TICK_INDEX


def test_build_puts_tau_and_tick_first_and_keeps_label_order() -> None:
    lts = LTS.build(2, 0, ["b", "a"], [(0, "a", 1)])
    assert lts.labels == (TAU, TICK, "b", "a")
    assert lts.label_index("a") == 3 and lts.label_index("zz") is None
    assert (TAU_INDEX, TICK_INDEX) == (0, 1)


def test_build_adds_unlisted_labels_and_accepts_label_indices() -> None:
    lts = LTS.build(3, 0, ["a"], [(0, "c", 1), (1, 2, 2), (2, TAU, 0)])
    assert lts.labels == (TAU, TICK, "a", "c")
    assert sorted(lts.triples()) == [(0, "c", 1), (1, "a", 2), (2, TAU, 0)]


def test_build_removes_duplicate_triples_and_sorts_by_source() -> None:
    lts = LTS.build(3, 0, ["a", "b"],
                    [(2, "a", 0), (0, "b", 1), (0, "a", 2), (0, "b", 1), (1, "a", 1)])
    assert lts.num_transitions == 4
    assert lts.src.tolist() == [0, 0, 1, 2]
    assert lts.src.dtype == np.int32
    assert lts.successors(0) == [(2, 2), (3, 1)]
    assert lts.out_range(1) == range(2, 3)


def test_transition_arrays_are_read_only() -> None:
    lts = LTS.build(2, 0, ["a"], [(0, "a", 1)])
    with pytest.raises(ValueError):
        lts.dst[0] = 0


def test_from_arrays_deduplicates_in_any_order() -> None:
    lts = LTS.from_arrays(3, 1, [TAU, TICK, "x"], [2, 0, 2, 1], [2, 0, 2, 1], [1, 2, 1, 0])
    assert sorted(lts.triples()) == [(0, TAU, 2), (1, TICK, 0), (2, "x", 1)]
    assert lts.initial == 1


def test_from_arrays_rejects_endpoints_outside_the_states() -> None:
    with pytest.raises(ValueError, match="outside"):
        LTS.from_arrays(2, 0, [TAU, TICK], [0], [0], [2])


def test_label_table_must_start_with_tau_and_tick() -> None:
    with pytest.raises(ValueError, match="τ and ✓"):
        LTS.from_arrays(1, 0, ["a"], [], [], [])


def test_a_stuck_state_is_a_deadlock_unless_entered_by_tick() -> None:
    # 0 -a-> 1 (stuck), 0 -✓-> 2 (terminated), 0 -b-> 3 -✓-> 2, 3 has a move
    lts = LTS.build(4, 0, ["a", "b"], [(0, "a", 1), (0, TICK, 2), (0, "b", 3), (3, TICK, 2)])
    assert lts.terminated().tolist() == [False, False, True, False]
    assert lts.deadlocks() == [1]
    assert lts.out_degree().tolist() == [3, 0, 0, 1]


def test_a_state_entered_by_tick_and_by_an_event_is_terminated() -> None:
    lts = LTS.build(3, 0, ["a"], [(0, "a", 2), (0, TICK, 2)])
    assert lts.deadlocks() == [1]  # 1 is unreachable but stuck; 2 is terminated


def test_to_networkx_keeps_labels_on_edges_and_initial_as_graph_attribute() -> None:
    lts = LTS.build(2, 1, ["a"], [(1, "a", 0), (1, TAU, 0), (0, TICK, 0)],
                    state_names=["Ω", "P"])
    graph = lts.to_networkx()
    assert graph.graph["initial"] == 1
    assert sorted((s, d, data["label"]) for s, d, data in graph.edges(data=True)) == [
        (0, 0, TICK), (1, 0, "a"), (1, 0, TAU)]
    assert graph.nodes[1]["name"] == "P"
    assert graph.number_of_nodes() == 2


@st.composite
def triples(draw: st.DrawFn) -> tuple[int, list[tuple[int, str, int]]]:
    n = draw(st.integers(1, 6))
    states = st.integers(0, n - 1)
    rows = draw(st.lists(st.tuples(states, st.sampled_from([TAU, TICK, "a", "b"]), states),
                         max_size=15))
    return n, rows


@settings(max_examples=100, deadline=None)
@given(triples())
def test_build_keeps_exactly_the_distinct_triples(case: tuple[int, list]) -> None:
    n, rows = case
    lts = LTS.build(n, 0, ["a", "b"], rows)
    assert sorted(lts.triples()) == sorted(set(rows))
    assert lts.src.tolist() == sorted(lts.src.tolist())
    graph = lts.to_networkx()
    assert sorted((s, data["label"], d) for s, d, data in graph.edges(data=True)) == sorted(
        set(rows))
    stuck = {s for s in range(n) if not any(r[0] == s for r in rows)}
    ticked = {d for _, lab, d in rows if lab == TICK}
    assert lts.deadlocks() == sorted(stuck - ticked)
    assert sum(len(lts.successors(s)) for s in range(n)) == len(set(rows))


def test_reachable_follows_transitions_from_the_initial_state_only() -> None:
    lts = LTS.build(5, 1, ["a"], [(0, "a", 1), (1, TAU, 2), (2, "a", 1), (2, TICK, 3), (4, "a", 4)])
    assert lts.reachable().tolist() == [False, True, True, True, False]


def test_reachable_follows_long_chains_and_ignores_unreached_parts() -> None:
    n = 500
    triples = [(i, "a", i + 1) for i in range(n - 1)] + [(n + 1, "a", 0), (n, "a", n)]
    lts = LTS.build(n + 2, 0, ["a"], triples)
    mask = lts.reachable()
    assert mask[:n].all() and not mask[n] and not mask[n + 1]


def test_an_lts_found_by_search_reports_every_state_reachable_until_replaced() -> None:
    import dataclasses

    lts = LTS.build(3, 0, ["a"], [(0, "a", 1), (2, "a", 0)])
    assert lts.reachable().tolist() == [True, True, False]
    marked = LTS.build(2, 0, ["a"], [(0, "a", 1)]).found_by_search()
    assert marked.reachable().all()
    # replace may drop transitions, so it must walk again
    cut = dataclasses.replace(marked, src=marked.src[:0], label=marked.label[:0],
                              dst=marked.dst[:0])
    assert cut.reachable().tolist() == [True, False]
