"""A saga's body compiled once: its steps and operators as :class:`Part` s.

The static half of :mod:`procalg.semantics.linear_saga`: a ``saga (...)``
body is read structurally, as :func:`procalg.semantics.saga_body.compensable`
reads it at each evaluation (``docs/sagas.md`` section 4): ``P undo Q`` and
every other process (a pivot) are steps, a bare event ``e`` is ``e -> SKIP``;
``;``, ``[]``, ``|~|``, ``|||``, ``[| A |]`` (and their replicated forms, such as
``; x : <1, 2> @ step(x)``), ``if`` and ``let`` over steps and calls of
definitions containing ``undo`` (expanded in place) compose them.
A step or compensation is read by value as the term rules read it: an
expression whose value is an event (an ``if`` between activities, a
parameter, a function's result) is that event ``-> SKIP``. Steps and
compensations are ordinary locations of the
:class:`~procalg.semantics.locations.Compiler`.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.semantics.locations import Compiler
    >>> model = loads("activity a, b\\nP = saga (a undo b ; b)")
    >>> part = Compiler(model.spec.evaluator).definition("P")[0][1].parts[0]
    >>> part.kind == SEQ, [p.kind == STEP for p in part.parts[:2]]
    (True, [True, True])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from procalg.errors import ModelError
from procalg.semantics.closures import compile_node
from procalg.semantics.linear_let import local_processes
from procalg.semantics.locations import (
    AT_IF,
    AT_LET,
    AT_PREFIX,
    AT_SKIP,
    AT_VALUE,
    Location,
    Unsupported,
)
from procalg.semantics.saga_body import as_process, has_undo
from procalg.syntax import ast
from procalg.terms import Event

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Env, Evaluator
    from procalg.semantics.locations import Compiler

STEP, SEQ, EXT, INT, PAR, IF, CALL, LET, REP = range(9)
"""Kinds of :class:`Part`."""
_FOLD = {";": SEQ, "[]": EXT, "|~|": INT, "|||": PAR}


class Part:
    """One compiled node of a saga body (a compensable process).

    ``parts``: for a step, its body's location, its syntax, and its
    compensation's location and syntax (None for a pivot); for ``;``, ``[]``,
    ``|~|``, ``|||`` and ``[| A |]`` the two operands and the synchronised
    set's closure (or None); for ``if`` the condition, its span and the
    branches; for ``let`` its syntax and its body's part; for a call the
    callee's name, argument closures, compiled clauses and span; for a
    replicated operator its symbol, generators, body's part, synchronised
    set's closure (or None) and span.
    """

    __slots__ = ("kind", "parts")

    def __init__(self, kind: int, parts: tuple) -> None:
        self.kind = kind
        self.parts = parts


def compile_saga(compiler: Compiler, body: ast.Node, scope: frozenset[str]) -> Part:
    """The saga body ``body`` read structurally (as ``saga_body.compensable`` does).

    Raises:
        Unsupported: a compensable definition that reaches itself (the term
            rules say why), or a generator named as a local process.
    """
    return _part(compiler, body, scope, frozenset())


def _part(compiler: Compiler, expr: ast.Node, scope: frozenset[str],
          expanding: frozenset[str]) -> Part:
    ev = compiler.ev

    def sub(node: ast.Node) -> Part:
        return _part(compiler, node, scope, expanding)

    match expr:
        case ast.Undo(step, compensation):
            return Part(STEP, (_process(compiler, step, scope), step,
                               _process(compiler, compensation, scope), compensation))
        case ast.ProcBinary(op, left, right) if op in _FOLD:
            return Part(_FOLD[op], (sub(left), sub(right), None))
        case ast.GenParallel(left, sync, right):
            return Part(PAR, (sub(left), sub(right), _event_set(ev, sync)))
        case ast.If(cond, then, orelse) if has_undo(ev, expr, set()):
            return Part(IF, (compile_node(ev, cond), cond.span, sub(then), sub(orelse)))
        case ast.Let() if has_undo(ev, expr, set()):
            with local_processes(compiler, expr, scope) as inner:
                return Part(LET, (expr, _part(compiler, expr.body, inner, expanding)))
        case ast.Replicated(op) if op in (*_FOLD, "[||]", "[| |]"):
            return _replicated(compiler, expr, scope, expanding)
        case ast.Name(name) | ast.Apply(ast.Name(name)) if has_undo(ev, expr, set()):
            return _call(compiler, expr, name, expanding)
    return Part(STEP, (_process(compiler, expr, scope), expr, None, None))  # a pivot


def _replicated(compiler: Compiler, expr: ast.Replicated, scope: frozenset[str],
                expanding: frozenset[str]) -> Part:
    """``op x : S @ body`` over saga parts: the body compiled once with the generators'
    names bound, unrolled per environment when the saga starts (``linear_saga``), as
    ``saga_body._replicated`` folds it."""
    from procalg.semantics.inputs import pattern_names

    names = pattern_names(expr.generators)
    if compiler.locals and not names.isdisjoint(compiler.locals):
        raise Unsupported("a generator variable named as a local process")
    body = _part(compiler, expr.body, scope | names, expanding)
    sync = _event_set(compiler.ev, expr.sync) if expr.op in ("[||]", "[| |]") else None
    return Part(REP, (expr.op, expr.generators, body, sync, expr.span))


def _call(compiler: Compiler, expr: ast.Node, name: str, expanding: frozenset[str]) -> Part:
    """A call of a definition containing ``undo``: its clauses compiled as saga parts."""
    if name in expanding:
        raise Unsupported(f"{name} reaches itself through compensable steps")
    info = compiler.ev.functions[name]
    args = () if type(expr) is ast.Name else expr.args  # type: ignore[attr-defined]
    if (info.arity or 0) != len(args):
        raise Unsupported(f"{name} called with the wrong number of arguments")
    clauses = tuple((c.params, _part(compiler, c.body, _bound(c.params), expanding | {name}))
                    for c in info.clauses)
    return Part(CALL, (name, tuple(compile_node(compiler.ev, a) for a in args), clauses,
                       expr.span))


def _bound(params: tuple | None) -> frozenset[str]:
    from procalg.semantics.inputs import pattern_names

    return frozenset() if params is None else frozenset(pattern_names(params))


def _process(compiler: Compiler, expr: ast.Node, scope: frozenset[str]) -> Location:
    """A step or compensation as ``saga_body.step_of`` reads it: whatever its value,
    an event ``e`` is ``e -> SKIP``, so a bare event counts wherever an expression
    reaches it (``if``'s branches, a ``let``'s body, a parameter, a function's
    result), else a process."""
    head = expr.parts[0] if type(expr) is ast.Dot else expr
    if type(head) is ast.Name and head.id not in scope \
            and head.id in compiler.ev.types.channels:
        return Location(AT_PREFIX, (_event(compile_node(compiler.ev, expr), expr),
                                    Location(AT_SKIP)))
    match expr:
        case ast.If(cond, then, orelse):
            return Location(AT_IF, (compile_node(compiler.ev, cond), cond.span,
                                    _process(compiler, then, scope),
                                    _process(compiler, orelse, scope)))
        case ast.Let():
            with local_processes(compiler, expr, scope) as inner:
                return Location(AT_LET, (expr, _process(compiler, expr.body, inner)))
        case ast.Dot():  # an event built from a local name: ch.1 with ch a parameter
            return _value(compiler, expr)
    found = compiler.node(expr, scope)
    return _value(compiler, expr) if found.kind == AT_VALUE else found


def _event(value: Callable[[Env], Any], expr: ast.Node) -> Callable[[Env], Event]:
    """``value`` checked to be an event, with the term rules' error otherwise."""
    def event(env: Env) -> Event:
        found = value(env)
        if type(found) is not Event:  # the term rules' error (saga_body.as_process)
            raise ModelError(f"a saga step must be a process or an event, got {found}",
                             expr.span, hint="steps are processes (P undo Q) or events "
                             "(reserve undo release)")
        return found

    return event


def _value(compiler: Compiler, expr: ast.Node) -> Location:
    """A value known only when met (a parameter, a function's result): an event is
    ``e -> SKIP`` (with its ``fail`` branch), a process its term's location, anything
    else the term rules' error (``saga_body.as_process``)."""
    ev, value = compiler.ev, compile_node(compiler.ev, expr)
    return Location(AT_VALUE, (lambda env: as_process(ev, expr, env, value(env)), expr.span))


def _event_set(ev: Evaluator, expr: ast.Node) -> Any:
    from procalg.semantics.processes import event_set

    return lambda env: event_set(ev, expr, env)


def step_bodies(part: Part) -> list[Location]:
    """The locations of every step body in ``part`` (calls expanded): what a
    saga may start with, for the guardedness check."""
    found: list[Location] = []
    todo = [part]
    while todo:
        item = todo.pop()
        if item.kind == STEP:
            found.append(item.parts[0])
        elif item.kind == IF:
            todo.extend(item.parts[2:])
        elif item.kind == CALL:
            todo.extend(body for _, body in item.parts[2])
        elif item.kind == LET:
            todo.append(item.parts[1])
        elif item.kind == REP:
            todo.append(item.parts[2])
        else:
            todo.extend(item.parts[:2])
    return found
