"""Activity attempts: calling a step's functions and recording what came back
(mixed into :class:`~procalg.runtime.engine.Engine`).

The previous step's outcome is made durable before a call that depends on it;
a worker whose lease was taken never calls; completions are recorded before
failures (a completed sibling's side effect happened, so it is installed and
compensated before the throw). Retries follow the channel's policy, and a
value outside the model's type is never retried (its side effect happened).

Example:
    >>> from procalg.runtime.engine import Engine
    >>> issubclass(Engine, Attempts)
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from procalg.errors import RunError
from procalg.runtime.commands import Perform
from procalg.runtime.history import (
    ActivityCompleted,
    ActivityScheduled,
    AttemptFailed,
    EventFired,
    HistoryEvent,
)
from procalg.runtime.status import RunStatus
from procalg.runtime.uncertain import undoing
from procalg.runtime.worker import OUTSIDE_SET, Outcome, attempt_all, plan_of
from procalg.terms.values import Event

if TYPE_CHECKING:
    from procalg.runtime.decide import RunState
    from procalg.runtime.engine import Engine


class Attempts:
    """Performing ``Perform`` commands; mixed into the engine."""

    def _perform(self: Engine, run_id: str, state: RunState, calls: list[Perform]) -> None:
        # The previous step's outcome (and the internal moves it enabled) must be
        # durable before a call that depends on it; committing it here rather than
        # right after it returned lets the last step share the run's final commit.
        self._flush(run_id, state, RunStatus.RUNNING)
        if self.leases.lost(run_id):  # another worker took the run: never call twice
            raise RunError(f"run {run_id}: another worker took over its lease; "
                           "this worker stops driving it")
        wf = state.workflow
        jobs = []
        for call in calls:
            channel = wf.channels[call.channel]
            fn = self.activities.lookup(call.channel)
            if plan_of(fn)[1]:  # takes ``undoes``: a compensation that wants the undone call's key
                call = undoing(call, state, self.log.history(run_id), run_id)
            jobs.append((fn, call, f"{run_id}:{call.step}",
                         channel.retry.start_to_close_timeout, channel.arity,
                         channel.retry.heartbeat_timeout))
        started = self.clock.now()
        if self.telemetry is not None:
            self.telemetry.attempting(run_id, wf.process, calls)
        outcomes = attempt_all(self._pool, jobs)
        now = self.clock.now()
        events: list[HistoryEvent] = [
            ActivityScheduled(started, call.step, call.channel, call.input)
            for call in calls if not call.scheduled]
        # Completions fire before failures: a completed sibling's side effect
        # happened, so it must be installed (and compensated) before the throw.
        # Each fires from the state the earlier ones left; the diamond test in
        # units.batch guarantees it is still offered there.
        ordered = zip(calls, outcomes, strict=True) if len(calls) == 1 else sorted(
            zip(calls, outcomes, strict=True), key=lambda co: co[1].output is None)
        for call, outcome in ordered:
            events.extend(self._outcome_events(state, call, outcome, now))
        self._record(run_id, state, events)  # committed before the next call, wait or end

    def _outcome_events(self: Engine, state: RunState, call: Perform, outcome: Outcome,
                        now: float) -> list[HistoryEvent]:
        if outcome.output is None:
            policy = state.workflow.channels[call.channel].retry
            # a value outside the model: its side effect happened, so never call again
            delay = (None if outcome.error_type == OUTSIDE_SET
                     else policy.next_delay(call.attempt, outcome.error_type))
            return [AttemptFailed(time=now, step=call.step, attempt=call.attempt,
                                  error_type=outcome.error_type, message=outcome.message,
                                  retry_at=None if delay is None else now + delay,
                                  details=outcome.details)]
        event = Event(call.channel, call.input + outcome.output)
        return [ActivityCompleted(now, call.step, call.attempt, call.input, outcome.output),
                EventFired(now, event, 0)]
