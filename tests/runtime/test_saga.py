"""Sagas at run time on the models of ``models/``: failures, compensations, outcomes.

The oracle is the model's own LTS, explored independently with
``procalg.lts.explore``: the engine's recorded labels must be a path of it,
and the compensations it ran must be exactly those the LTS prescribes after
the failure, in an order the LTS allows.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api import run as api
from procalg.runtime.clock import VirtualClock
from procalg.runtime.history import EventFired
from procalg.runtime.run import Run
from tests.runtime.conftest import lts_of, model, paths_to, walk

ORDER = ("reserve", "charge", "ship", "release", "refund")
TRIP = ("hotel", "flight", "car", "pay", "cancel_hotel", "cancel_flight", "cancel_car")
COMPENSATIONS = {"release", "refund", "cancel_hotel", "cancel_flight", "cancel_car", "revoke"}
# Models that fail an assertion by design (broken_saga: :[compensation complete]);
# every other model must start on the normal path, without the opt-out.
FAIL_ON_PURPOSE = {"broken_saga"}


def run_with(name: str, process: str, channels: tuple[str, ...], fails: Callable[[str], bool],
             **kw: object) -> tuple[Run, list[str]]:
    """Run a model with activities that fail when ``fails(name)``; advance time until it ends."""
    calls: list[str] = []

    def make(channel: str) -> Callable[[], None]:
        def activity() -> None:
            calls.append(channel)
            if fails(channel):
                raise ConnectionError(f"{channel} is down")
        return activity

    clock = VirtualClock()
    run = api.start(model(name), process, activities={c: make(c) for c in channels},
                    store="memory:", clock=clock,
                    allow_failed_assertions=name in FAIL_ON_PURPOSE, **kw)
    for _ in range(100):
        if run.status != "waiting":
            break
        clock.advance("10m")
    return run, calls


def fired(run: Run) -> list[str]:
    return [str(e.label) for e in run.history() if isinstance(e, EventFired)]


def rollback_of(run: Run) -> list[str]:
    """The compensation activities the engine completed, in order."""
    labels = fired(run)
    after = labels[labels.index("compensate"):] if "compensate" in labels else []
    return [lab for lab in after if lab in COMPENSATIONS]


def check_against_lts(name: str, process: str, run: Run) -> None:
    """The history is a trace of the LTS and the rollback is one the LTS prescribes."""
    lts = lts_of(name, process)
    labels = fired(run)
    assert walk(lts, labels), f"not a trace of {process}: {labels}"
    if "compensate" in labels:
        cut = labels.index("compensate") + 1
        prescribed = paths_to(lts, walk(lts, labels[:cut]), "compensated", COMPENSATIONS)
        assert prescribed, "the LTS offers no rollback here"
        assert len({tuple(sorted(p)) for p in prescribed}) == 1  # the LTS owes one set
        done = tuple(rollback_of(run))
        if "compensated" in labels:
            assert done in prescribed
        else:  # the rollback itself failed: what ran is a prefix of a prescribed one
            assert any(p[:len(done)] == done for p in prescribed)


@pytest.mark.parametrize(("failing", "undone"), [
    ("reserve", []), ("charge", ["release"]), ("ship", ["refund", "release"]),
])
def test_the_order_saga_undoes_exactly_the_completed_steps_last_first(
    failing: str, undone: list[str]
) -> None:
    run, calls = run_with("order_saga", "Order", ORDER, lambda c: c == failing)
    assert run.status == "compensated"
    assert calls.count(failing) == 3  # attempts 3 in the model
    assert rollback_of(run) == undone
    check_against_lts("order_saga", "Order", run)
    assert fired(run)[-2:] == ["confirm", "✓"]  # the process goes on after its saga


def test_an_order_whose_steps_all_succeed_completes_without_compensation() -> None:
    run, calls = run_with("order_saga", "Order", ORDER, lambda c: False)
    assert run.status == "completed" and calls == ["reserve", "charge", "ship"]
    check_against_lts("order_saga", "Order", run)


@pytest.mark.parametrize("failing", ["hotel", "flight", "car", "pay"])
def test_a_trip_cancels_in_parallel_exactly_the_reservations_that_completed(failing: str) -> None:
    run, calls = run_with("trip_booking", "Trip", TRIP, lambda c: c == failing)
    assert run.status == "compensated"
    reserved = {"hotel", "flight", "car"} - {failing}
    assert set(rollback_of(run)) == {f"cancel_{r}" for r in reserved}
    assert len(rollback_of(run)) == len(reserved)
    assert "pay" not in calls or failing == "pay"
    check_against_lts("trip_booking", "Trip", run)


def test_a_stranded_pivot_is_recorded_when_the_broken_saga_rolls_back() -> None:
    run, _ = run_with("broken_saga", "Order", ("reserve", "charge", "ship", "release", "refund",
                                                "ship_retried"),
                      lambda c: c == "ship", retry={"*": {"maximum_attempts": 2}})
    assert run.status == "compensated"
    labels = fired(run)
    assert labels[labels.index("compensate") + 1] == "stranded.charge"
    check_against_lts("broken_saga", "Order", run)


def test_a_compensation_that_fails_ends_the_run_failed_naming_the_step() -> None:
    run, calls = run_with("broken_saga", "Shaky", ("reserve", "charge", "ship", "release",
                                                    "refund"),
                          lambda c: c in ("ship", "refund"), retry={"*": {"maximum_attempts": 2}})
    assert run.status == "failed"
    assert "unreverted.charge" in fired(run) and "refund" in run.result().error
    assert "release" not in calls  # the failed rollback stops: the model throws
    check_against_lts("broken_saga", "Shaky", run)


def test_an_approval_escalates_after_24_hours_and_then_takes_the_managers_answer() -> None:
    calls: list[str] = []
    clock = VirtualClock()
    acts = {n: (lambda n=n: calls.append(n)) for n in ("notify_manager", "grant", "revoke")}
    run = api.start(model("approval"), "Approval", activities=acts, store="memory:",
                    clock=clock)
    assert {(w.kind, w.what) for w in run.waiting_on()} == {
        ("signal", "approve"), ("signal", "reject"), ("timer", "escalate")}
    clock.advance("23h59m")
    assert calls == []
    clock.advance("1m")
    assert calls == ["notify_manager"] and run.status == "waiting"
    run.signal("reject")
    assert run.status == "completed" and fired(run)[-2:] == ["archive", "✓"]
    check_against_lts("approval", "Approval", run)


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from([("order_saga", "Order", ORDER), ("trip_booking", "Trip", TRIP),
                             ("broken_saga", "Shaky", ORDER)]),
       pattern=st.lists(st.booleans(), min_size=1, max_size=30))
def test_with_random_failures_every_history_is_a_trace_and_every_owed_undo_runs_once(
    name: tuple[str, str, tuple[str, ...]], pattern: list[bool]
) -> None:
    draws = iter(pattern)
    file, process, channels = name
    run, _ = run_with(file, process, channels, lambda c: next(draws, False),
                      retry={"*": {"maximum_attempts": 2}})
    assert run.status in ("completed", "compensated", "failed")
    check_against_lts(file, process, run)
    labels = fired(run)
    done = [lab for lab in labels if lab in {"reserve", "charge", "hotel", "flight", "car"}]
    if run.status == "compensated":
        undo = {"reserve": "release", "charge": "refund", "hotel": "cancel_hotel",
                "flight": "cancel_flight", "car": "cancel_car"}
        assert sorted(rollback_of(run)) == sorted(undo[d] for d in done)
    if run.status == "completed":
        assert "compensate" not in labels
