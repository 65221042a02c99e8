"""FDR's relation functions: transpose, relational_image (curried), its inverse, mtransclose."""

from __future__ import annotations

import pytest

from procalg.api import loads
from procalg.errors import ModelError
from procalg.syntax.parser import parse_expr


def value(expr: str, model: str = "") -> object:
    return loads(model + "\nX = " + expr + "\n").value(parse_expr("X"))


@pytest.mark.parametrize(("expr", "expected"), [
    ("transpose({(1, 2), (3, 4)}) == {(2, 1), (4, 3)}", True),
    ("relational_image({(1, 2), (1, 3), (2, 4)})(1) == {2, 3}", True),
    ("relational_image({(1, 2)})(7) == {}", True),
    ("relational_inverse_image({(1, 2), (5, 2), (2, 4)})(2) == {1, 5}", True),
    # a chain of three links makes one class of four: its least member maps to the others
    ("mtransclose({(3, 2), (2, 1), (1, 0)}, {0..3}) == {(0, 1), (0, 2), (0, 3)}", True),
    # two classes, and an element related to nothing is in a class of its own
    ("mtransclose({(1, 2), (5, 4)}, {1, 2, 4, 5, 9}) == {(1, 2), (4, 5)}", True),
    ("mtransclose({}, {0}) == {}", True),
])
def test_relation_functions_compute_what_fdr_documents(expr: str, expected: bool):
    assert value(expr) is expected


def test_external_declarations_of_the_relation_functions_are_accepted_at_top_level_and_in_let():
    model = "external transpose, relational_image\n"
    assert value("let external transpose within transpose({(0, true)}) == {(true, 0)}",
                 model) is True


def test_a_relation_function_given_no_set_of_pairs_names_itself_and_the_value():
    with pytest.raises(ModelError, match=r"transpose needs a set of pairs, got \{1\}") as info:
        value("transpose({1})")
    assert info.value.span is not None and info.value.span.line == 2


def test_an_image_applied_to_two_arguments_says_it_takes_one():
    with pytest.raises(ModelError, match=r"relational_image\(R\) takes 1 argument, got 2"):
        value("relational_image({(1, 2)})(1, 2)")
