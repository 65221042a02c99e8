"""A definition's body compiled into branches of column functions, once.

Part of :mod:`procalg.semantics.linear_vector`: the body of ``P(x, y)`` --
external choices, guards and ``if`` over prefixes -- is flattened into its
*branches*, in the order the per-state path lists their moves. A branch is
the conditions that enable it (guards, ``if`` tests, with their polarity), one
prefix (an output event, a static input's offers, or ✓ of ``SKIP``) and its
target (a call's arguments, a fixed state, or a continuation left to the
machine's keys). :meth:`Branch.run` evaluates it over a group's columns.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.semantics.linear import Machine
    >>> model = loads("channel c : {0..3}\\nP(n) = n < 3 & c!n -> P(n + 1) [] c?x:{1} -> STOP")
    >>> machine = Machine(model.spec.evaluator, model.process("P(0)"))
    >>> labels = []
    >>> program = compile_program(machine, "P", lambda n: labels.append(n) or len(labels) - 1)
    >>> [len(b.conds) for b in program.branches], labels
    ([1, 0], ['c.1'])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from procalg.errors import ProcalgError
from procalg.lts import TICK
from procalg.semantics.kinds import names_in
from procalg.semantics.state_keys import SKIP_KEY, STOP_KEY
from procalg.semantics.values import expect_set
from procalg.semantics.vector_exprs import (
    Columns,
    Mismatch,
    NotVector,
    VectorCode,
    kind_of,
    vector_expr,
)
from procalg.syntax import ast

if TYPE_CHECKING:
    from procalg.semantics.linear import Machine
    from procalg.semantics.locations import Location

Labeller = Callable[[str], int]
MAX_EVENTS = 1 << 20
"""The most events of one channel a branch's table of labels may span."""


class Target:
    """Where a branch's moves go: ``fixed`` ``(key, where)`` (``STOP``, ``SKIP``, Ω),
    a call ``name(args)`` (``live``: the argument positions its key keeps), or
    ``node``, a continuation whose states the machine keys one by one."""

    def __init__(self, fixed: Any = None, node: Location | None = None, name: str = "",
                 args: tuple[VectorCode, ...] = (), live: tuple[int, ...] | None = None
                 ) -> None:
        self.fixed, self.node, self.name, self.args, self.live = fixed, node, name, args, live


class Branch:
    """One prefix of a body with the conditions that enable it (see the module)."""

    def __init__(self, conds: list[tuple[VectorCode, bool]], event: Any,
                 target: Target) -> None:
        self.conds = conds
        self.event = event  # _Output, _Offers, or an int: the label of ✓
        self.target = target

    def run(self, cols: Columns, n: int
            ) -> tuple[np.ndarray, np.ndarray, Columns, np.ndarray]:
        """Per move: its source row, its label; the moves' variables; and the rows
        (of ``n``) whose evaluation raises.

        Raises:
            Mismatch: kinds the columns cannot evaluate (the group goes per state).
        """
        active = np.ones(n, dtype=bool)
        bad = np.zeros(n, dtype=bool)
        for cond, polarity in self.conds:
            value, kind, wrong = cond(cols, n)
            if kind != "b":
                raise Mismatch("a condition that is no Bool")
            if wrong is not None:
                bad |= wrong & active
            active &= value if polarity else ~value
        rows = np.flatnonzero(active & ~bad)
        sub = {k: (v[rows], kind) for k, (v, kind) in cols.items()}
        event = self.event
        if type(event) is int:  # ✓
            return rows, np.full(len(rows), event, dtype=np.int64), sub, bad
        if type(event) is _Offers:
            k = len(event.labels)
            src = np.repeat(rows, k)
            pick = np.tile(np.arange(k), len(rows))
            moved = {key: (v[np.repeat(np.arange(len(rows)), k)], kind)
                     for key, (v, kind) in sub.items()}
            for name, (values, kind) in event.bound.items():
                moved[name] = (values[pick], kind)
            return src, event.labels[pick], moved, bad
        if type(event) is _Input:
            return event.expand(rows, sub, bad)
        label, wrong = event.labels_of(sub, len(rows))
        bad[rows[wrong]] = True
        keep = ~wrong
        return rows[keep], label[keep], {k: (v[keep], kind) for k, (v, kind) in sub.items()}, bad


class _Output:
    """An output prefix ``c.e1!e2``: its label from the field values by mixed radix."""

    def __init__(self, machine: Machine, channel: str, fields: list[VectorCode],
                 types: tuple[frozenset, ...], labeller: Labeller) -> None:
        self.machine, self.channel, self.fields, self.labeller = machine, channel, fields, labeller
        self.lows, self.indexes, self.values, self.radix = [], [], [], []
        size = 1
        for allowed in types:
            if not allowed or any(type(v) is not int for v in allowed):
                raise NotVector("a field type that is not Int")
            ordered = sorted(allowed)
            low, high = ordered[0], ordered[-1]
            if high - low >= MAX_EVENTS:
                raise NotVector("a field type too wide")
            index = np.full(high - low + 1, -1, dtype=np.int64)
            index[np.array(ordered) - low] = np.arange(len(ordered))
            self.lows.append(low)
            self.indexes.append(index)
            self.values.append(ordered)
            self.radix.append(size)
            size *= len(ordered)
        if size > MAX_EVENTS:
            raise NotVector("a channel of too many events")
        self.table = np.full(size, -1, dtype=np.int64)  # event code -> label index

    def labels_of(self, cols: Columns, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The label of each row's event, and the rows whose event the per-state path
        builds otherwise (a value outside its field's type: it raises there)."""
        code = np.zeros(n, dtype=np.int64)
        wrong = np.zeros(n, dtype=bool)
        for field, low, index, radix in zip(self.fields, self.lows, self.indexes, self.radix,
                                            strict=True):
            values, kind, bad = field(cols, n)
            if kind != "i":
                raise Mismatch("a field that is no Int")
            if bad is not None:
                wrong |= bad
            offset = values - low
            inside = (offset >= 0) & (offset < len(index))
            at = np.where(inside, index[np.where(inside, offset, 0)], -1)
            wrong |= at < 0
            code += np.where(at < 0, 0, at) * radix
        label = self.table[code]
        missing = (label < 0) & ~wrong
        if missing.any():
            for c in np.unique(code[missing]).tolist():
                fields = tuple(vals[(c // r) % len(vals)]
                               for vals, r in zip(self.values, self.radix, strict=True))
                event = self.machine.ev.types.event(self.channel, fields)
                self.table[c] = self.labeller(self.machine._name(event))
            label = self.table[code]
        return label, wrong


class _Offers:
    """A static input's offers: a label and the values bound, per offer, in order."""

    def __init__(self, labels: np.ndarray, bound: dict[str, tuple[np.ndarray, str]]) -> None:
        self.labels, self.bound = labels, bound


class Program:
    """A vectorised definition: its key's parameter names and its branches."""

    def __init__(self, params: tuple[str, ...], branches: list[Branch]) -> None:
        self.params, self.branches = params, branches


def compile_program(machine: Machine, name: str, labeller: Labeller) -> Program | None:
    """The program of definition ``name``, or None if it keeps the per-state path."""
    ev, compiler = machine.ev, machine.compiler
    info = ev.functions.get(name)
    if info is None or info.let is not None or info.captured or len(info.clauses) != 1 \
            or name in ev.growth or compiler.transparent(name):
        return None
    clause = info.clauses[0]
    params = clause.params or ()
    if not all(type(p) is ast.PVar for p in params):
        return None
    live = compiler.live.get(name)
    names = [p.name for p in params]  # type: ignore[attr-defined]
    kept = tuple(names) if live is None else tuple(names[i] for i in live)
    try:
        branches = _branches(machine, clause.body, frozenset(names), [], labeller)
    except (NotVector, ProcalgError):
        return None
    return Program(kept, branches)


def _branches(machine: Machine, expr: ast.Node, scope: frozenset[str],
              conds: list[tuple[VectorCode, bool]], labeller: Labeller) -> list[Branch]:
    ev = machine.ev
    match expr:
        case ast.ProcBinary("[]", left, right):
            return (_branches(machine, left, scope, conds, labeller)
                    + _branches(machine, right, scope, conds, labeller))
        case ast.Guard(cond, body):
            return _branches(machine, body, scope, [*conds, (vector_expr(ev, cond, scope), True)],
                             labeller)
        case ast.If(cond, then, orelse):
            test = vector_expr(ev, cond, scope)
            return (_branches(machine, then, scope, [*conds, (test, True)], labeller)
                    + _branches(machine, orelse, scope, [*conds, (test, False)], labeller))
        case ast.StopLit():
            return []
        case ast.SkipLit():
            from procalg.semantics.linear import OMEGA_WHERE

            return [Branch(conds, labeller(TICK), Target(fixed=OMEGA_WHERE))]
        case ast.PrefixExpr(_, fields, then):
            if any(type(f) is ast.InField for f in fields):
                node = machine.compiler.nodes.get(id(expr))
                if node is not None and node[1].parts[3]:  # reads no local variable
                    event, bound = _offers(machine, expr, scope, labeller)
                else:
                    event, bound = _input(machine, expr, scope, labeller)
                inner = scope | frozenset(bound)
            else:
                event, inner = _output(machine, expr, scope, labeller), scope
            return [Branch(conds, event, _target(machine, then, inner))]
    raise NotVector(type(expr).__name__)


def _output(machine: Machine, expr: ast.PrefixExpr, scope: frozenset[str],
            labeller: Labeller) -> _Output:
    """``c.e1!e2`` naming channel ``c`` with as many fields (as linear_events._direct)."""
    ev = machine.ev
    parts = expr.head.parts if type(expr.head) is ast.Dot else (expr.head,)
    channel = parts[0]
    if type(channel) is not ast.Name or channel.id in scope or channel.id in ev.fallible:
        raise NotVector("a prefix whose channel is no name")
    types = ev.types.channels.get(channel.id)
    exprs = (*parts[1:], *(f.value for f in expr.fields))  # type: ignore[union-attr]
    if types is None or len(exprs) != len(types):
        raise NotVector("a prefix that is no whole event")
    fields = [vector_expr(ev, e, scope) for e in exprs]
    return _Output(machine, channel.id, fields, types, labeller)


class _Input:
    """``c!e?x?y:S``, outputs reading local variables and each input one Int field
    over its type (restricted by a set of constants): one move per row and
    combination of the inputs' values, ascending, the first input outermost (the
    order of :func:`~procalg.semantics.inputs.prefix_offers`)."""

    def __init__(self, event: _Output, names: list[str], domains: list[np.ndarray]) -> None:
        self.event, self.names, self.domains = event, names, domains

    def expand(self, rows: np.ndarray, sub: Columns, bad: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, Columns, np.ndarray]:
        """:meth:`Branch.run`'s answer for the enabled ``rows`` (``sub``: their columns)."""
        total = int(np.prod([len(d) for d in self.domains]))
        which = np.repeat(np.arange(len(rows)), total)
        pick = np.tile(np.arange(total), len(rows))
        moved = {k: (v[which], kind) for k, (v, kind) in sub.items()}
        stride = total
        for name, domain in zip(self.names, self.domains, strict=True):
            stride //= len(domain)
            moved[name] = (domain[(pick // stride) % len(domain)], "i")
        label, wrong = self.event.labels_of(moved, len(which))
        src = rows[which]
        bad[src[wrong]] = True
        keep = ~bad[src]
        return src[keep], label[keep], {k: (v[keep], kind) for k, (v, kind) in moved.items()}, bad


def _input(machine: Machine, expr: ast.PrefixExpr, scope: frozenset[str],
           labeller: Labeller) -> tuple[_Input, list[str]]:
    """An input prefix whose outputs read local variables (see :class:`_Input`)."""
    ev = machine.ev
    parts = expr.head.parts if type(expr.head) is ast.Dot else (expr.head,)
    channel = parts[0]
    if type(channel) is not ast.Name or channel.id in scope or channel.id in ev.fallible:
        raise NotVector("a prefix whose channel is no name")
    types = ev.types.channels.get(channel.id)
    items = (*parts[1:], *expr.fields)
    if types is None or len(items) != len(types):
        raise NotVector("a prefix that is no whole event")
    fields: list[VectorCode] = []
    names: list[str] = []
    domains: list[np.ndarray] = []
    inner = set(scope)
    for item, allowed in zip(items, types, strict=True):
        if type(item) is ast.InField:
            pattern = item.pattern
            if type(pattern) is not ast.PVar or pattern.name in names \
                    or any(type(v) is not int for v in allowed):
                raise NotVector("an input that is no name over Int")
            values = set(allowed)
            if item.restrict is not None:
                if names_in(item.restrict) & inner:
                    raise NotVector("a restriction reading local variables")
                values &= set(expect_set(ev.eval(item.restrict, {}), item.restrict.span))
            names.append(pattern.name)
            domains.append(np.array(sorted(values), dtype=np.int64))
            fields.append(_column(pattern.name))
            inner.add(pattern.name)
        else:
            value = item.value if type(item) is ast.OutField else item
            fields.append(vector_expr(ev, value, frozenset(inner)))
    if any(len(d) == 0 for d in domains):
        raise NotVector("an input with no values")
    return _Input(_Output(machine, channel.id, fields, types, labeller), names, domains), names


def _column(name: str) -> VectorCode:
    def code(cols: Columns, n: int) -> Any:
        return cols[name][0], cols[name][1], None

    return code


def _offers(machine: Machine, expr: ast.PrefixExpr, scope: frozenset[str],
            labeller: Labeller) -> tuple[_Offers, list[str]]:
    """A static input's offers (reading no local variable), enumerated once by the
    machine's own :meth:`~procalg.semantics.linear_inputs.InputMoves._inputs`."""
    offers = machine._inputs(expr, {})
    names = sorted(offers[0][1]) if offers else []
    labels = np.array([labeller(machine._name(e)) for e, _ in offers], dtype=np.int64)
    bound: dict[str, tuple[np.ndarray, str]] = {}
    for name in names:
        values = [scope_.get(name) for _, scope_ in offers]
        kinds = {kind_of(v) for v in values}
        if len(kinds) != 1 or None in kinds or any(len(s) != len(names) for _, s in offers):
            raise NotVector("an input binding values that are no Int or Bool")
        kind = kinds.pop()
        bound[name] = (np.array(values, dtype=np.int64 if kind == "i" else bool), kind)
    return _Offers(labels, bound), names


def _target(machine: Machine, then: ast.Node, scope: frozenset[str]) -> Target:
    """The continuation of a prefix as a :class:`Target`."""
    ev, compiler = machine.ev, machine.compiler
    if type(then) is ast.StopLit:
        return Target(fixed=(STOP_KEY, (compiler.node(then, scope), {})))
    if type(then) is ast.SkipLit:
        return Target(fixed=(SKIP_KEY, (compiler.node(then, scope), {})))
    call = None
    if type(then) is ast.Name:
        call = (then.id, ())
    elif type(then) is ast.Apply and type(then.func) is ast.Name:
        call = (then.func.id, then.args)
    if call is not None and call[0] not in scope and call[0] not in compiler.locals:
        info = ev.functions.get(call[0])
        if info is not None and info.let is None and not info.captured \
                and call[0] in compiler.bodies and call[0] not in ev.growth \
                and not compiler.transparent(call[0]):
            try:
                args = tuple(vector_expr(ev, a, scope) for a in call[1])
            except NotVector:
                pass
            else:
                live = compiler.live.get(call[0])
                if live == tuple(range(len(args))):
                    live = None  # every argument kept: the key's arguments are the call's
                return Target(name=call[0], args=args, live=live)
    entry = compiler.nodes.get(id(then))
    if entry is None:
        raise NotVector("a continuation not compiled")
    return Target(node=entry[1])
