"""Leases between live processes: one step runs once, dead owners are seen at once.

Workers here are real processes (or engines on separate connections) sharing
one SQLite file; every activity appends a line to a side-effect file, so a
step run twice shows as two lines.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from procalg.errors import RunError
from procalg.runtime.engine import Engine
from procalg.runtime.history import RunStarted
from procalg.runtime.leases import owner_dead, owner_id, process_start
from procalg.runtime.ports import RunRecord
from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
from procalg.store.sqlite import SqliteLog
from procalg.terms import SKIP, Event, Prefix

_MODEL = """
from procalg.runtime.retry import RetryPolicy
from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
from procalg.terms import SKIP, Event, Prefix
MODEL = Workflow(TermSystem(Prefix(Event("a"), Prefix(Event("t"), Prefix(Event("b"), SKIP)))),
                 {"a": Channel("a", ChannelKind.ACTIVITY, 0, RetryPolicy(maximum_attempts=1)),
                  "b": Channel("b", ChannelKind.ACTIVITY, 0, RetryPolicy(maximum_attempts=1)),
                  "t": Channel("t", ChannelKind.TIMER, duration=TIMER)}, process="Slow")
"""
_WORKER = """
import sys, time
TIMER = float(sys.argv[4])
""" + _MODEL + """
from procalg.runtime.engine import Engine
from procalg.store.sqlite import SqliteLog
db, effects, sleep, mode = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[5]
def act(name):
    def call():
        with open(effects, "a") as f:
            f.write(name + "\\n")
        time.sleep(sleep)
    return call
engine = Engine(SqliteLog(db), {"a": act("a"), "b": act("b")}, loader=lambda r: MODEL,
                lease=float(sys.argv[6]))
if mode == "start":
    engine.start(MODEL, run_id="slow")
    print(engine.run_until_done("slow"), flush=True)
else:
    taken = engine.resume_all()
    print(taken, flush=True)
    if taken:
        print(engine.run_until_done("slow"), flush=True)
"""


def _model(timer: float) -> Workflow:
    scope: dict = {"TIMER": timer}
    exec(_MODEL, scope)
    return scope["MODEL"]


def _worker(db: Path, effects: Path, sleep: float, timer: float, mode: str,
            lease: float) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", _WORKER, str(db), str(effects), str(sleep),
                             str(timer), mode, str(lease)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _dead_owner() -> str:
    """The owner id a process had that has exited (a real pid, no longer running)."""
    child = subprocess.run([sys.executable, "-c",
                            "from procalg.runtime.leases import owner_id; print(owner_id())"],
                           capture_output=True, text=True, check=True)
    return child.stdout.strip()


def test_an_exited_process_is_dead_and_a_live_one_or_another_hosts_is_not() -> None:
    assert owner_dead(_dead_owner())
    assert not owner_dead(owner_id())
    assert not owner_dead(f"not-{socket.gethostname()}:1:0:abc")  # another host: wait it out


def test_a_killed_child_not_yet_reaped_is_dead() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        host = socket.gethostname()
        owner = f"{host}:{child.pid}:{process_start(child.pid)}:abc"
        assert not owner_dead(owner)
        child.kill()
        deadline = time.monotonic() + 10
        while not owner_dead(owner) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert owner_dead(owner)  # a zombie until waited for, but dead
    finally:
        child.wait()


def test_a_reused_pid_with_another_start_time_is_not_mistaken_for_the_owner() -> None:
    start = process_start(os.getpid())
    assert start
    host = socket.gethostname()
    assert owner_dead(f"{host}:{os.getpid()}:{int(start) + 1}:abc")
    assert not owner_dead(f"{host}:{os.getpid()}:{start}:abc")


class _SeeThenWait(SqliteLog):
    """A store whose listing waits until both workers have listed: both see the dead owner."""

    barrier = threading.Barrier(2, timeout=10)

    def list_runs(self, statuses=None):  # type: ignore[no-untyped-def]
        runs = super().list_runs(statuses)
        self.barrier.wait()
        return runs


def test_two_live_workers_that_both_saw_a_dead_owner_run_its_step_once(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    model = Workflow(TermSystem(Prefix(Event("a"), SKIP)),
                     {"a": Channel("a", ChannelKind.ACTIVITY, 0)})
    log = SqliteLog(db)
    # the dead owner's lease ran far ahead: the old `lease_until + 1` takeover overrode
    # the lease a live worker had just taken
    log.create_run(RunRecord("r", "P", owner=_dead_owner(), lease_until=time.time() + 3600),
                   [RunStarted(time=0.0, process="P")])
    calls: list[str] = []
    results: dict[str, list[str]] = {}

    def worker(name: str) -> None:
        engine = Engine(_SeeThenWait(db), {"a": lambda: calls.append(name) or time.sleep(0.3)},
                        loader=lambda record: model)
        try:
            results[name] = engine.resume_all()
        finally:
            engine.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("w1", "w2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert sorted(map(len, results.values())) == [0, 1]
    assert log.get_run("r").status == "completed"


def test_two_worker_processes_racing_for_a_dead_owners_run_call_each_step_once(
        tmp_path: Path) -> None:
    db, effects = tmp_path / "r.db", tmp_path / "effects.txt"
    log = SqliteLog(db)
    log.create_run(RunRecord("slow", "Slow", owner=_dead_owner(),
                             lease_until=time.time() + 3600),
                   [RunStarted(time=0.0, process="Slow")])
    workers = [_worker(db, effects, 0.3, 0.2, "resume", 5.0) for _ in range(3)]
    outs = [w.communicate(timeout=60) for w in workers]
    assert all(w.returncode == 0 for w in workers), [o[1] for o in outs]
    assert sum("['slow']" in out for out, _ in outs) == 1  # one worker took the run
    assert effects.read_text().split() == ["a", "b"]
    assert log.get_run("slow").status == "completed"


def test_a_lease_shorter_than_the_activity_and_the_timer_is_kept_by_its_heartbeat(
        tmp_path: Path) -> None:
    db, effects = tmp_path / "r.db", tmp_path / "effects.txt"
    worker = _worker(db, effects, 2.0, 2.0, "start", 1.0)  # activities 2 s, timer 2 s
    other = None
    refused = 0
    try:
        deadline = time.monotonic() + 30
        while not effects.exists() and time.monotonic() < deadline:  # `a` has started
            time.sleep(0.05)
        other = Engine(SqliteLog(db), loader=lambda record: _model(2.0), lease=5.0)
        while worker.poll() is None and time.monotonic() < deadline:
            try:
                other.claim("slow")
            except RunError as err:
                refused += 1
                assert "held by worker" in err.message or "has completed" in err.message
            else:
                pytest.fail("a second worker took the lease of a live worker")
            time.sleep(0.1)
    finally:
        out, err = worker.communicate(timeout=60)
        if other is not None:
            other.close()
    assert worker.returncode == 0, err
    assert out.strip() == "completed"
    assert refused > 15  # ~6 s of attempts, most of them past the 1 s lease
    assert effects.read_text().split() == ["a", "b"]  # each activity ran once


def test_a_killed_workers_run_is_taken_at_once_by_a_claim_on_this_host(tmp_path: Path) -> None:
    db, effects = tmp_path / "r.db", tmp_path / "effects.txt"
    worker = _worker(db, effects, 30.0, 0.1, "start", 30.0)
    deadline = time.monotonic() + 30
    while not (effects.exists() and effects.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.kill()
    worker.communicate(timeout=30)
    engine = Engine(SqliteLog(db), {"a": lambda: None, "b": lambda: None},
                    loader=lambda record: _model(0.1))
    began = time.monotonic()
    engine.claim("slow")  # the lease had 30 s left: the dead pid is recognised instead
    assert time.monotonic() - began < 1.0
    assert engine.resume("slow") in ("running", "waiting", "completed")
    assert engine.run_until_done("slow", timeout=10) == "completed"
    engine.close()


def test_a_worker_whose_lease_was_taken_stops_before_its_next_call(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    model = Workflow(TermSystem(Prefix(Event("a"), Prefix(Event("b"), SKIP))),
                     {"a": Channel("a", ChannelKind.ACTIVITY, 0),
                      "b": Channel("b", ChannelKind.ACTIVITY, 0)})
    calls: list[str] = []

    def stalled() -> None:  # this worker stalls; another one takes the run meanwhile
        calls.append("a")
        thief = SqliteLog(db)
        thief._db.execute("UPDATE runs SET owner = 'thief', lease_until = 1e12")
        time.sleep(1.5)  # the heartbeat (every 0.1 s) finds the lease gone

    engine = Engine(SqliteLog(db), {"a": stalled, "b": lambda: calls.append("b")}, lease=0.3)
    with pytest.raises(RunError, match="another worker took over its lease"):
        engine.start(model, run_id="r")
    assert calls == ["a"]  # `b` is the thief's to call, not ours
    assert SqliteLog(db).history("r")[-1].kind == "event_fired"  # a's outcome is durable
