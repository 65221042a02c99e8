"""A worker killed (os._exit) at each commit of a cancellation resumes on a new engine,
which finishes it: the saga's compensation runs (once, or again with the same
idempotency key if the worker died right after its side effect), the request is
taken exactly once, and the run ends ``cancelled`` -- on SQLite and on a real
PostgreSQL server; the history is a trace of the model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from procalg.api import run as api
from procalg.api.model import load
from procalg.runtime.history import CancelRequested, EventFired

ORDER = Path(__file__).resolve().parents[2] / "models" / "cancellable_order.proc"
_CHILD = """
import os, sys
from procalg.api import run as api
url, effects, crash_at, when, model = sys.argv[1:6]
crash_at = int(crash_at)
def make(name):
    def activity(idempotency_key):
        with open(effects, "a") as f:
            f.write(f"{name} {idempotency_key}\\n")
        if name == "release" and when == "inside":
            os._exit(9)  # the undo's side effect happened; its outcome is not committed
    return activity
engine = api.engine(url, activities={n: make(n) for n in
                    ("reserve", "charge", "ship", "release", "refund")})
api.start(model, "Order", store=engine, run_id="order")  # reserve, then waits for approve
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
engine.cancel("order", "stop")
print(count[0], engine.get("order").status)
"""
COMMITS = 3  # the request taken (cancel); compensate, before the undo starts; release, end


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh store: an SQLite file, or a new database on the session's PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'runs.db'}"
    return request.getfixturevalue("fresh_postgres")


def _child(url: str, tmp_path: Path, crash_at: int, when: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", _CHILD, url, str(tmp_path / "effects.txt"),
         str(crash_at), when, str(ORDER)], capture_output=True, text=True, timeout=60)


def test_the_crash_hook_sees_every_commit_of_the_cancellation(url: str, tmp_path: Path) -> None:
    child = _child(url, tmp_path, 0, "never")
    assert child.stdout.split() == [str(COMMITS), "cancelled"], child.stderr


@pytest.mark.parametrize(("crash_at", "when"), [
    (1, "before"), (1, "after"), (2, "after"), (3, "before"), (0, "inside")])
def test_a_worker_killed_mid_cancellation_resumes_and_finishes_it(
        url: str, tmp_path: Path, crash_at: int, when: str) -> None:
    child = _child(url, tmp_path, crash_at, when)
    assert child.returncode == 9, child.stderr
    effects = tmp_path / "effects.txt"

    def make(name: str):
        def activity(idempotency_key: str) -> None:
            with effects.open("a") as f:
                f.write(f"{name} {idempotency_key}\n")
        return activity

    names = ("reserve", "charge", "ship", "release", "refund")
    engine = api.engine(url, activities={n: make(n) for n in names})
    assert engine.resume_all() == ["order"]
    assert engine.get("order").status == "cancelled"
    lines = effects.read_text().split("\n")[:-1]
    assert [line.split()[0] for line in lines if line.startswith("reserve")] == ["reserve"]
    releases = [line for line in lines if line.startswith("release")]
    # died after the undo's side effect, before its outcome was committed: it runs again
    again = when == "inside" or (crash_at, when) == (COMMITS, "before")
    assert len(set(releases)) == 1 and len(releases) == (2 if again else 1)
    history = engine.log.history("order")
    assert sum(isinstance(e, CancelRequested) for e in history) == 1
    fired = [str(e.label) for e in history if isinstance(e, EventFired)]
    assert fired.count("cancel") == 1 and engine.log.pending("order") == []
    api.replay(load(ORDER), history)  # the whole history is a trace of the model
    engine.close()
