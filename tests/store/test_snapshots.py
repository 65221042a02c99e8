"""Snapshots in every store: kept per run, never replaced by an older one, and
crash-safe (a worker killed while writing them leaves a run that resumes exactly)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from procalg.api import run as api
from procalg.runtime.clock import VirtualClock
from procalg.runtime.decide import RunState, evolve
from procalg.runtime.history import EventFired, RunStarted
from procalg.runtime.ports import EventLog, RunRecord
from procalg.store import store_from_url
from procalg.terms.values import Event

LOOP = """signal go : {0..9}
activity work : {0..9}.{0..9}
Loop(n) = go?x -> work!x?r -> Loop((n + r) % 10)
P = Loop(0)
"""
FIELDS = ("sid", "status", "seq", "steps", "inflight", "failures", "retry_at", "timers",
          "gave_up", "crashes", "maybe_done")


def _work(x: int) -> int:
    return (x * 7) % 10


def test_the_tail_is_the_history_from_a_seq_on(log: EventLog) -> None:
    log.create_run(RunRecord("r", "P"), [RunStarted(time=0.0, process="P")])
    log.append("r", 1, [EventFired(time=float(i), label=Event("e", (i,))) for i in range(5)])
    assert log.tail("r", 4) == log.history("r")[4:] and len(log.tail("r", 4)) == 2
    assert log.tail("r", 9) == []


def test_a_run_keeps_its_latest_snapshot_and_an_older_one_never_replaces_it(
        log: EventLog) -> None:
    log.create_run(RunRecord("r", "P"), [RunStarted(time=0.0, process="P")])
    assert log.snapshot("r") is None
    log.save_snapshot("r", 10, "ten")
    log.save_snapshot("r", 20, "twenty")
    log.save_snapshot("r", 15, "fifteen")  # a slow worker that lost the run
    assert log.snapshot("r") == (20, "twenty")


def test_a_signal_to_a_long_run_reads_its_snapshot_and_tail_never_the_whole_history(
        log: EventLog, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = VirtualClock()
    eng = api.engine(log, activities={"work": _work}, clock=clock)
    eng.snapshot_every = 10
    run = eng.start(api.workflow(api._model(LOOP, "loop.proc"), "P"))
    for i in range(12):
        run.signal("go", i % 10)
    eng.close()
    assert log.snapshot(run.id)[0] >= log.length(run.id) - 10
    full = log.history(run.id)
    monkeypatch.setattr(log, "history", lambda run_id: pytest.fail("read the whole history"))
    other = api.engine(log, activities={"work": _work}, clock=clock)
    api._rebuild(log, log.get_run(run.id), None)  # what `procalg runs signal` does first
    assert other.send(run.id, "go", 3)  # buffered, then consumed by the resumed run
    monkeypatch.undo()
    assert [str(e.label) for e in log.history(run.id)[len(full):]
            if isinstance(e, EventFired)] == ["go.3", "work.3.1"]


_WORKER = """
import sys
from procalg.api import run as api
eng = api.engine(sys.argv[1], activities={"work": lambda x: (x * 7) % 10})
eng.snapshot_every = 1  # a snapshot after every commit: the kill lands in one often
save = eng.log.save_snapshot
def saving(*args):
    print("writing", flush=True)
    save(*args)
eng.log.save_snapshot = saving
run = eng.start(api.workflow(api._model(sys.argv[2], "loop.proc"), "P"), run_id="r")
i = 0
while True:
    run.signal("go", i % 10)
    i += 1
"""


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_a_worker_killed_while_writing_snapshots_leaves_a_run_that_resumes_exactly(
        store: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = (f"sqlite:///{tmp_path / 'runs.db'}" if store == "sqlite"
           else request.getfixturevalue("fresh_postgres"))
    store_from_url(url).close()  # the schema exists before the worker starts
    child = subprocess.Popen([sys.executable, "-c", _WORKER, url, LOOP],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    for _ in range(40):
        assert child.stdout.readline().strip() == "writing"
    child.kill()  # SIGKILL, right after it said it was writing a snapshot
    child.wait()
    log = store_from_url(url)
    eng = api.engine(log, activities={"work": _work}, clock=VirtualClock())
    restored = eng.state("r")
    replayed = RunState.initial(restored.workflow)
    for event in log.history("r"):
        evolve(replayed, event)
    machine = restored.workflow.machine
    # A process state may have two numbers: the compiled machine's (a call key such as
    # Loop(0), reached by replay) and the term path's (the snapshot's term looked up by
    # equality, here P = Loop(0)); the run is in the same state when the terms agree.
    assert machine.term(restored.sid) == machine.term(replayed.sid)
    for name in FIELDS[1:]:
        assert getattr(restored, name) == getattr(replayed, name), name
    assert eng.leases.take("r")  # its worker is dead (by pid): taken at once
    eng.resume("r")  # killed at its wait, or mid-step (then its call runs again)
    eng.signal("r", "go", 4)
    assert eng.get("r").status == "waiting"
    log.close()


def test_a_run_continues_as_new_in_the_store_linked_both_ways(log: EventLog) -> None:
    from procalg.runtime.history import ContinuedFrom, RunContinued

    eng = api.engine(log, activities={"work": _work}, clock=VirtualClock())
    eng.continue_after = 8
    run = eng.start(api.workflow(api._model(LOOP, "loop.proc"), "P"), run_id="r")
    for i in range(3):
        run.signal("go", i)
    eng.close()
    assert [(r.run_id, r.process, r.args, r.status) for r in log.list_runs()] == [
        ("r", "P", (), "continued"), ("r~1", "Loop", (7,), "waiting")]
    assert isinstance(log.history("r")[-1], RunContinued)
    assert log.history("r~1")[1] == ContinuedFrom(time=0.0, previous_run="r")
    other = api.engine(log, activities={"work": _work}, clock=VirtualClock())
    other.signal("r", "go", 5)  # sent to the first id: the newest run takes it
    assert [str(e.label) for e in log.history("r~1") if isinstance(e, EventFired)][-2:] == \
        ["go.5", "work.5.5"]
