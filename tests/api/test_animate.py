"""Stepping by hand follows exactly the term-level rules."""

from __future__ import annotations

import pytest

from procalg.api.animate import Animation
from procalg.api.model import loads
from procalg.errors import UsageError

MODEL = loads("channel a, b, c\nP = a -> (b -> P [] c -> SKIP |~| c -> STOP)\n")


def test_the_offers_are_the_rules_successors_in_order() -> None:
    anim = Animation.start(MODEL, "P").take_event("a")
    system = MODEL.system("P")
    (_, after_a), = system.successors(system.initial_state())
    assert [(m.label, m.target) for m in anim.offers()] == [
        (str(label), target) for label, target in system.successors(after_a)]
    assert [m.label for m in anim.offers()] == ["τ", "τ"]


def test_tau_and_tick_can_be_named_and_back_returns_to_the_same_state() -> None:
    start = Animation.start(MODEL, "P").take(0)
    done = start.take_event("tau").take_event("c").take_event("tick")
    assert done.trace == ("a", "τ", "c", "✓") and done.offers() == []
    assert done.back().back().back().state == start.state


def test_an_event_not_offered_is_a_usage_error_naming_it() -> None:
    with pytest.raises(UsageError) as caught:
        Animation.start(MODEL, "P").take_event("b")
    assert caught.value.message == "b is not offered here"
