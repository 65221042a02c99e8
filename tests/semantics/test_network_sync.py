"""Synchronising choice ``[+ A +]`` and interrupt ``/+ A +\\`` over networks,
product engine versus the term-level reference (same oracle and helpers as
``test_network.py``)."""

from __future__ import annotations

from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import TICK, control_node
from procalg.lts.product import explore_product
from procalg.semantics.network import NotApplicable, compile_network
from procalg.terms import (
    SKIP,
    STOP,
    AlphaParallel,
    Event,
    Hide,
    Interrupt,
    Parallel,
    Prefix,
    Process,
    Seq,
)
from procalg.terms.synchronising import SyncChoice, SyncInterrupt
from tests.semantics.test_network import (
    EVENTS,
    UNFOLD,
    _bisimilar,
    _reference,
    _sequential,
    assert_searches_agree,
)

A, B, T = Event("a"), Event("b"), Event("c")


def _sync_terms(depth: int):
    """Operator trees with ``[+ A +]``/``/+ A +\\`` above parallel and hiding."""
    events = st.frozensets(st.sampled_from(EVENTS))
    leaf = _sequential(2)
    if depth == 0:
        return leaf
    sub = st.one_of(leaf, _sync_terms(depth - 1))
    return st.one_of(
        st.builds(Parallel, sub, sub, events),
        st.builds(AlphaParallel, sub, sub, events, events),
        st.builds(Hide, sub, events),
        st.builds(SyncChoice, sub, sub, events),
        st.builds(SyncInterrupt, sub, sub, events),
        st.builds(Seq, sub, sub),
        st.builds(Prefix, st.sampled_from(EVENTS), sub),
    )


def _check_against_reference(term: Process, *, exact_states: bool) -> None:
    reference = _reference(term, UNFOLD)
    net = compile_network(term, UNFOLD, reduce=False)
    if isinstance(net, NotApplicable):
        assert "no parallel network" in net.reason
        return
    product = explore_product(net)
    assert _bisimilar(product, reference)
    if exact_states and not net.loose:
        assert product.num_states >= reference.num_states
    assert_searches_agree(net, reference)


@settings(max_examples=200, deadline=None)
@given(_sync_terms(3))
def test_synchronising_operators_over_networks_keep_the_lts_deadlocks_and_divergence(term):
    _check_against_reference(term, exact_states=True)


@settings(max_examples=60, deadline=None)
@given(_sync_terms(3))
def test_synchronising_operators_with_sides_too_large_to_reset_keep_the_behaviour(term):
    with patch.object(control_node, "RESET_LIMIT", 1):
        _check_against_reference(term, exact_states=False)


def _net(term: Process):
    net = compile_network(term, UNFOLD, reduce=False)
    assert not isinstance(net, NotApplicable), net
    return net


def test_a_synchronising_choice_over_a_network_moves_both_sides_on_a_shared_event():
    side = Parallel(Prefix(T, Prefix(A, STOP)), Prefix(T, STOP), frozenset({T}))
    other = Parallel(Prefix(T, Prefix(B, SKIP)), Prefix(B, SKIP), frozenset({B}))
    term = SyncChoice(side, other, frozenset({T}))
    net = _net(term)
    assert any("[+ +]" in note for note in net.notes)
    product = explore_product(net)
    reference = _reference(term, UNFOLD)
    assert _bisimilar(product, reference)
    first = [product.labels[lab] for lab, _ in product.successors(product.initial)]
    assert first == ["c"]  # c only together (once); neither side's c resolves alone


def test_a_synchronising_interrupt_over_a_network_takes_over_by_an_event_outside_the_set():
    body = Parallel(Prefix(A, Prefix(T, SKIP)), Prefix(T, SKIP), frozenset({T}))
    handler = Prefix(T, Prefix(B, STOP))
    term = SyncInterrupt(body, Interrupt(handler, Prefix(B, STOP)), frozenset({T}))
    product = explore_product(_net(term))
    reference = _reference(term, UNFOLD)
    assert _bisimilar(product, reference)
    assert TICK in product.labels
