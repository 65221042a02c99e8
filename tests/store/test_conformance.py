"""Conformance in every store (SQLite, a real PostgreSQL server, memory), on a virtual clock:
each workflow feature, run end to end, leaves histories that are traces of the model.

The oracle is the model's LTS explored by the term rules (``explore``), not
the engine: each history's fired labels must walk it from the process the run
started. Cancelled runs, child runs (inlined into the parent's trace, as the
checker sees them; one its parent discards, cancelled), updated runs (also one
left mid-step by a dead worker),
runs resumed from snapshots of let/lambda/compression terms, continued-as-new
chains (one trace across the chain) and scheduled runs.
"""

from __future__ import annotations

from pathlib import Path

from procalg.api import run as api
from procalg.api import schedule
from procalg.api.children import named
from procalg.api.model import loads
from procalg.lts import explore
from procalg.runtime.clock import VirtualClock
from procalg.runtime.continuation import latest
from procalg.runtime.history import (
    ActivityScheduled,
    ChildDiscarded,
    ChildEnded,
    ChildStarted,
    EventFired,
    RunStarted,
)
from procalg.runtime.ports import EventLog, RunRecord, Write
from procalg.runtime.schedule import fire_due
from procalg.runtime.updates import update
from tests.runtime.conftest import model, walk

ORDER = Path(__file__).resolve().parents[2] / "models" / "cancellable_order.proc"
NAMED = """signal go : {0..2}
signal stop
activity work : {0..2}.{0..2}
add(k) = \\ y @ (y + k) % 3
Gate = go?x -> Gate [] stop -> SKIP
Loop(f, n) = let Next(r) = Loop(f, f((n + r) % 3)) within go?x -> work!x?r -> Next(r)
                                                     [] stop -> SKIP
P = Loop(add(1), 0) [| {| go, stop |} |] sbisim(Gate)
"""
HIDDEN = """signal add : {0..9}
signal stop
channel out : {0..9}
Count(n) = add?x -> Count(x) [] stop -> out!n -> SKIP
P = Count(0)
"""
AUDITED = """signal deposit : {1..3}
signal close
activity audit : {0..1}
P = audit?ok -> (if ok == 1 then Open(0) else close -> SKIP)
Open(b) = deposit?x -> Open((b + x) % 4) [] close -> SKIP
"""

FUNCTIONS = """signal go : {0..2}
signal stop
add(k) = \\ y @ (y + k) % 3
Loop(f, n) = go?x -> Loop(f, f(n + x)) [] stop -> SKIP
P = Loop(add(1), 0)
"""
DISCARDING = """activity charge : {1}
activity refund : {1} never fails
signal go : {1}
signal stop
channel b : {1}
Pay(x) = saga (charge.x undo refund.x ; (cancel -> THROW [] go.x -> SKIP))
Order = (child(Pay(1)) ; b.1 -> SKIP) /\\ (stop -> SKIP)
"""


def _labels(log: EventLog, run_id: str) -> list[str]:
    """The run's fired labels, each child's (inlined, recursively) before its outcome; a
    child the parent discarded just after its start (in the inlined model all it did
    came before the parent's step that discarded it)."""
    out: list[str] = []
    starts: dict[str, int] = {}
    for event in log.history(run_id):
        if isinstance(event, ChildStarted):
            starts[event.child_id] = len(out) + 1  # after its start event, fired next
        elif isinstance(event, ChildEnded | ChildDiscarded):
            child = _labels(log, event.child_id)
            child = child[:-1] if child and child[-1] in ("✓", "throw") else child
            at = len(out) if isinstance(event, ChildEnded) else starts[event.child_id]
            out[at:at] = child
        elif isinstance(event, EventFired):
            out.append(str(event.label))
    return out


def _is_trace(text_or_model: object, process: str, labels: list[str]) -> bool:
    loaded = loads(text_or_model, "m.proc") if isinstance(text_or_model, str) else text_or_model
    return bool(walk(explore(loaded.system(process)), labels))  # type: ignore[attr-defined]


def test_a_cancelled_run_compensates_and_its_history_is_a_trace(log: EventLog) -> None:
    calls: list[str] = []
    acts = {n: (lambda n=n: calls.append(n)) for n in ("reserve", "charge", "ship", "release",
                                                        "refund")}
    eng = api.engine(log, activities=acts, clock=VirtualClock())
    api.start(ORDER, "Order", store=eng, run_id="o")
    assert eng.get("o").cancel("out of stock") is True
    assert log.get_run("o").status == "cancelled" and calls == ["reserve", "release"]
    labels = _labels(log, "o")
    assert "cancel" in labels and _is_trace(model("cancellable_order"), "Order", labels)


def test_a_parent_and_its_children_are_one_trace_of_the_inlined_model(log: EventLog) -> None:
    clock = VirtualClock()
    acts = {a: (lambda *args: None) for a in ("charge", "ship", "refund", "notify")}
    run = api.start(model("order_children"), "Shop", store=log, clock=clock, activities=acts)
    for _ in range(20):
        if run.status not in ("running", "waiting"):
            break
        clock.advance("10m")
    assert run.status == "completed" and len(log.children(run.id)) == 2
    assert _is_trace(model("order_children"), "Shop", _labels(log, run.id))
    for kid in log.children(run.id):
        assert _is_trace(model("order_children"), f"Pay({log.get_run(kid).args[0]})",
                         _labels(log, kid))


def test_a_child_its_parent_discards_is_cancelled_and_the_tree_is_one_trace(
        log: EventLog) -> None:
    calls: list[str] = []
    acts = {n: (lambda x, n=n: calls.append(f"{n}.{x}")) for n in ("charge", "refund")}
    eng = api.engine(log, activities=acts, clock=VirtualClock())
    run = api.start(loads(DISCARDING, "discarding.proc"), "Order", store=eng, run_id="d")
    [child] = log.children("d")
    run.signal("stop")
    assert (log.get_run("d").status, log.get_run(child).status) == ("completed", "cancelled")
    assert calls == ["charge.1", "refund.1"] and log.pending(child) == []
    labels = _labels(log, "d")
    assert "cancel" in labels and _is_trace(DISCARDING, "Order", labels)


def test_updates_also_one_a_dead_worker_left_mid_step_leave_a_trace(log: EventLog) -> None:
    loaded = loads(AUDITED, "audited.proc")
    record = RunRecord("r", "P", (), loaded.content_hash, AUDITED, {})
    log.write_many([Write("r", 0, (RunStarted(time=0.0, process="P"),
                                   ActivityScheduled(time=0.0, step=0, channel="audit")),
                          "running", record=record)])
    caller = api.engine(log, activities={"audit": lambda: 1}, clock=VirtualClock())
    assert update(caller, "r", "deposit", 3, update_id="a", timeout=10).event == "deposit.3"
    assert update(caller, "r", "deposit", 2, update_id="b", timeout=10).event == "deposit.2"
    caller.signal("r", "close")
    assert log.get_run("r").status == "completed" and log.pending("r") == []
    assert _labels(log, "r") == ["audit.1", "deposit.3", "deposit.2", "close", "✓"]
    assert _is_trace(AUDITED, "P", _labels(log, "r"))


def test_a_run_resumed_from_snapshots_of_local_definitions_and_compressions_is_a_trace(
        log: EventLog) -> None:
    clock = VirtualClock()

    def engine() -> object:
        eng = api.engine(log, activities={"work": lambda x: (x + 1) % 3}, clock=clock)
        eng.snapshot_every = 3
        return eng

    first = engine()
    run = first.start(api.workflow(loads(NAMED, "named.proc"), "P"), run_id="n")
    for x in (0, 2, 1):
        run.signal("go", x)
    first.close()
    assert log.snapshot("n") is not None
    second = engine()  # a new worker resumes from the snapshot (the tail only)
    assert second.state("n").trace_offset > 0
    second.signal("n", "go", 2)
    second.signal("n", "stop")
    assert log.get_run("n").status == "completed"
    assert _is_trace(NAMED, "P", _labels(log, "n"))


def test_a_continued_chain_with_a_hidden_parameter_is_one_trace(log: EventLog) -> None:
    eng = api.engine(log, clock=VirtualClock())
    eng.continue_after = 2
    run = eng.start(api.workflow(loads(HIDDEN, "hidden.proc"), "P"), run_id="c")
    for x in (4, 7):
        run.signal("add", x)
    run.signal("stop")
    ids = ["c", "c~1", "c~2"]
    assert [log.get_run(i).status for i in ids] == ["continued", "continued", "completed"]
    assert [log.history(i)[0].args for i in ids[1:]] == [(4,), (7,)]
    labels = [lab for i in ids for lab in _labels(log, i)]
    assert labels == ["add.4", "add.7", "stop", "out.7", "✓"]
    assert _is_trace(HIDDEN, "P", labels)
    assert _is_trace(HIDDEN, "Count(7)", _labels(log, "c~2"))


def test_a_continued_chain_whose_loop_holds_a_function_value_is_one_trace(
        log: EventLog) -> None:
    for x in (1, 2, None):  # a fresh engine (a fresh load of the model) for each signal
        eng = api.engine(log, clock=VirtualClock())
        eng.continue_after = 2
        if x is None:
            eng.signal(latest(log, "f"), "stop")
        elif log.list_runs() == []:
            eng.start(api.workflow(loads(FUNCTIONS, "fn.proc"), "P"), run_id="f")
            eng.signal("f", "go", x)
        else:
            eng.signal(latest(log, "f"), "go", x)
        eng.close()
    ids = ["f", "f~1", "f~2"]
    assert [log.get_run(i).status for i in ids] == ["continued", "continued", "completed"]
    assert [named(log.get_run(i)) for i in ids[1:]] == [
        "Loop(λ[k=1], 2)", "Loop(λ[k=1], 2)"]  # (0 + 1) + 1, then (2 + 2) + 1, mod 3
    labels = [lab for i in ids for lab in _labels(log, i)]
    assert labels == ["go.1", "go.2", "stop", "✓"] and _is_trace(FUNCTIONS, "P", labels)
    for i in ids[1:]:  # each alone a trace of the call it starts, read in a fresh load
        assert api.replay(loads(FUNCTIONS, "again.proc"), log.history(i)).trace


def test_a_scheduled_run_is_a_trace(log: EventLog) -> None:
    clock = VirtualClock(start=0.0)
    text = "activity report : {0..9}\nReport(n) = report.n -> SKIP\n"
    eng = api.engine(log, activities={"report": lambda n: None}, clock=clock)
    schedule.add(eng, "hourly", loads(text, "report.proc"), "Report", 3, every="1h",
                 now=clock.now())
    clock.advance(3600.0)
    (_, run_id), = fire_due(log, clock.now())
    assert eng.resume(run_id) == "completed"
    assert _is_trace(text, "Report(3)", _labels(log, run_id))
