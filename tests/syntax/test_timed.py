"""FDR's timed sections: ``Timed(et) { ... }`` read in discrete time (tock-CSP)."""

from __future__ import annotations

import pytest

from procalg.api import loads
from procalg.api.check import check_model
from procalg.errors import ParseError
from procalg.syntax import ast, parse
from procalg.syntax.timed import mark_sections


def _results(model: str) -> list[str]:
    return [r.result for r in check_model(loads(model))]


def test_a_section_rewrites_only_its_own_definitions_and_declares_tock() -> None:
    m = parse("channel a\nP = a -> STOP\nTimed(\\ _ @ 1) {\n    Q = a -> STOP\n}\nR = Q\n")
    bodies = {d.name: d.body for d in m.declarations if type(d) is ast.Definition}
    assert type(bodies["P"]) is ast.PrefixExpr and type(bodies["Q"]) is ast.Let
    assert any(type(d) is ast.ChannelDecl and d.names == ("tock",) for d in m.declarations)


def test_only_the_sections_braces_are_marked() -> None:
    text = "Timed(f) {\n  P = {| a |} [] {x | x <- {1}} \n}\nS = {1}\n"
    marked = mark_sections(text)
    assert marked.count("⟦") == marked.count("⟧") == 1 and len(marked) == len(text)
    assert "{| a |}" in marked and "S = {1}" in marked


def test_time_passes_before_an_event_and_the_event_takes_its_time() -> None:
    assert _results("""
channel a, b
Timed(\\ _ @ 1) {
    P = a -> P
    E = a -> STOP [] b -> STOP
}
assert P :[has trace]: <tock, tock, a, tock, a>
assert not P :[has trace]: <a, a>
assert E :[has trace]: <tock, tock, b, tock, tock>
assert not E :[has trace]: <a, b>
""") == ["pass"] * 4


def test_the_timing_function_gives_each_event_its_delay() -> None:
    assert _results("""
channel a, b, tock
slow(a) = 2
slow(_) = 0
Timed(slow) {
    P = a -> b -> STOP
}
assert P :[has trace]: <a, tock, tock, b>
assert not P :[has trace]: <a, tock, b>
""") == ["pass", "pass"]


def test_parallel_composition_and_a_models_own_tstop_synchronise_on_tock() -> None:
    assert _results("""
channel a, b
Timed {
    TSTOP = STOP
    P = (a -> TSTOP) ||| (b -> TSTOP)
}
assert P :[has trace]: <tock, a, tock, b>
assert P :[has trace]: <a, b>
assert not P :[has trace]: <a, a>
assert RUN({tock}) [T= timed_priority(P \\ {a, b})
assert timed_priority(P \\ {a, b}) [T= RUN({tock})
""") == ["pass"] * 5


def test_nested_sections_and_their_errors() -> None:
    m = parse("Timed {\n  P = STOP\n  Timed(\\ _ @ 2) {\n    Q = STOP\n  }\n}\n")
    assert {d.name for d in m.declarations if type(d) is ast.Definition} == {"P", "Q"}
    with pytest.raises(ParseError, match="never closed"):
        parse("Timed {\n  P = STOP\n")


def test_a_timed_section_inside_let_times_its_local_definitions() -> None:
    model = loads("channel a, tock\n"
                  "P =\n"
                  "    let\n"
                  "        Timed (\\ _ @ 2) {\n"
                  "            Q = a -> STOP\n"
                  "            R = a -> Q\n"
                  "        }\n"
                  "    within R\n"
                  "assert P [T= a -> tock -> tock -> a -> tock -> STOP\n"
                  "assert not P [T= a -> a -> STOP\n")
    assert [r.result for r in check_model(model)] == ["pass", "pass"]


def test_a_local_timed_section_never_closed_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="this timed section is never closed"):
        parse("channel tock\nP = let\n    Timed {\n        Q = STOP\n    within Q\n")


def test_a_process_passed_as_an_argument_inside_a_section_is_timed_too() -> None:
    model = loads("channel a, tock\nEndBy(P, d) = P /\\ (WAIT(d) ; STOP)\n"
                  "Timed {\n  Q = EndBy(a -> STOP, 2)\n}\n"
                  "assert Q [T= tock -> a -> tock -> STOP\n")  # `a` may wait: it is timed
    assert [r.result for r in check_model(model)] == ["pass"]


def test_time_passes_after_one_side_of_an_interleaving_has_terminated() -> None:
    # FDR (and Baxter, Ribeiro and Cavalcanti's tick-tock examples): a terminated side
    # does not stop the clock; once every side has ended, termination is urgent
    assert _results("""
channel a, c
Timed(\\ _ @ 0) {
    P = timed_priority(a -> SKIP ||| c -> SKIP)
}
assert P :[has trace]: <a, tock, tock, c>
assert P :[has trace]: <c, tock, a>
assert not P :[has trace]: <c, a, tock>
""") == ["pass"] * 3


def test_every_parallel_operator_in_a_section_lets_a_terminated_side_idle() -> None:
    assert _results("""
channel c : {0, 1}
channel a
Timed(\\ _ @ 0) {
    I = timed_priority(||| i : {0, 1} @ c.i -> SKIP)
    A = timed_priority(c.0 -> SKIP [{c.0} || {c.1}] c.1 -> SKIP)
    G = timed_priority(a -> SKIP [| {a} |] a -> c.0 -> SKIP)
    R = timed_priority([| {a} |] i : {0, 1} @ a -> c.i -> SKIP)
}
assert I :[has trace]: <c.0, tock, c.1>
assert A :[has trace]: <c.1, tock, tock, c.0>
assert G :[has trace]: <a, tock, c.0>
assert not G :[has trace]: <a, c.0, tock>
assert R :[has trace]: <a, c.1, tock, c.0>
""") == ["pass"] * 5


def test_a_published_tick_tock_deadline_refinement_holds_as_in_fdr() -> None:
    # Baxter, Ribeiro and Cavalcanti (2022), T2: the deadline side ends first
    assert _results("""
channel a, c
Deadline(P, d) = P /\\ (WAIT(d) ; STOP)
Timed(\\ _ @ 0) {
    Spec = timed_priority(Deadline(a -> SKIP, 2) ||| c -> SKIP)
    Impl = timed_priority(WAIT(2) ; Deadline(a -> SKIP, 0) ; c -> SKIP)
}
assert Spec [T= Impl
assert Spec :[has trace]: <tock, tock, a, tock, c>
""") == ["pass", "pass"]


def test_outside_a_section_a_terminated_side_still_stops_the_other() -> None:
    # untimed CSP keeps distributed termination: Ω refuses everything
    assert _results("""
channel a, c, tock
P = (a -> SKIP) [| {tock} |] (c -> tock -> SKIP)
assert not P :[has trace]: <a, c, tock>
""") == ["pass"]
