"""Building events field by field: flat dots, and events of the fail channel (fail.c.v)."""

from __future__ import annotations

import pytest

from procalg.errors import ModelError
from procalg.lts import explore
from procalg.semantics import Spec, load
from procalg.source import SourceFile
from procalg.syntax.parser import parse, parse_expr
from procalg.terms import Atom, Dotted, Event

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


def test_an_input_after_a_partial_constructor_tests_only_the_events_it_may_complete() -> None:
    # recv.i.(Accept.p)?v: every event of recv once per such input was 48 s on a real model
    from unittest.mock import patch

    from procalg.semantics import channels
    from procalg.semantics.channels import ChannelRef, Types
    from procalg.terms import Atom

    ids = frozenset(range(30))
    msgs = frozenset(Dotted(Atom("Accept"), (p, v)) for p in ids for v in ids)
    types = Types({"recv": (ids, msgs)}, {"Accept": (ids, ids)})
    given = (3, Dotted(Atom("Accept"), (7,)))
    real, calls = channels._extends, []

    def counted(*args):
        calls.append(args)
        return real(*args)

    with patch.object(channels, "_extends", counted):
        found = types.remaining(ChannelRef("recv", given))
    assert [str(e) for _, e in found[:2]] == ["recv.3.Accept.7.0", "recv.3.Accept.7.1"]
    assert len(found) == 30 and len(calls) <= 2 * 30  # built from Accept's types, not 900+


def test_an_input_after_a_partial_constructor_offers_only_what_the_channel_allows() -> None:
    from procalg.semantics.channels import ChannelRef, Types
    from procalg.terms import Atom

    def accept(*fields):
        return Dotted(Atom("Accept"), fields)

    ids = frozenset(range(3))
    below = frozenset(accept(p, v) for p in ids for v in ids if p < v)  # a channel type
    types = Types({"recv": (below,)}, {"Accept": (ids, ids)})
    found = types.remaining(ChannelRef("recv", (accept(0),)))
    assert [str(e) for _, e in found] == ["recv.Accept.0.1", "recv.Accept.0.2"]


def test_a_constructor_inside_a_dotted_value_takes_the_fields_that_follow_it() -> None:
    # CSPM's dot is flat: 5.K.1 is 5 followed by the constructor value K.1, however it
    # was built; a pattern that strips the head gives back the same value
    text = ("datatype T = K.{0,1} | W.T.{0,1}.T\n"
            "rest(W.(K.x).y.z) = 5.x.y.z\n"
            "P = STOP\n")
    spec = load(parse(text), SourceFile("<test>", text))
    built = spec.value(parse_expr("5.0.K.1"))
    assert built == Dotted(5, (0, Dotted(Atom("K"), (1,))))
    assert spec.value(parse_expr("rest(W.(K.0).1.(K.1)) == 5.0.1.K.1")) is True
    assert spec.value(parse_expr("(5.0).K.1 == 5.(0.K.1)")) is True


DOTS = """channel c : {0..1}.{0..1}
channel e : Bool.A.Bool
datatype C = D
datatype A = B.{0..1}
"""


def test_a_complete_event_dotted_further_is_a_dot_list_value_as_in_fdr() -> None:
    # libcspm's combineDots: past a channel's last field, fields join a plain dot list
    spec = model(DOTS)
    assert value(spec, "c.0.0.D") == Dotted(Event("c", (0, 0)), (Atom("D"),))
    assert value(spec, "(c.0.0.D) == (c.0.0.D)") is True
    assert value(spec, "(c.0.0.D) == (e.true.B.0.true.D)") is False


def test_a_dot_list_used_as_an_event_says_it_has_too_many_fields() -> None:
    spec = model(DOTS + "P = c.0.1.D -> STOP\n")
    with pytest.raises(ModelError) as caught:
        spec.unfold(spec.process("P"))  # P is a call: its body is evaluated here
    err = caught.value
    assert err.message == "c.0.1.D is not an event: it has too many fields (channel c has 2)"
    assert (err.span.line, err.span.column) == (5, 5)


def test_a_channel_dotted_again_with_the_same_field_gives_the_same_object_and_errors_each_time(
) -> None:
    from procalg.semantics.channels import ChannelRef, Types

    types = Types({"c": (frozenset({0, 1}), frozenset({0, 1}))}, {})
    first = types.dot(ChannelRef("c"), 1, None)
    assert types.dot(ChannelRef("c"), 1, None) is first == ChannelRef("c", (1,))
    event = types.dot(first, 0, None)
    assert types.dot(ChannelRef("c", (1,)), 0, None) is event == Event("c", (1, 0))
    assert types.dot(ChannelRef("c"), Dotted(1, (0,)), None) is event  # c.(1.0) is c.1.0
    for _ in range(2):  # a bad field is not remembered as a value: it fails every time
        with pytest.raises(ModelError, match="c"):
            types.dot(first, 7, None)


def test_a_model_evaluating_one_event_in_many_states_gets_the_same_events() -> None:
    spec = model("channel c : {0..3}.{0..3}\n"
                 "P(i, j) = c.i.j -> P((i + 1) % 4, (j + 3) % 4)\n")
    lts = explore(spec.system(spec.apply("P", (0, 0))), max_states=100)
    assert lts.num_states == 4
    assert sorted(lts.labels[2:]) == ["c.0.0", "c.1.3", "c.2.2", "c.3.1"]


def test_the_completions_of_a_channel_prefix_are_listed_once_and_kept():
    # a mobile alphabet's modify(x, A) asks {| mc.c |} at each of its 27k calls on phone
    from procalg.semantics.channels import ChannelRef, Types

    types = Types({"mc": (frozenset({0, 1}), frozenset({5, 6, 7}))}, {})
    first = types.completions(ChannelRef("mc", (1,)))
    assert sorted(map(str, first)) == ["mc.1.5", "mc.1.6", "mc.1.7"]
    assert types.completions(ChannelRef("mc", (1,))) is first
    assert sorted(map(str, types.completions(ChannelRef("mc")))) == [
        f"mc.{i}.{v}" for i in (0, 1) for v in (5, 6, 7)]
