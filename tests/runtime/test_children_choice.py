"""Where a parent may not wait for its child: a choice, a timeout, an interrupt, twins.

Starting a child is the parent's commitment, the event ``P.x.started``
(semantics/child.py): a choice between children is resolved by it, so the
engine starts exactly the child the model chose; two identical children start
at two steps, as two runs; a child the parent discards (``/\\``) runs on,
detached, when the model has no ``cancel`` (else it is asked to cancel:
tests/runtime/test_children_discarded.py). In every case the whole tree's
history is a trace of the model the checker explored: the parent's events with
each child's trace (its ending aside) put just after the child's start event.
"""

from __future__ import annotations

from procalg.api import run as api
from procalg.api.model import loads
from procalg.lts import explore
from procalg.runtime.clock import VirtualClock
from procalg.runtime.history import ChildDiscarded, ChildEnded, ChildStarted, EventFired
from procalg.runtime.memory import MemoryLog
from tests.runtime.conftest import walk

MODEL = loads("""\
channel b : {1, 2}
activity work : {1, 2}
signal go : {1, 2}
signal stop
K(x) = work.x -> SKIP
W(x) = go.x -> SKIP
Either = child(K(2)) [] child(K(1))
ChildOrSignal = child(K(1)) [] go.2 -> SKIP
Twins = child(K(1)) ||| child(K(1))
Stoppable = (child(W(1)) ; b.1 -> SKIP) /\\ (stop -> SKIP)
Interrupting = (go.2 -> b.2 -> SKIP) /\\ child(K(1))
""", "family.proc")


def _run(process: str, run_id: str = "p"):
    eng = api.engine(MemoryLog(), activities={"work": lambda x: None}, clock=VirtualClock())
    return eng, api.start(MODEL, process, store=eng, run_id=run_id)


def _tree(log, run_id: str) -> list[str]:
    """The run's labels with each child's (recursively, its ending aside) after its start."""
    out: list[str] = []
    started: list[str] = []
    for event in log.history(run_id):
        if isinstance(event, ChildStarted):
            started.append(event.child_id)
        elif isinstance(event, EventFired):
            out.append(str(event.label))
            if out[-1].endswith(".started") and started:
                child = _tree(log, started.pop(0))
                out.extend(child[:-1] if child and child[-1] in ("✓", "throw") else child)
    return out


def _conforms(log, run_id: str, process: str) -> bool:
    return bool(walk(explore(MODEL.system(process)), _tree(log, run_id)))


def test_a_choice_between_two_children_starts_exactly_the_one_the_model_chose() -> None:
    eng, run = _run("Either")
    assert run.status == "completed" and eng.log.children("p") == ["p.0"]
    record = eng.log.get_run("p.0")
    assert (record.process, record.args) == ("K", (1,))  # the smallest start
    assert _conforms(eng.log, "p", "Either")


def test_the_model_has_no_trace_where_both_children_of_a_choice_move() -> None:
    lts = explore(MODEL.system("Either"))
    assert walk(lts, ["K.1.started", "work.1"])
    assert not walk(lts, ["work.1"])  # no child moves before the parent started it
    assert not walk(lts, ["K.1.started", "K.2.started"])
    assert not walk(lts, ["K.1.started", "work.2"])


def test_a_child_started_instead_of_waiting_for_a_signal_takes_the_choice() -> None:
    eng, run = _run("ChildOrSignal")
    assert run.status == "completed" and eng.log.children("p") == ["p.0"]
    labels = [str(e.label) for e in eng.log.history("p") if isinstance(e, EventFired)]
    assert labels[:2] == ["K.1.started", "K.1.completed"] and "go.2" not in labels
    assert _conforms(eng.log, "p", "ChildOrSignal")


def test_two_identical_children_run_as_two_runs_with_their_own_ids() -> None:
    eng, run = _run("Twins")
    assert run.status == "completed" and eng.log.children("p") == ["p.0", "p.1"]
    ended = [e.child_id for e in eng.log.history("p") if isinstance(e, ChildEnded)]
    assert sorted(ended) == ["p.0", "p.1"]
    assert all(eng.get(k).status == "completed" for k in ("p.0", "p.1"))
    assert _conforms(eng.log, "p", "Twins")
    assert api.replay(MODEL, run.history()).status == "completed"


def test_a_child_discarded_by_an_interrupt_runs_on_detached_and_the_tree_is_a_trace() -> None:
    eng, run = _run("Stoppable")
    assert (run.status, eng.get("p.0").status) == ("waiting", "waiting")
    run.signal("stop")
    assert (run.status, eng.get("p.0").status) == ("completed", "waiting")
    [discarded] = [e for e in eng.log.history("p") if isinstance(e, ChildDiscarded)]
    assert not discarded.cancel_requested  # the model has no cancel: it cannot be asked
    eng.signal("p.0", "go", 1)  # the detached child goes on to its own end
    assert eng.get("p.0").status == "completed" and run.status == "completed"
    assert _tree(eng.log, "p") == ["W.1.started", "go.1", "stop", "✓"]
    assert _conforms(eng.log, "p", "Stoppable")


def test_a_child_that_interrupts_starts_as_the_interrupting_event() -> None:
    eng, run = _run("Interrupting")
    assert run.status == "completed" and eng.log.children("p") == ["p.0"]
    labels = [str(e.label) for e in eng.log.history("p") if isinstance(e, EventFired)]
    assert labels == ["K.1.started", "K.1.completed", "✓"]
    assert _conforms(eng.log, "p", "Interrupting")
