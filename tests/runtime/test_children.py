"""Child runs at run time: histories are traces, and a crash at any commit starts one child.

Conformance: a child's history is a trace of its process; the parent's
history, with each child's trace put just before its outcome event, is a
trace of the parent with its children inlined (the LTS the checker explored).
Crashes: a process driving a parent and its child is killed (``os._exit``)
just before or just after each of its commits; a new engine finishes both,
with exactly one child run and every activity run once or, if its outcome was
not committed, twice with the same idempotency key. Twin children
(``child(Pay(o)) ||| child(Pay(o))``, 14 commits) finish as exactly two runs
with the same two ids whatever the crash.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api import run as api
from procalg.lts import explore
from procalg.runtime.clock import VirtualClock
from procalg.runtime.history import ChildEnded, ChildStarted, EventFired, HistoryEvent
from tests.runtime.conftest import lts_of, model, walk

ACTIVITIES = ("charge", "ship", "refund", "notify")


def _labels(history: list[HistoryEvent]) -> list[str]:
    return [str(e.label) for e in history if isinstance(e, EventFired)]


def _inlined(log, run_id: str) -> list[str]:
    """The run's labels with each child's (inlined, recursively) before its outcome."""
    out: list[str] = []
    ended = {}
    for event in log.history(run_id):
        if isinstance(event, ChildEnded):
            ended[event.child_id] = True
            child = _inlined(log, event.child_id)
            out.extend(child[:-1] if child and child[-1] in ("✓", "throw") else child)
        elif isinstance(event, EventFired):
            out.append(str(event.label))
    return out


@settings(max_examples=25, deadline=None)
@given(failing=st.lists(st.sampled_from(["charge", "ship"]), max_size=6))
def test_parent_and_child_histories_are_traces_of_the_model(failing: list[str]) -> None:
    attempts = iter(failing + [""] * 20)

    def make(name: str):
        def activity(order: int) -> None:
            if name in ("charge", "ship") and next(attempts) == name:
                raise ConnectionError(f"{name} is down")
        return activity

    clock = VirtualClock()
    run = api.start(model("order_children"), "Shop", store="memory:", clock=clock,
                    activities={a: make(a) for a in ACTIVITIES})
    for _ in range(20):
        if run.status not in ("running", "waiting"):
            break
        clock.advance("10m")
    log = run.engine.log
    assert run.status in ("completed", "compensated")
    kids = log.children(run.id)
    assert len(kids) == 2 and all(log.get_run(k).status in ("completed", "compensated")
                                  for k in kids)
    assert walk(lts_of("order_children", "Shop"), _inlined(log, run.id))
    for kid in kids:
        started = log.get_run(kid)
        text = f"Pay({started.args[0]})"
        assert walk(explore(model("order_children").system(text)), _labels(log.history(kid)))
    # the parent's own history is a trace of what the engine steps it by (children opaque)
    assert api.replay(model("order_children"), run.history()).status == run.status


# -- killed at every commit ---------------------------------------------------------------

_PROCESS = """
import os, sys
from procalg.api import run as api
db, effects, crash_at, when, model, process = sys.argv[1:7]
crash_at = int(crash_at)
def make(name):
    def activity(order, idempotency_key):
        with open(effects, "a") as f:
            f.write(f"{name} {idempotency_key}\\n")
    return activity
engine = api.engine("sqlite:///" + db, activities={n: make(n) for n in ("charge", "ship")})
real, count = engine.log.write_many, [0]
def write_many(writes):  # die just before or just after commit k (the parent's creation aside)
    if all(w.record is not None and w.parent is None for w in writes):
        return real(writes)
    count[0] += 1
    if count[0] == crash_at and when == "before":
        os._exit(9)
    errors = real(writes)
    if count[0] == crash_at and when == "after":
        os._exit(9)
    return errors
engine.log.write_many = write_many
run = api.start(model, process, 1, store=engine, run_id="o")
print(count[0], run.status)
"""
_MODEL = """\
activity charge, ship : {1, 2}
Pay(o) = charge.o -> SKIP
Order(o) = child(Pay(o)) ; ship.o -> SKIP
Twins(o) = (child(Pay(o)) ||| child(Pay(o))) ; ship.o -> SKIP
assert Order(1) :[deadlock free]
"""
COMMITS = 8  # every commit of parent and child from the child's creation to the parent's end
TWIN_COMMITS = 14  # the same with two identical children


def _kill(tmp_path: Path, crash_at: int, when: str,
          process: str = "Order") -> subprocess.CompletedProcess:
    (tmp_path / "shop.proc").write_text(_MODEL)
    return subprocess.run(
        [sys.executable, "-c", _PROCESS, str(tmp_path / "runs.db"), str(tmp_path / "fx.txt"),
         str(crash_at), when, str(tmp_path / "shop.proc"), process],
        capture_output=True, text=True, timeout=60)


def test_the_crash_hook_sees_every_commit_of_parent_and_child(tmp_path: Path) -> None:
    done = _kill(tmp_path, 0, "never")
    assert done.stdout.split() == [str(COMMITS), "completed"], done.stderr


def test_the_crash_hook_sees_every_commit_of_parent_and_twin_children(tmp_path: Path) -> None:
    done = _kill(tmp_path, 0, "never", "Twins")
    assert done.stdout.split() == [str(TWIN_COMMITS), "completed"], done.stderr


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("crash_at", range(1, COMMITS + 1))
def test_a_parent_and_child_killed_at_any_commit_finish_with_exactly_one_child(
    tmp_path: Path, crash_at: int, when: str
) -> None:
    killed = _kill(tmp_path, crash_at, when)
    assert killed.returncode == 9, killed.stderr
    effects = tmp_path / "fx.txt"

    def make(name: str):
        def activity(order: int, idempotency_key: str) -> None:
            with effects.open("a") as f:
                f.write(f"{name} {idempotency_key}\n")
        return activity

    engine = api.engine("sqlite:///" + str(tmp_path / "runs.db"),
                        activities={n: make(n) for n in ("charge", "ship")})
    for _ in range(3):  # a resumed child wakes its parent; a resumed parent takes its child
        engine.resume_all()
    log = engine.log
    assert log.get_run("o").status == "completed"
    assert log.children("o") == ["o.0"] and log.get_run("o.0").status == "completed"
    assert [type(e) for e in log.history("o")].count(ChildStarted) == 1
    lines = effects.read_text().split("\n")[:-1]
    assert sorted({line.split()[0] for line in lines}) == ["charge", "ship"]
    assert all(lines.count(line) <= 2 for line in lines)  # at most once more, same key
    assert {line.split()[1] for line in lines if line.startswith("charge")} == {"o.0:0"}


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("crash_at", range(1, TWIN_COMMITS + 1))
def test_twin_children_killed_at_any_commit_finish_as_exactly_two_runs(
    tmp_path: Path, crash_at: int, when: str
) -> None:
    killed = _kill(tmp_path, crash_at, when, "Twins")
    assert killed.returncode == 9, killed.stderr
    effects = tmp_path / "fx.txt"

    def make(name: str):
        def activity(order: int, idempotency_key: str) -> None:
            with effects.open("a") as f:
                f.write(f"{name} {idempotency_key}\n")
        return activity

    engine = api.engine("sqlite:///" + str(tmp_path / "runs.db"),
                        activities={n: make(n) for n in ("charge", "ship")})
    for _ in range(3):
        engine.resume_all()
    log = engine.log
    assert log.get_run("o").status == "completed"
    assert log.children("o") == ["o.0", "o.1"]  # the same two ids, whatever the crash
    assert all(log.get_run(k).status == "completed" for k in ("o.0", "o.1"))
    history = log.history("o")
    assert [type(e) for e in history].count(ChildStarted) == 2
    assert sorted(e.child_id for e in history if isinstance(e, ChildEnded)) == ["o.0", "o.1"]
    lines = effects.read_text().split("\n")[:-1]
    assert all(lines.count(line) <= 2 for line in lines)  # at most once more, same key
    assert {line.split()[1] for line in lines if line.startswith("charge")} == {"o.0:0", "o.1:0"}


def test_a_history_written_before_child_starts_were_events_still_replays() -> None:
    import dataclasses

    from procalg.terms.child import STARTED
    from procalg.terms.values import Atom

    clock = VirtualClock()
    run = api.start(model("order_children"), "Shop", store="memory:", clock=clock,
                    activities={a: (lambda order: None) for a in ACTIVITIES})
    assert run.status == "completed"
    new = run.history()
    def start(e: HistoryEvent) -> bool:
        return isinstance(e, EventFired) and getattr(e.label, "fields", ())[-1:] == (Atom(STARTED),)

    old = [dataclasses.replace(e, start_recorded=False) if isinstance(e, ChildStarted) else e
           for e in new if not start(e)]
    assert len(old) == len(new) - 2  # Shop's two children: their start events dropped
    report = api.replay(model("order_children"), old)
    assert report.status == "completed"
    assert report.trace == api.replay(model("order_children"), new).trace
    assert "Pay.1.started" in report.trace
