"""The update half of the EventLog contract (send_update, withdraw), on SQLite, a real
PostgreSQL server and the in-memory log; and a version-2 SQLite store gaining the table."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from procalg.runtime.history import EventFired, RunStarted, SignalReceived, UpdateReceived
from procalg.runtime.ports import EventLog, RunRecord, Write
from procalg.store.rows import SCHEMA_VERSION
from procalg.store.sqlite import SqliteLog
from procalg.terms.values import Event

DEPOSIT = Event("deposit", (3,))


def _start(log: EventLog) -> None:
    log.create_run(RunRecord("r1", "P"), [RunStarted(time=0.0, process="P")])


def _update(key: str) -> UpdateReceived:
    return UpdateReceived(time=1.0, event=DEPOSIT, update_id=key)


def test_an_update_is_buffered_once_per_key(log: EventLog) -> None:
    _start(log)
    ident, fresh = log.send_update("r1", _update("k"))
    again, fresh_again = log.send_update("r1", _update("k"))
    other, _ = log.send_update("r1", _update("k2"))
    assert (fresh, fresh_again, again) == (True, False, ident)
    assert [(i, s) for i, s in log.pending("r1")] == [(ident, _update("k")), (other, _update("k2"))]


def test_a_buffered_update_reads_back_as_an_update_with_its_key(log: EventLog) -> None:
    _start(log)
    log.send_update("r1", _update("k"))
    (_, sent), = log.pending("r1")
    assert type(sent) is UpdateReceived and sent.update_id == "k"


def test_a_withdrawn_update_can_no_longer_be_consumed(log: EventLog) -> None:
    _start(log)
    ident, _ = log.send_update("r1", _update("k"))
    assert log.withdraw("r1", ident) is True
    errors = log.write_many([Write("r1", 1, (_update("k"), EventFired(time=1.0, label=DEPOSIT)),
                                   consumed=(ident,))])
    assert errors[0] is not None  # consuming what was withdrawn writes nothing
    assert len(log.history("r1")) == 1
    assert log.send_update("r1", _update("k")) == (ident, False)  # the key stays spent


def test_a_consumed_update_can_no_longer_be_withdrawn(log: EventLog) -> None:
    _start(log)
    ident, _ = log.send_update("r1", _update("k"))
    assert log.write_many([Write("r1", 1, (_update("k"),), consumed=(ident,))]) == [None]
    assert log.withdraw("r1", ident) is False
    assert log.pending("r1") == []


def test_plain_signals_are_withdrawn_the_same_way(log: EventLog) -> None:
    _start(log)
    ident = log.send("r1", SignalReceived(time=1.0, event=DEPOSIT))
    assert log.withdraw("r1", ident) and not log.withdraw("r1", ident)


def test_a_version_2_store_gains_the_updates_table_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    log = SqliteLog(path)
    _start(log)
    log.close()
    db = sqlite3.connect(path)
    db.execute("DROP TABLE updates")
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    log = SqliteLog(path)
    assert log.send_update("r1", _update("k"))[1] is True
    assert log._db.execute("SELECT value FROM meta WHERE key = 'schema_version'"
                           ).fetchone()[0] == str(SCHEMA_VERSION)
    log.close()


def test_a_version_2_postgres_store_gains_the_updates_table_when_opened(
        fresh_postgres: str) -> None:
    import psycopg

    from procalg.store import store_from_url

    log = store_from_url(fresh_postgres)
    _start(log)
    log.close()
    with psycopg.connect(fresh_postgres, autocommit=True) as db:
        db.execute("DROP TABLE updates")
        db.execute("UPDATE procalg_meta SET value = '2' WHERE key = 'schema_version'")
    log = store_from_url(fresh_postgres)
    assert log.send_update("r1", _update("k"))[1] is True
    log.close()
    with psycopg.connect(fresh_postgres, autocommit=True) as db:
        (version,), = db.execute("SELECT value FROM procalg_meta"
                                 " WHERE key = 'schema_version'").fetchall()
    assert version == str(SCHEMA_VERSION)
