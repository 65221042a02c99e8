"""Which calls a compiled machine may key by their arguments, decided once per definition.

:class:`~procalg.semantics.state_keys.StateKeys` keys a reached call
``P(args)`` by its name and the arguments its body reads (cheap: a tuple per
distinct row, numpy-grouped in :mod:`procalg.semantics.linear_vector_targets`),
while the term rules identify it with the body it unfolds to. The two agree
when distinct argument rows always unfold to distinct terms, i.e. when the
body's key is an injective function of the arguments. :func:`exact_arguments`
decides that conservatively from the syntax: every parameter in the key must
be *held* by the body's key -- as a plain name (or ``n + 1``, ``1 - n``: one to
one) in an output's event, in an input's free names (an input's key holds their
values), or as a plain argument of a continuation's call at a position the
callee's key keeps; an ``if`` holds what both branches hold; ``[] x : s @ body``
holds the set ``s`` where ``body`` holds ``x`` (one branch per member: Roscoe's
mobile-channel regulator ``Reg(A) = [] x : A @ x -> Reg(modify(x, A))`` keyed by
its body made phone's network key its 112 states 880 times, each key evaluating
~240 successors' sets: compile 2.56 -> 2.11 s). A parameter read
only through an expression that may merge values (``P(n) = e -> (R [] P((n + n)
% 4))``: ``P(0)`` and ``P(2)`` unfold alike), or not held at all (a wildcard),
makes the definition's calls keyed by their bodies (the term rules' identity,
one unfolding per new state: 3.6 times the CPU on a 180,000-state leaf). This
is FDR's and mCRL2's parameter analysis turned around: not "which parameters
are dead" but "which are observably held"; linear in the size of the body.

One approximation, for cost: a guarded operand ``g & p`` holds what ``p`` holds,
as if ``g`` were true (``Queue(s) = #s < C & put?x -> .. [] not null(s) &
get!head(s) -> ..``: the guards cover every ``s``). Two reached calls for which
every guard holding a parameter is false stay two states where the terms have
one (``P(n) = n < 3 & c!n -> P(n + 2) [] d -> P(1)``: ``P(3)``, ``P(4)``), still
strongly bisimilar. Keying such a leaf's calls by body cost 3.6 times its CPU.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.semantics.locations import Compiler
    >>> model = loads('''channel c : {0..3}
    ... channel e
    ... P(n) = c!n -> P((n + 1) % 4)
    ... Q(n) = e -> (c!0 -> STOP [] Q((n + n) % 4))''')
    >>> compiler = Compiler(model.spec.evaluator)
    >>> _ = compiler.definition("P"), compiler.definition("Q")
    >>> exact_arguments(model.spec.evaluator, compiler, "P")
    True
    >>> exact_arguments(model.spec.evaluator, compiler, "Q")
    False
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from procalg.semantics.inputs import pattern_names, prefix_free_names
from procalg.syntax import ast

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Evaluator
    from procalg.semantics.locations import Compiler

_ALL = None
"""Every name: a body whose key the machine already makes from the body itself."""
_OPERATORS = (ast.HideExpr, ast.ExceptionExpr, ast.RenameExpr, ast.GenParallel,
              ast.AlphaParallelExpr, ast.LinkParallelExpr, ast.SyncChoiceExpr, ast.Saga)


def call_keying(ev: Evaluator, compiler: Compiler, name: str) -> tuple[bool, bool]:
    """Whether calls of ``name`` read no argument, and whether keys by their
    arguments may split calls the terms equate (not :func:`exact_arguments`)."""
    info = ev.functions[name]
    argless = compiler.live[name] == () or (
        not info.arity and not info.captured and info.let is None)
    return argless, not argless and not exact_arguments(ev, compiler, name)


def exact_arguments(ev: Evaluator, compiler: Compiler, name: str) -> bool:
    """Whether calls of ``name`` keyed by their live arguments are keyed as the
    terms are: each clause's key holds every parameter it is keyed by (see the
    module's docstring). A local definition (captured values, ``let``) answers
    True: its calls keep the keys they had."""
    info = ev.functions[name]
    if info.captured or info.let is not None:
        return True
    live = compiler.live.get(name)
    for clause in info.clauses:
        if clause.params is None:
            continue  # no argument to split
        if live is not None:  # one clause of plain names: the live ones count
            needed = {clause.params[i].name for i in live}  # type: ignore[union-attr]
        elif _has_wildcard(clause.params):
            return False
        else:
            needed = pattern_names(clause.params)
        held = _root_held(compiler, clause.body)
        if held is not _ALL and not needed <= held:
            return False
    return True


def _root_held(compiler: Compiler, body: ast.Node) -> set[str] | None:
    """The names a body's key holds at the top of a definition, where the machine
    resolves guards, ``if`` and calls before keying (a false guard is STOP, a
    call the callee's key, for every argument alike)."""
    kind = type(body)
    if kind is ast.Guard:
        return _root_held(compiler, body.process)
    if kind is ast.If:
        return _meet(_root_held(compiler, body.then), _root_held(compiler, body.orelse))
    if kind in (ast.StopLit, ast.SkipLit, ast.ThrowLit) or _callee(compiler, body):
        return _ALL
    if isinstance(body, _OPERATORS) or (kind is ast.ProcBinary and body.op in (";", "/\\", "[>")):
        return _ALL  # keyed by the operator's state already
    return _held(compiler, body)


def _held(compiler: Compiler, expr: ast.Node) -> set[str]:
    """The names whose values a (not top) key of ``expr`` determines."""
    kind = type(expr)
    if kind is ast.PrefixExpr:
        if any(type(f) is ast.InField for f in expr.fields):
            return set(prefix_free_names(expr))  # the input's key holds their values
        head = expr.head.parts if type(expr.head) is ast.Dot else (expr.head,)
        found = {_plain(p) for p in (*head, *[f.value for f in expr.fields])}
        then = expr.then
        if type(then) in (ast.StopLit, ast.SkipLit):
            return found - {None}
        callee = _callee(compiler, then)
        if callee is None:
            return (found | _held(compiler, then)) - {None}  # the continuation's state
        if compiler.transparent(callee):
            return found - {None}  # a passive key that looks into the callee: no claim
        args = then.args if type(then) is ast.Apply else ()
        live = compiler.live.get(callee)
        kept = range(len(args)) if live is None else live
        return (found | {_plain(args[i]) for i in kept}) - {None}
    if kind is ast.ProcBinary and expr.op in ("[]", "|~|"):
        return _held(compiler, expr.left) | _held(compiler, expr.right)
    if kind is ast.If:
        return _held(compiler, expr.then) & _held(compiler, expr.orelse)
    if kind is ast.Guard:  # taken as true: see the module's docstring
        return _held(compiler, expr.process)
    if kind is ast.Replicated and expr.op == "[]":
        return _replicated_held(compiler, expr)
    return set()  # an operator, a let, a replicated |~|...


def _replicated_held(compiler: Compiler, expr: ast.Replicated) -> set[str]:
    """What ``[] x : S @ body`` holds: its key is its branches' keys, one per
    member of ``S``. So it holds ``S`` where ``S`` is a name, the one generator
    binds it to a plain variable and ``body`` holds that variable (distinct
    members, distinct branches: ``Reg(A) = [] x : A @ x -> Reg(f(x, A))``), and
    whatever else ``body`` holds, taken as offered (an empty ``S`` is STOP, as a
    false guard is: see the module's docstring)."""
    inner = _held(compiler, expr.body)
    bound = pattern_names(expr.generators)
    found = inner - bound
    if len(expr.generators) == 1:
        generator = expr.generators[0]
        if type(generator) is ast.Generator and type(generator.pattern) is ast.PVar \
                and type(generator.source) is ast.Name and generator.pattern.name in inner:
            found.add(generator.source.id)
    return found


def _plain(expr: ast.Node) -> str | None:
    """The name an expression is a one-to-one function of (``n``, ``n + 1``, ``1 - n``,
    ``-n``), or None."""
    kind = type(expr)
    if kind is ast.Name:
        return expr.id
    if kind is ast.Unary and expr.op == "-":
        return _plain(expr.operand)
    if kind is ast.Binary and expr.op in ("+", "-"):
        if type(expr.right) is ast.Int:
            return _plain(expr.left)
        if type(expr.left) is ast.Int:
            return _plain(expr.right)
    return None


def _callee(compiler: Compiler, expr: ast.Node) -> str | None:
    """The process definition ``expr`` calls, if it is a call the compiler made."""
    name = expr.id if type(expr) is ast.Name else \
        expr.func.id if type(expr) is ast.Apply and type(expr.func) is ast.Name else None
    if name is None or name in compiler.locals or name not in compiler.bodies:
        return None
    return name


def _meet(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    return b if a is _ALL else a if b is _ALL else a & b


def _has_wildcard(patterns: tuple) -> bool:
    """Whether a pattern holds a ``_`` (it matches values it does not bind)."""
    stack: list = list(patterns)
    while stack:
        item = stack.pop()
        if type(item) is ast.PWild:
            return True
        fields = getattr(item, "__dataclass_fields__", None)
        if fields:
            for field in fields:
                value = getattr(item, field)
                stack.extend(value if isinstance(value, tuple) else [value])
    return False
