"""trace_watchdog(P, A, bark): barks exactly when the watched process leaves P's traces."""

from __future__ import annotations

import pytest

from procalg.api import loads
from procalg.api.check import check_model
from procalg.errors import ModelError

MODEL = """
channel a, b, c, bark
Spec = a -> (b -> Spec |~| c -> Spec)
W = trace_watchdog(Spec, {a, b, c}, bark)
Watched(Q) = (Q [| {a, b, c} |] W) \\ {a, b, c}
"""


@pytest.mark.parametrize(("impl", "barks"), [
    ("a -> b -> a -> c -> STOP", False),  # a trace of Spec
    ("a -> STOP", False),  # refusing is no trace violation
    ("a -> b -> b -> STOP", True),  # b after a.b: not a trace of Spec
    ("b -> STOP", True),
    ("a -> (b -> STOP [] c -> c -> STOP)", True),
])
def test_the_watchdog_barks_exactly_when_a_trace_is_not_one_of_the_spec(impl: str, barks: bool):
    text = MODEL + f"I = {impl}\nassert STOP [T= Watched(I)\nassert Spec [T= I\n"
    quiet, refines = (r.result for r in check_model(loads(text)))
    assert (quiet == "fail") is barks
    assert refines == quiet  # the watchdog decides trace refinement, as FDR's paper says


def test_the_watchdog_never_refuses_a_watched_event():
    # in parallel with RUN over the watched events it never deadlocks before barking
    text = MODEL + "assert (RUN({a, b, c}) [| {a, b, c} |] W) \\ {bark} :[deadlock free [F]]\n"
    assert [r.result for r in check_model(loads(text))] == ["fail"]  # only STOP after bark
    text = MODEL + "assert RUN({a, b, c}) [| {a, b, c} |] W [T= a -> b -> c -> bark -> STOP\n"
    assert [r.result for r in check_model(loads(text))] == ["pass"]


def test_a_watchdog_with_arguments_of_the_wrong_kind_says_what_it_needs():
    with pytest.raises(ModelError, match="trace_watchdog needs a process, a set of events and"):
        loads("channel a\nW = trace_watchdog(a -> STOP, {a}, 3)\n").lts("W")
