"""A definition's body compiled into branches of column functions, once.

Part of :mod:`procalg.semantics.linear_vector`: the body of ``P(x, y)`` --
external choices, guards, ``if`` and calls of other definitions (inlined, as
the per-state path unfolds them) over prefixes -- is flattened into its
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

from typing import TYPE_CHECKING, Any

import numpy as np

from procalg.errors import ProcalgError
from procalg.lts import TAU, TICK
from procalg.semantics.kinds import names_in
from procalg.semantics.linear_vector_clauses import Clauses, argument_names, clause_names
from procalg.semantics.linear_vector_events import (
    Input,
    Labeller,
    Offers,
    input_event,
    output_event,
    static_offers,
)
from procalg.semantics.locations import AT_HIDE, AT_OPEN_CHOICE, AT_OPEN_REPLICATED
from procalg.semantics.patterns import constant
from procalg.semantics.state_keys import SKIP_KEY, STOP_KEY
from procalg.semantics.vector_exprs import Columns, Mismatch, NotVector, VectorCode, vector_expr
from procalg.syntax import ast

if TYPE_CHECKING:
    from procalg.semantics.linear import Machine
    from procalg.semantics.locations import Location


class Target:
    """Where a branch's moves go: ``fixed`` ``(key, where)`` (``STOP``, ``SKIP``, Ω),
    a call ``name(args)`` (``live``: the argument positions its key keeps), or
    ``node``, a continuation whose states the machine keys (``expr``: its syntax,
    ``scope``: the variables bound there, when it is a prefix's continuation:
    :mod:`procalg.semantics.linear_vector_nodes` gives it a program of its own).

    A call of ``Q(xs) = R(es) \\ A`` (``A`` reading no parameter) is the call
    ``R(es)`` hidden by set number ``hide``, ``es`` over ``Q``'s parameters bound
    by ``outer`` (as the machine keys it: the hiding of ``R``'s state).
    """

    def __init__(self, fixed: Any = None, node: Location | None = None, name: str = "",
                 args: tuple[VectorCode, ...] = (), live: tuple[int, ...] | None = None,
                 hide: int | None = None, outer: tuple[tuple[str, VectorCode], ...] = (),
                 expr: ast.Node | None = None, scope: frozenset[str] = frozenset(),
                 resolve: Any = None) -> None:
        self.fixed, self.node, self.name, self.args, self.live = fixed, node, name, args, live
        self.hide, self.outer, self.expr, self.scope = hide, outer, expr, scope
        self.resolve = resolve  # a call through guards and if: linear_vector_resolve


class Branch:
    """One prefix of a body with the conditions that enable it (see the module)."""

    def __init__(self, conds: list[tuple[VectorCode, bool]], event: Any,
                 target: Target) -> None:
        self.conds = conds
        self.event = event  # Output, Offers, or an int: the label of ✓
        self.target = target

    def run(self, cols: Columns, n: int
            ) -> tuple[np.ndarray, np.ndarray, Columns, np.ndarray]:
        """Per move: its source row, its label; the moves' variables; and the rows
        (of ``n``) whose evaluation raises.

        Raises:
            Mismatch: kinds the columns cannot evaluate (the group goes per state).
        """
        active, bad = enabled(self.conds, cols, n)
        rows = np.flatnonzero(active & ~bad)
        sub = {k: (v[rows], kind) for k, (v, kind) in cols.items()}
        event = self.event
        if type(event) is int:  # ✓
            return rows, np.full(len(rows), event, dtype=np.int64), sub, bad
        if type(event) is Offers:
            k = len(event.labels)
            src = np.repeat(rows, k)
            pick = np.tile(np.arange(k), len(rows))
            moved = {key: (v[np.repeat(np.arange(len(rows)), k)], kind)
                     for key, (v, kind) in sub.items()}
            for name, (values, kind) in event.bound.items():
                moved[name] = (values[pick], kind)
            return src, event.labels[pick], moved, bad
        if type(event) is Input:
            return event.expand(rows, sub, bad)
        label, wrong = event.labels_of(sub, len(rows))
        bad[rows[wrong]] = True
        keep = ~wrong
        return rows[keep], label[keep], {k: (v[keep], kind) for k, (v, kind) in sub.items()}, bad


def enabled(conds: list[tuple[VectorCode, bool]], cols: Columns, n: int
             ) -> tuple[np.ndarray, np.ndarray]:
    """The rows ``conds`` enable, and the rows whose evaluation of them raises
    (a condition counts only where the ones before it hold)."""
    active = np.ones(n, dtype=bool)
    bad = np.zeros(n, dtype=bool)
    for cond, polarity in conds:
        value, kind, wrong = cond(cols, n)
        if kind != "b" and n:  # no row: any kind fits
            raise Mismatch("a condition that is no Bool")
        if wrong is not None:
            bad |= wrong & active
        if value.dtype != bool:  # no row: an empty column of another kind
            value = value.astype(bool)
        active &= value if polarity else ~value
    return active, bad


class Inlined(Branch):
    """A branch of a definition called in choice position (``P = a -> P [] Q(x)``):
    the per-state path unfolds the call there, so the callee's branch runs over
    its parameters' columns, the call's arguments in the rows ``conds`` enable."""

    def __init__(self, conds: list[tuple[VectorCode, bool]],
                 binds: list[tuple[str, VectorCode]], inner: Branch) -> None:
        super().__init__(conds, inner.event, inner.target)
        self.binds, self.inner = binds, inner

    def run(self, cols: Columns, n: int
            ) -> tuple[np.ndarray, np.ndarray, Columns, np.ndarray]:
        """As :meth:`Branch.run`, the callee's variables in the moves."""
        active, bad = enabled(self.conds, cols, n)
        inner: Columns = {}
        for name, code in self.binds:
            values, kind, wrong = code(cols, n)
            if wrong is not None:
                bad |= wrong & active
            inner[name] = (values, kind)
        rows = np.flatnonzero(active & ~bad)
        sub = {k: (np.asarray(v)[rows], kind) for k, (v, kind) in inner.items()}
        src, label, moved, inner_bad = self.inner.run(sub, len(rows))
        bad[rows[inner_bad]] = True
        return rows[src], label, moved, bad


class Program:
    """A vectorised definition: its key's parameter names and its branches."""

    def __init__(self, params: tuple[str, ...], branches: list[Branch]) -> None:
        self.params, self.branches = params, branches
        self.fanout = sum(_fanout(branch.event) for branch in branches)
        """The most moves one state can have."""


def _fanout(event: Any) -> int:
    """The most moves of one state a branch's event makes."""
    if type(event) is Offers:
        return len(event.labels)
    if type(event) is Input:
        return int(np.prod([len(d) for d in event.domains]))
    return 1


def compile_program(machine: Machine, name: str, labeller: Labeller) -> Program | None:
    """The program of definition ``name``, or None if it keeps the per-state path."""
    ev, compiler = machine.ev, machine.compiler
    info = ev.functions.get(name)
    if info is None or info.let is not None or info.captured or name in ev.growth \
            or (compiler.transparent(name) and _resolution(machine, name) is None):
        return None
    clause = info.clauses[0]
    params = clause.params or ()
    if len(info.clauses) != 1 or not all_variables(ev, params):
        return _patterned(machine, name, labeller)
    live = compiler.live.get(name)
    names = [p.name for p in params]  # type: ignore[attr-defined]
    kept = tuple(names) if live is None else tuple(names[i] for i in live)
    try:
        branches = body_branches(machine, clause.body, frozenset(names), [], labeller, (name,))
    except (NotVector, ProcalgError):
        return None
    return Program(kept, branches)


def _patterned(machine: Machine, name: str, labeller: Labeller) -> Program | None:
    """The program of a definition by pattern matching (several clauses, or patterns
    for parameters): each clause's branches where it is the first to match
    (:mod:`procalg.semantics.linear_vector_clauses`), or None."""
    info = machine.ev.functions[name]
    arity = len(info.clauses[0].params or ())
    if machine.compiler.live.get(name) not in (None, tuple(range(arity))):
        return None  # the key keeps every argument: the columns are the arguments
    try:
        branches = _clause_branches(machine, name, labeller, (name,))
    except (NotVector, ProcalgError):
        return None
    return Program(argument_names(arity), branches)


def _clause_branches(machine: Machine, name: str, labeller: Labeller,
                     calls: tuple[str, ...]) -> list[Branch]:
    """The branches of a definition by pattern matching, over its arguments' columns
    (:func:`~procalg.semantics.linear_vector_clauses.argument_names`)."""
    ev, info = machine.ev, machine.ev.functions[name]
    arity = len(info.clauses[0].params or ())
    if any(c.params is None or len(c.params) != arity for c in info.clauses):
        raise NotVector("clauses of several arities")
    clauses = [(c.params, clause_names(ev, c.params)) for c in info.clauses]
    matcher = Clauses(ev, clauses)
    branches: list[Branch] = []
    for c, (clause, (_, names)) in enumerate(zip(info.clauses, clauses, strict=True)):
        inner = body_branches(machine, clause.body, frozenset(names), [], labeller, calls)
        binds = [(n, matcher.column(c, n)) for n in names]
        branches += [Inlined([(matcher.chosen(c), True)], binds, b) for b in inner]
    if not branches:  # the rows no clause matches would raise nowhere
        raise NotVector("no clause with a move")
    return branches


def all_variables(ev: Any, params: Any) -> bool:
    """Whether every parameter is a variable (a constructor's or channel's name
    matches only itself: :func:`~procalg.semantics.patterns.match`)."""
    return all(type(p) is ast.PVar and constant(ev, p.name, {}) is None for p in params)


def body_branches(machine: Machine, expr: ast.Node, scope: frozenset[str],
              conds: list[tuple[VectorCode, bool]], labeller: Labeller,
              calls: tuple[str, ...] = ()) -> list[Branch]:
    """The branches of ``expr`` (``calls``: the definitions inlined on the way here)."""
    ev = machine.ev
    match expr:
        case ast.ProcBinary("[]", left, right):
            if _kind(machine, expr) == AT_OPEN_CHOICE:  # an operand's τ keeps it open
                raise NotVector("an open choice")
            return (body_branches(machine, left, scope, conds, labeller, calls)
                    + body_branches(machine, right, scope, conds, labeller, calls))
        case ast.Guard(cond, body):
            test = vector_expr(ev, cond, scope)
            return body_branches(machine, body, scope, [*conds, (test, True)], labeller, calls)
        case ast.If(cond, then, orelse):
            test = vector_expr(ev, cond, scope)
            return (body_branches(machine, then, scope, [*conds, (test, True)], labeller, calls)
                    + body_branches(machine, orelse, scope, [*conds, (test, False)], labeller,
                                calls))
        case ast.Name(_) | ast.Apply(ast.Name(_), _):
            return _called(machine, expr, scope, conds, labeller, calls)
        case ast.ProcBinary("|~|", left, right):  # a τ to each operand's state
            return [Branch(conds, labeller(TAU), _target(machine, left, scope)),
                    Branch(conds, labeller(TAU), _target(machine, right, scope))]
        case ast.Replicated("[]") if _kind(machine, expr) != AT_OPEN_REPLICATED:
            from procalg.semantics.linear_vector_replicated import replicated_branches

            return replicated_branches(machine, expr, scope, conds, labeller, calls)
        case ast.StopLit():
            return []
        case ast.SkipLit():
            from procalg.semantics.linear import OMEGA_WHERE

            return [Branch(conds, labeller(TICK), Target(fixed=OMEGA_WHERE))]
        case ast.PrefixExpr(_, fields, then):
            if any(type(f) is ast.InField for f in fields):
                node = machine.compiler.nodes.get(id(expr))
                if node is not None and node[1].parts[3]:  # reads no local variable
                    event, bound = static_offers(machine, expr, scope, labeller)
                else:
                    event, bound = input_event(machine, expr, scope, labeller)
                inner = scope | frozenset(bound)
            else:
                event, inner = output_event(machine, expr, scope, labeller), scope
            return [Branch(conds, event, _target(machine, then, inner))]
    raise NotVector(type(expr).__name__)


def _called(machine: Machine, expr: ast.Name | ast.Apply, scope: frozenset[str],
            conds: list[tuple[VectorCode, bool]], labeller: Labeller,
            calls: tuple[str, ...]) -> list[Branch]:
    """A call in choice position, ``a -> P [] Q(e)``: the callee's branches over its
    parameters, bound to the arguments (the per-state path unfolds it there)."""
    ev, compiler = machine.ev, machine.compiler
    name, args = (expr.id, ()) if type(expr) is ast.Name \
        else (expr.func.id, expr.args)  # type: ignore[union-attr]
    info = ev.functions.get(name)
    if name in scope or name in compiler.locals or name in calls or info is None \
            or info.let is not None or info.captured \
            or name in ev.growth or name not in compiler.bodies:
        raise NotVector("a call that is not inlined")
    params = info.clauses[0].params or ()
    if len(params) != len(args):
        raise NotVector("a call of another arity")
    if len(info.clauses) != 1 or not all_variables(ev, params):  # matched as the unfolding does
        names = list(argument_names(len(args)))
        inner = _clause_branches(machine, name, labeller, (*calls, name))
    else:
        names = [p.name for p in params]  # type: ignore[attr-defined]
        inner = body_branches(machine, info.clauses[0].body, frozenset(names), [], labeller,
                          (*calls, name))
    binds = [(n, vector_expr(ev, a, scope)) for n, a in zip(names, args, strict=True)]
    return [Inlined(conds, binds, branch) for branch in inner]


def call_of(expr: ast.Node) -> tuple[str, Any] | None:
    """``(name, argument expressions)`` of a call ``P`` or ``P(es)``, else None."""
    if type(expr) is ast.Name:
        return expr.id, ()
    if type(expr) is ast.Apply and type(expr.func) is ast.Name:
        return expr.func.id, expr.args
    return None


def _call_target(machine: Machine, name: str, args: Any, scope: frozenset[str],
                 hiding: bool = True) -> Target | None:
    """The target of a call of ``name`` keyed by its arguments (a call of an opaque
    definition, or with ``hiding`` the hiding of one: see :class:`Target`)."""
    ev, compiler = machine.ev, machine.compiler
    info = ev.functions.get(name)
    if info is None or info.let is not None or info.captured or name not in compiler.bodies \
            or name in ev.growth:
        return None
    codes = tuple(vector_expr(ev, a, scope) for a in args)
    live = compiler.live.get(name)
    if live == tuple(range(len(codes))):
        live = None  # every argument kept: the key's arguments are the call's
    if not compiler.transparent(name):
        return Target(name=name, args=codes, live=live)
    resolve = _resolution(machine, name)
    if resolve is not None and len(resolve.params) == len(codes):
        return Target(name=name, args=codes, live=live, resolve=resolve)
    if not hiding or len(info.clauses) != 1:
        return None
    clause = info.clauses[0]
    params = clause.params or ()
    body = clause.body
    if type(body) is not ast.HideExpr or len(params) != len(codes) \
            or not all_variables(ev, params):
        return None
    names = [p.name for p in params]  # type: ignore[attr-defined]
    inner = call_of(body.process)
    node = compiler.definition(name)[0][1]
    if names_in(body.hidden) & set(names) or node.kind != AT_HIDE:
        return None
    if inner is None:  # the operand keyed by the machine, once per distinct row
        found = Target(node=node.parts[0])
    elif inner[0] in names or inner[0] in compiler.locals:
        return None
    else:
        found = _call_target(machine, inner[0], inner[1], frozenset(names), hiding=False)
    if found is None:
        return None
    hidden = node.parts[1]({})
    found.hide = machine._set_number(hidden)
    found.outer = tuple(zip(names, codes, strict=True))
    return found


def _kind(machine: Machine, expr: ast.Node) -> int | None:
    """The kind of the location ``expr`` was compiled to (None if it was not)."""
    entry = machine.compiler.nodes.get(id(expr))
    return None if entry is None else entry[1].kind


def _resolution(machine: Machine, name: str) -> Any:
    """``name``'s :class:`~procalg.semantics.linear_vector_resolve.Resolution`, or None."""
    from procalg.semantics.linear_vector_resolve import resolution

    return resolution(machine, name)


def _target(machine: Machine, then: ast.Node, scope: frozenset[str]) -> Target:
    """The continuation of a prefix as a :class:`Target`."""
    compiler = machine.compiler
    if type(then) is ast.StopLit:
        return Target(fixed=(STOP_KEY, (compiler.node(then, scope), {})))
    if type(then) is ast.SkipLit:
        return Target(fixed=(SKIP_KEY, (compiler.node(then, scope), {})))
    call = call_of(then)
    if call is not None and call[0] not in scope and call[0] not in compiler.locals:
        try:
            found = _call_target(machine, call[0], call[1], scope)
        except NotVector:
            found = None
        if found is not None:
            return found
    entry = compiler.nodes.get(id(then))
    if entry is None:
        raise NotVector("a continuation not compiled")
    return Target(node=entry[1], expr=then, scope=scope)
