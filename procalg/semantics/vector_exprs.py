"""Int, Bool and enumeration expressions compiled once into numpy functions over columns.

A compiled machine (:mod:`procalg.semantics.linear`) evaluates its guards,
output fields and call arguments per state through the closures of
:mod:`procalg.semantics.closures`. :mod:`procalg.semantics.linear_vector`
expands a whole frontier at once instead, so each expression is compiled
here, once, into a function of *columns*: one numpy array per variable,
one row per state. The value language's integers are unbounded and its
``==`` compares types, so a vector value carries its kind (``"i"`` for
int64, ``"b"`` for bool, ``"a"`` for a datatype's constructor without fields,
interned to a small integer: only ``==``, ``!=`` and ``if`` take it) and a
mask of the rows whose evaluation would raise (division by zero): those rows
are left to the per-state closures, which raise the exact error with its
span. What the columns cannot say exactly -- a kind that does not fit the
operator (``1 + true``), or a value past 2^62 -- raises :class:`Mismatch`,
and the caller takes every row of that group by the closures. Nodes outside
this small language raise :class:`NotVector` when compiled: their location is
never vectorised.

``/`` and ``%`` round towards minus infinity, as CSPM's (libcspm) and
:func:`procalg.semantics.values.binary`'s do: numpy's ``//`` and ``%`` on
integers do the same.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.syntax.parser import parse_expr
    >>> model = loads("N = 7")
    >>> code = vector_expr(model.spec.evaluator, parse_expr("(x + N) % 3 == 1"), {"x"})
    >>> value = code({"x": (np.array([0, 1, 2]), "i")}, 3)
    >>> value[0].tolist(), value[1], value[2]
    ([True, False, False], 'b', None)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from procalg.errors import ProcalgError
from procalg.semantics.interning import Interning
from procalg.semantics.linear_vector_values import VALUE_TYPES, decode_values, encode_value
from procalg.syntax import ast
from procalg.terms import Atom

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Evaluator

Columns = dict[str, tuple[np.ndarray, str]]
"""A group's variables: name -> (one value per row, its kind ``"i"``, ``"b"`` or ``"a"``:
a field-less constructor's :func:`atom_code`)."""
VectorValue = tuple[np.ndarray, str, "np.ndarray | None"]
"""Values per row, their kind, and the rows whose evaluation raises (None: none)."""
VectorCode = Callable[[Columns, int], VectorValue]

LIMIT = 1 << 62
"""Past this magnitude int64 arithmetic could wrap: the closures take the group."""


_NUMPY_OPS = frozenset(["+", "-", "*", "/", "%", "<", "<=", ">", ">=", "==", "!=", "and", "or"])
_OPAQUE = (ast.Apply, ast.Dot, ast.TupleLit, ast.SeqLit, ast.SeqRange, ast.SeqComp, ast.SetLit,
           ast.SetRange, ast.SetComp, ast.Let, ast.Char, ast.EventSet, ast.MapLit)
"""Nodes evaluated by their closures per distinct row (``head(s)``, ``(x, y)``, ``<x>``)."""


class NotVector(Exception):
    """An expression outside the vectorised language (decided when compiling)."""


class Mismatch(Exception):
    """Kinds or magnitudes the columns cannot evaluate exactly (decided per group)."""


def vector_expr(ev: Evaluator, expr: ast.Node, scope: set[str] | frozenset[str]) -> VectorCode:
    """The numpy function of ``expr`` over columns named ``scope`` (other names
    must be Int or Bool constants of the model).

    Raises:
        NotVector: ``expr`` uses something else.
    """
    match expr:
        case ast.Int(value) | ast.Bool(value):
            return _constant(value)
        case ast.Name(name):
            return _name(ev, expr, name, scope)
        case ast.Unary(op, operand) if op in ("-", "not"):
            return _unary(op, vector_expr(ev, operand, scope))
        case ast.Binary(op, left, right) if op in _NUMPY_OPS:
            return _binary(op, vector_expr(ev, left, scope), vector_expr(ev, right, scope))
        case ast.If(cond, then, orelse):
            return _if(*(vector_expr(ev, e, scope) for e in (cond, then, orelse)))
    if type(expr) in _OPAQUE or (type(expr) is ast.Binary and expr.op not in _NUMPY_OPS) \
            or (type(expr) is ast.Unary and expr.op not in ("-", "not")):
        from procalg.semantics.linear_vector_values import opaque_expr

        return opaque_expr(ev, expr, scope)
    raise NotVector(type(expr).__name__)


def kind_of(value: Any) -> str | None:
    """``"b"`` for a bool, ``"i"`` for an int, ``"a"`` for a constructor without
    fields (``datatype S = idle | busy``), ``"v"`` for a sequence, tuple, set,
    dotted value or event (interned: :mod:`~procalg.semantics.linear_vector_values`),
    None for anything else."""
    kind = type(value)
    return "b" if kind is bool else "i" if kind is int else "a" if kind is Atom \
        else "v" if kind in VALUE_TYPES else None


_ATOMS = Interning()


def atom_code(atom: Atom) -> int:
    """The small integer standing for ``atom`` in columns: one per constructor name,
    shared by every machine of the process (so ``==`` compares codes)."""
    return _ATOMS.code(atom)


def encode(value: Any) -> int:
    """A value of :func:`kind_of` as the integer a column holds."""
    kind = type(value)
    return int(value) if kind is int or kind is bool else atom_code(value) \
        if kind is Atom else encode_value(value)


def decode(values: np.ndarray, kind: str) -> list[Any]:
    """A column's values as the value language's (Atoms back from their codes).

    Example:
        >>> decode(np.array([atom_code(Atom("busy"))]), "a"), decode(np.array([1]), "i")
        ([Atom(name='busy')], [1])
    """
    if kind == "v":
        return decode_values(values)
    if kind != "a":
        return values.tolist()
    names = _ATOMS.values
    return [names[c] for c in values.tolist()]


def _constant(value: Any) -> VectorCode:
    kind = kind_of(value)
    if kind is None or (kind == "i" and abs(value) >= LIMIT):
        raise NotVector("a constant that is no small Int or a value a column holds")
    dtype = bool if kind == "b" else np.int64
    value = encode(value)

    def code(cols: Columns, n: int) -> VectorValue:  # a read-only view: nothing allocated
        return np.broadcast_to(np.array(value, dtype=dtype), (n,)), kind, None

    return code


def _name(ev: Evaluator, expr: ast.Name, name: str, scope: Any) -> VectorCode:
    if name in scope:
        def column(cols: Columns, n: int) -> VectorValue:
            values, kind = cols[name]
            return values, kind, None

        return column
    try:  # a global: its value now (globals never change)
        value = ev.lookup(name, {}, expr.span)
    except ProcalgError as err:
        raise NotVector(name) from err
    return _constant(value)


def _either(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    if a is None:
        return b
    return a if b is None else a | b


def _within(bad: np.ndarray | None, taken: np.ndarray) -> np.ndarray | None:
    """The rows of ``bad`` that are evaluated (short-circuits: only where ``taken``)."""
    return None if bad is None else bad & taken


def _checked(values: np.ndarray) -> np.ndarray:
    if len(values) and int(np.abs(values).max()) >= LIMIT:
        raise Mismatch("an integer past 2^62")
    return values


def _unary(op: str, operand: VectorCode) -> VectorCode:
    if op not in ("-", "not"):
        raise NotVector(op)
    want = "i" if op == "-" else "b"

    def code(cols: Columns, n: int) -> VectorValue:
        values, kind, bad = operand(cols, n)
        if kind != want and n:  # no row: any kind fits
            raise Mismatch(op)
        return (-values if want == "i" else ~values), kind, bad

    return code


_ARITH = {"+": np.add, "-": np.subtract, "*": np.multiply}
_ORDER = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}


def _binary(op: str, left: VectorCode, right: VectorCode) -> VectorCode:
    if op in ("and", "or"):
        return _logic(op == "or", left, right)
    if op in ("==", "!="):
        return _equal(op == "==", left, right)
    if op in _ARITH or op in _ORDER or op in ("/", "%"):
        def code(cols: Columns, n: int) -> VectorValue:
            a, ka, bad_a = left(cols, n)
            b, kb, bad_b = right(cols, n)
            if (ka != "i" or kb != "i") and n:
                raise Mismatch(op)
            bad = _either(bad_a, bad_b)
            if op in _ORDER:
                return _ORDER[op](a, b), "b", bad
            if op in ("/", "%"):
                zero = b == 0
                safe = np.where(zero, 1, b)
                out = a // safe if op == "/" else a % safe
                return out, "i", _either(bad, zero) if zero.any() else bad
            if op == "*" and len(a) and float(np.abs(a).max()) * float(np.abs(b).max()) >= LIMIT:
                raise Mismatch("a product past 2^62")
            return _checked(_ARITH[op](a, b)), "i", bad

        return code
    raise NotVector(op)


def _logic(stop: bool, left: VectorCode, right: VectorCode) -> VectorCode:
    """``and``/``or``: the right operand counts only where the left does not decide."""
    def code(cols: Columns, n: int) -> VectorValue:
        a, ka, bad_a = left(cols, n)
        b, kb, bad_b = right(cols, n)
        if (ka != "b" or kb != "b") and n:
            raise Mismatch("and/or")
        undecided = ~a if stop else a
        return (a | b if stop else a & b), "b", _either(bad_a, _within(bad_b, undecided))

    return code


def _equal(same: bool, left: VectorCode, right: VectorCode) -> VectorCode:
    """``==`` and ``!=``: values of different kinds are never equal."""
    def code(cols: Columns, n: int) -> VectorValue:
        a, ka, bad_a = left(cols, n)
        b, kb, bad_b = right(cols, n)
        bad = _either(bad_a, bad_b)
        if ka != kb:
            return np.full(n, not same), "b", bad
        return (a == b) if same else (a != b), "b", bad

    return code


def _if(cond: VectorCode, then: VectorCode, orelse: VectorCode) -> VectorCode:
    def code(cols: Columns, n: int) -> VectorValue:
        c, kc, bad_c = cond(cols, n)
        if kc != "b" and n:
            raise Mismatch("if")
        a, ka, bad_a = then(cols, n)
        b, kb, bad_b = orelse(cols, n)
        if ka != kb and n:
            raise Mismatch("if branches of two kinds")
        bad = _either(bad_c, _either(_within(bad_a, c), _within(bad_b, ~c)))
        return np.where(c, a, b), ka, bad

    return code
