"""Infinite integer sets: FDR's ``{n..}`` and ``Int`` under the set operations."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.errors import ModelError
from procalg.semantics import load
from procalg.semantics.channels import INTEGERS
from procalg.semantics.infinite import IntegersFrom, set_op, subset
from procalg.source import SourceFile
from procalg.syntax.parser import parse, parse_expr
from procalg.syntax.pretty import pretty


def _value(expr: str, model: str = ""):
    spec = load(parse(model, "m.csp"), SourceFile("m.csp", model))
    return spec.value(parse_expr(expr))


@pytest.mark.parametrize(
    "expr",
    [
        "{1} <= {0..}",
        "{0..} >= {0..}",
        "not ({1..} <= {0})",
        "{1..} < Int and not (Int <= {1..})",
        "{0..} != {1..} and {0..} == {0..}",
        "member(12515, {0..}) and not member(-1, {0..})",
        "not member(-1, union({0..}, {1..}))",
        "union({2..}, {0, 1}) == {0..}",
        "member(1, inter({0..}, {1..})) and inter({0..}, {1, 2, -1}) == {1, 2}",
        "diff({1..}, {1}) == {2..}",
        "diff({1..}, Int) == {} and diff({2, 4, 5}, Int) == {}",
        "diff({1..}, {4..}) == {1..3}",
        "not empty({3..})",
        "True and not False",
    ],
)
def test_infinite_sets_and_the_capitalised_booleans_evaluate_as_in_fdr(expr: str) -> None:
    assert _value(expr) is True


def test_a_result_with_a_gap_is_an_error_not_a_wrong_set() -> None:
    with pytest.raises(ModelError, match="infinite set that procalg cannot represent"):
        _value("diff({0..}, {5})")
    with pytest.raises(ModelError, match="infinite set that procalg cannot represent"):
        _value("union({5..}, {0})")


def test_a_comprehension_over_an_infinite_set_is_an_error_at_the_generator() -> None:
    with pytest.raises(ModelError, match=r"over \{0\.\.\} would take every integer") as info:
        _value("{x | x <- {0..}}")
    assert (info.value.span.line, info.value.span.column) == (1, 11)


@pytest.mark.parametrize("expr", ["card(Int)", "card({3..})", "card(Char)"])
def test_the_card_of_an_infinite_set_is_an_error_not_a_huge_number(expr: str) -> None:
    with pytest.raises(ModelError, match="is infinite: card has no answer") as info:
        _value(expr)
    assert (info.value.span.line, info.value.span.column) == (1, 1)


def test_the_card_of_a_big_datatype_is_its_size() -> None:
    assert _value("card(M)", "datatype M = A.{0..999}.{0..999} | B\n") == 1_000_001


def test_a_replicated_choice_over_int_is_an_error_at_its_generator() -> None:
    from procalg.lts import explore

    text = "P = [] x : Int @ STOP\n"
    spec = load(parse(text, "m.csp"), SourceFile("m.csp", text))
    with pytest.raises(ModelError, match="generator over Int would take every integer") as info:
        explore(spec.system(spec.process("P")), max_states=10)
    assert (info.value.span.line, info.value.span.column) == (1, 12)


INT_EVENTS = """datatype Signal = Claim.Int.Int
channel signal : Signal
f(s) = {| signal.Claim.s |}
unused = f(0)
P = signal.Claim.1.2 -> STOP
Q = signal?x -> STOP
"""


def test_a_declaration_listing_int_events_is_an_error_only_where_it_is_used() -> None:
    from procalg.lts import explore

    spec = load(parse(INT_EVENTS, "m.csp"), SourceFile("m.csp", INT_EVENTS))  # lazy, as FDR
    spec.force_all()
    assert explore(spec.system(spec.process("P")), max_states=10).num_states == 2
    with pytest.raises(ModelError, match="every integer") as info:
        spec.value(parse_expr("unused"))
    assert info.value.span is not None


def test_an_input_over_a_type_with_an_int_field_is_an_error_at_the_input() -> None:
    from procalg.lts import explore

    spec = load(parse(INT_EVENTS, "m.csp"), SourceFile("m.csp", INT_EVENTS))
    with pytest.raises(ModelError, match="Signal is infinite") as info:
        explore(spec.system(spec.process("Q")), max_states=10)
    assert (info.value.span.line, info.value.span.column) == (6, 11)


def test_a_channel_typed_by_an_infinite_set_accepts_its_values_only() -> None:
    from procalg.lts import explore

    model = "channel out : {2..}\nP = out!7 -> STOP\nQ = out!1 -> STOP\n"
    spec = load(parse(model, "m.csp"), SourceFile("m.csp", model))
    assert explore(spec.system(spec.process("P"))).num_states == 2
    with pytest.raises(ModelError, match="outside channel out"):
        explore(spec.system(spec.process("Q")))


def test_set_from_prints_back_as_written() -> None:
    assert pretty(parse_expr("{n+1..}")) == "{n + 1..}"


window = range(-6, 7)
finite = st.frozensets(st.integers(-5, 5), max_size=5)
infinite = st.one_of(st.just(INTEGERS), st.integers(-5, 5).map(IntegersFrom))


def _inside(s: frozenset) -> set[int]:
    return {x for x in window if x in s}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["union", "inter", "diff"]), st.one_of(finite, infinite),
       st.one_of(finite, infinite))
def test_set_operations_agree_with_the_sets_seen_through_a_window(op, a, b) -> None:
    try:
        result = set_op(op, a, b, None)
    except ModelError:
        return  # not representable: an error, never a wrong set
    expected = {"union": _inside(a) | _inside(b), "inter": _inside(a) & _inside(b),
                "diff": _inside(a) - _inside(b)}[op]
    assert _inside(result) == expected


@settings(max_examples=300, deadline=None)
@given(st.one_of(finite, infinite), st.one_of(finite, infinite))
def test_subset_agrees_with_the_window_where_the_window_decides(a, b) -> None:
    below = _inside(a) <= _inside(b)
    if not below:  # a witness inside the window: not a subset
        assert subset(a, b, proper=False, span=None) is False
    assert subset(a, a, proper=False, span=None) is True
    assert subset(a, a, proper=True, span=None) is False


TREES = """
datatype Tree = Leaf.{0..2} | Node.Tree.Tree
datatype IntTree = L.Int | N.Seq(IntTree)
flatten(L.i) = <i>
flatten(N.ts) = concat(<flatten(t) | t <- ts>)
size(Leaf._) = 1
size(Node.l.r) = size(l) + size(r)
channel out : Tree
P = out!Node.(Leaf.0).(Node.(Leaf.1).(Leaf.2)) -> STOP
"""


@pytest.mark.parametrize(
    "expr",
    [
        "size(Node.(Leaf.0).(Node.(Leaf.1).(Leaf.2))) == 3",
        "member(Node.(Leaf.0).(Leaf.1), Tree) and not member(Leaf.0, IntTree)",
        "flatten(N.<L.0, N.<L.1, L.-5>, N.<>>) == <0, 1, -5>",
        "member(N.<L.0>, IntTree) and not member(<L.0>, IntTree)",
    ],
)
def test_recursive_datatypes_and_infinite_fields_are_tested_not_listed(expr: str) -> None:
    assert _value(expr, TREES) is True


def test_a_value_outside_a_recursive_field_type_is_an_error() -> None:
    with pytest.raises(ModelError, match="outside constructor N's field 1 type Seq"):
        _value("N.<Leaf.0>", TREES)


def test_a_recursive_datatype_channel_outputs_but_cannot_offer_every_value() -> None:
    from procalg.lts import explore

    spec = load(parse(TREES + "Q = out?x -> STOP\n", "m.csp"), SourceFile("m.csp", TREES))
    assert explore(spec.system(spec.process("P"))).num_states == 2
    with pytest.raises(ModelError, match="Tree is infinite"):
        explore(spec.system(spec.process("Q")))


finite_sets = st.frozensets(st.integers(0, 12), max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["union", "inter", "diff"]), finite_sets, finite_sets)
def test_finite_set_operations_are_pythons_and_return_an_operand_that_is_the_answer(op, a, b):
    want = {"union": a | b, "inter": a & b, "diff": a - b}[op]
    got = set_op(op, a, b, None)
    assert got == want and type(got) is frozenset
    if (op == "union" and b <= a) or (op == "diff" and a.isdisjoint(b)):
        assert got is a  # not a copy: a mobile alphabet's union(A, {}) costs O(1)
    if op == "union" and a <= b and len(a) < len(b):
        assert got is b
