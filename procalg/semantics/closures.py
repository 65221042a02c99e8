"""Expressions compiled once into Python closures, so evaluating one costs no dispatch.

The evaluator's ``match`` over node types tries its cases in order: a process
node went through some thirty type tests before its case ran, for every node
of every unfolding of every state. Exploration evaluates the same few
definition bodies again and again with new arguments, so each node is
compiled once, on first use, into a closure that calls its children's
closures directly ("closure compilation", Feeley & Lapalme, *Using closures
for code generation*, Computer Languages 12(1), 1987). The closures do what
:meth:`~procalg.semantics.evaluate.Evaluator.eval` does, through the same
helpers (same values, same errors at the same spans); node types without a
closure here fall back to that ``match``.

Complexity: compiling is linear in the node's size, once per node;
evaluation then costs one Python call per node.

Example:
    >>> from procalg.semantics.channels import Types
    >>> from procalg.semantics.evaluate import Evaluator
    >>> from procalg.syntax.parser import parse_expr
    >>> ev = Evaluator({}, Types({}, {}), lambda name: None, {})
    >>> code = compile_node(ev, parse_expr("if x > 1 then x * 2 else #<x>"))
    >>> code({"x": 3}), code({"x": 1})
    (6, 1)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from procalg.errors import ModelError
from procalg.semantics import kinds, workflow
from procalg.semantics.builtins_fdr import FUNCTIONS as FDR_FUNCTIONS
from procalg.semantics.closures_sets import BUILDERS as SET_BUILDERS
from procalg.semantics.inputs import complete, has_input, input_term
from procalg.semantics.lazy_sequences import (
    LAZY_DEPTH,
    Delayed,
    LazySeq,
    joined,
    listed,
    settled,
)
from procalg.semantics.values import BUILTINS, binary, call_builtin, expect_bool, kind_name, unary
from procalg.syntax import ast
from procalg.terms import (
    SKIP,
    STOP,
    Call,
    ExternalChoice,
    InternalChoice,
    Interrupt,
    Parallel,
    Process,
    Seq,
    Sequence,
    Timeout,
)
from procalg.terms.values import Char

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Env, Evaluator

Code = Callable[[dict], Any]
_MISSING = object()
_BINARY = {";": Seq, "[>": Timeout, "/\\": Interrupt, "[]": ExternalChoice,
           "|~|": InternalChoice, "|||": Parallel}
_INT_OPS: dict[str, Callable[[int, int], Any]] = {
    "+": int.__add__, "-": int.__sub__, "*": int.__mul__, "<": int.__lt__,
    "<=": int.__le__, ">": int.__gt__, ">=": int.__ge__,
}
_INT_DIVS: dict[str, Callable[[int, int], int]] = {"%": int.__mod__, "/": int.__floordiv__}
"""CSPM's ``/`` and ``%`` round towards minus infinity, as Python's ``//`` and ``%``."""


def compile_node(ev: Evaluator, expr: ast.Node) -> Code:
    """The closure that evaluates ``expr`` in an environment (memoised per node)."""
    entry = ev.code.get(id(expr))
    if entry is None:
        build = _BUILDERS.get(type(expr))
        code = build(ev, expr) if build is not None else _fallback(ev, expr)
        # the node is kept with its code: while it lives, its id names no other node
        entry = ev.code[id(expr)] = (expr, code)
    return entry[1]


def _fallback(ev: Evaluator, expr: ast.Node) -> Code:
    slow = ev.eval_node
    return lambda env: slow(expr, env)


def _constant(ev: Evaluator, expr: Any) -> Code:
    value = expr.value
    return lambda env: value


def _character(ev: Evaluator, expr: Any) -> Code:
    value = Char(expr.value)  # its own type: the runtime's plain str values are no characters
    return lambda env: value


def _name(ev: Evaluator, expr: ast.Name) -> Code:
    from procalg.semantics.evaluate import Thunk

    name, span, lookup, force = expr.id, expr.span, ev.lookup, ev.force
    known: list[Any] = []  # a global's value, once looked up (globals never change)

    def code(env: Env) -> Any:
        value = env.get(name, _MISSING)
        if value is _MISSING:
            if known:
                return known[0]
            value = lookup(name, env, span)
            if not ev.reentry.pending:  # else it may rest on a call handed out (reentry.py)
                known.append(value)
            return value
        return force(value, span) if type(value) is Thunk else value

    return code


def _binary(ev: Evaluator, expr: ast.Binary) -> Code:
    op, span = expr.op, expr.span
    left, right = compile_node(ev, expr.left), compile_node(ev, expr.right)
    if op in ("and", "or"):  # short-circuit, as CSPM
        stop = op == "or"
        what, where = f"'{op}' needs booleans", expr.left.span or span

        def logic(env: Env) -> Any:
            a = expect_bool(left(env), where, what)
            return a if a == stop else binary(op, a, right(env), span)

        return logic
    fast = _INT_OPS.get(op)
    if op in ("==", "!="):
        same = op == "=="

        def equal(env: Env) -> bool:
            a, b = left(env), right(env)
            if type(a) is LazySeq or type(b) is LazySeq:  # <1..2> == <x | x <- <1..>, x < 3>
                a, b = listed(a, span), listed(b, span)
            return (a == b and type(a) is type(b)) == same

        return equal

    if op == "^":
        return _join(ev, left, right, span)

    divide = _INT_DIVS.get(op)
    if divide is not None:
        def division(env: Env) -> Any:
            a, b = left(env), right(env)
            if type(a) is int and type(b) is int and b:  # 0: binary()'s error
                return divide(a, b)
            return binary(op, a, b, span)

        return division

    if fast is not None and type(expr.right) is ast.Int and type(expr.right.value) is int:
        return _int_constant(fast, op, left, expr.right.value, span)

    def code(env: Env) -> Any:
        a, b = left(env), right(env)
        if fast is not None and type(a) is int and type(b) is int:
            return fast(a, b)  # the common case, without binary()'s checks
        return binary(op, a, b, span)

    return code


def _int_constant(fast: Callable[[int, int], Any], op: str, left: Code, constant: int,
                  span: Any) -> Code:
    """``e op k`` for an int literal ``k`` (``b + y <= 20``, a restricted input's
    condition evaluated per value per new state): the literal read once, not called."""

    def code(env: Env) -> Any:
        a = left(env)
        if type(a) is int:
            return fast(a, constant)
        return binary(op, a, constant, span)

    return code


def _join(ev: Evaluator, left: Code, right: Code, span: Any) -> Code:
    """``a ^ b``: eager, except where FDR's lazy ``^`` is needed (lazy_sequences.py)."""
    depth = ev.__dict__.setdefault("join_depth", [0])  # joins evaluating their right operand

    def join(env: Env) -> Any:
        a = left(env)
        if type(a) is LazySeq or depth[0] >= LAZY_DEPTH:  # keep the right operand for later
            return joined(a, Delayed(right, env), span)
        depth[0] += 1
        try:
            b = right(env)
        finally:
            depth[0] -= 1
        if type(a) is Sequence and type(b) is Sequence:
            return Sequence(a.items + b.items)
        if type(b) is LazySeq:
            result = joined(a, b, span)
            if depth[0]:
                return result
            depth[0] = 1  # the joins that listing forces must not list again
            try:
                return settled(result, span)
            finally:
                depth[0] = 0
        return binary("^", a, b, span)

    return join


def _unary(ev: Evaluator, expr: ast.Unary) -> Code:
    op, span, operand = expr.op, expr.span, compile_node(ev, expr.operand)
    if op == "#":
        def size(env: Env) -> Any:
            value = operand(env)
            return len(value.items) if type(value) is Sequence else unary(op, value, span)

        return size
    return lambda env: unary(op, operand(env), span)


def _if(ev: Evaluator, expr: ast.If) -> Code:
    cond, then, orelse = (compile_node(ev, e) for e in (expr.cond, expr.then, expr.orelse))
    span = expr.cond.span

    def code(env: Env) -> Any:
        test = cond(env)
        if type(test) is not bool:
            expect_bool(test, span, "'if' needs a boolean")
        return then(env) if test else orelse(env)

    return code


def _let(ev: Evaluator, expr: ast.Let) -> Code:
    body, let_env = compile_node(ev, expr.body), ev.let_env
    return lambda env: body(let_env(expr, env))


def _apply(ev: Evaluator, expr: ast.Apply) -> Code:
    func, span = expr.func, expr.span
    if type(func) is ast.Name and (func.id in kinds.COMPRESSIONS
                                   or func.id in kinds.EVENT_FUNCTIONS
                                   or func.id in kinds.PRIORITY_FUNCTIONS
                                   or func.id in FDR_FUNCTIONS  # BUFFER
                                   or func.id == "child"):  # a child workflow
        return _fallback(ev, expr)  # sbisim(P), extensions(c) & co.: rare, by the evaluator
    args = tuple(compile_node(ev, a) for a in expr.args)
    target = compile_node(ev, func)
    apply, functions, count = ev.apply, ev.functions, len(args)
    builtin = type(func) is ast.Name and func.id in BUILTINS and func.id not in ev.globals
    name = func.id if builtin else None
    from procalg.semantics import builtins_fdr
    from procalg.semantics.builtins_fdr import BuiltinFunction
    from procalg.semantics.evaluate import Closure, not_a_function
    from procalg.semantics.relations import Image


    arity, impl = BUILTINS[name] if builtin else (None, None)
    if builtin and arity == count == 1:  # head(s), tail(s), ...: straight to the builtin
        only = args[0]

        def unary_builtin(env: Env) -> Any:
            if name not in env:
                return impl(only(env), span)
            return general(env)
    else:
        unary_builtin = None

    def code(env: Env) -> Any:
        if builtin and name not in env:
            return call_builtin(name, [a(env) for a in args], span)
        return general(env)

    def general(env: Env) -> Any:
        function = target(env)
        values = tuple([a(env) for a in args])
        if type(function) is not Closure:
            if type(function) is Image:  # relational_image(R)(x)
                return function.apply(values, span)
            if type(function) is BuiltinFunction:  # f = normal; f(P)
                return builtins_fdr.call(ev, function.name, list(values), span)
            raise not_a_function(function, func.span or span)
        info = functions[function.name]
        if info.is_process and info.clauses[0].params is not None \
                and len(info.clauses[0].params) == count:  # apply(), without its checks
            return Call(function.name, function.captured + values)
        return apply(function, values, span)

    return unary_builtin or code


def _dot(ev: Evaluator, expr: ast.Dot) -> Code:
    first, parts = compile_node(ev, expr.parts[0]), expr.parts[1:]
    rest = tuple((compile_node(ev, p), p.span or expr.span) for p in parts)
    dot = ev.types.dot

    def code(env: Env) -> Any:
        value = first(env)
        for part, span in rest:
            value = dot(value, part(env), span)
        return value

    return code


def _tuple(ev: Evaluator, expr: ast.TupleLit) -> Code:
    items = tuple(compile_node(ev, i) for i in expr.items)
    return lambda env: tuple(i(env) for i in items)


def _seq(ev: Evaluator, expr: ast.SeqLit) -> Code:
    items = tuple(compile_node(ev, i) for i in expr.items)
    return lambda env: Sequence(tuple(i(env) for i in items))


def _set(ev: Evaluator, expr: ast.SetLit) -> Code:
    items = tuple(compile_node(ev, i) for i in expr.items)
    return lambda env: frozenset(i(env) for i in items)


def _process(ev: Evaluator, expr: ast.Node) -> Code:
    """A closure that also checks that the value is a process (processes.process)."""
    inner = compile_node(ev, expr)
    if type(expr) in _PROCESS_NODES:
        return inner  # always a process: no check needed

    def code(env: Env) -> Process:
        value = inner(env)
        if not isinstance(value, Process):
            raise ModelError(f"expected a process, got {kind_name(value)}", expr.span,
                             hint="a process operator needs processes on both sides")
        return value

    return code


def _guard(ev: Evaluator, expr: ast.Guard) -> Code:
    cond, body, span = compile_node(ev, expr.cond), _process(ev, expr.process), expr.cond.span

    def code(env: Env) -> Process:
        test = cond(env)
        if type(test) is not bool:
            expect_bool(test, span, "a guard must be a boolean")
        return body(env) if test else STOP

    return code


def _prefix(ev: Evaluator, expr: ast.PrefixExpr) -> Code:
    if has_input(expr):
        return lambda env: input_term(ev, expr, env)
    head, then, dot = compile_node(ev, expr.head), _process(ev, expr.then), ev.types.dot
    fields = tuple((compile_node(ev, f.value), f.span) for f in expr.fields)
    span, prefix = expr.head.span or expr.span, workflow.prefix

    def code(env: Env) -> Process:
        value = head(env)
        for field, where in fields:
            value = dot(value, field(env), where)
        return prefix(ev, complete(value, span), then(env))  # fallible activities may fail

    return code


def _proc_binary(ev: Evaluator, expr: ast.ProcBinary) -> Code:
    op = _BINARY.get(expr.op)
    if op is None:
        return _fallback(ev, expr)
    left, right = _process(ev, expr.left), _process(ev, expr.right)
    return lambda env: op(left(env), right(env))


_PROCESS_NODES = frozenset({ast.Guard, ast.PrefixExpr, ast.StopLit, ast.SkipLit})
"""Nodes whose closures can only give processes (ProcBinary may fall back to eval_node)."""

_BUILDERS: dict[type, Callable[[Any, Any], Code]] = {
    ast.Int: _constant, ast.Bool: _constant, ast.Char: _character, ast.Name: _name,
    ast.Binary: _binary,
    ast.Unary: _unary, ast.If: _if, ast.Let: _let, ast.Apply: _apply, ast.Dot: _dot,
    ast.TupleLit: _tuple, ast.SeqLit: _seq, ast.SetLit: _set, ast.Guard: _guard,
    ast.PrefixExpr: _prefix, ast.ProcBinary: _proc_binary,
    ast.StopLit: lambda ev, expr: lambda env: STOP,
    ast.SkipLit: lambda ev, expr: lambda env: SKIP,
}
_BUILDERS.update(SET_BUILDERS)  # ranges, set comprehensions: closures_sets.py
