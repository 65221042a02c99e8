"""Snapshots: a run's state saved every few events, so resuming it reads only the tail.

Replaying a history is a fold of :func:`~procalg.runtime.decide.evolve`, so
its cost grows with the history: a run that loops for ever would take longer
to resume, and to signal, the longer it lives. The engine therefore saves the
run's whole :class:`~procalg.runtime.decide.RunState` -- its term (position in
the model), in-flight and failed activity calls, retry times, timers, the
saga's compensation state, maybe-done steps -- every :data:`EVERY` events
(one row per run, ``EventLog.save_snapshot``, after the step's commit), and
:func:`restore` rebuilds the state from the snapshot plus the events after it.

A snapshot is trusted only if it checks out (else it is discarded with a
warning and the run replays from the start: a snapshot can cost time, never
a run): its SHA-256 digest matches its text (not damaged), it was written on
the run's current model (``model_hash``), the history event just before it
is the one it was taken after (the same history), its term decodes in this
load of the model and prints as it did, and every event after it replays
(:func:`~procalg.runtime.decide.evolve` raises on one the model does not
offer). The visible trace before a snapshot is not kept in it (it grows with
the history): ``RunState.trace_offset`` counts the events left out, and
``Run.result`` reads them from the history when asked.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.api.run import workflow
    >>> from procalg.runtime.decide import FINAL, RunState, evolve
    >>> from procalg.runtime.history import EventFired, RunStarted
    >>> from procalg.runtime.memory import MemoryLog
    >>> from procalg.runtime.ports import RunRecord
    >>> from procalg.terms import Event
    >>> wf = workflow(loads("channel c : {0..2}\\nP = c?x -> P"), "P")
    >>> log, history = MemoryLog(), [RunStarted(time=0.0, process="P")]
    >>> history += [EventFired(time=0.0, label=Event("c", (i % 3,))) for i in range(5)]
    >>> log.create_run(RunRecord("r", "P", model_hash=wf.model_hash), history)
    >>> state = RunState.initial(wf)
    >>> for event in history[:4]: evolve(state, event)
    >>> save(log, "r", state, history[3])
    True
    >>> found, seq = restore(log, "r", wf)
    >>> seq, found.seq, str(found.term), found.trace_offset, [str(e) for e in found.trace]
    (4, 6, 'c?x -> P', 3, ['c.0', 'c.1'])
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from procalg.errors import FormatError, StoreError
from procalg.runtime.decide import FINAL, RunState, evolve
from procalg.runtime.history import HistoryEvent, decode_value, encode_value, from_json, to_json
from procalg.runtime.ports import EventLog
from procalg.runtime.termjson import decode_term, encode_term, load_of
from procalg.runtime.workflow import Workflow
from procalg.semantics.deep import run_deep

EVERY = 1000
"""Events between two snapshots of a run (``Engine.snapshot_every``; 0: never).
Resuming replays at most this many events after the snapshot; saving one costs
an encoding of the state and one row write (about a millisecond) per this many."""
FORMAT = 1
"""The snapshot text's version: another one is discarded (the run replays)."""
LOG = logging.getLogger("procalg.runtime.snapshot")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _event_digest(event: HistoryEvent) -> str:
    """The digest of an event as the store gives it back (tuples read as lists, etc.)."""
    text = json.dumps(to_json(from_json(json.loads(json.dumps(to_json(event))))),
                      sort_keys=True)
    return _digest(text)[:32]


def _pairs(table: dict[int, Any], encode: bool = False) -> list[list[Any]]:
    return [[k, encode_value(v) if encode else v] for k, v in sorted(table.items())]


def encode_state(state: RunState, last: HistoryEvent) -> str:
    """The snapshot text of ``state``, taken right after history event ``last``.

    Raises:
        Unsaveable: the state's term holds something that cannot be found again.
    """
    wf = state.workflow
    data = {
        "format": FORMAT, "seq": state.seq, "model_hash": wf.model_hash,
        "model_text": wf.model_text, "last": _event_digest(last),
        "term": encode_term(state.term, load_of(wf)), "text": str(state.term),
        # `waiting` is the engine's note, not history's: replay says `running` until the end
        "status": state.status if state.status in FINAL.values() else "running",
        "steps": state.steps,
        "inflight": [[s, c, encode_value(g)] for s, (c, g) in sorted(state.inflight.items())],
        "failures": _pairs(state.failures), "retry_at": _pairs(state.retry_at),
        "timers": dict(sorted(state.timers.items())), "error": state.error,
        "gave_up": _pairs(state.gave_up), "crashes": _pairs(state.crashes),
        "details": _pairs(state.details), "compensated": state.compensated,
        "note": state.note, "maybe_done": sorted(state.maybe_done),
        "trace_length": state.trace_offset + len(state.trace),
    }
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _digest(body) + "\n" + body


def decode_state(text: str, workflow: Workflow) -> RunState:
    """Invert :func:`encode_state` on ``workflow`` (its model must be the snapshot's).

    Raises:
        FormatError: damaged text, another format or model, or a term that does
            not decode to what it was.
    """
    digest, _, body = text.partition("\n")
    if _digest(body) != digest:
        raise FormatError("its digest does not match its text (damaged)")
    data = json.loads(body)
    if data.get("format") != FORMAT:
        raise FormatError(f"it has format {data.get('format')!r}, not {FORMAT}")
    if data["model_hash"] != workflow.model_hash:
        raise FormatError("it was taken on another version of the model")
    ev = load_of(workflow)
    from procalg.semantics.sites import site  # only a loaded model has input sites

    term = decode_term(data["term"], None if ev is None else lambda key: site(ev, key), ev)
    if str(term) != data["text"]:
        raise FormatError(f"its term decodes to {str(term)[:60]}, not {data['text'][:60]}")
    # the machine finds the term among those it knows by ==, which recurses as deep
    # as the term (a chain of thousands of prefixes): on the big stack
    at = run_deep(lambda: workflow.machine.resume_at(term))
    state = RunState(workflow, at, status=data["status"],
                     seq=data["seq"], steps=data["steps"], error=data["error"],
                     compensated=data["compensated"], note=data["note"])
    state.inflight = {s: (c, decode_value(g)) for s, c, g in data["inflight"]}
    state.failures = {s: n for s, n in data["failures"]}
    state.retry_at = {s: t for s, t in data["retry_at"]}
    state.timers = dict(data["timers"])
    state.gave_up = {s: why for s, why in data["gave_up"]}
    state.crashes = {s: n for s, n in data["crashes"]}
    state.details = {s: d for s, d in data["details"]}
    state.maybe_done = set(data["maybe_done"])
    state.trace_offset = data["trace_length"]
    return state


def save(log: EventLog, run_id: str, state: RunState, last: HistoryEvent) -> bool:
    """Keep ``state`` (taken right after ``last``, already committed) as the run's
    snapshot; False if the state cannot be saved (the run just keeps none) or the
    store refused (a warning: the run goes on)."""
    keep = getattr(log, "save_snapshot", None)
    if keep is None:
        return False
    try:
        keep(run_id, state.seq, encode_state(state, last))
    except FormatError as err:  # Unsaveable: e.g. an input prefix with no place in the text
        LOG.debug("run %s: no snapshot at event %d: %s", run_id, state.seq, err)
        return False
    except StoreError as err:
        LOG.warning("run %s: snapshot at event %d not saved: %s", run_id, state.seq, err)
        return False
    return True


def restore(log: EventLog, run_id: str, workflow: Workflow,
            upto: int | None = None) -> tuple[RunState, int] | None:
    """The run's state from its snapshot and the events after it (those before index
    ``upto`` only, if given), and the snapshot's ``seq``; None (with a warning if one
    was discarded) when there is no usable one, or it was taken after ``upto``."""
    found = getattr(log, "snapshot", lambda run_id: None)(run_id)
    if found is None or (upto is not None and found[0] > upto):
        return None
    seq, text = found
    try:
        state = decode_state(text, workflow)
        tail = log.tail(run_id, seq - 1)
        if state.seq != seq or not tail or _event_digest(tail[0]) != json.loads(
                text.partition("\n")[2])["last"]:
            raise FormatError(f"the history's event #{seq - 1} is not the one it was taken after")
        for event in tail[1:] if upto is None else tail[1:1 + upto - seq]:
            evolve(state, event)
    except Exception as err:  # whatever is wrong, the history is the truth
        LOG.warning("run %s: snapshot at event %d discarded, replaying the whole history: %s",
                    run_id, seq, getattr(err, "message", None) or err)
        return None
    return state, seq
