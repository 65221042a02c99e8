"""runtime/reach: whether a run may still reach an event, against the explored process."""

from __future__ import annotations

import pytest

from procalg.api.model import loads
from procalg.api.workflow import workflow
from procalg.lts import TAU, TICK
from procalg.runtime import reach
from procalg.runtime.decide import RunState, evolve
from procalg.runtime.history import EventFired
from procalg.terms.values import Event
from tests.runtime.conftest import lts_of, model


@pytest.mark.parametrize(("name", "process"), [("cancellable_order", "Order"),
                                               ("approval", "Approval"),
                                               ("order_saga", "Order")])
def test_an_event_is_reached_from_the_start_iff_the_explored_process_has_it(
        name: str, process: str) -> None:
    lts = lts_of(name, process)  # the term rules explored whole: the oracle
    used = {str(lts.labels[i]) for i in set(lts.label.tolist())}
    state = RunState.initial(workflow(model(name), process))
    names = [label for label in lts.labels if label not in (TAU, TICK) and "." not in label]
    assert len(names) > 5
    for name_ in names:  # the explored labels are text: plain event names as events
        assert reach.reaches(state, Event(name_)) is (name_ in used), name_


def test_past_its_last_offer_an_event_is_no_longer_reached() -> None:
    m = loads("signal go, more\nP = (go -> SKIP [] cancel -> SKIP) ; more -> SKIP")
    state = RunState.initial(workflow(m, "P"))
    cancel = Event("cancel")
    assert reach.reaches(state, cancel)
    evolve(state, EventFired(time=0.0, label=Event("go")))  # its only cancellation point passed
    assert not reach.reaches(state, cancel) and reach.reaches(state, Event("more"))


def test_a_search_past_reach_states_assumes_the_event_is_reached(
        monkeypatch: pytest.MonkeyPatch) -> None:
    state = RunState.initial(workflow(model("cancellable_order"), "Order"))
    monkeypatch.setattr(reach, "REACH", 1)
    assert reach.reaches(state, Event("never_declared"))
