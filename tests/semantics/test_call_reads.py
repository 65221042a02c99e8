"""Which definitions' calls the machine keys by their arguments
(:mod:`procalg.semantics.call_reads`): those whose body's key holds every
parameter it is keyed by, one to one; the others by their bodies, as the terms."""

from __future__ import annotations

import pytest

from procalg.api.model import loads
from procalg.lts import explore
from procalg.semantics.call_reads import call_keying, exact_arguments
from procalg.semantics.linear import Machine
from procalg.semantics.locations import Compiler
from tests.semantics.test_linear import assert_compiles_like_its_terms

HEADER = "channel c : {0..3}\nchannel d : {0..3}.{0..3}\nchannel e, f\n"


def _exact(text: str, name: str = "P") -> bool:
    model = loads(HEADER + text)
    compiler = Compiler(model.spec.evaluator)
    compiler.definition(name)
    return exact_arguments(model.spec.evaluator, compiler, name)


@pytest.mark.parametrize("text", [
    "P(n) = c!n -> P((n + 1) % 4)",  # an output's field
    "P(n, m) = d.n!m -> STOP",  # fields of the head and of an output
    "P(n) = e -> P(n)",  # a continuation's argument the callee keeps
    "P(n) = e -> P(n + 1)",  # one to one: n + 1, 1 - n, -n
    "P(n) = e -> P(3 - n) [] f -> P(-n)",
    "P(n) = c?x -> P((x + n) % 4)",  # an input's key holds its free names
    "P(n) = n < 3 & c!n -> P(n + 1) [] e -> STOP",  # a guard taken as true
    "P(n) = e -> (if n == 0 then c!n -> STOP else f -> P(n))",  # both branches hold n
    "P(n) = if n == 0 then c!n -> STOP else c!n -> P(n - 1)",  # a top if: the branch's
    "P(n) = (e -> P(n)) \\ {f}",  # an operator's state is its key already
    "P(0) = e -> STOP\nP(n) = c!n -> P(0)",  # patterns, each holding its names
    # a set parameter: one branch per member, each holding its member
    "P(s) = [] x : s @ c!x -> P(diff(s, {x}))",
    "P(s, n) = [] x : s @ d!x!n -> P(s, n)",  # and what every branch holds
])
def test_a_body_holding_every_parameter_keeps_argument_keys(text):
    assert _exact(text)


@pytest.mark.parametrize("text", [
    "P(n) = e -> P((n + n) % 4)",  # merges 0 and 2
    "P(n) = c!(n % 2) -> STOP",
    "P(n, m) = c!n -> P(n, m % 2)",  # m held by no one-to-one expression
    "P(n) = e -> (if n == 0 then c!n -> STOP else f -> STOP)",  # one branch only
    "P(n) = e -> Q(n)\nQ(n) = if n < 2 then e -> STOP else f -> STOP",  # a transparent callee
    "P(n, _) = c!n -> STOP",  # a wildcard
    "P(n) = [] x : {0..n} @ c!x -> STOP",  # a replicated choice claims nothing
    "P(s) = [] x : s @ c!(x % 2) -> STOP",  # ... of a set whose members it merges
    "P(s) = [] (x, y) : s @ d!x!y -> STOP",  # ... or binds by a pattern
    # conservative: only n == 0 takes the first branch, which the syntax does not say
    "P(n) = if n == 0 then e -> STOP else c!n -> P(n - 1)",
])
def test_a_body_that_may_merge_arguments_is_not_exact(text):
    assert not _exact(text)


def test_call_keying_says_argless_calls_are_never_inexact():
    model = loads(HEADER + "P = e -> P\nQ(n) = e -> Q((n + n) % 4)\nR(n) = e -> R(0)")
    compiler = Compiler(model.spec.evaluator)
    for name in "PQR":
        compiler.definition(name)
    ev = model.spec.evaluator
    assert [call_keying(ev, compiler, name) for name in "PQR"] == [
        (True, False), (False, True), (True, False)]


@pytest.mark.parametrize(("text", "start", "states"), [
    ("P(n) = e -> P((n + n) % 4)", "P(1)", 2),  # P(1), then P(2) = P(0): e -> P(0)
    ("P(n) = c!0 -> P((n + 1) % 2)", "P(0)", 2),  # the terms: c!0 -> P(1), c!0 -> P(0)
])
def test_an_inexact_definition_has_its_terms_states(text, start, states):
    model = loads(HEADER + text)
    call = model.process(start)
    machine = explore(Machine(model.spec.evaluator, call))
    terms = explore(model.spec.system(call))
    assert machine.num_states == terms.num_states == states


REGULATOR = """datatype dirs = Plus | Minus
channel mc : {0..2}.{0..2}.dirs
channel mcp : {0..2}.{0..2}
channel work : {0..2}
prime(A) = {| mcp.n.m | mc.n.m.d <- A |}
modify(x, A) = let port(mc.c.0.D) = ({| mc.((c + 1) % 3) |}, D)
                   port(mc.c._.D) = ({| mc.c |}, D)
                   port(_) = ({}, Plus)
                   (pt, dt) = port(x)
               within if dt == Plus then union(A, pt) else diff(A, pt)
Reg(A) = ([] x : diff({| mcp |}, prime(A)) @ x -> Reg(A))
         [] ([] x : A @ x -> Reg(modify(x, A)))
"""


def test_a_regulator_over_an_event_set_is_keyed_by_its_set_not_its_body():
    # the mobile-channel regulator's shape (Roscoe, UCS 20.3): keyed by its body,
    # each state evaluated every successor's set once more to make its key
    model = loads(REGULATOR)
    compiler = Compiler(model.spec.evaluator)
    compiler.definition("Reg")
    assert exact_arguments(model.spec.evaluator, compiler, "Reg")
    call = model.process("Reg(union({| mc.0 |}, {| work |}))")
    machine = Machine(model.spec.evaluator, call)
    compiled = explore(machine)
    assert machine.unfoldings <= compiled.num_states + 1  # one per state expanded
    assert assert_compiles_like_its_terms(model, "Reg(union({| mc.0 |}, {| work |}))", 5_000)
    assert compiled.num_states == explore(model.spec.system(call)).num_states
