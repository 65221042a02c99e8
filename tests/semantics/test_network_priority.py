"""``prioritise(P, <A1, ..>)`` over a network: the product engine filters each
state's moves; the term-level table of ``semantics/priority.py`` is the oracle
(same helpers as ``test_network.py``)."""

from __future__ import annotations

from functools import cache

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.lts import TICK, explore
from procalg.lts.priority import is_prioritised
from procalg.lts.product import explore_product
from procalg.semantics.network import NotApplicable, compile_network
from procalg.semantics.priority import chase, prioritise, prioritise_po, priority_source
from procalg.terms import (
    SKIP,
    STOP,
    ExternalChoice,
    Hide,
    Interrupt,
    Parallel,
    Process,
    Rename,
    Seq,
    Sequence,
    Timeout,
)
from tests.semantics.test_network import (
    BODIES,
    EVENTS,
    UNFOLD,
    _bisimilar,
    _network_terms,
    _operator_terms,
    _reference,
    assert_searches_agree,
)


@cache  # drawn inside composites: built once, not per draw
def _classes():
    return st.lists(st.frozensets(st.sampled_from(EVENTS), max_size=2), min_size=1, max_size=3)


@st.composite
def _prioritised_terms(draw) -> Process:
    """``prioritise(N, classes)`` over a random network or operator tree, maybe
    under hiding or renaming (the operators a prioritised network may stand under)."""
    inner = draw(st.one_of(_network_terms(1), _operator_terms(2, (Seq, Interrupt, Timeout))))
    term: Process = prioritise(inner, Sequence(tuple(draw(_classes()))), UNFOLD)
    above = draw(st.sampled_from(["none", "hide", "rename"]))
    if above == "hide":
        term = Hide(term, draw(st.frozensets(st.sampled_from(EVENTS))))
    elif above == "rename":
        pairs = draw(st.frozensets(st.tuples(st.sampled_from(EVENTS), st.sampled_from(EVENTS)),
                                   min_size=1, max_size=2))
        term = Rename(term, pairs)
    return term


@settings(max_examples=200, deadline=None)
@given(_prioritised_terms())
def test_priority_over_a_network_keeps_the_lts_deadlocks_labels_and_divergence(term):
    reference = _reference(term, UNFOLD)
    net = compile_network(term, UNFOLD, reduce=False)
    if isinstance(net, NotApplicable):
        assert "no parallel network" in net.reason
        return
    product = explore_product(net)
    assert _bisimilar(product, reference)
    assert product.num_states >= reference.num_states
    reduced = compile_network(term, UNFOLD, reduce=True)
    assert not isinstance(reduced, NotApplicable)
    assert _bisimilar(explore_product(reduced), reference)
    assert_searches_agree(reduced, reference, ("b", TICK))


MODEL = """
channel a, b, tock
Clock = tock -> Clock
P = a -> b -> P [] tock -> P
Sys = prioritise((P [| {tock} |] Clock) ||| (b -> STOP), <{a}, {b}, {tock}>)
assert Sys :[deadlock free]
assert Sys \\ {a, b} :[divergence free]
assert RUN({a, b}) [T= Sys
assert not Sys [T= tock -> STOP
"""


def test_a_prioritised_network_is_checked_by_the_product_engine_with_the_reference_verdicts():
    product = list(check_model(loads(MODEL)))
    # a pre-empts tock at P's start, b the tock of Clock alone: time never passes
    assert [r.result for r in product] == ["pass", "fail", "pass", "pass"]
    assert [r.stats.extra.get("engine") for r in product[:3]] == ["product"] * 3
    reference = check_model(loads(MODEL), options=SearchOptions(engine=CheckEngine.REFERENCE))
    assert [r.result for r in reference] == [r.result for r in product]


def test_a_network_is_prioritised_under_hiding_but_not_under_parallel():
    model = loads(MODEL + "Top = Sys \\ {a}\nPar = Sys ||| Clock\n")
    top = compile_network(model.process("Top"), model.spec, reduce=False)
    assert not isinstance(top, NotApplicable) and is_prioritised(top)
    par = compile_network(model.process("Par"), model.spec, reduce=False)
    assert not isinstance(par, NotApplicable) and not is_prioritised(par)


def _po_order(draw, events: frozenset):
    """``prioritisepo``'s A, R and M over ``events``: pairs along a random total
    order (so R is a partial order), M some events nothing pre-empts."""
    ranked = draw(st.permutations(sorted(events, key=str)))
    pairs = frozenset(draw(st.sets(st.sampled_from(
        [(a, b) for i, a in enumerate(ranked) for b in ranked[i + 1:]]))) if len(ranked) > 1
        else set())
    beaten = {b for _, b in pairs}
    tops = sorted((e for e in events if e not in beaten), key=str)
    maximal = frozenset(draw(st.sets(st.sampled_from(tops)))) if tops else frozenset()
    return pairs, maximal


@st.composite
def _filtered(draw) -> Process:
    """``prioritise``, ``prioritisepo`` or ``chase`` over a random network."""
    inner = draw(st.one_of(_network_terms(1), _operator_terms(2, (Seq, Interrupt))))
    kind = draw(st.sampled_from(["prioritise", "prioritisepo", "chase"]))
    if kind == "prioritise":
        return prioritise(inner, Sequence(tuple(draw(_classes()))), UNFOLD)
    if kind == "chase":
        return chase(inner, UNFOLD)
    events = draw(st.frozensets(st.sampled_from(EVENTS), min_size=1))
    pairs, maximal = _po_order(draw, events)
    return prioritise_po(inner, events, pairs, maximal, UNFOLD)


@st.composite
def _nested_terms(draw) -> Process:
    """A filtered network under ``|||``, ``[| A |]``, ``[]``, ``;``, hiding or
    another ``prioritise``: below the top, where it becomes a nested network."""
    filtered = draw(_filtered())
    other = draw(st.one_of(_network_terms(0), st.sampled_from([STOP, SKIP, *BODIES])))
    events = st.frozensets(st.sampled_from(EVENTS))
    above = draw(st.sampled_from(["|||", "[|A|]", "[]", ";", "hide", "prioritise"]))
    left, right = (filtered, other) if draw(st.booleans()) else (other, filtered)
    if above == "|||":
        return Parallel(left, right, frozenset())
    if above == "[|A|]":
        return Parallel(left, right, draw(events))
    if above == "[]":
        return ExternalChoice(left, right)
    if above == ";":
        return Seq(left, right)
    if above == "hide":
        return Hide(Parallel(filtered, other, draw(events)), draw(events))
    return prioritise(Parallel(filtered, other, draw(events)),
                      Sequence(tuple(draw(_classes()))), UNFOLD)


def _tau_deterministic(term: Process) -> bool:
    """At most one τ in any reachable state of ``chase``'s operand: there the
    compiled ``chase`` and the term rules' must take the same τ."""
    lts = _reference(term, UNFOLD)
    taus = [s for s, label, _ in lts.triples() if label == "τ"]
    return len(taus) == len(set(taus))


@settings(max_examples=200, deadline=None)
@given(_nested_terms())
def test_priority_and_chase_below_the_top_give_the_reference_lts_and_searches(term):
    chased = [s.process for s in _sources(term) if s.order.chase]
    assume(all(_tau_deterministic(p) for p in chased))
    reference = _reference(term, UNFOLD)
    net = compile_network(term, UNFOLD, reduce=False)
    if isinstance(net, NotApplicable):
        assert "no parallel network" in net.reason
        return
    assert _bisimilar(explore_product(net), reference)
    reduced = compile_network(term, UNFOLD, reduce=True)
    assert not isinstance(reduced, NotApplicable)
    assert _bisimilar(explore_product(reduced), reference)
    assert_searches_agree(reduced, reference, ("b", TICK))


def _sources(term: Process) -> list:
    """The priority sources in ``term`` (its operator tree, not through calls)."""
    found, todo = [], [term]
    while todo:
        t = todo.pop()
        source = priority_source(t)
        if source is not None:
            found.append(source)
            todo.append(source.process)
        else:
            todo += [v for v in vars(t).values() if isinstance(v, Process)] \
                if hasattr(t, "__dict__") else [getattr(t, f) for f in getattr(t, "__slots__", ())
                                                if isinstance(getattr(t, f, None), Process)]
    return found


NESTED = """
channel a, b, tock
P = a -> P [] tock -> P
Q = prioritise(P [| {tock} |] (tock -> b -> STOP), <{a}, {tock}>)
Sys = Q ||| (a -> STOP)
Po = prioritisepo(P ||| b -> STOP, {a, b, tock}, {(a, tock), (b, a)}, {b}) [] tock -> STOP
Thrower = prioritise((a -> THROW) ||| P, <{tock}, {a}>) \\ {tock}
assert Sys :[deadlock free]
assert Po :[deadlock free]
assert Thrower :[deadlock free]
"""


def test_nested_priority_is_checked_by_the_product_engine_with_the_reference_verdicts():
    model = loads(NESTED)
    for name in ("Sys", "Po"):
        net = compile_network(model.process(name), model.spec)
        assert not isinstance(net, NotApplicable), net
        assert any("a nested network" in n for n in net.notes)
    product = list(check_model(model))
    assert [r.stats.extra.get("engine") for r in product] == ["product"] * 3
    reference = check_model(model, options=SearchOptions(engine=CheckEngine.REFERENCE))
    assert [r.result for r in reference] == [r.result for r in product]


def test_a_prioritised_network_that_can_throw_is_compiled():
    model = loads(NESTED)
    net = compile_network(model.process("Thrower"), model.spec, reduce=False)
    assert not isinstance(net, NotApplicable) and is_prioritised(net)
    assert _bisimilar(explore_product(net), _model_reference(model, "Thrower"))


def _model_reference(model, name: str):
    rules = model.spec.rules()

    class System:
        def initial_state(self):
            return rules.normalise(model.process(name))

        def successors(self, state):
            return rules.transitions(state)

    return explore(System())
