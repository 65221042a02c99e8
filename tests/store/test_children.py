"""Child runs in every store (SQLite, PostgreSQL, memory): links, outcomes, workers.

A parent's child is a run of its own; the store keeps its link to the parent
(``run_parents``, written with the child's creation) and the child's final
commit puts its outcome into the parent's inbox in the same transaction.
"""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

from procalg.api import run as api
from procalg.api.model import loads
from procalg.runtime.clock import VirtualClock
from procalg.runtime.history import (
    ChildEnded,
    ChildOf,
    ChildStarted,
    EventFired,
    RunCompleted,
    RunStarted,
    SignalReceived,
)
from procalg.runtime.ports import RunRecord, Write
from procalg.store.rows import SCHEMA_VERSION
from procalg.store.sqlite import SqliteLog
from procalg.terms.child import outcome_event

MODEL = loads("""\
activity charge, ship : {1, 2} attempts 2 backoff 1s
timer settle = 10m
Pay(o) = charge.o -> settle -> SKIP
Order(o) = child(Pay(o)) ; ship.o -> SKIP
""", "shop.proc")


def _recorder(name: str, calls: list[str]):
    return lambda o: calls.append(f"{name}.{o}")


def _engine(log, clock, calls):
    acts = {c: _recorder(c, calls) for c in ("charge", "ship")}
    return api.engine(log, activities=acts, clock=clock)


def test_a_child_is_linked_to_its_parent_and_its_outcome_reaches_the_parents_inbox(log) -> None:
    log.create_run(RunRecord("p", "Order", (1,)), [RunStarted(time=0.0, process="Order")])
    first = (RunStarted(time=0.0, process="Pay", args=(1,)), ChildOf(time=0.0, parent_id="p",
                                                                      step=0))
    log.write_many([Write("p.0", 0, first, record=RunRecord("p.0", "Pay", (1,)),
                          parent=("p", 0))])
    assert log.children("p") == ["p.0"] and log.children("p.0") == []
    assert log.parents() == {"p.0": ("p", 0)}
    again = log.write_many([Write("p.0", 0, first, record=RunRecord("p.0", "Pay", (1,)),
                                  parent=("p", 0))])
    assert again[0] is not None and log.children("p") == ["p.0"]  # an existing id: no 2nd
    done = SignalReceived(time=1.0, event=outcome_event("Pay", (1,), "completed"))
    log.write_many([Write("p.0", 2, (RunCompleted(time=1.0),), "completed",
                          sends=(("p", done),))])
    assert log.get_run("p.0").status == "completed"
    assert [s.event for _, s in log.pending("p")] == [done.event]  # with the final commit


def test_a_childs_outcome_is_not_delivered_to_a_parent_that_has_ended(log) -> None:
    log.create_run(RunRecord("p", "Order", (1,)), [RunStarted(time=0.0, process="Order")])
    first = (RunStarted(time=0.0, process="Pay", args=(1,)), ChildOf(time=0.0, parent_id="p",
                                                                      step=0))
    log.write_many([Write("p.0", 0, first, record=RunRecord("p.0", "Pay", (1,)),
                          parent=("p", 0))])
    log.append("p", 1, [RunCompleted(time=1.0)], "completed")  # it discarded the child
    done = SignalReceived(time=2.0, event=outcome_event("Pay", (1,), "cancelled"))
    assert log.write_many([Write("p.0", 2, (RunCompleted(time=2.0),), "completed",
                                 sends=(("p", done),))]) == [None]
    assert log.get_run("p.0").status == "completed" and log.pending("p") == []
    assert log.inboxes() == {}  # nothing left that a worker would look at


def test_a_child_runs_on_another_engine_and_its_end_wakes_the_waiting_parent(log) -> None:
    clock, calls = VirtualClock(), []
    parent_side, worker = _engine(log, clock, calls), _engine(log, clock, calls)
    parent_side.children_here = False  # leave the child to the other worker
    run = parent_side.start(api.workflow(MODEL, "Order", 1), run_id="o")
    assert run.status == "waiting"
    record = log.get_run("o")
    assert (record.owner, record.wake_at) == ("", math.inf)  # waits durably, no polling
    assert log.children("o") == ["o.0"] and log.get_run("o.0").owner == ""
    assert worker.log.claim_next(worker.owner, worker.lease, limit=5) == ["o.0"]
    assert worker.resume("o.0") == "waiting"  # the child's timer
    length = log.length("o")
    clock.advance("10m")  # the child's timer fires on the worker, whose end wakes the parent
    assert log.get_run("o.0").status == "completed" and log.get_run("o").status == "completed"
    assert calls == ["charge.1", "ship.1"]
    parent = log.history("o")
    kinds = [type(e) for e in parent]
    assert kinds.count(ChildStarted) == 1 and kinds.count(ChildEnded) == 1
    assert len(parent) > length and log.pending("o") == []
    fired = [str(e.label) for e in parent if isinstance(e, EventFired)]
    assert fired[:2] == ["Pay.1.started", "Pay.1.completed"] and "ship.1" in fired
    assert [type(e) for e in log.history("o.0")[:2]] == [RunStarted, ChildOf]
    assert log.children("o") == ["o.0"]  # exactly one child


def test_an_older_sqlite_store_gains_the_child_links_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    SqliteLog(path).close()
    db = sqlite3.connect(path)
    db.execute("DROP TABLE run_parents")
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    log = SqliteLog(path)
    assert log.children("nobody") == [] and log.parents() == {}
    assert log._db.execute("SELECT value FROM meta WHERE key = 'schema_version'"
                           ).fetchone()[0] == str(SCHEMA_VERSION)
