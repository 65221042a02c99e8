"""Paige–Tarjan strong bisimulation: a naive reference, the signature engine, hand cases."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import procalg.lts.paige_tarjan as pt
import procalg.lts.signature_rounds as sr
from procalg.errors import ProcalgError
from procalg.lts import LTS
from procalg.lts.paige_tarjan import coarsest_partition, strong_partition
from procalg.lts.partition import Bisimulation, PartitionEngine, disjoint_union, minimize, partition

MODELS = Path(__file__).resolve().parents[2] / "models"
ROUNDS = [0, 1, pt.ROUNDS]  # pure Paige–Tarjan, one numpy round first, the default


@st.composite
def random_lts(draw, max_states: int = 8) -> LTS:
    """Any initial state (so some states are unreachable), self-loops, τ and ✓."""
    n = draw(st.integers(1, max_states))
    state = st.integers(0, n - 1)
    label = st.sampled_from(["τ", "✓", "a", "a", "b", "h"])
    triples = draw(st.lists(st.tuples(state, label, state), max_size=4 * n))
    hidden = draw(st.sampled_from([(), ("h",)]))
    return LTS.build(n, draw(state), ["a", "b", "h"], triples, hidden=hidden)


# --- a naive greatest-fixpoint reference -------------------------------------

def _naive(n: int, triples: list[tuple[int, object, int]],
           initial: list[int] | None = None) -> set[tuple[int, int]]:
    """The largest strong bisimulation inside ``initial``'s blocks, by deleting bad pairs."""
    start = initial or [0] * n
    rel = {(p, q) for p in range(n) for q in range(n) if start[p] == start[q]}
    out: dict[int, list[tuple[object, int]]] = {s: [] for s in range(n)}
    for s, a, d in triples:
        out[s].append((a, d))

    def simulated(p: int, q: int) -> bool:
        return all(any(b == a and (p2, q2) in rel for b, q2 in out[q]) for a, p2 in out[p])

    changed = True
    while changed:
        changed = False
        for p, q in sorted(rel):
            if (p, q) in rel and not (simulated(p, q) and simulated(q, p)):
                rel -= {(p, q), (q, p)}
                changed = True
    return rel


def _pairs(blocks: np.ndarray) -> set[tuple[int, int]]:
    b = blocks.tolist()
    return {(p, q) for p in range(len(b)) for q in range(len(b)) if b[p] == b[q]}


def _effective_triples(lts: LTS) -> list[tuple[int, str, int]]:
    return [(s, "τ" if a in lts.hidden else a, d) for s, a, d in lts.triples()]


def _by_signature(lts: LTS) -> np.ndarray:
    return partition(lts, Bisimulation.STRONG, engine=PartitionEngine.SIGNATURE)


def _first_occurrence(blocks: np.ndarray) -> list[int]:
    names: dict[int, int] = {}
    return [names.setdefault(b, len(names)) for b in blocks.tolist()]


# --- properties ---------------------------------------------------------------

@pytest.mark.parametrize("rounds", ROUNDS)
@settings(max_examples=150, deadline=None)
@given(lts=random_lts())
def test_partition_equals_the_naive_greatest_fixpoint(rounds, lts):
    naive = _naive(lts.num_states, _effective_triples(lts))
    assert _pairs(strong_partition(lts, rounds=rounds)) == naive


@pytest.mark.parametrize("rounds", ROUNDS)
@settings(max_examples=150, deadline=None)
@given(lts=random_lts(12))
def test_partition_equals_the_signature_engine_block_for_block(rounds, lts):
    ours = strong_partition(lts, rounds=rounds)
    theirs = _by_signature(lts)
    assert ours.tolist() == _first_occurrence(theirs)  # same blocks, canonical numbering


@pytest.mark.parametrize("rounds", [0, 2])
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_an_initial_partition_is_refined_to_the_largest_bisimulation_inside_it(rounds, data):
    lts = data.draw(random_lts())
    n = lts.num_states
    initial = data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    blocks = coarsest_partition(n, lts.src, lts.label, lts.dst, initial, rounds=rounds)
    assert _pairs(blocks) == _naive(n, list(lts.triples()), initial)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(50, 400), labels=st.integers(1, 3))
def test_large_random_systems_agree_with_the_signature_engine(seed, n, labels):
    # long runs of Paige–Tarjan steps: counters are emptied, freed and reused many times
    rng = np.random.default_rng(seed)
    m = int(rng.integers(n, 3 * n))
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    lab = rng.integers(0, labels + 2, m)
    lts = LTS.from_arrays(n, 0, ["τ", "✓", "a", "b", "c"], src, lab, dst)
    theirs = _first_occurrence(_by_signature(lts))
    assert strong_partition(lts, rounds=0).tolist() == theirs
    assert strong_partition(lts).tolist() == theirs


@settings(max_examples=60, deadline=None)
@given(lts=random_lts())
def test_hash_collisions_in_the_numpy_rounds_cost_time_not_correctness(lts):
    with pytest.MonkeyPatch.context() as patch:
        # every signature of the same size now collides; exact comparison must notice
        patch.setattr(sr, "_mix", lambda codes: np.zeros(len(codes), dtype=np.uint64))
        blocks = strong_partition(lts, rounds=3)
    assert _pairs(blocks) == _naive(lts.num_states, _effective_triples(lts))


@settings(max_examples=60, deadline=None)
@given(lts=random_lts())
def test_sorting_without_packed_keys_gives_the_same_partition(lts):
    expected = strong_partition(lts, rounds=2).tolist()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sr, "_pack", lambda cols, sizes: None)  # as if states * labels overflowed
        assert strong_partition(lts, rounds=2).tolist() == expected
        assert strong_partition(lts, rounds=0).tolist() == expected


# --- hand cases ---------------------------------------------------------------

@pytest.mark.parametrize("rounds", ROUNDS)
def test_a_chain_has_one_block_per_state(rounds):
    n = 200
    blocks = coarsest_partition(n, range(n - 1), [2] * (n - 1), range(1, n), rounds=rounds)
    assert blocks.tolist() == list(range(n))


@pytest.mark.parametrize("rounds", ROUNDS)
def test_a_cycle_of_identical_states_collapses_to_one_block_but_its_tail_does_not(rounds):
    # 0..9 an a-cycle; 10 -a-> 11 -a-> 0 also loops forever; 12 -a-> 13 stops
    triples = [(s, 2, (s + 1) % 10) for s in range(10)] + [(10, 2, 11), (11, 2, 0), (12, 2, 13)]
    src, lab, dst = zip(*triples, strict=True)
    blocks = coarsest_partition(14, src, lab, dst, rounds=rounds).tolist()
    assert blocks == [0] * 12 + [1, 2]


def _equivalent(left: LTS, right: LTS) -> bool:
    union, off = disjoint_union(left, right)
    blocks = strong_partition(union, rounds=0)
    return bool(blocks[left.initial] == blocks[right.initial + off])


def test_a_b_plus_a_c_is_not_a_then_b_or_c():
    early = LTS.build(5, 0, ["a", "b", "c"], [(0, "a", 1), (1, "b", 2), (0, "a", 3), (3, "c", 4)])
    late = LTS.build(4, 0, ["a", "b", "c"], [(0, "a", 1), (1, "b", 2), (1, "c", 3)])
    assert not _equivalent(early, late)
    assert not _equivalent(late, early)


def test_a_duplicated_branch_is_bisimilar_to_one_branch():
    twice = LTS.build(5, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2), (0, "a", 3), (3, "b", 4)])
    once = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2)])
    assert _equivalent(twice, once)


def test_an_a_step_into_both_halves_of_a_split_block_is_told_apart_from_one_half():
    # 0 -a-> {2, 3}, 1 -a-> {2} only: once 2 (b) and 3 (c) split, so must 0 and 1
    lts = LTS.build(6, 0, ["a", "b", "c"], [
        (0, "a", 2), (0, "a", 3), (1, "a", 2), (2, "b", 4), (3, "c", 5)])
    # 4 and 5 are both stuck; everything else differs
    assert strong_partition(lts, rounds=0).tolist() == [0, 1, 2, 3, 4, 4]


def test_tau_tick_and_visible_labels_are_all_different_but_hidden_labels_are_tau():
    lts = LTS.build(7, 0, ["a", "h"], [(0, "τ", 1), (2, "✓", 3), (4, "a", 5), (6, "h", 1)],
                    hidden=["h"])
    blocks = strong_partition(lts, rounds=0).tolist()
    assert blocks[0] == blocks[6]
    assert len({blocks[0], blocks[2], blocks[4], blocks[1]}) == 4


def test_duplicate_transitions_and_an_empty_system_are_harmless():
    assert coarsest_partition(2, [0, 0, 0], [3, 3, 3], [1, 1, 1], rounds=0).tolist() == [0, 1]
    assert coarsest_partition(0, [], [], []).tolist() == []


def test_a_wrong_sized_initial_partition_or_an_outside_state_is_refused():
    with pytest.raises(ValueError):
        coarsest_partition(3, [], [], [], initial=[0, 1])
    with pytest.raises(ValueError):
        coarsest_partition(2, [0], [2], [2])


@pytest.mark.parametrize("rounds", ROUNDS)
def test_the_dining_philosophers_agree_with_the_signature_engine(rounds):
    from procalg.api import load

    lts = load(MODELS / "dining_philosophers.proc").lts("System")
    theirs = _first_occurrence(_by_signature(lts))
    assert strong_partition(lts, rounds=rounds).tolist() == theirs


def test_paige_tarjan_steps_stay_within_the_smaller_half_bound(monkeypatch):
    # every state is in a chosen B at most log2(n) + 1 times: count them on a chain
    seen: list[int] = []
    take = pt._Refiner._take_smaller

    def counting(self, x):
        b = take(self, x)
        seen.append(self.end[b] - self.first[b])
        return b

    monkeypatch.setattr(pt._Refiner, "_take_smaller", counting)
    n = 1024
    coarsest_partition(n, range(n - 1), [2] * (n - 1), range(1, n), rounds=0)
    assert len(seen) == n - 1  # one step per new block
    assert sum(seen) <= n * (math.log2(n) + 1)


# --- the hook in procalg.lts.partition ----------------------------------------

def test_strong_partition_and_minimize_default_to_paige_tarjan(monkeypatch):
    calls: list[int] = []
    real = pt.coarsest_partition

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pt, "coarsest_partition", spy)
    lts = LTS.build(3, 0, ["a"], [(0, "a", 1), (2, "a", 1)])
    assert partition(lts, Bisimulation.STRONG).tolist() == [0, 1, 0]
    assert minimize(lts, Bisimulation.STRONG).num_states == 2
    assert len(calls) == 2
    _by_signature(lts)
    partition(lts, Bisimulation.WEAK)
    assert len(calls) == 2


def test_unknown_engines_and_paige_tarjan_for_weak_are_procalg_errors():
    lts = LTS.build(1, 0, [], [])
    assert PartitionEngine.parse("Paige-Tarjan") is PartitionEngine.PAIGE_TARJAN
    with pytest.raises(ProcalgError) as err:
        PartitionEngine.parse("fast")
    assert "signature" in (err.value.hint or "")
    with pytest.raises(ProcalgError):
        partition(lts, Bisimulation.WEAK, engine=PartitionEngine.PAIGE_TARJAN)
