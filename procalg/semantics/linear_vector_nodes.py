"""Continuations expanded as columns: the states inside a body, after its first event.

Part of :mod:`procalg.semantics.linear_vector`: in ``P(x, y) = a!x -> b!y ->
c -> P(x + 1, y)`` only ``P``'s states are calls; after ``a!x`` the machine
is at the continuation ``b!y -> c -> P(..)`` with ``x`` and ``y`` bound, a
state keyed by its event and its continuation
(:mod:`procalg.semantics.state_keys`). Each continuation a vectorised body
reaches that is no call gets a program of its own: its branches over the
variables it reads, compiled once as a body is
(:func:`~procalg.semantics.linear_vector_body.body_branches`), so a
frontier's states at one continuation form a group and expand as columns, as
a definition's calls do -- the control-flow graph of a sequential process as
LTSmin's and SPIN's next-state functions see it (a program counter and the
variables), one location at a time but every state there at once.

A move into such a continuation makes its target's key from the columns too,
once per distinct row of the variables the continuation reads: a prefix's key
is its event (from the label the columns give) with its continuation's key
(a call's arguments, ``STOP``/``SKIP``, or the next prefix's state, made the
same way), an input's is the values it reads. Other continuations (``if``,
choices, calls looked into) are keyed by the machine once per distinct row.
A row whose key would raise leaves its group to the per-state path, which
raises the error with its span.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.semantics.linear import Machine
    >>> model = loads("channel a, b : {0..3}\\nP(x) = a!x -> b!((x + 1) % 4) -> P((x + 2) % 4)")
    >>> machine = Machine(model.spec.evaluator, model.process("P(0)"))
    >>> vector = machine.vector()
    >>> len(vector.nodes.programs)
    1
    >>> _, label, dst = vector.batch([0])
    >>> [vector.labels[i] for i in label.tolist()], machine.keys[int(dst[0])][:2]
    (['a.0'], ('→', Event(channel='b', fields=(1,))))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from procalg.errors import ProcalgError
from procalg.semantics.inputs import pattern_names
from procalg.semantics.kinds import names_in
from procalg.semantics.linear_vector_body import Program, Target, body_branches
from procalg.semantics.linear_vector_events import Output
from procalg.semantics.linear_vector_rows import distinct
from procalg.semantics.linear_vector_targets import slow_targets
from procalg.semantics.locations import AT_CALL, AT_INPUT, AT_PREFIX, AT_SKIP, AT_STOP, Location
from procalg.semantics.state_unfold import continuation_part
from procalg.semantics.vector_exprs import LIMIT, Columns, Mismatch, NotVector, decode
from procalg.syntax import ast

if TYPE_CHECKING:
    from procalg.semantics.linear_vector import VectorMoves

NODE = "node"
"""A continuation's group is named ``(NODE, id(its location))``."""
_PASSIVE = (AT_CALL, AT_STOP, AT_SKIP)
"""A prefix's continuations keyed by their passive key, not a state number (``_key``)."""


class NodePrograms:
    """The programs of the continuations the vectorised bodies reach (see the module).

    Args:
        vector: the batch function whose programs' targets are walked; the states
            made here are placed in its groups.
        labeller: the label index of a label name.
    """

    def __init__(self, vector: VectorMoves, labeller: Callable[[str], int]) -> None:
        self.vector, self.machine = vector, vector.machine
        self.programs: dict[int, Program] = {}  # id(location) -> program over its reads
        self.reads: dict[int, tuple[str, ...]] = {}  # id(location) -> the variables it reads
        self._names: dict[int, frozenset[str]] = {}  # id(prefix) -> variables its chain reads
        todo = list(vector.programs.values())
        while todo:
            for branch in todo.pop().branches:
                target = branch.target
                if target.node is None or target.expr is None or id(target.node) in self.reads:
                    continue
                reads = self._reads(target.expr, target.scope)
                self.reads[id(target.node)] = reads
                try:
                    branches = body_branches(self.machine, target.expr, target.scope, [],
                                             labeller)
                except (NotVector, ProcalgError):
                    continue
                program = self.programs[id(target.node)] = Program(reads, branches)
                todo.append(program)

    def _reads(self, expr: ast.Node, scope: frozenset[str]) -> tuple[str, ...]:
        """The variables of ``scope`` that ``expr`` reads. A prefix chain's suffixes
        are memoised (their names among the variables bound along the chain): every
        link of a chain is a continuation, and reading each whole suffix made a
        10,000-prefix chain quadratic (minutes)."""
        if not scope:
            return ()
        chain, node, bound = [], expr, set(scope)
        while type(node) is ast.PrefixExpr and id(node) not in self._names:
            chain.append(node)
            bound.update(*(pattern_names(f.pattern) for f in node.fields
                           if type(f) is ast.InField))
            node = node.then
        found = self._names.get(id(node))
        if found is None:
            found = frozenset(names_in(node) & bound)
        for link in reversed(chain):
            found = found | (names_in((link.head, link.fields)) & bound)
            self._names[id(link)] = found
        return tuple(sorted(found & scope))

    def row(self, where: tuple[Location, Any]) -> tuple[tuple[str, int], tuple] | None:
        """The group name and argument values of a state at ``where`` (its location and
        environment) if a continuation's program expands it, else None."""
        node, env = where
        program = self.programs.get(id(node))
        if program is None or type(env) is not dict:
            return None
        try:
            return (NODE, id(node)), tuple([env[name] for name in program.params])
        except KeyError:
            return None

    def targets(self, target: Target, cols: Columns, n: int) -> np.ndarray:
        """The states of continuation ``target.node`` at each of ``n`` rows of ``cols``.

        Raises:
            Mismatch: a row's key raises (the per-state path raises it).
        """
        reads = self.reads.get(id(target.node))
        if reads is None:  # no syntax known (a hiding's operand): one key per move
            return slow_targets(self.vector, target, cols, n)
        if any(name not in cols for name in reads):
            raise Mismatch("a continuation reading a variable no column holds")
        return self._states(target.node, {name: cols[name] for name in reads}, n, False)

    def _states(self, node: Location, cols: Columns, n: int, passive: bool) -> np.ndarray:
        """The states of ``node`` at ``n`` rows of ``cols`` (its reads), numbered on
        first sight once per distinct row (``passive``: as a prefix's continuation,
        :meth:`~procalg.semantics.state_keys.StateKeys._then`)."""
        first, back = distinct([v for v, _ in cols.values()], n)
        m = len(first)
        rows = {name: (v[first], kind) for name, (v, kind) in cols.items()}
        machine = self.machine
        keys = self._keys(node, rows, m)
        if keys is None:  # keyed by the machine
            make = machine._then if passive else machine._state
            try:
                states = [make(node, env) for env in _envs(rows, m)]
            except ProcalgError as why:
                raise Mismatch("a key that raises") from why
            return np.array(states, dtype=np.int64)[back]
        ids, known = machine.ids, machine.keys
        found = np.fromiter((-1 if s is None else s for s in map(ids.get, keys)), np.int64, m)
        new = np.flatnonzero(found < 0)
        if len(new):
            base, made = len(known), []
            envs = _envs({k: (v[new], kind) for k, (v, kind) in rows.items()}, len(new))
            for i, env in zip(new.tolist(), envs, strict=True):
                key = keys[i]
                state = ids.get(key)  # two rows may meet in one key
                if state is None:
                    state = ids[key] = len(known)
                    known.append(key)
                    machine.where.append((node, env))
                    machine.moves.append(None)
                    made.append(i)
                found[i] = state
            self._place(node, rows, base, np.array(made, dtype=np.int64))
        return found[back]

    def _place(self, node: Location, rows: Columns, base: int, made: np.ndarray) -> None:
        """Group the states ``base, ..`` made for ``rows[made]`` (if ``node`` has a program)."""
        program = self.programs.get(id(node))
        if program is None or not len(made):
            return
        columns = [rows[name] for name in program.params]
        table = np.stack([v[made].astype(np.int64) for v, _ in columns], axis=1) \
            if columns else np.zeros((len(made), 0), dtype=np.int64)
        if len(table) and int(np.abs(table).max(initial=0)) >= LIMIT:
            return
        self.vector.place((NODE, id(node)), tuple([kind for _, kind in columns]), base, table)

    def _keys(self, node: Location, rows: Columns, m: int) -> list[Any] | None:
        """The keys of ``node`` at ``m`` distinct rows, as ``StateKeys._key`` makes them,
        when the columns can (an input, or a prefix with a program); else None."""
        if node.kind == AT_INPUT:
            tag = id(node.parts[0])
            names = [name for name in node.parts[1] if name in rows]
            if not names:
                return [(tag, ())] * m
            values = zip(*[decode(*rows[name]) for name in names], strict=True)
            return [(tag, tuple(zip(names, row, strict=True))) for row in values]
        program = self.programs.get(id(node))
        if node.kind != AT_PREFIX or program is None or len(program.branches) != 1:
            return None
        branch = program.branches[0]
        if branch.conds or type(branch.event) is not Output:
            return None
        label, wrong = branch.event.labels_of(rows, m)
        if wrong.any():
            raise Mismatch("an event outside its channel's type")  # the per-state path raises
        then = self._continuation(branch.target, rows, m)
        if then is None:
            return None
        return [("→", event, key) for event, key in zip(self._events(label), then, strict=True)]

    def _continuation(self, target: Target, rows: Columns, m: int) -> list[Any] | None:
        """The part of a prefix's key its continuation gives: a passive key (a call's,
        ``STOP``'s, ``SKIP``'s) or the continuation's state; None if the columns cannot."""
        if target.hide is not None:
            return None
        if target.fixed is not None:
            return [target.fixed[0]] * m
        if target.node is not None:
            reads = self.reads.get(id(target.node))
            if reads is None or target.node.kind in _PASSIVE:
                return None
            states = self._states(target.node, {k: rows[k] for k in reads}, m, True).tolist()
            keys = self.machine.keys
            return [continuation_part(keys, state) for state in states]
        args = []
        for code in target.args:  # a call not started: ("call", name, every argument)
            values, kind, bad = code(rows, m)
            if bad is not None and bad.any():
                raise Mismatch("an argument raises")
            args.append((values, kind))
        if not args:
            return [("call", target.name, ())] * m
        values = zip(*[decode(v, kind) for v, kind in args], strict=True)
        return [("call", target.name, row) for row in values]

    def _events(self, label: np.ndarray) -> list[Any]:
        """The events of label indexes (a label is its event's printed name)."""
        labels, events = self.vector.labels, self.machine.events
        distinct_labels, back = np.unique(label, return_inverse=True)
        found = [labels[i] for i in distinct_labels.tolist()]
        table = np.empty(len(found), dtype=object)
        table[:] = [events[name] if type(name) is str else name for name in found]
        return table[np.asarray(back).ravel()].tolist()


def _envs(rows: Columns, m: int) -> list[dict[str, Any]]:
    """One environment per row of ``rows``."""
    if not rows:
        return [{} for _ in range(m)]
    names = list(rows)
    values = zip(*[decode(v, kind) for v, kind in rows.values()], strict=True)
    return [dict(zip(names, row, strict=True)) for row in values]
