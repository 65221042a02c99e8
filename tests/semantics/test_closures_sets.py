"""Ranges and set comprehensions compile to closures that give what the evaluator gives.

The oracle is :meth:`Evaluator.eval_node` (its ``match`` cases and
``patterns.bindings``): random ranges and comprehensions over random
environments (hypothesis) must give the same value, or the same error
(message and span), through their compiled closure.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.errors import ProcalgError
from procalg.semantics import Spec, load
from procalg.semantics.closures import compile_node
from procalg.semantics.closures_sets import BUILDERS
from procalg.source import SourceFile
from procalg.syntax import ast
from procalg.syntax.parser import parse, parse_expr
from procalg.terms import Sequence

_MODEL = """
channel c : {0..3}
datatype T = A | B.{0..3}
f(n) = n * 2
"""

_BOUNDS = ["0", "1", "3", "-2", "x", "y", "x + y", "#s", "f(x)"]
_BAD_BOUNDS = ["true", "<>", "{1}", "1/0"]
_SOURCES = ["{0..3}", "{x..y}", "<1, x, 2>", "<x..y>", "s", "{A, B.1}", "{(1, 2), (x, 0)}",
            "{1, true}", "{ {1}, {} }", "{}", "<>", "{c.1}", "{z..3}"]
_BAD_SOURCES = ["x", "Int", "<0..>", "true"]
_PATTERNS = ["z"] * 6 + ["_", "(z, w)", "B.z", "A", "<z>^w", "1", "{z}", "c.z", "x"]
_CONDITIONS = ["z > x", "z != y", "true", "x == 1", "x < y and z <= 2", "x + y < 4"]
_BAD_CONDITIONS = ["z", "1", "w == 1"]
_ITEMS = ["z", "z", "z + x", "(z, y)", "x", "<z>", "z * z", "f(x)"]
_BAD_ITEMS = ["w", "z / 0", "q"]


def _mostly(good: list[str], bad: list[str]) -> st.SearchStrategy[str]:
    """Mostly well-typed parts (values to compare), now and then an error to compare."""
    return st.one_of(st.sampled_from(good), st.sampled_from(good), st.sampled_from(good),
                     st.sampled_from(good), st.sampled_from(bad))


@st.composite
def _comprehensions(draw: st.DrawFn) -> str:
    quals = []
    for k in range(draw(st.integers(1, 3))):
        if k == 0 or draw(st.integers(0, 2)):  # a first generator binds z, mostly
            quals.append(f"{draw(st.sampled_from(_PATTERNS))} <- "
                         f"{draw(_mostly(_SOURCES, _BAD_SOURCES))}")
        else:
            quals.append(draw(_mostly(_CONDITIONS, _BAD_CONDITIONS)))
    items = draw(st.lists(_mostly(_ITEMS, _BAD_ITEMS), min_size=1, max_size=2))
    return "{" + ", ".join(items) + " | " + ", ".join(quals) + "}"


@st.composite
def _ranges(draw: st.DrawFn) -> str:
    low, high = draw(_mostly(_BOUNDS, _BAD_BOUNDS)), draw(_mostly(_BOUNDS, _BAD_BOUNDS))
    shape = draw(st.sampled_from(["{{ {}..{} }}", "< {}..{} >"]))  # `{-` opens a comment
    return shape.format(low, high)


def _outcome(thunk) -> tuple[str, object, object]:
    try:
        return ("value", thunk(), None)
    except ProcalgError as err:
        return ("error", err.message, err.span)


SPEC: Spec = load(parse(_MODEL, "m.proc"), SourceFile("m.proc", _MODEL))


def _same(text: str, x: int, y: int) -> None:
    ev = SPEC.evaluator
    expr = parse_expr(text)
    env = {"x": x, "y": y, "s": Sequence((x, y, x))}
    compiled = _outcome(lambda: compile_node(ev, expr)(env))
    assert compiled == _outcome(lambda: ev.eval_node(expr, env)), text


@settings(max_examples=300, deadline=None)
@given(_comprehensions(), st.integers(-1, 3), st.integers(-1, 3))
def test_a_compiled_set_comprehension_gives_the_evaluators_value_or_error(
        text: str, x: int, y: int) -> None:
    _same(text, x, y)


@settings(max_examples=150, deadline=None)
@given(_comprehensions(), st.lists(st.tuples(st.integers(-1, 3), st.integers(-1, 3)),
                                   min_size=2, max_size=5))
def test_one_compiled_comprehension_gives_the_evaluators_value_or_error_in_every_environment(
        text: str, envs: list[tuple[int, int]]) -> None:
    # a source mentioning no name ({0..3}, <0..>) is listed once per closure: every
    # later environment must still see its values, or its error again
    ev, expr = SPEC.evaluator, parse_expr(text)
    code = compile_node(ev, expr)
    for x, y in envs:
        env = {"x": x, "y": y, "s": Sequence((x, y, x))}
        expected = _outcome(lambda e=env: ev.eval_node(expr, e))
        assert _outcome(lambda e=env: code(e)) == expected, text


@settings(max_examples=200, deadline=None)
@given(_ranges(), st.integers(-2, 3), st.integers(-2, 3))
def test_a_compiled_range_gives_the_evaluators_value_or_error(text: str, x: int,
                                                              y: int) -> None:
    _same(text, x, y)


def test_ranges_and_set_comprehensions_have_closures_of_their_own() -> None:
    assert set(BUILDERS) == {ast.SetRange, ast.SeqRange, ast.SetComp}


def test_a_restricted_input_set_is_the_balance_filter_of_the_account_model() -> None:
    ev = SPEC.evaluator
    code = compile_node(ev, parse_expr("{y | y <- {1..5}, b + y <= 20}"))
    assert code({"b": 17}) == frozenset({1, 2, 3})
    assert code({"b": 20}) == frozenset()
    assert code({"b": 0}) == frozenset({1, 2, 3, 4, 5})  # {1..5} listed once, read again


def test_a_bad_generator_source_is_a_model_error_at_the_source() -> None:
    expr = parse_expr("{z | z <- 3}")
    kind, message, span = _outcome(lambda: compile_node(SPEC.evaluator, expr)({}))
    assert (kind, message) == ("error", "a generator needs a set or sequence, got an integer")
    assert span == expr.qualifiers[0].source.span


def test_a_range_with_a_boolean_bound_is_a_type_error_at_the_bound() -> None:
    expr = parse_expr("{1..true}")
    kind, message, span = _outcome(lambda: compile_node(SPEC.evaluator, expr)({}))
    assert kind == "error" and "integer" in message and span == expr.high.span


def test_a_generator_pattern_naming_a_constructor_matches_only_it() -> None:
    code = compile_node(SPEC.evaluator, parse_expr("{1 | A <- {A, B.1}}"))
    assert code({}) == frozenset({1})
