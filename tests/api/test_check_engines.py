"""Every engine answers a model's assertions alike (issue 9's differential tests).

Random ``.proc`` models (:mod:`tests.api.random_models`: ``;``, interrupt,
timeout, exception, hiding over parallel, renaming, ``SKIP``, data-carrying
channels, recursion with parameters) are checked through the public API
twice: with the default engine (the product engine over compiled, lazy and
control components wherever it applies) and with ``engine=REFERENCE`` (the
term-level rules, the oracle). Every assertion must get the same verdict and
a counterexample of the same length, and the default engine's counterexample
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
    trace is one of the LTS's, and after it a state deadlocks, diverges or
    refuses what the counterexample says."""
    states = _after(lts, [lts.initial], None)
    for event in ce.trace:
        states = _after(lts, states, event)
        assert states, f"{ce.trace} is no trace of the reference LTS (stuck at {event})"
    if kind == "deadlock free" and ce.cycle is None:
        assert TICK not in ce.trace and any(not lts.successors(s) for s in states), ce
    if ce.cycle is not None:  # a divergence: some state after the trace can τ for ever
        assert any(_on_tau_cycle(lts, s) for s in states), ce
    elif ce.refused is not None and kind != "deterministic":
        assert any(not _accepts(lts, s) & ce.refused for s in states), ce


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


def _kind(text: str) -> str:
    return text.split(":[")[1].split(" [")[0].rstrip("]") if ":[" in text else "refines"


def assert_engines_agree(text: str) -> list[AssertionReport]:
    """Check ``text``'s model on both engines and compare (the default engine's reports)."""
    model, fast = _checked(text, CheckEngine.AUTO)
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
            if _kind(assertion) == "deterministic":  # a search over traces: its path is a witness
                assert len(ours.trace) == len(theirs.trace), (assertion, ours, theirs)
            else:
                assert _moves(ours) == _moves(theirs), (assertion, ours, theirs)
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
