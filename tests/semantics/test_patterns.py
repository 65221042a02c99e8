"""Patterns in function clauses: constructors and channels are literals, dots are flat."""

from __future__ import annotations

import pytest

from procalg.semantics import Spec, load
from procalg.source import SourceFile
from procalg.syntax.parser import parse, parse_expr
from procalg.terms import Atom, Dotted, Sequence

MODEL = """
datatype Msg = Data.{0..3} | Nack.{0..3} | Ack
datatype Pair = P.{0..1}.{0..1}
channel c : {0..1}
channel d : {0..1}
isData(Data._) = true
isData(_) = false
payload(Data.v) = v
payload(Nack.v) = 10 + v
payload(Ack) = 20
second(P.x.y) = y
onC(c.v) = v
onC(_) = 9
rest(x.y) = y
"""


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load(parse(MODEL, "m.proc"), SourceFile("m.proc", MODEL))


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ("isData(Data.2)", True),
        ("isData(Nack.1)", False),  # Data in Data._ is the constructor, not a variable
        ("isData(Ack)", False),
        ("payload(Data.3)", 3),
        ("payload(Nack.1)", 11),
        ("payload(Ack)", 20),
        ("second(P.0.1)", 1),
        ("onC(c.1)", 1),
        ("onC(d.1)", 9),  # c is the channel c, not a variable
        ("rest(0.1.1)", Dotted(1, (1,))),  # the last item takes the remaining fields
        ("rest(Data.2)", 2),
        ("{x | Data.x <- {Data.1, Nack.2, Data.3}}", frozenset({1, 3})),
        ("{x | c.x <- {c.0, d.1, c.1, d.0}}", frozenset({0, 1})),  # d's events: no match
    ],
)
def test_dotted_patterns_match_as_cspm_does(spec: Spec, expr: str, value: object) -> None:
    assert spec.value(parse_expr(expr)) == value


def test_a_constructor_with_fields_alone_is_still_a_literal(spec: Spec) -> None:
    text = MODEL + "f(Data) = 1\nf(_) = 2\n"
    other = load(parse(text, "m.proc"), SourceFile("m.proc", text))
    assert other.value(parse_expr("f(Nack.0)")) == 2
    assert spec.value(parse_expr("Data.1")) == Dotted(Atom("Data"), (1,))


SETS = """
Size({}) = 0
Size({_}) = 1
Size(_) = 2
Only({x}) = x
"""


@pytest.mark.parametrize(("expr", "value"), [
    ("Size({})", 0), ("Size({7})", 1), ("Size({1, 2})", 2), ("Only({(1, 2)})", (1, 2)),
])
def test_set_patterns_match_the_empty_set_and_singletons(expr: str, value: object) -> None:
    spec = load(parse(SETS, "s.proc"), SourceFile("s.proc", SETS))
    assert spec.value(parse_expr(expr)) == value


def test_a_set_pattern_with_two_elements_is_refused_where_it_is_written() -> None:
    from procalg.errors import ParseError

    with pytest.raises(ParseError, match="cannot be used as a pattern") as info:
        parse("F({x, y}) = x")
    assert (info.value.span.line, info.value.span.column) == (1, 3)


DECLS = """
datatype T = A.{0..2}.{0..2} | B
(p, r) = (2, 3)
{z} = {7}
<h>^t = <1, 2, 3>
A.i.j = A.1.2
last(s^<x>) = x
ends(<a>^_ @@ s^<b>) = (a, b, #s)
sum(x) = let (a, b) = x within a + b
"""


def _decls() -> Spec:
    return load(parse(DECLS, "d.proc"), SourceFile("d.proc", DECLS))


@pytest.mark.parametrize(("expr", "value"), [
    ("(p, r, z, h, t)", (2, 3, 7, 1, Sequence((2, 3)))),
    ("(i, j)", (1, 2)),  # A matches the constructor: only i and j are defined
    ("sum((4, 5))", 9),
    ("last(<4, 5, 6>)", 6),
    ("ends(<1, 2, 3>)", (1, 3, 2)),
])
def test_pattern_declarations_and_double_and_suffix_patterns_bind_as_in_fdr(
        expr: str, value: object) -> None:
    assert _decls().value(parse_expr(expr)) == value


def test_a_pattern_declaration_whose_value_does_not_match_is_an_error() -> None:
    from procalg.errors import ModelError

    text = "(x, y) = (1, 2, 3)\n"
    with pytest.raises(ModelError, match="does not match the pattern"):
        load(parse(text, "e.proc"), SourceFile("e.proc", text)).value(parse_expr("x"))


def test_a_double_pattern_outside_a_pattern_is_an_error_that_says_so() -> None:
    from procalg.errors import ModelError

    spec = _decls()
    with pytest.raises(ModelError, match="'@@' joins two patterns"):
        spec.value(parse_expr("1 @@ 2"))


def test_a_sequence_pattern_may_take_items_from_both_ends_of_a_concatenation() -> None:
    text = "ends(<a>^<b>^m^<y>^<z>) = (a, b, m, y, z)\nshort(<a>^<b>) = a + b\n"
    spec = load(parse(text, "s.proc"), SourceFile("s.proc", text))
    assert spec.value(parse_expr("ends(<1, 2, 3, 4, 5, 6>)")) == (1, 2, Sequence((3, 4)), 5, 6)
    assert spec.value(parse_expr("short(<1, 2>)")) == 3


def test_a_sequence_pattern_with_two_open_parts_is_refused() -> None:
    from procalg.errors import ParseError

    with pytest.raises(ParseError, match="only one part that is not"):
        parse("f(s^t) = s")


def test_a_local_pattern_definition_matches_constructors_and_binds_only_variables():
    from procalg.api import loads
    from procalg.syntax.parser import parse_expr

    model = loads("datatype A = Acl.{0..3}\ndatatype B = Bcl.{0..3}.A\n"
                  "X = let Bcl.i.Acl.j = Bcl.1.Acl.2 within (i, j)\n")
    assert model.value(parse_expr("X")) == (1, 2)


def test_a_bracketed_dotted_pattern_before_more_fields_takes_as_many_fields_as_it_names():
    from procalg.api import loads
    from procalg.syntax.parser import parse_expr

    model = loads("f((x.y @@ a.b.c).d) = (x, y, a, b, c, d)\ng((x.y).z) = (x, y, z)\n"
                  "datatype T = A.{0, 1}\nh((A.x).y) = (x, y)\n")
    assert model.value(parse_expr("f(0.1.2.3)")) == (0, model.value(parse_expr("1.2")), 0, 1, 2, 3)
    assert model.value(parse_expr("g(4.5.6)")) == (4, 5, 6)
    assert model.value(parse_expr("h(A.1.7)")) == (1, 7)  # A.1 is one field: unchanged
