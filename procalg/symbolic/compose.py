"""The network over linear components: parallel, interleaving, hiding and renaming as moves.

A *move* is one step of the whole system: the summands that take part (one
per component that moves), the guard they need together (their own guards,
equal fields where they synchronise, and whether the event is in the
synchronisation or hiding set), and the event the step shows. Composing the
operator tree bottom-up gives the network's moves, as CSP's rules for
``[| A |]``, ``[A || B]``, ``|||``, ``\\`` and ``[[R]]`` say (Roscoe, *Understanding
Concurrent Systems*, ch. 9; ``✓`` synchronises everywhere: distributed
termination). This is the "one summand per (component location, action)"
form of mCRL2's linear processes, composed as its ``lpsparelm`` input is.

Example:
    >>> from procalg.api.model import loads
    >>> spec = loads("channel a, b\\nP = a -> b -> P\\nQ = a -> Q\\n").spec
    >>> net = translate_network(spec, _expr("P [| {a} |] Q"))
    >>> [(m.channel, len(m.parts)) for m in net.moves]
    [('b', 1), ('a', 2)]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import z3

from procalg.errors import ProcalgError
from procalg.symbolic.fragment import Codes, EventSet, OutsideFragment, event_head, event_set
from procalg.symbolic.linear import TAU, TICK, Component, Summand, translate_component
from procalg.syntax import ast

_OPERATORS = (ast.GenParallel, ast.AlphaParallelExpr, ast.HideExpr, ast.RenameExpr)
Pair = tuple[tuple[str, tuple[z3.ExprRef, ...]], tuple[str, tuple[z3.ExprRef, ...]]]
"""A renaming pair: the renamed event's channel and given fields, then the new one's."""


@dataclass(frozen=True)
class Move:
    """One step of the network (see the module docstring).

    Attributes:
        parts: the summands that move together.
        guard: when the step may be taken (over slots and the parts' inputs).
        channel: the event's channel (``τ``, ``✓`` too).
        fields: the event's field terms.
        hidden: the event is hidden (the step shows as τ).
    """

    parts: tuple[Summand, ...]
    guard: z3.BoolRef
    channel: str
    fields: tuple[z3.ExprRef, ...]
    hidden: bool = False

    @property
    def visible(self) -> bool:
        return not self.hidden and self.channel != TAU

    @property
    def inputs(self) -> tuple[z3.ExprRef, ...]:
        return tuple(i for part in self.parts for i in part.inputs)


@dataclass
class Network:
    """Components and the moves of their composition."""

    components: list[Component]
    moves: list[Move]
    codes: Codes


def translate_network(spec: Any, node: ast.Node) -> Network:
    """The network of process expression ``node``.

    Raises:
        OutsideFragment: a construct the symbolic engine does not translate.
    """
    codes = Codes()
    components: list[Component] = []
    moves = _moves(spec, node, components, codes, 0)
    return Network(components, [m for m in moves if not z3.is_false(m.guard)], codes)


def global_values(spec: Any):
    """Look-up of a global name's value in ``spec`` (None where it has none: a process)."""
    def value(node: ast.Node) -> Any:
        try:
            return spec.value(node)
        except ProcalgError:
            return None
    return value


def _moves(spec: Any, node: ast.Node, components: list[Component], codes: Codes,
           depth: int) -> list[Move]:
    def sub(child: ast.Node) -> list[Move]:
        return _moves(spec, child, components, codes, depth + 1)

    def eset(expr: ast.Node) -> EventSet:
        channels = {n: len(spec.types.channels[n]) for n in spec.channel_decls}
        return event_set(expr, codes, global_values(spec), channels, spec.definitions)

    match node:
        case ast.GenParallel(left, sync, right):
            return _parallel(sub(left), sub(right), eset(sync), None)
        case ast.AlphaParallelExpr(left, left_alpha, right_alpha, right):
            return _parallel(sub(left), sub(right), eset(left_alpha), eset(right_alpha))
        case ast.ProcBinary("|||", left, right):
            return _parallel(sub(left), sub(right), EventSet(), None)
        case ast.HideExpr(process, hidden):
            return _hide(sub(process), eset(hidden))
        case ast.RenameExpr(process, pairs, ()):
            return _rename(sub(process), _pairs(spec, pairs, codes), _arity(spec))
        case ast.Name(name) if depth < 32 and _network_body(spec, name) is not None:
            return sub(_network_body(spec, name))
    comp = translate_component(spec, node, len(components), codes)
    components.append(comp)
    return [Move((s,), s.guard, s.channel, s.fields) for s in comp.summands]


def _network_body(spec: Any, name: str) -> ast.Node | None:
    """The body of a parameterless definition that is a parallel, interleaving or hiding."""
    clauses = spec.definitions.get(name, ())
    if len(clauses) == 1 and clauses[0].params is None:
        body = clauses[0].body
        if isinstance(body, _OPERATORS) or (type(body) is ast.ProcBinary and body.op == "|||") \
                or (type(body) is ast.Name and _network_body(spec, body.id) is not None):
            return body
    return None


def _parallel(left: list[Move], right: list[Move], sync: EventSet,
              right_alpha: EventSet | None) -> list[Move]:
    """``L [| sync |] R``, or ``L [sync || right_alpha] R`` when ``right_alpha`` is given."""
    out: list[Move] = []
    alpha = right_alpha is not None
    for mine, other_set, own_set in ((left, right_alpha, sync), (right, sync, right_alpha)):
        for m in mine:
            if m.channel == TICK:
                continue
            if m.hidden or m.channel == TAU:
                out.append(m)
                continue
            if alpha:  # an event of my alphabet only; one outside it cannot happen at all
                alone = z3.And(own_set.member(m.channel, m.fields),  # type: ignore[union-attr]
                               z3.Not(other_set.member(m.channel, m.fields)))  # type: ignore
            else:
                alone = z3.Not(sync.member(m.channel, m.fields))
            _add(out, m, z3.And(m.guard, alone))
    for a in left:
        for b in right:
            if a.channel != b.channel or a.hidden or b.hidden or a.channel == TAU:
                continue
            if a.channel == TICK:
                out.append(Move(a.parts + b.parts, z3.And(a.guard, b.guard), TICK, ()))
                continue
            inside = z3.And(sync.member(a.channel, a.fields),
                            right_alpha.member(b.channel, b.fields)) if alpha \
                else sync.member(a.channel, a.fields)
            same = [x == y for x, y in zip(a.fields, b.fields, strict=True)]
            _add(out, Move(a.parts + b.parts, a.guard, a.channel, a.fields),
                 z3.And(a.guard, b.guard, inside, *same))
    return out


def _add(out: list[Move], m: Move, guard: z3.BoolRef) -> None:
    guard = z3.simplify(guard)
    if not z3.is_false(guard):
        out.append(Move(m.parts, guard, m.channel, m.fields, m.hidden))


def _arity(spec: Any) -> dict[str, int]:
    return {n: len(spec.types.channels[n]) for n in spec.channel_decls}


def _pairs(spec: Any, pairs: tuple[tuple[ast.Node, ast.Node], ...], codes: Codes) -> list[Pair]:
    channels = _arity(spec)
    return [(event_head(old, {}, codes, global_values(spec), channels),
             event_head(new, {}, codes, global_values(spec), channels)) for old, new in pairs]


def _rename(moves: list[Move], pairs: list[Pair], arity: dict[str, int]) -> list[Move]:
    """``P [[R]]``: a move on an event ``R`` relates to ``b`` becomes one on each
    such ``b`` (the fields after the renamed prefix carried over, as ``c <- d``
    renames every ``c.x`` to ``d.x``); a move on an event outside ``R``'s domain
    stays. τ, ✓ and hidden events are never renamed."""
    out: list[Move] = []
    for m in moves:
        if m.channel in (TAU, TICK) or m.hidden:
            out.append(m)
            continue
        matched = []
        for (old, given), (new, fields) in pairs:
            if old != m.channel or len(given) > len(m.fields):
                continue
            rest = m.fields[len(given):]
            if arity[new] != len(fields) + len(rest):
                raise OutsideFragment(f"renaming {old} to {new} changes the number of fields "
                                      f"of the event")
            match = z3.And(*(a == b for a, b in zip(given, m.fields, strict=False)))
            matched.append(match)
            _add(out, Move(m.parts, m.guard, new, (*fields, *rest)), z3.And(m.guard, match))
        _add(out, m, z3.And(m.guard, z3.Not(z3.Or(*matched))) if matched else m.guard)
    return out


def _hide(moves: list[Move], hidden: EventSet) -> list[Move]:
    out: list[Move] = []
    for m in moves:
        if m.channel in (TAU, TICK) or m.hidden:
            out.append(m)
            continue
        inside = hidden.member(m.channel, m.fields)
        _add(out, Move(m.parts, m.guard, m.channel, m.fields, True), z3.And(m.guard, inside))
        _add(out, m, z3.And(m.guard, z3.Not(inside)))
    return out


def _expr(text: str) -> ast.Node:
    from procalg.syntax import parse_expr

    if not text:
        raise OutsideFragment("empty expression")
    return parse_expr(text)
