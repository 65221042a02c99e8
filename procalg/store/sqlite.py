"""The SQLite event log: the default run store (``sqlite:///runs.db``).

Durability: WAL journal, ``synchronous=FULL`` (an fsync per commit), one
transaction per :meth:`SqliteLog.append`, so a batch of history events is
either wholly on disk or absent after a crash. Readers in other processes
see the last committed step (WAL lets them read while a writer writes).

Safety: opening checks the file before anything is written to it and never
initialises a file that holds data (:mod:`procalg.store.sqlite_open`).

Example:
    >>> import tempfile, os
    >>> from procalg.runtime.history import RunStarted
    >>> path = os.path.join(tempfile.mkdtemp(), "runs.db")
    >>> log = SqliteLog(path)
    >>> log.create_run(RunRecord("r1", "P"), [RunStarted(time=0.0, process="P")])
    >>> [type(e).__name__ for e in log.history("r1")], str(log.get_run("r1").status)
    (['RunStarted'], 'running')
    >>> log.close()
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from procalg.errors import RunError, StoreError
from procalg.runtime.history import HistoryEvent, SignalReceived, UpdateReceived
from procalg.runtime.ports import UNFINISHED, RunRecord, Write
from procalg.store.rows import (
    CARRY_SQL,
    INBOXES_SQL,
    RUN_SELECT,
    SEND_SQL,
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
    refusal,
    sent_rows,
)
from procalg.store.sqlite_open import NOW, open_store, refuse
from procalg.store.sqlite_schedules import SqliteSchedules
from procalg.store.update_keys import (
    CHAIN_ENTRY,
    CHAIN_HEAD,
    INSERT_RUN,
    KEEP_SEQ,
    KEY_SQL,
    run_params,
    update_rows,
)


class SqliteLog(SqliteSchedules):
    """An :class:`~procalg.runtime.ports.EventLog` in one SQLite file.

    Args:
        path: the database file (created if absent or empty, when ``create``).
        timeout: seconds to wait for another writer's lock.
        create: create a missing store; False (reading commands): a missing
            store is an error, and no file is made.

    Raises:
        StoreError: foreign, damaged or newer-schema file (never modified).
    """

    def __init__(self, path: str | os.PathLike[str], timeout: float = 10.0,
                 create: bool = True) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._db = open_store(self.path, timeout, create)

    def _write(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        with self._lock:
            try:
                return self._db.execute(sql, params)
            except sqlite3.DatabaseError as err:
                raise StoreError(f"store write failed: {err}") from err

    def _lease_write(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        """:meth:`_write` for a lease (claim, renew, release), committed without an fsync
        (``synchronous=NORMAL``: in WAL mode the commit is in the log, synced with the next
        FULL commit). A lease outlives no crash of its host, and every worker of an SQLite
        store runs on the file's host, so one lost with the machine was held by a worker
        that died too; a process's own crash keeps it (it is in the OS's cache). A signal
        to a waiting run claims it: two fsyncs per signal were one per step and one per
        claim."""
        with self._lock:
            self._db.execute("PRAGMA synchronous=NORMAL")
            try:
                return self._write(sql, params)
            finally:
                self._db.execute("PRAGMA synchronous=FULL")

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as err:
                raise refuse(self.path, f"damaged or unreadable ({err})") from err

    def create_run(self, record: RunRecord, first: list[HistoryEvent]) -> None:
        raise_first(self.write_many([Write(record.run_id, 0, tuple(first), record=record)]))

    def get_run(self, run_id: str) -> RunRecord:
        rows = self._read(f"SELECT {RUN_SELECT} FROM runs WHERE run_id = ?", (run_id,))
        row = rows[0] if rows else None
        if row is None:
            raise RunError(f"no run with id {run_id!r}", hint="`procalg runs list` shows ids")
        return record_from_row(row)

    def list_runs(self, statuses: tuple[str, ...] | None = None) -> list[RunRecord]:
        sql = f"SELECT {RUN_SELECT} FROM runs"
        params: tuple = ()
        if statuses is not None:
            sql += f" WHERE status IN ({','.join('?' * len(statuses))})"
            params = tuple(statuses)
        rows = self._read(sql + " ORDER BY created, run_id", params)
        return [record_from_row(r) for r in rows]

    def append(
        self, run_id: str, seq: int, events: list[HistoryEvent], status: str | None = None
    ) -> None:
        raise_first(self.write_many([Write(run_id, seq, tuple(events), status)]))

    def write_many(self, writes: list[Write]) -> list[StoreError | None]:
        rows = [history_rows(w) for w in writes]  # encoded before taking the lock
        errors: list[StoreError | None] = [None] * len(writes)
        alone = len(writes) == 1  # no savepoint needed: a collision rolls back everything
        with self._lock:
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
                for i, write in enumerate(writes):
                    if not alone:
                        db.execute("SAVEPOINT one_run")
                    try:
                        self._apply(write, rows[i])
                    except sqlite3.IntegrityError:
                        errors[i] = collision(write)
                        db.execute("ROLLBACK" if alone else "ROLLBACK TO one_run")
                        if alone:
                            return errors
                    if not alone:
                        db.execute("RELEASE one_run")
                db.execute("COMMIT")
            except sqlite3.DatabaseError as err:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                return [StoreError(f"store write failed: {err}") for _ in writes]
        return errors

    def _apply(self, write: Write, rows: list[tuple[str, int, str]]) -> None:
        db, run_id = self._db, write.run_id
        if write.record is None and not rows and db.execute(
                "SELECT 1 FROM history WHERE run_id = ? AND seq = ?", (run_id, write.seq)
        ).fetchone():  # no row to collide on, yet the run moved past the writer's view
            raise sqlite3.IntegrityError(f"run {run_id} moved past step {write.seq}")
        if write.record is not None:
            db.execute(INSERT_RUN.format(m="?"), run_params(write))
            if write.record.attrs:
                db.executemany("INSERT INTO run_attrs VALUES (?, ?, ?)", attr_rows(write.record))
        db.executemany("INSERT INTO history VALUES (?, ?, ?)", rows)
        if write.events and (keys := update_rows(write)):
            db.executemany(KEEP_SEQ.format(m="?"), keys)
        if write.events and (moved := write.migrated_to()):  # the run's model, on its row
            db.execute(SET_CURRENT.format(m="?"), (*moved, run_id))
        if write.status in UNFINISHED:
            db.execute("UPDATE runs SET status = ? WHERE run_id = ?", (write.status, run_id))
        elif write.status is not None:  # a finished run has no owner, whoever held it last
            db.execute("UPDATE runs SET status = ?, owner = '', lease_until = 0 WHERE run_id = ?",
                       (write.status, run_id))
        if write.record is not None and write.lease:
            db.execute(f"UPDATE runs SET lease_until = {NOW} + ? WHERE run_id = ?",
                       (write.lease, run_id))
        if write.wake_at is not None:
            db.execute("UPDATE runs SET wake_at = ? WHERE run_id = ?", (write.wake_at, run_id))
        if write.consumed:
            gone = db.executemany("DELETE FROM inbox WHERE id = ? AND run_id = ?",
                                  [(i, run_id) for i in set(write.consumed)]).rowcount
            if gone < len(set(write.consumed)):  # withdrawn meanwhile: consume nothing
                raise sqlite3.IntegrityError(f"run {run_id}: a buffered signal was withdrawn")
        if write.drops:  # read in this transaction (BEGIN IMMEDIATE: no send can interleave)
            found = inbox_rows(db.execute("SELECT id, body FROM inbox WHERE run_id = ?",
                                          (run_id,)).fetchall())
            db.executemany("DELETE FROM inbox WHERE id = ?",
                           [(i,) for i in dropped_ids(found, write.drops)])
        if write.carry:  # continue-as-new: its unread inbox goes to the new run
            for sql, params in zip(CARRY_SQL, carry_params(write), strict=True):
                db.execute(sql.format(m="?"), params)
        if write.release:
            db.execute("UPDATE runs SET owner = '', lease_until = 0 WHERE run_id = ? AND owner = ?",
                       (run_id, write.release))
        if write.parent is not None or write.sends:  # child runs (runtime/children.py)
            db.executemany("INSERT INTO run_parents VALUES (?, ?, ?)", parent_rows(write))
            db.executemany(SEND_SQL.format(m="?"), sent_rows(write))

    def history(self, run_id: str) -> list[HistoryEvent]:
        rows = self._read("SELECT body FROM history WHERE run_id = ? ORDER BY seq", (run_id,))
        return [decode_event(body) for (body,) in rows]

    def tail(self, run_id: str, seq: int) -> list[HistoryEvent]:
        rows = self._read("SELECT body FROM history WHERE run_id = ? AND seq >= ? ORDER BY seq",
                          (run_id, seq))
        return [decode_event(body) for (body,) in rows]

    def save_snapshot(self, run_id: str, seq: int, body: str) -> None:
        # a newer snapshot is never replaced by an older one (a slow writer that lost the run)
        self._write("INSERT INTO snapshots VALUES (?, ?, ?) ON CONFLICT (run_id) DO UPDATE"
                    " SET seq = excluded.seq, body = excluded.body"
                    " WHERE excluded.seq > snapshots.seq", (run_id, seq, body))

    def snapshot(self, run_id: str) -> tuple[int, str] | None:
        rows = self._read("SELECT seq, body FROM snapshots WHERE run_id = ?", (run_id,))
        return (int(rows[0][0]), rows[0][1]) if rows else None

    def length(self, run_id: str) -> int:
        # seq runs 0, 1, ... without gaps, so max + 1 is the count (one index probe)
        rows = self._read("SELECT max(seq) FROM history WHERE run_id = ?", (run_id,))
        return 0 if rows[0][0] is None else rows[0][0] + 1

    def claim(self, run_id: str, owner: str, lease: float,
              dead: tuple[str, float] | None = None) -> bool:
        # One UPDATE: the compare and the set are atomic, and `now` is SQLite's.
        dead_owner, dead_until = dead or ("", -1.0)
        cur = self._lease_write(
            f"UPDATE runs SET owner = ?, lease_until = {NOW} + ? WHERE run_id = ?"
            " AND status IN (?, ?) AND (owner = '' OR owner = ? OR lease_until < " + NOW
            + " OR (owner = ? AND lease_until = ?))",
            (owner, lease, run_id, *UNFINISHED, owner, dead_owner, dead_until),
        )
        return cur.rowcount == 1

    def renew(self, run_id: str, owner: str, lease: float) -> bool:
        cur = self._lease_write(f"UPDATE runs SET lease_until = {NOW} + ? WHERE run_id = ?"
                                " AND owner = ?", (lease, run_id, owner))
        return cur.rowcount == 1

    def claim_next(self, owner: str, lease: float, limit: int = 1) -> list[str]:
        # BEGIN IMMEDIATE takes SQLite's single write lock: the select and the
        # updates are one step for every other connection (SKIP LOCKED's effect).
        with self._immediate() as db:
            ids = [r for (r,) in db.execute(
                "SELECT run_id FROM runs WHERE status IN (?, ?) AND"
                f" (owner = '' OR lease_until < {NOW})"
                f" AND (status = 'running' OR wake_at <= {NOW}) ORDER BY created LIMIT ?",
                (*UNFINISHED, limit))]
            db.executemany(f"UPDATE runs SET owner = ?, lease_until = {NOW} + ?"
                           " WHERE run_id = ?", [(owner, lease, r) for r in ids])
        return ids

    def release(self, run_id: str, owner: str) -> None:
        self._lease_write(
            "UPDATE runs SET owner = '', lease_until = 0 WHERE run_id = ? AND owner = ?",
            (run_id, owner),
        )

    @contextlib.contextmanager
    def _immediate(self) -> Iterator[sqlite3.Connection]:
        """One transaction holding SQLite's write lock from its first statement (no other
        connection writes between its reads and its writes), committed if the block
        returns, rolled back if it raises."""
        with self._lock:
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
                yield db
                db.execute("COMMIT")
            except BaseException as err:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                if isinstance(err, sqlite3.DatabaseError):
                    raise StoreError(f"store write failed: {err}") from err
                raise

    def _buffer(self, db: sqlite3.Connection, run_id: str, body: str) -> int:
        """Insert an inbox row for a run still going, in the caller's BEGIN IMMEDIATE: its
        final commit cannot come between the look and the insert (RunFinished if it came
        before)."""
        row = db.execute("SELECT status FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        if row is None or row[0] not in UNFINISHED:
            raise refusal(run_id, row)
        return int(db.execute("INSERT INTO inbox (run_id, body) VALUES (?, ?)",
                              (run_id, body)).lastrowid or 0)

    def send(self, run_id: str, signal: SignalReceived) -> int:
        body = encode_event(signal)
        with self._immediate() as db:
            return self._buffer(db, run_id, body)

    def pending(self, run_id: str) -> list[tuple[int, SignalReceived]]:
        return inbox_rows(self._read("SELECT id, body FROM inbox WHERE run_id = ? ORDER BY id",
                                     (run_id,)))

    def inboxes(self) -> dict[str, int]:
        return dict(self._read(INBOXES_SQL))

    def send_update(self, run_id: str, update: UpdateReceived) -> tuple[int, bool]:
        body = encode_event(update)
        with self._immediate() as db:  # the key check, the look and the insert: one step
            row = db.execute("SELECT inbox_id FROM updates WHERE run_id = ? AND update_id = ?",
                             (run_id, update.update_id)).fetchone()
            if row is not None:
                return int(row[0]), False
            ident = self._buffer(db, run_id, body)
            db.execute(KEY_SQL.format(m="?"), (run_id, update.update_id, ident, run_id, run_id))
        return ident, True

    def update_entry(self, run_id: str, update_id: str) -> tuple[int | None, str | None] | None:
        rows = self._read("SELECT seq, reply FROM updates WHERE run_id = ? AND update_id = ?",
                          (run_id, update_id))
        return (rows[0][0], rows[0][1]) if rows else None

    def chain_entry(self, run_id: str, update_id: str
                    ) -> tuple[str, int | None, str | None] | None:
        rows = self._read(CHAIN_ENTRY.format(m="?"), (update_id, run_id, run_id))
        return (rows[0][0], rows[0][1], rows[0][2]) if rows else None

    def chain_head(self, run_id: str) -> str | None:
        rows = self._read(CHAIN_HEAD.format(m="?"), (run_id,) * 4)
        return rows[0][0] if rows else None

    def inbox_holder(self, ident: int) -> str | None:
        rows = self._read("SELECT run_id FROM inbox WHERE id = ?", (ident,))
        return rows[0][0] if rows else None

    def keep_reply(self, run_id: str, update_id: str, reply: str) -> None:
        self._write("UPDATE updates SET reply = ? WHERE run_id = ? AND update_id = ?"
                    " AND seq IS NOT NULL AND reply IS NULL", (reply, run_id, update_id))

    def withdraw(self, run_id: str, ident: int) -> bool:
        cur = self._write("DELETE FROM inbox WHERE id = ? AND run_id = ?", (ident, run_id))
        return cur.rowcount == 1

    def children(self, run_id: str) -> list[str]:
        return [c for (c,) in self._read("SELECT run_id FROM run_parents WHERE parent_id = ?"
                                         " ORDER BY step", (run_id,))]

    def parents(self) -> dict[str, tuple[str, int]]:
        return {c: (p, int(s)) for c, p, s in self._read("SELECT * FROM run_parents")}

    def close(self) -> None:
        with self._lock:
            self._db.close()
