"""A run killed (SIGKILL / os._exit) at each checkpoint resumes on a new engine.

The child process runs a 5-step workflow on an SQLite store; every activity
appends ``step key`` to a side-effect file, and step ``k`` kills the process
right after its side effect, before the engine could commit the outcome (the
worst moment). A new engine resumes the run: steps before ``k`` ran once,
step ``k`` twice with the same idempotency key, later steps once.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from procalg.runtime.engine import Engine
from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
from procalg.store.sqlite import SqliteLog
from procalg.terms import SKIP, Event, Prefix

STEPS = 5
_MODEL = f"""
from procalg.runtime.retry import RetryPolicy
from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
from procalg.terms import SKIP, Event, Prefix
term = SKIP
for i in reversed(range({STEPS})):
    term = Prefix(Event("work", (i,)), Prefix(Event("note", (i,)), term))
MODEL = Workflow(TermSystem(term), {{"work": Channel("work", ChannelKind.ACTIVITY, 1,
                 RetryPolicy(maximum_attempts=1))}}, process="Chain")
"""
_CHILD = _MODEL + """
import os, sys
from procalg.runtime.engine import Engine
from procalg.store.sqlite import SqliteLog
db, effects, crash_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
def work(i, idempotency_key):
    with open(effects, "a") as f:
        f.write(f"{i} {idempotency_key}\\n")
    if i == crash_at:
        os._exit(9)
Engine(SqliteLog(db), {"work": work}).start(MODEL, run_id="chain")
"""


def _model() -> Workflow:
    scope: dict = {}
    exec(_MODEL, scope)  # the very model the child ran
    return scope["MODEL"]


@pytest.mark.parametrize("crash_at", range(STEPS))
def test_a_run_killed_inside_step_k_resumes_and_each_step_has_run_exactly_as_owed(
    tmp_path: Path, crash_at: int
) -> None:
    db, effects = tmp_path / "runs.db", tmp_path / "effects.txt"
    child = subprocess.run([sys.executable, "-c", _CHILD, str(db), str(effects), str(crash_at)],
                           capture_output=True, text=True, timeout=60)
    assert child.returncode == 9, child.stderr

    def work(i: int, idempotency_key: str) -> None:
        with effects.open("a") as f:
            f.write(f"{i} {idempotency_key}\n")

    began = time.monotonic()
    engine = Engine(SqliteLog(db), {"work": work}, loader=lambda record: _model())
    assert engine.resume_all() == ["chain"]
    resumed_in = time.monotonic() - began
    lines = effects.read_text().split("\n")[:-1]
    expected = [f"{i} chain:{i}" for i in range(crash_at + 1)] + [
        f"{i} chain:{i}" for i in range(crash_at, STEPS)]
    assert lines == expected
    run = engine.get("chain")
    assert run.status == "completed"
    assert [str(e) for e in run.result().trace] == [
        f"{c}.{i}" for i in range(STEPS) for c in ("work", "note")]
    assert resumed_in < 2.0  # the dead owner's lease is taken over at once


def test_a_second_engine_does_not_steal_a_live_workers_run(tmp_path: Path) -> None:
    model = Workflow(TermSystem(Prefix(Event("t"), SKIP)),
                     {"t": Channel("t", ChannelKind.TIMER, duration=60.0)})
    first = Engine(SqliteLog(tmp_path / "r.db"), loader=lambda r: model)
    run = first.start(model)
    assert run.status == "waiting"  # on its timer: the first worker keeps the lease
    second = Engine(SqliteLog(tmp_path / "r.db"), loader=lambda r: model)
    assert second.resume_all() == []  # same pid, lease still valid: not dead, not expired
    assert second.log.get_run(run.id).owner == first.owner


def test_a_run_waiting_only_for_a_signal_holds_no_lease_and_any_engine_may_signal_it(
        tmp_path: Path) -> None:
    model = Workflow(TermSystem(Prefix(Event("s"), SKIP)),
                     {"s": Channel("s", ChannelKind.SIGNAL)})
    first = Engine(SqliteLog(tmp_path / "r.db"), loader=lambda r: model)
    run = first.start(model)
    assert run.status == "waiting" and first.log.get_run(run.id).owner == ""
    second = Engine(SqliteLog(tmp_path / "r.db"), loader=lambda r: model)
    second.signal(run.id, "s")
    assert second.get(run.id).status == "completed"


# -- crashes at every checkpoint of a saga that rolls back ------------------------------

_SAGA_CHILD = """
import os, sys
from procalg.api import run as api
db, effects, crash_at, when = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def make(name):
    def activity(idempotency_key):
        with open(effects, "a") as f:
            f.write(f"{name} {idempotency_key}\\n")
        if name == "ship":
            raise ConnectionError("ship is down")
    return activity
acts = {n: make(n) for n in ("reserve", "charge", "ship", "release", "refund")}
engine = api.engine("sqlite:///" + db, activities=acts, retry={"ship": {"maximum_attempts": 1}})
real, count = engine.log.write_many, [0]
def write_many(writes):  # the crash hook: die just before or just after step commit k
    if all(w.record is not None for w in writes):  # the run's creation: not a step
        return real(writes)
    count[0] += 1
    if count[0] == crash_at and when == "before":
        os._exit(9)
    errors = real(writes)
    if count[0] == crash_at and when == "after":
        os._exit(9)
    return errors
engine.log.write_many = write_many
run = api.start(sys.argv[5], "Order", store=engine, run_id="order")
print(count[0], run.status)
"""
ORDER_MODEL = Path(__file__).resolve().parents[2] / "models" / "order_saga.proc"
SAGA_COMMITS = 5  # reserve, charge, ship (fails, then fail.ship ...), refund, release with the end


def _saga_child(tmp_path: Path, crash_at: int, when: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", _SAGA_CHILD, str(tmp_path / "runs.db"),
         str(tmp_path / "effects.txt"), str(crash_at), when, str(ORDER_MODEL)],
        capture_output=True, text=True, timeout=60)


def test_the_crash_hook_sees_every_commit_of_the_saga(tmp_path: Path) -> None:
    child = _saga_child(tmp_path, 0, "never")
    assert child.stdout.split() == [str(SAGA_COMMITS), "compensated"], child.stderr


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("crash_at", range(1, SAGA_COMMITS + 1))
def test_a_saga_killed_at_any_commit_resumes_and_every_owed_compensation_runs_once(
    tmp_path: Path, crash_at: int, when: str
) -> None:
    from procalg.api import run as api

    child = _saga_child(tmp_path, crash_at, when)
    assert child.returncode == 9, child.stderr
    effects = tmp_path / "effects.txt"

    def make(name: str):
        def activity(idempotency_key: str) -> None:
            with effects.open("a") as f:
                f.write(f"{name} {idempotency_key}\n")
            if name == "ship":
                raise ConnectionError("ship is down")
        return activity

    engine = api.engine("sqlite:///" + str(tmp_path / "runs.db"),
                        activities={n: make(n) for n in ORDER},
                        retry={"ship": {"maximum_attempts": 1}})
    began = time.monotonic()
    finished = crash_at == SAGA_COMMITS and when == "after"  # died after its last commit
    assert engine.resume_all() == ([] if finished else ["order"])
    assert time.monotonic() - began < 2.0
    assert engine.get("order").status == "compensated"
    lines = effects.read_text().split("\n")[:-1]
    names = [line.split()[0] for line in lines]
    assert sorted(set(names)) == sorted(ORDER)  # every step and every owed undo ran
    repeated = {line for line in lines if lines.count(line) > 1}
    assert len(repeated) <= 1 and all(lines.count(line) == 2 for line in repeated)
    assert names.index("refund") < names.index("release")  # last step undone first
    keys = {line.split()[1] for line in lines}
    assert len(keys) == len(set(lines))  # one idempotency key per call, reused on re-runs


ORDER = ("reserve", "charge", "ship", "release", "refund")
