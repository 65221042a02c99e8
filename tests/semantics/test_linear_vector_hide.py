"""Hiding states expanded as columns (``linear_vector_hide``) against the per-state path.

A state ``P \\ A`` whose operand is a call of a vectorised definition has its
moves made by the operand's columns, then hidden; the moves, their targets and
the errors must be those of the per-state hiding rule and strongly bisimilar
to the term rules.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.errors import ModelError
from procalg.lts import explore
from procalg.semantics.linear import Machine
from tests.semantics.test_linear_vector import (
    _R,
    _branch,
    _counted,
    _models,
    _PerState,
    _same,
    _vector_lts,
)


def _hide_groups(machine: Machine) -> int:
    vector = machine.vector()
    assert vector is not None
    return len(vector._hides)


def _both_paths(text: str, start: str):
    """The machine, its per-state LTS, its column LTS and the term system; or None
    when the per-state path raises (after asserting the column path raises the same:
    a start whose first event raises raises in the machine's constructor)."""
    try:
        vector_machine, plain, system = _models(text, start)
        slow = explore(_PerState(plain), max_states=20_000)
    except ModelError as err:
        with pytest.raises(ModelError) as fast_err:
            vector_machine = _models(text, start)[0]
            (_vector_lts if vector_machine.vector() else explore)(vector_machine)
        assert str(fast_err.value) == str(err)
        return None
    return vector_machine, slow, _vector_lts(vector_machine), system


def test_a_hidden_data_recursion_expands_its_hiding_as_columns() -> None:
    text = ("P(x, y) = H(x, y) \\ {|d|}\n"
            "H(x, y) = d!x -> P((x + 1) % 4, y) [] w!y -> P(x, (y + 3) % 10)"
            " [] x == y & SKIP")
    _same(text, "P(0, 0)")
    machine = _models(text, "P(0, 0)")[0]
    lts = _vector_lts(machine)
    assert _hide_groups(machine) == 1  # the hiding went as columns
    vector = machine.vector()
    assert vector is not None and vector.hiding == {"P"}
    assert (vector.vectorised, vector.definitions) == (2, 2)  # --stats counts the hiding
    assert "τ" in lts.labels and "✓" in lts.labels and "d.0" not in lts.labels


def test_nested_hiding_is_flattened_as_the_per_state_path_flattens_it() -> None:
    text = ("P(x) = (H(x) \\ {|c|}) \\ {|d|}\n"
            "H(x) = c!x -> P((x + 1) % 4) [] d!x -> P((x + 3) % 4) [] e -> P(x)")
    _same(text, "P(0)")
    machine = _models(text, "P(0)")[0]
    _vector_lts(machine)
    assert _hide_groups(machine) == 1


def test_explore_numbers_a_hidden_machine_as_the_per_state_path() -> None:
    text = ("P(x, y, z) = H(x, y, z) \\ {|c|}\n"
            "H(x, y, z) = c!x -> P((x + 1) % 4, y, z) [] w!y -> P(x, (y + 1) % 10, z)"
            " [] d!z -> P(x, y, (z + 1) % 4)")
    vector_machine, plain, _ = _models(text, "P(0, 0, 0)")
    sizes = _counted(vector_machine)
    fast, slow = explore(vector_machine), explore(_PerState(plain))
    assert list(fast.triples()) == list(slow.triples()) and fast.num_states == slow.num_states
    assert sizes and _hide_groups(vector_machine) == 1


def test_an_error_under_hiding_is_raised_as_the_per_state_path_raises_it() -> None:
    text = ("P(n) = H(n) \\ {|c|}\n"
            "H(n) = c!(n % 4) -> P((n + 1) % 9) [] w!(if n == 2 then n % (n - 2) else n) -> P(n)")
    vector_machine, plain, _ = _models(text, "P(3)")
    with pytest.raises(ModelError) as slow:
        explore(_PerState(plain), max_states=100)
    with pytest.raises(ModelError) as fast:
        _vector_lts(vector_machine, limit=100)
    assert "division by zero" in str(slow.value)
    assert str(fast.value) == str(slow.value) and fast.value.span == slow.value.span


_SETS = ("{}", "{|c|}", "{|c, e|}", "{|d|}", "{w.9}", "{|k|}", "{|c, d, e, g, k, w|}")


@settings(max_examples=40, deadline=None)
@given(st.lists(_branch(), min_size=1, max_size=3), st.sampled_from(_SETS),
       st.sampled_from(("", *_SETS)), st.integers(0, 3), st.integers(0, 3))
def test_random_hidden_definitions_explore_alike_on_both_paths(
        branches: list[str], hidden: str, outer: str, x: int, y: int) -> None:
    body = f"H(x, y) \\ {hidden}" if not outer else f"(H(x, y) \\ {hidden}) \\ {outer}"
    text = (f"P(x, y) = {body}\nH(x, y) = "
            + " [] ".join(["w!9 -> P(y, x)", *branches]) + _R)
    paths = _both_paths(text, f"P({x}, {y})")
    if paths is None:
        return
    vector_machine, slow, fast, system = paths
    assert _hide_groups(vector_machine) >= 1  # the hidings went as columns
    assert fast.num_states == slow.num_states
    assert sorted(fast.triples()) == sorted(slow.triples())
    whole = explore(_models(text, f"P({x}, {y})")[0], max_states=20_000)
    assert list(whole.triples()) == list(slow.triples())  # explore's batch: same numbering
    from tests.semantics.test_linear import _bisimilar

    assert _bisimilar(slow, explore(system, max_states=20_000))


def test_a_hiding_of_an_inline_operand_expands_as_its_program() -> None:
    text = "P(x, y) = (d!x -> P((x + 1) % 4, y) [] w!y -> P(x, (y + 3) % 10)) \\ {|d|}"
    _same(text, "P(0, 0)")
    machine = _models(text, "P(0, 0)")[0]
    _vector_lts(machine)
    vector = machine.vector()
    assert vector is not None and set(vector.programs) == {"P\\"}
    assert _hide_groups(machine) == 1 and (vector.vectorised, vector.definitions) == (1, 1)


@settings(max_examples=40, deadline=None)
@given(st.lists(_branch(), min_size=1, max_size=3), st.sampled_from(_SETS),
       st.integers(0, 3), st.integers(0, 3))
def test_random_inline_hidden_operands_explore_alike_on_both_paths(
        branches: list[str], hidden: str, x: int, y: int) -> None:
    text = f"P(x, y) = ({' [] '.join(['w!9 -> P(y, x)', *branches])}) \\ {hidden}" + _R
    paths = _both_paths(text, f"P({x}, {y})")
    if paths is None:
        return
    _, slow, fast, _ = paths
    assert fast.num_states == slow.num_states
    assert sorted(fast.triples()) == sorted(slow.triples())
    whole = explore(_models(text, f"P({x}, {y})")[0], max_states=20_000)
    assert list(whole.triples()) == list(slow.triples())
