"""Recursion that nests without bound is named after bounded work; bounded nesting never."""

from __future__ import annotations

import sys
from functools import partial
from unittest.mock import patch

import pytest
from hypothesis import given, settings

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.errors import LimitExceeded
from procalg.lts import explore, leaf_choice
from procalg.lts.product import explore_product
from procalg.semantics import leaves
from procalg.semantics.deep import run_deep
from procalg.semantics.growth_reached import NestingMet
from procalg.semantics.nesting import NESTING_LIMIT, UnboundedNesting, nestings
from procalg.semantics.network import NotApplicable
from procalg.syntax.parser import parse
from tests.api.random_models import models
from tests.api.test_check_engines import assert_engines_agree
from tests.semantics.test_network import _bisimilar

HEADER = "channel a, b, c\nchannel d : {0..3}\n"


def _flagged(text: str) -> dict[str, str]:
    spec = parse(HEADER + text)
    defs: dict[str, list] = {}
    for decl in spec.declarations:
        if hasattr(decl, "body"):
            defs.setdefault(decl.name, []).append(decl)
    return {name: found.operator for name, found in nestings(defs).items()}


@pytest.mark.parametrize(("text", "operator"), [
    ("P = a -> SKIP ||| b -> SKIP ||| c -> SKIP ; P", "|||"),
    ("P = (a -> P) [| {b} |] (c -> STOP)", "[| A |]"),
    ("P = (a -> P) [{a} || {b}] (b -> STOP)", "[A || B]"),
    ("P = (a -> P) [[ b <- c ]]", "[[ ]]"),
    ("P = (a -> P) ; b -> STOP", ";"),
    ("P = (a -> P) [| {b} |> (b -> STOP)", "[| A |>"),
    ("P = (a -> P) /+ {b} +\\ (c -> STOP)", "/+ A +\\"),
    ("P = (a -> P) /\\ (b -> STOP)", "/\\"),
    ("P(n) = a -> b -> (P(1) /\\ THROW)", "/\\"),
    ("P = b -> (P [+ {b} +] P)", "[+ A +]"),
    ("P = (b -> SKIP) ; (P [+ {b} +] P)", "[+ A +]"),
    ("P = d?x -> (P [+ {| d |} +] P)", "[+ A +]"),
    ("P = d!1 -> (P [+ {d.1} +] (d!1 -> P))", "[+ A +]"),
    ("P = R /+ {b} +\\ (b -> P)\nR = b -> R", "/+ A +\\"),
    ("P = (d?x -> P) [| {| c |} |> STOP", "[| A |>"),
    ("P = a -> (||| i : {0..1} @ d!i -> P)", "|||"),
    ("P = a -> Q ||| b -> STOP\nQ = c -> P", "|||"),
])
def test_a_recursive_call_in_a_static_position_with_no_guard_is_flagged(text, operator):
    assert _flagged(text)["P"] == operator


def test_a_process_parameter_passed_on_wrapped_in_a_parallel_is_flagged():
    spec = parse(HEADER + "W(X) = a -> X [] b -> W(X ||| X)\n")
    defs = {d.name: [d] for d in spec.declarations if hasattr(d, "body")}
    found = nestings(defs)["W"]
    assert (found.operator, found.argument) == ("|||", True)


def _ring(size: int, static_at: int | None = None) -> str:
    # R0 -> R1 -> ... -> R(size-1) -> R0, each after an event (one strongly
    # connected component, as a generated state machine's definitions are)
    lines = []
    for i in range(size):
        nxt = f"R{(i + 1) % size}"
        body = f"(a -> {nxt}) ; b -> STOP" if i == static_at else f"a -> {nxt} [] b -> STOP"
        lines.append(f"R{i} = {body}")
    return "\n".join(lines)


def test_a_large_recursive_cycle_with_no_static_call_is_read_without_a_path_search(
        monkeypatch):
    # the path back was searched for from every call: quadratic in a 14,000-
    # definition generated model (a minute of its load); now only for a flag
    from procalg.semantics import nesting as module
    searched = []
    real = module._cycle
    monkeypatch.setattr(module, "_cycle", lambda *a: searched.append(a[1]) or real(*a))
    assert _flagged(_ring(2000)) == {}
    assert searched == []


def test_one_static_call_on_a_large_cycle_flags_its_definition_with_the_whole_path_back():
    spec = parse(HEADER + _ring(300, static_at=7))
    defs = {d.name: [d] for d in spec.declarations if hasattr(d, "body")}
    found = nestings(defs)
    assert list(found) == ["R7"] and found["R7"].operator == ";"
    assert found["R7"].cycle == frozenset(f"R{i}" for i in range(300))


@pytest.mark.parametrize("text", [
    "P(n) = if n == 0 then SKIP else (a -> SKIP ||| P(n - 1))",
    "P(n) = n > 0 & (a -> SKIP ||| P(n - 1))",
    "P(0) = SKIP\nP(n) = a -> SKIP ||| P(n - 1)",
    "P(n) = ||| i : {0..n - 1} @ (a -> P(i))",
    "P = (a -> SKIP ||| b -> SKIP) ; P",
    "P = (a -> P) \\ {b}",
    "P = (b -> STOP) /\\ (a -> P)",  # a ends the interrupted side: P runs alone
    "P = (a -> P) [> (b -> STOP)",
    "P = (b -> STOP) [> (a -> P)",
    "P = a -> P [] (b -> STOP ||| c -> STOP)",
    "P = (a -> P) [+ {b} +] (c -> SKIP)",  # a, outside {b}, resolves the choice: finite
    "P = (c -> STOP) /+ {b} +\\ (a -> P)",  # a, outside {b}, ends the left side: finite
    "P = (c -> STOP) /+ {b} +\\ (b -> P)",  # b needs the left, which never offers it
    "P = (c -> STOP [] a -> SKIP) [+ {b} +] (b -> P)",  # so does [+ A +]'s
    "P = a -> (P [+ {b} +] STOP)",  # P's a, outside {b}, resolves the choice
    "P = (a -> SKIP) ; (P [+ {b} +] P)",  # so does the a before the call
    "P = d!1 -> (P [+ {| d.2 |} +] P)",
    "P = (b -> P) [| {b} |> STOP",  # b, in {b}, hands over to STOP
    "P = (d?x -> P) [| {| d |} |> STOP",
    "P = (a -> SKIP ||| b -> SKIP) ; Q\nQ = c -> P",
    "W(X, n) = if n == 0 then X else W(X ||| X, n - 1)",
])
def test_recursion_a_guard_bounds_or_outside_a_static_position_is_not_flagged(text):
    assert _flagged(text) == {}


@pytest.mark.parametrize("engine", [CheckEngine.AUTO, CheckEngine.REFERENCE])
@pytest.mark.parametrize(("text", "process", "name", "operator", "argument"), [
    ("P = a -> SKIP ||| b -> SKIP ||| c -> SKIP ; P", "P", "P", "|||", False),
    ("W = a -> b -> SKIP\nV(X) = d!1 -> X [] d!2 -> V(X ||| X)", "V(W)", "V", "|||", True),
    ("P = (a -> P) [| {b} |> (b -> STOP)", "P", "P", "[| A |>", False),
    ("Q(n) = R\nR = b -> ((Q(0) [] R) /+ {b} +\\ (Q(2) [] STOP))", "Q(2)", "R", "/+ A +\\",
     False),
])
def test_a_growing_nesting_is_reported_naming_the_definition_and_operator(
        engine, text, process, name, operator, argument):
    model = loads(f"{HEADER}{text}\nassert {process} :[deadlock free]\n")
    [report] = check_model(model, options=SearchOptions(engine=engine))
    assert report.result == "error"
    what = "with a process parameter wrapped in" if argument else "inside"
    assert report.error.message.startswith(f"{name} calls itself {what} {operator}")
    assert f"seen {NESTING_LIMIT} deep" in report.error.message
    assert report.error.span is not None
    assert report.seconds < 30  # a few thousand states at most, never the memory guard


def test_the_product_engine_refuses_a_nesting_recursion_naming_it():
    model = loads(HEADER + "P = (a -> P) [[ b <- c ]]\nassert P :[deadlock free]\n")
    [report] = check_model(model, options=SearchOptions(engine=CheckEngine.PRODUCT))
    assert report.result == "error"
    assert isinstance(report.error, LimitExceeded)
    assert "P may nest its recursion without bound (through [[ ]])" in report.error.message


def test_a_partner_that_bounds_the_nesting_below_the_limit_keeps_the_check():
    model = loads(HEADER + "P = a -> SKIP ||| (c -> SKIP ; P)\nT = c -> c -> STOP\n"
                  "assert P [| {c} |] T :[deadlock free]\n")
    [report] = check_model(model)
    assert report.result == "fail"  # T stops after two c: P's a's run out, then deadlock
    assert report.stats.extra["engine"] == "reference"
    assert "may nest its recursion" in report.stats.extra["why"]


@pytest.mark.parametrize("n", [0, 3, NESTING_LIMIT + 4])
def test_a_parameter_that_bounds_the_nesting_explores_every_depth(n):
    model = loads(HEADER + "P(n) = if n == 0 then SKIP else (a -> SKIP ||| P(n - 1))\n")
    lts = explore(model.spec.system(model.process(f"P({n})")))
    assert lts.num_states > n  # each a of n interleaved copies, then the ends


def test_the_reference_exploration_stops_at_the_limit_not_the_state_bound():
    model = loads(HEADER + "P = (a -> P) [| {b} |] (c -> STOP)\n")
    with pytest.raises(UnboundedNesting) as raised:
        explore(model.spec.system(model.process("P")), max_states=10_000)
    assert raised.value.nesting.process == "P"
    with pytest.raises(LimitExceeded):  # below the limit's states, the bound still speaks
        explore(model.spec.system(model.process("P")), max_states=3)


GROWING = [  # flagged, and the term rules' states grow without the watch
    ("P = (a -> P) /\\ (b -> STOP)", "P", "/\\"),
    ("P(n) = a -> b -> (P(1) /\\ THROW)", "P(0)", "/\\"),
    ("P = b -> (P [+ {b} +] P)", "P", "[+ A +]"),
    ("P = d?x -> (P [+ {| d |} +] P)", "P", "[+ A +]"),
    ("P = R /+ {b} +\\ (b -> P)\nR = b -> R", "P", "/+ A +\\"),
    ("P = (d?x -> P) [| {| c |} |> STOP", "P", "[| A |>"),
    ("P = d?x -> (a -> SKIP ||| P)", "P", "|||"),  # the call is behind an input: no term
]
FINITE = [  # not flagged, and the term rules reach every state
    ("P = (b -> STOP) /\\ (a -> P)", "P"),
    ("P = (b -> STOP) [> (a -> P)", "P"),
    ("P = (a -> P) [> (b -> STOP)", "P"),
    ("P = a -> (P [+ {b} +] STOP)", "P"),
    ("P = (a -> SKIP) ; (P [+ {b} +] P)", "P"),
    ("P = d!1 -> (P [+ {| d.2 |} +] P)", "P"),
    ("P = (a -> P) [+ {b} +] (c -> SKIP)", "P"),
    ("P = (b -> P) [| {b} |> STOP", "P"),
    ("P = (d?x -> P) [| {| d |} |> STOP", "P"),
    ("P = (c -> STOP) /+ {b} +\\ (b -> P)", "P"),
    ("P = (c -> STOP [] a -> SKIP) [+ {b} +] (b -> P)", "P"),
]


@pytest.mark.parametrize(("text", "process", "operator"), GROWING)
def test_a_flagged_recursion_through_an_operator_that_keeps_it_grows_on_the_term_rules(
        text, process, operator):
    model = loads(HEADER + text + "\n")
    assert model.spec.nesting["P"].operator == operator
    with pytest.raises(UnboundedNesting):
        explore(model.spec.system(model.process(process)), max_states=10_000)
    model.spec.nesting = {}  # unwatched, the same recursion passes any bound (a few
    with pytest.raises(LimitExceeded):  # more states: [+ A +]'s copies double each one)
        explore(model.spec.system(model.process(process)), max_states=14)


@pytest.mark.parametrize(("text", "process"), FINITE)
def test_recursion_an_event_lets_out_of_the_operator_is_unflagged_and_finite(text, process):
    model = loads(HEADER + text + "\n")
    assert model.spec.nesting == {}
    lts = explore(model.spec.system(model.process(process)), max_states=14)
    assert lts.num_states > 1


@pytest.mark.parametrize("engine", [CheckEngine.AUTO, CheckEngine.REFERENCE])
def test_a_check_on_a_nesting_interrupt_answers_from_a_few_states(engine):
    model = loads(HEADER + "P = (a -> b -> P) /\\ (c -> STOP)\n"
                  "assert P :[deadlock free]\nassert P :[has trace]: <a, b, a, c>\n")
    deadlock, trace = check_model(model, options=SearchOptions(engine=engine))
    assert (deadlock.result, deadlock.check.counterexample.trace) == ("fail", ("c",))
    assert trace.result == "pass"
    assert deadlock.stats.states < 20  # the product explored 2,000 leaf states first


@pytest.mark.parametrize("left", ["c -> STOP", "c -> STOP [] a -> SKIP",
                                  "if true then c -> STOP else STOP"])
def test_a_synchronising_interrupt_whose_left_never_offers_its_set_runs_on_the_product_engine(
        left):
    # the nesting guard flagged P, so the term rules ran every check on a finite process
    model = loads(HEADER + f"P = ({left}) /+ {{b}} +\\ (b -> P)\nQ = P ||| c -> STOP\n"
                  "assert Q :[deadlock free]\n")
    assert model.spec.nesting == {}
    fast, slow = (next(iter(check_model(model, options=SearchOptions(engine=engine))))
                  for engine in (CheckEngine.AUTO, CheckEngine.REFERENCE))
    assert fast.check.stats.extra["engine"] == "product"
    assert fast.result == slow.result
    assert fast.check.counterexample.trace == slow.check.counterexample.trace
    assert fast.check.stats.states == slow.check.stats.states


def test_a_synchronising_interrupt_whose_left_may_offer_its_set_stays_flagged():
    assert _flagged("P = (b -> STOP) /+ {b} +\\ (b -> P)") == {"P": "/+ A +\\"}
    assert _flagged("P = (c -> R) /+ {b} +\\ (b -> P)\nR = b -> R") == {"P": "/+ A +\\"}


UNREACHED = {  # R nests (an unguarded renaming of itself), but no run of T unfolds it
    "undo": "activity ok : {0..3} never fails\nT = P(0)\n"
            "P(n) = saga ((ok.n -> SKIP) undo R) ; a -> P((n + 1) % 3)\n",
    "guard": "T = Q(0)\nQ(n) = (n == 5 & R) [] (a -> Q((n + 1) % 4)) [] (n == 3 & b -> STOP)\n",
    "branch": "T = (a -> T) [] (b -> (if false then R else ((c -> STOP ||| a -> SKIP) ; T)))\n",
}


@pytest.mark.parametrize("name", sorted(UNREACHED))
def test_a_nesting_recursion_no_run_unfolds_runs_on_the_product_engine(name):
    # the static guard flagged R, and the product engine refused every process whose
    # text mentions it; the term rules only stop where they unfold it: so does it now
    text = HEADER + "R = R [[ b <- c ]]\n" + UNREACHED[name] + \
        "assert T :[deadlock free]\nassert T :[divergence free]\nassert T :[reachable c]\n"
    model = loads(text)
    assert "R" in model.spec.nesting
    net = model.network("T")
    assert not isinstance(net, NotApplicable), net.reason
    assert _bisimilar(explore_product(net), explore(model.spec.system(model.process("T"))))
    fast, slow = (list(check_model(loads(text), options=SearchOptions(engine=engine)))
                  for engine in (CheckEngine.AUTO, CheckEngine.REFERENCE))
    for mine, theirs in zip(fast, slow, strict=True):
        assert mine.check.stats.extra["engine"] == "product"
        assert mine.result == theirs.result
        ours, want = mine.check.counterexample, theirs.check.counterexample
        assert (ours is None) == (want is None)
        assert ours is None or ours.trace == want.trace


def test_a_nesting_recursion_a_run_unfolds_leaves_the_process_to_the_term_rules():
    # met by the search, past the 2,000 states of a lazy leaf explored when compiled:
    # the term rules take the process from the start
    text = HEADER + "R = R [[ b <- c ]]\nT = Count(0) ||| (c -> STOP)\n" \
        "Count(n) = (n < 2500 & a -> Count(n + 1)) [] (n == 2400 & b -> R)\n" \
        "assert T :[deadlock free]\n"
    fast, slow = (next(iter(check_model(loads(text), options=SearchOptions(engine=engine))))
                  for engine in (CheckEngine.AUTO, CheckEngine.REFERENCE))
    assert fast.result == slow.result == "error"
    assert fast.error.message == slow.error.message
    network = loads(text).network("T")
    assert not isinstance(network, NotApplicable)  # compiled: only a run meets R
    with pytest.raises(NestingMet, match="R may nest its recursion without bound"):
        explore_product(network)


@settings(max_examples=25, deadline=None)
@given(models())
def test_random_models_mentioning_a_nesting_recursion_they_never_run_stay_on_the_product(text):
    # T's text reaches R, so its leaves run on the watching term rules, never machines
    text = text.replace("\nT = ", "\nR = R [[ a <- b ]]\nT = if 0 == 1 then R else ")
    with patch.object(leaves, "leaf", partial(leaf_choice.leaf, eager_limit=2)):
        assert_engines_agree(text)


@pytest.mark.parametrize(("tail", "operator"), [
    ("(a -> SKIP ||| (c -> SKIP ; P))", "|||"),
    ("((a -> P) [| {b} |> c -> STOP)", "[| A |>"),
])
def test_a_call_after_a_long_prefix_chain_is_found_without_recursing_per_prefix(
        tail: str, operator: str) -> None:
    # the scan once recursed (nested generators) per prefix: RecursionError here
    # under the default limit, and O(n^2) resumptions inside the deep thread
    chain = " -> ".join(["a", "d.1"] * 2500)
    spec = run_deep(lambda: parse(f"{HEADER}P = {chain} -> {tail}\n"))
    defs = {decl.name: [decl] for decl in spec.declarations if hasattr(decl, "body")}
    assert sys.getrecursionlimit() < 5000
    assert {name: found.operator for name, found in nestings(defs).items()} == {"P": operator}
