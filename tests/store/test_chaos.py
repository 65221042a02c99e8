"""Chaos (bounded): 4 workers on one store SIGKILLed at random, the database server restarted.

200 runs of a saga with a timer, a signal and compensations (``MODEL``) are
started, their signals sent while they still sleep on the timer (buffered;
some runs get a second ``go`` their model can never consume), and four
``procalg worker`` processes drive them while the test SIGKILLs a random
worker every ~0.2 s (while ``charge`` calls run) and starts a new one, and,
on PostgreSQL, restarts the server once (``pg_ctl -m immediate``). A
``go.false`` makes the saga throw; every seventh run's ``charge`` fails.

Afterwards:

* every run ended: completed, or compensated (a false signal, a failed
  charge, or a charge in flight in CRASH_LIMIT of its workers' deaths --
  maybe done, so undone too); failed only by the poison-pill guard on a
  compensation;
* no recorded step ran twice: an activity ran more than once only for a step
  a resume recorded as in flight when its worker died (same idempotency key);
* every owed compensation ran once: each forward step that completed, or
  may have (in flight in a crash), in a compensated run is undone by exactly
  one completed compensation that names its key (``undoes``), and none in a
  completed run;
* every signal sent was consumed once or is visible as pending.
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
from procalg.runtime.history import (
    ActivityCompleted,
    ActivityScheduled,
    RunFailed,
    RunResumed,
    SignalReceived,
)
from procalg.store import store_from_url
from procalg.terms.values import Event

MODEL = """activity reserve, charge attempts 1
activity release, refund never fails
signal go : Bool
timer t = 1s
channel done
P = saga ( reserve undo release
         ; (t -> go?b -> (if b then SKIP else THROW)) undo SKIP
         ; charge undo refund ) ; done -> SKIP
"""
ACTS = """import os, time
def call(name):
    def act(idempotency_key, undoes=()):
        with open(os.environ["EFFECTS"], "a") as f:
            f.write(f"{name} {idempotency_key} {','.join(undoes)}\\n")
        if name == "charge":
            time.sleep(0.2)
            if int(idempotency_key.split(":")[0][1:]) % 7 == 3:
                raise ConnectionError("card declined")
    return act
ACTIVITIES = {n: call(n) for n in ("reserve", "charge", "release", "refund")}
"""
RUNS, WORKERS, KILLS = 200, 4, 8
UNDO = {"release": "reserve", "refund": "charge"}


def _worker(url: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "procalg.cli", "worker", "--db", url,
                             "--activities", "chaos_acts", "--concurrency", "8",
                             "--lease", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _start(url: str, ids: list[str]) -> None:
    import chaos_acts

    starter = api.engine(url, activities=chaos_acts.ACTIVITIES)
    wf = api.workflow(api.as_model("chaos.proc"), "P")
    starter.start_many([wf] * len(ids), run_ids=ids)  # reserve runs; each sleeps on t
    starter.close()


def _chaos(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
           restart: object = None) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    effects = tmp_path / "effects.txt"
    monkeypatch.setenv("EFFECTS", str(effects))
    Path("chaos.proc").write_text(MODEL)
    Path("chaos_acts.py").write_text(ACTS)
    ids = [f"c{i:03}" for i in range(RUNS)]
    began = time.monotonic()
    _start(url, ids)
    log = store_from_url(url)
    sent: dict[str, int] = {}
    for i, run_id in enumerate(ids):  # buffered (as engine.send does when a worker holds it)
        values = [i % 5 != 4] + ([True] if i % 10 == 1 else [])  # a second go: never consumed
        for value in values:
            log.send(run_id, SignalReceived(time=time.time(), event=Event("go", (value,))))
        sent[run_id] = len(values)
    rng = random.Random(12)
    workers = [_worker(url) for _ in range(WORKERS)]
    kills, deadline, restarted = 0, time.monotonic() + 150, restart is None
    try:
        while time.monotonic() < deadline:
            try:
                if all(r.status not in ("running", "waiting") for r in log.list_runs()):
                    break
            except Exception:  # the server restarting
                pass
            time.sleep(0.2)
            busy = effects.exists() and effects.read_text().count("charge") > 10
            if kills < KILLS and busy:  # kill while the workers are inside `charge` calls
                victim = workers.pop(rng.randrange(len(workers) - 1))  # not the newest
                victim.send_signal(signal.SIGKILL)
                victim.wait()
                workers.append(_worker(url))
                kills += 1
            elif busy and not restarted:
                restart()  # type: ignore[operator]
                restarted = True
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        errors = [w.communicate(timeout=60)[1] for w in workers]
    elapsed = time.monotonic() - began
    log = store_from_url(url)
    _check(log, ids, sent, effects, errors)
    assert kills >= 3 and restarted, kills
    print(f"chaos: {RUNS} runs, {kills} kills, restarted={restart is not None}, "
          f"{elapsed:.1f}s")


def _check(log: object, ids: list[str], sent: dict[str, int], effects: Path,
           errors: list[str]) -> None:
    lines = [line.split(" ") for line in effects.read_text().split("\n") if line]
    calls = collections.Counter(key for _, key, _ in lines)
    # compact first (pytest shortens a long message in the middle): which runs are left
    left = [(r.run_id, r.status.value, r.owner, r.wake_at) for r in log.list_runs()  # type: ignore[attr-defined]
            if r.status in ("running", "waiting")]
    assert not left, (len(left), left[:5], [type(e).__name__ for e in log.history(left[0][0])],  # type: ignore[attr-defined]
                      [err[-400:] for err in errors])
    statuses = collections.Counter()
    for run_id in ids:
        record = log.get_run(run_id)  # type: ignore[attr-defined]
        history = log.history(run_id)  # type: ignore[attr-defined]
        statuses[record.status] += 1
        assert record.status in ("completed", "compensated", "failed"), (
            run_id, record.status, record.owner, history, log.pending(run_id), errors)  # type: ignore[attr-defined]
        assert record.owner == "", (run_id, record.status, record.owner, [
            type(e).__name__ for e in history], errors)
        if record.status == "failed":
            _assert_failed_by_repeated_crashes(history)
        in_flight = {f"{run_id}:{step}" for e in history if isinstance(e, RunResumed)
                     for step, _, _ in e.calls}
        channel_of = {e.step: e.channel for e in history if isinstance(e, ActivityScheduled)}
        channel_of.update({step: c for e in history if isinstance(e, RunResumed)
                           for step, c, _ in e.calls})
        completed = {f"{run_id}:{e.step}": channel_of[e.step] for e in history
                     if isinstance(e, ActivityCompleted)}
        for key in completed:  # no recorded step ran twice
            assert calls[key] == 1 or key in in_flight, (key, calls[key])
        # owed compensations: each completed (or maybe-done) forward step, undone once
        # (by distinct compensation calls: a re-run in flight in a crash is checked above)
        undone = collections.Counter(forward for _, forward in {
            (key, forward) for name, key, undoes in lines if name in UNDO and key in completed
            for forward in filter(None, undoes.split(","))})
        if record.status == "compensated":
            owed = {k for k, c in completed.items() if c in UNDO.values()}
            maybe = {k for k in in_flight if k not in completed
                     and channel_of[int(k.split(":")[1])] == "charge"}
            assert set(undone) - maybe == owed, (run_id, dict(undone), owed)
            assert all(n == 1 for n in undone.values()), (run_id, undone)
        elif record.status == "completed":
            assert not undone, (run_id, undone)
        # every signal sent was consumed once or is visible as pending
        consumed = sum(isinstance(e, SignalReceived) for e in history)
        assert consumed + len(log.pending(run_id)) == sent[run_id], run_id  # type: ignore[attr-defined]
        assert consumed == 1
    assert statuses["completed"] > RUNS // 2 and statuses["compensated"] > RUNS // 10, statuses


def _assert_failed_by_repeated_crashes(history: list) -> None:
    """A run may fail only as the engine's poison-pill guard (a compensation in flight in
    CRASH_LIMIT of its workers' deaths: random kills can do that)."""
    in_flight = collections.Counter(step for e in history if isinstance(e, RunResumed)
                                    for step, _, _ in e.calls)
    assert any(isinstance(e, RunFailed) and "WorkerCrashed" in e.error for e in history)
    assert max(in_flight.values(), default=0) >= CRASH_LIMIT


def test_four_workers_killed_at_random_on_one_sqlite_file_lose_no_run_and_owe_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _chaos(f"sqlite:///{tmp_path / 'runs.db'}", tmp_path, monkeypatch)


def test_four_workers_killed_and_the_server_restarted_on_postgresql_lose_no_run(
        fresh_postgres: str, postgres_server: dict, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _chaos(fresh_postgres, tmp_path, monkeypatch, restart=postgres_server["restart"])
    assert os.path.isdir(postgres_server["data"])
