"""The events of a compiled machine's output prefixes, as functions of its variables.

Part of :mod:`procalg.semantics.locations`: ``c.e1!e2 -> P`` is compiled
once into a function from a location's environment to the event -- made
straight from the field values when each is a plain int of its field's type
(what the dots would build, without them), else by the evaluator's dots,
which check the values against the channel's types.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from procalg.semantics.closures import compile_node
from procalg.semantics.inputs import complete
from procalg.syntax import ast
from procalg.terms import Event

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Env, Evaluator


def prefix_event(ev: Evaluator, expr: ast.PrefixExpr, scope: frozenset[str]
                 ) -> Callable[[Env], Event]:
    """The event of output prefix ``expr`` (no input) as a function of the
    location's variables (``scope``: the local names bound there).

    Example:
        >>> from procalg.api.model import loads
        >>> model = loads("channel c : {0..3}.{0..3}\\nP(n) = c.n!1 -> STOP")
        >>> ev = model.spec.evaluator
        >>> event = prefix_event(ev, ev.functions["P"].clauses[0].body, frozenset({"n"}))
        >>> str(event({"n": 2}))
        'c.2.1'
    """
    return _direct(ev, expr, scope) or _event_by_dots(ev, expr)


def _event_by_dots(ev: Evaluator, expr: ast.PrefixExpr) -> Callable[[Env], Event]:
    """The event by the evaluator's dots (each field checked against the channel)."""
    head, dot = compile_node(ev, expr.head), ev.types.dot
    fields = tuple((compile_node(ev, f.value), f.span) for f in expr.fields)
    span = expr.head.span or expr.span

    def event(env: Env) -> Event:
        value = head(env)
        for field, where in fields:
            value = dot(value, field(env), where)
        return complete(value, span)

    return event


def _direct(ev: Evaluator, expr: ast.PrefixExpr, scope: frozenset[str]
            ) -> Callable[[Env], Event] | None:
    """For ``c.e1.e2`` naming a channel ``c`` with as many fields: the event
    made straight from the values when each is a plain int of its field's
    type (what the dots would build), else by the dots (which check)."""
    parts = expr.head.parts if type(expr.head) is ast.Dot else (expr.head,)
    channel = parts[0]
    if type(channel) is not ast.Name or channel.id in scope:
        return None
    types = ev.types.channels.get(channel.id)
    exprs = (*parts[1:], *(f.value for f in expr.fields))
    if types is None or len(exprs) != len(types):
        return None
    values = tuple(compile_node(ev, e) for e in exprs)
    name, intern = channel.id, ev.types.event
    if not values:  # a bare channel: one event, made once
        constant = intern(name, ())
        return lambda env: constant
    checks = tuple(zip(values, types, strict=True))
    slow = _event_by_dots(ev, expr)
    made: dict[tuple, Event] = {}  # plain int fields -> their event: no Event built to look

    def event(env: Env) -> Event:
        got = []
        for value, _ in checks:
            v = value(env)
            if type(v) is not int:
                return slow(env)
            got.append(v)
        fields = tuple(got)
        found = made.get(fields)
        if found is None:
            if not all(v in allowed for v, (_, allowed) in zip(fields, checks, strict=True)):
                return slow(env)
            found = made[fields] = intern(name, fields)
        return found

    return event


_LABELS: weakref.WeakKeyDictionary[Any, tuple[dict[Event, str], dict[str, Event]]] = \
    weakref.WeakKeyDictionary()


def label_tables(ev: Evaluator) -> tuple[dict[Event, str], dict[str, Event]]:
    """The model's printed labels both ways (one pair of tables per evaluator: a
    network's machines print the same events, a renamed cell of a 16x16 board 2 300)."""
    found = _LABELS.get(ev)
    if found is None:
        found = _LABELS[ev] = ({}, {})
    return found


def same_label(event: Event) -> Event:
    """An event as its own label (a machine's ``events_as_labels``)."""
    return event
