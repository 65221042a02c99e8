"""On SQLite, between two real processes, a send from outside (a signal, an update, a
cancel request) never lands unread in a run that has ended: one process holds its
transaction open (the run's final commit, or the send) while this one acts, and lets it
commit once told. SQLite has one writer at a time, so the send that waited finds the run
ended (refused), and the final commit that waited finds the send (a continue-as-new
carries it into the new run). A send that read the status first and then inserted would
read the old row while the final commit is in flight, and insert after it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from procalg.errors import RunError
from procalg.runtime.history import (
    ContinuedFrom,
    RunContinued,
    RunStarted,
    SignalReceived,
    UpdateReceived,
)
from procalg.runtime.ports import RunRecord, Write
from procalg.store.sqlite import SqliteLog
from procalg.terms.values import Event
from tests.runtime.conftest import in_thread

GO = SignalReceived(time=2.0, event=Event("go"))
ROOT = Path(__file__).resolve().parents[2]

OTHER = """
import sys
from procalg.runtime.history import ContinuedFrom, RunCompleted, RunContinued, RunStarted
from procalg.runtime.history import SignalReceived
from procalg.runtime.ports import RunRecord, Write
from procalg.store.sqlite import SqliteLog
from procalg.terms.values import Event
from tests.runtime.conftest import in_thread

path, what = sys.argv[1], sys.argv[2]


def hold():  # every statement done, the transaction open: wait to be told
    print("ready", flush=True)
    sys.stdin.readline()


class Held(SqliteLog):
    def _apply(self, write, rows):
        super()._apply(write, rows)
        if write.run_id == "p":
            hold()

    def _buffer(self, db, run_id, body):
        ident = super()._buffer(db, run_id, body)
        hold()
        return ident


log = Held(path)
if what == "send":
    print(log.send("p", SignalReceived(time=2.0, event=Event("go"))), flush=True)
elif what == "completed":
    log.write_many([Write("p", 1, (RunCompleted(time=3.0),), status="completed")])
else:  # continue-as-new as p~1
    log.write_many([
        Write("p", 1, (RunContinued(time=3.0, next_run="p~1"),), status="continued",
              carry="p~1"),
        Write("p~1", 0, (RunStarted(time=3.0, process="Order"),
                         ContinuedFrom(time=3.0, previous_run="p")),
              record=RunRecord("p~1", "Order", (), "h", "P = a -> STOP", {}))])
log.close()
"""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[str, SqliteLog]]:
    """A store holding run ``p``, running; its path and a log on it (this process's)."""
    path = str(tmp_path / "runs.db")
    log = SqliteLog(path)
    log.create_run(RunRecord("p", "Order", (1,), "h", "P = a -> STOP", {}),
                   [RunStarted(time=0.0, process="Order", args=(1,))])
    yield path, log
    log.close()


def _other(path: str, what: str) -> subprocess.Popen:
    """The other process, at its hold (its transaction open) when this returns."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", OTHER, path, what], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready", \
        "the other process never held its transaction open"
    return proc


def _let_go(proc: subprocess.Popen) -> str:
    """Let the other process commit; what it printed after."""
    out, _ = proc.communicate("go\n", timeout=60)
    assert proc.returncode == 0
    return out


def _waiting(action: Any) -> tuple[threading.Thread, list]:
    """Start ``action`` in a thread and give it time to reach SQLite's lock (a look at the
    run's row, if it makes one first, happens before)."""
    started = in_thread(action)
    time.sleep(0.5)
    return started


@pytest.mark.parametrize("status", ["completed", "continued"])
@pytest.mark.parametrize("kind", ["signal", "update"])
def test_a_send_made_while_another_process_commits_the_runs_end_is_refused(
        store: tuple[str, SqliteLog], status: str, kind: str) -> None:
    path, log = store
    other = _other(path, status)
    sent = UpdateReceived(time=2.0, event=Event("go"), update_id="u1")
    thread, answer = _waiting(lambda: log.send("p", GO) if kind == "signal"
                              else log.send_update("p", sent))
    _let_go(other)
    thread.join(60)
    assert log.get_run("p").status == status
    assert isinstance(answer[0], RunError) and "has finished" in answer[0].message, answer[0]
    assert answer[0].status == status
    assert log.pending("p") == [] and log.update_entry("p", "u1") is None


def test_a_continue_as_new_made_while_another_process_sends_carries_the_signal(
        store: tuple[str, SqliteLog]) -> None:
    path, log = store
    other = _other(path, "send")
    writes = [Write("p", 1, (RunContinued(time=3.0, next_run="p~1"),), status="continued",
                    carry="p~1"),
              Write("p~1", 0, (RunStarted(time=3.0, process="Order"),
                               ContinuedFrom(time=3.0, previous_run="p")),
                    record=RunRecord("p~1", "Order", (), "h", "P = a -> STOP", {}))]
    thread, answer = _waiting(lambda: log.write_many(writes))
    ident = int(_let_go(other))
    thread.join(60)
    assert answer == [[None, None]] and log.get_run("p").status == "continued"
    assert log.pending("p") == [] and log.pending("p~1") == [(ident, GO)]
