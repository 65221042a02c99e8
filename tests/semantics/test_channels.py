"""Building events field by field: flat dots, and events of the fail channel (fail.c.v)."""

from __future__ import annotations

import pytest

from procalg.errors import ModelError
from procalg.lts import explore
from procalg.semantics import Spec, load
from procalg.source import SourceFile
from procalg.syntax.parser import parse, parse_expr
from procalg.terms import Dotted, Event

SAGA = """
Order = {0..1}
activity charge : Order
activity pay
activity refund : Order never fails
channel done
"""


def model(text: str) -> Spec:
    return load(parse(text, "m.proc"), SourceFile("m.proc", text))


def value(spec: Spec, expr: str) -> object:
    return spec.value(parse_expr(expr))


def test_fail_of_an_activity_with_fields_is_an_event() -> None:
    spec = model(SAGA)
    assert value(spec, "fail.charge.1") == Event("fail", (Event("charge", (1,)),))


def test_the_failures_of_one_activity_form_an_event_set() -> None:
    spec = model(SAGA)
    assert value(spec, "{| fail.charge |}") == frozenset(
        Event("fail", (Event("charge", (v,)),)) for v in (0, 1))
    assert value(spec, "card({| fail |})") == 3  # charge.0, charge.1, pay


def test_a_never_failing_activity_has_no_failure_event() -> None:
    with pytest.raises(ModelError, match="outside channel fail's field 1"):
        value(model(SAGA), "fail.refund.0")


def test_a_model_can_offer_and_hide_failures_with_fields() -> None:
    spec = model(SAGA + "P = fail.charge?o -> done -> STOP\nQ = P \\ {| fail.charge |}")
    lts = explore(spec.system(spec.process("P")), state_name=str)
    assert {str(lts.labels[lab]) for lab, _ in lts.successors(lts.initial)} == {
        "fail.charge.0", "fail.charge.1"}
    hidden = explore(spec.system(spec.process("Q")))
    assert {str(lab) for lab in hidden.labels[2:]} == {"done"}


def test_dotting_a_dotted_value_adds_each_of_its_fields() -> None:
    spec = model("channel c : {0..1}.{0..1}.{0..1}\nx = 0.1")
    assert value(spec, "c.x.1") == Event("c", (0, 1, 1))
    assert value(spec, "c.1.(0.1)") == Event("c", (1, 0, 1))
    assert value(spec, "0.(1.2)") == value(spec, "(0.1).2") == Dotted(0, (1, 2))


def test_a_tuple_type_may_nest_tuples_and_dotted_products():
    from procalg.api import loads

    model = loads("nametype T = ({1, 2}, {4})\nnametype D = {0, 1}.{4}\n"
                  "channel c : (T, D)\nP = c?((a, b), (x.y)) -> STOP\n")
    lts = model.lts("P")
    events = {str(label) for label in lts.labels[2:]}  # after τ and ✓
    assert len(events) == 4 and any(e.startswith("c.((1, 4)") for e in events)
