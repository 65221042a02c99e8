"""The engine's pure core: ``evolve`` a run's state by a history event, ``decide`` what next.

A run's state is a fold of :func:`evolve` over its history (that is replay),
and :func:`decide` maps a state and the time to commands for the worker.
Neither does I/O, so replaying a history always rebuilds the same state.

The deterministic rule (documented for users, recorded in every history):

1. Internal moves fire by themselves, one at a time: events of internal
   channels first, then τ, then ✓; among equal kinds the smallest label
   (``sort_key``), and among transitions with the same label the one whose
   target prints first (``EventFired.choice`` is its index in that order).
2. In a stable state (no internal move), timers offered for the first time
   are started (deadline = now + duration); a timer past its deadline fires
   (earliest first); otherwise every offered activity channel whose events
   stay offered after any event of the channels already chosen (the diamond
   test for independence, in channel-name order) runs, concurrently. A
   choice between dependent activities goes to the first channel by name.
3. Otherwise the run waits for a signal, a timer or a retry back-off.

Example:
    >>> from procalg.terms import Event, Prefix, SKIP
    >>> from procalg.runtime.workflow import TermSystem
    >>> state = RunState.initial(Workflow(TermSystem(Prefix(Event("log"), SKIP))))
    >>> decide(state, now=0.0)
    [Fire(label=Event(channel='log', fields=()), choice=0)]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from procalg.errors import RunError
from procalg.lts import TAU, TICK
from procalg.runtime.history import (
    ActivityCompleted,
    ActivityScheduled,
    AttemptFailed,
    EventFired,
    HistoryEvent,
    RunCompensated,
    RunCompleted,
    RunFailed,
    TimerFired,
    TimerStarted,
)
from procalg.runtime.workflow import ChannelKind, Workflow
from procalg.terms.process import Omega, Process
from procalg.terms.values import Event, sort_key

Label = Event | str


class ReplayError(RunError):
    """A recorded event is not a transition the model offers at that point."""


@dataclass(frozen=True, slots=True)
class Fire:
    """Fire an internal move (or a due timer): record and take it."""

    label: Label
    choice: int = 0


@dataclass(frozen=True, slots=True)
class StartTimer:
    """Record that ``timer`` is offered and fires at ``deadline``."""

    timer: str
    deadline: float


@dataclass(frozen=True, slots=True)
class Perform:
    """Run one attempt of an activity; ``offered`` are the events it may complete with."""

    step: int
    channel: str
    input: tuple[Any, ...]
    attempt: int
    offered: frozenset[Event]
    scheduled: bool  # already recorded as scheduled (a retry)


@dataclass(frozen=True, slots=True)
class Wait:
    """Nothing to do until ``until`` (None: until a signal) or a signal in ``signals``."""

    until: float | None
    signals: tuple[Event, ...]
    timers: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class Finish:
    """The run ends with ``status`` (``completed`` or ``failed``)."""

    status: str
    error: str = ""


Command = Fire | StartTimer | Perform | Wait | Finish
FINAL = {RunCompleted: "completed", RunCompensated: "compensated", RunFailed: "failed"}


@dataclass
class RunState:
    """The projection of a history: where the run is and what is pending.

    Mutable for speed (one object per run, updated in place by :func:`evolve`).
    """

    workflow: Workflow
    term: Process
    status: str = "running"
    seq: int = 0
    steps: int = 0
    inflight: dict[int, tuple[str, tuple[Any, ...]]] = field(default_factory=dict)
    failures: dict[int, int] = field(default_factory=dict)
    retry_at: dict[int, float] = field(default_factory=dict)
    timers: dict[str, float] = field(default_factory=dict)
    trace: list[Event] = field(default_factory=list)
    error: str = ""
    gave_up: dict[int, str] = field(default_factory=dict)

    @classmethod
    def initial(cls, workflow: Workflow) -> RunState:
        return cls(workflow, workflow.system.initial_state())

    def moves(self) -> list[tuple[Label, Process]]:
        return list(self.workflow.system.successors(self.term))


def targets(moves: list[tuple[Label, Process]], label: Label) -> list[Process]:
    """Targets of ``label`` in canonical order (by printed term when several)."""
    found = [t for lab, t in moves if lab == label]
    if len(found) > 1:
        found.sort(key=str)
    return found


def evolve(state: RunState, event: HistoryEvent) -> None:
    """Apply one recorded event to ``state`` (replay is a fold of this).

    Raises:
        ReplayError: an ``EventFired`` the model does not offer there.
    """
    state.seq += 1
    match event:
        case EventFired(label=label, choice=choice):
            found = targets(state.moves(), label)
            if not 0 <= choice < len(found):
                raise ReplayError(
                    f"history event #{state.seq - 1} ({label}) is not possible here: "
                    f"the model offers {_offer_text(state.moves())} after "
                    f"{', '.join(map(str, state.trace)) or 'the start'}",
                    hint="the model changed in a way this run's history does not fit",
                )
            state.term = found[choice]
            if isinstance(label, Event):
                state.trace.append(label)
            if state.timers:
                offered = {lab.channel for lab, _ in state.moves() if isinstance(lab, Event)}
                state.timers = {t: d for t, d in state.timers.items() if t in offered}
        case ActivityScheduled(step=step, channel=channel, input=given):
            state.inflight[step] = (channel, given)
            state.steps = max(state.steps, step + 1)
        case AttemptFailed(step=step, attempt=attempt, retry_at=retry_at):
            state.failures[step] = attempt
            if retry_at is not None:
                state.retry_at[step] = retry_at
            else:
                channel = state.inflight.get(step, ("?",))[0]
                state.gave_up[step] = (
                    f"activity {channel} failed after {attempt} attempt(s): "
                    f"{event.error_type}: {event.message}"
                )
        case ActivityCompleted(step=step):
            state.inflight.pop(step, None)
            state.failures.pop(step, None)
            state.retry_at.pop(step, None)
            state.steps = max(state.steps, step + 1)
        case TimerStarted(timer=timer, deadline=deadline):
            state.timers[timer] = deadline
        case TimerFired(timer=timer):
            state.timers.pop(timer, None)
        case RunCompleted() | RunCompensated() | RunFailed():
            state.status = FINAL[type(event)]
            state.error = getattr(event, "error", "")


def _offer_text(moves: list[tuple[Label, Process]]) -> str:
    labels = sorted({str(lab) for lab, _ in moves})
    return "{" + ", ".join(labels) + "}" if labels else "nothing"


def _internal_key(label: Label) -> tuple:
    rank = 2 if label == TICK else 1 if label == TAU else 0
    return (rank, sort_key(label) if isinstance(label, Event) else ())


def decide(state: RunState, now: float) -> list[Command]:
    """The commands for ``state`` at time ``now`` (see the module's rule).

    Returns an empty list for a finished run.
    """
    if state.status in ("completed", "compensated", "failed"):
        return []
    if state.gave_up:
        # Without saga semantics in the LTS a failed step is THROW outside any saga.
        return [Finish("failed", state.gave_up[min(state.gave_up)])]
    wf = state.workflow
    moves = state.moves()
    internal = [lab for lab, _ in moves if wf.kind(lab) is ChannelKind.INTERNAL]
    if internal:
        return [Fire(min(internal, key=_internal_key), 0)]
    if not moves:
        if isinstance(state.term, Omega):
            return [Finish("completed")]
        return [Finish("failed", f"deadlock: the process can do nothing more ({state.term})")]
    by_kind: dict[ChannelKind, dict[str, set[Event]]] = {}
    for lab, _ in moves:
        by_kind.setdefault(wf.kind(lab), {}).setdefault(lab.channel, set()).add(lab)
    timers = sorted(by_kind.get(ChannelKind.TIMER, {}))
    fresh = [t for t in timers if t not in state.timers]
    if fresh:
        return [StartTimer(t, now + wf.channels[t].duration) for t in fresh]
    due = sorted((state.timers[t], t) for t in timers if state.timers[t] <= now)
    if due:
        return [Fire(Event(due[0][1]), 0)]
    activities = _independent(wf, moves, by_kind.get(ChannelKind.ACTIVITY, {}))
    commands: list[Command] = []
    deadlines = [state.timers[t] for t in timers]
    next_step = state.steps
    for channel in activities:
        offered = frozenset(by_kind[ChannelKind.ACTIVITY][channel])
        given = _common_prefix(offered)
        step = next((s for s, (c, i) in state.inflight.items() if (c, i) == (channel, given)),
                    None)
        if step is None:
            step, next_step = next_step, next_step + 1
        elif state.retry_at.get(step, now) > now:
            deadlines.append(state.retry_at[step])
            continue
        commands.append(Perform(step, channel, given, state.failures.get(step, 0) + 1, offered,
                                step in state.inflight))
    if commands:
        return commands
    signals = tuple(sorted((e for evs in by_kind.get(ChannelKind.SIGNAL, {}).values()
                            for e in evs), key=sort_key))
    return [Wait(min(deadlines, default=None), signals,
                 tuple((t, state.timers[t]) for t in timers))]


def _common_prefix(events: frozenset[Event]) -> tuple[Any, ...]:
    """The fields every event agrees on, from the left: what the model gives."""
    rows = [e.fields for e in events]
    prefix: list[Any] = []
    for column in zip(*rows, strict=False):
        if any(v != column[0] for v in column) or len(column) < len(rows):
            break
        prefix.append(column[0])
    return tuple(prefix)


def _independent(
    wf: Workflow, moves: list[tuple[Label, Process]], channels: dict[str, set[Event]]
) -> list[str]:
    """Channels (by name) that can run together: each one's events stay offered
    after any event of the others (a diamond, checked one step deep).

    Cost: O(k^2) successor look-ups for k offered activity channels (memoised
    by the semantics), nothing when only one channel is offered.
    """
    chosen: list[str] = []
    for name in sorted(channels):
        if all(_commute(wf, moves, channels[name], channels[other]) for other in chosen):
            chosen.append(name)
    return chosen


def _commute(
    wf: Workflow, moves: list[tuple[Label, Process]], a: set[Event], b: set[Event]
) -> bool:
    def stays(first: set[Event], second: set[Event]) -> bool:
        after = {target for lab, target in moves if lab in first}
        return all(second <= {lab for lab, _ in wf.system.successors(t)} for t in after)

    return stays(a, b) and stays(b, a)
