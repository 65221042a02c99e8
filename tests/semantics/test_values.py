"""Comparisons of the value language: CSPM's orders on integers, sets and sequences."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.errors import ModelError
from procalg.semantics.values import binary
from procalg.terms import Sequence

seqs = st.lists(st.integers(0, 2), max_size=4).map(lambda xs: Sequence(tuple(xs)))
sets = st.frozensets(st.integers(0, 3), max_size=4)


@pytest.mark.parametrize(
    ("op", "left", "right", "expected"),
    [
        ("<", (), (1,), True),
        ("<", (1,), (1, 2), True),
        ("<", (1, 2), (1, 2), False),
        ("<=", (1, 2), (1, 2), True),
        ("<=", (2,), (1, 2), False),  # a suffix is not a prefix
        ("<=", (1, 3), (1, 2, 3), False),
        (">", (1, 2), (1,), True),
        (">=", (1,), (1, 2), False),
        (">=", (), (), True),
    ],
)
def test_sequences_compare_by_the_prefix_order(op, left, right, expected) -> None:
    assert binary(op, Sequence(left), Sequence(right), None) is expected


@settings(max_examples=150, deadline=None)
@given(seqs, seqs)
def test_sequence_order_is_prefix_and_its_converse(s, t) -> None:
    prefix = s.items == t.items[: len(s.items)]
    assert binary("<=", s, t, None) == prefix == binary(">=", t, s, None)
    assert binary("<", s, t, None) == (prefix and s != t) == binary(">", t, s, None)


@settings(max_examples=150, deadline=None)
@given(sets, sets)
def test_sets_compare_by_subset(a, b) -> None:
    assert binary("<=", a, b, None) == a.issubset(b) == binary(">=", b, a, None)
    assert binary("<", a, b, None) == (a.issubset(b) and a != b) == binary(">", b, a, None)


def test_integers_still_compare_numerically() -> None:
    assert [binary(op, 1, 2, None) for op in ("<", "<=", ">", ">=")] == [True, True, False, False]


@pytest.mark.parametrize(("left", "right"), [(Sequence((1,)), frozenset({1})), (1, Sequence(()))])
def test_comparing_different_kinds_is_a_type_error(left, right) -> None:
    with pytest.raises(ModelError, match="'>' compares integers, sets or sequences"):
        binary(">", left, right, None)


def _evaluate(expr: str, model: str = ""):
    from procalg.semantics import load
    from procalg.source import SourceFile
    from procalg.syntax.parser import parse, parse_expr

    spec = load(parse(model, "m.csp"), SourceFile("m.csp", model))
    return spec.value(parse_expr(expr))


@pytest.mark.parametrize(
    "expr",
    [
        "let f('c') = true within f(head(\"c\"))",
        "let f(\"c\") = true within f(<'c'>)",
        "\"ab\" == <'a', 'b'> and \"\" == <> and #\"abc\" == 3",
        "member('c', Char) and not member(\"cd\", Char) and not member(1, Char)",
        "member(\"cd\", Seq(Char)) and not member(<3>, Seq({0..1}))",
        "show(<1, 2>) == \"<1, 2>\" and show('x') == \"'x'\" and show(\"hi\") == \"\\\"hi\\\"\"",
        "'\\n' != 'n' and '\\'' == head(\"'\")",
    ],
)
def test_characters_and_strings_work_as_in_fdr(expr: str) -> None:
    assert _evaluate(expr) is True


def test_error_stops_the_evaluation_with_the_models_message() -> None:
    with pytest.raises(ModelError, match='error\\("bad 3"\\) was evaluated') as caught:
        _evaluate("f(3)", "f(0) = 1\nf(n) = error(\"bad \" ^ show(n))\n")
    assert caught.value.span is not None and caught.value.span.line == 2


def test_char_and_seq_are_never_listed() -> None:
    with pytest.raises(ModelError, match="Char is infinite"):
        _evaluate("{c | c <- Char}")
    with pytest.raises(ModelError, match="cannot compare the infinite sets"):
        _evaluate("Char <= Seq(Char)")


@pytest.mark.parametrize(
    "expr",
    [
        "mapMember(mapFromList(<(1, 0)>), 1) and not mapMember(emptyMap, 2)",
        "mapLookup((| 1 => 2, 2 => 4 |), 2) == 4",
        "(| 0 => 1, 1 => 2 |) == mapFromList(<(1, 2), (0, 1)>) and (| |) == emptyMap",
        "mapToList(mapUpdate((| 1 => 0 |), 1, 2)) == <(1, 2)>",
        "mapToList(mapUpdateMultiple((| 1 => 0 |), <(1, 2), (0, 5)>)) == <(0, 5), (1, 2)>",
        "not mapMember(mapDelete((| 0 => 1 |), 0), 0)",
        "(| 1 => 0 |) < (| 1 => 1 |) and (| 1 => 1 |) >= (| 1 => 1 |)",
        "(| 1 => 0 |) < (| 1 => 0, 2 => 0 |)",
        "card(Map({0, 1}, {0, 1})) == 9 and member((| 0 => 0 |), Map({0}, {0}))",
    ],
)
def test_maps_work_as_in_fdr(expr: str) -> None:
    assert _evaluate(expr) is True


def test_looking_up_a_missing_key_is_an_error() -> None:
    with pytest.raises(ModelError, match="mapLookup: the map has no key 3"):
        _evaluate("mapLookup((| 1 => 2 |), 3)")


def test_a_map_channel_carries_maps() -> None:
    from procalg.api import loads
    from procalg.api.check import check_model

    model = loads("channel c : Map({0, 1}, {0, 1})\nP = c.(| 0 => 1 |) -> c?m -> STOP\n"
                  "assert P :[has trace]: <c.(| 0 => 1 |), c.(| 0 => 0, 1 => 1 |)>\n"
                  "assert not P :[has trace]: <c.(| 1 => 1 |)>\n")
    assert [r.result for r in check_model(model)] == ["pass", "pass"]
