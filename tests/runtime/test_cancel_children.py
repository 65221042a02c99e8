"""Cancelling a parent run cancels the child runs it started (issue 13)."""

from __future__ import annotations

from procalg.api import run as api
from procalg.api.model import loads
from procalg.runtime.clock import VirtualClock
from procalg.runtime.history import CancelRequested, ChildDiscarded, SignalReceived
from procalg.runtime.memory import MemoryLog
from procalg.runtime.ports import Write
from procalg.terms.child import outcome_event
from procalg.terms.values import Event

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


def test_the_request_to_a_discarded_child_commits_with_its_parents_cancel(
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
    with monkeypatch.context() as crash:  # the worker dies right after the parent's commit
        crash.setattr(cancellation, "cancel_children", lambda *args, **kwargs: [])
        crash.setattr(first, "_follow_up", lambda run_id: None)
        assert run.cancel("customer left")
    assert first.get(child).status == "waiting"  # nobody drove it, but it was asked:
    assert [s.reason for _, s in log.pending(child)] == ["customer left"]
    discarded = [e for e in log.history("o") if isinstance(e, ChildDiscarded)]
    assert [(e.child_id, e.cancel_requested) for e in discarded] == [(child, True)]
    second = api.engine(log, activities=acts, clock=VirtualClock())
    assert second.resume_all() == [child]  # found by its inbox (the parent's lease is live)
    assert second.get(child).status == "cancelled"
    reasons = [e.reason for e in log.history(child) if isinstance(e, CancelRequested)]
    assert reasons == ["customer left"] and log.pending(child) == []


class _LateOutcome(MemoryLog):
    """A store where the child's outcome lands in the parent's inbox just before the
    parent's final commit: as when another thread or worker ends the child between
    the parent's last look at its inbox and that commit (resume_all drives both)."""

    def write_many(self, writes: list[Write]) -> list:
        for write in writes:
            if write.run_id == "o" and write.status == "cancelled":
                self.send("o", SignalReceived(time=0.0, event=outcome_event(
                    "Pay", (1,), "compensated")))
                self.send("o", SignalReceived(time=0.0, event=Event("approve")))
        return super().write_many(writes)


def test_a_childs_outcome_arriving_as_its_parent_ends_is_dropped_by_the_final_commit() -> None:
    acts = dict.fromkeys(("reserve", "charge", "release", "refund"), lambda: None)
    log = _LateOutcome()
    eng = api.engine(log, activities=acts, clock=VirtualClock())
    run = api.start(loads(FAMILY, "family.proc"), "Order", 1, store=eng, run_id="o")
    assert run.cancel("customer left")
    assert (run.status, eng.get("o.1").status) == ("cancelled", "cancelled")
    # the late outcome is gone with the parent's end; a plain signal stays, as ever
    assert [str(sent.event) for _, sent in log.pending("o")] == ["approve"]
