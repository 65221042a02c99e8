"""History events: what a run records, one frozen dataclass per kind.

A run's history is the list of these events, keyed in the store by
``(run_id, seq)``. Replaying the history through the model's semantics
rebuilds the run's state, so every input the engine cannot recompute (an
activity's output, a signal's value, when a timer started) is in it; steps
the engine decides by its own deterministic rule are recorded too, so that a
person can read the whole story and ``procalg replay`` can check it.

Every event converts to and from a JSON-ready dict (:func:`to_json`,
:func:`from_json`); data values use the tagged encoding of
``procalg.runtime.value_json.encode_value``, so sets, dotted values and
atoms survive the round trip.

Example:
    >>> from procalg.terms.values import Event
    >>> e = EventFired(time=1.5, label=Event("pay", (3,)), choice=0)
    >>> from_json(to_json(e)) == e
    True
    >>> to_json(e)["kind"]
    'event_fired'
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

from procalg.errors import FormatError
from procalg.runtime.value_json import decode_value, encode_value
from procalg.terms.values import Event, Label, Value


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """Base of every history event; ``time`` is the engine clock's seconds."""

    time: float
    kind: ClassVar[str] = "event"


@dataclass(frozen=True, slots=True)
class RunStarted(HistoryEvent):
    """The run began: which process, with which arguments, on which model."""

    process: str
    args: tuple[Value, ...] = ()
    model_hash: str = ""
    kind: ClassVar[str] = "run_started"


@dataclass(frozen=True, slots=True)
class EventFired(HistoryEvent):
    """The run took a transition: ``label``, the ``choice``-th of the
    transitions with that label in canonical order (see ``decide``)."""

    label: Label
    choice: int = 0
    kind: ClassVar[str] = "event_fired"


@dataclass(frozen=True, slots=True)
class ActivityScheduled(HistoryEvent):
    """Activity ``step`` on ``channel`` was chosen, with the fields the model gives."""

    step: int
    channel: str
    input: tuple[Value, ...] = ()
    kind: ClassVar[str] = "activity_scheduled"


@dataclass(frozen=True, slots=True)
class AttemptStarted(HistoryEvent):
    """Attempt ``attempt`` (1-based) of activity ``step`` began."""

    step: int
    attempt: int
    kind: ClassVar[str] = "attempt_started"


@dataclass(frozen=True, slots=True)
class AttemptFailed(HistoryEvent):
    """An attempt failed; ``retry_at`` is when the next one starts (None: no more)."""

    step: int
    attempt: int
    error_type: str
    message: str
    retry_at: float | None = None
    details: Any = None  # the attempt's last heartbeat details (JSON), for the next attempt
    kind: ClassVar[str] = "attempt_failed"


@dataclass(frozen=True, slots=True)
class ActivityCompleted(HistoryEvent):
    """Activity ``step`` returned ``output`` (the fields the model reads)."""

    step: int
    attempt: int
    input: tuple[Value, ...] = ()
    output: tuple[Value, ...] = ()
    kind: ClassVar[str] = "activity_completed"


@dataclass(frozen=True, slots=True)
class SignalReceived(HistoryEvent):
    """The outside world offered ``event`` and the run accepted it."""

    event: Event
    kind: ClassVar[str] = "signal_received"


@dataclass(frozen=True, slots=True)
class TimerStarted(HistoryEvent):
    """Timer ``timer`` was first offered; it fires at ``deadline``."""

    timer: str
    deadline: float
    kind: ClassVar[str] = "timer_started"


@dataclass(frozen=True, slots=True)
class TimerFired(HistoryEvent):
    """Timer ``timer`` reached its deadline and fired."""

    timer: str
    kind: ClassVar[str] = "timer_fired"


@dataclass(frozen=True, slots=True)
class CompensationStarted(HistoryEvent):
    """A saga began running its installed compensations (``reason``: what threw)."""

    reason: str = ""
    kind: ClassVar[str] = "compensation_started"


@dataclass(frozen=True, slots=True)
class RunResumed(HistoryEvent):
    """A worker took the run over after a crash; ``calls`` are the activity calls
    ``(step, channel, input)`` that may have been in flight when it stopped."""

    calls: tuple[tuple[Value, ...], ...] = ()
    kind: ClassVar[str] = "run_resumed"


@dataclass(frozen=True, slots=True)
class RunMigrated(HistoryEvent):
    """The run moved to a changed model, whose traces include its history so far."""

    model_hash: str
    model_text: str = ""
    kind: ClassVar[str] = "run_migrated"


@dataclass(frozen=True, slots=True)
class RunCompleted(HistoryEvent):
    """The process terminated (✓) normally."""

    kind: ClassVar[str] = "run_completed"


@dataclass(frozen=True, slots=True)
class RunCompensated(HistoryEvent):
    """A saga failed and undid its completed steps."""

    kind: ClassVar[str] = "run_compensated"


@dataclass(frozen=True, slots=True)
class RunFailed(HistoryEvent):
    """The run ended abnormally; ``error`` says why."""

    error: str = ""
    kind: ClassVar[str] = "run_failed"


@dataclass(frozen=True, slots=True)
class UpdateReceived(SignalReceived):
    """A signal with a reply (an update, ``procalg runs update``) was accepted: like
    :class:`SignalReceived`, plus the caller's idempotency key ``update_id``, so a
    retried update finds its answer instead of being applied twice."""

    update_id: str = ""
    kind: ClassVar[str] = "update_received"


KINDS: dict[str, type[HistoryEvent]] = {
    cls.kind: cls
    for cls in (
        RunStarted, EventFired, ActivityScheduled, AttemptStarted, AttemptFailed,
        ActivityCompleted, SignalReceived, TimerStarted, TimerFired,
        CompensationStarted, RunResumed, RunMigrated, RunCompleted, RunCompensated,
        RunFailed, UpdateReceived,
    )
}
_VALUED = {"args", "input", "output", "label", "event", "calls"}
_OMITTED_IF_NONE = {"details"}  # newer optional fields: older histories read the same


_FIELDS: dict[type[HistoryEvent], tuple[tuple[str, bool, bool], ...]] = {}
"""Per event class: each field's name, whether it holds values, whether it is required
(computed once: ``dataclasses.fields`` per event was a measurable share of a step)."""


def _register(*classes: type[HistoryEvent]) -> None:
    """Make ``classes`` readable by :func:`from_json` (their fields computed once)."""
    for cls in classes:
        KINDS[cls.kind] = cls
        _FIELDS[cls] = tuple((f.name, f.name in _VALUED, f.default is dataclasses.MISSING)
                             for f in dataclasses.fields(cls))


_register(*KINDS.values())


def to_json(event: HistoryEvent) -> dict[str, Any]:
    """The event as a JSON-ready dict with a ``kind`` key.

    Example:
        >>> to_json(TimerStarted(time=0.0, timer="t", deadline=30.0))
        {'kind': 'timer_started', 'time': 0.0, 'timer': 't', 'deadline': 30.0}
    """
    out: dict[str, Any] = {"kind": event.kind}
    for name, valued, _ in _FIELDS[type(event)]:
        value = getattr(event, name)
        if value is None and name in _OMITTED_IF_NONE:
            continue
        out[name] = encode_value(value) if valued else value
    return out


def from_json(data: dict[str, Any]) -> HistoryEvent:
    """Rebuild an event from :func:`to_json`'s dict.

    Raises:
        FormatError: unknown kind or missing/unknown fields.

    Example:
        >>> from_json({"kind": "run_completed", "time": 2.0})
        RunCompleted(time=2.0)
    """
    if not isinstance(data, dict) or data.get("kind") not in KINDS:
        raise FormatError(
            f"not a procalg history event: {data!r}",
            hint="kinds are " + ", ".join(sorted(KINDS)),
        )
    cls = KINDS[data["kind"]]
    kwargs = {}
    for name, valued, required in _FIELDS[cls]:
        if name not in data:
            if required:
                raise FormatError(f"history event {data['kind']} lacks field {name!r}")
            continue
        value = data[name]
        kwargs[name] = decode_value(value) if valued else value
    try:
        return cls(**kwargs)
    except TypeError as err:  # a field of the wrong shape in a hand-edited file
        raise FormatError(f"malformed {data['kind']} event: {err}") from err


# -- continue-as-new (procalg.runtime.continuation) ---------------------------


@dataclass(frozen=True, slots=True)
class RunContinued(HistoryEvent):
    """The run ended by continuing as new: its history goes on in run ``next_run``
    (which starts at the named-process state this run had reached)."""

    next_run: str
    kind: ClassVar[str] = "run_continued"


@dataclass(frozen=True, slots=True)
class ContinuedFrom(HistoryEvent):
    """This run continues run ``previous_run`` as new (its second event)."""

    previous_run: str
    kind: ClassVar[str] = "continued_from"


def previous_run(events: tuple[HistoryEvent, ...] | list[HistoryEvent]) -> str | None:
    """The run that a run whose history starts with ``events`` continues as new, or None:
    a store files the new run in that run's chain (one update key per chain).

    Example:
        >>> previous_run((RunStarted(time=0.0, process="P"),
        ...               ContinuedFrom(time=0.0, previous_run="r")))
        'r'
    """
    found = events[1] if len(events) > 1 else None
    return found.previous_run if type(found) is ContinuedFrom else None


# -- cancellation (issue 13): appended, so older histories load unchanged ------------


@dataclass(frozen=True, slots=True)
class CancelRequested(SignalReceived):
    """Someone asked to cancel the run (``reason``); ``event`` is the model's ``cancel``.

    A buffered request waits in the run's inbox like a signal (it is one: the
    environment offering the event ``cancel``); the run records it when its
    model takes ``cancel``, right before that ``EventFired``.
    """

    reason: str = ""
    kind: ClassVar[str] = "cancel_requested"


@dataclass(frozen=True, slots=True)
class RunCancelled(HistoryEvent):
    """The run took ``cancel`` and then terminated (its compensations done)."""

    kind: ClassVar[str] = "run_cancelled"


_register(RunContinued, ContinuedFrom, CancelRequested, RunCancelled)

# -- child workflows (docs/engine.md, "Child workflows"; runtime/children.py) --

@dataclass(frozen=True, slots=True)
class ChildStarted(HistoryEvent):
    """Step ``step`` started the child run ``child_id`` of ``process(args)``.

    ``start_recorded``: the model's start event ``process.args.started`` is the
    next ``EventFired``. Histories written before starts were events lack it
    (False): replay then takes the start move here, so such a run resumes.
    """

    step: int
    process: str
    args: tuple[Value, ...] = ()
    child_id: str = ""
    start_recorded: bool = False
    kind: ClassVar[str] = "child_started"


@dataclass(frozen=True, slots=True)
class ChildEnded(HistoryEvent):
    """Child run ``child_id`` of step ``step`` ended with ``outcome`` (its status); the
    parent fires the outcome event next."""

    step: int
    child_id: str
    outcome: str
    kind: ClassVar[str] = "child_ended"


@dataclass(frozen=True, slots=True)
class ChildOf(HistoryEvent):
    """This run is the child that step ``step`` of run ``parent_id`` started (recorded
    right after ``RunStarted``, in the same commit)."""

    parent_id: str
    step: int
    kind: ClassVar[str] = "child_of"


@dataclass(frozen=True, slots=True)
class ChildDiscarded(HistoryEvent):
    """The parent moved on without child run ``child_id`` of step ``step`` (an interrupt,
    a throw, or its own end took the child's place in the model): it will never take
    its outcome. ``cancel_requested``: the child was asked to cancel, in the same
    commit (its model has ``cancel``); else it runs on, detached."""

    step: int
    child_id: str
    cancel_requested: bool = False
    kind: ClassVar[str] = "child_discarded"


_register(ChildStarted, ChildEnded, ChildOf, ChildDiscarded)


@dataclass(frozen=True, slots=True)
class ChildTaken(HistoryEvent):
    """A worker (``owner``) began driving this child run, created by its parent: from
    now on a resume records the calls that may have been in flight, as for any run."""

    owner: str = ""
    kind: ClassVar[str] = "child_taken"


_register(ChildTaken)
