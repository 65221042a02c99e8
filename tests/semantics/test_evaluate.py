"""The value language of language.md section 4, evaluated in a model's scope."""

from __future__ import annotations

import re

import pytest

from procalg.errors import ModelError
from procalg.semantics import Spec, load
from procalg.source import SourceFile
from procalg.syntax.parser import parse, parse_expr
from procalg.terms import Atom, Dotted, Event, Sequence

MODEL = """
channel c : {0..2}
channel d : Colour.{0..1}
datatype Colour = red | green | rgb.{0..1}
nametype Small = {0..1}
Sum(<>) = 0
Sum(<x>^s) = x + Sum(s)
Fst((x, _)) = x
Name(rgb.n) = n
Name(_) = 9
Add(x)(y) = x + y
Twice(f) = \\ x @ f(f(x))
"""


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load(parse(MODEL, "m.proc"), SourceFile("m.proc", MODEL))


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ("1 + 2 * 3 - 4", 3),
        ("7 / 2", 3),
        ("-7 % 3", 2),
        ("1 < 2 and not (2 <= 1)", True),
        ("false or 1 / 0 == 0", "error"),
        ("true or 1 / 0 == 0", True),  # and/or short-circuit
        ("if 1 == 1 then 10 else 20", 10),
        ("let x = 2\n    y = x * x within y + 1", 5),
        ("let f(n) = if n == 0 then 1 else n * f(n - 1) within f(5)", 120),
        ("{x * x | x <- {0..3}, x != 2}", frozenset({0, 1, 9})),
        ("{1..3}", frozenset({1, 2, 3})),
        ("union({1}, {2})", frozenset({1, 2})),
        ("inter({1, 2}, {2, 3})", frozenset({2})),
        ("diff({1, 2}, {2})", frozenset({1})),
        ("Union({{1}, {2}})", frozenset({1, 2})),
        ("Inter({{1, 2}, {2}})", frozenset({2})),
        ("member(2, {1, 2})", True),
        ("card({4, 5})", 2),
        ("empty({})", True),
        ("{1} <= {1, 2}", True),
        ("set(<1, 1, 2>)", frozenset({1, 2})),
        ("seq({2, 1})", Sequence((1, 2))),
        ("<1, 2> ^ <3>", Sequence((1, 2, 3))),
        ("#<1, 2, 3>", 3),
        ("head(<4, 5>)", 4),
        ("tail(<4, 5>)", Sequence((5,))),
        ("elem(5, <4, 5>)", True),
        ("null(<>)", True),
        ("length(<1>)", 1),
        ("concat(<<1>, <2, 3>>)", Sequence((1, 2, 3))),
        ("<x | x <- <3, 1, 2>, member(x, {2, 3})>", Sequence((3, 2))),
        ("<1..3>", Sequence((1, 2, 3))),
        ("(1, true)", (1, True)),
        ("Sum(<1, 2, 3>)", 6),
        ("Fst((7, 8))", 7),
        ("Name(rgb.1)", 1),
        ("Name(red)", 9),
        ("rgb.1", Dotted(Atom("rgb"), (1,))),
        ("red", Atom("red")),
        ("Small", frozenset({0, 1})),
        ("card(Colour)", 4),
        ("c.1", Event("c", (1,))),
        ("d.rgb.0.1", Event("d", (Dotted(Atom("rgb"), (0,)), 1))),
        ("{| c |}", frozenset(Event("c", (i,)) for i in range(3))),
        ("card({| d.rgb |})", 4),
        ("card(Events)", 3 + 4 * 2),
        ("member(c.0, Events)", True),
        # event-set comprehensions: the items' events for every binding
        ("{| c.x | x <- {0, 2} |}", frozenset({Event("c", (0,)), Event("c", (2,))})),
        ("{| c.x, d.red.x | x <- Small, x > 0 |}",
         frozenset({Event("c", (1,)), Event("d", (Atom("red"), 1))})),
        ("card({| d.k | k <- {red, green} |})", 4),
        # lambdas and curried definitions
        ("(\\ x, y @ x * 10 + y)(1, 2)", 12),
        ("Add(1)(2)", 3),
        ("Twice(\\ x @ x + 1)(0)", 2),
        # extensions and productions
        ("extensions(c)", frozenset({0, 1, 2})),
        ("extensions(d.red)", frozenset({0, 1})),
        ("card(extensions(d))", 8),
        ("productions(d.red)", frozenset({Event("d", (Atom("red"), 0)),
                                          Event("d", (Atom("red"), 1))})),
        ("extensions(1)", "error"),
    ],
)
def test_expressions_evaluate_as_in_cspm(spec: Spec, expr: str, value: object) -> None:
    if value == "error":
        with pytest.raises(ModelError):
            spec.value(parse_expr(expr))
    else:
        result = spec.value(parse_expr(expr))
        assert result == value and type(result) is type(value)


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("{1} + 1", "type error: '+' needs integers, got a set ({1})"),
        ("1 / 0", "division by zero"),
        ("head(<>)", "head of an empty sequence"),
        ("c.3", "value 3 is outside channel c's field 1 type {0..2}"),
        ("d.rgb.2.0", "value 2 is outside constructor rgb's field 1 type {0, 1}"),
        ("Sum(1, 2)", "Sum takes 1 argument, got 2"),
        ("Sum(1)", "no clause of Sum matches (1)"),
        ("if 1 then 2 else 3", "type error: 'if' needs a boolean, got an integer (1)"),
        ("card(1)", "type error: card needs a set, got an integer (1)"),
        ("undefined_thing", "undefined name 'undefined_thing'"),
        ("3(1)", "3 is not a function"),
    ],
)
def test_misuse_is_a_model_error_with_a_clear_message(spec: Spec, expr: str,
                                                      message: str) -> None:
    with pytest.raises(ModelError) as err:
        spec.value(parse_expr(expr))
    assert err.value.message == message
    assert err.value.span is not None


def test_cyclic_value_definitions_are_errors_where_they_are_used() -> None:
    text = "X = Y + 1\nY = X\n"
    spec = load(parse(text, "m.proc"), SourceFile("m.proc", text))  # lazy, as FDR
    with pytest.raises(ModelError, match="defined in terms of itself"):
        spec.value(parse_expr("X"))


def test_channel_types_may_use_names_declared_later() -> None:
    text = "channel c : T\nT = {0..N}\nN = 2\n"
    spec = load(parse(text, "m.proc"), SourceFile("m.proc", text))
    assert spec.channels == {"c": (frozenset({0, 1, 2}),)}


def test_a_comprehension_with_several_items_gives_each_for_every_binding() -> None:
    from procalg.semantics import load
    from procalg.source import SourceFile
    from procalg.syntax.parser import parse, parse_expr

    spec = load(parse("", "c.proc"), SourceFile("c.proc", ""))
    assert spec.value(parse_expr("{x, 10 * x | x <- {1, 2}}")) == frozenset({1, 2, 10, 20})
    assert spec.value(parse_expr("<x, x + 1 | x <- <1, 5>>")).items == (1, 2, 5, 6)


def test_set_of_a_set_is_every_subset_and_refuses_huge_ones() -> None:
    from procalg.errors import ModelError
    from procalg.semantics import load
    from procalg.source import SourceFile
    from procalg.syntax.parser import parse, parse_expr

    spec = load(parse("", "c.proc"), SourceFile("c.proc", ""))
    assert spec.value(parse_expr("Set({1, 2})")) == frozenset(
        {frozenset(), frozenset({1}), frozenset({2}), frozenset({1, 2})})
    big = spec.value(parse_expr("Set({1..40})"))  # too many to list: tested, as FDR's type
    assert frozenset({1, 40}) in big and frozenset({41}) not in big and len(big) == 2**40
    with pytest.raises(ModelError, match="2\\^40 subsets"):
        spec.value(parse_expr("{card(s) | s <- Set({1..40})}"))


def test_a_constructor_in_an_event_set_stands_for_its_values() -> None:
    from procalg.semantics import load
    from procalg.source import SourceFile
    from procalg.syntax.parser import parse, parse_expr

    text = "datatype D = on | off | at.{0, 1}\n"
    spec = load(parse(text, "d.proc"), SourceFile("d.proc", text))
    assert spec.value(parse_expr("{| on, at |}")) == spec.value(parse_expr("{on, at.0, at.1}"))
    assert spec.value(parse_expr("extensions(at)")) == frozenset({0, 1})


@pytest.mark.parametrize(("text", "value"), [
    ("true == not false", True), ("1 != not true", True),
    ("(1, 2) < (2, 1)", True), ("(2, 1) > (1, 2)", True), ("(1, 2) <= (1, 2)", True),
    ("(1, 2) < (1, 2)", False),
])
def test_not_may_be_a_comparison_operand_and_tuples_order_lexicographically(text, value):
    from procalg.semantics import load
    from procalg.source import SourceFile
    from procalg.syntax.parser import parse, parse_expr

    spec = load(parse("", "c.proc"), SourceFile("c.proc", ""))
    assert spec.value(parse_expr(text)) is value


def test_an_int_channel_offers_finitely_many_values_to_the_explicit_engines() -> None:
    from procalg.lts import explore

    text = "channel c : Int\nP = c!-3 -> c?x:{1..2} -> STOP\n"
    spec = load(parse(text, "m.proc"), SourceFile("m.proc", text))
    lts = explore(spec.system(spec.process("P")))
    assert (lts.num_states, lts.num_transitions) == (3, 3)  # c.-3, then c.1 or c.2


def test_an_unrestricted_input_over_int_stops_with_a_pointer_to_the_symbolic_engine() -> None:
    from procalg.lts import explore

    text = "channel c : Int\nP = c?x -> P\n"
    spec = load(parse(text, "m.proc"), SourceFile("m.proc", text))
    with pytest.raises(ModelError, match="every integer") as caught:
        explore(spec.system(spec.process("P")))
    assert "--engine symbolic" in caught.value.hint


def test_an_int_field_refuses_a_non_integer_value() -> None:
    text = "channel c : Int\nP = c!true -> STOP\n"
    spec = load(parse(text, "m.proc"), SourceFile("m.proc", text))
    with pytest.raises(ModelError, match="outside channel c's field 1 type Int"):
        spec.unfold(spec.process("P"))


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("extensions(X.A)", "{0.1, 1.0}"),  # A's own fields follow, read flattened
        ("extensions(X.A.0)", "{1}"),
        ("productions(X.A.1)", "{X.A.1.0}"),
        ("extensions(c.X.A)", "{0.1, 1.0}"),
        ("extensions(W.G)", "{0}"),
    ],
)
def test_extensions_of_an_unfinished_constructor_field_read_dots_flattened(expr, expected):
    text = ("datatype Z = A.{0,1}.{0,1}\ndatatype Y = X.{A.0.1, A.1.0}\nchannel c : Y\n"
            "datatype V = G.{0,1}\ndatatype U = W.{G.0}\n")
    spec = load(parse(text, "m.csp"), SourceFile("m.csp", text))
    assert spec.value(parse_expr(expr)) == spec.value(parse_expr(expected))


@pytest.mark.parametrize("text", ["{| |}", "{||}", "{|\n |}"])
def test_an_event_set_naming_nothing_is_the_empty_set_as_robochart_writes_it(
        spec: Spec, text: str) -> None:
    assert spec.value(parse_expr(text)) == frozenset()


def test_an_event_set_with_a_condition_but_no_item_is_a_syntax_error() -> None:
    from procalg.errors import ProcalgError

    with pytest.raises(ProcalgError, match=re.escape("expected '|}' to close '{|'")):
        parse_expr("{| | x <- {1} |}")


TUPLE_TYPES = """
nametype R = {0..1}
nametype T = (R, {5})
channel c : T
Seqs(X, 0) = {<>}
Seqs(X, n) = let s = Seqs(X, n - 1) within union(s, {<x>^xs | x <- X, xs <- s})
"""


@pytest.mark.parametrize(("text", "value"), [
    ("T", frozenset({(0, 5), (1, 5)})),
    ("card(Seqs(T, 2))", 7),  # <>, two of length 1, four of length 2
    ("member((1, 5), T)", True),
    ("{| c |} == {c.(0, 5), c.(1, 5)}", True),
])
def test_a_nametype_of_a_tuple_type_is_the_set_of_its_tuples_as_in_fdr(text, value) -> None:
    spec = load(parse(TUPLE_TYPES, "t.proc"), SourceFile("t.proc", TUPLE_TYPES))
    assert spec.value(parse_expr(text)) == value


def test_a_nametype_of_a_tuple_with_an_infinite_part_is_tested_not_listed() -> None:
    text = "nametype T = (Int, {1})\n"
    spec = load(parse(text, "t.proc"), SourceFile("t.proc", text))
    assert spec.value(parse_expr("member((5, 1), T) and not member((5, 2), T)")) is True
    with pytest.raises(ModelError, match="infinite: its values cannot be listed"):
        spec.value(parse_expr("{x | (x, _) <- T}"))


@pytest.mark.parametrize(("text", "value"), [
    ("<x | x <- <1, 2, 3>, not member(x, {2})>", Sequence((1, 3))),
    ("<x | x <- <1, 2, 3>, not(member(x, {2}))>", Sequence((1, 3))),
    ("<x | x <- <1, 2, 3>, x != 1 and x != 3 or x == 0>", Sequence((2,))),
])
def test_a_sequence_comprehension_condition_may_use_not_and_or(spec: Spec, text, value) -> None:
    assert spec.value(parse_expr(text)) == value


def test_a_let_evaluated_many_times_binds_its_values_functions_and_processes_each_time(
) -> None:
    from procalg.api import loads

    model = loads("channel c : {0..5}\n"
                  "P(n) = let k = n + 1\n"
                  "           f(x) = x * 2\n"
                  "           Q = c.f(k) % 6 -> P(k % 3)\n"
                  "       within Q\n")
    lts = model.lts("P(0)", max_states=20)
    assert lts.num_states == 3
    assert sorted(lts.labels[2:]) == ["c.0", "c.2", "c.4"]
