"""The engine's pure core: ``evolve`` a run's state by a history event, ``decide`` what next.

A run's state is a fold of :func:`evolve` over its history (that is replay),
and :func:`decide` maps a state and the time to commands for the worker.
Neither does I/O, so replaying a history always rebuilds the same state.

The deterministic rule (documented for users, recorded in every history):

1. Internal moves fire by themselves, one at a time: events of internal
   channels first, then τ, then ✓; among equal kinds the smallest label
   (``sort_key``), and among transitions with the same label the one whose
   target prints first (``EventFired.choice`` is its index in that order).
0. An activity whose last attempt failed fires its ``fail.c.v`` label (the
   smallest offered for that call), so the model's saga semantics take over
   (docs/sagas.md); without one (``never fails``, or a plain CSP model) the
   run fails.
2. In a stable state (no internal move), timers offered for the first time
   are started (deadline = now + duration); a timer past its deadline fires
   (earliest first); otherwise the offered activity calls that are pairwise
   independent (the diamond test, in channel-name order; see ``units``) run,
   concurrently. A choice between dependent calls goes to the first by name.
   Before calls, one offered child start (``P.x.started``, the smallest)
   creates a child run (``runtime/children.py``).
3. Otherwise the run waits for a signal, a timer or a retry back-off.
4. A run ends completed in Ω, failed in ``THROWN`` (or stuck: deadlock), and
   compensated when it terminates after an outermost saga (one inside no
   other saga) rolled back, even if the process did more after the rollback;
   cancelled when it terminates after taking ``cancel`` (docs/sagas.md).

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
from procalg.runtime.children import child_to_start
from procalg.runtime.commands import Command, Finish, Fire, Perform, StartTimer, Wait
from procalg.runtime.history import (
    ActivityCompleted,
    ActivityScheduled,
    AttemptFailed,
    ChildDiscarded,
    ChildEnded,
    ChildOf,
    ChildStarted,
    EventFired,
    HistoryEvent,
    RunCancelled,
    RunCompensated,
    RunCompleted,
    RunContinued,
    RunFailed,
    RunResumed,
    TimerFired,
    TimerStarted,
)
from procalg.runtime.machine import Machine, Node
from procalg.runtime.status import FINISHED, RunStatus
from procalg.runtime.uncertain import MAYBE_DONE_ERRORS, compensate_maybe_done
from procalg.runtime.workflow import ChannelKind, Workflow
from procalg.terms.cancel import CANCEL
from procalg.terms.child import STARTED, outcome_event
from procalg.terms.process import Omega, Process
from procalg.terms.saga import COMPENSATED, Compensated, Saga, Thrown, failed_activity
from procalg.terms.values import Event, Label, sort_key


class ReplayError(RunError):
    """A recorded event is not a transition the model offers at that point."""


FINAL = {RunCompleted: RunStatus.COMPLETED, RunCompensated: RunStatus.COMPENSATED,
         RunFailed: RunStatus.FAILED,
         RunContinued: RunStatus.CONTINUED, RunCancelled: RunStatus.CANCELLED}
CRASH_LIMIT = 3
"""Resumes with the same call in flight after which that call fails (``WorkerCrashed``):
an activity that kills its worker every time must not loop for ever."""


@dataclass
class RunState:
    """The projection of a history: where the run is and what is pending.

    Mutable for speed (one object per run, updated in place by :func:`evolve`).
    The position is a state id of the workflow's compiled
    :class:`~procalg.runtime.machine.Machine` (its term: :attr:`term`).
    """

    workflow: Workflow
    sid: int
    status: RunStatus = RunStatus.RUNNING
    seq: int = 0
    steps: int = 0
    inflight: dict[int, tuple[str, tuple[Any, ...]]] = field(default_factory=dict)
    failures: dict[int, int] = field(default_factory=dict)
    retry_at: dict[int, float] = field(default_factory=dict)
    timers: dict[str, float] = field(default_factory=dict)
    trace: list[Event] = field(default_factory=list)
    error: str = ""
    gave_up: dict[int, str] = field(default_factory=dict)
    crashes: dict[int, int] = field(default_factory=dict)
    details: dict[int, Any] = field(default_factory=dict)  # step -> last heartbeat details
    compensated: bool = False  # an outermost saga rolled back
    note: str = ""  # the last failure that made the model throw
    maybe_done: set[int] = field(default_factory=set)  # calls that may have run unrecorded
    trace_offset: int = 0  # visible events before ``trace`` (restored from a snapshot)
    cancelled: bool = False  # the run took the event cancel (docs/sagas.md section 8)
    children: dict[int, tuple[str, tuple[Any, ...], str]] = field(default_factory=dict)
    parent: tuple[str, int] | None = None  # this run is a child: (parent run, step)
    machine: Machine = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # held here, not read through the workflow each step: ``sid`` means
        # something only in the machine it was interned in
        self.machine = self.workflow.machine

    @classmethod
    def initial(cls, workflow: Workflow) -> RunState:
        return cls(workflow, workflow.machine.initial(workflow))

    @property
    def term(self) -> Process:
        """The current process term."""
        return self.machine.term(self.sid)

    def node(self) -> Node:
        """The current state, compiled."""
        return self.machine.node(self.sid)

    def moves(self) -> list[tuple[Label, Process]]:
        """The current term's transitions (computed once per state, shared by runs)."""
        return self.machine.node(self.sid).moves

    def offers(self, label: Label) -> bool:
        """Whether the current state offers ``label`` (its targets are not evaluated)."""
        return label in self.machine.node(self.sid).targets

    def drop(self, step: int) -> None:
        """Forget a call: it completed, failed for good, or the model moved past it."""
        for table in (self.inflight, self.failures, self.retry_at, self.gave_up, self.crashes,
                      self.details):
            table.pop(step, None)
        self.maybe_done.discard(step)


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
            node = state.node()
            found = node.targets.get(label, ())
            if not 0 <= choice < len(found):
                raise ReplayError(
                    f"history event #{state.seq - 1} ({label}) is not possible here: "
                    f"the model offers {_offer_text(node.moves)} after "
                    f"{', '.join(map(str, state.trace)) or 'the start'}",
                    hint="the model changed in a way this run's history does not fit",
                )
            failed = failed_activity(label)
            if failed is not None:
                state.note = next((state.gave_up[s] for s, (c, _) in sorted(
                    state.inflight.items()) if s in state.gave_up), state.note)
            state.sid = found[choice]
            if state.maybe_done and failed is not None:
                _maybe_done(state, failed)
            if isinstance(label, Event):
                state.trace.append(label)
                # the channel first: a string compared in C, not Event.__eq__ every step
                if label.channel == COMPENSATED.channel and label == COMPENSATED \
                        and outermost_compensated(state.term):
                    state.compensated = True
                elif label.channel == CANCEL and not label.fields:
                    # the environment's cancel, not a model's own channel of that name
                    state.cancelled = state.workflow.kind(label) is ChannelKind.SIGNAL
            node = state.node()
            if state.timers:
                state.timers = {t: d for t, d in state.timers.items() if t in node.channels}
            if state.inflight:
                for step, (channel, given) in list(state.inflight.items()):
                    if not node.offers(channel, given):
                        state.drop(step)  # the model moved past it (a sibling threw)
        case ActivityScheduled(step=step, channel=channel, input=given):
            state.inflight[step] = (channel, given)
            state.steps = max(state.steps, step + 1)
        case AttemptFailed(step=step, attempt=attempt, retry_at=retry_at):
            state.failures[step] = attempt
            if event.error_type in MAYBE_DONE_ERRORS:
                state.maybe_done.add(step)
            if event.details is not None:
                state.details[step] = event.details
            if retry_at is not None:
                state.retry_at[step] = retry_at
            else:
                channel = state.inflight.get(step, ("?",))[0]
                state.gave_up[step] = (
                    f"activity {channel} failed after {attempt} attempt(s): "
                    f"{event.error_type}: {event.message}"
                )
        case ActivityCompleted(step=step):
            state.drop(step)
            state.steps = max(state.steps, step + 1)
        case RunResumed(calls=calls):
            for step, channel, given in calls:
                state.inflight[step] = (channel, given)
                state.steps = max(state.steps, step + 1)
                state.crashes[step] = state.crashes.get(step, 0) + 1
                state.maybe_done.add(step)
                if state.crashes[step] >= CRASH_LIMIT:
                    state.gave_up[step] = (f"activity {channel} was in flight in "
                                           f"{CRASH_LIMIT} crashes of its worker: WorkerCrashed")
        case TimerStarted(timer=timer, deadline=deadline):
            state.timers[timer] = deadline
        case TimerFired(timer=timer):
            state.timers.pop(timer, None)
        case RunCompleted() | RunCompensated() | RunFailed() | RunContinued() | RunCancelled():
            state.status = FINAL[type(event)]
            state.error = getattr(event, "error", "")
        case ChildStarted(step=step, process=process, args=args, child_id=child_id):
            state.children[step] = (process, args, child_id)
            state.steps = max(state.steps, step + 1)
            if not event.start_recorded:  # an older history: the start was not an event
                _start_move(state, outcome_event(process, args, STARTED))
        case ChildEnded(step=step) | ChildDiscarded(step=step):
            state.children.pop(step, None)
        case ChildOf(parent_id=parent_id, step=step):
            state.parent = (parent_id, step)


def _start_move(state: RunState, start: Event) -> None:
    """Take the model's child start ``start`` where an older history recorded none."""
    found = state.node().targets.get(start, ())
    if found:  # else the model withdrew it (an old run that started both sides of a choice)
        state.sid = found[0]
        state.trace.append(start)


def _maybe_done(state: RunState, failed: Event) -> None:
    """Compensate maybe-done steps like completed ones (``procalg.runtime.uncertain``)."""
    mine = [s for s, (c, given) in state.inflight.items()
            if c == failed.channel and failed.fields[:len(given)] == given]
    others = [state.inflight[s] for s in state.maybe_done
              if s in state.gave_up and s in state.inflight and s not in mine]
    failing = any(s in state.maybe_done for s in mine)
    if failing or others:
        state.sid = state.machine.intern(
            compensate_maybe_done(state.term, state.workflow.system, others, failing))


def _offer_text(moves: list[tuple[Label, Process]]) -> str:
    labels = sorted({str(lab) for lab, _ in moves})
    return "{" + ", ".join(labels) + "}" if labels else "nothing"


def outermost_compensated(term: Process) -> bool:
    """Whether ``term`` holds a rolled-back saga (``Compensated``) inside no other saga.

    Example:
        >>> from procalg.terms import SKIP, Seq
        >>> outermost_compensated(Seq(Compensated(), SKIP))
        True
        >>> outermost_compensated(Saga(Compensated()))
        False
    """
    stack: list[tuple[Any, bool]] = [(term, False)]
    while stack:
        node, inside = stack.pop()
        if type(node) is Compensated:
            if not inside:
                return True
            continue
        if not isinstance(node, Process):
            continue
        inside = inside or type(node) is Saga
        for name in getattr(node, "__dataclass_fields__", ()):
            child = getattr(node, name)
            if isinstance(child, Process):
                stack.append((child, inside))
    return False


def decide(state: RunState, now: float) -> list[Command]:
    """The commands for ``state`` at time ``now`` (see the module's rule).

    Returns an empty list for a finished run.
    """
    if state.status in FINISHED:
        return []
    wf = state.workflow
    node = state.node()
    if state.gave_up:
        return [_give_up(state, node.moves)]
    if node.internal is not None:
        return [Fire(node.internal, 0)]
    if not node.moves:
        return [_end(state)]
    timers = node.timers
    if timers:
        fresh = [t for t in timers if t not in state.timers]
        if fresh:
            return [StartTimer(t, now + wf.channels[t].duration) for t in fresh]
        set_at = state.timers
        # a list and its least: no generator and no sort on each step of a timed model
        due = [(set_at[t], t) for t in timers if set_at[t] <= now]
        if due:
            return [Fire(Event(min(due)[1]), 0)]
    if wf.has_children:  # read once per workflow: models without children skip this
        start = child_to_start(state, node.labels)
        if start is not None:
            return [start]
    commands: list[Command] = []
    deadlines = [state.timers[t] for t in timers]
    next_step = state.steps
    for call in state.machine.calls(state.sid):
        step = next((s for s, (c, i) in state.inflight.items()
                     if (c, i) == (call.channel, call.given)), None)
        if step is None:
            step, next_step = next_step, next_step + 1
        elif state.retry_at.get(step, now) > now:
            deadlines.append(state.retry_at[step])
            continue
        commands.append(Perform(step, call.channel, call.given, state.failures.get(step, 0) + 1,
                                call.events, step in state.inflight, state.details.get(step)))
    if commands:
        return commands
    return [Wait(min(deadlines, default=None), node.signals,
                 tuple([(t, state.timers[t]) for t in timers]) if timers else (),
                 tuple([c for _, _, c in state.children.values()]) if state.children else ())]


def _give_up(state: RunState, moves: list[tuple[Label, Process]]) -> Command:
    """Fire the failure label of the first call whose last attempt failed, if offered."""
    step = min(state.gave_up)
    channel, given = state.inflight.get(step, ("", ()))
    failures = [lab for lab, _ in moves if (e := failed_activity(lab)) is not None
                and e.channel == channel and e.fields[:len(given)] == given]
    if failures:
        return Fire(min(failures, key=sort_key), 0)
    return Finish(RunStatus.FAILED, state.gave_up[step])


def _end(state: RunState) -> Finish:
    """How a run with no moves left ended."""
    if isinstance(state.term, Omega):
        if state.cancelled:
            return Finish(RunStatus.CANCELLED)
        return Finish(RunStatus.COMPENSATED if state.compensated else RunStatus.COMPLETED)
    if isinstance(state.term, Thrown):
        return Finish(RunStatus.FAILED, state.note or "the process threw (THROW)")
    return Finish(RunStatus.FAILED, f"deadlock: the process can do nothing more ({state.term})")
