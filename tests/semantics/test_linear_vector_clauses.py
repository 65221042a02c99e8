"""Definitions by pattern matching in the batch next-state function.

Several clauses (``P(0) = ...``, ``P(n) = ...``) and parameters that are
patterns (``SEND((r, i))``, ``Q(<x> ^ s)``, ``R(m.v)``) expand as columns
(:mod:`procalg.semantics.linear_vector_clauses`): each row takes the first
clause that matches, as the per-state path's unfolding does. The batch must
give the per-state path's moves, order and targets, the term rules' LTS up
to strong bisimulation, and the per-state path's errors.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.errors import ModelError
from procalg.lts import explore
from tests.semantics.test_linear_vector import _models, _PerState, _same, _vector_lts
from tests.semantics.test_linear_vector_values import DATA, _programs, _raised_alike


def test_clauses_on_constants_and_variables_expand_as_columns_like_the_per_state_path() -> None:
    text = ("P(0, b) = c!0 -> P(1, not b)\nP(3, true) = e -> STOP\n"
            "P(i, b) = c!i -> P((i + 1) % 4, b) [] b & d?x -> P(x, false)")
    _same(DATA + text, "P(0, true)")
    assert _programs(text, "P(0, true)") == {"P"}


def test_tuple_sequence_and_dotted_patterns_expand_as_columns_like_the_per_state_path() -> None:
    text = ("SEND((r, i)) = #r < 2 & c?x -> SEND((r ^ <x>, (i + 1) % 3))"
            " [] Q(r, m.(i % 2))\n"
            "Q(<>, m.i) = q!m.i -> SEND((<>, i))\nQ(<>, n) = e -> SEND((<>, 0))\n"
            "Q(<x> ^ s, v) = d!x -> SEND((s, 0)) [] q!v -> Q(s, n)")
    _same(DATA + text, "SEND((<>, 0))")
    assert _programs(text, "SEND((<>, 0))") == {"SEND", "Q"}


@pytest.mark.parametrize("text", [
    "P(0) = c!0 -> P(1)\nP(1) = c!1 -> P(2)",  # P(2) matches no clause
    "P(<x>) = c!x -> P(<x, x>)",  # <x, x> matches no clause
    "P((a, b)) = c!(a + b) -> P((b, a + b))",  # 5 outside c's type
])
def test_a_row_no_clause_matches_raises_as_the_per_state_path_raises_it(text: str) -> None:
    start = "P(0)" if text.startswith("P(0)") else "P(<1>)" if "<x>" in text else "P((1, 1))"
    vector_machine, plain, _ = _models(DATA + text, start)
    assert vector_machine.vector() is not None and "P" in vector_machine.vector().programs
    _raised_alike(vector_machine, plain)


_PATTERNS = ("(i, <>)", "(0, s)", "(i, <x> ^ s)", "(3, <x, y>)", "(i, s)", "(1, <2> ^ s)")
_BODIES = ("c!(i % 4) -> P((i + 1) % 4, s)", "#s < 2 & d?z -> P(i, s ^ <z>)",
           "c!(x % 4) -> P(x, s)", "w!(x + y) -> P(0, <y>)", "e -> P(i, tail(s))",
           "(if i == 2 then e -> P(0, <>) else STOP)", "q!m.(#s % 2) -> P(i, <>)")


@st.composite
def _clauses(draw: st.DrawFn) -> str:
    chosen = draw(st.lists(st.sampled_from(_PATTERNS), min_size=1, max_size=4, unique=True))
    lines = []
    for pattern in chosen:
        usable = [b for b in _BODIES if ("x" not in b or "x" in pattern)
                  and ("y" not in b or "y" in pattern)
                  and ("i" not in b or "i" in pattern)
                  and ("s" not in b.replace("#s", "").replace("-> P(0, <>)", "")
                       or "s" in pattern)]
        bodies = draw(st.lists(st.sampled_from(usable or ["e -> STOP"]), min_size=1,
                               max_size=2))
        lines.append(f"P{pattern} = " + " [] ".join(["w!9 -> P(0, <>)", *bodies]))  # opaque
    return "\n".join(lines)


@settings(max_examples=40, deadline=None)
@given(_clauses(), st.sampled_from(["P(0, <>)", "P(1, <2>)", "P(3, <1, 2>)"]))
def test_random_clauses_explore_alike_on_both_paths(text: str, start: str) -> None:
    try:
        vector_machine, plain, _ = _models(DATA + text, start)
    except ModelError:  # the start matches no clause: one constructor, both paths
        return
    try:
        explore(_PerState(plain), max_states=20_000)
    except ModelError as err:
        with pytest.raises(ModelError) as fast_err:
            (_vector_lts if vector_machine.vector() else explore)(vector_machine)
        assert str(fast_err.value) == str(err) and fast_err.value.span == err.span
        return
    _same(DATA + text, start)
