"""The differential test: product engine versus the term-level reference.

For random terms (hypothesis) and every process of every bundled model, the
network compiled by :func:`compile_network` and explored by the product
engine must give the LTS the firing rules give: the same numbers of states
and transitions (without reduction), strong bisimilarity (with and without
reduction), and the same deadlock verdicts with shortest traces.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import load
from procalg.errors import ProcalgError
from procalg.lts import LTS, TAU, TICK, explore
from procalg.lts.partition import partition
from procalg.lts.product import explore_product, find_deadlock
from procalg.semantics.network import compile_network, why_not
from procalg.semantics.sos import Rules
from procalg.terms import (
    SKIP,
    STOP,
    AlphaParallel,
    Call,
    Event,
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

A, B, C = Event("a"), Event("b"), Event("c")
EVENTS = [A, B, C]
BODIES: dict[Call, Process] = {
    Call("P"): Prefix(A, Call("P")),
    Call("Q"): ExternalChoice(Prefix(B, Call("Q")), Prefix(C, SKIP)),
    Call("R"): InternalChoice(Prefix(A, Call("R")), Prefix(B, STOP)),
}
UNFOLD = BODIES.__getitem__
MODELS = sorted((Path(__file__).resolve().parents[2] / "models").glob("*.proc"))


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


def _reference(term: Process, unfold) -> LTS:
    rules = Rules(unfold)

    class System:
        def initial_state(self):
            return rules.normalise(term)

        def successors(self, state):
            return rules.transitions(state)

    return explore(System())


def _bisimilar(a: LTS, b: LTS) -> bool:
    labels = sorted(set(a.labels) | set(b.labels) - {TAU, TICK})
    triples = list(a.triples())
    triples += [(s + a.num_states, lab, d + a.num_states) for s, lab, d in b.triples()]
    union = LTS.build(a.num_states + b.num_states, a.initial, labels, triples)
    blocks = partition(union, "strong")
    return bool(blocks[a.initial] == blocks[a.num_states + b.initial])


def _nearest_deadlock(lts: LTS) -> int | None:
    stuck = set(lts.deadlocks())
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


@settings(max_examples=150, deadline=None)
@given(_network_terms(2))
def test_random_terms_give_the_reference_lts_through_the_product_engine(term):
    reference = _reference(term, UNFOLD)
    net = compile_network(term, UNFOLD, reduce=False)
    assert net is not None
    product = explore_product(net)
    assert (product.num_states, product.num_transitions) == (
        reference.num_states, reference.num_transitions)
    assert _bisimilar(product, reference)


@settings(max_examples=100, deadline=None)
@given(_network_terms(2))
def test_reduced_components_keep_the_product_bisimilar_and_deadlocks_as_short(term):
    reference = _reference(term, UNFOLD)
    net = compile_network(term, UNFOLD, reduce=True)
    assert net is not None
    product = explore_product(net)
    assert product.num_states <= reference.num_states
    assert _bisimilar(product, reference)
    result = find_deadlock(net)
    nearest = _nearest_deadlock(reference)
    assert result.found == (nearest is not None)
    if nearest is not None:
        assert len(result.path) == nearest


def test_terms_without_parallel_at_the_top_fall_back_to_the_term_level():
    term = Seq(Parallel(SKIP, SKIP), STOP)
    assert compile_network(term, UNFOLD) is None
    assert why_not(term, UNFOLD) == "top operator Seq is not parallel, hiding or renaming"


def _model_processes():
    for path in MODELS:
        model = load(path)
        for name, clauses in model.spec.definitions.items():
            if clauses[0].params is not None:
                continue
            try:
                term = model.process(name)
                why_not(term, model.spec)
            except ProcalgError:
                continue  # a value, or a fragment only meaningful inside a saga
            yield pytest.param(model, term, id=f"{path.stem}:{name}")


@pytest.mark.parametrize(("model", "term"), list(_model_processes()))
def test_every_model_process_gives_the_reference_lts_through_the_product_engine(model, term):
    net = compile_network(term, model.spec, reduce=False)
    if net is None:  # not a network: the term-level engine is the engine
        assert why_not(term, model.spec) is not None
        return
    reference = explore(model.spec.system(term))
    product = explore_product(net)
    assert (product.num_states, product.num_transitions) == (
        reference.num_states, reference.num_transitions)
    assert _bisimilar(product, reference)
    assert find_deadlock(net).found == bool(reference.deadlocks())
