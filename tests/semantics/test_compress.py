"""Compression functions: each result keeps the semantics it promises, and sbisim is minimal."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api import check_model, loads
from procalg.checks.equivalence import check_equivalence
from procalg.checks.refinement import check_refinement
from procalg.errors import ModelError
from procalg.lts import explore
from procalg.lts.partition import minimize
from procalg.semantics.compress import compress
from procalg.semantics.sos import Rules
from procalg.terms import (
    SKIP,
    STOP,
    Event,
    ExternalChoice,
    Hide,
    InternalChoice,
    Parallel,
    Prefix,
    Process,
    Seq,
)

EVENTS = [Event("a"), Event("b"), Event("c")]
alphabets = st.frozensets(st.sampled_from(EVENTS))
terms = st.recursive(
    st.sampled_from([STOP, SKIP]),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(EVENTS), inner).map(lambda t: Prefix(*t)),
        st.tuples(inner, inner).map(lambda t: ExternalChoice(*t)),
        st.tuples(inner, inner).map(lambda t: InternalChoice(*t)),
        st.tuples(inner, inner).map(lambda t: Seq(*t)),
        st.tuples(inner, inner, alphabets).map(lambda t: Parallel(*t)),
        st.tuples(inner, alphabets).map(lambda t: Hide(*t)),
    ),
    max_leaves=8,
)


class _System:
    def __init__(self, term: Process) -> None:
        self.rules, self.term = Rules(None), term

    def initial_state(self) -> Process:
        return self.rules.normalise(self.term)

    def successors(self, state: Process):
        return self.rules.transitions(state)


def _lts(term: Process):
    return explore(_System(term))


@settings(max_examples=120, deadline=None)
@given(terms)
def test_sbisim_is_strongly_bisimilar_and_has_the_minimal_number_of_states(term) -> None:
    original, reduced = _lts(term), _lts(compress("sbisim", term, None))
    assert check_equivalence(original, reduced, "strong").passed
    assert reduced.num_states == _minimal_with_omega(original)


def _minimal_with_omega(lts, kind: str = "strong") -> int:
    """States of the strong quotient, counted as a process's LTS has them: a ✓ always
    enters Ω, a state of its own (the quotient may merge Ω with a deadlocked STOP)."""
    quotient = minimize(lts, kind)
    entered = {quotient.initial} | {d for _, lab, d in quotient.triples() if lab != "✓"}
    ticks = any(lab == "✓" for _, lab, _ in quotient.triples())
    return len(entered) + int(ticks)


@settings(max_examples=80, deadline=None)
@given(terms)
def test_wbisim_is_weakly_bisimilar(term) -> None:
    reduced = _lts(compress("wbisim", term, None))
    assert check_equivalence(_lts(term), reduced, "weak").passed
    assert reduced.num_states == _minimal_with_omega(_lts(term), "weak")


@settings(max_examples=80, deadline=None)
@given(terms)
def test_normal_and_tau_loop_factor_are_failures_divergences_equivalent(term) -> None:
    original = _lts(term)
    for name in ("normal", "tau_loop_factor", "explicate"):
        reduced = _lts(compress(name, term, None))
        assert check_refinement(original, reduced, "FD").passed, name
        assert check_refinement(reduced, original, "FD").passed, name


def test_tau_loop_factor_keeps_divergence_as_a_self_loop() -> None:
    model = loads("channel a, b\nX = a -> X\nD = tau_loop_factor((X ||| X) \\ {a})\n")
    lts = model.lts("D")
    assert lts.num_states == 1 and list(lts.triples()) == [(0, "τ", 0)]


def test_compressed_processes_compose_like_the_original_in_a_model() -> None:
    model = loads("""\
channel a, b, c
P = a -> b -> P [] a -> (b -> P [] b -> P) [] c -> STOP
Q = a -> b -> Q
assert sbisim(P) [| {a, b} |] Q = P [| {a, b} |] Q :[strong]
assert sbisim(P) :[deadlock free]
assert normal(P) [FD= P
assert P [FD= normal(P)
""")
    assert [r.result for r in check_model(model)] == ["pass", "fail", "pass", "pass"]
    # P, b -> P, b -> P [] b -> P, STOP; the two after a are strongly bisimilar
    assert model.lts("P").num_states == 4
    assert model.lts("sbisim(P)").num_states == 3


def test_equal_compressions_are_the_same_states() -> None:
    model = loads("channel a\nP = a -> a -> P\n")
    assert model.lts("sbisim(P) ||| sbisim(P)").num_states == 1


@pytest.mark.parametrize(("text", "message"), [
    ("Q = sbisim(1)", "needs a process"),
    ("Q = sbisim(P, P)", "takes 1 argument"),
])
def test_misuse_is_a_model_error(text, message) -> None:
    with pytest.raises(ModelError, match=message):
        loads(f"channel a\nP = a -> P\n{text}\n")
