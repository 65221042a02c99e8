"""Any data value in a column: interned codes, and expressions evaluated per distinct row.

Part of :mod:`procalg.semantics.linear_vector`: the columns of
:mod:`procalg.semantics.vector_exprs` hold Int, Bool and field-less
constructors directly. Every other value a parameter or an event field can
hold -- a sequence (a FIFO's queue), a tuple, a set, a dotted value -- is
*interned*: one small integer per distinct value, shared by every machine
of the process (kind ``"v"``), so a column of them is int64 codes and ``==``
compares codes. An expression outside the numpy language (``head(s)``,
``s ^ <x>``, ``member(x, X)``, a tuple) is evaluated by its closure
(:mod:`procalg.semantics.closures`, the per-state path's own) once per
*distinct* row of the variables it reads (``np.unique`` over their codes),
the results broadcast back: the leaves' data repeats across a frontier, so
this costs the distinct values, not the states (the memoised next-state
function of SPIN's and LTSmin's state-vector caches; Blom, van de Pol,
Weber, "LTSmin", CAV 2010). A row whose evaluation raises is marked: the
per-state path raises it with its span.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.syntax.parser import parse_expr
    >>> from procalg.terms import Sequence
    >>> model = loads("N = 2")
    >>> code = opaque_expr(model.spec.evaluator, parse_expr("#(s ^ <x>) > N"), {"s", "x"})
    >>> s = np.array([encode_value(Sequence((1,))), encode_value(Sequence((1, 2)))] * 2)
    >>> value = code({"s": (s, "v"), "x": (np.array([5, 5, 6, 7]), "i")}, 4)
    >>> value[0].tolist(), value[1], value[2]
    ([False, True, False, True], 'b', None)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from procalg.semantics.closures import compile_node
from procalg.semantics.interning import Interning
from procalg.semantics.kinds import names_in
from procalg.semantics.linear_vector_rows import distinct
from procalg.terms.values import Char, Dotted, Event, MapValue, Sequence

if TYPE_CHECKING:
    from collections.abc import Callable

    from procalg.semantics.evaluate import Evaluator
    from procalg.syntax import ast

VALUE_TYPES = (Sequence, tuple, Dotted, frozenset, Char, MapValue, Event)
"""The values a ``"v"`` column holds (hashable by their contents; a lazy sequence,
hashed by identity, and a process stay per state)."""
MEMO = 1 << 16
"""The most distinct rows an expression remembers across batches (then it forgets)."""

_VALUES = Interning()


def encode_value(value: Any) -> int:
    """The code of a ``"v"`` value: one per distinct value of one type (the value
    language's ``==`` is Python's within a type, and types never meet).

    Example:
        >>> from procalg.terms import Sequence
        >>> encode_value(Sequence((1, 2))) == encode_value(Sequence((1, 2)))
        True
        >>> decode_values(np.array([encode_value((3, 4))]))
        [(3, 4)]
    """
    return _VALUES.code((type(value), value), value)


def decode_values(codes: np.ndarray) -> list[Any]:
    """The values of a ``"v"`` column's codes."""
    values = _VALUES.values
    return [values[c] for c in codes.tolist()]


def opaque_expr(ev: Evaluator, expr: ast.Node, scope: Any
                ) -> Callable[[dict, int], tuple[np.ndarray, str, np.ndarray | None]]:
    """The column function of ``expr`` by its closure, once per distinct row of the
    variables of ``scope`` it names (see the module).

    Raises (when called):
        Mismatch: the rows' values are of several kinds, or one no column holds
            (the group goes per state).
    """
    from procalg.semantics.vector_exprs import Mismatch, decode, encode, kind_of

    free = sorted(names_in(expr) & set(scope))
    closure = compile_node(ev, expr)
    memo: dict[tuple, tuple[Any, str | None]] = {}  # codes of a row -> (code, kind)

    def evaluate(row: tuple, env: dict) -> tuple[Any, str | None]:
        found = memo.get(row)
        if found is None:
            try:
                value = closure(env)
            except Exception:  # the per-state path raises it, with its span
                found = (0, None)
            else:
                kind = kind_of(value)
                if kind is None:
                    raise Mismatch("a value no column holds")
                found = (encode(value), kind)
            if len(memo) >= MEMO:
                memo.clear()
            memo[row] = found
        return found

    def code(cols: dict, n: int) -> tuple[np.ndarray, str, np.ndarray | None]:
        if n == 0:  # no row: any kind fits (the callers check kinds of rows only)
            return np.zeros(0, dtype=np.int64), "i", None
        columns = [cols[name] for name in free]
        first, back = distinct([v for v, _ in columns], n)
        kinds = tuple([kind for _, kind in columns])  # 1 and true share a code
        rows = list(zip(*[v[first].astype(np.int64).tolist() for v, _ in columns],
                        strict=True)) if free else [()]
        values = list(zip(*[decode(v[first], kind) for v, kind in columns], strict=True)) \
            if free else [()]
        results = [evaluate((kinds, row), dict(zip(free, vals, strict=True)))
                   for row, vals in zip(rows, values, strict=True)]
        made = {kind for _, kind in results if kind is not None}
        if len(made) > 1:
            raise Mismatch("values of several kinds")
        kind = made.pop() if made else "i"
        out = np.array([c for c, _ in results], dtype=np.int64)
        wrong = np.array([k is None for _, k in results], dtype=bool)
        values_out = out[back].astype(bool) if kind == "b" else out[back]
        return values_out, kind, (wrong[back] if wrong.any() else None)

    return code


def restriction(ev: Evaluator, expr: ast.Node, scope: Any, name: str
                ) -> Callable[[dict, int], tuple[np.ndarray, np.ndarray]]:
    """For an input ``c?name:S`` whose ``S`` reads variables of ``scope``: per move
    (``name``'s value and those variables in columns), whether ``S`` allows the
    value, and the moves whose ``S`` the per-state path evaluates otherwise (it
    raises, or is no finite set). ``S`` is evaluated once per distinct row of
    its variables; membership keeps kinds apart (``1`` is not ``true``), as
    :func:`~procalg.semantics.linear_vector_events.input_event`'s constant sets do.

    Example:
        >>> from procalg.api.model import loads
        >>> from procalg.syntax.parser import parse_expr
        >>> allows = restriction(loads("").spec.evaluator, parse_expr("{0..k}"), {"k"}, "x")
        >>> ok, bad = allows({"k": (np.array([1, 1, 0]), "i"), "x": (np.array([1, 2, 1]), "i")}, 3)
        >>> ok.tolist(), bad.tolist()
        ([True, False, False], [False, False, False])
    """
    from procalg.semantics.vector_exprs import decode

    free = sorted(names_in(expr) & set(scope))
    closure = compile_node(ev, expr)

    def allowed(env: dict) -> frozenset | None:
        try:
            found = closure(env)
        except Exception:  # the per-state path raises it, with its span
            return None
        if type(found) is not frozenset:
            return None
        return frozenset((type(v), v) for v in found)

    def code(cols: dict, n: int) -> tuple[np.ndarray, np.ndarray]:
        ok, bad = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        if n == 0:
            return ok, bad
        columns = [cols[f] for f in free]
        first, back = distinct([v for v, _ in columns], n) if free else \
            (np.zeros(1, dtype=np.int64), np.zeros(n, dtype=np.int64))
        envs = list(zip(*[decode(v[first], kind) for v, kind in columns], strict=True)) \
            if free else [()]
        sets = [allowed(dict(zip(free, row, strict=True))) for row in envs]
        values, kind = cols[name]
        pair_first, pair_back = distinct([back, values], n)
        chosen = decode(values[pair_first], kind)
        answers = [(None if sets[s] is None else (type(v), v) in sets[s])
                   for s, v in zip(back[pair_first].tolist(), chosen, strict=True)]
        ok = np.array([a is True for a in answers], dtype=bool)[pair_back]
        bad = np.array([a is None for a in answers], dtype=bool)[pair_back]
        return ok, bad

    return code
