"""Lazy sequences: <n..>, comprehensions drawn from them, range comprehensions."""

from __future__ import annotations

import pytest

from procalg.api import loads
from procalg.errors import ModelError
from procalg.syntax.parser import parse_expr

MODEL = """
odds = <x | x <- <0..>, x % 2 == 1>
zip(<>, _) = <>
zip(_, <>) = <>
zip(<x>^xs, <y>^ys) = <(x, y)>^zip(xs, ys)
firsts(n, <x>^xs) = if n == 0 then <> else <x>^firsts(n - 1, xs)
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


@pytest.mark.parametrize("expr", ["length(<1..>)", "<1..> == <1..>", "set(odds)",
                                  "{x | x <- <0..>}", "<x | x <- <1..>, x % 3 == 0> == <3>"])
def test_what_needs_a_whole_infinite_sequence_is_an_error_not_a_hang(expr: str):
    with pytest.raises(ModelError, match=r"is infinite .*: it cannot be listed") as info:
        value(expr)
    assert info.value.span is not None and info.value.span.line == 1


def test_head_of_an_empty_lazy_sequence_is_the_usual_error():
    with pytest.raises(ModelError, match="head of an empty sequence"):
        value("head(tail(zip(<1..>, <1>)))")
