"""Definitions by pattern matching in the batch next-state function: clauses as columns.

Part of :mod:`procalg.semantics.linear_vector`: ``P(0, s) = ...``,
``P(n, <x> ^ s) = ...`` or ``SEND((w, n)) = ...`` -- several clauses, or
parameters that are patterns -- key their states by every argument. Each
clause's branches run where it is the first clause whose patterns match the
arguments (the order of :meth:`~procalg.semantics.state_keys.StateKeys._unfold`),
over the variables its patterns bind. The matching is the per-state path's
own (:func:`~procalg.semantics.patterns.match_all`), done once per distinct
row of arguments (``np.unique`` over their codes) and kept across batches; a
row no clause matches is left to the per-state path, which raises its error.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.semantics.linear import Machine
    >>> model = loads("channel c : {0..3}\\nP(0) = c!0 -> P(1)\\nP(n) = c!n -> P((n + 1) % 4)")
    >>> machine = Machine(model.spec.evaluator, model.process("P(0)"))
    >>> machine.vector().programs["P"].params
    ('·0',)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from procalg.semantics.inputs import pattern_names
from procalg.semantics.linear_vector_rows import distinct
from procalg.semantics.patterns import constant, match_all
from procalg.semantics.vector_exprs import Columns, Mismatch, decode, encode, kind_of

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Evaluator

MEMO = 1 << 16
"""The most distinct argument rows a definition's matching remembers (then it forgets)."""


def argument_names(arity: int) -> tuple[str, ...]:
    """The columns of a patterned definition's arguments (no identifier is spelt so)."""
    return tuple(f"·{i}" for i in range(arity))


def clause_names(ev: Evaluator, params: tuple) -> list[str]:
    """The variables a clause's patterns bind (a constructor's or channel's name
    matches only itself: it binds nothing)."""
    return sorted(n for n in pattern_names(params) if constant(ev, n, {}) is None)


class Clauses:
    """The first matching clause of each row of a patterned definition's arguments,
    and the variables it binds, as columns (see the module).

    Args:
        ev: the model's evaluator.
        clauses: per clause, its patterns and the names they bind.
    """

    def __init__(self, ev: Evaluator, clauses: list[tuple[tuple, list[str]]]) -> None:
        self.ev, self.clauses = ev, clauses
        self.args = argument_names(len(clauses[0][0]))
        self._memo: dict[tuple, tuple[int, tuple]] = {}
        self._last: tuple[Any, int, Any] | None = None  # the columns last matched, and why

    def which(self, cols: Columns, n: int
              ) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, str]], np.ndarray]:
        """Per row: the index of its first matching clause (-1: none matches, or the
        matching raises), the bound variables' columns (meaningful where their clause
        matched), and the rows left to the per-state path.

        Raises:
            Mismatch: a bound variable whose values are of several kinds.
        """
        last = self._last
        if last is not None and last[0] is cols and last[1] == n:
            return last[2]
        columns = [cols[a] for a in self.args]
        first, back = distinct([v for v, _ in columns], n)
        kinds = tuple([kind for _, kind in columns])
        codes = list(zip(*[v[first].astype(np.int64).tolist() for v, _ in columns], strict=True))
        values = list(zip(*[decode(v[first], kind) for v, kind in columns], strict=True))
        found = [self._match(kinds, row, args) for row, args in zip(codes, values, strict=True)]
        index = np.array([i for i, _ in found], dtype=np.int64)
        bound: dict[str, tuple[np.ndarray, str]] = {}
        for c, (_, names) in enumerate(self.clauses):
            for k, name in enumerate(names):
                made = {kind for i, got in found if i == c for kind in [got[k][1]]}
                if len(made) > 1:
                    raise Mismatch("a pattern variable of several kinds")
                column = np.array([got[k][0] if i == c else 0 for i, got in found],
                                  dtype=np.int64)
                kind = made.pop() if made else "i"
                bound[f"{c}·{name}"] = (
                    column[back].astype(bool) if kind == "b" else column[back], kind)
        result = (index[back], bound, index[back] < 0)
        self._last = (cols, n, result)
        return result

    def _match(self, kinds: tuple, row: tuple, args: tuple) -> tuple[int, tuple]:
        """The first clause matching ``args`` and its variables' (code, kind)."""
        key = (kinds, row)
        found = self._memo.get(key)
        if found is None:
            found = (-1, ())
            for c, (params, names) in enumerate(self.clauses):
                env: dict[str, Any] = {}
                try:
                    matched = match_all(self.ev, params, args, env)
                except Exception:  # the per-state path raises it, with its span
                    break
                if matched:
                    got = tuple((env[name], kind_of(env[name])) for name in names)
                    if any(kind is None for _, kind in got):
                        break  # a value no column holds: per state
                    found = (c, tuple((encode(v), kind) for v, kind in got))
                    break
            if len(self._memo) >= MEMO:
                self._memo.clear()
            self._memo[key] = found
        return found

    def column(self, clause: int, name: str) -> Any:
        """The column function of variable ``name`` of ``clause``."""
        key = f"{clause}·{name}"

        def code(cols: Columns, n: int) -> tuple[np.ndarray, str, None]:
            values, kind = self.which(cols, n)[1][key]
            return values, kind, None

        return code

    def chosen(self, clause: int) -> Any:
        """The condition "``clause`` is the first that matches" (its rows raising where
        none matches)."""
        def code(cols: Columns, n: int) -> tuple[np.ndarray, str, np.ndarray | None]:
            index, _, bad = self.which(cols, n)
            return index == clause, "b", (bad if bad.any() else None)

        return code
