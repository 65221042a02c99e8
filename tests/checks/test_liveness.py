"""``:[terminates]`` and ``:[ltl]:``: stuttering, special atoms, fairness, lassos."""

from __future__ import annotations

import pytest

from procalg.checks.liveness import Fairness, check_ltl, check_terminates
from procalg.checks.ltl import parse_formula
from procalg.errors import ParseError
from procalg.lts import LTS, TAU, TICK

WEAK, STRONG = Fairness.WEAK, Fairness.STRONG


def ltl(lts: LTS, text: str, fairness: Fairness = Fairness.NONE) -> bool:
    return check_ltl(lts, parse_formula(text), fairness=fairness).passed


SKIP_AFTER_A = LTS.build(3, 0, ["a"], [(0, "a", 1), (1, TICK, 2)])
STOP_AFTER_A = LTS.build(2, 0, ["a"], [(0, "a", 1)])
LOOP = LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "b", 0)])


def test_a_process_that_ends_with_tick_terminates() -> None:
    result = check_terminates(SKIP_AFTER_A)
    assert result.passed and result.message == "every run ends"


def test_a_deadlock_is_a_run_that_does_not_terminate() -> None:
    ce = check_terminates(STOP_AFTER_A).counterexample
    assert not ce.lasso and ce.cycle is None
    assert ce.trace == ("a",) and ce.note.startswith("deadlock")


def test_a_throw_ends_a_run_like_tick() -> None:
    lts = LTS.build(3, 0, ["a", "throw"], [(0, "a", 1), (1, "throw", 2)])
    assert check_terminates(lts).passed
    assert ltl(lts, "F throw") and not ltl(lts, "F tick")


def test_an_infinite_run_is_a_lasso_with_prefix_and_cycle() -> None:
    lts = LTS.build(3, 0, ["go", "a", "b"], [(0, "go", 1), (1, "a", 2), (2, "b", 1)])
    ce = check_terminates(lts).counterexample
    assert ce.lasso and ce.trace == ("go",) and ce.cycle == ("a", "b")
    assert ce.note == "a run that never ends"


def test_a_divergence_is_a_run_that_does_not_terminate() -> None:
    lts = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, TAU, 1)])
    ce = check_terminates(lts).counterexample
    assert ce.trace == ("a",) and ce.cycle == (TAU,)


def test_a_terminated_run_stutters_on_tick_for_ever() -> None:
    assert ltl(SKIP_AFTER_A, "F G tick")
    assert ltl(SKIP_AFTER_A, "X G tick")
    assert not ltl(SKIP_AFTER_A, "G F a")
    ce = check_ltl(SKIP_AFTER_A, parse_formula("G F a")).counterexample
    assert not ce.lasso and ce.full_path == ("a", TICK) and "ends here" in ce.note


def test_a_deadlocked_run_stutters_on_deadlock_for_ever() -> None:
    assert ltl(STOP_AFTER_A, "a && X G deadlock")
    assert not ltl(STOP_AFTER_A, "F tick")
    ce = check_ltl(STOP_AFTER_A, parse_formula("F tick")).counterexample
    assert ce.trace == ("a",) and "deadlocks here" in ce.note


def test_a_state_after_tick_merged_with_a_deadlock_keeps_both_endings_apart() -> None:
    # strong bisimulation merges Ω and STOP: state 1 is reached by ✓ and by b
    lts = LTS.build(2, 0, ["b"], [(0, TICK, 1), (0, "b", 1)])
    assert not check_terminates(lts).passed
    ce = check_ltl(lts, parse_formula("F tick")).counterexample
    assert ce.trace == ("b",)


def test_tau_matches_no_atom_and_counts_as_a_step() -> None:
    lts = LTS.build(3, 0, ["a"], [(0, TAU, 1), (1, "a", 2), (2, "a", 2)])
    assert ltl(lts, "X a") and not ltl(lts, "a") and ltl(lts, "!a")


def test_channel_patterns_match_events_field_by_field() -> None:
    lts = LTS.build(2, 0, ["pick.0.1", "pick.01.1"], [(0, "pick.0.1", 1), (1, "pick.01.1", 0)])
    assert ltl(lts, "pick.0 && X !pick.0")
    assert ltl(lts, "G {| pick |}") and ltl(lts, "G (pick.0.1 || pick.01)")
    assert not ltl(lts, "F pick.0.10")


def test_weak_fairness_forces_an_event_enabled_in_every_state_of_the_cycle() -> None:
    # Job = work -> Job [] stop -> SKIP: stop is always offered
    job = LTS.build(3, 0, ["work", "stop"], [(0, "work", 0), (0, "stop", 1), (1, TICK, 2)])
    assert not check_terminates(job).passed
    assert check_terminates(job, fairness=WEAK).passed
    assert check_terminates(job, fairness=STRONG).passed


def test_only_strong_fairness_forces_an_event_enabled_now_and_then() -> None:
    # Poll = poll -> (busy -> Poll [] ready -> SKIP): ready is offered every other step
    poll = LTS.build(4, 0, ["poll", "busy", "ready"],
                     [(0, "poll", 1), (1, "busy", 0), (1, "ready", 2), (2, TICK, 3)])
    assert not check_terminates(poll, fairness=WEAK).passed
    assert check_terminates(poll, fairness=STRONG).passed
    ce = check_terminates(poll, fairness=WEAK).counterexample
    assert ce.cycle == ("poll", "busy") and "weakly fair" in ce.note


def test_fairness_never_resolves_an_internal_choice() -> None:
    # Try = try -> (Try |~| ok -> SKIP): the τ to the retry may be taken for ever
    lts = LTS.build(5, 0, ["try", "ok"], [(0, "try", 1), (1, TAU, 0), (1, TAU, 2),
                                          (2, "ok", 3), (3, TICK, 4)])
    assert not check_terminates(lts, fairness=STRONG).passed


def test_a_weakly_fair_lasso_visits_a_state_where_each_unengaged_event_is_disabled() -> None:
    # c is offered in 0 and 1 but never done; the fair cycle must pass through 2
    lts = LTS.build(4, 0, ["a", "b", "d", "c"],
                    [(0, "a", 1), (1, "b", 0), (1, "d", 2), (2, "a", 0),
                     (0, "c", 3), (1, "c", 3), (3, TICK, 3)])
    ce = check_ltl(lts, parse_formula("F c"), fairness=WEAK).counterexample
    assert "d" in ce.cycle


def test_response_holds_on_a_request_ack_loop_and_fails_when_ack_can_be_skipped() -> None:
    assert ltl(LOOP, "G (a -> F b)") and ltl(LOOP, "[] <> b") and ltl(LOOP, "a W b")
    skip = LTS.build(2, 0, ["a", "b", "c"], [(0, "a", 1), (1, "b", 0), (1, "c", 1)])
    ce = check_ltl(skip, parse_formula("G (a -> F b)")).counterexample
    assert ce.trace == ("a",) and ce.cycle == ("c",)


@pytest.mark.parametrize("text", ["G (a ->", "a b", "F", "{| |}", "a & b", "(a"])
def test_a_malformed_formula_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_formula(text)


def test_an_event_with_two_targets_counts_once_as_enabled_for_weak_fairness() -> None:
    # a loops between 0 and 1; c is offered in both (twice in 0) and ends the run:
    # offered in every state of the loop, weak fairness forces it
    lts = LTS.build(5, 0, ["a", "c"], [(0, "a", 1), (1, "a", 0), (0, "c", 2), (0, "c", 4),
                                       (1, "c", 2), (2, TICK, 3), (4, TICK, 3)])
    assert check_terminates(lts, fairness=WEAK).passed
