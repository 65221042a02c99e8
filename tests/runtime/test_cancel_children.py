"""Cancelling a parent run cancels the child runs it started (issue 13)."""

from __future__ import annotations

from procalg.api import run as api
from procalg.api.model import loads
from procalg.runtime.clock import VirtualClock
from procalg.runtime.history import CancelRequested
from procalg.runtime.memory import MemoryLog

FAMILY = """\
activity reserve, charge attempts 1
activity release, refund never fails
signal approve
Pay(o) = saga (charge undo refund ; (cancel -> THROW [] approve -> SKIP))
Order(o) = saga (reserve undo release ; (child(Pay(o)) /\\ (cancel -> THROW)))
assert Order(1) :[deadlock free]
assert Order(1) :[compensation complete]
"""


def test_a_cancelled_parent_cancels_its_waiting_child_and_both_compensate() -> None:
    calls: list[str] = []
    acts = {n: (lambda n=n: calls.append(n)) for n in ("reserve", "charge", "release", "refund")}
    eng = api.engine(MemoryLog(), activities=acts, clock=VirtualClock())
    model = loads(FAMILY, "family.proc")
    run = api.start(model, "Order", 1, store=eng, run_id="o")
    [child] = eng.log.children("o")
    assert (run.status, eng.get(child).status) == ("waiting", "waiting")
    assert run.cancel("customer left")
    assert (run.status, eng.get(child).status) == ("cancelled", "cancelled")
    # the child's charge is refunded, the parent's reservation released: nothing left half-done
    assert calls == ["reserve", "charge", "refund", "release"]
    reasons = [e.reason for e in eng.log.history(child) if isinstance(e, CancelRequested)]
    assert reasons == ["customer left"]
    for run_id in ("o", child):  # both histories are traces of the model (else ReplayError)
        report = api.replay(model, eng.log.history(run_id))
        assert report.status == "cancelled" and "cancel" in report.trace


def test_a_parent_resumed_after_a_crash_between_its_cancel_and_its_childrens_asks_again(
        monkeypatch) -> None:
    from procalg.runtime import cancel as cancellation

    calls: list[str] = []
    releases = iter([ConnectionError("the stock service is down")])

    def release() -> None:
        failure = next(releases, None)
        if failure:  # the parent's rollback waits for a retry: the run is still going
            raise failure
        calls.append("release")

    acts = {"reserve": lambda: None, "charge": lambda: None, "refund": lambda: None,
            "release": release}
    log, model = MemoryLog(), loads(FAMILY, "family.proc")
    first = api.engine(log, activities=acts, clock=VirtualClock())
    run = api.start(model, "Order", 1, store=first, run_id="o")
    [child] = log.children("o")
    with monkeypatch.context() as crash:  # the worker dies before asking the children
        crash.setattr(cancellation, "cancel_children", lambda *args, **kwargs: [])
        assert run.cancel("customer left")
    assert first.get(child).status == "waiting"  # nobody asked it
    assert first.get("o").status in ("running", "waiting")  # its release will be retried
    second = api.engine(log, activities=acts, clock=VirtualClock())
    second.resume("o")
    assert second.get(child).status == "cancelled"
    reasons = [e.reason for e in log.history(child) if isinstance(e, CancelRequested)]
    assert reasons == ["its parent run o was cancelled"]
