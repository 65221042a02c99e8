"""An input prefix asked for given events only: the values those events carry.

``c?x -> P(x)`` over a wide type offers one move per value; a parallel
partner that synchronises on ``c`` lets at most the events it offers fire
(``procalg.semantics.partners``). This module answers the two questions that
needs, without enumerating the channel's type:

- :func:`is_within`: is every event the prefix may offer in a given set?
  (Per channel: the set holds as many events of the prefix's channel as the
  channel has; the count per channel is taken once per set.)
- :func:`values_towards`: the values an input field may take so that the
  event lies in a given set, read off those events' fields, each one checked
  against the field's declared type and the input's restriction exactly as
  the full enumeration (``procalg.semantics.inputs``) would.

Where the answer is not simple (a partially applied constructor before the
input, an activity that may fail, an infinite type), the callers fall back
to the full expansion: same moves, no saving.

Example:
    >>> from procalg.api.model import loads
    >>> model = loads("channel c : {0..99999}")
    >>> term = model.process("c?x -> STOP")
    >>> site, events = term.site, frozenset({Event("c", (7,)), Event("d")})
    >>> [str(e) for e, _ in site.towards(term.captured, events)]
    ['c.7']
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from procalg.errors import ProcalgError
from procalg.semantics.channels import ChannelRef, Infinite
from procalg.semantics.values import expect_set
from procalg.syntax import ast
from procalg.terms import Event, sort_key

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Env, Evaluator


@lru_cache(maxsize=64)
def _per_channel(events: frozenset) -> Counter:
    """How many events of each channel ``events`` holds (once per set: sets are shared
    by every state of a parallel, and a frozenset's hash is cached)."""
    return Counter(e.channel for e in events if type(e) is Event)


def is_within(ev: Evaluator, expr: ast.PrefixExpr, env: Env, events: frozenset) -> bool:
    """Whether every event input prefix ``expr`` may offer in ``env`` is in ``events``.

    True only when ``events`` holds every event of the prefix's channel (a
    finite type, an activity that cannot fail); False says "not known".
    """
    if not events:
        return False
    try:
        head = ev.eval(expr.head, env)
    except ProcalgError:
        return False  # the full expansion reports it
    if type(head) is not ChannelRef or head.channel in ev.fallible:
        return False
    columns = ev.types.channels.get(head.channel)
    if columns is None or any(isinstance(column, Infinite) for column in columns):
        return False
    size = 1
    for column in columns:
        size *= len(column)
    return _per_channel(events).get(head.channel, 0) == size


COUNTED_RESTRICTION = 1_000
"""The widest restriction ``?x:S`` counted by :func:`events_at_most`. A wider one
stays unknown: the network compile sends a leaf whose input is known to be wide
to the term rules, and a leaf like ``out?x:{0..5000} -> ...`` on an ``Int``
channel is better explored whole by the product engine."""


def events_at_most(ev: Evaluator, expr: ast.PrefixExpr, env: Env) -> int | None:
    """An upper bound on the events input prefix ``expr`` offers in ``env``, from the
    sizes of the field types its inputs range over and of its restrictions (None
    where a restriction wider than :data:`COUNTED_RESTRICTION` or not a set, a
    partial constructor or an infinite type makes that unclear).

    Example:
        >>> from procalg.api.model import loads
        >>> model = loads("channel c : {0..99}.{0..9}.{0..4}")
        >>> model.process("c!1?x?y -> STOP").site.width(())
        50
    """
    try:
        value = ev.eval(expr.head, env)
    except ProcalgError:
        return None
    if type(value) is not ChannelRef or (value.fields and ev.types.is_incomplete(
            value.fields[-1])):
        return None
    columns = ev.types.channels.get(value.channel, ())[len(value.fields):]
    count, at, last = 1, 0, len(expr.fields) - 1
    for index, item in enumerate(expr.fields):
        if type(item) is ast.InField:
            taken = columns[at:] if index == last else columns[at:at + 1]
            at += len(taken)
            if item.restrict is not None:  # ?x:S takes at most |S| values
                allowed = _restriction(ev, item.restrict, env)
                if allowed is None or allowed > COUNTED_RESTRICTION:
                    return None
                count *= allowed
                continue
            if any(isinstance(column, Infinite) and not column.sized for column in taken):
                return None
            for column in taken:
                count *= len(column)
        else:
            at += 1  # an output gives one field (or more: then this over-counts)
    return count


def _restriction(ev: Evaluator, restrict: ast.Node, env: Env) -> int | None:
    """How many values a restriction ``?x:S`` allows (None: ``S`` is not a finite
    set in ``env``, e.g. it names an earlier field's variable)."""
    try:
        allowed = ev.eval(restrict, env)
    except ProcalgError:
        return None
    return len(allowed) if isinstance(allowed, frozenset) else None


def values_towards(ev: Evaluator, value: Any, item: ast.InField, env: Env, last: bool,
                   events: frozenset) -> list[tuple[Any, Event | None]] | None:
    """The values input field ``item`` may take after ``value`` such that the event
    can be one of ``events``, as ``inputs._inputs`` gives them (value order, with
    the completed event for a last field); None where the fields do not say
    (the caller enumerates the type instead).
    """
    if type(value) is not ChannelRef:
        return None
    types = ev.types
    given = value.fields
    if given and types.is_incomplete(given[-1]):
        return None  # c.D?x with D lacking fields: the flat fields do not line up
    columns = types.channels[value.channel]
    k = len(given)
    allowed = None if item.restrict is None else \
        expect_set(ev.eval(item.restrict, env), item.restrict.span)
    found: dict[Any, Event | None] = {}
    for event in events:
        if type(event) is not Event or event.channel != value.channel:
            continue
        fields = event.fields
        if len(fields) <= k or fields[:k] != given:
            continue
        if last:
            rest = fields[k:]
            if any(f not in columns[k + i] for i, f in enumerate(rest)):
                continue
            v = types.join(rest)  # the last input takes every missing field, as one value
            if allowed is None or v in allowed:
                found[v] = event
        else:
            v = fields[k]
            if v in columns[k] and (allowed is None or v in allowed):
                found[v] = None
    return sorted(found.items(), key=lambda pair: sort_key(pair[0]))
