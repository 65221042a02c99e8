"""Large leaves under control operators (semantics/network.py): lazy, expanded
only where the product goes, with the term rules' verdicts and LTS up to
strong bisimulation; a recursion that must restart over one keeps it whole."""

from __future__ import annotations

import pytest

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.lts.lazy import LazyComponent
from procalg.lts.product import explore_product
from procalg.semantics.network import NotApplicable, compile_network
from tests.semantics.test_network import _bisimilar
from tests.semantics.test_network_priority import _model_reference

COUNT = """
channel a, b, c, d
Count(n) = n < 5000 & a -> Count(n + 1) [] b -> SKIP
Lim(n) = n < 3 & a -> Lim(n + 1) [] b -> Lim(n)
"""
SHAPES = {  # a parallel inside each operator: it is compiled, Count(0) a leaf below it
    "Seq": "(Count(0) ; (c -> STOP ||| d -> STOP)) [| {a, b} |] Lim(0)",
    "Choice": "((Count(0) \\ {b}) [] (c -> STOP ||| d -> STOP)) [| {a} |] Lim(0)",
    "Interrupt": "(Count(0) /\\ (c -> STOP ||| d -> STOP)) [| {a} |] Lim(0)",
    "Timeout": "((c -> STOP ||| d -> STOP) [> Count(0)) [| {a} |] Lim(0)",
    "Prefix": "(d -> (Count(0) ||| c -> STOP)) [| {a} |] Lim(0)",
    "Prioritised": "(prioritise(Count(0), <{a}, {b}>) ; c -> STOP) [| {a} |] Lim(0)",
    "Nested": "(d -> STOP [] prioritise(Count(0) ||| c -> STOP, <{a}, {c}>)) [| {a} |] Lim(0)",
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_a_large_leaf_under_a_control_operator_is_lazy_and_bisimilar_to_the_terms(name):
    model = loads(COUNT + f"{name} = {SHAPES[name]}\nassert {name} :[deadlock free]\n")
    net = compile_network(model.process(name), model.spec)
    assert not isinstance(net, NotApplicable), net.reason
    lazy = [c for c in net.components if isinstance(c, LazyComponent)]
    if name == "Nested":  # a priority scope: its leaves whole in the outer network (as they
        assert net.scopes and not lazy  # were in the nested one), filtered state by state
    else:
        assert lazy and all(c.expanded < 2_100 for c in lazy)  # not 5,001: 2,000 whole
    assert _bisimilar(explore_product(net), _model_reference(model, name))
    product = list(check_model(model))
    reference = check_model(model, options=SearchOptions(engine=CheckEngine.REFERENCE))
    assert [r.result for r in product] == [r.result for r in reference]
    assert [r.stats.extra.get("engine") for r in product] == ["product"]


def test_a_recursion_restarting_over_a_large_leaf_keeps_it_whole():
    model = loads(COUNT + "Net = ((Count(0) [| {a} |] Lim(0)) ; c -> Net)\n")
    net = compile_network(model.process("Net"), model.spec)
    assert not isinstance(net, NotApplicable), net.reason
    assert not any(isinstance(c, LazyComponent) for c in net.components)
    assert _bisimilar(explore_product(net), _model_reference(model, "Net"))
