"""A run's current model on its row (schema 5): written with its migration, read on load."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from procalg.api import run as api
from procalg.api.model import loads
from procalg.errors import RunError
from procalg.runtime.history import EventFired, RunMigrated, RunStarted
from procalg.runtime.ports import EventLog, RunRecord, SeqConflict, Write
from procalg.runtime.status import RunStatus
from procalg.store.rows import SCHEMA_VERSION
from procalg.store.sqlite import SqliteLog
from procalg.terms.values import Event

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stores"
OLD_STORE = FIXTURES / "schema4_migrated.db"  # made by make_schema4.py at schema 4
V1 = "signal a, b, c, d\nP = a -> b -> SKIP\n"  # the texts make_schema4.py ran
V2 = "signal a, b, c, d\nP = a -> (b -> SKIP [] c -> SKIP)\n"
V3 = "signal a, b, c, d\nP = a -> (b -> SKIP [] c -> SKIP [] d -> SKIP)\n"


def _hash(text: str) -> str:
    return loads(text).content_hash


class CountingLog:
    """A real store, counting the history reads it answers (``history`` and ``tail``)."""

    def __init__(self, log: EventLog) -> None:
        self._log, self.reads = log, 0

    def history(self, run_id: str) -> list:
        self.reads += 1
        return self._log.history(run_id)

    def tail(self, run_id: str, seq: int) -> list:
        self.reads += 1
        return self._log.tail(run_id, seq)

    def __getattr__(self, name: str) -> object:
        return getattr(self._log, name)


def test_a_migration_records_the_new_model_on_the_run_row_in_every_store(log: EventLog) -> None:
    eng = api.engine(log)
    api.start(loads(V1, "v1.proc"), "P", store=eng, run_id="r")
    eng.signal("r", "a")
    assert log.get_run("r").current_model == (_hash(V1), V1)
    assert api.migrate(eng, "r", loads(V2, "v2.proc")) is True
    record = log.get_run("r")
    assert (record.current_hash, record.current_text) == (_hash(V2), V2)
    assert (record.model_hash, record.model_text) == (_hash(V1), V1)  # where it started
    assert api.migrate(eng, "r", loads(V3, "v3.proc")) is True
    assert log.get_run("r").current_model == (_hash(V3), V3)  # the last migration wins
    assert api.migrate(eng, "r", loads(V3, "v3.proc")) is False  # already on it
    eng.close()


def test_a_migration_write_that_collides_leaves_the_row_on_the_old_model(log: EventLog) -> None:
    log.create_run(RunRecord("r", "P", model_hash="h1", model_text="one"),
                   [RunStarted(time=0.0, process="P")])
    log.append("r", 1, [EventFired(time=1.0, label=Event("a"))])
    moved = RunMigrated(time=2.0, model_hash="h2", model_text="two")
    errors = log.write_many([Write("r", 1, (moved,))])  # step 1 is taken: nothing commits
    assert isinstance(errors[0], SeqConflict)
    assert log.get_run("r").current_model == ("h1", "one") and len(log.history("r")) == 2
    log.append("r", 2, [moved])
    assert log.get_run("r").current_model == ("h2", "two")


def test_loading_a_migrated_run_reads_its_row_not_its_history(tmp_path: Path) -> None:
    counted = CountingLog(SqliteLog(tmp_path / "runs.db"))
    eng = api.engine(counted)
    api.start(loads(V1, "v1.proc"), "P", store=eng, run_id="r")
    eng.signal("r", "a")
    api.migrate(eng, "r", loads(V2, "v2.proc"))
    eng.close()
    counted.reads = 0
    wf = api._rebuild(counted, counted.get_run("r"), None)
    assert counted.reads == 0 and wf.model_hash == _hash(V2)
    other = api.engine(counted)  # a fresh engine: one replay of the history, on V2
    other.signal("r", "c")  # only V2 offers c
    assert other.get("r").status is RunStatus.COMPLETED and counted.reads == 1
    other.close()


def test_a_schema_4_file_opens_at_schema_5_and_its_migrated_runs_resume_on_their_model(
        tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    shutil.copy(OLD_STORE, path)
    before = _rows(path)
    log = SqliteLog(path)
    found = {r.run_id: r.current_model for r in log.list_runs()}
    assert found == {"plain": (_hash(V1), V1), "moved": (_hash(V2), V2),
                     "twice": (_hash(V3), V3)}  # each from its last run_migrated event
    eng = api.engine(log)
    with pytest.raises(RunError, match="not waiting for c"):
        eng.signal("plain", "c")  # V1 offers no c
    eng.signal("moved", "c")  # V2's
    eng.signal("twice", "d")  # V3's
    assert [eng.get(r).status for r in ("moved", "twice")] == [RunStatus.COMPLETED] * 2
    eng.close()
    log.close()
    after = _rows(path)
    assert [r[:len(before[0])] for r in after] == before  # nothing a user stored changed
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
        str(SCHEMA_VERSION),)
    db.close()


def _rows(path: Path) -> list[tuple]:
    """The ``runs`` rows but their status, owner and lease (the signals change those)."""
    db = sqlite3.connect(path)
    rows = db.execute("SELECT run_id, process, args, model_hash, model_text, verdicts, created"
                      " FROM runs ORDER BY run_id").fetchall()
    db.close()
    return rows


def test_a_version_4_postgres_store_gains_the_current_model_from_its_histories(
        fresh_postgres: str) -> None:
    import psycopg

    from procalg.store import PostgresLog

    log = PostgresLog(fresh_postgres)
    eng = api.engine(log)
    api.start(loads(V1, "v1.proc"), "P", store=eng, run_id="r")
    eng.signal("r", "a")
    api.migrate(eng, "r", loads(V2, "v2.proc"))
    api.migrate(eng, "r", loads(V3, "v3.proc"))
    eng.close()
    log.close()
    with psycopg.connect(fresh_postgres, autocommit=True) as db:  # as schema 4 left it
        db.execute("ALTER TABLE runs DROP COLUMN current_hash, DROP COLUMN current_text")
        db.execute("UPDATE procalg_meta SET value = '4' WHERE key = 'schema_version'")
    log = PostgresLog(fresh_postgres)
    assert log.get_run("r").current_model == (_hash(V3), V3)
    eng = api.engine(log)
    eng.signal("r", "d")
    assert eng.get("r").status is RunStatus.COMPLETED
    eng.close()
    log.close()
    with psycopg.connect(fresh_postgres) as db:
        assert db.execute("SELECT value FROM procalg_meta WHERE key = 'schema_version'"
                          ).fetchone() == (str(SCHEMA_VERSION),)
