"""A saga's body, read structurally: from the AST to compensable saga terms.

:func:`evaluate` turns ``THROW``, ``saga (...)`` and ``undo`` into terms
(the rules are in ``docs/sagas.md``). A saga body is read by
:func:`compensable`: ``;``, ``|||``, ``[| A |]``, ``[]``, ``|~|``, their
replicated forms, ``if``, ``let`` and global definitions containing ``undo``
compose compensable steps; every other process is a step without ``undo``
(a pivot). Kept apart from :mod:`procalg.semantics.workflow` (the
declarations and the fallible-activity prefix).

Example:
    >>> from procalg.api.model import loads
    >>> model = loads("activity a, b\\nP = saga (a undo b ; SKIP)")
    >>> type(model.spec.unfold(model.process("P"))).__name__
    'Saga'
"""

from __future__ import annotations

from functools import reduce
from typing import TYPE_CHECKING, Any

from procalg.errors import ModelError
from procalg.semantics import processes
from procalg.semantics.workflow import prefix
from procalg.syntax import ast
from procalg.syntax.walk import walk
from procalg.terms import (
    SKIP,
    STOP,
    Call,
    Event,
    ExternalChoice,
    Input,
    InternalChoice,
    Prefix,
    Process,
    show_process,
)
from procalg.terms.saga import (
    THROW,
    CExt,
    CPar,
    CSeq,
    Saga,
    Step,
    stranded_event,
    unreverted_event,
)

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Env, Evaluator


def evaluate(ev: Evaluator, expr: ast.Node, env: Env) -> Process:
    """Evaluate ``THROW``, ``saga P`` or (an error outside a saga) ``P undo Q``."""
    match expr:
        case ast.ThrowLit():
            return THROW
        case ast.Saga(body):
            loop = _self_reach(ev, expr)
            if loop:
                raise ModelError(
                    f"this saga starts itself again from inside its own body (through "
                    f"{' -> '.join(loop)}): every round would open a new saga inside the "
                    f"unfinished one, so the model has no finite state space", expr.span,
                    hint="let the saga end, then loop outside it: P = saga (...) ; P")
            return Saga(compensable(ev, body, env, frozenset()))
    raise ModelError("'undo' only has a meaning inside saga (...)", expr.span,
                     hint="write saga (P undo Q ; ...), or define the steps and use them "
                          "inside a saga")


_SELF_REACH: dict[int, tuple[ast.Saga, tuple[str, ...]]] = {}
"""id(saga node) -> (the node, kept alive so the id stays its own; the call chain or ())."""


def _self_reach(ev: Evaluator, saga: ast.Saga) -> tuple[str, ...]:
    """The chain of definitions through which ``saga``'s body reaches ``saga`` again, or ().

    A breadth-first walk over the definitions the body names (each visited once:
    O(size of the model's syntax)), cached per saga node since a recursive
    process evaluates its saga at every unfolding.

    Example:
        >>> from procalg.api.model import loads
        >>> model = loads("activity a\\nP = saga (a ; P)")
        >>> model.spec.unfold(model.process("P"))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        procalg.errors.ModelError: <input>:2:5: error: this saga starts itself again ...
        ...
    """
    cached = _SELF_REACH.get(id(saga))
    if cached is not None and cached[0] is saga:
        return cached[1]
    found: tuple[str, ...] = ()
    queue = [(name, (name,)) for name in _named(saga.body)]
    seen = {name for name, _ in queue}
    while queue and not found:
        name, chain = queue.pop(0)
        info = ev.functions.get(name)
        for clause in info.clauses if info is not None else ():
            if _holds(clause.body, saga):
                found = chain
                break
            for callee in _named(clause.body):
                if callee not in seen:
                    seen.add(callee)
                    queue.append((callee, (*chain, callee)))
    _SELF_REACH[id(saga)] = (saga, found)
    return found


def _named(node: ast.Node) -> list[str]:
    """The global names ``node`` mentions (its calls and references), in order."""
    return [here.id for here in walk(node) if type(here) is ast.Name]


def _holds(node: ast.Node, target: ast.Node) -> bool:
    """Whether ``target`` (by identity) is ``node`` or inside it."""
    return any(here is target for here in walk(node))


_FOLD = {";": CSeq, "|||": CPar, "[]": CExt, "|~|": InternalChoice}


def compensable(ev: Evaluator, expr: ast.Node, env: Env, expanding: frozenset[str]) -> Process:
    """A saga body (or part of one) as a compensable term.

    Args:
        expanding: the compensable definitions being expanded (recursion check).
    """
    def sub(node: ast.Node, scope: Env = env) -> Process:
        return compensable(ev, node, scope, expanding)

    match expr:
        case ast.Undo(step, compensation):
            body, name = step_of(ev, step, env)
            note_step(ev, name, pivot=False)
            return Step(body, as_process(ev, compensation, env), name)
        case ast.ProcBinary(op, left, right) if op in _FOLD:
            return _FOLD[op](sub(left), sub(right))
        case ast.GenParallel(left, sync, right):
            return CPar(sub(left), sub(right), processes.event_set(ev, sync, env))
        case ast.If(cond, then, orelse) if has_undo(ev, expr, set()):
            test = ev.eval(cond, env)
            if type(test) is not bool:
                raise ModelError("'if' needs a boolean", cond.span)
            return sub(then if test else orelse)
        case ast.Let(_, body) if has_undo(ev, expr, set()):
            return sub(body, ev.let_env(expr, env))
        case ast.Replicated(op) if op in (*_FOLD, "[||]", "[| |]"):
            return _replicated(ev, expr, env, sub)
        case ast.Name() | ast.Apply() if has_undo(ev, expr, set()):
            return _expand(ev, expr, env, expanding)
    body, name = step_of(ev, expr, env)
    note_step(ev, name, pivot=True)
    return Step(body, None, name)  # a pivot


def note_step(ev: Evaluator, name: str, *, pivot: bool) -> None:
    """Record the label step ``name`` may show in a rollback (``stranded.name`` for a
    pivot, else ``unreverted.name``) in ``ev.saga_labels``: a lazily explored leaf
    declares them (:func:`procalg.semantics.leaves.model_alphabet`), so a saga that
    can strand runs on the product engine.

    Example:
        >>> from procalg.api.model import loads
        >>> model = loads("activity a\\nP = saga (a ; THROW)")
        >>> _ = model.spec.unfold(model.process("P"))
        >>> sorted(model.spec.evaluator.saga_labels)
        ['stranded.THROW', 'stranded.a']
    """
    label = str(stranded_event(name) if pivot else unreverted_event(name))
    if label not in ev.saga_labels:
        ev.saga_labels.add(label)


def _replicated(ev: Evaluator, expr: ast.Replicated, env: Env, sub: Any) -> Process:
    parts = [sub(expr.body, scope) for scope in ev.bindings(expr.generators, env)]
    if expr.op in ("[||]", "[| |]"):
        sync = processes.event_set(ev, expr.sync, env)
        op: Any = lambda p, q: CPar(p, q, sync)  # noqa: E731
    else:
        op = _FOLD[expr.op]
    if not parts:
        if expr.op == "|~|":
            raise ModelError("replicated |~| over an empty set", expr.span)
        return Step(STOP if expr.op == "[]" else SKIP, SKIP, "")
    return reduce(lambda acc, p: op(p, acc), reversed(parts[:-1]), parts[-1])


def _expand(ev: Evaluator, expr: ast.Name | ast.Apply, env: Env,
            expanding: frozenset[str]) -> Process:
    """Expand a call of a global definition containing ``undo`` in place."""
    name = expr.id if type(expr) is ast.Name else expr.func.id  # type: ignore[union-attr]
    if name in expanding:
        raise ModelError(f"{name} reaches itself through compensable steps", expr.span,
                         hint="a saga's steps cannot recurse; put the loop inside one step")
    info = ev.functions[name]
    args = () if type(expr) is ast.Name else tuple(ev.eval(a, env) for a in expr.args)
    if (info.arity or 0) != len(args):
        raise ModelError(f"{name} takes {info.arity or 0} arguments, got {len(args)}", expr.span)
    for clause in info.clauses:
        scope: dict[str, Any] = {}
        if all(ev.match(p, v, scope) for p, v in zip(clause.params or (), args, strict=True)):
            term = compensable(ev, clause.body, scope, expanding | {name})
            # the call is gone from the term: keep its name for explanations (IT, not a term)
            ev.expanded_names.setdefault(term, show_process(Call(name, args)))
            return term
    raise ModelError(f"no clause of {name} matches these arguments", expr.span)


def has_undo(ev: Evaluator, expr: ast.Node, seen: set[str]) -> bool:
    """Whether ``expr`` composes compensable steps (contains ``undo`` structurally)."""
    match expr:
        case ast.Undo():
            return True
        case ast.ProcBinary(op, left, right) if op in _FOLD:
            return has_undo(ev, left, seen) or has_undo(ev, right, seen)
        case ast.GenParallel(left, _, right):
            return has_undo(ev, left, seen) or has_undo(ev, right, seen)
        case ast.If(_, then, orelse):
            return has_undo(ev, then, seen) or has_undo(ev, orelse, seen)
        case ast.Let(_, body) | ast.Replicated(body=body):
            return has_undo(ev, body, seen)
        case ast.Name(name) | ast.Apply(ast.Name(name)):
            info = ev.functions.get(name)
            if info is None or not info.is_process or name in seen or "#" in name:
                return False
            seen.add(name)
            return any(has_undo(ev, c.body, seen) for c in info.clauses)
    return False


def step_of(ev: Evaluator, expr: ast.Node, env: Env) -> tuple[Process, str]:
    """A step's process (a bare event ``e`` is ``e -> SKIP``) and its display name."""
    value = ev.eval(expr, env)
    if type(value) is Event:
        return prefix(ev, value, SKIP), str(value)
    return as_process(ev, expr, env, value), _name(value)


def as_process(ev: Evaluator, expr: ast.Node, env: Env, value: Any = None) -> Process:
    """A step or compensation as a process (a bare event ``e`` is ``e -> SKIP``).

    Also read by the compiled sagas (:mod:`procalg.semantics.linear_saga`), so a
    step's name and a ``SKIP`` compensation are the same on both.

    Example:
        >>> from procalg.api.model import loads
        >>> from procalg.syntax import ast
        >>> model = loads("channel u")
        >>> print(as_process(model.spec.evaluator, ast.Name("u"), {}))
        u -> SKIP
    """
    value = ev.eval(expr, env) if value is None else value
    if type(value) is Event:
        return prefix(ev, value, SKIP)
    if not isinstance(value, Process):
        raise ModelError(f"a saga step must be a process or an event, got {value}", expr.span,
                         hint="steps are processes (P undo Q) or events (reserve undo release)")
    return value


def _name(term: Process) -> str:
    """A short name for a step: its first event, its call, or its text."""
    while type(term) is ExternalChoice:
        term = term.left
    if type(term) is Prefix:
        return str(term.event)
    if type(term) is Input and term.moves():  # c?x: its first event, as for c.v -> P
        return str(term.moves()[0][0])
    text = str(term) if type(term) is Call else show_process(term)
    return text if len(text) <= 40 else text[:37] + "..."
