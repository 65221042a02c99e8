"""Sagas that can strand or leave a step unreverted run on the product engine.

Their ``stranded.s``, ``unreverted.s`` and ``throw`` moves are no events of the
model, so a lazily explored leaf used to lack them and every check fell back to
the term rules (:mod:`procalg.api.search`, ``leaves.learn``). Random saga
bodies (:mod:`tests.semantics.test_linear_saga`'s strategy: pivots, undos that
throw, replicated operators over steps) are checked with every leaf past two
states explored lazily and on the reference engine: same verdicts, counterexamples
of the same length that are real on the reference LTS, strongly bisimilar LTSs,
and never the reference engine on the product's side.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api import check_model, loads
from procalg.api import search as search_api
from procalg.api.check import AssertionResult
from procalg.api.search import CheckEngine, SearchOptions
from procalg.errors import LimitExceeded, ModelError
from procalg.lts import LTS, explore, leaf_choice
from procalg.semantics import leaves
from tests.api.test_check_engines import _moves, assert_replays
from tests.semantics.test_linear import _bisimilar
from tests.semantics.test_linear_saga import HEADER, LATE, _body, _plain

LIMIT = 3_000
"""States either engine may explore: a model past it on the reference is skipped."""

ASSERTIONS = ("T :[deadlock free]", "T :[divergence free]", "T :[compensation complete]",
              "T :[reachable compensated]")

STRANDING = """activity a : {0..3}
activity b : {0..3}
activity r : {0..3}
channel go : {0..3}
S(i) = (a.i -> b.i -> a.i -> SKIP) undo r.i
Pivot(i) = b.i -> a.i -> SKIP
P(n) = saga (S(n) ||| Pivot(n) ||| S((n+1)%4) ||| Pivot((n+2)%4) ||| S((n+3)%4)) ;
       go.n -> P((n+1)%4)
"""
"""Five parallel steps, two of them pivots, compensations that can fail: 29 229
states, past ``leaf_choice.EAGER_LIMIT`` (a lazy leaf), strands and is left unreverted."""

_lazy = partial(patch.object, leaves, "leaf", partial(leaf_choice.leaf, eager_limit=2))
"""Every leaf past two states explored lazily: it declares its labels before most
of its sagas' steps are made, so the labels are learned as the search meets them."""


def _check(text: str, engine: CheckEngine) -> list:
    model = loads(text + "".join(f"assert {a}\n" for a in ASSERTIONS))
    return list(check_model(model, options=SearchOptions(engine=engine, max_states=LIMIT)))


def assert_sagas_agree(text: str) -> None:
    """The default engine, lazily, answers ``text``'s saga like the reference."""
    with _lazy():
        fast = _check(text, CheckEngine.AUTO)
    reference = _check(text, CheckEngine.REFERENCE)
    model = loads(text)
    try:
        oracle = explore(model.system("T"), max_states=10 * LIMIT)
    except (LimitExceeded, ModelError):
        oracle = None
    for assertion, mine, theirs in zip(ASSERTIONS, fast, reference, strict=True):
        if theirs.result is AssertionResult.ERROR or mine.result is AssertionResult.ERROR:
            assert theirs.result is mine.result, (assertion, mine.error, theirs.error)
            continue
        assert mine.result == theirs.result, (assertion, mine.stats.extra)
        # a model error in the level of a network's witness, or met compiling a
        # component (an undefined name behind a choice): their order is the terms'
        why = mine.stats.extra.get("why", "")
        assert mine.stats.extra["engine"] == "product" or "model error met in the level" in why \
            or "exploring it as one component failed" in why, (assertion, mine.stats.extra)
        ours, other = mine.check.counterexample, theirs.check.counterexample
        assert (ours is None) == (other is None), assertion
        if ours is not None and "reachable" not in assertion:
            assert _moves(ours) == _moves(other), (assertion, ours, other)
            if oracle is not None:
                assert_replays(oracle, assertion.split(":[")[1].rstrip("]"), ours)
    if oracle is not None:
        with _lazy():
            product = search_api.implementation(model, "T",
                                                 SearchOptions(max_states=10 * LIMIT))
        assert isinstance(product, LTS)  # the product engine's, not the term rules'
        assert _bisimilar(product, oracle)


_TOPS = st.sampled_from(["P(0)", "P(2) ||| (f -> SKIP)", "(P(0) [| {e} |] (e -> e -> SKIP))"])
"""The saga alone (one sequential component), beside a partner, synchronised."""

_MODELS = st.builds(
    lambda body, after, r, top: f"P(n) = saga ({body}) ; {after}\nR = {r}\nT = {top}\n{LATE}",
    _body(2),
    st.sampled_from(["SKIP", "STOP", "e -> SKIP", "P((n + 1) % 3)", "f -> P(1)"]),
    # R is global: its n is undefined (an error only where R runs); R itself too
    # (R = R \ {f} is unguarded: a model error held where the leaf meets it, raised
    # where the reference would, procalg.lts.held)
    _plain(1),
    _TOPS,
)


@given(_MODELS)
@settings(max_examples=60, deadline=None)
def test_random_sagas_that_strand_get_the_reference_answers_on_the_product_engine(text):
    assert_sagas_agree(HEADER + text)


def test_a_compensation_whose_call_fails_to_unfold_is_an_error_only_where_a_rollback_runs():
    # Late's body reads an undefined name: the term rules unfold it when the rollback
    # starts (the target of compensate), so the deadlock after a.0 comes first; and where
    # the rollback is the only way on, both engines meet the error
    base = "activity a : {0..3} attempts 2\nactivity ok : {0..3} never fails\n" + LATE
    blocked = base + "T = saga ((SKIP) undo Late ; a.0 undo ok.0) ; STOP\n"
    assert_sagas_agree(blocked)
    for engine in (CheckEngine.AUTO, CheckEngine.REFERENCE):
        report = _check(blocked, engine)[0]
        assert report.result is AssertionResult.FAIL
        assert report.check.counterexample.trace == ("a.0",)
        [deadlock, *_] = _check(base + "T = saga ((SKIP) undo Late ; a.0 undo ok.0) ; SKIP\n",
                                engine)
        assert deadlock.result is AssertionResult.ERROR
        assert "undefined name 'm'" in str(deadlock.error)


def test_a_saga_that_strands_runs_lazily_on_the_product_engine_with_the_same_answers():
    # smaller, for the oracle: each round's steps (other names) met after the leaf went lazy
    assert_sagas_agree("activity a, b, r : {0..1}\nchannel go : {0..1}\n"
                       "S(i) = (a.i -> b.i -> SKIP) undo r.i\nPivot(i) = b.i -> SKIP\n"
                       "P(n) = saga (S(n) ||| Pivot(n) ||| S(1 - n)) ; go.n -> P(1 - n)\n"
                       "T = P(0)\n")
    text = STRANDING + "assert P(0) :[compensation complete]\nassert P(0) :[deadlock free]\n"
    (strands, live) = check_model(loads(text))  # the default leaf: lazy past 2,000 states
    (oracle, oracle_live) = check_model(loads(text),
                                        options=SearchOptions(engine=CheckEngine.REFERENCE))
    for report in (strands, live):
        assert report.stats.extra["engine"] == "product", report.stats.extra
        assert any("explored lazily" in n for n in report.stats.extra["notes"])
    assert strands.result is AssertionResult.FAIL
    assert strands.check.counterexample.trace == oracle.check.counterexample.trace \
        == ("b.0", "a.0", "fail.a.0", "compensate", "stranded.Pivot(0)")  # the least
    assert live.result is oracle_live.result is AssertionResult.PASS
    assert live.stats.states == oracle_live.stats.states == 29_229


def test_a_compensation_that_throws_is_reported_unreverted_on_the_product_engine():
    # unreverted.s, then throw: neither declared when the leaf went lazy (two states)
    text = ("activity a : {0..3}\nactivity r : {0..3}\n"
            "S(i) = (a.i -> a.i -> SKIP) undo r.i\nP = saga (S(0) ||| S(1) ||| S(2))\n"
            "assert P :[compensation complete]\nassert P :[deadlock free]\n")
    with _lazy():
        reports = list(check_model(loads(text)))
    oracles = list(check_model(loads(text), options=SearchOptions(engine=CheckEngine.REFERENCE)))
    for report, oracle in zip(reports, oracles, strict=True):
        assert report.stats.extra["engine"] == "product", report.stats.extra
        assert report.result is oracle.result
    trace = reports[0].check.counterexample.trace
    assert trace[-1].startswith("unreverted.") and "compensate" in trace
    assert len(trace) == len(oracles[0].check.counterexample.trace)


def test_a_bundled_saga_model_is_checked_without_the_reference_engine():
    text = (Path(__file__).parents[2] / "models" / "broken_saga.proc").read_text()
    with _lazy():
        reports = list(check_model(loads(text)))
    engines = {r.stats.extra.get("engine") for r in reports if r.stats is not None}
    assert "reference" not in engines, engines
