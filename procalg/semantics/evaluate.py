"""The evaluator: expressions of a model to values and process terms.

Evaluation is strict and eager down to :class:`~procalg.terms.Call` s: a
reference to a process definition becomes a ``Call`` (name and argument
values) that the semantics unfolds on demand through :meth:`Evaluator.unfold`.
Value functions are evaluated at once (and memoised: they are pure).

Local definitions (``let``) that are processes or functions get a unique
name (``P#1``) and capture the values of the enclosing local variables they
mention, so a local recursive process is a ``Call`` like any other and equal
states stay equal terms. Process operators are evaluated by
:mod:`procalg.semantics.processes`.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator
from typing import Any

from procalg.errors import ModelError
from procalg.semantics import builtins_fdr, kinds, patterns, processes, reentry
from procalg.semantics.channels import Types
from procalg.semantics.closures import compile_node
from procalg.semantics.event_sets import EventSets
from procalg.semantics.functions import (
    Closure,
    Env,
    FunctionInfo,
    Thunk,
    not_a_function,
    shown,
)
from procalg.semantics.growth import growing, watched
from procalg.semantics.infinite import IntegersFrom
from procalg.semantics.lazy_errors import EvaluationError
from procalg.semantics.lazy_sequences import ENDLESS, LAZY, LazySeq, comprehension
from procalg.semantics.prelude import is_pattern_pick
from procalg.semantics.relations import Image
from procalg.semantics.too_deep import RecursionTooDeep
from procalg.semantics.transformations import Transformations
from procalg.semantics.values import (
    BUILTINS,
    binary,
    call_builtin,
    expect_bool,
    expect_int,
    unary,
)
from procalg.source import Span
from procalg.syntax import ast
from procalg.terms import STOP, Call, Process, Sequence, Value
from procalg.terms.synchronising import SyncChoice, SyncInterrupt
from procalg.terms.values import Char, MapValue


class Evaluator(EventSets, Transformations):
    """Evaluates expressions in a global scope of definitions, channels and types.

    Args:
        globals_: name -> clauses of every top-level definition.
        types: channel and constructor field types (filled lazily by the spec).
        resolve: looks up a non-definition global name (channels, datatypes, ...),
            returning ``None`` when the name is unknown.
        spans: where each global name is declared (for error messages).
    """

    link_events: int = 0
    """Fresh ``⟷.i`` events the widest linked parallel met uses (``processes._linked``)."""

    settled = False  # dead counters read as 0 (growth.settle): a check's second try
    fallible: frozenset[str] = frozenset()
    """Activity channels whose events may fail (set by the spec; see ``workflow.prefix``)."""

    def __init__(self, globals_: dict[str, list[ast.Definition]], types: Types,
                 resolve: Any, spans: dict[str, Span | None]) -> None:
        self.types = types
        self.resolve = resolve
        self.spans = spans
        self.functions: dict[str, FunctionInfo] = {}
        self.global_procs = kinds.process_names(globals_, set())
        self.expanded_names: dict[Any, str] = {}  # saga definitions expanded in place
        self.saga_labels: set[str] = set()  # stranded.s & co. met: leaves.saga_labels
        self.growth = growing({n: c for n, c in globals_.items() if n in self.global_procs})
        self.globals: dict[str, Any] = {}
        for name, clauses in globals_.items():
            info = FunctionInfo(name, name, tuple(clauses), name in self.global_procs)
            self.functions[name] = info
            if info.arity is None and not info.is_process:
                self.globals[name] = Thunk(name, clauses[0].body, {})
            elif info.arity is None:
                self.globals[name] = Call(name, ())
            else:
                self.globals[name] = Closure(name)
        self._lets: dict[int, tuple[dict[str, str], tuple[str, ...], set[str]]] = {}
        self.input_sites: dict[int, Any] = {}  # id(prefix node) -> (its site, its free names)
        self.code: dict[int, tuple[ast.Node, Any]] = {}  # id(node) -> (node, its closure)
        self.pattern_constants: dict[str, Value | None] = {}  # see patterns.constant
        self.input_values: dict[tuple, Any] = {}  # see input_values.one_input_offers
        self._memo: dict[tuple[Closure, tuple[Value, ...]], Value] = {}
        self.reentry = reentry.Reentry()  # calls met again while being evaluated (reentry.py)
        self._let_count: dict[str, int] = {}
        self.compressions: dict[tuple[str, Any], Any] = {}
        self.renamings: dict[tuple, Any] = {}  # processes.py: a Renaming or listed pairs

    # ---------------------------------------------------------------- names

    def lookup(self, name: str, env: Env, span: Span | None) -> Value:
        """The value of ``name`` in ``env``, then the globals."""
        value = env.get(name, _MISSING)
        if value is _MISSING:
            value = self.globals.get(name, _MISSING)
        if value is _MISSING:
            value = self.resolve(name)
            if value is None:  # FDR built-ins (raises for those procalg does not build)
                value = builtins_fdr.value(self, name, span)
            if value is None:
                raise self._undefined(name, env, span)
        if type(value) is Thunk:
            return self.force(value, span)
        return value

    def _undefined(self, name: str, env: Env, span: Span | None) -> ModelError:
        import difflib  # an error's suggestion: not on every check's start-up

        known = [*env, *self.globals, *self.spans, *BUILTINS]
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"define {name} or declare it"
        return ModelError(f"undefined name '{name}'", span, hint=hint)

    def force(self, thunk: Thunk, span: Span | None) -> Value:
        """The value of a zero-parameter definition (cyclic definitions are errors)."""
        return reentry.force(self, thunk, span)

    # ---------------------------------------------------------- expressions

    def eval(self, expr: ast.Node, env: Env) -> Any:
        """Evaluate ``expr`` (a value or a process) in local environment ``env``.

        Runs the node's compiled closure (closures.py), compiling it on first use.
        """
        entry = self.code.get(id(expr))
        if entry is None:
            return compile_node(self, expr)(env)
        return entry[1](env)

    def eval_node(self, expr: ast.Node, env: Env) -> Any:
        """Evaluate ``expr`` by cases (the node types closures.py does not compile)."""
        match expr:
            case ast.Int(value) | ast.Bool(value):
                return value
            case ast.Char(value):
                return Char(value)
            case ast.Name(name):
                return self.lookup(name, env, expr.span)
            case ast.Binary(op, left, right):
                return self._binary(op, left, right, env, expr.span)
            case ast.Unary(op, operand):
                return unary(op, self.eval(operand, env), expr.span)
            case ast.If(cond, then, orelse):
                test = expect_bool(self.eval(cond, env), cond.span, "'if' needs a boolean")
                return self.eval(then if test else orelse, env)
            case ast.Let(_, body):
                return self.eval(body, self.let_env(expr, env))
            case ast.Apply(func, args):
                return self._apply(func, args, env, expr.span)
            case ast.Dot(parts):
                value = self.eval(parts[0], env)
                for part in parts[1:]:
                    value = self.types.dot(value, self.eval(part, env), part.span or expr.span)
                return value
            case ast.TupleLit(items):
                return tuple(self.eval(i, env) for i in items)
            case ast.SetLit(items):
                return frozenset(self.eval(i, env) for i in items)
            case ast.SeqLit(items):
                return Sequence(tuple(self.eval(i, env) for i in items))
            case ast.SetRange(low, high) | ast.SeqRange(low, high):
                lo, hi = (self.int(e, env) for e in (low, high))
                return (frozenset if type(expr) is ast.SetRange else _seq)(range(lo, hi + 1))
            case ast.MapLit(pairs):
                return MapValue.of((self.eval(k, env), self.eval(v, env)) for k, v in pairs)
            case ast.SetFrom(low):
                return IntegersFrom(self.int(low, env))
            case ast.SetComp(item, qualifiers, more):
                return frozenset(self.eval(i, e) for e in self.bindings(qualifiers, env)
                                 for i in (item, *more))
            case ast.SeqComp(item, qualifiers, more):  # lazy if drawn from a lazy sequence
                return comprehension(
                    e if e is LAZY or e is ENDLESS else self.eval(i, e)
                    for e in patterns.bindings(self, qualifiers, env, lazy=True)
                    for i in ((item,) if e is LAZY or e is ENDLESS else (item, *more)))
            case ast.SeqFrom(low):
                return LazySeq(itertools.count(self.int(low, env)))
            case ast.BothPattern():
                raise ModelError("'@@' joins two patterns: it may only stand where a pattern "
                                 "is matched", expr.span,
                                 hint="write it in a function argument, an input or a generator")
            case ast.EventSet(items, qualifiers) if qualifiers:
                return frozenset().union(*(  # {| c.x | x <- S |}: one item set per binding
                    self.events(self.eval(i, e), i.span)
                    for e in self.bindings(qualifiers, env) for i in items))
            case ast.EventSet(items):
                return frozenset().union(*(self.events(self.eval(i, env), i.span) for i in items))
            case ast.SyncChoiceExpr(left, sync, right, interrupt):
                return (SyncInterrupt if interrupt else SyncChoice)(
                    processes.process(self, left, env), processes.process(self, right, env),
                    processes.event_set(self, sync, env))
            case ast.Replicated(op="[+]", generators=generators, body=body, sync=sync):
                events = processes.event_set(self, sync, env)  # [+ A +] x : S @ P(x)
                bodies = [processes.process(self, body, e) for e in self.bindings(generators, env)]
                return functools.reduce(lambda acc, b: SyncChoice(b, acc, events), reversed(
                    bodies[:-1]), bodies[-1]) if bodies else STOP
        return processes.evaluate(self, expr, env)

    def _binary(self, op: str, left: ast.Node, right: ast.Node, env: Env,
                span: Span | None) -> Value:
        a = self.eval(left, env)
        if op in ("and", "or"):  # short-circuit, as CSPM
            a = expect_bool(a, left.span or span, f"'{op}' needs booleans")
            if a == (op == "or"):
                return a
        return binary(op, a, self.eval(right, env), span)

    def int(self, expr: ast.Node, env: Env) -> int:
        """Evaluate ``expr`` to an integer."""
        return expect_int(self.eval(expr, env), expr.span)

    # ----------------------------------------------------------- functions

    def _apply(self, func: ast.Node, args: tuple[ast.Node, ...], env: Env,
               span: Span | None) -> Any:
        if type(func) is ast.Name and func.id in BUILTINS and func.id not in env \
                and func.id not in self.globals:
            return call_builtin(func.id, [self.eval(a, env) for a in args], span)
        if type(func) is ast.Name and func.id in builtins_fdr.FUNCTIONS and func.id not in env \
                and func.id not in self.globals:  # BUFFER
            return builtins_fdr.apply(func.id, [self.eval(a, env) for a in args], span)
        if type(func) is ast.Name and func.id == "child" and func.id not in env \
                and func.id not in self.globals:  # a child workflow (semantics/child.py)
            from procalg.semantics import child
            return child.evaluate(self, args, env, span)
        if type(func) is ast.Name and func.id in kinds.EVENT_FUNCTIONS and func.id not in env \
                and func.id not in self.globals:
            return self._event_function(func.id, args, env, span)
        if type(func) is ast.Name and func.id in kinds.COMPRESSIONS and func.id not in env \
                and func.id not in self.globals:  # sbisim(P) & co. (compress.py)
            if len(args) != 1:
                raise ModelError(f"{func.id} takes 1 argument, got {len(args)}", span,
                                 hint=f"call it as {func.id}(P)")
            name = kinds.COMPRESSION_ALIASES.get(func.id, func.id)
            return self.compressed(name, self.eval(args[0], env), span)
        if type(func) is ast.Name and func.id in kinds.PRIORITY_FUNCTIONS and func.id not in env \
                and func.id not in self.globals:
            return self.prioritised(func.id, [self.eval(a, env) for a in args], span)
        target = self.eval(func, env)
        values = tuple(self.eval(a, env) for a in args)
        if type(target) is Image:  # relational_image(R)(x)
            return target.apply(values, span)
        if type(target) is builtins_fdr.BuiltinFunction:  # f = normal; f(P)
            return builtins_fdr.call(self, target.name, list(values), span)
        if type(target) is not Closure:
            raise not_a_function(target, func.span or span)
        return self.apply(target, values, span)

    def apply(self, closure: Closure, args: tuple[Value, ...], span: Span | None) -> Any:
        """Apply a function value: a process gives a ``Call``, a value function its result."""
        info = self.functions[closure.name]
        if info.arity != len(args):
            raise ModelError(
                f"{info.display} takes {info.arity} argument{'s' if info.arity != 1 else ''}, "
                f"got {len(args)}",
                span,
                hint=f"see the definition of {info.display} at {self.def_span(info)}",
            )
        if info.is_process:
            return Call(closure.name, closure.captured + args)
        key = (closure, args)
        if key in self._memo:
            return self._memo[key]
        if self.reentry.again(key):  # met again while being evaluated: lazy, as FDR
            return Call(closure.name, closure.captured + args)
        try:
            result = self.reentry.evaluate(key, (closure.name, closure.captured + args),
                                           lambda: self.run(info, closure.captured, args, span))
        except RecursionError:  # the innermost frame: the outer ones choose the name
            raise RecursionTooDeep(info.display, self.def_span(info)) from None
        except RecursionTooDeep as err:
            raise err.through(info.display, self.def_span(info)) from None
        self._memo[key] = result
        self.reentry.remember(lambda: self._memo.pop(key, None))
        return result

    def def_span(self, info: FunctionInfo) -> Span | None:
        """Where a function is defined."""
        return info.clauses[0].span

    def run(self, info: FunctionInfo, captured: tuple[Value, ...], args: tuple[Value, ...],
            span: Span | None) -> Any:
        """Evaluate the body of the first clause of ``info`` whose patterns match ``args``."""
        base = self.let_env(info.let, dict(zip(info.captured, captured, strict=True))) \
            if info.let is not None else {}
        for clause in info.clauses:
            if clause.params is None:
                return self.eval(clause.body, base)
            env = dict(base)
            if patterns.match_all(self, clause.params, args, env):
                return self.eval(clause.body, env)
        given = ", ".join(shown(a) for a in args)
        if info.display == "λ" and len(info.clauses) == 1:  # a lambda or a pattern declaration
            raise EvaluationError(f"the value {given} does not match the pattern", span,
                             hint=f"the pattern is at {self.def_span(info)}")
        raise EvaluationError(f"no clause of {info.display} matches ({given})", span,
                         hint=f"add a clause for these arguments at {self.def_span(info)}")

    def unfold(self, call: Call) -> Process:
        """One unfolding of a process ``Call`` (its body evaluated with the arguments)."""
        info = self.functions.get(call.name)
        if info is None:
            raise ModelError(f"unknown process {call.name}")
        k = len(info.captured)
        args = call.args[k:]
        if call.name in self.growth:  # a dead counter is 0 once a check settles it
            args = watched(self.growth, call.name, args, self.settled)
        if not info.is_process:  # a call reentry.py handed out: the process computed then,
            known = self.globals.get(call.name) if info.arity is None \
                else self._memo.get((Closure(call.name, call.args[:k]), args))
            if type(known) is Thunk:  # so the loop closes on one term, as a definition's
                known = known.value
            if isinstance(known, Process):
                return known
        result = self.run(info, call.args[:k], args, self.def_span(info))
        if not isinstance(result, Process):
            raise ModelError(f"{info.display} is used as a process but gives {shown(result)}",
                             self.def_span(info), hint="a process needs a process expression")
        return result

    # ------------------------------------------------------------------ let

    def let_env(self, let: ast.Let, outer: Env) -> Env:
        """The environment inside ``let``: ``outer`` plus the local definitions."""
        names, captured, procs = self.let_info(let, outer)
        values = tuple(self.lookup(n, outer, let.span) for n in captured)
        env = dict(outer)
        for name, unique in names.items():  # the local definitions, grouped once (let_info)
            info = self.functions[unique]
            if info.arity is not None:
                env[name] = Closure(info.name, values)
            elif name in procs:
                env[name] = Call(info.name, values)
            else:
                env[name] = Thunk(name, info.clauses[0].body, env)
        return env

    def let_info(self, let: ast.Let, outer: Env) -> tuple[dict[str, str], tuple[str, ...],
                                                            set[str]]:
        """A ``let``'s local names (to their unique names), the outer names it captures and
        which locals are processes; computed once per ``let`` node."""
        found = self._lets.get(id(let))
        if found is not None:
            return found
        defs = self._local_definitions(let)
        procs = kinds.process_names(defs, self.global_procs)
        mentioned = kinds.names_in(let.definitions)
        captured = tuple(sorted(n for n in mentioned if n in outer and n not in defs))
        names: dict[str, str] = {}
        for name, clauses in defs.items():
            count = self._let_count[name] = self._let_count.get(name, 0) + 1
            unique = names[name] = f"{name}#{count}"
            self.functions[unique] = FunctionInfo(unique, name, tuple(clauses), name in procs,
                                                  captured, let)
        self._lets[id(let)] = (names, captured, procs)
        return names, captured, procs

    def _local_definitions(self, let: ast.Let) -> dict[str, list[ast.Definition]]:
        """``let``'s definitions by name, less the constructor and channel names a
        pattern definition matches (``Ccl.x = e`` defines only ``x``)."""
        return {name: clauses for name, clauses in kinds.group(let.definitions).items()
                if not (is_pattern_pick(clauses[0]) and patterns.constant(self, name, {})
                        is not None)}

    # ------------------------------------------------------------- patterns

    def match(self, pattern: ast.Node, value: Value, env: Env) -> bool:
        """Match ``value`` against ``pattern``, binding variables into ``env``."""
        return patterns.match(self, pattern, value, env)

    def bindings(self, qualifiers: tuple[ast.Node, ...], env: Env) -> Iterator[Env]:
        """Every environment the generators and conditions of a comprehension allow."""
        return patterns.bindings(self, qualifiers, env)


_MISSING = object()


def _seq(items: range) -> Sequence:
    return Sequence(tuple(items))
