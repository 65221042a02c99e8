"""An accepted update's reply, kept by the store under its key: found by one indexed read.

A retried update (same ``update_id``) gets the reply of the first: the run's
position right after the step that consumed it (:mod:`~procalg.runtime.position`).
The store writes where the update was recorded (its ``update_received``
event's ``seq``) in the transaction that records it, and keeps the reply once
a caller has computed it (:meth:`~procalg.runtime.ports.EventLog.keep_reply`),
so a retry long after reads ``(seq, reply)`` by the key (Temporal keeps an
update's outcome with its id the same way) instead of searching the history.
Whoever records an update keeps its reply at once, from its own state right after
the step (:func:`keep_taken`); a reply not kept yet (its taker crashed between the
two writes; a store upgraded from schema 3) is computed once from the run's
snapshot or by replay, then kept.

Example:
    >>> from procalg.terms import Event, Prefix, SKIP
    >>> from procalg.runtime.engine import Engine
    >>> from procalg.runtime.memory import MemoryLog
    >>> from procalg.runtime.updates import update
    >>> from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
    >>> wf = Workflow(TermSystem(Prefix(Event("ok", (1,)), SKIP)),
    ...               {"ok": Channel("ok", ChannelKind.SIGNAL, 1)})
    >>> engine = Engine(MemoryLog())
    >>> reply = update(engine, engine.start(wf, run_id="r").id, "ok", 1, update_id="u1")
    >>> engine.log.update_entry("r", "u1")[0], decode_reply(encode_reply(reply)) == reply
    (1, True)
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from procalg.errors import FormatError
from procalg.runtime.decide import RunState, evolve
from procalg.runtime.history import UpdateReceived
from procalg.runtime.position import Branch, Compensation, Position, position
from procalg.runtime.snapshot import restore
from procalg.runtime.status import RunStatus
from procalg.runtime.value_json import decode_value, encode_value

if TYPE_CHECKING:
    from procalg.runtime.engine import Engine
    from procalg.runtime.workflow import Workflow


@dataclass(frozen=True, slots=True)
class UpdateReply:
    """An accepted update's answer (the same for every retry with its key).

    Attributes:
        update_id: the idempotency key.
        event: the signal event consumed, printed.
        seq: the history index of its ``update_received`` event.
        position: the run's position right after the step that consumed it.
    """

    update_id: str
    event: str
    seq: int
    position: Position


def reply_of(engine: Engine, run_id: str, update_id: str, wf: Workflow | None = None
             ) -> UpdateReply | None:
    """The reply of update ``update_id`` if the run's history holds it, else None: the
    kept one (one read), or computed from the history (on model ``wf``, default the
    run's own) and kept."""
    entry = engine.log.update_entry(run_id, update_id)
    return None if entry is None else _answer(engine, run_id, update_id, wf, entry)


def chain_entry(engine: Engine, run_id: str, update_id: str
                ) -> tuple[str, UpdateReply | None] | None:
    """Where in ``run_id``'s continue-as-new chain, among the runs that continued as new,
    key ``update_id`` was sent: the run and the update's reply, None if that run never
    recorded it (it was withdrawn: a continued run's unread keys went to the next run);
    None if no such run has the key.

    Those runs are final, so a look at them before a send to ``run_id`` misses no key.
    One indexed read however long the chain (:meth:`~procalg.runtime.ports.EventLog.
    chain_entry`: the store files every key under its chain); walking the chain back
    cost one read per earlier run, a second per update on a 10,000-run chain.
    """
    found = engine.log.chain_entry(run_id, update_id)
    if found is None:
        return None
    before, *entry = found
    return before, _answer(engine, before, update_id, None, (entry[0], entry[1]))


def _answer(engine: Engine, run_id: str, update_id: str, wf: Workflow | None,
            entry: tuple[int | None, str | None]) -> UpdateReply | None:
    """The reply of the run's store entry for the key (None: not recorded)."""
    if entry[0] is None:
        return None
    at, kept = entry
    if kept is not None:
        try:
            return decode_reply(kept)
        except FormatError:  # a damaged row: the history is the truth, computed again
            pass
    reply = _computed(engine, run_id, update_id, wf or engine.state(run_id).workflow, at)
    try:
        kept = encode_reply(reply)
    except FormatError:  # a branch's argument is a function value: computed every time
        return reply
    engine.log.keep_reply(run_id, update_id, kept)
    return reply


def keep_taken(engine: Engine, run_id: str, state: RunState, taken: UpdateReceived) -> None:
    """Keep the reply of update ``taken``, which the step just committed consumed, from
    the taker's own ``state`` (right after that step): the reply is kept by whoever
    records the update, so no caller works it out from the history later."""
    pos = position(state, taken.time)
    if pos.status is RunStatus.WAITING:  # the engine's note; replay says running (as kept)
        pos = replace(pos, status=RunStatus.RUNNING)
    reply = UpdateReply(taken.update_id, str(taken.event), state.seq - 2, pos)
    with contextlib.suppress(FormatError):  # a function value in a branch: computed when asked
        engine.log.keep_reply(run_id, taken.update_id, encode_reply(reply))


def _computed(engine: Engine, run_id: str, update_id: str, wf: Workflow, at: int) -> UpdateReply:
    """The position right after the update's step (its ``update_received`` at ``at`` and
    the ``event_fired`` after it), from the run's snapshot when it was taken before
    that, else replayed from the start."""
    found = restore(engine.log, run_id, wf, upto=at + 2) if engine.snapshot_every else None
    events = engine.log.tail(run_id, at)[:2] if found is not None else None
    if found is not None and events:
        replayed = found[0]
    else:
        replayed = RunState.initial(wf)
        events = engine.log.history(run_id)[:at + 2]
        for event in events:
            evolve(replayed, event)
        events = events[at:]
    accepted = events[0]
    if type(accepted) is not UpdateReceived or accepted.update_id != update_id:
        raise FormatError(f"run {run_id}: history event #{at} is not update {update_id}")
    return UpdateReply(update_id, str(accepted.event), at, position(replayed, accepted.time))


def encode_reply(reply: UpdateReply) -> str:
    """The reply as JSON text (values tagged as in histories)."""
    pos = reply.position
    data: dict[str, Any] = {
        "update_id": reply.update_id, "event": reply.event, "seq": reply.seq,
        "status": str(pos.status), "events": pos.events,
        "branches": [[b.process, [encode_value(a) for a in b.args], list(b.params), b.inside,
                      b.term] for b in pos.branches],
        "offered": list(pos.offered), "signals": list(pos.signals),
        "timers": [list(t) for t in pos.timers], "activities": list(pos.activities),
        "retries": [list(r) for r in pos.retries],
        "compensations": [[c.step, c.process] for c in pos.compensations],
        "rolling_back": pos.rolling_back, "term": pos.term}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def decode_reply(text: str) -> UpdateReply:
    """Invert :func:`encode_reply`; FormatError if the text is not one."""
    try:
        d = json.loads(text)
        pos = Position(
            status=d["status"], events=d["events"],
            branches=tuple(Branch(p, tuple(decode_value(a) for a in args), tuple(params),
                                  inside, term) for p, args, params, inside, term in d["branches"]),
            offered=tuple(d["offered"]), signals=tuple(d["signals"]),
            timers=tuple((t, at) for t, at in d["timers"]), activities=tuple(d["activities"]),
            retries=tuple((c, at) for c, at in d["retries"]),
            compensations=tuple(Compensation(s, p) for s, p in d["compensations"]),
            rolling_back=d["rolling_back"], term=d["term"])
        return UpdateReply(d["update_id"], d["event"], d["seq"], pos)
    except (ValueError, TypeError, KeyError) as err:
        raise FormatError(f"not a kept update reply: {text[:80]!r}") from err
