"""A wide input no parallel synchronises runs on the product engine, as the reference does.

The term-level parallel asks a wide input only for its partner's events where
a parallel above synchronises on all of them; everywhere else both engines
expand every value, so the network compiler now keeps such a leaf. Oracle:
the term rules (``--engine reference``): the same verdicts, state (and
the LTS's transition) counts, shortest counterexamples and LTS up to strong bisimulation,
on fixed models and on random networks of wide inputs interleaved,
synchronised, hidden, renamed and under ``;`` and choices (``WIDE_INPUT``
lowered so that small types count as wide).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api import check_model, loads
from procalg.api.export import process_lts
from procalg.api.search import CheckEngine, SearchOptions, deadlock
from procalg.lts import leaf_choice
from procalg.lts.exploration import explore
from procalg.lts.lazy import LazyComponent
from procalg.lts.product import explore_product
from procalg.semantics import leaves, network_shape
from procalg.semantics.narrowing import Narrowed
from procalg.semantics.network import NotApplicable, compile_network
from tests.semantics.test_network import _bisimilar

REFERENCE = SearchOptions(engine=CheckEngine.REFERENCE)


def _both(text: str, name: str = "P"):
    model = loads(text)
    return deadlock(model, name, SearchOptions()), deadlock(model, name, REFERENCE)


def _agree(fast, slow, *, counts: bool = True) -> None:
    """Same verdict and shortest counterexample (as many steps, τ included: of two
    shortest paths the engines may pick ones hiding a different number of events);
    with ``counts``, the same states searched (components reduced modulo strong
    bisimulation may merge some; the reference counts a repeated move again, so
    moves are compared on LTSs)."""
    assert fast.verdict == slow.verdict
    assert fast.stats.states == slow.stats.states or not counts
    if slow.counterexample is not None:
        steps = [len(c.full_path or c.trace) for c in (fast.counterexample, slow.counterexample)]
        assert steps[0] == steps[1]


def test_a_wide_input_interleaved_with_its_partner_runs_on_the_product_engine() -> None:
    fast, slow = _both("channel c : {0..99999}\nchannel d\nP = (c?x -> STOP) ||| (d -> STOP)\n")
    assert fast.stats.extra["engine"] == "product"
    _agree(fast, slow)
    assert fast.counterexample.trace == slow.counterexample.trace == ("c.0", "d")


def test_a_wide_input_hidden_before_its_partner_sees_it_runs_on_the_product_engine() -> None:
    fast, slow = _both("channel c : {0..4999}\nchannel d\n"
                       "P = (c?x -> d -> STOP) \\ {| c |} [| {| c, d |} |] (d -> STOP)\n")
    assert fast.stats.extra["engine"] == "product"
    _agree(fast, slow)


def test_a_wide_input_beside_a_network_gives_the_reference_counts_and_trace_length() -> None:
    text = ("channel reading : {0..1999}\nchannel job, done : {0..3}\n"
            "Sensor = reading?x -> job!(x % 4) -> Sensor\n"
            "Worker(i) = job.i -> done.i -> Worker(i)\n"
            "Log(n) = done?i -> (if n < 6 then Log(n + 1) else STOP)\n"
            "P = (Sensor [| {| job |} |] (||| i : {0..3} @ Worker(i))) [| {| done |} |] Log(0)\n")
    fast, slow = _both(text)
    assert fast.stats.extra["engine"] == "product"
    _agree(fast, slow)


@pytest.mark.parametrize("top", [
    "c?x -> STOP [| {| c |} |] c!3 -> STOP",
    "c?x -> STOP [{| c |} || {| c, d |}] (c!3 -> STOP [] d -> STOP)",
    "(c?x -> STOP)[[c <- e]] [| {| e |} |] e!3 -> STOP",
    "((c?x -> STOP) ||| d -> STOP) [| {| c |} |] c!3 -> STOP",
])
def test_a_wide_input_a_parallel_synchronises_on_runs_on_the_product_narrowed_by_its_partner(
        top: str) -> None:
    fast, slow = _both(f"channel c, e : {{0..99999}}\nchannel d\nP = {top}\n")
    assert fast.stats.extra["engine"] == "product"
    assert any("asked only for its partners' events" in n for n in fast.stats.extra["notes"])
    _agree(fast, slow)


@pytest.mark.parametrize("top", [
    "c?x -> STOP [| {| c |} |] c?y -> STOP",  # both sides wide: neither bounds the other
    # a lazy partner (past 2,000 states) declares every event of the model: no bound,
    # and the wide side has 100,000 moves whole (past network_shape.WIDE_WHOLE_MOVES)
    "c?x -> STOP [| {| c |} |] Count(0)",
])
def test_a_wide_input_no_partner_bounds_is_still_left_to_the_term_rules(top: str) -> None:
    fast, slow = _both(f"channel c, e : {{0..99999}}\nchannel d\nP = {top}\n"
                       "Count(n) = d -> (if n < 3000 then Count(n + 1) else c!7 -> STOP)\n")
    assert fast.stats.extra["engine"] == "reference"
    assert "input offers up to 100,000 events" in fast.stats.extra["why"]
    both = "c?y" in top
    assert fast.stats.extra["why"].startswith("both sides of a parallel") == both
    assert ("not explored whole: more than 50,000 moves" in fast.stats.extra["why"]) != both
    _agree(fast, slow)


LEAVES = ("c?x -> d!x -> STOP", "c?x -> (if x == 0 then STOP else e -> SKIP)",
          "c?x -> c?y -> d!((x + y) % 3) -> SKIP", "d?x -> c!x -> STOP", "e -> STOP",
          "c.1 -> SKIP", "SKIP", "W", "d?x:{0, 1} -> W", "c!2 -> f?y -> STOP")
BINARY = ("({p} ||| {q})", "({p} [| {{| c |}} |] {q})", "({p} [| {{e}} |] {q})",
          "({p} [| {{| d |}} |] {q})", "({p} [{{| c, e |}} || {{| d, e |}}] {q})",
          "({p} [| {{| c, d |}} |] {q})", "({p} [{{| c |}} || {{| c, f |}}] {q})",
          "({p} ; {q})", "({p} [] {q})", "({p} /\\ {q})")
UNARY = ("({p} \\ {{| c |}})", "({p} \\ {{| d |}})", "({p} [[c <- d]])", "(e -> {p})",
         "({p} [[c <- c, c <- f]])", "({p} [[d <- c]])")  # one-to-many, many-to-one
HEADER = ("channel c, d, f : {0..2}\nchannel e\n"
          "W = c?x -> (if x == 2 then e -> W else W) [] d?x -> STOP\n")


def _networks(depth: int) -> st.SearchStrategy[str]:
    """``.proc`` text of a random operator tree over leaves with inputs over ``c``."""
    leaf = st.sampled_from(LEAVES)
    if depth == 0:
        return leaf
    sub = _networks(depth - 1)
    return st.one_of(
        leaf,
        st.builds(lambda t, p, q: t.format(p=p, q=q), st.sampled_from(BINARY), sub, sub),
        st.builds(lambda t, p: t.format(p=p), st.sampled_from(UNARY), sub))


@contextmanager
def _all_wide(lazy: bool = False) -> Iterator[None]:
    """Every input over 3 values counts as wide, and none is listed by the network
    compiler's shape (a listed input is expanded: no longer wide, as a wide one's
    never is); with ``lazy``, every narrowed leaf is a lazy component (its declared
    alphabet narrowed too). Models for the reference are loaded apart: an input
    the term rules expanded whole is wide no more."""
    def leaf(system, alphabet, **options):
        narrowed = isinstance(getattr(system, "system", None), Narrowed)
        return leaf_choice.leaf(system, alphabet, eager_limit=0 if lazy and narrowed
                                else leaf_choice.EAGER_LIMIT, **options)

    with patch.object(network_shape, "WIDE_INPUT", 2), \
            patch.object(network_shape, "INPUT_BRANCHES", 1), patch.object(leaves, "leaf", leaf):
        yield


@settings(max_examples=150, deadline=None)
@given(_networks(3), st.booleans())
def test_random_networks_of_wide_inputs_agree_with_the_term_rules(body: str, lazy: bool
                                                                  ) -> None:
    model, apart = loads(HEADER + f"P = {body}\n"), loads(HEADER + f"P = {body}\n")
    with _all_wide(lazy):
        net = compile_network(model.process("P"), model.spec, reduce=False)
        fast = deadlock(model, "P", SearchOptions())
    slow = deadlock(apart, "P", REFERENCE)
    reference = explore(apart.system(apart.process("P")))
    _agree(fast, slow, counts=False)
    if isinstance(net, NotApplicable):
        return
    product = explore_product(net)
    assert _bisimilar(product, reference)
    # a choice's compiled sides keep states the terms merge (tests/semantics/test_network.py)
    assert product.num_states >= reference.num_states


ASSERTIONS = ("assert P :[deterministic [F]]\nassert P :[deterministic [FD]]\n"
              "assert STOP [T= P\nassert Spec [T= P\nassert Spec [F= P\nassert P [T= Spec\n"
              "assert P :[divergence free]\n"
              "Spec = c?x -> Spec [] d?x -> STOP [] e -> SKIP [] f.1 -> Spec\n")


@settings(max_examples=60, deadline=None)
@given(_networks(3))
def test_random_networks_of_wide_inputs_refine_determine_and_export_as_the_term_rules(
        body: str) -> None:
    model, apart = (loads(HEADER + f"P = {body}\n" + ASSERTIONS) for _ in range(2))
    with _all_wide():
        fast = list(check_model(model, options=SearchOptions()))
        exported = process_lts(model, "P")
    slow = list(check_model(apart, options=REFERENCE))
    # verdicts (a failures counterexample may differ: either engine's is a real one)
    assert [r.result for r in fast] == [r.result for r in slow]
    assert _bisimilar(exported, process_lts(apart, "P", engine=CheckEngine.REFERENCE))


def test_the_random_networks_narrow_wide_inputs_by_their_partners() -> None:
    # the random tests above meet these shapes: a narrowed leaf, eager and lazy
    for lazy in (False, True):
        model = loads(HEADER + "P = ((c?x -> d!x -> STOP) [[c <- c, c <- f]]) "
                      "[{| c |} || {| c, f |}] (c!2 -> f?y -> STOP)\n")
        with _all_wide(lazy):
            net = compile_network(model.process("P"), model.spec, reduce=False)
        assert any("asked only for its partners' events" in n for n in net.notes)
        assert any(isinstance(c, LazyComponent) for c in net.components) == lazy
        product = explore_product(net)
        apart = loads(HEADER + "P = ((c?x -> d!x -> STOP) [[c <- c, c <- f]]) "
                      "[{| c |} || {| c, f |}] (c!2 -> f?y -> STOP)\n")
        assert _bisimilar(product, explore(apart.system(apart.process("P"))))


def test_every_assertion_on_a_wide_interleaved_input_runs_on_the_product_engine() -> None:
    model = loads("channel c : {0..9999}\nchannel d\nL = c?x -> d -> L\nP = L ||| (d -> STOP)\n"
                  "assert P :[deadlock free]\nassert P :[divergence free]\n"
                  "assert P :[reachable d]\n")
    auto = list(check_model(model, options=SearchOptions()))
    slow = list(check_model(model, options=REFERENCE))
    assert [a.check.stats.extra["engine"] for a in auto] == ["product"] * 3
    assert [a.result for a in auto] == [r.result for r in slow]


@contextmanager
def _lazy_partners(budget: int) -> Iterator[None]:
    """Every input over 3 values counts as wide and every leaf that may be lazy is,
    so no partner's labels bound a wide input (a lazy leaf declares every event):
    such a leaf is explored whole up to ``budget`` moves, else the term rules run."""
    def leaf(system, alphabet, **options):
        return leaf_choice.leaf(system, alphabet, **{**options, "eager_limit": 0})

    with patch.object(network_shape, "WIDE_INPUT", 2), \
            patch.object(network_shape, "INPUT_BRANCHES", 1), \
            patch.object(network_shape, "WIDE_WHOLE_MOVES", budget), \
            patch.object(leaves, "leaf", leaf):
        yield


@settings(max_examples=120, deadline=None)
@given(_networks(3), st.sampled_from([0, 4, 50_000]))
def test_random_networks_of_wide_inputs_beside_lazy_partners_agree_with_the_term_rules(
        body: str, budget: int) -> None:
    model, apart = loads(HEADER + f"P = {body}\n"), loads(HEADER + f"P = {body}\n")
    with _lazy_partners(budget):
        net = compile_network(model.process("P"), model.spec, reduce=False)
        fast = deadlock(model, "P", SearchOptions())
    slow = deadlock(apart, "P", REFERENCE)
    _agree(fast, slow, counts=False)
    if isinstance(net, NotApplicable):
        return
    assert _bisimilar(explore_product(net), explore(apart.system(apart.process("P"))))


def test_a_wide_input_beside_a_lazy_partner_runs_on_the_product_within_the_budget() -> None:
    text = HEADER + "P = (c?x -> d!x -> STOP) [| {| c |} |] (c!2 -> f?y -> STOP)\n"
    model, apart = loads(text), loads(text)
    with _lazy_partners(50_000):
        net = compile_network(model.process("P"), model.spec, reduce=False)
        fast = deadlock(model, "P", SearchOptions())
    assert not isinstance(net, NotApplicable)
    assert any(isinstance(c, LazyComponent) for c in net.components)
    assert fast.stats.extra["engine"] == "product"
    _agree(fast, deadlock(apart, "P", REFERENCE), counts=False)
    assert _bisimilar(explore_product(net), explore(apart.system(apart.process("P"))))
    with _lazy_partners(4):  # c?x -> d!x -> STOP has 6 moves: past the budget
        again = loads(text)
        found = compile_network(again.process("P"), again.spec, reduce=False)
    assert isinstance(found, NotApplicable) and "more than 4 moves" in found.reason


@settings(max_examples=40, deadline=None)
@given(_networks(3))
def test_random_networks_of_wide_inputs_beside_lazy_partners_refine_and_determine_alike(
        body: str) -> None:
    model, apart = (loads(HEADER + f"P = {body}\n" + ASSERTIONS) for _ in range(2))
    with _lazy_partners(50_000):
        fast = list(check_model(model, options=SearchOptions()))
        exported = process_lts(model, "P")
    slow = list(check_model(apart, options=REFERENCE))
    assert [r.result for r in fast] == [r.result for r in slow]
    assert _bisimilar(exported, process_lts(apart, "P", engine=CheckEngine.REFERENCE))
