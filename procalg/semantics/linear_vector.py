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

A definition is vectorised when its body is external choices (replicated ones
over constant sets unrolled, :mod:`~procalg.semantics.linear_vector_replicated`),
internal choices (a τ to each operand), guards, ``if`` and calls over prefixes
(and ``STOP``/``SKIP``), with no external choice an operand's τ keeps open;
decided once. An input may bind by a pattern (``c!x?(a, b)``). A
call of one that starts with guards or ``if`` is keyed through them by numpy
(:mod:`~procalg.semantics.linear_vector_resolve`), and a continuation after a
body's first event (``b!y -> c -> P(..)`` in ``a!x -> b!y -> c -> P(..)``) has
a program of its own (:mod:`~procalg.semantics.linear_vector_nodes`). Int/Bool
arithmetic and logic run in numpy; constructors, sequences, tuples and sets
are interned codes, other expressions (``head(s)``, ``c?x:X``) run by their
closures per distinct row (:mod:`~procalg.semantics.linear_vector_values`),
clauses match per distinct row (:mod:`~procalg.semantics.linear_vector_clauses`).
A hiding ``R(es) \\ A`` of a vectorised ``R`` goes as ``R``'s columns, then hidden
(:mod:`procalg.semantics.linear_vector_hide`). Everything else keeps the
per-state path: another definition's states, a group whose kinds do not fit
its operators, and a row whose evaluation would raise (division by zero, a
value outside its channel's type), which the per-state path then raises with
its span. The moves and their target states are the per-state path's.

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

import gc
from collections.abc import Collection, Container, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from procalg.semantics.linear import CALL_START
from procalg.semantics.linear_unfolding import unfolded_rows
from procalg.semantics.linear_vector_asks import Asks
from procalg.semantics.linear_vector_body import (
    Branch,
    Program,
    compile_program,
)
from procalg.semantics.linear_vector_events import Input, Offers
from procalg.semantics.linear_vector_hide import (
    hidden_targets,
    hide_columns,
    hides_columns,
    operand_call,
    operand_programs,
)
from procalg.semantics.linear_vector_nodes import NodePrograms
from procalg.semantics.linear_vector_rows import Store
from procalg.semantics.linear_vector_targets import call_targets
from procalg.semantics.locations import AT_CALL
from procalg.semantics.vector_exprs import LIMIT, Columns, Mismatch, encode, kind_of
from procalg.terms import Call

if TYPE_CHECKING:
    from procalg.semantics.linear import Machine

_DTYPE = {"i": np.int64, "b": bool, "a": np.int64, "v": np.int64}

BATCH_MIN = 16
"""Fewer states than this are cheaper one by one (a batch costs a few hundred µs of
numpy calls, a state about 40 µs): callers expand smaller frontiers per state."""
FANOUT = 1 << 21
"""The most moves a batch that leaves out unasked moves may list per group before
leaving them out (``c?x:{0..9999}`` over a large frontier goes per state)."""
UNKNOWN, PER_STATE = -1, -2
"""A machine state's group before it is looked at, and for one left per state."""


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
        self.operands = operand_programs(machine, self.programs, self._label)
        self.hiding = {name for name in compiler.bodies  # R(es) \ A over a program
                       if name not in self.programs and hides_columns(machine, name,
                                                                      self.programs)}
        self.nodes = NodePrograms(self, self._label)  # continuations that are no call
        # per machine state: its group (definition, kinds of its key's arguments) and
        # its row in that group's store -- a frontier is grouped by numpy alone
        self._group_ids: dict[Any, int] = {}
        self._hides: dict[int, tuple[int, int]] = {}  # hiding group -> set, operand's group
        self._groups: list[tuple[str, tuple[str, ...]]] = []
        self._stores: list[Store] = []
        self._group_of = np.full(0, UNKNOWN, dtype=np.int64)
        self._row_of = np.zeros(0, dtype=np.int64)
        self._where: Asks | None = None  # the current batch's asks (see batch)

    @property
    def vectorised(self) -> int:
        """How many of the machine's definitions expand as columns (or hide one)."""
        return len(self.programs) + len(self.hiding)

    def _label(self, name: str) -> int:
        found = self._label_ids.get(name)
        if found is None:
            found = self._label_ids[name] = len(self.labels)
            self.labels.append(name)
        return found

    def _group_id(self, name: str, kinds: tuple[str, ...]) -> int:
        found = self._group_ids.get((name, kinds))
        if found is None:
            found = self._group_ids[name, kinds] = len(self._groups)
            self._groups.append((name, kinds))
            self._stores.append(Store(len(kinds)))
        return found

    def _called(self, state: int) -> tuple[str, tuple] | None:
        """The definition and live arguments of a call's state (its key its body's
        state: :meth:`StateKeys._call_key`), if a program expands that definition."""
        node, env = self.machine.where[state]
        if node is not CALL_START:
            name, args = node.parts[0], tuple([a(env) for a in node.parts[1]])
        else:
            name, args = (env.name, env.args) if type(env) is Call else env[-2:]
        if name not in self.programs:
            return None
        live = self.machine.compiler.live.get(name)
        return name, args if live is None else tuple([args[i] for i in live])

    def place(self, name: Any, kinds: tuple[str, ...], base: int, rows: np.ndarray) -> None:
        """Put the states ``base, base + 1, ..`` just numbered (their argument ``rows``)
        in the group of ``name`` (a definition, or a continuation's ``("node", id)``)."""
        self._room()
        group = self._group_id(name, kinds)
        self._group_of[base:base + len(rows)] = group
        self._row_of[base:base + len(rows)] = self._stores[group].append(rows)

    def _program(self, name: Any) -> Program:
        """The program of a group's definition or continuation."""
        return self.programs[name] if type(name) is str else self.nodes.programs[name[1]]

    def _room(self) -> None:
        """Grow the per-state tables to the machine's states."""
        n, have = len(self.machine.keys), len(self._group_of)
        if n > have:
            size = max(n, 2 * have)
            self._group_of = np.concatenate(
                [self._group_of, np.full(size - have, UNKNOWN, dtype=np.int64)])
            self._row_of = np.concatenate([self._row_of, np.zeros(size - have, dtype=np.int64)])

    def _hide_group(self, number: int, inner: int) -> tuple[int, tuple] | None:
        """The group and row of a hiding of set ``number`` over state ``inner``
        (None: per state), ``inner`` grouped first."""
        if self._group_of[inner] == UNKNOWN:
            self._classify([inner])
        under = int(self._group_of[inner])
        if under < 0 or under in self._hides:
            return None
        found = self._group_ids.get(("hide", number, under))
        if found is None:
            found = self._group_ids["hide", number, under] = len(self._groups)
            self._groups.append(self._groups[under])
            self._stores.append(Store(len(self._groups[under][1])))
            self._hides[found] = (number, under)
        return found, tuple(self._stores[under].data[self._row_of[inner]].tolist())

    def _classify(self, states: list[int]) -> None:
        """Find the groups of ``states`` from their keys (states numbered by the
        per-state path): a call of a vectorised definition with small Int/Bool data,
        or a hiding over one."""
        keys, programs, operands = self.machine.keys, self.programs, self.operands
        found: dict[int, tuple[list[int], list[tuple]]] = {}
        for state in states:
            key, group, call = keys[state], PER_STATE, None
            if type(key) is tuple and len(key) == 3 and key[0] == "hide":
                hidden = self._hide_group(key[1], key[2])
                if hidden is not None:
                    group = hidden[0]
                    entry = found.setdefault(group, ([], []))
                    entry[0].append(state)
                    entry[1].append(hidden[1])
            elif type(key) is tuple and len(key) == 3 and key[0] == "call" \
                    and key[1] in programs:
                call = key[1], key[2]
            elif self.machine.where[state][0].kind == AT_CALL:  # keyed by its body's state
                call = self._called(state)
            elif operands:  # a hiding's operand at its definition's start
                call = operand_call(operands, programs, self.machine.where[state])
            if call is None and group == PER_STATE and self.nodes.programs:
                call = self.nodes.row(self.machine.where[state])
            if call is not None:
                kinds = tuple([kind_of(a) for a in call[1]])
                row = None if None in kinds else tuple([encode(a) for a in call[1]])
                if row is not None and all(-LIMIT < a < LIMIT for a in row):
                    group = self._group_id(call[0], kinds)
                    entry = found.setdefault(group, ([], []))
                    entry[0].append(state)
                    entry[1].append(row)
            self._group_of[state] = group
        for group, (members, args) in found.items():
            width = len(self._groups[group][1])
            rows = np.array(args, dtype=np.int64).reshape(len(args), width)
            self._row_of[members] = self._stores[group].append(rows)

    def batch(self, states: list[int], waiting: Container[str] | None = None,
              asked: Sequence[Collection[str]] = ()
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The moves of ``states``: per move, the position of its source in
        ``states``, its label (an index of :attr:`labels`) and its target state,
        ordered by source position, then as the per-state path orders them.

        With ``waiting``, a move labelled in it is made only where ``asked`` (a
        collection of label names per position) has its label, as
        :meth:`~procalg.semantics.linear_inputs.InputMoves.successors_where` makes
        them: the moves left out get no target state.

        Raises:
            ProcalgError: a state's moves raise (by the per-state path, as there).
        """
        collecting = gc.isenabled()
        gc.disable()  # the states made are all kept: a collection would walk the
        try:          # machine's whole heap for nothing (as semantics/compress.py)
            self._where = None if waiting is None else \
                Asks(self.labels, self._label, waiting, asked)
            return self._batch(states)
        finally:
            self._where = None
            if collecting:
                gc.enable()

    def _batch(self, states: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        machine = self.machine
        if machine.ev.growth:  # watched counters: every call by the closures
            return self._per_state(states, list(range(len(states))))
        self._room()
        at = np.asarray(states, dtype=np.int64)
        group = self._group_of[at]
        unknown = group == UNKNOWN
        if unknown.any():
            self._classify(at[unknown].tolist())
            group = self._group_of[at]
        slow = np.flatnonzero(group < 0).tolist()
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        vector = np.flatnonzero(group >= 0)
        if len(vector):
            vector = vector[np.argsort(group[vector], kind="stable")]
            cuts = np.flatnonzero(np.diff(group[vector])) + 1
            for pos in np.split(vector, cuts):
                g = int(group[pos[0]])
                name, kinds = self._groups[g]
                table = self._stores[g].data[self._row_of[at[pos]]]
                done = self._group(self._program(name), kinds, pos, table) \
                    if g not in self._hides else self._hidden(g, kinds, pos, table)
                if done is None:
                    slow += pos.tolist()
                else:
                    parts.append(done[0])
                    slow += done[1]
        if slow or not parts:
            parts.append(self._per_state(states, sorted(slow)))
        if len(parts) == 1:
            return parts[0]
        pos = np.concatenate([p[0] for p in parts])
        order = np.argsort(pos, kind="stable")
        return (pos[order], np.concatenate([p[1] for p in parts])[order],
                np.concatenate([p[2] for p in parts])[order])

    def _hidden(self, group: int, kinds: tuple[str, ...], pos_of: np.ndarray,
                table: np.ndarray) -> tuple[tuple[np.ndarray, ...], list[int]] | None:
        """A hiding group's moves: its operands' as columns, then hidden
        (:mod:`procalg.semantics.linear_vector_hide`); with asks, per state."""
        if self._where is not None:
            return None
        number, under = self._hides[group]
        done = self._group(self._program(self._groups[under][0]), kinds, pos_of, table)
        if done is None:
            return None
        (pos, label, dst), slow = done
        label, dst = hide_columns(self.machine, self.labels, self._label_ids, number,
                                  label, dst)
        return (pos, label, dst), slow

    def _per_state(self, states: list[int], rows: list[int]
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The moves of ``rows`` by the machine's own successors, as columns."""
        pos: list[int] = []
        label: list[int] = []
        dst: list[int] = []
        where, successors = self._where, self.machine.successors
        for row in rows:
            moves = successors(states[row]) if where is None else \
                self.machine.successors_where(states[row], where.waiting, where.asked[row])
            for name, target in moves:
                pos.append(row)
                label.append(self._label(name if type(name) is str else str(name)))
                dst.append(target)
        return (np.array(pos, dtype=np.int64), np.array(label, dtype=np.int64),
                np.array(dst, dtype=np.int64))

    def _group(self, program: Program, kinds: tuple[str, ...], pos_of: np.ndarray,
               table: np.ndarray) -> tuple[tuple[np.ndarray, ...], list[int]] | None:
        """One group's moves (sorted by position) and the positions left to the
        per-state path (None: all of them)."""
        n = len(pos_of)
        if self._where is not None and n * program.fanout > FANOUT:
            return None  # offers mostly left out: per state, each made only when asked
        cols: Columns = {param: (table[:, j].astype(_DTYPE[kind]), kind)  # type: ignore[misc]
                         for j, (param, kind) in enumerate(zip(program.params, kinds,
                                                                strict=True))}
        try:
            made = [branch.run(cols, n) for branch in program.branches]
        except Mismatch:
            return None
        bad = np.zeros(n, dtype=bool)
        for _, _, _, row_bad in made:
            bad |= row_bad
        out_src, out_label, out_dst = [], [], []
        try:
            for branch, (src, label, moved, _) in zip(program.branches, made, strict=True):
                keep = ~bad[src]
                where = self._where  # moves waiting for a partner's ask, if any
                inputs = where is not None and type(branch.event) in (Input, Offers)
                if inputs:  # an input's targets are made only when asked, ...
                    keep &= where.wanted(pos_of[src], label)  # type: ignore[union-attr]
                src, label = src[keep], label[keep]
                moved = {k: (v[keep], kind) for k, (v, kind) in moved.items()}
                dst = self._targets(branch, moved, len(src))
                if where is not None and not inputs:  # ... any other move's at once
                    keep = where.wanted(pos_of[src], label)  # (and they raise as there)
                    src, label, dst = src[keep], label[keep], dst[keep]
                out_src.append(src)
                out_label.append(label)
                out_dst.append(dst)
        except Mismatch:
            return None
        empty = np.zeros(0, dtype=np.int64)
        src = np.concatenate([empty, *out_src])
        order = np.argsort(src, kind="stable")  # by state, then branch, then offer
        moves = (pos_of[src[order]], np.concatenate([empty, *out_label])[order],
                 np.concatenate([empty, *out_dst])[order])
        return unfolded_rows(self.machine, moves, self._label_ids, pos_of[bad].tolist())

    def _targets(self, branch: Branch, cols: Columns, n: int) -> np.ndarray:
        """The target state of each move of ``branch`` (``cols``: its variables per move)."""
        machine, target = self.machine, branch.target
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        if target.fixed is not None:
            return np.full(n, machine._intern(*target.fixed), dtype=np.int64)
        if target.hide is None:
            return self.nodes.targets(target, cols, n) if target.node is not None \
                else call_targets(self, target, cols, n)
        return hidden_targets(self, target, cols, n)
