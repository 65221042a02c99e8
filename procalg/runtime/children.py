"""Child runs: a parent starts ``child(P(x))`` as a run of its own and waits for its end.

The model's meaning is in :mod:`procalg.semantics.child`: the checker sees the
child inlined; the engine steps a parent with its children opaque, so the
parent offers the child's three outcome events (``P.x.completed``,
``P.x.compensated``, ``P.x.failed``, channel kind
:attr:`~procalg.runtime.workflow.ChannelKind.CHILD`). Then:

1. ``decide`` gives :class:`StartChild` when the model offers a child's start
   ``P.x.started`` (:func:`child_to_start`: one at a time, the smallest, so in
   ``child(P) [] child(Q)`` exactly the child the model chose starts),
   numbered by the parent's next step, so the child's id ``parent.step`` is a
   function of the parent's history: a parent resumed after a crash derives
   the same id, finds the run there and starts no second child; two identical
   children (``child(P(1)) ||| child(P(1))``) start at two steps, two ids.
2. The engine creates the child run (``RunStarted`` then ``ChildOf`` in its
   history, its link in the store's ``run_parents``: one transaction), then
   records ``ChildStarted`` and the fired ``P.x.started`` in the parent. The child is due at once
   (``running``, no owner): this engine drives it after the parent waits, or
   any worker's ``claim_next`` takes it, with its own lease, retries and history.
3. The parent waits (no lease, no polling). The child's final commit puts its
   outcome event into the parent's inbox in the same transaction (so a crash
   cannot lose it); whoever finished the child then resumes the parent if no
   live worker holds it, and workers find the parent by its inbox as for a
   buffered signal.
4. The parent consumes the outcome as ``ChildEnded`` + ``EventFired`` (exactly
   once, with the inbox row's removal) and reacts as the model says.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.api.run import engine, workflow
    >>> model = loads("channel a\\nKid = a -> SKIP\\nP = child(Kid)")
    >>> eng = engine("memory:")
    >>> run = eng.start(workflow(model, "P"), run_id="p")
    >>> str(run.status), eng.log.children("p"), str(eng.log.get_run("p.0").status)
    ('completed', ['p.0'], 'completed')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from procalg.errors import StoreError
from procalg.runtime.binding import check_bindings
from procalg.runtime.history import (
    CancelRequested,
    ChildDiscarded,
    ChildEnded,
    ChildOf,
    ChildStarted,
    ChildTaken,
    EventFired,
    HistoryEvent,
    RunStarted,
    SignalReceived,
)
from procalg.runtime.ports import UNFINISHED, RunRecord, Write
from procalg.runtime.reach import reaches
from procalg.runtime.workflow import ChannelKind
from procalg.terms.cancel import CANCEL_EVENT
from procalg.terms.child import OUTCOMES, STARTED, child_outcome, outcome_event
from procalg.terms.values import Atom, Event, sort_key

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from procalg.runtime.decide import RunState
    from procalg.runtime.engine import Engine
    from procalg.terms.values import Label


_START = (RunStarted, ChildOf)
"""A child's history as created: nothing happened in it yet."""


def is_fresh_child(state: RunState) -> bool:
    """Whether a loaded run is a child no worker has driven yet: its history is its
    creation (:data:`_START`: ``run_started`` then ``child_of``, the only event that
    makes a run a child), so nothing of it can have been in flight. Read off the state:
    no second read of the history."""
    return state.parent is not None and state.seq == len(_START)


def _unfinished(engine: Engine, ident: str) -> bool:
    state = engine._states.get(ident)
    return state is None or state.status in UNFINISHED


@dataclass(frozen=True, slots=True)
class StartChild:
    """Start ``process(args)`` as child run ``parent.step`` and fire ``label``
    (``process.args.started``, target ``choice``) in the parent."""

    step: int
    process: str
    args: tuple[Any, ...]
    label: Event
    choice: int = 0


def child_to_start(state: RunState, labels: Sequence[Label]) -> StartChild | None:
    """The child the model starts now: the smallest offered ``P.x.started``, else None.

    ``labels``: the state's labels (its moves' targets are not needed). One at a
    time: starting one child may withdraw another (``child(P) [] child(Q)``).
    """
    wf, found = state.workflow, None
    for label in labels:
        if type(label) is Event and label.fields and label.fields[-1] == Atom(STARTED) \
                and wf.kind(label) is ChannelKind.CHILD and \
                (found is None or sort_key(label) < sort_key(found)):
            found = label
    if found is None:
        return None
    return StartChild(state.steps, found.channel, found.fields[:-1], found)


def _unfinished_in_store(engine: Engine, ident: str) -> bool:
    return engine.log.get_run(ident).status in UNFINISHED


def child_id(parent_id: str, step: int) -> str:
    """The id of the child that step ``step`` of run ``parent_id`` starts.

    Example:
        >>> child_id("a1b2", 3)
        'a1b2.3'
    """
    return f"{parent_id}.{step}"


class Children:
    """Starting child runs and delivering their ends; mixed into the engine."""

    children_here: bool = True
    """Drive the children this engine starts itself, once the parent waits (False:
    leave them to other workers' ``claim_next``)."""

    def _start_children(self: Engine, run_id: str, state: RunState,
                        commands: list[StartChild]) -> None:
        """Create each child run (idempotently), then record ``ChildStarted`` in the parent."""
        if run_id in self._creating:  # the parent's row first: a child names its parent
            self._flush(run_id, state, "running")
        now = self.clock.now()
        wf, events, ids = state.workflow, [], []
        for command in commands:
            ident = child_id(run_id, command.step)
            record = RunRecord(ident, command.process, command.args, wf.model_hash,
                               wf.model_text, dict(wf.verdicts), created=now)
            first = (RunStarted(time=now, process=command.process, args=command.args,
                                model_hash=wf.model_hash),
                     ChildOf(time=now, parent_id=run_id, step=command.step))
            try:
                self.commits.commit(Write(ident, 0, first, record=record,
                                          parent=(run_id, command.step)))
            except StoreError:
                self.log.get_run(ident)  # there already: started before a crash (else raise)
            events += [ChildStarted(time=now, step=command.step, process=command.process,
                                    args=command.args, child_id=ident, start_recorded=True),
                       EventFired(time=now, label=command.label, choice=command.choice)]
            ids.append(ident)
        self._record(run_id, state, events)
        self._flush(run_id, state, "running")
        self._spawned.setdefault(run_id, []).extend(ids)

    def _received(self: Engine, state: RunState, now: float, event: Event) -> HistoryEvent:
        """The history event for a consumed inbox entry: a child's end, or a signal."""
        if state.workflow.kind(event) is ChannelKind.CHILD:
            found = child_outcome(event)
            if found is not None:
                process, args, outcome = found
                same = [(step, ident) for step, (p, a, ident) in sorted(state.children.items())
                        if (p, a) == (process, args)]
                if same:
                    step, ident = self._which(same, outcome)
                    return ChildEnded(time=now, step=step, child_id=ident, outcome=outcome)
        return SignalReceived(time=now, event=event)

    def _which(self: Engine, same: list[tuple[int, str]], outcome: str) -> tuple[int, str]:
        """Which of identical children (same process and arguments) ended with ``outcome``:
        the first whose run ended so, else the first that ended (a cancelled one)."""
        if len(same) == 1:  # the usual case: no store read
            return same[0]
        ended = [(s, i) for s, i in same if not _unfinished_in_store(self, i)]
        exact = [(s, i) for s, i in ended if self.log.get_run(i).status == outcome]
        return (exact or ended or same)[0]

    def _tell_parent(self: Engine, run_id: str, state: RunState, status: str) -> None:
        """Put this child's outcome into its parent's inbox with the child's final commit."""
        if state.parent is None:
            return
        parent_id, _ = state.parent
        wf = state.workflow
        if status == "cancelled":  # the model sees a cancelled child's own end: rolled back
            status = "compensated" if state.compensated else "completed"  # (semantics/child.py)
        event = outcome_event(wf.process, tuple(wf.args),
                              status if status in OUTCOMES else "failed")
        self._sends[run_id] = [(parent_id, SignalReceived(time=self.clock.now(), event=event))]
        self._woken.setdefault(run_id, []).append(parent_id)

    def _discard_children(self: Engine, run_id: str, state: RunState) -> None:
        """Record each child the parent's last steps discarded, and ask it to cancel in the
        same commit (Temporal's parent-close policy, as the model implies it).

        A child is discarded when the parent can no longer take its outcome: no
        outcome event of it is offered (an interrupt or a throw took the child's
        place in the term, or the parent ended). In the inlined model the child
        does nothing after that, so it is asked to take ``cancel`` (its model
        says what cancelling means there: a saga compensates) if the model has
        ``cancel``; otherwise it runs on, detached (a stop mid-saga would leave
        its completed steps uncompensated, which its model never does).
        Identical pending children (same process and arguments) share outcome
        events: while one is offered, none of them counts as discarded.
        """
        offered = state.node().targets if state.status in UNFINISHED else {}
        gone = [(step, ident) for step, (process, args, ident) in sorted(state.children.items())
                if outcome_event(process, args, OUTCOMES[0]) not in offered]
        if not gone:
            return
        now, cancels = self.clock.now(), state.workflow.kind(CANCEL_EVENT) is ChannelKind.SIGNAL
        pending = self._pending.get(run_id, [])
        why = next((e.reason for e in reversed(pending) if type(e) is CancelRequested),
                   f"its parent run {run_id} went on without it")
        # a child loaded here that can reach no cancellation point is not asked: the
        # request would stay pending for ever (one not loaded here is asked; a stale
        # state can only over-approximate what the child may still reach)
        asked = {ident for _, ident in gone if cancels and (
            (child := self._states.get(ident)) is None or reaches(child, CANCEL_EVENT))}
        self._record(run_id, state, [ChildDiscarded(time=now, step=step, child_id=ident,
                                                    cancel_requested=ident in asked)
                                     for step, ident in gone])
        if asked:
            self._sends.setdefault(run_id, []).extend(
                (ident, CancelRequested(time=now, event=CANCEL_EVENT, reason=why))
                for _, ident in gone if ident in asked)
            self._woken.setdefault(run_id, []).extend(i for _, i in gone if i in asked)

    def _leave_children(self: Engine, run_id: str, state: RunState) -> None:
        """At the parent's end: discard the children it still awaits, and have its final
        commit take out of its inbox the outcomes of children it discarded (no one will
        consume them: a finished run's inbox is not read again).

        The store finds them inside that commit's transaction (``Write.drops``), not
        here beforehand: a child driven by another thread or worker may end between
        such a read and the parent's commit, its outcome sent while the parent still
        ran, and it would stay pending for ever (tests/store/test_cancel_children_crash).
        """
        if state.children:
            self._discard_children(run_id, state)
        self._drops[run_id] = frozenset(name for name, c in state.workflow.channels.items()
                                        if c.kind is ChannelKind.CHILD)

    def _follow_up(self: Engine, run_id: str) -> None:
        """After driving ``run_id``: drive the children it started, resume the parent it woke.

        Each only if its lease is free (another live worker may already have it)
        and no thread of this engine drives it now: a run is never waited for
        while another is held, so a parent and its child driven by two threads
        cannot deadlock (the one left alone finds the outcome in its inbox later).
        """
        for ident in self._spawned.pop(run_id, ()):
            if self.children_here:
                self._if_free(ident, lambda i=ident: self.leases.take(i) and self.resume(i))
        state = self._states.get(run_id)
        if state is not None and state.status == "waiting" and self.children_here:
            self._drive_children(state)
        for parent_id in self._woken.pop(run_id, ()):
            self._if_free(parent_id,
                          lambda p=parent_id: self.leases.take(p) and self.resume(p))

    def _if_free(self: Engine, run_id: str, action: Callable[[], object]) -> None:
        lock = self._run_lock(run_id)
        if lock.acquire(blocking=False):
            try:
                action()
            finally:
                lock.release()

    def _drive_children(self: Engine, state: RunState) -> None:
        """Drive on the children a waiting parent waits for that this engine holds or
        that no live worker holds (a parent resumed after a crash takes its orphans too)."""
        for _, _, ident in list(state.children.values()):
            if not _unfinished(self, ident):
                continue
            if ident in self._states:
                self._if_free(ident, lambda i=ident: (self.leases.holds(i)
                                                      or self.leases.take(i)) and self.drive(i))
            else:
                self._if_free(ident, lambda i=ident: self.leases.take(i) and self.resume(i))

    def _take_up(self: Engine, run_id: str, state: RunState) -> str:
        """Begin driving a fresh child (``state``: it, loaded): record ``ChildTaken`` (so a
        later resume knows it was driven) instead of resuming it, which would count its
        first calls as maybe done in a crash that never happened."""
        check_bindings(state.workflow, self.activities)
        # committed by the drive with the child's first steps, before its first call
        # (Attempts._perform flushes first): a crash before that finds it fresh again
        self._record(run_id, state, [ChildTaken(time=self.clock.now(), owner=self.owner)])
        return self.drive(run_id)
