"""Assertions through the API: model suffixes, negation, evidence."""

from __future__ import annotations

import pytest

from procalg.api import check_model, loads
from procalg.api.search import CheckEngine, SearchOptions

DIVERGENT = """\
channel a, b
Loop = a -> Loop
Q = b -> Q
P = (Q [] Loop) \\ {a}
"""


@pytest.mark.parametrize(
    ("assertion", "verdict"),
    [
        # P may choose the hidden a-loop and diverge, but no state is stuck...
        ("P :[deadlock free [F]]", "pass"),
        # ...except in the failures-divergences reading, where divergence is chaos;
        # it is FDR's default when no model is written
        ("P :[deadlock free [FD]]", "fail"),
        ("P :[deadlock free]", "fail"),
        # FD determinism fails on the divergence
        ("P :[deterministic]", "fail"),
        ("P :[deterministic [FD]]", "fail"),
        # stable failures ignore divergence: after <> no state is stable (τ is
        # always possible) and after <b, ...> the b-loop accepts b: deterministic
        ("P :[deterministic [F]]", "pass"),
        ("not P :[deterministic [F]]", "fail"),
    ],
)
def test_model_suffixes_choose_the_semantic_model(assertion: str, verdict: str) -> None:
    model = loads(DIVERGENT + f"assert {assertion}\n")
    (report,) = check_model(model)
    assert report.result == verdict, report.check


def test_stable_failures_determinism_still_catches_a_refusal() -> None:
    model = loads("channel a, b\nP = a -> STOP |~| b -> STOP\n"
                  "assert P :[deterministic [F]]\n")
    (report,) = check_model(model)
    assert report.result == "fail"
    assert report.check.counterexample.trace == ()


def test_assertions_on_one_process_share_one_exploration() -> None:
    model = loads(
        "channel a, b\n"
        "A = a -> A\n"
        "P = A ||| b -> A\n"
        "assert P :[deterministic]\n"
        "assert P :[deterministic [F]]\n"
        "assert P [T= P\n"
        "assert P = P :[strong]\n"
    )
    reports = list(check_model(model))
    assert [r.result for r in reports] == ["pass"] * 4
    assert len(model.explored) == 1  # one compiled product, four checks


def test_determinism_on_the_compiled_product_finds_the_term_level_counterexample() -> None:
    text = (
        "channel a, b\n"
        "P = a -> STOP [] a -> b -> STOP\n"
        "Q = P ||| b -> STOP\n"
        "assert Q :[deterministic]\n"
    )
    from procalg.api.search import SearchOptions

    (product,) = check_model(loads(text))
    (reference,) = check_model(loads(text), options=SearchOptions(engine=CheckEngine.REFERENCE))
    assert product.result == reference.result == "fail"
    assert product.check.counterexample.trace == reference.check.counterexample.trace


def test_determinism_and_refinement_on_a_network_name_the_product_engine():
    model = loads("channel a, b\nP = a -> P\nQ = b -> Q\nSys = P ||| Q\n"
                  "assert Sys :[deterministic]\nassert P ||| Q [T= Sys\n")
    reports = list(check_model(model))
    assert [r.result for r in reports] == ["pass", "pass"]
    assert [r.check.stats.extra["engine"] for r in reports] == ["product", "product"]


def test_determinism_on_a_lazily_explored_network_runs_in_bulk_and_agrees():
    model = loads("V = {0..9}\nchannel inp, mid, out : V\n"
                  "Q(s) = #s < 5 & inp?x -> Q(s^<x>) [] #s > 0 & mid!head(s) -> Q(tail(s))\n"
                  "Src(i) = i < 9 & inp!i -> Src(i+1)\nSink = mid?x -> out!x -> Sink\n"
                  "System = (Src(0) [| {| inp |} |] Q(<>)) [| {| mid |} |] Sink\n"
                  "assert System :[deterministic]\n")
    (report,) = list(check_model(model))
    (reference,) = list(check_model(model, options=SearchOptions(engine=CheckEngine.REFERENCE)))
    assert report.check.stats.extra["engine"] == "product"
    assert any("explored lazily" in note for note in report.check.stats.extra["notes"])
    assert report.result == reference.result


def test_determinism_on_codes_wider_than_62_bits_names_the_product_lts_and_why():
    model = loads("channel step, tock\nC(i, k) = step -> C(i, (k + 1) % 7) [] k == 0 & tock"
                  " -> C(i, k)\nSys = [| {step, tock} |] i : {0..31} @ C(i, 0)\n"
                  "assert Sys :[deterministic]\n")
    (report,) = list(check_model(model))
    assert report.result == "pass" and report.check.stats.extra["engine"] == "explicit"
    assert "96 bits" in report.check.stats.extra["why"]


def test_deep_value_recursion_in_a_guard_works_on_the_product_engine_as_on_the_reference() -> None:
    model = loads("channel ok\nF(n) = if n == 0 then 0 else 1 + F(n-1)\n"
                  "P = (F(1500) == 1500) & ok -> STOP\nQ = P ||| P\n"
                  "assert Q :[deadlock free]\n")
    (report,) = check_model(model)
    assert report.result == "fail" and report.check.stats.extra.get("engine") == "product"


def test_an_equivalence_on_two_product_lts_names_the_product_engine_not_the_term_rules():
    model = loads("channel a, b\nP = a -> P\nQ = b -> Q\nSys = P ||| Q\n"
                  "assert Sys = (Q ||| P) :[strong]\n")
    (report,) = list(check_model(model))
    assert report.result == "pass" and report.check.stats.extra["engine"] == "explicit"


RACE = """\
channel a, b, tock
Race = (a -> b -> STOP [] tock -> STOP) \\ {a}
"""


@pytest.mark.parametrize(
    ("assertion", "verdict"),
    [
        # the hidden a races time: tock may happen first, or be refused after τ
        ("Race :[deterministic]", "fail"),
        ("Race :[has trace]: <tock>", "pass"),
        # with τ before tock (FDR's tau priority over {tock}) the τ always wins
        ("Race :[deterministic] :[tau priority]: {tock}", "pass"),
        ("Race :[has trace]: <tock> :[tau priority over]: {tock}", "fail"),
        ("b -> STOP [T= Race :[tau priority]: {tock}", "pass"),
        ("b -> STOP [T= Race", "fail"),
        # a spec is not prioritised, only the implementation
        ("Race [T= b -> STOP :[tau priority]: {tock}", "pass"),
        ("not Race :[deadlock free [F]] :[tau priority]: {tock}", "pass"),
    ],
)
def test_tau_priority_checks_the_process_with_tau_before_the_set(assertion: str,
                                                                 verdict: str) -> None:
    (report,) = check_model(loads(RACE + f"assert {assertion}\n"))
    assert report.result == verdict, report.check
    assert report.assertion.text == assertion


def test_tau_priority_on_an_equivalence_is_an_error_at_the_set() -> None:
    (report,) = check_model(loads(RACE + "assert Race = Race :[weak] :[tau priority]: {tock}\n"))
    assert report.result == "error"
    assert "applies to an assertion on one process" in str(report.error)
    assert report.error.span.line == 3 and report.error.span.column == 45  # at the {


@pytest.mark.parametrize(
    ("assertion", "verdict"),
    [
        # the interleaving is a network (the product engine explores it whole);
        # it offers {a, b} then the other event: the same as the choice of orders
        ("Both [V= a -> STOP ||| b -> STOP", "pass"),
        ("Both [R= a -> STOP ||| b -> STOP", "pass"),
        ("Both [RD= a -> STOP ||| b -> STOP", "pass"),
        # Either may be stable offering only a, and then do it: a revival the
        # interleaving lacks (and a failure too)
        ("a -> STOP ||| b -> STOP [VD= Either", "fail"),
        ("Either [V= a -> STOP ||| b -> STOP", "pass"),
    ],
)
def test_revivals_and_refusal_testing_run_from_a_model(assertion: str, verdict: str) -> None:
    text = ("channel a, b\nBoth = a -> b -> STOP [] b -> a -> STOP\n"
            "Either = Both |~| a -> b -> STOP\n")
    (report,) = check_model(loads(text + f"assert {assertion}\n"))
    assert report.result == verdict, report.check


def test_fd_deadlock_freedom_skips_the_divergence_search_where_no_component_has_a_tau_cycle(
        monkeypatch) -> None:
    from procalg.api import search

    def no_search(*args, **kwargs):
        raise AssertionError("a network without τ-cycles cannot diverge")

    monkeypatch.setattr(search, "divergence", no_search)
    model = loads("channel a, b\nP = a -> b -> P\nQ = b -> a -> Q\n"
                  "assert (P [| {a} |] Q) \\ {b} :[deadlock free]\n")
    (report,) = check_model(model)
    assert report.result == "pass"


@pytest.mark.parametrize(("suffix", "message"), [
    ("", "deadlock free and divergence free"),  # FDR's default [FD] runs both searches
    (" [FD]", "deadlock free and divergence free"),
    (" [F]", "deadlock free"),
])
def test_a_passing_deadlock_assertion_says_deadlock_free(suffix: str, message: str) -> None:
    model = loads(f"channel a\nP = a -> P\nassert P :[deadlock free{suffix}]\n")
    (report,) = check_model(model)
    assert (report.result, report.check.message) == ("pass", message)


@pytest.mark.parametrize(("assertion", "sides"), [
    ("P :[deadlock free]", 1),  # [FD]: deadlock, then divergence, on the reference engine
    ("N :[deadlock free]", 1),  # [FD] on the product engine
    ("P :[divergence free]", 1),
    ("N :[reachable b]", 1),
    ("P :[deterministic]", 1),
    ("P [F= N", 2),
    ("P [V= N", 2),
    ("P = N :[weak]", 2),
    ("P :[terminates]", 1),
])
def test_each_process_of_an_assertion_is_evaluated_once_whatever_engine_falls_back(
        monkeypatch, assertion: str, sides: int) -> None:
    model = loads("channel a, b\nP = a -> P |~| b -> STOP\nN = P ||| STOP\n"
                  f"assert {assertion}\n")
    evaluated: list[object] = []
    evaluate = model.spec.process

    def counting(expr):
        evaluated.append(expr)
        return evaluate(expr)

    monkeypatch.setattr(model.spec, "process", counting)
    (report,) = check_model(model, options=SearchOptions())
    assert report.result in ("pass", "fail")
    assert len(evaluated) == sides


HAS_TRACE = """channel a, b
Diverges = a -> DIV
Settles = a -> (b -> STOP |~| DIV)
"""


@pytest.mark.parametrize(
    ("assertion", "verdict"),
    [
        # worked by hand: Diverges has the trace <a> but is never stable after it
        ("Diverges :[has trace]: <a>", "pass"),
        ("Diverges :[has trace [T]]: <a>", "pass"),
        ("Diverges :[has trace [F]]: <a>", "fail"),
        ("Diverges :[has trace [FD]]: <a, b, a>", "pass"),  # divergence: anything after
        ("Diverges :[has trace [FD]]: <b>", "fail"),
        ("Settles :[has trace [F]]: <a>", "pass"),  # the b -> STOP branch is stable
        ("Settles :[has trace [F]]: <a, b>", "pass"),
        ("not Settles :[has trace [F]]: <a, a>", "pass"),
        ("Diverges :[deadlock free] :[partial order reduce]", "fail"),
        ("Settles :[has trace]: <a, b> :[partial order reduce]", "pass"),
    ],
)
def test_has_trace_observes_the_trace_in_its_model(assertion: str, verdict: str) -> None:
    (report,) = check_model(loads(HAS_TRACE + f"assert {assertion}\n"))
    assert report.result == verdict, report.check
    assert report.assertion.text == assertion


def test_has_trace_in_a_failures_model_is_not_a_symbolic_check() -> None:
    model = loads(HAS_TRACE + "assert Settles :[has trace [F]]: <a>\n")
    (report,) = check_model(model, options=SearchOptions(engine=CheckEngine.SYMBOLIC))
    assert report.result == "error"
    assert "in [T] only" in str(report.error)


CELLS = """\
channel put, get : {0..2}
channel stop
Cell(i) = put.i -> get.i -> Cell(i) [] stop -> STOP
Net = (Cell(0) ||| Cell(1) ||| Cell(2)) [| {stop} |] (stop -> STOP)
Quiet = Net \\ {put.0}
"""


@pytest.mark.parametrize("assertion", [
    "Net :[has trace]: <put.0, put.1, get.0, get.1>",
    "Net :[has trace]: <put.0, get.1>",
    "Net :[has trace [F]]: <put.2, stop>",
    "Quiet :[has trace [FD]]: <get.0, get.0>",
    "Quiet :[has trace [F]]: <get.0, put.0>",
])
def test_has_trace_runs_on_the_product_engine_with_the_reference_answer(assertion: str) -> None:
    model = loads(CELLS + f"assert {assertion}\n")
    (product,) = check_model(model)
    (reference,) = check_model(model, options=SearchOptions(engine=CheckEngine.REFERENCE))
    assert product.stats.extra["engine"] == "product"
    assert reference.stats.extra["engine"] == "reference"
    assert reference.stats.extra["why"] == "--engine reference"
    pc, rc = product.check.counterexample, reference.check.counterexample
    assert (product.result, product.check.message) == (reference.result, reference.check.message)
    assert (pc.trace, pc.accepted, pc.note) == (rc.trace, rc.accepted, rc.note)
    assert not product.check.passed or len(pc.full_path) == len(rc.full_path)


def test_compensation_complete_runs_on_the_product_engine_and_says_so() -> None:
    model = loads("activity reserve, charge, ship\nchannel undo_reserve\n"
                  "Order = saga (reserve undo undo_reserve ; charge ; ship)\n"
                  "assert Order :[compensation complete]\n")
    (report,) = check_model(model)
    assert report.result == "fail" and report.stats.extra["engine"] == "product"
    assert report.check.counterexample.trace[-1] == "stranded.charge"
