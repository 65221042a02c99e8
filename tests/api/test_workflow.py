"""A model's process as a workflow: what runs with other arguments share, what they do not."""

from __future__ import annotations

import pytest

from procalg.api import run as api
from procalg.api import workflow as api_workflow
from procalg.api.model import loads
from procalg.errors import RunError
from procalg.runtime.clock import VirtualClock

ACCOUNT = """signal deposit, withdraw : {1..5}
signal close
activity payout : {0..20} never fails
activity audit : {0..20}
Account(b) = deposit?x:{y | y <- {1..5}, b + y <= 20} -> Account(b + x)
          [] withdraw?x:{y | y <- {1..5}, y <= b} -> Account(b - x)
          [] close -> payout!b -> SKIP
Pay(n) = if n > 15 then audit!n -> SKIP else payout!n -> SKIP
"""


def test_runs_with_other_arguments_share_one_machine_and_start_at_their_own_states() -> None:
    model = loads(ACCOUNT)
    eng = api.engine("memory:", activities={"payout": lambda b: None, "audit": lambda b: None},
                     clock=VirtualClock())
    runs = [api.start(model, "Account", b, store=eng) for b in (3, 7, 3)]
    machines = {id(eng.state(r.id).machine) for r in runs}
    assert len(machines) == 1
    starts = [eng.state(r.id).sid for r in runs]
    assert starts[0] == starts[2] != starts[1]
    runs[1].signal("deposit", 2)
    runs[1].signal("close")
    assert str(runs[1].status) == "completed"
    assert [str(e) for e in runs[1].result().trace] == ["deposit.2", "close", "payout.9"]


def test_an_activity_no_argument_reaches_needs_no_function_but_one_it_reaches_does() -> None:
    model = loads(ACCOUNT)
    eng = api.engine("memory:", activities={"payout": lambda b: None}, clock=VirtualClock())
    run = api.start(model, "Pay", 2, store=eng)  # audit only past 15: never reached
    assert str(run.status) == "completed"
    with pytest.raises(RunError, match="activities without a bound function: audit"):
        api.start(model, "Pay", 16, store=eng)


def test_the_activity_search_runs_only_when_a_declared_activity_is_unbound(
        monkeypatch: pytest.MonkeyPatch) -> None:
    model = loads(ACCOUNT)
    searched: list[object] = []
    found = api_workflow._reachable
    monkeypatch.setattr(api_workflow, "_reachable",
                        lambda system, acts: searched.append(system) or found(system, acts))
    monkeypatch.setattr(api_workflow, "_USED", {})
    both = {"payout": lambda b: None, "audit": lambda b: None}
    api.start(model, "Pay", 1, store=api.engine("memory:", activities=both))
    assert searched == []
    api.start(model, "Pay", 1, store=api.engine("memory:", activities={"payout": print}))
    assert len(searched) == 1


def test_a_workflow_asked_for_again_is_reused_while_its_machine_is_the_shared_one() -> None:
    model = loads(ACCOUNT)
    first = api_workflow.workflow(model, "Account", 3)
    assert api_workflow.workflow(model, "Account", 3) is first  # no second build
    assert api_workflow.workflow(model, "Account", 4) is not first
    assert api_workflow.workflow(model, "Account", True) is not first  # 1 == True: not alike
    assert api_workflow.workflow(model, "Account", 3, retry={"*": {"maximum_attempts": 9}}) \
        is not first  # retry overrides: built each time
    api_workflow._MACHINES.clear()  # the machine dropped: a new one, and a new workflow
    again = api_workflow.workflow(model, "Account", 3)
    assert again is not first and again.machine is not first.machine
    assert api_workflow.workflow(loads(ACCOUNT), "Account", 3) is not again  # another load


def test_a_new_argument_reuses_a_built_workflow_without_a_hand_over_and_builds_the_same(
        monkeypatch: pytest.MonkeyPatch) -> None:
    model = loads(ACCOUNT)
    first = api_workflow.workflow(model, "Account", 3)
    handed: list[object] = []
    deep = api_workflow.run_deep
    monkeypatch.setattr(api_workflow, "run_deep", lambda f: handed.append(f) or deep(f))
    made = api_workflow.workflow(model, "Account", 4)
    assert handed == []  # P(4) is a call: nothing to evaluate on the deep thread
    full = deep(lambda: api_workflow._workflow(model, "Account", (4,), None, None))
    assert made.system.term == full.system.term == api_workflow.Call("Account", (4,))
    assert (made.args, made.process, made.model_hash, made.verdicts, made.params) == (
        full.args, full.process, full.model_hash, full.verdicts, full.params)
    assert dict(made.channels) == dict(full.channels)
    assert made.compiled is first.compiled is full.compiled
    assert made.system.initial_state() == full.system.initial_state()
    assert sorted(made.used()) == sorted(full.used()) == ["payout"]
    handed.clear()
    api_workflow.workflow(model, "Account", True)  # another type (1 == True): built in full
    assert len(handed) == 1


def test_a_new_argument_builds_in_full_once_the_shared_machine_is_dropped(
        monkeypatch: pytest.MonkeyPatch) -> None:
    model = loads(ACCOUNT)
    first = api_workflow.workflow(model, "Pay", 3)
    api_workflow._MACHINES.clear()
    handed: list[object] = []
    deep = api_workflow.run_deep
    monkeypatch.setattr(api_workflow, "run_deep", lambda f: handed.append(f) or deep(f))
    again = api_workflow.workflow(model, "Pay", 16)
    assert len(handed) == 1 and again.compiled is not first.compiled
    assert again.system.term == api_workflow.Call("Pay", (16,))


ORDERS = """activity charge, ship : {1, 2}
activity refund : {1, 2} never fails
Pay(o) = saga (charge.o undo refund.o)
Order(o) = saga (child(Pay(o)) undo refund.o ; ship.o)
"""


def test_a_parent_of_child_runs_with_a_new_argument_reuses_a_built_workflow_made_opaque_alike(
        monkeypatch: pytest.MonkeyPatch) -> None:
    model = loads(ORDERS)
    first = api_workflow.workflow(model, "Order", 1)
    handed: list[object] = []
    deep = api_workflow.run_deep
    monkeypatch.setattr(api_workflow, "run_deep", lambda f: handed.append(f) or deep(f))
    made = api_workflow.workflow(model, "Order", 2)
    assert handed == []  # Order(2) is a call: built from Order(1)'s workflow
    full = deep(lambda: api_workflow._workflow(model, "Order", (2,), None, None))
    assert type(made.system) is type(full.system) is type(first.system)  # children opaque
    assert made.system.system.term == full.system.system.term == api_workflow.Call("Order", (2,))
    assert made.compiled is first.compiled is full.compiled
    assert made.system.initial_state() == full.system.initial_state()
    start = made.system.initial_state()
    assert made.system.successors(start) == full.system.successors(start)
    eng = api.engine("memory:", activities=dict.fromkeys(("charge", "ship", "refund"),
                                                          lambda o: None))
    runs = [api.start(model, "Order", o, store=eng) for o in (1, 2)]
    assert [str(r.status) for r in runs] == ["completed", "completed"]
    assert [str(e) for e in runs[1].result().trace] == [
        "Pay.2.started", "Pay.2.completed", "ship.2"]
