"""The EventLog contract, run against SQLite and a real PostgreSQL server."""

from __future__ import annotations

import threading
import time

import pytest

from procalg.errors import RunError, StoreError
from procalg.runtime.history import (
    ContinuedFrom,
    EventFired,
    RunCompleted,
    RunContinued,
    RunStarted,
    SignalReceived,
    UpdateReceived,
)
from procalg.runtime.ports import EventLog, RunRecord, SeqConflict, Write
from procalg.runtime.status import RunFinished, RunStatus
from procalg.terms.values import Atom, Dotted, Event


def _start(log: EventLog, run_id: str, created: float = 0.0) -> None:
    record = RunRecord(run_id, "Order", (1, Atom("gold")), "h1", "P = a -> STOP",
                       {"assert P :[deadlock free]": False}, created=created)
    log.create_run(record, [RunStarted(time=created, process="Order", args=(1, Atom("gold")))])


def test_store_implements_the_event_log_port(log: EventLog) -> None:
    assert isinstance(log, EventLog)


def test_a_created_run_reads_back_with_its_record_and_first_event(log: EventLog) -> None:
    _start(log, "r1", created=5.0)
    rec = log.get_run("r1")
    assert (rec.process, rec.args, rec.model_hash, rec.status) == ("Order", (1, Atom("gold")),
                                                                   "h1", "running")
    assert rec.verdicts == {"assert P :[deadlock free]": False}
    assert rec.model_text == "P = a -> STOP"
    assert log.history("r1") == [RunStarted(time=5.0, process="Order", args=(1, Atom("gold")))]


def test_creating_a_run_twice_is_refused(log: EventLog) -> None:
    _start(log, "r1")
    with pytest.raises(StoreError, match="already exists"):
        _start(log, "r1")


def test_an_unknown_run_id_is_a_run_error(log: EventLog) -> None:
    with pytest.raises(RunError, match="no run with id 'nope'"):
        log.get_run("nope")


def test_appended_events_come_back_in_order_with_values_intact(log: EventLog) -> None:
    _start(log, "r1")
    batch = [EventFired(time=1.0, label=Event("pay", (Dotted(Atom("A"), (2,)),))),
             SignalReceived(time=2.0, event=Event("ok", (frozenset({1, 2}),))),
             EventFired(time=2.0, label="✓")]
    log.append("r1", 1, batch[:2])
    log.append("r1", 3, [*batch[2:], RunCompleted(time=3.0)], status="completed")
    assert log.history("r1")[1:] == [*batch, RunCompleted(time=3.0)]
    assert log.get_run("r1").status == "completed"


def test_a_batch_that_collides_on_seq_is_rejected_whole(log: EventLog) -> None:
    _start(log, "r1")
    log.append("r1", 1, [EventFired(time=1.0, label="τ")])
    with pytest.raises(SeqConflict):
        log.append("r1", 0, [EventFired(time=2.0, label="a_new_one")], status="failed")
    with pytest.raises(SeqConflict):  # seq 1 is taken, seq 2 is free: neither is written
        log.append("r1", 1, [EventFired(time=2.0, label="x"), EventFired(time=2.0, label="y")])
    assert len(log.history("r1")) == 2
    assert log.get_run("r1").status == "running"


def test_runs_list_oldest_first_and_filter_by_status(log: EventLog) -> None:
    _start(log, "b", created=2.0)
    _start(log, "a", created=1.0)
    log.append("b", 1, [RunCompleted(time=3.0)], status="completed")
    assert [r.run_id for r in log.list_runs()] == ["a", "b"]
    assert [r.run_id for r in log.list_runs(("running", "waiting"))] == ["a"]


def test_a_lease_is_exclusive_until_it_expires_by_the_databases_clock(log: EventLog) -> None:
    _start(log, "r1")
    assert log.claim("r1", "w1", lease=0.3)
    assert abs(log.get_run("r1").lease_until - (time.time() + 0.3)) < 5.0  # epoch seconds
    assert not log.claim("r1", "w2", lease=10.0)
    assert log.claim("r1", "w1", lease=0.3)  # claiming our own lease again renews it
    time.sleep(0.4)
    assert log.claim("r1", "w2", lease=10.0)  # expired: taken over
    log.release("r1", "w1")  # not w1's any more: no effect
    assert not log.claim("r1", "w3", lease=10.0)
    log.release("r1", "w2")
    assert log.claim("r1", "w3", lease=10.0)


def test_renewing_extends_only_a_lease_still_ours(log: EventLog) -> None:
    _start(log, "r1")
    assert log.claim("r1", "w1", lease=0.3)
    assert log.renew("r1", "w1", lease=10.0)
    time.sleep(0.4)
    assert not log.claim("r1", "w2", lease=10.0)  # the renewal kept it
    log.release("r1", "w1")
    assert not log.renew("r1", "w1", lease=10.0)  # released: a late heartbeat cannot re-take it
    assert log.get_run("r1").owner == ""


def test_a_dead_owners_lease_is_taken_only_as_it_was_seen(log: EventLog) -> None:
    _start(log, "r1")
    assert log.claim("r1", "dead", lease=60.0)
    seen = log.get_run("r1")
    assert not log.claim("r1", "w1", lease=60.0)  # not expired: refused without proof
    assert log.claim("r1", "w1", lease=60.0, dead=(seen.owner, seen.lease_until))
    # w2 saw the same dead owner, but w1 took the run in between: the compare fails
    assert not log.claim("r1", "w2", lease=60.0, dead=(seen.owner, seen.lease_until))
    assert log.get_run("r1").owner == "w1"


def test_a_created_runs_lease_starts_on_the_databases_clock(log: EventLog) -> None:
    record = RunRecord("r1", "Order", owner="w1", lease_until=1.0)
    log.write_many([Write("r1", 0, (RunStarted(time=0.0, process="Order"),), record=record,
                          lease=30.0)])
    assert log.get_run("r1").lease_until > time.time() + 20
    assert not log.claim("r1", "w2", lease=10.0)


def test_claim_next_gives_each_unfinished_run_to_one_worker(log: EventLog) -> None:
    for i in range(6):
        _start(log, f"r{i}", created=float(i))
    log.append("r5", 1, [RunCompleted(time=1.0)], status="completed")
    first = log.claim_next("w1", lease=10.0, limit=3)
    second = log.claim_next("w2", lease=10.0, limit=10)
    assert first == ["r0", "r1", "r2"]
    assert second == ["r3", "r4"]
    assert log.claim_next("w3", lease=10.0, limit=10) == []


def test_a_finished_run_cannot_be_claimed(log: EventLog) -> None:
    _start(log, "r1")
    log.append("r1", 1, [RunCompleted(time=1.0)], status="completed")
    assert not log.claim("r1", "w1", lease=10.0)


def test_a_run_that_does_not_exist_cannot_be_claimed(log: EventLog) -> None:
    _start(log, "r1")
    assert not log.claim("nope", "w1", lease=10.0)
    assert log.claim("r1", "w1", lease=10.0)  # the store answers: the id is what is missing


def test_concurrent_appenders_never_both_win_a_seq(log: EventLog) -> None:
    _start(log, "r1")
    wins: list[int] = []

    def writer(tag: int) -> None:
        for seq in range(1, 21):
            try:
                log.append("r1", seq, [EventFired(time=float(tag), label=f"w{tag}")])
                wins.append(seq)
            except SeqConflict:
                pass

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == list(range(1, 21))
    assert len(log.history("r1")) == 21


def test_write_many_commits_several_runs_and_a_collision_fails_only_its_run(
        log: EventLog) -> None:
    _start(log, "a")
    _start(log, "b")
    record = RunRecord("c", "Order", owner="w1", lease_until=10.0)
    errors = log.write_many([
        Write("a", 1, (EventFired(time=1.0, label="x"), EventFired(time=1.0, label="y"))),
        Write("b", 0, (EventFired(time=1.0, label="taken"),), "failed"),  # seq 0 is taken
        Write("c", 0, (RunStarted(time=1.0, process="Order"),), record=record),
        Write("a", 3, (), "waiting"),
    ])
    assert errors[0] is None and errors[2] is None and errors[3] is None
    assert isinstance(errors[1], SeqConflict)
    assert [e.label for e in log.history("a")[1:]] == ["x", "y"]
    assert log.get_run("a").status == "waiting"
    assert log.history("c") == [RunStarted(time=1.0, process="Order")]
    assert log.get_run("c").owner == "w1"
    assert len(log.history("b")) == 1 and log.get_run("b").status == "running"


def test_write_many_refuses_an_existing_run_id_alone(log: EventLog) -> None:
    _start(log, "a")
    errors = log.write_many([Write("a", 0, (RunStarted(time=0.0, process="X"),),
                                   record=RunRecord("a", "X")),
                             Write("a", 1, (RunCompleted(time=1.0),), "completed")])
    assert isinstance(errors[0], StoreError) and "already exists" in str(errors[0])
    assert errors[1] is None
    assert log.get_run("a").process == "Order"  # the original record is untouched
    assert log.get_run("a").status == "completed"


def test_a_write_can_drop_the_writers_lease_with_the_last_step(log: EventLog) -> None:
    _start(log, "r1")
    assert log.claim("r1", "w1", lease=100.0)
    log.write_many([Write("r1", 1, (EventFired(time=1.0, label=Event("a")),), "waiting",
                          release="w2")])
    assert log.get_run("r1").owner == "w1"  # someone else's lease is not dropped
    log.write_many([Write("r1", 2, (), None, release="w1")])
    assert (log.get_run("r1").owner, log.get_run("r1").lease_until) == ("", 0.0)


def test_a_write_without_events_is_refused_once_the_run_moved_past_it(log: EventLog) -> None:
    _start(log, "r1")
    log.write_many([Write("r1", 1, (EventFired(time=1.0, label=Event("a")),), "running")])
    # a worker that still believes the run has one event must not mark it waiting
    [error] = log.write_many([Write("r1", 1, (), "waiting", wake_at=float("inf"))])
    assert isinstance(error, SeqConflict)
    assert log.get_run("r1").status == "running"
    assert log.write_many([Write("r1", 2, (), "waiting")]) == [None]


def test_a_run_that_ends_keeps_no_owner_even_if_another_worker_took_its_lease(
        log: EventLog) -> None:
    _start(log, "r1")
    assert log.claim("r1", "w2", lease=100.0)  # w1's lease had expired and w2 took over
    log.write_many([Write("r1", 1, (RunCompleted(time=1.0),), "completed", release="w1")])
    assert (log.get_run("r1").status, log.get_run("r1").owner) == ("completed", "")


def test_length_counts_the_history_without_reading_it(log: EventLog) -> None:
    assert log.length("nobody") == 0
    _start(log, "r1")
    log.append("r1", 1, [EventFired(time=1.0, label="a"), EventFired(time=1.0, label="b")])
    assert log.length("r1") == len(log.history("r1")) == 3


def test_buffered_signals_wait_in_order_and_a_write_consumes_them_atomically(
        log: EventLog) -> None:
    _start(log, "r1")
    first = log.send("r1", SignalReceived(time=1.0, event=Event("ok", (True,))))
    second = log.send("r1", SignalReceived(time=2.0, event=Event("ok", (False,))))
    assert first < second
    assert [(i, s.event) for i, s in log.pending("r1")] == [
        (first, Event("ok", (True,))), (second, Event("ok", (False,)))]
    # a write that collides consumes nothing
    errors = log.write_many([Write("r1", 0, (EventFired(time=3.0, label="x"),),
                                   consumed=(first,))])
    assert isinstance(errors[0], SeqConflict) and len(log.pending("r1")) == 2
    log.write_many([Write("r1", 1, (EventFired(time=3.0, label="x"),), consumed=(first,))])
    assert [i for i, _ in log.pending("r1")] == [second]
    assert log.inboxes() == {"r1": second}
    with pytest.raises(RunError):
        log.send("nope", SignalReceived(time=1.0, event=Event("ok", (True,))))


def test_a_write_drops_the_signals_of_its_channels_found_in_its_own_transaction(
        log: EventLog) -> None:
    _start(log, "p")
    _start(log, "p.1")
    log.send("p", SignalReceived(time=1.0, event=Event("go")))
    # the child's end sends its outcome to the parent, which is still going
    log.write_many([Write("p.1", 1, (RunCompleted(time=2.0),), status="completed",
                          sends=(("p", SignalReceived(time=2.0, event=Event(
                              "Pay", (1, Atom("completed"))))),))])
    assert [s.event.channel for _, s in log.pending("p")] == ["go", "Pay"]
    log.write_many([Write("p", 1, (RunCompleted(time=3.0),), status="completed",
                          drops=frozenset({"Pay"}))])
    assert [s.event for _, s in log.pending("p")] == [Event("go")]  # other signals stay


def test_a_send_to_a_run_that_has_ended_is_refused_and_nothing_is_buffered(
        log: EventLog) -> None:
    _start(log, "r1")
    log.send_update("r1", UpdateReceived(time=1.0, event=Event("ok", (True,)), update_id="u1"))
    log.append("r1", 1, [RunCompleted(time=2.0)], status="completed")
    before = log.pending("r1")
    with pytest.raises(RunFinished) as refused:
        log.send("r1", SignalReceived(time=3.0, event=Event("ok", (True,))))
    assert refused.value.status is RunStatus.COMPLETED and refused.value.run_id == "r1"
    with pytest.raises(RunFinished):
        log.send_update("r1", UpdateReceived(time=3.0, event=Event("ok", (True,)),
                                             update_id="u2"))
    assert log.pending("r1") == before and log.update_entry("r1", "u2") is None
    # a key sent while the run went on still answers with its entry (a retry's reply)
    assert log.send_update("r1", UpdateReceived(time=3.0, event=Event("ok", (True,)),
                                                update_id="u1")) == (before[0][0], False)


def test_a_continue_as_new_carries_the_unread_inbox_and_its_update_keys_to_the_new_run(
        log: EventLog) -> None:
    _start(log, "r")
    taken = log.send("r", SignalReceived(time=1.0, event=Event("go", (1,))))
    unread = log.send("r", SignalReceived(time=1.0, event=Event("go", (2,))))
    keyed, _ = log.send_update("r", UpdateReceived(time=1.0, event=Event("go", (3,)),
                                                   update_id="u1"))
    errors = log.write_many([
        Write("r", 1, (EventFired(time=2.0, label=Event("go", (1,))),
                       RunContinued(time=2.0, next_run="r~1")), "continued",
              consumed=(taken,), carry="r~1"),
        Write("r~1", 0, (RunStarted(time=2.0, process="Order"),
                         ContinuedFrom(time=2.0, previous_run="r")),
              record=RunRecord("r~1", "Order", (), "h1", "P = a -> STOP"))])
    assert errors == [None, None]
    assert log.pending("r") == []
    assert [(i, s.event) for i, s in log.pending("r~1")] == [
        (unread, Event("go", (2,))), (keyed, Event("go", (3,)))]
    # the key went along: a retry finds it in the new run, where it will be recorded
    assert log.send_update("r~1", UpdateReceived(time=3.0, event=Event("go", (3,)),
                                                 update_id="u1")) == (keyed, False)
    assert log.update_entry("r~1", "u1") == (None, None)
    assert log.update_entry("r", "u1") is None


def test_a_continue_as_new_leaves_a_recorded_updates_key_and_reply_in_the_old_run(
        log: EventLog) -> None:
    # runtime/update_replies.chain_entry finds a retried key there, in a run now final
    _start(log, "r")
    ident, _ = log.send_update("r", UpdateReceived(time=1.0, event=Event("go", (3,)),
                                                   update_id="u0"))
    assert log.write_many([Write("r", 1, (UpdateReceived(time=1.0, event=Event("go", (3,)),
                                                         update_id="u0"),
                                          EventFired(time=1.0, label=Event("go", (3,)))),
                                 consumed=(ident,))]) == [None]
    log.keep_reply("r", "u0", "reply")
    assert log.write_many([
        Write("r", 3, (RunContinued(time=2.0, next_run="r~1"),), "continued", carry="r~1"),
        Write("r~1", 0, (RunStarted(time=2.0, process="Order"),
                         ContinuedFrom(time=2.0, previous_run="r")),
              record=RunRecord("r~1", "Order", (), "h1", "P = a -> STOP"))]) == [None, None]
    assert log.get_run("r").status is RunStatus.CONTINUED
    assert log.update_entry("r", "u0") == (1, "reply")
    assert log.update_entry("r~1", "u0") is None  # only unread keys go along
    # the old run answers a retry with its key, and takes no new one
    assert log.send_update("r", UpdateReceived(time=3.0, event=Event("go", (3,)),
                                               update_id="u0")) == (ident, False)
    with pytest.raises(RunFinished):
        log.send_update("r", UpdateReceived(time=3.0, event=Event("go", (3,)), update_id="u9"))


def test_claim_next_takes_only_due_runs_never_one_waiting_for_a_signal(log: EventLog) -> None:
    for run_id in ("signal", "later", "due"):
        _start(log, run_id)
    log.write_many([Write("signal", 1, (), "waiting", wake_at=float("inf")),
                    Write("later", 1, (), "waiting", wake_at=time.time() + 3600),
                    Write("due", 1, (), "waiting", wake_at=time.time() - 1)])
    assert log.claim_next("w1", lease=10.0, limit=10) == ["due"]


def _connection(log: EventLog) -> EventLog:
    """Another connection to the same store (a worker of its own)."""
    from procalg.store import PostgresLog, SqliteLog

    if isinstance(log, SqliteLog):
        return SqliteLog(log.path)
    if isinstance(log, PostgresLog):
        return PostgresLog(log._url)
    return log  # the in-memory log: one object is the whole store


def test_workers_racing_for_a_free_or_dead_lease_leave_it_to_exactly_one(
        log: EventLog) -> None:
    _start(log, "free")
    _start(log, "dead")
    assert log.claim("dead", "gone", lease=600.0)
    seen = log.get_run("dead")
    barrier = threading.Barrier(6, timeout=20)
    won: dict[str, list[str]] = {"free": [], "dead": []}

    def worker(name: str) -> None:
        mine = _connection(log)
        barrier.wait()
        for run_id in ("free", "dead"):
            if mine.claim(run_id, name, lease=600.0, dead=(seen.owner, seen.lease_until)):
                won[run_id].append(name)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [len(won["free"]), len(won["dead"])] == [1, 1]
    assert log.get_run("free").owner == won["free"][0]
    assert log.get_run("dead").owner == won["dead"][0]
