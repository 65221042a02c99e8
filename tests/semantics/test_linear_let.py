"""Compiled ``let … within`` and renaming (:mod:`procalg.semantics.linear_let`) against
the term rules (the oracle).

Random parameterised processes with local process definitions (closing over
parameters and input variables, with and without parameters of their own,
calling their siblings), local values and functions, and renamings inside
sequential bodies are explored by :class:`~procalg.semantics.linear.Machine` and by
:mod:`procalg.semantics.sos`: strongly bisimilar LTSs, same labels, same deadlocks.
"""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import loads
from procalg.lts import TAU, TICK, explore
from procalg.semantics.linear import Machine, compile_leaf
from procalg.semantics.network import compile_network
from tests.semantics.random_processes import Grammar, value
from tests.semantics.test_linear import _bisimilar, assert_compiles_like_its_terms

HEADER = """channel c, d : {0..3}
channel e, f
"""

RENAMINGS = ("[[c <- d]]", "[[e <- f, e <- c.1]]", "[[c.x <- d.((x + 1) % 4) | x <- {0..3}]]",
             "[[f <- e]]")


def _value(names: tuple[str, ...]):
    """An int expression over 0, 1, 3 and the names in scope (``+``, modulo 4)."""
    return value(Grammar(atoms=(), operators=()), names)


@cache  # one strategy object per scope and depth
def _process(names: tuple[str, ...], locals_: tuple[str, ...], depth: int):
    calls = st.one_of(st.builds(lambda v: f"P({v})", _value(names)), st.just("R"),
                      *[st.builds(lambda v, q=q: f"{q}({v})", _value(names)) for q in locals_])
    base = st.one_of(st.sampled_from(["STOP", "SKIP"]), calls)
    if depth == 0:
        return base
    sub = _process(names, locals_, depth - 1)
    bound = "xyz"[min(len(names), 2)]
    inner = _process((*names, bound), locals_, depth - 1)
    local = _process((*names, "m"), (*locals_, "Q"), depth - 1)
    within = _process((*names, "k"), (*locals_, "Q"), depth - 1)
    return st.one_of(
        base,
        st.builds(lambda p: f"e -> {p}", sub),
        st.builds(lambda v, p: f"c!{v} -> {p}", _value(names), sub),
        st.builds(lambda p: f"d?{bound}:{{0, 2}} -> {p}", inner),
        st.builds(lambda p, q: f"({p} [] {q})", sub, sub),
        st.builds(lambda p, q: f"({p} |~| {q})", sub, sub),
        st.builds(lambda p, q: f"({p} ; {q})", sub, sub),
        st.builds(lambda p, r: f"(({p}) {r})", sub, st.sampled_from(RENAMINGS)),
        st.builds(lambda v, q, p: f"(let Q(m) = e -> {q}\n  k = {v} within {p})",
                  _value(names), local, within),
        st.builds(lambda q, p: f"(let Q(m) = f -> S\n  S = c!1 -> {q} within {p})",
                  local, within),
    )


_MODELS = st.builds(
    lambda p, r: f"P(n) = {p}\nR = {r}\n",
    _process(("n",), (), 3),
    st.builds(lambda p: f"e -> {p}", _process((), (), 2)),
)


@given(_MODELS, st.sampled_from(["P(0)", "P(2)", "R"]))
@settings(max_examples=200, deadline=None)
def test_lets_and_renamings_are_bisimilar_to_their_terms(text, start):
    assert_compiles_like_its_terms(loads(HEADER + text), start, 400)


def _both(text: str, start: str = "P(1)"):
    model = loads(HEADER + text)
    call = model.process(start)
    machine = Machine(model.spec.evaluator, call)
    return explore(machine, max_states=10_000), \
        explore(model.spec.system(call), max_states=10_000), machine


@pytest.mark.parametrize("text", [
    # a local process closing over a parameter and an input variable (FDR's phone)
    "P(n) = d?y -> (let Q = c!y -> P(n) [] e -> Q within Q)",
    # a local process with parameters calling itself, a local value
    "P(n) = let k = (n + 1) % 4\n  Q(m) = c!m -> Q((m + k) % 4) within Q(0)",
    # siblings calling each other, a local function
    "P(n) = let g(x) = (x + n) % 4\n  A = c!g(1) -> B\n  B = d!g(2) -> A within A",
    # a local process's parameter its body never reads: one state for every value
    "P(n) = e -> (let Q(m) = e -> c!n -> Q(3) within Q(2))",
    # a let inside a local definition (nested closures)
    "P(n) = let Q(m) = (let S = c!m -> e -> Q((m + n) % 4) within S) within Q(n)",
    # a renamed call, and renaming over a choice with a qualifier
    "P(n) = C(n) [[c.x <- d.x | x <- {0..3}]]\nC(n) = c!n -> C((n + 1) % 4)",
    "P(n) = ((e -> C(n)) [] (c?x -> SKIP)) [[e <- f, e <- c.2, c.1 <- e]]\n"
    "C(n) = e -> C(n) [] c!n -> STOP",
])
def test_a_let_or_renaming_has_the_term_rules_states(text):
    compiled, reference, _ = _both(text)
    assert _bisimilar(compiled, reference)
    assert compiled.num_states == reference.num_states


def test_a_renaming_maps_one_event_to_each_of_its_images():
    _, _, machine = _both("P(n) = (e -> STOP) [[e <- c.1, e <- c.2]]")
    assert sorted(label for label, _ in machine.successors(machine.initial_state())) == \
        ["c.1", "c.2"]


def test_a_renamed_tick_ends_the_process():
    _, _, machine = _both("P(n) = SKIP [[e <- f]]")
    assert [label for label, _ in machine.successors(machine.initial_state())] == [TICK]


def test_a_renamed_process_keeps_its_hidden_moves():
    _, _, machine = _both("P(n) = (e -> STOP |~| f -> STOP) [[e <- f]]")
    assert [label for label, _ in machine.successors(machine.initial_state())] == [TAU, TAU]


def test_a_local_process_shadowed_by_an_input_keeps_the_term_rules():
    model = loads(HEADER + "P(n) = let Q = e -> Q within d?Q -> STOP")
    assert "local process" in compile_leaf(model.spec.evaluator, model.process("P(1)"))


def test_leaves_with_lets_and_renamings_are_compiled_in_a_network():
    model = loads(HEADER + "P(n) = (let Q = c!n -> Q within Q) [[c <- d]]\n"
                  "Sink = d?x -> Sink\nNet = P(1) [| {| d |} |] Sink")
    network = compile_network(model.process("Net"), model.spec)
    assert "leaves compiled to state machines: 2 of 2" in network.notes


@pytest.mark.parametrize("top", [
    "C(0)[[c.x <- d.x | x <- {0..3}]] [| {| d |} |] B",
    "(C(1)[[c.0 <- e, c.1 <- e]][[e <- f]] [| {f} |] B) ||| C(2)[[c <- d]]",
])
def test_a_renamed_call_in_a_network_is_a_compiled_leaf_with_the_reference_counts(top):
    from procalg.lts.product import explore_product

    model = loads(HEADER + "C(n) = c!n -> C((n + 1) % 4) [] e -> C(n)\n"
                  "B = d?x -> B [] f -> B\nS = " + top + "\n")
    net = compile_network(model.process("S"), model.spec, reduce=False)
    product = explore_product(net)
    reference = explore(model.spec.system(model.process("S")))
    assert not any("by the term rules" in note for note in net.notes)
    assert _bisimilar(product, reference)
    assert (product.num_states, product.num_transitions) == (
        reference.num_states, reference.num_transitions)
