"""Compiled interrupt, timeout and open choice (:mod:`procalg.semantics.linear_operators`)
against the term rules (the oracle).

Random parameterised processes mixing ``/\\``, ``[>`` with the fragment's
prefixes, inputs, choices, ``;``, ``THROW``, fallible activities and sagas
(in recursion and nested) are explored by
:class:`~procalg.semantics.linear.Machine` and by :mod:`procalg.semantics.sos`:
strongly bisimilar LTSs, same labels, same deadlocks. External choices whose
operands start with τ (``|~|``, hiding, ``SKIP ;``, a timeout, a saga, a
replicated choice over such bodies) are drawn on purpose: the same, and as
many states as the terms.
"""

from __future__ import annotations

from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import loads
from procalg.lts import TAU, TICK, explore
from procalg.semantics.linear import Machine
from tests.semantics.random_processes import Grammar, models, process
from tests.semantics.test_linear import assert_compiles_like_its_terms

HEADER = """channel c : {0..3}
channel e, f
activity a : {0..3} attempts 2
activity ok : {0..3} never fails
"""


OPERATORS = Grammar(
    atoms=("STOP", "SKIP", "THROW"),
    operators=(
        "e -> {p}",
        "f -> {p}",
        "a!{v} -> {p}",
        "c?{x}:{{0, 2}} -> {px}",
        "({p} /\\ {q})",
        "({p} [> {q})",
        "({p} ; {q})",
        "({p} [] {q})",
        "({p} |~| {q})",
        "(if {v} < 2 then {p} else {q})",
        "saga (a.1 undo ok.1 ; ({p}))",
    ),
)
"""Interrupt and timeout with prefixes, inputs, choices, ``;``, ``THROW`` and sagas."""

_MODELS = models(OPERATORS, ("e", "f", "a.1"))


@given(_MODELS, st.sampled_from(["P(0)", "P(2)", "R"]))
@settings(max_examples=200, deadline=None)
def test_interrupts_and_timeouts_are_bisimilar_to_their_terms(text, start):
    assert_compiles_like_its_terms(loads(HEADER + text), start, 400)


@cache  # one strategy object per scope and depth
def _opening(names: tuple[str, ...], depth: int):
    """A process whose first moves may include τ (then it keeps a ``[]`` open)."""
    sub = process(OPERATORS, names, depth)
    return st.one_of(
        st.builds(lambda p, q: f"({p} |~| {q})", sub, sub),
        st.builds(lambda p: f"(({p}) \\ {{e}})", sub),
        st.builds(lambda p: f"(SKIP ; {p})", sub),
        st.builds(lambda p, q: f"({p} [> {q})", sub, sub),
        st.builds(lambda p: f"saga (({p}) ; a.1 undo ok.1)", sub),
        st.builds(lambda p, q: f"([] x : {{0, 2}} @ (c!x -> {p} |~| {q}))", sub, sub),
    )


@cache
def _choosing(names: tuple[str, ...], depth: int):
    """An external choice with an operand that may start with τ, in any position."""
    if depth == 0:
        return _opening(names, 0)
    sub = _choosing(names, depth - 1)
    either = st.one_of(sub, _opening(names, depth - 1), process(OPERATORS, names, depth - 1))
    return st.one_of(
        st.builds(lambda p, q: f"({p} [] {q})", sub, either),
        st.builds(lambda p, q: f"({p} [] {q})", either, sub),
        st.builds(lambda p: f"e -> {p}", sub),
        st.builds(lambda p: f"([] x : {{0..2}} @ (c!x -> SKIP |~| {p}))", sub),
    )


def _choosing_models(names: tuple[str, ...]):
    return st.builds(lambda p, r: f"P(n) = {p}\nR = {r}\n", _choosing(names, 2),
                     st.builds(lambda p: f"f -> {p}", _choosing((), 1)))


@given(_choosing_models(("n",)), st.sampled_from(["P(0)", "P(2)", "R"]))
@settings(max_examples=150, deadline=None)
def test_a_choice_kept_open_by_tau_is_bisimilar_to_its_terms(text, start):
    assert_compiles_like_its_terms(loads(HEADER + text), start, 400)


@given(_choosing_models(()), st.sampled_from(["P(0)", "R"]))
@settings(max_examples=150, deadline=None)
def test_a_choice_kept_open_by_tau_has_no_more_states_than_its_terms(text, start):
    # P never reads n: its calls are one state whatever their arguments, as the
    # terms are (a machine keys calls by the arguments read, not by unfolded bodies).
    # Fewer when two nestings of one choice meet: (A [] B) [] C and A [] (B [] C) are
    # one flat state, two terms (test_two_nestings_of_one_open_choice_are_one_state)
    both = assert_compiles_like_its_terms(loads(HEADER + text), start, 400)
    if both is not None:
        compiled, reference = both
        assert compiled.num_states <= reference.num_states


def _machine(text: str) -> Machine:
    model = loads(HEADER + text)
    return Machine(model.spec.evaluator, model.process("P"))


def test_an_interrupts_first_event_takes_over_and_its_left_side_is_gone():
    machine = _machine("P = (e -> e -> STOP) /\\ (f -> SKIP)")
    after_e = dict(machine.successors(machine.initial_state()))["e"]
    after_f = dict(machine.successors(after_e))["f"]
    assert [label for label, _ in machine.successors(after_f)] == [TICK]


def test_the_left_sides_tick_ends_an_interrupt():
    machine = _machine("P = SKIP /\\ (f -> STOP)")
    assert sorted(label for label, _ in machine.successors(machine.initial_state())) == [
        "f", TICK]


def test_a_timeout_offers_its_left_side_and_a_tau_to_the_right():
    machine = _machine("P = (e -> STOP) [> (f -> STOP)")
    moves = machine.successors(machine.initial_state())
    assert [label for label, _ in moves] == ["e", TAU]
    assert [label for label, _ in machine.successors(moves[1][1])] == ["f"]


def test_a_timeouts_tau_under_external_choice_keeps_the_other_side_offered():
    machine = _machine("P = ((e -> STOP) [> STOP) [] f -> STOP")
    moves = machine.successors(machine.initial_state())
    assert [label for label, _ in moves] == ["e", TAU, "f"]
    assert [label for label, _ in machine.successors(moves[1][1])] == ["f"]


def test_an_internal_choice_under_external_choice_is_one_state_per_term():
    text = "P = (e -> P |~| f -> STOP) [] c?x:{0, 1} -> P"
    model = loads(HEADER + text)
    machine = Machine(model.spec.evaluator, model.process("P"))
    compiled, reference = explore(machine), explore(model.spec.system(model.process("P")))
    assert compiled.num_states == reference.num_states == 4  # P, its two τ-targets, STOP
    after_tau = [t for label, t in machine.successors(machine.initial_state()) if label == TAU]
    assert [sorted(label for label, _ in machine.successors(t)) for t in after_tau] == [
        ["c.0", "c.1", "e"], ["c.0", "c.1", "f"]]


def _choice_states(text: str, start: str = "P") -> tuple[int, int, int]:
    """The open-choice states a machine makes exploring ``start``, the states it
    reaches, and the states the term rules reach (each is explored)."""
    model = loads(HEADER + text)
    machine = Machine(model.spec.evaluator, model.process(start))
    compiled = explore(machine, max_states=1_000)
    reference = explore(model.spec.system(model.process(start)), max_states=1_000)
    made = sum(1 for key in machine.keys if key[0] == "choice")
    return made, compiled.num_states, reference.num_states


def test_a_nested_open_choice_is_one_state_per_tuple_of_operand_states_as_its_terms():
    # 3 × 3 choice states and STOP; a state per inner choice too would make 18
    text = "P = (e -> P |~| f -> STOP) [] (c!0 -> P |~| c!1 -> STOP) [] c!2 -> STOP"
    assert _choice_states(text) == (9, 10, 10)


def test_a_replicated_open_choice_inside_a_binary_one_is_flattened_into_it():
    text = "P = ([] x : {0, 1} @ (c!x -> P |~| e -> STOP)) [] (f -> P |~| c!3 -> STOP)"
    assert _choice_states(text) == (27, 28, 28)


def test_a_nested_open_choice_behind_a_guard_that_holds_is_flattened():
    text = ("P(n) = (n < 2 & ((e -> P(n) |~| f -> STOP) [] c!2 -> STOP))"
            " [] (c!0 -> P(n) |~| c!1 -> STOP)")
    assert _choice_states(text, "P(0)") == (9, 10, 10)


def test_a_tau_to_an_open_choice_joins_its_operands_to_the_outer_choice():
    # the τ of e's side leads to (f |~| c.3) [] c.2: its operands join e's sibling
    text = ("P = (e -> P |~| ((f -> P |~| c!3 -> STOP) [] c!2 -> STOP))"
            " [] (c!0 -> P |~| c!1 -> STOP)")
    made, compiled, reference = _choice_states(text)
    assert compiled == reference
    assert made <= reference
    model = loads(HEADER + text)
    machine = Machine(model.spec.evaluator, model.process("P"))
    explore(machine, max_states=1_000)
    assert max(len(key) for key in machine.keys if key[0] == "choice") == 4  # 3 operands


def test_two_nestings_of_one_open_choice_are_one_state():
    # (STOP [] STOP) [] R after P's τs, STOP [] (STOP [] R) after R's (a replicated
    # choice is a balanced tree): two terms, one flat state (strongly bisimilar)
    text = ("P = (([] x : {0, 2} @ (c!x -> R |~| STOP)) [] (R |~| R))\n"
            "R = f -> ([] x : {0..2} @ (c!x -> SKIP |~| (STOP |~| R)))\n")
    both = assert_compiles_like_its_terms(loads(HEADER + text), "P", 400)
    assert both is not None
    compiled, reference = both
    assert compiled.num_states == reference.num_states - 1
