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
