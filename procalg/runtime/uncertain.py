"""Maybe-done steps: activity calls that may have run although no outcome was recorded.

A call whose attempt timed out (start-to-close or heartbeat) or was in flight
when its worker died may have had its side effect: the engine cannot know.
When such a call finally fails (its ``fail.c.v`` fires), the saga semantics
(docs/sagas.md) would treat its step as never completed and roll back
without it; the money charged by a timed-out ``charge`` would stay charged.
So the engine compensates a maybe-done step **like a completed one**: at
that ``fail`` move it installs the step's compensation behind the step,
exactly what the step's ✓ would have installed (``Revert(s, Q)``, or a
pivot's ``stranded.s``). The rewrite uses the saga terms' own
``After(step, installed)`` form, so the rollback that follows is an ordinary
run of the firing rules; it is a pure function of the history, so replay
rebuilds it.

This is the rule of Garcia-Molina & Salem's sagas (SIGMOD 1987) and of
Temporal's saga guidance: a compensation is registered before the step it
undoes runs, so it must be **idempotent** and must accept that there may be
nothing to undo. Compensations receive the undone step's idempotency key
(``undoes``; see :func:`undone_keys`) to find the effect, if any.

Example:
    >>> from procalg.terms import Event, Prefix, SKIP
    >>> from procalg.terms.saga import THROW, Step
    >>> from procalg.semantics.system import TermSystem
    >>> step = Step(THROW, Prefix(Event("refund"), SKIP), "charge")
    >>> print(compensate_maybe_done(step, TermSystem(step), [], True))
    THROW undo refund -> SKIP then-undo revert[charge](refund -> SKIP)
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from procalg.runtime.heartbeat import HEARTBEAT_TIMEOUT
from procalg.runtime.units import offers
from procalg.semantics.saga import installed
from procalg.terms import SKIP
from procalg.terms.process import Process
from procalg.terms.saga import THROW_EVENT, After, Revert, Step
from procalg.terms.values import Event

if TYPE_CHECKING:
    from procalg.lts import TransitionSystem
    from procalg.runtime.decide import Perform, RunState
    from procalg.runtime.history import HistoryEvent

TIMEOUT = "StartToCloseTimeout"
WORKER_CRASHED = "WorkerCrashed"
MAYBE_DONE_ERRORS = frozenset({TIMEOUT, HEARTBEAT_TIMEOUT})
"""Attempt failures after which the attempt's side effect may have happened."""

Call = tuple[str, tuple[Any, ...]]


def compensate_maybe_done(term: Process, system: TransitionSystem[Any], calls: list[Call],
                          failing: bool) -> Process:
    """``term`` (just entered by a ``fail`` move) with maybe-done steps' compensations installed.

    Args:
        term: the target of the ``fail.c.v`` move.
        system: the run's transition system (to ask a step's body for its moves).
        calls: other maybe-done calls that have given up, ``(channel, given)``:
            their steps are cut by the throw that follows, so they are wrapped now.
        failing: whether the failing call itself may have run (its step is the
            one whose body can throw now: in a stable state no other can).

    A step already wrapped is left alone, so a step is compensated at most once.
    """
    def want(step: Step) -> bool:
        moves = list(system.successors(step.body))
        if failing and any(lab is THROW_EVENT or lab == THROW_EVENT for lab, _ in moves):
            return True
        return any(offers(channel, given, moves) for channel, given in calls)

    return _rewrite(term, want)


def _wrapped(node: Process) -> bool:
    """An ``After(Step(P, Q, s), Revert(s, Q))`` (or a pivot's marker) made here."""
    return (type(node) is After and type(node.body) is Step
            and node.installed == installed(Step(SKIP, node.body.compensation, node.body.name)))


def _rewrite(node: Process, want: Any) -> Process:
    if type(node) is Step:
        if want(node):
            return After(node, installed(Step(SKIP, node.compensation, node.name)))
        return node  # steps do not nest (an inner saga is an ordinary process)
    if _wrapped(node) or not isinstance(node, Process):
        return node
    if not dataclasses.is_dataclass(node):
        return node
    fields = [f.name for f in dataclasses.fields(node) if f.init]
    changed = {}
    for name in fields:
        child = getattr(node, name)
        if isinstance(child, Process):
            new = _rewrite(child, want)
            if new is not child:
                changed[name] = new
    if not changed:
        return node
    return type(node)(**{name: changed.get(name, getattr(node, name)) for name in fields})


def undone_keys(term: Process, system: TransitionSystem[Any], done: dict[str, int],
                run_id: str, call: Call) -> list[str]:
    """The idempotency keys of the steps whose running compensation offers ``call`` now.

    ``done`` maps a step's display name (its first event, as in ``Revert``)
    to the number of the activity call that completed (or may have
    completed) that event.

    Example:
        >>> from procalg.terms import Prefix
        >>> from procalg.semantics.system import TermSystem
        >>> term = Revert("charge", Prefix(Event("refund"), SKIP))
        >>> undone_keys(term, TermSystem(term), {"charge": 0}, "r1", ("refund", ()))
        ['r1:0']
    """
    keys: set[str] = set()
    stack = [term]
    while stack:
        node = stack.pop()
        if type(node) is Revert:
            if node.step in done and offers(*call, list(system.successors(node.body))):
                keys.add(f"{run_id}:{done[node.step]}")
            continue
        for name in getattr(node, "__dataclass_fields__", ()):
            child = getattr(node, name)
            if isinstance(child, Process):
                stack.append(child)
    return sorted(keys)


def undoing(call: Perform, state: RunState, history: list[HistoryEvent], run_id: str
            ) -> Perform:
    """``call`` with ``undoes`` set when it is part of a step's compensation.

    The steps' calls are read from the history: a completed call's event, or
    the event of a call that was scheduled, or in flight in a crash, and never
    completed (maybe done).
    """
    from procalg.runtime.history import ActivityCompleted, ActivityScheduled, RunResumed

    done: dict[str, int] = {}
    scheduled: dict[int, tuple[str, tuple[Any, ...]]] = {}
    for event in history:
        if type(event) is ActivityScheduled:
            scheduled[event.step] = (event.channel, event.input)
            done.setdefault(str(Event(event.channel, event.input)), event.step)
        elif type(event) is RunResumed:  # in flight in a crash: never recorded as scheduled
            for step, channel, given in event.calls:
                scheduled.setdefault(step, (channel, given))
                done.setdefault(str(Event(channel, given)), step)
        elif type(event) is ActivityCompleted and event.step in scheduled:
            channel = scheduled[event.step][0]
            done[str(Event(channel, event.input + event.output))] = event.step
    keys = undone_keys(state.term, state.workflow.system, done, run_id,
                       (call.channel, call.input))
    return dataclasses.replace(call, undoes=tuple(keys)) if keys else call
