"""The batch next-state function of compiled machines against the per-state path.

:class:`~procalg.semantics.linear_vector.VectorMoves` expands a frontier of a
:class:`~procalg.semantics.linear.Machine` as numpy columns; it must give the
moves, in the order, with the targets that one ``successors`` call per state
gives (so a lazy leaf numbers its local states identically), be strongly
bisimilar to the term rules (:mod:`procalg.semantics.sos`), and raise the same
errors.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import loads
from procalg.errors import ModelError
from procalg.lts import LTS, explore
from procalg.lts.lazy import LazyComponent
from procalg.semantics.linear import Machine
from tests.semantics.test_linear import _bisimilar

HEADER = ("channel c, d : {0..3}\nchannel e\nchannel w : {0..9}\nchannel g : {0..3}.{0..3}\n"
          "channel k : Bool.{0..3}\n")


class _PerState:
    """A machine seen without its batch function (the per-state path)."""

    def __init__(self, machine: Machine) -> None:
        self.machine = machine

    def initial_state(self) -> int:
        return self.machine.initial_state()

    def successors(self, state: int):
        return self.machine.successors(state)


def _vector_lts(machine: Machine, limit: int = 20_000) -> LTS:
    """A breadth-first exploration by frontiers through the batch function, numbered as
    :func:`~procalg.lts.explore` numbers states (first seen, in move order)."""
    vector = machine.vector()
    assert vector is not None
    number = {machine.initial_state(): 0}
    frontier, triples = [machine.initial_state()], []
    while frontier:
        pos, label, dst = vector.batch(frontier)
        nxt = []
        for p, lab, d in zip(pos.tolist(), label.tolist(), dst.tolist(), strict=True):
            if d not in number:
                number[d] = len(number)
                nxt.append(d)
            triples.append((number[frontier[p]], vector.labels[lab], number[d]))
        assert len(number) <= limit
        frontier = nxt
    return LTS.build(len(number), 0, sorted({t[1] for t in triples}), triples)


def _models(text: str, start: str) -> tuple[Machine, Machine, object]:
    model = loads(HEADER + text)
    call = model.process(start)
    ev = model.spec.evaluator
    return Machine(ev, call), Machine(ev, call), model.spec.system(call)


def _explored_alike(text: str, start: str, *, whole: bool = True) -> None:
    """The columns and the per-state path explore ``start`` alike: the same error, or
    the same states and transitions (with ``whole``: numbered as a whole exploration's)."""
    vector_machine, plain, _ = _models(text, start)
    try:
        slow = explore(_PerState(plain), max_states=20_000)
    except ModelError as err:
        with pytest.raises(ModelError) as fast_err:
            _vector_lts(vector_machine)
        assert str(fast_err.value) == str(err)
        return
    fast = _vector_lts(vector_machine)
    assert fast.num_states == slow.num_states
    assert sorted(fast.triples()) == sorted(slow.triples())
    if whole:
        again = explore(_models(text, start)[0], max_states=20_000)
        assert list(again.triples()) == list(slow.triples())


def _same(text: str, start: str) -> None:
    vector_machine, plain, system = _models(text, start)
    fast, slow = _vector_lts(vector_machine), explore(_PerState(plain), max_states=20_000)
    assert fast.num_states == slow.num_states
    assert sorted(fast.triples()) == sorted(slow.triples())
    assert _bisimilar(fast, explore(system, max_states=20_000))


def test_the_issue_model_explores_to_the_per_state_lts_and_the_terms() -> None:
    _same("Q(x,y,z) = d?i -> Q((x+i)%6,(y+x)%6,(z+y)%3) [] (x==y & e -> STOP)", "Q(0,0,0)")


def _counted(machine: Machine) -> list[int]:
    """The frontier sizes ``machine``'s batch function is called with, from now on."""
    vector, sizes = machine.vector(), []
    assert vector is not None
    batch = vector.batch
    vector.batch = lambda states: sizes.append(len(states)) or batch(states)  # type: ignore
    return sizes


def test_explore_numbers_a_vectorised_machine_as_the_per_state_path() -> None:
    text = "Q(x,y) = d?i -> Q((x+i)%12,(y+x)%12) [] (x==y & e -> SKIP) [] c!(y%4) -> Q(y,x)"
    vector_machine, plain, _ = _models(text, "Q(0,0)")
    sizes = _counted(vector_machine)
    fast, slow = explore(vector_machine), explore(_PerState(plain))
    assert list(fast.triples()) == list(slow.triples()) and fast.num_states == slow.num_states
    assert sizes and min(sizes) >= 16  # small frontiers go state by state (BATCH_MIN)


def test_guards_if_bools_division_and_skip_vectorise_like_the_closures() -> None:
    _same("P(n, b) = (b and n % 3 != 1) & c!(n / 2) -> P((n + 3) % 7, not b)"
          " [] (if n > 4 then e -> SKIP else w!(n - -2) -> P(-n % 7, b == (n == 2)))"
          " [] c?x:{1, 2} -> P((n * x) % 7, b)", "P(0, true)")


def test_inputs_after_outputs_that_read_variables_vectorise_like_the_closures() -> None:
    text = "P(x) = g!x?i -> P((x + i) % 4) [] g?i:{0, 2, 7}!((x + i) % 4) -> P(i) [] e -> P(3)"
    _same(text, "P(0)")
    vector = _models(text, "P(0)")[0].vector()
    assert vector is not None and vector.vectorised == 1


def test_a_lazy_leaf_numbers_its_states_as_the_per_state_path_does() -> None:
    vector_machine, plain, _ = _models(
        "Q(x) = d?i -> Q((4 * x + i) % 90) [] x == 3 & e -> SKIP", "Q(0)")
    sizes = _counted(vector_machine)
    alphabet = {"e", "✓", *(f"d.{i}" for i in range(4))}
    fast, slow = LazyComponent(vector_machine, alphabet), LazyComponent(_PerState(plain), alphabet)
    for lazy in (fast, slow):
        while lazy.expand(np.arange(lazy.num_states)):
            pass
    assert fast.num_states == slow.num_states == 92  # 90 values, SKIP, Ω
    assert sizes and min(sizes) >= 16
    assert [list(a) for a in fast.entries(False)] == [list(a) for a in slow.entries(False)]
    assert fast.entry_labels(np.arange(fast.transitions), False).tolist() == \
        slow.entry_labels(np.arange(slow.transitions), False).tolist()


def test_a_call_in_choice_position_is_inlined_like_the_unfolding() -> None:
    text = ("E = c?t -> (e -> E [] d!t -> E2(t))\n"  # E2's choice reaches E: the swp media
            "E2(t) = (w!9 -> d!t -> E2(t)) [] E\n"
            "P(n) = e -> P((n + 1) % 5) [] n > 1 & Q(6 / n, n == 3) [] E2(n % 4)\n"
            "Q(m, b) = k!b!(m % 4) -> P(m) [] (if b then R else STOP)\nR = w!1 -> STOP")
    _same(text, "P(0)")
    vector = _models(text, "P(0)")[0].vector()
    assert vector is not None and (vector.vectorised, vector.definitions) == (5, 5)


def test_bool_channel_fields_vectorise_like_the_closures() -> None:
    text = ("P(n, b) = k!b!n -> P((n + 1) % 4, not b) [] k?x!n -> P((n + 3) % 4, x == b)"
            " [] k?x:{true}?m -> P(m, x and b) [] b & k.(n == 2)?m:{1, 3} -> P(m, false)")
    _same(text, "P(0, true)")
    vector = _models(text, "P(0, true)")[0].vector()
    assert vector is not None and vector.vectorised == 1


@pytest.mark.parametrize(("text", "message"), [
    ("P(n) = e -> P((n + 1) % 5) [] Q(3 / n)\nQ(m) = c!(m % 4) -> STOP", "division by zero"),
    ("P(n) = k!(n / (n - 4) > 0)!0 -> P((n + 1) % 9)", "division by zero"),
    ("P(n) = c!(3 / n) -> P((n + 4) % 5)", "division by zero"),
    ("P(n) = c!n -> P((n + 1) % 9)", "c"),
    ("P(n) = w!(if n == 2 then n % (n - 2) else n) -> P((n + 1) % 9)", "division by zero"),
])
def test_an_error_in_one_state_is_raised_as_the_per_state_path_raises_it(
        text: str, message: str) -> None:
    vector_machine, plain, _ = _models(text, "P(3)")
    with pytest.raises(ModelError) as slow:
        explore(_PerState(plain), max_states=100)
    with pytest.raises(ModelError) as fast:
        _vector_lts(vector_machine, limit=100)
    assert message in str(slow.value)
    assert str(fast.value) == str(slow.value) and fast.value.span == slow.value.span


def test_a_definition_outside_the_vectorised_language_keeps_the_per_state_path() -> None:
    text = "P(s) = (c!#s -> STOP /\\ e -> P(s)) [] e -> R(1)\nR(n) = c!n -> R((n + 1) % 4)"
    model = loads(HEADER + text)
    vector = Machine(model.spec.evaluator, model.process("P(<1>)")).vector()
    assert vector is not None and (vector.vectorised, vector.definitions) == (1, 2)
    assert set(vector.programs) == {"R"}
    _same(text, "P(<1>)")  # P's states by the closures, R's as columns, in one frontier


_ATOMS = ("x", "y", "0", "1", "2", "3")


def _expr(depth: int) -> st.SearchStrategy[str]:
    atom = st.sampled_from(_ATOMS)
    if depth == 0:
        return atom
    inner = _expr(depth - 1)
    return st.one_of(
        atom,
        st.builds(lambda a, op, b: f"(({a}) {op} ({b}))", inner,
                  st.sampled_from(["+", "-", "*", "/", "%"]), inner),
        st.builds(lambda c, a, b: f"(if {c} then {a} else {b})", _cond(depth - 1), inner, inner),
    )


def _cond(depth: int) -> st.SearchStrategy[str]:
    return st.builds(lambda a, op, b: f"({a} {op} {b})", _expr(depth),
                     st.sampled_from(["==", "!=", "<", ">="]), _expr(depth))


def _arg(depth: int) -> st.SearchStrategy[str]:
    return _expr(depth).map(lambda e: f"(({e}) % 4)")


def _branch() -> st.SearchStrategy[str]:
    call = st.builds(lambda a, b: f"P({a}, {b})", _arg(1), _arg(1))
    return st.one_of(
        st.builds(lambda v, k: f"c!({v}) -> {k}", _arg(1), call),
        st.builds(lambda k: f"d?i -> {k.replace('y)', '(y + i) % 4)')}", call),
        st.builds(lambda v, k: f"g!({v})?i -> {k.replace('x)', '(x + i) % 4)')}", _arg(1), call),
        st.builds(lambda v, k: f"g?i:{{1, 3}}!({v.replace('y', 'i')}) -> {k}", _arg(1), call),
        st.builds(lambda g, b: f"({g} & {b})", _cond(1), st.just("e -> STOP")),
        st.just("e -> SKIP"),
        st.builds(lambda a, b: f"R({a}, {b})", _arg(1), _cond(0)),  # inlined (R below)
    )


_R = ("\nR(a, b) = k!(a < 2)!a -> P(a, 3 - a) [] b & k?t!((a + 1) % 4) -> P(if t then a else 0, a)"
      " [] (if b then c!a -> STOP else e -> SKIP)")


@settings(max_examples=40, deadline=None)
@given(st.lists(_branch(), min_size=1, max_size=3), st.integers(0, 3), st.integers(0, 3))
def test_random_definitions_explore_alike_on_both_paths(branches: list[str], x: int,
                                                        y: int) -> None:
    text = "P(x, y) = " + " [] ".join(["w!9 -> P(y, x)", *branches]) + _R  # opaque
    vector_machine, plain, _ = _models(text, f"P({x}, {y})")
    try:
        slow = explore(_PerState(plain), max_states=20_000)
    except ModelError as err:
        with pytest.raises(ModelError) as fast_err:  # P((0 / 0) ..) is left per state
            (_vector_lts if vector_machine.vector() else explore)(vector_machine)
        assert str(fast_err.value) == str(err)
        return
    fast = _vector_lts(vector_machine)
    assert fast.num_states == slow.num_states
    assert sorted(fast.triples()) == sorted(slow.triples())
    whole = explore(_models(text, f"P({x}, {y})")[0], max_states=20_000)
    assert list(whole.triples()) == list(slow.triples())  # explore's batch: same numbering


def test_the_network_notes_say_how_many_definitions_expand_as_columns() -> None:
    from procalg.semantics.network import compile_network

    model = loads(HEADER + "P(s) = (c!#s -> STOP /\\ e -> P(s)) [] e -> R(1)\n"
                  "R(n) = c!n -> R((n + 1) % 4)\nS = P(<1>) ||| R(0)")
    net = compile_network(model.process("S"), model.spec)
    assert any(n.endswith(": 1 of 2 definitions expanded as columns") for n in net.notes)
    assert any(n.endswith(": 1 of 1 definitions expanded as columns") for n in net.notes)
