"""procalg.api.query: positions and update replies as data for people and programs."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from procalg.api import query as q
from procalg.api import run as api
from procalg.api.narrate import Narrator
from procalg.runtime.clock import VirtualClock

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "models" / "account.proc"
ORDER = ROOT / "models" / "order_saga.proc"


def _saga_waiting_to_retry():
    def ship() -> None:
        raise ConnectionError("down")

    acts = {"reserve": lambda: None, "charge": lambda: None, "ship": ship,
            "release": lambda: None, "refund": lambda: None}
    clock = VirtualClock()
    return api.start(ORDER, "Order", activities=acts, store="memory:", clock=clock), clock


def test_a_position_as_json_fits_the_schema_and_keeps_the_compensation_order() -> None:
    run, _ = _saga_waiting_to_retry()
    data = q.position_json(run.id, q.query(run.engine, run.id))
    jsonschema.validate(data, q.POSITION_SCHEMA)
    assert [c["step"] for c in data["compensations"]] == ["charge", "reserve"]
    assert data["retries"] == [{"call": "ship", "at": 2.0}]


def test_a_position_for_people_says_what_a_throw_would_undo_and_when_the_retry_is() -> None:
    run, clock = _saga_waiting_to_retry()
    lines = q.position_lines(q.query(run.engine, run.id), clock.now())
    assert lines[1].split() == ["in", "Order()", "ship", "->", "SKIP", "[]", "fail.ship", "->",
                                "THROW"]
    assert "retry ship: in 2s" in lines
    assert lines[-1] == "a throw now undoes: charge: refund -> SKIP; reserve: release -> SKIP"


def test_a_position_json_schema_refuses_a_missing_key() -> None:
    run, _ = _saga_waiting_to_retry()
    data = q.position_json(run.id, q.query(run.engine, run.id))
    del data["branches"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, q.POSITION_SCHEMA)


def test_an_update_on_an_sqlite_store_replies_and_its_event_reads_as_an_update(
        tmp_path: Path) -> None:
    eng = api.engine(f"sqlite:///{tmp_path / 'runs.db'}", activities={"payout": lambda b: None})
    run = api.start(ACCOUNT, "Bank", store=eng, run_id="b")
    reply = q.update(eng, "b", "deposit", 4, update_id="k")
    jsonschema.validate(q.reply_json("b", reply), q.REPLY_SCHEMA)
    assert q.reply_lines("b", reply)[:3] == [
        "update k accepted: deposit.4 (history event #2 of run b)", "after it:", "  Account(b=4)"]
    narrator = Narrator()
    told = [line for e in run.history() for line in narrator.tell(e)]
    assert "  update deposit.4 (k)" in told
    eng.close()


def test_a_cancelled_run_queries_as_cancelled_within_the_schema_and_offers_nothing() -> None:
    from procalg.api.cancel import cancel

    acts = {n: (lambda: None) for n in ("reserve", "charge", "ship", "release", "refund")}
    run = api.start(ROOT / "models" / "cancellable_order.proc", "Order", activities=acts,
                    store="memory:", clock=VirtualClock())
    cancel(run.engine, run.id, "changed my mind")
    data = q.position_json(run.id, q.query(run.engine, run.id))
    jsonschema.validate(data, q.POSITION_SCHEMA)  # the schema once listed five statuses
    assert data["status"] == "cancelled"
    assert data["offered"] == [] and data["activities"] == []
