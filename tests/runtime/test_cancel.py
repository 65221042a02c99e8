"""Cancellation on the engine (virtual clock): where the model offers ``cancel``, a
durable request is taken, the saga compensates what it completed, the run ends
``cancelled``; elsewhere the request waits; ended runs, models without
``cancel`` and runs that can reach no cancellation point refuse it. Every history
is a trace of the model (conformance)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api import run as api
from procalg.api.cancel import cancel, cancel_tree
from procalg.api.model import Model, loads
from procalg.errors import RunError
from procalg.runtime.clock import VirtualClock
from procalg.runtime.engine import Engine
from procalg.runtime.history import CancelRequested, EventFired, RunCancelled
from procalg.runtime.memory import MemoryLog
from procalg.terms.cancel import CANCEL_EVENT
from tests.runtime.conftest import lts_of, model, walk

ACTS = ("reserve", "charge", "ship", "release", "refund")

# cancellable only before ship: the request made while it waits for go stays pending
LATE = loads("""
activity charge, ship
activity refund never fails
signal go
timer settle = 10s
Order = saga (go undo SKIP ; charge undo refund ; settle -> SKIP undo SKIP
              ; (cancel -> THROW [] ship))
""")


def _engine(calls: list[str], log: MemoryLog | None = None) -> Engine:
    def make(name: str) -> Callable[[], None]:
        return lambda: calls.append(name)
    return api.engine(log or MemoryLog(), activities={n: make(n) for n in ACTS},
                      clock=VirtualClock())


def _visible(eng: Engine, run_id: str) -> list[str]:
    return [str(e) for e in eng.state(run_id).trace]


def _start(eng: Engine, which: Model | str, run_id: str = "r") -> None:
    api.start(model(which) if isinstance(which, str) else which, "Order", store=eng,
              run_id=run_id)


def test_a_run_waiting_at_a_cancellation_point_takes_cancel_and_undoes_its_steps() -> None:
    calls: list[str] = []
    eng = _engine(calls)
    _start(eng, "cancellable_order")
    assert eng.get("r").status == "waiting" and calls == ["reserve"]
    done = cancel(eng, "r", "customer changed their mind")
    assert (done.taken, done.status) == (True, "cancelled")
    assert calls == ["reserve", "release"]
    assert _visible(eng, "r") == ["reserve", "cancel", "compensate", "release", "compensated"]
    history = eng.log.history("r")
    requested = [e for e in history if isinstance(e, CancelRequested)]
    assert [e.reason for e in requested] == ["customer changed their mind"]
    assert isinstance(history[-1], RunCancelled)
    assert eng.log.pending("r") == []
    assert eng.get("r").result().status == "cancelled"


def test_a_cancelled_history_is_a_trace_of_the_model() -> None:
    eng = _engine([])
    _start(eng, "cancellable_order")
    eng.get("r").cancel("stop")
    lts = lts_of("cancellable_order", "Order")
    fired = [str(e.label) for e in eng.log.history("r") if isinstance(e, EventFired)]
    assert walk(lts, fired)
    report = api.replay(model("cancellable_order"), eng.log.history("r"))
    assert report.status == "cancelled"


def test_a_request_the_model_cannot_take_yet_waits_and_wins_over_the_next_step() -> None:
    calls: list[str] = []
    eng = _engine(calls)
    _start(eng, LATE)
    assert cancel(eng, "r", "too slow").taken is False  # waiting for go: no cancel there
    assert eng.get("r").status == "waiting"
    assert [type(s).__name__ for _, s in eng.log.pending("r")] == ["CancelRequested"]
    assert cancel(eng, "r").taken is False  # a second request adds nothing
    assert len(eng.log.pending("r")) == 1
    eng.get("r").signal("go")
    eng.clock.advance(10)  # settle fires; then cancel is offered beside ship, and wins
    assert eng.get("r").status == "cancelled"
    assert calls == ["charge", "refund"]  # ship never started
    assert _visible(eng, "r") == ["go", "charge", "settle", "cancel", "compensate", "refund",
                                  "compensated"]


def test_without_a_request_the_cancellation_point_is_passed_and_the_run_completes() -> None:
    calls: list[str] = []
    eng = _engine(calls)
    _start(eng, LATE)
    eng.get("r").signal("go")
    eng.clock.advance(10)
    assert eng.get("r").status == "completed" and calls == ["charge", "ship"]


def test_waiting_on_names_cancellation_apart_from_signals() -> None:
    eng = _engine([])
    _start(eng, "cancellable_order")
    assert {(w.kind, w.what) for w in eng.get("r").waiting_on()} == {
        ("signal", "approve"), ("cancel", "allowed")}


def test_an_ended_run_refuses_a_cancel_request() -> None:
    eng = _engine([])
    _start(eng, "cancellable_order")
    eng.get("r").cancel()
    with pytest.raises(RunError, match=r"run r has finished: cancelled at [-\d]+ [:\d]+;"
                                       " it cannot be cancelled"):
        eng.get("r").cancel()
    assert eng.log.pending("r") == []


def test_a_model_that_never_offers_cancel_refuses_the_request() -> None:
    eng = _engine([])
    _start(eng, loads("signal go\nactivity ship\nOrder = go -> ship -> SKIP"))
    with pytest.raises(RunError, match="its process Order never offers the event cancel"):
        cancel(eng, "r")
    assert eng.log.pending("r") == []


def test_a_run_that_can_reach_no_cancellation_point_refuses_the_request() -> None:
    # a request it could never take would stay pending for ever (the run goes on as asked)
    eng = _engine([])
    _start(eng, loads("signal go, more\nactivity ship\n"
                      "Order = (go -> SKIP [] cancel -> SKIP) ; more -> ship -> SKIP"))
    eng.get("r").signal("go")  # past the only cancellation point
    with pytest.raises(RunError, match="run r cannot be cancelled any more: no position"):
        cancel(eng, "r")
    assert eng.log.pending("r") == [] and eng.get("r").status == "waiting"


def test_a_run_that_may_still_reach_a_cancellation_point_keeps_the_request_pending() -> None:
    eng = _engine([])
    _start(eng, loads("signal go, more\nOrder = go -> (more -> SKIP [] cancel -> SKIP)"))
    assert cancel(eng, "r").taken is False  # waits for go: cancel comes after it
    assert [type(sent) for _, sent in eng.log.pending("r")] == [CancelRequested]
    eng.get("r").signal("go")
    assert eng.get("r").status == "cancelled"


def test_a_plain_process_listening_for_cancel_ends_cancelled_without_a_saga() -> None:
    calls: list[str] = []
    eng = _engine(calls)
    text = "signal tick_\nactivity ship\nOrder = (tick_ -> Order) /\\ (cancel -> ship -> SKIP)"
    _start(eng, loads(text))
    eng.get("r").signal("tick_")
    assert cancel(eng, "r").status == "cancelled"
    assert calls == ["ship"]  # the model's own clean-up after cancel


def test_cancelling_children_requests_each_running_child_and_skips_ended_ones() -> None:
    eng = _engine([])
    for run_id in ("a", "b", "c"):
        _start(eng, "cancellable_order", run_id)
    eng.get("c").cancel()
    assert cancel_tree(eng, ["a", "b", "c"], "parent cancelled") == ["a", "b"]
    assert [eng.get(r).status for r in "abc"] == ["cancelled"] * 3


def test_the_on_cancel_hook_propagates_a_parents_cancellation_to_its_children() -> None:
    eng = _engine([])
    for run_id in ("parent", "child"):
        _start(eng, "cancellable_order", run_id)
    children = {"parent": ["child"]}
    eng.on_cancel = lambda run_id, why: cancel_tree(eng, children.get(run_id, []), why)
    eng.get("parent").cancel("customer left")
    assert eng.get("child").status == "cancelled"
    reasons = [e.reason for e in eng.log.history("child") if isinstance(e, CancelRequested)]
    assert reasons == ["customer left"]


def test_cancel_cannot_be_sent_as_a_signal() -> None:
    eng = _engine([])
    _start(eng, "cancellable_order")
    with pytest.raises(RunError, match="cancel is not a signal"):
        eng.send("r", "cancel")


@settings(max_examples=40, deadline=None)
@given(failing=st.sets(st.sampled_from(["reserve", "charge", "ship"])),
       moves=st.lists(st.sampled_from(["approve", "cancel", "1m"]), max_size=5))
def test_with_random_failures_signals_and_cancels_every_history_is_a_trace(
        failing: set[str], moves: list[str]) -> None:
    def make(name: str) -> Callable[[], None]:
        def call() -> None:
            if name in failing:
                raise ConnectionError(f"{name} is down")
        return call
    eng = api.engine(MemoryLog(), activities={n: make(n) for n in ACTS}, clock=VirtualClock())
    _start(eng, "cancellable_order")
    for move in moves:
        if eng.get("r").status not in ("running", "waiting"):
            break
        if move == "1m":
            eng.clock.advance(60)
        elif move == "approve":
            eng.send("r", "approve")
        else:
            eng.get("r").cancel()
    eng.clock.advance(3600)  # every retry and back-off done
    status = eng.get("r").status
    fired = [str(e.label) for e in eng.log.history("r") if isinstance(e, EventFired)]
    assert walk(lts_of("cancellable_order", "Order"), fired), fired
    assert (status == "cancelled") == ("cancel" in fired and fired[-1] == "✓")
    if "cancel" in fired:  # a cancelled saga undid exactly what it completed
        assert fired[fired.index("cancel") + 1] == "compensate"
        assert (status, fired[-2]) == ("cancelled", "compensated")


def test_a_worker_takes_a_request_whose_sender_died_before_driving_the_run(
        tmp_path: Path) -> None:
    import threading
    import time

    from procalg.runtime.serve import serve
    from procalg.store.sqlite import SqliteLog

    db = tmp_path / "r.db"
    calls: list[str] = []
    acts = {n: (lambda n=n: calls.append(n)) for n in ACTS}
    starter = api.engine(SqliteLog(db), activities=acts)
    _start(starter, "cancellable_order")  # reserve; waits for approve, holding no lease
    starter.close()
    log = SqliteLog(db)  # the sender buffered its request, then died before driving
    log.send("r", CancelRequested(time=0.0, event=CANCEL_EVENT, reason="sender died"))
    stop = threading.Event()
    worker = threading.Thread(target=serve, args=(api.engine(SqliteLog(db), activities=acts),),
                              kwargs={"stop": stop, "poll": 0.05})
    worker.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and log.get_run("r").status != "cancelled":
        time.sleep(0.05)
    stop.set()
    worker.join()
    assert log.get_run("r").status == "cancelled" and calls == ["reserve", "release"]


def test_replaying_a_history_at_a_cancellation_point_names_cancel_as_a_next_move() -> None:
    eng = _engine([])
    _start(eng, "cancellable_order")
    report = api.replay(model("cancellable_order"), eng.log.history("r"))
    assert (report.status, report.next) == ("waiting", ("signal approve", "cancel"))
