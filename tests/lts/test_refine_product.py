"""Refinement as a bulk product search, against the reference check on random systems.

The reference (:func:`procalg.checks.refinement.check_refinement`) runs on
the network's explicit product; the bulk search runs on the network itself
with the normalised spec as one more component. Both are breadth-first, so
both must agree on the verdict and on the whole counterexample: the least of
the shortest paths to a violation, at its least end (``docs/checks.md``,
"Which counterexample procalg shows").
"""

from __future__ import annotations

import re
from contextlib import ExitStack
from unittest.mock import patch

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.assertion_kinds import RefinementModel
from procalg.checks.refinement import check_refinement, check_refinement_product
from procalg.lts import LTS, level_search
from procalg.lts.network import close, component, hide, parallel
from procalg.lts.normal_table import normal_table
from procalg.lts.product import explore_product
from procalg.lts.refine_product import find_violation, tau_acyclic

LABELS = ["a", "b", "c", "τ", "✓"]


@st.composite
def systems(draw, max_states: int = 4) -> LTS:
    n = draw(st.integers(1, max_states))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(LABELS),
                                    st.integers(0, n - 1)), max_size=3 * n))
    return LTS.build(n, 0, ["a", "b", "c"], edges)


@st.composite
def networks(draw):
    left, right = draw(systems()), draw(systems())
    sync = draw(st.sets(st.sampled_from(["a", "b", "c"])))
    hidden = draw(st.sets(st.sampled_from(["a", "b", "c"]), max_size=1))
    return close(hide(parallel(component(left), component(right), sync), hidden))


def _whole(result) -> tuple:
    """A failed refinement's counterexample, all but the implementation states (the
    reference's alone) and a divergence's τ-lasso (measured in each engine's graph)."""
    ce = result.counterexample
    if ce.cycle is None:
        return ce.trace, ce.full_path, ce.refused, ce.accepted, ce.note
    lead = int(re.search(r"\((\d+) τ-steps", ce.note).group(1))
    return ce.trace, ce.full_path[:len(ce.full_path) - lead], ce.note.split(" (")[0]


@settings(max_examples=300, deadline=None)
@given(systems(), networks(), st.sampled_from([RefinementModel.TRACES, RefinementModel.FAILURES,
                                                RefinementModel.FAILURES_DIVERGENCES]))
def test_bulk_refinement_shows_the_reference_counterexample(spec, net, model):
    reference = check_refinement(spec, explore_product(net), model)
    bulk = check_refinement_product(spec, net, model)
    assert bulk.passed == reference.passed
    if not bulk.passed:
        assert _whole(bulk) == _whole(reference)


def _in_chunks_of_two() -> ExitStack:
    """Every level expanded in chunks of two states, two chunks at a time (on threads)."""
    stack = ExitStack()
    stack.enter_context(patch.object(level_search, "NARROW", 0))
    stack.enter_context(patch.object(level_search.LevelSearch, "chunk", lambda self: 2))
    return stack


@settings(max_examples=150, deadline=None)
@given(systems(), networks(), st.sampled_from([RefinementModel.FAILURES,
                                                RefinementModel.FAILURES_DIVERGENCES]))
def test_bulk_refinement_in_chunks_of_two_shows_the_reference_counterexample(spec, net, model):
    with _in_chunks_of_two():
        bulk = check_refinement_product(spec, net, model)
    reference = check_refinement(spec, explore_product(net), model)
    assert bulk.passed == reference.passed
    if not bulk.passed:
        assert _whole(bulk) == _whole(reference)


def test_a_refusal_in_a_later_chunk_comes_before_a_trace_error_one_move_on():
    # level 1 is {1, 2} (after a, each offers c: trace errors at depth 2) and {3}
    # (after b, STOP refuses a at depth 1); the first chunk's trace error used to end
    # the search, or the chunks' goal calls (on two threads) mixed up their violations
    spec = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (0, "b", 1), (1, "a", 2)])
    impl = LTS.build(5, 0, ["a", "b", "c"], [(0, "a", 1), (0, "a", 2), (0, "b", 3), (1, "a", 4),
                                             (1, "c", 4), (2, "a", 4), (2, "c", 4)])
    with _in_chunks_of_two():
        result = check_refinement_product(spec, close(component(impl)), RefinementModel.FAILURES)
    ce = result.counterexample
    assert (ce.full_path, ce.refused) == (("b",), frozenset({"a", "b"}))  # the spec's events


def test_a_trace_violation_names_the_event_the_spec_cannot_do():
    spec = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2)])
    impl = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "a", 2)])
    _, bad = find_violation(close(component(impl)), normal_table(spec), RefinementModel.TRACES)
    assert bad is not None and (bad.kind, bad.path, bad.event) == ("trace", ("a",), "a")


def test_a_divergence_is_found_after_the_shortest_trace_with_its_cycle():
    spec = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "a", 1)])
    impl = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2), (2, "b", 1)])
    net = close(hide(component(impl), {"b"}))
    result = check_refinement_product(spec, net, RefinementModel.FAILURES_DIVERGENCES)
    assert not result.passed
    # minimised, the hidden b-loop is one state with a τ self-loop
    assert result.counterexample.trace == ("a",) and result.counterexample.cycle == ("τ",)
    assert check_refinement_product(spec, net, RefinementModel.FAILURES).passed


def test_a_stable_state_refusing_every_acceptance_is_a_failure():
    spec = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (0, "b", 2)])
    impl = LTS.build(3, 0, ["a", "b"], [(0, "τ", 1), (0, "τ", 2), (1, "a", 0)])
    result = check_refinement_product(spec, close(component(impl)), RefinementModel.FAILURES)
    assert not result.passed
    assert result.counterexample.full_path == ("τ",)  # to 1 (offers a) and 2 (nothing):
    assert result.counterexample.refused == frozenset({"a", "b"})  # the least offer, 2's


def test_the_engine_and_the_normal_form_appear_in_the_stats():
    spec = LTS.build(1, 0, ["a"], [(0, "a", 0)])
    result = check_refinement_product(spec, close(component(spec)),
                                      RefinementModel.FAILURES_DIVERGENCES)
    assert result.passed
    assert result.stats.extra["engine"] == "product"
    assert result.stats.extra["normal_nodes"] == 1


def test_components_without_tau_cycles_need_no_divergence_search():
    loop = LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "b", 0)])
    assert tau_acyclic(close(hide(component(loop), {"a"})))
    assert not tau_acyclic(close(hide(component(loop), {"a", "b"})))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 63)), st.lists(st.integers(0, 63)))
def test_offers_are_found_alike_by_the_bitmap_and_by_sorting(offers, keys):
    from procalg.lts import refine_product

    offers_, keys_ = np.array(offers, dtype=np.int64), np.array(keys, dtype=np.int64)
    expected = [k in set(offers) for k in keys]
    assert refine_product._offered(offers_, keys_, 64).tolist() == expected
    saved = refine_product._TABLE_CELLS
    refine_product._TABLE_CELLS = 0  # force the sorted path
    try:
        assert refine_product._offered(offers_, keys_, 64).tolist() == expected
    finally:
        refine_product._TABLE_CELLS = saved


@settings(max_examples=100, deadline=None)
@given(systems(), networks(), st.sampled_from([RefinementModel.FAILURES,
                                                RefinementModel.FAILURES_DIVERGENCES]))
def test_a_failures_check_past_the_bitmap_size_agrees_with_the_reference(spec, net, model):
    from procalg.lts import refine_product

    saved = refine_product._TABLE_CELLS
    refine_product._TABLE_CELLS = 0  # every chunk takes the sorted path
    try:
        bulk = check_refinement_product(spec, net, model)
    finally:
        refine_product._TABLE_CELLS = saved
    reference = check_refinement(spec, explore_product(net), model)
    assert bulk.passed == reference.passed
    if not bulk.passed:
        assert _whole(bulk) == _whole(reference)
