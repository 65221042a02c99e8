"""The target states of a vectorised branch's moves: calls keyed by distinct rows.

Part of :mod:`procalg.semantics.linear_vector`: a move into a call
``T(args)`` of an opaque definition is keyed as
:meth:`~procalg.semantics.state_keys.StateKeys._call_key` keys it, by the
distinct rows of its live arguments (``np.unique`` over their columns), one
dictionary look-up per distinct row, and the new states are numbered in one
block and placed in their group at once (a frontier of them is grouped by
numpy alone). A continuation that is no call is keyed by the machine, once
per move (:func:`slow_targets`) or, for one with a program, by
:mod:`procalg.semantics.linear_vector_nodes`.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.semantics.linear import Machine
    >>> model = loads("channel c : {0..3}\\nP(n) = c!n -> P((n + 1) % 4)")
    >>> machine = Machine(model.spec.evaluator, model.process("P(0)"))
    >>> vector = machine.vector()
    >>> _, _, dst = vector.batch([0])
    >>> machine.keys[int(dst[0])]
    ('call', 'P', (1,))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from procalg.errors import ProcalgError
from procalg.semantics.linear_vector_rows import distinct
from procalg.semantics.vector_exprs import LIMIT, Columns, Mismatch, decode

if TYPE_CHECKING:
    from procalg.semantics.linear_vector import VectorMoves
    from procalg.semantics.linear_vector_body import Target


def slow_targets(vector: VectorMoves, target: Target, cols: Columns, n: int) -> np.ndarray:
    """Targets by the machine's keys, one environment per move (continuations
    that are no call of a vectorised kind)."""
    names = list(cols)
    values = list(zip(*[decode(*cols[k]) for k in names], strict=True)) if names \
        else [()] * n
    state = vector.machine._state
    return np.array([state(target.node, dict(zip(names, row, strict=True)))
                     for row in values], dtype=np.int64)


def call_targets(vector: VectorMoves, target: Target, cols: Columns, n: int) -> np.ndarray:
    """Targets of a call ``T(args)``: keyed by the distinct rows of its live
    arguments (as :meth:`StateKeys._call_key`), the new ones numbered in one
    block; of a definition starting with guards and ``if``, only the rows they
    lead to the call itself (:mod:`~procalg.semantics.linear_vector_resolve`),
    the others by the machine."""
    args = []
    for code in target.args:
        values, kind, bad = code(cols, n)
        if bad is not None and bad.any():
            raise Mismatch("an argument raises")  # the per-state path raises it
        args.append((values, kind))
    if vector.machine._body_keyed(target.name):  # keyed by its body: per distinct row
        return _resolved(vector, target.name, args, n)
    if target.resolve is None:
        return _keyed(vector, target, args, n)
    itself = target.resolve.itself(dict(zip(target.resolve.params, args, strict=True)), n)
    if itself.all():
        return _keyed(vector, target, args, n)
    found = np.zeros(n, dtype=np.int64)
    rows = np.flatnonzero(itself)
    if len(rows):
        found[rows] = _keyed(vector, target, [(v[rows], kind) for v, kind in args], len(rows))
    rows = np.flatnonzero(~itself)
    found[rows] = _resolved(vector, target.name, [(v[rows], kind) for v, kind in args],
                            len(rows))
    return found


def _resolved(vector: VectorMoves, name: str, args: list[tuple[np.ndarray, str]], n: int
              ) -> np.ndarray:
    """Targets of calls of ``name`` whose guards and ``if`` lead elsewhere than to the
    call itself (``STOP``, ``SKIP``, another call): keyed by the machine once per
    distinct row of arguments."""
    from procalg.semantics.linear import CALL_START

    machine = vector.machine
    first, back = distinct([v for v, _ in args], n)
    rows = list(zip(*[decode(v[first], kind) for v, kind in args], strict=True)) \
        if args else [()] * len(first)
    ids, states = machine.ids, []
    try:
        for row in rows:
            key = machine._call_key(name, row)
            state = ids.get(key)
            states.append(state if state is not None else
                          machine._intern(key, (CALL_START, (name, row))))
    except ProcalgError as why:
        raise Mismatch("a key that raises") from why  # the per-state path raises it
    return np.array(states, dtype=np.int64)[back]


def _keyed(vector: VectorMoves, target: Target, args: list[tuple[np.ndarray, str]], n: int
           ) -> np.ndarray:
    """Targets of calls keyed as the calls themselves (see :func:`call_targets`)."""
    from procalg.semantics.linear import CALL_START

    machine = vector.machine
    keyed = args if target.live is None else [args[i] for i in target.live]
    first, back = distinct([v for v, _ in keyed], n)
    key_rows = list(zip(*[decode(v[first], kind) for v, kind in keyed], strict=True)) \
        if keyed else [()] * len(first)
    name, ids = target.name, machine.ids
    keys = [("call", name, row) for row in key_rows]
    got = list(map(ids.get, keys))
    found = np.fromiter((-1 if s is None else s for s in got), np.int64, len(got))
    new = np.flatnonzero(found < 0)
    if len(new):
        full_rows = key_rows if target.live is None else \
            list(zip(*[decode(v[first], kind) for v, kind in args], strict=True))
        fresh = new.tolist()
        base = len(machine.keys)
        new_keys = [keys[i] for i in fresh]
        machine.keys.extend(new_keys)
        if target.live is None:  # the key holds every argument: it is the call
            machine.where.extend([(CALL_START, key) for key in new_keys])
        else:
            machine.where.extend([(CALL_START, (name, full_rows[i])) for i in fresh])
        machine.moves.extend([None] * len(fresh))
        ids.update(zip(new_keys, range(base, base + len(fresh)), strict=True))
        found[new] = np.arange(base, base + len(fresh))
        if name in vector.programs and all(-LIMIT < int(np.abs(v).max(initial=0)) < LIMIT
                                           for v, _ in keyed):
            rows = np.stack([v[first[new]].astype(np.int64) for v, _ in keyed], axis=1) \
                if keyed else np.zeros((len(fresh), 0), dtype=np.int64)
            vector.place(name, tuple([kind for _, kind in keyed]), base, rows)
    return found[back]
