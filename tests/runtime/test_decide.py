"""Golden histories for the engine's pure core: ``evolve`` folds events, ``decide`` answers.

Each test writes a short history by hand and pins the commands ``decide``
returns after it, so a change to the deterministic rule (documented in
``procalg.runtime.decide`` and docs/engine.md) fails here first, before any
store or worker is involved.
"""

from __future__ import annotations

import pytest

from procalg.api.model import loads
from procalg.api.run import workflow
from procalg.lts import TAU
from procalg.runtime.decide import (
    CRASH_LIMIT,
    Finish,
    Fire,
    Perform,
    ReplayError,
    RunState,
    StartTimer,
    Wait,
    decide,
    evolve,
)
from procalg.runtime.history import (
    ActivityCompleted,
    ActivityScheduled,
    AttemptFailed,
    EventFired,
    HistoryEvent,
    RunResumed,
    TimerFired,
    TimerStarted,
)
from procalg.terms.values import Event


def state_of(source: str, process: str, history: list[HistoryEvent] = ()) -> RunState:
    state = RunState.initial(workflow(loads(source), process))
    for event in history:
        evolve(state, event)
    return state


def test_internal_channels_fire_before_tau_and_tau_before_termination() -> None:
    source = "channel log\nP = (log -> SKIP) [] (STOP |~| SKIP)\n"
    assert decide(state_of(source, "P"), now=0.0) == [Fire(Event("log"), 0)]
    after_tau = state_of("P = (STOP |~| SKIP) [] SKIP\n", "P")
    assert decide(after_tau, now=0.0) == [Fire(TAU, 0)]


def test_independent_activities_are_performed_together_as_new_steps() -> None:
    source = "activity a, b\nP = a -> SKIP ||| b -> SKIP\n"
    commands = decide(state_of(source, "P"), now=0.0)
    assert [(c.step, c.channel, c.attempt, c.scheduled) for c in commands] == [
        (0, "a", 1, False), (1, "b", 1, False)]
    assert all(isinstance(c, Perform) for c in commands)


def test_a_completed_activity_moves_the_run_to_its_next_offer() -> None:
    source = "activity a, b\nP = a -> b -> SKIP\n"
    history = [ActivityScheduled(0.0, 0, "a"), EventFired(0.0, Event("a")),
               ActivityCompleted(0.0, 0, 1)]
    (command,) = decide(state_of(source, "P", history), now=0.0)
    assert (command.step, command.channel, command.scheduled) == (1, "b", False)


def test_a_failed_attempt_with_a_retry_waits_for_its_back_off_then_retries_the_same_step() -> None:
    source = "activity a attempts 3 backoff 2s\nP = a -> SKIP\n"
    history = [ActivityScheduled(0.0, 0, "a"),
               AttemptFailed(0.0, 0, 1, "ValueError", "boom", retry_at=2.0)]
    state = state_of(source, "P", history)
    assert decide(state, now=1.0) == [Wait(2.0, (), ())]
    (retry,) = decide(state, now=2.0)
    assert (retry.step, retry.attempt, retry.scheduled) == (0, 2, True)


def test_an_activity_that_gives_up_fires_its_failure_label_inside_a_saga() -> None:
    source = ("activity a\nactivity undo never fails\n"
              "P = saga ( a undo undo )\n")
    history = [ActivityScheduled(0.0, 0, "a"),
               AttemptFailed(0.0, 0, 3, "ValueError", "boom", retry_at=None)]
    (command,) = decide(state_of(source, "P", history), now=0.0)
    assert isinstance(command, Fire) and str(command.label) == "fail.a"


def test_an_activity_that_gives_up_outside_a_saga_fails_the_run_with_the_reason() -> None:
    source = "activity a never fails\nP = a -> SKIP\n"
    history = [ActivityScheduled(0.0, 0, "a"),
               AttemptFailed(0.0, 0, 1, "ValueError", "boom", retry_at=None)]
    (command,) = decide(state_of(source, "P", history), now=0.0)
    assert command == Finish("failed", "activity a failed after 1 attempt(s): ValueError: boom")


def test_a_timer_is_started_when_first_offered_and_fires_at_its_deadline() -> None:
    source = "signal ok\ntimer late = 10s\nP = ok -> SKIP [] late -> STOP\n"
    state = state_of(source, "P")
    assert decide(state, now=5.0) == [StartTimer("late", 15.0)]
    evolve(state, TimerStarted(5.0, "late", 15.0))
    assert decide(state, now=6.0) == [Wait(15.0, (Event("ok"),), (("late", 15.0),))]
    assert decide(state, now=15.0) == [Fire(Event("late"), 0)]
    evolve(state, TimerFired(15.0, "late"))
    evolve(state, EventFired(15.0, Event("late")))
    assert decide(state, now=15.0) == [Finish(
        "failed", "deadlock: the process can do nothing more (STOP)")]


def test_a_run_in_omega_completes_and_a_finished_run_has_nothing_to_do() -> None:
    state = state_of("P = SKIP\n", "P")
    (tick,) = decide(state, now=0.0)
    assert isinstance(tick, Fire) and str(tick.label) == "✓"
    evolve(state, EventFired(0.0, tick.label))
    assert decide(state, now=0.0) == [Finish("completed")]


def test_replaying_an_event_the_model_does_not_offer_is_a_replay_error() -> None:
    state = state_of("activity a, b\nP = a -> SKIP\n", "P")
    with pytest.raises(ReplayError, match=r"offers \{a, fail\.a\}"):
        evolve(state, EventFired(0.0, Event("b")))


def test_a_call_in_flight_in_every_crash_up_to_the_limit_gives_up_as_worker_crashed() -> None:
    source = "activity a never fails\nP = a -> SKIP\n"
    history: list[HistoryEvent] = [ActivityScheduled(0.0, 0, "a")]
    history += [RunResumed(0.0, ((0, "a", ()),))] * CRASH_LIMIT
    (command,) = decide(state_of(source, "P", history), now=0.0)
    assert isinstance(command, Finish) and command.error.endswith("WorkerCrashed")
