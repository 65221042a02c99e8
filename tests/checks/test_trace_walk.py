"""``:[has trace]:`` on the compiled product against the term-level pair search
(issue 9): the same verdict, prefix, offered events and messages, and the same
witness path (the least of the shortest), one the reference can really take; on
random networks (some leaves lazy), random operator trees and random traces."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.assertion_kinds import RefinementModel
from procalg.checks.result import CheckResult
from procalg.checks.trace_walk import walk_trace
from procalg.checks.traces import check_has_trace, check_has_trace_product
from procalg.errors import LimitExceeded, ProcalgError
from procalg.lts import LTS, TAU, TICK, explore
from procalg.lts.exploration import ExplicitSystem
from procalg.lts.lazy import LazyComponent
from procalg.lts.network import close, component, parallel, reduce_components
from procalg.lts.product import Limits
from procalg.semantics.network import NotApplicable, compile_network
from procalg.terms import Interrupt, Seq
from tests.lts.test_lazy import _network as lazy_network
from tests.lts.test_product import EVENTS, Tree, _force_wide, _replay, trees
from tests.semantics.test_network import BODIES, _operator_terms, _reference_within

EVENT_NAMES = [*EVENTS, TICK, "d"]  # "d": an event no network shows


@st.composite
def traces_of(draw: st.DrawFn, lts: LTS) -> tuple[str, ...]:
    """A trace the LTS can do (a random walk's visible labels), often mutated,
    so that both verdicts come up."""
    state, trace = lts.initial, []
    for _ in range(draw(st.integers(0, 6))):
        moves = list(lts.successors(state))
        if not moves:
            break
        label, state = moves[draw(st.integers(0, len(moves) - 1))]
        if lts.labels[label] != TAU:
            trace.append(lts.labels[label])
    if trace and draw(st.booleans()):
        trace[draw(st.integers(0, len(trace) - 1))] = draw(st.sampled_from(EVENT_NAMES))
    if draw(st.booleans()):
        trace.append(draw(st.sampled_from(EVENT_NAMES)))
    return tuple(trace)


def assert_same_answer(reference: CheckResult, product: CheckResult, oracle: LTS,
                       model: RefinementModel = RefinementModel.TRACES) -> None:
    """Same verdict and message; on a failure the same counterexample; on a pass
    the same witness (the least of the shortest paths to a pair that shows the
    trace: ``docs/checks.md``), which the oracle LTS can take and which shows
    the trace as its note says."""
    assert product.verdict == reference.verdict and product.message == reference.message
    rc, pc = reference.counterexample, product.counterexample
    if not reference.passed:
        assert (pc.trace, pc.accepted, pc.refused, pc.note) == (rc.trace, rc.accepted,
                                                               rc.refused, rc.note)
        return
    assert (pc.full_path, pc.trace, pc.note) == (rc.full_path, rc.trace, rc.note)
    assert tuple(x for x in pc.full_path if x != TAU) == pc.trace
    ends = _replay(oracle, pc.full_path)
    stable = any(all(oracle.labels[x] != TAU for x, _ in oracle.successors(s)) for s in ends)
    if model is RefinementModel.FAILURES:  # a stable end
        assert stable
    if model is RefinementModel.FAILURES_DIVERGENCES:  # either, whatever the note says
        assert stable or any(_can_diverge(oracle, s) for s in ends)


def _can_diverge(lts: LTS, state: int) -> bool:
    """τ for ever from ``state``: some τ-path as long as the LTS returns to a state."""
    here: set[int] = {state}
    for _ in range(lts.num_states):
        here = {d for s in here for x, d in lts.successors(s) if lts.labels[x] == TAU}
    return bool(here)


MODELS = st.sampled_from([RefinementModel.TRACES, RefinementModel.FAILURES,
                          RefinementModel.FAILURES_DIVERGENCES])


@settings(max_examples=150, deadline=None)
@given(trees(), st.lists(st.booleans(), min_size=1, max_size=4), MODELS, st.data())
def test_the_walk_answers_as_the_reference_on_random_networks_with_lazy_leaves(
        tree, lazy, model, data) -> None:
    oracle = explore(Tree(tree))
    trace = data.draw(traces_of(oracle))
    product = check_has_trace_product(close(lazy_network(tree, lazy)), trace, model=model)
    assert_same_answer(check_has_trace(Tree(tree), trace, model=model), product, oracle, model)


@settings(max_examples=100, deadline=None)
@given(trees(), MODELS, st.data())
def test_the_walk_answers_as_the_reference_on_reduced_components(tree, model, data) -> None:
    oracle = explore(Tree(tree))
    trace = data.draw(traces_of(oracle))
    net = reduce_components(close(lazy_network(tree, False)))
    assert_same_answer(check_has_trace(oracle, trace, model=model),
                       check_has_trace_product(net, trace, model=model), oracle, model)


@settings(max_examples=80, deadline=None)
@given(_operator_terms(2, (Seq, Interrupt)), MODELS, st.data())
def test_the_walk_answers_as_the_reference_on_random_operator_trees(term, model, data) -> None:
    unfold = BODIES.__getitem__
    try:  # a call under ; or an interrupt can grow without end: no oracle
        oracle = _reference_within(term, unfold, 150)
    except (LimitExceeded, ProcalgError, RecursionError):
        return
    net = compile_network(term, unfold, max_states=600)
    if isinstance(net, NotApplicable):
        return
    trace = data.draw(traces_of(oracle))
    assert_same_answer(check_has_trace(oracle, trace, model=model),
                       check_has_trace_product(net, trace, model=model), oracle, model)


def _chain(n: int) -> LTS:
    """``a`` then ``b``, ``n`` times over, then stop."""
    return LTS.build(2 * n + 1, 0, ["a", "b"],
                     [(i, "a" if i % 2 == 0 else "b", i + 1) for i in range(2 * n)])


def test_a_lazy_leaf_outgrowing_its_digits_mid_walk_keeps_the_path() -> None:
    # a lazy leaf starts with room for 4 states and doubles it as the walk goes:
    # each time, every stored code is re-encoded (the other leaf's digits move)
    chain = LazyComponent(ExplicitSystem(_chain(40)), {"a", "b"})
    other = LazyComponent(ExplicitSystem(LTS.build(3, 0, ["c"], [(0, "c", 1), (1, "c", 2)])),
                          {"c"})
    net = close(parallel(component(chain), component(other), set()))
    trace = ("c", *["a", "b"] * 40)
    found = walk_trace(net, trace)
    assert found.found and tuple(x for x in found.path if x != TAU) == trace
    missed = walk_trace(net, (*trace, "a"))
    assert not missed.found and missed.deepest == len(trace) and missed.offered == {"c"}


def test_the_walk_visits_only_the_pairs_the_trace_leads_through() -> None:
    # twelve interleaved three-state leaves: 3^12 = 531,441 product states
    leaves = [LTS.build(3, 0, [f"a{i}", f"b{i}"], [(0, f"a{i}", 1), (1, f"b{i}", 2),
                                                   (2, TAU, 0)]) for i in range(12)]
    net = component(leaves[0])
    for leaf in leaves[1:]:
        net = parallel(net, component(leaf), set())
    result = check_has_trace_product(close(net), ["a0", "b0", "a0"])
    assert result.passed and result.counterexample.full_path == ("a0", "b0", TAU, "a0")
    assert result.stats.states == 3  # the one leaf that moves: its three states


def test_more_pairs_than_the_limit_stop_the_walk_saying_so() -> None:
    net = close(component(_chain(30)))
    with pytest.raises(LimitExceeded, match="more than 10 states"):
        walk_trace(net, ("a", "b") * 30, Limits(max_states=10))


def test_a_divergence_after_the_trace_is_no_stable_failure_but_every_continuation_in_fd(
        ) -> None:
    # a, then a τ-loop, or b to a stable STOP
    lts = LTS.build(4, 0, ["a", "b"], [(0, "a", 1), (1, TAU, 2), (2, TAU, 1), (0, "b", 3)])
    net = close(component(lts))
    f, fd = RefinementModel.FAILURES, RefinementModel.FAILURES_DIVERGENCES
    assert check_has_trace_product(net, ["a"], model=f).message == \
        "the trace is possible but never stable ([F])"
    assert check_has_trace_product(net, ["b"], model=f).passed
    beyond = check_has_trace_product(net, ["a", "b", "a"], model=fd)
    assert beyond.passed and beyond.counterexample.trace == ("a",)
    assert beyond.counterexample.full_path == ("a",)
    assert "diverges after 1 of the events" in beyond.counterexample.note


@settings(max_examples=40, deadline=None)
@given(trees(), st.lists(st.booleans(), min_size=1, max_size=4), MODELS, st.data())
def test_codes_wider_than_62_bits_give_the_same_answers(tree, lazy, model, data) -> None:
    oracle = explore(Tree(tree))
    trace = data.draw(traces_of(oracle))
    with pytest.MonkeyPatch.context() as patch:  # every code a Python integer
        _force_wide(patch)
        product = check_has_trace_product(close(lazy_network(tree, lazy)), trace, model=model)
    assert_same_answer(check_has_trace(oracle, trace, model=model), product, oracle, model)


def test_the_witness_is_the_least_path_whole_not_the_least_last_step() -> None:
    # <a, b> is done by a τ b (into 6) and by τ a b (into 3): both end in b, the
    # first is less at its first step; the lesser code is the other's end
    lts = LTS.build(7, 0, ["a", "b"], [(0, "a", 5), (5, "τ", 4), (4, "b", 6),
                                       (0, "τ", 1), (1, "a", 2), (2, "b", 3)])
    found = walk_trace(close(component(lts)), ("a", "b"))
    assert found.path == ("a", "τ", "b")
    assert check_has_trace(lts, ["a", "b"]).counterexample.full_path == ("a", "τ", "b")
