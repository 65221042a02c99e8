"""Sequential equations become locations and summands (mCRL2's linear form)."""

from __future__ import annotations

import pytest
import z3

from procalg.api.model import loads
from procalg.symbolic.fragment import Codes, OutsideFragment
from procalg.symbolic.linear import TICK, translate_component
from procalg.syntax import parse_expr


def _component(text: str, expr: str):
    return translate_component(loads(text).spec, parse_expr(expr), 0, Codes())


def test_a_call_with_constant_arguments_starts_in_its_body_with_the_parameters_set() -> None:
    comp = _component("channel c : Int\nP(n) = c!n -> P(n + 1)", "P(5)")
    assert comp.init == {"n": 5}
    [summand] = comp.summands
    assert (summand.location, summand.target) == (comp.start, comp.start)
    assert str(dict(summand.effect)["n"]) == "n@0 + 1"


def test_if_and_guards_after_a_prefix_are_decided_on_the_same_step() -> None:
    comp = _component("channel c : Int\nchannel ok\n"
                      "P(b) = c?x:Int -> (if x > b then P(x) else ok -> P(b))", "P(0)")
    c_moves = [s for s in comp.summands if s.channel == "c"]
    assert len(c_moves) == 2  # one per branch, each with its condition in the guard
    assert {s.target == comp.start for s in c_moves} == {True, False}


def test_skip_is_a_tick_to_the_terminated_location() -> None:
    comp = _component("channel a\nP = a -> SKIP", "P")
    tick = [s for s in comp.summands if s.channel == TICK]
    assert [s.target for s in tick] == [comp.omega]


def test_an_input_over_a_range_is_constrained_to_it() -> None:
    comp = _component("channel c : {0..9}\nP = c?x:{2..4} -> P", "P")
    [summand] = comp.summands
    x = summand.inputs[0]
    solver = z3.Solver()
    solver.add(summand.guard, z3.Or(x < 2, x > 4))
    assert solver.check() == z3.unsat


def test_pattern_clauses_are_tried_in_order() -> None:
    comp = _component("channel a, b\nP(0) = a -> P(1)\nP(n) = b -> P(0)", "P(0)")
    start = [s.channel for s in comp.summands if s.location == comp.start]
    assert start == ["a"]  # P(0) matches the first clause only
    after_a = [s.channel for s in comp.summands if s.location == comp.summands[0].target]
    assert after_a == ["b"]


def test_unguarded_recursion_is_refused() -> None:
    with pytest.raises(OutsideFragment, match="unguarded"):
        _component("channel a\nP(n) = P(n + 1)", "P(0)")


def test_sequential_composition_is_outside_the_fragment() -> None:
    with pytest.raises(OutsideFragment, match="outside"):
        _component("channel a\nP = (a -> SKIP) ; P", "P")
