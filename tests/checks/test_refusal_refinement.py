"""Refinement in the revivals ([V=, [VD=) and refusal-testing ([R=, [RD=) models."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings

from procalg.checks.refinement import check_refinement
from procalg.checks.refusal_refinement import check_refusal_refinement
from procalg.checks.result import RefinementModel
from procalg.lts import LTS
from tests.checks.test_refinement import _closure, _diverges, random_lts

M = RefinementModel
CHAIN = [M.REFUSAL_TESTING, M.REVIVALS, M.FAILURES, M.TRACES]
STRICT_CHAIN = [M.REFUSAL_DIVERGENCES, M.REVIVALS_DIVERGENCES, M.FAILURES_DIVERGENCES]

# (a -> STOP) [> STOP: a is offered only before the timeout, never from a stable state
TIMEOUT = LTS.build(3, 0, ["a"], [(0, "a", 1), (0, "τ", 2)])
# (a -> STOP) |~| STOP: stable offering a, or stable offering nothing
CHOICE = LTS.build(4, 0, ["a"], [(0, "τ", 1), (0, "τ", 2), (1, "a", 3)])
# UCS reftest.csp: R1 = (a -> a -> STOP) [> (a -> STOP), R2 = (a -> STOP) [> (a -> a -> STOP)
R1 = LTS.build(5, 0, ["a"], [(0, "a", 1), (1, "a", 2), (0, "τ", 3), (3, "a", 4)])
R2 = LTS.build(5, 0, ["a"], [(0, "a", 1), (0, "τ", 2), (2, "a", 3), (3, "a", 4)])
STOP = LTS.build(1, 0, [], [])
DIV = LTS.build(1, 0, ["a"], [(0, "a", 0)], hidden=["a"])


def refines(spec: LTS, impl: LTS, model: RefinementModel) -> bool:
    return check_refinement(spec, impl, model).passed


def test_the_models_are_read_from_their_letters():
    assert [RefinementModel.parse(x) for x in ("V", "VD", "R", "RD")] == [
        M.REVIVALS, M.REVIVALS_DIVERGENCES, M.REFUSAL_TESTING, M.REFUSAL_DIVERGENCES]


def test_a_timeout_and_an_internal_choice_differ_in_revivals_only():
    """Both have the failures (<>, X) for every X and (<a>, X): F cannot tell them
    apart. CHOICE can be stable offering {a} and then do a, the revival
    (<>, Σ - {a}, a); TIMEOUT's only stable state is STOP, so it has no revival
    at <>, and CHOICE does not revivals-refine it (UCS revivals.csp)."""
    assert refines(TIMEOUT, CHOICE, M.FAILURES) and refines(CHOICE, TIMEOUT, M.FAILURES)
    result = check_refinement(TIMEOUT, CHOICE, M.REVIVALS)
    assert not result.passed
    cex = result.counterexample
    assert cex.trace == ("a",) and cex.full_path == ("τ", "a")
    assert cex.accepted == frozenset()  # TIMEOUT's stable states offering ⊆ {a} do nothing
    assert "stable offering only {a} and then do a" in cex.note
    assert refines(CHOICE, TIMEOUT, M.REVIVALS)
    assert refines(CHOICE, TIMEOUT, M.REFUSAL_TESTING)


def test_refusal_testing_tells_apart_what_revivals_do_not():
    """UCS reftest.csp. R2's only stable state (after its timeout) is a -> a -> STOP:
    refusing everything but a, it does a and can then do a again, the observation
    <Σ-{a}, a, •, a>. R1's only stable state is a -> STOP: refusing everything but
    a, it does a and then nothing, so R1 [R= R2 fails at the second a. That same
    observation <Σ-{a}, a, Σ> (refusing everything after the a) is R1's and not
    R2's, whose stable a leads to a -> STOP, so R2 [R= R1 fails after one a with
    {a} refused. Their revivals agree: (<>, Σ-{a}, a) and (<a>, Σ-{a}, a) for both
    (R1 reaches a -> STOP by an a before its timeout), and the failures too; the
    last refusal alone cannot see the earlier one."""
    forward = check_refinement(R1, R2, M.REFUSAL_TESTING)
    assert not forward.passed and forward.counterexample.trace == ("a", "a")
    assert "<refusing all but {a}, a>" in forward.counterexample.note
    back = check_refinement(R2, R1, M.REFUSAL_TESTING)
    assert not back.passed and back.counterexample.trace == ("a",)
    assert back.counterexample.refused == frozenset({"a"})
    assert refines(R1, R2, M.REVIVALS) and refines(R2, R1, M.REVIVALS)


def test_internal_choice_is_not_refined_by_external_choice_in_any_model_above_traces():
    """a -> STOP [] b -> STOP offers {a, b} where a -> STOP |~| b -> STOP must
    refuse one: the stable-failures failure (<>, Σ-{a}) of the internal choice is
    not the external choice's, whatever the finer model; the other way round
    every model agrees."""
    internal = LTS.build(5, 0, ["a", "b"], [(0, "τ", 1), (0, "τ", 2), (1, "a", 3), (2, "b", 4)])
    external = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (0, "b", 2)])
    for model in (M.REVIVALS, M.REFUSAL_TESTING):
        assert not refines(external, internal, model)
        assert refines(internal, external, model)


def test_divergence_counts_only_in_the_divergence_strict_forms():
    # a divergent process has no stable states: no failures, revivals or refusals
    assert refines(STOP, DIV, M.REVIVALS) and refines(STOP, DIV, M.REFUSAL_TESTING)
    for model in (M.REVIVALS_DIVERGENCES, M.REFUSAL_DIVERGENCES):
        result = check_refinement(STOP, DIV, model)
        assert not result.passed and result.counterexample.cycle == ("τ",)
        assert refines(DIV, TIMEOUT, model)  # after the spec diverges anything goes


def test_termination_is_autonomous_so_skip_revives_nothing():
    """SKIP and a -> STOP [] SKIP: the ✓ state is not stable, so the external
    choice has no revival (<>, X, a), and SKIP is refined by it in every model
    but traces (a is not a trace of SKIP)."""
    skip = LTS.build(2, 0, [], [(0, "✓", 1)])
    either = LTS.build(3, 0, ["a"], [(0, "a", 1), (0, "✓", 2)])
    assert not refines(skip, either, M.TRACES)
    assert refines(either, skip, M.REVIVALS) and refines(either, skip, M.REFUSAL_TESTING)


# --- an independent reference: subset construction on both sides, with the
# impl's stable offers as the refusals observed --------------------------------

def _stable_offer(lts: LTS, s: int) -> frozenset[str] | None:
    moves = lts.successors(s)
    names = frozenset(lts.labels[lab] for lab, _ in moves if lab != 0)
    return None if "✓" in names or any(lab == 0 for lab, _ in moves) else names


def _accepts(lts: LTS, s: int) -> frozenset[str] | None:
    offer = _stable_offer(lts, s)
    names = frozenset(lts.labels[lab] for lab, _ in lts.successors(s) if lab != 0)
    return frozenset({"✓"}) if "✓" in names else offer


def _reference(spec: LTS, impl: LTS, model: RefinementModel) -> bool:
    refusals = model in (M.REFUSAL_TESTING, M.REFUSAL_DIVERGENCES)
    strict = model in (M.REFUSAL_DIVERGENCES, M.REVIVALS_DIVERGENCES)

    def step(lts: LTS, now, event: str, within) -> frozenset[int]:
        return frozenset(_closure(lts, [
            d for s in now if within is None or ((o := _stable_offer(lts, s)) is not None
                                                  and o <= within)
            for lab, d in lts.successors(s) if lts.labels[lab] == event]))

    root = (frozenset(_closure(spec, [spec.initial])), frozenset(_closure(impl, [impl.initial])))
    seen, todo = {root}, [root]
    while todo:
        spec_now, now = todo.pop()
        if not now:
            continue
        if not spec_now:
            return False
        if strict and any(_diverges(spec, s) for s in spec_now):
            continue
        if strict and any(_diverges(impl, s) for s in now):
            return False
        spec_accepts = [a for s in spec_now if (a := _accepts(spec, s)) is not None]
        spec_offers = [o for s in spec_now if (o := _stable_offer(spec, s)) is not None]
        for s in now:
            a = _accepts(impl, s)
            if a is not None and not any(b <= a for b in spec_accepts):
                return False
            o = _stable_offer(impl, s)
            revived = o is None or all(any(e in b and b <= o for b in spec_offers) for e in o)
            if not refusals and not revived:
                return False
        observed = [None] + ([o for s in now if (o := _stable_offer(impl, s)) is not None]
                             if refusals else [])
        events = {impl.labels[lab] for s in now for lab, _ in impl.successors(s) if lab != 0}
        for event in events:
            for within in observed:
                nxt = (step(spec, spec_now, event, within), step(impl, now, event, within))
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
    return True


@pytest.mark.parametrize("model", [M.REVIVALS, M.REVIVALS_DIVERGENCES, M.REFUSAL_TESTING,
                                   M.REFUSAL_DIVERGENCES])
@settings(max_examples=200, deadline=None)
@given(spec=random_lts(), impl=random_lts())
def test_verdict_agrees_with_a_two_sided_subset_construction(model, spec, impl):
    assert check_refusal_refinement(spec, impl, model).passed == _reference(spec, impl, model)


@settings(max_examples=200, deadline=None)
@given(spec=random_lts(), impl=random_lts())
def test_refusal_testing_implies_revivals_implies_failures_implies_traces(spec, impl):
    # each model sees at least what the next one sees (Roscoe, UCS ch. 11)
    for chain in (CHAIN, STRICT_CHAIN):
        verdicts = [refines(spec, impl, model) for model in chain]
        for finer, coarser in itertools.pairwise(verdicts):
            assert coarser or not finer, (chain, verdicts)


@pytest.mark.parametrize("model", [M.REVIVALS, M.REFUSAL_TESTING, M.REFUSAL_DIVERGENCES])
@settings(max_examples=60, deadline=None)
@given(p=random_lts())
def test_every_process_refines_itself(model, p):
    assert refines(p, p, model)


# a -> a -> STOP against an implementation that after <a> either offers a twice
# more (state 1: <a, a, a> is a trace violation, 3 moves) or stops after a τ
# (state 2: refusing {a} after <a>, 2 moves); expanding state 1 meets the trace
# violation before state 4, of the same depth, is checked
NEARER_FAILURE = (LTS.build(3, 0, ["a"], [(0, "a", 1), (1, "a", 2)]),
                  LTS.build(5, 0, ["a"], [(0, "a", 1), (0, "a", 2), (1, "a", 2), (1, "a", 3),
                                          (2, "τ", 4), (3, "a", 2)]))
# (a -> STOP) [> (b -> STOP) against a τ to a state stable offering {a, b} (a
# revival (<>, {}, a) and, in [R=, the observation <{}, a>, both one event after
# the τ) or a τ to STOP (the failure (<>, {a, b}), the τ alone)
NEARER_THAN_A_REVIVAL = (LTS.build(4, 0, ["a", "b"], [(0, "a", 1), (0, "τ", 2), (2, "b", 3)]),
                         LTS.build(5, 0, ["a", "b"], [(0, "τ", 1), (0, "τ", 2), (1, "a", 3),
                                                      (1, "b", 4)]))


@pytest.mark.parametrize("model", [*CHAIN[:2], *STRICT_CHAIN[:2]])
def test_a_failure_one_move_nearer_than_a_trace_violation_found_first_is_the_counterexample(
        model):
    ce = check_refusal_refinement(*NEARER_FAILURE, model).counterexample
    assert (ce.trace, ce.refused, ce.full_path) == (("a",), frozenset({"a"}), ("a", "τ"))


@pytest.mark.parametrize("model", [*CHAIN[:2], *STRICT_CHAIN[:2]])
def test_a_failure_one_move_nearer_than_a_revival_or_refusal_found_first_is_the_counterexample(
        model):
    spec, impl = NEARER_THAN_A_REVIVAL
    assert refines(spec, impl, M.TRACES)  # only the refusals tell them apart
    ce = check_refusal_refinement(spec, impl, model).counterexample
    assert (ce.trace, ce.refused, ce.full_path) == ((), frozenset({"a", "b"}), ("τ",))


@pytest.mark.parametrize("model", STRICT_CHAIN[:2])
def test_a_divergence_is_worded_as_in_the_other_refinement_models(model):
    ce = check_refusal_refinement(STOP, DIV, model).counterexample
    fd = check_refinement(STOP, DIV, M.FAILURES_DIVERGENCES).counterexample
    assert (ce.trace, ce.cycle, ce.full_path) == (fd.trace, fd.cycle, fd.full_path)
    assert "can diverge (0 τ-steps, then a τ-cycle of 1) where" in ce.note


def twinned(lts: LTS) -> LTS:
    """A strongly bisimilar copy of ``lts`` in another shape: every state twice, each
    move leading to the other twin of its target, the states numbered backwards (so
    a search meets pairs in another order)."""
    n = 2 * lts.num_states

    def number(state: int, twin: int) -> int:
        return n - 1 - (state + twin * lts.num_states)

    rows = [(number(s, k), label, number(d, 1 - k))
            for s, label, d in lts.triples() for k in (0, 1)]
    return LTS.build(n, number(lts.initial, 0), lts.labels, rows)


def _shown(result) -> tuple | None:
    ce = result.counterexample
    if ce is None:
        return None
    # a divergence's τ-lasso is measured in the LTS searched (docs/checks.md)
    note = ce.note.split(" (")[0] if ce.cycle is not None else ce.note
    steps = len(ce.full_path) - (int(ce.note.split("(")[1].split(" ")[0]) if ce.cycle else 0)
    return ce.trace, ce.full_path[:steps], ce.refused, ce.accepted, note


@pytest.mark.parametrize("model", [*CHAIN[:2], *STRICT_CHAIN[:2]])
@settings(max_examples=200, deadline=None)
@given(spec=random_lts(), impl=random_lts())
def test_the_counterexample_is_the_least_of_the_shortest_whatever_the_implementations_shape(
        model, spec, impl):
    # the least path to a pair of the first violating level, then its least end
    # (docs/checks.md, "Which counterexample procalg shows"): the same on a
    # bisimilar implementation whose pairs the search meets in another order
    shown = _shown(check_refusal_refinement(spec, impl, model))
    assert _shown(check_refusal_refinement(spec, twinned(impl), model)) == shown


def test_refusal_testing_shows_the_least_observation_of_the_least_events():
    # both sides are stable offering {a} or {a, b} after a τ, and then, after a, the
    # implementation can do b, which the spec cannot: the observation before the a
    # compares {a} before {a, b}, whichever the search met first
    spec = LTS.build(4, 0, ["a", "b"], [(0, "τ", 1), (0, "τ", 2), (1, "a", 3), (2, "a", 3),
                                        (2, "b", 3)])
    for one, both in ((1, 2), (2, 1)):  # stable offering {a}, {a, b}
        impl = LTS.build(6, 0, ["a", "b"], [(0, "τ", one), (0, "τ", both), (one, "a", 3),
                                            (both, "a", 4), (both, "b", 5), (3, "b", 5),
                                            (4, "b", 5)])
        ce = check_refusal_refinement(spec, impl, M.REFUSAL_TESTING).counterexample
        assert ce.trace == ("a", "b") and ce.full_path == ("τ", "a", "b")
        assert "<refusing all but {a}, a> the implementation can do b" in ce.note, ce.note
