"""Leaves that are terms, not calls, compiled to machines against the term rules.

Random process *terms* (prefixes, choices, ``;``, timeout, interrupt, hiding,
renaming, exception, evaluated inputs, compressions, the parallels, FDR's
synchronising choice and interrupt, calls of
definitions that take processes as parameters) are explored both ways: by the
:class:`~procalg.semantics.linear.Machine` their operator structure is
translated into (:mod:`procalg.semantics.term_locations`) and by the firing
rules of :mod:`procalg.semantics.sos`. They must be strongly bisimilar, with
the same deadlock verdict and no more states than the terms.
"""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import loads
from procalg.errors import LimitExceeded, ModelError
from procalg.lts import TAU, TICK, explore
from procalg.lts.product import explore_product
from procalg.semantics.linear import Machine, compile_leaf
from procalg.semantics.locations import Compiler, Unsupported
from procalg.semantics.network import Network, compile_network
from procalg.semantics.sos import Rules
from procalg.semantics.term_locations import TermLocations
from tests.semantics.test_linear import _bisimilar

HEADER = """channel a, b, e
channel c : {0..2}
P = a -> P [] b -> SKIP
Q(n) = n < 2 & c!n -> Q(n + 1) [] e -> STOP
Iter(X) = X ; Iter(X)
Twice(X) = X ; X
Pick(X, Y) = e -> X [] Y
Hidden(X) = wbisim(X \\ {e})
"""


@cache  # one strategy object per depth
def _term(depth: int):
    base = st.sampled_from(["STOP", "SKIP", "P", "Q(0)", "c?x -> Q(x)", "a -> b -> STOP",
                            "sbisim(a -> e -> SKIP)", "Iter(a -> SKIP)"])
    if depth == 0:
        return base
    sub = _term(depth - 1)
    return st.one_of(
        base,
        st.builds(lambda p: f"e -> {p}", sub),
        st.builds(lambda p: f"c!1 -> {p}", sub),
        st.builds(lambda p: f"c?x:{{0, 2}} -> {p}", sub),
        st.builds(lambda p, q: f"({p} [] {q})", sub, sub),
        st.builds(lambda p, q: f"({p} |~| {q})", sub, sub),
        st.builds(lambda p, q: f"({p} ; {q})", sub, sub),
        st.builds(lambda p, q: f"({p} [> {q})", sub, sub),
        st.builds(lambda p, q: f"({p} /\\ {q})", sub, sub),
        st.builds(lambda p: f"(({p}) \\ {{a}})", sub),
        st.builds(lambda p: f"(({p}) [[a <- b, e <- a]])", sub),
        st.builds(lambda p, q: f"({p} [| {{a}} |> {q})", sub, sub),
        st.builds(lambda p: f"Twice({p})", sub),
        st.builds(lambda p, q: f"Pick({p}, {q})", sub, sub),
        st.builds(lambda p: f"sbisim({p})", sub),
        st.builds(lambda p: f"Hidden({p})", sub),
        st.builds(lambda p, q: f"({p} ||| {q})", sub, sub),
        st.builds(lambda p, q: f"({p} [| {{a, c.1}} |] {q})", sub, sub),
        st.builds(lambda p, q: f"({p} [{{a, e}} || {{a, b, c.0}}] {q})", sub, sub),
        st.builds(lambda p, q: f"({p} [c <-> c] {q})", sub, sub),
        st.builds(lambda p, q: f"({p} [+ {{a, e}} +] {q})", sub, sub),
        st.builds(lambda p, q: f"({p} /+ {{a, c.1}} +\\ {q})", sub, sub),
    )


def _both(text: str, limit: int = 2_000):
    """The machine's LTS and the term rules' for the term ``text`` (None: the rules
    refuse it or it is too big to compare)."""
    model = loads(HEADER)
    try:
        term = model.process(text)
        reference = explore(model.spec.system(term), max_states=limit)
    except (ModelError, LimitExceeded, RecursionError):
        return None
    made = compile_leaf(model.spec.evaluator, term, rules=model.spec.rules())
    assert not isinstance(made, str), made
    return explore(made, max_states=50_000), reference


@given(_term(3))
@settings(max_examples=200, deadline=None)
def test_a_term_leaf_compiles_bisimilar_to_its_terms_with_no_more_states(text):
    both = _both(text)
    if both is None:
        return
    compiled, reference = both
    assert _bisimilar(compiled, reference)
    assert bool(compiled.deadlocks()) == bool(reference.deadlocks())
    assert set(compiled.labels) - {TAU, TICK} == set(reference.labels) - {TAU, TICK}
    assert compiled.num_states <= reference.num_states


@given(_term(2), _term(2))
@settings(max_examples=60, deadline=None)
def test_a_network_of_term_leaves_is_bisimilar_to_its_terms(left, right):
    model = loads(HEADER)
    term = model.process(f"({left}) [| {{a, c.1}} |] ({right})")
    try:
        reference = explore(model.spec.system(term), max_states=3_000)
    except (ModelError, LimitExceeded, RecursionError):
        return
    net = compile_network(term, model.spec, reduce=False)
    assert isinstance(net, Network)
    assert not any("by the term rules" in note for note in net.notes), net.notes
    product = explore_product(net)
    assert _bisimilar(product, reference)
    assert bool(product.deadlocks()) == bool(reference.deadlocks())


def test_a_finite_prefix_chain_is_a_machine_with_one_state_per_prefix():
    model = loads(HEADER)
    machine = Machine(model.spec.evaluator, model.process("a -> e -> b -> STOP"))
    lts = explore(machine)
    assert lts.num_states == 4
    assert sorted(lab for _, lab, _ in lts.triples()) == ["a", "b", "e"]


def test_a_process_valued_parameter_is_compiled_once_per_distinct_value():
    model = loads(HEADER)
    machine = Machine(model.spec.evaluator, model.process("Iter(a -> SKIP)"))
    lts = explore(machine)
    # a -> SKIP ; Iter(..) then SKIP ; Iter(..): two states, as the terms' loop
    assert lts.num_states == 2
    # the value's two terms translated once, though met on every pass of the loop
    assert {str(term) for term in machine.terms.memo} == {"a -> SKIP", "SKIP"}


def test_a_compression_in_a_term_runs_on_its_table():
    model = loads(HEADER)
    machine = Machine(model.spec.evaluator, model.process("sbisim(a -> e -> SKIP) ; P"))
    lts = explore(machine)
    assert [key[0] for key in machine.keys].count("table") == 3
    reference = explore(model.spec.system(model.process("sbisim(a -> e -> SKIP) ; P")))
    assert _bisimilar(lts, reference)


def test_a_compression_in_a_definition_body_is_a_value_not_an_unsupported_call():
    model = loads(HEADER)
    made = compile_leaf(model.spec.evaluator, model.process("Hidden(a -> e -> P)"))
    assert not isinstance(made, str), made
    assert {lab for _, lab, _ in explore(made).triples()} == {"a", "b", "✓"}  # e: τ, gone


def test_a_parallel_inside_a_term_leaf_compiles_to_the_parallel_locations():
    model = loads(HEADER)
    term = model.process("e -> (P ||| P)")
    made = compile_leaf(model.spec.evaluator, term)
    assert not isinstance(made, str), made
    lts = explore(made)
    assert any(key[0] == "sync" for key in made.keys)  # linear_parallel's state
    assert _bisimilar(lts, explore(model.spec.system(term)))


def test_an_alphabetised_parallel_term_confines_each_side_to_its_alphabet():
    model = loads(HEADER)
    term = model.process("(a -> e -> STOP) [{a, e} || {a, b}] (b -> a -> STOP)")
    made = compile_leaf(model.spec.evaluator, term)
    assert not isinstance(made, str), made
    lts = explore(made)
    # b, then a together, then e: a line of four states
    assert lts.num_states == 4
    assert sorted(lab for _, lab, _ in lts.triples()) == ["a", "b", "e"]


def test_a_parallel_met_as_a_value_compiles_inside_the_machine():
    model = loads(HEADER)
    term = model.process("Twice(a -> SKIP ||| b -> SKIP)")
    machine = Machine(model.spec.evaluator, term, rules=model.spec.rules())
    lts = explore(machine)
    assert _bisimilar(lts, explore(model.spec.system(term)))
    assert not any(key[0] == "rules" for key in machine.keys)
    assert any(key[0] == "sync" for key in machine.keys)


def test_a_run_leaves_a_parallel_term_to_the_term_rules():
    # a run's partial compilation steps a parallel by the terms (locations.Compiler)
    model = loads(HEADER)
    terms = TermLocations(Compiler(model.spec.evaluator, partial=True))
    with pytest.raises(Unsupported, match="parallel"):
        terms.location(model.process("e -> (P ||| P)"))


def test_a_value_that_is_not_a_process_is_a_model_error():
    model = loads("channel a\nF(X) = a -> X")
    machine = Machine(model.spec.evaluator, model.process("F(3)"), rules=Rules(None))
    try:
        explore(machine)
    except ModelError as err:
        assert "process" in err.message
    else:  # pragma: no cover - the bug this test is for
        raise AssertionError("a number in process position was accepted")


def test_a_value_calling_a_refused_definition_twice_moves_by_the_rules_both_times():
    # the first value's failed translation must not leave Par half compiled (no clause);
    # a replicated sequential composition is outside the machines' fragment
    model = loads(HEADER + "Par = a -> (; x : <0, 1> @ b -> SKIP)\nTwo(X, Y) = X ; Y\n")
    term = model.process("Two(e -> Par, Par)")
    machine = Machine(model.spec.evaluator, term, rules=model.spec.rules())
    lts = explore(machine)
    assert _bisimilar(lts, explore(model.spec.system(term)))
    assert "Par" not in machine.compiler.bodies
