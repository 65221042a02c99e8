"""Updates (runtime/updates.py): signals answered once durable, rejected when the model
(or a validator) refuses, exactly once per key, withdrawn atomically."""

from __future__ import annotations

import threading
import time

import pytest

from procalg.api import run as api
from procalg.errors import RunError
from procalg.runtime.clock import VirtualClock
from procalg.runtime.engine import Engine
from procalg.runtime.history import UpdateReceived
from procalg.runtime.memory import MemoryLog
from procalg.runtime.updates import UpdateRejected, Validators, update

from .conftest import model

ACTS = {"payout": lambda b: None}


def _bank(log_or_engine, clock=None, run_id="bank"):
    return api.start(model("account"), "Bank", activities=ACTS, store=log_or_engine,
                     clock=clock, run_id=run_id)


def _updates(history) -> list[UpdateReceived]:
    return [e for e in history if type(e) is UpdateReceived]


def test_an_accepted_update_is_recorded_and_answered_with_the_position_after_it() -> None:
    run = _bank("memory:", VirtualClock())
    reply = run.update("deposit", 3, update_id="u1")
    history = run.history()
    assert reply.event == "deposit.3" and reply.update_id == "u1"
    assert history[reply.seq] == _updates(history)[0]
    assert str(history[reply.seq + 1].label) == "deposit.3"  # its event_fired follows
    assert [(b.process, b.args) for b in reply.position.branches] == [
        ("Account", (3,)), ("Clerk", (1,))]
    assert "withdraw.3" in reply.position.offered
    assert api.replay(model("account"), history).status == "waiting"  # a trace of the model


def test_an_update_retried_with_its_key_gets_the_same_reply_and_applies_once() -> None:
    run = _bank("memory:", VirtualClock())
    first = run.update("deposit", 3, update_id="u1")
    run.update("deposit", 1, update_id="u2")
    again = run.update("deposit", 3, update_id="u1")
    assert again == first
    assert [u.update_id for u in _updates(run.history())] == ["u1", "u2"]
    assert run.query().branches[0].args == (4,)


def test_an_update_the_model_does_not_offer_now_is_rejected_and_leaves_no_trace() -> None:
    run = _bank("memory:", VirtualClock())
    before = run.history()
    with pytest.raises(UpdateRejected, match=r"does not accept withdraw\.1 now; it accepts close"):
        run.update("withdraw", 1)  # the balance is 0: the model offers no withdrawal
    assert run.history() == before
    assert run.engine.log.pending(run.id) == []


def test_a_validator_may_refuse_what_the_model_accepts() -> None:
    run = _bank("memory:", VirtualClock())
    checks = Validators()

    @checks.validator("deposit")
    def small(amount: int) -> bool | str:
        return amount < 5 or "deposits of 5 need a person"

    with pytest.raises(UpdateRejected, match="deposits of 5 need a person"):
        update(run.engine, run.id, "deposit", 5, validators=checks)
    assert update(run.engine, run.id, "deposit", 4, validators=checks).event == "deposit.4"
    assert len(_updates(run.history())) == 1


def test_a_validator_that_raises_rejects_with_its_error() -> None:
    run = _bank("memory:", VirtualClock())
    checks = Validators()
    checks.validator("deposit")(lambda amount: 1 / 0)
    with pytest.raises(UpdateRejected, match="ZeroDivisionError"):
        update(run.engine, run.id, "deposit", 1, validators=checks)


def test_an_update_of_a_finished_run_or_a_wrong_value_is_an_error_not_a_rejection() -> None:
    run = _bank("memory:", VirtualClock())
    with pytest.raises(RunError, match="not a value of field 1"):
        run.update("deposit", 9)
    run.update("close")
    with pytest.raises(RunError, match="has finished: completed at "):
        run.update("deposit", 1)


def test_an_update_a_live_worker_never_takes_is_withdrawn_after_the_timeout() -> None:
    owner = api.engine("memory:", activities=ACTS)
    _bank(owner)
    owner.claim("bank")  # a live worker holds the run and does not drive it
    caller = Engine(owner.log, ACTS, loader=owner.loader)
    with pytest.raises(UpdateRejected, match=r"did not take deposit\.2 within 0\.2s"):
        update(caller, "bank", "deposit", 2, timeout=0.2)
    assert owner.log.pending("bank") == []
    assert _updates(owner.log.history("bank")) == []


def test_a_live_worker_holding_the_run_consumes_the_update_and_the_caller_gets_the_reply() -> None:
    owner = api.engine("memory:", activities=ACTS)
    _bank(owner)
    owner.claim("bank")
    caller = Engine(owner.log, ACTS, loader=owner.loader)

    def worker() -> None:  # the owner reaches its next wait and takes buffered signals
        while not owner.log.pending("bank"):
            time.sleep(0.01)
        owner.drive("bank")

    thread = threading.Thread(target=worker)
    thread.start()
    reply = update(caller, "bank", "deposit", 2, update_id="k", timeout=10)
    thread.join()
    assert reply.position.branches[0].args == (2,)
    assert [u.update_id for u in _updates(owner.log.history("bank"))] == ["k"]
    assert owner.log.pending("bank") == []


def test_an_update_keeps_the_lease_of_the_engine_that_drives_the_run() -> None:
    clock = VirtualClock()
    run = _bank("memory:", clock)  # waits on its statement timer: this engine holds it
    assert run.engine.leases.holds(run.id)
    run.update("deposit", 2)
    assert run.engine.leases.holds(run.id)
    assert run.engine.log.get_run(run.id).owner == run.engine.owner
    clock.advance("30d")  # the timer fires on the same engine
    run.signal("close")
    assert run.result().status == "completed"
    assert [str(e) for e in run.result().trace] == ["deposit.2", "statement", "close",
                                                    "payout.2"]


def test_an_update_to_a_long_run_reads_its_snapshot_and_tail_never_the_whole_history(
        monkeypatch) -> None:
    log, clock = MemoryLog(), VirtualClock()
    first = api.engine(log, activities=ACTS, clock=clock)
    first.snapshot_every = 4
    run = _bank(first)
    for i in range(6):
        run.update("deposit", 1 + i % 2)
    first.close()
    other = api.engine(log, activities=ACTS, clock=clock)
    other.snapshot_every = 4
    monkeypatch.setattr(log, "history", lambda run_id: pytest.fail("read the whole history"))
    reply = update(other, "bank", "deposit", 3, update_id="late")
    monkeypatch.undo()
    assert [(b.process, b.args) for b in reply.position.branches] == [
        ("Account", (12,)), ("Clerk", (7,))]
    # a retry on an engine without snapshots replays the whole history: the same reply
    plain = api.engine(log, activities=ACTS, clock=clock)
    plain.snapshot_every = 0
    assert update(plain, "bank", "deposit", 3, update_id="late") == reply
