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
from procalg.lts.product import explore_product
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


def _to_entry(result: CheckResult) -> tuple[str, ...]:
    """The counterexample's path up to the divergent state (its τ lead-in dropped)."""
    path = result.counterexample.full_path
    lead = int(result.counterexample.note.rsplit("(", 1)[1].split(" ")[0])
    return path[:len(path) - lead]


def _lasso_is_real(lts: LTS, path: tuple[str, ...], loop: int) -> bool:
    """Some run labelled ``path`` ends where ``loop`` τ-steps come back."""
    here = {lts.initial}
    for label in path:
        here = {d for s in here for lab, d in lts.successors(s) if lts.labels[lab] == label}
    taus = {s: {d for lab, d in lts.successors(s) if lts.labels[lab] == TAU}
            for s in range(lts.num_states)}
    for start in here:
        walk = {start}
        for _ in range(loop):
            walk = {d for s in walk for d in taus[s]}
        if start in walk:
            return True
    return False


def assert_same_divergence(reference: CheckResult, product: CheckResult, explored: LTS,
                           same_lasso: bool) -> None:
    assert product.verdict == reference.verdict
    if reference.passed:
        return
    rc, pc = reference.counterexample, product.counterexample
    assert pc.trace == rc.trace and _to_entry(product) == _to_entry(reference)
    assert _lasso_is_real(explored, pc.full_path, len(pc.cycle))
    assert product.message == reference.message
    if same_lasso:
        assert (pc.full_path, pc.cycle, pc.note) == (rc.full_path, rc.cycle, rc.note)


@settings(max_examples=150, deadline=None)
@given(tau_heavy_lts(), st.booleans())
def test_both_engines_give_one_counterexample_on_random_lts(lts: LTS, reduce: bool) -> None:
    net = close(component(lts))
    net = reduce_components(net) if reduce else net
    assert_same_divergence(check_divergence(lts), check_divergence_product(net),
                           explore_product(net), same_lasso=not reduce)


def test_a_case_the_engines_used_to_answer_differently() -> None:
    # the initial state diverges (τ, τ, then a self-loop), and a -> a τ self-loop is
    # nearer as a loop: the reference used to answer <a>, the product <>
    lts = LTS.build(4, 0, ["a"], [(0, TAU, 1), (1, TAU, 2), (2, TAU, 2), (0, "a", 3),
                                  (3, TAU, 3)])
    reference, product = check_divergence(lts), check_divergence_product(close(component(lts)))
    assert replace(reference.counterexample, states=None) == product.counterexample
    assert product.counterexample.trace == () and product.counterexample.full_path == (TAU, TAU)


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
    assert_same_divergence(check_divergence(reference_lts), check_divergence_product(net),
                           explore_product(net), same_lasso=False)


@settings(max_examples=60, deadline=None)
@given(_terms_with_hiding())
def test_random_terms_with_hiding_seq_and_interrupt_give_one_counterexample(term) -> None:
    _compare_terms(term, BODIES)


@settings(max_examples=100, deadline=None)
@given(_recursive_terms(3), st.frozensets(st.sampled_from(EVENTS)))
def test_recursion_under_hiding_gives_one_counterexample(body, hidden) -> None:
    _compare_terms(Hide(LOOP, hidden), {**BODIES, LOOP: body})


@settings(max_examples=100, deadline=None)
@given(csp_lts(), tau_heavy_lts())
def test_fd_refinement_failing_by_divergence_agrees_with_the_reference(spec: LTS,
                                                                       impl: LTS) -> None:
    fd = RefinementModel.FAILURES_DIVERGENCES
    reference = check_refinement(spec, impl, fd)
    product = check_refinement_product(spec, close(component(impl)), fd)
    assert product.verdict == reference.verdict
    if reference.passed:
        return
    rc, pc = reference.counterexample, product.counterexample
    assert len(pc.full_path) - _lead(pc) == len(rc.full_path) - _lead(rc)  # same depth
    if pc.cycle is not None:  # a divergence: its lasso is really the implementation's
        assert _lasso_is_real(impl, pc.full_path, len(pc.cycle))


def _lead(ce) -> int:
    if ce.cycle is None:
        return 0
    return int(ce.note.split("diverge (")[1].split(" ")[0])


@settings(max_examples=100, deadline=None)
@given(tau_heavy_lts())
def test_determinism_failing_by_divergence_is_worded_alike_by_both_engines(lts: LTS) -> None:
    reference = check_determinism(lts)
    product = check_determinism_product(close(component(lts)))
    assert product.verdict == reference.verdict
    if not reference.passed and reference.counterexample.cycle is not None:
        pc = product.counterexample
        assert pc.trace == reference.counterexample.trace and pc.cycle is not None
        assert pc.note.split("(")[0] == reference.counterexample.note.split("(")[0]
        assert "→" not in reference.counterexample.note
        lead = int(pc.note.rsplit("(", 1)[1].split(" ")[0])  # its path ends before the lead
        assert _lasso_is_real(lts, (*pc.full_path, *(TAU,) * lead), len(pc.cycle))
