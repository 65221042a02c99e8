"""Recursion that nests without bound: found in the source, confirmed on the states.

``P = a -> SKIP ||| (c -> SKIP ; P)`` has infinitely many states: each
unfolding of ``P`` runs inside the ``|||`` of the one before, whose context
stays, so every ``c`` wraps the state in one more ``|||``. The same holds for
a recursive call under any operator whose operand keeps its context while it
runs (a *static* position: the call's term stays inside the operator after
the call makes a visible step): both sides of the parallel operators, the
interrupted side of ``/\\`` and of ``/+ A +\\``, the process of a renaming,
the left of ``;``; and for a process parameter passed on wrapped in such an
operator (``Weird(X) = ... Weird(X ||| X)``). Some positions stay only while
the operand's events are in a set ``A`` (both sides of ``[+ A +]`` and the
interrupting side of ``/+ A +\\``: an event outside ``A`` resolves them as
``[]`` does) or outside it (the left of ``[| A |>``: an event of ``A`` hands
over): a call counts there when every prefix on its way (from the body's root,
and the left of a ``;`` it follows) is in (outside) ``A`` as written
(:mod:`procalg.semantics.nesting_events`), for ``[+ A +]`` only a call of the
definition itself; ``R = (e -> R) [+ {c} +] (f -> SKIP)`` is finite. FDR
compiles a process into a finite supercombinator over such static operators
(Roscoe, *Understanding Concurrent Systems*, 2010, ch. 9; Gibson-Robinson et
al., *FDR3: a parallel refinement checker for CSP*, STTT 2016) and fails on
these shapes; the explicit engines here would explore until the memory guard.
Hiding and ``[>`` are not static (nested hiding is flattened,
:func:`procalg.semantics.unfold.flat_hiding`; a visible event of either side
of ``[>`` resolves it), nor is the interrupting side of ``/\\``.

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
from collections.abc import Mapping
from dataclasses import dataclass

from procalg.errors import ModelError
from procalg.semantics.kinds import names_in
from procalg.semantics.nesting_events import never_offers, prefixes, within
from procalg.semantics.recursion_guard import components
from procalg.source import Span
from procalg.syntax import ast
from procalg.terms import AlphaParallel, ExceptionOp, Interrupt, Parallel, Rename, Seq
from procalg.terms.synchronising import SyncChoice, SyncInterrupt

NESTING_LIMIT = 6
"""A flagged call this many flagged operators deep has nested that often: stop.

Small, because the states grow with the nesting (``|||``: a factor per
level, ``Weird(X ||| X)``: the number of copies doubles)."""

_BOTH = ("left", "right")
_SIDES = (("left", "right"), ("right", "left"))
_STATIC: dict[type, tuple[str, tuple[str, ...]]] = {
    ast.GenParallel: ("[| A |]", _BOTH),
    ast.AlphaParallelExpr: ("[A || B]", _BOTH),
    ast.LinkParallelExpr: ("[a <-> b]", _BOTH),
    ast.ExceptionExpr: ("[| A |>", ("left",)),
    ast.RenameExpr: ("[[ ]]", ("process",)),
}
"""AST operator -> its name in messages and the fields that are static positions."""
_BINARY = {"|||": _BOTH, ";": ("left",), "/\\": ("left",)}
_REPLICATED = {"|||": "|||", "[||]": "[| A |]", "||": "[A || B]", "[<->]": "[a <-> b]"}
TERM_KINDS: dict[str, type] = {
    "|||": Parallel, "[| A |]": Parallel, "[A || B]": AlphaParallel, "[a <-> b]": Parallel,
    "[| A |>": ExceptionOp, "[[ ]]": Rename, ";": Seq, "/+ A +\\": SyncInterrupt,
    "/\\": Interrupt, "[+ A +]": SyncChoice,
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


_Op = tuple[str, object, bool]
"""A static operator above a call: its name, the event set its position depends
on (None: none) and whether the position stays while the operand's events are
in that set (``[+ A +]``) or outside it (``[| A |>``)."""


_Trail = tuple | None
"""The prefixes performed before a point, innermost first, as linked pairs
``(prefix, rest)``: extending one is O(1), where a tuple copy per prefix made a
chain of n prefixes cost O(n^2)."""


@dataclass(frozen=True, slots=True)
class _Call:
    """A call to a definition found below a static operator of another."""

    callee: str
    operators: tuple[_Op, ...]  # the static operators above the call, outermost first
    free: bool  # no data guard above it
    args: tuple
    span: Span | None
    trail: _Trail = None  # the prefixes performed on the way to it, linked

    def operator(self, direct: bool) -> str | None:
        """The innermost operator above the call that stays around it: one whose
        position depends on events counts where every prefix on the way is in its
        set (``[+ A +]``, only for a call of the definition itself: another's
        prefixes are not read) or none is (``[| A |>``; a set the text cannot
        read keeps the position, as before)."""
        path = None
        for name, events, inside in reversed(self.operators):
            if events is None:
                return name
            path = _unwound(self.trail) if path is None else path
            known = [within(prefix, events) for prefix in path]
            if inside and direct and all(k is True for k in known):
                return name
            if not inside and True not in known:
                return name
        return None


def nestings(definitions: Mapping[str, list[ast.Definition]]) -> dict[str, Nesting]:
    """Every definition whose recursion passes a static position with no data guard.

    Args:
        definitions: name -> clauses of the model's process definitions.
    """
    plain = {name: _params(clauses) for name, clauses in definitions.items()}
    calls = {name: _calls(clauses[0].body) if plain[name] is not None
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
            operator = call.operator(call.callee == name)
            wrapped = (_wrapped_argument(call.args, plain[name] or ())
                       if call.callee == name else None)
            if operator is None and wrapped is None:
                continue  # the path back is searched for only for a flag (one per name)
            cycle = _cycle(edges, call.callee, name, component)
            if cycle is None:
                continue
            found[name] = (Nesting(name, operator, call.span, cycle) if operator is not None
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


def _calls(body: object) -> list[_Call]:
    """Each call in ``body``, in the order the text reads: the static operators
    above it, whether a data guard is, and the prefixes performed before it (on
    its way from the root, and the left of a ``;`` it follows).

    An explicit stack, not recursion: a literal chain of n prefixes nests n
    deep, and nested generators passed each call up through every level
    (O(n^2) resumptions); this walk is linear in the body's nodes.
    """
    found: list[_Call] = []
    stack: list[tuple[object, tuple[_Op, ...], bool, _Trail]] = [(body, (), False, None)]
    while stack:
        node, operators, guarded, trail = stack.pop()
        kind = type(node)
        if kind is ast.If or kind is ast.Guard:
            guarded = guarded or bool(names_in(node.cond))  # type: ignore[attr-defined]
        elif kind is ast.Replicated:
            guarded = guarded or bool(names_in(node.generators))  # type: ignore[attr-defined]
            if node.op in _REPLICATED:  # type: ignore[attr-defined]
                operators = (*operators, (_REPLICATED[node.op], None, True))  # type: ignore
            stack.append((node.body, operators, guarded, trail))  # type: ignore[attr-defined]
            continue
        if kind is ast.Apply and isinstance(node.func, ast.Name):  # type: ignore[attr-defined]
            found.append(_Call(node.func.id, operators, not guarded, node.args,  # type: ignore
                               node.span, trail))  # type: ignore[attr-defined]
        elif kind is ast.Name:
            found.append(_Call(node.id, operators, not guarded, (), node.span,  # type: ignore
                               trail))
            continue
        stack.extend(reversed(_children(node, operators, guarded, trail)))
    return found


def _children(node: object, operators: tuple[_Op, ...], guarded: bool, trail: _Trail
              ) -> list[tuple[object, tuple[_Op, ...], bool, _Trail]]:
    """The parts of ``node`` to walk, in the text's order, each with its context."""
    if isinstance(node, tuple):
        return [(item, operators, guarded, trail) for item in node]
    if not dataclasses.is_dataclass(node):
        return []
    positions = _positions(node)
    out = []
    for field in dataclasses.fields(node):
        if field.name == "span":
            continue
        inner = operators
        if field.name in positions:
            inner = (*operators, positions[field.name])
        out.append((getattr(node, field.name), inner, guarded, _extend(node, field.name, trail)))
    return out


def _extend(node: object, field: str, trail: _Trail) -> _Trail:
    """``trail`` with the prefixes performed before ``node``'s ``field`` runs."""
    if type(node) is ast.PrefixExpr and field == "then":
        return (node, trail)
    if type(node) is ast.ProcBinary and node.op == ";" and field == "right":  # type: ignore
        for prefix in prefixes(node.left):  # type: ignore[attr-defined]
            trail = (prefix, trail)
    return trail


def _unwound(trail: _Trail) -> tuple[ast.PrefixExpr, ...]:
    """The prefixes of ``trail``, outermost first."""
    out = []
    while trail is not None:
        out.append(trail[0])
        trail = trail[1]
    return tuple(reversed(out))


def _positions(node: object) -> dict[str, _Op]:
    """``node``'s fields that stay around a call in them, with their operator."""
    if type(node) is ast.SyncChoiceExpr:  # events of A need both sides and keep them
        # a side stays around a call behind its events of A only if the other side
        # can perform them too: (c -> STOP) /+ {b} +\\ (b -> P) never reaches its P
        if node.interrupt:  # the left runs on whatever the right does but leave by A
            found = {"left": ("/+ A +\\", None, True)}
            if not never_offers(node.left, node.sync):  # type: ignore[attr-defined]
                found["right"] = ("/+ A +\\", node.sync, True)  # type: ignore[attr-defined]
            return found
        return {side: ("[+ A +]", node.sync, True) for side, other in _SIDES  # type: ignore
                if not never_offers(getattr(node, other), node.sync)}  # type: ignore
    if type(node) is ast.ExceptionExpr:  # an event of A hands over to the right
        return {"left": ("[| A |>", node.sync, False)}  # type: ignore[attr-defined]
    operator, static = _static_fields(node)
    return {name: (operator, None, True) for name in static}  # type: ignore[misc]


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
