"""Field types: the sets a channel's or constructor's type expression stands for.

As in CSPM, a set is one field, a dotted product of sets (``nametype T =
{0,1}.{0,1}``, or a full product of dotted values) is one field per set, and
a tuple of sets (``(A, B)``) is one field of tuples.

Example:
    >>> [sorted(t) for t in field_types((frozenset({1, 2}), frozenset({3})), None)]
    [[(1, 3), (2, 3)]]
"""

from __future__ import annotations

import itertools

from procalg.semantics.channels import Infinite
from procalg.semantics.opaque_types import TupleType
from procalg.semantics.values import expect_set
from procalg.source import Span
from procalg.terms import Atom, Dotted, Value


def field_types(value: Value, span: Span | None) -> tuple[frozenset, ...]:
    """The field types a type expression's ``value`` stands for.

    Raises:
        ModelError: the value is not a type (a set, a product or a tuple of sets).
    """
    if type(value) is Dotted and all(isinstance(v, frozenset)
                                     for v in (value.head, *value.fields)):
        return (value.head, *value.fields)
    if type(value) is tuple and value:
        found = _as_type(value)  # `(A, B)`, `((A, B), C.D)`: sets of tuples
        if found is not None:
            return (found,)
    found = expect_set(value, span, "a type must be a set")
    return _rectangular(found) or (found,)


def nametype_value(value: Value) -> Value:
    """A nametype's value: a tuple type ``(A, B)`` is the set of its tuples, as in
    FDR, so ``nametype T = (A, B)`` can stand wherever a set is needed.

    Example:
        >>> sorted(nametype_value((frozenset({1, 2}), frozenset({3}))))
        [(1, 3), (2, 3)]
        >>> nametype_value(frozenset({1}))
        frozenset({1})
    """
    if type(value) is tuple and value:
        found = _as_type(value)
        if found is not None:
            return found
    return value


def _rectangular(values: frozenset) -> tuple[frozenset, ...] | None:
    """A set of dotted plain values that is a full product, one set per position.

    ``{0.0, 0.1, 1.0, 1.1}`` is ``{0, 1}.{0, 1}``: as a channel type it gives
    two fields, as FDR reads it. Constructor values (``A.1``) stay one field.

    Example:
        >>> _rectangular(frozenset({Dotted(0, (0,)), Dotted(0, (1,))}))
        (frozenset({0}), frozenset({0, 1}))
    """
    if isinstance(values, Infinite) or not values \
            or not all(type(v) is Dotted and type(v.head) is not Atom for v in values):
        return None
    width = {len(v.fields) for v in values}
    if len(width) != 1:
        return None
    parts = tuple(frozenset(v.head if i == 0 else v.fields[i - 1] for v in values)
                  for i in range(width.pop() + 1))
    product = 1
    for part in parts:
        product *= len(part)
    return parts if product == len(values) else None


def _as_type(value: Value) -> frozenset | None:
    """The set a type expression's value stands for inside a tuple type: a set,
    a tuple of types (its tuples) or a dotted product of sets (its dotted values).

    Example:
        >>> sorted(_as_type((frozenset({1, 2}), frozenset({3}))))
        [(1, 3), (2, 3)]
    """
    if isinstance(value, frozenset):
        return value
    if type(value) is tuple and value:
        parts = [_as_type(v) for v in value]
        if None in parts:
            return None
        if any(isinstance(p, Infinite) for p in parts):  # `(Proc, Set(Events))`: tested
            return TupleType(tuple(parts))  # type: ignore[arg-type]
        return frozenset(itertools.product(*parts))
    if type(value) is Dotted and all(isinstance(v, frozenset) for v in (value.head, *value.fields)):
        return frozenset(Dotted(h, rest) for h, *rest in itertools.product(
            value.head, *value.fields) for rest in [tuple(rest)])
    return None
