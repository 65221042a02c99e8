"""Row encoding shared by the SQL stores: records and events as JSON text.

Both stores keep one row per run and one row per history event; the event
body is the JSON of :func:`procalg.runtime.history.to_json`, so a history
exported from either store is the same file.

Example:
    >>> from procalg.runtime.history import RunCompleted
    >>> decode_event(encode_event(RunCompleted(time=1.0)))
    RunCompleted(time=1.0)
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from procalg.errors import RunError, StoreError
from procalg.runtime.history import (
    HistoryEvent,
    RunMigrated,
    SignalReceived,
    decode_value,
    encode_value,
    from_json,
    to_json,
)
from procalg.runtime.ports import RunRecord, SeqConflict, Write
from procalg.runtime.schedule import Schedule
from procalg.runtime.status import RunFinished

SCHEMA_VERSION = 7
"""Bumped whenever the tables change; a newer store refuses an older procalg.

2: the ``inbox`` table of buffered signals (a version-1 store gains it when opened).
3: the ``snapshots`` table (:mod:`procalg.runtime.snapshot`: one row per run, its
latest state), ``schedules``, ``run_attrs`` (search attributes) and ``updates`` (each
update's idempotency key and its inbox id) and ``run_parents`` (child runs); older
stores gain them when opened.
4: ``updates`` keeps where each update was recorded (``seq``, written with the history
row) and its reply (``reply``), so a retried update is answered by one indexed read;
a version-3 store gains both columns when opened, ``seq`` filled from its histories.
5: ``runs`` keeps the model a run last migrated to (``current_hash``, ``current_text``,
written with its ``run_migrated`` history row), so loading a run never scans its
history; a version-4 store gains both columns when opened, filled from its histories.
6: ``runs`` and ``updates`` keep each run's continue-as-new chain (``chain``: the id of
its first run, written with the run's row), ``updates`` indexed by ``(chain, update_id)``,
so a key is looked up along a chain of any length in one indexed read; a version-5 store
gains both columns when opened, filled from its ``continued_from`` events.
7: ``runs`` indexed by ``chain`` over the runs that have not continued as new
(:data:`~procalg.store.update_keys.HEAD_INDEX`), so the newest run of a chain and the run
holding an inbox entry are found in one indexed read (runtime/continuation.py
``latest``, runtime/inbox.py ``holder``); a version-6 store gains the index when opened."""
APPLICATION_ID = 0x70726F63
"""``PRAGMA application_id`` of a procalg SQLite database: the bytes ``proc``."""
APPLICATION = "procalg-runs"
"""The marker in the ``meta`` table of every procalg store."""

RUN_COLUMNS = (
    "run_id, process, args, model_hash, model_text, verdicts, status, created, owner, lease_until"
)
RUN_SELECT = RUN_COLUMNS + ", wake_at, current_hash, current_text"
"""What a record is read from (``wake_at`` and the current model are written by the
engine's writes, not inserted)."""
CURRENT_COLUMNS = ("current_hash TEXT NOT NULL DEFAULT ''",
                   "current_text TEXT NOT NULL DEFAULT ''")
"""Schema 5's columns of ``runs`` (the same DDL in both stores)."""
SET_CURRENT = "UPDATE runs SET current_hash = {m}, current_text = {m} WHERE run_id = {m}"
"""Record a run's current model (``{m}``: the driver's placeholder), in the transaction
that writes its ``run_migrated`` event or, once, when an older store is upgraded."""


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_DECODER = json.JSONDecoder()
# One encoder for every row: json.dumps with non-default options builds a new
# encoder per call, a measurable share of a durable step.


def encode_event(event: HistoryEvent) -> str:
    """The event as compact JSON text."""
    return _ENCODER.encode(to_json(event))


def decode_event(text: str) -> HistoryEvent:
    """Invert :func:`encode_event`; a damaged row is a StoreError."""
    try:
        return from_json(_DECODER.decode(text))
    except (ValueError, TypeError) as err:
        raise StoreError(f"damaged history row: {text[:80]!r}") from err


def history_rows(write: Write) -> list[tuple[str, int, str]]:
    """The write's events as ``(run_id, seq, body)`` rows."""
    return [(write.run_id, write.seq + i, encode_event(e)) for i, e in enumerate(write.events)]


MIGRATED_MARK = '%"run_migrated"%'
"""A LIKE pattern every ``run_migrated`` history row matches (its JSON kind)."""


def recorded_migrations(rows: Sequence[tuple[str, int, str]]) -> list[tuple[str, str, str]]:
    """``(current_hash, current_text, run_id)`` of each run's last ``run_migrated`` event
    among history rows ``(run_id, seq, body)``: what a version-4 store's rows lacked.

    Example:
        >>> from procalg.runtime.history import RunMigrated
        >>> def row(seq, h):
        ...     return ("r", seq, encode_event(RunMigrated(time=0.0, model_hash=h, model_text=h)))
        >>> recorded_migrations([row(9, "new"), row(4, "old")])
        [('new', 'new', 'r')]
    """
    last: dict[str, tuple[int, RunMigrated]] = {}
    for run_id, seq, body in rows:
        event = decode_event(body)
        if type(event) is RunMigrated and int(seq) >= last.get(run_id, (-1, event))[0]:
            last[run_id] = (int(seq), event)
    return [(e.model_hash, e.model_text, run_id) for run_id, (_, e) in sorted(last.items())]


def inbox_rows(rows: Sequence[tuple[int, str]]) -> list[tuple[int, SignalReceived]]:
    """Decode ``(id, body)`` inbox rows."""
    out = []
    for ident, body in rows:
        event = decode_event(body)
        if not isinstance(event, SignalReceived):
            raise StoreError(f"damaged inbox row {ident}: {body[:80]!r}")
        out.append((int(ident), event))
    return out


def dropped_ids(rows: Sequence[tuple[int, SignalReceived]], channels: frozenset[str]
                ) -> list[int]:
    """The ids of inbox rows whose signal is on one of ``channels`` (:attr:`Write.drops`:
    a finished parent's children's outcomes, read inside the write's own transaction).

    Example:
        >>> from procalg.terms.values import Event
        >>> rows = [(1, SignalReceived(time=0.0, event=Event("Pay", (1,)))),
        ...         (2, SignalReceived(time=0.0, event=Event("go")))]
        >>> dropped_ids(rows, frozenset({"Pay"}))
        [1]
    """
    return [ident for ident, sent in rows
            if type(sent) is SignalReceived and sent.event.channel in channels]


def parent_rows(write: Write) -> list[tuple[str, str, int]]:
    """The write's ``(child, parent, step)`` row, if it creates a child run."""
    if write.record is None or write.parent is None:
        return []
    return [(write.run_id, write.parent[0], write.parent[1])]


def sent_rows(write: Write) -> list[tuple[str, str, str]]:
    """The write's ``(run_id, body, run_id)`` inbox rows for other runs (the id twice:
    :data:`SEND_SQL` delivers only to a run still going)."""
    return [(target, encode_event(signal), target) for target, signal in write.sends]


SEND_SQL = ("INSERT INTO inbox (run_id, body) SELECT {m}, {m} WHERE EXISTS"
            " (SELECT 1 FROM runs WHERE run_id = {m} AND status IN ('running', 'waiting'))")
"""A send to another run's inbox (a child's outcome to its parent), dropped if that run
has ended: nothing reads a finished run's inbox (a parent that discarded the child,
runtime/children.py). ``{m}`` is the driver's placeholder. SQLite's (one writer at a
time); PostgreSQL's locks the run's row too (``postgres_schema.SEND_LOCKED``)."""


INBOXES_SQL = ("SELECT i.run_id, max(i.id) FROM runs r JOIN inbox i ON i.run_id = r.run_id"
               " WHERE r.status IN ('running', 'waiting') GROUP BY i.run_id")
"""``EventLog.inboxes``: the runs still going with buffered entries, each to its newest
one; an ended run's unread entries stay (``runs show``) but cost no worker a look, and
the query starts from the runs going (the status index), not from every inbox row."""


CARRY_SQL = ("UPDATE updates SET run_id = {m} WHERE run_id = {m} AND inbox_id IN"
             " (SELECT id FROM inbox WHERE run_id = {m})",
             "UPDATE inbox SET run_id = {m} WHERE run_id = {m}")
"""A continue-as-new's final commit moving the run's unread inbox, and the keys of the
updates in it, to the new run (:attr:`Write.carry`; parameters :func:`carry_params`),
after the row's status update: on PostgreSQL that waits for a send in flight, so
these later statements find it."""


def carry_params(write: Write) -> tuple[tuple[str, str, str], tuple[str, str]]:
    """The parameters of :data:`CARRY_SQL`'s two statements.

    Example:
        >>> carry_params(Write("r", 9, carry="r~1"))
        (('r~1', 'r', 'r'), ('r~1', 'r'))
    """
    return (write.carry, write.run_id, write.run_id), (write.carry, write.run_id)


def refusal(run_id: str, row: Sequence[Any] | None) -> RunError:
    """Why a store did not buffer a send to ``run_id``, its status ``row`` read in the
    send's transaction: no such run, or :class:`RunFinished`."""
    if row is None:
        return RunError(f"no run with id {run_id!r}", hint="`procalg runs list` shows ids")
    return RunFinished(run_id, row[0])


def collision(write: Write) -> StoreError:
    """The error for a write that hit an existing key: the run id, or a taken ``seq``."""
    if write.record is not None:
        return StoreError(f"run {write.run_id!r} already exists")
    return SeqConflict(f"run {write.run_id!r}: step {write.seq} was written by another worker")


def raise_first(errors: list[StoreError | None]) -> None:
    """Raise the first error of :meth:`write_many`'s answer, if any."""
    for error in errors:
        if error is not None:
            raise error


def record_params(record: RunRecord) -> tuple[Any, ...]:
    """The record as parameters in :data:`RUN_COLUMNS` order."""
    return (
        record.run_id,
        record.process,
        json.dumps([encode_value(a) for a in record.args]),
        record.model_hash,
        record.model_text,
        json.dumps(dict(record.verdicts)),
        record.status,
        record.created,
        record.owner,
        record.lease_until,
    )


def record_from_row(row: Sequence[Any]) -> RunRecord:
    """Rebuild a record from a row selected as :data:`RUN_SELECT`."""
    (run_id, process, args, model_hash, text, verdicts, status, created, owner, until, wake,
     current_hash, current_text) = row
    return RunRecord(
        run_id=run_id,
        process=process,
        args=tuple(decode_value(a) for a in json.loads(args)),
        model_hash=model_hash,
        model_text=text,
        verdicts=json.loads(verdicts),
        status=status,
        created=float(created),
        owner=owner,
        lease_until=float(until),
        wake_at=float(wake),
        current_hash=current_hash,
        current_text=current_text,
    )


def attr_rows(record: RunRecord) -> list[tuple[str, str, str]]:
    """The record's search attributes as ``(run_id, key, value)`` rows."""
    return [(record.run_id, str(k), str(v)) for k, v in record.attrs.items()]


def schedule_params(schedule: Schedule) -> tuple[str, str, float, int]:
    """``(name, body, next_due, paused)``: the columns of a ``schedules`` row.

    Example:
        >>> row = schedule_params(Schedule("s", "P", (1,), every=60.0, next_due=120.0))
        >>> schedule_from_row(row) == Schedule("s", "P", (1,), every=60.0, next_due=120.0)
        True
    """
    body = {"process": schedule.process, "args": [encode_value(a) for a in schedule.args],
            "model_hash": schedule.model_hash, "model_text": schedule.model_text,
            "model_name": schedule.model_name, "verdicts": dict(schedule.verdicts),
            "every": schedule.every, "cron": schedule.cron, "catch_up": schedule.catch_up,
            "attrs": dict(schedule.attrs)}
    return (schedule.name, _ENCODER.encode(body), schedule.next_due, int(schedule.paused))


def schedule_from_row(row: Sequence[Any]) -> Schedule:
    """Rebuild a schedule from ``(name, body, next_due, paused)``."""
    name, body, next_due, paused = row
    try:
        data = _DECODER.decode(body)
        return Schedule(name, data["process"], tuple(decode_value(a) for a in data["args"]),
                        data["model_hash"], data["model_text"], data["model_name"],
                        data["verdicts"], float(data["every"]), data["cron"], data["catch_up"],
                        bool(paused), float(next_due), data.get("attrs", {}))
    except (ValueError, TypeError, KeyError) as err:
        raise StoreError(f"damaged schedule row {name!r}: {str(body)[:80]!r}") from err


def search_sql(statuses: tuple[str, ...] | None, since: float | None,
               attrs: Mapping[str, str] | None, model: str | None,
               mark: str) -> tuple[str, list[Any]]:
    """The WHERE clause (``""`` or `` WHERE ...``) and parameters of a run search;
    ``mark`` is the driver's placeholder (``?`` or ``%s``).

    Example:
        >>> search_sql(("running",), None, {"tenant": "a"}, None, "?")[1]
        ['running', 'tenant', 'a']
    """
    where: list[str] = []
    params: list[Any] = []
    if statuses is not None:
        where.append(f"status IN ({','.join([mark] * len(statuses))})")
        params += statuses
    if since is not None:
        where.append(f"created >= {mark}")
        params.append(since)
    attr = (f"EXISTS (SELECT 1 FROM run_attrs a WHERE a.run_id = runs.run_id"
            f" AND a.key = {mark} AND a.value = {mark})")
    for key, value in (attrs or {}).items():
        where.append(attr)
        params += [key, value]
    if model is not None:  # the model a run is on now: the last it migrated to, else its first
        where.append(f"(COALESCE(NULLIF(current_hash, ''), model_hash) LIKE {mark} OR {attr})")
        params += [model.replace("%", "").replace("_", "") + "%", "model", model]
    return (" WHERE " + " AND ".join(where)) if where else "", params
