"""A child its parent discards (an interrupt, a throw, the parent's end) is asked to cancel.

In the inlined model a discarded child does nothing more; the engine cannot
undo what the child run already did, so it asks the child to take ``cancel``
(its model says what that means: a saga compensates), in the same commit as the
parent's step that discarded it (``ChildDiscarded`` in the parent's history). A
model without ``cancel`` (tests/runtime/test_children_choice.py), or a child that
can reach no cancellation point, is left detached.
Each whole tree's history, the child's trace put after its start, is a trace of
the model the checker explored.
"""

from __future__ import annotations

from procalg.api import run as api
from procalg.api.model import loads
from procalg.api.narrate import story
from procalg.lts import explore
from procalg.runtime.clock import VirtualClock
from procalg.runtime.history import CancelRequested, ChildDiscarded
from procalg.runtime.memory import MemoryLog
from tests.runtime.conftest import walk
from tests.runtime.test_children_choice import _tree

MODEL = loads("""\
channel b : {1}
activity charge, work : {1}
activity refund : {1} never fails
signal go : {1}
signal stop
Pay(x) = saga (charge.x undo refund.x ; (cancel -> THROW [] go.x -> SKIP))
Slow(x) = go.x -> SKIP
Stopped = (child(Pay(1)) ; b.1 -> SKIP) /\\ (stop -> SKIP)
Thrown = saga (work.1 undo SKIP ; (child(Pay(1)) ||| stop -> THROW))
Left = (child(Slow(1)) ; b.1 -> SKIP) /\\ (stop -> SKIP)
""", "discard.proc")


def _run(process: str):
    calls: list[str] = []
    acts = {n: (lambda x, n=n: calls.append(f"{n}.{x}")) for n in ("charge", "refund", "work")}
    eng = api.engine(MemoryLog(), activities=acts, clock=VirtualClock())
    return eng, api.start(MODEL, process, store=eng, run_id="p"), calls


def _conforms(log, process: str) -> bool:
    return bool(walk(explore(MODEL.system(process)), _tree(log, "p")))


def test_a_child_discarded_by_an_interrupt_is_cancelled_and_compensates() -> None:
    eng, run, calls = _run("Stopped")
    assert (run.status, eng.get("p.0").status) == ("waiting", "waiting")
    run.signal("stop")
    assert (run.status, eng.get("p.0").status) == ("completed", "cancelled")
    assert calls == ["charge.1", "refund.1"]  # nothing the discarded child did is left
    [discarded] = [e for e in eng.log.history("p") if isinstance(e, ChildDiscarded)]
    assert (discarded.child_id, discarded.cancel_requested) == ("p.0", True)
    reasons = [e.reason for e in eng.log.history("p.0") if isinstance(e, CancelRequested)]
    assert reasons == ["its parent run p went on without it"]
    assert eng.log.pending("p") == [] and eng.log.pending("p.0") == []
    told = [line.text for line in story(eng.log.history("p"))]
    assert "child run p.0 discarded by the model: asked to cancel" in told
    assert _conforms(eng.log, "Stopped")


def test_a_child_discarded_by_its_parents_throw_is_cancelled_before_the_parent_ends() -> None:
    eng, run, calls = _run("Thrown")
    [child] = eng.log.children("p")
    run.signal("stop")
    assert (run.status, eng.get(child).status) == ("compensated", "cancelled")
    assert calls == ["work.1", "charge.1", "refund.1"]
    history = eng.log.history("p")
    assert type(history[-2]) is ChildDiscarded  # recorded before the parent's end
    assert _conforms(eng.log, "Thrown")


def test_a_child_whose_outcome_the_parent_still_awaits_is_left_alone() -> None:
    eng, run, _ = _run("Stopped")
    eng.signal("p.0", "go", 1)
    assert (run.status, eng.get("p.0").status) == ("completed", "completed")
    assert not any(isinstance(e, ChildDiscarded) for e in eng.log.history("p"))
    assert eng.log.pending("p.0") == []
    assert _conforms(eng.log, "Stopped")


def test_a_discarded_child_that_can_reach_no_cancel_is_not_asked_and_runs_on() -> None:
    # the model names cancel, but Slow never offers it: a request would wait for ever
    eng, run, _ = _run("Left")
    assert (run.status, eng.get("p.0").status) == ("waiting", "waiting")
    run.signal("stop")
    assert run.status == "completed"
    [discarded] = [e for e in eng.log.history("p") if isinstance(e, ChildDiscarded)]
    assert (discarded.child_id, discarded.cancel_requested) == ("p.0", False)
    assert eng.log.pending("p.0") == []  # nothing left in its inbox
    eng.signal("p.0", "go", 1)
    assert eng.get("p.0").status == "completed"  # detached, it runs on to its end
    assert _conforms(eng.log, "Left")
