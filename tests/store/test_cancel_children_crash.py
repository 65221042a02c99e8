"""A worker killed (os._exit) at each commit of a parent's cancellation, also between
the parent's cancel and its child's, resumes on a new engine, which finishes both: the
child is asked once (the request commits with the parent's cancel), both compensate
once (or again with the same idempotency key), both end ``cancelled``; on SQLite and
on a real PostgreSQL server; each history is a trace of the model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from procalg.api import run as api
from procalg.api.model import load
from procalg.runtime.history import CancelRequested, ChildDiscarded, EventFired

FAMILY = """\
activity reserve, charge attempts 1
activity release, refund never fails
signal approve
Pay(o) = saga (charge undo refund ; (cancel -> THROW [] approve -> SKIP))
Order(o) = saga (reserve undo release ; (child(Pay(o)) /\\ (cancel -> THROW)))
assert Order(1) :[deadlock free]
assert Order(1) :[compensation complete]
"""
NAMES = ("reserve", "charge", "release", "refund")
_WORKER = """
import os, sys
from procalg.api import run as api
from procalg.api.model import load
url, effects, crash_at, when, path = sys.argv[1:6]
NAMES = ("reserve", "charge", "release", "refund")
crash_at = int(crash_at)
def make(name):
    def activity(idempotency_key):
        with open(effects, "a") as f:
            f.write(f"{name} {idempotency_key}\\n")
    return activity
engine = api.engine(url, activities={n: make(n) for n in NAMES})
api.start(load(path), "Order", 1, store=engine, run_id="o")  # the child waits for approve
real, count = engine.log.write_many, [0]
def write_many(writes):  # die just before or just after the cancellation's commit k
    count[0] += 1
    if count[0] == crash_at and when == "before":
        os._exit(9)
    errors = real(writes)
    if count[0] == crash_at and when == "after":
        os._exit(9)
    return errors
engine.log.write_many = write_many
engine.cancel("o", "customer left")
print(count[0], engine.get("o").status, engine.get("o.1").status)
"""
COMMITS = 6
"""The parent's cancel (with its child's request), the child's cancel, its compensate,
its refund and end, then the parent's compensate, its release and end (some grouped)."""


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'runs.db'}"
    return request.getfixturevalue("fresh_postgres")


def _worker(url: str, tmp_path: Path, crash_at: int, when: str) -> subprocess.CompletedProcess:
    model = tmp_path / "family.proc"
    model.write_text(FAMILY)
    return subprocess.run([sys.executable, "-c", _WORKER, url, str(tmp_path / "effects.txt"),
                           str(crash_at), when, str(model)],
                          capture_output=True, text=True, timeout=120)


def test_the_crash_hook_sees_every_commit_of_the_cancellation(url: str, tmp_path: Path) -> None:
    worker = _worker(url, tmp_path, 0, "never")
    assert worker.stdout.split() == [str(COMMITS), "cancelled", "cancelled"], worker.stderr


@pytest.mark.parametrize(("crash_at", "when"), [
    (1, "before"), (1, "after"), (2, "before"), (2, "after"), (4, "after"), (COMMITS, "before")])
def test_a_worker_killed_mid_cancellation_of_a_parent_resumes_and_cancels_both(
        url: str, tmp_path: Path, crash_at: int, when: str) -> None:
    worker = _worker(url, tmp_path, crash_at, when)
    assert worker.returncode == 9, worker.stderr
    effects = tmp_path / "effects.txt"

    def make(name: str):
        def activity(idempotency_key: str) -> None:
            with effects.open("a") as f:
                f.write(f"{name} {idempotency_key}\n")
        return activity

    engine = api.engine(url, activities={n: make(n) for n in NAMES})
    for _ in range(3):  # a run's resume may wake the other (a child's end, a request)
        engine.resume_all()
        if all(engine.get(r).status == "cancelled" for r in ("o", "o.1")):
            break
    assert (engine.get("o").status, engine.get("o.1").status) == ("cancelled", "cancelled")
    lines = [line.split() for line in effects.read_text().splitlines()]
    for name in NAMES:  # each side effect once, or again with the same key after a crash
        keys = [key for n, key in lines if n == name]
        assert len(set(keys)) == 1, (name, lines)
    model = load(tmp_path / "family.proc")
    for run_id in ("o", "o.1"):
        history = engine.log.history(run_id)
        assert sum(isinstance(e, CancelRequested) for e in history) == 1
        assert [str(e.label) for e in history if isinstance(e, EventFired)].count("cancel") == 1
        assert engine.log.pending(run_id) == []  # the discarded child's end: taken out
        report = api.replay(model, history)  # a trace of the model, ending cancelled
        assert report.status == "cancelled"
    discarded = [e for e in engine.log.history("o") if isinstance(e, ChildDiscarded)]
    assert [(e.child_id, e.cancel_requested) for e in discarded] == [("o.1", True)]
    engine.close()
