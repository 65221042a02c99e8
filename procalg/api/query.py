"""Queries and updates (layer 5): a run's position in its model, and signals with a reply.

:func:`query` reads where a run is (:mod:`procalg.runtime.position`): it
replays the stored history, needs no lease and writes nothing, so it works
on a run another worker drives. :func:`update` offers a signal and answers
once its step is durable (:mod:`procalg.runtime.updates`). :func:`position_json`
and :func:`position_lines` are the two faces of a position (``procalg runs
query [--json]``, notebooks); :func:`reply_json` and :func:`reply_lines` of
an update's reply.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.api.run import start
    >>> from procalg.runtime.clock import VirtualClock
    >>> model = loads('''signal deposit : {1..5}
    ... Account(b) = deposit?x -> Account(b + x)''')
    >>> run = start(model, "Account", 0, store="memory:", clock=VirtualClock())
    >>> reply = update(run.engine, run.id, "deposit", 3, update_id="u1")
    >>> [(b.process, b.args) for b in reply.position.branches]
    [('Account', (3,))]
    >>> position_json(run.id, query(run.engine, run.id))["branches"][0]["params"]
    {'b': 3}
"""

from __future__ import annotations

from typing import Any

from procalg.api.narrate import span
from procalg.runtime.engine import Engine
from procalg.runtime.history import encode_value
from procalg.runtime.position import Branch, Position
from procalg.runtime.status import UNFINISHED, RunStatus
from procalg.runtime.updates import TIMEOUT, UpdateRejected, UpdateReply
from procalg.runtime.updates import update as _update
from procalg.terms.values import show

__all__ = ["UpdateRejected", "position_json", "position_lines", "query", "reply_json",
           "reply_lines", "update"]

JSON_VERSION = 1
"""The version of :func:`position_json`'s shape (``schema`` key); bumped on a change."""


_TEXTS = {"type": "array", "items": {"type": "string"}}
_NUMBER_OR_NULL = {"type": ["number", "null"]}
POSITION_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "procalg runs query --json",
    "type": "object",
    "required": ["schema", "run_id", "status", "events", "branches", "offered", "signals",
                 "timers", "activities", "retries", "compensations", "rolling_back", "term"],
    "additionalProperties": False,
    "properties": {
        "schema": {"const": JSON_VERSION},
        "run_id": {"type": "string"},
        "status": {"enum": [str(s) for s in RunStatus]},
        "events": {"type": "integer", "minimum": 0},
        "branches": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "required": ["process", "args", "params", "inside", "term"],
            "properties": {"process": {"type": ["string", "null"]}, "args": {"type": "array"},
                           "params": {"type": "object"}, "inside": {"type": "boolean"},
                           "term": {"type": "string"}}}},
        "offered": _TEXTS,
        "signals": _TEXTS,
        "timers": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["timer", "deadline"],
            "properties": {"timer": {"type": "string"}, "deadline": _NUMBER_OR_NULL}}},
        "activities": _TEXTS,
        "retries": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["call", "at"],
            "properties": {"call": {"type": "string"}, "at": {"type": "number"}}}},
        "compensations": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["step", "process"],
            "properties": {"step": {"type": "string"}, "process": {"type": "string"}}}},
        "rolling_back": {"type": "boolean"},
        "term": {"type": "string"},
    },
}
"""The JSON Schema of :func:`position_json` (``procalg runs query --json``)."""
REPLY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "procalg runs update --json",
    "type": "object",
    "required": ["update_id", "event", "seq", "position"],
    "additionalProperties": False,
    "properties": {"update_id": {"type": "string"}, "event": {"type": "string"},
                   "seq": {"type": "integer", "minimum": 1}, "position": POSITION_SCHEMA},
}
"""The JSON Schema of :func:`reply_json` (``procalg runs update --json``)."""


def query(engine: Engine, run_id: str) -> Position:
    """The run's position (RunError for an unknown run); reads only."""
    return engine.get(run_id).query()


def update(engine: Engine, run_id: str, channel: str, *values: Any,
           update_id: str | None = None, timeout: float = TIMEOUT) -> UpdateReply:
    """Offer ``channel.values`` as an update (:func:`procalg.runtime.updates.update`)."""
    return _update(engine, run_id, channel, *values, update_id=update_id, timeout=timeout)


def _branch_json(branch: Branch) -> dict[str, Any]:
    return {
        "process": branch.process or None,
        "args": [encode_value(a) for a in branch.args],
        "params": dict(zip(branch.params, (encode_value(a) for a in branch.args),
                           strict=True)),
        "inside": branch.inside,
        "term": branch.term,
    }


def position_json(run_id: str, pos: Position) -> dict[str, Any]:
    """The position as JSON-ready data (values in the history's tagged encoding).

    Keys: ``schema``, ``run_id``, ``status``, ``events``, ``branches`` (each
    ``process``, ``args``, ``params``, ``inside``, ``term``), ``offered``,
    ``signals``, ``timers`` (each ``timer``, ``deadline``: engine-clock
    seconds or null before it starts), ``activities``, ``retries`` (each
    ``call``, ``at``), ``compensations`` (each ``step``, ``process``, in the
    order they would run), ``rolling_back``, ``term``.
    """
    return {
        "schema": JSON_VERSION,
        "run_id": run_id,
        "status": pos.status,
        "events": pos.events,
        "branches": [_branch_json(b) for b in pos.branches],
        "offered": list(pos.offered),
        "signals": list(pos.signals),
        "timers": [{"timer": t, "deadline": d} for t, d in pos.timers],
        "activities": list(pos.activities),
        "retries": [{"call": c, "at": at} for c, at in pos.retries],
        "compensations": [{"step": c.step, "process": c.process} for c in pos.compensations],
        "rolling_back": pos.rolling_back,
        "term": pos.term,
    }


def branch_text(branch: Branch) -> str:
    """``Account(b=3)``; ``in Order()`` part-way through a body; the term if unknown.

    Example:
        >>> branch_text(Branch("Account", (3,), ("b",), False, "..."))
        'Account(b=3)'
    """
    if not branch.process:
        return branch.term
    if branch.params:
        args = ", ".join(f"{n}={show(v)}" for n, v in zip(branch.params, branch.args,
                                                          strict=True))
    else:
        args = ", ".join(map(show, branch.args))
    return ("in " if branch.inside else "") + f"{branch.process}({args})"


def position_lines(pos: Position, now: float) -> list[str]:
    """The position for people: branches, then what the run offers and waits for."""
    lines = [f"status: {pos.status} after {pos.events} event{'s' if pos.events != 1 else ''}"]
    for branch in pos.branches:
        where = branch_text(branch)
        lines.append(f"  {where:<24} {branch.term}" if branch.process else f"  {where}")
    if pos.status not in UNFINISHED:
        return lines
    lines.append("offers: " + (", ".join(pos.offered) or "nothing"))
    if pos.signals:
        lines.append("signals: " + ", ".join(pos.signals))
    for timer, deadline in pos.timers:
        when = "not started" if deadline is None else f"fires in {span(max(0.0, deadline - now))}"
        lines.append(f"timer {timer}: {when}")
    if pos.activities:
        lines.append("activities now: " + ", ".join(pos.activities))
    for call, at in pos.retries:
        lines.append(f"retry {call}: in {span(max(0.0, at - now))}")
    verb = "compensating" if pos.rolling_back else "a throw now undoes"
    steps = [f"{c.step}: {c.process}" if c.step else c.process for c in pos.compensations]
    lines.append(f"{verb}: " + ("; ".join(steps) or "nothing"))
    return lines


def reply_json(run_id: str, reply: UpdateReply) -> dict[str, Any]:
    """An update's reply as JSON-ready data: the key, the event, where it is in the
    history, and the position right after it (as :func:`position_json`)."""
    return {"update_id": reply.update_id, "event": reply.event, "seq": reply.seq,
            "position": position_json(run_id, reply.position)}


def reply_lines(run_id: str, reply: UpdateReply) -> list[str]:
    """An update's reply for people."""
    lines = [f"update {reply.update_id} accepted: {reply.event} "
             f"(history event #{reply.seq} of run {run_id})", "after it:"]
    for branch in reply.position.branches:
        lines.append(f"  {branch_text(branch)}")
    lines.append("offers: " + (", ".join(reply.position.offered) or "nothing"))
    return lines
