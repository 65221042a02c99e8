"""Compiled hiding and exception (:mod:`procalg.semantics.linear_operators`) against
the term rules (the oracle).

Random parameterised processes mixing ``P \\ A`` (nested, in recursion, over
``;`` and ✓, under renaming and interrupt, with a set that reads a parameter)
and ``P [| A |> Q`` with the fragment's prefixes, inputs, choices and
``THROW`` are explored by :class:`~procalg.semantics.linear.Machine` and by
:mod:`procalg.semantics.sos`: strongly bisimilar LTSs with the same number of
states, the same labels and the same deadlock verdict.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import loads
from procalg.errors import LimitExceeded, ModelError
from procalg.lts import TAU, TICK, explore
from procalg.semantics.leaves import learn
from procalg.semantics.linear import Machine, compile_leaf
from procalg.semantics.network import NotApplicable, compile_network
from procalg.terms.saga import THROW_EVENT
from tests.semantics.random_processes import (
    BoundedTerms,
    Grammar,
    TermsTooLarge,
    guarded,
    process,
    refuse,
)
from tests.semantics.test_linear import _bisimilar

HEADER = """channel c : {0..3}
channel e, f, g
"""

HIDING = Grammar(
    atoms=("STOP", "SKIP", "THROW"),
    operators=(
        "e -> {p}",
        "f -> {p}",
        "c!{v} -> {p}",
        "c?{x}:{{0, 2}} -> {px}",
        "({p} \\ {s})",
        "(({p} \\ {s}) \\ {t})",
        "({p} [| {s} |> {q})",
        "({p} ; {q})",
        "({p} /\\ {q})",
        "({p} [[e <- f, f <- g]])",
        "({p} [] {q})",
        "({p} |~| {q})",
    ),
    sets=("{e}", "{f}", "{e, f}", "{| c |}", "{}", "{c.n, g}"),
)
"""Hiding and exception (sets: ``c.n`` reads the parameter, a set per state) with
prefixes, inputs, choices, ``;``, interrupt, renaming and ``THROW``."""

_MODELS = st.builds(
    lambda p, r, a: f"P(n) = {p}\nR = ({r}) \\ {a}\n",
    process(HIDING, ("n",), 3),
    guarded(HIDING, ("e", "f", "g")),
    st.sampled_from(["{e}", "{g}", "{| c |}"]),
)


def assert_hides_like_its_terms(text: str, start: str) -> None:
    """Machine and term rules agree on ``start``: bisimilar, no more states
    (where the term rules stay under a bound), same labels and deadlocks."""
    model = loads(HEADER + text)
    try:
        call = model.process(start)
        reference = explore(BoundedTerms(model.spec.system(call)), max_states=400)
    except (ModelError, LimitExceeded, RecursionError):
        return  # unguarded or growing recursion: nothing to compare
    except TermsTooLarge:
        refuse()  # terms doubling at each event: a few states, unbounded work
    made = compile_leaf(model.spec.evaluator, call)
    if isinstance(made, str):
        assert "itself" in made, made  # only unguarded recursion is refused
        return
    compiled = explore(made, max_states=5_000)
    assert _bisimilar(compiled, reference)
    # fewer where calls differ only in arguments their bodies never read and the
    # body is no shallow one (P(n) = P(0) |~| e -> THROW: P(2) and P(0) one state,
    # the terms unfold P(2) to (P(0) |~| ..) |~| .., P(0) to P(0) |~| ..)
    assert compiled.num_states <= reference.num_states
    assert bool(compiled.deadlocks()) == bool(reference.deadlocks())
    assert set(compiled.labels) - {TAU, TICK} == set(reference.labels) - {TAU, TICK}


@given(_MODELS, st.sampled_from(["P(0)", "P(2)", "R"]))
@settings(max_examples=250, deadline=None)
def test_hiding_and_exceptions_compile_bisimilar_to_their_terms(text, start):
    assert_hides_like_its_terms(text, start)


def _lts(text: str, start: str = "P"):
    model = loads(HEADER + text)
    return explore(Machine(model.spec.evaluator, model.process(start)), max_states=1_000)


def _labels(lts) -> set[str]:
    return {lab for _, lab, _ in lts.triples()}


def test_recursion_through_nested_hiding_has_the_term_rules_two_states():
    text = "P = (e -> SKIP ; P) \\ {e}"
    lts = _lts(text)
    assert lts.num_states == 2
    assert_hides_like_its_terms(text, "P")


def test_hiding_a_hidden_recursion_again_merges_the_sets():
    text = "P = ((e -> f -> P) \\ {e}) \\ {f}\nQ = (e -> f -> g -> Q) \\ {f}\nS = Q \\ {e}"
    assert _lts(text).num_states == 2
    assert _labels(_lts(text, "S")) == {TAU, "g"}
    assert_hides_like_its_terms(text, "S")


def test_a_hidden_body_never_hides_tick():
    lts = _lts("P = (e -> SKIP) \\ {e}")
    assert [lab for _, lab, _ in lts.triples()] == [TAU, TICK]


def test_a_set_reading_a_parameter_hides_per_state():
    lts = _lts("P(n) = (c!n -> c!((n + 1) % 4) -> STOP) \\ {c.n}", "P(1)")
    assert _labels(lts) == {TAU, "c.2"}


def test_an_exceptions_event_hands_over_and_other_events_keep_it():
    model = loads(HEADER + "P = (e -> f -> P) [| {f} |> (g -> STOP)")
    machine = Machine(model.spec.evaluator, model.process("P"))
    after_e = dict(machine.successors(machine.initial_state()))["e"]
    after_f = dict(machine.successors(after_e))["f"]
    assert [label for label, _ in machine.successors(after_f)] == ["g"]


def test_a_hidden_event_under_external_choice_is_a_tau_that_keeps_the_choice_open():
    model = loads(HEADER + "P = (e -> f -> STOP) \\ {e} [] g -> STOP")
    machine = Machine(model.spec.evaluator, model.process("P"))
    moves = machine.successors(machine.initial_state())
    assert [label for label, _ in moves] == [TAU, "g"]
    assert [label for label, _ in machine.successors(moves[0][1])] == ["f", "g"]
    reference = explore(model.spec.system(model.process("P")))
    assert explore(machine).num_states == reference.num_states


def test_a_network_leaf_with_hiding_is_compiled():
    model = loads(HEADER + "P = (e -> f -> P) \\ {e}\nQ = f -> g -> Q\nS = P [| {f} |] Q\n")
    net = compile_network(model.process("S"), model.spec)
    assert "leaves compiled to state machines: 2 of 2" in net.notes
    assert not any("HideExpr" in note for note in net.notes)


@given(_MODELS, st.sampled_from(["P(1) [| {f} |] R", "(P(0) ||| R) \\ {g}"]))
@settings(max_examples=60, deadline=None)
def test_a_network_of_hiding_leaves_is_bisimilar_to_its_term_semantics(text, top):
    from procalg.checks.deadlock import check_deadlock, deadlock_goal
    from procalg.lts.product import explore_product, find_path

    model = loads(HEADER + text + f"S = {top}\n")
    if "THROW" in text:  # declared up front, as api.search learns it when a lazy leaf throws
        assert learn(model.spec, str(THROW_EVENT))
    try:
        term = model.process("S")
        reference = explore(model.spec.system(term), max_states=2_000)
        net = compile_network(term, model.spec, reduce=False)
    except (ModelError, LimitExceeded, RecursionError):
        return  # unguarded or growing recursion, or too large to compare
    if isinstance(net, NotApplicable):  # recursion that may nest: the term rules' alone
        assert "may nest its recursion" in net.reason
        return
    assert _bisimilar(explore_product(net), reference)
    deadlocked = not check_deadlock(reference).passed  # THROWN is no deadlock
    assert find_path(net, deadlock_goal).found == deadlocked


def test_a_call_met_again_behind_its_own_internal_choice_stays_a_call_as_in_the_terms():
    # P(0) and P(1) unfold to one body, but the terms unfold the τ-guarded P(1) once
    # more at the start (STOP |~| (STOP |~| P(1))) and leave it folded after the τ:
    # three states, and the machine keys them so (it keyed P(0) as P(1): two)
    model = loads(HEADER + "P(n) = STOP |~| P(1)")
    call = model.process("P(0)")
    assert explore(model.spec.system(call)).num_states == 3
    assert explore(Machine(model.spec.evaluator, call)).num_states == 3


def test_calls_whose_bodies_merge_their_arguments_have_the_term_rules_states():
    # P(0) and P(2) unfold to one term, e -> (R [] P(0)): the machine keys them by
    # their bodies (it had 5 states, one per argument; a random draw found it)
    text = "P(n) = e -> (R [] P(((n + n) % 4)))\nR = (e -> P(1)) \\ {g}\n"
    for start, states in (("P(0)", 4), ("P(2)", 4), ("R", 3)):
        assert _lts(text, start).num_states == states
        assert_hides_like_its_terms(text, start)
