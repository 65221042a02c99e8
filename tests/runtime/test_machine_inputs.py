"""Input states compiled lazily step like the term rules (the oracle) on random models.

A state that is an input prefix is compiled from its events only
(``runtime/input_states.py``): each continuation is evaluated when a run takes its
event, and the diamond test skips continuations whose first channels cannot
hold the other event. Random parameterised models (inputs over one and two
fields, restrictions, fallible and never-failing activities, signals,
continuations that are prefixes of another channel or the same one, choices,
guards, ``if``, calls, parallel and sagas) are compared, state by state, with
the term rules: the batch of calls first (before any target is evaluated),
then every target, the moves and the internal move.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api import run as api
from procalg.api.model import loads
from procalg.runtime.compiled_states import CompiledStates
from procalg.runtime.input_states import LazyMoves
from procalg.runtime.machine import Machine
from procalg.runtime.units import batch
from procalg.runtime.workflow import Workflow
from procalg.semantics.sos import transitions
from procalg.terms.input import Input
from tests.runtime.test_machine import _assert_steps_like_the_rules

HEADER = """N = 2
activity a : {0..2}.{0..2}A_FAILS
activity b : {0..2}B_FAILS
signal s : {0..2}
channel c : {0..2}
"""
INPUTS = ["a!i?v", "a?u?v", "b?v", "b?v:{0, 2}", "s?v", "c?v", "c?v:{x, 1}"]
CONTINUATIONS = [
    "b.((x + v) % 3) -> L(i + 1, (x + v) % 3)",  # another channel: no evaluation needed
    "a!i!v -> L(i + 1, v)",  # the same channel as some inputs: evaluated for the test
    "L(i + 1, v)",  # a call: may start with anything
    "(v == 0 & b.v -> L(i + 1, v)) [] c.v -> L(i + 1, x)",
    "if v > x then a!i?w -> L(i + 1, w) else s.v -> L(i + 1, v)",
    "(b.v -> SKIP ||| a!i!v -> SKIP) ; L(i + 1, v)",
    "saga (b.v undo b.x ; a.i.v) ; L(i + 1, v)",
    "c!v -> b?w -> L(i + 1, w)",
]
TOPS = ["L(0, 0)", "L(1, 2)", "L(0, 1) ||| c.0 -> SKIP", "L(0, 0) [] s.2 -> SKIP", "saga L(0, 2)"]


def _header(a_fails: str, b_fails: str) -> str:
    return HEADER.replace("A_FAILS", a_fails).replace("B_FAILS", b_fails)


@st.composite
def models(draw: st.DrawFn) -> str:
    """A model of a loop ``L(i, x)`` with one or two random input prefixes."""
    branches = [f"{draw(st.sampled_from(INPUTS))} -> ({draw(st.sampled_from(CONTINUATIONS))})"
                for _ in range(draw(st.integers(1, 2)))]
    fails = [draw(st.sampled_from(["", " never fails"])) for _ in range(2)]
    return (_header(*fails)
            + f"L(i, x) = if i < N then {' [] '.join(branches)} else SKIP\n"
            + f"P = {draw(st.sampled_from(TOPS))}\n")


def _calls_before_targets(wf: Workflow, machine: Machine, limit: int = 400) -> int:
    """The batch of every reachable state, asked before any of its targets is evaluated,
    equals the batch of the rules' moves; returns the input states met."""
    system = machine.workflow.system
    unfold = getattr(getattr(system, "system", system), "spec", None)
    todo, seen, inputs = [machine.initial()], set(), 0
    while todo and len(seen) < limit:
        sid = todo.pop()
        if sid in seen:
            continue
        seen.add(sid)
        term = machine.term(sid)
        node = machine.node(sid)
        if type(term) is Input:
            inputs += type(node.moves) is LazyMoves
        reference = transitions(term, unfold.unfold if unfold else None)
        assert list(machine.calls(sid)) == batch(wf, reference), term
        assert len(node.moves) == len(reference)
        for label in node.targets:  # after the batch: each event taken, as a run takes it
            todo.extend(node.targets[label])
    return inputs


@settings(max_examples=60, deadline=None)
@given(text=models())
def test_random_parameterised_models_step_alike_through_the_lazy_machine_and_the_rules(
        text: str) -> None:
    model = loads(text)
    wf = api.workflow(model, "P")
    fresh = Workflow(wf.system, wf.channels)  # a machine of its own: nothing compiled yet
    _calls_before_targets(fresh, fresh.machine)
    assert _assert_steps_like_the_rules(wf, Machine(Workflow(wf.system, wf.channels))) > 2


def test_a_loop_waiting_on_inputs_is_compiled_lazily_and_evaluates_only_the_taken_event(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # the term path's input states (a process outside the compiled fragment steps there)
    monkeypatch.setattr(CompiledStates, "of", classmethod(lambda cls, wf: None))
    model = loads(_header("", "") + "L(i, x) = if i < N then "
                  f"a!i?v -> {CONTINUATIONS[0]} else SKIP\nP = L(0, 0)\n")
    wf = api.workflow(model, "P")
    machine = Machine(Workflow(wf.system, wf.channels))
    start = machine.initial()
    node = machine.node(start)
    assert type(node.moves) is LazyMoves and len(node.moves) == 6  # a.0.v and fail.a.0.v
    assert [(c.channel, c.given) for c in machine.calls(start)] == [("a", (0,))]
    assert len(machine) == 1  # the batch needed no continuation: b cannot start with a
    (target,) = node.targets[node.labels[0]]
    assert len(machine) == 2 and str(machine.term(target)).startswith("b.0 ->")
    assert Counter(node.moves) == Counter(transitions(machine.term(start), model.spec.unfold))
    fresh = Workflow(wf.system, wf.channels)
    assert _calls_before_targets(fresh, fresh.machine) == 4  # L(0, 0), L(1, x) for x in 0..2
