"""Operations on data values: arithmetic, comparison, sets, sequences, builtins.

Everything here is strict and pure; every misuse raises a
:class:`~procalg.errors.ModelError` at the span of the offending expression
(passed in by the evaluator), with a hint.

Example:
    >>> binary("+", 2, 3, None), binary("<=", frozenset({1}), frozenset({1, 2}), None)
    (5, True)
    >>> call_builtin("union", [frozenset({1}), frozenset({2})], None)
    frozenset({1, 2})
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from procalg.errors import ModelError
from procalg.semantics import relations
from procalg.semantics.infinite import SequencesOf, cardinality, set_op, subset
from procalg.semantics.lazy_errors import EvaluationError
from procalg.semantics.lazy_sequences import LazySeq, listed
from procalg.source import Span
from procalg.terms import Process, Sequence, Value, show, sort_key
from procalg.terms.values import Char, MapValue


def kind_name(value: Value) -> str:
    """A user-facing name for the kind of ``value`` (for type errors).

    Example:
        >>> kind_name(3), kind_name(frozenset()), kind_name(True)
        ('an integer', 'a set', 'a boolean')
    """
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, frozenset):
        return "a set"
    if isinstance(value, Sequence):
        return "a sequence"
    if type(value) is Char:
        return "a character"
    if isinstance(value, MapValue):
        return "a map"
    if isinstance(value, tuple):
        return "a tuple"
    if isinstance(value, Process):
        return "a process"
    return f"the value {show(value)}"


def _type_error(what: str, value: Value, span: Span | None) -> ModelError:
    return ModelError(
        f"type error: {what}, got {kind_name(value)} ({_short(value)})",
        span,
        hint="check the operator and the kinds of its operands",
    )


def _short(value: Value) -> str:
    text = show(value) if not isinstance(value, Process) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def expect_int(value: Value, span: Span | None, what: str = "expected an integer") -> int:
    """``value`` if it is an integer (not a boolean), else a type error."""
    if type(value) is not int:
        raise _type_error(what, value, span)
    return value


def expect_bool(value: Value, span: Span | None, what: str = "expected a boolean") -> bool:
    """``value`` if it is a boolean, else a type error."""
    if type(value) is not bool:
        raise _type_error(what, value, span)
    return value


def expect_set(value: Value, span: Span | None, what: str = "expected a set") -> frozenset:
    """``value`` if it is a set, else a type error."""
    if not isinstance(value, frozenset):
        raise _type_error(what, value, span)
    return value


def expect_seq(value: Value, span: Span | None, what: str = "expected a sequence") -> Sequence:
    """``value`` if it is a sequence (a lazy one listed), else a type error."""
    if type(value) is LazySeq:
        value = listed(value, span)
    if not isinstance(value, Sequence):
        raise _type_error(what, value, span)
    return value


def _arith(op: str, a: int, b: int, span: Span | None) -> int:
    if op in ("/", "%") and b == 0:
        raise ModelError("division by zero", span, hint="guard the divisor: if d != 0 then ...")
    # CSPM's / and % round towards minus infinity, as Python's // and % do
    return {"+": a + b, "-": a - b, "*": a * b, "/": a // b if b else 0, "%": a % b if b else 0}[op]


def binary(op: str, a: Value, b: Value, span: Span | None) -> Value:
    """Apply a binary operator of the value language.

    ``== !=`` work on any values; ``< <= > >=`` on integers, on sets as
    (proper) subset and on sequences as (proper) prefix, as in CSPM; ``^``
    concatenates sequences.

    Example:
        >>> binary("%", -1, 3, None), binary("^", Sequence((1,)), Sequence((2,)), None)
        (2, Sequence(items=(1, 2)))
    """
    if type(a) is LazySeq or type(b) is LazySeq:
        a, b = listed(a, span), listed(b, span)
    if op == "==":
        return a == b and type(a) is type(b)
    if op == "!=":
        return not (a == b and type(a) is type(b))
    if op in ("+", "-", "*", "/", "%"):
        return _arith(op, expect_int(a, span, f"'{op}' needs integers"),
                      expect_int(b, span, f"'{op}' needs integers"), span)
    if op in ("<", "<=", ">", ">="):
        return _order(op, a, b, span)
    if op in ("and", "or"):
        x = expect_bool(a, span, f"'{op}' needs booleans")
        y = expect_bool(b, span, f"'{op}' needs booleans")
        return (x and y) if op == "and" else (x or y)
    if op == "^":
        return Sequence(expect_seq(a, span, "'^' joins sequences").items
                        + expect_seq(b, span, "'^' joins sequences").items)
    raise ModelError(f"unknown operator '{op}'", span)


def _order(op: str, a: Value, b: Value, span: Span | None) -> bool:
    """``< <= > >=``: numeric on integers, subset on sets, prefix on sequences,
    lexicographic on tuples (CSPM).

    Example:
        >>> _order("<", Sequence((1,)), Sequence((1, 2)), None)
        True
        >>> _order("<=", Sequence((2,)), Sequence((1, 2)), None)
        False
    """
    what = f"'{op}' compares integers, sets or sequences"
    if op in (">", ">="):  # a > b is b < a in every one of these orders
        a, b, op = b, a, "<" if op == ">" else "<="
    if isinstance(a, frozenset) and isinstance(b, frozenset):
        return subset(a, b, op == "<", span)  # Int and {n..} included
    if type(a) is tuple and type(b) is tuple and len(a) == len(b):  # lexicographic, as FDR
        for x, y in zip(a, b, strict=True):
            if x != y:
                return _order("<", x, y, span)
        return op == "<="
    if isinstance(a, MapValue) and isinstance(b, MapValue):  # FDR: its sorted pairs, as lists
        for x, y in zip(a.items, b.items, strict=False):
            if x != y:
                return _order("<", x, y, span)
        return len(a.items) < len(b.items) or (op == "<=" and len(a.items) == len(b.items))
    if isinstance(a, Sequence) and isinstance(b, Sequence):
        n = len(a.items)
        prefix = n <= len(b.items) and b.items[:n] == a.items
        return prefix and (op == "<=" or n < len(b.items))
    x, y = expect_int(a, span, what), expect_int(b, span, what)
    return x < y if op == "<" else x <= y


def unary(op: str, a: Value, span: Span | None) -> Value:
    """Apply ``-``, ``not`` or ``#``.

    Example:
        >>> unary("#", Sequence((1, 2)), None), unary("not", True, None)
        (2, False)
    """
    if op == "-":
        return -expect_int(a, span, "unary '-' needs an integer")
    if op == "not":
        return not expect_bool(a, span, "'not' needs a boolean")
    if op == "#":
        if isinstance(a, frozenset):
            return len(a)
        return len(expect_seq(a, span, "'#' needs a sequence").items)
    raise ModelError(f"unknown operator '{op}'", span)


def _sets(args: list[Value], span: Span | None, name: str) -> list[frozenset]:
    return [expect_set(a, span, f"{name} needs sets") for a in args]


def _union_all(s: Value, span: Span | None) -> frozenset:
    result: frozenset = frozenset()
    for part in _sets(list(expect_set(s, span, "Union needs a set of sets")), span, "Union"):
        result = set_op("union", result, part, span)
    return result


def _inter_all(s: Value, span: Span | None) -> frozenset:
    members = _sets(list(expect_set(s, span, "Inter needs a set of sets")), span, "Inter")
    if not members:
        raise ModelError("Inter of an empty set of sets", span, hint="Inter needs at least one set")
    result = members[0]
    for part in members[1:]:
        result = set_op("inter", result, part, span)
    return result


def _head(s: Value, span: Span | None) -> Value:
    if type(s) is LazySeq:  # computes only the first item
        if s.is_empty():
            raise ModelError("head of an empty sequence", span, hint="test null(s) first")
        return s.item(0)
    items = expect_seq(s, span, "head needs a sequence").items
    if not items:
        raise ModelError("head of an empty sequence", span, hint="test null(s) first")
    return items[0]


def _tail(s: Value, span: Span | None) -> Value:
    if type(s) is LazySeq:
        if s.is_empty():
            raise ModelError("tail of an empty sequence", span, hint="test null(s) first")
        return s.rest(1)
    items = expect_seq(s, span, "tail needs a sequence").items
    if not items:
        raise ModelError("tail of an empty sequence", span, hint="test null(s) first")
    return Sequence(items[1:])


def _seq(s: Value, span: Span | None) -> Sequence:
    return Sequence(tuple(sorted(expect_set(s, span, "seq needs a set"), key=sort_key)))


MAX_POWERSET = 1 << 20


def _powerset(s: Value, span: Span | None) -> frozenset:
    """``Set(A)``: every subset of ``A`` (CSPM's type of sets over ``A``).

    Example:
        >>> sorted(map(sorted, _powerset(frozenset({1, 2}), None)))
        [[], [1], [1, 2], [2]]
    """
    base = expect_set(s, span, "Set needs a set")
    if 1 << len(base) > MAX_POWERSET:  # tested, listed only if something iterates over it
        from procalg.semantics.opaque_types import Subsets

        return Subsets(base)
    items = sorted(base, key=sort_key)
    return frozenset(frozenset(x for i, x in enumerate(items) if mask >> i & 1)
                     for mask in range(1 << len(items)))


def _show(value: Value, span: Span | None) -> Sequence:
    """``show(x)``: the text of any value, as a string (a sequence of characters)."""
    text = str(value) if isinstance(value, Process) else show(value)
    return Sequence(tuple(map(Char, text)))


class CalledError(EvaluationError):
    """The model's own ``error(s)`` was evaluated. FDR evaluates lazily, so in a
    value nothing uses it is no error (:meth:`procalg.semantics.spec.Spec.force_all`
    skips it)."""


def _error(message: Value, span: Span | None) -> Value:
    """``error(s)``: stops the evaluation with the model's own message."""
    items = expect_seq(message, span, "error needs a string").items
    text = "".join(str(c) if type(c) is Char else show(c) for c in items)
    raise CalledError(f'error("{text}") was evaluated', span,
                      hint="the model calls error(...) on a case it does not handle")


def expect_map(value: Value, span: Span | None, what: str) -> MapValue:
    """``value`` if it is a map, else a type error."""
    if not isinstance(value, MapValue):
        raise _type_error(what, value, span)
    return value


def _pairs(s: Value, span: Span | None, name: str) -> list[tuple[Value, Value]]:
    items = expect_seq(s, span, f"{name} needs a sequence of pairs").items
    if not all(type(p) is tuple and len(p) == 2 for p in items):
        raise ModelError(f"{name} needs a sequence of pairs (k, v)", span,
                         hint="write it as <(k1, v1), (k2, v2)>")
    return list(items)


def _lookup(m: Value, key: Value, span: Span | None) -> Value:
    found = expect_map(m, span, "mapLookup needs a map").get(key, _ABSENT)
    if found is _ABSENT:
        raise ModelError(f"mapLookup: the map has no key {show(key)}", span,
                         hint="test mapMember(m, k) first")
    return found


def _maps(keys: Value, values: Value, span: Span | None) -> frozenset:
    """``Map(K, V)``: every map from some of ``K`` to ``V``, (|V| + 1)^|K| of them."""
    ks = sorted(expect_set(keys, span, "Map needs sets"), key=sort_key)
    vs = sorted(expect_set(values, span, "Map needs sets"), key=sort_key)
    if (len(vs) + 1) ** len(ks) > MAX_POWERSET:
        raise ModelError(f"Map of {len(ks)} keys and {len(vs)} values has "
                         f"{len(vs) + 1}^{len(ks)} maps", span, hint="use smaller sets")
    found = [MapValue()]
    for k in ks:
        found += [MapValue.of([*m.items, (k, v)]) for m in found for v in vs]
    return frozenset(found)


_ABSENT = object()

Builtin = Callable[..., Value]

BUILTINS: dict[str, tuple[int, Builtin]] = {
    "union": (2, lambda a, b, sp: set_op("union", *_sets([a, b], sp, "union"), sp)),
    "inter": (2, lambda a, b, sp: set_op("inter", *_sets([a, b], sp, "inter"), sp)),
    "diff": (2, lambda a, b, sp: set_op("diff", *_sets([a, b], sp, "diff"), sp)),
    "Union": (1, _union_all),
    "Inter": (1, _inter_all),
    "member": (2, lambda x, s, sp: x in expect_set(s, sp, "member needs a set")),
    "card": (1, lambda s, sp: cardinality(expect_set(s, sp, "card needs a set"), sp)),
    "empty": (1, lambda s, sp: not expect_set(s, sp, "empty needs a set")),
    "set": (1, lambda s, sp: frozenset(expect_seq(s, sp, "set needs a sequence").items)),
    "seq": (1, _seq),
    "Set": (1, _powerset),
    "Seq": (1, lambda s, sp: SequencesOf(expect_set(s, sp, "Seq needs a set"))),
    "show": (1, _show),
    "mapFromList": (1, lambda s, sp: MapValue.of(_pairs(s, sp, "mapFromList"))),
    "mapToList": (1, lambda m, sp: Sequence(expect_map(m, sp, "mapToList needs a map").items)),
    "mapLookup": (2, _lookup),
    "mapMember": (2, lambda m, k, sp: expect_map(m, sp, "mapMember needs a map").get(
        k, _ABSENT) is not _ABSENT),
    "mapUpdate": (3, lambda m, k, v, sp: MapValue.of(
        [*expect_map(m, sp, "mapUpdate needs a map").items, (k, v)])),
    "mapUpdateMultiple": (2, lambda m, s, sp: MapValue.of(
        [*expect_map(m, sp, "mapUpdateMultiple needs a map").items,
         *_pairs(s, sp, "mapUpdateMultiple")])),
    "mapDelete": (2, lambda m, k, sp: MapValue(tuple(
        kv for kv in expect_map(m, sp, "mapDelete needs a map").items
        if not (kv[0] == k and type(kv[0]) is type(k))))),
    "Map": (2, _maps),
    "error": (1, _error),
    "transpose": (1, relations.transpose),
    "relational_image": (1, relations.image),
    "relational_inverse_image": (1, relations.inverse_image),
    "mtransclose": (2, relations.mtransclose),
    "head": (1, _head),
    "tail": (1, _tail),
    "elem": (2, lambda x, s, sp: x in expect_seq(s, sp, "elem needs a sequence").items),
    "null": (1, lambda s, sp: s.is_empty() if type(s) is LazySeq
             else not expect_seq(s, sp, "null needs a sequence").items),
    "length": (1, lambda s, sp: len(expect_seq(s, sp, "length needs a sequence").items)),
    "concat": (1, lambda s, sp: Sequence(tuple(
        x for part in expect_seq(s, sp, "concat needs a sequence of sequences").items
        for x in expect_seq(part, sp, "concat needs a sequence of sequences").items))),
}
"""Builtin functions: name -> (arity, implementation taking the args and a span)."""


def call_builtin(name: str, args: list[Any], span: Span | None) -> Value:
    """Apply builtin ``name`` to evaluated ``args``.

    Example:
        >>> call_builtin("card", [frozenset({1, 2})], None)
        2
        >>> call_builtin("head", [Sequence(())], None)
        Traceback (most recent call last):
        ...
        procalg.errors.ModelError: <input>: error: head of an empty sequence
          hint: test null(s) first
    """
    arity, impl = BUILTINS[name]
    if len(args) != arity:
        raise ModelError(
            f"{name} takes {arity} argument{'s' if arity != 1 else ''}, got {len(args)}",
            span,
            hint=f"call it as {name}({', '.join('xyz'[:arity])})",
        )
    return impl(*args, span)
