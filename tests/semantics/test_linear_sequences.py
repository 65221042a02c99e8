"""Compiled ``;``, ``THROW`` and fallible activities against the term rules (the oracle).

Random parameterised models mixing sequential composition (also under
choice, in recursion and nested), ``THROW`` and prefixes of fallible
activities (outputs and inputs, each offering ``fail.c.v -> THROW``) with
the fragment :mod:`tests.semantics.test_linear` covers are explored by
:class:`~procalg.semantics.linear.Machine` and by the firing rules of
:mod:`procalg.semantics.sos`: strongly bisimilar LTSs, same labels, same
deadlocks.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import loads
from procalg.lts import TAU, TICK, explore
from procalg.semantics.linear import Machine
from procalg.semantics.locations import Unsupported
from tests.semantics.random_processes import Grammar, models
from tests.semantics.test_linear import _bisimilar, assert_compiles_like_its_terms

HEADER = """channel c : {0..3}
channel e
activity a : {0..3} attempts 2
activity g attempts 3
activity ok : {0..3} never fails
"""


SEQUENCES = Grammar(
    atoms=("STOP", "SKIP", "THROW"),
    operators=(
        "e -> {p}",
        "g -> {p}",
        "a!{v} -> {p}",
        "ok!{v} -> {p}",
        "a?{x} -> {px}",
        "c?{x}:{{0, 2}} -> {px}",
        "({p} ; {q})",
        "({p} [] {q})",
        "({p} |~| {q})",
        "(if {v} < 2 then {p} else {q})",
    ),
)
"""Sequences, ``THROW`` and fallible activities, with prefixes, inputs and choices."""

_MODELS = models(SEQUENCES, ("e", "g", "a.1"))


@given(_MODELS, st.sampled_from(["P(0)", "P(2)", "R"]))
@settings(max_examples=200, deadline=None)
def test_sequences_throws_and_fallible_activities_are_bisimilar_to_their_terms(text, start):
    assert_compiles_like_its_terms(loads(HEADER + text), start, 2_000)


def _compiled(text: str, start: str) -> Machine:
    model = loads(HEADER + text)
    return Machine(model.spec.evaluator, model.process(start))


def test_a_fallible_activity_offers_its_failure_into_throw():
    lts = explore(_compiled("P = a!1 -> SKIP", "P"))
    assert sorted(set(lts.labels) - {TAU, TICK}) == ["a.1", "fail.a.1", "throw"]


def test_an_activity_that_never_fails_offers_no_failure():
    lts = explore(_compiled("P = ok!1 -> SKIP", "P"))
    assert "fail.ok.1" not in lts.labels


def test_a_sequence_turns_the_first_parts_tick_into_tau():
    machine = _compiled("P = e -> SKIP ; ok.2 -> P", "P")
    after_e = dict(machine.successors(machine.initial_state()))["e"]
    assert [label for label, _ in machine.successors(after_e)] == [TAU]


def test_a_throw_inside_a_sequence_ends_everything():
    model = loads(HEADER + "P = (g -> SKIP ; e -> SKIP) ; e -> P")
    machine = Machine(model.spec.evaluator, model.process("P"))
    reference = explore(model.spec.system(model.process("P")))
    assert _bisimilar(explore(machine), reference)
    failed = dict(machine.successors(machine.initial_state()))["fail.g"]
    thrown = dict(machine.successors(failed))["throw"]
    assert machine.successors(thrown) == []


def test_recursion_through_a_sequence_reaches_finitely_many_states():
    lts = explore(_compiled("P(n) = ok!n -> SKIP ; P((n + 1) % 4)", "P(0)"))
    assert lts.num_states <= 16


def test_a_sequences_first_tick_under_external_choice_is_a_tau_that_keeps_it_open():
    machine = _compiled("P = (SKIP ; e -> STOP) [] a!1 -> STOP", "P")
    moves = machine.successors(machine.initial_state())
    assert [label for label, _ in moves] == [TAU, "a.1", "fail.a.1"]
    assert [label for label, _ in machine.successors(moves[0][1])] == ["e", "a.1", "fail.a.1"]


def test_a_partial_machine_refuses_a_construct_only_where_a_state_reaches_it():
    # a replicated sequential composition is outside the machines' fragment
    text = "P(n) = e -> (if n < 2 then a!n -> P(n + 1) else (; x : <0, 1> @ g -> SKIP))"
    model = loads(HEADER + text)
    with pytest.raises(Unsupported):
        Machine(model.spec.evaluator, model.process("P(0)"))
    machine = Machine(model.spec.evaluator, model.process("P(0)"), partial=True)
    state = machine.initial_state()  # not always 0: a body-keyed call numbers its body first
    for label in ("e", "a.0", "e", "a.1", "e"):
        state = dict(machine.successors(state))[label]
    with pytest.raises(Unsupported, match="operator ;"):
        machine.successors(state)


@pytest.mark.parametrize("text", [
    "N = A ; a!1 -> STOP\nA = e -> SKIP |~| e -> A",
    "N = A ; a!1 -> N\nA = e -> SKIP [] g -> A",
])
def test_a_call_whose_body_is_a_sequence_is_keyed_by_the_sequences_state(text):
    # N's call and the ; it unfolds to are one term: one state, as the term rules have
    model = loads(HEADER + text)
    machine = Machine(model.spec.evaluator, model.process("N"))
    reference = explore(model.spec.system(model.process("N")), max_states=100)
    compiled = explore(machine, max_states=100)
    assert _bisimilar(compiled, reference)
    assert compiled.num_states == reference.num_states
