"""Opening an SQLite run store: what a file must be, the schema, and upgrades.

A file is only ever initialised if it does not exist or is empty. Before
opening, the 16-byte SQLite header is checked, then ``PRAGMA application_id``
and the ``meta`` table's marker; a file that is not SQLite, another
application's database, a newer schema or a damaged file is refused with
:class:`~procalg.errors.StoreError` and left untouched (the WAL pragma, which
writes, is issued only after the checks pass). An existing store passes
``PRAGMA quick_check`` before anything is written to it; a store at the
current schema is opened with reads only (no write lock: a reader must not
wait on a streaming writer). Kept apart from :mod:`procalg.store.sqlite`
(the log's operations) so each module is one concept.

Example:
    >>> import tempfile, os
    >>> path = Path(tempfile.mkdtemp()) / "x.db"
    >>> path.write_text("hello")
    5
    >>> try:
    ...     open_store(path, 1.0, create=True)
    ... except StoreError as err:
    ...     print(str(err).splitlines()[0].split(": ", 2)[-1].replace(str(path), "x.db"))
    x.db is not a procalg run store: the file is not an SQLite database
    >>> path.read_text()  # untouched
    'hello'
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from procalg.errors import StoreError
from procalg.store.rows import (
    APPLICATION,
    APPLICATION_ID,
    CURRENT_COLUMNS,
    MIGRATED_MARK,
    SCHEMA_VERSION,
    SET_CURRENT,
    recorded_migrations,
)
from procalg.store.update_keys import (
    CHAIN_INDEX,
    CHAIN_MARK,
    FILL_KEYS,
    HEAD_INDEX,
    KEEP_SEQ,
    UPDATE_MARK,
    recorded_chains,
    recorded_updates,
)

_HEADER = b"SQLite format 3\x00"
NOW = "((julianday('now') - 2440587.5) * 86400.0)"
"""The database's clock in epoch seconds: every lease is judged by it, never a worker's."""
_INBOX = (
    "CREATE TABLE IF NOT EXISTS inbox (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " run_id TEXT NOT NULL, body TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS inbox_run ON inbox (run_id, id)",
)
_SNAPSHOTS = (  # schema 3; idempotent, run on every open (a version-3 store may lack it)
    "CREATE TABLE IF NOT EXISTS snapshots (run_id TEXT PRIMARY KEY, seq INTEGER NOT NULL,"
    " body TEXT NOT NULL)",
)
_V3 = (  # schedules and search attributes; an older store gains them when opened
    "CREATE TABLE IF NOT EXISTS schedules (name TEXT PRIMARY KEY, body TEXT NOT NULL,"
    " next_due REAL NOT NULL, paused INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS run_attrs (run_id TEXT NOT NULL, key TEXT NOT NULL,"
    " value TEXT NOT NULL, PRIMARY KEY (run_id, key)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS run_attrs_key ON run_attrs (key, value)",
)
_UPDATES = (  # schema 3: an update's idempotency key, unique per run; 4: seq and reply;
    # 6: its run's chain (created with the column on a store older than 3)
    "CREATE TABLE IF NOT EXISTS updates (run_id TEXT NOT NULL, update_id TEXT NOT NULL,"
    " inbox_id INTEGER NOT NULL, seq INTEGER, reply TEXT, chain TEXT NOT NULL DEFAULT '',"
    " PRIMARY KEY (run_id, update_id)) WITHOUT ROWID",
)
_FAMILY = (  # schema 3: child runs (runtime/children.py)
    "CREATE TABLE IF NOT EXISTS run_parents (run_id TEXT PRIMARY KEY,"
    " parent_id TEXT NOT NULL, step INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS run_parents_parent ON run_parents (parent_id, step)",
)
_SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('application', '{APPLICATION}'), ('schema_version', '{SCHEMA_VERSION}');
CREATE TABLE runs (
    run_id TEXT PRIMARY KEY, process TEXT NOT NULL, args TEXT NOT NULL,
    model_hash TEXT NOT NULL, model_text TEXT NOT NULL, verdicts TEXT NOT NULL,
    status TEXT NOT NULL, created REAL NOT NULL, owner TEXT NOT NULL, lease_until REAL NOT NULL,
    wake_at REAL NOT NULL DEFAULT 0, {", ".join(CURRENT_COLUMNS)},
    chain TEXT NOT NULL DEFAULT '');
CREATE INDEX runs_status ON runs (status);
CREATE TABLE history (
    run_id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)) WITHOUT ROWID;
""" + "".join(s + ";" for s in (*_INBOX, *_SNAPSHOTS, *_V3, *_UPDATES, *_FAMILY, CHAIN_INDEX,
                                         HEAD_INDEX))


def refuse(path: Path, why: str) -> StoreError:
    return StoreError(
        f"{path} is not a procalg run store: {why}",
        hint="it was left untouched; pass --db with a new file name or a procalg store",
    )


def _check_header(path: Path, create: bool) -> bool:
    """True if ``path`` must be created; raise if it exists and is not SQLite."""
    if path.is_dir():
        raise refuse(path, "it is a directory")
    if not path.exists() or path.stat().st_size == 0:
        if not create:
            raise StoreError(f"there is no run store at {path}",
                             hint="check the path (--db); `procalg run` creates a store")
        return True
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError as err:
        raise refuse(path, f"it cannot be read ({err.strerror})") from err
    if head != _HEADER:
        raise refuse(path, "the file is not an SQLite database")
    return False

def _initialise(db: sqlite3.Connection) -> None:
    db.execute("BEGIN IMMEDIATE")
    tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if tables:  # someone else created it in between: verify, do not touch
        db.execute("ROLLBACK")
        return
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for statement in filter(str.strip, _SCHEMA.split(";")):
        db.execute(statement)
    db.execute("COMMIT")

def _verify(db: sqlite3.Connection, path: Path) -> None:
    app = db.execute("PRAGMA application_id").fetchone()[0]
    if app != APPLICATION_ID:
        raise refuse(path, f"application_id is {app:#x}, not procalg's")
    try:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.OperationalError as err:
        raise refuse(path, "it has no procalg meta table") from err
    if meta.get("application") != APPLICATION:
        raise refuse(path, "the meta table names another application")
    version = int(meta.get("schema_version", "0"))
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} has schema version {version}; this procalg reads "
            f"up to {SCHEMA_VERSION}",
            hint="upgrade procalg to open this store",
        )

def _upgrade(db: sqlite3.Connection) -> None:
    """Bring an older store to this version (it gains the signal inbox, the snapshots,
    schedules, search attributes, update replies and each run's current model)."""
    if _current(db):  # nothing to add: no write lock (a reader must not wait on writers)
        return
    db.execute("BEGIN IMMEDIATE")
    (version,) = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if int(version) < SCHEMA_VERSION:
        for statement in _INBOX:
            db.execute(statement)
        if "wake_at" not in {row[1] for row in db.execute("PRAGMA table_info(runs)")}:
            db.execute("ALTER TABLE runs ADD COLUMN wake_at REAL NOT NULL DEFAULT 0")
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                   (str(SCHEMA_VERSION),))
    for statement in (*_SNAPSHOTS, *_V3, *_UPDATES, *_FAMILY):  # idempotent: v3 may lack some
        db.execute(statement)
    _upgrade_chains(db)  # first: filling ``seq`` (KEEP_SEQ) writes the chain too
    db.execute(CHAIN_INDEX)
    db.execute(HEAD_INDEX)  # schema 7
    _upgrade_updates(db)
    _upgrade_current(db)
    db.execute("COMMIT")

def _upgrade_updates(db: sqlite3.Connection) -> None:
    """Schema 4: each update key's ``seq`` and ``reply``; ``seq`` filled from the histories
    (one scan of the history rows, once), ``reply`` left to the first retry to keep."""
    if "seq" in {row[1] for row in db.execute("PRAGMA table_info(updates)")}:
        return
    db.execute("ALTER TABLE updates ADD COLUMN seq INTEGER")
    db.execute("ALTER TABLE updates ADD COLUMN reply TEXT")
    rows = db.execute("SELECT run_id, seq, body FROM history WHERE body LIKE ?",
                      (UPDATE_MARK,)).fetchall()
    db.executemany(KEEP_SEQ.format(m="?"), recorded_updates(rows))

def _upgrade_chains(db: sqlite3.Connection) -> None:
    """Schema 6: each run's continue-as-new chain on its row and on its update keys' rows,
    filled from the ``continued_from`` events of the histories (one scan, once)."""
    if "chain" in {row[1] for row in db.execute("PRAGMA table_info(runs)")}:
        return
    db.execute("ALTER TABLE runs ADD COLUMN chain TEXT NOT NULL DEFAULT ''")
    if "chain" not in {row[1] for row in db.execute("PRAGMA table_info(updates)")}:
        db.execute("ALTER TABLE updates ADD COLUMN chain TEXT NOT NULL DEFAULT ''")
    rows = db.execute("SELECT run_id, seq, body FROM history WHERE body LIKE ?",
                      (CHAIN_MARK,)).fetchall()
    db.execute("UPDATE runs SET chain = run_id")
    db.executemany("UPDATE runs SET chain = ? WHERE run_id = ?", recorded_chains(rows))
    db.execute(FILL_KEYS)

def _upgrade_current(db: sqlite3.Connection) -> None:
    """Schema 5: each run's current model on its row, filled from the ``run_migrated``
    events of its history (one scan of the history rows, once)."""
    if "current_hash" in {row[1] for row in db.execute("PRAGMA table_info(runs)")}:
        return
    for column in CURRENT_COLUMNS:
        db.execute(f"ALTER TABLE runs ADD COLUMN {column}")
    rows = db.execute("SELECT run_id, seq, body FROM history WHERE body LIKE ?",
                      (MIGRATED_MARK,)).fetchall()
    db.executemany(SET_CURRENT.format(m="?"), recorded_migrations(rows))

def _current(db: sqlite3.Connection) -> bool:
    """Whether the store is at this schema version with every table (reads only)."""
    (version,) = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    tables = {name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    wanted = {"inbox", "snapshots", "schedules", "run_attrs", "updates", "run_parents"}
    return int(version) >= SCHEMA_VERSION and wanted <= tables

def _check_pages(db: sqlite3.Connection, path: Path) -> None:
    # O(file size), about 10 ms per MB: writing into a damaged b-tree spreads the damage
    found = [r for (r,) in db.execute("PRAGMA quick_check(5)").fetchall()]
    if found != ["ok"]:
        raise refuse(path, "the file is damaged (PRAGMA quick_check: "
                      f"{'; '.join(found)[:200]})")


def open_store(path: Path, timeout: float, create: bool) -> sqlite3.Connection:
    """Open (or create) the store at ``path``: checks first, writes only after they pass.

    Raises:
        StoreError: a missing store when not ``create``; a foreign, damaged or
            newer-schema file (left untouched).
    """
    fresh = _check_header(path, create)
    try:
        db = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
        if fresh:
            _initialise(db)
        _verify(db, path)
        if not fresh:
            _check_pages(db, path)
            _upgrade(db)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
    except sqlite3.DatabaseError as err:
        raise refuse(path, f"damaged or unreadable ({err})") from err
    return db
