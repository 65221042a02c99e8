"""The symbolic engine's checks on small models: verdicts, traces with data, proofs."""

from __future__ import annotations

import pytest

from procalg.api.model import loads
from procalg.api.search import CheckEngine
from procalg.symbolic.engine import deadlock, has_trace, invariant, reachable
from procalg.symbolic.fragment import OutsideFragment
from procalg.symbolic.solve import Limits
from procalg.syntax import parse_expr
from procalg.terms import Event

LIMITS = Limits(depth=12, seconds=30)

BANK = """
channel deposit, withdraw : Int
channel refuse
Account(balance) =
     deposit?x:Int -> (if x > 0 then Account(balance + x) else Account(balance))
  [] withdraw?x:Int -> (if x > 0 and x <= balance + 1 then Account(balance - x)
                        else refuse -> Account(balance))
Other(balance) = deposit?x:Int -> Other(balance)
"""


def _spec(text: str):
    return loads(text).spec


def test_an_input_over_int_reaches_the_event_with_the_value_z3_found() -> None:
    spec = _spec("channel c : Int\nchannel bad\n"
                 "P = c?x:Int -> (if x * x == 1369 then bad -> STOP else P)")
    out = reachable(spec, parse_expr("P"), "bad", (), LIMITS)
    assert out.found is True
    assert out.trace in (("c.37", "bad"), ("c.-37", "bad"))


def test_an_unreachable_event_is_proved_unreachable_not_just_unfound() -> None:
    spec = _spec("channel c : Int\nchannel bad\n"
                 "P = c?x:Int -> (if x * x == 1370 then bad -> STOP else P)")
    out = reachable(spec, parse_expr("P"), "bad", (), LIMITS)
    assert out.found is False
    assert out.method.startswith(("k-induction", "Spacer"))


def test_a_broken_invariant_gives_the_amounts_and_the_value_at_the_end() -> None:
    out = invariant(_spec(BANK), parse_expr("Account(0)"), parse_expr("balance >= 0"), LIMITS)
    assert out.found is True
    assert out.trace == ("withdraw.1",)
    assert out.state == {"balance": -1}


def test_an_invariant_that_holds_is_proved_for_every_depth() -> None:
    spec = _spec(BANK.replace("balance + 1", "balance"))
    out = invariant(spec, parse_expr("Account(0)"), parse_expr("balance >= 0"), LIMITS)
    assert out.found is False
    assert out.method == "k-induction (k = 1)"


def test_spacer_proves_what_k_induction_cannot_and_names_the_invariant() -> None:
    # n2 != 0 is never k-inductive: n2 = -k, ..., -1 is a run of good states
    # into a bad one for every k; the invariant n2 >= 1 closes it
    spec = _spec("channel c : Int\nP(n1, n2) = c!n1 -> P(n1 + 1, n2 + 1)")
    out = invariant(spec, parse_expr("P(0, 1)"), parse_expr("n2 != 0"),
                    Limits(depth=3, seconds=30, induction_depth=4))
    assert out.found is False
    assert out.method == "Spacer"
    assert "n2" in out.invariant


def test_a_deadlock_after_data_is_found_with_its_trace() -> None:
    spec = _spec("channel c : Int\nP(n) = n < 3 & c!n -> P(n + 1)")
    out = deadlock(spec, parse_expr("P(0)"), LIMITS)
    assert (out.found, out.trace) == (True, ("c.0", "c.1", "c.2"))


def test_successful_termination_is_not_a_deadlock() -> None:
    spec = _spec("channel c : Int\nP(n) = if n < 3 then c!n -> P(n + 1) else SKIP\n"
                 "Q = P(0) ||| P(1)")
    assert deadlock(spec, parse_expr("Q"), LIMITS).found is False


def test_synchronisation_on_data_agrees_on_the_value() -> None:
    spec = _spec("channel c : Int\nchannel done\n"
                 "Send = c!5 -> Send\nRecv = c?x:Int -> (if x == 5 then done -> STOP else Recv)\n"
                 "Sys = Send [| {| c |} |] Recv")
    out = reachable(spec, parse_expr("Sys"), "done", (), LIMITS)
    assert out.trace == ("c.5", "done")
    spec = _spec("channel c : Int\nchannel done\n"
                 "Send = c!4 -> Send\nRecv = c?x:Int -> (if x == 5 then done -> STOP else Recv)\n"
                 "Sys = Send [| {| c |} |] Recv")
    assert reachable(spec, parse_expr("Sys"), "done", (), LIMITS).found is False


def test_hidden_events_show_as_tau_and_are_not_reachable_events() -> None:
    spec = _spec("channel a, b\nP = a -> b -> P\nH = P \\ {a}")
    assert reachable(spec, parse_expr("H"), "a", (), LIMITS).found is False
    out = reachable(spec, parse_expr("H"), "b", (), LIMITS)
    assert out.trace == ("τ", "b")


def test_has_trace_reads_the_trace_through_internal_steps() -> None:
    spec = _spec("channel c : Int\nchannel h\nP(n) = h -> c!n -> P(n + 1)\nH = P(0) \\ {h}")
    trace = (Event("c", (0,)), Event("c", (1,)))
    assert has_trace(spec, parse_expr("H"), trace, LIMITS).found is True
    wrong = (Event("c", (0,)), Event("c", (2,)))
    assert has_trace(spec, parse_expr("H"), wrong, LIMITS).found is False


def test_an_invariant_name_of_two_components_is_an_error() -> None:
    spec = _spec(BANK + "Two = Account(0) ||| Account(1)")
    with pytest.raises(OutsideFragment, match="2 components"):
        invariant(spec, parse_expr("Two"), parse_expr("balance >= 0"), LIMITS)


def test_an_invariant_name_no_component_has_is_an_error() -> None:
    with pytest.raises(OutsideFragment, match="not a parameter"):
        invariant(_spec(BANK), parse_expr("Account(0)"), parse_expr("amount >= 0"), LIMITS)


def test_a_process_outside_the_fragment_says_which_construct() -> None:
    spec = _spec("channel a\nP = (a -> SKIP) ; P")
    with pytest.raises(OutsideFragment, match="';'"):
        deadlock(spec, parse_expr("P"), LIMITS)


def test_an_exhausted_search_is_unknown_with_the_reason_never_a_verdict() -> None:
    # x*y == 7919*7907 factoring: non-linear, z3 gives up within 1 s or finds it
    spec = _spec("channel c : Int\nchannel bad\n"
                 "P(n) = c?x:Int -> (if x * x * x == n * n + 3 * n + 7777777 then bad -> STOP "
                 "else P(n + 1))")
    out = reachable(spec, parse_expr("P(0)"), "bad", (), Limits(depth=2, seconds=1))
    assert out.found in (None, True, False)
    if out.found is None:
        assert "depth" in out.method or "Spacer" in out.method


def test_an_input_whose_value_feeds_a_modulo_does_not_make_a_live_component_look_stuck() -> None:
    # z3's qe tactic eliminates ∃x. n == 1 ∧ 0 <= x <= 2 ∧ 1 == (n + x) % 3 to a false
    # formula; an unverified elimination made Q(1) look stuck after P's first move
    spec = _spec("channel a, b : {0..2}\nP(n) = (n < 2) & a?x -> P((n + x) % 3)\n"
                 "Q(n) = (n == 1) & b?x -> Q((n + x) % 3)\nSys = P(0) ||| Q(1)")
    out = deadlock(spec, parse_expr("Sys"), LIMITS)
    assert out.found is True and len(out.trace) == 2  # both must stop: two events


def test_a_tau_of_an_internal_choice_inside_an_external_choice_keeps_the_other_branch() -> None:
    # P [] (c -> P |~| d -> P) --τ--> P [] c -> P: the a?x branch stays on offer
    spec = _spec("channel a : {0..2}\nchannel c, d\n"
                 "P(n) = a?x -> P((n + x) % 3) [] (c -> P(n) |~| d -> P(0))\n"
                 "Q(n) = (n < 2) & a!n -> Q((n + 1) % 3)\nSys = P(1) [| {c} |] Q(0)")
    assert deadlock(spec, parse_expr("Sys"), LIMITS).found is False


def test_renaming_on_top_carries_fields_and_synchronises_under_the_new_name() -> None:
    from procalg.api.check import check_model
    from procalg.api.model import loads
    from procalg.api.search import SearchOptions

    text = ("channel a, b : Int\nchannel c\n"
            "P(n) = a!n -> P(n + 1)\n"
            "Q = b?x -> (if x == 5 then c -> STOP else Q)\n"
            "Sys = P(0)[[a <- b]] [| {| b |} |] Q\n"
            "assert Sys :[reachable c]\nassert not Sys :[reachable a.0]\n")
    found, never = check_model(loads(text), options=SearchOptions(engine=CheckEngine.SYMBOLIC))
    assert found.result == "pass"
    assert found.check.counterexample.trace == ("b.0", "b.1", "b.2", "b.3", "b.4", "b.5", "c")
    assert never.result == "pass"  # a.0 was renamed away
