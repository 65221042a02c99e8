"""Diamond elimination on arbitrary LTSs (τ-cycles, τ-diamonds, ✓ beside other moves):
the array formulation keeps failures-divergences semantics and removes covered targets."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.assertion_kinds import RefinementModel
from procalg.checks.refinement import check_refinement
from procalg.lts.compressions import diamond_lts
from procalg.lts.lts import LTS

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
