"""Refinement on fused token rings agrees with the term rules (issue 9's wide-ring shape).

Random rings of stations passing a token beside counters, against
specifications that interleave an order of the stations' events with
``RUN`` of the rest (right, or mutated), or ``RUN`` of all but one event:
the product engine (whose pair search fuses the ring and the spec,
:mod:`procalg.lts.network_fusion`) and the reference must give the same
verdicts and the same counterexamples in every refinement model.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api import check_model, loads
from procalg.api.search import CheckEngine, SearchOptions
from tests.api.test_check_engines import _shown

MODELS = ("T", "F", "FD")


@st.composite
def rings(draw) -> str:
    k, c, v = draw(st.integers(2, 4)), draw(st.integers(0, 2)), draw(st.integers(2, 3))
    work = draw(st.sampled_from([
        "work.i.1 -> work.i.2 -> pass.i -> Idle(i)",
        "work.i.1 -> pass.i -> Idle(i)",
        "(work.i.1 -> work.i.2 -> pass.i -> Idle(i) [] work.i.2 -> pass.i -> Idle(i))",
        "(work.i.1 -> pass.i -> Idle(i) |~| work.i.2 -> pass.i -> Idle(i))",
        "(work.i.1 -> Holding(i)) [] (work.i.2 -> pass.i -> Idle(i))",
    ]))
    order = draw(st.sampled_from([
        "work.i.1 -> work.i.2 -> pass.i -> Order((i + 1) % K)",
        "work.i.1 -> pass.i -> Order((i + 1) % K)",
        "(work.i.1 -> work.i.2 -> pass.i -> Order((i + 1) % K) [] work.i.2 -> pass.i -> "
        "Order((i + 1) % K))",
        "work.i.1 -> (work.i.2 -> pass.i -> Order((i + 1) % K) [] pass.i -> Order((i + 1) % K))",
    ]))
    others = "{| inc, wrap |}" if c else "{}"
    spec = draw(st.sampled_from([
        f"Order(0) ||| RUN({others})",
        f"Order(0) ||| RUN(diff({others}, {{wrap.0}}))" if c else "Order(1)",
        f"RUN(diff(Events, {{{draw(st.sampled_from(['work.0.2', 'pass.1', 'inc.0']))}}}))",
        "CHAOS(Events)",
    ]))
    counters = " ||| ".join(f"Counter({j}, 0)" for j in range(c)) or "STOP"
    return f"""K = {k}
V = {v}
channel work : {{0..K-1}}.{{1..2}}
channel pass : {{0..K-1}}
channel inc, wrap : {{0..1}}
Idle(i) = pass.((i + K - 1) % K) -> Holding(i)
Holding(i) = {work}
Station(i) = if i == 0 then Holding(i) else Idle(i)
Alpha(i) = {{| work.i, pass.i, pass.((i + K - 1) % K) |}}
Ring = || i : {{0..K-1}} @ [Alpha(i)] Station(i)
Counter(j, x) = if x < V - 1 then inc.j -> Counter(j, x + 1) else wrap.j -> Counter(j, 0)
System = Ring ||| ({counters})
Order(i) = {order}
Spec = {spec}
""" + "".join(f"assert Spec [{m}= System\n" for m in MODELS)


def _reports(text: str, engine: CheckEngine) -> list:
    return list(check_model(loads(text), options=SearchOptions(engine=engine)))


@settings(max_examples=60, deadline=None)
@given(rings())
def test_fused_rings_refine_as_the_term_rules_say_with_the_same_counterexamples(text):
    product = _reports(text, CheckEngine.PRODUCT)
    reference = _reports(text, CheckEngine.REFERENCE)
    for mine, oracle in zip(product, reference, strict=True):
        assert mine.result == oracle.result, (mine.assertion.text, text)
        assert mine.stats.extra["engine"] == "product"
        ours, theirs = mine.check.counterexample, oracle.check.counterexample
        assert (ours is None) == (theirs is None)
        if ours is not None:
            assert _shown(ours) == _shown(theirs), (mine.assertion.text, text)


def test_the_wide_rings_pair_search_runs_on_the_fused_ring_and_spec():
    model = """K = 6
channel work : {0..K-1}.{1..2}
channel pass : {0..K-1}
channel inc, wrap : {0..1}
Idle(i) = pass.((i + K - 1) % K) -> Holding(i)
Holding(i) = work.i.1 -> work.i.2 -> pass.i -> Idle(i)
Station(i) = if i == 0 then Holding(i) else Idle(i)
Ring = || i : {0..K-1} @ [{| work.i, pass.i, pass.((i + K - 1) % K) |}] Station(i)
Counter(j, x) = if x < 3 then inc.j -> Counter(j, x + 1) else wrap.j -> Counter(j, 0)
System = Ring ||| Counter(0, 0) ||| Counter(1, 0)
Order(i) = work.i.1 -> work.i.2 -> pass.i -> Order((i + 1) % K)
Spec = Order(0) ||| RUN({| inc, wrap |})
assert Spec [T= System
assert Spec [F= System
"""
    traces, failures = check_model(loads(model), options=SearchOptions())
    assert traces.result == "pass" and traces.check.stats.states == 18 * 4 * 4
    # the 6 stations and the 18-node spec are 18 tuples: the codes number them
    assert "7 components fused into 1 (their reachable tuples: 18)" in \
        traces.check.stats.extra["notes"]
    # RUN offers wrap.0 at the start, the counters do not: a failure there
    assert failures.result == "fail" and failures.check.counterexample.trace == ()
