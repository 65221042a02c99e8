"""Definitions starting with guards and ``if`` (``linear_vector_resolve``) against per state.

A call of such a definition is keyed through its guards and ``if`` (the call
itself, ``STOP``, ``SKIP`` or another call): the batch must key each row as
the machine does, expand the definition's states as columns, and give the
per-state path's moves, order, targets and errors, and the term rules' LTS up
to strong bisimulation.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.semantics.test_linear_vector import (
    _arg,
    _cond,
    _explored_alike,
    _models,
    _same,
)
from tests.semantics.test_linear_vector_values import _programs, _raised_alike

IF = ("P(x, y) = if x < y then c!x -> P((x + 1) % 4, y) "
      "else (d!y -> P(x, (y + x + 1) % 4) [] c?i -> P(y, i))")


def test_a_definition_starting_with_if_expands_as_columns_like_the_per_state_path() -> None:
    assert _programs(IF, "P(0, 1)") == {"P"}
    for start in ("P(0, 1)", "P(3, 0)"):
        _same(IF, start)


@pytest.mark.parametrize("text", [
    "P(x) = x < 3 & c!x -> P((x + 1) % 5)",  # a false guard: the call is STOP
    "P(x) = if x == 0 then SKIP else (if x == 1 then Q(x) else c!x -> P((x + 1) % 4))"
    "\nQ(x) = d!x -> P(0)",  # SKIP, another call, the call itself
    "P(x) = if x == 2 then R(x) else w!x -> (e -> P((x + 1) % 4) [] P(2))"
    "\nR(x) = c!x -> P(0)",  # a chain of calls, and a call in choice position
    "P(x) = x != 1 & (if x > 2 then e -> P(0) else c!x -> P(x + 1))",
])
def test_calls_keyed_as_stop_skip_or_another_call_are_the_per_state_paths(text: str) -> None:
    for start in ("P(0)", "P(1)", "P(3)"):
        _same(text, start)


def test_a_condition_raising_in_one_row_is_raised_as_the_per_state_path_raises_it() -> None:
    vector_machine, plain, _ = _models(
        "P(x) = if 4 / (x - 6) < 1 then w!x -> P((x + 1) % 9) else e -> P(0)", "P(3)")
    _raised_alike(vector_machine, plain)


def _body(depth: int) -> st.SearchStrategy[str]:
    call = st.builds(lambda a, b: f"P({a}, {b})", _arg(1), _arg(1))
    leaf = st.one_of(
        st.builds(lambda v, k: f"c!({v}) -> {k}", _arg(1), call),
        st.builds(lambda k: f"(d?i -> {k.replace('y)', '(y + i) % 4)')} [] e -> STOP)", call),
        st.just("STOP"), st.just("SKIP"), st.just("Q(x)"))
    if depth == 0:
        return leaf
    inner = _body(depth - 1)
    return st.one_of(
        leaf,
        st.builds(lambda c, a, b: f"(if {c} then {a} else {b})", _cond(0), inner, inner),
        st.builds(lambda c, a: f"({c} & {a})", _cond(0), inner),
    )


@settings(max_examples=40, deadline=None)
@given(_body(3), st.integers(0, 3), st.integers(0, 3))
def test_random_guards_and_ifs_explore_alike_on_both_paths(body: str, x: int, y: int) -> None:
    text = f"P(x, y) = if x == y then w!x -> P((x + 1) % 4, y) else {body}" \
        "\nQ(x) = w!x -> P(x, 0)"
    _explored_alike(text, f"P({x}, {y})")
