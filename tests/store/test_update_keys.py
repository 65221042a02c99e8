"""Update keys filed under their continue-as-new chain (schema 6, store/update_keys.py):
a key is found along a chain of any length by one store read, on SQLite, a real
PostgreSQL server and the in-memory log; a schema-5 file made by the previous procalg
(tests/fixtures/stores/make_schema5.py) and a schema-5 PostgreSQL store gain every
run's chain from their histories and answer their old keys."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from procalg.api import run as api
from procalg.api.model import loads
from procalg.runtime.history import UpdateReceived
from procalg.runtime.ports import EventLog
from procalg.runtime.status import RunStatus
from procalg.runtime.update_replies import chain_entry
from procalg.runtime.updates import UpdateRejected, update
from procalg.store.rows import SCHEMA_VERSION
from procalg.store.sqlite import SqliteLog
from procalg.terms.values import Event
from tests.store.conftest import assert_kept

OLD_STORE = Path(__file__).resolve().parents[1] / "fixtures" / "stores" / "schema5_chain.db"
ACCOUNT = """signal deposit : {0..9}
signal close
Account(b) = deposit?x -> Account((b + x) % 10) [] close -> SKIP
"""
CHAINS = {"acct": "acct", "acct~1": "acct", "acct~2": "acct", "solo": "solo",
          "solo~1": "solo", "x~1": "x~1"}
"""The fixture's runs and the chain each belongs to (``x~1`` is a chosen id)."""
KEYS = {("acct", "u1"): "acct", ("acct~1", "gone"): "acct", ("acct~1", "u2"): "acct",
        ("acct~2", "late"): "acct", ("solo", "u1"): "solo"}


class _Counting:
    """A real store, counting the requests it answers by method name."""

    def __init__(self, log: EventLog) -> None:
        self._log, self.calls = log, []

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._log, name)
        if not callable(found):
            return found

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return found(*args, **kwargs)

        return counted


def _updates(log: EventLog, run_id: str) -> list[str]:
    return [e.update_id for e in log.history(run_id) if type(e) is UpdateReceived]


def _chain(log: EventLog, length: int) -> tuple[Any, list]:
    """An engine on ``log`` whose run ``acct`` took update ``k<i>`` in its ``i``-th run
    (``acct``, ``acct~1``, ...), each continuing as new after it (three events): the
    engine and the replies."""
    eng = api.engine(log)
    eng.continue_after = 3
    api.start(loads(ACCOUNT, "account.proc"), "Account", 1, store=eng, run_id="acct")
    runs = ["acct"] + [f"acct~{i}" for i in range(1, length)]
    return eng, [update(eng, r, "deposit", 1 + i % 3, update_id=f"k{i}")
                 for i, r in enumerate(runs)]


def test_a_key_is_found_along_a_long_chain_in_one_store_read(log: EventLog) -> None:
    eng, (first, *_) = _chain(log, 9)
    newest = "acct~9"
    assert eng.log.get_run(newest).status is RunStatus.WAITING
    counting = _Counting(log)
    eng.log = counting  # type: ignore[assignment]
    assert chain_entry(eng, newest, "k0") == ("acct", first)  # nine runs back
    assert counting.calls == ["chain_entry"]  # the kept reply came with it
    counting.calls.clear()
    assert chain_entry(eng, newest, "never-sent") is None
    assert counting.calls == ["chain_entry"]
    eng.log = log  # type: ignore[assignment]
    assert update(eng, newest, "deposit", 1, update_id="k0") == first
    assert [r for r in [f"acct~{i}" for i in range(1, 10)] if "k0" in _updates(log, r)] == []
    eng.close()


def test_the_newest_run_of_a_chain_does_not_see_its_own_pending_key_as_an_earlier_ones(
        log: EventLog) -> None:
    eng, _ = _chain(log, 1)
    log.send_update("acct~1", UpdateReceived(time=1.0, event=Event("deposit", (2,)),
                                             update_id="waiting"))
    assert log.chain_entry("acct~1", "waiting") is None  # its own key: not an earlier run's
    assert log.chain_entry("acct~1", "k0")[:2] == ("acct", 1)
    eng.close()


def test_a_schema_5_file_files_every_run_and_key_under_its_chain_and_answers_old_keys(
        tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    shutil.copy(OLD_STORE, path)
    before = _rows(path)
    SqliteLog(path).close()  # the upgrade alone
    assert_kept(before, _rows(path))
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
        str(SCHEMA_VERSION),)
    assert dict(db.execute("SELECT run_id, chain FROM runs")) == CHAINS
    assert {(r, k): c for r, k, c in db.execute("SELECT run_id, update_id, chain FROM updates")
            } == KEYS
    db.close()
    log = SqliteLog(path)
    eng = api.engine(log)
    kept = update(eng, "acct~2", "deposit", 3, update_id="u1")  # two runs back: acct's
    assert (kept.seq, kept.position.branches[0].args) == (1, (4,))
    assert update(eng, "solo~1", "deposit", 2, update_id="u1").position.branches[0].args == (
        3,)  # the same key in another chain: that chain's reply
    with pytest.raises(UpdateRejected, match="update gone was withdrawn before run acct~1"):
        update(eng, "acct~2", "deposit", 7, update_id="gone")
    late = update(eng, "acct~2", "deposit", 5, update_id="late")  # pending since schema 5
    assert _updates(log, "acct~2") == ["late"] and late.position.branches[0].args == (3,)
    assert log.chain_entry("acct~2", "late") is None  # acct~2 has not continued
    assert [_updates(log, r) for r in ("acct", "acct~1", "solo", "solo~1")] == [
        ["u1"], ["u2"], ["u1"], []]  # no old key applied again
    eng.close()
    log.close()


def _rows(path: Path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(path)
    out = {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
           for t in ("runs", "history", "updates", "inbox")}
    out["runs"] = sorted(db.execute("SELECT run_id, process, args, model_hash, model_text,"
                                    " verdicts, created FROM runs").fetchall())
    db.close()
    return out


def test_a_schema_5_postgres_store_gains_each_runs_chain_from_its_histories(
        fresh_postgres: str) -> None:
    import psycopg

    from procalg.store import store_from_url

    log = store_from_url(fresh_postgres)
    eng, (first, _) = _chain(log, 2)
    eng.close()
    log.close()
    with psycopg.connect(fresh_postgres, autocommit=True) as db:  # as schema 5 left it
        db.execute("DROP INDEX updates_chain")
        db.execute("ALTER TABLE updates DROP COLUMN chain")
        db.execute("ALTER TABLE runs DROP COLUMN chain")
        db.execute("UPDATE procalg_meta SET value = '5' WHERE key = 'schema_version'")
    log = store_from_url(fresh_postgres)
    with psycopg.connect(fresh_postgres) as db:
        assert dict(db.execute("SELECT run_id, chain FROM runs").fetchall()) == {
            "acct": "acct", "acct~1": "acct", "acct~2": "acct"}
        assert db.execute("SELECT value FROM procalg_meta WHERE key = 'schema_version'"
                          ).fetchone() == (str(SCHEMA_VERSION),)
    eng = api.engine(log)
    assert update(eng, "acct~2", "deposit", 1, update_id="k0") == first
    assert _updates(log, "acct~2") == []
    eng.close()
    log.close()
