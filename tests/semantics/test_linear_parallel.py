"""Compiled parallel operators inside a definition (:mod:`procalg.semantics.linear_parallel`)
and τ loops before any event (:mod:`procalg.semantics.recursion_guard`) against the
term rules (the oracle).

Random parameterised processes with ``|||``, ``[| A |]``, ``[A || B]``, ``[a <-> b]``
and their replicated forms, FDR's ``[+ A +]`` and ``/+ A +\\``, under prefixes, ``;``,
choices, hiding and ``THROW``
(in recursion, nested, synchronising on ``c``'s events and ``e``) are explored by
:class:`~procalg.semantics.linear.Machine` and by :mod:`procalg.semantics.sos`:
strongly bisimilar LTSs, same labels, same deadlocks, and never more states
than the terms. Recursion through a parallel that grows without bound is
explored up to a bound only.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import loads
from procalg.errors import LimitExceeded
from procalg.lts import TAU, TICK, explore
from procalg.semantics.linear import Machine, compile_leaf
from procalg.semantics.nesting import UnboundedNesting
from procalg.semantics.network import compile_network
from procalg.semantics.system import TermSystem
from tests.semantics.random_processes import (
    MOVES,
    BoundedTerms,
    Grammar,
    TermsTooLarge,
    models,
    process,
)
from tests.semantics.test_linear import assert_compiles_like_its_terms

HEADER = """channel c : {0..2}
channel e, f
channel l, r : {0..1}
"""

PARALLEL = Grammar(
    atoms=("STOP", "SKIP", "THROW", "e -> SKIP", "c!1 -> STOP"),
    operators=(
        "e -> {p}",
        "f -> {p}",
        "c!{v} -> {p}",
        "c?{x}:{{0, 2}} -> {px}",
        "({p} ; {q})",
        "({p} [] {q})",
        "({p} |~| {q})",
        "(({p}) \\ {s})",
        "({p} ||| {q})",
        "({p} [| {s} |] {q})",
        "({p} [{s} || {t}] {q})",
        "((r?z -> {p}) [r <-> l] (l?z -> {q}))",
        "({p} [+ {s} +] {q})",
        "({p} /+ {s} +\\ {q})",
        "({replicated} {x} : {{0..1}} @ {px})",
        "(|| {x} : {{0, 2}} @ [{{e, c.{x}}}] {px})",
        "([r <-> l] {x} : <0, 1> @ (r!{x} -> {px}))",
    ),
    numbers=("0", "1", "2"),
    modulus=3,
    sets=("{}", "{e}", "{| c |}", "{e, c.1}", "{f, e}"),
    pick=(("replicated", ("|||", "[| {e} |]", "[| {| c |} |]")),),
)
"""Every parallel operator, binary and replicated, with prefixes, inputs, choices,
``;``, hiding and ``THROW``."""

_MODELS = models(PARALLEL, ("e", "f", "c.1"))


@given(_MODELS, st.sampled_from(["P(0)", "P(2)", "R"]))
@settings(max_examples=250, deadline=None)
def test_a_parallel_inside_a_definition_is_bisimilar_to_its_terms(text, start):
    assert_compiles_like_its_terms(loads(HEADER + text), start, 400)


@given(process(PARALLEL, ("n",), 3), st.sampled_from(["P(0)", "P(2)"]))
@settings(max_examples=150, deadline=None)
def test_a_parallel_inside_a_definition_has_no_more_states_than_its_terms(body, start):
    # R's body is written nowhere else: a call keyed by its name where the terms
    # meet its body written out (R = e -> SKIP beside e -> SKIP) would be one more
    both = assert_compiles_like_its_terms(loads(f"{HEADER}P(n) = {body}\nR = l.1 -> STOP\n"),
                                          start, 400)
    if both is not None:
        compiled, reference = both
        assert compiled.num_states <= reference.num_states


def _both(text: str, start: str = "P", bound: int | None = None):
    model = loads(HEADER + text)
    call = model.process(start)
    machine = Machine(model.spec.evaluator, call)
    return (explore(machine, max_states=bound),
            explore(model.spec.system(call), max_states=bound), machine)


def test_the_sides_synchronise_on_the_set_and_interleave_the_rest():
    compiled, reference, machine = _both("P = (e -> f -> STOP) [| {f} |] (f -> STOP ||| e -> STOP)")
    assert compiled.num_states == reference.num_states
    first = sorted(label for label, _ in machine.successors(machine.initial_state()))
    assert first == ["e", "e"]  # f waits for the left side's


def test_each_sides_tick_is_a_tau_and_both_ended_offer_tick():
    _, _, machine = _both("P = SKIP ||| SKIP")
    start = machine.initial_state()
    assert [label for label, _ in machine.successors(start)] == [TAU, TAU]
    after = machine.successors(start)[0][1]
    ended = machine.successors(after)[0][1]
    assert [label for label, _ in machine.successors(ended)] == [TICK]


def test_an_alphabetised_parallel_blocks_events_outside_a_sides_alphabet():
    compiled, reference, machine = _both("P = (e -> STOP [] f -> STOP) [{e} || {f}] (e -> STOP)")
    assert compiled.num_states == reference.num_states
    assert sorted(label for label, _ in machine.successors(machine.initial_state())) == ["e"]


def test_a_linked_parallel_hides_its_links_and_renames_nothing_else():
    text = "P = (e -> r!1 -> STOP) [r <-> l] (l?x -> c!x -> SKIP)"
    compiled, reference, _ = _both(text)
    assert compiled.num_states == reference.num_states
    assert set(compiled.labels) - {TAU, TICK} == {"e", "c.1"}


def test_a_parallel_under_a_prefix_and_sequence_recurses_finitely():
    text = "P(n) = c!n -> ((e -> SKIP ||| f -> SKIP) ; P((n + 1) % 3))"
    compiled, reference, _ = _both(text, "P(0)")
    assert compiled.num_states == reference.num_states == 3 * 10


def test_a_replicated_parallel_is_the_nested_binary_one():
    for text in ["P = ||| x : {0..2} @ c!x -> SKIP",
                 "P = [| {e} |] x : {0..2} @ (c!x -> e -> SKIP)",
                 "P = || x : {0..2} @ [{e, c.x}] (c!x -> e -> SKIP)",
                 "P = || x : {1} @ [{c.x}] (c!x -> e -> SKIP)",
                 "P = [r <-> l] x : <0, 1, 0> @ (l?y -> r!x -> STOP)",
                 "P = ||| x : {} @ c!x -> SKIP"]:
        compiled, reference, _ = _both(text)
        assert compiled.num_states == reference.num_states, text


def test_a_throw_in_one_side_ends_the_whole_parallel():
    _, _, machine = _both("P = (THROW ||| e -> STOP)")
    moves = machine.successors(machine.initial_state())
    thrown = [t for label, t in moves if label == "throw"]
    assert len(thrown) == 1 and machine.successors(thrown[0]) == []


def test_recursion_through_a_parallel_that_grows_is_stopped_by_the_bound_or_named():
    model = loads(HEADER + "P = (e -> P) ||| (f -> STOP)")
    machine = compile_leaf(model.spec.evaluator, model.process("P"))
    assert isinstance(machine, Machine)
    with pytest.raises(LimitExceeded):
        explore(machine, max_states=200)
    with pytest.raises(UnboundedNesting, match=r"P calls itself inside \|\|\|"):
        explore(model.spec.system(model.process("P")), max_states=200)


def test_moves_that_multiply_inside_one_state_are_refused_by_the_oracle_in_bounded_work():
    # seed 23's draw: R on both sides of /+ {e} +\, each e squaring a subterm's moves;
    # the plain term rules (no nesting watch) met a MemoryError inside one state
    model = loads(HEADER + "P(n) = R\nR = e -> ((P(0) [] R) /+ {e} +\\ (P(2) [] STOP))\n")
    plain = TermSystem(model.process("P(2)"), model.spec.rules())
    with pytest.raises(TermsTooLarge) as raised:
        explore(BoundedTerms(plain), max_states=400)
    assert int(str(raised.value)) <= MOVES ** 2
    with pytest.raises(UnboundedNesting, match="R calls itself inside /"):
        explore(model.spec.system(model.process("P(2)")), max_states=400)


def test_a_parallel_inside_a_definition_is_a_compiled_leaf_of_the_network():
    model = loads(HEADER + "P = c?x -> ((e -> SKIP [| {e} |] c!x -> SKIP) ; P) [] f -> P\n"
                  "S = P ||| R\nR = f -> R\n")
    net = compile_network(model.process("S"), model.spec)
    assert "leaves compiled to state machines: 2 of 2" in net.notes


# ------------------------------------------------------- τ loops before any event

@pytest.mark.parametrize("text", [
    "P = P |~| e -> STOP",
    "P = STOP [> P",
    "P = Q |~| e -> STOP\nQ = (1 < 2) & P",
    "P = |~| x : {0, 1} @ (if x == 0 then P else c!x -> STOP)",
])
def test_recursion_through_a_tau_of_internal_choice_or_timeout_compiles(text):
    model = loads(HEADER + text)
    assert isinstance(compile_leaf(model.spec.evaluator, model.process("P")), Machine)
    both = assert_compiles_like_its_terms(model, "P", 400)
    assert both is not None  # the terms accept it too


@pytest.mark.parametrize("text", [
    "P = P [] e -> STOP",
    "P = (P |~| STOP) [] e -> STOP",
    "P = (P |~| STOP) ; SKIP",
    "P = (P |~| e -> STOP) \\ {e}",
    "P = P [> STOP",
    "P = (e -> STOP) ||| (P |~| STOP)",
    "P = if 1 < 2 then Q else STOP\nQ = P",
])
def test_recursion_before_any_event_through_another_operator_is_refused_as_the_terms_do(text):
    model = loads(HEADER + text)
    made = compile_leaf(model.spec.evaluator, model.process("P"))
    assert isinstance(made, str) and "may call itself before any event" in made
    from procalg.errors import ModelError

    with pytest.raises(ModelError, match="unguarded recursion"):
        explore(model.spec.system(model.process("P")), max_states=400)


def test_a_divergent_definition_loops_on_one_state_as_its_term():
    compiled, reference, _ = _both("DIV = DIV |~| DIV\nP = e -> DIV [] f -> STOP", "P")
    assert compiled.num_states == reference.num_states == 3
    assert (compiled.num_transitions, reference.num_transitions) == (3, 3)


def test_every_machine_state_tag_has_one_rule():
    from procalg.semantics.linear_operators import OPERATOR_RULES
    from procalg.semantics.linear_parallel import PARALLEL_RULES
    from procalg.semantics.linear_saga import SAGA_RULES

    tags = [*SAGA_RULES, *OPERATOR_RULES, *PARALLEL_RULES]
    assert len(tags) == len(set(tags))


# ------------------------------------- recursion through a parallel, ended by values

_COPIES = """channel left, right, m : {0..1}
COPY = left?x -> right!x -> COPY
"""


@pytest.mark.parametrize(("text", "start"), [
    ("NCOPY(1) = COPY\nNCOPY(n) = COPY [right <-> left] NCOPY(n - 1)", "NCOPY(3)"),
    ("P(n) = if n > 1 then (COPY [[right <- m]] [| {| m |} |] P(n - 1) [[left <- m]])"
     " \\ {| m |} else COPY", "P(3)"),
    ("P(n) = n > 0 & (right.0 -> STOP ||| P(n - 1))", "P(3)"),
    ("P(n) = if n == 0 then right.1 -> STOP else P(n - 1)", "P(2)"),
])
def test_recursion_through_a_parallel_that_its_arguments_end_compiles_as_its_terms(text, start):
    model = loads(_COPIES + text)
    assert isinstance(compile_leaf(model.spec.evaluator, model.process(start)), Machine)
    both = assert_compiles_like_its_terms(model, start, 2_000)
    assert both is not None
    assert both[0].num_states == both[1].num_states


@pytest.mark.parametrize("text", ["P(n) = STOP ||| P(n)",
                                  "P(n) = (STOP ||| P((n + 1) % 3)) \\ {| m |}"])
def test_recursion_through_a_parallel_back_to_the_same_call_is_unguarded_as_in_the_terms(text):
    from procalg.semantics.unfold import UnguardedRecursion

    model = loads(_COPIES + text)
    machine = compile_leaf(model.spec.evaluator, model.process("P(1)"))
    assert isinstance(machine, Machine)
    with pytest.raises(UnguardedRecursion, match="P calls itself"):
        explore(machine, max_states=400)
    with pytest.raises(UnguardedRecursion):
        explore(model.spec.system(model.process("P(1)")), max_states=400)
