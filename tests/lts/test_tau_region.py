"""A τ-region's blocks from its own moves: when they answer, they are strong
bisimilarity's blocks restricted to the region (the whole graph partitioned
by Paige–Tarjan, and by the signature engine); when the region cannot tell
they say so; and the lasso then partitions only the region."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import LTS, TAU, TICK, tau_region
from procalg.lts import minimal_lasso as lasso_module
from procalg.lts.bisimulation import Bisimulation
from procalg.lts.minimal_lasso import codes_lasso, lasso_from, minimal_lasso, reached_codes
from procalg.lts.network import close, component
from procalg.lts.paige_tarjan import strong_partition
from procalg.lts.partition import PartitionEngine, partition
from procalg.lts.signature_rounds import first_occurrence
from procalg.lts.tau import is_divergent
from procalg.lts.tau_region import deeper_blocks, lts_region, region_blocks
from procalg.lts.vectors import Tables
from tests.lts.test_minimal_lasso import _cover


@st.composite
def visible_heavy_lts(draw: st.DrawFn) -> LTS:
    """A random LTS whose τ-regions often have moves out (a third of the moves τ)."""
    n = draw(st.integers(1, 9))
    states = st.integers(0, n - 1)
    rows = draw(st.lists(st.tuples(states, st.sampled_from([TAU, TICK, "a", "a", "b"]),
                                   states), max_size=3 * n + 2))
    return LTS.build(n + 1, 0, ["a", "b"], [(s, x, n if x == TICK else d) for s, x, d in rows])


def _same_partition(one: np.ndarray, two: np.ndarray) -> bool:
    return np.array_equal(first_occurrence(np.asarray(one)), first_occurrence(np.asarray(two)))


@settings(max_examples=400, deadline=None)
@given(visible_heavy_lts(), st.data())
def test_the_regions_answer_is_strong_bisimilarity_restricted_to_it(lts: LTS, data) -> None:
    flips = data.draw(st.lists(st.booleans(), max_size=4))
    if flips:  # a bisimilar double cover: a region's moves out reach distinct twins
        lts = _cover(lts, flips)
    starts = np.asarray(sorted(set(data.draw(st.lists(
        st.integers(0, lts.num_states - 1), min_size=1, max_size=3)))), np.int64)
    region, moves = lts_region(lts, starts)
    blocks = region_blocks(len(region), *moves)
    whole = np.asarray(strong_partition(lts))
    signature = np.asarray(partition(lts, Bisimulation.STRONG, engine=PartitionEngine.SIGNATURE))
    assert _same_partition(whole, signature)
    if blocks is not None:
        assert _same_partition(blocks, whole[region])
    deeper = deeper_blocks(lts, region, moves, share=1)  # however near the whole graph
    if deeper is not None:
        assert _same_partition(deeper, whole[region])
    if blocks is not None:  # what the region decides, looking around it decides alike
        assert deeper is not None


def _pair(second_target: int) -> LTS:
    """States 0 and 1 τ-cycle; each has an a-move out, to 2 and to ``second_target``."""
    return LTS.build(4, 0, ["a"], [(0, TAU, 1), (1, TAU, 0), (0, "a", 2),
                                   (1, "a", second_target), (2, "a", 2), (3, "a", 3)])


def test_a_tau_pair_moving_out_to_two_states_is_left_to_the_whole_partition() -> None:
    region, moves = lts_region(_pair(3), np.array([0]))
    assert region.tolist() == [0, 1]
    assert region_blocks(2, *moves) is None  # are 2 and 3 bisimilar? not R's to say
    assert minimal_lasso(_pair(3), [0]).loop == 1  # they are: one block, a τ self-loop


def test_a_tau_pair_moving_out_to_one_state_is_one_block() -> None:
    _, moves = lts_region(_pair(2), np.array([0]))
    assert region_blocks(2, *moves).tolist() == [0, 0]


def test_a_closed_region_answers_even_when_labels_alone_cannot() -> None:
    # 0 and 1 τ-cycle, both offer a; only 0's a-move comes back to the cycle,
    # so they differ, which the labels alone would miss; nothing leaves {0, 1, 2}
    lts = LTS.build(3, 0, ["a"], [(0, TAU, 1), (1, TAU, 0), (0, "a", 0), (1, "a", 2),
                                  (2, "a", 2)])
    region, moves = lts_region(lts, np.array([0, 2]))
    assert region.tolist() == [0, 1, 2]
    assert region_blocks(3, *moves).tolist() == [0, 1, 2]
    assert strong_partition(lts).tolist() == [0, 1, 2]


def _far_divergence() -> LTS:
    """A chain of 30 distinct visible steps (what a big search explores), then a
    τ-pair told apart by an extra event, whose moves lead back to the start."""
    rows = [(i, "a", i + 1) for i in range(30)]
    rows += [(30, TAU, 31), (31, TAU, 30), (31, "b", 0), (30, "a", 0)]
    return LTS.build(32, 0, ["a", "b"], rows)


def test_a_lasso_its_region_decides_partitions_nothing_else(monkeypatch) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("the whole reachable graph was partitioned")

    monkeypatch.setattr(lasso_module, "strong_partition", refused)
    lts = _far_divergence()
    assert minimal_lasso(lts, [30]) == lasso_module.Lasso(0, 2, (30,))
    tables = Tables(close(component(lts)))
    assert codes_lasso(tables, tables.layout.cast([30])).loop == 2
    names = lts.labels
    lasso, run = lasso_from([30], lambda s: [(names[a], d) for a, d in lts.successors(s)])
    assert (lasso.lead, lasso.loop, run) == (0, 2, [30])


def test_a_tau_pair_told_apart_two_moves_on_is_decided_near_the_region() -> None:
    # 0 and 1 τ-cycle, each with an a-move out; after it one offers b, the other c
    lts = LTS.build(7, 0, ["a", "b", "c"], [(0, TAU, 1), (1, TAU, 0), (0, "a", 2), (1, "a", 3),
                                            (2, "a", 4), (3, "a", 5), (4, "b", 6), (5, "c", 6)])
    region, moves = lts_region(lts, np.array([0]))
    assert region_blocks(2, *moves) is None
    assert deeper_blocks(lts, region, moves, share=1).tolist() == [0, 1]
    assert deeper_blocks(lts, region, moves, share=2) is None  # 5 of 7 states near: too many


@pytest.mark.parametrize("target", [2, 3])
def test_every_engine_falls_back_to_the_same_lasso(target: int) -> None:
    lts = _pair(target)
    tables = Tables(close(component(lts)))
    names = lts.labels
    by_moves, _ = lasso_from([0], lambda s: [(names[a], d) for a, d in lts.successors(s)])
    by_codes = codes_lasso(tables, tables.layout.cast([0]))
    assert (by_moves.lead, by_moves.loop) == (by_codes.lead, by_codes.loop) == (0, 1)


@settings(max_examples=200, deadline=None)
@given(visible_heavy_lts(), st.data())
def test_packed_codes_looking_around_the_region_give_the_lasso_of_moves(lts: LTS, data) -> None:
    lts = _cover(lts, data.draw(st.lists(st.booleans(), min_size=1, max_size=4)))  # twins
    divergent = np.flatnonzero(is_divergent(lts)).tolist()
    if not divergent:
        return
    entries = sorted(set(data.draw(st.lists(st.sampled_from(divergent), min_size=1, max_size=3))))
    tables = Tables(close(component(lts)))
    codes = tables.layout.cast(entries)
    known = reached_codes(tables, tables.layout.cast(range(lts.num_states)))[1]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tau_region, "SHARE", 1)  # however near the whole graph
        by_codes = codes_lasso(tables, codes, known)
    names = lts.labels
    by_moves, _ = lasso_from(entries, lambda s: [(names[a], d) for a, d in lts.successors(s)])
    assert (by_codes.lead, by_codes.loop) == (by_moves.lead, by_moves.loop)


def test_packed_codes_told_apart_near_the_region_build_no_whole_graph(monkeypatch) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("the whole reachable graph was built")

    lts = LTS.build(7, 0, ["a", "b", "c"], [(0, TAU, 1), (1, TAU, 0), (0, "a", 2), (1, "a", 3),
                                            (2, "a", 4), (3, "a", 5), (4, "b", 6), (5, "c", 6)])
    tables = Tables(close(component(lts)))
    known = reached_codes(tables, tables.layout.cast(range(7)))[1]
    monkeypatch.setattr(lasso_module, "reached_codes", refused)
    monkeypatch.setattr(tau_region, "SHARE", 1)
    assert codes_lasso(tables, tables.layout.cast([0]), known).loop == 2
