"""Nondeterministic input c$x: the process chooses the value (an internal choice)."""

from __future__ import annotations

import pytest

from procalg.api import loads
from procalg.api.check import check_model
from procalg.errors import ModelError, ParseError
from procalg.syntax.parser import parse_expr
from procalg.syntax.pretty import pretty

MODEL = """
datatype T = A.{0, 1} | B
channel c : T.{0, 1}
channel d : {0..3}
"""


def verdicts(text: str) -> list[str]:
    return [r.result for r in check_model(loads(MODEL + text))]


@pytest.mark.parametrize(("process", "same_as"), [
    ("d$x -> STOP", "|~| x : {0..3} @ d!x -> STOP"),
    ("d$x:{1, 2} -> STOP", "d!1 -> STOP |~| d!2 -> STOP"),
    # the $ field takes one field, the environment gives the other
    ("c$x?y -> STOP", "|~| x : {A.0, A.1, B} @ (c!x!0 -> STOP [] c!x!1 -> STOP)"),
    ("c$A.x?y:{1} -> STOP", "c!A.0!1 -> STOP |~| c!A.1!1 -> STOP"),
    # the last $ field takes the rest: every event is a branch of its own
    ("c$x -> STOP", "|~| x : {A.0.0, A.0.1, A.1.0, A.1.1, B.0, B.1} @ c!x -> STOP"),
    ("c$x$y -> d!y -> STOP", "|~| x : {A.0, A.1, B} @ (d!0 -> STOP |~| d!1 -> STOP)"),
])
def test_a_nondeterministic_input_is_the_internal_choice_of_its_values(process: str,
                                                                       same_as: str):
    text = f"P = {process}\nQ = {same_as}\nassert P [FD= Q\nassert Q [FD= P\n"
    if "d!y" in process:
        text = f"P = {process} \\ {{|c|}}\nQ = {same_as}\nassert P [FD= Q\nassert Q [FD= P\n"
    assert verdicts(text) == ["pass", "pass"]


def test_a_nondeterministic_input_may_refuse_what_the_input_offers():
    # c?x offers every value and refines c$x, which may refuse all but one
    assert verdicts("P = d$x -> STOP\nQ = d?x -> STOP\n"
                    "assert P [T= Q\nassert P [F= Q\nassert not Q [F= P\n") == [
        "pass", "pass", "pass"]


def test_a_nondeterministic_input_prints_as_written():
    assert pretty(parse_expr("c$x$y?z:{1} -> STOP")) == "c$x$y?z:{1} -> STOP"


def test_a_nondeterministic_field_after_an_input_is_a_parse_error_at_the_field():
    with pytest.raises(ParseError, match=r"'\$' must come before") as info:
        loads("channel c : {0}.{0}\nP = c?x$y -> STOP\n")
    assert (info.value.span.line, info.value.span.column) == (2, 8)  # at the $


def test_a_nondeterministic_input_with_no_value_is_an_error():
    model = loads(MODEL + "P = d$x:{7} -> STOP\n")
    with pytest.raises(ModelError, match=r"no value fits the nondeterministic input"):
        model.lts("P")
