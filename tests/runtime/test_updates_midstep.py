"""Updates sent while the run is mid-step (runtime/updates.py): the validator is the model
at the position where the run takes the update, as in Temporal (validate, accept, complete).

A run whose worker is performing an activity records a position that offers
no signal; an update of an event that the run's next wait offers is kept
durably and answered there, one that no reachable position offers is
rejected as soon as the run shows it, and neither leaves anything in the
history or the inbox when rejected. Every history is a trace of the model.
"""

from __future__ import annotations

import threading

import pytest

from procalg.api import run as api
from procalg.api.model import loads
from procalg.runtime.engine import Engine
from procalg.runtime.history import ActivityScheduled, RunStarted, UpdateReceived
from procalg.runtime.memory import MemoryLog
from procalg.runtime.ports import RunRecord, Write
from procalg.runtime.updates import UpdateRejected, update

AUDITED = """signal deposit : {1..3}
signal close, reopen
activity audit : {0..1}
P = audit?ok -> (if ok == 1 then Open(0) else close -> SKIP)
Open(b) = deposit?x -> Open((b + x) % 4) [] close -> SKIP
Again = reopen -> P
"""


def _midstep(outcome: int) -> tuple[Engine, Engine, threading.Event, threading.Thread]:
    """An owner performing audit (blocked until the event is set), and a caller."""
    go, started = threading.Event(), threading.Event()

    def audit() -> int:
        started.set()
        go.wait(10)
        return outcome

    owner = api.engine("memory:", activities={"audit": audit})
    thread = threading.Thread(target=lambda: api.start(loads(AUDITED, "audited.proc"), "P",
                                                       store=owner, run_id="r"))
    thread.start()
    started.wait(10)
    caller = Engine(owner.log, {"audit": lambda: outcome}, loader=owner.loader)
    return owner, caller, go, thread


def _trace_ok(log: object) -> None:
    api.replay(loads(AUDITED, "audited.proc"), log.history("r"))  # type: ignore[attr-defined]


def test_an_update_sent_mid_step_is_answered_at_the_next_wait_that_offers_it() -> None:
    owner, caller, go, thread = _midstep(1)
    assert "deposit.2" not in [str(lab) for lab, _ in caller.state("r").moves()]
    threading.Timer(0.2, go.set).start()  # the activity returns while the update waits
    reply = update(caller, "r", "deposit", 2, update_id="k", timeout=10)
    thread.join()
    history = owner.log.history("r")
    assert type(history[reply.seq]) is UpdateReceived and reply.event == "deposit.2"
    assert [(b.process, b.args) for b in reply.position.branches] == [("Open", (2,))]
    assert owner.log.pending("r") == []
    _trace_ok(owner.log)


def test_an_update_the_run_can_no_longer_take_after_its_step_is_rejected_and_not_applied(
        ) -> None:
    owner, caller, go, thread = _midstep(0)
    threading.Timer(0.2, go.set).start()
    with pytest.raises(UpdateRejected, match=r"can no longer accept deposit\.2"):
        update(caller, "r", "deposit", 2, timeout=10)
    thread.join()
    assert owner.log.pending("r") == []
    assert [e for e in owner.log.history("r") if type(e) is UpdateReceived] == []
    _trace_ok(owner.log)


def test_an_update_no_position_of_the_run_offers_is_rejected_at_once_even_mid_step() -> None:
    owner, caller, go, thread = _midstep(1)
    with pytest.raises(UpdateRejected, match=r"can no longer accept reopen"):
        update(caller, "r", "reopen", timeout=10)  # only before the run starts
    assert not go.is_set() and thread.is_alive()  # decided while the activity runs
    go.set()
    thread.join()
    assert owner.log.pending("r") == []


def test_a_run_left_mid_step_by_a_dead_worker_is_taken_to_its_next_wait_by_the_caller() -> None:
    log = MemoryLog()
    text = AUDITED
    model = loads(text, "audited.proc")
    record = RunRecord("r", "P", (), model.content_hash, text, {})
    log.write_many([Write("r", 0, (RunStarted(time=0.0, process="P"),
                                   ActivityScheduled(time=0.0, step=0, channel="audit")),
                          "running", record=record)])
    caller = api.engine(log, activities={"audit": lambda: 1})
    reply = update(caller, "r", "deposit", 3, update_id="k", timeout=10)
    assert [(b.process, b.args) for b in reply.position.branches] == [("Open", (3,))]
    assert log.pending("r") == []
    api.replay(model, log.history("r"))
