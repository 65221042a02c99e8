"""Properties of random sagas: every run ends completed, compensated or failed,
never deadlocked; every completed step is undone exactly once; and
``:[compensation complete]`` holds exactly when the design says it must.

Random saga bodies are trees of ``;``, ``|||``, ``[]`` and ``|~|`` over
steps with distinct names; a step's activity may fail, it may have an
``undo``, and its compensation may fail.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.compensation import check_compensation, terminal_outcomes
from procalg.lts import LTS, TAU
from procalg.semantics.system import TermSystem
from procalg.terms import SKIP, Event, ExternalChoice, InternalChoice, Prefix, Process
from procalg.terms.saga import THROW, CExt, CPar, CSeq, Saga, Step, fail_event
from tests.semantics.conftest import term_lts


@dataclass(frozen=True)
class Leaf:
    fallible: bool
    undo: bool
    undo_fallible: bool


@dataclass(frozen=True)
class Node:
    op: str
    left: Leaf | Node
    right: Leaf | Node


leaves = st.builds(Leaf, st.booleans(), st.booleans(), st.booleans())
trees = st.recursive(
    leaves, lambda sub: st.builds(Node, st.sampled_from([";", "|||", "[]", "|~|"]), sub, sub),
    max_leaves=4)


def activity(name: str, fallible: bool) -> Process:
    event = Event(name)
    step = Prefix(event, SKIP)
    return ExternalChoice(step, Prefix(fail_event(event), THROW)) if fallible else step


def build(tree: Leaf | Node, names: list[str], *, all_undo: bool = False,
          safe_undo: bool = False) -> Process:
    """The compensable term of ``tree``; step k is named s{k}, its compensation u{k}."""
    if isinstance(tree, Leaf):
        name = f"s{len(names)}"
        names.append(name)
        undo = tree.undo or all_undo
        comp = activity("u" + name[1:], tree.undo_fallible and not safe_undo) if undo else None
        return Step(activity(name, tree.fallible), comp, name)
    left = build(tree.left, names, all_undo=all_undo, safe_undo=safe_undo)
    right = build(tree.right, names, all_undo=all_undo, safe_undo=safe_undo)
    op = {";": CSeq, "|||": CPar, "[]": CExt, "|~|": InternalChoice}[tree.op]
    return op(left, right)


def maximal_traces(lts: LTS) -> list[tuple[str, ...]]:
    out, stack = [], [(lts.initial, ())]
    while stack:
        state, trace = stack.pop()
        moves = list(lts.successors(state))
        if not moves:
            out.append(trace)
        for label, target in moves:
            name = lts.labels[label]
            stack.append((target, trace if name == TAU else (*trace, name)))
    return out


@settings(max_examples=80, deadline=None)
@given(trees)
def test_every_run_of_a_saga_ends_completed_compensated_or_failed(tree: Leaf | Node) -> None:
    outcomes = set().union(*terminal_outcomes(term_lts(Saga(build(tree, [])))).values())
    assert outcomes <= {"completed", "compensated", "failed"}
    safe = set().union(*terminal_outcomes(term_lts(Saga(build(tree, [], safe_undo=True))))
                       .values())
    assert safe <= {"completed", "compensated"}


@settings(max_examples=60, deadline=None)
@given(trees)
def test_a_rollback_undoes_each_completed_step_exactly_once(tree: Leaf | Node) -> None:
    names: list[str] = []
    term = Saga(build(tree, names, all_undo=True, safe_undo=True))
    for trace in maximal_traces(term_lts(term)):
        assert trace[-1] == "✓"
        if "compensate" not in trace:
            assert not any(e.startswith("u") for e in trace)
            continue
        cut = trace.index("compensate")
        done = {e[1:] for e in trace[:cut] if e in names}
        undone = [e[1:] for e in trace[cut:] if e.startswith("u")]
        assert sorted(undone) == sorted(done), trace
        assert trace[-2:] == ("compensated", "✓")


@settings(max_examples=80, deadline=None)
@given(trees)
def test_compensation_is_complete_when_every_step_has_an_undo_that_never_fails(
        tree: Leaf | Node) -> None:
    saga = Saga(build(tree, [], all_undo=True, safe_undo=True))
    assert check_compensation(TermSystem(saga)).passed


@settings(max_examples=80, deadline=None)
@given(trees, st.integers(min_value=0, max_value=3))
def test_compensation_fails_as_soon_as_a_fallible_step_follows_a_step_without_undo(
        tree: Leaf | Node, where: int) -> None:
    names: list[str] = []
    body = build(tree, names, all_undo=True, safe_undo=True)
    pivot = CSeq(Step(activity("p", False), None, "p"), Step(activity("f", True), SKIP, "f"))
    placed = CSeq(body, pivot) if where == 0 else (
        CSeq(pivot, body) if where == 1 else CPar(body, pivot) if where == 2 else
        CExt(pivot, body))
    result = check_compensation(TermSystem(Saga(placed)))
    assert not result.passed
    assert result.counterexample.trace[-1] == "stranded.p"
    assert "p is left done" in result.message
