"""Compiled runs through states where one label has several targets.

The history records which target a step took as an index in the term rules'
canonical order (by printed term); the compiled machine puts such a label's
targets in that order (:meth:`CompiledStates.ordered`). The oracle is the
term path (``CompiledStates.of`` returning None): the same index must mean the
same state on both paths, runs must record the same histories, and a store
written on terms must resume on the compiled machine.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api import run as api
from procalg.api import workflow as api_workflow
from procalg.api.model import loads
from procalg.runtime.clock import VirtualClock
from procalg.runtime.compiled_states import CompiledStates
from procalg.runtime.memory import MemoryLog
from procalg.runtime.workflow import TermSystem, Workflow
from tests.runtime.test_compiled_states import SAGAS, _saga_run

CHOICES = """signal go : {0..3}
signal stop
activity log : {0..3} never fails
Pick(n) = go?x -> (log.x -> Pick(n) |~| log.n -> Pick(x)) [] stop -> SKIP
Twin(n) = go?x -> (go.x -> Twin(x) [] go.x -> log.n -> Twin((x + n) % 4)) [] stop -> SKIP
Many(n) = go?x -> |~| y : {0..3} @ log.((x + y + n) % 4) -> Many(y) [] stop -> SKIP
"""
PROCESSES = ["Pick", "Twin", "Many"]


def _on_terms() -> pytest.MonkeyPatch:
    patch = pytest.MonkeyPatch()
    patch.setattr(CompiledStates, "of", classmethod(lambda cls, wf: None))
    api_workflow._MACHINES.clear()
    return patch


@settings(max_examples=20, deadline=None)
@given(process=st.sampled_from(PROCESSES), n=st.integers(0, 3))
def test_each_index_names_the_same_state_on_both_paths(process: str, n: int) -> None:
    api_workflow._MACHINES.clear()
    _, several = walk_beside_the_term_rules(api.workflow(loads(CHOICES), process, n), 150)
    assert several > 0
    api_workflow._MACHINES.clear()


def walk_beside_the_term_rules(wf: Workflow, limit: int) -> tuple[int, int]:
    """Walk ``wf``'s compiled machine and the term path's machine from the same
    term side by side (up to ``limit`` states), asserting each state's labels and
    each label's targets are the same terms in the same order.

    Returns:
        How many states were walked, and how many labels had several targets.
    """
    machine = wf.machine
    rules = Workflow(TermSystem(machine.term(machine.initial(wf)), wf.system.rules),
                     wf.channels).machine  # the term path's machine, from the same term
    todo, seen, several = [(machine.initial(wf), rules.initial())], set(), 0
    while todo and len(seen) < limit:
        sid, rid = todo.pop()
        if sid in seen:
            continue
        seen.add(sid)
        assert machine.term(sid) == rules.term(rid)
        node, other = machine.node(sid), rules.node(rid)
        assert node.term is None  # stepped on the compiled machine
        assert sorted(map(str, node.targets)) == sorted(map(str, other.targets))
        for label in node.targets:
            mine, theirs = node.targets[label], other.targets[label]
            assert [str(machine.term(t)) for t in mine] == [str(rules.term(t)) for t in theirs]
            several += len(mine) > 1
            todo += zip(mine, theirs, strict=True)
    return len(seen), several


def _drive(run: api.Run, moves: list[int], stop: bool = True) -> None:
    for x in moves:
        if f"go.{x}" in run.query().signals:
            run.signal("go", x)
    if stop and "stop" in run.query().signals:
        run.signal("stop")


def _engine(log: MemoryLog) -> api.Engine:
    return api.engine(log, activities={"log": lambda *a: None}, clock=VirtualClock())


@settings(max_examples=20, deadline=None)
@given(process=st.sampled_from(PROCESSES), n=st.integers(0, 3),
       moves=st.lists(st.integers(0, 3), max_size=8))
def test_runs_through_several_targets_record_the_same_history_on_both_paths(
        process: str, n: int, moves: list[int]) -> None:
    api_workflow._MACHINES.clear()
    compiled = api.start(loads(CHOICES), process, n, store=_engine(MemoryLog()))
    _drive(compiled, moves)
    state = compiled.engine.state(compiled.id)
    machine = state.machine
    assert all(machine.is_compiled(s) for s in range(len(machine)))
    patch = _on_terms()
    try:
        on_terms = api.start(loads(CHOICES), process, n, store=_engine(MemoryLog()))
        _drive(on_terms, moves)
    finally:
        patch.undo()
        api_workflow._MACHINES.clear()
    assert [repr(e) for e in compiled.history()] == [repr(e) for e in on_terms.history()]
    assert compiled.query() == on_terms.query()


@pytest.mark.parametrize("process", PROCESSES)
def test_a_history_recorded_on_terms_replays_on_the_compiled_machine(process: str) -> None:
    log = MemoryLog()
    patch = _on_terms()
    try:
        run = api.start(loads(CHOICES), process, 1, store=_engine(log))
        _drive(run, [2, 2, 3], stop=False)  # each fired τ and signal recorded as an index
        before = run.query()
        reference = api.start(loads(CHOICES), process, 1, store=_engine(MemoryLog()))
        _drive(reference, [2, 2, 3, 1, 1, 0])
    finally:
        patch.undo()
        api_workflow._MACHINES.clear()
    resumed = _engine(log).get(run.id)
    assert resumed.query() == before
    state = resumed.engine.state(resumed.id)
    assert state.machine.is_compiled(state.sid)  # replayed on the compiled machine
    _drive(resumed, [1, 1, 0])
    assert [repr(e) for e in resumed.history()] == [repr(e) for e in reference.history()]
    assert resumed.query() == reference.query()
    api_workflow._MACHINES.clear()


def _trip(pattern: list[int]) -> tuple[list[str], str, list[bool]]:
    name, process, channels = next(s for s in SAGAS if s[0] == "trip_booking")
    return _saga_run(name, process, channels, pattern)


@settings(max_examples=20, deadline=None)
@given(pattern=st.lists(st.sampled_from([0, 2]), max_size=12))
def test_a_trip_whose_calls_fail_or_succeed_steps_compiled_in_every_state(
        pattern: list[int]) -> None:
    """Its parallel branches each end a τ from ✓: a τ with two targets, kept compiled
    (calls that time out may have run: their compensation goes on on terms)."""
    api_workflow._MACHINES.clear()
    history, status, compiled = _trip(pattern)
    assert all(compiled)
    patch = _on_terms()
    try:
        assert (history, status) == _trip(pattern)[:2]
    finally:
        patch.undo()
        api_workflow._MACHINES.clear()


