"""On a real PostgreSQL server, a child's outcome never lands in a parent that has ended,
however the child's send and the parent's final commit interleave between two workers
(two connections): one transaction is held open at a hook while the other runs, and let
go only once the other has finished or waits on a lock. Under READ COMMITTED a send that
only reads the parent's status would see the running row of a final commit in flight
(and the final commit's look at its inbox would miss a send not yet committed).
The same holds for sends from outside (a signal, an update, a cancel request): refused
once the run's final commit is in, carried into the new run by a continue-as-new."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from procalg.runtime.history import (
    ContinuedFrom,
    RunCompleted,
    RunContinued,
    RunStarted,
    SignalReceived,
    UpdateReceived,
)
from procalg.runtime.ports import RunRecord, Write
from procalg.runtime.status import RunFinished
from procalg.store.postgres import PostgresLog
from procalg.store.postgres_connect import DEADLOCK_TRIES
from procalg.terms.values import Atom, Event
from tests.runtime.conftest import in_thread

OUTCOME = SignalReceived(time=2.0, event=Event("Pay", (1, Atom("completed"))))
CANCEL = SignalReceived(time=2.0, event=Event("cancel"))


def _child_ends(sends: tuple = (("p", OUTCOME),)) -> Write:
    """The child's final commit: its end, and its outcome for its parent."""
    return Write("p.1", 1, (RunCompleted(time=2.0),), status="completed", sends=sends)


def _parent_ends(sends: tuple = ()) -> Write:
    """The parent's final commit: its end, dropping its children's outcomes."""
    return Write("p", 1, (RunCompleted(time=3.0),), status="cancelled",
                 drops=frozenset({"Pay"}), sends=sends)


class _Held(PostgresLog):
    """A worker's store whose next write holds its transaction open, every statement
    done, until ``go`` is set (``ready`` says it is there)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.ready, self.go = threading.Event(), threading.Event()

    def _apply(self, cur: Any, write: Write, rows: list) -> None:
        super()._apply(cur, write, rows)
        cur.execute("SELECT 1")  # every statement has run (a pipeline sends them lazily)
        cur.fetchone()
        if not self.go.is_set():
            self.ready.set()
            assert self.go.wait(60)


@pytest.fixture
def family(fresh_postgres: str) -> Iterator[tuple[str, PostgresLog]]:
    """A parent ``p`` and its child ``p.1``, both running; the database's URL and a log."""
    log = PostgresLog(fresh_postgres)
    for run_id in ("p", "p.1"):
        log.create_run(RunRecord(run_id, "Order", (1,), "h", "P = a -> STOP", {}),
                       [RunStarted(time=0.0, process="Order", args=(1,))])
    yield fresh_postgres, log
    log.close()


def _finished_or_waiting(url: str, worker: threading.Thread) -> None:
    """Return once ``worker`` has finished or waits on a row lock (seen by the server)."""
    with psycopg.connect(url, autocommit=True) as db:
        for _ in range(6000):
            waiting = db.execute("SELECT count(*) FROM pg_stat_activity WHERE datname ="
                                 " current_database() AND wait_event_type = 'Lock'").fetchone()
            if not worker.is_alive() or waiting[0]:
                return
            time.sleep(0.01)
    pytest.fail("the other worker neither finished nor waited")


def _interleave(url: str, held: Write, other: Write) -> list:
    """Hold ``held``'s transaction open while ``other`` runs on another connection; let it
    commit once ``other`` finished or waits on it. The errors of both writes."""
    errors, (others,) = _while_held(url, [held], lambda store: store.write_many([other]))
    return errors + others


def _while_held(url: str, writes: list[Write], act: Any) -> tuple[list, list]:
    """Hold the transaction of ``writes`` open while ``act(log)`` runs on another
    connection; let it commit once ``act`` finished or waits on it. The errors of
    ``writes``, and ``act``'s answer (or the RunError it raised) in a list."""
    first, second = _Held(url), PostgresLog(url)
    errors: list = []
    holder = threading.Thread(target=lambda: errors.extend(first.write_many(writes)))
    holder.start()
    assert first.ready.wait(60)
    runner, answer = in_thread(lambda: act(second))
    _finished_or_waiting(url, runner)
    first.go.set()
    for thread in (holder, runner):
        thread.join(60)
    first.close()
    second.close()
    return errors, answer


def _outcomes(log: PostgresLog, run_id: str) -> list[str]:
    return [str(sent.event) for _, sent in log.pending(run_id)]


def test_a_childs_send_during_its_parents_final_commit_waits_for_it_and_is_dropped(
        family: tuple[str, PostgresLog]) -> None:
    url, log = family
    assert _interleave(url, _parent_ends(), _child_ends()) == [None, None]
    assert log.get_run("p").status == "cancelled"
    assert log.get_run("p.1").status == "completed"  # the child ended all the same
    assert _outcomes(log, "p") == []


def test_a_parents_final_commit_during_its_childs_send_waits_for_it_and_drops_it(
        family: tuple[str, PostgresLog]) -> None:
    url, log = family
    assert _interleave(url, _child_ends(), _parent_ends()) == [None, None]
    assert log.get_run("p").status == "cancelled"
    assert _outcomes(log, "p") == []


def test_a_send_to_a_running_parent_lands_after_waiting_for_its_step(
        family: tuple[str, PostgresLog]) -> None:
    url, log = family
    step = Write("p", 1, (RunCompleted(time=3.0),), status="waiting")  # not its end
    assert _interleave(url, step, _child_ends()) == [None, None]
    assert _outcomes(log, "p") == [str(OUTCOME.event)]


class _Crossed(PostgresLog):
    """A worker's store whose first delivery waits at ``barrier`` for the other's: each
    holds its own run's row (its status written) and sends to the other's."""

    def __init__(self, url: str, barrier: threading.Barrier) -> None:
        super().__init__(url)
        self.barrier, self.deliveries = barrier, 0

    def _deliver(self, cur: Any, write: Write) -> None:
        self.deliveries += 1
        if self.deliveries == 1:
            cur.execute("SELECT 1")  # the row's update has run (a pipeline sends lazily)
            cur.fetchone()
            self.barrier.wait(60)
        super()._deliver(cur, write)


@pytest.mark.parametrize("batch", [False, True], ids=["alone", "in a batch"])
def test_a_parent_and_child_sending_to_each_other_as_both_end_both_commit(
        family: tuple[str, PostgresLog], batch: bool) -> None:
    url, log = family
    log.create_run(RunRecord("x", "Order", (1,), "h", "P = a -> STOP", {}),
                   [RunStarted(time=0.0, process="Order", args=(1,))])
    barrier = threading.Barrier(2)
    logs = [_Crossed(url, barrier) for _ in range(2)]
    # the parent asks its child to cancel as it ends; the child ends meanwhile
    writes = [[_parent_ends(sends=(("p.1", CANCEL),))], [_child_ends()]]
    if batch:  # another run's write in the same transaction
        writes[0].append(Write("x", 1, (RunCompleted(time=3.0),), status="completed"))
    errors: list = []
    threads = [threading.Thread(target=lambda i=i: errors.extend(logs[i].write_many(writes[i])))
               for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [None] * (len(writes[0]) + 1)
    # a deadlock (SQLSTATE 40P01) failed one of them, which was tried again (the other
    # went through: it sent once)
    assert min(s.deliveries for s in logs) == 1 < max(s.deliveries for s in logs)
    assert [log.get_run(r).status for r in ("p", "p.1")] == ["cancelled", "completed"]
    assert _outcomes(log, "p") == []
    for store in logs:
        store.close()


def test_a_write_failing_on_deadlocks_is_tried_a_few_times_then_is_a_store_error(
        family: tuple[str, PostgresLog], monkeypatch: pytest.MonkeyPatch) -> None:
    _, log = family
    tries: list[int] = []

    def deadlock(self: PostgresLog, cur: Any, write: Write) -> None:
        tries.append(1)
        raise psycopg.errors.DeadlockDetected("deadlock detected")

    monkeypatch.setattr(PostgresLog, "_deliver", deadlock)
    errors = log.write_many([_child_ends()])
    assert errors[0] is not None and "deadlock" in str(errors[0])
    assert len(tries) == DEADLOCK_TRIES
    assert log.get_run("p.1").status == "running"  # nothing of it committed



# -- sends from outside (runs signal / update / cancel): runtime/inbox.py --------------

GO = SignalReceived(time=2.0, event=Event("go"))


def _ends(status: str = "completed") -> list[Write]:
    """The final commit of run ``p``: its end, or its continue-as-new as ``p~1``."""
    if status != "continued":
        return [Write("p", 1, (RunCompleted(time=3.0),), status=status)]
    return [Write("p", 1, (RunContinued(time=3.0, next_run="p~1"),), status="continued",
                  carry="p~1"),
            Write("p~1", 0, (RunStarted(time=3.0, process="Order"),
                             ContinuedFrom(time=3.0, previous_run="p")),
                  record=RunRecord("p~1", "Order", (), "h", "P = a -> STOP", {}))]


@pytest.mark.parametrize("status", ["completed", "continued"])
def test_a_signal_sent_during_a_runs_final_commit_waits_for_it_and_is_refused(
        family: tuple[str, PostgresLog], status: str) -> None:
    url, log = family
    errors, (answer,) = _while_held(url, _ends(status), lambda store: store.send("p", GO))
    assert errors == [None] * len(_ends(status))
    assert isinstance(answer, RunFinished) and answer.status == status, answer
    assert log.get_run("p").status == status
    assert _outcomes(log, "p") == []  # nothing unread in the run that ended


def test_an_update_sent_during_a_runs_final_commit_is_refused_and_its_key_not_kept(
        family: tuple[str, PostgresLog]) -> None:
    url, log = family
    sent = UpdateReceived(time=2.0, event=Event("go"), update_id="u1")
    errors, (answer,) = _while_held(url, _ends(), lambda store: store.send_update("p", sent))
    assert errors == [None] and isinstance(answer, RunFinished), answer
    assert _outcomes(log, "p") == [] and log.update_entry("p", "u1") is None


class _HeldSend(PostgresLog):
    """A sender's store whose next request holds its transaction open, its statements
    done, until ``go`` is set (``ready`` says it is there)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.ready, self.go = threading.Event(), threading.Event()

    def _within(self, body: Any) -> Any:
        def held(cur: Any) -> Any:
            answer = body(cur)
            self.ready.set()
            assert self.go.wait(60)
            return answer
        return super()._within(held)


def _continued_during(url: str, send: Any) -> tuple[Any, list]:
    """``send(store)`` held open, its statements done, while another worker commits run
    ``p``'s continue-as-new as ``p~1`` (which waits for it): the send's answer and the
    commit's errors."""
    sender, worker = _HeldSend(url), PostgresLog(url)
    out: list = [None]
    held = threading.Thread(target=lambda: out.__setitem__(0, send(sender)))
    held.start()
    assert sender.ready.wait(60)  # the send is in, not committed; the run's row locked
    ending = threading.Thread(target=lambda: out.extend(worker.write_many(_ends("continued"))))
    ending.start()
    _finished_or_waiting(url, ending)
    sender.go.set()
    for thread in (held, ending):
        thread.join(60)
    sender.close()
    worker.close()
    return out[0], out[1:]


def test_a_continue_as_new_commit_during_a_send_waits_for_it_and_carries_the_signal(
        family: tuple[str, PostgresLog]) -> None:
    url, log = family
    ident, errors = _continued_during(url, lambda store: store.send("p", GO))
    assert errors == [None, None] and log.get_run("p").status == "continued"
    assert _outcomes(log, "p") == []
    assert log.pending("p~1") == [(ident, GO)]  # carried by the final commit, same id


def test_a_continue_as_new_commit_during_an_update_carries_it_with_its_key(
        family: tuple[str, PostgresLog]) -> None:
    url, log = family
    sent = UpdateReceived(time=2.0, event=Event("go"), update_id="u1")
    (ident, fresh), errors = _continued_during(url, lambda store: store.send_update("p", sent))
    assert fresh and errors == [None, None] and log.get_run("p").status == "continued"
    assert log.pending("p") == [] and log.pending("p~1") == [(ident, sent)]
    assert log.update_entry("p", "u1") is None  # the key went with its entry
    assert log.update_entry("p~1", "u1") == (None, None)  # to be taken there, once
    assert log.send_update("p~1", sent) == (ident, False)
    assert log.chain_entry("p~1", "u1") is None  # held by the newest run, no earlier one
