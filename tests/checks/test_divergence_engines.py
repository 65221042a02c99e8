"""One divergence counterexample whatever the engine (issue 9): the product
engine gives the reference's verdict, the same path to the nearest divergent
state (the least of the shortest, :mod:`procalg.checks.divergence`), and a
τ-lasso that is really there; on an unreduced network of one LTS, the same
lasso too. Likewise ``[FD=`` failing by divergence, and determinism's."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.assertion_kinds import RefinementModel
from procalg.checks.determinism import check_determinism, check_determinism_product
from procalg.checks.divergence import check_divergence, check_divergence_product
from procalg.checks.refinement import check_refinement, check_refinement_product
from procalg.checks.result import CheckResult
from procalg.errors import ProcalgError
from procalg.lts import LTS, TAU, TICK
from procalg.lts.exploration import LimitExceeded
from procalg.lts.network import close, component, reduce_components
from procalg.semantics.network import NotApplicable, compile_network
from procalg.terms import Hide, Interrupt, Seq
from tests.checks.test_deadlock import csp_lts
from tests.semantics.test_network import (
    BODIES,
    EVENTS,
    LOOP,
    _operator_terms,
    _recursive_terms,
    _reference_within,
)


@st.composite
def tau_heavy_lts(draw: st.DrawFn) -> LTS:
    """A random LTS of CSP's shape (✓ only into Ω, state n), half its moves τ, so that
    about half diverge."""
    n = draw(st.integers(1, 8))
    states = st.integers(0, n - 1)
    rows = draw(st.lists(st.tuples(states, st.sampled_from([TAU, TAU, TAU, TICK, "a", "b"]),
                                   states), max_size=2 * n + 2))
    return LTS.build(n + 1, 0, ["a", "b"], [(s, x, n if x == TICK else d) for s, x, d in rows])


def _whole(result: CheckResult) -> CheckResult:
    """The result as people see it: the counterexample without state numbers
    (each engine numbers its own), and no stats."""
    ce = result.counterexample
    return replace(result, stats=None, counterexample=ce and replace(ce, states=None))


def assert_same_divergence(reference: CheckResult, product: CheckResult) -> None:
    """The whole counterexample is the same: path, lead-in, cycle, note and message."""
    assert _whole(product) == _whole(reference)


@settings(max_examples=150, deadline=None)
@given(tau_heavy_lts(), st.booleans())
def test_both_engines_give_one_counterexample_on_random_lts(lts: LTS, reduce: bool) -> None:
    net = close(component(lts))
    net = reduce_components(net) if reduce else net
    assert_same_divergence(check_divergence(lts), check_divergence_product(net))


def test_a_case_the_engines_used_to_answer_differently() -> None:
    # the initial state diverges (τ, τ, then a self-loop), and a -> a τ self-loop is
    # nearer as a loop: the reference used to answer <a>, the product <>
    lts = LTS.build(4, 0, ["a"], [(0, TAU, 1), (1, TAU, 2), (2, TAU, 2), (0, "a", 3),
                                  (3, TAU, 3)])
    reference, product = check_divergence(lts), check_divergence_product(close(component(lts)))
    assert replace(reference.counterexample, states=None) == product.counterexample
    # minimised, 1, 2 and 3 are one state with a τ self-loop: 0 reaches it by τ or a
    assert product.counterexample.trace == () and product.counterexample.full_path == (TAU,)
    assert product.counterexample.cycle == (TAU,)


def _terms_with_hiding():
    return st.builds(Hide, _operator_terms(2, (Seq, Interrupt)),
                     st.frozensets(st.sampled_from(EVENTS)))


def _compare_terms(term, bodies) -> None:
    unfold = bodies.__getitem__
    try:  # a call under ; or an interrupt can grow without end: no oracle
        reference_lts = _reference_within(term, unfold, 150)
    except (LimitExceeded, ProcalgError, RecursionError):
        return
    net = compile_network(term, unfold, max_states=600)
    if isinstance(net, NotApplicable):
        return
    assert_same_divergence(check_divergence(reference_lts), check_divergence_product(net))


@settings(max_examples=60, deadline=None)
@given(_terms_with_hiding())
def test_random_terms_with_hiding_seq_and_interrupt_give_one_counterexample(term) -> None:
    _compare_terms(term, BODIES)


@settings(max_examples=100, deadline=None)
@given(_recursive_terms(3), st.frozensets(st.sampled_from(EVENTS)))
def test_recursion_under_hiding_gives_one_counterexample(body, hidden) -> None:
    _compare_terms(Hide(LOOP, hidden), {**BODIES, LOOP: body})


@settings(max_examples=100, deadline=None)
@given(csp_lts(), tau_heavy_lts(), st.booleans())
def test_fd_refinement_failing_by_divergence_agrees_with_the_reference(spec: LTS, impl: LTS,
                                                                       reduce: bool) -> None:
    fd = RefinementModel.FAILURES_DIVERGENCES
    net = close(component(impl))
    product = check_refinement_product(spec, reduce_components(net) if reduce else net, fd)
    assert_same_divergence(check_refinement(spec, impl, fd), product)


@settings(max_examples=100, deadline=None)
@given(tau_heavy_lts(), st.booleans())
def test_determinism_failing_by_divergence_is_the_same_on_both_engines(lts: LTS,
                                                                        reduce: bool) -> None:
    net = close(component(lts))
    product = check_determinism_product(reduce_components(net) if reduce else net)
    assert_same_divergence(check_determinism(lts), product)


@settings(max_examples=100, deadline=None)
@given(tau_heavy_lts())
def test_a_lazily_explored_leaf_gives_the_same_counterexample(lts: LTS) -> None:
    from procalg.lts.exploration import ExplicitSystem
    from procalg.lts.lazy import LazyComponent

    alphabet = [x for x in lts.labels if x != TAU]  # ✓ too: the leaf may terminate
    lazy = close(component(LazyComponent(ExplicitSystem(lts), alphabet)))
    assert_same_divergence(check_divergence(lts), check_divergence_product(lazy))
