"""Guard analysis finds dead branches, hidden STOPs and overlapping guards."""

from __future__ import annotations

from procalg.api.model import loads
from procalg.symbolic.lint import lint


def _findings(text: str):
    return [(f.kind, f.span.line, f.witness) for f in lint(loads(text).spec)]


def test_a_guard_outside_its_inputs_range_is_a_dead_branch() -> None:
    assert _findings("channel c : {0..3}\nchannel big\nP = c?x -> (x > 5 & big -> P)") == [
        ("dead", 3, {})]


def test_an_if_whose_condition_always_holds_has_a_dead_else() -> None:
    found = _findings("channel a, b\nP(n) = if n >= 0 or n < 0 then a -> P(n) else b -> P(n)")
    assert [kind for kind, _, _ in found] == ["dead"]


def test_guards_that_leave_a_gap_are_a_hidden_stop_with_a_value_in_the_gap() -> None:
    [(kind, line, witness)] = _findings(
        "channel a, b\nQ(n) = n < 3 & a -> Q(n + 1) [] n > 5 & b -> Q(0)")
    assert (kind, line) == ("stop", 2)
    assert 3 <= witness["n"] <= 5


def test_two_guards_on_the_same_channel_that_can_both_hold_overlap() -> None:
    [(kind, _, witness)] = _findings(
        "channel a, b\nR(n) = n < 3 & a -> R(n + 1) [] n > 1 & a -> R(0) [] n >= 3 & b -> R(0)")
    assert kind == "overlap" and witness == {"n": 2}


def test_a_definition_by_patterns_without_a_catch_all_misses_some_arguments() -> None:
    [(kind, _, witness)] = _findings("channel a, b\nS(0) = a -> S(1)\nS(1) = b -> S(0)")
    assert kind == "stop" and witness["argument 1"] not in (0, 1)


def test_a_model_whose_guards_are_complete_and_disjoint_has_no_findings() -> None:
    assert _findings("channel a, b\nP(n) = n < 3 & a -> P(n + 1) [] n >= 3 & b -> P(0)") == []
