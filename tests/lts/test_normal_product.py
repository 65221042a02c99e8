"""Determinism with the normal form built in bulk, against the reference check.

The reference (:func:`procalg.checks.determinism.check_determinism`) runs on
the network's explicit product; the bulk build runs on the network's codes.
They must agree on the verdict, the trace and the clashing event (the
reference's order of failures is kept), and on divergence versus clash.
"""

from __future__ import annotations

from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.determinism import check_determinism, check_determinism_product
from procalg.errors import LimitExceeded
from procalg.lts import LTS, TAU, normal_product
from procalg.lts.code_sets import Pairs
from procalg.lts.network import close, component, hide, parallel
from procalg.lts.normal_product import find_nondeterminism, why_not
from procalg.lts.product import explore_product
from procalg.lts.visited import sorted_unique
from tests.lts.test_refine_product import networks


@settings(max_examples=300, deadline=None)
@given(networks(), st.booleans())
def test_bulk_determinism_gives_the_reference_verdict_trace_and_event(net, divergence):
    reference = check_determinism(explore_product(net), divergence=divergence)
    bulk = check_determinism_product(net, divergence=divergence)
    assert bulk.passed == reference.passed
    if not bulk.passed:
        ours, theirs = bulk.counterexample, reference.counterexample
        assert ours.trace == theirs.trace
        assert ours.refused == theirs.refused
        assert (ours.cycle is None) == (theirs.cycle is None)


def test_a_choice_between_two_a_moves_clashes_on_what_follows():
    choice = LTS.build(4, 0, ["a", "b"], [(0, "a", 1), (0, "a", 2), (2, "b", 3)])
    found = find_nondeterminism(close(component(choice)))
    assert (found.kind, found.trace, found.event) == ("clash", ("a",), "b")


def test_a_state_that_can_terminate_refuses_every_other_event():
    net = close(component(LTS.build(3, 0, ["a"], [(0, "a", 1), (0, "✓", 2)])))
    result = check_determinism_product(net)
    assert not result.passed and result.counterexample.refused == frozenset({"a"})
    assert "can terminate" in result.counterexample.note


def test_a_divergence_is_nondeterminism_only_in_the_failures_divergences_model():
    loop = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2), (2, "b", 1)])
    net = close(hide(component(loop), {"b"}))
    result = check_determinism_product(net)
    assert not result.passed
    assert result.counterexample.trace == ("a",) and result.counterexample.cycle == ("τ",)
    assert check_determinism_product(net, divergence=False).passed


def test_interleaved_cycles_are_deterministic_and_the_stats_name_the_screen_and_no_nodes():
    loop = LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "b", 0)])
    other = LTS.build(1, 0, ["c"], [(0, "c", 0)])
    net = close(parallel(component(loop), component(other), set()))
    assert why_not(net) is None
    result = check_determinism_product(net)
    assert result.passed
    extra = result.stats.extra
    assert extra["engine"] == "product" and extra["method"] == "screen"
    assert "normal_form_nodes" not in extra and result.stats.states == 2
    assert "answered by a screen of the states" in extra["notes"][-1]


def test_the_stats_count_the_normal_form_nodes_where_it_answered():
    after_tick = LTS.build(5, 0, ["a", "b"],
                           [(0, "a", 1), (1, "✓", 2), (0, "b", 3), (3, TAU, 4), (4, "a", 1)])
    with patch.object(normal_product, "SCREEN", False):  # (its τ is confluent: screened)
        result = check_determinism_product(close(component(after_tick)))
    extra = result.stats.extra
    assert result.passed and extra["method"] == "normal form"
    assert extra["normal_form_nodes"] == 3  # {0}, {1} after a, {3, 4} after b: not ✓'s 2
    # the states its nodes hold: ✓'s target is in none
    assert extra["notes"][-1] == "answered by the normal form: 3 nodes over 4 states"


class _Counter:
    def initial_state(self):
        return 0

    def successors(self, n):
        return [("a", (n + 1) % 3)]


class _Branching:
    """0 -a-> 1 or 2; n -b-> n + 2 below 40 (a lazy leaf that outgrows its first digits)."""

    def initial_state(self):
        return 0

    def successors(self, n):
        if n == 0:
            return [("a", 1), ("a", 2)]
        return [("b", n + 2)] if n < 40 else []


def test_a_lazy_component_runs_in_bulk_and_agrees_with_the_reference():
    from procalg.lts.lazy import LazyComponent

    counter = close(component(LazyComponent(_Counter(), ["a"])))
    assert why_not(counter) is None and check_determinism_product(counter).passed
    # the two a-branches run in step until one stops at 40 while the other offers b;
    # without divergences the build starts at once, and the leaf outgrows its digits
    # twice (4 -> 16 -> 64 local states): the build restarts on the wider codes
    lazy = close(component(LazyComponent(_Branching(), ["a", "b"])))
    found = find_nondeterminism(lazy, divergence=False)
    reference = check_determinism(explore_product(
        close(component(LazyComponent(_Branching(), ["a", "b"])))), divergence=False)
    assert found.kind == "clash" and found.trace == reference.counterexample.trace
    assert found.trace == ("a", *["b"] * 19) and found.event == "b"


def test_codes_wider_than_62_bits_are_named_as_the_reason_to_build_state_by_state():
    ring = LTS.build(7, 0, ["s"], [(k, "s", (k + 1) % 7) for k in range(7)])
    net = component(ring)
    for _ in range(31):
        net = parallel(net, component(ring), {"s"})
    reason = why_not(close(net))
    assert reason is not None and "96 bits" in reason


def test_pair_keys_sort_like_pairs_with_packed_bits_or_ranks():
    sets = np.array([1, 0, 1, 0, 1])
    codes = np.array([7, 9, 3, 2, 7])
    for bits in (4, 62):  # 62 + 2 bits do not fit: ranks
        pack = Pairs(bits, 2, codes)
        keys = sorted_unique(pack.keys(sets, codes))
        got = list(zip(*(x.tolist() for x in pack.split(keys)), strict=True))
        assert got == sorted(set(zip(sets.tolist(), codes.tolist(), strict=True)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, (1 << 62) - 1)), min_size=1),
       st.integers(0, 62), st.integers(0, 62))
def test_pair_keys_with_shared_bits_cut_out_sort_like_pairs(pairs, fixed_lo, fixed_len):
    # codes that agree on some bits (62-bit codes, so sets need a cut or ranks)
    mask = ((1 << min(fixed_lo + fixed_len, 62)) - 1) & ~((1 << fixed_lo) - 1)
    sets = np.array([s for s, _ in pairs], np.int64)
    codes = np.array([(c & ~mask) | (0x5555555555555555 & mask) for _, c in pairs], np.int64)
    pack = Pairs(62, int(sets.max()) + 1, codes)
    keys = pack.keys(sets, codes)
    assert np.array_equal(np.argsort(keys, kind="stable"), np.lexsort((codes, sets)))
    back = pack.split(keys)
    assert np.array_equal(back[0], sets) and np.array_equal(back[1], codes)


def test_pair_keys_cut_shared_bits_before_they_fall_back_to_ranks():
    codes = np.array([0b1010 << 40, (0b1010 << 40) | 3, (0b1011 << 40) | 7])
    pack = Pairs(62, 4, codes)  # 62 + 3 bits: the 41 shared bits above the 3 are cut
    assert pack.bits > 0 and pack.cut


@settings(max_examples=60, deadline=None)
@given(networks())
def test_the_rank_keys_give_the_same_answers_as_the_packed_ones(net):
    reference = check_determinism(explore_product(net))
    wide = patch.object(Pairs, "__init__", _ranks_only)
    with wide:
        bulk = check_determinism_product(net)
    assert bulk.passed == reference.passed
    if not bulk.passed:
        assert bulk.counterexample.trace == reference.counterexample.trace


def _ranks_only(self, bits, sets, codes):
    self.bits, self.codes = 0, sorted_unique(codes)


@settings(max_examples=100, deadline=None)
@given(networks(), st.booleans())
def test_a_level_built_a_few_pairs_at_a_time_gives_the_same_answers(net, divergence):
    from procalg.lts import normal_product

    reference = check_determinism(explore_product(net), divergence=divergence)
    with patch.object(normal_product, "CHUNK", 2):  # every level in many chunks
        bulk = check_determinism_product(net, divergence=divergence)
    assert bulk.passed == reference.passed
    if not bulk.passed:
        assert bulk.counterexample.trace == reference.counterexample.trace
        assert bulk.counterexample.refused == reference.counterexample.refused
        assert bulk.stats.states <= reference.stats.states


def test_the_divergence_pass_stops_at_the_checks_state_limit():
    # a τ-cycle beside a 2,000-state counter: the divergent states are found by a
    # whole exploration first, which on s33-base ignored max_states (a draw of
    # tests/semantics/test_leaf_channels ran it to 20 GB under a 3,000-state limit)
    loop = LTS.build(2, 0, ["a"], [(0, TAU, 1), (1, TAU, 0), (0, "a", 0)])
    count = LTS.build(2_000, 0, ["b"], [(i, "b", i + 1) for i in range(1_999)])
    net = close(parallel(component(loop), component(count), set()))
    explored = []
    real = normal_product.divergent_codes

    def spy(network, limits):
        explored.append(limits.max_states)
        return real(network, limits)

    with patch.object(normal_product, "divergent_codes", spy), \
            pytest.raises(LimitExceeded):
        find_nondeterminism(net, max_states=100)
    assert explored == [100]
