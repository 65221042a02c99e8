"""A compiled machine's frontier expanded at once: guards, events and calls as numpy columns.

:class:`~procalg.semantics.linear.Machine` makes one state's moves at a time,
evaluating each guard, output field and call argument through a closure per
state and per move (about 20 k states/s). A breadth-first search hands over
a whole frontier, so :class:`VectorMoves` groups its states by definition
(the call ``P(args)`` a state's key names) and by the kinds of their data,
keeps each group's parameters as integer columns, and evaluates every
expression of ``P``'s body once per group over those columns
(:mod:`procalg.semantics.vector_exprs`): the next-state function over packed
integers of SPIN and LTSmin (Holzmann, *The SPIN Model Checker*, 2003;
Blom, van de Pol, Weber, "LTSmin", CAV 2010), with numpy doing the loops. A
move's event comes from its channel's field values by mixed-radix
arithmetic and a table of the machine's labels; a target call is keyed by
its distinct argument rows (``np.unique``), one dictionary look-up each.

A definition is vectorised when its body is external choices, guards and
``if`` over output prefixes and inputs whose offers read no local variable
(and ``STOP``/``SKIP``), its expressions Int/Bool arithmetic, comparisons and
logic; decided once. Everything else keeps the per-state path: another
definition's states, a group whose kinds do not fit its operators, and a row
whose evaluation would raise (division by zero, a value outside its channel's
type), which the per-state path then raises with its span. The moves, their
order and their target states are the per-state path's
(``tests/semantics/test_linear_vector.py``).

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.semantics.linear import Machine
    >>> model = loads("channel d : {0..3}\\nQ(x) = d?i -> Q((x + i) % 5) [] x == 4 & d!x -> STOP")
    >>> machine = Machine(model.spec.evaluator, model.process("Q(0)"))
    >>> vector = VectorMoves(machine)
    >>> vector.vectorised, vector.definitions
    (1, 1)
    >>> pos, label, dst = vector.batch([0])
    >>> [vector.labels[i] for i in label.tolist()], dst.tolist()
    (['d.0', 'd.1', 'd.2', 'd.3'], [0, 1, 2, 3])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from procalg.semantics.linear_vector_body import (
    Branch,
    Program,
    Target,
    compile_program,
)
from procalg.semantics.vector_exprs import Columns, Mismatch, kind_of
from procalg.terms import Call

if TYPE_CHECKING:
    from procalg.semantics.linear import Machine

_DTYPE = {"i": np.int64, "b": bool}


class VectorMoves:
    """The batch next-state function of one machine (see the module).

    Args:
        machine: the machine whose states it expands (and numbers new ones in).
    """

    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        self.labels: list[str] = []  # label index -> printed label (grows)
        self._label_ids: dict[str, int] = {}
        compiler = machine.compiler
        self.programs: dict[str, Program] = {}
        self.definitions = len(compiler.bodies)
        if not (machine.all_args or machine.ev.fallible):
            for name in list(compiler.bodies):
                program = compile_program(machine, name, self._label)
                if program is not None:
                    self.programs[name] = program

    @property
    def vectorised(self) -> int:
        """How many of the machine's definitions expand as columns."""
        return len(self.programs)

    def _label(self, name: str) -> int:
        found = self._label_ids.get(name)
        if found is None:
            found = self._label_ids[name] = len(self.labels)
            self.labels.append(name)
        return found

    def batch(self, states: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The moves of ``states``: per move, the position of its source in
        ``states``, its label (an index of :attr:`labels`) and its target state,
        ordered by source position, then as the per-state path orders them.

        Raises:
            ProcalgError: a state's moves raise (by the per-state path, as there).
        """
        machine = self.machine
        groups: dict[tuple[str, tuple[type, ...]], list[int]] = {}
        slow: list[int] = []
        keys, programs = machine.keys, self.programs
        growing = bool(machine.ev.growth)
        for pos, state in enumerate(states):
            key = keys[state]
            if not growing and type(key) is tuple and len(key) == 3 and key[0] == "call" \
                    and key[1] in programs:
                groups.setdefault((key[1], tuple(map(type, key[2]))), []).append(pos)
            else:
                slow.append(pos)
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for (name, types), rows in groups.items():
            done = self._group(programs[name], types, rows, [keys[states[p]][2] for p in rows])
            if done is None:
                slow += rows
            else:
                parts.append(done[0])
                slow += done[1]
        parts.append(self._per_state(states, sorted(slow)))
        pos = np.concatenate([p[0] for p in parts])
        order = np.argsort(pos, kind="stable")
        return (pos[order], np.concatenate([p[1] for p in parts])[order],
                np.concatenate([p[2] for p in parts])[order])

    def _per_state(self, states: list[int], rows: list[int]
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The moves of ``rows`` by the machine's own successors, as columns."""
        pos: list[int] = []
        label: list[int] = []
        dst: list[int] = []
        for row in rows:
            for name, target in self.machine.successors(states[row]):
                pos.append(row)
                label.append(self._label(name if type(name) is str else str(name)))
                dst.append(target)
        return (np.array(pos, dtype=np.int64), np.array(label, dtype=np.int64),
                np.array(dst, dtype=np.int64))

    def _group(self, program: Program, types: tuple[type, ...], rows: list[int],
               args: list[tuple]) -> tuple[tuple[np.ndarray, ...], list[int]] | None:
        """One group's moves and the rows left to the per-state path (None: all)."""
        kinds = [kind_of(t(0)) if t in (int, bool) else None for t in types]
        if None in kinds:
            return None
        n = len(rows)
        cols: Columns = {}
        try:
            table = np.array(args, dtype=np.int64).reshape(n, len(types))
        except OverflowError:
            return None
        if len(table) and int(np.abs(table).max(initial=0)) >= 1 << 62:
            return None
        for j, (param, kind) in enumerate(zip(program.params, kinds, strict=True)):
            cols[param] = (table[:, j].astype(_DTYPE[kind]), kind)  # type: ignore[arg-type]
        try:
            made = [branch.run(cols, n) for branch in program.branches]
        except Mismatch:
            return None
        bad = np.zeros(n, dtype=bool)
        for _, _, _, row_bad in made:
            bad |= row_bad
        pos_of = np.asarray(rows, dtype=np.int64)
        out_pos, out_label, out_dst = [], [], []
        try:
            for branch, (src, label, moved, _) in zip(program.branches, made, strict=True):
                keep = ~bad[src]
                src, label = src[keep], label[keep]
                moved = {k: (v[keep], kind) for k, (v, kind) in moved.items()}
                out_pos.append(pos_of[src])
                out_label.append(label)
                out_dst.append(self._targets(branch, moved, len(src)))
        except Mismatch:
            return None
        empty = np.zeros(0, dtype=np.int64)
        return ((np.concatenate([empty, *out_pos]), np.concatenate([empty, *out_label]),
                 np.concatenate([empty, *out_dst])), pos_of[bad].tolist())

    def _targets(self, branch: Branch, cols: Columns, n: int) -> np.ndarray:
        """The target state of each move of ``branch`` (``cols``: its variables per move)."""
        machine, target = self.machine, branch.target
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        if target.fixed is not None:
            return np.full(n, machine._intern(*target.fixed), dtype=np.int64)
        if target.node is not None:
            return self._slow_targets(target, cols, n)
        return self._call_targets(target, cols, n)

    def _slow_targets(self, target: Target, cols: Columns, n: int) -> np.ndarray:
        """Targets by the machine's keys, one environment per move (continuations
        that are no call of a vectorised kind)."""
        names = list(cols)
        values = list(zip(*[cols[k][0].tolist() for k in names], strict=True)) if names \
            else [()] * n
        state = self.machine._state
        return np.array([state(target.node, dict(zip(names, row, strict=True)))
                         for row in values], dtype=np.int64)

    def _call_targets(self, target: Target, cols: Columns, n: int) -> np.ndarray:
        """Targets of a call ``T(args)`` of an opaque definition: keyed by the
        distinct rows of its live arguments (as :meth:`StateKeys._call_key`)."""
        from procalg.semantics.linear import CALL_START

        machine = self.machine
        args = []
        for code in target.args:
            values, kind, bad = code(cols, n)
            if bad is not None and bad.any():
                raise Mismatch("an argument raises")  # the per-state path raises it
            args.append((values, kind))
        keyed = args if target.live is None else [args[i] for i in target.live]
        first, back = _distinct([v for v, _ in keyed], n)
        key_rows = list(zip(*[v[first].tolist() for v, _ in keyed], strict=True)) \
            if keyed else [()] * len(first)
        full_rows = key_rows if target.live is None else \
            list(zip(*[v[first].tolist() for v, _ in args], strict=True))
        found = np.empty(len(first), dtype=np.int64)
        ids, name, intern = machine.ids, target.name, machine._intern
        for i, (row, full) in enumerate(zip(key_rows, full_rows, strict=True)):
            key = ("call", name, row)
            state = ids.get(key)
            found[i] = state if state is not None else \
                intern(key, (CALL_START, Call(name, full)))
        return found[np.asarray(back).ravel()]



def _distinct(columns: list[np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """For ``n`` rows of ``columns``: the first row of each distinct value (in value
    order) and each row's index among them; rows packed into one int64 by mixed
    radix when their ranges allow (a 1-d ``np.unique``), else compared whole."""
    if not columns:
        return np.zeros(1, dtype=np.int64), np.zeros(n, dtype=np.int64)
    packed = np.zeros(n, dtype=np.int64)
    size = 1
    for column in columns:
        values = column.astype(np.int64)
        low = int(values.min())
        width = int(values.max()) - low + 1
        if size * width >= 1 << 62:
            _, first, back = np.unique(np.stack([c.astype(np.int64) for c in columns], axis=1),
                                       axis=0, return_index=True, return_inverse=True)
            return first, np.asarray(back).ravel()
        packed += (values - low) * size
        size *= width
    _, first, back = np.unique(packed, return_index=True, return_inverse=True)
    return first, back
