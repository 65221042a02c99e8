"""``let … within`` and renaming inside a compiled sequential definition.

Two constructs that real CSPM puts inside sequential bodies (FDR's examples:
``dial.x?y -> (let cing = … [] busy.x?e -> cing within cing)``, and a cell
``(if … then GVar else GFixed(v)) [[selhere.v <- select.p.v | v <- Symbol]]``),
compiled into control locations of :mod:`procalg.semantics.locations`:

* ``let defs within P``: an ``AT_LET`` location, transparent as a guard is: its
  state is ``P``'s in the environment the evaluator builds
  (:meth:`~procalg.semantics.evaluate.Evaluator.let_env`), local values forced.
  A local process ``Q`` (with or without parameters) is a definition of its
  own, named as the evaluator names it (``Q#1``), whose calls carry the outer
  values it captures before its arguments -- a closure, as the term rules'
  ``Call("Q#1", captured + args)``: both sides reach the same calls.
* ``P [[R]]``: an ``AT_RENAME`` location, an operator state ``("rename",
  relation, P's state)`` fired as :mod:`procalg.semantics.sos` fires ``Rename``
  (UCS §5.4: each move ``a`` of P is a move ``b`` for every ``a R b``, an
  unmapped ``a`` keeps its name, ✓ ends it): see
  :mod:`procalg.semantics.linear_operators`. The event sets of hiding and
  exception are evaluated here the same way, once per value of the names they read.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.lts import explore
    >>> from procalg.semantics.linear import Machine
    >>> model = loads('''channel a, b : {0..2}
    ... P(n) = let Q(m) = a!m -> Q((m + n) % 3) within Q(0) [[a.x <- b.x | x <- {0..2}]]''')
    >>> lts = explore(Machine(model.spec.evaluator, model.process("P(1)")))
    >>> lts.num_states, sorted(set(lts.labels) - {"τ", "✓"})
    (3, ['b.0', 'b.1', 'b.2'])
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

from procalg.errors import ProcalgError
from procalg.semantics.closures import compile_node
from procalg.semantics.functions import Thunk
from procalg.semantics.kinds import names_in
from procalg.semantics.processes import event_set, renaming
from procalg.terms import Call

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Env, Evaluator
    from procalg.semantics.functions import FunctionInfo
    from procalg.semantics.locations import Compiler, Location
    from procalg.syntax import ast

Locals = dict[str, tuple[str, int]]
"""The local processes in scope: name -> (unique name, how many values it captures)."""


def compile_let(compiler: Compiler, expr: ast.Let, scope: frozenset[str]) -> Location:
    """The ``AT_LET`` location of ``expr``: its body compiled with the local
    processes callable by name (their definitions compiled when called)."""
    from procalg.semantics.locations import AT_LET, Location

    with local_processes(compiler, expr, scope) as inner:
        return Location(AT_LET, (expr, compiler.node(expr.body, inner)))


@contextmanager
def local_processes(compiler: Compiler, expr: ast.Let, scope: frozenset[str]
                    ) -> Iterator[frozenset[str]]:
    """Compile inside ``expr``'s body: its local processes callable by name, the
    scope (names bound there) yielded; the compiler's own locals restored after."""
    names, captured, procs = compiler.ev.let_info(expr, dict.fromkeys(scope))
    saved = compiler.locals
    compiler.locals = compiler.let_locals[id(expr)] = {
        **{n: v for n, v in saved.items() if n not in names},
        **{n: (names[n], len(captured)) for n in procs}}
    try:
        yield scope | frozenset(names)
    finally:
        compiler.locals = saved


def local_call(compiler: Compiler, name: str, args: tuple[ast.Node, ...] | None,
               span: Any) -> Location:
    """The call of local process ``name``: the values its closure captured (the
    ``Call`` or ``Closure`` the evaluator binds ``name`` to, wherever the call is:
    the ``let``'s body, a sibling, a nested ``let``), then its arguments."""
    from procalg.semantics.locations import AT_CALL, Location

    unique, captured = compiler.locals[name]
    compiler.callee(unique, None if args is None else len(args))
    closures = tuple(_captured(compiler.ev.lookup, name, i, span) for i in range(captured))
    closures += tuple(compile_node(compiler.ev, a) for a in args or ())
    return Location(AT_CALL, (unique, closures))


def _captured(lookup: Callable[..., Any], name: str, i: int, span: Any
              ) -> Callable[[Env], Any]:
    """The ``i``-th captured value of the local process bound to ``name``."""
    def value(env: Env) -> Any:
        bound = lookup(name, env, span)
        return (bound.args if type(bound) is Call else bound.captured)[i]

    return value


def local_context(compiler: Compiler, info: FunctionInfo) -> tuple[frozenset[str], Locals]:
    """The names bound in a definition's body before its parameters, and the local
    processes it may call: none for a top-level one; for a ``let``'s, the names it
    captures, its siblings and the local processes around its ``let`` (the evaluator
    runs it in :func:`let_scope`)."""
    if info.let is None:
        return frozenset(), {}
    names, captured, _ = compiler.ev.let_info(info.let, dict.fromkeys(info.captured))
    params = {p for clause in info.clauses for p in names_in(clause.params or ())}
    around = compiler.let_locals.get(id(info.let), {})
    return (frozenset(captured) | frozenset(names),
            {n: v for n, v in around.items() if n not in params})


def let_scope(ev: Evaluator, let: ast.Let, outer: Env) -> Env:
    """The environment inside ``let`` (the evaluator's), its local values forced where
    they can be: a state's key holds values, not thunks compared by identity (a value
    whose evaluation fails stays a thunk, an error only where it is used, as in FDR)."""
    env = ev.let_env(let, outer)
    for name, value in env.items():
        if type(value) is Thunk:
            with suppress(ProcalgError):
                env[name] = ev.force(value, let.span)
    return env


def local_base(ev: Evaluator, info: FunctionInfo, args: tuple) -> tuple[Env, tuple]:
    """A definition's environment before its parameters are matched, and the
    arguments left to match (a local one's captured values come first)."""
    if info.let is None:
        return {}, args
    k = len(info.captured)
    return let_scope(ev, info.let, dict(zip(info.captured, args[:k], strict=True))), args[k:]


def rename_relation(compiler: Compiler, expr: ast.RenameExpr,
                    scope: frozenset[str]) -> Callable[[Env], Any]:
    """The renaming of ``expr`` in an environment, made once per value of the local
    names it reads (one relation object per distinct renaming: the evaluator's)."""
    ev = compiler.ev
    return _per_values(names_in((expr.pairs, expr.qualifiers)) & scope,
                       lambda env: renaming(ev, expr, env))


def event_set_closure(compiler: Compiler, expr: ast.Node,
                      scope: frozenset[str]) -> Callable[[Env], frozenset[Any]]:
    """The set of events ``expr`` denotes in an environment (hiding's ``A``, an
    exception's ``A``), evaluated once per value of the local names it reads."""
    ev = compiler.ev
    return _per_values(names_in(expr) & scope, lambda env: event_set(ev, expr, env))


def _per_values(free: frozenset[str], make: Callable[[Env], Any]) -> Callable[[Env], Any]:
    """``make`` memoised on the values of the names ``free`` in the environment."""
    names = tuple(sorted(free))
    made: dict[tuple, Any] = {}

    def value(env: Env) -> Any:
        key = tuple([env.get(n) for n in names])
        found = made.get(key)
        if found is None:
            found = made[key] = make(env)
        return found

    return value
