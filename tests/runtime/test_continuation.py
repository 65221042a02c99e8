"""Continue-as-new: a long-running loop goes on in fresh runs whose chain is a trace of the model.

The oracle is the model's LTS explored by the reference rules: the old run's
history followed by each continuing run's must walk it from the start, and
each continuing run's history alone is a trace of the process it names.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api import run as api
from procalg.api import workflow as api_workflow
from procalg.lts import explore
from procalg.runtime.clock import VirtualClock
from procalg.runtime.continuation import latest, next_id
from procalg.runtime.history import ContinuedFrom, EventFired, RunContinued, RunStarted
from procalg.runtime.memory import MemoryLog
from tests.runtime.conftest import walk

LOOP = """signal go : {0..9}
signal stop
activity work : {0..9}.{0..9}
Loop(n) = go?x -> work!x?r -> Loop((n + r) % 10) [] stop -> SKIP
P = Loop(0)
"""
TIMED = """signal go : {0..1}
timer nudge = 1m
Loop(n) = go?x -> Loop((n + x) % 5) [] nudge -> Loop(n)
P = Loop(0)
"""

HIDDEN = """signal add : {0..9}
signal stop
channel out : {0..9}
Count(n) = add?x -> Count(x) [] stop -> out!n -> SKIP
P = Count(0)
"""
"""A loop head whose parameter the awaited input prefix does not read (``add?x``)."""


def _engine(log: MemoryLog, clock: VirtualClock, after: int) -> object:
    eng = api.engine(log, activities={"work": lambda x: (x * 7) % 10}, clock=clock)
    eng.continue_after = after
    return eng


def _chain(log: MemoryLog, first: str) -> list[str]:
    ids = [first]
    while log.get_run(ids[-1]).status == "continued":
        ids.append(next_id(ids[-1]))
    return ids


@settings(max_examples=25, deadline=None)
@given(signals=st.lists(st.integers(0, 9), min_size=1, max_size=30), after=st.integers(1, 25))
def test_a_chain_of_continued_runs_is_one_trace_of_the_model(signals, after) -> None:
    log = MemoryLog()
    eng = _engine(log, VirtualClock(), after)
    run = eng.start(api.workflow(api._model(LOOP, "loop.proc"), "P"), run_id="r")
    for x in signals:
        run.signal("go", x)  # the handle's id forwards to the newest run
    run.signal("stop")
    ids = _chain(log, "r")
    assert latest(log, "r") == ids[-1] and log.get_run(ids[-1]).status == "completed"
    labels = []
    for i, run_id in enumerate(ids):
        history = log.history(run_id)
        if i:  # linked both ways, and a trace of the process it starts
            assert history[1] == ContinuedFrom(time=history[1].time, previous_run=ids[i - 1])
            start = history[0]
            assert isinstance(start, RunStarted) and start.process == "Loop"
            api.replay(api._model(LOOP, "loop.proc"), history)
        if run_id != ids[-1]:
            assert history[-1] == RunContinued(time=history[-1].time, next_run=ids[i + 1])
            # it continued at the first loop head once long enough (a round is 5 events)
            assert max(after, 3) <= len(history) - 1 <= max(after, 3) + 5
        labels += [str(e.label) for e in history if isinstance(e, EventFired)]
    lts = explore(api._model(LOOP, "loop.proc").system("P"))
    assert walk(lts, labels)
    assert labels == [x for s in signals for x in (f"go.{s}", f"work.{s}.{s * 7 % 10}")] + \
        ["stop", "✓"]


def test_a_run_that_also_waits_for_a_timer_never_continues_as_new() -> None:
    clock, log = VirtualClock(), MemoryLog()
    eng = _engine(log, clock, 2)
    run = eng.start(api.workflow(api._model(TIMED, "timed.proc"), "P"), run_id="r")
    for _ in range(5):
        run.signal("go", 1)
        clock.advance("2m")
    assert [r.run_id for r in log.list_runs()] == ["r"] and run.status == "waiting"


def test_an_engine_without_the_option_never_continues() -> None:
    log = MemoryLog()
    eng = _engine(log, VirtualClock(), 0)
    run = eng.start(api.workflow(api._model(LOOP, "loop.proc"), "P"), run_id="r")
    for x in range(10):
        run.signal("go", x)
    assert [r.run_id for r in log.list_runs()] == ["r"] and log.length("r") == 51


def test_a_continued_run_is_told_in_its_story() -> None:
    lines: list[str] = []
    log = MemoryLog()
    eng = _engine(log, VirtualClock(), 3)
    from procalg.cli.runstore import Progress
    eng.on_event = Progress(lines.append)
    run = eng.start(api.workflow(api._model(LOOP, "loop.proc"), "P"), run_id="r")
    run.signal("go", 2)
    assert "continued as new in run r~1" in lines and "continues run r as new" in lines


@pytest.mark.parametrize("run_id, expected", [("r", "r~1"), ("r~9", "r~10"), ("a~b", "a~b~1")])
def test_continuing_runs_are_numbered_after_the_first(run_id, expected) -> None:
    assert next_id(run_id) == expected


def _labels(log: MemoryLog, first: str) -> list[str]:
    return [str(e.label) for run_id in _chain(log, first) for e in log.history(run_id)
            if isinstance(e, EventFired)]


def test_a_loop_head_whose_parameter_the_input_prefix_does_not_read_continues_with_its_value(
        ) -> None:
    log = MemoryLog()
    eng = _engine(log, VirtualClock(), 2)
    run = eng.start(api.workflow(api._model(HIDDEN, "hidden.proc"), "P"), run_id="r")
    for x in (4, 7, 1):
        run.signal("add", x)
    run.signal("stop")
    ids = _chain(log, "r")
    # the values bound at each loop head: the call the rules unfolded to get there
    assert [(log.history(i)[0].process, log.history(i)[0].args) for i in ids[1:]] == \
        [("Count", (4,)), ("Count", (7,)), ("Count", (1,))]
    labels = _labels(log, "r")
    assert labels == ["add.4", "add.7", "add.1", "stop", "out.1", "✓"]
    assert walk(explore(api._model(HIDDEN, "hidden.proc").system("P")), labels)
    for run_id in ids[1:]:
        api.replay(api._model(HIDDEN, "hidden.proc"), log.history(run_id))


def test_a_run_restored_at_a_loop_head_its_worker_never_unfolded_continues_at_the_next(
        monkeypatch) -> None:
    log, clock = MemoryLog(), VirtualClock()
    first = _engine(log, clock, 0)
    first.snapshot_every = 1
    run = first.start(api.workflow(api._model(HIDDEN, "hidden.proc"), "P"), run_id="r")
    for x in (4, 7):
        run.signal("add", x)
    first.close()
    monkeypatch.setattr(api_workflow, "_MACHINES", {})  # another worker: its rules unfolded nothing
    other = _engine(log, clock, 2)
    other.signal("r", "add", 5)
    other.signal("r", "stop")
    assert _labels(log, "r") == ["add.4", "add.7", "add.5", "stop", "out.5", "✓"]
    # restored from the snapshot at Count(7)'s unfolding, which no input prefix tells:
    # not a loop head here, but Count(5) after the next signal is
    assert log.get_run("r").status == "continued"
    assert [e for e in log.history("r") if isinstance(e, EventFired)][-1].label.fields == (5,)
    assert log.history("r~1")[0].args == (5,)


FUNCTIONS = """signal go : {0..2}
add(k) = \\ y @ (y + k) % 3
Loop(f, n) = go?x -> Loop(f, f(n + x))
P = Loop(add(1), 0)
"""


def test_a_function_value_saved_in_one_load_is_the_same_function_in_another() -> None:
    from procalg.api.model import loads
    from procalg.runtime.continuation import loaded_args, saved_args
    from procalg.runtime.value_json import SavedFunction, decode_value, encode_value

    text = FUNCTIONS + "sub(k) = \\ y @ (y + 3 - k) % 3\n"
    first, second = loads(text, "a.proc"), loads(text, "b.proc")
    first.read_value("sub(2)")  # this load numbers its lambdas otherwise than the next
    closure = first.read_value("add(1)")
    assert closure != second.read_value("add(1)")  # λ#2 here, λ#1 there
    second = loads(text, "c.proc")
    saved = saved_args((closure, 2), first.spec.evaluator)
    assert type(saved[0]) is SavedFunction and str(saved[0]) == "λ[k=1]"
    assert decode_value(encode_value(saved[0])) == saved[0]  # what a store writes and reads
    loaded = loaded_args(saved, second.spec.evaluator)
    assert loaded == (second.read_value("add(1)"), 2)


def test_a_loop_whose_argument_is_a_function_value_continues_as_new() -> None:
    log = MemoryLog()
    eng = _engine(log, VirtualClock(), 2)
    run = eng.start(api.workflow(api._model(FUNCTIONS, "fn.proc"), "P"), run_id="f")
    for x in (1, 2, 0):
        run.signal("go", x)
    ids = _chain(log, "f")
    assert len(ids) == 4 and log.get_run(ids[-1]).status == "waiting"
    labels = [str(e.label) for i in ids for e in log.history(i) if isinstance(e, EventFired)]
    assert labels == ["go.1", "go.2", "go.0"]
    assert walk(explore(api._model(FUNCTIONS, "fn.proc").system("P")), labels)
