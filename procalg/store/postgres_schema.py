"""Opening a PostgreSQL run store: the schema, its marker, and upgrades.

First-time set-up is serialised by an advisory lock, so workers starting
together create the tables once. A database whose ``procalg_meta`` table is
missing but which has a ``runs`` table, or whose marker names another
application or a newer schema, is refused and left untouched. A store at the
current schema runs no DDL when opened (``ALTER TABLE`` would lock ``runs``
against every worker even when it adds nothing). Kept apart from
:mod:`procalg.store.postgres` (the log's operations).

Example:
    >>> prepare.__name__  # a live server is needed; see tests/store
    'prepare'
"""

from __future__ import annotations

from typing import Any

from procalg.errors import StoreError
from procalg.store.rows import (
    APPLICATION,
    CURRENT_COLUMNS,
    MIGRATED_MARK,
    SCHEMA_VERSION,
    SET_CURRENT,
    recorded_migrations,
    refusal,
)
from procalg.store.update_keys import (
    CHAIN_INDEX,
    CHAIN_MARK,
    FILL_KEYS,
    HEAD_INDEX,
    KEEP_SEQ,
    KEY_SQL,
    UPDATE_MARK,
    recorded_chains,
    recorded_updates,
)

_SCHEMA = [
    "CREATE TABLE procalg_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    f"INSERT INTO procalg_meta VALUES ('application', '{APPLICATION}'),"
    f" ('schema_version', '{SCHEMA_VERSION}')",
    "CREATE TABLE runs (run_id TEXT PRIMARY KEY, process TEXT NOT NULL, args TEXT NOT NULL,"
    " model_hash TEXT NOT NULL, model_text TEXT NOT NULL, verdicts TEXT NOT NULL,"
    " status TEXT NOT NULL, created DOUBLE PRECISION NOT NULL, owner TEXT NOT NULL,"
    " lease_until DOUBLE PRECISION NOT NULL, wake_at DOUBLE PRECISION NOT NULL DEFAULT 0,"
    f" {', '.join(CURRENT_COLUMNS)}, chain TEXT NOT NULL DEFAULT '')",
    "CREATE INDEX runs_status ON runs (status)",
    "CREATE TABLE history (run_id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,"
    " PRIMARY KEY (run_id, seq))",
]
_INBOX = [  # schema 2; a version-1 database gains it when opened
    "CREATE TABLE IF NOT EXISTS inbox (id BIGSERIAL PRIMARY KEY, run_id TEXT NOT NULL,"
    " body TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS inbox_run ON inbox (run_id, id)",
    "ALTER TABLE runs ADD COLUMN IF NOT EXISTS wake_at DOUBLE PRECISION NOT NULL DEFAULT 0",
    # schema 3: schedules and search attributes
    "CREATE TABLE IF NOT EXISTS schedules (name TEXT PRIMARY KEY, body TEXT NOT NULL,"
    " next_due DOUBLE PRECISION NOT NULL, paused INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS run_attrs (run_id TEXT NOT NULL, key TEXT NOT NULL,"
    " value TEXT NOT NULL, PRIMARY KEY (run_id, key))",
    "CREATE INDEX IF NOT EXISTS run_attrs_key ON run_attrs (key, value)",
]
_SNAPSHOTS = [  # schema 3; idempotent, run on every open (a version-3 store may lack it)
    "CREATE TABLE IF NOT EXISTS snapshots (run_id TEXT PRIMARY KEY, seq INTEGER NOT NULL,"
    " body TEXT NOT NULL)",
]
_UPDATES = [  # schema 3: an update's idempotency key, unique per run; 4: seq and reply;
    # 6: its run's chain (created with the column in a store older than 3)
    "CREATE TABLE IF NOT EXISTS updates (run_id TEXT NOT NULL, update_id TEXT NOT NULL,"
    " inbox_id BIGINT NOT NULL, chain TEXT NOT NULL DEFAULT '',"
    " PRIMARY KEY (run_id, update_id))",
]
SEND_LOCKED = ("INSERT INTO inbox (run_id, body) SELECT %s, %s FROM runs WHERE run_id = %s"
               " AND status IN ('running', 'waiting') FOR SHARE")
"""A send to another run's inbox (a child's outcome to its parent), dropped if that run
has ended (``rows.SEND_SQL``), serialised with the run's own commits: under READ
COMMITTED a plain read of the status sees the old row of a final commit in flight, and
that commit's look at its inbox (``Write.drops``) misses a send not yet committed, so
the outcome would land in a finished run. ``FOR SHARE`` conflicts with the row lock
every ``UPDATE runs`` takes (``FOR KEY SHARE`` would not: a status is no key column),
so either the send waits for the final commit and then finds the run ended
(READ COMMITTED re-reads a locked row that changed), or the final commit's ``UPDATE``
waits for the send, and its inbox read, a later statement, finds the outcome and drops
it. A parent and a child that send to each other as both end may deadlock: the
server fails one (SQLSTATE 40P01) and it is tried again
(``postgres_connect.retried``). External sends (:func:`buffer`) take the same lock."""


def buffer(cur: Any, run_id: str, body: str) -> int:
    """Insert an inbox row for a run still going, its id (``EventLog.send``):
    :data:`SEND_LOCKED` waits for a final commit in flight and then finds the run
    ended, and ``RETURNING`` tells whether the row landed; if not, the run's status,
    read in the same transaction, says why (RunFinished, or no such run)."""
    cur.execute(SEND_LOCKED + " RETURNING id", (run_id, body, run_id))
    landed = cur.fetchone()
    if landed is None:
        cur.execute("SELECT status FROM runs WHERE run_id = %s", (run_id,))
        raise refusal(run_id, cur.fetchone())
    return int(landed[0])


def buffer_keyed(cur: Any, run_id: str, key: str, body: str) -> tuple[int, bool]:
    """An update's inbox row (:func:`buffer`) unless its ``key`` was sent to the run before:
    ``(inbox id, True)``, or the id it got then and False."""
    # the key row first: a concurrent sender of the same key waits on it
    cur.execute(KEY_SQL.format(m="%s") + " ON CONFLICT DO NOTHING",
                (run_id, key, 0, run_id, run_id))
    if cur.rowcount != 1:
        cur.execute("SELECT inbox_id FROM updates WHERE run_id = %s AND update_id = %s",
                    (run_id, key))
        return int(cur.fetchone()[0]), False
    ident = buffer(cur, run_id, body)  # refused: the key row is rolled back too
    cur.execute("UPDATE updates SET inbox_id = %s WHERE run_id = %s AND update_id = %s",
                (ident, run_id, key))
    return ident, True


_FAMILY = [  # schema 3: child runs (runtime/children.py); older databases gain it when opened
    "CREATE TABLE IF NOT EXISTS run_parents (run_id TEXT PRIMARY KEY,"
    " parent_id TEXT NOT NULL, step INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS run_parents_parent ON run_parents (parent_id, step)",
]


_TABLES = ("inbox", "snapshots", "schedules", "run_attrs", "updates", "run_parents")


def _current(cur: Any, meta: dict[str, str]) -> bool:
    """Whether the store is at this schema version with every table: then opening it
    runs no DDL (``ALTER TABLE`` locks ``runs`` against every worker, even when it
    has nothing to add)."""
    if int(meta.get("schema_version", "0")) < SCHEMA_VERSION:
        return False
    cur.execute("SELECT " + ", ".join(f"to_regclass('{t}')" for t in _TABLES))
    return None not in cur.fetchone()


def prepare(cur: Any) -> None:
    """Create or upgrade the schema through ``cur`` (inside a transaction), or refuse.

    Raises:
        StoreError: someone else's tables, another application's marker, or a
            newer schema.
    """
    cur.execute("SELECT pg_advisory_xact_lock(7078063)")  # serialise first-time set-up
    cur.execute("SELECT to_regclass('procalg_meta'), to_regclass('runs')")
    meta, runs = cur.fetchone()
    if meta is None and runs is not None:
        raise StoreError(
            "this database has a 'runs' table but no procalg marker",
            hint="it was left untouched; use an empty database for procalg",
        )
    if meta is None:
        for statement in _SCHEMA:
            cur.execute(statement)
    cur.execute("SELECT key, value FROM procalg_meta")
    found = dict(cur.fetchall())
    version = int(found.get("schema_version", "0"))
    if found.get("application") != APPLICATION:
        raise StoreError("the procalg_meta table names another application")
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"store schema {found['schema_version']} is newer than this procalg's",
            hint="upgrade procalg",
        )
    if not _current(cur, found):
        for statement in [*_INBOX, *_SNAPSHOTS, *_UPDATES, *_FAMILY]:  # idempotent
            cur.execute(statement)
        _upgrade_chains(cur)  # first: filling ``seq`` (KEEP_SEQ) writes the chain too
        cur.execute(CHAIN_INDEX)
        cur.execute(HEAD_INDEX)  # schema 7
        _upgrade_updates(cur)
        _upgrade_current(cur)
        cur.execute("UPDATE procalg_meta SET value = %s WHERE key = 'schema_version'",
                    (str(SCHEMA_VERSION),))


def _upgrade_updates(cur: Any) -> None:
    """Schema 4: each update key's ``seq`` and ``reply``; ``seq`` filled from the histories
    (one scan of the history rows, once), ``reply`` left to the first retry to keep."""
    if _has_column(cur, "updates", "seq"):
        return
    cur.execute("ALTER TABLE updates ADD COLUMN seq INTEGER, ADD COLUMN reply TEXT")
    cur.execute("SELECT run_id, seq, body FROM history WHERE body LIKE %s", (UPDATE_MARK,))
    found = recorded_updates(cur.fetchall())
    if found:
        cur.executemany(KEEP_SEQ.format(m="%s"), found)


def _upgrade_chains(cur: Any) -> None:
    """Schema 6: each run's continue-as-new chain on its row and on its update keys' rows,
    filled from the ``continued_from`` events of the histories (one scan, once)."""
    if _has_column(cur, "runs", "chain"):
        return
    cur.execute("ALTER TABLE runs ADD COLUMN chain TEXT NOT NULL DEFAULT ''")
    cur.execute("ALTER TABLE updates ADD COLUMN IF NOT EXISTS chain TEXT NOT NULL DEFAULT ''")
    cur.execute("SELECT run_id, seq, body FROM history WHERE body LIKE %s", (CHAIN_MARK,))
    found = recorded_chains(cur.fetchall())
    cur.execute("UPDATE runs SET chain = run_id")
    if found:
        cur.executemany("UPDATE runs SET chain = %s WHERE run_id = %s", found)
    cur.execute(FILL_KEYS)


def _has_column(cur: Any, table: str, column: str) -> bool:
    cur.execute("SELECT 1 FROM information_schema.columns WHERE table_name = %s"
                " AND column_name = %s AND table_schema = current_schema()", (table, column))
    return cur.fetchone() is not None


def _upgrade_current(cur: Any) -> None:
    """Schema 5: each run's current model on its row, filled from the ``run_migrated``
    events of its history (one scan of the history rows, once)."""
    if _has_column(cur, "runs", "current_hash"):
        return
    cur.execute("ALTER TABLE runs " + ", ".join(f"ADD COLUMN {c}" for c in CURRENT_COLUMNS))
    cur.execute("SELECT run_id, seq, body FROM history WHERE body LIKE %s", (MIGRATED_MARK,))
    found = recorded_migrations(cur.fetchall())
    if found:
        cur.executemany(SET_CURRENT.format(m="%s"), found)
