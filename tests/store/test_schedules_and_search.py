"""Schema 3 of the EventLog contract (schedules, search attributes), on every store."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from procalg.errors import StoreError
from procalg.runtime.history import RunStarted
from procalg.runtime.ports import EventLog, RunRecord
from procalg.runtime.schedule import Schedule, fire_due
from procalg.store import SqliteLog


def _start(log: EventLog, run_id: str, created: float, status: str = "running",
           model_hash: str = "abc123", **attrs: str) -> None:
    log.create_run(RunRecord(run_id, "Order", (), model_hash, "P = SKIP", created=created,
                             status=status, attrs=attrs),
                   [RunStarted(time=created, process="Order")])


def test_runs_are_found_by_status_time_attribute_and_model(log: EventLog) -> None:
    _start(log, "a", 1.0, tenant="acme", model="shop.proc")
    _start(log, "b", 2.0, status="waiting", tenant="acme", region="eu")
    _start(log, "c", 3.0, model_hash="ffee00", tenant="zeta")
    ids = lambda **kw: [r.run_id for r in log.search_runs(**kw)]  # noqa: E731
    assert ids() == ["a", "b", "c"]
    assert ids(statuses=("waiting",)) == ["b"]
    assert ids(since=2.0) == ["b", "c"]
    assert ids(attrs={"tenant": "acme"}) == ["a", "b"]
    assert ids(attrs={"tenant": "acme", "region": "eu"}) == ["b"]
    assert ids(attrs={"tenant": "nobody"}) == []
    assert ids(model="shop.proc") == ["a"]
    assert ids(model="ffee") == ["c"]
    assert log.attributes("b") == {"tenant": "acme", "region": "eu"}
    assert log.attributes("unknown") == {}


def test_a_refused_run_leaves_no_attributes(log: EventLog) -> None:
    _start(log, "a", 1.0, tenant="acme")
    with pytest.raises(StoreError, match="already exists"):
        _start(log, "a", 1.0, tenant="other")
    assert log.attributes("a") == {"tenant": "acme"}


def test_a_schedule_reads_back_and_its_name_is_unique(log: EventLog) -> None:
    s = Schedule("nightly", "Report", (3,), "h", "Report(n) = SKIP", "r.proc", {"a": "pass"},
                 cron="0 2 * * *", next_due=7200.0, attrs={"team": "ops"})
    log.put_schedule(s)
    assert log.schedules() == [s]
    with pytest.raises(StoreError, match="already exists"):
        log.put_schedule(s)


def test_updating_a_schedule_by_compare_and_set_succeeds_once(log: EventLog) -> None:
    log.put_schedule(Schedule("s", "P", every=60.0, next_due=60.0))
    assert log.update_schedule("s", next_due=120.0, expect_due=60.0)
    assert not log.update_schedule("s", next_due=180.0, expect_due=60.0)
    assert log.update_schedule("s", paused=True)
    assert (log.schedules()[0].next_due, log.schedules()[0].paused) == (120.0, True)
    assert not log.update_schedule("missing", paused=True)
    assert log.delete_schedule("s") and not log.delete_schedule("s")
    assert log.schedules() == []


def test_threads_firing_one_schedule_together_start_one_run_per_due_time(
        log: EventLog) -> None:
    log.put_schedule(Schedule("tick", "P", model_text="P = SKIP", every=10.0, next_due=10.0,
                              catch_up="all"))
    made: list[list[tuple[str, str]]] = []
    barrier = threading.Barrier(4)

    def fire() -> None:
        barrier.wait()
        made.append(fire_due(log, now=35.0))

    threads = [threading.Thread(target=fire) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    started = sorted(run for batch in made for _, run in batch)
    assert started == ["tick-19700101T000010Z", "tick-19700101T000020Z",
                       "tick-19700101T000030Z"]
    assert [r.run_id for r in log.search_runs(attrs={"schedule": "tick"})] == started
    assert log.schedules()[0].next_due == 40.0


def test_a_version_2_sqlite_store_gains_the_schema_3_tables(tmp_path) -> None:
    path = tmp_path / "old.db"
    SqliteLog(path).close()
    db = sqlite3.connect(path)
    db.execute("DROP TABLE schedules")
    db.execute("DROP TABLE run_attrs")
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    log = SqliteLog(path)
    log.put_schedule(Schedule("s", "P", every=1.0))
    _start(log, "a", 1.0, tenant="acme")
    assert [s.name for s in log.schedules()] == ["s"]
    assert log.attributes("a") == {"tenant": "acme"}
    log.close()


def test_a_version_2_postgres_store_gains_the_schema_3_tables(fresh_postgres: str) -> None:
    import psycopg

    from procalg.store import PostgresLog

    PostgresLog(fresh_postgres).close()
    with psycopg.connect(fresh_postgres, autocommit=True) as db:
        db.execute("DROP TABLE schedules")
        db.execute("DROP TABLE run_attrs")
        db.execute("UPDATE procalg_meta SET value = '2' WHERE key = 'schema_version'")
    log = PostgresLog(fresh_postgres)
    log.put_schedule(Schedule("s", "P", every=1.0))
    _start(log, "a", 1.0, tenant="acme")
    assert [s.name for s in log.schedules()] == ["s"]
    assert log.attributes("a") == {"tenant": "acme"}
    log.close()
