"""Recursion that nests without bound: found in the source, confirmed on the states.

``P = a -> SKIP ||| (c -> SKIP ; P)`` has infinitely many states: each
unfolding of ``P`` runs inside the ``|||`` of the one before, whose context
stays, so every ``c`` wraps the state in one more ``|||``. The same holds for
a recursive call under any operator whose operand keeps its context while it
runs (a *static* position): both sides of the parallel operators, the
interrupted side of ``/+ A +\\``, the process of a renaming, the left of ``;``
and of ``[| A |>``; and for a process parameter passed on wrapped in such an
operator (``Weird(X) = ... Weird(X ||| X)``). FDR compiles a process into a
finite supercombinator over such static operators (Roscoe, *Understanding
Concurrent Systems*, 2010, ch. 9; Gibson-Robinson et al., *FDR3: a parallel
refinement checker for CSP*, STTT 2016) and fails on these shapes; the
explicit engines here would explore until the memory guard. Hiding,
``/\\`` and ``[>`` are not static here: the term rules keep their recursion
finite (nested hiding is flattened, :func:`procalg.semantics.unfold.flat_hiding`).
Nor are ``[+ A +]`` and the interrupting side of ``/+ A +\\``: an event outside
``A`` resolves them as ``[]`` does, so ``R = (e -> R) [+ {c} +] (f -> SKIP)`` is
finite (recursion through their events of ``A`` alone is left unflagged).

The rule has two halves, as :mod:`procalg.semantics.growth` for counters:

1. :func:`nestings` reads the definitions once (linear in their size plus
   the call graph; a recursive call's path back is searched for within its
   strongly connected component only) and flags a definition ``D`` when a call in a static
   position of ``D``'s body leads back to ``D`` along calls that no ``if``,
   ``&`` guard or replicated operator's set depending on a name stands
   above, and that only reach definitions of one clause with plain
   parameters (a pattern's clauses, or a guard, may bound the depth by
   data: ``P(n) = if n == 0 then SKIP else (a -> SKIP ||| P(n - 1))`` is
   finite and never flagged). A flagged process may still be bounded by a
   partner (``P [| {c} |] c -> c -> STOP``), so:
2. :class:`NestingWatch` confirms on the states the term rules reach: a
   state holding a call of a flagged cycle under more than
   :data:`NESTING_LIMIT` of the flagged operator's terms (or passing it a
   process nested that deep) has nested that far, and the exploration stops
   with :class:`UnboundedNesting` naming the definition and the operator.
   Each state's check walks its nodes not met before (memoised per node).

Example:
    >>> from procalg.syntax.parser import parse
    >>> spec = parse("channel a, c\\nP = a -> SKIP ||| (c -> SKIP ; P)\\n"
    ...              "Q(n) = if n == 0 then SKIP else (a -> SKIP ||| Q(n - 1))\\n")
    >>> defs = {d.name: [d] for d in spec.declarations if hasattr(d, "body")}
    >>> found = nestings(defs)
    >>> sorted(found), found["P"].operator
    (['P'], '|||')
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from procalg.errors import ModelError
from procalg.semantics.kinds import names_in
from procalg.semantics.recursion_guard import components
from procalg.source import Span
from procalg.syntax import ast
from procalg.terms import AlphaParallel, ExceptionOp, Parallel, Rename, Seq
from procalg.terms.synchronising import SyncInterrupt

NESTING_LIMIT = 6
"""A flagged call this many flagged operators deep has nested that often: stop.

Small, because the states grow with the nesting (``|||``: a factor per
level, ``Weird(X ||| X)``: the number of copies doubles)."""

_BOTH = ("left", "right")
_STATIC: dict[type, tuple[str, tuple[str, ...]]] = {
    ast.GenParallel: ("[| A |]", _BOTH),
    ast.AlphaParallelExpr: ("[A || B]", _BOTH),
    ast.LinkParallelExpr: ("[a <-> b]", _BOTH),
    ast.ExceptionExpr: ("[| A |>", ("left",)),
    ast.RenameExpr: ("[[ ]]", ("process",)),
}
"""AST operator -> its name in messages and the fields that are static positions."""
_BINARY = {"|||": _BOTH, ";": ("left",)}
_REPLICATED = {"|||": "|||", "[||]": "[| A |]", "||": "[A || B]", "[<->]": "[a <-> b]"}
TERM_KINDS: dict[str, type] = {
    "|||": Parallel, "[| A |]": Parallel, "[A || B]": AlphaParallel, "[a <-> b]": Parallel,
    "[| A |>": ExceptionOp, "[[ ]]": Rename, ";": Seq, "/+ A +\\": SyncInterrupt,
}
"""Operator name -> the term class each of its nestings adds to a state."""


class UnboundedNesting(ModelError):
    """A flagged recursion nested past :data:`NESTING_LIMIT`: infinitely many states.

    Attributes:
        nesting: the definition and the operator it nests through.
    """

    def __init__(self, nesting: Nesting) -> None:
        name, op = nesting.process, nesting.operator
        if nesting.argument:
            how = (f"{name} calls itself with a process parameter wrapped in {op}, so each "
                   f"unfolding wraps it once more")
            hint = (f"bound the wrapping with a parameter that an if or & tests "
                    f"(if n > 0 then ... {name}(..., n - 1))")
        else:
            how = (f"{name} calls itself inside {op}, which stays around the call, so each "
                   f"unfolding nests one more {op}")
            hint = (f"recurse outside the {op} (as P = (a -> SKIP ||| b -> SKIP) ; P does for "
                    f"|||), or bound the depth with a parameter that an if or & tests "
                    f"(if n > 0 then ... {name}(n - 1))")
        super().__init__(f"{how} (seen {NESTING_LIMIT} deep): the process has infinitely "
                         f"many states (FDR fails on such recursion too)", nesting.span,
                         hint=hint)
        self.nesting = nesting


@dataclass(frozen=True, slots=True)
class Nesting:
    """A definition whose recursion may nest without bound.

    Attributes:
        process: the definition.
        operator: the static operator the recursion passes (``|||``, ``;`` ...).
        span: the recursive call (or the argument) as written.
        cycle: the definitions on the recursion (their calls are watched).
        argument: the recursion passes a process parameter wrapped in the operator.
    """

    process: str
    operator: str
    span: Span | None
    cycle: frozenset[str]
    argument: bool = False


@dataclass(frozen=True, slots=True)
class _Call:
    callee: str
    operator: str | None  # the innermost static operator above the call
    free: bool  # no data guard above it
    args: tuple
    span: Span | None


def nestings(definitions: Mapping[str, list[ast.Definition]]) -> dict[str, Nesting]:
    """Every definition whose recursion passes a static position with no data guard.

    Args:
        definitions: name -> clauses of the model's process definitions.
    """
    plain = {name: _params(clauses) for name, clauses in definitions.items()}
    calls = {name: list(_calls(clauses[0].body, None, False)) if plain[name] is not None
             else [] for name, clauses in definitions.items()}
    edges = {name: {c.callee for c in found if c.free and plain.get(c.callee) is not None}
             for name, found in calls.items()}
    component = components(edges)  # a free call leads back iff it stays in its caller's
    found: dict[str, Nesting] = {}
    for name, made in calls.items():
        for call in made:
            if (name in found or not call.free or plain.get(call.callee) is None
                    or component[call.callee] != component[name]):
                continue
            wrapped = (_wrapped_argument(call.args, plain[name] or ())
                       if call.callee == name else None)
            if call.operator is None and wrapped is None:
                continue  # the path back is searched for only for a flag (one per name)
            cycle = _cycle(edges, call.callee, name, component)
            if cycle is None:
                continue
            found[name] = (Nesting(name, call.operator, call.span, cycle)
                           if call.operator is not None
                           else Nesting(name, wrapped[0], wrapped[1], cycle, True))
    return found


def _params(clauses: list[ast.Definition]) -> tuple[str, ...] | None:
    """The parameter names of a one-clause definition of plain names; else None."""
    if len(clauses) != 1:
        return None
    names = []
    for pattern in clauses[0].params or ():
        if not isinstance(pattern, ast.PVar):
            return None
        names.append(pattern.name)
    return tuple(names)


def _cycle(edges: Mapping[str, set[str]], start: str, goal: str,
           component: Mapping[str, int]) -> frozenset[str] | None:
    """The definitions on a path of free calls from ``start`` to ``goal`` (both
    included), or None: a depth-first search within ``goal``'s strongly
    connected component (no path back leaves it), linear in its calls."""
    target = component[goal]
    parent: dict[str, str | None] = {start: None}
    todo = [start]
    while todo:
        name = todo.pop()
        if name == goal:
            path = {goal}
            step = parent[name]
            while step is not None:
                path.add(step)
                step = parent[step]
            return frozenset(path)
        for nxt in edges.get(name, ()):
            if nxt not in parent and component[nxt] == target:
                parent[nxt] = name
                todo.append(nxt)
    return None


def _calls(node: object, operator: str | None, guarded: bool) -> Iterator[_Call]:
    """Each call in ``node``: the static operator above it and whether a data guard is."""
    kind = type(node)
    if kind is ast.If or kind is ast.Guard:
        guarded = guarded or bool(names_in(node.cond))  # type: ignore[attr-defined]
    elif kind is ast.Replicated:
        guarded = guarded or bool(names_in(node.generators))  # type: ignore[attr-defined]
        operator = _REPLICATED.get(node.op, operator)  # type: ignore[attr-defined]
        yield from _calls(node.body, operator, guarded)  # type: ignore[attr-defined]
        return
    if kind is ast.Apply and isinstance(node.func, ast.Name):  # type: ignore[attr-defined]
        yield _Call(node.func.id, operator, not guarded, node.args, node.span)  # type: ignore
    elif kind is ast.Name:
        yield _Call(node.id, operator, not guarded, (), node.span)  # type: ignore[attr-defined]
        return
    static = _static_fields(node)
    if isinstance(node, tuple):
        for item in node:
            yield from _calls(item, operator, guarded)
    elif dataclasses.is_dataclass(node):
        for field in dataclasses.fields(node):
            if field.name != "span":
                inner = static[0] if field.name in static[1] else operator
                yield from _calls(getattr(node, field.name), inner, guarded)


def _static_fields(node: object) -> tuple[str | None, tuple[str, ...]]:
    """The operator name of ``node`` and its static fields (none: not static)."""
    kind = type(node)
    if kind is ast.ProcBinary:
        return node.op, _BINARY.get(node.op, ())  # type: ignore[attr-defined]
    if kind is ast.SyncChoiceExpr:  # [+ A +]: an event outside A resolves it, as [] does;
        # /+ A +\\: Q's event outside A ends P, so only P's side stays around a call
        return ("/+ A +\\", ("left",)) if node.interrupt else (None, ())  # type: ignore[attr-defined]
    if kind is ast.GenParallel and _is_empty(node.sync):  # type: ignore[attr-defined]
        return "|||", _BOTH
    return _STATIC.get(kind, (None, ()))


def _is_empty(expr: object) -> bool:
    return isinstance(expr, ast.SetLit) and not expr.items


def _wrapped_argument(args: tuple, params: tuple[str, ...]) -> tuple[str, Span | None] | None:
    """The static operator and span of an argument that wraps one of ``params``
    (``X ||| X`` for a parameter ``X``), or None."""
    for arg in args:
        operator, fields = _static_fields(arg)
        if operator is not None and fields and names_in(arg) & set(params):
            return operator, getattr(arg, "span", None)
    return None
