"""A process reaching a parameter that grows without bound stays on the term rules,
whether the growing definition is its own or one its body calls, and its verdicts
and shortest counterexamples are the reference engine's."""

from __future__ import annotations

from procalg.api import check_model, loads
from procalg.api.check import AssertionResult
from procalg.api.search import CheckEngine, SearchOptions
from procalg.semantics.growth import reaching
from procalg.semantics.network import NotApplicable
from procalg.syntax.parser import parse

COUNTING = """channel a, b
P = b -> Q(0)
Q(n) = a -> Q(n + 1) [] n == 3 & b -> STOP
R = b -> S(0)
S(n) = a -> S((n + 1) % 4) [] n == 3 & b -> STOP
D = b -> E(0)
E(n) = a -> E(n + 1)
"""


def test_reaching_reads_the_call_graph_backwards_from_the_flagged_definitions() -> None:
    spec = parse("channel a\nA = a -> B\nB = a -> C(0) [] a -> A\nC(n) = a -> C(n + 1)\n"
                 "F = a -> F\n")
    defs = {d.name: [d] for d in spec.declarations if hasattr(d, "body")}
    assert reaching(defs, ["C"]) == {"A": "C", "B": "C", "C": "C"}


def test_a_process_that_calls_a_counter_growing_for_ever_is_left_to_the_term_rules() -> None:
    model = loads(COUNTING)
    net = model.network("P")
    assert isinstance(net, NotApplicable)
    assert net.reason.startswith("a parameter of Q grows without bound (no partner bounds "
                                 "it, reached from P): infinitely many states")
    assert "reached from" not in model.network("Q(0)").reason
    assert model.network("R").notes[0] == "one sequential component"  # bounded: product
    assert model.network("a -> P").reason.startswith("a parameter of Q grows")


def test_verdicts_and_shortest_counterexamples_match_the_reference_engine() -> None:
    # P deadlocks after <b, a, a, a, b>; D never does (its counter is dead); R is bounded
    text = COUNTING + "".join(f"assert {p} :[{k}]\n" for p in ("P", "R", "D", "a -> P")
                              for k in ("deadlock free", "divergence free"))
    model = loads(text)
    auto = list(check_model(model, options=SearchOptions()))
    reference = list(check_model(model, options=SearchOptions(engine=CheckEngine.REFERENCE)))
    for a, r in zip(auto, reference, strict=True):
        if r.result is AssertionResult.ERROR:  # the explicit engine stops at the growth limit
            assert "grown past" in r.error.message, a.assertion.text
            # auto's fallbacks answer where they can (D's dead counter), else the same error
            assert a.result is AssertionResult.PASS or a.error.message == r.error.message
            continue
        assert a.result == r.result, a.assertion.text
        ca = a.check.counterexample if a.check else None
        cr = r.check.counterexample if r.check else None
        assert (ca and ca.trace) == (cr and cr.trace), a.assertion.text
    results = {a.assertion.text: a for a in auto}
    assert results["P :[deadlock free]"].check.counterexample.trace == ("b", "a", "a", "a", "b")
    assert results["R :[deadlock free]"].check.stats.extra["engine"] == "product"
    # D's counter is dead: the term rules settle it at once (2 states; the product
    # engine used to search 10,003 levels up to the growth limit)
    assert results["D :[divergence free]"].check.stats.states == 2
