"""Diamond elimination and ``dbisim`` on arbitrary LTSs (τ-cycles, τ-diamonds, ✓ beside
other moves): both keep failures-divergences semantics; diamond removes covered
targets, ``dbisim`` never merges a divergent state with a non-divergent one."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.assertion_kinds import Equivalence, RefinementModel
from procalg.checks.equivalence import check_equivalence
from procalg.checks.refinement import check_refinement
from procalg.lts.compressions import dbisim_lts, diamond_lts, divergent_states
from procalg.lts.lts import LTS
from procalg.lts.partition import Bisimulation, minimize
from procalg.lts.tau import tau_successors

MOVES = ["τ", "τ", "a", "b", "c"]


@st.composite
def raw_lts(draw) -> LTS:
    """A random LTS; ✓ always leads to a final state without moves (as a process's)."""
    n = draw(st.integers(1, 9))
    final = n
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(MOVES),
                                    st.integers(0, n - 1)), max_size=3 * n))
    ticks = draw(st.lists(st.integers(0, n - 1), max_size=2))
    return LTS.build(n + 1, 0, ["a", "b", "c"], edges + [(s, "✓", final) for s in ticks])


@settings(max_examples=300, deadline=None)
@given(raw_lts())
def test_diamond_of_any_lts_is_failures_divergences_equivalent_to_it(lts) -> None:
    reduced = _ticks_end(diamond_lts(lts))
    fd = RefinementModel.FAILURES_DIVERGENCES
    assert check_refinement(lts, reduced, fd).passed
    assert check_refinement(reduced, lts, fd).passed


def _ticks_end(lts: LTS) -> LTS:
    """The diamond encodes ✓ as a self-loop taken once (as the compressed term reads it);
    for the checkers, ✓ leads to a final state instead."""
    final = lts.num_states
    rows = [(s, lab, final if lab == "✓" else d) for s, lab, d in lts.triples()]
    return LTS.build(final + 1, lts.initial, ["a", "b", "c"], rows)


@settings(max_examples=200, deadline=None)
@given(raw_lts())
def test_diamond_of_any_lts_has_tau_only_to_stable_acceptance_states_or_divergence(lts) -> None:
    reduced = diamond_lts(lts)
    for src, label, dst in reduced.triples():
        if label == "τ" and src != dst:
            assert all(reduced.labels[lab] != "τ" for lab, _ in reduced.successors(dst))


def test_a_target_reachable_by_tau_from_another_target_is_dropped() -> None:
    # 0 -a-> 1, 0 -a-> 2 and 1 -τ-> 2: after a the node 1 covers 2 (its closure holds 2)
    lts = LTS.build(4, 0, ["a", "b"], [(0, "a", 1), (0, "a", 2), (1, "τ", 2),
                                       (1, "b", 3), (2, "b", 3)])
    reduced = diamond_lts(lts)
    assert [lab for _, lab, _ in reduced.triples() if lab == "a"] == ["a"]
    # node 1 stands for {1, 2}: its one stable member accepts its initials, so no τ
    assert sorted(lab for _, lab, _ in reduced.triples()) == ["a", "b"]


def test_a_tau_cycle_makes_its_node_divergent_and_a_tick_beside_a_move_needs_a_stable_state(
) -> None:
    lts = LTS.build(3, 0, ["a"], [(0, "τ", 0), (0, "a", 1), (1, "a", 1), (1, "✓", 2)])
    reduced = diamond_lts(lts)
    loops = [(s, lab) for s, lab, d in reduced.triples() if s == d]
    assert (0, "τ") in loops
    # state 1 offers a and ✓: its one minimal acceptance is {✓}, not its initials
    assert any(lab == "✓" for _, lab, _ in reduced.triples())
    assert sum(lab == "τ" for _, lab, _ in reduced.triples()) >= 3


@settings(max_examples=300, deadline=None)
@given(raw_lts())
def test_dbisim_of_any_lts_is_failures_divergences_equivalent_and_weakly_bisimilar(lts) -> None:
    reduced = dbisim_lts(lts)
    fd = RefinementModel.FAILURES_DIVERGENCES
    assert check_refinement(lts, reduced, fd).passed
    assert check_refinement(reduced, lts, fd).passed
    assert check_equivalence(lts, reduced, Equivalence.WEAK).passed
    assert reduced.num_states <= minimize(lts, Bisimulation.STRONG).num_states


@settings(max_examples=300, deadline=None)
@given(raw_lts())
def test_a_state_is_divergent_exactly_when_it_reaches_a_tau_cycle(lts) -> None:
    taus = tau_successors(lts)

    def reach(s: int) -> set[int]:
        seen, todo = set(), [s]
        while todo:
            for d in taus[todo.pop()]:
                if d not in seen:
                    seen.add(d)
                    todo.append(d)
        return seen  # strictly τ-reachable: s is in it only on a τ-cycle

    expected = [any(t in reach(t) for t in reach(s) | {s}) for s in range(lts.num_states)]
    assert divergent_states(lts).tolist() == expected


def test_dbisim_keeps_a_divergent_state_apart_from_a_weakly_bisimilar_stable_one() -> None:
    # after b: a τ-loop beside a; after c: a alone. Weak bisimulation merges the two
    lts = LTS.build(5, 0, ["a", "b", "c"], [(0, "b", 1), (0, "c", 3), (1, "τ", 1),
                                            (1, "a", 2), (3, "a", 4)])
    assert minimize(lts, Bisimulation.WEAK).num_states == 3
    reduced = dbisim_lts(lts)
    assert reduced.num_states == 4
    assert sum(lab == "τ" and s == d for s, lab, d in reduced.triples()) == 1


def test_dbisim_merges_the_states_a_hidden_step_only_separates() -> None:
    # τ -> a -> τ -> b -> STOP: sbisim keeps all 5 states, dbisim keeps a -> b -> STOP
    lts = LTS.build(5, 0, ["a", "b"], [(0, "τ", 1), (1, "a", 2), (2, "τ", 3), (3, "b", 4)])
    assert minimize(lts, Bisimulation.STRONG).num_states == 5
    assert sorted(dbisim_lts(lts).triples()) == [(0, "a", 1), (1, "b", 2)]


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 6), st.sets(st.integers(0, 200), max_size=30))
def test_diamond_rows_hold_each_moves_targets_as_the_binary_searches_found_them(n, keys):
    from procalg.lts.compressions import _rows

    moves = np.array(sorted(keys), dtype=np.int64)
    rows = _rows(moves, n)
    for k in range(201 // n + 1):  # the search the rows replace: moves in [k*n, k*n + n)
        row = moves[np.searchsorted(moves, k * n):np.searchsorted(moves, k * n + n)]
        assert rows.get(k, []) == (row - k * n).tolist()
