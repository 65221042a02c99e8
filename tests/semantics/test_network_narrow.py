"""A wide input a parallel synchronises runs on the product, asked for its partner's events.

Oracle: the term rules (``--engine reference``), on fixed models: the same
verdicts and counterexamples, and the same LTS (``procalg lts``: counts, and up
to strong bisimulation); the wide leaf itself makes only the moves its partner
can join. Random networks: ``tests/semantics/test_sync_context.py``.
"""

from __future__ import annotations

from unittest.mock import patch

from procalg.api import check_model, loads
from procalg.api.export import process_lts
from procalg.api.search import CheckEngine, SearchOptions, deadlock
from procalg.lts import LTS
from procalg.semantics import network_shape
from procalg.semantics.network import NotApplicable, compile_network
from procalg.semantics.network_narrow import Scope, operand_scopes
from procalg.semantics.network_shape import Shape
from tests.semantics.test_network import _bisimilar

REFERENCE = SearchOptions(engine=CheckEngine.REFERENCE)
BRIEF = ("channel c : {0..9999}\nchannel d, e\nP = c?x -> d -> P\nQ = c!3 -> Q\n"
         "S = P [| {|c|} |] Q\n")


def _twice(text: str):
    """Two loads of one model: an input the term rules expanded is wide no more."""
    return loads(text), loads(text)


def test_the_wide_side_is_built_after_its_partner_and_asked_only_for_its_events() -> None:
    model, apart = _twice(BRIEF)
    net = compile_network(model.process("S"), model.spec, reduce=False)
    assert not isinstance(net, NotApplicable)
    sizes = sorted((c.num_states, c.num_transitions) for c in net.components
                   if isinstance(c, LTS))
    assert sizes == [(1, 1), (2, 2)]  # Q; P: c.3 then d, not 10,000 input moves
    fast = process_lts(model, "S")
    slow = process_lts(apart, "S", engine=CheckEngine.REFERENCE)
    assert (fast.num_states, fast.num_transitions) == (slow.num_states, slow.num_transitions)
    assert _bisimilar(fast, slow)


def test_a_left_wide_side_keeps_its_place_in_the_counterexample() -> None:
    text = ("channel c : {0..9999}\nchannel d, e\n"
            "S = (c?x -> d -> STOP) [| {| c, d |} |] (c!3 -> e -> d -> STOP)\n")
    model, apart = _twice(text)
    fast, slow = deadlock(model, "S", SearchOptions()), deadlock(apart, "S", REFERENCE)
    assert fast.stats.extra["engine"] == "product"
    assert fast.verdict == slow.verdict
    assert fast.counterexample.trace == slow.counterexample.trace == ("c.3", "e", "d")


def test_operand_scopes_build_the_partner_of_a_wide_left_side_first() -> None:
    model = loads(BRIEF)
    shape = Shape(model.spec.rules())
    scopes, swapped = operand_scopes(shape.normal(model.process("S")), Scope(), shape)
    assert swapped and scopes[0] is None and scopes[1] is not None
    narrow = loads("channel c : {0..9}\nS = c?x -> STOP [| {|c|} |] c!3 -> STOP")
    shape = Shape(narrow.spec.rules())
    scopes, swapped = operand_scopes(shape.normal(narrow.process("S")), Scope(), shape)
    assert not swapped and scopes[0] is not None and scopes[1] is None


LAZY_PARTNER = ("channel c : {{0..{top}}}\nchannel d\n"
                "Count(n) = d -> (if n < 3000 then Count(n + 1) else c!7 -> STOP)\n"
                "S = c?x -> STOP [| {{| c |}} |] Count(0)\n")


def test_a_wide_leaf_beside_a_lazy_partner_is_explored_whole_and_agrees_with_the_term_rules(
        ) -> None:
    # the lazy partner declares every event: no bound, but 10,000 moves are cheap whole
    model, apart = _twice(LAZY_PARTNER.format(top=9999))
    found = compile_network(model.process("S"), model.spec)
    assert not isinstance(found, NotApplicable)
    assert any(isinstance(c, LTS) and c.num_transitions == 10_000 for c in found.components)
    assert "leaf c?x -> STOP explored whole: a wide input no partner bounds, at most 50,000" \
        " moves" in found.notes
    fast, slow = deadlock(model, "S", SearchOptions()), deadlock(apart, "S", REFERENCE)
    assert fast.stats.extra["engine"] == "product"
    assert fast.verdict == slow.verdict
    assert fast.counterexample.trace == slow.counterexample.trace
    assert fast.counterexample.trace[-1] == "c.7" and len(fast.counterexample.trace) == 3002


def test_a_wide_leaf_past_the_whole_budget_beside_a_lazy_partner_is_left_to_the_term_rules(
        ) -> None:
    model = loads(LAZY_PARTNER.format(top=9999))
    with patch.object(network_shape, "WIDE_WHOLE_MOVES", 9_999):  # one move short
        found = compile_network(model.process("S"), model.spec)
    assert isinstance(found, NotApplicable)
    assert "input offers up to 10,000 events" in found.reason
    assert "not explored whole: more than 9,999 moves, past which the term rules run faster" \
        in found.reason
    wider = loads(LAZY_PARTNER.format(top=99_999))  # wider than the budget: not even tried
    found = compile_network(wider.process("S"), wider.spec)
    assert isinstance(found, NotApplicable) and "more than 50,000 moves" in found.reason


def test_a_wide_input_under_a_priority_is_not_narrowed_and_agrees_with_the_term_rules() -> None:
    # the priority reads c's offers, which its partner's labels must not remove
    text = ("channel c : {0..1999}\nchannel d\n"
            "S = prioritise(c?x -> STOP [] d -> STOP, <{| c |}, {d}>) [| {| c |} |] c!3 -> STOP\n")
    model, apart = _twice(text)
    fast, slow = deadlock(model, "S", SearchOptions()), deadlock(apart, "S", REFERENCE)
    assert fast.verdict == slow.verdict
    assert fast.counterexample.trace == slow.counterexample.trace == ("c.3",)


CHAIN = ("N = 2500\nchannel w, d : {0..1999}\n"
         "Cnt(n) = n < N & w!(n % 2000) -> Cnt(n + 1)\nW = w?x -> P(x)\nP(x) = d!x -> W\n"
         "Sys = W [| {| w |} |] Cnt(0)\nSpec = w?x -> d?y -> Spec\n"
         "assert Sys :[deadlock free]\nassert Sys :[divergence free]\n"
         "assert Sys \\ {| w |} :[divergence free]\nassert Spec [T= Sys\n"
         "assert Sys [T= Spec\n")


def test_a_wide_leaf_explored_whole_is_an_eager_partner_and_every_check_agrees() -> None:
    # the counter (2,500 states) is lazy; W, explored whole (2,001 states, past the
    # 2,000 a leaf that may be lazy is explored whole up to), is eager beside it
    model, apart = _twice(CHAIN)
    net = compile_network(model.process("Sys"), model.spec, reduce=False)
    assert not isinstance(net, NotApplicable)
    assert [type(c).__name__ for c in net.components] == ["LTS", "LazyComponent"]
    assert (net.components[0].num_states, net.components[0].num_transitions) == (2001, 4000)
    fast = list(check_model(model, options=SearchOptions()))
    slow = list(check_model(apart, options=REFERENCE))
    assert [r.check.stats.extra.get("engine") for r in fast] == ["product"] * 5
    assert [r.result for r in fast] == [r.result for r in slow]
    assert [r.result.value for r in fast] == ["fail", "pass", "pass", "pass", "fail"]
    for mine, theirs in zip(fast, slow, strict=True):
        if theirs.check.counterexample is not None:
            assert mine.check.counterexample.trace == theirs.check.counterexample.trace
    assert fast[0].check.counterexample.trace[-2:] == ("w.499", "d.499")
