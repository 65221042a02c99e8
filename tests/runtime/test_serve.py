"""serve() and resume_all(): workers drive due runs once each, never touch runs only waiting for
a signal, and hold no run they took when the store goes away in mid-scan."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from procalg.errors import StoreError
from procalg.runtime.engine import Engine
from procalg.runtime.history import RunResumed
from procalg.runtime.serve import serve
from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
from procalg.store.sqlite import SqliteLog
from procalg.terms import SKIP, Event, Prefix


def _timed(i: int) -> Workflow:
    term = Prefix(Event("a", (i,)), Prefix(Event("t"), Prefix(Event("b", (i,)), SKIP)))
    return Workflow(TermSystem(term), {
        "a": Channel("a", ChannelKind.ACTIVITY, 1), "b": Channel("b", ChannelKind.ACTIVITY, 1),
        "t": Channel("t", ChannelKind.TIMER, duration=0.3)}, process=f"T{i}")


IDLE = Workflow(TermSystem(Prefix(Event("s"), SKIP)), {"s": Channel("s", ChannelKind.SIGNAL)},
                process="Idle")


def _loader(record):  # type: ignore[no-untyped-def]
    return IDLE if record.process == "Idle" else _timed(int(record.process[1:]))


def test_two_workers_finish_every_due_run_calling_each_step_once(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    calls: list[tuple[str, int]] = []
    lock = threading.Lock()

    def act(name: str):  # type: ignore[no-untyped-def]
        def call(i: int) -> None:
            with lock:
                calls.append((name, i))
            time.sleep(0.01)
        return call

    acts = {"a": act("a"), "b": act("b")}
    starter = Engine(SqliteLog(db), acts, loader=_loader)
    for i in range(8):
        starter.start(_timed(i), run_id=f"r{i}")  # a.i done; now waiting on the timer
    starter.start(IDLE, run_id="idle")
    starter.close()  # the starter goes away: the workers take over at the timers
    stop = threading.Event()
    results = []
    workers = [threading.Thread(target=lambda: results.append(serve(
        Engine(SqliteLog(db), acts, loader=_loader), concurrency=3, stop=stop, poll=0.05)))
        for _ in range(2)]
    for w in workers:
        w.start()
    log = SqliteLog(db)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(
            log.get_run(f"r{i}").status != "completed" for i in range(8)):
        time.sleep(0.05)
    stop.set()
    for w in workers:
        w.join(timeout=30)
    assert all(log.get_run(f"r{i}").status == "completed" for i in range(8))
    assert sorted(calls) == sorted([("a", i) for i in range(8)] + [("b", i) for i in range(8)])
    assert sum(r.driven for r in results) == 8 and sum(r.failed for r in results) == 0
    assert log.get_run("idle").status == "waiting" and len(log.history("idle")) == \
        len([e for e in log.history("idle") if not isinstance(e, RunResumed)])
    assert all(r.owner == "" for r in log.list_runs())  # every lease released at stop


def test_a_signal_buffered_by_a_sender_that_died_is_consumed_by_a_worker(tmp_path: Path) -> None:
    from procalg.runtime.history import SignalReceived

    db = tmp_path / "r.db"
    starter = Engine(SqliteLog(db), loader=_loader)
    starter.start(IDLE, run_id="idle")
    starter.start(IDLE, run_id="never")
    starter.close()
    log = SqliteLog(db)
    log.send("idle", SignalReceived(time=0.0, event=Event("s")))  # and then the sender died
    log.send("never", SignalReceived(time=0.0, event=Event("x")))  # nothing ever listens for x
    stop = threading.Event()
    drives: list[str] = []
    worker = threading.Thread(target=serve, args=(Engine(SqliteLog(db), loader=_loader),),
                              kwargs={"stop": stop, "poll": 0.05,
                                      "report": lambda run_id, status: drives.append(run_id)})
    worker.start()
    deadline = time.monotonic() + 20
    while log.get_run("idle").status != "completed" and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.6)  # a few more scans: the never-consumed signal is offered once, not again
    stop.set()
    worker.join(timeout=30)
    assert log.get_run("idle").status == "completed"
    assert log.get_run("never").status == "waiting" and len(log.pending("never")) == 1
    assert drives.count("never") == 1  # offered once, then left alone: no churn


class _GoneAtR1(SqliteLog):
    """A store whose server goes away once, at the first claim of r1 (a restart in
    mid-scan, after r0 was taken)."""

    gone = 0  # reset by each test

    def claim(self, run_id: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        if run_id == "r1" and not type(self).gone:
            type(self).gone += 1
            raise StoreError("store request failed: the connection is lost")
        return super().claim(run_id, *args, **kwargs)


def _held_by_a_dead_worker(db: Path) -> SqliteLog:
    """Runs r0 and r1 waiting on their timers, held by a worker of this host that died
    (its leases still run for a minute)."""
    starter = Engine(SqliteLog(db), ACTS, loader=_loader)
    for i in range(2):
        starter.start(_timed(i), run_id=f"r{i}")  # a.i done; now waiting on the timer
    starter.close()
    dead = subprocess.Popen(["true"])
    dead.wait()
    log = SqliteLog(db)
    for i in range(2):
        assert log.claim(f"r{i}", f"{socket.gethostname()}:{dead.pid}:1:gone", 60.0)
    return log


ACTS = {"a": lambda i: None, "b": lambda i: None}


def test_a_run_taken_from_a_dead_worker_is_driven_when_the_store_goes_away_mid_scan(
        tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    log = _held_by_a_dead_worker(db)
    _GoneAtR1.gone = 0
    stop = threading.Event()
    worker = threading.Thread(target=serve, args=(Engine(_GoneAtR1(db), ACTS, loader=_loader),),
                              kwargs={"stop": stop, "poll": 0.05})
    worker.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(
            log.get_run(f"r{i}").status != "completed" for i in range(2)):
        time.sleep(0.05)
    stop.set()
    worker.join(timeout=30)
    assert _GoneAtR1.gone == 1  # the store went away after r0 was taken
    # r0, taken before the store went away, was driven (not held unseen, its lease
    # renewed for ever), and r1 after it came back
    assert [log.get_run(f"r{i}").status for i in range(2)] == ["completed", "completed"]


def test_resume_all_holds_no_run_when_the_store_goes_away_mid_way(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    log = _held_by_a_dead_worker(db)
    _GoneAtR1.gone = 0
    engine = Engine(_GoneAtR1(db), ACTS, loader=_loader)
    with pytest.raises(StoreError, match="connection is lost"):
        engine.resume_all()
    # r0, taken before the store went away, is let go (not held with its lease renewed
    # by the heartbeat while nothing drives it): any worker may take it at once
    assert engine.leases.held() == [] and log.get_run("r0").owner == ""
    assert engine.resume_all() == ["r0", "r1"]
