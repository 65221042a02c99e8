"""Updates: a signal with a reply (Temporal's update), ``run.update`` and ``procalg runs update``.

An update offers a signal event ``channel.values`` to a run and answers
once the step that consumed it is durable: the history then holds an
``update_received`` event (a ``signal_received`` with the caller's key)
followed by the ``event_fired`` of the signal. The model is the validator,
at the position where the run takes the update (as Temporal validates an
update where the workflow handles it, then accepts it, then completes it):
a run at rest (recorded ``waiting``) rejects an event it does not offer
(:class:`UpdateRejected`, naming what it accepts); a run mid-step (its
worker has not yet reached its next wait, so the recorded position is
behind) keeps the update durably and answers at its next wait that offers
it, and rejects it as soon as it rests without offering it or no position
it may reach offers it (a search of the model's states from its position).
An optional Python validator may refuse more (:func:`validator`, registered
like an activity).

The reply (:class:`UpdateReply`) is the run's position right after that
step (:mod:`~procalg.runtime.position`): a function of the history, so a
caller that retries with the same ``update_id`` gets the same reply and the
update is applied once; the store keeps it under the key
(:mod:`~procalg.runtime.update_replies`), so a retry costs one indexed read
however long the history has grown since. Delivery is the signal inbox's
(:meth:`~procalg.runtime.ports.EventLog.send_update`): the update is
buffered durably under its key, consumed exactly once by whoever drives the
run (this caller when no live worker holds it, otherwise that worker when
the run next waits), and withdrawn again if the run moves on without taking
it or the caller's timeout passes; consumption and withdrawal are atomic
against each other, so a rejected update was never applied. A crash between
the buffering and the recording leaves the update in the inbox: the run's
next driver consumes it, and a retry with the same key waits for that. A key is
one update for a whole continue-as-new chain: a retry sent to any run of it gets the
reply of the run that recorded it (:func:`~procalg.runtime.update_replies.chain_entry`
looks along the earlier runs, which are final, before the store buffers it).

Example:
    >>> from procalg.terms import Event, Prefix, SKIP
    >>> from procalg.runtime.engine import Engine
    >>> from procalg.runtime.memory import MemoryLog
    >>> from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
    >>> wf = Workflow(TermSystem(Prefix(Event("ok", (1,)), SKIP)),
    ...               {"ok": Channel("ok", ChannelKind.SIGNAL, 1)})
    >>> engine = Engine(MemoryLog())
    >>> run = engine.start(wf, run_id="r")
    >>> reply = update(engine, "r", "ok", 1, update_id="u1")
    >>> reply.event, reply.seq, str(engine.state("r").status)
    ('ok.1', 1, 'completed')
    >>> update(engine, "r", "ok", 1, update_id="u1") == reply
    True
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from procalg.errors import RunError
from procalg.runtime.continuation import latest
from procalg.runtime.decide import RunState
from procalg.runtime.history import EventFired, UpdateReceived
from procalg.runtime.inbox import deliver, holder
from procalg.runtime.ports import UNFINISHED, SeqConflict
from procalg.runtime.reach import reaches
from procalg.runtime.signals import accept_signal
from procalg.runtime.status import RunStatus
from procalg.runtime.update_replies import UpdateReply as UpdateReply  # re-exported
from procalg.runtime.update_replies import chain_entry, keep_taken, reply_of
from procalg.runtime.workflow import ChannelKind
from procalg.terms.values import Event

if TYPE_CHECKING:
    from procalg.runtime.engine import Engine
    from procalg.runtime.workflow import Workflow

TIMEOUT = 10.0
"""Seconds an update waits for the run to take it before it is withdrawn."""


class UpdateRejected(RunError):
    """The run did not take the update (it was never applied); ``reason`` says why."""


class Validators:
    """Channel name to a Python validator of updates on it (optional; the model decides first).

    A validator gets the update's values; returning ``False`` or a string
    (the reason), or raising, rejects the update; anything else accepts it.
    """

    def __init__(self) -> None:
        self._functions: dict[str, Callable[..., Any]] = {}

    def validator(self, channel: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator registering a validator for ``channel``."""

        def bind(fn: Callable[..., Any]) -> Callable[..., Any]:
            self._functions[channel] = fn
            return fn

        return bind

    def lookup(self, channel: str) -> Callable[..., Any] | None:
        """The validator of ``channel``, if any."""
        return self._functions.get(channel)

    def __iter__(self) -> Iterator[str]:
        return iter(self._functions)


DEFAULT_VALIDATORS = Validators()
"""Where :func:`validator` registers; :func:`update` reads it unless given others."""


def validator(channel: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``@procalg.validator("deposit")``: refuse updates the model would accept.

    Example:
        >>> @validator("doc_example_deposit")
        ... def small(amount): return amount <= 3 or "deposits above 3 need a person"
        >>> DEFAULT_VALIDATORS.lookup("doc_example_deposit") is small
        True
    """
    return DEFAULT_VALIDATORS.validator(channel)


def update(engine: Engine, run_id: str, channel: str, *values: Any,
           update_id: str | None = None, timeout: float = TIMEOUT, poll: float = 0.05,
           validators: Validators | None = None) -> UpdateReply:
    """Offer ``channel.values`` to the run and answer once its step is durably recorded.

    Args:
        engine: an engine on the run's store (its loader rebuilds the model).
        run_id: the run.
        channel: a signal channel of the model.
        values: the event's values (fitted to the channel's field types).
        update_id: the idempotency key (default: a fresh one); a retry with
            the key of an applied update gets its reply again.
        timeout: seconds to wait for the run to take it (a live worker
            holds the run and has not yet reached a point that takes it).
        poll: seconds between looks while another worker holds the run.
        validators: Python validators (default :data:`DEFAULT_VALIDATORS`).

    Raises:
        UpdateRejected: the model does not offer the event now, a validator
            refused it, the run moved on without taking it, or the timeout passed.
        RunError: unknown or finished run, not a signal channel, a value
            outside the channel's type.
    """
    update_id = update_id or uuid.uuid4().hex
    state = engine.state(run_id)
    wf, seen = state.workflow, state.seq
    try:
        event = accept_signal(state, run_id, channel, values, engine.log)
        _validate(engine, state, run_id, event, validators or DEFAULT_VALIDATORS)
    except RunError as err:  # unless a retry of an update applied before: its reply again
        found = _applied(engine, run_id, update_id, wf)
        if found is not None:
            return found
        if state.status is RunStatus.CONTINUED:  # a new key goes to one run: the newest
            raise RunError(err.message, hint="send it to the newest run of its chain, "
                           f"{latest(engine.log, run_id)}") from None
        raise
    sent = UpdateReceived(time=engine.clock.now(), event=event, update_id=update_id)

    def send(target: str) -> tuple[int, bool] | UpdateReply:
        before = chain_entry(engine, target, update_id)  # a run ``target`` continues
        if before is None:  # the key is new to the chain, or only ``target`` has it
            return engine.log.send_update(target, sent)
        if before[1] is None:
            raise _withdrawn(update_id, before[0])
        return before[1]

    # refused atomically if the run ended meanwhile; sent to the run that continued it
    # as new meanwhile (runtime/inbox.py)
    run_id, got = deliver(engine.log, run_id, send, f"it takes no update {event}")
    if isinstance(got, UpdateReply):  # recorded by an earlier run of the chain
        return got
    ident = got[0]
    give_up = time.monotonic() + timeout
    while True:
        found = reply_of(engine, run_id, update_id, wf)
        if found is not None:
            return found
        now_in, unread = holder(engine.log, run_id, ident)
        if now_in != run_id:  # the run continued as new: its inbox went along
            run_id, wf, seen = now_in, engine.state(now_in).workflow, -1
            continue
        if not unread:
            # consumed since the look at the history (its removal commits with the
            # history it adds, so the history shows it now), or withdrawn earlier; or
            # consumed by a run of the chain that has continued as new since (``holder``
            # went past it): its key is there
            found = reply_of(engine, run_id, update_id, wf)
            before = chain_entry(engine, run_id, update_id) if found is None else None
            found = before[1] if before is not None else found
            if found is not None:
                return found
            raise _withdrawn(update_id, run_id)
        held = engine.leases.holds(run_id)  # this engine drives it already (it started it)
        if engine.leases.take(run_id):
            try:
                taken = _take(engine, run_id, ident, update_id, event)
            except SeqConflict:  # another caller of this key recorded it first: look again
                taken = True
            finally:
                if not held:
                    engine.release(run_id)
            if taken:
                continue
            seen = -1  # no worker moves it meanwhile: decide at its position now
        elif engine.log.length(run_id) != seen:  # the run moved: may it still take it?
            seen = -1
        if seen == -1:
            now = engine.state(run_id)
            seen, why = now.seq, _decided(engine, now, run_id, event)
            if why is not None:
                _withdraw(engine, run_id, ident, update_id, why)
                continue
        if time.monotonic() > give_up:
            _withdraw(engine, run_id, ident, update_id,
                      f"run {run_id} did not take {event} within {timeout:g}s "
                      f"(worker {engine.log.get_run(run_id).owner or 'none'} holds it)")
            continue
        time.sleep(poll)


def _applied(engine: Engine, run_id: str, update_id: str, wf: Workflow) -> UpdateReply | None:
    """The reply of update ``update_id`` if any run of ``run_id``'s continue-as-new chain
    recorded it: the run (one indexed read of its key), the newest of the chain (a retry
    sent to an id that continued since), or a run before that."""
    found = reply_of(engine, run_id, update_id, wf)
    if found is not None:
        return found
    newest = latest(engine.log, run_id)
    found = reply_of(engine, newest, update_id) if newest != run_id else None
    before = chain_entry(engine, newest, update_id) if found is None else None
    return before[1] if before is not None else found


def _withdrawn(update_id: str, run_id: str) -> UpdateRejected:
    return UpdateRejected(f"update {update_id} was withdrawn before run {run_id} took it",
                          hint="send it again with a new update id")


def _validate(engine: Engine, state: RunState, run_id: str, event: Event,
              validators: Validators) -> None:
    """Reject (UpdateRejected) an event the run refuses where it rests, one it can no
    longer reach, or one a validator refuses; see :func:`_decided`."""
    why = _decided(engine, state, run_id, event)
    if why is not None:
        raise UpdateRejected(why, hint="query the run to see where it is: procalg runs query ID")
    check = validators.lookup(event.channel)
    if check is None:
        return
    try:
        verdict = check(*event.fields)
    except Exception as err:  # the validator's own words are the reason
        raise UpdateRejected(f"the validator of {event.channel} refused {event}: "
                             f"{type(err).__name__}: {err}") from err
    if verdict is False or isinstance(verdict, str):
        why = verdict if isinstance(verdict, str) else "it returned False"
        raise UpdateRejected(f"the validator of {event.channel} refused {event}: {why}")


def _decided(engine: Engine, state: RunState, run_id: str, event: Event) -> str | None:
    """Why the run refuses ``event`` for good at its recorded position, or None while it
    may still take it: offered there (its driver takes it at its wait), or the run is
    mid-step (its worker has not reached its next wait) and a position it may reach
    offers it. A run at rest (recorded ``waiting``) refuses what it does not offer, as
    Temporal's validator runs where the workflow takes the update."""
    if state.status not in UNFINISHED:
        return _refusal(state, run_id, event)
    if state.offers(event):
        return None
    if not reaches(state, event):
        return (f"run {run_id} can no longer accept {event}: no position it may reach "
                "from here offers it")
    if engine.log.get_run(run_id).status == RunStatus.WAITING:
        return _refusal(state, run_id, event)
    return None


def _refusal(state: RunState, run_id: str, event: Event) -> str:
    if state.status not in UNFINISHED:
        return f"run {run_id} has finished: {state.status}; it takes no update {event}"
    offered = sorted(str(lab) for lab, _ in state.moves()
                     if state.workflow.kind(lab) is ChannelKind.SIGNAL)
    return (f"run {run_id} does not accept {event} now; it accepts "
            + (", ".join(offered) or "no signal now"))


def _withdraw(engine: Engine, run_id: str, ident: int, update_id: str, reason: str) -> None:
    """Take the update back, then reject it; if the run consumed it first, return (the
    caller's loop finds the reply)."""
    if engine.log.withdraw(run_id, ident):
        raise UpdateRejected(f"update {update_id} rejected: {reason}")


def _take(engine: Engine, run_id: str, ident: int, update_id: str, event: Event) -> bool:
    """With the run's lease: consume the update if the run offers it now (its removal
    from the inbox commits with the history it adds), then drive the run on until it
    waits or needs an activity this engine does not bind; a run left mid-step is
    resumed to its next wait first. False if not taken; True if recorded here or no
    longer buffered (another caller of its key took it)."""
    with engine._run_lock(run_id):
        if all(i != ident for i, _ in engine.log.pending(run_id)):
            return True  # consumed (or withdrawn) meanwhile: the caller's loop says which
        state = engine.state(run_id)
        if state.status not in UNFINISHED:
            return False
        if not state.offers(event):
            if engine.log.get_run(run_id).status != RunStatus.WAITING:
                # left mid-step by a worker that is gone: take it on to its next wait,
                # where it takes buffered signals (this one if offered there)
                with contextlib.suppress(RunError):
                    engine.resume(run_id)
            return all(i != ident for i, _ in engine.log.pending(run_id))
        now = engine.clock.now()
        engine._consumed.setdefault(run_id, []).append(ident)
        taken = UpdateReceived(time=now, event=event, update_id=update_id)
        engine._record(run_id, state, [taken, EventFired(time=now, label=event, choice=0)])
        engine._flush(run_id, state, "running")
        keep_taken(engine, run_id, state, taken)
        # an activity this engine does not bind stops the drive (looked up before any
        # call): the run is left running, and a worker that binds it goes on
        with contextlib.suppress(RunError):
            engine.drive(run_id)
        return True
