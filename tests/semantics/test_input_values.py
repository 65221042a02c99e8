"""A one-field input's offers, its events remembered per set, equal the general path's.

The oracle is :func:`procalg.semantics.inputs.prefix_offers` with the remembered
path switched off: for random states of inputs with and without restrictions,
over ints, booleans (``1 == True``, yet other events), dotted channels and
constants, the same events with the same bindings in the same order, and the
same errors.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import loads
from procalg.errors import ModelError
from procalg.semantics import inputs
from procalg.semantics.input_values import one_input_offers

MODEL = loads("""\
datatype Colour = Red | Green
channel c : {0..5}
channel d : {0..2}.{0..3}
channel f : Bool
channel g : {0, 1}
channel h : Colour
P(b, k) = c?x:{y | y <- {0..6}, b + y <= 6} -> SKIP
       [] d.k?x:{y | y <- {0..4}, y != b} -> SKIP
       [] f?x:{v | v <- {true, false}, v == (b > 2)} -> SKIP
       [] g?x:{v | v <- {0, 1}, v <= b} -> SKIP
       [] c?x -> SKIP
       [] h?x -> SKIP
       [] d?x -> SKIP
       [] c?Red -> SKIP
       [] c?x:{b - 3} -> SKIP
""")
PREFIXES = []


def _prefixes(node: object) -> None:
    from procalg.syntax import ast

    if isinstance(node, ast.PrefixExpr):
        PREFIXES.append(node)
        return
    for name in getattr(node, "__dataclass_fields__", ()):
        child = getattr(node, name)
        if isinstance(child, ast.Node):
            _prefixes(child)


_prefixes(MODEL.spec.definitions["P"][0].body)


def _general(ev: object, expr: object, env: dict) -> object:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(inputs, "one_input_offers", lambda *args: None)
        try:
            return inputs.prefix_offers(ev, expr, env)
        except ModelError as err:
            return ("error", err.message, err.span)


def _remembered(ev: object, expr: object, env: dict) -> object:
    try:
        return inputs.prefix_offers(ev, expr, env)
    except ModelError as err:
        return ("error", err.message, err.span)


def test_the_model_has_every_shape_of_prefix() -> None:
    assert len(PREFIXES) == 9


@settings(max_examples=60, deadline=None)
@given(index=st.integers(0, 8), b=st.integers(-2, 7), k=st.integers(0, 3),
       twice=st.booleans())
def test_a_one_field_input_offers_what_the_general_path_offers(
        index: int, b: int, k: int, twice: bool) -> None:
    ev, expr, env = MODEL.spec.evaluator, PREFIXES[index], {"b": b, "k": k}
    expected = _general(ev, expr, env)
    if twice:  # the second from the remembered events
        _remembered(ev, expr, env)
    found = _remembered(ev, expr, env)
    assert repr(found) == repr(expected)


def test_booleans_and_ints_of_equal_value_keep_their_own_events() -> None:
    ev = MODEL.spec.evaluator
    booleans, ints = PREFIXES[2], PREFIXES[3]
    assert [str(e) for e, _ in inputs.prefix_offers(ev, booleans, {"b": 3, "k": 0})] \
        == ["f.true"]
    assert [str(e) for e, _ in inputs.prefix_offers(ev, ints, {"b": 3, "k": 0})] \
        == ["g.0", "g.1"]
    assert one_input_offers(ev, PREFIXES[7], {"b": 0, "k": 0}) is None  # Red: a constant


def test_every_one_field_input_with_a_variable_takes_the_remembered_path() -> None:
    ev = MODEL.spec.evaluator
    taken = [one_input_offers(ev, expr, {"b": 1, "k": 2}) is not None for expr in PREFIXES]
    assert taken == [True, True, True, True, True, True, True, False, True]
