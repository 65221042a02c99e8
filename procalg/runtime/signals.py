"""Signals: events the outside world offers a run (``procalg runs signal``, ``run.signal``).

A signal is accepted when the run offers it now; its values are first fitted
to the channel's declared field types (:func:`procalg.runtime.conform.conform`:
``1`` is not a ``Bool``, ``2.0`` is the model's ``2``), so the history records
only values of the model.

Example:
    >>> from procalg.runtime.workflow import Channel, ChannelKind
    >>> ok = Channel("ok", ChannelKind.SIGNAL, 1, fields=(frozenset({True, False}),))
    >>> _check_type(ok, (True,))
    (True,)
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from procalg.errors import RunError
from procalg.runtime.binding import check_bindings
from procalg.runtime.conform import conform
from procalg.runtime.continuation import latest
from procalg.runtime.decide import RunState
from procalg.runtime.history import CancelRequested, EventFired, SignalReceived, UpdateReceived
from procalg.runtime.inbox import deliver, finished, holder
from procalg.runtime.ports import UNFINISHED, EventLog
from procalg.runtime.status import RunStatus
from procalg.runtime.update_replies import keep_taken
from procalg.runtime.workflow import Channel, ChannelKind
from procalg.terms.cancel import CANCEL
from procalg.terms.values import Event, show

if TYPE_CHECKING:
    from procalg.runtime.engine import Engine


class Signals:
    """Delivering signals; mixed into :class:`~procalg.runtime.engine.Engine`."""

    def signal(self: Engine, run_id: str, channel: str, *values: Any) -> None:
        """Offer the signal event ``channel.values`` to the run, then drive it.

        Raises:
            RunError: finished run, not a signal channel, an event the run
                does not offer now (the run is left as it was), or a run
                another live worker holds.
        """
        run_id = latest(self.log, run_id)  # a run that continued as new: its newest run
        with self._run_lock(run_id):
            state = self.state(run_id)
            event = accept_signal(state, run_id, channel, values, self.log)
            check_bindings(state.workflow, self.activities)  # before recording anything
            if not state.offers(event):
                offered = sorted(str(lab) for lab, _ in state.moves()
                                 if state.workflow.kind(lab) is ChannelKind.SIGNAL)
                raise RunError(f"run {run_id} is not waiting for {event}",
                               hint="it accepts " + (", ".join(offered) or "no signal now")
                               + "; send() buffers a signal until the run listens")
            self.claim(run_id)  # the run moves on here: no other worker may drive it too
            now = self.clock.now()
            self._record(run_id, state, [SignalReceived(time=now, event=event),
                                         EventFired(time=now, label=event, choice=0)])
            # committed by the drive, with what the signal leads to, before any activity
            # call, timer or wait (Attempts._perform flushes first): one commit a signal
            # where the run waits again, not two; an error in the drive commits them first
            self.drive(run_id)

    def send(self: Engine, run_id: str, channel: str, *values: Any) -> bool:
        """Buffer the signal ``channel.values`` durably in the run's inbox; needs no lease.

        The run consumes buffered signals when its model listens for them,
        the oldest offered one first, each exactly once (its removal from the
        inbox commits with the history it adds). If no other live worker
        holds the run, it is resumed here at once; otherwise its worker
        consumes the signal when the run next waits.

        Returns:
            True if the signal was consumed here and now.

        Raises:
            RunError: finished run, not a signal channel, or a value outside
                the channel's type (nothing is buffered).
        """
        return self.send_to(run_id, channel, *values)[1]

    def send_to(self: Engine, run_id: str, channel: str, *values: Any) -> tuple[str, bool]:
        """:meth:`send`, saying which run the signal went to: ``run_id``'s newest run when
        sent, or the one that continued it meanwhile (:mod:`~procalg.runtime.inbox`);
        and whether it was consumed here and now."""
        run_id = latest(self.log, run_id)  # a run that continued as new: its newest run
        state = self.state(run_id)
        # a finished run says so first; the activities are checked before anything is sent
        event = accept_signal(state, run_id, channel, values, self.log)
        check_bindings(state.workflow, self.activities)
        sent = SignalReceived(time=self.clock.now(), event=event)
        run_id, ident = deliver(self.log, run_id, lambda target: self.log.send(target, sent),
                                "it takes no more signals")
        if self.leases.take(run_id):
            self.resume(run_id)
        run_id, unread = holder(self.log, run_id, ident)
        return run_id, not unread


    def _take_buffered(self: Engine, run_id: str, state: RunState) -> bool:
        """Consume the oldest buffered signal the run offers now (True), committed at once
        with its removal from the inbox: a signal is consumed exactly once."""
        inbox = getattr(self.log, "pending", None)
        for ident, sent in (inbox(run_id) if inbox is not None else ()):
            if state.offers(sent.event):
                now = self.clock.now()
                self._consumed.setdefault(run_id, []).append(ident)
                # an update or a cancel keeps its own record (its key, its reason)
                received = (replace(sent, time=now) if type(sent) is not SignalReceived
                            else self._received(state, now, sent.event))
                self._record(run_id, state, [received,
                                             EventFired(time=now, label=sent.event, choice=0)])
                self._flush(run_id, state, RunStatus.RUNNING)
                if type(received) is UpdateReceived:  # its reply, kept by its taker
                    keep_taken(self, run_id, state, received)
                if isinstance(sent, CancelRequested):
                    self._cancelled(run_id, sent.reason)
                return True
        return False


def accept_signal(state: RunState, run_id: str, channel: str, values: tuple[Any, ...],
                  log: EventLog) -> Event:
    """The signal event, checked against the run's model (RunError if it cannot be one;
    ``log``: the run's store, to say when a finished run ended)."""
    if state.status not in UNFINISHED:
        raise finished(log, run_id, state.status, "it takes no more signals")
    if channel == CANCEL:  # a cancellation has its own request, with a reason
        raise RunError("cancel is not a signal: it cancels the run",
                       hint=f"procalg runs cancel {run_id} [--reason TEXT], or run.cancel()")
    bound = state.workflow.channels.get(channel)  # Workflow.kind without an Event made
    if bound is None or bound.kind is not ChannelKind.SIGNAL:
        raise RunError(f"{channel!r} is not a signal channel of this model",
                       hint="declare it with `signal " + channel + "`")
    return Event(channel, _check_type(bound, tuple(values)))


def _check_type(channel: Channel, values: tuple[Any, ...]) -> tuple[Any, ...]:
    """A signal's values, as the model's values of its channel's declared fields (when known).

    Raises:
        RunError: a wrong number of values, or one outside its field's type.
    """
    if not channel.fields:
        return tuple(values)
    kinds = tuple(map(type, values))  # 1 == True: the types are part of the key
    plain = _PLAIN.issuperset(kinds)  # in C: no generator per signal
    key = (channel.name, channel.fields, values, kinds)
    if plain:
        found = _FITTED.get(key)
        if found is not None:
            return found
    fitted = _fitted(channel, values)
    if plain:
        if len(_FITTED) >= _FITTED_MAX:  # values come and go: keep a bounded few
            _FITTED.clear()
        _FITTED[key] = fitted
    return fitted


_PLAIN = frozenset({int, bool, str})
"""Value types whose equal values fit alike (a tuple may hold 1 or True, equal
though they fit differently: not memoised)."""
_FITTED: dict[tuple[Any, ...], tuple[Any, ...]] = {}
"""Signal values fitted before, by channel, field types, values and their types: a
run's signals repeat the same few values, and each fit costs a few µs per signal."""
_FITTED_MAX = 4096


def _fitted(channel: Channel, values: tuple[Any, ...]) -> tuple[Any, ...]:
    """:func:`_check_type`'s work, not memoised."""
    if len(values) != len(channel.fields):
        raise RunError(f"signal {channel.name} takes {len(channel.fields)} value(s), "
                       f"got {len(values)}")
    fitted = []
    for i, (value, allowed) in enumerate(zip(values, channel.fields, strict=True)):
        model = conform(value, allowed)  # 1 is not a Bool, though 1 == True
        if model is None:
            shown = ", ".join(sorted(map(show, allowed)))
            raise RunError(f"{show(value)} is not a value of field {i + 1} of signal "
                           f"{channel.name}", hint=f"the field's type is {{{shown}}}")
        fitted.append(model)
    return tuple(fitted)
