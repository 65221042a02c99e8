"""Two real ``procalg worker`` processes fire a schedule once per due time, on SQLite and
on a real PostgreSQL server."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

import pytest

from procalg.api import schedule
from procalg.store import store_from_url

MODEL = "activity a\nP = a -> SKIP\n"
ACTS = """import os
def a(idempotency_key):
    with open(os.environ["EFFECTS"], "a") as f:
        f.write(idempotency_key.split(":")[0] + "\\n")
ACTIVITIES = {"a": a}
"""
TICKS = 4


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'runs.db'}"
    return request.getfixturevalue("fresh_postgres")


def test_two_worker_processes_start_exactly_one_run_per_due_time(
        url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    effects = tmp_path / "effects.txt"
    monkeypatch.setenv("EFFECTS", str(effects))
    Path("m.proc").write_text(MODEL)
    Path("acts.py").write_text(ACTS)
    log = store_from_url(url)
    schedule.add(log, "tick", "m.proc", "P", every="1s", catch_up="all")
    workers = [subprocess.Popen([sys.executable, "-m", "procalg.cli", "worker", "--db", url,
                                 "--activities", "acts", *flags], cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for flags in ([], ["--log-level", "info"])]
    for w in workers:
        assert w.stdout is not None and w.stdout.readline().startswith("worker ")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and sum(
            r.status == "completed" for r in log.search_runs(attrs={"schedule": "tick"})
    ) < TICKS:
        time.sleep(0.1)
    log.update_schedule("tick", paused=True)  # nothing new while the workers stop
    time.sleep(0.5)
    for w in workers:
        w.send_signal(signal.SIGTERM)
    for w in workers:
        w.wait(timeout=30)
    # read through the text buffers (communicate() would skip what readline() buffered)
    outs = [(w.stdout.read(), w.stderr.read()) for w in workers]  # type: ignore[union-attr]
    assert [w.returncode for w in workers] == [0, 0], [o[1] for o in outs]
    runs = log.search_runs(attrs={"schedule": "tick"})
    ids = [r.run_id for r in runs]
    log.close()
    assert len(ids) >= TICKS
    # each due time was started by exactly one worker, and no due time was skipped
    started = re.findall(r"run (\S+) started by schedule tick", outs[0][0] + outs[1][0])
    assert sorted(started) == sorted(ids)
    seconds = sorted(time.mktime(time.strptime(i[len("tick-"):-1], "%Y%m%dT%H%M%S"))
                     for i in ids)
    assert [b - a for a, b in pairwise(seconds)] == [1.0] * (len(ids) - 1)
    assert all(r.status == "completed" for r in runs)
    assert sorted(effects.read_text().split()) == sorted(ids)  # one call per run
    logged = re.findall(r"INFO run=(\S+) step=0 procalg.run: activity a completed", outs[1][1])
    assert set(logged) <= set(ids) and outs[0][1] == ""  # run id and step on each record
