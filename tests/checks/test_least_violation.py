"""The reference refinement's least violation: its levels and its least path."""

from __future__ import annotations

from procalg.checks.least_violation import least_goals, pair_levels
from procalg.errors import ProcalgError


def test_pairs_are_numbered_as_reached_and_grouped_by_their_depth():
    parent = {(0, "r"): None, (1, "x"): ((0, "r"), "a"), (0, "y"): ((0, "r"), "τ"),
              (2, "z"): ((0, "y"), "b")}
    assert pair_levels(parent) == ([(0, "r"), (1, "x"), (0, "y"), (2, "z")],
                                   [[0], [1, 2], [3]])


def test_the_least_path_is_taken_and_its_goals_given_whatever_order_they_were_met_in():
    # 0 -b-> 1 -a-> 3 and 0 -a-> 2 -b-> 4, 0 -a-> 2 -b-> 5: <a, b> reaches 4 and 5
    graph = {0: [("b", 1), ("a", 2)], 1: [("a", 3)], 2: [("b", 4), ("b", 5)],
             3: [], 4: [], 5: []}
    labels, run, reached = least_goals([[0], [1, 2], [3, 4, 5]], 2, lambda n: f"g{n}",
                                       graph.__getitem__)
    assert (labels, run(4), run(5), reached) == (["a", "b"], [0, 2, 4], [0, 2, 5],
                                                 {4: "g4", 5: "g5"})


def test_a_goal_whose_moves_raise_a_model_error_is_no_goal():
    graph = {0: [("a", 1), ("b", 2)], 1: [], 2: []}

    def goal(node: int) -> str | None:
        if node == 1:
            raise ProcalgError("division by zero")
        return "x"

    labels, run, reached = least_goals([[0], [1, 2]], 1, goal, graph.__getitem__)
    assert (labels, run(2), reached) == (["b"], [0, 2], {2: "x"})
