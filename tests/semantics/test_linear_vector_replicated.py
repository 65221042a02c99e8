"""Replicated external choices (``linear_vector_replicated``) against the per-state path.

``[] x : S @ body`` over a constant set is unrolled into the body's branches
once per binding; the batch must give the per-state path's moves, order,
targets and errors, and the term rules' LTS up to strong bisimulation.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.semantics.test_linear_vector import (
    _explored_alike,
    _models,
    _same,
)
from tests.semantics.test_linear_vector_values import _programs, _raised_alike


@pytest.mark.parametrize("text", [
    "P(y) = [] x : {0..3} @ x != y & g.x.y -> P(x)",
    "P(y) = e -> ([] x : {1, 3} @ (c!((x + y) % 4) -> P(x) [] d?i -> P((i + x) % 4)))",
    "P(y, b) = [] (x, z) : {(0, 1), (2, 3)} @"
    " (if b then g.x.y -> P(z, not b) else e -> P(y, true))",
    "P(y) = w!y -> P((y + 1) % 4) [] ([] x : {} @ c!x -> STOP)",
    "P(y) = [] x : {0..3} @ [] z : {2, 3} @ g.x.z -> P((y + z + x) % 4)",
])
def test_a_replicated_choice_over_a_constant_set_expands_like_the_per_state_path(
        text: str) -> None:
    start = "P(0, false)" if "b)" in text else "P(0)"
    assert _programs(text, start) == {"P"}
    _same(text, start)


def test_a_replicated_choice_over_a_set_reading_a_variable_keeps_the_per_state_path() -> None:
    text = "P(y) = [] x : {0..y} @ c!x -> P((y + 1) % 4)"
    assert _programs(text, "P(0)") == set()
    _same(text.replace("P(y) = ", "P(y) = e -> Q(y)\nQ(y) = "), "P(0)")


def test_an_error_in_one_binding_is_raised_as_the_per_state_path_raises_it() -> None:
    vector_machine, plain, _ = _models(
        "P(y) = [] x : {0..2} @ w!(y / (x - 1)) -> P((y + 1) % 4)", "P(3)")
    _raised_alike(vector_machine, plain)


@settings(max_examples=30, deadline=None)
@given(st.sets(st.integers(0, 3), max_size=4), st.sampled_from(["x", "y", "(x + y) % 4"]),
       st.sampled_from(["x == y", "x < y", "true"]), st.integers(0, 3))
def test_random_replicated_choices_explore_alike_on_both_paths(values: set[int], out: str,
                                                              guard: str, y: int) -> None:
    text = (f"P(y) = e -> P((y + 1) % 4) [] ([] x : {{{', '.join(map(str, sorted(values)))}}} @ "
            f"{guard} & c!({out}) -> w!x -> P(x))")
    _explored_alike(text, f"P({y})", whole=False)
