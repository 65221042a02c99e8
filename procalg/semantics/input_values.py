"""The values of an input prefix's last field, and a one-field input's offers, remembered.

A new state of a run's compiled machine enumerates its input prefixes' offers
(``deposit?x:{y | y <- {1..5}, b + y <= 20}`` for a new balance ``b``):
the restriction's set is evaluated in the state, then each value is checked
against the channel's type and made into its event, and each binding is
matched. The set differs per state, but the events a set selects on one
channel do not: :func:`one_input_offers` keeps them per input field, channel
value and set (with their values' types: ``1 == True``), so a state whose
set was met before costs the set's evaluation and a dict per value, not a
sort, a type check and a pattern match per value. Same offers, in the same
order, as :func:`procalg.semantics.inputs.prefix_offers`'s general path
(``tests/semantics/test_input_values.py``); O(offers) per call.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.semantics.inputs import prefix_offers
    >>> model = loads("channel c : {0..3}\\nP(b) = c?x:{y | y <- {0..3}, y > b} -> P(x)")
    >>> ev = model.spec.evaluator
    >>> expr = model.spec.definitions["P"][0].body
    >>> [(str(e), scope["x"]) for e, scope in prefix_offers(ev, expr, {"b": 1})]
    [('c.2', 2), ('c.3', 3)]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procalg.errors import ModelError
from procalg.semantics.channels import ChannelRef
from procalg.semantics.values import expect_set
from procalg.syntax import ast
from procalg.terms import Event
from procalg.terms.values import sorted_values

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Env, Evaluator

KEPT = 4096
"""Entries an evaluator keeps (:attr:`Evaluator.input_values`); past it, it starts afresh."""


def last_values(ev: Evaluator, value: ChannelRef, item: ast.InField,
                allowed: frozenset | None) -> list[tuple[Any, Event | None]]:
    """The values the last field ``item`` of an input on ``value`` may take (within
    ``allowed``, its restriction's set, if any), each with the event it completes.

    A restriction ``c?x:S`` costs the size of S, not of the channel's type.
    """
    fields = value.fields
    if allowed is None or (fields and ev.types.is_incomplete(fields[-1])):
        pairs = ev.types.remaining(value)
        return list(pairs) if allowed is None else [(v, e) for v, e in pairs if v in allowed]
    out: list[tuple[Any, Event | None]] = []
    for v in sorted_values(allowed):  # ints with no key: the same order
        try:
            event = ev.types.dot(value, v, item.span)
        except ModelError:
            continue  # outside the channel's type: the restriction cannot select it
        if type(event) is Event and ev.types.join(event.fields[len(fields):]) == v:
            out.append((v, event))
    return out


def one_input_offers(ev: Evaluator, expr: ast.PrefixExpr, env: Env
                     ) -> list[tuple[Event, Env]] | None:
    """``prefix_offers(ev, expr, env)`` for a prefix ``c?x`` or ``c?x:S`` (one input
    field whose variable binds), the events per set remembered; None for any other
    shape, or where the general path says what is wrong (it runs then)."""
    found = one_input_values(ev, expr, env)
    if found is None:
        return None
    name, kept = found
    out = []
    for v, event in kept[1]:
        inner = dict(env)
        inner[name] = v
        out.append((event, inner))
    return out


def one_input_values(ev: Evaluator, expr: ast.PrefixExpr, env: Env
                     ) -> tuple[str, tuple[ast.InField, list[tuple[Any, Event]]]] | None:
    """The name a prefix ``c?x`` or ``c?x:S`` binds and the entry its offers in ``env``
    are read off: ``(field, [(value, event), ..])``, one object per field, channel
    value and set while the evaluator keeps it (so a caller may key its own work on
    the set by the entry: states whose sets are equal share it); None as
    :func:`one_input_offers`.

    Example:
        >>> from procalg.api.model import loads
        >>> from procalg.semantics.inputs import prefix_offers
        >>> model = loads("channel c : {0..3}\\nP(b) = c?x:{y | y <- {0..3}, y > b} -> P(x)")
        >>> ev, expr = model.spec.evaluator, model.spec.definitions["P"][0].body
        >>> one_input_values(ev, expr, {"b": 1}) is None  # is x a constant? not known yet
        True
        >>> _ = prefix_offers(ev, expr, {"b": 1})  # the general path finds it is none
        >>> name, entry = one_input_values(ev, expr, {"b": 1})
        >>> name, [(v, str(e)) for v, e in entry[1]]
        ('x', [(2, 'c.2'), (3, 'c.3')])
        >>> one_input_values(ev, expr, {"b": 1})[1] is entry  # the same set: one entry
        True
    """
    item = expr.fields[0]
    if type(item) is not ast.InField or type(item.pattern) is not ast.PVar:
        return None
    name, known = item.pattern.name, ev.pattern_constants
    if not (name in env or (name in known and known[name] is None)):
        return None  # a constant's name compares (patterns.match_all): the general path
    value = ev.eval(expr.head, env)
    if type(value) is not ChannelRef:
        return None
    allowed = None
    if item.restrict is not None:
        try:
            allowed = expect_set(ev.eval(item.restrict, env), item.restrict.span)
        except ModelError as err:  # as prefix_offers says it
            err.span = err.span or item.span
            raise
        if type(allowed) is not frozenset:
            return None  # an infinite set: the general path's error
    key = (id(item), value, tuple(map(type, value.fields)), allowed,
           None if allowed is None else frozenset(map(type, allowed)))
    kept = ev.input_values
    found = kept.get(key)
    if found is None:
        try:
            values = last_values(ev, value, item, allowed)
        except ModelError as err:  # Int or a recursive type, listed: no place of its own
            err.span = err.span or item.span
            raise
        if any(type(event) is not Event for _, event in values):
            return None  # not complete events: the general path's error
        if len(kept) >= KEPT:
            kept.clear()
        kept[key] = found = (item, values)  # the item kept: its id stays its own
    return name, found
