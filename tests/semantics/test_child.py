"""Child workflows in the model: ``child(P(x))`` is ``P(x)`` inlined, then one outcome event.

The oracle is the child process's own LTS by the term rules: every maximal
trace of ``child(K)`` is ``K.started`` (the parent's commitment to start it)
then a maximal trace of ``K`` whose ending (✓ or ``throw``) is replaced by the
outcome event the engine would report for a run of ``K`` that ended that way,
then the parent's reaction.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from procalg.api.model import loads
from procalg.errors import ModelError
from procalg.lts import explore
from procalg.runtime.decide import outermost_compensated
from procalg.semantics.child import OpaqueChildren, opaque, rolled_back
from procalg.semantics.system import TermSystem
from procalg.terms import SKIP, STOP, Call, Event, Prefix, Seq
from procalg.terms.child import ChildRun, child_outcome, outcome_event
from procalg.terms.saga import THROW, Compensated, Saga, Step
from tests.semantics.test_saga_properties import Leaf, Node, build, maximal_traces, trees

K = Call("K")


def _child_lts(body, completed=SKIP, compensated=SKIP, failed=SKIP):
    term = ChildRun("K", (), K, completed, compensated, failed)
    return explore(TermSystem(term, {K: body}.__getitem__))


def _expected(body) -> set[tuple[str, ...]]:
    """``K.started``, then ``K``'s maximal traces with their ending replaced by the outcome,
    then SKIP's ✓."""
    out = set()
    for trace in maximal_traces(explore(TermSystem(body))):
        if trace and trace[-1] == "✓":
            outcome = "compensated" if "compensated" in trace else "completed"
        elif trace and trace[-1] == "throw":
            outcome = "failed"
        else:  # K deadlocks: so does the child, and no outcome is reported
            out.add(("K.started", *trace))
            continue
        out.add(("K.started", *trace[:-1], f"K.{outcome}", "✓"))
    return out


@settings(max_examples=60, deadline=None)
@given(trees)
def test_a_child_saga_inlined_has_the_sagas_traces_then_its_outcome(tree: Leaf | Node) -> None:
    body = Saga(build(tree, []))
    assert set(maximal_traces(_child_lts(body))) == _expected(body)


@settings(max_examples=40, deadline=None)
@given(trees)
def test_a_child_that_throws_outside_a_saga_reports_failed(tree: Leaf | Node) -> None:
    body = Seq(Saga(build(tree, [])), THROW)  # the throw ends the child, not the parent
    traces = set(maximal_traces(_child_lts(body)))
    assert traces == _expected(body)
    assert all(t[-2] == "K.failed" for t in traces if t and t[-1] == "✓")


def test_the_outcome_event_leads_to_the_parents_reaction() -> None:
    a, b, c = Event("a"), Event("b"), Event("c")
    reactions = (Prefix(a, SKIP), Prefix(b, SKIP), Prefix(c, SKIP))
    done = maximal_traces(_child_lts(SKIP, *reactions))
    undone = maximal_traces(_child_lts(Saga(Step(THROW, None, "t")), *reactions))
    failed = maximal_traces(_child_lts(THROW, *reactions))
    assert (done, undone, failed) == ([("K.started", "K.completed", "a", "✓")],
                                      [("K.started", "compensate", "compensated",
                                        "K.compensated", "b", "✓")],
                                      [("K.started", "K.failed", "c", "✓")])


def test_a_child_that_goes_on_after_its_saga_rolled_back_still_ends_compensated() -> None:
    body = Seq(Saga(Step(THROW, None, "t")), Prefix(Event("log"), SKIP))
    assert maximal_traces(_child_lts(body)) == [("K.started", "compensate", "compensated",
                                                 "log", "K.compensated", "✓")]


def test_a_deadlocked_child_deadlocks_its_parent_in_the_model() -> None:
    assert maximal_traces(_child_lts(Prefix(Event("a"), STOP))) == [("K.started", "a")]


def test_rolled_back_agrees_with_the_engines_rule_for_a_compensated_run() -> None:
    for term in (Seq(Compensated(), SKIP), Saga(Compensated()), SKIP, Compensated()):
        assert rolled_back(term) == outermost_compensated(term)


def test_the_engine_sees_a_started_child_as_the_choice_of_its_three_outcomes() -> None:
    term = Seq(ChildRun("K", (1,), Call("K", (1,)), SKIP, THROW, STOP), Prefix(Event("z"), SKIP))
    view = OpaqueChildren(TermSystem(term, {Call("K", (1,)): Prefix(Event("a"), SKIP)}
                                     .__getitem__))
    [(start, started)] = view.successors(view.initial_state())
    labels = sorted(str(label) for label, _ in view.successors(started))
    assert (str(start), labels) == ("K.1.started",
                                    ["K.1.compensated", "K.1.completed", "K.1.failed"])
    assert opaque(SKIP) is SKIP


def test_an_outcome_event_names_the_child_its_arguments_and_the_outcome() -> None:
    event = outcome_event("Pay", (3, True), "failed")
    assert str(event) == "Pay.3.true.failed"
    assert child_outcome(event) == ("Pay", (3, True), "failed")
    assert child_outcome(Event("pay", (3,))) is None


MODEL = """\
channel a, b : {1, 2}
Pay(x) = a.x -> SKIP
P = child(Pay(1)) ; b.1 -> SKIP
Q = child(Pay(2), b.2 -> SKIP, STOP, STOP)
"""


def test_a_model_starts_a_child_by_calling_the_child_builtin() -> None:
    model = loads(MODEL)
    assert maximal_traces(explore(model.system("P"))) == [
        ("Pay.1.started", "a.1", "Pay.1.completed", "b.1", "✓")]
    assert maximal_traces(explore(model.system("Q"))) == [
        ("Pay.2.started", "a.2", "Pay.2.completed", "b.2", "✓")]


@pytest.mark.parametrize(("text", "message"), [
    ("channel a\nP = child(a -> SKIP)", "child needs a named process of the model"),
    ("P = child()", "child takes 1 to 4 arguments, got 0"),
    ("K = SKIP\nP = child(K, 3)", "a child's reaction must be a process, got 3"),
])
def test_a_malformed_child_is_a_one_line_model_error(text: str, message: str) -> None:
    with pytest.raises(ModelError, match=message):  # at load or on first unfolding
        explore(loads(text).system("P"))


def test_a_model_that_defines_child_keeps_its_own_meaning() -> None:
    model = loads("channel a\nchild(P) = a -> P\nQ = child(SKIP)")
    assert maximal_traces(explore(model.system("Q"))) == [("a", "✓")]


CHOICES = """\
channel a, b, e
K = a -> SKIP
J = b -> SKIP
Either = child(K) [] child(J)
Late = child(K) [> e -> SKIP
Stopped = child(K) /\\ e -> SKIP
Interrupted = (e -> SKIP) /\\ child(K)
"""


@pytest.mark.parametrize(("process", "traces"), [
    ("Either", {("K.started", "a", "K.completed", "✓"), ("J.started", "b", "J.completed", "✓")}),
    ("Late", {("K.started", "a", "K.completed", "✓"), ("e", "✓")}),
    ("Stopped", {("K.started", "a", "K.completed", "✓"), ("e", "✓"), ("K.started", "e", "✓"),
                 ("K.started", "a", "e", "✓"), ("K.started", "a", "K.completed", "e", "✓")}),
    ("Interrupted", {("e", "✓"), ("e", "K.started", "a", "K.completed", "✓"),
                     ("K.started", "a", "K.completed", "✓")}),
])
def test_the_start_event_resolves_a_choice_timeout_or_interrupt_like_any_event(
        process: str, traces: set[tuple[str, ...]]) -> None:
    assert set(maximal_traces(explore(loads(CHOICES).system(process)))) == traces
