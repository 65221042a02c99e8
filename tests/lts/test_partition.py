"""Strong, weak and branching bisimulation: hand cases and a naive reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.errors import ProcalgError
from procalg.lts import LTS
from procalg.lts.partition import (
    Bisimulation,
    bfs_renumber,
    disjoint_union,
    minimize,
    partition,
)
from procalg.lts.saturation import saturate

KINDS = list(Bisimulation)


@st.composite
def random_lts(draw, max_states: int = 6) -> LTS:
    n = draw(st.integers(1, max_states))
    state = st.integers(0, n - 1)
    label = st.sampled_from(["τ", "τ", "a", "b", "✓"])
    triples = draw(st.lists(st.tuples(state, label, state), max_size=3 * n))
    return LTS.build(n, draw(state), ["a", "b"], triples)


# --- a naive greatest-fixpoint reference, O(n^2 · m) per round -------------

def _tau_star(lts: LTS) -> list[set[int]]:
    reach = [{s} for s in range(lts.num_states)]
    changed = True
    while changed:
        changed = False
        for s, lab, d in lts.triples():
            if lab == "τ":
                for r in reach:
                    if s in r and d not in r:
                        r.add(d)
                        changed = True
    return reach


def _naive(lts: LTS, kind: str) -> set[tuple[int, int]]:
    n = lts.num_states
    steps = list(lts.triples())
    star = _tau_star(lts)

    def weak_after(q: int, lab: str) -> set[int]:
        if lab == "τ":
            return set(star[q])
        mids = {v for u in star[q] for s, x, v in steps if s == u and x == lab}
        return {w for v in mids for w in star[v]}

    rel = {(p, q) for p in range(n) for q in range(n)}

    def matched(p: int, q: int) -> bool:
        for s, lab, p2 in steps:
            if s != p:
                continue
            if kind is Bisimulation.STRONG:
                ok = any((p2, q2) in rel for s2, x, q2 in steps if s2 == q and x == lab)
            elif kind is Bisimulation.WEAK:
                ok = any((p2, q2) in rel for q2 in weak_after(q, lab))
            else:
                ok = (lab == "τ" and (p2, q) in rel) or any(
                    (p, q1) in rel and (p2, q2) in rel
                    for q1 in star[q] for s2, x, q2 in steps if s2 == q1 and x == lab)
            if not ok:
                return False
        return True

    changed = True
    while changed:
        changed = False
        for p, q in list(rel):
            if (p, q) in rel and not (matched(p, q) and matched(q, p)):
                rel.discard((p, q))
                rel.discard((q, p))
                changed = True
    return rel


def _same_block_pairs(blocks: np.ndarray) -> set[tuple[int, int]]:
    b = blocks.tolist()
    return {(p, q) for p in range(len(b)) for q in range(len(b)) if b[p] == b[q]}


def _equivalent(left: LTS, right: LTS, kind: Bisimulation) -> bool:
    union, off = disjoint_union(left, right)
    blocks = partition(union, kind)
    return bool(blocks[left.initial] == blocks[right.initial + off])


# --- hand cases -------------------------------------------------------------

TAU_A = LTS.build(3, 0, ["a"], [(0, "τ", 1), (1, "a", 2)])
A = LTS.build(2, 0, ["a"], [(0, "a", 1)])
# van Glabbeek & Weijland: a.(τ.b + c) + a.b  versus  a.(τ.b + c)  (Milner's third τ-law)
VGW_LEFT = LTS.build(6, 0, ["a", "b", "c"], [
    (0, "a", 1), (1, "τ", 2), (2, "b", 3), (1, "c", 3), (0, "a", 4), (4, "b", 5)])
VGW_RIGHT = LTS.build(4, 0, ["a", "b", "c"], [(0, "a", 1), (1, "τ", 2), (2, "b", 3), (1, "c", 3)])


def test_tau_prefix_is_weakly_but_not_strongly_equal_to_the_plain_prefix():
    assert _equivalent(TAU_A, A, Bisimulation.WEAK)
    assert _equivalent(TAU_A, A, Bisimulation.BRANCHING)
    assert not _equivalent(TAU_A, A, Bisimulation.STRONG)


def test_third_tau_law_holds_weakly_but_not_for_branching_bisimulation():
    assert _equivalent(VGW_LEFT, VGW_RIGHT, Bisimulation.WEAK)
    assert not _equivalent(VGW_LEFT, VGW_RIGHT, Bisimulation.BRANCHING)
    assert not _equivalent(VGW_LEFT, VGW_RIGHT, Bisimulation.STRONG)


def test_a_then_choice_differs_from_choice_after_a_strongly():
    early = LTS.build(5, 0, ["a", "b", "c"], [(0, "a", 1), (0, "a", 2), (1, "b", 3), (2, "c", 4)])
    late = LTS.build(4, 0, ["a", "b", "c"], [(0, "a", 1), (1, "b", 2), (1, "c", 3)])
    for kind in KINDS:
        assert not _equivalent(early, late, kind)


def test_tick_is_a_visible_label_distinct_from_deadlock():
    skip = LTS.build(2, 0, [], [(0, "✓", 1)])
    stop = LTS.build(1, 0, [], [])
    tau_skip = LTS.build(3, 0, [], [(0, "τ", 1), (1, "✓", 2)])
    assert not _equivalent(skip, stop, Bisimulation.WEAK)
    assert _equivalent(skip, tau_skip, Bisimulation.BRANCHING)


def test_minimised_sizes_of_small_hand_lts():
    # a cycle of four a-steps is one state; a τ-cycle collapses for weak and branching
    ring = LTS.build(4, 0, ["a"], [(i, "a", (i + 1) % 4) for i in range(4)])
    assert minimize(ring, Bisimulation.STRONG).num_states == 1
    assert minimize(ring, Bisimulation.STRONG).num_transitions == 1
    spin = LTS.build(3, 0, ["a"], [(0, "τ", 1), (1, "τ", 0), (1, "a", 2)])
    assert minimize(spin, Bisimulation.STRONG).num_states == 3
    assert minimize(spin, Bisimulation.BRANCHING).num_states == 2
    assert minimize(spin, Bisimulation.WEAK).num_transitions == 1  # the τ-self-loop is dropped
    # d.VGW_LEFT + e.VGW_RIGHT: weak merges the two roots, branching cannot.
    # Weak classes {0} {L0,R0} {L1,R1} {L2,L4,R2} {L3,L5,R3}; branching splits L0 from R0.
    both = LTS.build(11, 0, ["d", "e"], [(0, "d", 1), (0, "e", 7)] + [
        (s + 1, lab, d + 1) for s, lab, d in VGW_LEFT.triples()] + [
        (s + 7, lab, d + 7) for s, lab, d in VGW_RIGHT.triples()])
    assert minimize(both, Bisimulation.WEAK).num_states == 5
    assert minimize(both, Bisimulation.BRANCHING).num_states == 6
    assert minimize(both, Bisimulation.STRONG).num_states == 6


def test_quotient_starts_in_the_initial_block_and_drops_unreachable_states():
    lts = LTS.build(4, 2, ["a"], [(2, "a", 3), (0, "a", 1)])
    q = LTS.minimize(lts, Bisimulation.STRONG)
    assert (q.num_states, q.initial, list(q.triples())) == (2, 0, [(0, "a", 1)])


def test_hidden_labels_count_as_tau():
    hidden = LTS.build(3, 0, ["h", "a"], [(0, "h", 1), (1, "a", 2)], hidden=["h"])
    assert _equivalent(hidden, A, Bisimulation.WEAK)


def test_a_bisimulation_is_parsed_from_its_name_in_any_case():
    assert [Bisimulation.parse(t) for t in ("Strong", " weak", "BRANCHING")] == KINDS


def test_an_unknown_bisimulation_name_is_a_procalg_error_with_a_hint():
    with pytest.raises(ProcalgError) as err:
        Bisimulation.parse("trace")
    assert "strong" in (err.value.hint or "")


def test_saturation_contains_reflexive_tau_and_tau_star_a_tau_star():
    sat = saturate(LTS.build(4, 0, ["a"], [(0, "τ", 1), (1, "a", 2), (2, "τ", 3)]))
    triples = set(sat.triples())
    assert {(0, "τ", 0), (0, "τ", 1), (0, "a", 2), (0, "a", 3), (3, "τ", 3)} <= triples
    assert (2, "a", 3) not in triples


def test_bfs_renumbering_puts_the_initial_state_first():
    lts = bfs_renumber(LTS.build(3, 2, ["a", "b"], [(2, "a", 1), (1, "b", 0)]))
    assert list(lts.triples()) == [(0, "a", 1), (1, "b", 2)]


# --- properties -------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=120, deadline=None)
@given(lts=random_lts())
def test_fast_partition_equals_the_naive_greatest_fixpoint(kind, lts):
    assert _same_block_pairs(partition(lts, kind)) == _naive(lts, kind)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=80, deadline=None)
@given(lts=random_lts(8))
def test_minimisation_is_idempotent_and_preserves_equivalence(kind, lts):
    once = minimize(lts, kind)
    twice = minimize(once, kind)
    assert (twice.num_states, twice.num_transitions) == (once.num_states, once.num_transitions)
    assert _equivalent(lts, once, kind)
    assert once.initial == 0


@settings(max_examples=80, deadline=None)
@given(lts=random_lts(8))
def test_strong_refines_branching_refines_weak(lts):
    strong, weak, branching = (_same_block_pairs(partition(lts, k)) for k in KINDS)
    assert strong <= branching <= weak


def test_every_bisimulation_is_also_an_equivalence_with_the_same_value():
    from procalg.assertion_kinds import Equivalence

    for kind in Bisimulation:
        assert Equivalence.parse(kind.value).value == kind.value
        assert partition(A, kind).tolist() == [0, 1]


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 40).flatmap(lambda n: st.tuples(
    st.just(n), st.integers(0, n - 1),
    st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(["τ", "a", "b"]),
                       st.integers(0, n - 1)), max_size=80))), st.sampled_from([0, 1, 2, 32]),
       st.sampled_from([0, 1 << 16]))
def test_bfs_renumber_numbers_states_in_the_order_a_fifo_queue_finds_them(case, small,
                                                                         listed) -> None:
    # small: the widest level stepped in Python (0: every level on arrays; mixed otherwise);
    # listed: the most transitions read as lists there (0: array slices per state)
    from collections import deque

    from procalg.lts import partition as module

    n, initial, triples = case
    lts = LTS.build(n, initial, ["a", "b"], triples)
    number, queue = {initial: 0}, deque([initial])
    while queue:  # the textbook search, one state at a time
        for _, d in lts.successors(queue.popleft()):
            if d not in number:
                number[d] = len(number)
                queue.append(d)
    expected = sorted((number[s], lab, number[d]) for s, lab, d in lts.triples() if s in number)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(module, "SMALL_LEVEL", small)
        m.setattr(module, "LISTED", listed)
        renumbered = bfs_renumber(lts)
    assert renumbered.num_states == len(number)
    assert sorted(renumbered.triples()) == expected
