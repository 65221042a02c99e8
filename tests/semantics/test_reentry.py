"""A call met again while being evaluated stands for its process (semantics/reentry.py)."""

from __future__ import annotations

import pytest

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.errors import ModelError
from procalg.semantics import load
from procalg.source import SourceFile
from procalg.syntax.parser import parse, parse_expr

# Each loop written twice: through a lambda (the body applies a parameter, so
# its kind is unknown until evaluated) and through a named process function
# (a process by its syntax): the second is the oracle.
LOOPS = {
    "uncurried": ("W(k, body) = k(body ; W(k, body), SKIP)\n"
                  "Q = W(\\ t, f @ a -> t [] b -> f, c -> SKIP)\n"),
    "curried": ("while(k)(body) = k(body ; while(k)(body), SKIP)\n"
                "Q = while(\\ t, f @ a -> t [] b -> f)(c -> SKIP)\n"),
    "zero parameters": ("K = \\ t, f @ a -> t [] b -> f\n"
                        "Q = K(c -> Q, SKIP)\n"),
    "through a value function": ("W(k, n) = if n == 0 then SKIP else k(c -> W(k, n - 1), STOP)\n"
                                 "Q = W(\\ t, f @ a -> t [] b -> f, 3) ; Q\n"),
}
ORACLES = {
    "uncurried": "Cond(t, f) = a -> t [] b -> f\nV(body) = Cond(body ; V(body), SKIP)\n"
                 "R = V(c -> SKIP)\n",
    "curried": "Cond(t, f) = a -> t [] b -> f\nV(body) = Cond(body ; V(body), SKIP)\n"
               "R = V(c -> SKIP)\n",
    "zero parameters": "R = a -> c -> R [] b -> SKIP\n",
    "through a value function": "V(n) = if n == 0 then SKIP else a -> c -> V(n - 1) [] b -> STOP\n"
                                "R = V(3) ; R\n",
}
CHECKS = "assert Q = R :[strong]\nassert R [FD= Q\nassert Q [FD= R\nassert Q :[deadlock free]\n"


@pytest.mark.parametrize("shape", sorted(LOOPS))
@pytest.mark.parametrize("engine", [CheckEngine.PRODUCT, CheckEngine.REFERENCE])
def test_a_call_handed_to_a_lambda_is_the_process_a_named_definition_builds(shape, engine):
    model = loads("channel a, b, c\n" + LOOPS[shape] + ORACLES[shape] + CHECKS)
    reports = list(check_model(model, options=SearchOptions(engine=engine)))
    verdicts = [str(r.result) for r in reports]
    oracle = [str(r.result) for r in check_model(
        loads("channel a, b, c\n" + ORACLES[shape] + CHECKS.replace("Q", "R")),
        options=SearchOptions(engine=CheckEngine.REFERENCE))]
    assert verdicts[:3] == ["pass", "pass", "pass"]
    assert verdicts[3] == oracle[3]  # the deadlock verdict of the named definition


@pytest.mark.parametrize("shape", sorted(LOOPS))
def test_the_handed_out_call_unfolds_to_the_process_computed_so_the_loop_has_no_extra_states(
        shape):
    model = loads("channel a, b, c\n" + LOOPS[shape] + ORACLES[shape])
    assert model.lts("Q").num_states == model.lts("R").num_states


def _spec(text: str):
    return load(parse(text, "m.csp"), SourceFile("m.csp", text))


@pytest.mark.parametrize("text", ["F(x) = F(x) + 1\nX = F(0)\n", "F(x) = {F(x)}\nX = F(0)\n",
                                  "F(x) = F(x)\nX = F(0)\n"])
def test_a_function_that_needs_its_own_value_is_still_too_deep_recursion(text):
    with pytest.raises(ModelError) as err:
        _spec(text).value(parse_expr("X"))
    assert err.value.message == "recursion too deep in function F" and err.value.span.line == 1


@pytest.mark.parametrize(("text", "name"), [("X = Y + 1\nY = X\n", "X"),
                                            ("X = Y + 1\nY = X\n", "Y"), ("P = P\n", "P")])
def test_a_definition_that_needs_its_own_value_is_still_the_cycle_error(text, name):
    spec = _spec(text)  # lazy, as FDR: loads
    for _ in range(2):  # and again: nothing cached on the way rests on the handed-out call
        with pytest.raises(ModelError) as err:
            spec.value(parse_expr(name))
        assert err.value.message == f"'{name}' is defined in terms of itself"
        assert err.value.span is not None


def test_a_cycle_that_failed_leaves_the_other_values_computable():
    spec = _spec("X = Y + 1\nY = X\nZ = 2 + 3\nF(n) = if n == 0 then 0 else F(n - 1) + 1\n")
    with pytest.raises(ModelError):
        spec.value(parse_expr("X"))
    assert spec.value(parse_expr("Z")) == 5 and spec.value(parse_expr("F(3)")) == 3


def test_a_value_function_that_joins_its_own_call_is_still_a_lazy_sequence():
    spec = _spec("ones(x) = <x> ^ ones(x)\n"
                 "firsts(0, _) = <>\nfirsts(n, <x>^xs) = <x> ^ firsts(n - 1, xs)\n")
    assert spec.value(parse_expr("firsts(3, ones(7)) == <7, 7, 7>")) is True
