"""Lazy sequences: <n..>, comprehensions drawn from them, range comprehensions."""

from __future__ import annotations

import pytest

from procalg.api import loads
from procalg.errors import ModelError
from procalg.semantics import lazy_sequences
from procalg.semantics.lazy_sequences import LAZY_DEPTH
from procalg.syntax.parser import parse_expr
from procalg.terms import Sequence

MODEL = """
odds = <x | x <- <0..>, x % 2 == 1>
zip(<>, _) = <>
zip(_, <>) = <>
zip(<x>^xs, <y>^ys) = <(x, y)>^zip(xs, ys)
firsts(n, <x>^xs) = if n == 0 then <> else <x>^firsts(n - 1, xs)
steps(x, y, step) = if x > y then <> else <x> ^ steps(x + step, y, step)
down(n) = if n == 0 then <> else <n> ^ down(n - 1)
ones(x) = <x> ^ ones(x)
bad(n) = <n> ^ (if n > 2500 then 7 else bad(n + 1))
"""


def value(expr: str) -> object:
    return loads(MODEL).value(parse_expr(expr))


@pytest.mark.parametrize(("expr", "expected"), [
    ("head(<5..>)", 5),
    ("head(tail(tail(odds)))", 5),
    ("null(<1..>)", False),
    ("firsts(3, odds) == <1, 3, 5>", True),  # a pattern <x>^xs looks at one item
    ("zip(<1..>, <>) == <>", True),
    ("zip(<1..>, <7, 8>) == <(1, 7), (2, 8)>", True),
    ("<x | x <- <1, 2>> == <1, 2>", True),  # drawn from a finite sequence: as before
    # range comprehensions: one range per binding, joined
    ("<x..y | (x, y) <- <(1, 2), (2, 3)>> == <1, 2, 2, 3>", True),
    ("<1.. | false> == <>", True),
    ("{x..y | (x, y) <- {(1, 2), (5, 5)}} == {1, 2, 5}", True),
    ("{x.. | x <- {3, 1, 2}} == {1..}", True),
    ("{1..2 | false} == {}", True),
])
def test_lazy_sequences_compute_only_what_is_asked(expr: str, expected: object):
    assert value(expr) == expected


@pytest.mark.parametrize(("expr", "expected"), [
    ("firsts(3, steps(0, 1, 0))", (0, 0, 0)),  # FDR's ^ is lazy: steps(0, 1, 0) never ends
    ("firsts(2, steps(1, 5, -2))", (1, -1)),
    ("zip(<7, 8>, steps(0, 1, 0) ^ steps(-1, 0, 0))", ((7, 0), (8, 0))),  # left operand infinite
    ("zip(<7, 8, 9>, steps(0, 1, 1) ^ steps(5, 9, 1))", ((7, 0), (8, 1), (9, 5))),
    ("firsts(4, ones(1))", (1, 1, 1, 1)),
])
def test_a_join_whose_right_operand_recurses_for_ever_gives_the_prefix_asked_for(
        expr: str, expected: tuple):
    assert value(expr) == Sequence(expected)


@pytest.mark.parametrize("n", [0, 1, LAZY_DEPTH - 1, LAZY_DEPTH, LAZY_DEPTH + 1, 3 * LAZY_DEPTH])
def test_a_long_finite_sequence_built_by_joins_is_an_ordinary_sequence(n: int):
    assert value(f"down({n})") == Sequence(tuple(range(n, 0, -1)))


def test_a_join_of_a_non_sequence_deep_in_a_recursion_is_a_type_error():
    with pytest.raises(ModelError, match="'\\^' joins sequences"):
        value("length(bad(0))")


@pytest.mark.parametrize("expr", ["length(steps(0, 1, 0))", "steps(0, 1, 0) == <0>",
                                  "length(ones(1))"])
def test_listing_a_sequence_that_joins_for_ever_is_an_error_at_its_place(expr: str):
    with pytest.raises(ModelError, match=r"is infinite .*: it cannot be listed") as info:
        value(expr)
    assert info.value.span is not None and info.value.span.line == 1


ENDLESS = ["length(<1..>)", "<1..> == <1..>", "set(odds)", "{x | x <- <0..>}",
           "<x | x <- <1..>, x % 3 == 0> == <3>", "length(<1> ^ <0..>)",
           "length(<y | x <- <1, 2>, y <- <0..>>)"]


@pytest.mark.parametrize("expr", ENDLESS)
def test_what_needs_a_whole_infinite_sequence_is_an_error_not_a_hang(expr: str):
    with pytest.raises(ModelError, match=r"is infinite .*: it cannot be listed") as info:
        value(expr)
    assert info.value.span is not None and info.value.span.line == 1


@pytest.mark.parametrize("expr", ["<1..>", "odds", "<x | x <- <1..>, x % 3 == 0>",
                                  "<1> ^ <0..>", "<y | x <- <1, 2>, y <- <0..>>"])
def test_a_sequence_drawn_from_an_endless_one_is_known_endless_before_any_item_is_listed(
        expr: str):
    # the error above then comes at once, not after MAX_ITEMS items (which
    # cost a user 8-11 s through the interpreter)
    seq = value(expr)
    assert type(seq) is lazy_sequences.LazySeq and seq.endless()
    assert len(seq.source.items) <= 3


@pytest.mark.parametrize("expr", ["<x | x <- down(SETTLE + 1)>",  # lazy, and longer
                                  "firsts(3, steps(0, 1, 0))", "<x | x <- <1, 2>>"])
def test_a_finite_or_joined_sequence_is_not_called_endless(expr: str):
    seq = value(expr.replace("SETTLE", str(lazy_sequences.SETTLE_ITEMS)))
    assert not (type(seq) is lazy_sequences.LazySeq and seq.endless())
    assert len(lazy_sequences.listed(seq, None).items) in (2, 3, lazy_sequences.SETTLE_ITEMS + 1)


def test_head_of_an_empty_lazy_sequence_is_the_usual_error():
    with pytest.raises(ModelError, match="head of an empty sequence"):
        value("head(tail(zip(<1..>, <1>)))")


def test_checking_a_model_that_lists_an_endless_join_reports_file_line_col(tmp_path, capsys):
    from procalg.cli.main import main

    path = tmp_path / "endless.csp"
    path.write_text("f(x) = <x> ^ f(x)\nchannel c : {0..9}\n"
                    "P = c!head(f(1)) -> c!#f(1) -> STOP\nassert P :[deadlock free]\n")
    assert main(["check", str(path)]) == 2
    out = capsys.readouterr()
    text = out.out + out.err
    assert f"{path}:3:23: error: the sequence <1, 1, 1, ...> is infinite" in text
    assert "Traceback" not in text


def test_a_join_whose_delayed_operand_failed_still_has_it_when_asked_again():
    from procalg.semantics.lazy_sequences import Delayed, joined

    calls = []

    def right(env):
        calls.append(env)
        if len(calls) == 1:
            raise ModelError("not yet", None)
        return Sequence((2, 3))

    seq = joined(Sequence((1,)), Delayed(right, {}), None)
    with pytest.raises(ModelError, match="not yet"):
        seq.has(1)
    assert [seq.item(i) for i in range(3)] == [1, 2, 3] and not seq.has(3)
