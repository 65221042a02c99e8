"""Every engine answers a model's assertions alike (issue 9's differential tests).

Random ``.proc`` models (:mod:`tests.api.random_models`: ``;``, interrupt,
timeout, exception, hiding over parallel, renaming, ``SKIP``, data-carrying
channels, recursion with parameters) are checked through the public API
twice: with the default engine (the product engine over compiled, lazy and
control components wherever it applies) and with ``engine=REFERENCE`` (the
term-level rules, the oracle). Every assertion (deadlock, divergence,
determinism, and refinement in traces, failures, failures-divergences,
revivals and refusal testing) must get the same verdict and
the same counterexample (docs/checks.md, "Which counterexample procalg shows";
a divergence's τ-lasso left off), and the default engine's counterexample
must be a real one on the reference LTS (:func:`assert_replays`). Once more
with leaves past two states explored lazily (as leaves past
``leaf_choice.EAGER_LIMIT`` are), which small random models never reach.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import partial
from unittest.mock import patch

from hypothesis import given, settings

from procalg.api import check_model, loads
from procalg.api.check import AssertionReport, AssertionResult
from procalg.api.model import Model
from procalg.api.search import CheckEngine, SearchOptions
from procalg.checks.result import Counterexample
from procalg.errors import LimitExceeded
from procalg.lts import LTS, TAU, TICK, leaf_choice
from procalg.semantics import leaves
from tests.api.random_models import models

LIMIT = 3_000
"""States either engine may explore: a model past it on the reference is skipped."""

ASSERTIONS = {  # assertion text: the implementation a counterexample runs on
    "T :[deadlock free]": "T",
    "T :[deadlock free [F]]": "T",
    "T :[divergence free]": "T",
    "T :[deterministic]": "T",
    "S [T= T": "T",
    "S [F= T": "T",
    "S [FD= T": "T",
    "T [FD= S": "S",
    "S [V= T": "T",
    "S [R= T": "T",
    "T [RD= S": "S",
}


def _checked(text: str, engine: CheckEngine) -> tuple[Model, list[AssertionReport]]:
    model = loads(text + "".join(f"assert {a}\n" for a in ASSERTIONS))
    options = SearchOptions(engine=engine, max_states=LIMIT)
    return model, list(check_model(model, options=options))


def _after(lts: LTS, states: Iterable[int], label: str | None) -> set[int]:
    """The states after ``label`` (``None``: stay) from ``states``, τ-closed."""
    seen = set(states) if label is None else {
        d for s in states for lab, d in lts.successors(s) if lts.labels[lab] == label}
    todo = list(seen)
    while todo:
        for lab, d in lts.successors(todo.pop()):
            if lab == lts.label_index(TAU) and d not in seen:
                seen.add(d)
                todo.append(d)
    return seen


def _on_tau_cycle(lts: LTS, state: int) -> bool:
    tau = lts.label_index(TAU)
    todo, seen = [d for lab, d in lts.successors(state) if lab == tau], set()
    while todo:
        s = todo.pop()
        if s == state:
            return True
        if s not in seen:
            seen.add(s)
            todo.extend(d for lab, d in lts.successors(s) if lab == tau)
    return False


def assert_replays(lts: LTS, kind: str, ce: Counterexample) -> None:
    """``ce`` is a real counterexample of ``kind`` on the reference ``lts``: its
    trace is one of the LTS's (in refusal testing, with the refusals observed on
    the way), and after it a state deadlocks, diverges or refuses what the
    counterexample says; a revival or refusal violation's refusal comes before
    its last event, from a stable state that then does it."""
    states = _after(lts, [lts.initial], None)
    offers = _observed(ce)
    revival = "and then do" in ce.note
    for i, event in enumerate(ce.trace):
        if i < len(offers) and offers[i] is not None:  # stable offering exactly that
            states = {s for s in states if _stable_offer(lts, s) == offers[i]}
        if revival and i == len(ce.trace) - 1:
            states = {s for s in states if _stable_offer(lts, s) is not None
                      and not _stable_offer(lts, s) & ce.refused}
            assert states, f"no stable state refuses {set(ce.refused)} there: {ce}"
        states = _after(lts, states, event)
        assert states, f"{ce.trace} is no trace of the reference LTS (stuck at {event})"
    if revival:
        return
    if kind == "deadlock free" and ce.cycle is None:
        assert TICK not in ce.trace and any(not lts.successors(s) for s in states), ce
    if ce.cycle is not None:  # a divergence: some state after the trace can τ for ever
        assert any(_on_tau_cycle(lts, s) for s in states), ce
    elif ce.refused is not None and kind != "deterministic":
        assert any(not _accepts(lts, s) & ce.refused for s in states), ce


def _observed(ce: Counterexample) -> list[frozenset[str] | None]:
    """A refusal-testing counterexample's offers seen before each event of its
    observation (None: •), read from its note; [] for the other models."""
    found = re.search(r"after the observation <(.*?)> the implementation", ce.note)
    if found is None:
        return []
    seen = re.findall(r"(•|refusing all but \{[^}]*\}), [^,{}]+", found.group(1))
    return [None if x == "•" else
            frozenset(e for e in x.removeprefix("refusing all but {")[:-1].split(", ") if e)
            for x in seen]


def _stable_offer(lts: LTS, state: int) -> frozenset[str] | None:
    """What ``state`` offers if it is stable (no τ, no ✓), else None."""
    offered = frozenset(lts.labels[lab] for lab, _ in lts.successors(state))
    return None if TAU in offered or TICK in offered else offered


def _accepts(lts: LTS, state: int) -> set[str]:
    """What ``state`` must accept in a refusal (all of Σ where it is unstable;
    only ✓ where it can terminate: ✓ is autonomous, as the checks define)."""
    offered = {lts.labels[lab] for lab, _ in lts.successors(state)}
    if TICK in offered:
        return {TICK}
    return set(lts.labels) if TAU in offered else offered - {TAU}


def _moves(counterexample: Counterexample) -> int:
    """A counterexample's length in moves, τ included: both engines search
    breadth-first over moves, so this is what "shortest" means (two shortest
    runs may show different numbers of visible events). A divergence counts
    up to its nearest divergent state: the τ lead-in from there to a cycle is
    one of many (a component reduced modulo strong bisimulation can fold it
    into the cycle, as ``tests/checks/test_divergence_engines.py`` allows)."""
    path = counterexample.full_path
    assert path is not None, counterexample
    if counterexample.cycle is None:
        return len(path)
    lead = re.search(r"\((\d+) τ-steps", counterexample.note)
    assert lead is not None, counterexample.note
    return len(path) - int(lead.group(1))


def _entry(counterexample: Counterexample) -> tuple[str, ...]:
    """The path up to the state the check looked for (a divergence's τ lead-in
    to its cycle, measured in the engine's own LTS, left off: :func:`_moves`)."""
    path = counterexample.full_path
    assert path is not None, counterexample
    return path[:_moves(counterexample)]


def _shown(counterexample: Counterexample) -> tuple:
    """A counterexample whole (a divergence's lasso left off: :func:`_entry`)."""
    note = counterexample.note
    if counterexample.cycle is not None:
        note = note.split(" (")[0]
    return (counterexample.trace, _entry(counterexample), counterexample.refused,
            counterexample.accepted, note)


def _kind(text: str) -> str:
    return text.split(":[")[1].split(" [")[0].rstrip("]") if ":[" in text else "refines"


def assert_engines_agree(text: str, engine: CheckEngine = CheckEngine.AUTO
                         ) -> list[AssertionReport]:
    """Check ``text``'s model on ``engine`` and the reference and compare (``engine``'s reports)."""
    model, fast = _checked(text, engine)
    _, reference = _checked(text, CheckEngine.REFERENCE)
    for (assertion, impl), mine, oracle in zip(ASSERTIONS.items(), fast, reference, strict=True):
        if oracle.result is AssertionResult.ERROR:  # past the limit on the terms: no oracle
            assert isinstance(oracle.error, LimitExceeded), (assertion, oracle.error)
            continue
        if mine.result is AssertionResult.ERROR:  # control phases may hold more states
            assert isinstance(mine.error, LimitExceeded), (assertion, mine.error)
            continue
        assert mine.result == oracle.result, (assertion, mine.stats.extra)
        # no fallback to the oracle (determinism on codes past 62 bits is "explicit":
        # the product's whole LTS, normalised state by state)
        assert mine.stats.extra["engine"] != "reference", (assertion, mine.stats.extra)
        ours, theirs = mine.check.counterexample, oracle.check.counterexample
        assert (ours is None) == (theirs is None), assertion
        if ours is not None:
            if _kind(assertion) in ("deadlock free", "divergence free"):  # one path:
                # the least of the shortest (docs/checks.md, "Which counterexample ...")
                assert (ours.trace, _entry(ours), ours.note.split("(")[0]) == (
                    theirs.trace, _entry(theirs), theirs.note.split("(")[0]), assertion
            else:  # a refinement: the least of the shortest, at its least end; determinism:
                # the least trace, event, and accepting and refusing paths
                assert _shown(ours) == _shown(theirs), (assertion, ours, theirs)
            try:  # the whole LTS, where a check may have stopped early
                explored = model.lts(impl, max_states=10 * LIMIT)
            except LimitExceeded:
                continue
            assert_replays(explored, _kind(assertion), ours)
    return fast


@settings(max_examples=30, deadline=None)
@given(models())
def test_random_models_get_the_reference_verdicts_and_counterexamples_on_every_engine(text):
    assert_engines_agree(text)


@settings(max_examples=20, deadline=None)
@given(models())
def test_random_models_agree_with_every_leaf_past_two_states_explored_lazily(text):
    with patch.object(leaves, "leaf", partial(leaf_choice.leaf, eager_limit=2)):
        assert_engines_agree(text)


def test_a_call_looping_back_under_hiding_after_a_parallel_in_a_choice_is_checked_alike():
    # P's body is a choice over a parallel, so P compiles as a network that restarts
    # on its own call; under `\ {a}` after `;` the looping term was no control
    # operator and compiling it failed an assertion (a traceback from `procalg check`)
    assert_engines_agree("channel a, b, c\nchannel d, e : {0..3}\nL(n) = a -> STOP\n"
                         "P(n) = ((a -> P(((n + 1) % 4))) [] (STOP [| {} |] STOP))\n"
                         "T = ((STOP ||| P(0)) ; (P(1) \\ {a}))\nS = STOP\n")


def test_a_call_unfolding_to_a_model_error_behind_a_blocked_event_is_checked_alike():
    # K(0)'s unfolding divides by zero; only d.1 leads there, which STOP blocks: the
    # term rules never reach it (a failed target), the compiled leaf raised it while
    # expanding K(2) (its target's key looked into K(0)'s body)
    assert_engines_agree("channel a, b, c\nchannel d, e : {0..3}\nL(n) = STOP\nP(n) = STOP\n"
                         "K(n) = (a -> K(1)) [] (if n == 1 then (a -> SKIP ||| a -> SKIP) "
                         "else d!(3 / n) -> K(0))\nT = STOP [| {| d |} |] K(2)\nS = STOP\n")


TRACES = ("T :[has trace]: <a, b>", "T :[has trace [F]]: <a>", "T :[has trace [FD]]: <b, a>",
          "T :[has trace [F]]: <d.0, a>", "S :[has trace]: <c>")


def _witnesses(text: str, engine: CheckEngine) -> list[tuple]:
    model = loads(text + "".join(f"assert {a}\n" for a in TRACES))
    options = SearchOptions(engine=engine, max_states=LIMIT)
    return [(r.result, type(r.error), None if r.check is None else (
        r.check.counterexample.trace, r.check.counterexample.full_path,
        r.check.counterexample.note, r.check.message))
        for r in check_model(model, options=options)]


@settings(max_examples=40, deadline=None)
@given(models())
def test_random_models_show_the_reference_witness_of_a_trace_on_every_engine(text):
    # the least of the shortest paths to a pair that shows the trace (docs/checks.md,
    # "Which counterexample procalg shows"), τ placed alike
    reference = _witnesses(text, CheckEngine.REFERENCE)
    with patch.object(leaves, "leaf", partial(leaf_choice.leaf, eager_limit=2)):
        lazy = _witnesses(text, CheckEngine.AUTO)
    for answers in (_witnesses(text, CheckEngine.AUTO), lazy):
        for assertion, mine, theirs in zip(TRACES, answers, reference, strict=True):
            if LimitExceeded not in (mine[1], theirs[1]):
                assert mine == theirs, (assertion, mine, theirs)


PINNED_TRACES = """channel a, b
Q = (STOP |~| a -> STOP) [] (a -> (STOP |~| b -> STOP))
R = (a -> STOP) ||| (STOP |~| STOP)
assert Q :[has trace [F]]: <a>
assert R :[has trace [F]]: <a>
assert R :[has trace [FD]]: <a>
"""
"""Two stable witnesses of ``<a>`` two moves long, ``<a, τ>`` and ``<τ, a>``: the
reference showed the one its term order met first (``Q``), the product engine
the least code's (``R``)."""


def test_a_trace_witness_places_tau_alike_whatever_the_engine_and_term_order():
    for engine in (CheckEngine.REFERENCE, CheckEngine.AUTO):
        shown = [r.check.counterexample.full_path
                 for r in check_model(loads(PINNED_TRACES), options=SearchOptions(engine=engine))]
        assert shown == [("a", TAU)] * 3, engine


# Worked by hand as FDR answers it. S = (a -> STOP) [> (b -> STOP) offers a only
# before its timeout's τ; its one stable state offers {b}. T = a -> STOP [] b -> STOP
# is stable offering {a, b} at once. Traces: both {<>, <a>, <b>}. Failures: S's
# stable refusals at <> are the subsets of {a}, T's only {}: T [F= S fails (the
# failure (<>, {a})), S [F= T holds. Revivals: T has (<>, {}, a), stable refusing
# nothing and then a; S's only stable state cannot do a: S [V= T fails at <a> with
# {} refused before it, and S [R= T too (the observation <{}, a>).
BY_HAND = {  # assertion: verdict, trace, refused, accepted
    "S [T= T": ("pass", None, None, None),
    "S [F= T": ("pass", None, None, None),
    "S [V= T": ("fail", ("a",), frozenset(), frozenset({"b"})),
    "S [R= T": ("fail", ("a",), frozenset(), frozenset({"b"})),
    "T [V= S": ("fail", (), frozenset({"a"}), frozenset({"a", "b"})),
    "T [R= S": ("fail", (), frozenset({"a"}), frozenset({"a", "b"})),
}


def test_a_timeout_against_a_choice_gets_fdrs_revivals_and_refusal_testing_answers():
    text = "channel a, b\nS = (a -> STOP) [> (b -> STOP)\nT = a -> STOP [] b -> STOP\n"
    model = loads(text + "".join(f"assert {a}\n" for a in BY_HAND))
    for engine in (CheckEngine.AUTO, CheckEngine.REFERENCE):
        reports = check_model(model, options=SearchOptions(engine=engine))
        for (assertion, (verdict, trace, refused, accepted)), report in zip(
                BY_HAND.items(), reports, strict=True):
            ce = report.check.counterexample
            assert report.result == verdict, (engine, assertion)
            if ce is not None:
                assert (ce.trace, ce.refused, ce.accepted) == (trace, refused, accepted), \
                    (engine, assertion, ce)


def test_a_trace_violation_ends_with_the_least_event_the_spec_cannot_do_on_every_engine():
    # after τ (the interrupt's choice) T can do a, c and ✓, none of which S can: the
    # product showed ✓ (the least code's), the term rules c (the first met); now a
    text = ("channel a, b, c\nchannel d, e : {0..3}\n"
            "L(n) = (e?x1:{2} -> a -> SKIP |~| ((c -> STOP [] a -> SKIP) [+ {b} +] SKIP))\n"
            "T = ((L(1) /\\ L(1)) \\ {| d, e |})\nS = (((STOP \\ {b}) [| {a} |] STOP) \\ {b})\n")
    for engine in (CheckEngine.AUTO, CheckEngine.REFERENCE):
        model = loads(text + "assert S [T= T\nassert S [F= T\n")
        for report in check_model(model, options=SearchOptions(engine=engine)):
            ce = report.check.counterexample
            assert (ce.trace, ce.full_path) == (("a",), ("τ", "a")), (engine, report)
    assert_engines_agree(text)
