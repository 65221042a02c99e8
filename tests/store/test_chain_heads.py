"""The newest run of a continue-as-new chain and the run holding an inbox entry are
found in one store read however long the chain (schema 7, ``EventLog.chain_head`` and
``inbox_holder``), on SQLite, a real PostgreSQL server and the in-memory log: the same
answers as walking the chain run by run (the reference, below, as s26-base walked it)
on random chains with lost and collided continue-as-new writes; a schema-6 file made
by the previous procalg (tests/fixtures/stores/make_schema6.py) gains the index and
answers at once."""

from __future__ import annotations

import itertools
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procalg.runtime.continuation import latest, next_id
from procalg.runtime.history import (
    ContinuedFrom,
    RunCompleted,
    RunContinued,
    RunFailed,
    RunStarted,
    SignalReceived,
)
from procalg.runtime.inbox import holder
from procalg.runtime.ports import EventLog, RunRecord, SeqConflict, Write
from procalg.runtime.status import RunStatus
from procalg.store.rows import SCHEMA_VERSION
from procalg.store.sqlite import SqliteLog
from procalg.terms.values import Event
from tests.store.conftest import assert_kept
from tests.store.test_update_keys import _Counting

OLD_STORE = Path(__file__).resolve().parents[1] / "fixtures" / "stores" / "schema6_chain.db"
GO = SignalReceived(time=0.0, event=Event("go"))
_ROOTS = itertools.count()


def walked_latest(log: EventLog, run_id: str) -> str:
    """The reference: follow each run's ``RunContinued`` (s26-base's ``latest``)."""
    while log.get_run(run_id).status is RunStatus.CONTINUED:
        last = log.tail(run_id, log.length(run_id) - 1)
        if not last or not isinstance(last[-1], RunContinued):
            break
        run_id = last[-1].next_run
    return run_id


def walked_holder(log: EventLog, run_id: str, ident: int) -> tuple[str, bool]:
    """The reference: each run's inbox, then its status (s26-base's ``holder``)."""
    while True:
        if any(i == ident for i, _ in log.pending(run_id)):
            return run_id, True
        if log.get_run(run_id).status is not RunStatus.CONTINUED:
            return run_id, False
        run_id = next_id(run_id)


def _start(log: EventLog, run_id: str, before: str | None = None) -> list[Any]:
    """Write ``run_id``'s first events (continuing ``before`` if given): the write's errors."""
    first = (RunStarted(time=0.0, process="P"),
             *([ContinuedFrom(time=0.0, previous_run=before)] if before else []))
    return log.write_many([Write(run_id, 0, first, "waiting", record=RunRecord(run_id, "P"))])


def _continue(log: EventLog, run_id: str, seq: int | None = None) -> list[Any]:
    """Continue ``run_id`` as new as runtime/continuation.py writes it (at ``seq``: a stale
    writer's view, if given): the two writes' errors."""
    new = next_id(run_id)
    first = (RunStarted(time=0.0, process="P"), ContinuedFrom(time=0.0, previous_run=run_id))
    at = log.length(run_id) if seq is None else seq
    return log.write_many([
        Write(run_id, at, (RunContinued(time=0.0, next_run=new),), "continued", carry=new),
        Write(new, 0, first, "waiting", record=RunRecord(new, "P"))])


def _chain(log: EventLog, root: str, length: int) -> str:
    assert _start(log, root) == [None]
    run_id = root
    for _ in range(length - 1):
        assert _continue(log, run_id) == [None, None]
        run_id = next_id(run_id)
    return run_id


def test_the_newest_run_of_a_long_chain_is_found_in_one_store_read(log: EventLog) -> None:
    newest = _chain(log, "acct", 12)
    counting = _Counting(log)
    for run_id in ["acct", *(f"acct~{i}" for i in range(1, 12))]:
        counting.calls.clear()
        assert latest(counting, run_id) == newest == walked_latest(log, run_id)
        assert counting.calls == ["chain_head"]


def test_an_inbox_entry_is_found_along_a_long_chain_in_one_store_read(log: EventLog) -> None:
    _chain(log, "acct", 3)
    ident = log.send("acct~2", GO)
    assert _continue(log, "acct~2") == [None, None]  # carried to acct~3
    counting = _Counting(log)
    assert holder(counting, "acct~2", ident) == ("acct~3", True) == walked_holder(
        log, "acct~2", ident)
    assert counting.calls == ["inbox_holder"]
    assert log.withdraw("acct~3", ident)
    assert holder(log, "acct", ident) == ("acct~3", False) == walked_holder(log, "acct", ident)


def test_a_continuation_that_collided_with_a_chosen_id_is_followed_as_it_was_written(
        log: EventLog) -> None:
    _start(log, "c~1")  # a run started under the id c's continuation takes
    _start(log, "c")
    ident = log.send("c", GO)
    errors = _continue(log, "c")  # c continues; its new run collides with c~1
    assert errors[0] is None and errors[1] is not None
    assert log.chain_head("c") is None  # c's chain has no run going on
    assert latest(log, "c") == "c~1" == walked_latest(log, "c")  # where its inbox went
    assert holder(log, "c", ident) == ("c~1", True) == walked_holder(log, "c", ident)


def test_a_lost_continue_as_new_leaves_its_void_run_behind_the_run_going_on(
        log: EventLog) -> None:
    _start(log, "v")
    assert isinstance(_continue(log, "v", seq=0)[0], SeqConflict)  # another worker moved v
    log.append("v~1", 2, [RunFailed(time=0.0, error="lost")], "failed")
    assert latest(log, "v") == "v" and latest(log, "v~1") == "v~1"  # as the walk says
    assert _continue(log, "v")[0] is None  # v continues later: into the void run's id
    assert latest(log, "v") == "v~1" == walked_latest(log, "v")


_OPS = st.lists(st.sampled_from(["send", "continue", "lose", "collide", "take", "finish"]),
                max_size=14)


@settings(max_examples=25, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(ops=_OPS)
def test_random_chains_answer_as_the_walk_does(log: EventLog, ops: list[str]) -> None:
    root = f"r{next(_ROOTS)}"  # one store for every example: each its own chain
    _start(log, root)
    head, sent = root, []
    for op in ops:
        if log.get_run(head).status is not RunStatus.WAITING:
            break
        head = _step(log, op, head, sent)
        for run_id in {r for r, _ in sent} | {root, head}:
            assert latest(log, run_id) == walked_latest(log, run_id), (ops, run_id)
        for run_id, ident in sent:
            assert holder(log, run_id, ident) == walked_holder(log, run_id, ident), ops


def _step(log: EventLog, op: str, head: str, sent: list[tuple[str, int]]) -> str:
    """Apply ``op`` to the chain whose newest run is ``head``; the newest run after it."""
    new = next_id(head)
    if op == "send":
        sent.append((head, log.send(head, GO)))
    elif op == "take" and log.pending(head):  # the oldest entry read by the run
        ident = log.pending(head)[0][0]
        log.write_many([Write(head, log.length(head), (GO,), consumed=(ident,))])
    elif op == "continue":
        _continue(log, head)
        return new
    elif op == "lose" and _continue(log, head, seq=0)[1] is None:  # a stale worker's
        log.append(new, 2, [RunFailed(time=0.0, error="lost")], "failed")  # void new run
    elif op == "collide" and _start(log, new) == [None]:  # a chosen id in the way
        _continue(log, head)
        return new
    elif op == "finish":
        log.append(head, log.length(head), [RunCompleted(time=0.0)], "completed")
    return head


def test_a_schema_6_file_gains_the_index_of_chain_heads_and_answers_at_once(
        tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    shutil.copy(OLD_STORE, path)
    before = _rows(path)
    SqliteLog(path).close()  # the upgrade alone
    assert_kept(before, _rows(path))
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
        str(SCHEMA_VERSION),)
    assert db.execute("SELECT name FROM sqlite_master WHERE name = 'runs_chain_open'"
                      ).fetchone() == ("runs_chain_open",)
    db.close()
    log = SqliteLog(path)
    (ident, _), = log.pending("acct~2")  # sent unread while the store was at schema 6
    counting = _Counting(log)
    assert [latest(counting, r) for r in ("acct", "acct~1", "acct~2", "solo", "x~1")] == [
        "acct~2", "acct~2", "acct~2", "solo", "x~1"]
    assert holder(counting, "acct", ident) == ("acct~2", True)
    assert counting.calls == ["chain_head"] * 5 + ["inbox_holder"]
    assert _continue(log, "acct~2") == [None, None]  # a chain grown by today's code
    assert latest(log, "acct") == "acct~3" and holder(log, "acct", ident) == ("acct~3", True)
    log.close()


def _rows(path: Path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(path)
    out = {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
           for t in ("runs", "history", "updates", "inbox")}
    db.close()
    return out


def test_a_schema_6_postgres_store_gains_the_index_of_chain_heads(fresh_postgres: str) -> None:
    import psycopg

    from procalg.store import store_from_url

    log = store_from_url(fresh_postgres)
    _chain(log, "acct", 3)
    log.close()
    with psycopg.connect(fresh_postgres, autocommit=True) as db:  # as schema 6 left it
        db.execute("DROP INDEX runs_chain_open")
        db.execute("UPDATE procalg_meta SET value = '6' WHERE key = 'schema_version'")
    log = store_from_url(fresh_postgres)
    with psycopg.connect(fresh_postgres) as db:
        assert db.execute("SELECT to_regclass('runs_chain_open') IS NOT NULL").fetchone() == (
            True,)
        assert db.execute("SELECT value FROM procalg_meta WHERE key = 'schema_version'"
                          ).fetchone() == (str(SCHEMA_VERSION),)
    assert latest(log, "acct") == "acct~2" == walked_latest(log, "acct")
    log.close()
