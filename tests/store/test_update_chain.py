"""An update key is idempotent across a whole continue-as-new chain, on SQLite, a real
PostgreSQL server and the in-memory log: a retry sent to any run of the chain gets the
first answer and is never applied again; a new key sent to an id that has continued is
refused, naming the newest run (runtime/updates.py, docs/engine.md "Continue-as-new")."""

from __future__ import annotations

from typing import Any

import pytest

from procalg.api import run as api
from procalg.api.model import loads
from procalg.errors import RunError
from procalg.runtime.history import UpdateReceived
from procalg.runtime.ports import EventLog
from procalg.runtime.status import RunStatus
from procalg.runtime.updates import UpdateRejected, update
from procalg.terms.values import Event

ACCOUNT = """signal deposit : {0..9}
signal close
Account(b) = deposit?x -> Account((b + x) % 10) [] close -> SKIP
"""


def _chain(log: EventLog) -> Any:
    """An engine whose run ``acct`` continues as new after each update (3 events)."""
    eng = api.engine(log)
    eng.continue_after = 3
    api.start(loads(ACCOUNT, "account.proc"), "Account", 1, store=eng, run_id="acct")
    return eng


def _updates(log: EventLog, run_id: str) -> list[str]:
    return [e.update_id for e in log.history(run_id) if type(e) is UpdateReceived]


def _balance(eng: Any, run_id: str) -> int:
    return eng.get(run_id).query().branches[0].args[0]


def test_a_retry_sent_to_the_newest_run_gets_the_reply_an_earlier_run_recorded(
        log: EventLog) -> None:
    eng = _chain(log)
    first = update(eng, "acct", "deposit", 3, update_id="u1")
    assert log.get_run("acct").status is RunStatus.CONTINUED  # recorded in acct, then on
    second = update(eng, "acct~1", "deposit", 4, update_id="u2")
    assert update(eng, "acct~1", "deposit", 3, update_id="u1") == first
    assert update(eng, "acct~2", "deposit", 3, update_id="u1") == first  # two runs back
    assert update(eng, "acct~2", "deposit", 4, update_id="u2") == second
    assert (_updates(log, "acct"), _updates(log, "acct~1"), _updates(log, "acct~2")) == (
        ["u1"], ["u2"], [])  # each applied once, in the run that first took it
    assert _balance(eng, "acct~2") == (1 + 3 + 4) % 10
    eng.close()


def test_a_retry_sent_to_an_id_that_continued_since_gets_the_newer_runs_reply(
        log: EventLog) -> None:
    eng = _chain(log)
    update(eng, "acct", "deposit", 3, update_id="u1")
    later = update(eng, "acct~1", "deposit", 5, update_id="u2")
    assert update(eng, "acct", "deposit", 5, update_id="u2") == later
    assert _updates(log, "acct~2") == [] and _balance(eng, "acct~2") == (1 + 3 + 5) % 10
    eng.close()


def test_a_new_update_to_an_id_that_continued_is_refused_naming_the_newest_run(
        log: EventLog) -> None:
    eng = _chain(log)
    update(eng, "acct", "deposit", 3, update_id="u1")
    update(eng, "acct~1", "deposit", 4, update_id="u2")
    with pytest.raises(RunError) as refused:
        update(eng, "acct", "deposit", 2, update_id="u3")
    assert "run acct has finished: continued" in refused.value.message
    assert refused.value.hint == "send it to the newest run of its chain, acct~2"
    assert all("u3" not in _updates(log, r) for r in ("acct", "acct~1", "acct~2"))
    assert log.pending("acct~2") == []
    eng.close()


def test_a_key_withdrawn_in_an_earlier_run_is_rejected_by_the_newer_run_as_withdrawn(
        log: EventLog) -> None:
    eng = _chain(log)
    ident, _ = log.send_update("acct", UpdateReceived(time=1.0, event=Event("deposit", (7,)),
                                                      update_id="gone"))
    assert log.withdraw("acct", ident)  # its caller gave up: it was never applied
    update(eng, "acct", "deposit", 3, update_id="u1")  # acct continues as acct~1
    with pytest.raises(UpdateRejected, match="update gone was withdrawn before run acct"):
        update(eng, "acct~1", "deposit", 7, update_id="gone")
    assert _updates(log, "acct~1") == [] and log.pending("acct~1") == []
    eng.close()
