"""Calls of definitions that start with guards and ``if``, keyed as columns.

Part of :mod:`procalg.semantics.linear_vector`: a call of ``P(x, y) = if x <
y then a -> P(x + 1, y) else b -> P(0, y)`` is keyed by
:meth:`~procalg.semantics.state_keys.StateKeys._call_key` through its body's
guards and ``if`` (as the unfolded terms are): where they lead to a prefix,
an input or a choice, the key is the call itself (``P``'s name and the
arguments its body reads), where they lead to ``STOP``, ``SKIP`` or another
call, the key is that one's. A :class:`Resolution` holds the conditions of
each way to "the call itself" as column functions, so the rows keyed as the
call are found by numpy and keyed as an opaque definition's calls are
(:mod:`procalg.semantics.linear_vector_targets`); the others are keyed by the
machine, once per distinct row. The definition's states then expand by its
program, whose branches carry the same conditions.

Example:
    >>> import numpy as np
    >>> from procalg.api.model import loads
    >>> from procalg.semantics.linear import Machine
    >>> model = loads("channel a\\nP(x) = if x > 1 then a -> P(x - 1) else STOP")
    >>> machine = Machine(model.spec.evaluator, model.process("P(3)"))
    >>> resolution(machine, "P").itself({"x": (np.array([0, 2, 5]), "i")}, 3).tolist()
    [False, True, True]
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from procalg.semantics.linear_vector_body import all_variables, enabled
from procalg.semantics.locations import (
    AT_EXTERNAL,
    AT_GUARD,
    AT_IF,
    AT_INPUT,
    AT_INTERNAL,
    AT_PREFIX,
    AT_REPLICATED_EXTERNAL,
    AT_REPLICATED_INTERNAL,
    AT_THROW,
    Location,
)
from procalg.semantics.vector_exprs import Columns, Mismatch, NotVector, VectorCode, vector_expr
from procalg.syntax import ast

if TYPE_CHECKING:
    from procalg.semantics.linear import Machine

_ITSELF = (AT_PREFIX, AT_INPUT, AT_EXTERNAL, AT_INTERNAL, AT_THROW, AT_REPLICATED_EXTERNAL,
           AT_REPLICATED_INTERNAL)
"""The locations past the guards and ``if`` where a call's key is the call itself."""
Conditions = list[tuple[VectorCode, bool]]


class Resolution:
    """The ways through a definition's guards and ``if`` to the call itself.

    Args:
        params: the definition's parameters (the columns the conditions read).
        ways: per way, its conditions and their polarities.
    """

    def __init__(self, params: tuple[str, ...], ways: list[Conditions]) -> None:
        self.params, self.ways = params, ways

    def itself(self, cols: Columns, n: int) -> np.ndarray:
        """Per row of the arguments' columns: whether the call's key is the call.

        Raises:
            Mismatch: a condition raises in some row (the per-state path raises it),
                or is no Bool.
        """
        found = np.zeros(n, dtype=bool)
        for conds in self.ways:
            active, bad = enabled(conds, cols, n)
            if bad.any():
                raise Mismatch("a condition that raises")
            found |= active
        return found


_MADE: weakref.WeakKeyDictionary[Any, dict[str, Resolution | None]] = \
    weakref.WeakKeyDictionary()
"""Per machine, the resolutions made (a definition is called from many places)."""


def resolution(machine: Machine, name: str) -> Resolution | None:
    """The resolution of ``name`` when its one clause starts with a guard or ``if``
    over variables whose conditions the columns can say (or with a replicated
    ``[]``, which is never looked into); else None."""
    made = _MADE.setdefault(machine, {})
    if name not in made:
        made[name] = _resolution(machine, name)
    return made[name]


def _resolution(machine: Machine, name: str) -> Resolution | None:
    ev, compiler = machine.ev, machine.compiler
    info = ev.functions.get(name)
    if info is None or info.let is not None or info.captured or name in ev.growth \
            or len(info.clauses) != 1 or name not in compiler.bodies:
        return None
    clause = info.clauses[0]
    params = clause.params or ()
    node = compiler.definition(name)[0][1]
    if not all_variables(ev, params) or node.kind not in (AT_GUARD, AT_IF,
                                                          AT_REPLICATED_EXTERNAL):
        return None
    names = tuple(p.name for p in params)  # type: ignore[attr-defined]
    ways: list[Conditions] = []
    try:
        _walk(machine, clause.body, node, frozenset(names), [], ways)
    except NotVector:
        return None
    return Resolution(names, ways)


def _walk(machine: Machine, expr: ast.Node, node: Location, scope: frozenset[str],
          conds: Conditions, ways: list[Conditions]) -> None:
    """Add the ways from ``expr`` (compiled to ``node``) to the call itself to ``ways``."""
    if node.kind == AT_IF and type(expr) is ast.If:
        test = vector_expr(machine.ev, expr.cond, scope)
        _walk(machine, expr.then, node.parts[2], scope, [*conds, (test, True)], ways)
        _walk(machine, expr.orelse, node.parts[3], scope, [*conds, (test, False)], ways)
    elif node.kind == AT_GUARD and type(expr) is ast.Guard:  # false: STOP's key
        test = vector_expr(machine.ev, expr.cond, scope)
        _walk(machine, expr.process, node.parts[2], scope, [*conds, (test, True)], ways)
    elif node.kind in _ITSELF:
        ways.append(conds)
    elif node.kind in (AT_GUARD, AT_IF):
        raise NotVector("a guard or if the syntax does not match")
