"""The PostgreSQL event log: one store shared by several workers.

Same tables and JSON rows as :mod:`procalg.store.sqlite`. Workers share
the load by leasing runs with ``SELECT ... FOR UPDATE SKIP LOCKED`` (a
worker never waits on a run another worker is claiming), and the
``(run_id, seq)`` primary key makes two writers extending the same run
collide instead of interleaving (:class:`~procalg.runtime.ports.SeqConflict`).
A database whose ``procalg_meta`` table is missing but which has tables
named like ours, or whose marker names another application, is refused.

Driver: ``psycopg`` 3 (``pip install procalg[postgres]``), imported lazily so
the rest of procalg works without it.

Example:
    >>> PostgresLog.__name__  # a live server is needed; see tests/store
    'PostgresLog'
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from procalg.errors import RunError, StoreError, StoreUnavailable
from procalg.runtime.history import HistoryEvent, SignalReceived, UpdateReceived
from procalg.runtime.ports import UNFINISHED, RunRecord, Write
from procalg.runtime.schedule import Schedule
from procalg.store.postgres_connect import connect, driver, retried
from procalg.store.postgres_schema import SEND_LOCKED, buffer, buffer_keyed, prepare
from procalg.store.rows import (
    CARRY_SQL,
    INBOXES_SQL,
    RUN_SELECT,
    SET_CURRENT,
    attr_rows,
    carry_params,
    collision,
    decode_event,
    dropped_ids,
    encode_event,
    history_rows,
    inbox_rows,
    parent_rows,
    raise_first,
    record_from_row,
    schedule_from_row,
    schedule_params,
    search_sql,
    sent_rows,
)
from procalg.store.update_keys import (
    CHAIN_ENTRY,
    CHAIN_HEAD,
    INSERT_RUN,
    KEEP_SEQ,
    run_params,
    update_rows,
)

_T = TypeVar("_T")


class _Moved(Exception):
    """An event-less write (a status, a wake-up, a release) behind the run's history."""


NOW = "extract(epoch from clock_timestamp())::double precision"
"""The server's clock in epoch seconds: every lease is judged by it, never a worker's."""


class PostgresLog:
    """An :class:`~procalg.runtime.ports.EventLog` on PostgreSQL.

    Args:
        url: a libpq URL, ``postgresql://user@host:port/db``.

    Raises:
        StoreError: unreachable server, or a database holding someone else's tables.
    """

    def __init__(self, url: str) -> None:
        psycopg = driver()
        self._errors = psycopg.errors
        self._psycopg = psycopg
        self._lock = threading.RLock()
        self._url = url
        self._db = connect(psycopg, url, f"cannot connect to {url}")
        try:
            with self._lock, self._db.transaction(), self._db.cursor() as cur:
                prepare(cur)
        except psycopg.OperationalError as err:  # went away between connect and now
            raise StoreUnavailable(f"cannot open the store at {url}: {err}".strip()) from err

    def _live(self) -> Any:
        """The connection, opened again if the server dropped it (a restart, a failover):
        the request that saw it break failed with a StoreError; the next one reconnects."""
        if self._db.broken or self._db.closed:
            self._db = connect(self._psycopg, self._url, "cannot reconnect to the store")
        return self._db

    def _run(self, sql: str, params: tuple = (), *, many: list[tuple] | None = None) -> list:
        try:
            with self._lock, self._live().transaction(), self._db.cursor() as cur:
                if many is not None:
                    cur.executemany(sql, many)
                    return []
                cur.execute(sql, params)
                return cur.fetchall() if cur.description else []
        except self._psycopg.Error as err:  # a lost server is a store error, not a traceback
            raise StoreError(f"store request failed: {err}".strip()) from err

    def _within(self, body: Callable[[Any], _T]) -> _T:
        """``body(cursor)`` in one transaction (:meth:`_run` for several statements)."""
        try:
            with self._lock, self._live().transaction(), self._db.cursor() as cur:
                return body(cur)
        except self._psycopg.Error as err:
            raise StoreError(f"store request failed: {err}".strip()) from err

    def create_run(self, record: RunRecord, first: list[HistoryEvent]) -> None:
        raise_first(self.write_many([Write(record.run_id, 0, tuple(first), record=record)]))

    def get_run(self, run_id: str) -> RunRecord:
        rows = self._run(f"SELECT {RUN_SELECT} FROM runs WHERE run_id = %s", (run_id,))
        if not rows:
            raise RunError(f"no run with id {run_id!r}", hint="`procalg runs list` shows ids")
        return record_from_row(rows[0])

    def list_runs(self, statuses: tuple[str, ...] | None = None) -> list[RunRecord]:
        if statuses is None:
            rows = self._run(f"SELECT {RUN_SELECT} FROM runs ORDER BY created, run_id")
        else:
            rows = self._run(
                f"SELECT {RUN_SELECT} FROM runs WHERE status = ANY(%s) ORDER BY created, run_id",
                (list(statuses),),
            )
        return [record_from_row(r) for r in rows]

    def append(
        self, run_id: str, seq: int, events: list[HistoryEvent], status: str | None = None
    ) -> None:
        raise_first(self.write_many([Write(run_id, seq, tuple(events), status)]))

    def write_many(self, writes: list[Write]) -> list[StoreError | None]:
        rows = [history_rows(w) for w in writes]
        if len(writes) == 1 and rows[0]:
            return [self._write_one(writes[0], rows[0])]
        try:
            return retried(lambda: self._commit_many(writes, rows), self._errors.DeadlockDetected)
        except self._psycopg.Error as err:
            return [StoreError(f"store write failed: {err}") for _ in writes]

    def _commit_many(self, writes: list[Write], rows: list[list[tuple[str, int, str]]]
                     ) -> list[StoreError | None]:
        errors: list[StoreError | None] = [None] * len(writes)
        with self._lock, self._live().transaction(), self._db.cursor() as cur:
            for i, write in enumerate(writes):
                try:
                    with self._db.transaction():  # a savepoint: a collision undoes one run
                        self._apply(cur, write, rows[i])
                except (self._errors.UniqueViolation, _Moved):
                    errors[i] = collision(write)
        return errors

    def _write_one(self, write: Write, rows: list[tuple[str, int, str]]) -> StoreError | None:
        """One run's write in ONE round trip: BEGIN, its statements and COMMIT are
        pipelined (no savepoint: a collision fails the whole, which is just this write).
        Profiled: a lone worker's commit took five round trips, each a wake-up of both
        processes, which on a loaded machine cost more than the fsync."""
        try:
            retried(lambda: self._commit_one(write, rows), self._errors.DeadlockDetected)
        except (self._errors.UniqueViolation, _Moved):
            return collision(write)
        except self._psycopg.Error as err:
            return StoreError(f"store write failed: {err}")
        return None

    def _commit_one(self, write: Write, rows: list[tuple[str, int, str]]) -> None:
        with self._lock:
            db = self._live()
            # a run's first write may collide by design (a schedule's due time taken by
            # another worker): outside a pipeline, so psycopg has no aborted pipeline
            # to complain about on stderr
            pipelined = db.pipeline() if write.record is None else contextlib.nullcontext()
            with pipelined, db.transaction(), db.cursor() as cur:
                self._apply(cur, write, rows)

    def _apply(self, cur: Any, write: Write, rows: list[tuple[str, int, str]]) -> None:
        if write.record is None and not rows:
            cur.execute("SELECT 1 FROM history WHERE run_id = %s AND seq = %s",
                        (write.run_id, write.seq))
            if cur.fetchone():  # no row to collide on, yet the run moved past the writer
                raise _Moved(write.run_id)
        if write.record is not None:
            cur.execute(INSERT_RUN.format(m="%s"), run_params(write))
            if write.record.attrs:
                cur.executemany("INSERT INTO run_attrs VALUES (%s, %s, %s)",
                                attr_rows(write.record))
        cur.executemany("INSERT INTO history VALUES (%s, %s, %s)", rows)
        if write.events and (keys := update_rows(write)):
            cur.executemany(KEEP_SEQ.format(m="%s"), keys)
        if write.events and (moved := write.migrated_to()):  # the run's model, on its row
            cur.execute(SET_CURRENT.format(m="%s"), (*moved, write.run_id))
        if write.status in UNFINISHED:
            cur.execute("UPDATE runs SET status = %s WHERE run_id = %s",
                        (write.status, write.run_id))
        elif write.status is not None:  # a finished run has no owner, whoever held it last
            cur.execute("UPDATE runs SET status = %s, owner = '', lease_until = 0"
                        " WHERE run_id = %s", (write.status, write.run_id))
        if write.record is not None and write.lease:
            cur.execute(f"UPDATE runs SET lease_until = {NOW} + %s WHERE run_id = %s",
                        (write.lease, write.run_id))
        if write.wake_at is not None:
            cur.execute("UPDATE runs SET wake_at = %s WHERE run_id = %s",
                        (write.wake_at, write.run_id))
        if write.consumed:
            cur.execute("DELETE FROM inbox WHERE id = ANY(%s) AND run_id = %s RETURNING id",
                        (list(write.consumed), write.run_id))
            if len(cur.fetchall()) < len(set(write.consumed)):  # withdrawn meanwhile
                raise _Moved(write.run_id)
        if write.drops:  # after the row's update, which waits for a send in flight to it
            cur.execute("SELECT id, body FROM inbox WHERE run_id = %s", (write.run_id,))
            gone = dropped_ids(inbox_rows(cur.fetchall()), write.drops)
            if gone:
                cur.execute("DELETE FROM inbox WHERE id = ANY(%s)", (gone,))
        if write.carry:  # continue-as-new: after the row's update, which waits for a send
            for sql, params in zip(CARRY_SQL, carry_params(write), strict=True):
                cur.execute(sql.format(m="%s"), params)
        if write.release:
            cur.execute("UPDATE runs SET owner = '', lease_until = 0"
                        " WHERE run_id = %s AND owner = %s", (write.run_id, write.release))
        if write.parent is not None or write.sends:  # child runs (runtime/children.py)
            self._deliver(cur, write)

    def _deliver(self, cur: Any, write: Write) -> None:
        """The write's child row and its sends to other runs (:data:`SEND_LOCKED`)."""
        if write.record is not None and write.parent is not None:
            cur.executemany("INSERT INTO run_parents VALUES (%s, %s, %s)", parent_rows(write))
        if write.sends:
            cur.executemany(SEND_LOCKED, sent_rows(write))

    def history(self, run_id: str) -> list[HistoryEvent]:
        rows = self._run("SELECT body FROM history WHERE run_id = %s ORDER BY seq", (run_id,))
        return [decode_event(body) for (body,) in rows]

    def tail(self, run_id: str, seq: int) -> list[HistoryEvent]:
        rows = self._run("SELECT body FROM history WHERE run_id = %s AND seq >= %s ORDER BY seq",
                         (run_id, seq))
        return [decode_event(body) for (body,) in rows]

    def save_snapshot(self, run_id: str, seq: int, body: str) -> None:
        # a newer snapshot is never replaced by an older one (a slow writer that lost the run)
        self._run("INSERT INTO snapshots VALUES (%s, %s, %s) ON CONFLICT (run_id) DO UPDATE"
                  " SET seq = excluded.seq, body = excluded.body"
                  " WHERE excluded.seq > snapshots.seq", (run_id, seq, body))

    def snapshot(self, run_id: str) -> tuple[int, str] | None:
        rows = self._run("SELECT seq, body FROM snapshots WHERE run_id = %s", (run_id,))
        return (int(rows[0][0]), rows[0][1]) if rows else None

    def length(self, run_id: str) -> int:
        (top,), = self._run("SELECT max(seq) FROM history WHERE run_id = %s", (run_id,))
        return 0 if top is None else top + 1

    def claim(self, run_id: str, owner: str, lease: float,
              dead: tuple[str, float] | None = None) -> bool:
        # One UPDATE: the row lock makes compare-and-set atomic; `now` is the server's.
        dead_owner, dead_until = dead or ("", -1.0)
        rows = self._run(
            f"UPDATE runs SET owner = %s, lease_until = {NOW} + %s WHERE run_id = %s"
            " AND status = ANY(%s) AND (owner = '' OR owner = %s OR lease_until < " + NOW
            + " OR (owner = %s AND lease_until = %s)) RETURNING run_id",
            (owner, lease, run_id, list(UNFINISHED), owner, dead_owner, dead_until),
        )
        return len(rows) == 1

    def renew(self, run_id: str, owner: str, lease: float) -> bool:
        rows = self._run(f"UPDATE runs SET lease_until = {NOW} + %s WHERE run_id = %s"
                         " AND owner = %s RETURNING run_id", (lease, run_id, owner))
        return len(rows) == 1

    def claim_next(self, owner: str, lease: float, limit: int = 1) -> list[str]:
        rows = self._run(
            f"UPDATE runs SET owner = %s, lease_until = {NOW} + %s WHERE run_id IN ("
            " SELECT run_id FROM runs WHERE status = ANY(%s) AND (owner = '' OR lease_until < "
            + NOW + ") AND (status = 'running' OR wake_at <= " + NOW + ")"
            " ORDER BY created LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING run_id",
            (owner, lease, list(UNFINISHED), limit),
        )
        return sorted(r for (r,) in rows)

    def release(self, run_id: str, owner: str) -> None:
        self._run(
            "UPDATE runs SET owner = '', lease_until = 0 WHERE run_id = %s AND owner = %s",
            (run_id, owner),
        )

    def send(self, run_id: str, signal: SignalReceived) -> int:
        body = encode_event(signal)
        return self._within(lambda cur: buffer(cur, run_id, body))

    def pending(self, run_id: str) -> list[tuple[int, SignalReceived]]:
        return inbox_rows(self._run("SELECT id, body FROM inbox WHERE run_id = %s ORDER BY id",
                                    (run_id,)))

    def inboxes(self) -> dict[str, int]:
        return {r: int(i) for r, i in self._run(INBOXES_SQL)}

    def search_runs(self, statuses: tuple[str, ...] | None = None, since: float | None = None,
                    attrs: Mapping[str, str] | None = None,
                    model: str | None = None) -> list[RunRecord]:
        where, params = search_sql(statuses, since, attrs, model, "%s")
        rows = self._run(f"SELECT {RUN_SELECT} FROM runs{where} ORDER BY created, run_id",
                         tuple(params))
        return [record_from_row(r) for r in rows]

    def attributes(self, run_id: str) -> dict[str, str]:
        return dict(self._run("SELECT key, value FROM run_attrs WHERE run_id = %s", (run_id,)))

    def put_schedule(self, schedule: Schedule) -> None:
        try:
            with self._lock, self._live().transaction(), self._db.cursor() as cur:
                cur.execute("INSERT INTO schedules VALUES (%s, %s, %s, %s)",
                            schedule_params(schedule))
        except self._errors.UniqueViolation:
            raise StoreError(f"a schedule named {schedule.name!r} already exists",
                             hint="pick another name, or delete the old one first") from None
        except self._psycopg.Error as err:
            raise StoreError(f"store request failed: {err}".strip()) from err

    def schedules(self) -> list[Schedule]:
        rows = self._run("SELECT name, body, next_due, paused FROM schedules ORDER BY name")
        return [schedule_from_row(r) for r in rows]

    def update_schedule(self, name: str, *, next_due: float | None = None,
                        paused: bool | None = None, expect_due: float | None = None) -> bool:
        sets, params = ["name = name"], []
        if next_due is not None:
            sets.append("next_due = %s")
            params.append(next_due)
        if paused is not None:
            sets.append("paused = %s")
            params.append(int(paused))
        sql = f"UPDATE schedules SET {', '.join(sets)} WHERE name = %s"
        params.append(name)
        if expect_due is not None:  # compare-and-set: the row lock makes it atomic
            sql += " AND next_due = %s"
            params.append(expect_due)
        return len(self._run(sql + " RETURNING name", tuple(params))) == 1

    def delete_schedule(self, name: str) -> bool:
        return len(self._run("DELETE FROM schedules WHERE name = %s RETURNING name",
                             (name,))) == 1

    def send_update(self, run_id: str, update: UpdateReceived) -> tuple[int, bool]:
        body = encode_event(update)
        return self._within(lambda cur: buffer_keyed(cur, run_id, update.update_id, body))

    def update_entry(self, run_id: str, update_id: str) -> tuple[int | None, str | None] | None:
        rows = self._run("SELECT seq, reply FROM updates WHERE run_id = %s AND update_id = %s",
                         (run_id, update_id))
        return (rows[0][0], rows[0][1]) if rows else None

    def chain_entry(self, run_id: str, update_id: str
                    ) -> tuple[str, int | None, str | None] | None:
        rows = self._run(CHAIN_ENTRY.format(m="%s"), (update_id, run_id, run_id))
        return (rows[0][0], rows[0][1], rows[0][2]) if rows else None

    def chain_head(self, run_id: str) -> str | None:
        rows = self._run(CHAIN_HEAD.format(m="%s"), (run_id,) * 4)
        return rows[0][0] if rows else None

    def inbox_holder(self, ident: int) -> str | None:
        rows = self._run("SELECT run_id FROM inbox WHERE id = %s", (ident,))
        return rows[0][0] if rows else None

    def keep_reply(self, run_id: str, update_id: str, reply: str) -> None:
        self._run("UPDATE updates SET reply = %s WHERE run_id = %s AND update_id = %s"
                  " AND seq IS NOT NULL AND reply IS NULL", (reply, run_id, update_id))

    def withdraw(self, run_id: str, ident: int) -> bool:
        rows = self._run("DELETE FROM inbox WHERE id = %s AND run_id = %s RETURNING id",
                         (ident, run_id))
        return len(rows) == 1

    def children(self, run_id: str) -> list[str]:
        return [c for (c,) in self._run("SELECT run_id FROM run_parents WHERE parent_id = %s"
                                        " ORDER BY step", (run_id,))]

    def parents(self) -> dict[str, tuple[str, int]]:
        return {c: (p, int(s)) for c, p, s in self._run("SELECT * FROM run_parents")}

    def close(self) -> None:
        with self._lock:
            self._db.close()
