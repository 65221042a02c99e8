"""A run's history told as a person reads it: one line per thing that happened.

The engine records fine-grained events (``activity_scheduled``, ``event_fired
label=τ``, ``attempt_failed retry_at=…``); people want "activity pay -> 3
(attempt 1)", "timer escalate started: fires in 1d", "↺ compensate". The
:class:`Narrator` turns one into the other, for ``procalg run``'s live output
and for the notebook's history tables alike (one narrator for every face).
τ and ✓ are not told; rollback work (between ``compensate`` and
``compensated``) is marked ``undo``.

Example:
    >>> from procalg.runtime.history import ActivityCompleted, EventFired, TimerStarted
    >>> from procalg.terms.values import Event
    >>> story = Narrator()
    >>> story.tell(TimerStarted(0.0, "late", 86400.0))
    ['  timer late started: fires in 1d']
    >>> story.tell(ActivityCompleted(1.0, 0, 1, (), (3,)))
    []
    >>> story.tell(EventFired(1.0, Event("pay", (3,))))
    ['  activity pay.3 -> 3 (attempt 1)']
"""

from __future__ import annotations

from dataclasses import dataclass

from procalg.runtime.history import (
    ActivityCompleted,
    ActivityScheduled,
    AttemptFailed,
    CancelRequested,
    ChildDiscarded,
    ChildEnded,
    ChildStarted,
    ContinuedFrom,
    EventFired,
    HistoryEvent,
    RunCancelled,
    RunCompensated,
    RunCompleted,
    RunContinued,
    RunFailed,
    RunMigrated,
    RunResumed,
    RunStarted,
    SignalReceived,
    TimerFired,
    TimerStarted,
    UpdateReceived,
)
from procalg.terms.values import show


class Narrator:
    """Tells history events one at a time; a line may wait for the label that follows.

    An activity's completion and a signal or timer are told once the model
    event they caused is recorded (the next ``event_fired``), so the line
    names the event with its values.
    """

    def __init__(self) -> None:
        self.undoing = 0
        self.pending: str | None = None  # a line waiting for its label
        self.channels: dict[int, str] = {}  # step -> activity channel

    def tell(self, event: HistoryEvent) -> list[str]:
        """The lines ``event`` completes (none, one, or a held line and its own)."""
        if isinstance(event, EventFired) and self.pending is not None:
            line, self.pending = self.pending.replace("{label}", str(event.label)), None
            return [line]
        line = self._line(event)
        return [line] if line else []

    def _line(self, event: HistoryEvent) -> str | None:
        mark = "  undo " if self.undoing else "  "
        match event:
            case ActivityCompleted(attempt=attempt, output=output):
                out = f" -> {', '.join(map(show, output))}" if output else ""
                self.pending = f"{mark}activity {{label}}{out} (attempt {attempt})"
            case ActivityScheduled(step=step, channel=channel):
                self.channels[step] = channel
            case AttemptFailed(step=step, attempt=n, error_type=kind, message=msg, retry_at=at):
                then = "no more attempts" if at is None else f"retry in {span(at - event.time)}"
                name = self.channels.get(step, f"step {step}")
                return f"{mark}activity {name} attempt {n} failed: {kind}: {msg}; {then}"
            case EventFired(label=label):
                return self._fired(str(label))
            case CancelRequested(reason=why):
                self.pending = "  ⊘ cancel" + (f" ({why})" if why else "")
            case UpdateReceived(event=e, update_id=key):  # a signal with a reply
                self.pending = f"  update {e} ({key})"
            case SignalReceived(event=e):
                self.pending = f"  signal {e}"
            case TimerStarted(timer=timer, deadline=deadline):
                return f"  timer {timer} started: fires in {span(deadline - event.time)}"
            case TimerFired(timer=timer):
                self.pending = f"  timer {timer} fired"
            case RunResumed(calls=calls):
                return f"resumed after a crash ({len(calls)} call(s) may have been in flight)"
            case RunMigrated(model_hash=h):
                return f"migrated to model {h[:12]}"
            case RunContinued(next_run=run_id):
                return f"continued as new in run {run_id}"
            case ContinuedFrom(previous_run=run_id):
                return f"continues run {run_id} as new"
            case ChildStarted(process=process, args=args, child_id=child):
                shown = f"({', '.join(map(show, args))})" if args else ""
                # held until its P.x.started fires (one line for the two events)
                self.pending = f"{mark}child {process}{shown} started: run {child}"
            case ChildEnded(child_id=child, outcome=outcome):
                self.pending = f"{mark}child run {child} {outcome}: {{label}}"
            case ChildDiscarded(child_id=child, cancel_requested=asked):
                then = "asked to cancel" if asked else "it runs on, detached"
                return f"{mark}child run {child} discarded by the model: {then}"
            case RunCompleted() | RunCompensated() | RunFailed() | RunCancelled():
                error = getattr(event, "error", "")
                return event.kind.removeprefix("run_") + (f": {error}" if error else "")
        return None

    def _fired(self, text: str) -> str | None:
        if text in ("τ", "✓"):
            return None
        if text == "compensate":
            self.undoing += 1
            return "  ↺ compensate: rolling back completed steps"
        if text == "compensated":
            self.undoing = max(0, self.undoing - 1)
            return "  ↺ compensated"
        if text.startswith("fail."):
            return f"  ✗ {text}: the step failed"
        return f"  · {text}"


@dataclass(frozen=True)
class StoryLine:
    """One told line and the time since the run's start of the event that completed it."""

    offset: float
    text: str


def story(history: list[HistoryEvent]) -> list[StoryLine]:
    """The whole history told, each line with its offset from the start.

    Example:
        >>> from procalg.runtime.history import RunStarted, RunCompleted
        >>> [(s.offset, s.text) for s in story([RunStarted(5.0, "P"), RunCompleted(7.5)])]
        [(0.0, 'started P'), (2.5, 'completed')]
    """
    narrator, start = Narrator(), history[0].time if history else 0.0
    told = []
    for event in history:
        if isinstance(event, RunStarted):  # `procalg run` says this in its own words
            args = f"({', '.join(map(show, event.args))})" if event.args else ""
            told.append(StoryLine(event.time - start, f"started {event.process}{args}"))
        told += [StoryLine(event.time - start, line.strip()) for line in narrator.tell(event)]
    return told


def span(seconds: float) -> str:
    """A length of time as people write it: ``1d2h``, ``24h``, ``1m30s``, ``0.25s``.

    Example:
        >>> span(86400), span(90), span(0.25), span(5)
        ('1d', '1m30s', '0.25s', '5s')
    """
    if seconds < 60:
        return f"{seconds:.3g}s"
    parts, left = [], round(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if left >= size:
            parts.append(f"{left // size}{unit}")
            left %= size
    return "".join(parts)
