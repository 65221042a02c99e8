"""What a step commits, and when: a signal with what it leads to, checks made once."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

import pytest

from procalg.errors import RunError, StoreError
from procalg.runtime.activities import ActivityRegistry
from procalg.runtime.clock import VirtualClock
from procalg.runtime.engine import Engine
from procalg.runtime.history import EventFired, SignalReceived
from procalg.runtime.memory import MemoryLog
from procalg.runtime.ports import RunRecord
from procalg.runtime.status import RunStatus
from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
from procalg.terms import SKIP, Event, ExternalChoice, Prefix


def _signal_then_call() -> Workflow:
    # go -> pay -> SKIP: a signal, then an activity it leads to
    term = Prefix(Event("go"), Prefix(Event("pay"), SKIP))
    return Workflow(TermSystem(term), {"go": Channel("go", ChannelKind.SIGNAL),
                                       "pay": Channel("pay", ChannelKind.ACTIVITY)})


def _loop() -> Workflow:
    # P = ping -> P [] stop -> SKIP, unrolled twice (TermSystem has no definitions)
    stop = Prefix(Event("stop"), SKIP)
    term = ExternalChoice(Prefix(Event("ping"), ExternalChoice(
        Prefix(Event("ping"), stop), stop)), stop)
    return Workflow(TermSystem(term), {"ping": Channel("ping", ChannelKind.SIGNAL),
                                       "stop": Channel("stop", ChannelKind.SIGNAL)})


def test_a_signal_after_which_the_run_waits_again_takes_one_commit_not_two() -> None:
    engine = Engine(MemoryLog())
    run = engine.start(_loop())
    before = engine.commits.writes
    run.signal("ping")
    assert engine.commits.writes == before + 1
    assert [type(e) for e in run.history()[-2:]] == [SignalReceived, EventFired]
    assert engine.log.get_run(run.id).status == "waiting"


def test_a_signal_is_durable_before_the_activity_it_leads_to_is_called() -> None:
    log = MemoryLog()
    seen: list[list[type]] = []
    engine = Engine(log, {"pay": lambda: seen.append([type(e) for e in log.history(run.id)])})
    run = engine.start(_signal_then_call())
    run.signal("go")
    assert seen and seen[0][-2:] == [SignalReceived, EventFired]
    assert run.status == "completed"


class _FailingClock:
    """A clock whose ``now`` raises once armed: the drive after a signal fails."""

    def __init__(self) -> None:
        self.armed, self.calls = False, 0

    def now(self) -> float:
        if self.armed:
            self.calls += 1
            if self.calls > 1:  # the signal's own time is read first: then the drive's
                raise RuntimeError("clock broke")
        return 0.0

    def sleep(self, seconds: float) -> None:
        return None


def test_a_drive_that_fails_after_a_signal_still_commits_the_signal_as_running() -> None:
    clock = _FailingClock()
    engine = Engine(MemoryLog(), clock=clock)  # type: ignore[arg-type]
    run = engine.start(_loop())
    clock.armed = True
    with pytest.raises(RuntimeError, match="clock broke"):
        run.signal("ping")
    history = engine.log.history(run.id)
    assert [type(e) for e in history[-2:]] == [SignalReceived, EventFired]
    assert engine.log.get_run(run.id).status == "running"


def test_an_activity_rebound_to_an_unfit_function_is_refused_on_the_next_signal() -> None:
    registry = ActivityRegistry({"pay": lambda: None})
    engine = Engine(MemoryLog(), registry)
    wf = _signal_then_call()
    # read-only channels, as procalg.api builds them: a passed check is kept for them
    wf = dataclasses.replace(wf, channels=MappingProxyType(dict(wf.channels)))
    run = engine.start(wf)
    registry.bind("pay", lambda a, b: None)  # now needs two fields; the channel has none
    with pytest.raises(RunError, match="takes 2 required arguments"):
        run.signal("go")


def test_a_changed_run_record_equals_the_dataclasses_replace_of_it() -> None:
    record = RunRecord("r", "P", (1,), "h", "text", {"a": "pass"}, owner="w", lease_until=5.0)
    for changes in ({"owner": "", "lease_until": 0.0}, {"status": "completed"},
                    {"wake_at": 3.0, "current_hash": "h2", "current_text": "t2"}):
        changed = record.changed(**changes)
        assert changed == dataclasses.replace(record, **changes)
    assert record.changed(status="waiting").status is RunStatus.WAITING
    assert record.owner == "w"  # the original is untouched
    with pytest.raises(KeyError):
        record.changed(no_such_field=1)


def _timed_wait() -> Workflow:
    # tick (a timer) [] stop -> SKIP: the run starts a timer, then waits
    term = ExternalChoice(Prefix(Event("tick"), SKIP), Prefix(Event("stop"), SKIP))
    return Workflow(TermSystem(term), {"tick": Channel("tick", ChannelKind.TIMER, duration=60.0),
                                       "stop": Channel("stop", ChannelKind.SIGNAL)})


@pytest.mark.parametrize("make", [_loop, _timed_wait])
def test_a_run_that_waits_at_once_is_created_in_one_commit_with_its_first_step(make) -> None:
    engine = Engine(MemoryLog(), clock=VirtualClock())
    run = engine.start(make())
    assert engine.commits.writes == 1  # its row, RunStarted, a timer's start and the wait
    stored, timed = engine.log.get_run(run.id), make is _timed_wait
    assert stored.status is RunStatus.WAITING
    assert stored.owner == (engine.owner if timed else "")  # a timer to wait on: leased
    assert [type(e).__name__ for e in engine.log.history(run.id)] == (
        ["RunStarted", "TimerStarted"] if timed else ["RunStarted"])
    assert stored.wake_at == (60.0 if timed else float("inf"))


def test_a_start_whose_run_id_is_taken_commits_nothing_and_leaves_that_run_as_it_was(
        ) -> None:
    engine = Engine(MemoryLog(), {"pay": lambda: None})
    first = engine.start(_loop(), run_id="r")
    first.signal("ping")
    history = engine.log.history("r")
    with pytest.raises(StoreError, match="run 'r' already exists"):
        engine.start(_signal_then_call(), run_id="r")
    assert engine.log.history("r") == history  # the refused write changed nothing
    first.signal("stop")  # the engine still knows run r as the store has it
    assert first.status == "completed"
