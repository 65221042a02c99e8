"""procalg worker: real worker processes drive due runs and stop cleanly on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from procalg.api import run as api
from procalg.store.sqlite import SqliteLog

MODEL = """activity a, b
timer t = 300ms
P(i) = a -> t -> b -> SKIP
"""
ACTS = """import os, pathlib
def call(name):
    def act():
        with open(os.environ["EFFECTS"], "a") as f:
            f.write(name + "\\n")
    return act
ACTIVITIES = {"a": call("a"), "b": call("b")}
"""


def test_two_worker_processes_finish_the_runs_and_exit_0_on_sigterm(
        tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    effects = tmp_path / "effects.txt"
    monkeypatch.setenv("EFFECTS", str(effects))
    Path("m.proc").write_text(MODEL.replace("P(i) = ", "P = "))
    Path("acts.py").write_text(ACTS)
    import acts

    starter = api.engine("sqlite:///runs.db", activities=acts.ACTIVITIES)
    for i in range(6):  # each does `a`, then waits on its timer
        api.start("m.proc", "P", store=starter, run_id=f"r{i}")
    starter.close()  # and goes away: the workers fire the timers
    workers = [subprocess.Popen([sys.executable, "-m", "procalg.cli", "worker", "--db",
                                 "runs.db", "--activities", "acts", "--concurrency", "2"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    for w in workers:  # serving (its SIGTERM handler is installed)
        assert w.stdout is not None and w.stdout.readline().startswith("worker ")
    log = SqliteLog("runs.db")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(r.status != "completed"
                                              for r in log.list_runs()):
        time.sleep(0.1)
    for w in workers:
        w.send_signal(signal.SIGTERM)
    outs = [w.communicate(timeout=30) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], [o[1] for o in outs]
    assert all(r.status == "completed" and r.owner == "" for r in log.list_runs())
    assert sorted(effects.read_text().split()) == ["a"] * 6 + ["b"] * 6
    assert all("worker stopped" in out for out, _ in outs)
