"""Runs on the compiled sequential machine: the same steps, terms and histories as on terms.

The oracle is the term path (``CompiledStates.of`` returning None, as before
the compiled machine existed): random signal sequences drive a run of each
process that compiles on both paths and the histories must be equal; every
compiled state's term, made on demand, must be the term rules' own target;
and a store written on the term path (with and without a snapshot) must
resume on the compiled path and end as it would have.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api import run as api
from procalg.api import workflow as api_workflow
from procalg.api.model import loads
from procalg.runtime.clock import VirtualClock
from procalg.runtime.compiled_states import CompiledStates
from procalg.runtime.memory import MemoryLog
from procalg.terms.values import Event
from tests.runtime.conftest import model

SIGNALS = """signal go : {0..3}
signal stop
activity log : {0..20} never fails
Count(n) = go?x:{y | y <- {0..3}, n + y <= 20} -> log!(n + x) -> Count(n + x)
        [] (n > 2 & stop -> SKIP)
        [] (n == 0 & stop -> STOP)
Pick(n) = go?x -> (log.x -> Pick(n) |~| log.n -> Pick(x)) [] stop -> SKIP
"""
COUNT = loads(SIGNALS)  # one load: a shared machine's terms hold this load's input sites


def test_a_process_with_inputs_steps_on_the_compiled_machine_by_default() -> None:
    api_workflow._MACHINES.clear()
    wf = api.workflow(loads(SIGNALS), "Count", 0)
    assert CompiledStates.inputs
    assert wf.machine.is_compiled(wf.machine.initial(wf))
    job = api.workflow(model("retry_forever"), "Job")
    assert job.machine.is_compiled(job.machine.initial(job))
    api_workflow._MACHINES.clear()


def test_inputs_switched_off_keep_the_term_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(CompiledStates, "inputs", False)
    api_workflow._MACHINES.clear()
    wf = api.workflow(loads(SIGNALS), "Count", 0)
    assert not wf.machine.is_compiled(wf.machine.initial(wf))
    api_workflow._MACHINES.clear()


@pytest.fixture
def term_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Runs step on terms only, as before the compiled machine (machines not shared)."""
    monkeypatch.setattr(CompiledStates, "of", classmethod(lambda cls, wf: None))
    api_workflow._MACHINES.clear()
    yield
    api_workflow._MACHINES.clear()


def _engine(log: MemoryLog | None = None) -> api.Engine:
    return api.engine(log or MemoryLog(), activities={"log": lambda *a: None,
                                                      "payout": lambda *a: None},
                      clock=VirtualClock())


def _drive(run: api.Run, moves: list[int]) -> None:
    """Signal ``go.x`` for each move while offered, then ``stop`` if offered."""
    for x in moves:
        offered = run.query().signals
        if f"go.{x}" in offered:
            run.signal("go", x)
    if "stop" in run.query().signals:
        run.signal("stop")


def _history(run: api.Run) -> list[str]:
    return [repr(e) for e in run.history()]


def test_a_process_inside_the_fragment_starts_on_the_compiled_machine() -> None:
    wf = api.workflow(loads(SIGNALS), "Count", 0)
    assert wf.machine.is_compiled(wf.machine.initial(wf))
    assert wf.machine.node(wf.machine.initial(wf)).term is None


def test_a_process_with_child_runs_stays_on_terms() -> None:
    wf = api.workflow(model("order_children"), "Order", 1)
    assert not wf.machine.is_compiled(wf.machine.initial(wf))


SAGAS = [("order_saga", "Order", ("reserve", "charge", "ship", "release", "refund")),
         ("trip_booking", "Trip", ("hotel", "flight", "car", "pay", "cancel_hotel",
                                   "cancel_flight", "cancel_car")),
         ("broken_saga", "Shaky", ("reserve", "charge", "ship", "release", "refund")),
         ("cancellable_order", "Order", ("reserve", "charge", "ship", "release", "refund"))]


def _saga_run(name: str, process: str, channels: tuple[str, ...], pattern: list[int]
              ) -> tuple[list[str], str, list[bool]]:
    """A run whose activities fail (0), time out (1: they may have run) or succeed,
    as ``pattern`` draws; its history, status, and per state whether it was compiled."""
    from procalg.runtime.clock import VirtualClock

    draws = iter(pattern)

    def make(channel: str) -> Callable[[], None]:
        def activity() -> None:
            draw = next(draws, 2)
            if draw == 0:
                raise ConnectionError(f"{channel} is down")
            if draw == 1:
                raise TimeoutError(f"{channel} timed out")
        return activity

    clock = VirtualClock()
    run = api.start(model(name), process, activities={c: make(c) for c in channels},
                    store="memory:", clock=clock, allow_failed_assertions=True,
                    retry={"*": {"maximum_attempts": 2}})
    for _ in range(100):
        if run.status == "waiting" and "approve" in run.query().signals:
            run.signal("approve")
        if run.status != "waiting":
            break
        clock.advance("10m")
    machine = api_workflow.workflow(model(name), process).machine
    return _history(run), str(run.status), [machine.is_compiled(s) for s in range(len(machine))]


@settings(max_examples=30, deadline=None)
@given(saga=st.sampled_from(SAGAS), pattern=st.lists(st.integers(0, 2), max_size=20))
def test_a_saga_run_steps_compiled_with_the_history_of_the_term_path(
        saga: tuple[str, str, tuple[str, ...]], pattern: list[int]) -> None:
    api_workflow._MACHINES.clear()
    history, status, compiled = _saga_run(*saga, pattern)
    assert compiled[0]  # the saga's states are the compiled machine's
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CompiledStates, "of", classmethod(lambda cls, wf: None))
        api_workflow._MACHINES.clear()
        on_terms = _saga_run(*saga, pattern)
    api_workflow._MACHINES.clear()
    assert (history, status) == on_terms[:2]
    assert not any(on_terms[2])


@pytest.mark.parametrize("declare", ["signal c : {0..4999}", "activity c : {0..4999} attempts 2"])
def test_a_compiled_input_state_over_a_wide_type_makes_only_the_targets_asked_for(
        declare: str) -> None:
    wf = api.workflow(loads(f"{declare}\nchannel d : {{0..4999}}\n"
                            "P = c?x -> d!x -> P"), "P")
    machine = wf.machine
    start = machine.initial(wf)
    node = machine.node(start)
    assert machine.is_compiled(start) and len(node.labels) >= 5000
    before = len(machine)
    target = node.targets[Event("c", (4321,))][0]
    assert len(machine) == before + 1  # one state made, not 5000
    assert str(machine.term(target)) == "d.4321 -> P"


def test_a_label_with_two_targets_stays_compiled_in_the_term_rules_order() -> None:
    wf = api.workflow(loads(SIGNALS), "Pick", 0)
    machine = wf.machine
    after_go = machine.node(machine.initial(wf)).targets[Event("go", (1,))][0]
    node = machine.node(after_go)  # τ twice: put in the canonical order of the terms
    assert node.term is None and all(machine.is_compiled(t) for t in node.targets["τ"])
    moves = machine.workflow.system.successors(machine.term(after_go))
    rules = [t for lab, t in moves if lab == "τ"]
    assert [machine.term(t) for t in node.targets["τ"]] == sorted(rules, key=str)


@settings(max_examples=25, deadline=None)
@given(b=st.integers(0, 15), moves=st.lists(st.integers(0, 3), max_size=8))
def test_compiled_terms_are_the_rules_targets(b: int, moves: list[int]) -> None:
    wf = api.workflow(COUNT, "Count", b)
    machine, sid = wf.machine, wf.machine.initial(wf)
    system = machine.workflow.system  # the load whose input sites the shared machine holds
    assert machine.term(sid) == system.rules.normalise(wf.system.term)
    for x in moves:
        node = machine.node(sid)
        label = next((lab for lab in node.targets if lab in (Event("go", (x,)), "τ")
                      or (isinstance(lab, Event) and lab.channel == "log")), None)
        if label is None:
            break
        parent, sid = machine.term(sid), node.targets[label][0]
        assert [machine.term(sid)] == [t for lab, t in system.successors(parent)
                                       if lab == label]


@settings(max_examples=15, deadline=None)
@given(b=st.integers(0, 15), moves=st.lists(st.integers(0, 3), max_size=10))
def test_runs_record_the_same_history_on_both_paths(b: int, moves: list[int]) -> None:
    text = model("account").source.text
    compiled = api.start(loads(text), "Account", b, store=_engine())
    state = compiled.engine.state(compiled.id)
    assert state.machine.is_compiled(state.machine.initial(state.workflow))
    _drive_account(compiled, moves)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CompiledStates, "of", classmethod(lambda cls, wf: None))
        api_workflow._MACHINES.clear()
        on_terms = api.start(loads(text), "Account", b, store=_engine())
        _drive_account(on_terms, moves)
    api_workflow._MACHINES.clear()
    assert _history(compiled) == _history(on_terms)
    assert compiled.query() == on_terms.query()


def _drive_account(run: api.Run, moves: list[int]) -> None:
    for x in moves:
        signals = run.query().signals
        for name in (f"deposit.{x + 1}", f"withdraw.{x + 1}"):
            if name in signals:
                channel, value = name.split(".")
                run.signal(channel, int(value))
                break


@pytest.mark.parametrize("every", [0, 2])
def test_a_store_written_on_terms_resumes_on_the_compiled_machine(
        term_path: None, every: int, monkeypatch: pytest.MonkeyPatch) -> None:
    log = MemoryLog()
    old = _engine(log)
    old.snapshot_every = every
    run = api.start(loads(SIGNALS), "Count", 1, store=old)
    for x in (2, 3):
        run.signal("go", x)
    old.close()
    monkeypatch.undo()  # the new code: compiled machines, none shared yet
    api_workflow._MACHINES.clear()
    new = _engine(log)
    resumed = new.get(run.id)
    resumed.signal("go", 1)
    resumed.signal("stop")
    assert str(resumed.status) == "completed"
    trace = [str(e) for e in resumed.result().trace]
    assert trace == ["go.2", "log.3", "go.3", "log.6", "go.1", "log.7", "stop"]


def test_a_snapshot_of_a_compiled_run_restores_its_term() -> None:
    log = MemoryLog()
    eng = _engine(log)
    eng.snapshot_every = 2
    run = api.start(loads(SIGNALS), "Count", 0, store=eng)
    for x in (1, 2):
        run.signal("go", x)
    before = run.query()
    api_workflow._MACHINES.clear()
    again = _engine(log).get(run.id)
    assert again.query() == before
    again.signal("stop")
    assert str(again.status) == "completed"


FALLIBLE = """activity fetch : {0..3} attempts 1
activity save : {0..3} never fails
signal go : {0..3}
Loop(n) = go?x -> (fetch!x -> SKIP ; save!((n + x) % 4) -> Loop((n + x) % 4))
       [] n == 3 & go.0 -> THROW
"""


@settings(max_examples=15, deadline=None)
@given(outcomes=st.lists(st.booleans(), min_size=1, max_size=8),
       moves=st.lists(st.integers(0, 3), min_size=1, max_size=6))
def test_a_fallible_activity_in_a_sequence_fails_the_run_as_on_terms(
        outcomes: list[bool], moves: list[int]) -> None:
    def run_once() -> tuple[list[str], str]:
        pending = iter(outcomes)

        def fetch(x: int) -> None:
            if not next(pending, True):
                raise OSError("injected")

        eng = api.engine(MemoryLog(), activities={"fetch": fetch, "save": lambda x: None},
                         clock=VirtualClock())
        run = api.start(loads(FALLIBLE), "Loop", 0, store=eng)
        for x in moves:
            if f"go.{x}" in run.query().signals:
                run.signal("go", x)
        return [type(e).__name__ + str(getattr(e, "label", "")) for e in run.history()], \
            str(run.status)

    api_workflow._MACHINES.clear()
    compiled = run_once()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CompiledStates, "of", classmethod(lambda cls, wf: None))
        api_workflow._MACHINES.clear()
        on_terms = run_once()
    api_workflow._MACHINES.clear()
    assert compiled == on_terms


PIPELINE = """activity fetch : {0..2}.{0..3} attempts 1
activity notify : {0..3} attempts 1
activity unnotify : {0..3} never fails
activity finish attempts 1
channel audit : {0..3}
Loop(i, sum) = if i < 3 then fetch!i?v -> audit.((sum + v) % 4) -> Loop(i + 1, (sum + v) % 4)
               else saga (notify.sum undo unnotify.sum ; finish) ; SKIP
"""


@settings(max_examples=10, deadline=None)
@given(values=st.lists(st.integers(0, 3), min_size=3, max_size=3),
       fails=st.sampled_from([None, "fetch", "notify", "finish"]))
def test_a_loop_and_its_saga_step_compiled_as_on_terms_alone(
        values: list[int], fails: str | None) -> None:
    def run_once() -> tuple[list[str], str, bool]:
        fetched = iter(values)

        def act(name: str) -> Callable[..., object]:
            def call(*args: object) -> object:
                if name == fails:
                    raise OSError("injected")
                return next(fetched) if name == "fetch" else None
            return call

        eng = api.engine(MemoryLog(), activities={n: act(n) for n in
                                                  ("fetch", "notify", "unnotify", "finish")},
                         clock=VirtualClock())
        run = api.start(loads(PIPELINE), "Loop", 0, 0, store=eng)
        state = eng.state(run.id)
        compiled = state.machine.is_compiled(state.machine.initial(state.workflow))
        return [repr(e) for e in run.history()], str(run.status), compiled

    api_workflow._MACHINES.clear()
    compiled = run_once()
    assert compiled[2]  # the loop and the saga are inside the fragment
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CompiledStates, "of", classmethod(lambda cls, wf: None))
        api_workflow._MACHINES.clear()
        on_terms = run_once()
    api_workflow._MACHINES.clear()
    assert compiled[:2] == on_terms[:2]
