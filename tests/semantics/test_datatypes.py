"""Datatypes too big to list up front: sizes from the structure, values tested, listed on demand."""

from __future__ import annotations

import pytest

from procalg.errors import ModelError
from procalg.lts import explore
from procalg.semantics import Spec, load
from procalg.semantics import datatypes as datatypes_module
from procalg.semantics.datatypes import DatatypeSet
from procalg.source import SourceFile
from procalg.syntax import ast
from procalg.syntax.parser import parse, parse_expr

BIG = "datatype M = Msg.{0..9999}.{0..9999} | Ack\nchannel c : M\n"


def model(text: str) -> Spec:
    return load(parse(text, "m.csp"), SourceFile("m.csp", text))


def test_a_datatype_of_a_hundred_million_values_loads_without_listing_them() -> None:
    spec = model(BIG)
    values = spec.datatypes["M"]
    assert type(values) is DatatypeSet
    assert spec.value(parse_expr("card(M)")) == 10_000 * 10_000 + 1


def test_membership_in_a_big_datatype_is_tested_field_by_field() -> None:
    spec = model(BIG + "datatype Other = Msg2.{0}\n")
    assert spec.value(parse_expr("member(Msg.9999.0, M)")) is True
    assert spec.value(parse_expr("member(Ack, M)")) is True
    assert spec.value(parse_expr("member(Msg2.0, M)")) is False


def test_a_datatype_with_a_big_field_type_has_the_product_of_the_sizes() -> None:
    spec = model(BIG + "datatype W = Wrap.M.{0, 1} | Empty\n")
    assert type(spec.datatypes["W"]) is DatatypeSet
    assert spec.value(parse_expr("card(W)")) == 2 * (10_000 * 10_000 + 1) + 1


def test_a_big_datatype_lists_the_values_a_listed_one_has(
        monkeypatch: pytest.MonkeyPatch) -> None:
    text = ("datatype X = P | Q.{0, 1}\n"
            "datatype T = A | B.{0..2}.Bool | C.X\n")
    listed = model(text).datatypes["T"]
    monkeypatch.setattr(datatypes_module, "LISTED_UP_TO", 0)
    lazy = model(text).datatypes["T"]
    assert type(listed) is frozenset and type(lazy) is DatatypeSet
    assert len(lazy) == len(listed) == 1 + 6 + 3
    assert sorted(map(str, lazy)) == sorted(map(str, listed))  # iterated, not copied
    assert all(v in lazy for v in listed)


def test_an_input_over_part_of_a_big_datatype_offers_only_that_part() -> None:
    spec = model("datatype M = Msg.{0..999}.{0..999} | Ack\nchannel c : M\n"
                 "P = c!Msg.7?y -> STOP\n")
    lts = explore(spec.system(spec.process("P")))
    assert lts.num_states == 2
    assert len(lts.src) == 1000


def test_a_value_outside_a_big_datatypes_field_type_is_an_error_at_its_place() -> None:
    spec = model(BIG + "x = Msg.3.10000\n")  # unused, so no error at load (FDR is lazy)
    with pytest.raises(ModelError) as caught:
        spec.value(ast.Name("x"))
    err = caught.value
    assert "outside constructor Msg's field 2 type {0..9999}" in err.message
    assert (err.span.line, err.span.column) == (3, 11)  # the value that does not fit


def test_a_restricted_input_over_an_int_field_offers_its_restriction() -> None:
    # `Int & {1, 2}` once met frozenset's own intersection, which sees no elements
    spec = model("channel c : Int.Int\nP = c?x:{1,2}?y:{5} -> STOP\n")
    lts = explore(spec.system(spec.process("P")), state_name=str)
    assert sorted(lab for _, lab, _ in lts.triples()) == ["c.1.5", "c.2.5"]


def test_an_event_set_of_a_hundred_million_events_is_an_error_at_its_place() -> None:
    with pytest.raises(ModelError) as caught:
        spec = model(BIG + "P = c?x -> STOP\nS = P [| {| c |} |] c.Ack -> STOP\n")
        spec.unfold(spec.process("S"))
    err = caught.value
    assert err.message == "c stands for 100,000,001 events: too many to list"
    assert (err.span.line, err.span.column) == (4, 13)


def test_an_event_set_of_a_hundred_million_integer_pairs_is_an_error_at_its_place() -> None:
    # listed, 10**8 events took gigabytes before any search (no datatype involved)
    text = ("channel c : {0..9999}.{0..9999}\nchannel d\nW = c?x?y -> d -> W\n"
            "V = c?a?b -> V\nS = W [| {| c |} |] V\n")
    with pytest.raises(ModelError) as caught:
        spec = model(text)
        spec.unfold(spec.process("S"))
    err = caught.value
    assert err.message == "c stands for 100,000,000 events: too many to list"
    assert (err.span.line, err.span.column) == (5, 13)  # the c in {| c |}


def test_an_event_set_of_one_constructor_lists_only_its_values() -> None:
    spec = model(BIG + "A = {| c.Msg.7 |}\n")
    events = spec.value(parse_expr("A"))
    assert len(events) == 10_000
    assert sorted(map(str, events))[:2] == ["c.Msg.7.0", "c.Msg.7.1"]


PROCESS_FIELDS = """
channel a, b
datatype PS = Leaf.(Proc, Set(Events)) | Node.Seq(PS)
proc(Leaf.(P, _)) = P
alpha(Leaf.(_, A)) = A
Net = Node.<Leaf.(a -> STOP, {a}), Leaf.(b -> SKIP, {b})>
Procs(Node.s) = <proc(x) | x <- s>
"""


def test_a_datatype_may_hold_processes_and_event_sets_as_fdr_allows() -> None:
    from procalg.api import loads
    from procalg.api.check import check_model

    text = PROCESS_FIELDS + ("Sys = ||| x : set(Procs(Net)) @ x\n"
                             "assert Sys :[has trace]: <b, a>\n"
                             "assert Sys :[has trace]: <a, a>\n"
                             "assert a -> STOP [T= member(Leaf.(STOP, {a}), PS) & a -> STOP\n")
    assert [r.result for r in check_model(loads(text))] == ["pass", "fail", "pass"]


def test_a_process_typed_field_holds_processes_only() -> None:
    from procalg.api import loads
    from procalg.syntax.parser import parse_expr

    model = loads(PROCESS_FIELDS)
    assert model.value(parse_expr("member(Leaf.(a -> STOP, {a}), PS)")) is True
    with pytest.raises(ModelError, match=r"value \(1, \{a\}\) is outside constructor Leaf's "
                                         r"field 1 type \(Proc, \{\{\}, \{a\}"):
        model.value(parse_expr("Leaf.(1, {a})"))


FACTS = """datatype F = A | B | Sq.Seq(F) | PK.(F, F)
msgs = {Sq.<x, y> | x <- {A, B}, y <- {A}} -- reaches constructor Sq before F
channel c : msgs
channel k : {PK.(A, B), PK.(PK.(A, A), B)}
P = c?Sq.<x, y> -> c.Sq.<x, y> -> k?PK.(p, q) -> STOP
"""


def test_a_datatype_recursive_through_seq_and_tuple_fields_loads_when_a_constructor_is_met_first(
) -> None:
    spec = model(FACTS)
    assert spec.value(parse_expr("member(PK.(Sq.<A, PK.(B, B)>, A), F)")) is True
    assert spec.value(parse_expr("member(Sq.<B, B>, msgs)")) is False
    lts = explore(spec.system(spec.process("P")), max_states=50)
    labels = {lab for _, lab, _ in lts.triples()}
    assert labels == {"c.Sq.<A, A>", "c.Sq.<B, A>", "k.PK.(A, B)", "k.PK.(PK.(A, A), B)"}


def test_a_recursive_datatype_is_never_listed_only_where_it_is_needed() -> None:
    spec = model(FACTS + "channel any : F\nQ = any?x -> STOP\n")
    with pytest.raises(ModelError, match="infinite") as info:
        explore(spec.system(spec.process("Q")), max_states=50)
    assert info.value.span is not None
