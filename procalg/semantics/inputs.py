"""Input prefixes (``c?x:S -> P(x)``) evaluated to one lazy :class:`~procalg.terms.input.Input`.

A prefix with at least one input field becomes an ``Input`` term: the
prefix's :class:`~procalg.terms.input.InputSite` (one per prefix of the model)
and the values of the local variables it mentions. Its moves are the prefix
rule once per combination of accepted values, in the order the eager
expansion ``[] v : S' @ c.v -> P(v)`` had, computed when the term first
fires: an input over ``{0..9999}`` costs the transitions it produces, and a
state holding it costs its captured values to hash and compare.

As in CSPM, an input that is the last field (``c.0?x``) takes every field
still missing as one dotted value; an input followed by more fields takes
exactly one field. A fallible activity's event ``c.v`` also offers
``fail.c.v -> THROW`` (docs/sagas.md).

Example:
    >>> from procalg.api.model import loads
    >>> model = loads("channel c : {0..9999}")
    >>> term = model.process("c?x:{7, 8} -> STOP")
    >>> print(term)
    c?x:{7, 8} -> STOP
    >>> [str(event) for event, _ in term.moves()]
    ['c.7', 'c.8']
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from procalg.errors import ModelError, ProcalgError
from procalg.semantics.channels import ChannelRef
from procalg.semantics.failing import failed
from procalg.semantics.failing import target as built
from procalg.semantics.input_targets import events_at_most, is_within, values_towards
from procalg.semantics.input_values import last_values, one_input_offers
from procalg.semantics.kinds import names_in
from procalg.semantics.patterns import match_all
from procalg.semantics.values import expect_set, kind_name
from procalg.syntax import ast
from procalg.syntax.pretty import pretty
from procalg.terms import Dotted, Event, Process, show
from procalg.terms.input import Captured, Input, InputSite, Moves, Offers
from procalg.terms.saga import FAIL, THROW, fail_event
from procalg.terms.values import sorted_values

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Env, Evaluator


def has_input(expr: ast.PrefixExpr) -> bool:
    """Whether the prefix takes a value (has a ``?`` field)."""
    return any(type(f) is ast.InField for f in expr.fields)


def input_term(ev: Evaluator, expr: ast.PrefixExpr, env: Env) -> Input:
    """The lazy term of input prefix ``expr`` in ``env`` (nothing is expanded yet)."""
    site, names, thunk = registered(ev, expr)
    captured = tuple([(n, env[n]) for n in names if n in env])
    if any(type(value) is thunk for _, value in captured):  # let-bound values: force them
        captured = tuple((n, ev.force(v, expr.span) if type(v) is thunk else v)
                         for n, v in captured)
    return Input(site, captured)


def registered(ev: Evaluator, expr: ast.PrefixExpr) -> tuple[InputSite, tuple[str, ...], Any]:
    """The site of input prefix ``expr`` (made on first use), its free names, and ``Thunk``."""
    sites = ev.input_sites
    found = sites.get(id(expr))
    if found is None:  # the site keeps expr alive, so its id stays its own
        from procalg.semantics.evaluate import Thunk  # evaluate imports this module

        found = sites[id(expr)] = (_site(ev, expr), prefix_free_names(expr), Thunk)
    return found


def site_key(expr: ast.Node) -> str:
    """The prefix's place in the model text, ``line:col-line:col`` (``""`` without a span)."""
    s = expr.span
    return "" if s is None else f"{s.line}:{s.column}-{s.end_line}:{s.end_column}"


def prefix_free_names(expr: ast.PrefixExpr) -> tuple[str, ...]:
    """Names the prefix may read from its scope, excluding those its own inputs bind.

    Fields are read left to right: ``c?x!x`` reads the x it just bound,
    ``c!x?x`` the outer one. An over-approximation otherwise (names_in), so
    capturing is safe; not capturing a shadowed name keeps equal states equal.
    """
    free: set[str] = set(names_in(expr.head))
    bound: set[str] = set()
    for item in expr.fields:
        if type(item) is ast.OutField:
            free |= names_in(item.value) - bound
            continue
        free |= (names_in(item.pattern) | names_in(item.restrict)) - bound
        bound |= pattern_names(item.pattern)
    free |= names_in(expr.then) - bound
    return tuple(sorted(free))


def pattern_names(pattern: ast.Node) -> set[str]:
    """Variables a pattern may bind (every ``PVar``; constructors among them do no harm)."""
    found: set[str] = set()
    stack: list[Any] = [pattern]
    while stack:
        item = stack.pop()
        if type(item) is ast.PVar:
            found.add(item.name)
        elif isinstance(item, tuple | list):
            stack.extend(item)
        elif dataclasses.is_dataclass(item) and isinstance(item, ast.Node):
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
    return found


def compile_node(ev: Evaluator, expr: ast.Node) -> Any:
    """The node's closure (closures.py imports this module, so it is looked up late)."""
    from procalg.semantics.closures import compile_node as compiled

    return compiled(ev, expr)


def _site(ev: Evaluator, expr: ast.PrefixExpr) -> InputSite:
    def expand(captured: Captured) -> Moves:
        return expand_prefix(ev, expr, dict(captured))

    def describe(captured: Captured) -> str:
        return pretty(_substituted(expr, dict(captured)))

    def offer(captured: Captured) -> Offers:
        return input_offers(ev, expr, dict(captured))

    then: list[Any] = []  # the continuation's closure, compiled on first use

    def follow(binding: Env | None) -> Process:
        if binding is None:
            return THROW
        if not then:
            then.append(compile_node(ev, expr.then))
        return built(lambda: _continuation(ev, expr, then[0], binding))

    heads: list[Any] = []  # the continuation's event heads and their names, on first use
    fixed: list[frozenset[str] | None] = []  # the answer when the heads read no local name

    def firsts(binding: Env | None) -> frozenset[str] | None:
        if binding is None:
            return frozenset()  # THROW
        if not heads:
            found = _heads(expr.then)
            heads.append(None if found is None else tuple(compile_node(ev, h) for h in found))
            heads.append(frozenset() if found is None else names_in(found))
        if fixed:
            return fixed[0]
        channels = _first_channels(ev, heads[0], binding)
        if heads[1].isdisjoint(binding):  # channels named globally: the same in every state
            fixed.append(channels)
        return channels

    def within(captured: Captured, events: frozenset) -> bool:
        return is_within(ev, expr, dict(captured), events)

    def towards(captured: Captured, events: frozenset) -> Moves:
        return expand_prefix(ev, expr, dict(captured), events)

    def width(captured: Captured) -> int | None:
        return events_at_most(ev, expr, dict(captured))

    firsts.fixed = fixed  # type: ignore[attr-defined]  # read first: no binding to merge
    return InputSite(expand, describe, site_key(expr), offer, follow, firsts, within, towards,
                     width)


def _heads(then: ast.Node) -> tuple[ast.Node, ...] | None:
    """The event heads a continuation may start with (None: it may start otherwise).

    ``c!x -> P``, and choices, guards and ``if`` of such prefixes; a call or any
    other operator may start with anything.
    """
    found: list[ast.Node] = []
    todo = [then]
    while todo:
        node = todo.pop()
        if type(node) is ast.PrefixExpr:
            found.append(node.head)
        elif type(node) is ast.ProcBinary and node.op == "[]":
            todo += [node.left, node.right]
        elif type(node) is ast.Guard:
            todo.append(node.process)
        elif type(node) is ast.If:
            todo += [node.then, node.orelse]
        else:
            return None
    return tuple(found)


def _first_channels(ev: Evaluator, heads: tuple[Any, ...] | None,
                    binding: Env) -> frozenset[str] | None:
    """The channels of the events a continuation may start with (its heads' closures
    evaluated only; a fallible head's ``fail.c.v`` is of channel ``fail``), or None."""
    if heads is None:
        return None
    channels: set[str] = set()
    for head in heads:
        try:
            value = head(binding)
        except ProcalgError:
            return None  # evaluating the continuation says what is wrong
        if type(value) is not ChannelRef and type(value) is not Event:
            return None
        channels.add(value.channel)
        if value.channel in ev.fallible:
            channels.add(FAIL)
    return frozenset(channels)


def input_offers(ev: Evaluator, expr: ast.PrefixExpr, env: Env) -> Offers:
    """The labels of prefix ``expr``'s moves in :func:`expand_prefix`'s order, and the
    scope of each one's continuation (None for a fallible activity's ``fail.c.v -> THROW``)."""
    fallible = ev.fallible
    labels: list[Event] = []
    scopes: list[Env | None] = []
    for event, scope in prefix_offers(ev, expr, env):
        labels.append(event)
        scopes.append(scope)
        if event.channel in fallible:  # workflow.prefix: the activity may fail
            labels.append(fail_event(event))
            scopes.append(None)
    return tuple(labels), tuple(scopes)


def prefix_offers(ev: Evaluator, expr: ast.PrefixExpr, env: Env,
                  events: frozenset | None = None) -> list[tuple[Event, Env]]:
    """Every ``(event, scope)`` prefix ``expr`` offers: one per combination of its
    inputs, with the inputs' names bound in ``scope`` (the continuation is not
    evaluated; :func:`expand_prefix` and compiled leaves do that). Given
    ``events``, only those in it, each input's values read off them
    (``input_targets.values_towards``) instead of enumerated from its type."""
    if events is None and len(expr.fields) == 1:  # c?x, c?x:S: events per set remembered
        found = one_input_offers(ev, expr, env)
        if found is not None:
            return found
    partial = [(ev.eval(expr.head, env), env)]
    last = len(expr.fields) - 1
    for index, item in enumerate(expr.fields):
        step = []
        for value, scope in partial:
            if type(item) is ast.OutField:
                step.append((ev.types.dot(value, ev.eval(item.value, scope), item.span), scope))
                continue
            pattern = (item.pattern,)
            values = None if events is None else \
                values_towards(ev, value, item, scope, index == last, events)
            if values is None:
                try:
                    values = _inputs(ev, value, item, scope, index == last)
                except ModelError as err:  # Int or a recursive type, listed: no place of its own
                    err.span = err.span or item.span
                    raise
            for v, event in values:
                inner = dict(scope)
                if match_all(ev, pattern, (v,), inner):
                    step.append((event or ev.types.dot(value, v, item.span), inner))
        if type(item) is ast.InField and index != last and partial and not step:
            _check_one_field(ev, item, partial)
        partial = step
    span = expr.head.span or expr.span
    offers = [(complete(value, span), scope) for value, scope in partial]
    return offers if events is None else [pair for pair in offers if pair[0] in events]


def expand_prefix(ev: Evaluator, expr: ast.PrefixExpr, env: Env,
                  events: frozenset | None = None) -> Moves:
    """The moves of prefix ``expr``: ``(event, continuation)`` per combination of inputs
    (given ``events``, only the moves whose event is in it).

    The continuation is evaluated once per move; one whose evaluation raises a
    model error is that error's failed state (``semantics/failing.py``: the
    error belongs to the state the move reaches). A fallible activity's event
    is followed by its failure ``(fail.c.v, THROW)``.
    """
    fallible = ev.fallible
    moves: list[tuple[Event, Process]] = []
    then = compile_node(ev, expr.then)
    for event, scope in prefix_offers(ev, expr, env, events):
        try:  # failing.target, inlined: a move per value of the input's type
            target = then(scope)
            if not isinstance(target, Process):
                process(ev, expr.then, scope)  # says what it is instead
        except ModelError as err:
            target = failed(err)
            if target is None:
                raise
        moves.append((event, target))
        if event.channel in fallible:  # workflow.prefix: the activity may fail
            moves.append((fail_event(event), THROW))
    return tuple(moves)


def _continuation(ev: Evaluator, expr: ast.PrefixExpr, then: Any, scope: Env) -> Process:
    """The continuation of input prefix ``expr`` in ``scope`` (its compiled closure ``then``)."""
    target = then(scope)
    if not isinstance(target, Process):
        process(ev, expr.then, scope)  # says what it is instead
    return target


def process(ev: Evaluator, expr: ast.Node, env: Env) -> Process:
    """Evaluate ``expr`` and check that it is a process."""
    value = ev.eval(expr, env)
    if not isinstance(value, Process):
        raise ModelError(f"expected a process, got {kind_name(value)}", expr.span,
                         hint="a process operator needs processes on both sides")
    return value


def _inputs(ev: Evaluator, value: Any, item: ast.InField, env: Env,
            last: bool) -> list[tuple[Any, Event | None]]:
    """The values an input may take, each with the event it completes (if it is the last).

    A restriction ``c?x:S`` costs the size of S, not of the channel's type.
    """
    if type(value) is not ChannelRef:
        raise ModelError(f"{show(value) if not isinstance(value, Event) else value} "
                         "takes no more fields", item.span, hint="remove the extra ?input")
    allowed = None if item.restrict is None else \
        expect_set(ev.eval(item.restrict, env), item.restrict.span)
    if not last:
        column = ev.types.next_field(value, item.span)
        chosen = column if allowed is None else column & allowed
        return [(v, None) for v in sorted_values(chosen)]
    return last_values(ev, value, item, allowed)


def _check_one_field(ev: Evaluator, item: ast.InField, partial: list) -> None:
    """A dotted pattern before more fields matched nothing: say why, not a silent STOP."""
    if type(item.pattern) is not ast.PDot:
        return
    for value, _ in partial:
        if type(value) is ChannelRef and any(
                type(v) is Dotted or type(v) is Event
                for v in ev.types.next_field(value, item.span)):
            return  # constructor values or events: the pattern may just not select any
    raise ModelError(
        "an input followed by more fields takes one field; this dotted pattern needs several",
        item.span, hint="write one input per field, e.g. c?x?y!z instead of c?x.y!z")


def complete(value: Any, span: Any) -> Event:
    """``value`` as an event, or the error saying which fields it lacks."""
    if type(value) is Event:
        return value
    if type(value) is ChannelRef:
        raise ModelError(f"event {value} lacks fields", span,
                         hint=f"give every field of channel {value.channel} (with . ! or ?)")
    if type(value) is Dotted and type(value.head) is Event:  # a dot list, as in FDR
        head = value.head
        raise ModelError(f"{show(value)} is not an event: it has too many fields (channel "
                         f"{head.channel} has {len(head.fields)})", span,
                         hint=f"check the declaration of channel {head.channel}")
    if isinstance(value, Process):
        raise ModelError("a process is used as an event", span,
                         hint="the left of '->' must be an event, e.g. a -> P")
    raise ModelError(f"{show(value)} is not an event", span, hint="a prefix needs an event")


def _substituted(node: Any, values: dict[str, Any]) -> Any:
    """``node`` with each captured name replaced by its value's text (for printing only)."""
    if not values:
        return node
    if type(node) is ast.Name and node.id in values:
        value = values[node.id]
        return ast.Name(str(value) if isinstance(value, Event | ChannelRef | Process)
                        else show(value), span=node.span)
    if isinstance(node, tuple):
        return tuple(_substituted(item, values) for item in node)
    if dataclasses.is_dataclass(node) and isinstance(node, ast.Node):
        changes = {f.name: _substituted(getattr(node, f.name), values)
                   for f in dataclasses.fields(node) if f.name != "span"}
        return dataclasses.replace(node, **changes)
    return node

