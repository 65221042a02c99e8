"""Which assertions go to the symbolic engine, and what its answers look like."""

from __future__ import annotations

from procalg.api.check import check_assertion, check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions

BANK = """
channel deposit, withdraw : Int
Account(balance) = deposit?x:Int -> Account(balance + x)
               [] withdraw?x:Int -> (x <= balance + 1 & Account(balance - x))
assert Account(0) :[invariant]: balance >= 0
assert Account(0) :[deadlock free]
assert not Account(0) :[reachable withdraw.3]
"""


def _reports(text: str, **options):
    model = loads(text)
    return list(check_model(model, options=SearchOptions(**options)))


def test_auto_sends_a_model_with_int_data_to_the_symbolic_engine_and_says_why() -> None:
    invariant, deadlock, reachable = _reports(BANK)
    assert invariant.result == "fail"
    # one step breaks it: withdraw.1 at balance 0, or a negative deposit
    [event] = invariant.check.counterexample.trace
    assert event in ("withdraw.1",) or event.startswith("deposit.-")
    assert "balance = -" in invariant.check.counterexample.note
    assert deadlock.stats.extra["engine"] == "symbolic"
    assert deadlock.stats.extra["why"] == "the model has unbounded data (Int)"
    # the guard after the prefix: withdrawing more than balance + 1 is a STOP
    assert deadlock.result == "fail"
    [event] = deadlock.check.counterexample.trace
    assert event.startswith("withdraw.") and int(event.split(".")[1]) > 1
    assert reachable.result == "fail"  # withdraw.3 after deposit.3: the negation fails


def test_a_proof_says_how_it_was_obtained() -> None:
    [report] = _reports("channel c : Int\nP(n) = c!n -> P(n + 1)\n"
                        "assert P(0) :[invariant]: n >= 0")
    assert report.result == "pass"
    assert report.stats.extra["proof"] == "proved for every depth by k-induction (k = 1)"


def test_finite_models_stay_on_the_explicit_engines() -> None:
    [report] = _reports("channel c : {0..3}\nP = c?x -> P\nassert P :[deadlock free]")
    assert report.stats.extra["engine"] != "symbolic"


def test_a_process_named_int_is_not_integer_data() -> None:
    [report] = _reports("channel a\nInt = a -> Int\nassert Int :[deadlock free]")
    assert report.stats.extra["engine"] != "symbolic"


def test_an_invariant_on_an_explicit_engine_is_an_error_naming_the_engine() -> None:
    [report] = _reports("channel c : Int\nP(n) = c!n -> P(n + 1)\n"
                        "assert P(0) :[invariant]: n >= 0", engine=CheckEngine.PRODUCT)
    assert report.result == "error"
    assert "symbolic" in report.error.message


def test_no_answer_within_the_limits_is_unknown_not_pass() -> None:
    # Spacer and k-induction cannot close x*x*x == n*n + 7 (non-linear) in 1 s
    text = ("channel c : Int\nchannel bad\n"
            "P(n) = c?x:Int -> (if x * x * x == n * n * n + 7 * n + 5 then bad -> STOP "
            "else P(n + 1))\nassert not P(0) :[reachable bad]")
    [report] = _reports(text, bmc_depth=1, seconds=1)
    assert report.result in ("unknown", "fail")
    if report.result == "unknown":
        assert report.check.message.startswith("unknown after depth")
        assert "--bmc-depth" in report.check.message
        assert not report.check.passed


FAR = ("channel c : Int\nchannel bad\n"
       "P(n) = c!n -> (if n == 60 then bad -> STOP else P(n + 1))\n"
       "assert not P(0) :[reachable bad]\nassert P(0) :[deadlock free]\n")


def test_a_false_property_beyond_the_depth_bound_is_unknown_with_the_reason() -> None:
    # bad is 61 steps away, BMC may look 2 deep, and no proof exists: unknown, not pass
    for report in _reports(FAR, bmc_depth=2, seconds=1, engine=CheckEngine.SYMBOLIC):
        assert report.result == "unknown"
        assert report.check.verdict.value == "unknown" and not report.check.passed
        assert report.check.message.startswith("unknown after depth 2")
        assert "raise --bmc-depth (now 2)" in report.check.message


def test_auto_asks_the_explicit_engines_when_the_symbolic_engine_does_not_know() -> None:
    # FAR's data is finite (n stops at 60): the explicit engines answer what BMC cannot
    reachable, deadlock = _reports(FAR, bmc_depth=2, seconds=1)
    assert (reachable.result, deadlock.result) == ("fail", "fail")
    assert deadlock.stats.extra["engine"] == "product"
    assert len(deadlock.check.counterexample.trace) == 62  # c.0 .. c.60, bad
    assert deadlock.stats.extra["after symbolic"] == (
        "the symbolic engine: unknown after depth 2; the explicit engines answered")


def test_an_unknown_stands_where_the_explicit_engines_meet_unbounded_data() -> None:
    # the counter grows without bound: the explicit engines stop, the unknown stays
    text = ("channel c : Int\nchannel bad\n"
            "P(n) = c!n -> (if n * n * n == 7 * n * n + 5 then bad -> STOP else P(n + 1))\n"
            "assert not P(0) :[reachable bad]")
    [report] = _reports(text, bmc_depth=1, seconds=1)
    assert report.result in ("unknown", "pass")  # never the explicit engines' error
    assert report.stats.extra["engine"] == "symbolic"


def test_an_unbounded_counter_on_the_reference_engine_points_at_the_symbolic_one() -> None:
    model = loads("channel c : Int\nP(n) = c!n -> P(n + 1)\nassert P(0) :[deadlock free]")
    report = check_assertion(model, model.assertions[0],
                             options=SearchOptions(engine=CheckEngine.REFERENCE, max_states=200))
    assert report.result == "error"
    assert "--engine symbolic" in report.error.hint


def test_an_unrestricted_int_input_on_an_explicit_engine_is_a_clear_error() -> None:
    model = loads("channel c : Int\nP = c?x -> P\nassert P :[deadlock free]")
    report = check_assertion(model, model.assertions[0],
                             options=SearchOptions(engine=CheckEngine.REFERENCE))
    assert report.result == "error"
    assert "every integer" in report.error.message
    assert "--engine symbolic" in report.error.hint


def test_deadlock_freedom_with_hidden_events_is_refused_unless_written_in_f() -> None:
    # FDR's default [FD] also fails a divergence, which the symbolic engine does
    # not search for: with a hidden event a τ-cycle is possible, so it says so
    text = """
channel c : Int
channel tick
Count(n) = c!n -> Count(n + 1) [] tick -> Count(n)
Hidden = Count(0) \\ {| c |}
assert Hidden :[deadlock free]
assert Hidden :[deadlock free [F]]
"""
    default, stable = _reports(text)
    assert default.result == "error"
    assert "does not check divergence" in str(default.error)
    assert "[deadlock free [F]]" in default.error.hint
    assert stable.stats.extra["engine"] == "symbolic"
    assert stable.result == "pass"


REPLICATED = """channel c : Int
P(n) = |~| x : {0..n} @ c!x -> (if x == n then STOP else P(n))
assert P(2) :[deadlock free [F]]
"""


def test_a_shape_the_symbolic_engine_cannot_take_falls_back_to_the_explicit_engines() -> None:
    [report] = _reports(REPLICATED)  # auto picked symbolic for the Int channel
    assert report.result == "fail"  # c.2 then STOP, found by the explicit search
    assert list(report.check.counterexample.trace) == ["c.2"]
    assert report.check.stats.extra["engine"] != "symbolic"


def test_a_shape_outside_the_fragment_is_still_an_error_when_symbolic_is_asked_for() -> None:
    [report] = _reports(REPLICATED, engine=CheckEngine.SYMBOLIC)
    assert report.result == "error"
    assert "this Replicated is outside it" in report.error.message
    assert (report.error.span.line, report.error.span.column) == (2, 8)


DEEP = ("channel c : Int\nP(n) = n < 40 & c!n -> P(n + 1)\n"
        "assert P(0) :[deadlock free]\n")


def test_a_counterexample_spacer_shows_to_exist_is_found_past_the_depth_bound() -> None:
    # the deadlock is 40 steps deep, BMC may look 30: Spacer refutes every invariant,
    # so BMC goes on and answers with the least trace instead of "raise --bmc-depth"
    [report] = _reports(DEEP, engine=CheckEngine.SYMBOLIC)
    assert report.result == "fail"
    assert report.check.counterexample.trace == tuple(f"c.{i}" for i in range(40))
    assert "past --bmc-depth 30" in report.stats.extra["method"]


def test_a_deadlock_note_shows_no_parameter_of_a_finished_equation() -> None:
    # at the STOP that n < 5 leads to, n is dead and the path leaves it unconstrained
    [report] = _reports(DEEP.replace("40", "5"), engine=CheckEngine.SYMBOLIC)
    assert report.result == "fail"
    assert "n =" not in report.check.counterexample.note
