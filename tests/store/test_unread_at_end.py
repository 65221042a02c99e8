"""Signals, updates and cancel requests left in the inbox of a run that ended without
listening for them are shown as unread at its end, not pending, on SQLite, a real
PostgreSQL server and the in-memory log (api/runs.history_table, ``procalg runs show``),
and are no longer among the inboxes a worker looks at (``EventLog.inboxes``)."""

from __future__ import annotations

import pytest

from procalg.api import run as api
from procalg.api.model import loads
from procalg.api.runs import history_table
from procalg.runtime.history import SignalReceived
from procalg.runtime.ports import EventLog
from procalg.runtime.status import RunFinished, RunStatus
from procalg.terms.values import Event

MODEL = """signal go : {0..9}
signal stop
P = stop -> SKIP [] go?x -> go?y -> SKIP
"""


def test_a_signal_the_run_never_listened_for_again_is_unread_at_its_end(log: EventLog) -> None:
    eng = api.engine(log)
    api.start(loads(MODEL, "m.proc"), "P", store=eng, run_id="r")
    eng.send("r", "go", 1)  # taken: the run now waits for a second go, or for nothing
    assert history_table(eng, "r").pending == ()
    log.send("r", SignalReceived(time=eng.clock.now(), event=Event("stop")))  # never offered
    going = history_table(eng, "r")
    assert [e for e, _ in going.pending] == ["stop"] and going.unread == ()
    assert list(log.inboxes()) == ["r"]  # a worker looks at a run going with a signal
    eng.send("r", "go", 2)
    ended = history_table(eng, "r")
    assert ended.status is RunStatus.COMPLETED
    assert ended.pending == () and [e for e, _ in ended.unread] == ["stop"]
    assert log.inboxes() == {}  # kept for `runs show`, but no worker looks at it again
    with pytest.raises(RunFinished):  # nothing joins them after the end
        log.send("r", SignalReceived(time=eng.clock.now(), event=Event("go", (3,))))
    assert [e for e, _ in history_table(eng, "r").unread] == ["stop"]
    eng.close()


def test_a_run_that_ends_having_read_its_inbox_leaves_nothing_unread(log: EventLog) -> None:
    eng = api.engine(log)
    api.start(loads(MODEL, "m.proc"), "P", store=eng, run_id="r")
    eng.send("r", "stop")
    ended = history_table(eng, "r")
    assert ended.status is RunStatus.COMPLETED and (ended.pending, ended.unread) == ((), ())
    eng.close()
