"""The differential test: product engine versus the term-level reference.

For random terms (hypothesis) and every process of every bundled model, the
network compiled by :func:`compile_network` and explored by the product
engine must give the LTS the firing rules give: strong bisimilarity (with
and without reduction), the same deadlock verdicts with shortest traces, and
the same numbers of states and transitions without reduction -- exactly
where the operators keep every state's term apart (parallel, hiding,
renaming, prefix, ``;``, interrupt), at least as many where a choice can reach one
term from both branches (the term level merges those, the network keeps
them apart by the control component's phase).
"""

from __future__ import annotations

from collections import deque
from functools import cache
from pathlib import Path
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import load, loads
from procalg.checks.deadlock import deadlock_goal
from procalg.checks.reachability import reachability_goal
from procalg.errors import ProcalgError
from procalg.lts import LTS, TAU, TICK, control, explore
from procalg.lts.exploration import LimitExceeded
from procalg.lts.partition import Bisimulation, partition
from procalg.lts.product import explore_product, find_path, tau_lasso
from procalg.semantics.network import NotApplicable, compile_network
from procalg.semantics.sos import Rules
from procalg.terms import (
    SKIP,
    STOP,
    AlphaParallel,
    Call,
    Event,
    ExceptionOp,
    ExternalChoice,
    Hide,
    InternalChoice,
    Interrupt,
    Parallel,
    Prefix,
    Process,
    Rename,
    Seq,
    Timeout,
)
from procalg.terms.saga import THROW

A, B, C = Event("a"), Event("b"), Event("c")
EVENTS = [A, B, C]
BODIES: dict[Call, Process] = {
    Call("P"): Prefix(A, Call("P")),
    Call("Q"): ExternalChoice(Prefix(B, Call("Q")), Prefix(C, SKIP)),
    Call("R"): InternalChoice(Prefix(A, Call("R")), Prefix(B, STOP)),
}
UNFOLD = BODIES.__getitem__
MODELS = sorted((Path(__file__).resolve().parents[2] / "models").glob("*.proc"))


@cache  # one strategy per depth: composites that draw from it build it once, not per draw
def _sequential(depth: int):
    base = st.sampled_from([STOP, SKIP, *BODIES])
    if depth == 0:
        return base
    sub = _sequential(depth - 1)
    binary = st.sampled_from([ExternalChoice, InternalChoice, Seq, Timeout, Interrupt])
    return st.one_of(
        base,
        st.builds(Prefix, st.sampled_from(EVENTS), sub),
        st.builds(lambda op, p, q: op(p, q), binary, sub, sub),
    )


@cache
def _network_terms(depth: int):
    events = st.frozensets(st.sampled_from(EVENTS))
    leaf = _sequential(2)
    sub = leaf if depth == 0 else st.one_of(leaf, _network_terms(depth - 1))
    pairs = st.frozensets(st.tuples(st.sampled_from(EVENTS), st.sampled_from(EVENTS)),
                          min_size=1, max_size=2)
    top = st.one_of(
        st.builds(Parallel, sub, sub, events),
        st.builds(AlphaParallel, sub, sub, events, events),
    )
    return st.one_of(top, st.builds(Hide, top, events), st.builds(Rename, top, pairs))


@cache
def _operator_terms(depth: int, controls: tuple[type, ...]):
    """Any operator tree: network operators, prefixes and ``controls`` at
    every depth, over sequential leaves (some of which can throw)."""
    events = st.frozensets(st.sampled_from(EVENTS))
    leaf = st.one_of(_sequential(2), st.builds(Prefix, st.sampled_from(EVENTS),
                                                st.just(THROW)))
    if depth == 0:
        return leaf
    sub = st.one_of(leaf, _operator_terms(depth - 1, controls))
    pairs = st.frozensets(st.tuples(st.sampled_from(EVENTS), st.sampled_from(EVENTS)),
                          min_size=1, max_size=2)
    binary = [c for c in controls if c is not ExceptionOp]
    handled = [st.builds(ExceptionOp, sub, sub, events)] if ExceptionOp in controls else []
    return st.one_of(
        st.builds(Parallel, sub, sub, events),
        st.builds(AlphaParallel, sub, sub, events, events),
        st.builds(Hide, sub, events),
        st.builds(Rename, sub, pairs),
        st.builds(lambda op, p, q: op(p, q), st.sampled_from(binary), sub, sub),
        st.builds(Prefix, st.sampled_from(EVENTS), sub),
        *handled,
    )


def _reference(term: Process, unfold) -> LTS:
    rules = Rules(unfold)

    class System:
        def initial_state(self):
            return rules.normalise(term)

        def successors(self, state):
            return rules.transitions(state)

    return explore(System())


def _reference_within(term: Process, unfold, limit: int) -> LTS:
    rules = Rules(unfold)

    class System:
        def initial_state(self):
            return rules.normalise(term)

        def successors(self, state):
            return rules.transitions(state)

    return explore(System(), max_states=limit)


def _bisimilar(a: LTS, b: LTS) -> bool:
    labels = sorted(set(a.labels) | set(b.labels) - {TAU, TICK})
    triples = list(a.triples())
    triples += [(s + a.num_states, lab, d + a.num_states) for s, lab, d in b.triples()]
    union = LTS.build(a.num_states + b.num_states, a.initial, labels, triples)
    blocks = partition(union, Bisimulation.STRONG)
    return bool(blocks[a.initial] == blocks[a.num_states + b.initial])


def _nearest_deadlock(lts: LTS) -> int | None:
    thrown = {d for _, label, d in lts.triples() if label == "throw"}  # ended, not stuck
    stuck = set(lts.deadlocks()) - thrown
    dist = {lts.initial: 0}
    queue = deque([lts.initial])
    while queue:
        s = queue.popleft()
        if s in stuck:
            return dist[s]
        for _, d in lts.successors(s):
            if d not in dist:
                dist[d] = dist[s] + 1
                queue.append(d)
    return None


def _network(term: Process, reduce: bool):
    net = compile_network(term, UNFOLD, reduce=reduce)
    assert not isinstance(net, NotApplicable), net
    return net


def _diverges(lts: LTS) -> bool:
    """A reachable state can do τ forever: peel states without τ-successors."""
    tau = [(s, d) for s, label, d in lts.triples() if label == TAU]
    alive = set(np.flatnonzero(lts.reachable()).tolist())
    while True:
        keep = {s for s, d in tau if s in alive and d in alive}
        if keep == alive:
            return bool(alive)
        alive = keep


def _nearest_label(lts: LTS, label: str) -> int | None:
    """Transitions on a shortest path whose last step shows ``label``."""
    dist = {lts.initial: 0}
    queue = deque([lts.initial])
    while queue:
        s = queue.popleft()
        for lab, d in lts.successors(s):
            if lts.labels[lab] == label:
                return dist[s] + 1
            if d not in dist:
                dist[d] = dist[s] + 1
                queue.append(d)
    return None


def assert_searches_agree(net, reference: LTS, labels: tuple[str, ...] = ()) -> None:
    """The product's searches on ``net`` answer as the reference LTS does: the
    nearest deadlock, divergence, and the nearest occurrence of each label."""
    found = find_path(net, deadlock_goal)
    nearest = _nearest_deadlock(reference)
    assert found.found == (nearest is not None)
    if nearest is not None:
        assert len(found.path) == nearest
    assert tau_lasso(net).found == _diverges(reference)
    for label in labels:
        witness = find_path(net, reachability_goal(label))
        nearest = _nearest_label(reference, label)
        assert witness.found == (nearest is not None)
        if nearest is not None:
            assert len(witness.path) == nearest


@settings(max_examples=150, deadline=None)
@given(_network_terms(2))
def test_random_terms_give_the_reference_lts_through_the_product_engine(term):
    reference = _reference(term, UNFOLD)
    product = explore_product(_network(term, reduce=False))
    assert (product.num_states, product.num_transitions) == (
        reference.num_states, reference.num_transitions)
    assert _bisimilar(product, reference)


@settings(max_examples=150, deadline=None)
@given(_operator_terms(3, (Seq, Interrupt, ExceptionOp)))
def test_parallel_under_prefix_seq_interrupt_and_exception_gives_the_reference_lts_exactly(term):
    reference = _reference(term, UNFOLD)
    net = compile_network(term, UNFOLD, reduce=False)
    if isinstance(net, NotApplicable):  # no parallel below: a sequential process
        assert "no parallel network" in net.reason
        return
    product = explore_product(net)
    assert _bisimilar(product, reference)
    if net.loose:  # a side or a thrown network too large to reset keeps stale states
        assert any("too large to reset" in n or "too many to reset" in n for n in net.notes)
        assert product.num_states >= reference.num_states
        return
    assert (product.num_states, product.num_transitions) == (
        reference.num_states, reference.num_transitions)


@settings(max_examples=200, deadline=None)
@given(_operator_terms(3, (Seq, Interrupt, Timeout, ExternalChoice, InternalChoice,
                           ExceptionOp)))
def test_any_operator_on_top_keeps_the_lts_verdicts_and_shortest_deadlocks(term):
    reference = _reference(term, UNFOLD)
    net = compile_network(term, UNFOLD, reduce=False)
    if isinstance(net, NotApplicable):
        return
    product = explore_product(net)
    assert product.num_states >= reference.num_states  # choices: see the module docstring
    assert _bisimilar(product, reference)
    reduced = _network(term, reduce=True)
    assert _bisimilar(explore_product(reduced), reference)
    assert_searches_agree(reduced, reference, ("b", TICK, "throw"))


@settings(max_examples=100, deadline=None)
@given(_operator_terms(3, (Interrupt, Timeout, ExternalChoice, ExceptionOp)))
def test_sides_too_large_to_reset_stay_stale_with_the_same_behaviour(term):
    reference = _reference(term, UNFOLD)
    with patch.object(control, "RESET_LIMIT", 1):  # every side counts as too large
        net = compile_network(term, UNFOLD, reduce=False)
    if isinstance(net, NotApplicable):
        return
    assert _bisimilar(explore_product(net), reference)
    result = find_path(net, deadlock_goal)
    nearest = _nearest_deadlock(reference)
    assert result.found == (nearest is not None)
    if nearest is not None:
        assert len(result.path) == nearest


@settings(max_examples=100, deadline=None)
@given(_network_terms(2))
def test_reduced_components_keep_the_product_bisimilar_and_deadlocks_as_short(term):
    reference = _reference(term, UNFOLD)
    net = _network(term, reduce=True)
    product = explore_product(net)
    assert product.num_states <= reference.num_states
    assert _bisimilar(product, reference)
    result = find_path(net, deadlock_goal)
    nearest = _nearest_deadlock(reference)
    assert result.found == (nearest is not None)
    if nearest is not None:
        assert len(result.path) == nearest


LOOP = Call("T")


def _recursive_terms(depth: int):
    """Bodies of ``T``: control operators, prefixes and exceptions over
    networks (without ``T``) and calls of ``T`` in any operand position."""
    network = _operator_terms(1, (Seq, Interrupt))
    if depth == 0:
        return st.one_of(st.just(LOOP), network)
    sub = _recursive_terms(depth - 1)
    controls = st.sampled_from([Seq, ExternalChoice, InternalChoice, Timeout, Interrupt])
    return st.one_of(
        st.builds(Prefix, st.sampled_from(EVENTS), sub),
        st.builds(lambda op, p, q: op(p, q), controls, sub, sub),
        st.builds(ExceptionOp, sub, sub, st.frozensets(st.sampled_from(EVENTS))),
    )


@settings(max_examples=200, deadline=None)
@given(_recursive_terms(3))
def test_recursion_at_the_top_restarts_with_the_reference_states_verdicts_and_deadlocks(body):
    bodies = {**BODIES, LOOP: body}
    try:  # a call under ; or an interrupt grows the term without end: no oracle
        reference = _reference_within(LOOP, bodies.__getitem__, 150)
    except (LimitExceeded, ProcalgError, RecursionError):
        return
    # a leaf the reference never reaches may be infinite: bound leaves too
    net = compile_network(LOOP, bodies.__getitem__, reduce=False, max_states=3_000)
    if isinstance(net, NotApplicable):
        return
    product = explore_product(net)
    assert _bisimilar(product, reference)
    if not net.loose:
        assert product.num_states >= reference.num_states  # choices: see the module docstring
    assert_searches_agree(net, reference)


def test_a_server_that_recurs_after_its_parallel_workers_restarts_in_the_reference_states():
    workers = Parallel(Call("P"), Call("Q"), frozenset({A}))
    body = Prefix(C, Seq(Hide(workers, frozenset({B})), LOOP))
    bodies = {**BODIES, LOOP: body}
    net = compile_network(LOOP, bodies.__getitem__, reduce=False)
    assert not isinstance(net, NotApplicable), net
    assert any("restart on their own call" in note for note in net.notes)
    reference = _reference(LOOP, bodies.__getitem__)
    product = explore_product(net)
    assert (product.num_states, product.num_transitions) == (
        reference.num_states, reference.num_transitions)
    assert _bisimilar(product, reference)


def test_a_call_under_the_first_side_of_seq_is_no_loop_and_stays_a_leaf():
    body = Seq(Prefix(A, LOOP), Parallel(Call("P"), Call("Q"), frozenset()))
    bodies = {**BODIES, LOOP: body}  # T ; N ; N ... grows: the leaf is infinite
    net = compile_network(LOOP, bodies.__getitem__, max_states=200)
    assert isinstance(net, NotApplicable)
    assert "more than 200 states" in net.reason


def test_a_sequential_process_compiles_to_one_component_with_the_term_rules_lts():
    term = Seq(Prefix(A, SKIP), Call("P"))
    net = compile_network(term, UNFOLD)
    assert not isinstance(net, NotApplicable)
    assert len(net.components) == 1 and net.notes[0] == "one sequential component"
    assert explore_product(net).num_states == _reference(term, UNFOLD).num_states == 3


def test_a_hiding_over_a_hiding_starts_merged_as_in_the_term_rules():
    # (a -> P \ {}) \ {}: the term rules start from a -> P \ {}; a leaf kept
    # unmerged had its unmerged start as a second state (hypothesis found it)
    term = Hide(Hide(Prefix(A, Call("P")), frozenset()), frozenset())
    net = compile_network(term, UNFOLD, reduce=False)
    assert not isinstance(net, NotApplicable)
    product, reference = explore_product(net), _reference(term, UNFOLD)
    assert (product.num_states, product.num_transitions) == (1, 1)
    assert (reference.num_states, reference.num_transitions) == (1, 1)


def test_a_parallel_network_after_a_configuration_step_compiles_with_a_control_component():
    net = Parallel(Call("P"), Call("Q"), frozenset({A}))
    term = Hide(Seq(Prefix(C, SKIP), net), frozenset({B}))
    compiled = _network(term, reduce=False)
    reference = _reference(term, UNFOLD)
    assert len(compiled) == 4  # configuration leaf, P, Q, and the phase of ;
    assert explore_product(compiled).num_states == reference.num_states
    assert _bisimilar(explore_product(compiled), reference)


def test_an_exception_over_a_network_hands_over_in_one_state_per_handler_state():
    net = Parallel(Call("P"), Call("Q"), frozenset({A}))
    term = ExceptionOp(net, Prefix(C, STOP), frozenset({B}))
    compiled = _network(term, reduce=False)
    assert any("control components for [| |>" in note for note in compiled.notes)
    reference = _reference(term, UNFOLD)
    product = explore_product(compiled)
    assert (product.num_states, product.num_transitions) == (
        reference.num_states, reference.num_transitions)
    assert _bisimilar(product, reference)


def test_recursion_through_seq_under_a_parallel_restarts_the_recursive_subterm():
    loop = Call("Loop")
    bodies = {**BODIES, loop: Seq(Parallel(Prefix(A, SKIP), Prefix(B, SKIP), frozenset()),
                                  loop)}
    term = Seq(Prefix(C, SKIP), Parallel(loop, Call("P"), frozenset()))
    for process in (loop, term):
        net = compile_network(process, bodies.__getitem__, reduce=False)
        assert not isinstance(net, NotApplicable)
        assert any("1 process(es) restart on their own call" in note for note in net.notes)
        reference = _reference(process, bodies.__getitem__)
        product = explore_product(net)
        assert (product.num_states, product.num_transitions) == (
            reference.num_states, reference.num_transitions)
        assert _bisimilar(product, reference)


def test_recursion_that_grows_its_context_stays_a_leaf_and_says_so():
    loop = Call("Loop")  # Loop = (a -> Loop) /\ (P ||| Q): interrupts pile up
    bodies = {**BODIES, loop: Interrupt(Prefix(A, loop),
                                        Parallel(Call("P"), Call("Q"), frozenset()))}
    term = Seq(Prefix(C, SKIP), Parallel(loop, Call("P"), frozenset()))
    net = compile_network(term, bodies.__getitem__, max_states=50)
    assert isinstance(net, NotApplicable)
    assert "more than 50 states" in net.reason


def test_a_throw_ends_every_component_in_one_thrown_state():
    term = Seq(Parallel(Prefix(A, THROW), Call("P"), frozenset()), Call("Q"))
    net = _network(term, reduce=False)
    product = explore_product(net)
    reference = _reference(term, UNFOLD)
    assert (product.num_states, product.num_transitions) == (
        reference.num_states, reference.num_transitions)
    assert not find_path(net, deadlock_goal).found  # a throw ends the run: not a deadlock


def _model_processes():
    for path in MODELS:
        model = load(path)
        for name, clauses in model.spec.definitions.items():
            if clauses[0].params is not None:
                continue
            try:
                term = model.process(name)
                model.spec.rules().normalise(term)
            except ProcalgError:
                continue  # a value, or a fragment only meaningful inside a saga
            yield pytest.param(model, term, id=f"{path.stem}:{name}")


@pytest.mark.parametrize(("model", "term"), list(_model_processes()))
def test_every_model_process_gives_the_reference_lts_through_the_product_engine(model, term):
    net = compile_network(term, model.spec, reduce=False)
    if isinstance(net, NotApplicable):  # not a network: the term-level engine is the engine
        assert net.reason
        return
    reference = explore(model.spec.system(term))
    product = explore_product(net)
    assert (product.num_states, product.num_transitions) == (
        reference.num_states, reference.num_transitions)
    assert _bisimilar(product, reference)
    # a state after throw has ended, not deadlocked (_nearest_deadlock skips it)
    assert find_path(net, deadlock_goal).found == (_nearest_deadlock(reference) is not None)


def test_a_leaf_alphabet_holds_the_fresh_events_of_the_linked_parallels_evaluated() -> None:
    # FDR's sieve recurses through [right <-> left]: a leaf performs ⟷.i events,
    # which must be in its alphabet or a lazy leaf would leave the product engine
    from procalg.semantics.leaves import model_alphabet

    model = loads("channel a, b, c\nP = a -> P\nQ = b -> c -> Q\nR = P [a <-> b] Q\n")
    model.spec.unfold(model.process("R"))
    assert "⟷.0" in model_alphabet(model.spec)() and "⟷.1" not in model_alphabet(model.spec)()


def test_a_leaf_with_an_input_wider_than_the_limit_is_left_to_the_term_level_rules() -> None:
    # both sides wide: neither's labels bound the other's input (one side alone is
    # narrowed by its partner: tests/semantics/test_network_narrow.py)
    model = loads("channel c : {0..99}.{0..99}\nchannel d\n"
                  "P = c?y -> d -> STOP [| {| c |} |] c?x -> d -> STOP")
    found = compile_network(model.process("P"), model.spec)
    assert isinstance(found, NotApplicable)
    assert "input offers up to 10,000 events" in found.reason
    narrow = loads("channel c : {0..9}\nP = c.1 -> STOP [| {| c |} |] c?x -> STOP")
    assert not isinstance(compile_network(narrow.process("P"), narrow.spec), NotApplicable)


def test_a_call_looping_back_from_inside_another_restarting_call_keeps_every_move():
    # U(0)'s network nests U(1)'s, which nests U(2)'s ...; U(3) there calls U(0) (by
    # e.1 after e.1, e.1, e.1): U(1)'s restarting network was taken to hold no mark, so
    # U(0)'s restart did not reset it and that move was lost (16 states, not 4)
    from procalg.api.export import process_lts
    from procalg.api.model import loads
    from procalg.api.search import CheckEngine

    model = loads("channel e : {0..3}\nU(n) = (e?y -> U((n + y) % 4)) [] (STOP ||| STOP)\n")
    product = process_lts(model, "U(0)")
    reference = process_lts(model, "U(0)", engine=CheckEngine.REFERENCE)
    assert _bisimilar(product, reference)
    assert product.num_states == reference.num_states == 4
