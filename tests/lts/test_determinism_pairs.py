"""Determinism by pairs of states, against the reference check and the normal form.

The pair search (:mod:`procalg.lts.determinism_pairs`) runs where the bulk
normal form outgrows the states; forced here from the first node on
(``METHODS`` set to the pairs alone), it must give the
reference's verdict, trace, clashing event and kind of failure, as the
normal form does.
"""

from __future__ import annotations

import weakref
from contextlib import contextmanager
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.determinism import check_determinism, check_determinism_product
from procalg.errors import LimitExceeded, ProcalgError
from procalg.lts import LTS, determinism_codes, determinism_pairs, normal_product
from procalg.lts.determinism_codes import Race
from procalg.lts.network import close, component, hide, parallel
from procalg.lts.normal_product import find_nondeterminism
from procalg.lts.product import explore_product
from procalg.semantics.network import NotApplicable, compile_network
from procalg.terms import Hide
from tests.api.random_models import models
from tests.api.test_check_engines import assert_engines_agree
from tests.checks.test_divergence_engines import (
    _terms_with_hiding,
    assert_same_divergence,
    tau_heavy_lts,
)
from tests.lts.test_normal_product import _Branching
from tests.lts.test_refine_product import networks
from tests.semantics.test_network import BODIES, EVENTS, LOOP, _recursive_terms, _reference_within


@contextmanager
def pairs_at_once():
    """The pairs alone answer (no screen first, no normal form)."""
    with patch.object(normal_product, "METHODS", ("pairs",)), \
            patch.object(normal_product, "SCREEN", False):
        yield


def _answer(result) -> tuple:
    ce = result.counterexample
    return (result.passed,) if ce is None else (ce.trace, ce.refused, ce.cycle is None)


@settings(max_examples=300, deadline=None)
@given(networks(), st.booleans())
def test_pairs_give_the_reference_verdict_trace_event_and_kind(net, divergence):
    reference = check_determinism(explore_product(net), divergence=divergence)
    normal = check_determinism_product(net, divergence=divergence)
    with pairs_at_once():
        pairs = check_determinism_product(net, divergence=divergence)
    assert "state_pairs" in pairs.stats.extra and "state_pairs" not in normal.stats.extra
    assert pairs.stats.extra["method"] == "pairs" and "normal_form_nodes" not in pairs.stats.extra
    assert _answer(pairs) == _answer(reference) == _answer(normal)


@settings(max_examples=200, deadline=None)
@given(networks(), st.booleans())
def test_a_race_from_the_first_level_gives_the_reference_answer_whichever_search_answers(
        net, divergence):
    reference = check_determinism(explore_product(net), divergence=divergence)
    with patch.object(normal_product, "MIN_NODES", 0), \
            patch.object(normal_product, "NODES_PER_STATE", 0), \
            patch.object(normal_product, "SCREEN", False):
        raced = check_determinism_product(net, divergence=divergence)
    extra = raced.stats.extra
    assert extra["normal_form_nodes"] > 0  # the normal form's first node came first
    # the pairs join after it (unless it answered there: a divergence at the start)
    assert extra["method"] == "pairs" or (extra["method"] == "normal form" and (
        extra.get("state_pairs", 0) > 0 or raced.stats.extra["levels"] == 1))
    assert _answer(raced) == _answer(reference)


@settings(max_examples=100, deadline=None)
@given(networks(), st.booleans())
def test_a_level_expanded_two_pairs_at_a_time_gives_the_same_answers(net, divergence):
    reference = check_determinism(explore_product(net), divergence=divergence)
    with pairs_at_once(), patch.object(determinism_pairs, "CHUNK", 2):
        pairs = check_determinism_product(net, divergence=divergence)
    assert _answer(pairs) == _answer(reference)


@settings(max_examples=100, deadline=None)
@given(tau_heavy_lts())
def test_a_divergence_found_by_pairs_is_the_reference_counterexample_whole(lts: LTS):
    with pairs_at_once():
        pairs = check_determinism_product(close(component(lts)))
    assert_same_divergence(check_determinism(lts), pairs)


def test_an_offer_that_another_state_after_the_same_trace_refuses_is_a_clash():
    choice = LTS.build(5, 0, ["a", "b", "c"],
                       [(0, "a", 1), (0, "a", 2), (1, "c", 3), (2, "b", 4), (2, "c", 4)])
    with pairs_at_once():
        found = find_nondeterminism(close(component(choice)))
    assert (found.kind, found.trace, found.event) == ("clash", ("a",), "b")
    assert found.pairs == 4  # the start, and (1, 1), (1, 2), (2, 2) after a


def test_a_lone_state_that_can_terminate_clashes_with_itself():
    net = close(component(LTS.build(3, 0, ["a"], [(0, "a", 1), (0, "✓", 2)])))
    with pairs_at_once():
        result = check_determinism_product(net)
    assert not result.passed and result.counterexample.refused == frozenset({"a"})
    assert result.counterexample.trace == ()


def test_divergence_counts_only_in_the_failures_divergences_model():
    loop = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2), (2, "b", 1)])
    net = close(hide(component(loop), {"b"}))
    with pairs_at_once():
        fd, f = check_determinism_product(net), check_determinism_product(net, divergence=False)
    assert fd.counterexample.trace == ("a",) and fd.counterexample.cycle == ("τ",)
    assert f.passed


def test_a_lazy_leaf_outgrowing_its_digits_restarts_the_pairs_alike():
    from procalg.lts.lazy import LazyComponent

    with pairs_at_once():
        found = find_nondeterminism(close(component(LazyComponent(_Branching(), ["a", "b"]))),
                                    divergence=False)
    assert (found.kind, found.trace, found.event) == ("clash", ("a", *["b"] * 19), "b")


def _counter(k: int, up: str) -> LTS:
    """``C(n) = n < k & up -> C(n + 1) [] reset -> C(0)``."""
    rows = [(n, up, n + 1) for n in range(k)] + [(n, "reset", 0) for n in range(k + 1)]
    return LTS.build(k + 1, 0, [up, "reset"], rows)


def _told(k: int):
    """``benchmarks/divergence_lasso.py``'s det row: ``reset`` resets C1 or C2, so the
    normal form's sets are of the counters' values, ~1.9x more per level."""
    rows = list(_counter(k, "up3").triples())
    d = k + 1  # D3 = h -> C3(K) [] x -> C3(0) [] reset -> C3(0)
    rows += [(k, "h", d), (d, "h", k), (d, "x", 0), (d, "reset", 0)]
    c3 = LTS.build(k + 2, 0, ["up3", "reset", "h", "x"], rows)
    counters = parallel(component(_counter(k, "up1")), component(_counter(k, "up2")), set())
    return close(hide(parallel(counters, component(c3), {"reset"}), {"h"}))


@pytest.mark.parametrize("divergence", [True, False])
def test_the_pairs_race_the_normal_form_once_it_outgrows_the_states(divergence):
    net = _told(6)
    reference = check_determinism(explore_product(net), divergence=divergence)
    with patch.object(normal_product, "MIN_NODES", 50), \
            patch.object(normal_product, "NODES_PER_STATE", 2):
        switched = check_determinism_product(net, divergence=divergence)
    assert switched.stats.extra["state_pairs"] > 0
    assert switched.stats.extra["normal_form_nodes"] > 50
    assert switched.stats.extra["method"] in ("normal form", "pairs")
    assert _answer(switched) == _answer(reference)
    assert not switched.passed


@contextmanager
def letting_go_at_once():
    """A race from the first level in which, once both searches have built a
    level, one no deeper than the other is let go (any estimate is "clearly" dearer)."""
    with patch.object(determinism_codes, "GROW_AFTER", 1), \
            patch.object(normal_product, "MIN_NODES", 0), \
            patch.object(normal_product, "NODES_PER_STATE", 0), \
            patch.object(normal_product, "SCREEN", False), \
            patch.object(Race, "DROP", 0.0), patch.object(Race, "FREE_AFTER", -1.0):
        yield


@settings(max_examples=150, deadline=None)
@given(networks(), st.booleans())
def test_a_race_that_lets_a_search_go_gives_the_reference_answer_from_the_other(net, divergence):
    reference = check_determinism(explore_product(net), divergence=divergence)
    with letting_go_at_once():
        raced = check_determinism_product(net, divergence=divergence)
    assert raced.stats.extra["method"] not in raced.stats.extra.get("dropped", [])
    assert _answer(raced) == _answer(reference)


def _watched(kind: type, name: str, refs: dict, freed: list) -> type:
    """``kind`` (a search) whose objects are watched by weak references, and
    whose answer records which watched searches were freed by then."""

    class Watched(kind):
        def __init__(self, *args) -> None:
            super().__init__(*args)
            refs[name] = weakref.ref(self)

        def levels(self):
            found = yield from super().levels()
            freed.append({n for n, ref in refs.items() if ref() is None})
            return found

    return Watched


@pytest.mark.parametrize("divergence", [True, False])
def test_a_search_let_go_is_freed_before_the_other_answers(divergence):
    refs, freed = {}, []
    with letting_go_at_once(), \
            patch.object(normal_product, "NormalForm",
                         _watched(normal_product.NormalForm, "normal form", refs, freed)), \
            patch.object(normal_product, "PairSearch",
                         _watched(normal_product.PairSearch, "pairs", refs, freed)):
        result = check_determinism_product(_told(6), divergence=divergence)
    dropped = result.stats.extra["dropped"]
    assert len(dropped) == 1 and dropped[0] != result.stats.extra["method"]
    assert freed == [set(dropped)]  # its visited sets gone while the other still ran
    assert "let go" in result.stats.extra["notes"][-1]
    assert not result.passed


def test_the_states_met_by_the_pairs_are_limited():
    ring = LTS.build(50, 0, ["a"], [(i, "a", i + 1) for i in range(49)])
    with pairs_at_once(), pytest.raises(LimitExceeded, match="state limit"):
        find_nondeterminism(close(component(ring)), max_states=10)


@settings(max_examples=80, deadline=None)
@given(st.one_of(_terms_with_hiding(),
                 st.builds(lambda body, hidden: (body, hidden), _recursive_terms(3),
                           st.frozensets(st.sampled_from(EVENTS)))))
def test_random_terms_get_the_term_rules_answer_from_pairs(drawn):
    if isinstance(drawn, tuple):  # a recursion under hiding
        term, bodies = Hide(LOOP, drawn[1]), {**BODIES, LOOP: drawn[0]}
    else:
        term, bodies = drawn, BODIES
    try:  # a call under ; or an interrupt can grow without end: no oracle
        reference = _reference_within(term, bodies.__getitem__, 150)
    except (LimitExceeded, ProcalgError, RecursionError):
        return
    net = compile_network(term, bodies.__getitem__, max_states=600)
    if isinstance(net, NotApplicable):
        return
    with pairs_at_once():
        pairs = check_determinism_product(net)
    assert _answer(pairs) == _answer(check_determinism(reference))


@settings(max_examples=20, deadline=None)
@given(models())
def test_random_models_get_the_reference_answers_with_pairs_from_the_start(text):
    with pairs_at_once():
        assert_engines_agree(text)
