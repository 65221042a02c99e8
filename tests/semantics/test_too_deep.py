"""A value recursion past the stack names one function, whatever the engine."""

from __future__ import annotations

import pickle

import pytest

from procalg.api import check_model, loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.errors import ModelError
from procalg.semantics.too_deep import RecursionTooDeep

CYCLE = """channel c : {0..3}
channel a
f(n) = if n == 0 then 0 else g(n - 1)
g(n) = if n == 0 then 1 else h(n - 1) + 1
h(n) = if n == 0 then 1 else f(n - 1)
R(n) = c!(f(n) % 4) -> STOP
"""


def _errors(text: str, engine: CheckEngine) -> list[str]:
    model = loads(text)
    return [r.error.render() for r in check_model(model, options=SearchOptions(engine=engine))
            if r.error is not None]


@pytest.mark.parametrize("top", [
    "((a -> STOP) [| {a} |] (a -> R(50000))) \\ {a}",
    "a -> c!(f(50000) % 4) -> STOP",
    "(a -> STOP) ||| (a -> c!(g(50000) % 4) -> STOP)",
])
def test_every_engine_names_the_first_function_met_again_from_the_outermost_call(top):
    """Python's stack limit falls in whichever frame it falls: under the product
    engine a compiled leaf evaluates ``f(50000)`` a few frames deeper than the term
    rules do, and on s33-base the hidden parallel said ``g`` where the term rules
    said ``h``. The name is now the model's: the first function met again going
    inwards from the call the process made (``f`` of ``f -> g -> h -> f``; ``g``
    when the process calls ``g`` first), at its definition."""
    text = CYCLE + f"P = {top}\nassert P :[deadlock free]\nassert P :[divergence free]\n"
    first = "g" if "g(50000)" in top else "f"
    line = CYCLE.splitlines().index(next(x for x in CYCLE.splitlines()
                                         if x.startswith(f"{first}(n)"))) + 1
    expected = f"<input>:{line}:1: error: recursion too deep in function {first}"
    for engine in (CheckEngine.AUTO, CheckEngine.PRODUCT, CheckEngine.REFERENCE):
        shown = _errors(text, engine)
        assert [s.splitlines()[0] for s in shown] == [expected] * 2, engine


def test_a_function_calling_a_self_recursive_one_names_the_recursive_one():
    model = loads("channel c : {0..3}\nF(n) = F(n + 1) + 1\nG(n) = F(n)\nP = c!G(0) -> STOP\n"
                  "assert P :[deadlock free]\n")
    error, = [r.error for r in check_model(model)]
    assert (error.message, error.span.line) == ("recursion too deep in function F", 2)


def test_the_error_pickles_as_a_model_error_with_its_final_text():
    err = RecursionTooDeep("h", None).through("g", None).through("h", None)
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is ModelError
    assert (copy.message, copy.hint) == ("recursion too deep in function h", err.hint)
