"""Cancel requests are durable in every store (SQLite, a real PostgreSQL, memory): any
engine may request one, and whichever engine drives the run later takes it."""

from __future__ import annotations

from pathlib import Path

from procalg.api import run as api
from procalg.api.model import loads
from procalg.runtime.clock import VirtualClock
from procalg.runtime.engine import Engine
from procalg.runtime.history import CancelRequested, RunCancelled
from procalg.runtime.ports import EventLog

ORDER = Path(__file__).resolve().parents[2] / "models" / "cancellable_order.proc"
LATE = loads("""
activity charge, ship
activity refund never fails
signal go
Order = saga (go undo SKIP ; charge undo refund ; (cancel -> THROW [] ship))
""")


def _engine(log: EventLog, calls: list[str], clock: VirtualClock) -> Engine:
    acts = {n: (lambda n=n: calls.append(n)) for n in ("reserve", "charge", "ship", "release",
                                                        "refund")}
    return api.engine(log, activities=acts, clock=clock)


def test_another_engine_cancels_a_waiting_run_and_the_store_records_it(log: EventLog) -> None:
    calls: list[str] = []
    clock = VirtualClock()
    api.start(ORDER, "Order", store=_engine(log, calls, clock), run_id="o")
    operator = _engine(log, calls, clock)
    assert operator.get("o").cancel("out of stock") is True
    assert log.get_run("o").status == "cancelled"
    history = log.history("o")
    assert [e.reason for e in history if isinstance(e, CancelRequested)] == ["out of stock"]
    assert isinstance(history[-1], RunCancelled)
    assert calls == ["reserve", "release"] and log.pending("o") == []


def test_a_pending_request_outlives_its_sender_and_a_later_engine_takes_it(
        log: EventLog) -> None:
    calls: list[str] = []
    clock = VirtualClock()
    api.start(LATE, "Order", store=_engine(log, calls, clock), run_id="o")
    sender = _engine(log, calls, clock)
    assert sender.get("o").cancel("late") is False
    sender.close()  # the requester is gone; the request is in the store
    worker = _engine(log, calls, clock)
    assert worker.send("o", "go") is True
    assert log.get_run("o").status == "cancelled"
    assert calls == ["charge", "refund"]
    assert [e.reason for e in log.history("o") if isinstance(e, CancelRequested)] == ["late"]
    assert log.pending("o") == []
