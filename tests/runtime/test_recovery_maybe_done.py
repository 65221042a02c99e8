"""Maybe-done steps (timed out, or in flight when workers died) are compensated like done ones.

The oracle for "done" is a side-effect file the activities append to; the
rollback must undo every step whose effect may be in it, once, and hand the
compensation the undone call's idempotency key. Definitely failed steps (the
function raised) stay uncompensated, as the saga rules say.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from procalg.api import run as api
from procalg.runtime.clock import VirtualClock
from procalg.runtime.decide import CRASH_LIMIT
from procalg.runtime.history import EventFired, RunResumed
from procalg.runtime.run import Run

SAGA = """activity charge timeout 200ms
activity ship
activity refund never fails
P = saga (charge undo refund ; ship)
"""
PIVOT = """activity charge timeout 200ms
activity ship
P = saga (charge ; ship)
"""
PARALLEL = """activity a timeout 200ms
activity b
activity ua, ub never fails
P = saga ((a undo ua) ||| (b undo ub))
"""


def _run(tmp_path: Path, text: str, acts: dict, **kw: object) -> Run:
    path = tmp_path / "m.proc"
    path.write_text(text)
    clock = VirtualClock()
    run = api.start(path, "P", activities=acts, store="memory:", clock=clock,
                    retry={"*": {"maximum_attempts": 1}}, **kw)
    for _ in range(10):
        if run.status != "waiting":
            break
        clock.advance("10m")
    return run


def _labels(run: Run) -> list[str]:
    return [str(e.label) for e in run.history() if isinstance(e, EventFired)]


def test_a_timed_out_step_is_compensated_with_the_undone_calls_key(tmp_path: Path) -> None:
    calls: list[tuple] = []

    def charge(idempotency_key: str) -> None:
        calls.append(("charge", idempotency_key))
        time.sleep(0.5)  # past the 200 ms timeout: the charge may have happened

    def refund(idempotency_key: str, undoes: list[str]) -> None:
        calls.append(("refund", idempotency_key, undoes))

    run = _run(tmp_path, SAGA, {"charge": charge, "ship": lambda: None, "refund": refund})
    assert run.status == "compensated"
    key = f"{run.id}:0"
    assert calls == [("charge", key), ("refund", f"{run.id}:1", [key])]
    assert _labels(run) == ["fail.charge", "compensate", "refund", "compensated", "✓"]
    report = api.replay(tmp_path / "m.proc", run.history())  # replay rebuilds the same run
    assert report.status == "compensated" and report.trace == tuple(
        lab for lab in _labels(run) if lab != "✓")


def test_a_step_that_raised_is_not_compensated(tmp_path: Path) -> None:
    calls: list[str] = []

    def charge() -> None:
        calls.append("charge")
        raise ConnectionError("card declined")  # definitely not charged

    run = _run(tmp_path, SAGA, {"charge": charge, "ship": lambda: None,
                                "refund": lambda: calls.append("refund")})
    assert run.status == "compensated" and calls == ["charge"]


def test_a_maybe_done_pivot_is_reported_stranded(tmp_path: Path) -> None:
    run = _run(tmp_path, PIVOT, {"charge": lambda: time.sleep(0.5), "ship": lambda: None})
    assert run.status == "compensated"
    assert _labels(run) == ["fail.charge", "compensate", "stranded.charge", "compensated", "✓"]


def test_a_maybe_done_sibling_cut_by_a_failing_branch_is_compensated(tmp_path: Path) -> None:
    undone: list[str] = []

    def b() -> None:
        raise ConnectionError("b is down")

    acts = {"a": lambda: time.sleep(0.5), "b": b,
            "ua": lambda: undone.append("ua"), "ub": lambda: undone.append("ub")}
    run = _run(tmp_path, PARALLEL, acts)
    assert run.status == "compensated"
    assert undone == ["ua"]  # a may have run (timed out); b raised: nothing to undo


# -- real processes killed inside the step --------------------------------------------

_CHILD = """
import os, sys, time
from procalg.api import run as api
db, effects, first = sys.argv[1], sys.argv[2], sys.argv[3] == "start"
def make(name):
    def activity(idempotency_key, undoes=()):
        with open(effects, "a") as f:
            f.write(f"{name} {idempotency_key} {','.join(undoes)}\\n")
        if name == "charge":
            time.sleep(60)  # killed here, the charge's effect done, its outcome unrecorded
    return activity
acts = {n: make(n) for n in ("charge", "ship", "refund")}
if first:
    api.start("m.proc", "P", activities=acts, store="sqlite:///" + db, run_id="r")
else:
    api.engine("sqlite:///" + db, activities=acts).resume_all()
"""


def test_a_step_whose_workers_were_killed_is_compensated_once_with_its_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("m.proc").write_text(SAGA.replace(" timeout 200ms", ""))
    db, effects = tmp_path / "runs.db", tmp_path / "effects.txt"
    for i in range(CRASH_LIMIT):  # the start and every resume die inside `charge`
        child = subprocess.Popen([sys.executable, "-c", _CHILD, str(db), str(effects),
                                  "start" if i == 0 else "resume"], stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while (not effects.exists() or effects.read_text().count("charge") <= i) \
                and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        assert child.wait() == -signal.SIGKILL, child.stderr.read()  # type: ignore[union-attr]
    lines: list[str] = []

    def record(name: str):
        def activity(idempotency_key: str, undoes: tuple = ()) -> None:
            lines.append(f"{name} {idempotency_key} {','.join(undoes)}")
        return activity

    engine = api.engine(f"sqlite:///{db}",
                        activities={n: record(n) for n in ("charge", "ship", "refund")})
    assert engine.resume_all() == ["r"]
    run = engine.get("r")
    assert run.status == "compensated"
    assert effects.read_text().split("\n")[:-1] == ["charge r:0 "] * CRASH_LIMIT
    assert lines == ["refund r:1 r:0"]  # the crash limit gave up; the charge is undone
    resumed = [e for e in run.history() if isinstance(e, RunResumed)]
    assert len(resumed) == CRASH_LIMIT
    assert _labels(run)[-4:] == ["compensate", "refund", "compensated", "✓"]
