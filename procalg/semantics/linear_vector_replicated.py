"""A replicated external choice in a vectorised body: one branch set per generated value.

Part of :mod:`procalg.semantics.linear_vector_body`: ``[] x : S @ Q(x, y)``
whose generators read no variable (``S`` a constant set) is the external
choice of ``Q`` at each binding, in the evaluator's order of bindings (the
order the per-state path lists the moves in,
:meth:`~procalg.semantics.state_keys.StateKeys._scopes`), so its branches are
the body's branches once per binding, the bound names' values constant
columns beside the outer variables -- the unrolling of FDR's compiler for a
replicated operator over a set known when compiling. A set of more than
:data:`MAX_BINDINGS` bindings keeps the per-state path (its branches would
each run over the whole group).

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.semantics.linear import Machine
    >>> model = loads("channel c : {0..3}.{0..3}\\nP(y) = [] x : {1, 2} @ c.x.y -> P(x)")
    >>> machine = Machine(model.spec.evaluator, model.process("P(0)"))
    >>> vector = machine.vector()
    >>> _, label, dst = vector.batch([0])
    >>> [vector.labels[i] for i in label.tolist()]
    ['c.1.0', 'c.2.0']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from procalg.semantics.inputs import pattern_names
from procalg.semantics.kinds import names_in
from procalg.semantics.vector_exprs import Columns, NotVector, VectorCode, encode, kind_of
from procalg.syntax import ast

if TYPE_CHECKING:
    from procalg.semantics.linear import Machine
    from procalg.semantics.linear_vector_body import Branch
    from procalg.semantics.linear_vector_events import Labeller

MAX_BINDINGS = 64
"""The most bindings a replicated choice is unrolled over."""


def replicated_branches(machine: Machine, expr: ast.Replicated, scope: frozenset[str],
                        conds: list[tuple[VectorCode, bool]], labeller: Labeller,
                        calls: tuple[str, ...]) -> list[Branch]:
    """The branches of ``[] gens @ body`` (see the module).

    Raises:
        NotVector: the generators read a variable, bind a value no column holds, or
            give more than :data:`MAX_BINDINGS` bindings.
    """
    from procalg.semantics.linear_vector_body import Inlined, body_branches

    bound = frozenset(pattern_names(expr.generators))
    if names_in(expr.generators) & scope or bound & scope:
        raise NotVector("a replicated choice over sets reading variables")
    scopes = []
    for env in machine.ev.bindings(expr.generators, {}):
        scopes.append(env)
        if len(scopes) > MAX_BINDINGS:
            raise NotVector("a replicated choice over too many bindings")
    inner = body_branches(machine, expr.body, scope | bound, [], labeller, calls)
    branches: list[Branch] = []
    outer = [(name, _column(name)) for name in sorted(names_in(expr.body) & scope)]
    for env in scopes:
        binds = list(outer)
        for name in sorted(bound):
            value = env.get(name)
            if kind_of(value) is None:
                raise NotVector("a bound value no column holds")
            binds.append((name, _constant(value)))
        branches += [Inlined(conds, binds, branch) for branch in inner]
    return branches


def _column(name: str) -> VectorCode:
    """The outer variable ``name``, as it is."""
    def code(cols: Columns, n: int) -> Any:
        values, kind = cols[name]
        return values, kind, None

    return code


def _constant(value: Any) -> VectorCode:
    """A bound name's value at one binding, as a column of ``n`` equal values."""
    kind = kind_of(value)
    code_value = encode(value)

    def code(cols: Columns, n: int) -> Any:
        if kind == "b":
            return np.full(n, bool(value), dtype=bool), kind, None
        return np.full(n, code_value, dtype=np.int64), kind, None

    return code
