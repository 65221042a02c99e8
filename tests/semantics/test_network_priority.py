"""``prioritise(P, <A1, ..>)`` over a network: the product engine filters each
state's moves; the term-level table of ``semantics/priority.py`` is the oracle
(same helpers as ``test_network.py``)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.lts import TICK
from procalg.lts.priority import is_prioritised
from procalg.lts.product import explore_product
from procalg.semantics.network import NotApplicable, compile_network
from procalg.semantics.priority import prioritise
from procalg.terms import Hide, Interrupt, Process, Rename, Seq, Sequence, Timeout
from tests.semantics.test_network import (
    EVENTS,
    UNFOLD,
    _bisimilar,
    _network_terms,
    _operator_terms,
    _reference,
    assert_searches_agree,
)


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
        assert "no parallel network" in net.reason or "throw" in net.reason
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
