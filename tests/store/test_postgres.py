"""The PostgreSQL store: foreign databases refused, leases shared by workers."""

from __future__ import annotations

import threading

import psycopg
import pytest

from procalg.errors import StoreError
from procalg.runtime.history import RunStarted
from procalg.runtime.ports import RunRecord
from procalg.store import store_from_url
from procalg.store.postgres import PostgresLog


def test_a_database_with_someone_elses_runs_table_is_refused_untouched(
    fresh_postgres: str,
) -> None:
    with psycopg.connect(fresh_postgres, autocommit=True) as db:
        db.execute("CREATE TABLE runs (x INTEGER)")
        db.execute("INSERT INTO runs VALUES (42)")
    with pytest.raises(StoreError, match="no procalg marker"):
        PostgresLog(fresh_postgres)
    with psycopg.connect(fresh_postgres) as db:
        assert db.execute("SELECT x FROM runs").fetchall() == [(42,)]
        assert db.execute("SELECT to_regclass('procalg_meta')").fetchone() == (None,)


def test_an_unreachable_server_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot connect"):
        store_from_url("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_workers_on_separate_connections_split_the_runs_without_overlap(
    fresh_postgres: str,
) -> None:
    setup = PostgresLog(fresh_postgres)
    for i in range(40):
        setup.create_run(RunRecord(f"r{i:02}", "P", created=float(i)),
                         [RunStarted(time=0.0, process="P")])
    taken: dict[str, list[str]] = {}

    def worker(name: str) -> None:
        log = PostgresLog(fresh_postgres)
        mine = taken.setdefault(name, [])
        while batch := log.claim_next(name, lease=60.0, limit=3):
            mine.extend(batch)
        log.close()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = [r for runs in taken.values() for r in runs]
    assert sorted(everything) == [f"r{i:02}" for i in range(40)]  # each exactly once
    owners = {r.run_id: r.owner for r in setup.list_runs()}
    assert all(owners[r] == w for w, runs in taken.items() for r in runs)
