"""Compiled closures evaluate every expression as the evaluator's cases do.

The oracle is :meth:`Evaluator.eval_node`, the ``match`` over node types;
random expressions (hypothesis) must give the same value, or the same error
message, through their compiled closure.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.errors import ModelError
from procalg.semantics import Spec, load
from procalg.semantics.closures import compile_node
from procalg.source import SourceFile
from procalg.syntax.parser import parse, parse_expr
from procalg.terms import Sequence

_MODEL = """
channel c : {0..3}
channel d : {0..3}.{0..3}
datatype T = A | B.{0..3}
f(n) = n * 2
P(n) = c!n -> STOP
"""

_ATOMS = st.sampled_from(["0", "1", "3", "x", "y", "true", "false", "s", "<>", "<x, 1>",
                          "{1, 2}", "(x, y)", "B.1", "A", "f(x)", "c", "d.1"])
_UNARY = ["-{}", "not {}", "#{}", "head({})", "tail({})", "({})"]
_BINARY = ["{} + {}", "{} - {}", "{} * {}", "{} / {}", "{} % {}", "{} < {}", "{} <= {}",
           "{} > {}", "{} >= {}", "{} == {}", "{} != {}", "{} and {}", "{} or {}",
           "{} ^ {}", "{}.{}", "if {} then {} else x"]


def _expressions() -> st.SearchStrategy[str]:
    return st.recursive(
        _ATOMS,
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(_UNARY), inner).map(lambda t: t[0].format(f"({t[1]})")),
            st.tuples(st.sampled_from(_BINARY), inner, inner).map(
                lambda t: t[0].format(f"({t[1]})", f"({t[2]})")),
        ),
        max_leaves=6,
    )


def _outcome(thunk) -> tuple[str, object]:
    try:
        return ("value", thunk())
    except ModelError as err:
        return ("error", err.message)


def _spec() -> Spec:
    return load(parse(_MODEL, "m.proc"), SourceFile("m.proc", _MODEL))


SPEC = _spec()


@settings(max_examples=300, deadline=None)
@given(_expressions(), st.integers(0, 3), st.integers(-1, 2))
def test_compiled_closure_gives_what_the_evaluator_cases_give(text: str, x: int, y: int) -> None:
    ev = SPEC.evaluator
    expr = parse_expr(text)
    env = {"x": x, "y": y, "s": Sequence((x, y))}
    assert _outcome(lambda: compile_node(ev, expr)(env)) == _outcome(
        lambda: ev.eval_node(expr, env))


def test_process_expressions_compile_to_the_same_terms() -> None:
    ev = SPEC.evaluator
    for text in ["x > 0 & c!x -> P(x) [] d.1?y -> STOP", "c!x -> SKIP ; P(y) |~| STOP",
                 "if x == 1 then P(1) else c!0 -> STOP", "c.x -> STOP ||| STOP"]:
        expr = parse_expr(text)
        env = {"x": 1, "y": 2}
        compiled, direct = compile_node(ev, expr)(env), ev.eval_node(expr, env)
        assert compiled == direct or (str(compiled) == str(direct)), text
