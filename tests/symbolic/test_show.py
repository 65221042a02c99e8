"""Invariants print as .proc conditions."""

from __future__ import annotations

import z3

from procalg.symbolic.show import formula


def test_negated_integer_bounds_become_plain_comparisons() -> None:
    x = z3.Int("x")
    assert formula(z3.Not(x <= 4)) == "x >= 5"
    assert formula(z3.Not(x >= 4)) == "x <= 3"
    assert formula(z3.Not(x == 4)) == "x != 4"


def test_sums_with_negative_coefficients_read_as_subtraction() -> None:
    x, y, z = z3.Ints("x y z")
    assert formula(x + -1 * y + z >= 0) == "x - y + z >= 0"


def test_disjunctions_inside_conjunctions_are_bracketed() -> None:
    x, y = z3.Ints("x y")
    assert formula(z3.And(x >= 1, z3.Or(y == 0, x == 2))) == "x >= 1 and (y == 0 or x == 2)"
