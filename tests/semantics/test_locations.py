"""Control locations: which definitions compile, and why the others do not."""

from __future__ import annotations

import pytest

from procalg.api.model import loads
from procalg.semantics.linear import Machine, compile_leaf
from procalg.semantics.locations import (
    AT_CALL,
    AT_EXTERNAL,
    AT_INPUT,
    AT_OPEN_CHOICE,
    Compiler,
    Unsupported,
)

HEADER = """channel c, d : {0..3}
channel e, f
"""


def test_each_node_is_compiled_once_and_calls_compile_their_callee():
    model = loads(HEADER + "P(n) = c?x -> Q(x) [] e -> P(n)\nQ(k) = d!k -> P(k)\n")
    compiler = Compiler(model.spec.evaluator)
    ((_, body),) = compiler.definition("P")
    assert body.kind == AT_EXTERNAL
    assert body.parts[0].kind == AT_INPUT and body.parts[0].parts[2].kind == AT_CALL
    assert set(compiler.bodies) == {"P", "Q"}
    assert compiler.definition("P") is compiler.definition("P")


def test_only_choices_with_an_operand_that_may_start_with_tau_are_kept_open():
    model = loads(HEADER + "P = (e -> P |~| f -> STOP) [] Q\nQ = e -> Q [] R\nR = SKIP ; P\n")
    compiler = Compiler(model.spec.evaluator)
    ((_, p),), ((_, q),) = compiler.definition("P"), compiler.definition("Q")
    compiler.open_choices()
    assert (p.kind, q.kind) == (AT_OPEN_CHOICE, AT_OPEN_CHOICE)  # R starts with SKIP's τ
    model = loads(HEADER + "P = (e -> P |~| f -> STOP) [] Q\nQ = e -> Q [] f -> SKIP\n")
    compiler = Compiler(model.spec.evaluator)
    ((_, p),), ((_, q),) = compiler.definition("P"), compiler.definition("Q")
    compiler.open_choices()
    assert (p.kind, q.kind) == (AT_OPEN_CHOICE, AT_EXTERNAL)


def test_parameters_the_body_never_mentions_are_not_live():
    model = loads(HEADER + "P(n, m) = c!m -> P(0, m)\n")
    compiler = Compiler(model.spec.evaluator)
    compiler.definition("P")
    assert compiler.live["P"] == (1,)


@pytest.mark.parametrize(("text", "reason"), [
    ("P = ; x : <0, 1> @ c!x -> SKIP", "uses the operator ;"),
    ("P = (e -> STOP) ||| P", "may call itself before any event"),
    ("P = P [] e -> STOP", "may call itself before any event"),
    ("P = let Q = e -> Q within d?Q -> STOP", "an input variable named as a local process"),
])
def test_a_leaf_outside_the_fragment_says_why(text, reason):
    model = loads(HEADER + text)
    start = "S" if text.startswith("P = e -> (f") else "P"
    call = model.process(start)
    made = compile_leaf(model.spec.evaluator, call)
    assert isinstance(made, str) and reason in made


def test_unsupported_is_raised_before_anything_is_explored():
    model = loads(HEADER + "P = e -> ((; x : <0, 1> @ c!x -> SKIP) ; P)")
    with pytest.raises(Unsupported):
        Machine(model.spec.evaluator, model.process("P"))

