"""Chaos (bounded): worker processes SIGKILLed at random, the database server restarted.

Runs of ``reserve -> t (timer) -> go?b (signal) -> charge -> done`` are
started, their signals sent while they still sleep on the timer (buffered),
and three ``procalg worker`` processes drive them while the test kills a
random worker every ~0.2 s (up to six times) and starts a new one (and, on PostgreSQL,
restarts the server once). Afterwards: every run ended -- completed, or
failed by the poison-pill guard when one call was in flight in CRASH_LIMIT of
its workers' deaths (random kills can do that) -- every signal was
consumed exactly once, and an activity ran more than once only for a step
that a resume recorded as in flight when its worker died (at-least-once,
never a recorded step again).
"""

from __future__ import annotations

import collections
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from procalg.api import run as api
from procalg.runtime.decide import CRASH_LIMIT
from procalg.runtime.history import ActivityCompleted, RunFailed, RunResumed, SignalReceived
from procalg.store import store_from_url
from procalg.terms.values import Event

MODEL = """activity reserve, charge
signal go : Bool
timer t = 1s
channel done
P = reserve -> t -> go?b -> charge -> done -> SKIP
"""
ACTS = """import os, time
def call(name):
    def act(idempotency_key):
        with open(os.environ["EFFECTS"], "a") as f:
            f.write(f"{name} {idempotency_key}\\n")
        time.sleep(0.3 if name == 'charge' else 0.0)
    return act
ACTIVITIES = {"reserve": call("reserve"), "charge": call("charge")}
"""
RUNS = 24


def _worker(url: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "procalg.cli", "worker", "--db", url,
                             "--activities", "chaos_acts", "--concurrency", "3",
                             "--lease", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _chaos(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
           restart: object = None) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    effects = tmp_path / "effects.txt"
    monkeypatch.setenv("EFFECTS", str(effects))
    Path("chaos.proc").write_text(MODEL)
    Path("chaos_acts.py").write_text(ACTS)
    import chaos_acts

    starter = api.engine(url, activities=chaos_acts.ACTIVITIES)
    ids = [f"c{i:03}" for i in range(RUNS)]
    for run_id in ids:
        api.start("chaos.proc", "P", store=starter, run_id=run_id)
    starter.close()
    log = store_from_url(url)
    for run_id in ids:  # buffered (as engine.send does when another worker holds the run)
        log.send(run_id, SignalReceived(time=time.time(), event=Event("go", (True,))))
    rng = random.Random(12)
    workers = [_worker(url) for _ in range(3)]
    kills, deadline, restarted = 0, time.monotonic() + 90, restart is None
    try:
        while time.monotonic() < deadline:
            try:
                if all(r.status in ("completed", "failed") for r in log.list_runs()):
                    break
            except Exception:  # the server restarting
                pass
            time.sleep(0.2)
            busy = effects.exists() and "charge" in effects.read_text()
            if kills < 6 and busy:  # kill while the workers are inside `charge` calls
                victim = workers.pop(rng.randrange(len(workers) - 1))  # not the newest
                victim.send_signal(signal.SIGKILL)
                victim.wait()
                workers.append(_worker(url))
                kills += 1
            elif not restarted:
                restart()  # type: ignore[operator]
                restarted = True
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        errors = [w.communicate(timeout=60)[1] for w in workers]
    log = store_from_url(url)
    for record in log.list_runs():
        assert record.status in ("completed", "failed"), (record.run_id, record.status, errors)
        if record.status == "failed":  # poison-pill guard: only after CRASH_LIMIT kills in one call
            _assert_failed_by_repeated_crashes(log.history(record.run_id))
    # up to six kills; a quiet machine may finish every run before the sixth
    assert kills >= 3 and restarted, kills
    runs = collections.Counter(line.split()[1] for line in effects.read_text().split("\n")
                               if line)
    resumed = 0
    for run_id in ids:
        history = log.history(run_id)
        resumed += any(isinstance(e, RunResumed) for e in history)
        assert sum(isinstance(e, SignalReceived) for e in history) == 1
        assert log.pending(run_id) == []
        in_flight = {f"{run_id}:{step}" for e in history if isinstance(e, RunResumed)
                     for step, _, _ in e.calls}
        for e in history:
            if isinstance(e, ActivityCompleted):
                key = f"{run_id}:{e.step}"
                assert runs[key] == 1 or key in in_flight, (key, runs[key])
    assert all(r.owner == "" for r in log.list_runs())
    print(f"chaos: {kills} kills, {sum(runs.values())} activity calls for "
          f"{2 * RUNS} steps, {resumed} runs resumed after a crash")


def _assert_failed_by_repeated_crashes(history: list) -> None:
    """A run may fail only as the engine's poison-pill guard: the same call was in
    flight in CRASH_LIMIT of its workers' deaths (six random kills can do that)."""
    in_flight = collections.Counter(step for e in history if isinstance(e, RunResumed)
                                    for step, _, _ in e.calls)
    assert any(isinstance(e, RunFailed) and "WorkerCrashed" in e.error for e in history)
    assert max(in_flight.values(), default=0) >= CRASH_LIMIT


def test_workers_killed_at_random_on_sqlite_lose_no_run_and_repeat_no_recorded_step(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _chaos(f"sqlite:///{tmp_path / 'runs.db'}", tmp_path, monkeypatch)


def test_workers_killed_and_the_server_restarted_on_postgresql_lose_no_run(
        fresh_postgres: str, postgres_server: dict, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _chaos(fresh_postgres, tmp_path, monkeypatch, restart=postgres_server["restart"])
    assert os.path.isdir(postgres_server["data"])
