"""Compiled sagas (:mod:`procalg.semantics.linear_saga`) against the term rules (the oracle).

Every bundled model's processes that compile, and random sagas -- steps with
and without ``undo`` (events and processes), compensations that throw,
``THROW`` and fallible activities, ``;``, ``[]``, ``|~|``, ``|||`` and
``[| A |]`` of steps, ``if`` and ``let`` over steps, nested sagas, sagas in recursion,
compensations with a model error that may never run (an undefined name),
step bodies under hiding, renaming and ``|||``, steps and compensations that
are events only by their value (``if n < 2 then g else e``) --
are explored by :class:`~procalg.semantics.linear.Machine` and by the firing
rules of :mod:`procalg.semantics.saga`: strongly bisimilar LTSs, same labels,
same deadlocks. Replicated operators over steps (``; n : <0, 2> @ step``, empty
sets too) compile rather than leave the saga to the term rules.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import loads
from procalg.errors import ModelError
from procalg.lts import TAU, TICK, explore
from procalg.semantics.linear import Machine, compile_leaf
from tests.semantics.test_linear import _bisimilar, assert_compiles_like_its_terms

MODELS = Path(__file__).parents[2] / "models"

HEADER = """channel c : {0..3}
channel e, f
activity a : {0..3} attempts 2
activity g attempts 3
activity ok, u : {0..3} never fails
"""


def _processes(model):
    ev = model.spec.evaluator
    return [name for name, info in ev.functions.items()
            if info.is_process and info.arity is None and "#" not in name]


@pytest.mark.parametrize("path", ["approval", "broken_saga", "cancellable_order",
                                  "order_saga", "trip_booking"])
def test_every_bundled_saga_compiles_bisimilar_to_its_terms(path):
    model = loads((MODELS / f"{path}.proc").read_text())
    compiled = 0
    for name in _processes(model):
        call = model.process(name)
        made = compile_leaf(model.spec.evaluator, call)
        if isinstance(made, str):
            assert "Undo" in made  # only the step definitions (undo outside a saga)
            continue
        lts, reference = explore(made, max_states=10_000), explore(
            model.spec.system(call), max_states=10_000)
        assert _bisimilar(lts, reference), name
        assert lts.num_states == reference.num_states, name
        compiled += 1
    assert compiled >= 1


@cache  # one strategy object per depth
def _plain(depth: int):
    """Ordinary processes for step bodies and compensations."""
    base = st.sampled_from(["SKIP", "STOP", "THROW", "e -> SKIP", "g -> SKIP",
                            "a!n -> SKIP", "u!1 -> SKIP", "R"])
    if depth == 0:
        return base
    sub = _plain(depth - 1)
    return st.one_of(
        base,
        st.builds(lambda p: f"f -> {p}", sub),
        st.builds(lambda p: f"c?x:{{0, 1}} -> {p}", sub),
        st.builds(lambda p, q: f"({p} [] {q})", sub, sub),
        st.builds(lambda p, q: f"({p} |~| {q})", sub, sub),
        st.builds(lambda p, q: f"({p} ; {q})", sub, sub),
        # a step whose body is done under these has only its ✓ left (saga.finished)
        st.builds(lambda p: f"({p} \\ {{f}})", sub),
        st.builds(lambda p: f"({p} [[e <- f]])", sub),
        st.builds(lambda p, q: f"({p} ||| {q})", sub, sub),
    )


_EVENTS = st.sampled_from(["g", "e", "ok.2", "a.n", "u.1"])
_VALUED = st.builds(lambda x, y: f"(if n < 2 then {x} else {y})", _EVENTS, _EVENTS)
"""A step or compensation that is an event only by its value (saga_body.step_of)."""
_LATE = st.sampled_from(["Late", "(f -> Late)", "(Late [] e -> SKIP)",
                         "(if n < 2 then Late else ok.1)", "(Late ; u.1)"])
"""Compensations that reach ``Late`` (:data:`LATE`, a model error when it runs):
no error unless a rollback runs them, on the terms and on every engine."""
LATE = "Late = (SKIP ; a!m -> SKIP)\n"
"""A definition whose first event reads an undefined name ``m``."""


@cache  # one strategy object per depth
def _body(depth: int):
    """Saga bodies: steps composed by the saga operators."""
    step = st.one_of(
        st.builds(lambda p, q: f"({p}) undo ({q})", _plain(1), _plain(1)),
        st.builds(lambda q: f"a.n undo {q}",
                  st.sampled_from(["ok.n", "u.1", "THROW", "SKIP", "Late"])),
        st.sampled_from(["g", "e", "ok.2", "g undo ok.0"]),
        _VALUED,  # a pivot that is an event
        st.builds(lambda p, q: f"{p} undo {q}", _VALUED, st.one_of(_VALUED, _EVENTS)),
        st.builds(lambda p, q: f"({p}) undo {q}", _plain(1), _LATE),
        _plain(1),  # a pivot
    )
    if depth == 0:
        return step
    sub = _body(depth - 1)
    return st.one_of(
        step,
        st.builds(lambda p, q: f"({p} ; {q})", sub, sub),
        st.builds(lambda p, q: f"({p} [] {q})", sub, sub),
        st.builds(lambda p, q: f"({p} |~| {q})", sub, sub),
        st.builds(lambda p, q: f"({p} ||| {q})", sub, sub),
        st.builds(lambda p, q: f"({p} [| {{e}} |] {q})", sub, sub),
        st.builds(lambda p, q: f"(if n < 2 then {p} else {q})", sub, sub),
        st.builds(lambda p: f"(let n = (n + 1) % 3 within {p})", sub),  # steps see the new n
        st.builds(lambda p: f"saga ({p})", sub),
        st.builds(lambda op, over, p: f"({op} n : {_as(op, over)} @ {p})",  # each its own n
                  st.sampled_from([";", "[]", "|~|", "|||", "[| {e} |]"]), _OVER, sub),
    )


_OVER = st.sampled_from(["{0, 2}", "{1}", "{}"])
"""The sets a replicated operator over steps runs over, empty included."""


def _as(op: str, over: str) -> str:
    """``over`` as ``op`` takes it: a sequence for ``;``."""
    return "<" + over[1:-1] + ">" if op == ";" else over


_MODELS = st.builds(
    lambda body, after, r: f"P(n) = saga ({body}) ; {after}\nR = {r}\n{LATE}",
    _body(2),
    st.sampled_from(["SKIP", "STOP", "e -> SKIP", "P((n + 1) % 3)", "f -> P(1)"]),
    # R is global: its n is undefined (an error only where R runs: as Late)
    _plain(1),
)


@given(_MODELS, st.sampled_from(["P(0)", "P(2)"]))
@settings(max_examples=150, deadline=None)
def test_random_sagas_are_bisimilar_to_their_terms(text, start):
    assert_compiles_like_its_terms(loads(HEADER + text), start, 3_000)


@pytest.mark.parametrize("text", [
    "P(n) = saga (h undo g ; (if n < 2 then g else h) undo SKIP) ; STOP",
    "P(n) = saga (if n < 2 then g else h)",
    "P(n) = saga (h undo (if n > 2 then g else THROW) ; THROW)",
    "P(n) = saga (X(g) undo h ; X(h -> SKIP) ; THROW)\nX(x) = x",
    "P(n) = saga ((X(n) undo X(1 - n)) ; THROW)\nX(n) = if n == 0 then g else h",
    "P(n) = saga ((let x = a.n within x) undo g ; THROW)",
    "P(n) = saga (let Q = h -> SKIP within (g undo Q ; Q undo g ; THROW))",
    "P(n) = saga (let m = n + 1 within (a.m undo u.m ; THROW))",
    "P(n) = saga (Y(a) undo g ; THROW)\nY(ch) = ch.1",
])
def test_a_step_that_is_an_event_by_its_value_compiles_as_that_event_then_skip(text):
    model = loads(HEADER + "activity h\n" + text)
    assert isinstance(compile_leaf(model.spec.evaluator, model.process("P(1)")), Machine)
    assert assert_compiles_like_its_terms(model, "P(1)", 3_000) is not None


def _machine(text: str, start: str = "P") -> Machine:
    model = loads(HEADER + text)
    return Machine(model.spec.evaluator, model.process(start))


def _walk(machine: Machine, *labels: str) -> int:
    state = machine.initial_state()
    for label in labels:
        state = dict(machine.successors(state))[label]
    return state


def test_a_throw_in_a_saga_runs_the_completed_steps_compensations_last_first():
    machine = _machine("P = saga (e undo ok.1 ; f undo ok.2 ; THROW)")
    state = _walk(machine, "e", TAU, "f", TAU)
    labels = []
    while machine.successors(state):
        label, state = machine.successors(state)[0]
        labels.append(label)
    assert labels == ["compensate", "ok.2", TAU, "ok.1", "compensated", TICK]


def test_a_completed_pivot_met_by_a_rollback_is_stranded():
    machine = _machine("P = saga (e ; THROW)")
    state = _walk(machine, "e", TAU, "compensate")
    assert [label for label, _ in machine.successors(state)] == ["stranded.e"]


def test_a_compensation_that_throws_reports_its_step_unreverted_and_the_saga_fails():
    machine = _machine("P = saga (e undo THROW ; THROW)")
    state = _walk(machine, "e", TAU, "compensate", "unreverted.e", "throw")
    assert machine.successors(state) == []


def test_a_saga_in_a_loop_keeps_a_finite_machine():
    lts = explore(_machine("P(n) = saga (a.n undo ok.n ; g) ; P((n + 1) % 4)", "P(0)"))
    assert lts.num_states < 200


def test_a_parallel_sibling_that_throws_keeps_the_other_sides_installed_undo():
    machine = _machine("P = saga (e undo ok.1 ||| f -> THROW)")
    state = _walk(machine, "e", "f")  # e's ✓ not taken yet: its step has finished
    assert [label for label, _ in machine.successors(state)] == [TAU, "compensate"]
    assert [label for label, _ in machine.successors(_walk(
        machine, "e", "f", "compensate"))] == ["ok.1"]


@pytest.mark.parametrize(("text", "message"), [
    ("channel c : {0..1}\nP = saga (c undo SKIP)", "a saga step must be a process or an event"),
    ("activity a, u\nS(0) = a undo u\nP = saga (S(1))", "no clause of S matches"),
    ("activity a\nX(x) = x\nP = saga ((if 1 < 2 then X(3) else a) undo SKIP)",
     "a saga step must be a process or an event, got 3"),
    ("activity a\nX(x) = x\nP = saga (a undo X(3))", "a saga step must be a process"),
])
def test_a_bad_saga_step_is_the_term_rules_model_error(text, message):
    model = loads(text)
    for explored in (model.spec.system(model.process("P")),
                     Machine(model.spec.evaluator, model.process("P"))):
        with pytest.raises(ModelError, match=message):
            explore(explored)


def test_a_step_done_under_hiding_is_stranded_by_a_throw_beside_it_as_its_terms_say():
    # the right step's body is `SKIP \ {f}` once f happened: finished, so the
    # rollback the left throw starts reports that pivot stranded, as the terms do
    text = "P = saga ((e -> THROW) ||| ((f -> SKIP) \\ {f}))\n"
    compiled, reference = assert_compiles_like_its_terms(loads(HEADER + text), "P", 3_000)
    for lts in (compiled, reference):
        assert [x for x in lts.labels if x.startswith("stranded.")] == ["stranded.f -> SKIP \\ {f}"]


@pytest.mark.parametrize("text", [
    "P = saga (; x : <0, 1, 2> @ (a.x undo u.x) ; THROW)",
    "P = saga ((||| x : {0..2} @ a.x undo u.x) ; g)",
    "P = saga ([| {e} |] x : {0, 1} @ (e -> a.x -> SKIP) undo u.x)",
    "P = saga (([] x : {0..2} @ a.x) ; g)",
    "P = saga ((|~| x : {0, 1} @ a.x undo THROW) ; g)",
    "P = saga ((; x : <> @ a.x undo THROW) ; g)",
    "P = saga (([] x : {} @ a.x undo THROW) ; g)",
    "P(n) = saga (; x : <n, n + 1> @ S(x)) ; P((n + 1) % 2)\nS(x) = a.x undo u.x",
])
def test_a_replicated_operator_over_saga_steps_compiles_bisimilar_to_its_terms(text):
    model = loads(HEADER + text)
    start = "P(0)" if text.startswith("P(n)") else "P"
    assert isinstance(compile_leaf(model.spec.evaluator, model.process(start)), Machine)
    assert assert_compiles_like_its_terms(model, start, 3_000) is not None


def test_a_sequence_of_steps_over_a_sequence_undoes_them_last_first():
    machine = _machine("P = saga ((; x : <1, 2> @ a.x undo u.x) ; THROW)")
    state = _walk(machine, "a.1", TAU, "a.2", TAU, "compensate")
    labels = []
    while machine.successors(state):
        label, state = machine.successors(state)[0]
        labels.append(label)
    assert labels == ["u.2", TAU, "u.1", "compensated", TICK]


def test_a_replicated_internal_choice_of_steps_over_nothing_is_the_term_rules_error():
    model = loads(HEADER + "P = saga ((|~| x : {} @ a.x) ; g)")
    for explored in (model.spec.system(model.process("P")),
                     Machine(model.spec.evaluator, model.process("P"))):
        with pytest.raises(ModelError, match=r"replicated \|~\| over an empty set"):
            explore(explored)
