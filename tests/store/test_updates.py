"""The update half of the EventLog contract (send_update, withdraw, update_entry,
keep_reply), on SQLite, a real PostgreSQL server and the in-memory log; and older stores
gaining the table (version 2) and each key's position and reply (version 3)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from procalg.api import run as api
from procalg.api.model import loads
from procalg.runtime.history import EventFired, RunStarted, SignalReceived, UpdateReceived
from procalg.runtime.ports import EventLog, RunRecord, Write
from procalg.runtime.update_replies import decode_reply, encode_reply
from procalg.runtime.updates import update
from procalg.store.rows import SCHEMA_VERSION
from procalg.store.sqlite import SqliteLog
from procalg.terms.values import Event
from tests.store.conftest import assert_kept

OLD_STORE = Path(__file__).resolve().parents[1] / "fixtures" / "stores" / "schema3_updates.db"
"""Written by procalg at schema 3 (main before this branch): run ``acct`` of
:data:`ACCOUNT` took update ``u-old`` (deposit.3, at seq 1) and signal deposit.4, and
holds update ``u-pending`` (deposit.5) in its inbox."""
ACCOUNT = """signal deposit : {0..9}
signal close
Account(b) = deposit?x -> Account((b + x) % 10) [] close -> SKIP
"""

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


def test_a_recorded_update_is_found_by_its_key_with_the_reply_kept_once(log: EventLog) -> None:
    _start(log)
    assert log.update_entry("r1", "k") is None  # never sent
    ident, _ = log.send_update("r1", _update("k"))
    assert log.update_entry("r1", "k") == (None, None)  # sent, not recorded yet
    log.keep_reply("r1", "k", "early")  # nothing to keep a reply for yet
    assert log.write_many([Write("r1", 1, (_update("k"), EventFired(time=1.0, label=DEPOSIT)),
                                 consumed=(ident,))]) == [None]
    assert log.update_entry("r1", "k") == (1, None)  # written with the history row
    log.keep_reply("r1", "k", "first")
    log.keep_reply("r1", "k", "second")  # every caller computes the same: the first stays
    assert log.update_entry("r1", "k") == (1, "first")


def test_an_update_whose_write_collides_leaves_no_position_for_its_key(log: EventLog) -> None:
    _start(log)
    ident, _ = log.send_update("r1", _update("k"))
    log.append("r1", 1, [EventFired(time=1.0, label=DEPOSIT)])
    errors = log.write_many([Write("r1", 1, (_update("k"),), consumed=(ident,))])
    assert errors[0] is not None and log.update_entry("r1", "k") == (None, None)


def test_a_retried_update_is_answered_from_its_key_without_reading_the_history(
        log: EventLog, monkeypatch: pytest.MonkeyPatch) -> None:
    eng = api.engine(log)
    api.start(loads(ACCOUNT, "account.proc"), "Account", 1, store=eng, run_id="acct")
    reply = update(eng, "acct", "deposit", 3, update_id="u1")
    eng.send("acct", "deposit", 4)
    assert decode_reply(log.update_entry("acct", "u1")[1]) == reply

    def refuse(*args: object) -> None:
        raise AssertionError("a retried update read the history")

    monkeypatch.setattr(log, "history", refuse)
    monkeypatch.setattr(log, "tail", refuse)
    assert update(eng, "acct", "deposit", 3, update_id="u1") == reply  # accepted again
    assert update(eng, "acct", "deposit", 12, update_id="u1") == reply  # refused now: still
    eng.close()


def test_a_reply_not_kept_is_computed_from_the_history_and_then_kept(log: EventLog) -> None:
    eng = api.engine(log)
    api.start(loads(ACCOUNT, "account.proc"), "Account", 1, store=eng, run_id="acct")
    reply = update(eng, "acct", "deposit", 3, update_id="u1")
    for n in range(5):
        eng.send("acct", "deposit", n)
    fresh = api.engine(_without_kept_replies(log))
    assert update(fresh, "acct", "deposit", 3, update_id="u1") == reply
    assert decode_reply(log.update_entry("acct", "u1")[1]) == reply
    assert len(log.history("acct")) == 13  # the retry applied nothing
    eng.close()


def _without_kept_replies(log: EventLog) -> EventLog:
    """``log`` with its kept replies forgotten (as after a crash before the first reply)."""
    if isinstance(log, SqliteLog):
        log._db.execute("UPDATE updates SET reply = NULL")
    elif hasattr(log, "_replies"):
        log._replies = {k: (seq, None) for k, (seq, _) in log._replies.items()}  # type: ignore
    else:
        log._run("UPDATE updates SET reply = NULL")  # type: ignore[attr-defined]
    return log


def test_a_schema_3_file_keeps_everything_and_answers_its_old_update_by_key(
        tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    shutil.copy(OLD_STORE, path)
    before = _rows(path)
    log = SqliteLog(path)
    assert log.update_entry("acct", "u-old") == (1, None)  # found in the history on upgrade
    assert log.update_entry("acct", "u-pending") == (None, None)  # still in the inbox
    eng = api.engine(log)
    reply = update(eng, "acct", "deposit", 3, update_id="u-old")
    assert (reply.seq, reply.event, reply.position.branches[0].args) == (1, "deposit.3", (4,))
    assert log.update_entry("acct", "u-old")[1] == encode_reply(reply)
    eng.close()
    log.close()
    after = _rows(path)
    assert_kept(before, after)
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
        str(SCHEMA_VERSION),)


def _rows(path: Path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(path)
    tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                       " AND name NOT IN ('meta', 'updates')")]
    out = {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
    out["updates"] = sorted(db.execute("SELECT run_id, update_id, inbox_id FROM updates"))
    db.close()
    return out


def test_a_schema_3_postgres_store_gains_each_updates_position_when_opened(
        fresh_postgres: str) -> None:
    import psycopg

    from procalg.store import store_from_url

    log = store_from_url(fresh_postgres)
    eng = api.engine(log)
    api.start(loads(ACCOUNT, "account.proc"), "Account", 1, store=eng, run_id="acct")
    reply = update(eng, "acct", "deposit", 3, update_id="u-old")
    eng.close()
    log.close()
    with psycopg.connect(fresh_postgres, autocommit=True) as db:  # as schema 3 left it
        db.execute("ALTER TABLE updates DROP COLUMN seq, DROP COLUMN reply")
        db.execute("UPDATE procalg_meta SET value = '3' WHERE key = 'schema_version'")
    log = store_from_url(fresh_postgres)
    assert log.update_entry("acct", "u-old") == (1, None)
    eng = api.engine(log)
    assert update(eng, "acct", "deposit", 3, update_id="u-old") == reply
    assert len(log.history("acct")) == 3
    eng.close()
    log.close()


def test_a_reply_naming_a_function_value_is_answered_though_it_cannot_be_kept(
        log: EventLog) -> None:
    text = """signal go : {0..2}
add(k) = \\ y @ (y + k) % 3
Loop(f, n) = go?x -> Loop(f, f(n + x))
P = Loop(add(1), 0)
"""
    eng = api.engine(log)
    api.start(loads(text, "fn.proc"), "P", store=eng, run_id="f")
    reply = update(eng, "f", "go", 2, update_id="u1")
    assert reply.position.branches[0].args[1] == 0  # (0 + 2 + 1) % 3
    assert log.update_entry("f", "u1") == (1, None)  # the position holds add(1): not kept
    assert update(eng, "f", "go", 2, update_id="u1") == reply  # computed again, the same
    eng.close()
