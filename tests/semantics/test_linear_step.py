"""Generated next-state functions against the machine's own rules and the term rules.

:mod:`procalg.semantics.linear_step` writes a Python function per definition
body; it must give exactly what :meth:`Machine._moves` gives (the same moves
in the same order, the same state keys numbered in the same order, the same
error in the same state), so a machine with its generated steps and one
without explore to identical LTSs. Random data definitions (guards, ``if``,
``%``, ``/``, arithmetic, outputs, inputs, choices, calls with arguments)
are also checked against the term rules (the oracle) and, as whole models,
on the product engine against the reference engine: same verdicts, same
shortest counterexamples, same errors.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.errors import LimitExceeded, ModelError, ProcalgError
from procalg.lts import explore
from procalg.semantics.linear import Machine
from procalg.semantics.locations import Unsupported
from tests.semantics.random_processes import Grammar, guarded, process
from tests.semantics.test_linear import assert_compiles_like_its_terms

HEADER = "channel c, d : {0..3}\nchannel w : {0..9}\nchannel e, f\n"

DATA = Grammar(
    atoms=("STOP", "SKIP"),
    operators=(
        "e -> {p}",
        "c!{v} -> {p}",
        "w!({v} + 4) -> {p}",
        "d?{x} -> {px}",
        "({b}) & ({p})",
        "(if {b} then {p} else {q})",
        "({p} [] {q})",
        "({p} |~| {q})",
    ),
    calls=("P({v}, {w})", "Q({v})", "R"),
    numbers=("0", "1", "2", "3", "-1"),
    arithmetic=("+", "*", "-", "%", "/"),
    comparisons=("<", "==", "!=", ">=", ">"),
    binders="xy",
)
"""Data definitions: arithmetic with ``%`` and ``/`` (so division by zero and values
outside a channel's type happen), guards, ``if``, outputs, inputs, choices, calls."""

_HEADS = ("e", "f", "c!0", "d!1")

_MODELS = st.builds(
    lambda p, q, r: f"P(n, m) = {p}\nQ(n) = {q}\nR = {r}\n",
    st.one_of(guarded(DATA, _HEADS, ("n", "m")), process(DATA, ("n", "m"), 3)),
    st.one_of(guarded(DATA, _HEADS, ("n",)), process(DATA, ("n",), 3)),
    guarded(DATA, _HEADS),
)
_STARTS = st.sampled_from(["P(0, 1)", "P(3, 2)", "Q(2)", "R"])


def _plain(machine: Machine) -> Machine:
    """``machine`` without its generated functions: every state by ``_moves``."""
    machine._step_of = {}  # type: ignore[attr-defined]
    machine.steps.step = lambda node: None  # type: ignore[method-assign]
    return machine


def _explored(model, start: str, steps: bool, all_args: bool = False):
    """The LTS (and the keys) of ``start``'s machine, or the error exploring it raised."""
    try:
        machine = Machine(model.spec.evaluator, model.process(start), all_args=all_args)
    except Unsupported as why:
        return why.reason
    except ProcalgError as err:  # the start's key evaluates its body
        return type(err), str(err)
    if not steps:
        _plain(machine)
    try:
        lts = explore(machine, max_states=3_000)
    except (ProcalgError, RecursionError) as err:
        return type(err), str(err)
    return sorted(lts.triples()), lts.num_states, machine.keys


@given(_MODELS, _STARTS, st.booleans())
@settings(max_examples=100, deadline=None)
def test_generated_steps_explore_exactly_as_the_machines_own_rules(text, start, all_args):
    model = loads(HEADER + text)
    try:
        model.process(start)
    except ModelError:
        return
    assert _explored(model, start, True, all_args) == _explored(model, start, False, all_args)


@given(_MODELS, _STARTS)
@settings(max_examples=60, deadline=None)
def test_data_definitions_with_generated_steps_are_bisimilar_to_their_terms(text, start):
    assert_compiles_like_its_terms(loads(HEADER + text), start, 3_000)


def _verdicts(text: str, engine: CheckEngine) -> list:
    try:
        found = list(check_model(loads(text), options=SearchOptions(engine=engine,
                                                                   max_states=3_000)))
    except LimitExceeded:
        return ["limit"]
    return [(r.result, r.check and r.check.counterexample and
             len(r.check.counterexample.full_path or r.check.counterexample.trace),
             r.error and type(r.error).__name__) for r in found]


_CHOICE_ERROR = "P(n, m) = STOP\nQ(n) = e -> P((n % n), 1)\nR = e -> (STOP |~| Q(0))\n"
"""The drawn shape (``docs/checks.md``, "Model errors"): ``Q(0)``'s body divides by zero;
the term rules unfold it with the internal choice, so the error is the choice's state's,
a level before the deadlock ``STOP``."""


@given(_MODELS, _STARTS)
@example(_CHOICE_ERROR, "R")
@settings(max_examples=30, deadline=None)
def test_the_product_engine_gives_the_reference_verdicts_counterexamples_and_errors(text, start):
    model = HEADER + text + f"assert {start} :[deadlock free]\n"
    try:
        loads(model)
    except ModelError:
        return
    product, reference = _verdicts(model, CheckEngine.AUTO), _verdicts(model, CheckEngine.REFERENCE)
    if "limit" in (product[:1] + reference[:1]):
        return
    assert product == reference


# ------------------------------------------------------------------ fixed examples

COUNTER = "N = 7\nchannel c : {0..N-1}\nchannel d\nP(n) = c!n -> d -> P((n + 1) % N)\n"


def test_the_counter_runs_on_one_generated_function_per_state_location():
    model = loads(COUNTER)
    machine = Machine(model.spec.evaluator, model.process("P(0)"))
    lts = explore(machine)
    assert lts.num_states == 14
    assert machine.steps.bodies["P"] is not None
    assert machine.keys[:3] == [("call", "P", (0,)), ("→", machine.events["d"],
                                                       ("call", "P", (1,))), ("call", "P", (1,))]


def test_two_machines_of_one_definition_share_its_compiled_code_and_step_their_own_values():
    # each leaf of a definition has its machine: the text written is the same, so it
    # is compiled once; the values (its globals) stay each machine's own
    model = loads(COUNTER + "Q(n) = c!n -> (d -> Q(n) [] c!0 -> Q((n + 2) % N))\n")
    first, second, other = (Machine(model.spec.evaluator, model.process(start))
                            for start in ("P(0)", "P(3)", "Q(1)"))
    assert [explore(m).num_states for m in (first, second)] == [14, 14]
    assert first.steps.bodies["P"].__code__ is second.steps.bodies["P"].__code__
    assert first.steps.bodies["P"] is not second.steps.bodies["P"]
    assert first.keys[0] == ("call", "P", (0,)) and second.keys[0] == ("call", "P", (3,))
    assert [e for e, _ in first.successors(0)] == ["c.0"]
    assert [e for e, _ in second.successors(0)] == ["c.3"]
    explore(other)
    assert other.steps.bodies["Q"].__code__ is not first.steps.bodies["P"].__code__


@pytest.mark.parametrize(("body", "message"), [
    ("c!(n + 5) -> P(n + 1)", "c"),  # a value outside the channel's type
    ("c!n -> P((n + 1) % 4 + 0 / (2 - n))", "zero"),  # division by zero, at n = 2
    ("(n + true) > 1 & c!0 -> P(n)", "+"),  # a type error in a guard
])
def test_a_model_error_is_raised_in_the_state_the_machines_rules_raise_it(body, message):
    model = loads(f"channel c : {{0..3}}\nP(n) = {body}\n")
    fast, slow = (_explored(model, "P(0)", steps) for steps in (True, False))
    assert fast == slow
    assert issubclass(fast[0], ModelError) and message in fast[1]


def test_an_error_past_the_deadlock_is_no_error_on_either_engine():
    text = ("channel c : {0..3}\nchannel e\n"
            "P(n) = c!n -> P(n + 1) [] n == 1 & e -> STOP\nassert P(0) :[deadlock free]\n")
    product, reference = (_verdicts(text, engine) for engine in
                          (CheckEngine.AUTO, CheckEngine.REFERENCE))
    assert product == reference == [("fail", 2, None)]  # c.0, e: then STOP


@pytest.mark.parametrize("choice", [
    "STOP |~| Q(0)",  # the drawn case
    "|~| x : {0, 1} @ (if x == 0 then STOP else Q(x - 1))",  # a replicated one
    "(f -> STOP) [> Q(0)",  # a timeout's right side: f leads to a deadlock
    "(STOP |~| Q(0)) ||| f -> STOP",  # an operand of a parallel in a leaf
])
def test_an_error_in_an_operand_a_tau_reaches_is_the_choices_on_both_engines(choice):
    # the term rules unfold both sides of |~| and a timeout's right side with the
    # operator, so Q(0)'s error is the state after e's: a deadlock one level further
    # (after e and a τ, or after f, f) is never reached
    text = (HEADER + "P(n, m) = STOP\nQ(n) = e -> P((n % n), 1)\n"
            f"R = (f -> f -> STOP) [] e -> ({choice})\nassert R :[deadlock free]\n")
    found = [list(check_model(loads(text), options=SearchOptions(engine=engine)))
             for engine in (CheckEngine.AUTO, CheckEngine.PRODUCT, CheckEngine.REFERENCE)]
    assert [r.result for run in found for r in run] == ["error"] * 3
    assert len({str(run[0].error) for run in found}) == 1
    assert "division by zero" in str(found[0][0].error)


def test_an_error_before_any_deadlock_is_the_reference_error_on_the_product_engine():
    text = "channel c : {0..3}\nP(n) = c!(n / (2 - n)) -> P(n + 1)\nassert P(0) :[deadlock free]\n"
    product = list(check_model(loads(text)))
    reference = list(check_model(loads(text),
                                 options=SearchOptions(engine=CheckEngine.REFERENCE)))
    assert str(product[0].error) == str(reference[0].error) != "None"


_EVENT_BEFORE_ARGUMENTS = "channel c : {0..3}\nchannel f\nQ(n) = f -> c!(1 % n) -> Q(n % n)\n"
"""A drawn shape: expanding ``Q(0)`` makes the target ``c!(1 % 0) -> Q(0 % 0)``, whose
event and continuation's argument both divide by zero; the rules evaluate the event first."""


def test_a_prefix_targets_event_fails_before_its_continuations_arguments_on_every_engine():
    model = loads(_EVENT_BEFORE_ARGUMENTS)
    fast, slow = (_explored(model, "Q(2)", steps) for steps in (True, False))
    assert fast == slow
    text = _EVENT_BEFORE_ARGUMENTS + "assert Q(2) :[deadlock free]\n"
    found = [str(r.error).splitlines()[0] for engine in
             (CheckEngine.AUTO, CheckEngine.PRODUCT, CheckEngine.REFERENCE)
             for r in check_model(loads(text), options=SearchOptions(engine=engine))]
    assert found == ["<input>:3:16: error: division by zero"] * 3  # 1 % n, not n % n (3:28)
