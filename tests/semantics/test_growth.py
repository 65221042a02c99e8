"""Parameters that grow without bound are named in seconds, bounded ones never."""

from __future__ import annotations

import pytest

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.semantics.growth import GROWTH_LIMIT, growing, settle
from procalg.syntax.parser import parse


def _flagged(text: str) -> dict[str, list[str]]:
    spec = parse(text)
    defs = {d.name: [d] for d in spec.declarations if hasattr(d, "body")}
    return {name: [g.parameter for g in found] for name, found in growing(defs).items()}


def test_a_self_call_that_adds_a_constant_without_a_guard_is_flagged() -> None:
    assert _flagged("channel a\nP(n, k) = a -> P(n + 1, k)\n") == {"P": ["n"]}
    assert _flagged("channel a\nP(n) = a -> P(2 + n)\n") == {"P": ["n"]}
    assert _flagged("channel a\nP(n) = a -> P(n - 3)\n") == {"P": ["n"]}


def test_a_guard_or_a_modulus_on_the_parameter_keeps_it_unflagged() -> None:
    assert _flagged("channel a\nP(n) = if n < 9 then a -> P(n + 1) else STOP\n") == {}
    assert _flagged("channel a\nP(n) = n < 9 & a -> P(n + 1)\n") == {}
    assert _flagged("channel a\nP(n) = a -> P((n + 1) % 4)\n") == {}
    assert _flagged("channel a\nP(n) = a -> P(n)\n") == {}


def test_a_call_into_another_definition_flags_the_callee_parameter() -> None:
    flagged = _flagged("channel a, b\nP(n) = a -> Q(n + 1)\nQ(m) = b -> P(m)\n")
    assert flagged == {"Q": ["m"]}


@pytest.mark.parametrize("engine", [CheckEngine.PRODUCT, CheckEngine.REFERENCE])
def test_an_unbounded_counter_stops_with_the_definition_and_parameter_named(engine) -> None:
    # the interleaved Q puts it in a parallel network, so the product engine takes it
    model = loads("channel a, b\nP(n) = a -> P(n+1)\nQ = b -> Q\n"
                  "assert P(0) ||| Q :[deadlock free]\n")
    [report] = check_model(model, options=SearchOptions(engine=engine))
    assert report.result == "error"
    assert report.error.message.startswith(
        f"parameter n of P has grown past {GROWTH_LIMIT:,} through P(n + 1)")
    assert (report.error.span.line, report.error.span.column) == (2, 15)
    assert "--engine symbolic" in report.error.hint
    # far fewer states than the limit would have cost: the values confirm the growth
    assert report.seconds < 120


def test_auto_checks_a_counter_that_really_grows_on_the_symbolic_engine_and_says_why() -> None:
    model = loads("channel a\nP(n) = a -> P(n+1)\nassert P(0) :[deadlock free]\n")
    [report] = check_model(model)
    assert report.result == "pass"
    assert report.stats.extra["engine"] == "symbolic"
    assert report.stats.extra["why"] == "parameter n of P grows without bound (line 2)"


def test_auto_keeps_the_growth_error_when_the_symbolic_engine_cannot_take_the_model() -> None:
    # n is read (c!n), so it is no dead counter; the `;` is outside the symbolic fragment
    model = loads("channel b\nchannel c : Int\nP(n) = c!n -> (b -> SKIP ; P(n+1))\n"
                  "assert P(0) :[deadlock free]\n")
    [report] = check_model(model)
    assert report.result == "error"
    assert report.error.message.startswith("parameter n of P has grown past")


def test_a_flagged_counter_that_a_partner_bounds_still_checks() -> None:
    model = loads("channel a\nP(n) = a -> P(n+1)\nQ = P(0) [| {a} |] (a -> a -> STOP)\n"
                  "assert Q :[deadlock free]\n")
    [report] = check_model(model)
    assert report.result == "fail" and report.check.counterexample.trace == ("a", "a")


def _dead(text: str) -> dict[str, list[str]]:
    spec = parse(text)
    defs = {d.name: [d] for d in spec.declarations if hasattr(d, "body")}
    return {name: [g.parameter for g in found if g.dead] for name, found in growing(defs).items()}


def test_a_counter_read_only_to_pass_itself_on_stepped_is_dead() -> None:
    assert _dead("channel a, b\nInf(n) = a -> b -> Inf(n + 1)\n") == {"Inf": ["n"]}
    assert _dead("channel a\nP(n, k) = a -> P(n + 1, k)\n") == {"P": ["n"]}


def test_a_counter_that_is_read_elsewhere_is_not_dead() -> None:
    assert _dead("channel c : Int\nP(n) = c!n -> P(n + 1)\n") == {"P": []}
    assert _dead("channel a\nP(n, m) = a -> P(n + 1, n)\n") == {"P": []}  # m gets it
    assert _dead("channel a, b\nP(n) = a -> Q(n + 1)\nQ(m) = b -> P(m)\n") == {"Q": []}


def test_settle_reads_only_the_dead_counters_as_zero() -> None:
    defs = {d.name: [d] for d in parse("channel a\nP(n, m, k) = a -> P(n + 1, m - 1, m)\n")
            .declarations if hasattr(d, "body")}
    assert settle(growing(defs), "P", (7, 5, 3)) == (0, 5, 3)
    assert settle(growing(defs), "Q", (7,)) == (7,)


INF = "channel a, b\nP = a -> b -> P\nInf(n) = a -> b -> Inf(n + 1)\n"


def test_auto_checks_a_refinement_on_a_dead_counter_by_reading_it_as_zero() -> None:
    # FDR's own example (fdr_intro.csp) says this check does not work there: Inf1 is
    # infinite state; its counter never changes what it does, so P [T= Inf(0) holds
    [report] = check_model(loads(INF + "assert P [T= Inf(0)\n"))
    assert report.result == "pass"
    assert report.check.stats.extra["settled"].startswith("parameter n of Inf only counts")


def test_a_dead_counter_read_as_zero_keeps_its_counterexamples() -> None:
    [report] = check_model(loads(INF + "assert a -> b -> a -> STOP [T= Inf(0)\n"))
    assert report.result == "fail"
    assert list(report.check.counterexample.trace) == ["a", "b", "a", "b"]


def test_an_explicit_engine_keeps_the_growth_error_on_a_dead_counter() -> None:
    model = loads(INF + "assert P [T= Inf(0)\n")
    [report] = check_model(model, options=SearchOptions(engine=CheckEngine.REFERENCE))
    assert report.result == "error" and "has grown past" in report.error.message
