"""Continuations expanded as columns (``linear_vector_nodes``) against the per-state path.

A state after a body's first event (``b!y -> c -> P(..)`` of ``P(x, y) = a!x
-> b!y -> c -> P(..)``) is grouped by its continuation and expanded as
columns; its targets' keys come from the columns. The batch must give the
per-state path's moves, order and targets, the term rules' LTS up to strong
bisimulation, and the per-state path's errors.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import loads
from procalg.lts import explore
from procalg.semantics.linear import Machine
from procalg.semantics.linear_vector_nodes import NODE
from tests.semantics.test_linear_vector import (
    HEADER,
    _arg,
    _cond,
    _explored_alike,
    _models,
    _PerState,
    _same,
    _vector_lts,
)
from tests.semantics.test_linear_vector_values import _programs, _raised_alike


def _grouped(text: str, start: str) -> int:
    """How many of a whole exploration's states the batch put in continuation groups."""
    model = loads(HEADER + text)
    machine = Machine(model.spec.evaluator, model.process(start))
    _vector_lts(machine)
    vector = machine.vector()
    assert vector is not None
    groups = vector._group_of[:machine.num_states].tolist()
    return sum(1 for g in groups if g >= 0 and type(vector._groups[g][0]) is tuple
               and vector._groups[g][0][0] == NODE)


CHAIN = "P(x, y) = c!x -> d!y -> e -> P((x + 1) % 4, (y + x) % 4) [] x == y & w!(x + y) -> P(y, 0)"


def test_a_prefix_chain_expands_its_continuations_as_columns_like_the_per_state_path() -> None:
    _same(CHAIN, "P(0, 1)")
    assert _grouped(CHAIN, "P(0, 1)") > 16  # the states after c!x and after d!y


@pytest.mark.parametrize("text", [
    "P(x) = c!x -> (if x > 1 then d!x -> P(x - 1) else e -> P(x + 2))",
    "P(x) = e -> (x < 3 & c!x -> P(x + 1) [] d!x -> STOP [] c?y:{0, 1} -> SKIP)",
    "P(x) = c?y -> d!((x + y) % 4) -> g.x.y -> P(y)",
    "P(x) = e -> d!x -> T(x)\nT(x) = if x == 0 then STOP else c!x -> T(x - 1)",
    "P(x) = e -> c?y -> e -> P((x + y) % 4)",
    "P(x) = c!x -> e -> STOP [] d!x -> e -> SKIP [] e -> P((x + 1) % 4)",
])
def test_continuations_of_every_kind_expand_like_the_per_state_path(text: str) -> None:
    for start in ("P(0)", "P(3)"):
        _same(text, start)


def test_two_rows_meeting_in_one_key_are_one_state() -> None:
    text = "P(x) = w!x -> c!(x * 0) -> P((x + 1) % 8)"  # c.0 -> P(..): x read, key apart
    _same(text, "P(0)")
    same = "P(x) = w!x -> e -> c!(x % 2) -> Q\nQ = e -> STOP"  # c!(x%2) -> Q: two keys
    _same(same, "P(0)")


@pytest.mark.parametrize("text", [
    "P(x) = e -> c!x -> P((x + 1) % 9)",  # c.4 is outside c's type, in a continuation
    "P(x) = e -> w!x -> d!(4 / (x - 5)) -> P((x + 1) % 9)",  # division by zero two events in
    "P(x) = e -> w!(x / (x - 6)) -> P((x + 1) % 9)",  # in the key of the target made from P's group
])
def test_an_error_in_a_continuation_is_raised_as_the_per_state_path_raises_it(text: str) -> None:
    vector_machine, plain, _ = _models(text, "P(3)")
    _raised_alike(vector_machine, plain)


def test_explore_numbers_continuation_states_as_the_per_state_path() -> None:
    vector_machine, plain, _ = _models(CHAIN, "P(0, 0)")
    fast, slow = explore(vector_machine), explore(_PerState(plain))
    assert list(fast.triples()) == list(slow.triples()) and fast.num_states == slow.num_states


def _continuation(depth: int) -> st.SearchStrategy[str]:
    call = st.builds(lambda a, b: f"P({a}, {b})", _arg(1), _arg(1))
    if depth == 0:
        return st.one_of(call, st.just("STOP"), st.just("SKIP"), st.just("T(x)"))
    inner = _continuation(depth - 1)
    return st.one_of(
        call,
        st.builds(lambda v, k: f"c!({v}) -> {k}", _arg(1), inner),
        st.builds(lambda k: f"d?i -> {k.replace('y)', '(y + i) % 4)')}", inner),
        st.builds(lambda c, a, b: f"(if {c} then {a} else {b})", _cond(0), inner, inner),
        st.builds(lambda c, a, b: f"({c} & {a} [] e -> {b})", _cond(0), inner, inner),
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(_continuation(3), min_size=1, max_size=2), st.integers(0, 3),
       st.integers(0, 3))
def test_random_continuations_explore_alike_on_both_paths(continuations: list[str], x: int,
                                                          y: int) -> None:
    branches = [f"w!{i} -> {k}" for i, k in enumerate(continuations)]
    text = "P(x, y) = " + " [] ".join(["e -> P(y, x)", *branches]) \
        + "\nT(x) = if x == 0 then e -> STOP else c!x -> T(x - 1)"
    _explored_alike(text, f"P({x}, {y})")


PATTERNS = ("channel t : {0..3}.({0..1}, {0..3})\n"
            "channel s : {0..1}.{<>, <0>, <1>, <0, 1>, <1, 1>}\n")


@pytest.mark.parametrize("text", [
    "P(n) = t!n?(a, b) -> P((n + a + b) % 4)",
    "P(n) = t!n?(0, b) -> P(b) [] t!((n + 1) % 4)?(1, _) -> e -> P(0)",
    "P(n) = s!(n % 2)?<x> ^ r -> w!(x + #r + n) -> P((n + 1) % 4)",
    "P(n) = e -> t!n?(a, b) -> P((a * b + n) % 4)",
])
def test_inputs_with_patterns_after_outputs_reading_variables_expand_like_per_state(
        text: str) -> None:
    assert _programs(PATTERNS + text, "P(1)") == {"P"}
    _same(PATTERNS + text, "P(1)")


@pytest.mark.parametrize("text", [
    "P(x) = c!x -> P((x + 1) % 4) |~| d!x -> STOP",
    "P(x) = x < 2 & (e -> P(x + 1) |~| Q((x + 2) % 4)) [] w!x -> (STOP |~| c!x -> P(0))"
    "\nQ(x) = d!x -> P(x)",
    "P(x) = (if x == 1 then SKIP |~| e -> P(0) else c!x -> P((x + 1) % 4))",
    "P(x) = e -> (e -> P(x) [] (c!x -> P(x) |~| d!x -> P(0)))",  # an open choice after e
])
def test_internal_choices_are_a_tau_to_each_operand_like_the_per_state_path(text: str) -> None:
    for start in ("P(0)", "P(1)"):
        _same(text, start)


def test_an_external_choice_kept_open_by_an_operands_tau_keeps_the_per_state_path() -> None:
    assert _programs("P(x) = e -> P(x) [] (c!x -> P(x) |~| d!x -> P(0))", "P(0)") == set()
    assert _programs("P(x) = [] y : {0, 1} @ (c!y -> P(x) |~| e -> P(x))", "P(0)") == set()
    assert _programs("P(x) = c!x -> P((x + 1) % 4) |~| d!x -> STOP", "P(0)") == {"P"}


def test_a_chain_of_outputs_on_one_channel_shares_one_layout_of_its_type() -> None:
    # each link of a long chain is a continuation with an output of its own: a layout
    # (sorted type, table of labels) per link made a 10,000-prefix chain quadratic
    from procalg.semantics.linear_vector_events import _LAYOUTS

    model = loads("channel step : {0..200}\nP = "
                  + " ".join(f"step.{i} ->" for i in range(200)) + " SKIP")
    machine = Machine(model.spec.evaluator, model.process("P"))
    vector = machine.vector()
    assert len(vector.nodes.programs) >= 199  # every link after the first is a program
    assert len(_LAYOUTS[machine]) == 1
